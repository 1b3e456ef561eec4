"""The input contract as data: columns, types and rules of every table.

Everything docs/input-contract.md says about a table is written down here once, as
frozen dataclasses, so the readers, the validator, the documentation and the
tests all use the same definitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from boligeval.vocabulary import (
    ACTORS,
    CASE_KINDS,
    CASE_ROLES,
    CASE_VALENCES,
    EDUCATION,
    INCOME_SOURCES,
    INTERVENTION_AREAS,
    INTERVENTION_AREAS_COLUMN,
    MUNICIPALITY_SIZES,
    OMS_MODELS,
    ORGANISATION_TYPES,
    ORIGINS,
    SCALES,
    SECRETARIAT_TYPES,
)

__all__ = [
    "ACTORS",
    "AMOUNT_LIMIT",
    "CASE_TABLES",
    "EDUCATION",
    "EXTRA_LIMIT",
    "ID_COLUMNS",
    "INCOME_SOURCES",
    "INTERVENTION_AREAS",
    "ORIGINS",
    "PLAN_AMOUNTS",
    "REGISTER_TABLES",
    "SCALES",
    "SURVEY_TABLES",
    "TABLE_ORDER",
    "TABLE_SCHEMAS",
    "Check",
    "ColumnSpec",
    "ForeignKey",
    "TableSchema",
]

Kind = Literal["id", "str", "int", "float", "bool"]

#: DuckDB type each column kind is cast to.
DUCKDB_TYPES: MappingProxyType[str, str] = MappingProxyType(
    {"id": "VARCHAR", "str": "VARCHAR", "int": "INTEGER", "float": "DOUBLE", "bool": "BOOLEAN"}
)

ID_COLUMNS = frozenset(
    {
        "plan_id",
        "department_id",
        "person_id",
        "household_id",
        "municipality",
        "respondent_id",
        "item_id",
    }
)

#: Amounts (DKK per person and year) must be finite and below this in absolute
#: value: ten billion DKK is no one's disposable income, and the panel's exact
#: sums need amounts far below the largest double.
AMOUNT_LIMIT = 1e10
#: Floating-point extra columns (possible outcomes and covariates) must be finite
#: and below this in absolute value.
EXTRA_LIMIT = 1e20


@dataclass(frozen=True)
class ColumnSpec:
    """One contract column.

    Parameters
    ----------
    name : str
        Contract (English, snake_case) column name.
    kind : {"id", "str", "int", "float", "bool"}
        Logical type; ``id`` and ``str`` become VARCHAR, ``int`` INTEGER,
        ``float`` DOUBLE, ``bool`` BOOLEAN.
    nullable : bool
        Whether null values are allowed.
    required : bool
        Whether the column must be in the file. A missing optional column is
        added as an all-null column of its type.
    allowed : tuple of str, optional
        The allowed codes (rule ``allowed_values``).
    list_sep : str, optional
        When set, the value is a list of codes separated by this character,
        each of which must be in ``allowed``.
    """

    name: str
    kind: Kind
    nullable: bool = False
    required: bool = True
    allowed: tuple[str, ...] | None = None
    list_sep: str | None = None

    @property
    def duckdb_type(self) -> str:
        """Canonical DuckDB type of the column."""
        return DUCKDB_TYPES[self.kind]


@dataclass(frozen=True)
class Check:
    """A row-level rule written as a SQL predicate that is true for bad rows.

    Parameters
    ----------
    rule : str
        Stable rule identifier (e.g. ``range``).
    column : str
        Column named in the error message.
    bad_sql : str
        Predicate over the typed columns; true where a row breaks the rule.
    text : str
        The rule in words.
    fix : str
        How to fix the file.
    """

    rule: str
    column: str
    bad_sql: str
    text: str
    fix: str


@dataclass(frozen=True)
class ForeignKey:
    """A reference from ``columns`` of this table to ``ref_columns`` of ``ref_table``."""

    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class TableSchema:
    """Columns and rules of one contract table."""

    name: str
    columns: tuple[ColumnSpec, ...]
    unique: tuple[tuple[str, ...], ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    checks: tuple[Check, ...] = ()

    def column(self, name: str) -> ColumnSpec:
        """Return the spec of column ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        """Contract column names in contract order."""
        return tuple(c.name for c in self.columns)


