"""Row accounting: where every department and resident row went (seed §4, "Dataopsætning")."""

from __future__ import annotations

from typing import Any

from boligeval.analyses import register
from boligeval.analyses.base import Context, PanelAnalysis
from boligeval.records import ACCOUNTING, Record, from_tidy


@register
class Accounting(PanelAnalysis, id=ACCOUNTING, chapter="design", order=10):
    """Departments and resident rows: used, or excluded with a reason."""

    def run_all(self, ctx: Context) -> list[Record]:
        return from_tidy(ctx.register.accounting, section=ACCOUNTING, analysis=self.id)

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.tables import accounting_tables

        return list(accounting_tables(view.section(ACCOUNTING), view.lang, rules=view.rules))
