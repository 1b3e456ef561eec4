"""Design: who is treated when (docs/methods.md §1).

Cohorts come from the plan's ``grant_year`` alone; a plan becomes active in
``start_year`` (default ``grant_year + implementation_lag``); rent support is
active from ``rent_support_year``. The result is one row per department and
measurement year, built in DuckDB from the validated ``plans`` and
``departments`` tables.

With the optional ``department_plans`` table (plan histories) a department's
treatment comes from its spells instead: it is in a plan from ``from_year`` to
``to_year`` (empty: still running), can be in several plans one after the
other, with gaps, and ``departments.plan_id`` is its first plan, which stays
its cluster (see :func:`build_design`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import pandas as pd

from boligeval.config import DesignSpec
from boligeval.errors import PanelError

__all__ = ["CONTROL", "DesignTable", "build_design", "configured_cohorts", "has_plan_histories",
           "resolve_cohorts", "treating_grant_years"]

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
        rent_support_cohort, capital_area, and the plan-history columns
        current_plan_id (the plan the department is in that year, else
        empty), plan_number (plans started so far: 0 before the first, 1, 2,
        ...), exposure (calendar years inside a plan so far, the year
        included) and ever_treated.
    cohort_map : mapping
        The cohorts used (name -> grant years), ``[design] cohorts`` or, with
        ``cohorts = "auto"``, one per grant year.
    histories : bool
        Whether treatment came from ``department_plans``.
    """

    frame: pd.DataFrame
    cohort_map: Mapping[str, tuple[int, ...]] | None = None
    histories: bool = False

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


def _cases(mapping: Mapping[str, tuple[int, ...]], column: str, default: str) -> str:
    whens = " ".join(
        f"WHEN {column} IN ({', '.join(str(y) for y in years)}) THEN '{name}'"
        for name, years in mapping.items()
    )
    return f"CASE {whens} ELSE '{default}' END" if whens else f"'{default}'"


