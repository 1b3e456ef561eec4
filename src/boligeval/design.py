"""Design: who is treated when (docs/methods.md §1).

Cohorts come from the plan's ``grant_year`` alone; a plan becomes active in
``start_year`` (default ``grant_year + implementation_lag``); rent support is
active from ``rent_support_year``. The result is one row per department and
measurement year, built in DuckDB from the validated ``plans`` and
``departments`` tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from boligeval.config import DesignSpec
from boligeval.errors import PanelError

__all__ = ["CONTROL", "DesignTable", "build_design"]

#: Name of the comparison group: plans granted after the last cohort, or never.
CONTROL = "control"


@dataclass(frozen=True)
class DesignTable:
    """Department-year design indicators, stored in DuckDB as table ``design``.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per department and measurement year: department_id, plan_id,
        year, cohort, grant_year, start_year, active_plan, rent_support,
        rent_support_cohort, capital_area.
    cohorts : tuple of str
        Cohort names in order, ``control`` first.
    """

    frame: pd.DataFrame

    @property
    def cohorts(self) -> tuple[str, ...]:
        """Cohorts present, control first."""
        names = sorted(set(self.frame["cohort"]) - {CONTROL})
        return (CONTROL, *names)

    def departments(self) -> pd.DataFrame:
        """One row per department (design columns that do not vary by year)."""
        cols = ["department_id", "plan_id", "cohort", "grant_year", "rent_support_cohort",
                "capital_area"]
        return self.frame[cols].drop_duplicates("department_id").reset_index(drop=True)


def _cases(mapping: dict[str, tuple[int, ...]], column: str, default: str) -> str:
    whens = " ".join(
        f"WHEN {column} IN ({', '.join(str(y) for y in years)}) THEN '{name}'"
        for name, years in mapping.items()
    )
    return f"CASE {whens} ELSE '{default}' END" if whens else f"'{default}'"


def build_design(con: duckdb.DuckDBPyConnection, spec: DesignSpec) -> DesignTable:
    """Build the department-year design table from ``plans`` and ``departments``.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        Connection holding the validated contract tables.
    spec : DesignSpec
        Measurement years, cohorts, rent-support rounds, implementation lag.

    Returns
    -------
    DesignTable
        Also stored as the DuckDB table ``design``.
    """
    years = ", ".join(f"({y})" for y in spec.years)
    cohort = _cases(dict(spec.cohorts), "p.grant_year", CONTROL)
    rs_cohort = _cases(dict(spec.rent_support_rounds), "d.rent_support_year", "none")
    # Grants after the last cohort's years are control; grants before the first are an error.
    first_grant = min(min(v) for v in spec.cohorts.values())
    early = con.execute(
        f"SELECT count(*) FROM plans WHERE grant_year < {first_grant}"
    ).fetchone()
    if early and early[0]:
        raise PanelError(
            f"{early[0]} plan(s) have a grant_year before the first cohort ({first_grant}); "
            "declare a cohort for those years in [design] cohorts, or fix grant_year."
        )
    end_rule = (
        "AND (d.end_year IS NULL OR d.end_year >= y.year)" if spec.stop_at_end else ""
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE design AS
        WITH y(year) AS (VALUES {years}),
        dept AS (
            SELECT d.department_id, d.plan_id, p.grant_year,
                   COALESCE(p.start_year, p.grant_year + {spec.implementation_lag}) AS start_year,
                   p.end_year, d.rent_support_year,
                   {cohort} AS cohort,
                   {rs_cohort} AS rent_support_cohort,
                   COALESCE(d.capital_area, FALSE) AS capital_area
            FROM departments d JOIN plans p USING (plan_id)
        )
        SELECT d.department_id, d.plan_id, y.year, d.cohort, d.grant_year, d.start_year,
               CASE WHEN d.grant_year IS NOT NULL AND d.start_year <= y.year {end_rule}
                    THEN 1 ELSE 0 END AS active_plan,
               CASE WHEN d.rent_support_year <= y.year THEN 1 ELSE 0 END AS rent_support,
               d.rent_support_cohort, d.capital_area
        FROM dept d CROSS JOIN y
        ORDER BY d.department_id, y.year
        """
    )
    frame = con.execute("SELECT * FROM design ORDER BY department_id, year").df()
    grant_years = {int(r[0]) for r in con.execute(
        "SELECT DISTINCT grant_year FROM plans WHERE grant_year IS NOT NULL").fetchall()}
    empty = [name for name, years in spec.cohorts.items() if not grant_years & set(years)]
    if empty:
        raise PanelError(
            f"Cohort(s) {', '.join(empty)} of [design] cohorts have no plan with a grant in "
            "their years; remove them or fix the grant years in plans."
        )
    return DesignTable(frame=frame)
