"""Find and open the raw register files as typed SQL, year by year.

A table is given as one of

* a year-partitioned Parquet folder (``bef/year=2005/part-0.parquet``, the
  fastreg layout);
* a file per year, with ``{year}`` in the name (``bef{year}.sas7bdat``,
  ``bef_{year}.parquet``);
* one file (or a folder of files) with a ``year`` column (after renaming).

Parquet and CSV are read in place; SAS (``.sas7bdat``, ``.xpt``) and Stata
(``.dta``) files are converted chunk-wise to Parquet in the scratch folder,
only the columns that are read. Variable names match case-insensitively.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from boligeval.contract.readers import qident, qstr
from boligeval.contract.safety import read_failure
from boligeval.errors import ConfigError, ContractError

__all__ = ["Branch", "TableSource", "open_table"]

_FORMATS = {".parquet": "parquet", ".csv": "csv", ".sas7bdat": "sas7bdat", ".xpt": "xport",
            ".dta": "dta"}
_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
            "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "REAL")
#: How each DST variable is typed: text codes/ids, dates, amounts.
DATES = frozenset({"FOED_DAG", "BOP_VFRA", "AFG_DATO"})
AMOUNTS = frozenset({"DISPON_13", "PERINDKIALT_13"})
_CHUNK = 500_000


@dataclass(frozen=True)
class Branch:
    """One year (or one file with a year column) of a table."""

    year: int | None  # None: the year comes from the file's year column
    files: tuple[Path, ...]
    fmt: str
    reader: str  # SQL table function over the files
    columns: Mapping[str, str]  # DST name (upper) -> (source name, type) as "name\ttype"

    def source(self, var: str) -> tuple[str, str]:
        """The source column name and DuckDB type of DST variable ``var``."""
        name, typ = self.columns[var.upper()].split("\t")
        return name, typ


@dataclass
class TableSource:
    """A raw register table: its branches and the years it holds."""

    name: str
    spec: Path
    branches: list[Branch] = field(default_factory=list)
    years: tuple[int, ...] = ()

    def where(self, year: int | None = None) -> str:
        """The file(s) of a year, for messages."""
        for b in self.branches:
            if b.year == year or b.year is None:
                return str(b.files[0]) if len(b.files) == 1 else f"{b.files[0].parent}/"
        return str(self.spec)

    def select(
        self,
        variables: Mapping[str, str],
        years: Sequence[int] | None,
        join: tuple[str, str, Mapping[str, str], Sequence[str]] | None = None,
    ) -> str:
        """SQL selecting typed, DST-named ``variables`` (name -> output name) and ``year``.

        Parameters
        ----------
        variables : mapping of str to str
            DST variable (upper case, as configured) -> output column name.
        years : sequence of int, optional
            Only these years (None: all).
        join : (kind, table, keys, extra), optional
            Join each file to ``table`` while it is read (``kind`` ``JOIN`` or
            ``SEMI JOIN``) on ``keys`` (DST variable -> the table's column) and
            the year, keeping the table's ``extra`` columns: only the rows that
            match are typed and passed on.
        """
        parts: list[str] = []
        for b in self.branches:
            if years is not None and b.year is not None and b.year not in years:
                continue
            cols = [f"{_typed(v, *b.source(v), b.fmt)} AS {qident(out)}"
                    for v, out in variables.items()]
            if b.year is None and "YEAR" not in b.columns:  # KRAF: dated, no year
                year_sql, where = "NULL::INTEGER", ""
            elif b.year is None:
                yname = b.source("YEAR")[0]
                year_sql = f"CAST(r.{qident(yname)} AS INTEGER)"
                where = (f" WHERE {year_sql} IN ({', '.join(map(str, years))})"
                         if years is not None else "")
            else:
                year_sql, where = str(b.year), ""
            from_sql = f"{b.reader} r"
            if join is not None:
                kind, table, keys, extra = join
                on = " AND ".join(f"j.{qident(col)} = {_typed(v, *b.source(v), b.fmt)}"
                                  for v, col in keys.items())
                from_sql += f" {kind} {table} j ON {on} AND j.year = {year_sql}"
                cols += [f"j.{qident(e)}" for e in extra]
            parts.append(f"SELECT {', '.join(cols)}, {year_sql} AS year FROM {from_sql}{where}")
        if not parts:
            nulls = ", ".join(f"NULL AS {qident(out)}" for out in variables.values())
            return f"SELECT {nulls}, NULL::INTEGER AS year WHERE false"
        return "\nUNION ALL\n".join(parts)


def _typed(var: str, name: str, typ: str, fmt: str = "parquet") -> str:
    col = f"r.{qident(name)}"
    base = typ.split("(")[0].upper()
    if var in DATES:
        if base == "DATE":
            return col
        if base.startswith("TIMESTAMP"):
            return f"CAST({col} AS DATE)"
        if base in _NUMERIC:  # SAS and Stata dates: days since 1960-01-01
            return f"(DATE '1960-01-01' + CAST({col} AS INTEGER))"
        return f"TRY_CAST(trim(CAST({col} AS VARCHAR)) AS DATE)"
    if var in AMOUNTS:
        return col if base == "DOUBLE" else f"TRY_CAST({col} AS DOUBLE)"
    if base in _NUMERIC:
        if base in ("FLOAT", "DOUBLE", "REAL"):
            return f"CAST(CAST({col} AS BIGINT) AS VARCHAR)"
        return f"CAST({col} AS VARCHAR)"
    if base == "VARCHAR" and fmt == "parquet":
        return col  # typed text as it is: no per-row work on national files
    return f"NULLIF(trim(CAST({col} AS VARCHAR)), '')"


def _convert(path: Path, fmt: str, wanted: set[str], out: Path) -> None:
    """Convert a SAS/Stata file's ``wanted`` columns to Parquet, chunk by chunk."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    import pyreadstat

    readers: dict[str, Callable[..., Any]] = {
        "sas7bdat": pyreadstat.read_sas7bdat,
        "xport": pyreadstat.read_xport,
        "dta": pyreadstat.read_dta,
    }
    read = readers[fmt]
    try:
        _, meta = read(str(path), metadataonly=True)
    except Exception as exc:  # pyreadstat raises its own error types; never show their text
        raise read_failure(exc, path, fmt) from None
    cols = [c for c in meta.column_names if c.upper() in wanted]
    fields = [pa.field(c, pa.string() if meta.readstat_variable_types.get(c) == "string"
                       else pa.float64()) for c in cols]
    schema = pa.schema(fields)
    # Date-times (SAS DATETIME: seconds, Stata %tc: milliseconds since 1960) become days
    # since 1960, like SAS and Stata dates.
    scale: dict[str, float] = {}
    for c in cols:
        form = str(meta.original_variable_types.get(c, "")).upper()
        if form.startswith("DATETIME"):
            scale[c] = 86_400.0
        elif form.startswith("%TC"):
            scale[c] = 86_400_000.0
    out.parent.mkdir(parents=True, exist_ok=True)
    with pq.ParquetWriter(str(out), schema) as writer:
        for df, _ in pyreadstat.read_file_in_chunks(
            read, str(path), chunksize=_CHUNK, usecols=cols, disable_datetime_conversion=True
        ):
            for c, factor in scale.items():
                df[c] = (df[c] // factor).astype("float64")
            for f in fields:
                if pa.types.is_string(f.type):
                    df[f.name] = [None if v is None or (isinstance(v, float) and math.isnan(v))
                                  else str(v) for v in df[f.name].tolist()]
            writer.write_table(pa.Table.from_pandas(df[cols], schema=schema,
                                                    preserve_index=False))


def _reader(files: Sequence[Path], fmt: str) -> str:
    paths = "[" + ", ".join(qstr(str(f)) for f in files) + "]"
    if fmt == "csv":
        return f"read_csv({paths}, header = true, all_varchar = true, union_by_name = true)"
    return f"read_parquet({paths}, union_by_name = true)"


def _files(spec: Path) -> list[tuple[int | None, list[Path]]]:
    """(year or None, files) groups of a table's path spec."""
    text = str(spec)
    if "{year}" in text:
        pattern = re.compile(re.escape(text).replace(re.escape("{year}"), r"(\d{4})") + "$")
        glob_root = Path(text.split("{year}")[0]).parent
        found: dict[int, list[Path]] = {}
        if glob_root.is_dir():
            for p in sorted(glob_root.rglob("*")):
                m = pattern.match(str(p))
                if m and p.is_file():
                    found.setdefault(int(m.group(1)), []).append(p)
        return sorted(found.items())
    if spec.is_dir():
        parts = sorted(spec.glob("year=*"))
        if parts:
            out: list[tuple[int | None, list[Path]]] = []
            for d in parts:
                try:
                    y = int(d.name.split("=", 1)[1])
                except ValueError:
                    continue
                files = sorted(f for f in d.rglob("*") if f.suffix.lower() in _FORMATS)
                if files:
                    out.append((y, files))
            return out
        files = sorted(f for f in spec.rglob("*") if f.suffix.lower() in _FORMATS)
        return [(None, files)] if files else []
    if spec.is_file():
        return [(None, [spec])]
    return []


def open_table(
    con: duckdb.DuckDBPyConnection,
    name: str,
    spec: Path,
    needed: Sequence[str],
    rename: Mapping[str, str],
    scratch: Path,
) -> TableSource:
    """Open one raw table: find its files, convert SAS/Stata, check its variables.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
    name : str
        Table name (``bef``, ``akm``, ...).
    spec : Path
        Folder, file or ``{year}`` pattern.
    needed : sequence of str
        DST variables that must be present (upper case).
    rename : mapping of str to str
        Local name (upper case) -> DST name.
    scratch : Path
        Where converted files go.

    Raises
    ------
    ConfigError
        No file matches the spec.
    ContractError
        A variable is missing in a year (named with the register, year and file).
    """
    groups = _files(spec)
    if not groups:
        raise ConfigError(
            f"register {name}: no files found at {spec} ([registers.tables] {name}); give a "
            "year-partitioned folder (bef/year=2005/...), a file pattern with {year} "
            "(bef{year}.sas7bdat) or one file with a year column."
        )
    src = TableSource(name=name, spec=spec)
    inverse = {v.upper(): k for k, v in rename.items()}
    wanted_local = {inverse.get(v.upper(), v.upper()) for v in [*needed, "YEAR"]}
    for year, files in groups:
        fmts = {_FORMATS[f.suffix.lower()] for f in files}
        if len(fmts) != 1:
            raise ConfigError(f"register {name}: mixed file types in {files[0].parent}.")
        fmt = fmts.pop()
        if fmt in ("sas7bdat", "xport", "dta"):
            converted = []
            for i, f in enumerate(files):
                out = scratch / "converted" / f"{name}_{year or 'all'}_{i}.parquet"
                _convert(f, fmt, wanted_local, out)
                converted.append(out)
            reader = _reader(converted, "parquet")
        else:
            reader = _reader(files, fmt)
        try:
            described = con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()
        except duckdb.Error as exc:  # DuckDB's text may quote the file: never show it
            raise read_failure(exc, files[0], fmt) from None
        columns: dict[str, str] = {}
        for row in described:
            local = str(row[0])
            dst = rename.get(local.upper(), local).upper()
            columns.setdefault(dst, f"{local}\t{row[1]}")
        where = str(files[0]) if len(files) == 1 else f"{files[0].parent}/"
        for var in needed:
            if var.upper() not in columns:
                yr = f" year {year}" if year is not None else ""
                raise ContractError(
                    f"register {name}{yr}: variable '{var}' is missing in {where} (rule "
                    f"'required_variable'). Columns found: {', '.join(sorted(columns)[:20])}. "
                    f"How to fix: map the local name in [registers.rename] ({'{'}LOCAL = "
                    f"\"{var}\"{'}'}), or give the right file.",
                    file=where, column=var, rule="required_variable",
                )
        if year is None and name != "kraf" and "YEAR" not in columns:
            raise ContractError(
                f"register {name}: {where} has no year column and its path has no {{year}} "
                "(rule 'required_variable'). How to fix: a year-partitioned folder, a "
                "{year} pattern, or map the year column in [registers.rename] (AAR = \"year\").",
                file=where, column="year", rule="required_variable",
            )
        src.branches.append(Branch(year=year, files=tuple(files), fmt=fmt, reader=reader,
                                   columns=columns))
    years: set[int] = set()
    for b in src.branches:
        if b.year is not None:
            years.add(b.year)
        elif "YEAR" in b.columns:
            yname = b.source("YEAR")[0]
            rows = con.execute(
                f"SELECT DISTINCT CAST({qident(yname)} AS INTEGER) FROM {b.reader}"
            ).fetchall()
            years.update(int(r[0]) for r in rows if r[0] is not None)
    src.years = tuple(sorted(years))
    return src
