"""The mover-aware department-year panel (methods.md §2-3).

:func:`build_panel` derives the person-level quantities in DuckDB, aggregates
them to department-year cells per population and outcome, applies the
minimum-count rule so each panel is balanced, joins the design indicators,
and accounts for every department and resident row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from boligeval.config import POPULATIONS, EvaluationConfig
from boligeval.design import DesignTable
from boligeval.errors import PanelError
from boligeval.panel.aggregate import (
    aggregate_cells,
    household_outcomes,
    outcomes_for,
    stream_cells,
)
from boligeval.panel.derive import (
    AMOUNT_OUTCOMES,
    BUILTIN_OUTCOMES,
    derive_persons,
    extra_columns,
    has_price_index,
)

__all__ = ["PANEL_COLUMNS", "Panel", "build_panel", "requested_columns"]

#: Columns of panel.parquet, in order.
PANEL_COLUMNS = [
    "department_id", "plan_id", "year", "population", "outcome", "n", "value", "top_share",
    "cohort", "active_plan", "rent_support", "rent_support_cohort", "capital_area",
]

_UNIT_NAMES = {"person": "person_years", "household": "household_years"}


@dataclass(frozen=True)
class Panel:
    """Balanced department-year panels and their row accounting.

    Attributes
    ----------
    frame : pandas.DataFrame
        Long format, columns :data:`PANEL_COLUMNS`: one row per department,
        year, population and outcome that passed the minimum-count rule.
    accounting : pandas.DataFrame
        Columns table, population, outcome, reason, unit, count: where every
        department and every resident row (or household, for household
        populations) ended up.
    cells : pandas.DataFrame
        All department-year cells before the minimum-count rule (with
        ``size``, the number of units in the population), for diagnostics.
    min_count : int
        The minimum count applied.
    years : tuple of int
        Measurement years.
    has_prices : bool
        Whether amounts are in base-year prices (a ``prices`` table was
        given); without it, income outcomes are left out.
    """

    frame: pd.DataFrame
    accounting: pd.DataFrame
    cells: pd.DataFrame
    min_count: int
    years: tuple[int, ...]
    has_prices: bool = True

    def for_analysis(self, population: str, outcome: str) -> pd.DataFrame:
        """The balanced panel of one population and outcome.

        Raises
        ------
        PanelError
            When the population/outcome was not built or no department passes.
        """
        sub = self.frame[(self.frame["population"] == population)
                         & (self.frame["outcome"] == outcome)]
        if sub.empty and outcome in AMOUNT_OUTCOMES and not self.has_prices:
            raise PanelError(
                f"'{outcome}' needs a prices table (consumer price index) to put amounts in "
                "base-year prices; add prices to the data folder."
            )
        if sub.empty:
            acc = self.accounting
            built = acc[(acc["population"] == population) & (acc["outcome"] == outcome)]
            if built.empty:
                raise PanelError(
                    f"The panel has no outcome '{outcome}' for population '{population}'."
                )
            raise PanelError(
                f"No department has at least {self.min_count} units of population "
                f"'{population}' with '{outcome}' in every measurement year; lower "
                "panel.min_count or choose another population."
            )
        return sub.reset_index(drop=True)

    def write(self, out_dir: Path) -> tuple[Path, Path]:
        """Write ``panel.parquet`` and ``accounting.csv`` into ``out_dir``."""
        out_dir.mkdir(parents=True, exist_ok=True)
        panel_path = out_dir / "panel.parquet"
        accounting_path = out_dir / "accounting.csv"
        self.frame.to_parquet(panel_path, index=False)
        self.accounting.to_csv(accounting_path, index=False)
        return panel_path, accounting_path


def requested_columns(cfg: EvaluationConfig) -> tuple[str, ...]:
    """Extra residents columns the config's analyses need (outcomes and covariates)."""
    names: list[str] = []
    for a in cfg.analysis:
        for name in (*a.outcomes, *a.covariates):
            if name not in BUILTIN_OUTCOMES and name not in names:
                names.append(name)
    return tuple(names)


def _years_for(population: str, years: tuple[int, ...]) -> tuple[int, ...]:
    # Out-movers are measured between two measurement years: none at the baseline.
    return years[1:] if population == "out_movers" else years


