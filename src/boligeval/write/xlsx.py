"""tables.xlsx: every table of the report, one sheet each."""

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


def _xlsx(tables: Sequence[tuple[str, Table]], lang: str, meta: Mapping[str, Any]) -> bytes:
    wb = Workbook()
    default = wb.active
    if default is not None:
        wb.remove(default)
    used: set[str] = set()
    bold = Font(bold=True)
    for i, (cap, t) in enumerate(tables, start=1):
        ws = wb.create_sheet(_sheet_name(i, t.key, used))
        ws.cell(row=1, column=1, value=cap).font = bold
        header = [t.corner, *t.columns]
        for j, h in enumerate(header, start=1):
            c = ws.cell(row=3, column=j, value=h)
            c.font = bold
            c.alignment = Alignment(wrap_text=True, horizontal="left" if j == 1 else "right")
        for k, row in enumerate(t.rows, start=4):
            ws.cell(row=k, column=1, value=row.label)
            for j, v in enumerate(row.cells, start=2):
                ws.cell(row=k, column=j, value=v).alignment = Alignment(horizontal="right")
        for m, note in enumerate(t.notes, start=len(t.rows) + 5):
            ws.cell(row=m, column=1, value=note)
        ws.column_dimensions["A"].width = 45
        for j in range(2, len(header) + 1):
            ws.column_dimensions[ws.cell(row=3, column=j).column_letter].width = 18
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
