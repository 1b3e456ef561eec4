"""Readers: contract files of any supported format as DuckDB relations.

Parquet and CSV are read in place by DuckDB (``read_parquet`` /
``read_csv``), so data larger than memory never enters Python. Stata, SAS
and SPSS files are converted chunk-wise into a Parquet file in a scratch
directory; Excel files (small survey tables only) go through pandas into
the same scratch directory. Every source therefore ends as one SQL
relation plus a 1-based data-row number that follows file order
(``file_row_number`` for Parquet, ``WITH ORDINALITY`` for CSV).

The typed view casts each contract column explicitly from whatever type the
source has: ids become VARCHAR (integral numbers lose their ``.0``), years
INTEGER (only whole numbers parse), amounts DOUBLE (NaN is null) and
booleans BOOLEAN (``true``/``false``/``1``/``0`` in any case).

A CSV file is read in its dialect (:mod:`boligeval.contract.dialect`):
encoding, delimiter and decimal mark, given or detected. A folder named
``<table>.parquet`` is read as one table from the Parquet files below it
(a partitioned dataset as Spark, Arrow or DuckDB write it), with the
``key=value`` folder names as columns. No message quotes a record: errors of
DuckDB and of the format libraries go through :mod:`boligeval.contract.safety`.
"""

from __future__ import annotations

import difflib
import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from boligeval.contract.dialect import CsvDialect, detect_dialect, parse_header
from boligeval.contract.labels import label_to_code
from boligeval.contract.safety import (
    FORMAT_NAMES,
    format_failure,
    read_failure,
    shown_name,
)
from boligeval.contract.schemas import TABLE_SCHEMAS, ColumnSpec, TableSchema
from boligeval.errors import BoligevalError, ContractError

__all__ = [
    "FORMATS",
    "Source",
    "csv_reader_sql",
    "file_sha256",
    "open_source",
    "parquet_parts",
    "qident",
    "qstr",
]

#: File extension -> format name.
FORMATS: Mapping[str, str] = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".dta": "dta",
    ".sas7bdat": "sas7bdat",
    ".sav": "sav",
    ".xlsx": "xlsx",
}

ROW = "__row"
_INT_TYPES = frozenset(
    {
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "UHUGEINT",
    }
)
_FLOAT_TYPES = frozenset({"FLOAT", "DOUBLE", "REAL"})
_CHUNK_ROWS = 200_000


def qident(name: str) -> str:
    """Quote a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def qstr(text: str) -> str:
    """Quote a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def file_sha256(path: Path) -> str:
    """Return the hex sha256 of a file, read in 1 MiB blocks.

    For a Parquet dataset folder, the digest covers each part's path (relative
    to the folder) and content, in path order.
    """
    digest = hashlib.sha256()
    parts = parquet_parts(path) if path.is_dir() else [path]
    for part in parts:
        if part != path:
            digest.update(part.relative_to(path).as_posix().encode() + b"\0")
        with part.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def parquet_parts(folder: Path) -> list[Path]:
    """The Parquet files of a dataset folder, in path order.

    Files and folders whose name starts with ``_`` or ``.`` (``_SUCCESS``,
    ``_metadata``, ``.crc`` files, hidden staging folders) are not data.
    """
    parts = []
    for part in folder.rglob("*"):
        rel = part.relative_to(folder).parts
        if any(p.startswith(("_", ".")) for p in rel):
            continue
        if part.suffix.lower() == ".parquet" and part.is_file():
            parts.append(part)
    return sorted(parts, key=lambda p: p.relative_to(folder).as_posix())


def csv_reader_sql(path: Path, dialect: CsvDialect, extra: str = "") -> str:
    """``read_csv(...)`` of a file in ``dialect``, every column as text."""
    options = (
        f"header = true, delim = {qstr(dialect.delimiter)}, quote = '\"', escape = '\"', "
        f"encoding = {qstr(dialect.encoding)}, all_varchar = true, auto_detect = true"
    )
    if extra:
        options += ", " + extra
    return f"read_csv({qstr(str(path))}, {options})"


