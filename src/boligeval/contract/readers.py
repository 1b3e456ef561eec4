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

from boligeval.contract.labels import label_to_code
from boligeval.contract.schemas import TABLE_SCHEMAS, ColumnSpec, TableSchema
from boligeval.errors import ContractError

__all__ = ["FORMATS", "Source", "file_sha256", "open_source", "qident", "qstr"]

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
    """Return the hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
    """

    path: Path
    format: str
    plain_sql: str
    numbered_sql: str
    columns: Mapping[str, str]
    untyped: bool


_FORMAT_FIX = (
    "How to fix: export the file again in the format its extension names "
    "(CSV: UTF-8, comma-separated, one header row, values containing commas or "
    "quotes in double quotes)."
)


def _fail(path: Path, rule: str, column: str | None, message: str) -> ContractError:
    if rule == "file_format":
        message = f"{message.rstrip('.')} (rule 'file_format'). {_FORMAT_FIX}"
    return ContractError(
        f"{path}: {message}", file=str(path), column=column, rule=rule, n_rows=0, rows=[]
    )


def _convert_stat(path: Path, fmt: str, name: str, out: Path, rename: Mapping[str, str]) -> None:
    """Convert a Stata/SAS/SPSS file chunk-wise into Parquet at ``out``.

    Value labels are applied only to ``answers.value`` (mapped to scale
    codes); other labelled columns keep their stored values, so that e.g. a
    0/1 boolean labelled "Nej"/"Ja" still parses as a boolean.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq
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
        raise _fail(path, "file_format", None, f"cannot be read as {fmt}: {exc}") from exc
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


def _convert_excel(path: Path, out: Path) -> None:
    """Convert the first sheet of an .xlsx file to an all-text Parquet file."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        df = pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl")
    except Exception as exc:  # openpyxl raises several unrelated exception types
        raise _fail(path, "file_format", None, f"cannot be read as xlsx: {exc}") from exc
    df.columns = [str(c) for c in df.columns]
    schema = pa.schema([pa.field(c, pa.string()) for c in df.columns])
    data = {c: [None if not isinstance(v, str) else v for v in df[c].tolist()] for c in df.columns}
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pydict(data, schema=schema), str(out))


def open_source(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    name: str,
    scratch_dir: Path,
    rename: Mapping[str, str] | None = None,
) -> Source:
    """Open a contract file as SQL relations with renamed columns.

    Parameters
    ----------
    path : Path
        File to read; the format follows from the extension.
    con : duckdb.DuckDBPyConnection
        Connection used to inspect the columns.
    name : str
        Contract table name.
    scratch_dir : Path
        Where converted Parquet files of Stata/SAS/SPSS/Excel sources go.
    rename : mapping, optional
        File column name -> contract column name.

    Returns
    -------
    Source
    """
    rename = dict(rename or {})
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise _fail(
            path,
            "file_format",
            None,
            f"unsupported file type {path.suffix!r}; use one of {', '.join(FORMATS)}",
        )
    if fmt == "csv":
        reader = (
            f"read_csv({qstr(str(path))}, header = true, delim = ',', quote = '\"', "
            "all_varchar = true, auto_detect = true)"
        )
        plain_from = reader
        numbered_from = f"{reader} WITH ORDINALITY"
        row_expr = "ordinality"  # already 1-based
    else:
        if fmt == "parquet":
            target = path
        else:
            target = scratch_dir / f"{name}.{fmt}.parquet"
            if fmt == "xlsx":
                _convert_excel(path, target)
            else:
                _convert_stat(path, fmt, name, target, rename)
        plain_from = f"read_parquet({qstr(str(target))})"
        numbered_from = f"read_parquet({qstr(str(target))}, file_row_number = true)"
        row_expr = "file_row_number + 1"
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {plain_from}").fetchall()
    except duckdb.Error as exc:
        raise _fail(path, "file_format", None, f"cannot be read as {fmt}: {exc}") from exc
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
                f"column '{dst}' occurs twice (after renaming); keep one of them or change "
                f"the [data.rename.{name}] mapping",
            )
        columns[dst] = typ
        select.append(f"{qident(src)} AS {qident(dst)}")
    cols_sql = ", ".join(select) if select else "NULL AS __empty"
    plain = f"SELECT {cols_sql} FROM {plain_from}"
    numbered = f"SELECT {cols_sql}, {row_expr} AS {ROW} FROM {numbered_from}"
    return Source(path, fmt, plain, numbered, columns, untyped=fmt in ("csv", "xlsx"))