def has_plan_histories(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the validated inputs hold a ``department_plans`` table."""
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'department_plans'"
    ).fetchone()
    return bool(row and row[0])


def treating_grant_years(con: duckdb.DuckDBPyConnection) -> set[int]:
    """Grant years of the plans that treat a department (through ``department_plans`` if given)."""
    sql = (
        "SELECT DISTINCT p.grant_year FROM department_plans dp JOIN plans p USING (plan_id) "
        "WHERE p.grant_year IS NOT NULL" if has_plan_histories(con)
        else "SELECT DISTINCT grant_year FROM plans WHERE grant_year IS NOT NULL"
    )
    return {int(r[0]) for r in con.execute(sql).fetchall()}


def configured_cohorts(con: duckdb.DuckDBPyConnection,
                       spec: DesignSpec) -> dict[str, tuple[int, ...]]:
    """The run's cohorts from the loaded plans, before the design is built (none: empty)."""
    grants = treating_grant_years(con)
    return resolve_cohorts(spec, grants) if grants else {}


def resolve_cohorts(spec: DesignSpec, grant_years: set[int]) -> dict[str, tuple[int, ...]]:
    """The cohorts: ``[design] cohorts`` as given, or one per grant year (``"auto"``).

    With ``cohorts = "auto"`` every grant year of a plan that treats a
    department is its own cohort, named ``g<year>`` (``g2006``, ``g2007``...).
    """
    if spec.cohorts == "auto":
        if not grant_years:
            raise PanelError(
                '[design] cohorts = "auto" found no plan with a grant_year that treats a '
                "department; give the cohorts in [design] cohorts or fix plans.grant_year."
            )
        return {f"g{y}": (y,) for y in sorted(grant_years)}
    return {k: tuple(v) for k, v in spec.cohorts.items()}


def build_design(con: duckdb.DuckDBPyConnection, spec: DesignSpec) -> DesignTable:
    """Build the department-year design table from ``plans`` and ``departments``.

    Without ``department_plans`` (the seed's fixed constellation) a department
    is in its plan from the plan's ``start_year`` on (to ``end_year`` with
    ``stop_at_end``). With ``department_plans`` its spells decide: the first
    spell's ``from_year`` is the first treatment year, its plan's grant year
    gives the cohort, ``active_plan`` is 1 from the first treatment year on
    (absorbing, what the staggered estimators assume) or, with
    ``stop_at_end = true``, only in years inside a spell, so that it switches
    off after a plan and on again with the next. ``plan_id`` stays the
    department's first plan in every year (its cluster); the plan of the year
    is ``current_plan_id``.

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
    histories = has_plan_histories(con)
    grant_years = treating_grant_years(con)
    cohort_map = resolve_cohorts(spec, grant_years)
    years = ", ".join(f"({y})" for y in spec.years)
    rs_cohort = _cases(spec.rent_support_rounds, "d.rent_support_year", "none")
    # Grants after the last cohort's years are control; grants before the first are an error.
    first_grant = min(min(v) for v in cohort_map.values())
    early_sql = (
        "SELECT count(DISTINCT plan_id) FROM department_plans JOIN plans USING (plan_id) "
        f"WHERE grant_year < {first_grant}" if histories
        else f"SELECT count(*) FROM plans WHERE grant_year < {first_grant}"
    )
    early = con.execute(early_sql).fetchone()
    if early and early[0]:
        raise PanelError(
            f"{early[0]} plan(s) have a grant_year before the first cohort ({first_grant}); "
            "declare a cohort for those years in [design] cohorts, or fix grant_year."
        )
    if histories:
        _history_design(con, spec, cohort_map, years, rs_cohort)
    else:
        _fixed_design(con, spec, cohort_map, years, rs_cohort)
    frame = con.execute("SELECT * FROM design ORDER BY department_id, year").df()
    empty = [name for name, ys in cohort_map.items() if not grant_years & set(ys)]
    if empty:
        raise PanelError(
            f"Cohort(s) {', '.join(empty)} of [design] cohorts have no plan with a grant in "
            "their years; remove them or fix the grant years in plans."
        )
    return DesignTable(frame=frame, cohort_map=cohort_map, histories=histories)


def _fixed_design(con: duckdb.DuckDBPyConnection, spec: DesignSpec,
                  cohort_map: Mapping[str, tuple[int, ...]], years: str, rs_cohort: str) -> None:
    """The seed's constellation: one plan per department, from plans.start_year."""
    cohort = _cases(cohort_map, "p.grant_year", CONTROL)
    end_rule = (
        "AND (d.end_year IS NULL OR d.end_year >= y.year)" if spec.stop_at_end else ""
    )
    active = (f"CASE WHEN d.grant_year IS NOT NULL AND d.start_year <= y.year {end_rule} "
              "THEN 1 ELSE 0 END")
    # Years in the plan so far: to the plan's end when plans stop there.
    last = "COALESCE(d.end_year, y.year)" if spec.stop_at_end else "y.year"

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
               {active} AS active_plan,
               CASE WHEN d.rent_support_year <= y.year THEN 1 ELSE 0 END AS rent_support,
               d.rent_support_cohort, d.capital_area,
               CASE WHEN {active} = 1 THEN d.plan_id END AS current_plan_id,
               CASE WHEN d.grant_year IS NOT NULL AND d.start_year <= y.year
                    THEN 1 ELSE 0 END AS plan_number,
               CASE WHEN d.grant_year IS NULL OR d.start_year > y.year THEN 0
                    ELSE greatest(least(y.year, {last}) - d.start_year + 1, 0)
               END AS exposure,
               d.grant_year IS NOT NULL AS ever_treated
        FROM dept d CROSS JOIN y
        ORDER BY d.department_id, y.year
        """
    )


def _history_design(con: duckdb.DuckDBPyConnection, spec: DesignSpec,
                    cohort_map: Mapping[str, tuple[int, ...]], years: str,
                    rs_cohort: str) -> None:
    """Treatment from the department's spells in ``department_plans``."""
    cohort = _cases(cohort_map, "f.grant_year", CONTROL)
    active = ("CASE WHEN cur.plan_id IS NOT NULL THEN 1 ELSE 0 END" if spec.stop_at_end
              else "CASE WHEN d.start_year <= y.year THEN 1 ELSE 0 END")
    con.execute(
        f"""
        CREATE OR REPLACE TABLE design AS
        WITH y(year) AS (VALUES {years}),
        spells AS (
            SELECT dp.department_id, dp.plan_id, dp.from_year, dp.to_year, p.grant_year,
                   row_number() OVER (PARTITION BY dp.department_id
                                      ORDER BY dp.from_year) AS plan_number
            FROM department_plans dp JOIN plans p USING (plan_id)
        ),
        f AS (SELECT * FROM spells WHERE plan_number = 1),
        dept AS (
            SELECT d.department_id, d.plan_id, f.grant_year, f.from_year AS start_year,
                   d.rent_support_year,
                   CASE WHEN f.department_id IS NULL THEN '{CONTROL}' ELSE {cohort} END
                       AS cohort,
                   {rs_cohort} AS rent_support_cohort,
                   COALESCE(d.capital_area, FALSE) AS capital_area
            FROM departments d LEFT JOIN f USING (department_id)
        ),
        so_far AS (
            SELECT d.department_id, y.year,
                   count(s.plan_id) AS plan_number,
                   COALESCE(sum(least(COALESCE(s.to_year, y.year), y.year) - s.from_year + 1),
                            0) AS exposure
            FROM dept d CROSS JOIN y
            LEFT JOIN spells s ON s.department_id = d.department_id AND s.from_year <= y.year
            GROUP BY d.department_id, y.year
        )
        SELECT d.department_id, d.plan_id, y.year, d.cohort, d.grant_year, d.start_year,
               {active} AS active_plan,
               CASE WHEN d.rent_support_year <= y.year THEN 1 ELSE 0 END AS rent_support,
               d.rent_support_cohort, d.capital_area,
               cur.plan_id AS current_plan_id,
               CAST(o.plan_number AS INTEGER) AS plan_number,
               CAST(o.exposure AS INTEGER) AS exposure,
               d.start_year IS NOT NULL AS ever_treated
        FROM dept d CROSS JOIN y
        JOIN so_far o ON o.department_id = d.department_id AND o.year = y.year
        LEFT JOIN spells cur ON cur.department_id = d.department_id
             AND cur.from_year <= y.year AND (cur.to_year IS NULL OR cur.to_year >= y.year)
        ORDER BY d.department_id, y.year
        """
    )
