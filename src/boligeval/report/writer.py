"""Write the evaluation report: report.html, tables.xlsx, tables.tex and figures/.

``write_report`` takes results that have passed
``boligeval.disclosure.protect_results`` and writes every output in one
language. Output bytes depend only on the results, the language and
``meta`` (whose ``timestamp`` is printed in the report).
"""

from __future__ import annotations

import base64
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from boligeval import __version__
from boligeval.errors import ReportError
from boligeval.report.figures import Figure, build_figures
from boligeval.report.i18n import LANGS, fmt_int, fmt_num, label, lower_first, text
from boligeval.report.tables import (
    RENT_TERMS,
    Table,
    accounting_tables,
    balance_table,
    challenge_change_tables,
    challenge_level_table,
    crosstab_table,
    diagnostic_tables,
    largest_challenges_table,
    regression_tables,
    stars,
    suppression_table,
    survey_pivot,
)

__all__ = ["ReportPaths", "check_protected", "codebook_labels", "tex_escape", "write_report"]

_SECTIONS = ("estimates", "cells", "balance", "survey", "accounting")
_DIAGNOSTICS = (
    "att_gt",
    "att_aggregate",
    "bacon",
    "event_study",
    "wild_bootstrap",
    "randomization_inference",
    "honest_did",
    "decomposition",
    "power",
    "area_classification",
)
_ITEM = ("item_id", "category", "group")
_BY_WAVE = ("actor", "wave", "statistic")
_SURVEY_GENERIC: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("goals", _ITEM, _BY_WAVE),
    ("barriers", _ITEM, _BY_WAVE),
    ("intervention_areas", _ITEM, _BY_WAVE),
    ("result_area", _ITEM, _BY_WAVE),
    ("result_type", _ITEM, _BY_WAVE),
    ("plan_attributes", ("item_id",), ("cohort", "statistic")),
    ("item_mean", _ITEM, _BY_WAVE),
    ("distribution", ("item_id", "actor", "wave"), ("category",)),
)
#: Long tables shown folded in the HTML page (in full in tables.xlsx and tables.tex).
_SURVEY_APPENDIX = ("item_mean", "distribution")
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class ReportPaths:
    """Where the report's outputs were written."""

    html: Path
    xlsx: Path
    tex: Path
    figures_dir: Path
    figures: tuple[Path, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class _Block:
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
class _Section:
    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    blocks: list[_Block] = field(default_factory=list)

    @property
    def toc_items(self) -> list[_Block]:
        """Tables and figures listed under the section in the table of contents."""
        return self.blocks


def check_protected(results: Mapping[str, Any]) -> None:
    """Refuse results that have not passed disclosure control.

    Every record must carry a ``suppressed`` flag (set by
    ``protect_results``) and no record may hold a top-contributor share.

    Raises
    ------
    ReportError
        When some record has not been through ``protect_results``.
    """
    for section in _SECTIONS:
        recs = results.get(section) or []
        if not isinstance(recs, list):
            raise ReportError(f"results[{section!r}] must be a list of records")
        for rec in recs:
            if not isinstance(rec, Mapping) or "suppressed" not in rec or "top_share" in rec:
                raise ReportError(
                    f"results[{section!r}] have not passed disclosure control; "
                    "call boligeval.disclosure.protect_results before write_report"
                )


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


class _Builder:
    def __init__(self, results: Mapping[str, Any], lang: str, meta: Mapping[str, Any]) -> None:
        self.r = results
        self.lang = lang
        self.meta = meta
        self.rules = dict(meta.get("disclosure") or {})
        self.items = dict(meta.get("labels") or {})
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

    def table(self, sec: _Section, t: Table | None) -> None:
        if t is None or not t.rows:
            return
        self.n_tab += 1
        cap = f"{text(self.lang, 'table')} {self.n_tab}. {t.title}"
        long = any(len(c) > 40 for r in t.rows for c in r.cells)
        sec.blocks.append(
            _Block(
                "table",
                self._anchor("tab-" + t.key),
                cap,
                table=t,
                css="long" if long else "",
                summary=text(self.lang, "appendix_open").format(n=fmt_int(len(t.rows), self.lang)),
            )
        )
        self.tables.append((cap, t))

    def figure(self, sec: _Section, f: Figure) -> None:
        self.n_fig += 1
        cap = f"{text(self.lang, 'figure')} {self.n_fig}. {f.title}"
        w, h = _svg_size(f.svg)
        sec.blocks.append(
            _Block(
                "figure",
                self._anchor("fig-" + f.key),
                cap,
                figure=f,
                data=base64.b64encode(f.svg).decode("ascii"),
                width=w,
                height=h,
            )
        )
        self.figures.append(f)

    # ----------------------------------------------------------- sections

    def _summary(self, est: list[dict[str, Any]], survey: list[dict[str, Any]]) -> _Section | None:
        lang = self.lang
        sec = _Section("summary", text(lang, "summary"), [text(lang, "intro_summary")])
        picks = [
            r for r in est if r.get("analysis") == "area_did" and r.get("term") == "active_plan"
        ]
        picks += [
            r
            for r in est
            if r.get("analysis") == "area_ddd_rent_support" and r.get("term") == "combined"
        ]
        picks += [
            r
            for r in est
            if r.get("analysis") == "att_aggregate"
            and r.get("aggregation") in (None, "simple")
            and r.get("group") in (None, "overall")
            and r.get("event_time") is None
            and r.get("time") is None
        ]
        for r in picks:
            lead = (
                label(lang, "term", r.get("term"))
                if r.get("analysis") != "att_aggregate"
                else label(lang, "analysis", "att_aggregate")
            )
            what = (
                f"{lead} – {lower_first(label(lang, 'population', r.get('population')))}, "
                f"{lower_first(label(lang, 'outcome', r.get('outcome')))}"
            )
            if r.get("suppressed") or r.get("estimate") is None:
                sec.bullets.append(text(lang, "finding_suppressed").format(what=what))
                continue
            dec = (
                2 if r.get("outcome") in ("employed", "competence_education", "deprivation") else 0
            )
            est_s, se_s = fmt_num(r["estimate"], dec, lang), fmt_num(r.get("std_error"), dec, lang)
            st = stars(r.get("p_value"))
            if st:
                level = {"***": "1", "**": "5", "*": "10"}[st]
                sec.bullets.append(
                    text(lang, "finding_sig").format(what=what, est=est_s, se=se_s, level=level)
                )
            else:
                sec.bullets.append(text(lang, "finding_ns").format(what=what, est=est_s, se=se_s))
        lev = [
            r
            for r in survey
            if r.get("analysis") == "challenge_level"
            and r.get("actor") == "all"
            and r.get("subset") == "all_answers"
            and not r.get("suppressed")
            and r.get("value") is not None
        ]
        waves = sorted({int(r["wave"]) for r in lev})
        if len(waves) >= 2:
            a = next(r for r in lev if r["wave"] == waves[0])["value"]
            b = next(r for r in lev if r["wave"] == waves[-1])["value"]
            sec.bullets.append(
                text(lang, "finding_survey").format(
                    a=fmt_num(a, 2, lang), b=fmt_num(b, 2, lang), w0=waves[0], w1=waves[-1]
                )
            )
        if not sec.bullets:
            sec.bullets.append(text(lang, "no_findings"))
        return sec

    def build(self) -> list[_Section]:
        lang, rules = self.lang, self.rules
        est: list[dict[str, Any]] = list(self.r.get("estimates") or [])
        survey: list[dict[str, Any]] = list(self.r.get("survey") or [])
        figs = build_figures(dict(self.r), lang, item_labels=self.items)
        analyses = {r.get("analysis") for r in est}
        out: list[_Section] = []
        s = self._summary(est, survey)
        if s:
            out.append(s)

        if self.r.get("accounting"):
            sec = _Section("design", text(lang, "design"), [text(lang, "intro_design")])
            for t in accounting_tables(list(self.r["accounting"]), lang, rules=rules):
                self.table(sec, t)
            out.append(sec)

        if self.r.get("balance"):
            sec = _Section("balance", text(lang, "balance"), [text(lang, "intro_balance")])
            self.table(sec, balance_table(list(self.r["balance"]), lang, rules=rules))
            out.append(sec)

        if "area_did" in analyses or figs["effects"]:
            sec = _Section("effects", text(lang, "effects"), [text(lang, "intro_effects")])
            for t in regression_tables(est, "area_did", lang, rules=rules):
                self.table(sec, t)
            for f in figs["effects"]:
                self.figure(sec, f)
            out.append(sec)

        if "area_ddd_rent_support" in analyses:
            sec = _Section("rent_support", text(lang, "rent_support"), [text(lang, "intro_rent")])
            for t in regression_tables(
                est,
                "area_ddd_rent_support",
                lang,
                rules=rules,
                terms=RENT_TERMS,
                term_labels={"active_plan": label(lang, "term", "plan_tau")},
                extra_notes=[text(lang, "combined_test")],
            ):
                self.table(sec, t)
            out.append(sec)

        if "individual_did" in analyses:
            sec = _Section("movers", text(lang, "movers"), [text(lang, "intro_movers")])
            for t in regression_tables(
                est, "individual_did", lang, rules=rules, extra_notes=[text(lang, "fe_note")]
            ):
                self.table(sec, t)
            out.append(sec)

        diag_present = [a for a in ("area_ddd_capital", *_DIAGNOSTICS) if a in analyses]
        if diag_present:
            sec = _Section("diagnostics", text(lang, "diagnostics"), [text(lang, "intro_diag")])
            for a in diag_present:
                if a == "area_ddd_capital":
                    for t in regression_tables(est, a, lang, rules=rules):
                        self.table(sec, t)
                else:
                    for t in diagnostic_tables(est, a, lang, rules=rules):
                        self.table(sec, t)
            for f in figs["diagnostics"]:
                self.figure(sec, f)
            out.append(sec)

        non_org = [r for r in survey if r.get("analysis") != "crosstab"]
        if non_org:
            sec = _Section("survey", text(lang, "survey"), [text(lang, "intro_survey")])
            self.table(
                sec,
                survey_pivot(
                    survey,
                    "response_rates",
                    lang,
                    rules=rules,
                    row_fields=("actor",),
                    col_fields=("wave", "statistic"),
                    show_n=False,
                ),
            )
            self.table(
                sec, largest_challenges_table(survey, lang, rules=rules, item_labels=self.items)
            )
            self.table(sec, challenge_level_table(survey, lang, rules=rules))
            for t in challenge_change_tables(survey, lang, rules=rules, item_labels=self.items):
                self.table(sec, t)
            for a, rows, cols in _SURVEY_GENERIC:
                self.table(
                    sec,
                    survey_pivot(
                        survey,
                        a,
                        lang,
                        rules=rules,
                        item_labels=self.items,
                        row_fields=rows,
                        col_fields=cols,
                        appendix=a in _SURVEY_APPENDIX,
                    ),
                )
            for f in figs["survey"]:
                self.figure(sec, f)
            out.append(sec)

        if any(r.get("analysis") == "crosstab" for r in survey):
            sec = _Section("organisation", text(lang, "organisation"), [text(lang, "intro_org")])
            self.table(sec, crosstab_table(survey, lang, rules=rules, item_labels=self.items))
            out.append(sec)

        sec = _Section("methods", text(lang, "methods"))
        d = float(rules.get("dominance_share", 0.5))
        pct = f"{round(100 * d)} %" if lang == "da" else f"{round(100 * d)}%"
        sec.paragraphs = [
            p.format(k=rules.get("min_persons", 5), d=pct) for p in text(lang, "methods_text")
        ]
        log = self.meta.get("suppression_log")
        if log:
            self.table(sec, suppression_table(list(log), lang))
        out.append(sec)
        return out


def _html(sections: list[_Section], lang: str, meta: Mapping[str, Any]) -> str:
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


def _xlsx(tables: list[tuple[str, Table]], lang: str, meta: Mapping[str, Any]) -> bytes:
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


_TEX_MAP = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "−": "$-$",
    "·": r"$\cdot$",
    "ψ": r"$\psi$",
    "τ": r"$\tau$",
    "ω": r"$\omega$",
    "²": r"\textsuperscript{2}",
    "≥": r"$\geq$",
    "<": r"$<$",
    ">": r"$>$",
}


