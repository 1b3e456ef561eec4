"""The bad-input corpus of issue 12: every case is built here, and none may leak a record.

Each case checks the outcome (a BoligevalError with exit status 2, or a
correct read), the rule named, the rows or lines named, and that the message
quotes no id, no amount, no whole line and none of DuckDB's own text.
"""

from __future__ import annotations

import errno
import math
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pyreadstat
import pytest
from click.testing import CliRunner

from boligeval.cli import main
from boligeval.contract import load_inputs, read_table
from boligeval.contract.dialect import detect_dialect
from boligeval.contract.safety import read_failure, shown_name, shown_value
from boligeval.contract.schemas import TABLE_SCHEMAS
from boligeval.errors import BoligevalError, ConfigError, ContractError, ResourceError
from tests.test_contract import Table, world, write_csv, write_world

#: Text that only DuckDB's or a library's own error messages contain.
INTERNALS = (
    "Possible fixes",
    "Original Line",
    "Error:",
    "LINE 1",
    "^^^",
    "strict_mode",
    "Traceback",
    "duckdb",
    "DuckDB's memory",
)

# A distinctive person, household and amount in the malformed row.
SECRET_PERSON = "2512871234"
SECRET_HOUSEHOLD = "HH7781234"
SECRET_INCOME = "987654.25"
N_BIG = 21_000  # more rows than DuckDB's CSV sniffer samples (20,480)
BAD_ROW = 20_600  # data row of the malformed line: file line BAD_ROW + 1


def assert_clean(message: str, *secrets: str) -> None:
    """No secret, none of DuckDB's internals, and one paragraph."""
    for secret in secrets:
        assert secret not in message, secret
    for text in INTERNALS:
        assert text not in message, text
    assert "\n" not in message.strip()


def residents_rows(n: int) -> list[list[str]]:
    """``n`` valid residents rows for departments D01-D03 of the test world."""
    header = list(world()["residents"])
    rows = [header]
    for i in range(n):
        rows.append(
            [
                f"{1_000_000_000 + i}",
                "2005",
                "D01",
                f"H{i:07d}",
                "1960",
                "F" if i % 2 else "M",
                "danish",
                "employed",
                f"{200_000 + i}.5",
                "basic",
                "false",
                "false",
                "2001",
            ]
        )
    return rows


def big_world(tmp_path: Path, bad_line: bytes | None) -> Path:
    """The test world with a large residents.csv, one line replaced by ``bad_line``."""
    data = world()
    del data["residents"]
    d = write_world(tmp_path / "data", data)
    lines = [",".join(r).encode() for r in residents_rows(N_BIG)]
    if bad_line is not None:
        lines[BAD_ROW] = bad_line
    (d / "residents.csv").write_bytes(b"\n".join(lines) + b"\n")
    return d


def good_fields() -> list[bytes]:
    return [
        SECRET_PERSON.encode(), b"2005", b"D01", SECRET_HOUSEHOLD.encode(), b"1960", b"F",
        b"danish", b"employed", SECRET_INCOME.encode(), b"basic", b"false", b"false", b"2001",
    ]


def _line(fields: list[bytes]) -> bytes:
    return b",".join(fields)


MALFORMED = {
    "ragged": _line([*good_fields(), b"extra"]),
    "short": _line(good_fields()[:6]),
    "unterminated-quote": _line([*good_fields()[:6], b'"danish', *good_fields()[7:]]),
    "latin1-byte": _line([*good_fields()[:6], b"d\xe6nish", *good_fields()[7:]]),
}
MALFORMED_WORDS = {
    "ragged": "more fields than the header",
    "short": "fewer fields than the header",
    "unterminated-quote": "quote that is not closed",
    "latin1-byte": "not valid UTF-8",
}


def run_cli(args: list[str], env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(main, args, env=env)


def config_for(tmp_path: Path, data_dir: Path, extra: str = "") -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'[data]\ndir = "{data_dir.name}"\n{extra}', encoding="utf-8")
    return config