def _share(name: str) -> Check:
    return Check(
        rule="range",
        column=name,
        bad_sql=f"{name} < 0 OR {name} > 1 OR isnan({name})",
        text=f"{name} must be a share between 0 and 1",
        fix="give shares as fractions in [0, 1] (e.g. 0.35, not 35), or leave the cell empty",
    )


def _amount(name: str) -> Check:
    return Check(
        rule="range",
        column=name,
        bad_sql=f"isinf({name}) OR abs({name}) >= {AMOUNT_LIMIT:.0e}",
        text=f"{name} must be a finite amount below {AMOUNT_LIMIT:,.0f} DKK in absolute value",
        fix="give amounts in DKK as plain numbers, and missing or unknown amounts as empty "
        "cells, not as special codes or infinite values",
    )


def _programme_amount(name: str) -> Check:
    return Check(
        rule="range",
        column=name,
        bad_sql=f"{name} < 0 OR isnan({name}) OR isinf({name}) OR {name} >= {AMOUNT_LIMIT:.0e}",
        text=f"{name} must be a finite amount in DKK, 0 or more and below "
             f"{AMOUNT_LIMIT:,.0f}",
        fix="give the amount in whole DKK (nominal, not in thousands or millions), 0 where "
            "nothing was spent, and leave the cell empty when it is unknown",
    )


#: Plan amounts (DKK, nominal) of plans and plan_costs (docs/input-contract.md).
PLAN_AMOUNTS: tuple[str, ...] = ("grant_dkk", "co_financing_dkk", "rent_support_dkk")

#: The relative exam grade is a difference of two averages on the 7-point scale (-3 to 12).
EXAM_GRADE_LIMIT = 15
#: Visits per person and year above this are not credible (more than one a day).
VISITS_LIMIT = 366


def _visits(name: str) -> Check:
    return Check(
        rule="range",
        column=name,
        bad_sql=f"{name} < 0 OR {name} > {VISITS_LIMIT}",
        text=f"{name} must be a number of visits in the year, from 0 to {VISITS_LIMIT}",
        fix="give the count of services in the year (one per visit), not a code for "
            "missing; leave unknown counts empty",
    )


_PLANS = TableSchema(
    name="plans",
    columns=(
        ColumnSpec("plan_id", "id"),
        ColumnSpec("grant_year", "int", nullable=True),
        ColumnSpec("start_year", "int", nullable=True),
        ColumnSpec("end_year", "int", nullable=True),
        ColumnSpec("municipality", "id"),
        ColumnSpec(
            INTERVENTION_AREAS_COLUMN, "str", nullable=True, allowed=INTERVENTION_AREAS,
            list_sep=";",
        ),
        ColumnSpec("secretariat_type", "str", nullable=True, required=False,
                   allowed=SECRETARIAT_TYPES),
        ColumnSpec("region", "id", nullable=True, required=False),
        *(ColumnSpec(c, "float", nullable=True, required=False) for c in PLAN_AMOUNTS),
        ColumnSpec("reach_share", "float", nullable=True, required=False),
    ),
    unique=(("plan_id",),),
    checks=(*(_programme_amount(c) for c in PLAN_AMOUNTS), _share("reach_share")),
)

_PLAN_COSTS = TableSchema(
    name="plan_costs",
    columns=(
        ColumnSpec("plan_id", "id"),
        ColumnSpec("year", "int"),
        *(ColumnSpec(c, "float", nullable=True) for c in PLAN_AMOUNTS),
    ),
    unique=(("plan_id", "year"),),
    foreign_keys=(ForeignKey(("plan_id",), "plans", ("plan_id",)),),
    checks=(
        Check(
            rule="range",
            column="year",
            bad_sql="year < 1950 OR year > 2100",
            text="year must be a calendar year between 1950 and 2100",
            fix="give the four-digit year the amounts were spent in",
        ),
        *(_programme_amount(c) for c in PLAN_AMOUNTS),
    ),
)