@dataclass(frozen=True)
class Source:
    """One contract file opened in DuckDB.

    Attributes
    ----------
    path : Path
        The user's file.
    format : str
        Format name (``csv``, ``parquet``, ``dta``, ``sas7bdat``, ``sav``, ``xlsx``).
    plain_sql : str
        ``SELECT`` of the renamed source columns, no row number (fast path).
    numbered_sql : str
        The same plus ``__row``, the 1-based data-row number in file order.
    columns : dict
        Renamed column name -> DuckDB source type.
    untyped : bool
        True for formats without column types (CSV, Excel), whose extra
        columns get their type inferred.
    dialect : CsvDialect, optional
        How a CSV file is read (None for the other formats).
    """

    path: Path
    format: str
    plain_sql: str
    numbered_sql: str
    columns: Mapping[str, str]
    untyped: bool
    dialect: CsvDialect | None = None

    @property
    def decimal(self) -> str:
        """Decimal mark of numbers written as text."""
        return self.dialect.decimal if self.dialect is not None else "."

    def how_read(self) -> str:
        """How the file was read, for messages about its layout."""
        if self.dialect is not None:
            return f"read as CSV with {self.dialect.describe()}"
        return f"read as {FORMAT_NAMES.get(self.format, self.format)}"


def _fail(path: Path, rule: str, column: str | None, message: str) -> ContractError:
    return ContractError(
        f"{path}: {message}", file=str(path), column=column, rule=rule, n_rows=0, rows=[]
    )


def check_header(path: Path, names: list[str], name: str) -> None:
    """Raise ``duplicate_column`` when two columns of the file share a name.

    Names are compared without regard to case, as SQL does; the readers would
    otherwise rename the second one (``sex_1``) and silently ignore it.
    """
    seen: dict[str, int] = {}
    for i, col in enumerate(names, start=1):
        key = col.strip().lower()
        if key in seen:
            first = names[seen[key] - 1]
            safe = shown_name(first) and shown_name(col)
            shown = (
                f"column '{first}'" + (f" (as '{col}')" if col != first else "")
                if safe
                else "a column name (not shown: it looks like a data value)"
            )
            raise ContractError(
                f"{path}: {shown} occurs twice in the file, as columns {seen[key]} and {i} "
                "(rule 'duplicate_column'; names are compared without regard to case and "
                "surrounding spaces). How to fix: give every column a distinct name, or drop "
                "one of the two.",
                file=str(path),
                column=first if safe else None,
                rule="duplicate_column",
                n_rows=0,
                rows=[],
            )
        seen[key] = i


def _convert_stat(path: Path, fmt: str, name: str, out: Path, rename: Mapping[str, str]) -> None:
    """Convert a Stata/SAS/SPSS file chunk-wise into Parquet at ``out``.

    Value labels are applied only to ``answers.value`` (mapped to scale
    codes); other labelled columns keep their stored values, so that e.g. a
    0/1 boolean labelled "Nej"/"Ja" still parses as a boolean. Errors of
    pyreadstat, pandas and pyarrow are reported without their text.
    """
    import pyreadstat

    readers: dict[str, Any] = {
        "dta": pyreadstat.read_dta,
        "sav": pyreadstat.read_sav,
        "sas7bdat": pyreadstat.read_sas7bdat,
    }
    read = readers[fmt]
    try:
        _, meta = read(str(path), metadataonly=True)
    except Exception as exc:  # pyreadstat raises its own ReadstatError / PyreadstatError
        raise read_failure(exc, path, fmt) from None
    check_header(path, [str(c) for c in meta.column_names], name)
    try:
        _write_stat_parquet(path, read, meta, name, out, rename)
    except BoligevalError:
        raise
    except Exception as exc:  # any library error, on any chunk
        raise read_failure(exc, path, fmt) from None


