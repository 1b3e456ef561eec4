"""Sentences of the report's summary of main findings."""

from __future__ import annotations

from typing import Any

from boligeval.report.i18n import fmt_num, label, lower_first, text
from boligeval.report.tables import stars
from boligeval.vocabulary import decimals_for

__all__ = ["estimate_finding"]


def estimate_finding(lang: str, record: dict[str, Any], lead: str) -> str:
    """One sentence on an estimate: what, the estimate, its SE and significance."""
    what = (
        f"{lead} – {lower_first(label(lang, 'population', record.get('population')))}, "
        f"{lower_first(label(lang, 'outcome', record.get('outcome')))}"
    )
    if record.get("suppressed") or record.get("estimate") is None:
        return str(text(lang, "finding_suppressed")).format(what=what)
    dec = decimals_for(record.get("outcome"))
    est = fmt_num(record["estimate"], dec, lang)
    se = fmt_num(record.get("std_error"), dec, lang)
    st = stars(record.get("p_value"))
    if st:
        level = {"***": "1", "**": "5", "*": "10"}[st]
        return str(text(lang, "finding_sig")).format(what=what, est=est, se=se, level=level)
    return str(text(lang, "finding_ns")).format(what=what, est=est, se=se)