def build_panel(
    con: duckdb.DuckDBPyConnection,
    cfg: EvaluationConfig,
    design: DesignTable,
    *,
    extra_outcomes: Iterable[str] = (),
    keep_persons: bool = True,
) -> Panel:
    """Build the department-year panel of every population and outcome.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        Connection with validated contract tables and the ``design`` table.
    cfg : EvaluationConfig
        Derivation settings and the minimum count.
    design : DesignTable
        Department-year design indicators.
    extra_outcomes : iterable of str
        Extra numeric residents columns to aggregate as outcomes, besides
        those the config's analyses name.
    keep_persons : bool
        Store the person rows as the table ``persons`` for the person-level
        analyses that follow (individual-level DiD, mover decomposition) and
        aggregate from it. False aggregates straight from ``residents``,
        which is faster when only the panel is wanted, and leaves
        ``persons`` as a view. The panel is the same either way.

    Returns
    -------
    Panel
    """
    extras = extra_columns(con, [*requested_columns(cfg), *extra_outcomes])
    person_outcomes = (*BUILTIN_OUTCOMES, *extras)
    cells = None if keep_persons else stream_cells(con, cfg, person_outcomes, extras)
    if cells is None:
        derive_persons(con, cfg, extras)
        cells = aggregate_cells(con, cfg, person_outcomes)
    else:
        derive_persons(con, cfg, extras, view=True)
    years = cfg.measurement_years
    min_count = cfg.panel.min_count

    # Units per department and year, from the cells of the whole populations.
    persons = cells[(cells["population"] == "all") & (cells["outcome"] == person_outcomes[0])]
    households = cells[(cells["population"] == "households")
                       & (cells["outcome"] == household_outcomes()[0])]
    n_years = persons.groupby("department_id")["year"].nunique()
    every_year = set(n_years.index[n_years == len(years)])
    all_departments = design.frame["department_id"].drop_duplicates()
    missing_depts = sorted(set(all_departments) - every_year)

    has_prices = has_price_index(con)
    if not has_prices:
        cells = cells[~cells["outcome"].isin(AMOUNT_OUTCOMES)].reset_index(drop=True)

    rows_total, rows_in_years = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE year IN ({', '.join(map(str, years))})) "
        "FROM residents"
    ).fetchone()  # type: ignore[misc]
    rows_missing_depts = int(persons.loc[~persons["department_id"].isin(every_year),
                                         "size"].sum())
    rows_kept = int(rows_in_years) - rows_missing_depts
    households_kept = int(households.loc[households["department_id"].isin(every_year),
                                         "size"].sum())
    households_missing = int(households["size"].sum()) - households_kept

    accounting: list[dict[str, object]] = [
        {"table": "departments", "population": None, "outcome": None,
         "reason": "in_records", "unit": "departments", "count": len(all_departments)},
        {"table": "departments", "population": None, "outcome": None,
         "reason": "not_in_register_every_year", "unit": "departments",
         "count": len(missing_depts)},
        {"table": "residents", "population": None, "outcome": None,
         "reason": "in_file", "unit": "person_years", "count": int(rows_total)},
        {"table": "residents", "population": None, "outcome": None,
         "reason": "outside_measurement_years", "unit": "person_years",
         "count": int(rows_total) - int(rows_in_years)},
        {"table": "residents", "population": None, "outcome": None,
         "reason": "not_in_register_every_year", "unit": "person_years",
         "count": rows_missing_depts},
        {"table": "households", "population": None, "outcome": None,
         "reason": "not_in_register_every_year", "unit": "household_years",
         "count": households_missing},
    ]

    # Cells of linked departments in each population's measurement years.
    out_years = set(_years_for("out_movers", years))
    in_years = cells["year"].isin(out_years).where(
        cells["population"] == "out_movers", cells["year"].isin(years))
    linked = cells[cells["department_id"].isin(every_year) & in_years]
    # A department passes when every one of its population's years has min_count units.
    per_dept = linked.groupby(["population", "outcome", "department_id"], sort=False).agg(
        n_years=("year", "nunique"), min_n=("n", "min"))
    populations = per_dept.index.get_level_values(0)
    n_needed = populations.map({p: len(_years_for(p, years)) for p in populations.unique()})
    passing = per_dept.index[(per_dept["n_years"] == n_needed)
                             & (per_dept["min_n"] >= min_count)]
    key = pd.MultiIndex.from_frame(linked[["population", "outcome", "department_id"]])
    passes = key.isin(passing)
    kept_all = linked[passes]
    sums = linked.assign(kept_n=linked["n"].where(passes, 0)).groupby(
        ["population", "outcome"], sort=False)[["size", "n", "kept_n"]].sum()
    passing_count = pd.Series(1, index=passing).groupby(level=[0, 1]).sum()
    sum_table = {key: tuple(row) for key, row in zip(
        sums.index, sums[["size", "n", "kept_n"]].to_numpy(), strict=True)}

    for population in POPULATIONS:
        unit = POPULATIONS[population]
        for outcome in outcomes_for(population, person_outcomes):
            if not has_prices and outcome in AMOUNT_OUTCOMES:
                continue
            totals = sum_table.get((population, outcome), (0, 0, 0))
            in_population, with_outcome, used = (int(v) for v in totals)
            n_passing = int(passing_count.get((population, outcome), 0))
            if population == "out_movers":
                unit_name, total = "out_mover_person_years", in_population
            elif unit == "household":
                unit_name, total = _UNIT_NAMES[unit], households_kept
            else:
                unit_name, total = _UNIT_NAMES[unit], rows_kept
            reasons = {
                "outside_population": total - in_population,
                "missing_outcome": in_population - with_outcome,
                "below_min_count": with_outcome - used,
                "used": used,
            }
            for reason, count in reasons.items():
                accounting.append({"table": "units", "population": population,
                                   "outcome": outcome, "reason": reason,
                                   "unit": unit_name, "count": count})
            accounting.append({"table": "departments", "population": population,
                               "outcome": outcome, "reason": "below_min_count",
                               "unit": "departments", "count": len(every_year) - n_passing})
            accounting.append({"table": "departments", "population": population,
                               "outcome": outcome, "reason": "used",
                               "unit": "departments", "count": n_passing})

    design_cols = ["department_id", "year", "plan_id", "cohort", "active_plan", "rent_support",
                   "rent_support_cohort", "capital_area"]
    frame = kept_all.merge(design.frame[design_cols], on=["department_id", "year"], how="left")
    if frame["plan_id"].isna().any():
        raise PanelError("Some panel cells have no design row; the design table is incomplete.")
    frame = frame[PANEL_COLUMNS].sort_values(
        ["population", "outcome", "department_id", "year"]
    ).reset_index(drop=True)
    frame["active_plan"] = frame["active_plan"].astype("int64")
    frame["rent_support"] = frame["rent_support"].astype("int64")
    frame["capital_area"] = frame["capital_area"].astype(bool)
    return Panel(
        frame=frame,
        accounting=pd.DataFrame(accounting),
        cells=cells,
        min_count=min_count,
        years=years,
        has_prices=has_prices,
    )
