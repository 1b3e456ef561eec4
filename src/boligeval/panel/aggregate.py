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
from collections.abc import Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class _Agg:
    population: str
    outcome: str
    prefix: str


def _agg_sql(filters: dict[str, str], outcomes: Sequence[str]) -> tuple[str, list[_Agg]]:
    parts: list[str] = []
    aggs: list[_Agg] = []
    for p_i, (pop, cond) in enumerate(filters.items()):
        parts.append(f'count(*) FILTER (WHERE {cond}) AS "size_{p_i}"')
        for o_i, outcome in enumerate(outcomes):
            prefix = f"a{p_i}_{o_i}"
            col = f'"{outcome}"'
            parts.append(f'count({col}) FILTER (WHERE {cond}) AS "{prefix}_n"')
            parts.append(
                f'avg({exact_column(outcome)}) FILTER (WHERE {cond}) AS "{prefix}_mean"')
            if outcome not in ("employed", "competence_education", "deprivation"):
                parts.append(f'max(abs({col})) FILTER (WHERE {cond}) AS "{prefix}_max"')
                parts.append(
                    f'CAST(sum(abs({exact_column(outcome)})) FILTER (WHERE {cond}) AS DOUBLE) '
                    f'AS "{prefix}_sum"'
                )
            aggs.append(_Agg(pop, outcome, prefix))
    return ",\n".join(parts), aggs


def _long(wide: pd.DataFrame, filters: dict[str, str], aggs: list[_Agg]) -> pd.DataFrame:
    frames = []
    pops = list(filters)
    for agg in aggs:
        p_i = pops.index(agg.population)
        n = wide[f"{agg.prefix}_n"].astype("int64")
        if f"{agg.prefix}_max" in wide:
            total = wide[f"{agg.prefix}_sum"].astype("float64")
            top = wide[f"{agg.prefix}_max"].astype("float64") / total.where(total > 0)
        else:
            top = pd.Series(float("nan"), index=wide.index)
        frames.append(
            pd.DataFrame(
                {
                    "department_id": wide["department_id"],
                    "year": wide["year"].astype("int64"),
                    "population": agg.population,
                    "outcome": agg.outcome,
                    "size": wide[f"size_{p_i}"].astype("int64"),
                    "n": n,
                    "value": wide[f"{agg.prefix}_mean"].astype("float64"),
                    "top_share": top,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def aggregate_cells(
    con: duckdb.DuckDBPyConnection, cfg: EvaluationConfig, person_outcomes: Sequence[str]
) -> pd.DataFrame:
    """Department-year cells of every population and outcome, before the min-count rule.

    Returns a long DataFrame: department_id, year, population, outcome,
    size (units in the population), n (units with the outcome), value, top_share.
    Departments or years without any unit of a population have no row.
    """
    person_sql, person_aggs = _agg_sql(PERSON_FILTERS, person_outcomes)
    wide = con.execute(
        f"SELECT department_id, year, {person_sql} FROM persons GROUP BY department_id, year"
    ).df()
    frames = [_long(wide, PERSON_FILTERS, person_aggs)]

    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE households AS
        SELECT household_id, year, department_id,
               avg(CAST(equivalised_income AS DECIMAL(18, 4))) AS equivalised_income,
               bool_or(in_mover) AS any_in_mover, bool_and(in_mover) AS all_in_movers
        FROM persons GROUP BY household_id, year, department_id
        """
    )
    hh_sql, hh_aggs = _agg_sql(HOUSEHOLD_FILTERS, household_outcomes())
    wide = con.execute(
        f"SELECT department_id, year, {hh_sql} FROM households GROUP BY department_id, year"
    ).df()
    frames.append(_long(wide, HOUSEHOLD_FILTERS, hh_aggs))

    years = cfg.measurement_years
    if len(years) > 1:
        pairs = ", ".join(f"({a}, {b})" for a, b in itertools.pairwise(years))
        out_sql, out_aggs = _agg_sql({"out_movers": "TRUE"}, person_outcomes)
        wide = con.execute(
            f"""
            WITH pairs(y0, y1) AS (VALUES {pairs}),
            leavers AS (
                SELECT p0.*, pairs.y1 AS next_year
                FROM persons p0 JOIN pairs ON p0.year = pairs.y0
                WHERE NOT EXISTS (
                    SELECT 1 FROM persons p1
                    WHERE p1.person_id = p0.person_id AND p1.year = pairs.y1
                      AND p1.department_id = p0.department_id)
            )
            SELECT department_id, next_year AS year, {out_sql}
            FROM leavers GROUP BY department_id, next_year
            """
        ).df()
        if len(wide):
            frames.append(_long(wide, {"out_movers": "TRUE"}, out_aggs))
    cells = pd.concat(frames, ignore_index=True)
    amount = cells["outcome"].isin(AMOUNT_OUTCOMES) | ~cells["outcome"].isin(
        ("employed", "competence_education", "deprivation")
    )
    cells.loc[~amount, "top_share"] = float("nan")
    return cells