# --- malformed rows after the sniffer's sample --------------------------------------------


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_row_after_the_sample_names_the_line_only(tmp_path: Path, case: str) -> None:
    d = big_world(tmp_path, MALFORMED[case])
    with pytest.raises(ContractError) as info:
        load_inputs(d, duckdb.connect(), scratch_dir=tmp_path / "s")
    err = info.value
    assert (err.rule, err.file) == ("file_format", str(d / "residents.csv"))
    assert err.rows == [BAD_ROW + 1] and err.n_rows == 1
    message = str(err)
    assert f"line {BAD_ROW + 1}" in message
    assert MALFORMED_WORDS[case] in message
    assert "delimiter ','" in message and "encoding UTF-8" in message
    assert_clean(message, SECRET_PERSON, SECRET_HOUSEHOLD, SECRET_INCOME, "danish,")
    if case == "latin1-byte":
        assert 'encoding = "latin-1"' in message


@pytest.mark.parametrize("case", ["ragged", "latin1-byte"])
@pytest.mark.parametrize("command", ["validate", "run"])
def test_malformed_row_through_the_cli(tmp_path: Path, case: str, command: str) -> None:
    d = big_world(tmp_path, MALFORMED[case])
    out = tmp_path / "out"
    args = [command, str(config_for(tmp_path, d))] + (["--out", str(out)] if command == "run" else [])
    result = run_cli(args)
    assert result.exit_code == 2, result.output
    assert "'file_format'" in result.output and f"line {BAD_ROW + 1}" in result.output
    message = result.output.split("boligeval: error: ", 1)[1]
    assert_clean(message, SECRET_PERSON, SECRET_HOUSEHOLD, SECRET_INCOME)
    assert not out.exists()


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_row_in_the_sample_is_named_too(tmp_path: Path, case: str) -> None:
    # Within the sniffer's sample DuckDB gives up before recording the line.
    data = world()
    path = write_csv(tmp_path / "residents.csv", data["residents"])
    lines = path.read_bytes().split(b"\r\n")
    lines[3] = MALFORMED[case]
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(ContractError) as info:
        read_table(path, duckdb.connect(), "residents", tmp_path / "s")
    if case == "latin1-byte":
        # A Latin-1 byte in the sample makes the file Latin-1: the value is then a bad code.
        assert (info.value.rule, info.value.rows) == ("allowed_values", [3])
    else:
        assert (info.value.rule, info.value.rows[:1]) == ("file_format", [4])
        assert MALFORMED_WORDS[case] in str(info.value)
    assert_clean(str(info.value), SECRET_PERSON, SECRET_HOUSEHOLD, SECRET_INCOME)


def test_mixed_line_endings_are_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "residents.csv", world()["residents"])
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join(lines[:4]) + b"\n" + b"\r\n".join(lines[4:]))
    with pytest.raises(ContractError) as info:
        read_table(path, duckdb.connect(), "residents", tmp_path / "s")
    assert (info.value.rule, info.value.rows) == ("file_format", [4])
    assert "line ending" in str(info.value)


# --- absurd and non-finite amounts --------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "row"),
    [("1e308", 2), ("inf", 3), ("-Infinity", 1), ("-1e11", 6), ("10000000000", 4)],
)
def test_absurd_amount_in_csv_is_refused_by_range(tmp_path: Path, value: str, row: int) -> None:
    data = world()
    data["residents"]["disposable_income"][row - 1] = value
    write_world(tmp_path / "data", data)
    with pytest.raises(ContractError) as info:
        load_inputs(tmp_path / "data", duckdb.connect(), scratch_dir=tmp_path / "s")
    err = info.value
    assert (err.rule, err.column, err.n_rows, err.rows) == ("range", "disposable_income", 1, [row])
    message = str(err)
    assert f"'{value}'" not in message
    if any(c.isdigit() for c in value):
        assert value.lstrip("-") not in message
    assert "finite amount" in message


def test_largest_accepted_amount(tmp_path: Path) -> None:
    data = world()
    data["residents"]["disposable_income"][0] = "9999999999.5"
    data["residents"]["disposable_income"][1] = "-9999999999"
    write_world(tmp_path / "data", data)
    con = duckdb.connect()
    load_inputs(tmp_path / "data", con, scratch_dir=tmp_path / "s")
    got = con.execute("SELECT max(disposable_income), min(disposable_income) FROM residents")
    assert got.fetchone() == (9999999999.5, -9999999999.0)


