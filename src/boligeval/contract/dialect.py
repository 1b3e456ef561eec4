"""CSV dialects: the encoding, delimiter and decimal mark of a CSV file.

Each of the three is either given (``csv_options`` of
:func:`boligeval.contract.load_inputs`, fed by ``[data.csv]``) or detected
from the first MiB of the file:

* encoding: a byte-order mark decides (UTF-8 or UTF-16); otherwise UTF-8
  when the sample decodes as UTF-8, else Latin-1 (which also covers the
  letters of Windows-1252, the default of Danish Excel);
* delimiter: among ``,`` ``;`` TAB and ``|``, the one that splits the header
  into the most columns with the same number of fields in the sample rows;
* decimal mark: ``.`` for comma-separated files; for the others ``,`` when a
  sample field looks like a number with a decimal comma (``1234,5``).

The dialect is named in every message about the file's layout, so a user
sees how the file was read.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from boligeval.errors import ConfigError

__all__ = ["AUTO", "CsvDialect", "check_csv_options", "detect_dialect", "parse_header"]

AUTO = "auto"
#: Delimiters tried by detection, in order of preference on ties.
DELIMITERS: Mapping[str, str] = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
DECIMALS: Mapping[str, str] = {".": "point", ",": "comma"}
#: Encodings DuckDB's CSV reader knows.
ENCODINGS = ("utf-8", "utf-16", "latin-1")
_DELIMITER_ALIASES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
_DECIMAL_ALIASES = {"point": ".", "dot": ".", "period": ".", "comma": ","}
_ENCODING_ALIASES = {
    "utf8": "utf-8",
    "utf-8-sig": "utf-8",
    "utf16": "utf-16",
    "latin1": "latin-1",
    "iso-8859-1": "latin-1",
    "iso8859-1": "latin-1",
    "cp1252": "latin-1",
    "windows-1252": "latin-1",
}
OPTION_KEYS = ("delimiter", "decimal", "encoding")
SAMPLE_BYTES = 1 << 20
_SAMPLE_RECORDS = 200
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is read.

    Attributes
    ----------
    delimiter, decimal, encoding : str
        Field delimiter, decimal mark of numbers, and text encoding (one of
        ``utf-8``, ``utf-16``, ``latin-1``).
    detected : frozenset of str
        Which of ``delimiter``, ``decimal``, ``encoding`` were detected
        rather than given.
    """

    delimiter: str
    decimal: str
    encoding: str
    detected: frozenset[str] = frozenset()

    def describe(self) -> str:
        """The dialect in words, e.g. ``delimiter ';' (semicolon, detected), ...``."""

        def how(key: str) -> str:
            return "detected" if key in self.detected else "set in [data.csv]"

        delim = "TAB" if self.delimiter == "\t" else repr(self.delimiter)
        return (
            f"delimiter {delim} ({DELIMITERS[self.delimiter]}, {how('delimiter')}), "
            f"decimal mark {self.decimal!r} ({how('decimal')}), "
            f"encoding {self.encoding.upper()} ({how('encoding')})"
        )


def check_csv_options(options: Mapping[str, str] | None) -> dict[str, str]:
    """Normalise ``csv_options``: known keys, known values, ``auto`` where not given.

    Raises
    ------
    ConfigError
        For an unknown key or value.
    """
    out = {key: AUTO for key in OPTION_KEYS}
    for key, value in (options or {}).items():
        if key not in OPTION_KEYS:
            raise ConfigError(
                f"Unknown CSV option '{key}' in [data.csv]; known options: "
                f"{', '.join(OPTION_KEYS)}."
            )
        text = str(value)
        low = text.strip().lower()
        if low == AUTO:
            continue
        if key == "delimiter":
            text = _DELIMITER_ALIASES.get(low, text)
            allowed = DELIMITERS
        elif key == "decimal":
            text = _DECIMAL_ALIASES.get(low, text)
            allowed = DECIMALS
        else:
            text = _ENCODING_ALIASES.get(low, low)
            allowed = {e: e for e in ENCODINGS}
        if text not in allowed:
            shown = ", ".join("TAB" if a == "\t" else repr(a) for a in allowed)
            raise ConfigError(
                f"[data.csv] {key} = {value!r} is not supported; use 'auto' or one of {shown}."
            )
        out[key] = text
    return out


def _read_sample(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(SAMPLE_BYTES)


def _detect_encoding(raw: bytes, complete: bool) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is not an error.
        if complete or exc.start < len(raw) - 4:
            return "latin-1"
    return "utf-8"


def _decode(raw: bytes, encoding: str) -> str:
    codec = {"utf-8": "utf-8-sig", "utf-16": "utf-16", "latin-1": "latin-1"}[encoding]
    return raw.decode(codec, errors="replace")


def _records(text: str, delimiter: str, limit: int = _SAMPLE_RECORDS) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"', strict=False)
    out: list[list[str]] = []
    try:
        for record in reader:
            if record:
                out.append(record)
            if len(out) >= limit:
                break
    except csv.Error:
        pass
    return out


def _detect_delimiter(text: str) -> str:
    best, best_score = ",", (-1.0, 0)
    for delimiter in DELIMITERS:
        records = _records(text, delimiter)
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        rows = records[1:]
        agree = sum(len(r) == width for r in rows) / len(rows) if rows else 1.0
        score = (agree, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _detect_decimal(text: str, delimiter: str) -> str:
    if delimiter == ",":
        return "."
    for record in _records(text, delimiter)[1:]:
        if any(_DECIMAL_COMMA.match(field.strip()) for field in record):
            return ","
    return "."


def _sample_text(raw: bytes, encoding: str, complete: bool) -> str:
    text = _decode(raw, encoding)
    if not complete and "\n" in text:
        text = text[: text.rindex("\n") + 1]  # whole lines only
    return text


def detect_dialect(path: Path, options: Mapping[str, str] | None = None) -> CsvDialect:
    """Return the dialect of a CSV file: given options, the rest detected.

    Parameters
    ----------
    path : Path
        The CSV file.
    options : mapping, optional
        ``delimiter``, ``decimal``, ``encoding``; ``auto`` or missing means detect.

    Raises
    ------
    ConfigError
        For unknown options. ``OSError`` from opening the file is left to the
        caller, which names the problem.
    """
    opts = check_csv_options(options)
    raw = _read_sample(path)
    complete = len(raw) < SAMPLE_BYTES
    detected = set()
    encoding = opts["encoding"]
    if encoding == AUTO:
        encoding = _detect_encoding(raw, complete)
        detected.add("encoding")
    text = _sample_text(raw, encoding, complete)
    delimiter = opts["delimiter"]
    if delimiter == AUTO:
        delimiter = _detect_delimiter(text)
        detected.add("delimiter")
    decimal = opts["decimal"]
    if decimal == AUTO:
        decimal = _detect_decimal(text, delimiter)
        detected.add("decimal")
    return CsvDialect(delimiter, decimal, encoding, frozenset(detected))


def parse_header(path: Path, dialect: CsvDialect) -> list[str]:
    """Return the header fields of a CSV file as read with ``dialect`` (empty if none)."""
    raw = _read_sample(path)
    text = _sample_text(raw, dialect.encoding, len(raw) < SAMPLE_BYTES)
    records = _records(text, dialect.delimiter, limit=1)
    return records[0] if records else []