def tex_escape(s: str) -> str:
    """Escape text for LaTeX (special characters and the report's symbols)."""
    return "".join(_TEX_MAP.get(ch, ch) for ch in s)


def _tex(tables: list[tuple[str, Table]], lang: str) -> str:
    lines = [
        "% Tables of the boligeval report; compile with pdflatex or lualatex.",
        r"\documentclass[a4paper,10pt]{article}",
        r"\usepackage[utf8]{inputenc}",
        r"\usepackage[T1]{fontenc}",
        r"\usepackage[" + ("danish" if lang == "da" else "english") + "]{babel}",
        r"\usepackage{booktabs}",
        r"\usepackage[margin=2cm,landscape]{geometry}",
        r"\begin{document}",
    ]
    for cap, t in tables:
        n = len(t.columns) + 1
        lines += [
            r"\begin{table}[htbp]",
            r"\centering",
            r"\footnotesize",
            r"\caption*{" + tex_escape(cap) + "}",
            r"\begin{tabular}{l" + "r" * (n - 1) + "}",
            r"\toprule",
        ]
        lines.append(" & ".join(tex_escape(c) for c in [t.corner, *t.columns]) + r" \\")
        lines.append(r"\midrule")
        for row in t.rows:
            lines.append(" & ".join(tex_escape(c) for c in [row.label, *row.cells]) + r" \\")
        lines += [r"\bottomrule", r"\end{tabular}"]
        for note in t.notes:
            lines.append(r"\par\smallskip{\scriptsize " + tex_escape(note) + "}")
        lines += [r"\end{table}", ""]
    lines += [r"\end{document}", ""]
    return "\n".join(lines)


