"""Capital-area sensitivity of the area-level DiD (seed §4)."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from boligeval.analyses import register
from boligeval.analyses._common import WEIGHTING, model_records, weights_column
from boligeval.analyses.base import Context, RegisterAnalysis
from boligeval.config import AnalysisSpec
from boligeval.records import Record


@register
class AreaDddCapital(RegisterAnalysis):
    """Whether the effect of a plan differs in the capital area."""

    id = "area_ddd_capital"
    chapter = "diagnostics"
    order = 60
    options = MappingProxyType({"weighting": WEIGHTING})

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        from boligeval.estimate.did import area_ddd_capital

        assert ctx.panel is not None
        data = ctx.panel.for_analysis(spec.population, outcome)
        fit = area_ddd_capital(data, spec.population, outcome, weights=weights_column(spec))
        return model_records(fit.tidy(ctx.cfg.inference.alpha), analysis=self.id,
                             population=spec.population, outcome=outcome, fit=fit)

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.tables import regression_tables

        return list(regression_tables(view.records(self.id), self.id, view.lang,
                                      rules=view.rules))
