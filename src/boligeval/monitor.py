"""``boligeval monitor``: a yearly one-page profile of every area, plan and municipality.

Each profile (HTML and docx) shows the indicators over every year of the
residents table (residents, age groups, employment, income, education,
deprivation, in- and out-movers), for areas the § 61 a criteria with their
thresholds and the status, and the plans' active years; each municipality
gets an overview page. Every number passes the same disclosure control as
``boligeval run`` (:func:`boligeval.disclosure.protect_results`); a profile
whose base is too small says so instead of showing numbers (docs/areas.md).
"""

from __future__ import annotations

import html
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from boligeval.analyses.base import Context
from boligeval.disclosure import SUPPRESSED_MARK, Published, protect_results, require_published
from boligeval.records import AREAS, Record, Results
from boligeval.report.areas import criterion_cell
from boligeval.report.i18n import fmt_num, label, text

__all__ = ["INDICATORS", "UNIT_KINDS", "MonitorResult", "monitor_results", "run_monitor",
           "write_monitor"]

#: The profiles' units.
UNIT_KINDS: tuple[str, ...] = ("area", "plan", "municipality")

#: Indicators of a profile and their kind (count, share in percent, amount, score).
INDICATORS: dict[str, str] = {
    "residents": "count", "age_0_17": "count", "age_18_29": "count", "age_30_64": "count",
    "age_65_plus": "count", "employed": "share", "disposable_income": "amount",
    "competence_education": "share", "deprivation": "score", "in_movers": "count",
    "out_movers": "count",
}
_AGE_GROUPS = ("age_0_17", "age_18_29", "age_30_64", "age_65_plus")
_ID = "monitor"


@dataclass(frozen=True)
class MonitorResult:
    """What ``boligeval monitor`` wrote.

    Attributes
    ----------
    out_dir : Path
    profiles : dict of str to int
        Profiles written per unit kind.
    too_small : int
        Profiles whose base was too small to show numbers.
    seconds : float
    """

    out_dir: Path
    profiles: dict[str, int]
    too_small: int
    seconds: float

    def summary(self) -> str:
        """One line for the command line."""
        counts = ", ".join(f"{k} {v}" for k, v in self.profiles.items())
        return (f"Profiles written to {self.out_dir}: {counts} ({self.too_small} with too few "
                f"residents to show numbers) in {self.seconds:.1f} s")


def _units(ctx: Context) -> pd.DataFrame:
    depts = ctx.register.department_units()
    parts = []
    for kind, column in (("area", "area_id"), ("plan", "plan_id"),
                         ("municipality", "municipality")):
        sub = depts[depts[column].notna()]
        parts.append(pd.DataFrame({"department_id": sub["department_id"], "unit_kind": kind,
                                   "unit_id": sub[column].astype(str)}))
    return pd.concat(parts, ignore_index=True)


def monitor_results(ctx: Context) -> Results:
    """Unprotected records of every profile: indicators, and the areas' classification.

    Indicator records (section ``areas``, analysis ``monitor``) carry the
    unit, the year, the indicator, its value and ``n``, the persons behind
    it; age groups carry ``margin`` (they add up to the residents, so one
    hidden group is hidden with another).
    """
    from boligeval.analyses.area_classification import AreaClassificationAnalysis

    units = _units(ctx)
    frame = ctx.register.unit_indicators(ctx.cfg, units)
    withheld = _differencing(units, frame, ctx.cfg.disclosure.min_persons)
    records: list[Record] = []
    for row in frame.to_dict("records"):
        if (row["unit_kind"], row["unit_id"], int(row["year"])) in withheld:
            continue
        key = {"analysis": _ID, "table": "indicator", "unit_kind": row["unit_kind"],
               "unit_id": row["unit_id"], "year": int(row["year"])}
        for name, kind in INDICATORS.items():
            if name in ("in_movers", "out_movers") and not row["has_previous"]:
                continue
            value = row[name]
            n = row.get(f"n_{name}", value) if kind != "count" else value
            fields: dict[str, Any] = {**key, "indicator": name, "kind": kind,
                                      "value": value, "n": n}
            if kind == "amount":
                fields |= {"top_share": row["top_share"], "top2_share": row["top2_share"]}
            if name in _AGE_GROUPS:
                fields["margin"] = f"{row['unit_kind']}|{row['unit_id']}|{int(row['year'])}"
            records.append(Record(AREAS, fields))
    if not ctx.register.area_departments().empty:
        records += AreaClassificationAnalysis().run_all(ctx)
    return Results(records=tuple(records))


def _rows(frame: pd.DataFrame) -> list[Any]:
    """Rows as named tuples, typed loosely."""
    return list(frame.itertuples())