def write_report(
    results: Mapping[str, Any],
    out_dir: Path | str,
    *,
    lang: str = "da",
    meta: Mapping[str, Any] | None = None,
) -> ReportPaths:
    """Write report.html, tables.xlsx, tables.tex and figures/ into ``out_dir``.

    Parameters
    ----------
    results : mapping
        Results after ``boligeval.disclosure.protect_results``; sections whose
        records are absent are left out of the report.
    out_dir : path
        Folder to write into (created if needed).
    lang : {"da", "en"}
        Language of every label, heading, note and number.
    meta : mapping, optional
        ``timestamp`` (printed, the only run-dependent text), ``title`` and
        ``subtitle`` (a string or ``{"da": ..., "en": ...}``), ``labels``
        (``{item_id: {"da": ..., "en": ...}}`` for survey items),
        ``disclosure`` (the rules used, for the notes) and
        ``suppression_log`` (from ``protect_results``).

    Returns
    -------
    ReportPaths

    Raises
    ------
    ReportError
        Unknown language, unprotected results, or outputs that cannot be
        written.
    """
    if lang not in LANGS:
        raise ReportError(f"report language must be one of {', '.join(LANGS)}, got {lang!r}")
    if not isinstance(results, Mapping):
        raise ReportError(f"results must be a mapping, got {type(results).__name__}")
    meta = dict(meta or {})
    check_protected(results)
    builder = _Builder(results, lang, meta)
    sections = builder.build()
    out = Path(out_dir)
    fig_dir = out / "figures"
    try:
        fig_dir.mkdir(parents=True, exist_ok=True)
        fig_paths: list[Path] = []
        for f in builder.figures:
            for ext, data in (("svg", f.svg), ("png", f.png)):
                p = fig_dir / f"{f.key}.{ext}"
                p.write_bytes(data)
                fig_paths.append(p)
        html_path = out / "report.html"
        html_path.write_text(_html(sections, lang, meta), encoding="utf-8", newline="\n")
        xlsx_path = out / "tables.xlsx"
        xlsx_path.write_bytes(_xlsx(builder.tables, lang, meta))
        tex_path = out / "tables.tex"
        tex_path.write_text(_tex(builder.tables, lang), encoding="utf-8", newline="\n")
    except OSError as exc:
        raise ReportError(f"cannot write the report into {out}: {exc}") from exc
    return ReportPaths(
        html=html_path, xlsx=xlsx_path, tex=tex_path, figures_dir=fig_dir, figures=tuple(fig_paths)
    )