_DEPARTMENTS = TableSchema(
    name="departments",
    columns=(
        ColumnSpec("department_id", "id"),
        ColumnSpec("plan_id", "id"),
        ColumnSpec("capital_area", "bool"),
        ColumnSpec("rent_support_year", "int", nullable=True),
        ColumnSpec("municipality", "id", nullable=True),
        ColumnSpec("dwellings", "int", nullable=True),
        ColumnSpec("built_1955_1975_share", "float", nullable=True),
        ColumnSpec("one_two_room_share", "float", nullable=True),
        ColumnSpec("long_vacancy", "bool", nullable=True),
        ColumnSpec("area_id", "id", nullable=True, required=False),
        ColumnSpec("region", "id", nullable=True, required=False),
    ),
    unique=(("department_id",),),
    foreign_keys=(ForeignKey(("plan_id",), "plans", ("plan_id",)),),
    checks=(
        Check(
            rule="range",
            column="dwellings",
            bad_sql="dwellings <= 0",
            text="dwellings must be greater than 0",
            fix="give the number of dwellings as a positive whole number, or leave it empty",
        ),
        _share("built_1955_1975_share"),
        _share("one_two_room_share"),
    ),
)

_DEPARTMENT_PLANS = TableSchema(
    name="department_plans",
    columns=(
        ColumnSpec("department_id", "id"),
        ColumnSpec("plan_id", "id"),
        ColumnSpec("from_year", "int"),
        ColumnSpec("to_year", "int", nullable=True),
    ),
    unique=(("department_id", "from_year"),),
    foreign_keys=(
        ForeignKey(("department_id",), "departments", ("department_id",)),
        ForeignKey(("plan_id",), "plans", ("plan_id",)),
    ),
    checks=(
        Check(
            rule="spell_order",
            column="to_year",
            bad_sql="to_year < from_year",
            text="to_year must not be before from_year (a spell runs from from_year to "
            "to_year, both included)",
            fix="swap the two years, or leave to_year empty for a plan still running",
        ),
    ),
)

_RESIDENTS = TableSchema(
    name="residents",
    columns=(
        ColumnSpec("person_id", "id"),
        ColumnSpec("year", "int"),
        ColumnSpec("department_id", "id"),
        ColumnSpec("household_id", "id"),
        ColumnSpec("birth_year", "int"),
        ColumnSpec("sex", "str", allowed=("F", "M")),
        ColumnSpec("origin", "str", allowed=ORIGINS),
        ColumnSpec("income_source", "str", allowed=INCOME_SOURCES),
        ColumnSpec("disposable_income", "float", nullable=True),
        ColumnSpec("education", "str", allowed=EDUCATION),
        ColumnSpec("single_parent", "bool"),
        ColumnSpec("convicted", "bool"),
        ColumnSpec("move_in_year", "int", nullable=True),
        ColumnSpec("gross_income", "float", nullable=True, required=False),
        # Children and youth (docs/input-contract.md): optional, null where not measured.
        ColumnSpec("exam_grade_relative", "float", nullable=True, required=False),
        ColumnSpec("youth_education_started", "bool", nullable=True, required=False),
        ColumnSpec("placed_outside_home", "bool", nullable=True, required=False),
        ColumnSpec("gp_visits", "int", nullable=True, required=False),
        ColumnSpec("dentist_visits", "int", nullable=True, required=False),
    ),
    unique=(("person_id", "year"),),
    foreign_keys=(ForeignKey(("department_id",), "departments", ("department_id",)),),
    checks=(
        Check(
            rule="range",
            column="birth_year",
            bad_sql="birth_year > year OR birth_year < year - 120",
            text="birth_year must lie between year - 120 and year",
            fix="check that birth_year is a four-digit birth year and year the measurement year",
        ),
        _amount("disposable_income"),
        _amount("gross_income"),
        Check(
            rule="range",
            column="exam_grade_relative",
            bad_sql="isnan(exam_grade_relative) OR abs(exam_grade_relative) > "
                    f"{EXAM_GRADE_LIMIT}",
            text="exam_grade_relative must be a grade difference on the 7-point scale, "
                 f"between -{EXAM_GRADE_LIMIT} and {EXAM_GRADE_LIMIT}",
            fix="give the pupil's exam grade average minus the national average of the "
                "year (7-point scale), in the exam year only; leave other years empty",
        ),
        _visits("gp_visits"),
        _visits("dentist_visits"),
    ),
)