def _write_stat_parquet(
    path: Path, read: Any, meta: Any, name: str, out: Path, rename: Mapping[str, str]
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq
    import pyreadstat

    labelled: dict[str, dict[Any, str]] = {}
    if name == "answers":
        for src, dst in ((s, rename.get(s, s)) for s in meta.column_names):
            if dst == "value" and meta.variable_value_labels.get(src):
                labelled[src] = meta.variable_value_labels[src]
    fields = []
    for col in meta.column_names:
        is_str = meta.readstat_variable_types.get(col) == "string" or col in labelled
        fields.append(pa.field(col, pa.string() if is_str else pa.float64()))
    schema = pa.schema(fields)
    out.parent.mkdir(parents=True, exist_ok=True)
    with pq.ParquetWriter(str(out), schema) as writer:
        for df, _ in pyreadstat.read_file_in_chunks(
            read, str(path), chunksize=_CHUNK_ROWS, disable_datetime_conversion=True
        ):
            for col, labels in labelled.items():
                df[col] = [_label_value(v, labels) for v in df[col].tolist()]
            for field in fields:
                if pa.types.is_string(field.type):
                    df[field.name] = [
                        None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
                        for v in df[field.name].tolist()
                    ]
            writer.write_table(pa.Table.from_pandas(df, schema=schema, preserve_index=False))


def _label_value(value: Any, labels: Mapping[Any, str]) -> str | None:
    """Map one stored value through its value labels to a scale code."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    label = labels.get(value)
    if label is None and isinstance(value, float) and value.is_integer():
        label = labels.get(int(value))
    if label is None:
        text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        return label_to_code(text)
    return label_to_code(label)


def _convert_excel(path: Path, out: Path, name: str) -> None:
    """Convert the first sheet of an .xlsx file to an all-text Parquet file."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        df = pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl", header=None)
    except Exception as exc:  # openpyxl raises several unrelated exception types
        raise read_failure(exc, path, "xlsx") from None
    if df.empty:
        names: list[str] = []
    else:
        names = ["" if not isinstance(v, str) else v for v in df.iloc[0].tolist()]
        df = df.iloc[1:]
    names = [n if n else f"column{i}" for i, n in enumerate(names, start=1)]
    check_header(path, names, name)
    df.columns = names
    schema = pa.schema([pa.field(c, pa.string()) for c in names])
    data = {c: [None if not isinstance(v, str) else v for v in df[c].tolist()] for c in names}
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        pq.write_table(pa.Table.from_pydict(data, schema=schema), str(out))
    except Exception as exc:
        raise read_failure(exc, path, "xlsx") from None


def _parquet_from(path: Path, con: duckdb.DuckDBPyConnection) -> tuple[str, str, str]:
    """(plain FROM, numbered FROM, row expression) of a Parquet file or dataset folder."""
    if not path.is_dir():
        target = qstr(str(path))
        return (
            f"read_parquet({target})",
            f"read_parquet({target}, file_row_number = true)",
            "file_row_number + 1",
        )
    parts = parquet_parts(path)
    if not parts:
        raise format_failure(
            path,
            "parquet",
            "the folder holds no Parquet files (files ending in .parquet, outside folders "
            "whose name starts with '_' or '.')",
        )
    files = "[" + ", ".join(qstr(str(p)) for p in parts) + "]"
    hive = any("=" in d for p in parts for d in p.relative_to(path).parts[:-1])
    options = f"hive_partitioning = {str(hive).lower()}, union_by_name = true"
    # Rows are numbered across the parts in path order: each part's offset.
    counts = con.execute(
        f"SELECT file_name, num_rows FROM parquet_file_metadata({files})"
    ).fetchall()
    per_file = {str(f): int(n) for f, n in counts}
    offsets, total = [], 0
    for part in parts:
        offsets.append(total)
        total += per_file.get(str(part), 0)
    offset_list = "CAST([" + ", ".join(map(str, offsets)) + "] AS BIGINT[])"
    return (
        f"read_parquet({files}, {options})",
        f"read_parquet({files}, {options}, file_row_number = true)",
        f"{offset_list}[CAST(file_index AS BIGINT) + 1] + file_row_number + 1",
    )


def _source_names(path: Path, fmt: str, con: duckdb.DuckDBPyConnection) -> list[str]:
    """Column names as the Parquet file stores them (DuckDB renames duplicates)."""
    import pyarrow.parquet as pq

    first = parquet_parts(path)[0] if path.is_dir() else path
    try:
        return [str(n) for n in pq.read_schema(str(first)).names]
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ...
        raise read_failure(exc, path, fmt) from None


