"""From persons to the department-year panel (methods.md §3).

For every department, measurement year, population and outcome the panel
holds the number of units with a non-missing outcome (``n``), their mean
(``value``) and, for amounts, the largest unit's share of the absolute sum
(``top_share``, for the dominance rule of disclosure control). A department
enters the panel of a population and outcome only with at least
``panel.min_count`` units in every measurement year, so each panel is
balanced. Every department and every resident row is accounted for: used,
or excluded with a reason.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import duckdb
import pandas as pd

from boligeval.config import POPULATIONS, EvaluationConfig
from boligeval.panel.derive import AMOUNT_OUTCOMES, exact_column

__all__ = ["PERSON_FILTERS", "aggregate_cells", "household_outcomes", "outcomes_for"]

#: Row filters of the person populations measured at t.
PERSON_FILTERS: dict[str, str] = {
    "all": "TRUE",
    "working_age": "working_age",
    "in_movers": "in_mover",
    "in_movers_working_age": "in_mover AND working_age",
}

#: Row filters of the household populations (on the ``households`` table).
HOUSEHOLD_FILTERS: dict[str, str] = {
    "households": "TRUE",
    "in_mover_households": "any_in_mover",
    "all_in_mover_households": "all_in_movers",
}


def household_outcomes() -> tuple[str, ...]:
    """Outcomes defined for household populations."""
    return ("equivalised_income",)


def outcomes_for(population: str, person_outcomes: Sequence[str]) -> tuple[str, ...]:
    """Outcomes the panel holds for a population."""
    if POPULATIONS[population] == "household":
        return household_outcomes()
    return tuple(person_outcomes)


#: Population membership as a function of the strata columns of a grouped table.
_PERSON_STRATA = ("working_age", "in_mover")
_PERSON_MEMBERS = {
    "all": lambda w: pd.Series(True, index=w.index),
    "working_age": lambda w: w["working_age"],
    "in_movers": lambda w: w["in_mover"],
    "in_movers_working_age": lambda w: w["working_age"] & w["in_mover"],
}
_HOUSEHOLD_STRATA = ("any_in_mover", "all_in_movers")
_HOUSEHOLD_MEMBERS = {
    "households": lambda w: pd.Series(True, index=w.index),
    "in_mover_households": lambda w: w["any_in_mover"],
    "all_in_mover_households": lambda w: w["all_in_movers"],
}
_SHARE_OUTCOMES = ("employed", "competence_education", "deprivation")


def _strata_sql(source: str, strata: Sequence[str], outcomes: Sequence[str]) -> str:
    """One GROUP BY over department, year and a few 0/1 strata, with exact sums.

    Populations are unions of strata, so one pass serves all of them; their
    cells are added up afterwards (sums and counts add, maxima take the max).
    """
    parts = ["count(*) AS size"]
    for i, outcome in enumerate(outcomes):
        col, exact = f'"{outcome}"', exact_column(outcome)
        parts.append(f"count({col}) AS n_{i}")
        parts.append(f"CAST(sum({exact}) AS DOUBLE) AS s_{i}")
        if outcome not in _SHARE_OUTCOMES:
            parts.append(f"max(abs({col})) AS m_{i}")
            parts.append(f"CAST(sum(abs({exact})) AS DOUBLE) AS a_{i}")
    keys = ", ".join(["department_id", "year", *strata])
    return f"SELECT {keys}, {', '.join(parts)} FROM ({source}) GROUP BY {keys}"


def _combine(wide: pd.DataFrame, members: dict[str, Callable[[pd.DataFrame], pd.Series]],
             outcomes: Sequence[str]) -> pd.DataFrame:
    """Cells of each population from the strata rows."""
    frames = []
    for population, member in members.items():
        rows = wide[member(wide).astype(bool)]
        if rows.empty:
            continue
        sums = rows.groupby(["department_id", "year"], sort=True).sum(numeric_only=True)
        maxima = rows.groupby(["department_id", "year"], sort=True).max(numeric_only=True)
        for i, outcome in enumerate(outcomes):
            n = sums[f"n_{i}"].astype("int64")
            if f"m_{i}" in sums:
                total = sums[f"a_{i}"].astype("float64")
                top = maxima[f"m_{i}"].astype("float64") / total.where(total > 0)
            else:
                top = pd.Series(float("nan"), index=sums.index)
            frames.append(pd.DataFrame({
                "department_id": sums.index.get_level_values(0),
                "year": sums.index.get_level_values(1).astype("int64"),
                "population": population,
                "outcome": outcome,
                "size": sums["size"].astype("int64").to_numpy(),
                "n": n.to_numpy(),
                "value": (sums[f"s_{i}"] / n.where(n > 0)).astype("float64").to_numpy(),
                "top_share": top.to_numpy(),
            }))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def aggregate_cells(
    con: duckdb.DuckDBPyConnection, cfg: EvaluationConfig, person_outcomes: Sequence[str]
) -> pd.DataFrame:
    """Department-year cells of every population and outcome, before the min-count rule.

    Returns a long DataFrame: department_id, year, population, outcome,
    size (units in the population), n (units with the outcome), value, top_share.
    Departments or years without any unit of a population have no row.
    """
    wide = con.execute(_strata_sql("SELECT * FROM persons", _PERSON_STRATA,
                                   person_outcomes)).df()
    frames = [_combine(wide, _PERSON_MEMBERS, person_outcomes)]

    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE households AS
        SELECT household_id, year, department_id,
               avg(CAST(equivalised_income AS DECIMAL(18, 4))) AS equivalised_income,
               bool_or(in_mover) AS any_in_mover, bool_and(in_mover) AS all_in_movers
        FROM persons GROUP BY household_id, year, department_id
        """
    )
    wide = con.execute(_strata_sql("SELECT * FROM households", _HOUSEHOLD_STRATA,
                                   household_outcomes())).df()
    frames.append(_combine(wide, _HOUSEHOLD_MEMBERS, household_outcomes()))

    years = cfg.measurement_years
    if len(years) > 1:
        pairs = ", ".join(f"({a}, {b})" for a, b in itertools.pairwise(years))
        leavers = f"""
            WITH pairs(y0, y1) AS (VALUES {pairs})
            SELECT p0.* EXCLUDE (year), pairs.y1 AS year
            FROM persons p0 JOIN pairs ON p0.year = pairs.y0
            ANTI JOIN persons p1 ON p1.person_id = p0.person_id AND p1.year = pairs.y1
                                AND p1.department_id = p0.department_id
        """
        wide = con.execute(_strata_sql(leavers, (), person_outcomes)).df()
        if len(wide):
            frames.append(_combine(wide, {"out_movers": lambda w: pd.Series(True, index=w.index)},
                                   person_outcomes))
    cells = pd.concat(frames, ignore_index=True)
    amount = cells["outcome"].isin(AMOUNT_OUTCOMES) | ~cells["outcome"].isin(
        ("employed", "competence_education", "deprivation")
    )
    cells.loc[~amount, "top_share"] = float("nan")
    return cells
