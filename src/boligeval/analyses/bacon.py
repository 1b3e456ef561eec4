"""Goodman-Bacon decomposition of the two-way fixed-effects estimate."""

from __future__ import annotations

from typing import Any

from boligeval.analyses import register
from boligeval.analyses.base import Context, RegisterAnalysis
from boligeval.config import AnalysisSpec
from boligeval.records import Record, from_tidy


@register
class Bacon(RegisterAnalysis):
    """The 2x2 comparisons behind the TWFE estimate and their weights."""

    id = "bacon"
    chapter = "diagnostics"
    order = 80

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        from boligeval.estimate.bacon import bacon

        assert ctx.panel is not None
        data = ctx.panel.first_treated(spec.population, outcome)
        res = bacon(data, yname="value", tname="year", idname="department_id",
                    gname="first_treated")
        return from_tidy(res.tidy(), analysis=self.id, population=spec.population,
                         outcome=outcome, n_departments=int(data["department_id"].nunique()))

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.tables import BACON_LAYOUT, diagnostic_tables

        return list(diagnostic_tables(view.records(self.id), self.id, view.lang,
                                      layout=BACON_LAYOUT, rules=view.rules))
