"""Messages that cannot carry data: what may be quoted, and wrapped reader errors.

No message of the contract quotes a record. The text of an exception raised
by DuckDB, pyreadstat, pyarrow, pandas or openpyxl can (DuckDB's CSV errors
quote the whole offending line), so it is never shown: :func:`read_failure`
turns such an exception into a message built only from the file name, the
format, the dialect, counts and line numbers. Values and column names found
in a file are shown only when they look like codes (:func:`shown_value`,
:func:`shown_name`), never when they could be an id or an amount.
"""

from __future__ import annotations

import errno
import re
import unicodedata
from pathlib import Path

import duckdb

from boligeval.contract.dialect import CsvDialect
from boligeval.errors import BoligevalError, ContractError, ResourceError

__all__ = [
    "FORMAT_NAMES",
    "read_failure",
    "shown_name",
    "shown_value",
]

FORMAT_NAMES = {
    "csv": "CSV",
    "parquet": "Parquet",
    "dta": "Stata .dta",
    "sas7bdat": "SAS .sas7bdat",
    "sav": "SPSS .sav",
    "xlsx": "Excel .xlsx",
}
_DIGITS = re.compile(r"\d")
_NUMBER = re.compile(r"^\s*[+-]?(\d[\d_]*)?([.,]\d*)?([eE][+-]?\d+)?\s*$")


def _printable(text: str) -> bool:
    return all(unicodedata.category(c)[0] != "C" for c in text)


def _numeric(text: str) -> bool:
    return bool(_DIGITS.search(text)) and bool(_NUMBER.match(text))


def shown_value(value: str, *, max_len: int = 40) -> bool:
    """Whether a value found in a code column may be quoted in a message.

    Codes are short text (``K``, ``immigrant``) or small whole numbers
    (``330``); anything that could be an amount, an id or a date (a number
    other than a whole number of at most three digits, or more than three
    digits in all) is not shown.
    """
    if not value or len(value) > max_len or not _printable(value):
        return False
    digits = len(_DIGITS.findall(value))
    if digits > 3:
        return False
    return not (_numeric(value) and not value.strip().isdigit())


def shown_name(name: str) -> bool:
    """Whether a column name found in a file may be quoted in a message.

    A header row that is really data (a file exported without header) would
    otherwise put a person's values into a message: names that look like
    numbers, or hold more than four digits, are not shown.
    """
    if not name or len(name) > 64 or not _printable(name):
        return False
    return len(_DIGITS.findall(name)) <= 4 and not _numeric(name)


def _memory_fix() -> str:
    return (
        "How to fix: give boligeval more memory (set BOLIGEVAL_MEMORY_LIMIT, e.g. 8GB, "
        "within what the machine has) or free memory used by other programs, and make sure "
        "the temporary folder has free disk space for DuckDB to spill to."
    )


def _text(exc: BaseException) -> str:
    return str(exc).lower()


def _is_memory(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.OutOfMemoryException | MemoryError) or (
        isinstance(exc, duckdb.Error) and "out of memory" in _text(exc)
    )


def _is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return isinstance(exc, duckdb.Error) and "no space left on device" in _text(exc)


def _is_permission(exc: BaseException) -> bool:
    if isinstance(exc, PermissionError):
        return True
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM):
        return True
    return isinstance(exc, duckdb.Error) and "permission denied" in _text(exc)


def _is_missing(exc: BaseException) -> bool:
    return isinstance(exc, FileNotFoundError) or (
        isinstance(exc, duckdb.IOException)
        and ("no files found" in _text(exc) or "no such file" in _text(exc))
    )


def access_failure(exc: BaseException, path: Path) -> BoligevalError | None:
    """A message for a failure of the machine rather than of the file's content, if it is one."""
    if _is_memory(exc):
        return ResourceError(
            f"{path}: the machine ran out of memory while reading and validating the file; "
            f"the file itself may be fine. {_memory_fix()}"
        )
    if _is_disk_full(exc):
        return ResourceError(
            f"{path}: the disk is full (while reading the file or writing DuckDB's temporary "
            "files); the file itself may be fine. How to fix: free disk space in the "
            "temporary folder and the output folder, then run again."
        )
    if _is_permission(exc):
        return ContractError(
            f"{path}: the file cannot be opened: permission denied (rule 'file_access'); the "
            "file itself may be fine. How to fix: give your user read access to the file "
            "(and to its folder), or copy it to a folder you can read.",
            file=str(path),
            rule="file_access",
            n_rows=0,
        )
    if _is_missing(exc):
        return ContractError(
            f"{path}: the file disappeared or cannot be found while it was being read (rule "
            "'file_access'). How to fix: make sure the file stays in place during the run.",
            file=str(path),
            rule="file_access",
            n_rows=0,
        )
    if isinstance(exc, OSError | duckdb.IOException):
        return ContractError(
            f"{path}: the file cannot be read: the operating system reported an input/output "
            "error (rule 'file_access'). How to fix: check that the disk or network drive is "
            "available and copy the file again.",
            file=str(path),
            rule="file_access",
            n_rows=0,
        )
    return None


