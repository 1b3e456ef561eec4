"""boligeval.report: the bilingual, self-contained evaluation report.

``write_report(published, out_dir, lang=..., meta=...)`` lays out the
document (each analysis renders its own section) and writes report.html,
report.docx, tables.xlsx, tables.tex and figures/ from results that have passed
``boligeval.disclosure.protect_results``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from boligeval._lazy import lazy_attribute
from boligeval.errors import ReportError

if TYPE_CHECKING:
    from boligeval.disclosure import Published
    from boligeval.report.document import Document, build_document, codebook_labels

__all__ = ["Document", "ReportPaths", "build_document", "codebook_labels", "write_report"]

#: Names imported from ``boligeval.report.document`` on first use: it loads matplotlib,
#: which modules that need only ``boligeval.report.tables`` (the analyses) do without.
_LAZY = {name: "boligeval.report.document"
         for name in ("Document", "build_document", "codebook_labels")}


def __getattr__(name: str) -> Any:
    """Import an exported name on first access."""
    return lazy_attribute(__name__, _LAZY, globals(), name)


@dataclass(frozen=True)
class ReportPaths:
    """Where the report's outputs were written."""

    html: Path
    xlsx: Path
    docx: Path
    tex: Path
    figures_dir: Path
    figures: tuple[Path, ...] = field(default_factory=tuple)


def write_report(
    published: Published,
    out_dir: Path | str,
    *,
    lang: str = "da",
    meta: Mapping[str, Any] | None = None,
) -> ReportPaths:
    """Write report.html, report.docx, tables.xlsx, tables.tex and figures/ into ``out_dir``.

    Parameters
    ----------
    published : Published
        Results after ``boligeval.disclosure.protect_results`` (anything else
        is refused).
    out_dir : path
        Folder to write into (created if needed).
    lang : {"da", "en"}
        Language of every label, heading, note and number.
    meta : mapping, optional
        ``timestamp`` (printed, the only run-dependent text), ``title`` and
        ``subtitle`` (a string or ``{"da": ..., "en": ...}``) and ``labels``
        (``{item_id: {"da": ..., "en": ...}}`` for survey items) and
        ``docx_template`` (path of a .docx or .dotx whose styles, page set-up,
        headers and footers report.docx is written on).

    Raises
    ------
    ReportError
        Unknown language, unprotected results, or outputs that cannot be
        written.
    """
    from boligeval.report.document import build_document
    from boligeval.write import write_docx, write_figures, write_html, write_tex, write_xlsx

    document = build_document(published, lang, meta=meta)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        figures = write_figures(document, out / "figures")
        html = write_html(document, out / "report.html")
        xlsx = write_xlsx(document, out / "tables.xlsx")
        tex = write_tex(document, out / "tables.tex")
        docx = write_docx(document, out / "report.docx")
    except OSError as exc:
        raise ReportError(f"cannot write the report into {out}: {exc.strerror}") from None
    return ReportPaths(html=html, xlsx=xlsx, docx=docx, tex=tex, figures_dir=out / "figures",
                       figures=figures)