def open_source(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    name: str,
    scratch_dir: Path,
    rename: Mapping[str, str] | None = None,
    csv_options: Mapping[str, str] | None = None,
) -> Source:
    """Open a contract file as SQL relations with renamed columns.

    Parameters
    ----------
    path : Path
        File to read; the format follows from the extension. A folder named
        ``<table>.parquet`` is read as a Parquet dataset.
    con : duckdb.DuckDBPyConnection
        Connection used to inspect the columns.
    name : str
        Contract table name.
    scratch_dir : Path
        Where converted Parquet files of Stata/SAS/SPSS/Excel sources go.
    rename : mapping, optional
        File column name -> contract column name.
    csv_options : mapping, optional
        CSV ``delimiter``, ``decimal`` and ``encoding``; missing or ``auto``
        means detected (see :mod:`boligeval.contract.dialect`).

    Returns
    -------
    Source

    Raises
    ------
    ContractError
        ``file_format``, ``file_access`` or ``duplicate_column``; the message
        quotes nothing from the file but safe column names.
    """
    rename = dict(rename or {})
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise _fail(
            path,
            "file_format",
            None,
            f"unsupported file type {path.suffix!r} (rule 'file_format'); use one of "
            f"{', '.join(FORMATS)}",
        )
    if path.is_dir() and fmt != "parquet":
        raise format_failure(
            path,
            fmt,
            "it is a folder; only Parquet datasets can be folders (name the folder "
            f"{name}.parquet), other formats must be one file",
        )
    dialect: CsvDialect | None = None
    try:
        if fmt == "csv":
            dialect = detect_dialect(path, csv_options)
            header = parse_header(path, dialect)
            if not header:
                raise ContractError(
                    f"{path}: the file is empty, without a header or rows (rule "
                    f"'empty_table'): the {name} table needs a header row and at least one "
                    "data row. How to fix: export the table again.",
                    file=str(path),
                    rule="empty_table",
                    n_rows=0,
                    rows=[],
                )
            check_header(path, header, name)
            reader = csv_reader_sql(path, dialect)
            plain_from = reader
            numbered_from = f"{reader} WITH ORDINALITY"
            row_expr = "ordinality"  # already 1-based
        else:
            if fmt == "parquet":
                plain_from, numbered_from, row_expr = _parquet_from(path, con)
                check_header(path, _source_names(path, fmt, con), name)
            else:
                target = scratch_dir / f"{name}.{fmt}.parquet"
                if fmt == "xlsx":
                    _convert_excel(path, target, name)
                else:
                    _convert_stat(path, fmt, name, target, rename)
                plain_from = f"read_parquet({qstr(str(target))})"
                numbered_from = f"read_parquet({qstr(str(target))}, file_row_number = true)"
                row_expr = "file_row_number + 1"
        described = con.execute(f"DESCRIBE SELECT * FROM {plain_from}").fetchall()
    except BoligevalError:
        raise
    except (duckdb.Error, OSError, MemoryError, UnicodeError) as exc:
        raise read_failure(exc, path, fmt, dialect=dialect) from None
    src_types = {str(r[0]): str(r[1]) for r in described}
    columns: dict[str, str] = {}
    select: list[str] = []
    for src, typ in src_types.items():
        dst = rename.get(src, src)
        if dst in columns:
            raise _fail(
                path,
                "duplicate_column",
                dst,
                f"column '{dst}' occurs twice (after renaming; rule 'duplicate_column'); keep "
                f"one of them or change the [data.rename.{name}] mapping",
            )
        columns[dst] = typ
        select.append(f"{qident(src)} AS {qident(dst)}")
    cols_sql = ", ".join(select) if select else "NULL AS __empty"
    plain = f"SELECT {cols_sql} FROM {plain_from}"
    numbered = f"SELECT {cols_sql}, {row_expr} AS {ROW} FROM {numbered_from}"
    return Source(
        path, fmt, plain, numbered, columns, untyped=fmt in ("csv", "xlsx"), dialect=dialect
    )


def _layout_hint(source: Source) -> str:
    """Why no contract column may have been found: the dialect, a header that is data."""
    names = list(source.columns)
    hints = [f"the file was {source.how_read()} and has {len(names)} column"
             + ("" if len(names) == 1 else "s")]
    hidden = [n for n in names if not shown_name(n)]
    others = []
    if source.dialect is not None and len(names) == 1:
        others = [d for d in (",", ";", "\t", "|") if d != source.dialect.delimiter
                  and d in names[0]]
    if others:
        shown = "TAB" if others[0] == "\t" else repr(others[0])
        toml = '"\\t"' if others[0] == "\t" else f'"{others[0]}"'
        hints.append(
            f"its header contains {shown}: if that is the delimiter, set "
            f"[data.csv] delimiter = {toml}"
        )
    elif names and len(hidden) * 3 >= len(names):
        hints.append(
            "its first line looks like data rather than column names (the file needs a "
            "header row)"
        )
    return "; ".join(hints)


