"""tables.xlsx: every table of the report, one sheet each, numbers as numbers.

Each sheet has the table's title (row 1), its header (row 3), its rows and its
notes. Estimates, standard errors, counts and shares are numeric cells with a
number format that shows them as the report does; significance stars are in a
column of their own, right of the column they belong to; suppressed values
stay "·".
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from boligeval.report.document import Document, require_document
from boligeval.report.tables import Table

__all__ = ["write_xlsx"]

_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _sheet_name(i: int, key: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "_", f"T{i:02d} {key}")[:31]
    while name in used:
        name = name[:-1] + "_"
    used.add(name)
    return name


def _normalise_zip(data: bytes, timestamp: str) -> bytes:
    """Rewrite a zip (xlsx) with fixed member times and the given document time."""
    stamp = (
        timestamp
        if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", timestamp)
        else "2000-01-01T00:00:00Z"
    )
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                s = body.decode("utf-8")
                s = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    rf"\g<1>{stamp}\g<3>",
                    s,
                )
                body = s.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, body)
    return buf.getvalue()


_NUMBER = re.compile(
    r"^(?P<pre>n = |\()?(?P<num>[\u2212\-]?[\d.,]+)(?P<post>\))?(?P<stars>\*{1,3})?$"
)


def parse_cell(cell: str, lang: str) -> tuple[Any, str | None, str]:
    """A formatted cell as (value, number format, stars).

    Numbers become floats (or ints) with an Excel number format that shows
    them as the report does: decimals, thousands separators, a standard error
    in parentheses, ``n = ...``. Anything else (labels, intervals, the
    suppression mark) stays text with no format.
    """
    m = _NUMBER.match(cell.strip())
    if not m or (m.group("pre") == "(") != (m.group("post") == ")"):
        return cell, None, ""
    raw = m.group("num").replace("\u2212", "-")
    dec_mark, thousands = (",", ".") if lang == "da" else (".", ",")
    if raw.count(dec_mark) > 1:
        return cell, None, ""
    body = raw.replace(thousands, "")
    decimals = len(body.split(dec_mark)[1]) if dec_mark in body else 0
    try:
        value: float | int = float(body.replace(dec_mark, "."))
    except ValueError:
        return cell, None, ""
    if decimals == 0:
        value = int(value)
    fmt = ("#,##0" if thousands in raw or abs(value) >= 1000 else "0") + (
        "." + "0" * decimals if decimals else "")
    if m.group("pre") == "(":
        fmt = f"({fmt})"
    elif m.group("pre") == "n = ":
        fmt = f'"n = "{fmt}'
    return value, fmt, m.group("stars") or ""


def _xlsx(tables: Sequence[tuple[str, Table]], lang: str, meta: Mapping[str, Any]) -> bytes:
    wb = Workbook()
    default = wb.active
    if default is not None:
        wb.remove(default)
    used: set[str] = set()
    bold = Font(bold=True)
    stars_head = "Signifikans" if lang == "da" else "Significance"
    for i, (cap, t) in enumerate(tables, start=1):
        ws = wb.create_sheet(_sheet_name(i, t.key, used))
        ws.cell(row=1, column=1, value=cap).font = bold
        parsed = [[parse_cell(c, lang) for c in row.cells] for row in t.rows]
        ncol = len(t.columns)
        # a column whose cells carry stars gets a stars column to its right
        starred = [any(len(r) > j and r[j][2] for r in parsed) for j in range(ncol)]
        position: list[int] = []
        col = 2
        for j in range(ncol):
            position.append(col)
            col += 2 if starred[j] else 1
        ws.cell(row=3, column=1, value=t.corner).font = bold
        for j, h in enumerate(t.columns):
            c = ws.cell(row=3, column=position[j], value=h)
            c.font = bold
            c.alignment = Alignment(wrap_text=True, horizontal="right")
            if starred[j]:
                ws.cell(row=3, column=position[j] + 1, value=stars_head).font = bold
        for k, (row, cells) in enumerate(zip(t.rows, parsed, strict=True), start=4):
            ws.cell(row=k, column=1, value=row.label)
            for j, (value, fmt, st) in enumerate(cells[:ncol]):
                c = ws.cell(row=k, column=position[j], value=value if value != "" else None)
                c.alignment = Alignment(horizontal="right")
                if fmt is not None:
                    c.number_format = fmt
                if starred[j] and st:
                    ws.cell(row=k, column=position[j] + 1, value=st)
        for m, note in enumerate(t.notes, start=len(t.rows) + 5):
            ws.cell(row=m, column=1, value=note)
        ws.column_dimensions["A"].width = 45
        for j in range(2, col):
            ws.column_dimensions[ws.cell(row=3, column=j).column_letter].width = 14
    if not tables:
        wb.create_sheet("T00")
    wb.properties.creator = "boligeval"
    wb.properties.language = lang
    buf = io.BytesIO()
    wb.save(buf)
    return _normalise_zip(buf.getvalue(), str(meta.get("timestamp", "")))


def write_xlsx(document: Document, path: Path) -> Path:
    """Write the document's tables as a workbook (fixed member times: same bytes per input)."""
    require_document(document)
    path.write_bytes(_xlsx(document.tables, document.lang, document.meta))
    return path
