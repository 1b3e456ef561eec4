"""Triple differences: rent support, plans and both (seed tables 4.10-4.12)."""

from __future__ import annotations

from typing import Any

from boligeval.analyses import register
from boligeval.analyses._common import WEIGHTING, AreaModel, weights_column
from boligeval.analyses.base import Context
from boligeval.config import AnalysisSpec


@register
class AreaDddRentSupport(AreaModel, id="area_ddd_rent_support", chapter="rent_support",
                         order=40, options={"weighting": WEIGHTING}):
    """Rent support (psi), an active plan (tau), both (omega) and the combined effect."""

    def fit(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> Any:
        from boligeval.estimate.did import area_ddd_rent_support

        return area_ddd_rent_support(ctx.data(spec, outcome), spec.population, outcome,
                                     weights=weights_column(spec))

    def table_options(self, lang: str) -> dict[str, Any]:
        from boligeval.report.i18n import label, text
        from boligeval.report.tables import RENT_TERMS

        return {"terms": RENT_TERMS,
                "term_labels": {"active_plan": label(lang, "term", "plan_tau")},
                "extra_notes": [text(lang, "combined_test")]}

    def findings(self, view: Any) -> list[str]:
        from boligeval.report.findings import estimate_finding
        from boligeval.report.i18n import label

        lead = label(view.lang, "term", "combined")
        return [estimate_finding(view.lang, r, lead) for r in view.records(self.id)
                if r.get("term") == "combined"]
