"""Fuzz test of the readers and validation: random bytes, CSV dialects and column types.

The only allowed outcomes are a successful read or a BoligevalError with exit
status 2 whose message quotes no id and no amount of the file (never a
traceback, never another exception). The three tests run 2,100 examples in
all, small inputs each; they are marked ``slow`` (a few minutes on two cores),
which CI runs, so that ``pytest -m "not slow"`` stays a fast tier.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boligeval.contract import read_table
from boligeval.errors import BoligevalError

#: Examples per test; 2,100 in all (the issue asks for at least 2,000 in CI).
N_BYTES, N_DIALECTS, N_TYPES = 600, 800, 700


def fuzz(n: int) -> settings:
    """Small inputs, no deadline, the same examples on every run (no flaky CI)."""
    return settings(
        max_examples=n,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


TABLES = ("plans", "departments", "residents", "prices")
RESIDENTS = (
    "person_id", "year", "department_id", "household_id", "birth_year", "sex", "origin",
    "income_source", "disposable_income", "education", "single_parent", "convicted",
    "move_in_year",
)


_CON: list[duckdb.DuckDBPyConnection] = []


def connection() -> duckdb.DuckDBPyConnection:
    """One connection for all examples (opening one costs more than most reads)."""
    if not _CON:
        _CON.append(duckdb.connect())
    return _CON[0]


def attempt(write: Callable[[Path], Path], table: str, secrets: list[str]) -> None:
    """Read the file ``write`` makes; success, or a clean BoligevalError."""
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp))
        try:
            read_table(path, connection(), table, Path(tmp) / "scratch")
        except BoligevalError as exc:
            assert exc.exit_code == 2
            message = str(exc).replace(tmp, "<tmp>")
            for secret in secrets:
                assert secret not in message, (secret, message)
            assert "Traceback" not in message and "Possible fixes" not in message


def tokens(data: bytes) -> list[str]:
    """Id- or amount-like words of a file: five digits or more."""
    words = re.findall(rb"[0-9A-Za-z_.+\-]{5,}", data)
    return [w.decode() for w in words if len(re.findall(rb"\d", w)) >= 5]


# --- random bytes -------------------------------------------------------------------------

HEADER = ",".join(RESIDENTS).encode()


@pytest.mark.slow
@fuzz(N_BYTES)
@given(
    body=st.binary(max_size=400),
    with_header=st.booleans(),
    table=st.sampled_from(TABLES),
    ext=st.sampled_from(["csv", "csv", "csv", "parquet", "dta", "sav", "xlsx"]),
)
def test_random_bytes(body: bytes, with_header: bool, table: str, ext: str) -> None:
    data = (HEADER + b"\n" + body) if with_header else body

    def write(d: Path) -> Path:
        path = d / f"{table}.{ext}"
        path.write_bytes(data)
        return path

    attempt(write, table if not with_header else "residents", tokens(body))


# --- random CSV dialects ------------------------------------------------------------------

ID = st.integers(10**9, 10**10 - 1).map(lambda i: f"{i:010d}")
AMOUNT = st.floats(-1e12, 1e12, allow_nan=False).map(lambda x: f"{x:.2f}")
CELL_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6
)
CODES = {
    "sex": st.sampled_from(["F", "M", "K", "f", ""]),
    "origin": st.sampled_from(["danish", "western", "non_western", "dansk"]),
    "income_source": st.sampled_from(["employed", "retired", "330", ""]),
    "education": st.sampled_from(["basic", "missing", "phd"]),
    "single_parent": st.sampled_from(["true", "FALSE", "1", "0", "ja", ""]),
    "convicted": st.sampled_from(["false", "1", ""]),
    "year": st.sampled_from(["2005", "2007", "2007.0", "2005,5", "", "x"]),
    "birth_year": st.sampled_from(["1960", "1880", "", "19 60"]),
    "move_in_year": st.sampled_from(["2001", "", "NA"]),
    "department_id": st.sampled_from(["D01", "D02", ""]),
}


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    """A small residents CSV in a random dialect, with random damage."""
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    decimal = draw(st.sampled_from([".", ","]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    quote_all = draw(st.booleans())
    columns = list(RESIDENTS)
    if draw(st.booleans()):
        columns = draw(st.permutations(columns))
    if draw(st.integers(0, 4)) == 0:
        columns = columns[: draw(st.integers(0, len(columns)))]
    if draw(st.integers(0, 5)) == 0:
        columns = [*columns, draw(st.sampled_from([*RESIDENTS, "Sex", "extra", "PNR"]))]
    secrets: list[str] = []
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        row = []
        for col in columns:
            if col in ("person_id", "household_id"):
                value = draw(ID)
                secrets.append(value)
            elif col == "disposable_income":
                value = draw(st.one_of(AMOUNT, st.sampled_from(["1e308", "inf", "", "NaN"])))
                value = value.replace(".", decimal)
                if len(value.strip("-")) >= 8:
                    secrets.append(value)
            elif col in CODES:
                value = draw(CODES[col])
            else:
                value = draw(CELL_TEXT)
            if draw(st.integers(0, 30)) == 0:
                value = draw(CELL_TEXT)
            row.append(value)
        if draw(st.integers(0, 10)) == 0:  # ragged or short row
            row = row[: draw(st.integers(0, len(row)))] + draw(st.lists(CELL_TEXT, max_size=2))
        rows.append(row)

    def cell(v: str) -> str:
        if quote_all or any(c in v for c in (delimiter, '"', "\n", "\r")):
            return '"' + v.replace('"', '""') + '"'
        return v

    lines = [delimiter.join(cell(c) for c in columns)]
    lines += [delimiter.join(cell(c) for c in row) for row in rows]
    text = newline.join(lines) + (newline if draw(st.booleans()) else "")
    if draw(st.integers(0, 8)) == 0:  # an unterminated quote somewhere
        at = draw(st.integers(0, len(text)))
        text = text[:at] + '"' + text[at:]
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 8)) == 0:  # one stray byte
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xe6", b"\xff", b"\x00", b"\xc3"])) + data[at:]
    return data, secrets


@pytest.mark.slow
@fuzz(N_DIALECTS)
@given(csv_files())
def test_random_csv_dialects(case: tuple[bytes, list[str]]) -> None:
    data, secrets = case

    def write(d: Path) -> Path:
        path = d / "residents.csv"
        path.write_bytes(data)
        return path

    attempt(write, "residents", secrets)


# --- random column types ------------------------------------------------------------------

ARROW_TYPES: dict[str, tuple[pa.DataType, st.SearchStrategy[Any]]] = {
    "int8": (pa.int8(), st.integers(-128, 127)),
    "uint64": (pa.uint64(), st.integers(0, 2**64 - 1)),
    "int64": (pa.int64(), st.integers(-(2**63), 2**63 - 1)),
    "float32": (pa.float32(), st.floats(width=32)),
    "float64": (pa.float64(), st.floats()),
    "decimal": (pa.decimal128(38, 2), st.decimals(-(10**30), 10**30, places=2,
                                                  allow_nan=False, allow_infinity=False)),
    "string": (pa.string(), st.text(max_size=8)),
    "large_string": (pa.large_string(), st.sampled_from(["F", "M", "2005", "0101", ""])),
    "binary": (pa.binary(), st.binary(max_size=6)),
    "bool": (pa.bool_(), st.booleans()),
    "date": (pa.date32(), st.dates(date(1900, 1, 1), date(2100, 1, 1))),
    "list": (pa.list_(pa.int32()), st.lists(st.integers(-5, 5), max_size=2)),
    "struct": (pa.struct([("a", pa.int16())]), st.fixed_dictionaries({"a": st.integers(0, 9)})),
    "dictionary": (pa.dictionary(pa.int8(), pa.string()), st.sampled_from(["F", "M", "x"])),
    "null": (pa.null(), st.none()),
}


@st.composite
def parquet_tables(draw: st.DrawFn) -> tuple[pa.Table, str, list[str]]:
    """A small Parquet table of a contract table's columns, each of a random type."""
    table = draw(st.sampled_from(TABLES))
    names = {
        "plans": ["plan_id", "grant_year", "start_year", "end_year", "municipality",
                  "intervention_areas"],
        "departments": ["department_id", "plan_id", "capital_area", "rent_support_year",
                        "municipality", "dwellings", "built_1955_1975_share",
                        "one_two_room_share", "long_vacancy"],
        "residents": list(RESIDENTS),
        "prices": ["year", "index"],
    }[table]
    if draw(st.integers(0, 5)) == 0:
        names = names[: draw(st.integers(0, len(names)))]
    n = draw(st.integers(0, 5))
    arrays, secrets = [], []
    for name in names:
        kind = draw(st.sampled_from(sorted(ARROW_TYPES)))
        typ, values = ARROW_TYPES[kind]
        column = [draw(st.one_of(st.none(), values)) for _ in range(n)]
        if kind == "dictionary":
            arrays.append(pa.array(column, pa.string()).dictionary_encode())
        else:
            arrays.append(pa.array(column, typ))
        if name in ("person_id", "household_id", "disposable_income"):
            secrets += [str(v) for v in column if v is not None and len(str(v)) >= 8]
    return pa.Table.from_arrays(arrays, names=names), table, secrets


@pytest.mark.slow
@fuzz(N_TYPES)
@given(parquet_tables())
def test_random_column_types(case: tuple[pa.Table, str, list[str]]) -> None:
    arrow, table, secrets = case

    def write(d: Path) -> Path:
        path = d / f"{table}.parquet"
        pq.write_table(arrow, path)
        return path

    attempt(write, table, secrets)


def test_the_fuzz_tests_run_at_least_2000_examples() -> None:
    assert N_BYTES + N_DIALECTS + N_TYPES >= 2000