_PRICES = TableSchema(
    name="prices",
    columns=(ColumnSpec("year", "int"), ColumnSpec("index", "float")),
    unique=(("year",),),
    checks=(
        Check(
            rule="range",
            column="index",
            bad_sql='"index" <= 0 OR isnan("index") OR isinf("index")',
            text="the price index must be a finite number greater than 0",
            fix="give the consumer price index (any base year) as a positive number",
        ),
    ),
)

#: Reference figures of the area classification (docs/areas.md).
AREA_REFERENCE_CRITERIA: tuple[str, ...] = ("convictions", "income")
#: Statuses of the official list of areas (docs/areas.md).
AREA_STATUSES: tuple[str, ...] = (
    "transformation", "parallel_society", "vulnerable", "prevention", "none",
)

_REFERENCE = TableSchema(
    name="reference",
    columns=(
        ColumnSpec("year", "int"),
        ColumnSpec("criterion", "str", allowed=AREA_REFERENCE_CRITERIA),
        ColumnSpec("region", "id", nullable=True),
        ColumnSpec("value", "float"),
    ),
    unique=(("year", "criterion", "region"),),
    checks=(
        Check(
            rule="range",
            column="value",
            bad_sql="value <= 0 OR isnan(value) OR isinf(value)",
            text="a reference figure must be a finite number greater than 0",
            fix="give the national conviction share as a fraction (e.g. 0.012) and the "
            "regional mean gross income in DKK",
        ),
    ),
)

_OFFICIAL_LIST = TableSchema(
    name="official_list",
    columns=(
        ColumnSpec("area_id", "id"),
        ColumnSpec("year", "int"),
        ColumnSpec("status", "str", allowed=AREA_STATUSES),
    ),
    unique=(("area_id", "year"),),
)

_RESPONDENTS = TableSchema(
    name="respondents",
    columns=(
        ColumnSpec("respondent_id", "id"),
        ColumnSpec("wave", "int"),
        ColumnSpec("actor", "str", allowed=ACTORS),
        ColumnSpec("plan_id", "id"),
        ColumnSpec("department_id", "id", nullable=True),
        ColumnSpec("status", "str", allowed=("complete", "partial")),
    ),
    unique=(("respondent_id",),),
    foreign_keys=(ForeignKey(("plan_id",), "plans", ("plan_id",)),),
)

_CODEBOOK = TableSchema(
    name="codebook",
    columns=(
        ColumnSpec("item_id", "id"),
        ColumnSpec("block", "str"),
        ColumnSpec("label_da", "str"),
        ColumnSpec("label_en", "str"),
        ColumnSpec("scale", "str", allowed=tuple(SCALES)),
        ColumnSpec("filter_item", "id", nullable=True),
    ),
    unique=(("item_id",),),
    foreign_keys=(ForeignKey(("filter_item",), "codebook", ("item_id",)),),
)

_ANSWERS = TableSchema(
    name="answers",
    columns=(
        ColumnSpec("respondent_id", "id"),
        ColumnSpec("item_id", "id"),
        ColumnSpec("value", "str", nullable=True),
    ),
    unique=(("respondent_id", "item_id"),),
    foreign_keys=(
        ForeignKey(("respondent_id",), "respondents", ("respondent_id",)),
        ForeignKey(("item_id",), "codebook", ("item_id",)),
    ),
)

_DISPATCH = TableSchema(
    name="dispatch",
    columns=(
        ColumnSpec("wave", "int"),
        ColumnSpec("actor", "str", allowed=ACTORS),
        ColumnSpec("plan_id", "id"),
        ColumnSpec("sent", "int"),
    ),
    unique=(("wave", "actor", "plan_id"),),
)

