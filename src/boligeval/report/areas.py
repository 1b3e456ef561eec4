"""The area classification chapter: status by cohort at baseline, status over time,
criteria in the latest year and the reconciliation with the official list.

Everything is built from published records of the ``areas`` section; counts
of areas are counts of areas, not of persons.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from boligeval.disclosure import SUPPRESSED_MARK
from boligeval.report.i18n import fmt_int, fmt_num, label, text
from boligeval.report.tables import Row, Table, _finish

__all__ = ["STATUS_ROWS", "area_findings", "area_tables", "criteria_table"]

#: Statuses in the order the tables show them.
STATUS_ROWS: tuple[str, ...] = (
    "transformation", "parallel_society", "vulnerable", "prevention", "none", "undetermined",
    "below_min_residents",
)
_CRITERIA = ("outside", "convictions", "basic_education", "income")


def criterion_cell(record: dict[str, Any] | None, criterion: str, lang: str) -> str:
    """A criterion's compared value as shown: shares in per cent, ratios with two decimals.

    Empty without a record, the suppression mark when suppressed, and a star
    when the criterion is met.
    """
    if record is None:
        return ""
    if record.get("suppressed"):
        return SUPPRESSED_MARK
    if record.get("compared") is None:
        return text(lang, "areas_unknown")
    value = float(record["compared"])
    shown = (fmt_num(value, 2, lang) if criterion in ("convictions", "income")
             else fmt_num(100 * value, 1, lang))
    return shown + (" *" if record.get("met") else "")


def _of(records: list[dict[str, Any]], table: str) -> list[dict[str, Any]]:
    return [r for r in records if r.get("table") == table]


def _count_table(key: str, title: str, status: list[dict[str, Any]], column: str,
                 columns: list[Any], col_label: Any, lang: str,
                 rules: dict[str, Any] | None) -> Table:
    counts = Counter((str(r.get("status")), r.get(column)) for r in status)
    present = [s for s in STATUS_ROWS if any(k[0] == s for k in counts)]
    rows = [Row(label(lang, "area_status", s),
                tuple(fmt_int(counts.get((s, c), 0), lang) for c in columns), "plain")
            for s in present]
    rows.append(Row(text(lang, "areas_total"),
                    tuple(fmt_int(sum(v for k, v in counts.items() if k[1] == c), lang)
                          for c in columns), "stat"))
    return _finish(Table(key, title, tuple(col_label(c) for c in columns), tuple(rows),
                         (text(lang, "areas_count_note"),)), lang, rules)


def criteria_table(records: list[dict[str, Any]], year: int, lang: str,
                   rules: dict[str, Any] | None = None, *,
                   areas: list[Any] | None = None, key: str = "area_criteria") -> Table | None:
    """The § 61 a criteria of each area in one year: compared value and whether met."""
    crit = [r for r in _of(records, "criteria") if r.get("thresholds") == "main"
            and int(r["year"]) == year and (areas is None or r.get("area_id") in areas)]
    if not crit:
        return None
    cell = {(r["area_id"], r["criterion"]): r for r in crit}
    status = {r["area_id"]: r for r in _of(records, "status") if int(r["year"]) == year}
    rows = []
    for area in sorted({r["area_id"] for r in crit}, key=str):
        out = []
        for c in _CRITERIA:
            out.append(criterion_cell(cell.get((area, c)), c, lang))
        st = status.get(area, {})
        out.append(label(lang, "area_status", st.get("status")) if st else "")
        rows.append(Row(str(area), tuple(out), "plain"))
    cols = (*(label(lang, "area_criterion", c) for c in _CRITERIA),
            text(lang, "areas_status_col"))
    title = text(lang, "areas_criteria_title").format(year=year)
    return _finish(Table(key, title, cols, tuple(rows), (text(lang, "areas_criteria_note"),),
                         text_cols=1), lang, rules)


def area_tables(records: list[dict[str, Any]], lang: str,
                rules: dict[str, Any] | None = None) -> list[Table]:
    """The chapter's tables (empty without area records)."""
    status = _of(records, "status")
    if not status:
        return []
    years = sorted({int(r["year"]) for r in status})
    baseline = years[0]
    base = [r for r in status if int(r["year"]) == baseline]
    cohorts = sorted({str(r.get("cohort")) for r in base}, key=lambda g: (g != "control", g))
    out = [
        _count_table("area_status_cohort", text(lang, "areas_by_cohort").format(year=baseline),
                     [dict(r, cohort=str(r.get("cohort"))) for r in base], "cohort", cohorts,
                     lambda g: label(lang, "group", g), lang, rules),
        _count_table("area_status_years", text(lang, "areas_over_time"), status, "year", years,
                     str, lang, rules),
    ]
    latest = criteria_table(records, years[-1], lang, rules)
    if latest is not None:
        out.append(latest)
    rec = _of(records, "reconciliation")
    if rec:
        rows = []
        for r in sorted(rec, key=lambda x: (str(x["area_id"]), int(x["year"]))):
            if r.get("agree"):
                continue
            deciding = ", ".join(label(lang, "area_criterion", c)
                                 for c in str(r.get("deciding") or "").split(";") if c)
            rows.append(Row(f"{r['area_id']} {r['year']}",
                            (label(lang, "area_status", r.get("status")),
                             label(lang, "area_status", r.get("official")), deciding), "plain"))
        agree = sum(1 for r in rec if r.get("agree"))
        note = text(lang, "areas_reconcile_note").format(agree=fmt_int(agree, lang),
                                                         total=fmt_int(len(rec), lang))
        cols = (text(lang, "areas_ours"), text(lang, "areas_official"),
                text(lang, "areas_deciding"))
        out.append(_finish(Table("area_reconciliation", text(lang, "areas_reconcile_title"),
                                 cols, tuple(rows), (note,), text_cols=3), lang, rules))
    return out


def area_findings(records: list[dict[str, Any]], lang: str) -> list[str]:
    """One sentence: how many areas are on the list in the latest year."""
    status = _of(records, "status")
    if not status:
        return []
    last = max(int(r["year"]) for r in status)
    now = [r for r in status if int(r["year"]) == last]
    listed = sum(1 for r in now if r.get("status") in
                 ("transformation", "parallel_society", "vulnerable"))
    return [text(lang, "areas_finding").format(year=last, listed=listed, total=len(now))]
