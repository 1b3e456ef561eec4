"""Tests of the input contract: one test per rule, plus discovery, rename and booleans.

The fixture is a small, valid, hand-made world in the contract shape; each
rule test breaks exactly one rule in one table and checks the error's
column, rule, row count and example rows.
"""

from __future__ import annotations

import copy
import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from boligeval.contract import RULES, TABLE_SCHEMAS, load_inputs, read_table
from boligeval.contract.readers import trimmed
from boligeval.errors import ContractError

Table = dict[str, list[Any]]

PERSON_IDS = ("000123", "000124", "000125", "000126")

_WORLD: dict[str, Table] = {
    "plans": {
        "plan_id": ["0101", "0202"],
        "grant_year": [2007, None],
        "start_year": [2007, None],
        "end_year": [None, 2010],
        "municipality": ["0101", "København"],
        "intervention_areas": ["social_life;health", None],
        "steering_group_type": ["joint", "separate"],
    },
    "departments": {
        "department_id": ["D01", "D02", "D03"],
        "plan_id": ["0101", "0101", "0202"],
        "capital_area": [True, False, True],
        "rent_support_year": [None, 2008, None],
        "municipality": [None, "0147", None],
        "dwellings": [100, 50, 200],
        "built_1955_1975_share": [0.5, 1.0, None],
        "one_two_room_share": [0.2, 0.0, 0.1],
        "long_vacancy": [True, False, None],
    },
    "residents": {
        "person_id": ["000123", "000124", "000125", "000123", "000124", "000126"],
        "year": [2005, 2005, 2005, 2007, 2007, 2007],
        "department_id": ["D01", "D01", "D02", "D01", "D01", "D03"],
        "household_id": ["0001", "0001", "0002", "0001", "0001", "0003"],
        "birth_year": [1960, 1995, 1940, 1960, 1995, 2007],
        "sex": ["F", "M", "F", "F", "M", "M"],
        "origin": ["danish", "western", "non_western", "danish", "western", "danish"],
        "income_source": [
            "employed",
            "student",
            "retired",
            "unemployed_long",
            "employed",
            "missing",
        ],
        "disposable_income": [210000.5, 95000.0, -1200.0, 150000.0, None, 0.0],
        "education": [
            "vocational",
            "upper_secondary",
            "basic",
            "vocational",
            "long_tertiary",
            "missing",
        ],
        "single_parent": [True, False, False, True, False, False],
        "convicted": [False, False, False, False, True, False],
        "move_in_year": [2001, None, 2005, 2001, None, 2007],
    },
    "prices": {"year": [2005, 2007], "index": [100.0, 104.2]},
    "codebook": {
        "item_id": ["q1", "q2", "q3"],
        "block": ["challenge", "barrier", "barrier"],
        "label_da": ["Kriminalitet", "Barrierer", "Økonomi"],
        "label_en": ["Crime", "Barriers", "Money"],
        "scale": ["likert4", "yes_no", "yes_no"],
        "filter_item": [None, None, "q2"],
    },
    "respondents": {
        "respondent_id": ["r1", "r2", "r3"],
        "wave": [2010, 2010, 2013],
        "actor": ["project_leader", "municipality", "project_leader"],
        "plan_id": ["0101", "0101", "0202"],
        "department_id": [None, "D01", None],
        "status": ["complete", "partial", "complete"],
    },
    "answers": {
        "respondent_id": ["r1", "r1", "r1", "r2", "r2", "r3"],
        "item_id": ["q1", "q2", "q3", "q1", "q2", "q1"],
        "value": ["high_degree", "yes", "no", None, "dont_know", "not_relevant"],
    },
    "dispatch": {
        "wave": [2010, 2010, 2013],
        "actor": ["project_leader", "municipality", "project_leader"],
        "plan_id": ["0101", "0101", "0202"],
        "sent": [2, 1, 1],
    },
}


def world() -> dict[str, Table]:
    """Return a fresh deep copy of the valid world."""
    return copy.deepcopy(_WORLD)


