"""Baseline balance per cohort with Fisher, Wilcoxon and t tests (seed table 4.1)."""

from __future__ import annotations

from typing import Any

from boligeval.analyses import register
from boligeval.analyses.base import Context, PanelAnalysis
from boligeval.records import BALANCE, Record, from_tidy


@register
class Balance(PanelAnalysis, id=BALANCE, chapter="baseline", order=20):
    """Department characteristics and deprivation at baseline, by intervention group."""

    def run_all(self, ctx: Context) -> list[Record]:
        from boligeval.estimate.balance import balance_table

        baseline = ctx.cfg.measurement_years[0]
        cells = ctx.register.cells
        deprivation = cells[(cells["population"] == "all") & (cells["outcome"] == "deprivation")
                            & (cells["year"] == baseline)][["department_id", "value", "n"]]
        deprivation = deprivation.rename(columns={"value": "deprivation",
                                                  "n": "n_deprivation"})
        data = ctx.register.departments().merge(deprivation, on="department_id", how="left")
        return from_tidy(balance_table(data), section=BALANCE, analysis=self.id)

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.tables import balance_table

        recs = [r for r in view.section(BALANCE) if r.get("analysis") in (None, self.id)]
        table = balance_table(recs, view.lang, key=self.id, rules=view.rules)
        return [table] if table is not None else []
