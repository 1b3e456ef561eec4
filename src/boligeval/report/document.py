"""The report as a document: chapters of tables and figures, in one language.

Each analysis renders its own section (``Analysis.report``); this module
orders the chapters, numbers the tables and figures, and adds the summary
and the method notes. The writers (``boligeval.write``) turn the document
into HTML, xlsx and TeX, and the figures into files.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from boligeval.disclosure import Published, require_published
from boligeval.errors import ReportError
from boligeval.report.figures import Figure
from boligeval.report.i18n import LANGS, fmt_int, text
from boligeval.report.tables import Table, suppression_table
from boligeval.report.view import ReportView

__all__ = [
    "Block",
    "Document",
    "Section",
    "build_document",
    "codebook_labels",
    "require_document",
]


@dataclass(frozen=True)
class Block:
    """A numbered table or figure with its anchor and caption."""

    kind: str
    anchor: str
    caption: str
    table: Table | None = None
    figure: Figure | None = None
    css: str = ""
    data: str = ""
    width: int = 0
    height: int = 0
    summary: str = ""


@dataclass
class Section:
    """A chapter of the report."""

    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    @property
    def toc_items(self) -> list[Block]:
        """Tables and figures listed under the section in the table of contents."""
        return self.blocks


@dataclass(frozen=True)
class Document:
    """The whole report in one language.

    Attributes
    ----------
    lang : str
    sections : tuple of Section
    tables : tuple of (caption, Table)
        Every table in order, for the xlsx and TeX writers.
    figures : tuple of Figure
        Every figure in order, for the figure files.
    meta : mapping
        ``timestamp``, ``title``, ``subtitle`` (see :func:`build_document`).
    published : Published
        The results it was built from (the writers check them again).
    """

    lang: str
    sections: tuple[Section, ...]
    tables: tuple[tuple[str, Table], ...]
    figures: tuple[Figure, ...]
    meta: Mapping[str, Any]
    published: Published


def codebook_labels(codebook: Any) -> dict[str, dict[str, str]]:
    """Survey item labels for ``meta["labels"]``, from a codebook with ``label_da``/``label_en``.

    Parameters
    ----------
    codebook : pandas.DataFrame or None
        The survey codebook (``item_id, label_da, label_en, ...``).

    Returns
    -------
    dict
        ``{item_id: {"da": ..., "en": ...}}``; a missing label falls back to
        the other language, an item without labels is left out.
    """
    if codebook is None or "item_id" not in getattr(codebook, "columns", ()):
        return {}
    out: dict[str, dict[str, str]] = {}
    for rec in codebook.to_dict("records"):
        da, en = rec.get("label_da"), rec.get("label_en")
        da = da if isinstance(da, str) and da.strip() else None
        en = en if isinstance(en, str) and en.strip() else None
        if da or en:
            out[str(rec["item_id"])] = {"da": str(da or en), "en": str(en or da)}
    return out


def _svg_size(svg: bytes) -> tuple[int, int]:
    head = svg[:2000].decode("utf-8", "replace")
    w = re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', head)
    h = re.search(r'<svg[^>]*\sheight="([\d.]+)pt"', head)
    if not (w and h):
        return 640, 360
    return round(float(w.group(1)) * 4 / 3), round(float(h.group(1)) * 4 / 3)


class _Numbering:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.n_tab = 0
        self.n_fig = 0
        self.anchors: set[str] = set()
        self.tables: list[tuple[str, Table]] = []
        self.figures: list[Figure] = []

    def _anchor(self, base: str) -> str:
        a = re.sub(r"[^a-z0-9_-]+", "-", base.lower())
        cand, k = a, 2
        while cand in self.anchors:
            cand, k = f"{a}-{k}", k + 1
        self.anchors.add(cand)
        return cand

    def add(self, sec: Section, block: Table | Figure | None) -> None:
        if isinstance(block, Table):
            self.table(sec, block)
        elif isinstance(block, Figure):
            self.figure(sec, block)

    def table(self, sec: Section, t: Table | None) -> None:
        if t is None or not t.rows:
            return
        self.n_tab += 1
        cap = f"{text(self.lang, 'table')} {self.n_tab}. {t.title}"
        long = any(len(c) > 40 for r in t.rows for c in r.cells)
        sec.blocks.append(Block(
            "table", self._anchor("tab-" + t.key), cap, table=t, css="long" if long else "",
            summary=text(self.lang, "appendix_open").format(n=fmt_int(len(t.rows), self.lang)),
        ))
        self.tables.append((cap, t))

    def figure(self, sec: Section, f: Figure) -> None:
        self.n_fig += 1
        cap = f"{text(self.lang, 'figure')} {self.n_fig}. {f.title}"
        w, h = _svg_size(f.svg)
        sec.blocks.append(Block(
            "figure", self._anchor("fig-" + f.key), cap, figure=f,
            data=base64.b64encode(f.svg).decode("ascii"), width=w, height=h,
        ))
        self.figures.append(f)


def build_document(
    published: Published,
    lang: str,
    *,
    meta: Mapping[str, Any] | None = None,
) -> Document:
    """Lay out the report: summary, one chapter per analysis chapter, method notes.

    Parameters
    ----------
    published : Published
        Results after disclosure control (anything else is refused).
    lang : {"da", "en"}
    meta : mapping, optional
        ``timestamp`` (the only run-dependent text), ``title`` and
        ``subtitle`` (a string or ``{"da": ..., "en": ...}``) and ``labels``
        (``{item_id: {"da": ..., "en": ...}}`` for survey items).
    """
    from boligeval.analyses import CHAPTERS, registry

    if lang not in LANGS:
        raise ReportError(f"report language must be one of {', '.join(LANGS)}, got {lang!r}")
    require_published(published)
    meta = dict(meta or {})
    view = ReportView(lang, published, dict(meta.get("labels") or {}))
    numbering = _Numbering(lang)
    analyses = list(registry().values())
    sections: list[Section] = []

    summary = Section("summary", text(lang, "summary"), [text(lang, "intro_summary")])
    for analysis in analyses:
        summary.bullets += analysis.findings(view)
    if not summary.bullets:
        summary.bullets.append(text(lang, "no_findings"))
    sections.append(summary)

    for chapter in CHAPTERS:
        sec = Section(chapter, text(lang, chapter), [text(lang, f"intro_{chapter}")])
        for analysis in analyses:
            if analysis.chapter == chapter:
                for block in analysis.report(view):
                    numbering.add(sec, block)
        if sec.blocks:
            sections.append(sec)

    rules = view.rules
    methods = Section("methods", text(lang, "methods"))
    d = float(rules["dominance_share"])
    pct = f"{round(100 * d)} %" if lang == "da" else f"{round(100 * d)}%"
    methods.paragraphs = [p.format(k=rules["min_persons"], d=pct)
                          for p in text(lang, "methods_text")]
    numbering.table(methods, suppression_table(list(published.log), lang))
    sections.append(methods)
    appendix = Section("concordance", text(lang, "concordance"), [text(lang, "intro_concordance")])
    numbering.table(appendix, concordance_table(sections, lang))
    sections.append(appendix)
    return Document(lang, tuple(sections), tuple(numbering.tables), tuple(numbering.figures),
                    meta, published)


def _numbers(sections: list[Section], lang: str) -> dict[str, str]:
    """Each table's and figure's key with its number as the report prints it ("tabel 4")."""
    out: dict[str, str] = {}
    for sec in sections:
        for b in sec.blocks:
            item = b.table if b.table is not None else b.figure
            if item is not None:
                number = b.caption.split(".", 1)[0].split(" ", 1)[1]
                word = text(lang, "conc_table" if b.kind == "table" else "conc_figure")
                out.setdefault(item.key, f"{word} {number}")
    return out


def concordance_table(sections: list[Section], lang: str) -> Table:
    """The seed's numbered tables and figures, each with where it is in this report."""
    import fnmatch

    from boligeval.report.concordance import ENTRIES
    from boligeval.report.tables import Row

    numbers = _numbers(sections, lang)
    rows = []
    for e in ENTRIES:
        kind, number = e.seed[0], e.seed[1:]
        word = {"T": "table", "F": "figure", "S": "conc_text"}[kind]
        seed = f"{text(lang, word)} {number}"
        why = e.why_da if lang == "da" else e.why_en
        if e.keys:
            found = list(dict.fromkeys(
                n for pattern in e.keys for k, n in numbers.items()
                if fnmatch.fnmatchcase(k, pattern)))
            where = ", ".join(found) if found else text(lang, "conc_absent")
            if found and why:
                where += f" ({why})"
        else:
            where = text(lang, "conc_out" if e.out_of_scope else "conc_not_yet").format(why=why)
        title = e.title_da if lang == "da" else e.title_en
        rows.append(Row(seed, (title, where[:1].upper() + where[1:])))
    return Table("concordance", text(lang, "concordance"),
                 (text(lang, "conc_content"), text(lang, "conc_where")), tuple(rows),
                 corner=text(lang, "conc_seed"), text_cols=2)


def require_document(document: Any) -> Document:
    """Refuse anything but a document built from published results."""
    if not isinstance(document, Document):
        raise ReportError(
            "The report writers take a Document from build_document(published, ...); "
            "results must pass boligeval.disclosure.protect_results first."
        )
    require_published(document.published)
    return document
