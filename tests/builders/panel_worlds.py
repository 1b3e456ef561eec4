"""Small hand-made register worlds for the design and panel tests.

The tables are registered in DuckDB with the contract's canonical types, as
the contract loader leaves them, so that the design and panel stages are
tested on their own.
"""

from __future__ import annotations

import duckdb
import pandas as pd

PLAN_COLUMNS = ["plan_id", "grant_year", "start_year", "end_year", "municipality",
                "intervention_areas"]
DEPARTMENT_COLUMNS = ["department_id", "plan_id", "capital_area", "rent_support_year",
                      "municipality", "dwellings", "built_1955_1975_share",
                      "one_two_room_share", "long_vacancy"]

RESIDENT_DEFAULTS: dict[str, object] = {
    "sex": "F",
    "origin": "danish",
    "income_source": "employed",
    "disposable_income": 100_000.0,
    "education": "basic",
    "single_parent": False,
    "convicted": False,
    "move_in_year": None,
}


def resident(person_id: str, year: int, department_id: str, household_id: str,
             birth_year: int, **kw: object) -> dict[str, object]:
    """One residents row with contract defaults for the columns not given."""
    row: dict[str, object] = {"person_id": person_id, "year": year,
                              "department_id": department_id, "household_id": household_id,
                              "birth_year": birth_year}
    row.update(RESIDENT_DEFAULTS)
    row.update(kw)
    return row


def register(con: duckdb.DuckDBPyConnection, plans: pd.DataFrame, departments: pd.DataFrame,
             residents: pd.DataFrame, prices: pd.DataFrame | None = None) -> None:
    """Create the contract tables in ``con`` with canonical DuckDB types."""
    con.register("plans_df", plans)
    con.execute(
        "CREATE OR REPLACE TABLE plans AS SELECT CAST(plan_id AS VARCHAR) AS plan_id, "
        "CAST(grant_year AS INTEGER) AS grant_year, CAST(start_year AS INTEGER) AS start_year, "
        "CAST(end_year AS INTEGER) AS end_year, CAST(municipality AS VARCHAR) AS municipality, "
        "CAST(intervention_areas AS VARCHAR) AS intervention_areas FROM plans_df"
    )
    con.register("departments_df", departments)
    con.execute(
        "CREATE OR REPLACE TABLE departments AS SELECT CAST(department_id AS VARCHAR) "
        "department_id, CAST(plan_id AS VARCHAR) AS plan_id, CAST(capital_area AS BOOLEAN) "
        "capital_area, CAST(rent_support_year AS INTEGER) AS rent_support_year, "
        "CAST(municipality AS VARCHAR) AS municipality, CAST(dwellings AS INTEGER) AS dwellings, "
        "CAST(built_1955_1975_share AS DOUBLE) AS built_1955_1975_share, "
        "CAST(one_two_room_share AS DOUBLE) AS one_two_room_share, "
        "CAST(long_vacancy AS BOOLEAN) AS long_vacancy FROM departments_df"
    )
    con.register("residents_df", residents)
    extra = [c for c in residents.columns
             if c not in ("person_id", "year", "department_id", "household_id", "birth_year",
                          *RESIDENT_DEFAULTS)]
    extra_sql = "".join(f', "{c}"' for c in extra)
    con.execute(
        "CREATE OR REPLACE TABLE residents AS SELECT CAST(person_id AS VARCHAR) AS person_id, "
        "CAST(year AS INTEGER) AS year, CAST(department_id AS VARCHAR) AS department_id, "
        "CAST(household_id AS VARCHAR) AS household_id, CAST(birth_year AS INTEGER) AS birth_year, "
        "CAST(sex AS VARCHAR) AS sex, CAST(origin AS VARCHAR) AS origin, "
        "CAST(income_source AS VARCHAR) AS income_source, "
        "CAST(disposable_income AS DOUBLE) AS disposable_income, "
        "CAST(education AS VARCHAR) AS education, CAST(single_parent AS BOOLEAN) AS single_parent, "
        "CAST(convicted AS BOOLEAN) AS convicted, CAST(move_in_year AS INTEGER) AS move_in_year"
        f"{extra_sql} FROM residents_df"
    )
    if prices is not None:
        con.register("prices_df", prices)
        con.execute(
            "CREATE OR REPLACE TABLE prices AS SELECT CAST(year AS INTEGER) AS year, "
            "CAST(\"index\" AS DOUBLE) \"index\" FROM prices_df"
        )


def plans_frame(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    """Plans from (plan_id, grant_year) or full tuples."""
    full = [(*r, *([None] * (len(PLAN_COLUMNS) - len(r)))) for r in rows]
    frame = pd.DataFrame(full, columns=PLAN_COLUMNS)
    frame["municipality"] = frame["municipality"].fillna("101")
    return frame


def departments_frame(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    """Departments from (department_id, plan_id[, capital_area, rent_support_year])."""
    full = [(*r, *([None] * (len(DEPARTMENT_COLUMNS) - len(r)))) for r in rows]
    frame = pd.DataFrame(full, columns=DEPARTMENT_COLUMNS)
    frame["capital_area"] = frame["capital_area"].fillna(False).astype(bool)
    return frame
