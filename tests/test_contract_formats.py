"""The contract readers give identical DuckDB tables for every supported file format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat
import pytest

from boligeval.contract import label_to_code, load_inputs, read_table
from boligeval.contract.schemas import TABLE_SCHEMAS
from boligeval.errors import ContractError
from tests.test_contract import Table, world, write_csv, write_world


def _frame_for_stat(table: Table, name: str) -> pd.DataFrame:
    """Columns as Stata/SPSS store them: strings, or float64 with NaN (booleans as 0/1)."""
    schema = TABLE_SCHEMAS[name]
    out: dict[str, Any] = {}
    for col, values in table.items():
        kind = schema.column(col).kind
        if kind in ("id", "str"):
            out[col] = ["" if v is None else v for v in values]
        else:
            out[col] = np.array([np.nan if v is None else float(v) for v in values])
    return pd.DataFrame(out)


def _write_parquet(path: Path, table: Table, name: str, row_group_size: int | None = None) -> Path:
    schema = TABLE_SCHEMAS[name]
    arrow = {
        "id": pa.string(),
        "str": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
    }
    fields = [pa.field(c, arrow[schema.column(c).kind]) for c in table]
    pq.write_table(
        pa.Table.from_pydict(table, schema=pa.schema(fields)),
        str(path),
        row_group_size=row_group_size,
    )
    return path


def _write(fmt: str, directory: Path, name: str, table: Table) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.{fmt}"
    if fmt == "csv":
        write_csv(path, table)
    elif fmt == "parquet":
        _write_parquet(path, table, name)
    elif fmt == "dta":
        pyreadstat.write_dta(_frame_for_stat(table, name), str(path))
    elif fmt == "sav":
        pyreadstat.write_sav(_frame_for_stat(table, name), str(path))
    elif fmt == "xlsx":
        pd.DataFrame(table).to_excel(path, index=False, engine="openpyxl")
    else:
        raise AssertionError(fmt)
    return path


def _contents(con: duckdb.DuckDBPyConnection, name: str) -> tuple[list[Any], list[Any]]:
    describe = [r[:2] for r in con.execute(f'DESCRIBE "{name}"').fetchall()]
    rows = con.execute(f'SELECT * FROM "{name}" ORDER BY ALL').fetchall()
    return describe, rows


@pytest.mark.parametrize("name", ["residents", "departments", "plans"])
def test_every_format_gives_identical_tables(tmp_path: Path, name: str) -> None:
    table = world()[name]
    if name == "plans":  # contract columns only: extra columns keep their source type
        del table["steering_group_type"]
    results = {}
    for fmt in ("csv", "parquet", "dta", "sav", "xlsx"):
        con = duckdb.connect()
        path = _write(fmt, tmp_path / fmt, name, table)
        info = read_table(path, con, name, tmp_path / "scratch" / fmt)
        assert (info.format, info.n_rows) == (fmt, len(next(iter(table.values()))))
        results[fmt] = _contents(con, name)
    assert results["csv"][1], "fixture must have rows"
    for fmt, got in results.items():
        assert got == results["csv"], fmt


def test_leading_zeros_survive_every_text_id_format(tmp_path: Path) -> None:
    for fmt in ("parquet", "dta", "sav", "xlsx"):
        con = duckdb.connect()
        path = _write(fmt, tmp_path / fmt, "residents", world()["residents"])
        read_table(path, con, "residents", tmp_path / "scratch")
        got = con.execute("SELECT min(person_id), min(household_id) FROM residents").fetchone()
        assert got == ("000123", "0001"), fmt


def test_numeric_ids_become_strings_without_decimals(tmp_path: Path) -> None:
    table = world()["departments"]
    frame = _frame_for_stat(table, "departments")
    frame["plan_id"] = [101.0, 101.0, 202.0]
    pyreadstat.write_dta(frame, str(tmp_path / "departments.dta"))
    con = duckdb.connect()
    read_table(tmp_path / "departments.dta", con, "departments", tmp_path / "s")
    assert con.execute("SELECT plan_id FROM departments ORDER BY ALL").fetchall() == [
        ("101",),
        ("101",),
        ("202",),
    ]
    pq.write_table(
        pa.table(
            {
                "plan_id": pa.array([7, 8], pa.int64()),
                "municipality": ["a", "b"],
                "grant_year": [2007, None],
                "start_year": [None, None],
                "end_year": [None, None],
                "intervention_areas": pa.array([None, None], pa.string()),
            }
        ),
        str(tmp_path / "plans.parquet"),
    )
    read_table(tmp_path / "plans.parquet", con, "plans", tmp_path / "s")
    assert con.execute("SELECT plan_id, grant_year FROM plans ORDER BY ALL").fetchall() == [
        ("7", 2007),
        ("8", None),
    ]


def test_parquet_row_numbers_across_row_groups(tmp_path: Path) -> None:
    n = 5_000
    table: Table = {
        "year": list(range(1, n + 1)),
        "index": [100.0] * n,
    }
    table["index"][2_500] = -1.0
    table["index"][4_999] = 0.0
    path = _write_parquet(tmp_path / "prices.parquet", table, "prices", row_group_size=1_000)
    with pytest.raises(ContractError) as info:
        read_table(path, duckdb.connect(), "prices", tmp_path / "s")
    assert (info.value.rule, info.value.column) == ("range", "index")
    assert (info.value.n_rows, info.value.rows) == (2, [2_501, 5_000])


def test_stata_non_integer_year_is_a_type_error(tmp_path: Path) -> None:
    frame = _frame_for_stat(world()["residents"], "residents")
    frame.loc[2, "year"] = 2005.5
    pyreadstat.write_dta(frame, str(tmp_path / "residents.dta"))
    with pytest.raises(ContractError) as info:
        read_table(tmp_path / "residents.dta", duckdb.connect(), "residents", tmp_path / "s")
    assert (info.value.rule, info.value.column, info.value.rows) == ("type", "year", [3])
    assert "000125" not in str(info.value)


def test_parquet_float_in_int_column_is_a_type_error(tmp_path: Path) -> None:
    pq.write_table(
        pa.table({"year": [2005.0, 2006.25], "index": [1.0, 2.0]}), str(tmp_path / "prices.parquet")
    )
    with pytest.raises(ContractError) as info:
        read_table(tmp_path / "prices.parquet", duckdb.connect(), "prices", tmp_path / "s")
    assert (info.value.rule, info.value.column, info.value.rows) == ("type", "year", [2])


def _survey_dir(tmp_path: Path) -> Path:
    data = world()
    survey = {k: data[k] for k in ("plans", "codebook", "respondents")}
    return write_world(tmp_path / "data", survey)


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_value_labels_map_to_scale_codes(tmp_path: Path, fmt: str) -> None:
    d = _survey_dir(tmp_path)
    # one labelled numeric variable, as survey tools export it: likert items use
    # 1-4/8/9, yes/no items 1=Ja 2=Nej 8=Ved ikke (both scales share one label set here)
    frame = pd.DataFrame(
        {
            "respondent_id": ["r1", "r1", "r2", "r2", "r3", "r3"],
            "item_id": ["q1", "q2", "q1", "q2", "q1", "q3"],
            "svar": [4.0, 1.0, np.nan, 8.0, 9.0, 2.0],
        }
    )
    labels = {
        "svar": {
            1: "Ja",
            2: "Nej",
            3: "I nogen grad",
            4: "I HØJ GRAD",
            8: "Ved ikke",
            9: "ikke relevant",
        }
    }
    writer = pyreadstat.write_sav if fmt == "sav" else pyreadstat.write_dta
    writer(frame, str(d / f"answers.{fmt}"), variable_value_labels=labels)
    con = duckdb.connect()
    load_inputs(d, con, scratch_dir=tmp_path / "s", rename={"answers": {"svar": "value"}})
    got = con.execute("SELECT respondent_id, item_id, value FROM answers ORDER BY ALL").fetchall()
    assert got == [
        ("r1", "q1", "high_degree"),
        ("r1", "q2", "yes"),
        ("r2", "q1", None),
        ("r2", "q2", "dont_know"),
        ("r3", "q1", "not_relevant"),
        ("r3", "q3", "no"),
    ]


def test_unknown_value_label_is_refused_by_scale_rule(tmp_path: Path) -> None:
    d = _survey_dir(tmp_path)
    frame = pd.DataFrame(
        {"respondent_id": ["r1", "r2"], "item_id": ["q1", "q1"], "value": [1.0, 5.0]}
    )
    pyreadstat.write_sav(
        frame,
        str(d / "answers.sav"),
        variable_value_labels={"value": {1: "not_at_all", 5: "Måske"}},
    )
    with pytest.raises(ContractError) as info:
        load_inputs(d, duckdb.connect(), scratch_dir=tmp_path / "s")
    err = info.value
    assert (err.rule, err.column, err.n_rows, err.rows) == ("scale_value", "value", 1, [2])
    assert "Måske" in str(err)


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("Slet ikke", "not_at_all"),
        ("i ringe grad", "small_degree"),
        ("I nogen grad", "some_degree"),
        ("I  høj  grad", "high_degree"),
        ("VED IKKE", "dont_know"),
        ("Ikke relevant", "not_relevant"),
        ("Ja", "yes"),
        ("nej", "no"),
        ("To a high degree", "high_degree"),
        ("not_at_all", "not_at_all"),
        ("Don’t know", "dont_know"),
        ("Perhaps", "Perhaps"),
    ],
)
def test_label_to_code(label: str, code: str) -> None:
    assert label_to_code(label) == code


def test_sas7bdat_goes_through_the_pyreadstat_reader(tmp_path: Path) -> None:
    # Neither pyreadstat nor pandas can write .sas7bdat, and no SAS file is
    # available offline, so a real file cannot be produced here. The SAS
    # reader shares the chunked conversion of the Stata and SPSS readers
    # (tested above with real files), differing only in the pyreadstat
    # function; this test checks that a .sas7bdat file is dispatched to that
    # reader and that a file it cannot read is refused as a contract error.
    path = tmp_path / "plans.sas7bdat"
    path.write_bytes(b"this is not a SAS data set" * 40)
    with pytest.raises(ContractError) as info:
        read_table(path, duckdb.connect(), "plans", tmp_path / "s")
    assert info.value.rule == "file_format"
    assert "sas7bdat" in str(info.value)


def test_mixed_formats_in_one_directory(tmp_path: Path) -> None:
    data = world()
    d = tmp_path / "data"
    _write("parquet", d, "residents", data["residents"])
    _write("xlsx", d, "plans", data["plans"])
    _write("dta", d, "departments", data["departments"])
    con = duckdb.connect()
    tables = load_inputs(d, con, scratch_dir=tmp_path / "s")
    assert {t.name: t.format for t in tables.tables} == {
        "plans": "xlsx",
        "departments": "dta",
        "residents": "parquet",
    }
    assert con.execute(
        "SELECT count(*) FROM residents r JOIN departments USING (department_id) "
        "JOIN plans p USING (plan_id)"
    ).fetchone() == (6,)