@pytest.mark.parametrize("fmt", ["parquet", "sav"])
def test_non_finite_amounts_in_binary_formats(tmp_path: Path, fmt: str) -> None:
    table = world()["residents"]
    table["disposable_income"] = [1.0, math.inf, 2.0, 1e308, 3.0, None]
    table["gross_income"] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    frame = pd.DataFrame(table)
    path = tmp_path / f"residents.{fmt}"
    if fmt == "parquet":
        frame.to_parquet(path)
    else:
        for col in ("year", "birth_year", "move_in_year"):
            frame[col] = frame[col].astype(float)
        for col in ("single_parent", "convicted"):
            frame[col] = frame[col].astype(float)
        pyreadstat.write_sav(frame, str(path))
    with pytest.raises(ContractError) as info:
        read_table(path, duckdb.connect(), "residents", tmp_path / "s")
    err = info.value
    assert (err.rule, err.column, err.n_rows, err.rows) == ("range", "disposable_income", 2, [2, 4])
    assert "1e+308" not in str(err) and "1e308" not in str(err)


def test_gross_income_and_price_index_must_be_finite(tmp_path: Path) -> None:
    data = world()
    data["residents"]["gross_income"] = [1.0, 2.0, "1e300", 4.0, 5.0, 6.0]
    write_world(tmp_path / "data", data)
    with pytest.raises(ContractError) as info:
        load_inputs(tmp_path / "data", duckdb.connect(), scratch_dir=tmp_path / "s")
    assert (info.value.rule, info.value.column, info.value.rows) == ("range", "gross_income", [3])
    data = world()
    data["prices"]["index"][1] = "inf"
    write_world(tmp_path / "data2", data)
    with pytest.raises(ContractError) as info:
        load_inputs(tmp_path / "data2", duckdb.connect(), scratch_dir=tmp_path / "s")
    assert (info.value.rule, info.value.column, info.value.rows) == ("range", "index", [2])


def test_huge_number_in_an_extra_column(tmp_path: Path) -> None:
    data = world()
    data["residents"]["wealth"] = ["1.5", "2", "1e300", "3", "4", ""]
    write_world(tmp_path / "data", data)
    with pytest.raises(ContractError) as info:
        load_inputs(tmp_path / "data", duckdb.connect(), scratch_dir=tmp_path / "s")
    assert (info.value.rule, info.value.column, info.value.rows) == ("range", "wealth", [3])
    assert "1e300" not in str(info.value)


