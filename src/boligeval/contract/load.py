"""Find, read and validate the contract tables of a data directory."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from boligeval.contract.dialect import check_csv_options
from boligeval.contract.readers import (
    FORMATS,
    file_sha256,
    missing_columns,
    open_source,
    qident,
    schema_for,
)
from boligeval.contract.safety import read_failure
from boligeval.contract.schemas import REGISTER_TABLES, SURVEY_TABLES, TABLE_ORDER
from boligeval.contract.validate import (
    CheckedTable,
    check_case_rounds,
    check_dispatch_sent,
    check_foreign_key,
    check_plan_spells,
    check_price_coverage,
    check_scale_values,
    local_checks,
)
from boligeval.errors import ContractError

__all__ = ["InputTables", "TableInfo", "find_files", "load_inputs", "read_table"]

#: Tables each table needs for its foreign keys and cross-table rules.
_DEPENDS: Mapping[str, tuple[str, ...]] = {
    "departments": ("plans",),
    "department_plans": ("departments", "plans"),
    "plan_costs": ("plans",),
    "residents": ("departments",),
    "respondents": ("plans",),
    "answers": ("respondents", "codebook"),
    "dispatch": ("respondents",),
    "cases": ("plans",),
    "case_sources": ("cases",),
    "case_codes": ("case_sources",),
}
_CORE_SURVEY = ("respondents", "answers", "codebook")


@dataclass(frozen=True)
class TableInfo:
    """One loaded table, for the run manifest.

    Attributes
    ----------
    name : str
        Contract table name (also the DuckDB view name).
    path : Path
        The file read.
    format : str
        ``csv``, ``parquet``, ``dta``, ``sas7bdat``, ``sav`` or ``xlsx``.
    n_rows : int
        Number of data rows.
    sha256 : str
        Hex digest of the file.
    """

    name: str
    path: Path
    format: str
    n_rows: int
    sha256: str


@dataclass(frozen=True)
class InputTables:
    """The validated inputs: which tables were loaded, from where, and their hashes."""

    data_dir: Path
    tables: tuple[TableInfo, ...]

    def present(self, name: str) -> bool:
        """Whether table ``name`` was loaded."""
        return any(t.name == name for t in self.tables)

    def info(self, name: str) -> TableInfo:
        """Return the TableInfo of a loaded table (KeyError if not loaded)."""
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        """Names of the loaded tables, in validation order."""
        return tuple(t.name for t in self.tables)

    def manifest(self) -> list[dict[str, str | int]]:
        """Records for the run manifest (file name, format, rows, sha256)."""
        return [
            {
                "table": t.name,
                "file": t.path.name,
                "format": t.format,
                "n_rows": t.n_rows,
                "sha256": t.sha256,
            }
            for t in self.tables
        ]


def find_files(data_dir: Path) -> dict[str, Path]:
    """Map each contract table to its file in ``data_dir``.

    A folder named like a file (``residents.parquet/``, a partitioned Parquet
    dataset) counts as that table's file.

    Raises
    ------
    ContractError
        ``missing_file`` when ``data_dir`` is not a directory, ``duplicate_file``
        when a table comes in two files (e.g. ``plans.csv`` and ``plans.parquet``).
    """
    if not data_dir.is_dir():
        raise ContractError(
            f"{data_dir}: the data directory does not exist or is not a directory",
            file=str(data_dir),
            rule="missing_file",
        )
    found: dict[str, list[Path]] = {}
    for path in sorted(data_dir.iterdir()):
        if (path.is_file() or path.is_dir()) and path.suffix.lower() in FORMATS and (
            path.stem in TABLE_ORDER
        ):
            found.setdefault(path.stem, []).append(path)
    for name, paths in found.items():
        if len(paths) > 1:
            raise ContractError(
                f"{data_dir}: table '{name}' comes in {len(paths)} files "
                f"({', '.join(p.name for p in paths)}); rule 'duplicate_file'. How to fix: "
                "keep exactly one file per table.",
                file=str(paths[0]),
                rule="duplicate_file",
            )
    return {name: paths[0] for name, paths in found.items()}


def _check_table(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    name: str,
    scratch_dir: Path,
    rename: Mapping[str, str],
    csv_options: Mapping[str, str] | None = None,
) -> CheckedTable:
    schema = schema_for(name)
    source = open_source(path, con, name, scratch_dir, rename, csv_options)
    missing_columns(source, schema, rename)
    try:
        return local_checks(con, schema, source)
    except (duckdb.Error, OSError, MemoryError) as exc:
        raise read_failure(exc, path, source.format, dialect=source.dialect) from None


def _info(table: CheckedTable) -> TableInfo:
    path = table.source.path
    try:
        digest = file_sha256(path)
    except OSError as exc:
        raise read_failure(exc, path, table.source.format) from None
    return TableInfo(table.schema.name, path, table.source.format, table.n_rows, digest)


def read_table(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    name: str,
    scratch_dir: Path,
    rename: Mapping[str, str] | None = None,
    csv_options: Mapping[str, str] | None = None,
) -> TableInfo:
    """Read one contract file into view ``name`` and check its own rules.

    Rules that need another table (foreign keys to other tables,
    ``scale_value``, ``dispatch_sent``, ``price_coverage``) are checked by
    :func:`load_inputs` only.

    Parameters
    ----------
    path : Path
        The file; its format follows from the extension.
    con : duckdb.DuckDBPyConnection
        Connection in which the view ``name`` is created.
    name : str
        Contract table name.
    scratch_dir : Path
        Directory for Parquet conversions of Stata/SAS/SPSS/Excel files; must
        outlive the connection's use of the view.
    rename : mapping, optional
        File column name -> contract column name.
    csv_options : mapping, optional
        CSV ``delimiter``, ``decimal``, ``encoding`` (default: detected).

    Returns
    -------
    TableInfo
    """
    table = _check_table(
        Path(path), con, name, Path(scratch_dir), rename or {}, check_csv_options(csv_options)
    )
    con.execute(f"DROP VIEW IF EXISTS {qident(table.check_view)}")
    return _info(table)


def _resolve(
    files: Mapping[str, Path],
    tables: Sequence[str] | None,
    need_prices: bool,
    data_dir: Path,
) -> list[str]:
    if tables is None:
        wanted = set(files)
        if not wanted:
            raise ContractError(
                f"{data_dir}: no contract files found (expected e.g. plans.csv, "
                "departments.parquet, residents.parquet)",
                file=str(data_dir),
                rule="missing_file",
            )
    else:
        wanted = {schema_for(t).name for t in tables}
    if need_prices and "residents" in wanted:
        wanted.add("prices")
    survey = [t for t in wanted if t in SURVEY_TABLES]
    if survey and not any(t in files for t in survey):
        wanted -= set(survey)
    elif survey:
        wanted |= set(_CORE_SURVEY)
    if "departments" in wanted and "department_plans" in files:
        wanted.add("department_plans")  # plan histories go with the departments
    changed = True
    while changed:
        before = len(wanted)
        for t in list(wanted):
            wanted |= set(_DEPENDS.get(t, ()))
        changed = len(wanted) != before
    wanted -= {t for t in ("dispatch",) if t not in files}
    if "prices" not in files and not (need_prices and "residents" in wanted):
        wanted.discard("prices")
    for name in TABLE_ORDER:
        if name in wanted and name not in files:
            why = {
                "prices": "income outcomes are requested, which need a price index",
            }.get(name, "it is needed by the tables being read")
            if name in REGISTER_TABLES:
                why = "register data is being read"
            elif name in _CORE_SURVEY:
                why = "survey data is present, and respondents, answers and codebook go together"
            raise ContractError(
                f"{data_dir}: table '{name}' is missing (rule 'missing_file'): {why}. "
                f"How to fix: add {name}.csv (or .parquet, .dta, .sas7bdat, .sav, .xlsx).",
                file=str(data_dir / name),
                rule="missing_file",
            )
    return [t for t in TABLE_ORDER if t in wanted]


def load_inputs(
    data_dir: Path,
    con: duckdb.DuckDBPyConnection,
    *,
    scratch_dir: Path,
    rename: Mapping[str, Mapping[str, str]] | None = None,
    tables: Sequence[str] | None = None,
    need_prices: bool = False,
    csv_options: Mapping[str, str] | None = None,
) -> InputTables:
    """Read and validate the contract tables of ``data_dir`` into views of ``con``.

    Parameters
    ----------
    data_dir : Path
        Directory with one file per table, named after the table.
    con : duckdb.DuckDBPyConnection
        Connection in which the views ``plans``, ``departments``, ... are created.
    scratch_dir : Path
        Directory for Parquet conversions of Stata/SAS/SPSS/Excel files.
    rename : mapping, optional
        Per table, file column name -> contract column name (``[data.rename]``).
    tables : sequence of str, optional
        Tables to load; None loads every table present. Tables they depend on
        (foreign keys) are loaded too.
    need_prices : bool
        Whether income outcomes are requested; then ``prices`` is required
        and must cover every year in ``residents``.
    csv_options : mapping, optional
        How CSV files are read (``[data.csv]``): ``delimiter`` (``,``, ``;``,
        ``\t`` or ``|``), ``decimal`` (``.`` or ``,``) and ``encoding``
        (``utf-8``, ``utf-16`` or ``latin-1``); each defaults to ``auto``,
        detected per file.

    Returns
    -------
    InputTables

    Raises
    ------
    ContractError
        On the first broken rule; no views are left behind. No message quotes
        a record (see :mod:`boligeval.contract.safety`).
    ConfigError
        For unknown ``csv_options``.
    ResourceError
        When the machine runs out of memory or disk space while reading.
    """
    data_dir = Path(data_dir)
    scratch_dir = Path(scratch_dir)
    rename = rename or {}
    options = check_csv_options(csv_options)
    for key in rename:
        schema_for(key)
    files = find_files(data_dir)
    order = _resolve(files, tables, need_prices, data_dir)
    checked: dict[str, CheckedTable] = {}
    created: list[str] = []
    try:
        for name in order:
            created.append(name)
            checked[name] = _check_table(
                files[name], con, name, scratch_dir, rename.get(name, {}), options
            )
            if name == "case_codes" and "case_codebook" not in checked:
                # no case_codebook file: the codes are checked against the shipped one
                _shipped_case_codebook(con)
                created.append("case_codebook")
            with _reading(checked[name]):
                for fk in checked[name].schema.foreign_keys:
                    if fk.ref_table != name:
                        check_foreign_key(
                            con, checked[name], fk.columns, fk.ref_table, fk.ref_columns
                        )
        if "department_plans" in checked:
            with _reading(checked["department_plans"]):
                check_plan_spells(con, checked["department_plans"])
        if "answers" in checked:
            with _reading(checked["answers"]):
                check_scale_values(con, checked["answers"])
        if "case_sources" in checked:
            with _reading(checked["case_sources"]):
                check_case_rounds(con, checked["case_sources"])
        if "dispatch" in checked:
            with _reading(checked["dispatch"]):
                check_dispatch_sent(con, checked["dispatch"])
        if need_prices and "residents" in checked:
            with _reading(checked["residents"]):
                check_price_coverage(con, checked["residents"])
        infos = tuple(_info(checked[n]) for n in order)
    except BaseException:
        for name in created:
            con.execute(f"DROP VIEW IF EXISTS {qident(name)}")
        raise
    finally:
        for name in created:
            con.execute(f"DROP VIEW IF EXISTS {qident('__contract_check_' + name)}")
    return InputTables(data_dir, infos)


def _shipped_case_codebook(con: duckdb.DuckDBPyConnection) -> None:
    """Register the shipped case codebook as the ``case_codebook`` view."""
    from boligeval.cases import load_case_codebook

    book = load_case_codebook()
    columns = ("code", "theme", "level", "label_da", "label_en")
    con.execute("CREATE OR REPLACE TEMP TABLE __shipped_case_codebook ("
                + ", ".join(f"{c} VARCHAR" for c in columns) + ")")
    con.executemany("INSERT INTO __shipped_case_codebook VALUES (?, ?, ?, ?, ?)",
                    [[None if v is None or v is pd.NA else str(v) for v in row]
                     for row in book[list(columns)].astype(object).to_numpy().tolist()])
    con.execute("CREATE OR REPLACE VIEW case_codebook AS SELECT * FROM __shipped_case_codebook")


@contextmanager
def _reading(table: CheckedTable) -> Iterator[None]:
    """Report a failure while a table's views are scanned without quoting DuckDB."""
    try:
        yield
    except (duckdb.Error, OSError, MemoryError) as exc:
        source = table.source
        raise read_failure(exc, source.path, source.format, dialect=source.dialect) from None