# The process evaluation's case material (docs/cases.md).
_CASES = TableSchema(
    name="cases",
    columns=(
        ColumnSpec("case_id", "id"),
        ColumnSpec("plan_id", "id"),
        ColumnSpec("name", "str"),
        ColumnSpec("municipality", "id"),
        ColumnSpec("rounds", "str"),
        ColumnSpec("municipality_size", "str", nullable=True, allowed=MUNICIPALITY_SIZES),
        ColumnSpec("region", "str", nullable=True),
        ColumnSpec("secretariat_type", "str", nullable=True, allowed=SECRETARIAT_TYPES),
        ColumnSpec("organisation_type", "str", nullable=True, required=False,
                   allowed=ORGANISATION_TYPES),
        ColumnSpec("oms_model", "str", nullable=True, required=False, allowed=OMS_MODELS),
        ColumnSpec("experience", "int", nullable=True),
    ),
    unique=(("case_id",),),
    foreign_keys=(ForeignKey(("plan_id",), "plans", ("plan_id",)),),
    checks=(
        Check(
            rule="rounds",
            column="rounds",
            bad_sql="NOT regexp_full_match(trim(rounds), '[0-9]{4}( *; *[0-9]{4})*')",
            text="rounds must be the case's visit years separated by ';' (e.g. 2010;2013)",
            fix="write the years of the case visits as four-digit years, e.g. 2010;2013",
        ),
        Check(
            rule="range",
            column="experience",
            bad_sql="experience < 0",
            text="experience must be 0 or more years",
            fix="give the years of experience with earlier plans as a whole number >= 0",
        ),
    ),
)

_CASE_SOURCES = TableSchema(
    name="case_sources",
    columns=(
        ColumnSpec("case_id", "id"),
        ColumnSpec("round", "int"),
        ColumnSpec("source_id", "id"),
        ColumnSpec("kind", "str", allowed=CASE_KINDS),
        ColumnSpec("role", "str", allowed=CASE_ROLES),
    ),
    unique=(("case_id", "round", "source_id"),),
    foreign_keys=(ForeignKey(("case_id",), "cases", ("case_id",)),),
)

_CASE_CODEBOOK = TableSchema(
    name="case_codebook",
    columns=(
        ColumnSpec("code", "id"),
        ColumnSpec("theme", "str"),
        ColumnSpec("level", "str"),
        ColumnSpec("label_da", "str"),
        ColumnSpec("label_en", "str"),
    ),
    unique=(("code",),),
)

_CASE_CODES = TableSchema(
    name="case_codes",
    columns=(
        ColumnSpec("case_id", "id"),
        ColumnSpec("round", "int"),
        ColumnSpec("source_id", "id"),
        ColumnSpec("code", "id"),
        ColumnSpec("valence", "str", allowed=CASE_VALENCES),
        ColumnSpec("excerpt", "str", nullable=True, required=False),
    ),
    foreign_keys=(
        ForeignKey(("case_id", "round", "source_id"), "case_sources",
                   ("case_id", "round", "source_id")),
        ForeignKey(("code",), "case_codebook", ("code",)),
    ),
)

#: Every contract table by name, in validation order (parents before children).
TABLE_SCHEMAS: MappingProxyType[str, TableSchema] = MappingProxyType(
    {
        s.name: s
        for s in (
            _PLANS,
            _PLAN_COSTS,
            _DEPARTMENTS,
            _DEPARTMENT_PLANS,
            _RESIDENTS,
            _PRICES,
            _REFERENCE,
            _OFFICIAL_LIST,
            _CODEBOOK,
            _RESPONDENTS,
            _ANSWERS,
            _DISPATCH,
            _CASES,
            _CASE_SOURCES,
            _CASE_CODEBOOK,
            _CASE_CODES,
        )
    }
)
TABLE_ORDER: tuple[str, ...] = tuple(TABLE_SCHEMAS)
REGISTER_TABLES = ("plans", "departments", "residents")
SURVEY_TABLES = ("respondents", "answers", "codebook", "dispatch")
CASE_TABLES = ("cases", "case_sources", "case_codes", "case_codebook")
