"""report.docx: the report as a Word document (python-docx), optionally on a house template.

The same document as report.html: the title, the sections in order with their
paragraphs and findings, every table with its caption above and its notes
below, and every figure as PNG with its caption and note. With a template
(``meta["docx_template"]``, a .docx or .dotx path) the template's styles,
page set-up, headers and footers are kept and its body text is replaced by the
report, so the institute's house style applies. Styles the template lacks fall
back to direct formatting.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from boligeval.errors import ReportError
from boligeval.report.document import Block, Document, require_document
from boligeval.report.i18n import text
from boligeval.report.tables import Table
from boligeval.write.xlsx import _normalise_zip

__all__ = ["write_docx"]

_DOTX = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def _open_template(path: Path | str | None) -> Any:
    """A python-docx document: the template with its body emptied, or the default one."""
    if path is None or str(path) == "":
        return docx.Document()
    p = Path(path)
    if not p.is_file():
        raise ReportError(f"docx template {p} does not exist")
    data = p.read_bytes()
    if p.suffix.lower() == ".dotx":
        # a Word template (.dotx) differs from a document only in its content type
        buf = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, \
                zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                body = src.read(info.filename)
                if info.filename == "[Content_Types].xml":
                    body = body.replace(_DOTX.encode(), _DOCX.encode())
                dst.writestr(info, body)
        data = buf.getvalue()
    try:
        doc = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for a bad file
        raise ReportError(f"docx template {p} is not a Word document: {exc}") from None
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return doc


def _style(doc: Any, name: str) -> str | None:
    """The style's name if the document (template) has it, else None."""
    try:
        doc.styles[name]
    except KeyError:
        return None
    return name


def _para(doc: Any, txt: str, style: str | None = None, *, size: float | None = None,
          bold: bool = False, italic: bool = False) -> Any:
    p = doc.add_paragraph(style=_style(doc, style) if style else None)
    run = p.add_run(txt)
    if size is not None:
        run.font.size = Pt(size)
    if bold:
        run.bold = True
    if italic:
        run.italic = True
    return p


def _heading(doc: Any, txt: str, level: int) -> None:
    name = "Title" if level == 0 else f"Heading {level}"
    if _style(doc, name):
        doc.add_heading(txt, level)
    else:
        _para(doc, txt, size=20 if level == 0 else 14, bold=True)


def _caption(doc: Any, txt: str) -> None:
    p = _para(doc, txt, "Caption", bold=True)
    p.paragraph_format.keep_with_next = True


def _notes(doc: Any, notes: tuple[str, ...] | list[str]) -> None:
    last = None
    for note in notes:
        last = _para(doc, note, size=8)
        last.paragraph_format.space_after = Pt(0)
    if last is not None:
        last.paragraph_format.space_after = Pt(10)


def _cell(cell: Any, txt: str, size: float, *, right: bool, bold: bool = False) -> None:
    cell.text = ""
    p = cell.paragraphs[0]
    run = p.add_run(txt)
    run.font.size = Pt(size)
    run.bold = bold
    p.paragraph_format.space_after = Pt(0)
    if right:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT


#: Heat-map fills of shades 1-4 (the HTML report's colours).
_HEAT = ("EEF3F8", "D4E1EE", "B3CBE2", "8FB2D4")


def _shade(cell: Any, shade: int) -> None:
    """Fill a heat-map cell."""
    tc_pr = cell._tc.get_or_add_tcPr()
    fill = tc_pr.makeelement(qn("w:shd"), {qn("w:val"): "clear", qn("w:color"): "auto",
                                          qn("w:fill"): _HEAT[min(shade, 4) - 1]})
    tc_pr.append(fill)