def format_failure(
    path: Path, fmt: str, what: str, *, dialect: CsvDialect | None = None
) -> ContractError:
    """``file_format`` error: the file cannot be read as its extension says, and why."""
    how = FORMAT_NAMES.get(fmt, fmt)
    read_as = f" (read with {dialect.describe()})" if dialect is not None else ""
    if fmt == "csv":
        fix = (
            "How to fix: export the file again as CSV with one header row and the same number "
            "of fields on every line, values containing the delimiter, quotes or line breaks "
            'in double quotes; or set [data.csv] delimiter, decimal and encoding to the '
            "file's dialect."
        )
    else:
        fix = (
            f"How to fix: export the file again as {how} (a complete, undamaged file), or "
            "give it the extension of the format it is in."
        )
    return ContractError(
        f"{path}: the file cannot be read as {how}{read_as} (rule 'file_format'): {what}. {fix}",
        file=str(path),
        rule="file_format",
        n_rows=0,
    )


def read_failure(
    exc: BaseException, path: Path, fmt: str, *, dialect: CsvDialect | None = None
) -> BoligevalError:
    """Turn a reader's exception into a message that quotes nothing from the file.

    Parameters
    ----------
    exc : BaseException
        What DuckDB, the operating system or a format library raised; its text
        is inspected but never shown.
    path : Path
        The user's file.
    fmt : str
        The format it was read as.
    dialect : CsvDialect, optional
        For CSV files, how the file was read.
    """
    if isinstance(exc, BoligevalError):
        return exc
    access = access_failure(exc, path)
    if access is not None:
        return access
    if fmt == "csv":
        return csv_failure(path, dialect)
    if fmt == "parquet":
        what = "it is not a Parquet file, or it is damaged or truncated"
    else:
        what = f"it is not a {FORMAT_NAMES.get(fmt, fmt)} file, or it is damaged or truncated"
    return format_failure(path, fmt, what)


#: How far the Python diagnosis of a refused CSV file reads (an error path only).
_DIAGNOSIS_BYTES = 64 << 20


def _python_diagnosis(path: Path, dialect: CsvDialect) -> tuple[int, list[int], str] | None:
    """(count, first lines, words) of the malformed lines at the start of a CSV file.

    Reads at most 64 MiB with Python's CSV reader in ``dialect``: records with
    another number of fields than the header, text that does not decode, a
    quote left open at the end, and line endings that change within the file.
    """
    import csv
    import io

    try:
        with path.open("rb") as fh:
            raw = fh.read(_DIAGNOSIS_BYTES)
    except OSError:
        return None
    complete = len(raw) < _DIAGNOSIS_BYTES
    codec = {"utf-8": "utf-8-sig", "utf-16": "utf-16", "latin-1": "latin-1"}[dialect.encoding]
    bad: dict[str, list[int]] = {}
    # Undecodable bytes, by line.
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        if complete or exc.start < len(raw) - 4:
            line = raw[: exc.start].count(b"\n") + 1
            bad.setdefault("bytes that are not valid " + dialect.encoding.upper(), []).append(line)
        text = raw[: exc.start].decode(codec, errors="replace")
    if not complete and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    if crlf and lf:
        rare_crlf = crlf < lf
        odd = bad.setdefault("a line ending (CRLF or LF) unlike the file's other lines", [])
        for i, line_text in enumerate(text.split("\n")[:-1], start=1):
            if line_text.endswith("\r") == rare_crlf:
                odd.append(i)
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=dialect.delimiter, quotechar='"', strict=True
    )
    width, last = None, 0
    try:
        for record in reader:
            if width is None:
                width = len(record)
            elif record and len(record) != width:
                words = "more" if len(record) > width else "fewer"
                bad.setdefault(f"{words} fields than the header", []).append(last + 1)
            last = reader.line_num
    except csv.Error:
        bad.setdefault(
            "a quote that is not closed, or text right after a closing quote", []
        ).append(last + 1)
    if not bad:
        return None
    lines = sorted({n for found in bad.values() for n in found})
    parts = [
        f"{len(found)} line{'s' if len(found) != 1 else ''} with {words} (first: line "
        f"{min(found)})"
        for words, found in sorted(bad.items(), key=lambda kv: min(kv[1]))
    ]
    scope = "" if complete else " in the first 64 MiB"
    plural = "line breaks" if len(lines) == 1 else "lines break"
    what = (
        f"{len(lines)} {plural} the CSV structure{scope}: {'; '.join(parts)}; example lines "
        f"(1-based, the header is line 1): {', '.join(map(str, lines[:10]))}"
    )
    return len(lines), lines[:10], what