def missing_columns(source: Source, schema: TableSchema, rename: Mapping[str, str]) -> None:
    """Raise ``required_column`` for the first required contract column not in the file."""
    for spec in schema.columns:
        if not spec.required or spec.name in source.columns:
            continue
        hints = []
        sources = [s for s, d in rename.items() if d == spec.name]
        if sources:
            hints.append(
                f"the rename mapping expects file column '{sources[0]}', which is not there"
            )
        close = difflib.get_close_matches(spec.name, list(source.columns), n=1, cutoff=0.6)
        if close:
            hints.append(
                f"did you mean '{close[0]}'? map it with [data.rename.{schema.name}] "
                f'{close[0]} = "{spec.name}"'
            )
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
    plain = (
        f"{src} >= '!' AND {src} < chr(127) AND NOT suffix({src}, ' ') "
        f"AND strlen({src}) = length({src})"
    )
    return f"(CASE WHEN {plain} THEN {src} ELSE NULLIF(trim({src}), '') END)"


def _norm_expr(src: str, typ: str) -> str:
    if typ == "VARCHAR":
        return trimmed(src)
    if typ in _FLOAT_TYPES:
        return f"(CASE WHEN isnan({src}) THEN NULL ELSE {src} END)"
    return src


def typed_expr(spec: ColumnSpec, typ: str) -> tuple[str, str]:
    """Return (typed SQL expression, normalised source expression) for a column.

    A row breaks rule ``type`` where the normalised source is not null and
    the typed expression is null.
    """
    src = qident(spec.name)
    norm = _norm_expr(src, typ)
    numeric = typ in _INT_TYPES or typ in _FLOAT_TYPES or typ.startswith("DECIMAL")
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
        dbl = f"TRY_CAST({norm} AS DOUBLE)"
        if typ == "VARCHAR" or numeric:
            expr = f"(CASE WHEN {dbl} = trunc({dbl}) THEN TRY_CAST({dbl} AS INTEGER) END)"
            return expr, norm
        return f"TRY_CAST({norm} AS INTEGER)", norm
    if spec.kind == "float":
        dbl = f"TRY_CAST({norm} AS DOUBLE)"
        return f"(CASE WHEN isnan({dbl}) OR isinf({dbl}) THEN NULL ELSE {dbl} END)", norm
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
    every value is a number, BOOLEAN when every value is true/false, and
    stays VARCHAR otherwise (all-empty columns, and codes with a leading
    zero such as "0800", too).
    """
    text_cols = [c for c in extras if source.columns[c] == "VARCHAR"]
    if not source.untyped or not text_cols:
        return {}
    parts = []
    for c in text_cols:
        n = trimmed(qident(c))
        d = f"TRY_CAST({n} AS DOUBLE)"
        parts += [
            f"count({n})",
            f"count(*) FILTER (WHERE {n} IS NOT NULL AND ({d} IS NULL OR {d} <> trunc({d}) "
            f"OR abs({d}) > 9e15))",
            f"count(*) FILTER (WHERE {n} IS NOT NULL AND ({d} IS NULL OR isnan({d}) "
            f"OR regexp_matches({n}, '^[+-]?0[0-9]')))",
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


def extra_expr(column: str, typ: str, inferred: str | None) -> str:
    """SQL for an extra (non-contract) column: kept as is, or cast to its inferred type."""
    src = qident(column)
    if inferred is None:
        return f"{src}"
    n = trimmed(src)
    if inferred == "BOOLEAN":
        return f"CAST(lower({n}) = 'true' AS BOOLEAN)"
    return f"CAST({n} AS {inferred})"


def schema_for(name: str) -> TableSchema:
    """Return the schema of contract table ``name`` or raise ContractError."""
    try:
        return TABLE_SCHEMAS[name]
    except KeyError:
        raise ContractError(
            f"'{name}' is not a contract table; known tables: {', '.join(TABLE_SCHEMAS)}",
            rule="unknown_table",
        ) from None