def _differencing(units: pd.DataFrame, frame: pd.DataFrame,
                  min_persons: int) -> set[tuple[str, str, int]]:
    """Unit-years left out because a nested unit differs from them by too few residents.

    When one unit's departments are a strict subset of another's (an area in
    a plan, a plan in a municipality) and, in a year, the larger has 1 to
    ``min_persons - 1`` residents more, the two profiles would give those few
    residents' numbers by difference; the larger unit's year is not published.
    """
    sets = {key: frozenset(g) for key, g in
            units.groupby(["unit_kind", "unit_id"])["department_id"]}
    residents = {(k, str(u), int(y)): int(n) for k, u, y, n in
                 zip(frame["unit_kind"], frame["unit_id"], frame["year"], frame["residents"],
                     strict=True)}
    years = sorted({y for _, _, y in residents})
    out: set[tuple[str, str, int]] = set()
    for small, small_set in sets.items():
        for big, big_set in sets.items():
            if small_set < big_set:
                for y in years:
                    b = residents.get((str(big[0]), str(big[1]), y), 0)
                    a = residents.get((str(small[0]), str(small[1]), y), 0)
                    if 0 < b - a < min_persons:
                        out.add((str(big[0]), str(big[1]), y))
    return out


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "_"


def _cell(rec: dict[str, Any] | None, lang: str) -> str:
    if rec is None:
        return ""
    if rec.get("suppressed") or rec.get("value") is None:
        return SUPPRESSED_MARK
    kind, value = rec["kind"], float(rec["value"])
    if kind == "count":
        return fmt_num(value, 0, lang)
    if kind == "amount":
        return fmt_num(value, 0, lang)
    return fmt_num(value, 1 if kind == "share" else 2, lang)


@dataclass(frozen=True)
class _Profile:
    kind: str
    unit_id: str
    title: str
    subtitle: list[str]
    columns: list[str]
    tables: list[tuple[str, list[tuple[str, list[str]]]]]
    too_small: bool


def _profiles(published: Published, plans: pd.DataFrame, units: pd.DataFrame,
              lang: str) -> list[_Profile]:
    require_published(published)
    recs = published.records(_ID)
    areas = published.records("area_classification")
    by_unit: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in recs:
        by_unit[(r["unit_kind"], str(r["unit_id"]))].append(r)
    crit: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in areas:
        crit[str(r.get("area_id"))].append(r)
    plan_years: dict[str, tuple[Any, Any]] = {
        str(p.plan_id): (p.start_year, p.end_year) for p in _rows(plans)}
    plans_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for u in _rows(units):
        for kind, unit_id in (("area", u.area_id), ("plan", u.plan_id),
                              ("municipality", u.municipality)):
            if pd.notna(unit_id):
                plans_of[(kind, str(unit_id))].add(str(u.plan_id))
    rules = published.rules
    out = []
    every = set(by_unit) | set(plans_of)
    for kind, unit_id in sorted(every):
        rows = by_unit.get((kind, unit_id), [])
        years = sorted({int(r["year"]) for r in rows})
        cell = {(r["indicator"], int(r["year"])): r for r in rows}
        residents = [cell.get(("residents", y)) for y in years]
        too_small = all(r is None or r.get("suppressed") or r.get("value") is None
                        or float(r["value"]) < rules.min_persons for r in residents)
        subtitle = []
        active = []
        for plan in sorted(plans_of.get((kind, unit_id), ())):
            start, end = plan_years.get(plan, (None, None))
            if pd.notna(start):
                span = f"{int(start)}–{int(end)}" if pd.notna(end) else f"{int(start)}–"
                active.append(f"{plan} ({span})")
        if active:
            subtitle.append(text(lang, "monitor_active") + ": " + ", ".join(active))
        tables: list[tuple[str, list[tuple[str, list[str]]]]] = []
        if not too_small:
            ind_rows = [(label(lang, "monitor_indicator", name),
                         [_cell(cell.get((name, y)), lang) for y in years])
                        for name in INDICATORS]
            tables.append((text(lang, "monitor_indicators"), ind_rows))
            if kind == "area" and crit.get(unit_id):
                tables.append((text(lang, "monitor_criteria"),
                               _criteria_rows(crit[unit_id], years, lang)))
                last = [r for r in crit[unit_id] if r.get("table") == "status"]
                if last:
                    latest = max(last, key=lambda r: int(r["year"]))
                    subtitle.insert(0, text(lang, "monitor_status").format(
                        year=latest["year"], status=label(lang, "area_status", latest["status"])))
        title = f"{label(lang, 'monitor_unit', kind)} {unit_id}"
        out.append(_Profile(kind, unit_id, title, subtitle, [str(y) for y in years], tables,
                            too_small))
    return out