def test_absurd_amount_stops_run_before_any_output(tmp_path: Path) -> None:
    data = world()
    data["residents"]["disposable_income"][1] = "1e308"
    d = write_world(tmp_path / "data", data)
    out = tmp_path / "out"
    result = run_cli(["run", str(config_for(tmp_path, d)), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "'range'" in result.output and "'disposable_income'" in result.output
    assert "ConversionException" not in result.output and "1e308" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(("column", "values", "row"), [
    ("exam_grade_relative", ["", "1.5", "", "-99", "", ""], 4),
    ("gp_visits", ["3", "", "-1", "0", "", "2"], 3),
    ("dentist_visits", ["1", "", "", "", "400", ""], 5),
])
def test_bad_youth_outcome_stops_run_before_any_output(tmp_path: Path, column: str,
                                                       values: list[str], row: int) -> None:
    data = world()
    data["residents"][column] = values
    d = write_world(tmp_path / "data", data)
    out = tmp_path / "out"
    result = run_cli(["run", str(config_for(tmp_path, d)), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "'range'" in result.output and f"'{column}'" in result.output
    assert "residents" in result.output
    assert "-99" not in result.output and "400" not in result.output
    assert not out.exists()
    with pytest.raises(ContractError) as info:
        load_inputs(d, duckdb.connect(), scratch_dir=tmp_path / "s")
    assert (info.value.rule, info.value.column, info.value.rows) == ("range", column, [row])


def test_youth_columns_must_be_booleans(tmp_path: Path) -> None:
    data = world()
    data["residents"]["placed_outside_home"] = ["true", "", "maybe", "false", "", ""]
    d = write_world(tmp_path / "data", data)
    with pytest.raises(ContractError) as info:
        load_inputs(d, duckdb.connect(), scratch_dir=tmp_path / "s")
    assert info.value.column == "placed_outside_home"
    assert "maybe" not in str(info.value)


# --- Parquet datasets in a folder ---------------------------------------------------------


def _residents_arrow() -> pa.Table:
    table = world()["residents"]
    types = {"id": pa.string(), "str": pa.string(), "int": pa.int64(), "float": pa.float64(),
             "bool": pa.bool_()}
    schema = TABLE_SCHEMAS["residents"]
    return pa.table({c: pa.array(v, types[schema.column(c).kind]) for c, v in table.items()})


def _register_dir(tmp_path: Path) -> Path:
    data = world()
    return write_world(tmp_path / "data", {k: data[k] for k in ("plans", "departments")})


@pytest.mark.parametrize("writer", ["arrow-hive", "duckdb-partition-by", "spark-like-flat"])
def test_parquet_dataset_folder_is_read_as_the_table(tmp_path: Path, writer: str) -> None:
    d = _register_dir(tmp_path)
    folder = d / "residents.parquet"
    table = _residents_arrow()
    if writer == "arrow-hive":
        ds.write_dataset(table, folder, format="parquet", partitioning=["year"],
                         partitioning_flavor="hive")
    elif writer == "duckdb-partition-by":
        con = duckdb.connect()
        con.register("t", table)
        con.execute(f"COPY t TO '{folder}' (FORMAT parquet, PARTITION_BY (year))")
    else:
        folder.mkdir()
        pq.write_table(table.slice(0, 4), folder / "part-00000-abc.snappy.parquet")
        pq.write_table(table.slice(4), folder / "part-00001-abc.snappy.parquet")
        (folder / "_SUCCESS").write_bytes(b"")
        (folder / ".part-00000-abc.snappy.parquet.crc").write_bytes(b"\x00crc")
    con = duckdb.connect()
    tables = load_inputs(d, con, scratch_dir=tmp_path / "s")
    assert tables.info("residents").format == "parquet"
    assert tables.info("residents").n_rows == 6
    assert len(tables.info("residents").sha256) == 64
    got = con.execute(
        "SELECT person_id, year, disposable_income FROM residents ORDER BY ALL"
    ).fetchall()
    assert got == [
        ("000123", 2005, 210000.5),
        ("000123", 2007, 150000.0),
        ("000124", 2005, 95000.0),
        ("000124", 2007, None),
        ("000125", 2005, -1200.0),
        ("000126", 2007, 0.0),
    ]
    types = dict(con.execute("SELECT column_name, data_type FROM "
                             "information_schema.columns WHERE table_name = 'residents'").fetchall())
    assert types["year"] == "INTEGER"


def test_dataset_rows_are_numbered_across_parts(tmp_path: Path) -> None:
    folder = tmp_path / "prices.parquet"
    folder.mkdir()
    pq.write_table(pa.table({"year": [2001, 2002, 2003], "index": [1.0, 2.0, 3.0]}),
                   folder / "part-0.parquet")
    pq.write_table(pa.table({"year": [2004, 2005], "index": [4.0, -5.0]}),
                   folder / "part-1.parquet")
    with pytest.raises(ContractError) as info:
        read_table(folder, duckdb.connect(), "prices", tmp_path / "s")
    assert (info.value.rule, info.value.rows) == ("range", [5])


def test_empty_dataset_folder_and_folders_of_other_formats(tmp_path: Path) -> None:
    d = _register_dir(tmp_path)
    (d / "residents.parquet").mkdir()
    (d / "residents.parquet" / "_SUCCESS").write_bytes(b"")
    with pytest.raises(ContractError) as info:
        load_inputs(d, duckdb.connect(), scratch_dir=tmp_path / "s")
    assert info.value.rule == "file_format" and "no Parquet files" in str(info.value)
    d2 = _register_dir(tmp_path / "b")
    (d2 / "residents.csv").mkdir()
    with pytest.raises(ContractError) as info:
        load_inputs(d2, duckdb.connect(), scratch_dir=tmp_path / "s")
    assert info.value.rule == "file_format" and "folder" in str(info.value)


def test_dataset_folder_and_file_of_one_table(tmp_path: Path) -> None:
    d = _register_dir(tmp_path)
    write_csv(d / "residents.csv", world()["residents"])
    (d / "residents.parquet").mkdir()
    pq.write_table(_residents_arrow(), d / "residents.parquet" / "part-0.parquet")
    with pytest.raises(ContractError) as info:
        load_inputs(d, duckdb.connect(), scratch_dir=tmp_path / "s")
    assert info.value.rule == "duplicate_file"


# --- empty tables -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet", "dta", "sav", "xlsx"])
def test_table_without_rows_is_refused(tmp_path: Path, fmt: str) -> None:
    d = _register_dir(tmp_path)
    empty = {c: [] for c in world()["residents"]}
    path = d / f"residents.{fmt}"
    if fmt == "csv":
        write_csv(path, empty)
    elif fmt == "parquet":
        _residents_arrow().slice(0, 0).to_pandas().to_parquet(path)
    elif fmt == "xlsx":
        pd.DataFrame(empty).to_excel(path, index=False)
    else:
        frame = pd.DataFrame({c: pd.Series([], dtype=float) for c in empty})
        for c in ("person_id", "department_id", "household_id", "sex", "origin",
                  "income_source", "education"):
            frame[c] = pd.Series([], dtype=object)
        (pyreadstat.write_dta if fmt == "dta" else pyreadstat.write_sav)(frame, str(path))
    with pytest.raises(ContractError) as info:
        load_inputs(d, duckdb.connect(), scratch_dir=tmp_path / "s")
    assert (info.value.rule, info.value.file) == ("empty_table", str(path))
    assert "no data rows" in str(info.value)


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n"])
def test_empty_csv_file_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "residents.csv"
    path.write_bytes(content)
    with pytest.raises(ContractError) as info:
        read_table(path, duckdb.connect(), "residents", tmp_path / "s")
    assert info.value.rule == "empty_table" and "the file is empty" in str(info.value)


@pytest.mark.parametrize("command", ["validate", "run"])
def test_header_only_residents_through_the_cli(tmp_path: Path, command: str) -> None:
    data = world()
    data["residents"] = {c: [] for c in data["residents"]}
    d = write_world(tmp_path / "data", data)
    out = tmp_path / "out"
    args = [command, str(config_for(tmp_path, d))] + (["--out", str(out)] if command == "run" else [])
    result = run_cli(args)
    assert result.exit_code == 2, result.output
    assert "'empty_table'" in result.output and "residents.csv" in result.output
    assert "KeyError" not in result.output and "Traceback" not in result.output
    assert not out.exists()


# --- CSV dialects -------------------------------------------------------------------------


def write_dialect(path: Path, table: Table, *, delimiter: str, decimal: str, encoding: str,
                  newline: str = "\r\n") -> Path:
    """Write a table as Danish Excel would: any delimiter, decimal mark and encoding."""
    cols = list(table)
    n = len(table[cols[0]])
    out = [delimiter.join(cols)]
    for i in range(n):
        cells = []
        for c in cols:
            v = table[c][i]
            if v is None:
                text = ""
            elif isinstance(v, bool):
                text = "true" if v else "false"
            elif isinstance(v, float):
                text = repr(v).replace(".", decimal)
            else:
                text = str(v)
            if delimiter in text or '"' in text:
                text = '"' + text.replace('"', '""') + '"'
            cells.append(text)
        out.append(delimiter.join(cells))
    path.write_bytes((newline.join(out) + newline).encode(encoding))
    return path


def _contents(con: duckdb.DuckDBPyConnection, name: str) -> list[Any]:
    return con.execute(f'SELECT * FROM "{name}" ORDER BY ALL').fetchall()


@pytest.mark.parametrize(
    ("delimiter", "decimal", "encoding"),
    [
        (";", ",", "cp1252"),  # Danish Excel's "CSV (semikolonsepareret)"
        (";", ",", "utf-8-sig"),  # Excel's "CSV UTF-8", Danish locale
        ("\t", ".", "utf-16"),  # Excel's "Unicode text"
        ("|", ",", "utf-8"),
        (",", ".", "latin-1"),
    ],
)
def test_csv_dialects_are_detected_and_read(tmp_path: Path, delimiter: str, decimal: str,
                                            encoding: str) -> None:
    data = world()
    data["plans"]["municipality"] = ["0101", "Århus Ø"]
    plain = write_world(tmp_path / "plain", data)
    d = tmp_path / "dialect"
    d.mkdir()
    for name, table in data.items():
        write_dialect(d / f"{name}.csv", table, delimiter=delimiter, decimal=decimal,
                      encoding=encoding)
    con_a, con_b = duckdb.connect(), duckdb.connect()
    load_inputs(plain, con_a, scratch_dir=tmp_path / "s1", need_prices=True)
    load_inputs(d, con_b, scratch_dir=tmp_path / "s2", need_prices=True)
    for name in data:
        assert _contents(con_b, name) == _contents(con_a, name), name
    assert ("0202", "Århus Ø") in con_b.execute("SELECT plan_id, municipality FROM plans").fetchall()
    dialect = detect_dialect(d / "residents.csv")  # has amounts with decimals
    assert (dialect.delimiter, dialect.decimal) == (delimiter, decimal)
    dialect = detect_dialect(d / "plans.csv")  # has non-ASCII letters
    expected_encoding = {"cp1252": "latin-1", "utf-8-sig": "utf-8"}.get(encoding, encoding)
    assert (dialect.delimiter, dialect.encoding) == (delimiter, expected_encoding)


def test_explicit_csv_options(tmp_path: Path) -> None:
    data = world()
    d = tmp_path / "data"
    d.mkdir()
    for name, table in data.items():
        write_dialect(d / f"{name}.csv", table, delimiter=";", decimal=",", encoding="cp1252")
    con = duckdb.connect()
    load_inputs(d, con, scratch_dir=tmp_path / "s",
                csv_options={"delimiter": ";", "decimal": ",", "encoding": "windows-1252"})
    assert con.execute("SELECT sum(disposable_income) FROM residents").fetchone() == (453800.5,)
    with pytest.raises(ConfigError):
        load_inputs(d, duckdb.connect(), scratch_dir=tmp_path / "s",
                    csv_options={"delimiter": ":"})
    with pytest.raises(ConfigError):
        load_inputs(d, duckdb.connect(), scratch_dir=tmp_path / "s", csv_options={"sep": ";"})


def test_wrong_delimiter_is_named(tmp_path: Path) -> None:
    data = world()
    d = tmp_path / "data"
    d.mkdir()
    for name, table in data.items():
        write_dialect(d / f"{name}.csv", table, delimiter=";", decimal=",", encoding="utf-8")
    with pytest.raises(ContractError) as info:
        load_inputs(d, duckdb.connect(), scratch_dir=tmp_path / "s",
                    csv_options={"delimiter": ","})
    message = str(info.value)
    assert info.value.rule == "required_column"
    assert "delimiter ',' (comma, set in [data.csv])" in message
    assert "has 1 column" in message
    assert "[data.csv] delimiter = \";\"" in message


def test_decimal_comma_with_thousands_point_is_a_type_error(tmp_path: Path) -> None:
    data = world()
    data["residents"]["disposable_income"] = [1.5, 2.5, 3.0, 4.0, 5.0, 6.0]
    path = write_dialect(tmp_path / "residents.csv", data["residents"], delimiter=";",
                         decimal=",", encoding="utf-8")
    text = path.read_text(encoding="utf-8").replace(";3,0;", ";1.234,5;")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContractError) as info:
        read_table(path, duckdb.connect(), "residents", tmp_path / "s")
    err = info.value
    assert (err.rule, err.column, err.rows) == ("type", "disposable_income", [3])
    assert "decimal mark ','" in str(err) and "1.234" not in str(err)


def test_semicolon_world_runs_like_the_comma_world(tmp_path: Path) -> None:
    data = world()
    d = tmp_path / "data"
    d.mkdir()
    for name, table in data.items():
        write_dialect(d / f"{name}.csv", table, delimiter=";", decimal=",", encoding="cp1252")
    result = run_cli(["validate", str(config_for(tmp_path, d))])
    assert result.exit_code == 0, result.output
    assert "residents (6 rows, csv)" in result.output


# --- duplicate column names ---------------------------------------------------------------


@pytest.mark.parametrize("second", ["sex", "Sex", "SEX "])
def test_duplicate_csv_header_is_refused(tmp_path: Path, second: str) -> None:
    data = world()
    table = data["residents"]
    path = write_csv(tmp_path / "residents.csv", table)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + "," + second] + [line + ",K" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ContractError) as info:
        read_table(path, duckdb.connect(), "residents", tmp_path / "s")
    assert (info.value.rule, info.value.column) == ("duplicate_column", "sex")
    assert "columns 6 and 14" in str(info.value)


def test_duplicate_names_in_binary_formats(tmp_path: Path) -> None:
    pq.write_table(pa.table([pa.array([2005]), pa.array([1.0]), pa.array([2.0])],
                            names=["year", "index", "index"]), tmp_path / "prices.parquet")
    with pytest.raises(ContractError) as info:
        read_table(tmp_path / "prices.parquet", duckdb.connect(), "prices", tmp_path / "s")
    assert (info.value.rule, info.value.column) == ("duplicate_column", "index")
    frame = pd.DataFrame({"year": [2005.0], "index": [1.0], "Index": [2.0]})
    pyreadstat.write_dta(frame, str(tmp_path / "prices.dta"))
    with pytest.raises(ContractError) as info:
        read_table(tmp_path / "prices.dta", duckdb.connect(), "prices", tmp_path / "s")
    assert (info.value.rule, info.value.column) == ("duplicate_column", "index")
    assert "(as 'Index')" in str(info.value)
    pd.DataFrame([[2005, 1.0, 2.0]], columns=["year", "index", "index"]).to_excel(
        tmp_path / "prices.xlsx", index=False)
    with pytest.raises(ContractError) as info:
        read_table(tmp_path / "prices.xlsx", duckdb.connect(), "prices", tmp_path / "s")
    assert (info.value.rule, info.value.column) == ("duplicate_column", "index")


# --- the machine, not the file: memory, permissions ---------------------------------------


def test_out_of_memory_is_not_a_format_error(tmp_path: Path) -> None:
    d = big_world(tmp_path, None)
    con = duckdb.connect()
    con.execute("SET memory_limit = '2MB'")
    with pytest.raises(ResourceError) as info:
        load_inputs(d, con, scratch_dir=tmp_path / "s")
    message = str(info.value)
    assert "ran out of memory" in message and "BOLIGEVAL_MEMORY_LIMIT" in message
    assert "export the file again" not in message
    assert info.value.exit_code == 2
    assert_clean(message)


def test_out_of_memory_through_the_cli(tmp_path: Path) -> None:
    d = big_world(tmp_path, None)
    result = run_cli(["validate", str(config_for(tmp_path, d))],
                     env={"BOLIGEVAL_MEMORY_LIMIT": "2MB"})
    assert result.exit_code == 2, result.output
    assert "ran out of memory" in result.output


def test_permission_denied_is_not_a_format_error(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    d = write_world(tmp_path / "data", world())

    def denied(path: Path) -> bytes:
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr("boligeval.contract.dialect._read_sample", denied)
    with pytest.raises(ContractError) as info:
        load_inputs(d, duckdb.connect(), scratch_dir=tmp_path / "s")
    message = str(info.value)
    assert info.value.rule == "file_access" and "permission denied" in message
    assert "export the file again" not in message
    # DuckDB's own wording of the same failure, on a Parquet file.
    exc = duckdb.IOException('IO Error: Cannot open file "/x/residents.parquet": Permission denied')
    err = read_failure(exc, Path("/x/residents.parquet"), "parquet")
    assert isinstance(err, ContractError) and err.rule == "file_access"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files without read permission")
def test_unreadable_file(tmp_path: Path) -> None:  # pragma: no cover - not run as root
    d = write_world(tmp_path / "data", world())
    (d / "residents.csv").chmod(0)
    with pytest.raises(ContractError) as info:
        load_inputs(d, duckdb.connect(), scratch_dir=tmp_path / "s")
    assert info.value.rule == "file_access"


def test_disk_full_is_a_resource_error() -> None:
    err = read_failure(OSError(errno.ENOSPC, "No space left on device"), Path("/x/a.dta"), "dta")
    assert isinstance(err, ResourceError)


# --- no DuckDB or library internals, no data --------------------------------------------


@pytest.mark.parametrize("fmt", ["parquet", "dta", "sav", "xlsx", "sas7bdat"])
def test_damaged_binary_files_get_one_short_message(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"plans.{fmt}"
    if fmt in ("parquet", "dta", "sav"):
        # a real file cut in half
        table = world()["plans"]
        del table["steering_group_type"]
        frame = pd.DataFrame(table)
        full = tmp_path / f"full.{fmt}"
        if fmt == "parquet":
            frame.to_parquet(full)
        else:
            for c in ("grant_year", "start_year", "end_year"):
                frame[c] = frame[c].astype(float)
            frame["intervention_areas"] = frame["intervention_areas"].fillna("")
            (pyreadstat.write_dta if fmt == "dta" else pyreadstat.write_sav)(frame, str(full))
        raw = full.read_bytes()
        path.write_bytes(raw[: len(raw) // 2])
    else:
        path.write_bytes(b"0101,2007,Kbh\n" * 50)
    with pytest.raises(BoligevalError) as info:
        read_table(path, duckdb.connect(), "plans", tmp_path / "s")
    err = info.value
    assert isinstance(err, ContractError) and err.rule == "file_format"
    assert err.exit_code == 2
    message = str(err)
    assert len(message) < 700
    assert_clean(message, "0101", "Kbh")


def test_nested_and_date_columns_break_type_not_the_reader(tmp_path: Path) -> None:
    pq.write_table(
        pa.table({"year": pa.array([[2005], [2006]], pa.list_(pa.int64())),
                  "index": pa.array([datetime(2005, 1, 1), None], pa.timestamp("s"))}),
        tmp_path / "prices.parquet",
    )
    with pytest.raises(ContractError) as info:
        read_table(tmp_path / "prices.parquet", duckdb.connect(), "prices", tmp_path / "s")
    err = info.value
    assert (err.rule, err.column, err.rows) == ("type", "year", [1, 2])
    assert "not as BIGINT[]" in str(err)


def test_codes_are_quoted_but_ids_and_amounts_are_not(tmp_path: Path) -> None:
    data = world()
    data["residents"]["sex"] = ["K", "0101991234", "M", "210000.5", "F", "K"]
    write_world(tmp_path / "data", data)
    with pytest.raises(ContractError) as info:
        load_inputs(tmp_path / "data", duckdb.connect(), scratch_dir=tmp_path / "s")
    message = str(info.value)
    assert (info.value.rule, info.value.rows) == ("allowed_values", [1, 2, 4, 6])
    assert "Values found: 'K'." in message
    assert "2 other values not shown" in message
    assert "0101991234" not in message and "210000" not in message


def test_file_without_header_quotes_no_data(tmp_path: Path) -> None:
    table = world()["residents"]
    path = write_csv(tmp_path / "residents.csv", table)
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    lines[0] = lines[0].replace("000123", "0101991234")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ContractError) as info:
        read_table(path, duckdb.connect(), "residents", tmp_path / "s")
    message = str(info.value)
    assert info.value.rule == "required_column"
    assert "looks like data rather than column names" in message
    assert "0101991234" not in message and "210000" not in message


@pytest.mark.parametrize(
    ("value", "shown"),
    [("K", True), ("immigrant", True), ("330", True), ("health;sports", True),
     ("0101991234", False), ("210000.5", False), ("1200", False), ("-5.5", False),
     ("2005-01-01", False), ("x" * 41, False), ("a\x00b", False), ("", False)],
)
def test_shown_value(value: str, shown: bool) -> None:
    assert shown_value(value) is shown


@pytest.mark.parametrize(
    ("name", "shown"),
    [("person_id", True), ("DISPON_13", True), ("year_2005", True), ("PNR", True),
     ("0101991234", False), ("210000.5", False), ("1960", False), ("H123", True),
     ("H000123", False)],
)
def test_shown_name(name: str, shown: bool) -> None:
    assert shown_name(name) is shown


def test_every_csv_read_is_documented_in_the_message_as_read(tmp_path: Path) -> None:
    data = world()
    data["residents"]["birth_year"][0] = "nineteen"
    write_world(tmp_path / "data", data)
    with pytest.raises(ContractError) as info:
        load_inputs(tmp_path / "data", duckdb.connect(), scratch_dir=tmp_path / "s")
    assert "read as CSV with delimiter ','" in str(info.value)


def test_cli_never_prints_duckdb_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A DuckDB error that escapes every stage is a bug; its text may quote a value.
    def boom(*args: Any, **kwargs: Any) -> None:
        raise duckdb.ConversionException(f"Could not cast value {SECRET_PERSON} to DECIMAL")

    monkeypatch.setattr("boligeval.run.validate_inputs", boom)
    d = write_world(tmp_path / "data", world())
    result = run_cli(["validate", str(config_for(tmp_path, d))])
    assert result.exit_code == 1
    assert "ConversionException" in result.output and SECRET_PERSON not in result.output
    result = run_cli(["--debug", "validate", str(config_for(tmp_path, d))])
    assert isinstance(result.exception, duckdb.ConversionException)