_REJECT_WORDS = {
    "TOO MANY COLUMNS": "more fields than the header",
    "MISSING COLUMNS": "fewer fields than the header",
    "UNQUOTED VALUE": "a quote that is not closed, or text right after a closing quote",
    "INVALID UNICODE": "bytes that are not valid in the encoding",
    "INVALID ENCODING": "bytes that are not valid in the encoding",
    "LINE SIZE OVER MAXIMUM": "a line longer than the reader's maximum (2 MB)",
    "INVALID STATE": "a structure the CSV reader cannot follow",
}


def csv_failure(path: Path, dialect: CsvDialect | None) -> ContractError:
    """``file_format`` error for a CSV file DuckDB refused, with line numbers and no content.

    The file is scanned once more with DuckDB's rejects table, which records the
    line number and kind of every malformed line (never shown: the line itself).
    """
    if dialect is None:
        return format_failure(path, "csv", "the file's structure is not valid CSV")
    from boligeval.contract.readers import csv_reader_sql

    con = duckdb.connect()
    try:
        reader = csv_reader_sql(
            path, dialect, extra="store_rejects = true, rejects_table = 'rj', "
            "rejects_scan = 'rs', rejects_limit = 0"
        )
        # Every column is used, so that every field is parsed and checked.
        con.execute(f"SELECT sum(hash(COLUMNS(*))) FROM {reader}").fetchall()
        kinds = con.execute(
            "SELECT CAST(error_type AS VARCHAR), count(DISTINCT line), min(line) FROM rj "
            "GROUP BY ALL ORDER BY 3"
        ).fetchall()
        lines = [
            int(r[0])
            for r in con.execute("SELECT DISTINCT line FROM rj ORDER BY line LIMIT 10").fetchall()
        ]
        total_row = con.execute("SELECT count(DISTINCT line) FROM rj").fetchone()
        total = int(total_row[0]) if total_row else 0
    except (duckdb.Error, OSError, MemoryError):
        kinds, lines, total = [], [], 0
    finally:
        con.close()
    if not total:
        # DuckDB's sniffer gives up on errors within its sample, before any
        # rejects are recorded: find the lines with Python's CSV reader instead.
        found = _python_diagnosis(path, dialect)
        if found is not None:
            total, lines, what = found
            err = format_failure(path, "csv", what, dialect=dialect)
            err.n_rows, err.rows = total, lines
            return err
        what = (
            "the CSV reader could not make out the file's structure (it may not be a text "
            "file, or its delimiter, quotes or encoding differ from the ones used)"
        )
        return format_failure(path, "csv", what, dialect=dialect)
    parts = []
    for kind, n, first in kinds:
        words = _REJECT_WORDS.get(str(kind), "a malformed structure")
        if kind in ("INVALID UNICODE", "INVALID ENCODING"):
            words = f"bytes that are not valid {dialect.encoding.upper()}"
        parts.append(f"{n} line{'s' if n != 1 else ''} with {words} (first: line {first})")
    plural = "line breaks" if total == 1 else "lines break"
    what = (
        f"{total} {plural} the CSV structure: {'; '.join(parts)}; example lines "
        f"(1-based, the header is line 1): {', '.join(map(str, lines))}"
    )
    if dialect.encoding != "latin-1" and any(
        k in ("INVALID UNICODE", "INVALID ENCODING") for k, _, _ in kinds
    ):
        what += (
            f" (the file is not {dialect.encoding.upper()} throughout; Danish Excel saves "
            "Windows-1252: save the file as UTF-8, or set [data.csv] encoding = \"latin-1\")"
        )
    err = format_failure(path, "csv", what, dialect=dialect)
    err.n_rows, err.rows = total, lines
    return err
