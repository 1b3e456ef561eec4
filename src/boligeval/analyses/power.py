"""Analytical minimum detectable effect and simulated power at it."""

from __future__ import annotations

from boligeval.analyses import register
from boligeval.analyses.base import Context, DiagnosticAnalysis
from boligeval.config import AnalysisSpec
from boligeval.records import Record, from_tidy
from boligeval.report.tables import POWER_LAYOUT


@register
class Power(DiagnosticAnalysis, id="power", order=140, layout=POWER_LAYOUT):
    """What effect the design could have detected, and with what power."""

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        from boligeval.estimate.power import power

        data, inf = ctx.data(spec, outcome), ctx.cfg.inference
        res = power(data, alpha=inf.alpha, power=inf.power, seed=inf.seed)
        return from_tidy(res.tidy(), analysis=self.id, population=spec.population,
                         outcome=outcome, n_plans=int(data["plan_id"].nunique()),
                         n_departments=int(data["department_id"].nunique()))