def missing_columns(source: Source, schema: TableSchema, rename: Mapping[str, str]) -> None:
    """Raise ``required_column`` for the first required contract column not in the file.

    The message names the file's layout (dialect, number of columns) and, when
    no contract column was found at all, why that may be. Column names of the
    file are quoted only when they look like names (:func:`safety.shown_name`).
    """
    for spec in schema.columns:
        if not spec.required or spec.name in source.columns:
            continue
        hints = []
        sources = [s for s, d in rename.items() if d == spec.name]
        if sources:
            hints.append(
                f"the rename mapping expects file column '{sources[0]}', which is not there"
            )
        candidates = [c for c in source.columns if shown_name(c)]
        close = difflib.get_close_matches(spec.name, candidates, n=1, cutoff=0.6)
        if close:
            hints.append(
                f"did you mean '{close[0]}'? map it with [data.rename.{schema.name}] "
                f'{close[0]} = "{spec.name}"'
            )
        if not any(c.name in source.columns for c in schema.columns) or len(source.columns) < 2:
            hints.append(_layout_hint(source))
        hint = ("; " + "; ".join(hints)) if hints else ""
        raise ContractError(
            f"{source.path}: column '{spec.name}' breaks rule 'required_column' (the "
            f"{schema.name} table must have a column '{spec.name}'){hint}. How to fix: add "
            f"the column, or rename the file's column to '{spec.name}' in [data.rename."
            f"{schema.name}].",
            file=str(source.path),
            column=spec.name,
            rule="required_column",
            n_rows=0,
            rows=[],
        )


def trimmed(src: str) -> str:
    """SQL for ``NULLIF(trim(src), '')``, skipping ``trim`` where it cannot change the value.

    ``trim`` strips Unicode space separators and copies every string, which
    makes it the dearest part of reading an id column. A value that is pure
    ASCII, starts with a printable non-space character and does not end with a
    space has nothing to strip, so it is used as is; every other value still
    goes through ``trim``. The result is the same for every string.
    """
    return f"(CASE WHEN {plain_text(src)} THEN {src} ELSE NULLIF(trim({src}), '') END)"


def plain_text(src: str) -> str:
    """SQL that is true where :func:`trimmed` returns the value unchanged (null for null)."""
    return (
        f"{src} >= '!' AND {src} < chr(127) AND NOT suffix({src}, ' ') "
        f"AND strlen({src}) = length({src})"
    )


def _norm_expr(src: str, typ: str) -> str:
    if typ == "VARCHAR":
        return trimmed(src)
    if typ in _FLOAT_TYPES:
        return f"(CASE WHEN isnan({src}) THEN NULL ELSE {src} END)"
    return src


def plain_type(typ: str) -> bool:
    """Whether a source type can be read as a number, boolean or text value."""
    return (
        typ in _INT_TYPES
        or typ in _FLOAT_TYPES
        or typ.startswith("DECIMAL")
        or typ in ("VARCHAR", "BOOLEAN")
    )


def number_text(text: str, decimal: str) -> str:
    """SQL turning number text with decimal mark ``decimal`` into text DuckDB casts.

    With a decimal comma, a ``.`` in a number (a thousands separator, or a
    decimal point in the wrong dialect) makes the value not a number rather
    than a different one.
    """
    if decimal == ".":
        return text
    return f"(CASE WHEN contains({text}, '.') THEN NULL ELSE replace({text}, ',', '.') END)"