def _criteria_rows(records: list[dict[str, Any]], years: list[int],
                   lang: str) -> list[tuple[str, list[str]]]:
    crit = {(r["criterion"], int(r["year"])): r for r in records
            if r.get("table") == "criteria" and r.get("thresholds") == "main"}
    status = {int(r["year"]): r for r in records if r.get("table") == "status"}
    rows = []
    for c in ("outside", "convictions", "basic_education", "income"):
        any_rec = next((r for (k, _), r in crit.items() if k == c), None)
        if any_rec is None:
            continue
        thr = float(any_rec["threshold"])
        shown_thr = fmt_num(100 * thr, 0, lang) + " %" if c in ("outside", "basic_education") \
            else fmt_num(thr, 2, lang)
        name = f"{label(lang, 'area_criterion', c)} {any_rec['op']} {shown_thr}"
        cells = [criterion_cell(crit.get((c, y)), c, lang) for y in years]
        rows.append((name, cells))
    rows.append((text(lang, "areas_status_col"),
                 [label(lang, "area_status", status[y]["status"]) if y in status else ""
                  for y in years]))
    return rows


_CSS = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;"
        "padding:.2em .5em;text-align:right}th:first-child,td:first-child{text-align:left}"
        "p.note{font-size:.85em;color:#555}")


def _page(lang: str, title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>"
            f"<body>{body}</body></html>\n")


def _html_profile(p: _Profile, lang: str, note: str) -> str:
    parts = [f"<h1>{html.escape(p.title)}</h1>"]
    parts += [f"<p>{html.escape(s)}</p>" for s in p.subtitle]
    if p.too_small:
        parts.append(f"<p><strong>{html.escape(text(lang, 'monitor_too_small'))}</strong></p>")
    for caption, rows in p.tables:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in ["", *p.columns])
        body = "".join("<tr><td>" + html.escape(name) + "</td>"
                       + "".join(f"<td>{html.escape(v)}</td>" for v in cells) + "</tr>"
                       for name, cells in rows)
        parts.append(f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}"
                     f"</tr></thead><tbody>{body}</tbody></table>")
    parts.append(f'<p class="note">{html.escape(note)}</p>')
    parts.append(f'<p><a href="../index.html">{html.escape(text(lang, "monitor_index"))}</a></p>')
    return _page(lang, p.title, "".join(parts))


_DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>')
_DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _para(value: str, *, bold: bool = False, size: int = 0, right: bool = False) -> str:
    props = ("<w:b/>" if bold else "") + (f'<w:sz w:val="{size}"/>' if size else "")
    ppr = '<w:pPr><w:jc w:val="right"/></w:pPr>' if right else ""
    return (f"<w:p>{ppr}<w:r>{'<w:rPr>' + props + '</w:rPr>' if props else ''}"
            f'<w:t xml:space="preserve">{html.escape(value, quote=False)}</w:t></w:r></w:p>')