def cell(value: Any) -> str:
    """Format one value as a CSV cell (None -> empty, booleans -> true/false)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_csv(path: Path, table: Table) -> Path:
    """Write a table (dict of column lists) as UTF-8 CSV with a header row."""
    cols = list(table)
    n = len(table[cols[0]]) if cols else 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(cols)
        for i in range(n):
            writer.writerow([cell(table[c][i]) for c in cols])
    return path


def write_world(directory: Path, data: dict[str, Table]) -> Path:
    """Write every table of ``data`` as ``<name>.csv`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, table in data.items():
        write_csv(directory / f"{name}.csv", table)
    return directory


def load(data_dir: Path, tmp_path: Path, **kwargs: Any) -> tuple[duckdb.DuckDBPyConnection, Any]:
    """Load ``data_dir`` into a fresh in-memory connection."""
    con = duckdb.connect()
    tables = load_inputs(data_dir, con, scratch_dir=tmp_path / "scratch", **kwargs)
    return con, tables


Mutation = Callable[[dict[str, Table]], None]


def _set(table: str, column: str, row: int, value: Any) -> Mutation:
    """Mutation setting one cell (row is 1-based, as in error messages)."""

    def apply(data: dict[str, Table]) -> None:
        data[table][column][row - 1] = value

    return apply


def _drop(table: str, column: str) -> Mutation:
    def apply(data: dict[str, Table]) -> None:
        del data[table][column]

    return apply


def _many(*mutations: Mutation) -> Mutation:
    def apply(data: dict[str, Table]) -> None:
        for m in mutations:
            m(data)

    return apply


def _drop_price_2007(data: dict[str, Table]) -> None:
    data["prices"] = {"year": [2005], "index": [100.0]}


# (id, table, mutation, column, rule, n_rows, rows)
def _spells(rows: list[tuple[str, str, int, int | None]]) -> Mutation:
    """Mutation adding a department_plans table (department, plan, from, to)."""

    def mutate(data: dict[str, Table]) -> None:
        data["department_plans"] = {
            "department_id": [r[0] for r in rows], "plan_id": [r[1] for r in rows],
            "from_year": [r[2] for r in rows], "to_year": [r[3] for r in rows]}

    return mutate


#: A valid history: D02 leaves plan 0101 after 2009 and joins 0202 in 2011.
_GOOD_SPELLS = [("D01", "0101", 2007, None), ("D02", "0101", 2007, 2009),
                ("D02", "0202", 2011, None)]

RULE_CASES: list[tuple[str, str, Mutation, str, str, int, list[int]]] = [
    ("spells-order", "department_plans",
     _spells([("D01", "0101", 2007, 2005), *_GOOD_SPELLS[1:]]), "to_year", "spell_order", 1, [1]),
    ("spells-overlap", "department_plans",
     _spells([*_GOOD_SPELLS[:2], ("D02", "0202", 2009, None)]), "from_year", "spell_overlap",
     1, [3]),
    ("spells-overlap-open", "department_plans",
     _spells([("D01", "0101", 2007, None), ("D01", "0202", 2012, 2014)]), "from_year",
     "spell_overlap", 1, [2]),
    ("spells-first-plan", "department_plans",
     _spells([*_GOOD_SPELLS, ("D03", "0101", 2008, None)]), "plan_id", "first_plan", 1, [4]),
    ("spells-unknown-department", "department_plans",
     _spells([*_GOOD_SPELLS, ("D09", "0101", 2008, None)]), "department_id", "foreign_key",
     1, [4]),
    ("spells-unknown-plan", "department_plans",
     _spells([*_GOOD_SPELLS, ("D03", "0909", 2008, None)]), "plan_id", "foreign_key", 1, [4]),
    ("spells-twice", "department_plans",
     _spells([*_GOOD_SPELLS, ("D01", "0202", 2007, None)]), "department_id, from_year", "unique", 2,
     [1, 4]),
    ("spells-from-missing", "department_plans",
     _spells([*_GOOD_SPELLS, ("D03", "0202", None, None)]), "from_year", "not_null", 1, [4]),  # type: ignore[list-item]
    (
        "plans-required",
        "plans",
        _drop("plans", "municipality"),
        "municipality",
        "required_column",
        0,
        [],
    ),
    (
        "plans-type-decimal",
        "plans",
        _set("plans", "grant_year", 2, "2007.5"),
        "grant_year",
        "type",
        1,
        [2],
    ),
    (
        "plans-type-text",
        "plans",
        _set("plans", "end_year", 1, "ongoing"),
        "end_year",
        "type",
        1,
        [1],
    ),
    (
        "plans-not-null",
        "plans",
        _set("plans", "municipality", 2, None),
        "municipality",
        "not_null",
        1,
        [2],
    ),
    ("plans-unique", "plans", _set("plans", "plan_id", 2, "0101"), "plan_id", "unique", 2, [1, 2]),
    (
        "plans-areas",
        "plans",
        _set("plans", "intervention_areas", 2, "health;sports"),
        "intervention_areas",
        "allowed_values",
        1,
        [2],
    ),
    (
        "departments-fk",
        "departments",
        _set("departments", "plan_id", 3, "9999"),
        "plan_id",
        "foreign_key",
        1,
        [3],
    ),
    (
        "departments-unique",
        "departments",
        _set("departments", "department_id", 3, "D01"),
        "department_id",
        "unique",
        2,
        [1, 3],
    ),
    (
        "departments-dwellings",
        "departments",
        _set("departments", "dwellings", 2, 0),
        "dwellings",
        "range",
        1,
        [2],
    ),
    (
        "departments-share",
        "departments",
        _set("departments", "built_1955_1975_share", 1, 35),
        "built_1955_1975_share",
        "range",
        1,
        [1],
    ),
    (
        "departments-room-share",
        "departments",
        _set("departments", "one_two_room_share", 3, -0.1),
        "one_two_room_share",
        "range",
        1,
        [3],
    ),
    (
        "departments-bool",
        "departments",
        _set("departments", "capital_area", 2, "yes"),
        "capital_area",
        "type",
        1,
        [2],
    ),
    (
        "departments-bool-null",
        "departments",
        _set("departments", "capital_area", 1, None),
        "capital_area",
        "not_null",
        1,
        [1],
    ),
    (
        "residents-unique",
        "residents",
        _set("residents", "person_id", 2, "000123"),
        "person_id, year",
        "unique",
        2,
        [1, 2],
    ),
    (
        # Years more than 64 apart: the uniqueness pre-check hashes the whole key.
        "residents-unique-years-far-apart",
        "residents",
        _many(
            _set("residents", "year", 1, 1930),
            _set("residents", "birth_year", 1, 1900),
            _set("residents", "person_id", 2, "000123"),
            _set("residents", "year", 2, 1930),
            _set("residents", "birth_year", 2, 1900),
        ),
        "person_id, year",
        "unique",
        2,
        [1, 2],
    ),
    (
        "residents-fk",
        "residents",
        _many(
            _set("residents", "department_id", 2, "D99"),
            _set("residents", "department_id", 5, "D98"),
        ),
        "department_id",
        "foreign_key",
        2,
        [2, 5],
    ),
    (
        "residents-birth-year",
        "residents",
        _many(_set("residents", "birth_year", 1, 1880), _set("residents", "birth_year", 6, 2008)),
        "birth_year",
        "range",
        2,
        [1, 6],
    ),
    (
        "residents-sex",
        "residents",
        _set("residents", "sex", 4, "f"),
        "sex",
        "allowed_values",
        1,
        [4],
    ),
    (
        "residents-origin",
        "residents",
        _set("residents", "origin", 3, "immigrant"),
        "origin",
        "allowed_values",
        1,
        [3],
    ),
    (
        "residents-income-source",
        "residents",
        _set("residents", "income_source", 2, "330"),
        "income_source",
        "allowed_values",
        1,
        [2],
    ),
    (
        "residents-education",
        "residents",
        _set("residents", "education", 6, "phd"),
        "education",
        "allowed_values",
        1,
        [6],
    ),
    (
        "residents-household-null",
        "residents",
        _set("residents", "household_id", 3, None),
        "household_id",
        "not_null",
        1,
        [3],
    ),
    (
        "residents-person-null",
        "residents",
        _set("residents", "person_id", 3, None),
        "person_id",
        "not_null",
        1,
        [3],
    ),
    (
        "residents-year-type",
        "residents",
        _set("residents", "year", 5, "2007x"),
        "year",
        "type",
        1,
        [5],
    ),
    (
        "residents-income-type",
        "residents",
        _set("residents", "disposable_income", 1, "210.000,50"),
        "disposable_income",
        "type",
        1,
        [1],
    ),
    (
        "residents-convicted-type",
        "residents",
        _set("residents", "convicted", 6, "2"),
        "convicted",
        "type",
        1,
        [6],
    ),
    (
        "residents-required",
        "residents",
        _drop("residents", "move_in_year"),
        "move_in_year",
        "required_column",
        0,
        [],
    ),
    ("prices-unique", "prices", _set("prices", "year", 2, 2005), "year", "unique", 2, [1, 2]),
    ("prices-range", "prices", _set("prices", "index", 2, 0), "index", "range", 1, [2]),
    ("prices-coverage", "residents", _drop_price_2007, "year", "price_coverage", 3, [4, 5, 6]),
    (
        "codebook-unique",
        "codebook",
        _set("codebook", "item_id", 3, "q1"),
        "item_id",
        "unique",
        2,
        [1, 3],
    ),
    (
        "codebook-scale",
        "codebook",
        _set("codebook", "scale", 1, "likert5"),
        "scale",
        "allowed_values",
        1,
        [1],
    ),
    (
        "codebook-filter-fk",
        "codebook",
        _set("codebook", "filter_item", 3, "q9"),
        "filter_item",
        "foreign_key",
        1,
        [3],
    ),
    (
        "respondents-unique",
        "respondents",
        _set("respondents", "respondent_id", 3, "r1"),
        "respondent_id",
        "unique",
        2,
        [1, 3],
    ),
    (
        "respondents-fk",
        "respondents",
        _set("respondents", "plan_id", 2, "0303"),
        "plan_id",
        "foreign_key",
        1,
        [2],
    ),
    (
        "respondents-actor",
        "respondents",
        _set("respondents", "actor", 1, "tenant"),
        "actor",
        "allowed_values",
        1,
        [1],
    ),
    (
        "respondents-status",
        "respondents",
        _set("respondents", "status", 2, "done"),
        "status",
        "allowed_values",
        1,
        [2],
    ),
    (
        "respondents-wave-type",
        "respondents",
        _set("respondents", "wave", 3, "2013a"),
        "wave",
        "type",
        1,
        [3],
    ),
    (
        "answers-fk-respondent",
        "answers",
        _set("answers", "respondent_id", 4, "r9"),
        "respondent_id",
        "foreign_key",
        1,
        [4],
    ),
    (
        "answers-fk-item",
        "answers",
        _set("answers", "item_id", 6, "q7"),
        "item_id",
        "foreign_key",
        1,
        [6],
    ),
    (
        "answers-scale",
        "answers",
        _many(_set("answers", "value", 2, "high_degree"), _set("answers", "value", 5, "Ja")),
        "value",
        "scale_value",
        2,
        [2, 5],
    ),
    (
        "answers-unique",
        "answers",
        _set("answers", "item_id", 3, "q2"),
        "respondent_id, item_id",
        "unique",
        2,
        [2, 3],
    ),
    ("dispatch-sent", "dispatch", _set("dispatch", "sent", 1, 0), "sent", "dispatch_sent", 1, [1]),
    (
        "dispatch-actor",
        "dispatch",
        _set("dispatch", "actor", 2, "mayor"),
        "actor",
        "allowed_values",
        1,
        [2],
    ),
    ("dispatch-sent-type", "dispatch", _set("dispatch", "sent", 3, "1.5"), "sent", "type", 1, [3]),
]


@pytest.mark.parametrize(
    ("table", "mutate", "column", "rule", "n_rows", "rows"),
    [pytest.param(*case[1:], id=case[0]) for case in RULE_CASES],
)
def test_each_rule_is_refused(
    tmp_path: Path,
    table: str,
    mutate: Mutation,
    column: str,
    rule: str,
    n_rows: int,
    rows: list[int],
) -> None:
    data = world()
    mutate(data)
    write_world(tmp_path / "data", data)
    con = duckdb.connect()
    with pytest.raises(ContractError) as info:
        load_inputs(tmp_path / "data", con, scratch_dir=tmp_path / "s", need_prices=True)
    err = info.value
    assert (err.column, err.rule, err.n_rows, err.rows) == (column, rule, n_rows, rows)
    assert err.file == str(tmp_path / "data" / f"{table}.csv")
    message = str(err)
    assert f"{table}.csv" in message
    assert f"'{column}'" in message
    assert f"'{rule}'" in message
    assert "How to fix" in message
    if n_rows:
        assert f"in {n_rows} row" in message
        assert ", ".join(map(str, rows)) in message
    for pid in PERSON_IDS:
        assert pid not in message
    # a refused load leaves no views behind
    assert con.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchone() == (0,)


def test_trim_shortcut_gives_what_trim_gives() -> None:
    # Values that skip trim (printable ASCII at both ends) must be exactly those it keeps.
    specials = (0x85, 0xA0, 0xE9, 0x301, 0x1680, 0x180E, 0x2000, 0x200A, 0x200B, 0x202F,
                0x205F, 0x3000, 0xFEFF)
    chars = [chr(i) for i in range(128)] + [chr(c) for c in specials]
    values = ["", None, " ", "\u3000 \u00a0"] + [
        v for c in chars for body in ("", "x", "a b") for v in (c + body, body + c, c + body + c)
    ]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (x VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[v] for v in values])
    differ = con.execute(
        f"SELECT x FROM t WHERE {trimmed('x')} IS DISTINCT FROM NULLIF(trim(x), '')"
    ).fetchall()
    assert differ == []


def _view_sql(con: duckdb.DuckDBPyConnection, name: str) -> str:
    return str(con.execute(
        "SELECT sql FROM duckdb_views() WHERE view_name = ?", [name]).fetchone()[0])


def test_text_columns_found_plain_are_read_raw(tmp_path: Path) -> None:
    # The check pass sees every value once; a text column with nothing to trim is then
    # read as it is, and one with a padded value keeps the trimming for every later query.
    data = world()
    data["plans"]["municipality"] = [" 0101", "København"]  # a leading space to trim
    write_world(tmp_path / "data", data)
    con, _ = load(tmp_path / "data", tmp_path)
    plans = _view_sql(con, "plans")
    assert "SELECT plan_id AS plan_id," in plans  # plain: raw
    assert '"trim"(municipality)' in plans  # padded: still trimmed
    assert '"trim"(plan_id)' not in plans
    assert con.execute("SELECT municipality FROM plans ORDER BY plan_id").fetchall() == [
        ("0101",), ("København",)]
    residents = _view_sql(con, "residents")
    assert "SELECT person_id AS person_id," in residents
    for text in ("person_id", "household_id", "department_id", "income_source"):
        assert f'"trim"({text})' not in residents
    assert '"trim"(birth_year)' in residents  # numbers written as text: trimmed, then typed
    assert con.execute("SELECT DISTINCT person_id FROM residents ORDER BY 1 LIMIT 1"
                       ).fetchone() == ("000123",)


def test_every_rule_identifier_is_tested_or_covered() -> None:
    tested = {case[4] for case in RULE_CASES}
    other = {"missing_file", "duplicate_file", "unknown_table", "file_format", "duplicate_column",
             "file_access", "empty_table"}  # the last two: tests/test_bad_inputs.py
    assert tested | other == set(RULES)


def test_valid_world_loads_with_canonical_types(tmp_path: Path) -> None:
    write_world(tmp_path / "data", world())
    con, tables = load(tmp_path / "data", tmp_path, need_prices=True)
    assert tables.names == (
        "plans",
        "departments",
        "residents",
        "prices",
        "codebook",
        "respondents",
        "answers",
        "dispatch",
    )
    for name in tables.names:  # the case tables: tests/test_cases_contract.py
        schema = TABLE_SCHEMAS[name]
        info = tables.info(name)
        assert info.format == "csv"
        assert len(info.sha256) == 64
        types = {r[0]: r[1] for r in con.execute(f'DESCRIBE "{name}"').fetchall()}
        for col in schema.columns:
            assert types[col.name] == col.duckdb_type, (name, col.name)
        assert info.n_rows == len(world()[name][next(iter(world()[name]))])
    assert con.execute("SELECT count(*) FROM residents WHERE gross_income IS NULL").fetchone() == (
        6,
    )
    # extra column kept
    assert con.execute("SELECT steering_group_type FROM plans ORDER BY plan_id").fetchall() == [
        ("joint",),
        ("separate",),
    ]
    assert con.execute(
        "SELECT count(*) FROM duckdb_views() WHERE view_name LIKE '__contract%'"
    ).fetchone() == (0,)
    assert tables.present("dispatch") and not tables.present("national")


def test_leading_zeros_survive_csv(tmp_path: Path) -> None:
    write_world(tmp_path / "data", world())
    con, _ = load(tmp_path / "data", tmp_path)
    assert con.execute("SELECT plan_id, municipality FROM plans ORDER BY plan_id").fetchall() == [
        ("0101", "0101"),
        ("0202", "København"),
    ]
    ids = con.execute(
        "SELECT DISTINCT person_id, household_id FROM residents ORDER BY 1, 2"
    ).fetchall()
    assert ids[0] == ("000123", "0001")
    assert con.execute(
        "SELECT municipality FROM departments WHERE department_id = 'D02'"
    ).fetchone() == ("0147",)


@pytest.mark.parametrize(
    ("spellings", "expected"),
    [
        (["true", "false", "TRUE"], [True, False, True]),
        (["1", "0", "1"], [True, False, True]),
        (["True", "FALSE", "0"], [True, False, False]),
        (["tRuE", "0", "fAlSe"], [True, False, False]),
    ],
)
def test_boolean_spellings(tmp_path: Path, spellings: list[str], expected: list[bool]) -> None:
    data = world()
    data["departments"]["capital_area"] = spellings
    write_world(tmp_path / "data", data)
    con, _ = load(tmp_path / "data", tmp_path)
    got = con.execute("SELECT capital_area FROM departments ORDER BY department_id").fetchall()
    assert [g[0] for g in got] == expected


def test_rename_mapping(tmp_path: Path) -> None:
    data = world()
    data["residents"] = {
        ("PNR" if k == "person_id" else "AAR" if k == "year" else k): v
        for k, v in data["residents"].items()
    }
    write_world(tmp_path / "data", data)
    rename = {"residents": {"PNR": "person_id", "AAR": "year"}}
    con, _ = load(tmp_path / "data", tmp_path, rename=rename)
    assert con.execute(
        "SELECT person_id, year FROM residents ORDER BY person_id, year LIMIT 1"
    ).fetchone() == ("000123", 2005)
    cols = [r[0] for r in con.execute("DESCRIBE residents").fetchall()]
    assert "PNR" not in cols and "AAR" not in cols


def test_missing_rename_names_the_expected_column(tmp_path: Path) -> None:
    data = world()
    data["residents"]["PNR"] = data["residents"].pop("person_id")
    write_world(tmp_path / "data", data)
    with pytest.raises(ContractError) as info:
        load(tmp_path / "data", tmp_path, rename={"residents": {"CPR": "person_id"}})
    assert info.value.rule == "required_column"
    assert info.value.column == "person_id"
    assert "CPR" in str(info.value)


def test_rename_onto_existing_column_is_refused(tmp_path: Path) -> None:
    data = world()
    data["plans"]["kommune"] = ["1", "2"]
    write_world(tmp_path / "data", data)
    with pytest.raises(ContractError) as info:
        load(tmp_path / "data", tmp_path, rename={"plans": {"kommune": "municipality"}})
    assert (info.value.rule, info.value.column) == ("duplicate_column", "municipality")


def test_unknown_table_in_rename(tmp_path: Path) -> None:
    write_world(tmp_path / "data", world())
    with pytest.raises(ContractError) as info:
        load(tmp_path / "data", tmp_path, rename={"persons": {"PNR": "person_id"}})
    assert info.value.rule == "unknown_table"


def test_two_formats_of_one_table(tmp_path: Path) -> None:
    d = write_world(tmp_path / "data", world())
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv('{d / 'plans.csv'}')) TO '{d / 'plans.parquet'}'")
    with pytest.raises(ContractError) as info:
        load(d, tmp_path)
    assert info.value.rule == "duplicate_file"
    assert "plans.csv" in str(info.value) and "plans.parquet" in str(info.value)


def test_missing_register_table(tmp_path: Path) -> None:
    data = world()
    del data["departments"]
    write_world(tmp_path / "data", data)
    with pytest.raises(ContractError) as info:
        load(tmp_path / "data", tmp_path)
    assert info.value.rule == "missing_file"
    assert "departments" in str(info.value)


def test_survey_tables_go_together(tmp_path: Path) -> None:
    data = world()
    del data["codebook"]
    write_world(tmp_path / "data", data)
    with pytest.raises(ContractError) as info:
        load(tmp_path / "data", tmp_path)
    assert info.value.rule == "missing_file"
    assert "codebook" in str(info.value)


def test_register_only_and_survey_only(tmp_path: Path) -> None:
    data = world()
    register = {k: data[k] for k in ("plans", "departments", "residents")}
    write_world(tmp_path / "reg", register)
    _, tables = load(tmp_path / "reg", tmp_path)
    assert tables.names == ("plans", "departments", "residents")
    survey = {k: data[k] for k in ("plans", "codebook", "respondents", "answers")}
    write_world(tmp_path / "srv", survey)
    _, tables = load(tmp_path / "srv", tmp_path)
    assert tables.names == ("plans", "codebook", "respondents", "answers")
    assert not tables.present("dispatch")


def test_tables_selection_and_dependencies(tmp_path: Path) -> None:
    write_world(tmp_path / "data", world())
    con, tables = load(tmp_path / "data", tmp_path, tables=["residents"])
    assert tables.names == ("plans", "departments", "residents")
    views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views()").fetchall()}
    assert "answers" not in views and "residents" in views


def test_prices_only_checked_when_needed(tmp_path: Path) -> None:
    data = world()
    _drop_price_2007(data)
    write_world(tmp_path / "data", data)
    _, tables = load(tmp_path / "data", tmp_path, need_prices=False)
    assert tables.present("prices")
    del data["prices"]
    write_world(tmp_path / "noprices", data)
    load(tmp_path / "noprices", tmp_path, need_prices=False)
    with pytest.raises(ContractError) as info:
        load(tmp_path / "noprices", tmp_path, need_prices=True)
    assert info.value.rule == "missing_file"
    assert "prices" in str(info.value)


def test_missing_data_dir(tmp_path: Path) -> None:
    with pytest.raises(ContractError) as info:
        load(tmp_path / "nope", tmp_path)
    assert info.value.rule == "missing_file"


def test_row_numbers_follow_csv_order_in_a_larger_file(tmp_path: Path) -> None:
    n = 30_000
    table: Table = {
        "plan_id": [f"{i:06d}" for i in range(n)],
        "grant_year": [2007] * n,
        "start_year": [None] * n,
        "end_year": [None] * n,
        "municipality": ["0101"] * n,
        "intervention_areas": [None] * n,
    }
    for bad in (17, 20_001, 29_999):
        table["grant_year"][bad - 1] = "x"
    write_csv(tmp_path / "plans.csv", table)
    with pytest.raises(ContractError) as info:
        read_table(tmp_path / "plans.csv", duckdb.connect(), "plans", tmp_path / "s")
    assert info.value.rows == [17, 20_001, 29_999]
    assert info.value.n_rows == 3


def test_extra_csv_columns_get_inferred_types(tmp_path: Path) -> None:
    data = world()
    data["plans"].update(
        budget=["1000", "250"],
        rate=["0.5", "1"],
        zip=["0800", "2100"],
        flag=["TRUE", "false"],
        empty=[None, None],
    )
    write_world(tmp_path / "data", data)
    con, _ = load(tmp_path / "data", tmp_path, tables=["plans"])
    types = {r[0]: r[1] for r in con.execute("DESCRIBE plans").fetchall()}
    assert (types["budget"], types["rate"], types["zip"], types["flag"], types["empty"]) == (
        "BIGINT",
        "DOUBLE",
        "VARCHAR",
        "BOOLEAN",
        "VARCHAR",
    )
    assert con.execute("SELECT zip, flag FROM plans ORDER BY plan_id").fetchall() == [
        ("0800", True),
        ("2100", False),
    ]


def test_malformed_csv_is_a_contract_error(tmp_path: Path) -> None:
    (tmp_path / "plans.csv").write_text(
        "plan_id,grant_year,start_year,end_year,municipality,intervention_areas\n"
        '"0101,2007,,,0101,\n0202,2008,,,0101,"health\n'
        "0303,2009,,,0101\n",
        encoding="utf-8",
    )
    with pytest.raises(ContractError) as info:
        read_table(tmp_path / "plans.csv", duckdb.connect(), "plans", tmp_path / "s")
    assert info.value.rule == "file_format"
    assert "How to fix" in str(info.value)
