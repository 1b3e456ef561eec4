"""Triple differences: rent support, plans and both (seed tables 4.10-4.12)."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from boligeval.analyses import register
from boligeval.analyses._common import WEIGHTING, model_records, weights_column
from boligeval.analyses.base import Context, RegisterAnalysis
from boligeval.config import AnalysisSpec
from boligeval.records import Record


@register
class AreaDddRentSupport(RegisterAnalysis):
    """Rent support (psi), an active plan (tau), both (omega) and the combined effect."""

    id = "area_ddd_rent_support"
    chapter = "rent_support"
    order = 40
    options = MappingProxyType({"weighting": WEIGHTING})

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        from boligeval.estimate.did import area_ddd_rent_support

        assert ctx.panel is not None
        data = ctx.panel.for_analysis(spec.population, outcome)
        fit = area_ddd_rent_support(data, spec.population, outcome,
                                    weights=weights_column(spec))
        return model_records(fit.tidy(ctx.cfg.inference.alpha), analysis=self.id,
                             population=spec.population, outcome=outcome, fit=fit)

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.i18n import label, text
        from boligeval.report.tables import RENT_TERMS, regression_tables

        return list(regression_tables(
            view.records(self.id), self.id, view.lang, rules=view.rules, terms=RENT_TERMS,
            term_labels={"active_plan": label(view.lang, "term", "plan_tau")},
            extra_notes=[text(view.lang, "combined_test")],
        ))

    def findings(self, view: Any) -> list[str]:
        from boligeval.report.findings import estimate_finding
        from boligeval.report.i18n import label

        lead = label(view.lang, "term", "combined")
        return [estimate_finding(view.lang, r, lead) for r in view.records(self.id)
                if r.get("term") == "combined"]