def _docx_profile(p: _Profile, lang: str, note: str, path: Path) -> None:
    """A one-page Word document written as plain WordprocessingML (fast for many files)."""
    import zipfile

    body = [_para(p.title, bold=True, size=32)]
    body += [_para(s) for s in p.subtitle]
    if p.too_small:
        body.append(_para(text(lang, "monitor_too_small"), bold=True))
    border = "".join(f'<w:{side} w:val="single" w:sz="4" w:color="999999"/>'
                     for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    for caption, rows in p.tables:
        body.append(_para(caption, bold=True))
        lines = [["", *p.columns], *([name, *cells] for name, cells in rows)]
        trs = "".join(
            "<w:tr>" + "".join(f"<w:tc>{_para(v, bold=i == 0, size=18, right=j > 0)}</w:tc>"
                               for j, v in enumerate(line)) + "</w:tr>"
            for i, line in enumerate(lines))
        body.append(f"<w:tbl><w:tblPr><w:tblBorders>{border}</w:tblBorders></w:tblPr>"
                    f"{trs}</w:tbl>")
    body.append(_para(note, size=16))
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<w:document xmlns:w="{_W}"><w:body>{"".join(body)}'
                '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" '
                'w:right="1134" w:bottom="1134" w:left="1134"/></w:sectPr></w:body></w:document>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _DOCX_TYPES)
        z.writestr("_rels/.rels", _DOCX_RELS)
        z.writestr("word/document.xml", document)


def write_monitor(published: Published, plans: pd.DataFrame, units: pd.DataFrame,
                  out_dir: Path, lang: str) -> tuple[dict[str, int], int]:
    """Write every profile (HTML, docx), the municipality overviews and ``index.html``.

    Returns the number of profiles per unit kind and how many were too small.
    """
    require_published(published)
    rules = published.rules
    note = text(lang, "monitor_note").format(k=rules.min_persons)
    profiles = _profiles(published, plans, units, lang)
    counts = dict.fromkeys(UNIT_KINDS, 0)
    for p in profiles:
        folder = out_dir / "profiles" / p.kind
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{_safe(p.unit_id)}.html").write_text(
            _html_profile(p, lang, note).replace('href="../index.html"',
                                                 'href="../../index.html"'), encoding="utf-8")
        _docx_profile(p, lang, note, folder / f"{_safe(p.unit_id)}.docx")
        counts[p.kind] += 1
    by_id = {(p.kind, p.unit_id): p for p in profiles}
    muni_of: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for u in _rows(units):
        if pd.notna(u.municipality):
            for kind, col in (("area", u.area_id), ("plan", u.plan_id)):
                if pd.notna(col) and (kind, str(col)) in by_id:
                    muni_of[str(u.municipality)].add((kind, str(col)))
    overview = out_dir / "municipalities"
    overview.mkdir(parents=True, exist_ok=True)
    index_items = []
    for muni in sorted(muni_of):
        title = f"{label(lang, 'monitor_unit', 'municipality')} {muni}"
        items = [f'<li><a href="../profiles/municipality/{_safe(muni)}.html">'
                 f"{html.escape(title)}</a></li>"] if ("municipality", muni) in by_id else []
        for kind, unit_id in sorted(muni_of[muni]):
            p = by_id[(kind, unit_id)]
            extra = f" — {p.subtitle[0]}" if p.subtitle else ""
            items.append(f'<li><a href="../profiles/{kind}/{_safe(unit_id)}.html">'
                         f"{html.escape(p.title + extra)}</a></li>")
        body = (f"<h1>{html.escape(title)}</h1><ul>{''.join(items)}</ul>"
                f'<p><a href="../index.html">{html.escape(text(lang, "monitor_index"))}</a></p>')
        (overview / f"{_safe(muni)}.html").write_text(_page(lang, title, body), encoding="utf-8")
        index_items.append(f'<li><a href="municipalities/{_safe(muni)}.html">'
                           f"{html.escape(title)}</a></li>")
    lists = []
    for kind in UNIT_KINDS:
        links = "".join(f'<li><a href="profiles/{kind}/{_safe(p.unit_id)}.html">'
                        f"{html.escape(p.title)}</a></li>" for p in profiles if p.kind == kind)
        lists.append(f"<h2>{html.escape(label(lang, 'monitor_units', kind))}</h2><ul>{links}</ul>")
    body = (f"<h1>{html.escape(text(lang, 'monitor_title'))}</h1>"
            f"<h2>{html.escape(text(lang, 'monitor_overviews'))}</h2><ul>{''.join(index_items)}"
            f"</ul>{''.join(lists)}<p class=\"note\">{html.escape(note)}</p>")
    (out_dir / "index.html").write_text(_page(lang, text(lang, "monitor_title"), body),
                                        encoding="utf-8")
    return counts, sum(1 for p in profiles if p.too_small)


def run_monitor(cfg: Any, out_dir: Path, *, lang: str | None = None, overwrite: bool = False,
                progress: Any = None) -> MonitorResult:
    """Build the profiles of ``cfg``'s data into ``out_dir`` (atomic, locked, with a manifest).

    Raises
    ------
    BoligevalError
        On bad input (nothing is written) or a folder that may not be replaced.
    """
    from boligeval.config import as_dict
    from boligeval.outputs import output_folder
    from boligeval.progress import silent
    from boligeval.run import Pipeline
    from boligeval.write import write_manifest

    started = time.perf_counter()
    progress = progress or silent()
    lang = lang or cfg.report.lang
    with output_folder(out_dir, overwrite=overwrite, data_dirs=[cfg.data.dir]) as folder, \
            Pipeline(cfg, progress=progress) as pipeline:
        if pipeline.panel is None:
            from boligeval.errors import PanelError

            raise PanelError("boligeval monitor needs register data (plans, departments, "
                             "residents).")
        ctx = Context(cfg=cfg, panel=pipeline.panel)
        with progress.stage("indicators"):
            results = monitor_results(ctx)
        with progress.stage("disclosure control"):
            published = protect_results(results, cfg.disclosure)
        panel = ctx.register
        plans = panel.table("plans")
        units = panel.department_units()
        with progress.stage("profiles"):
            counts, too_small = write_monitor(published, plans if plans is not None
                                              else pd.DataFrame(columns=["plan_id"]),
                                              units, folder.stage, lang)
        outputs = sorted(str(p.relative_to(folder.stage)) for p in folder.stage.rglob("*")
                         if p.is_file())
        write_manifest(published, folder.stage / "manifest.json", config=as_dict(cfg),
                       config_file=cfg.source, inputs=pipeline.ws.inputs.manifest(),
                       outputs=outputs, timings={"total": round(time.perf_counter() - started,
                                                                3)},
                       language=lang, command="monitor")
        final = folder.final
    return MonitorResult(final, counts, too_small, time.perf_counter() - started)
