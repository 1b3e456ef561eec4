"""Analytical minimum detectable effect and simulated power at it."""

from __future__ import annotations

from typing import Any

from boligeval.analyses import register
from boligeval.analyses.base import Context, RegisterAnalysis
from boligeval.config import AnalysisSpec
from boligeval.records import Record, from_tidy


@register
class Power(RegisterAnalysis):
    """What effect the design could have detected, and with what power."""

    id = "power"
    chapter = "diagnostics"
    order = 140

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        from boligeval.estimate.power import power

        assert ctx.panel is not None
        data = ctx.panel.for_analysis(spec.population, outcome)
        inf = ctx.cfg.inference
        res = power(data, alpha=inf.alpha, power=inf.power, seed=inf.seed)
        return from_tidy(res.tidy(), analysis=self.id, population=spec.population,
                         outcome=outcome, n_departments=int(data["department_id"].nunique()),
                         n_plans=int(data["plan_id"].nunique()))

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.tables import POWER_LAYOUT, diagnostic_tables

        return list(diagnostic_tables(view.records(self.id), self.id, view.lang,
                                      layout=POWER_LAYOUT, rules=view.rules))
