"""Person-level derived quantities (docs/methods.md §2), in DuckDB SQL.

Everything here is row work on the ``residents`` table and runs out of core:
DuckDB streams the rows and spills to disk when a window or a join does not
fit in memory. The result is the table ``persons``, one row per resident and
measurement year, with the outcomes on the scale the panel publishes them:

* ``employed``: 100 if employment is the primary income source, else 0
  (so means are percentages and effects percentage points);
* ``disposable_income``: personal disposable income in base-year prices;
* ``equivalised_income``: the unit's (household's or family's) disposable
  income in base-year prices divided by the equivalence scale, carried by
  every member;
* ``competence_education``: 100 or 0 for ages in ``population.education_ages``;
* ``deprivation``: the deprivation score for ages in ``deprivation.ages``;
* any extra numeric residents column asked for as an outcome or covariate.

``persons`` is a view instead of a table when nothing needs the person rows
again (see ``build_panel(keep_persons=False)``).
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from boligeval.config import EvaluationConfig
from boligeval.errors import PanelError
from boligeval.vocabulary import AMOUNT_OUTCOMES, OUTCOMES, YOUTH_OUTCOMES

__all__ = [
    "BUILTIN_OUTCOMES",
    "COMPETENCE_EDUCATION",
    "deprivation_sql",
    "derive_persons",
    "drop_relation",
    "equivalence_scale_sql",
    "equivalised_sql",
    "person_rows_sql",
    "unit_totals_sql",
    "youth_rows_sql",
]

#: Education codes that count as competence-giving ("kompetencegivende uddannelse").
COMPETENCE_EDUCATION = ("vocational", "short_tertiary", "medium_tertiary", "long_tertiary")

#: Outcomes derived here; household populations support only ``equivalised_income``.
BUILTIN_OUTCOMES: tuple[str, ...] = tuple(o for o in OUTCOMES if o not in YOUTH_OUTCOMES)


#: Outcomes whose values (0 or 100) add up exactly in floating point, in any order.
EXACT_IN_DOUBLE = ("employed", "competence_education", "youth_education_started",
                   "placed_outside_home", "convicted")

#: Convictions of youth count from the age of criminal responsibility (straffelovens § 15).
AGE_OF_CRIMINAL_RESPONSIBILITY = 15


def exact(expression: str, *, digits: int = 38) -> str:
    """An expression as DECIMAL, so that sums and means do not depend on row order.

    DuckDB adds doubles in whatever order its threads deliver them, which can
    change the last bits of a sum between runs; integer (decimal) sums are
    exact, which keeps every output byte-identical between runs. Amounts fit
    ``digits=18`` (int64 arithmetic, faster); unknown columns get 38.
    """
    return f"CAST({expression} AS DECIMAL({digits}, {4 if digits <= 18 else 8}))"


def exact_column(name: str) -> str:
    """Order-independent form of an outcome column for sums and means."""
    if name in EXACT_IN_DOUBLE:
        return f'"{name}"'
    digits = 18 if name in (*AMOUNT_OUTCOMES, "deprivation") else 38
    return exact(f'"{name}"', digits=digits)


def _in_list(values: Sequence[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def deprivation_sql(cfg: EvaluationConfig, *, age: str = "age", alias: str = "r") -> str:
    """SQL expression for the deprivation score (null outside the score's ages)."""
    d = cfg.deprivation
    w = dict(d.weights)
    labour_codes = [
        "employed", "leave", "unemployed_short", "unemployed_long", "social_assistance",
        "missing", "student", "retired", "other",
    ]
    labour = " ".join(
        f"WHEN {alias}.income_source = '{code}' THEN {w.get(code, 0.0)!r}" for code in labour_codes
    )
    disability = (
        f"WHEN {alias}.income_source = 'disability_pension' THEN "
        f"CASE WHEN {age} >= {d.disability_split_age} "
        f"THEN {w['disability_pension_old']!r} ELSE {w['disability_pension_young']!r} END"
    )
    origin = " ".join(
        f"WHEN {alias}.origin = '{code}' THEN {w.get(code, 0.0)!r}"
        for code in ("danish", "western", "non_western")
    )
    return (
        f"CASE WHEN {age} BETWEEN {d.ages[0]} AND {d.ages[1]} THEN "
        f"(CASE {labour} {disability} ELSE 0.0 END)"
        f" + (CASE {origin} ELSE 0.0 END)"
        f" + CASE WHEN {alias}.single_parent THEN {w['single_parent']!r} ELSE 0.0 END"
        f" + CASE WHEN {alias}.convicted THEN {w['convicted']!r} ELSE 0.0 END"
        " END"
    )


def equivalence_scale_sql(cfg: EvaluationConfig, n_adults: str, n_children: str) -> str:
    """SQL for the equivalence scale of a unit with ``n_adults`` and ``n_children``.

    The first person weighs 1, further persons aged ``child_age_cutoff`` or
    over weigh ``adult_weight`` and children ``child_weight``; a unit of
    children only has its first child weigh 1.
    """
    inc = cfg.income
    return (
        f"(1.0 + {inc.adult_weight!r} * greatest({n_adults} - 1, 0)"
        f" + {inc.child_weight!r} * ({n_children} - CASE WHEN {n_adults} = 0 THEN 1 ELSE 0 END))"
    )


def _residents_columns(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = 'residents' ORDER BY ordinal_position"
    ).fetchall()
    return {str(name): str(dtype) for name, dtype in rows}


_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL",
            "BOOLEAN", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")


def extra_columns(con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> tuple[str, ...]:
    """Check that extra outcome/covariate columns exist in residents and are numeric."""
    columns = _residents_columns(con)
    extras: list[str] = []
    for name in names:
        if name in BUILTIN_OUTCOMES or name in extras:
            continue
        if name not in columns:
            known = ", ".join([*BUILTIN_OUTCOMES, *sorted(columns)])
            raise PanelError(
                f"Outcome or covariate '{name}' is neither a built-in outcome nor a column of "
                f"residents. Known names: {known}."
            )
        if not columns[name].upper().startswith(_NUMERIC):
            raise PanelError(
                f"Column '{name}' of residents is {columns[name]}, not numeric; it cannot be "
                "an outcome or covariate. Recode it as numbers."
            )
        extras.append(name)
    return tuple(extras)


def has_price_index(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a ``prices`` table is loaded (needed for amounts in base-year prices)."""
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'prices'"
    ).fetchone()
    return bool(row and row[0])


def person_rows_sql(
    con: duckdb.DuckDBPyConnection, cfg: EvaluationConfig, extras: Sequence[str] = ()
) -> str:
    """SELECT of one row per resident and measurement year, every outcome but the unit's.

    Columns: person_id, household_id, income_unit (household or family),
    year, department_id, age, working_age, in_mover, employed,
    disposable_income, competence_education, deprivation and the extras.
    """
    years = ", ".join(str(y) for y in cfg.measurement_years)
    base = cfg.design.price_base_year
    if has_price_index(con):
        base_index = con.execute(f"SELECT index FROM prices WHERE year = {base}").fetchone()
        if base_index is None:
            raise PanelError(
                f"prices has no index for the price base year {base}; add it or set "
                "design.price_base_year to a year in the prices table."
            )
        deflate = f"r.disposable_income * {float(base_index[0])!r} / px.index"
        price_join = "LEFT JOIN prices px ON px.year = r.year"
    else:
        # Without a price index, amounts cannot be put in base-year prices: they are left
        # out (null) rather than mixed across years; the panel says why.
        deflate = "CAST(NULL AS DOUBLE)"
        price_join = ""
    unit = cfg.income.unit
    columns = _residents_columns(con)
    if unit == "family":
        if "family_id" not in columns:
            raise PanelError(
                "income.unit = 'family' needs a family_id column in residents (the E-family); "
                "add it or use income.unit = 'household'."
            )
        unit_col = "family_id"
    else:
        unit_col = "household_id"
    pop = cfg.population
    extra_sql = "".join(f", CAST(r.\"{c}\" AS DOUBLE) AS \"{c}\"" for c in extras)
    return f"""
        SELECT r.person_id, r.household_id, r.{unit_col} AS income_unit, r.year,
               r.department_id, r.year - r.birth_year AS age,
               r.year - r.birth_year BETWEEN {pop.working_age[0]} AND {pop.working_age[1]}
                   AS working_age,
               COALESCE(r.move_in_year = r.year, FALSE) AS in_mover,
               CASE WHEN r.income_source = 'employed' THEN 100.0 ELSE 0.0 END AS employed,
               {deflate} AS disposable_income,
               CASE WHEN r.year - r.birth_year BETWEEN {pop.education_ages[0]}
                                                AND {pop.education_ages[1]}
                    THEN CASE WHEN r.education IN ({_in_list(COMPETENCE_EDUCATION)})
                              THEN 100.0 ELSE 0.0 END END AS competence_education,
               {deprivation_sql(cfg, age="(r.year - r.birth_year)")} AS deprivation
               {extra_sql}
        FROM residents r {price_join}
        WHERE r.year IN ({years})
    """


def _share_sql(column: str) -> str:
    """100 for true, 0 for false, null for null: a 0/1 register flag on the panel's scale."""
    return f"CASE WHEN {column} THEN 100.0 WHEN NOT {column} THEN 0.0 END"


#: Residents columns of the youth outcomes and their types (docs/input-contract.md).
_YOUTH_COLUMNS = {"exam_grade_relative": "DOUBLE", "youth_education_started": "BOOLEAN",
                  "placed_outside_home": "BOOLEAN", "convicted": "BOOLEAN",
                  "gp_visits": "INTEGER", "dentist_visits": "INTEGER"}


def youth_rows_sql(con: duckdb.DuckDBPyConnection, cfg: EvaluationConfig) -> str:
    """SELECT of one row per child or youth and measurement year, with the youth outcomes.

    Columns: department_id, year, ``vulnerable`` and the youth outcomes
    (docs/methods.md §3.1). A youth is in ``youth`` when aged
    ``population.youth_ages``; ``vulnerable`` when the adults of the youth's
    family (members aged ``population.parent_min_age`` or more, of the same
    ``family_id`` where the row gives one, else of the same household, in the
    same year) include no one with a competence-giving education or no one
    with employment as primary income source. A youth without any adult in
    the family is not ``vulnerable`` (the rule cannot be applied). Shares are
    0/100; convictions count from the age of criminal responsibility (15).
    """
    years = ", ".join(str(y) for y in cfg.measurement_years)
    pop = cfg.population
    columns = _residents_columns(con)
    # Family and household ids are prefixed only when both are used, so they cannot collide.
    unit = ("coalesce('F' || CAST(family_id AS VARCHAR), 'H' || CAST(household_id AS VARCHAR))"
            if "family_id" in columns else "household_id")
    # The contract adds absent optional columns as nulls; a table built otherwise may lack them.
    outcomes = ", ".join(name if name in columns else f"CAST(NULL AS {kind}) AS {name}"
                         for name, kind in _YOUTH_COLUMNS.items())
    # Not materialized: streaming the residents once per use costs less than storing the rows.
    return f"""
        WITH r AS NOT MATERIALIZED (
            SELECT department_id, year, year - birth_year AS age, {unit} AS parent_unit,
                   education, income_source, {outcomes}
            FROM residents WHERE year IN ({years})
        ),
        y AS NOT MATERIALIZED (
            SELECT * FROM r WHERE age BETWEEN {pop.youth_ages[0]} AND {pop.youth_ages[1]}
        ),
        parents AS (
            SELECT parent_unit, year,
                   bool_or(education IN ({_in_list(COMPETENCE_EDUCATION)})) AS educated,
                   bool_or(income_source = 'employed') AS employed
            FROM r
            WHERE age >= {pop.parent_min_age}
              AND (parent_unit, year) IN (SELECT (parent_unit, year) FROM y)
            GROUP BY parent_unit, year
        )
        SELECT y.department_id, y.year,
               coalesce(NOT p.educated OR NOT p.employed, FALSE) AS vulnerable,
               CAST(y.exam_grade_relative AS DOUBLE) AS exam_grade_relative,
               {_share_sql("y.youth_education_started")} AS youth_education_started,
               {_share_sql("y.placed_outside_home")} AS placed_outside_home,
               CASE WHEN y.age >= {AGE_OF_CRIMINAL_RESPONSIBILITY}
                    THEN {_share_sql("y.convicted")} END AS convicted,
               CAST(y.gp_visits AS DOUBLE) AS gp_visits,
               CAST(y.dentist_visits AS DOUBLE) AS dentist_visits
        FROM y LEFT JOIN parents p ON p.parent_unit = y.parent_unit AND p.year = y.year
    """


def unit_totals_sql(cfg: EvaluationConfig) -> str:
    """Aggregates of a unit's rows that its equivalised income needs (``u_*`` columns)."""
    adults = f"count(*) FILTER (WHERE age >= {cfg.income.child_age_cutoff})"
    return (
        f"CAST(sum({exact('disposable_income', digits=18)}) AS DOUBLE) AS u_income, "
        f"count(*) - count(disposable_income) AS u_missing, "
        f"{adults} AS u_adults, count(age) - {adults} AS u_children"
    )


def equivalised_sql(cfg: EvaluationConfig, alias: str) -> str:
    """The unit's equivalised income from its ``u_*`` totals (null if an income is missing)."""
    scale = equivalence_scale_sql(cfg, f"{alias}.u_adults", f"{alias}.u_children")
    return f"CASE WHEN {alias}.u_missing = 0 THEN {alias}.u_income / {scale} END"


def drop_relation(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop the table or view ``name`` if there is one (either may stand in for the other)."""
    for kind in ("VIEW", "TABLE"):
        try:
            con.execute(f'DROP {kind} IF EXISTS "{name}"')
        except duckdb.CatalogException:  # the name is the other kind
            continue


def derive_persons(
    con: duckdb.DuckDBPyConnection,
    cfg: EvaluationConfig,
    extras: Sequence[str] = (),
    *,
    view: bool = False,
) -> None:
    """Create the DuckDB table ``persons`` from ``residents`` and ``prices``.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        Connection with validated ``residents`` (and ``prices`` when present).
    cfg : EvaluationConfig
        Ages, equivalence scale, deprivation weights, price base year.
    extras : sequence of str
        Extra numeric residents columns to carry (outcomes, covariates).
    view : bool
        Create a view instead: nothing is computed until it is queried, and
        then again at every query.
    """
    base = person_rows_sql(con, cfg, extras)
    extra_names = "".join(f', "{c}"' for c in extras)
    drop_relation(con, "persons")
    con.execute(
        f"""
        CREATE {"VIEW" if view else "TABLE"} persons AS
        WITH base AS ({base}),
        units AS (
            SELECT income_unit, year, {unit_totals_sql(cfg)}
            FROM base GROUP BY income_unit, year
        )
        SELECT b.person_id, b.household_id, b.year, b.department_id, b.age, b.working_age,
               b.in_mover, b.employed, b.disposable_income,
               {equivalised_sql(cfg, "u")} AS equivalised_income,
               b.competence_education, b.deprivation {extra_names}
        FROM base b JOIN units u ON u.income_unit = b.income_unit AND u.year = b.year
        """
    )