def _table(doc: Any, caption: str, t: Table) -> None:
    _caption(doc, caption)
    ncol = len(t.columns) + 1
    size = 9.0 if ncol <= 5 else 8.0 if ncol <= 8 else 7.0
    groups = t.column_groups
    n_head = 2 if groups else 1
    table = doc.add_table(rows=n_head + len(t.rows), cols=ncol)
    grid = _style(doc, "Table Grid") or _style(doc, "Light List")
    if grid:
        table.style = grid
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    if groups:  # as in the HTML: each group once, merged over its columns
        top, bottom = table.rows[0].cells, table.rows[1].cells
        _cell(top[0].merge(bottom[0]), t.corner, size, right=False, bold=True)
        j = 1
        for label, span in groups[0]:
            _cell(top[j].merge(top[j + span - 1]) if span > 1 else top[j], label, size,
                  right=False, bold=True)
            j += span
        for j, h in enumerate(groups[1], start=1):
            _cell(bottom[j], h, size, right=True, bold=True)
    else:
        for j, h in enumerate([t.corner, *t.columns]):
            _cell(table.rows[0].cells[j], h, size, right=j > t.text_cols, bold=True)
    # the header rows repeat on every page a long table runs over
    for r in range(n_head):
        tr_pr = table.rows[r]._tr.get_or_add_trPr()
        tr_pr.append(tr_pr.makeelement(qn("w:tblHeader"), {}))
    for i, row in enumerate(t.rows, start=n_head):
        cells = table.rows[i].cells
        _cell(cells[0], row.label, size, right=False)
        for j, c in enumerate(row.cells[: ncol - 1], start=1):
            _cell(cells[j], c, size, right=j > t.text_cols)
            if row.shades and row.shades[j - 1]:
                _shade(cells[j], row.shades[j - 1])
    _notes(doc, t.notes)
    if not t.notes:
        doc.add_paragraph()


def _figure(doc: Any, block: Block) -> None:
    f = block.figure
    assert f is not None
    _caption(doc, block.caption)
    width_cm = min(16.0, block.width * 2.54 / 96) if block.width else 16.0
    doc.add_picture(io.BytesIO(f.png), width=Cm(width_cm))
    if f.note:
        _notes(doc, [f.note])
    else:
        doc.add_paragraph()


def _title(meta: Mapping[str, Any], key: str, lang: str, default: str) -> str:
    v = meta.get(key) or default
    if isinstance(v, Mapping):
        v = v.get(lang) or default
    return str(v)


def _docx(document: Document) -> bytes:
    lang, meta = document.lang, document.meta
    doc = _open_template(meta.get("docx_template"))
    if not meta.get("docx_template"):
        sec = doc.sections[0]
        sec.orientation = WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
        for side in ("left_margin", "right_margin"):
            setattr(sec, side, Cm(2.0))
    _heading(doc, _title(meta, "title", lang, text(lang, "report_title")), 0)
    subtitle = _title(meta, "subtitle", lang, "")
    if subtitle:
        _para(doc, subtitle, "Subtitle")
    if meta.get("timestamp"):
        _para(doc, f"{text(lang, 'generated')}: {meta['timestamp']}", size=9)
    for k, s in enumerate(document.sections, start=1):
        _heading(doc, f"{k}. {s.title}", 1)
        for p in s.paragraphs:
            _para(doc, p)
        for b in s.bullets:
            if _style(doc, "List Bullet"):
                _para(doc, b, "List Bullet")
            else:
                _para(doc, "• " + b)
        for block in s.blocks:
            if block.kind == "table" and block.table is not None:
                _table(doc, block.caption, block.table)
            elif block.figure is not None:
                _figure(doc, block)
    core = doc.core_properties
    core.title = _title(meta, "title", lang, text(lang, "report_title"))
    core.author = "boligeval"
    core.language = lang
    core.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    return _normalise_zip(buf.getvalue(), str(meta.get("timestamp", "")))


def write_docx(document: Document, path: Path) -> Path:
    """Write the document as a Word file (same sections, tables and figures as the HTML).

    Parameters
    ----------
    document : Document
        From ``build_document``; ``document.meta["docx_template"]`` (a path to a
        .docx or .dotx) is used as the base document when given.
    path : Path
        Where to write report.docx.
    """
    require_document(document)
    path.write_bytes(_docx(document))
    return path
