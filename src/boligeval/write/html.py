"""report.html: one self-contained page (CSS inline, figures as embedded SVG)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from boligeval import __version__
from boligeval.report.document import Document, Section, require_document
from boligeval.report.i18n import text

__all__ = ["write_html"]


def _html(sections: Sequence[Section], lang: str, meta: Mapping[str, Any]) -> str:
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    pkg = resources.files("boligeval.report") / "templates"
    template = env.from_string((pkg / "report.html").read_text(encoding="utf-8"))
    title = meta.get("title") or text(lang, "report_title")
    if isinstance(title, Mapping):
        title = title.get(lang) or text(lang, "report_title")
    subtitle = meta.get("subtitle") or ""
    if isinstance(subtitle, Mapping):
        subtitle = subtitle.get(lang, "")
    return template.render(
        lang=lang,
        title=title,
        subtitle=subtitle,
        css=(pkg / "report.css").read_text(encoding="utf-8"),
        generated_label=text(lang, "generated"),
        timestamp=str(meta.get("timestamp", "")),
        contents=text(lang, "contents"),
        sections=sections,
        version=__version__,
    )


def write_html(document: Document, path: Path) -> Path:
    """Write the document as one HTML page."""
    require_document(document)
    path.write_text(_html(document.sections, document.lang, document.meta), encoding="utf-8",
                    newline="\n")
    return path
