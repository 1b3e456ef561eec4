"""Goodman-Bacon decomposition of the two-way fixed-effects estimate."""

from __future__ import annotations

from boligeval.analyses import register
from boligeval.analyses.base import Context, DiagnosticAnalysis
from boligeval.config import AnalysisSpec
from boligeval.records import Record, from_tidy
from boligeval.report.tables import BACON_LAYOUT


@register
class Bacon(DiagnosticAnalysis, id="bacon", order=80, layout=BACON_LAYOUT):
    """The 2x2 comparisons behind the TWFE estimate and their weights."""

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        from boligeval.estimate.bacon import bacon

        data = ctx.staggered(spec, outcome)
        res = bacon(data, yname="value", tname="year", idname="department_id",
                    gname="first_treated")
        return from_tidy(res.tidy(), analysis=self.id, population=spec.population,
                         outcome=outcome, n_departments=int(data["department_id"].nunique()))