def typed_expr(spec: ColumnSpec, typ: str, decimal: str = ".") -> tuple[str, str]:
    """Return (typed SQL expression, normalised source expression) for a column.

    A row breaks rule ``type`` where the normalised source is not null and
    the typed expression is null. Amounts keep infinite values, which rule
    ``range`` refuses by name; NaN is null. Source types that cannot hold the
    column's kind (dates, lists, structs, binary) break rule ``type`` in every
    non-null row, and become text in id and code columns. ``decimal`` is the
    decimal mark of numbers written as text.
    """
    src = qident(spec.name)
    if not plain_type(typ):
        if spec.kind in ("id", "str"):
            text = f"NULLIF(trim(TRY_CAST({src} AS VARCHAR)), '')"
            return text, text
        flag = f"(CASE WHEN {src} IS NULL THEN NULL ELSE '?' END)"
        return f"CAST(NULL AS {spec.duckdb_type})", flag
    norm = _norm_expr(src, typ)
    numeric = typ in _INT_TYPES or typ in _FLOAT_TYPES or typ.startswith("DECIMAL")
    num = number_text(norm, decimal) if typ == "VARCHAR" else norm
    if spec.kind in ("id", "str"):
        if typ == "VARCHAR":
            return norm, norm
        if typ in _FLOAT_TYPES or typ.startswith("DECIMAL"):
            expr = (
                f"(CASE WHEN {norm} = trunc({norm}) THEN "
                f"CAST(TRY_CAST({norm} AS HUGEINT) AS VARCHAR) "
                f"ELSE CAST({norm} AS VARCHAR) END)"
            )
            return expr, norm
        return f"CAST({norm} AS VARCHAR)", norm
    if spec.kind == "int":
        if typ in _INT_TYPES:
            return f"TRY_CAST({norm} AS INTEGER)", norm
        dbl = f"TRY_CAST({num} AS DOUBLE)"
        expr = f"(CASE WHEN {dbl} = trunc({dbl}) THEN TRY_CAST({dbl} AS INTEGER) END)"
        return expr, norm
    if spec.kind == "float":
        dbl = f"TRY_CAST({num} AS DOUBLE)"
        return f"(CASE WHEN isnan({dbl}) THEN NULL ELSE {dbl} END)", norm
    # bool
    if typ == "BOOLEAN":
        return norm, norm
    if numeric:
        expr = f"(CASE WHEN {norm} = 1 THEN TRUE WHEN {norm} = 0 THEN FALSE END)"
        return expr, norm
    text = f"lower(CAST({norm} AS VARCHAR))"
    expr = (
        f"(CASE WHEN {text} IN ('true', '1') THEN TRUE "
        f"WHEN {text} IN ('false', '0') THEN FALSE END)"
    )
    return expr, norm


def infer_extra_types(
    con: duckdb.DuckDBPyConnection, source: Source, extras: list[str]
) -> dict[str, str]:
    """Infer DuckDB types of text-only extra columns in one aggregate pass.

    A column becomes BIGINT when every value is a whole number, DOUBLE when
    every value is a finite number, BOOLEAN when every value is true/false, and
    stays VARCHAR otherwise (all-empty columns, and codes with a leading
    zero such as "0800", too). Numbers are read with the file's decimal mark.
    """
    text_cols = [c for c in extras if source.columns[c] == "VARCHAR"]
    if not source.untyped or not text_cols:
        return {}
    parts = []
    for c in text_cols:
        n = trimmed(qident(c))
        d = f"TRY_CAST({number_text(n, source.decimal)} AS DOUBLE)"
        parts += [
            f"count({n})",
            f"count(*) FILTER (WHERE {n} IS NOT NULL AND ({d} IS NULL OR {d} <> trunc({d}) "
            f"OR abs({d}) > 9e15))",
            f"count(*) FILTER (WHERE {n} IS NOT NULL AND ({d} IS NULL OR isnan({d}) "
            f"OR isinf({d}) OR regexp_matches({n}, '^[+-]?0[0-9]')))",
            f"count(*) FILTER (WHERE {n} IS NOT NULL AND lower({n}) NOT IN ('true', 'false'))",
        ]
    row = con.execute(f"SELECT {', '.join(parts)} FROM ({source.plain_sql})").fetchone()
    assert row is not None
    out: dict[str, str] = {}
    for i, c in enumerate(text_cols):
        nonnull, not_int, not_num, not_bool = row[4 * i : 4 * i + 4]
        if nonnull == 0:
            continue
        if not_num == 0:
            out[c] = "BIGINT" if not_int == 0 else "DOUBLE"
        elif not_bool == 0:
            out[c] = "BOOLEAN"
    return out


def extra_expr(column: str, typ: str, inferred: str | None, decimal: str = ".") -> str:
    """SQL for an extra (non-contract) column: kept as is, or cast to its inferred type.

    NaN in a floating-point column is null, as in the contract's amounts.
    """
    src = qident(column)
    if inferred is None:
        if typ in _FLOAT_TYPES:
            return f"(CASE WHEN isnan({src}) THEN NULL ELSE {src} END)"
        return f"{src}"
    n = trimmed(src)
    if inferred == "BOOLEAN":
        return f"CAST(lower({n}) = 'true' AS BOOLEAN)"
    return f"CAST({number_text(n, decimal)} AS {inferred})"


def schema_for(name: str) -> TableSchema:
    """Return the schema of contract table ``name`` or raise ContractError."""
    try:
        return TABLE_SCHEMAS[name]
    except KeyError:
        raise ContractError(
            f"'{name}' is not a contract table; known tables: {', '.join(TABLE_SCHEMAS)}",
            rule="unknown_table",
        ) from None
