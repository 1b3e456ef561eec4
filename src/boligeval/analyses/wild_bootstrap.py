"""Restricted wild cluster bootstrap of the area-level and triple-differences effects."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from boligeval.analyses import register
from boligeval.analyses._common import FIXED_EFFECTS_LEVEL, WEIGHTING, weights_column
from boligeval.analyses.area_ddd_rent_support import AreaDddRentSupport
from boligeval.analyses.area_did import AreaDid
from boligeval.analyses.base import Context, RegisterAnalysis
from boligeval.config import AnalysisSpec
from boligeval.errors import EstimationError
from boligeval.records import ESTIMATES, Record

#: The triple-differences combined effect psi + tau + omega.
COMBINED = {"rent_support": 1.0, "active_plan": 1.0, "rent_support_in_plan": 1.0}


def _record(res: Any, spec: AnalysisSpec, outcome: str, analysis: str,
            model: str) -> Record:
    return Record(ESTIMATES, {
        "analysis": analysis, "population": spec.population, "outcome": outcome,
        "term": res.term, "estimate": res.estimate, "std_error": res.std_error,
        "p_value": res.p_value, "ci_low": res.ci_low, "ci_high": res.ci_high, "model": model,
    })


@register
class WildBootstrap(RegisterAnalysis):
    """Few-cluster robust p-values and intervals (Rademacher; Webb below 12 clusters)."""

    id = "wild_bootstrap"
    chapter = "diagnostics"
    order = 100
    options = MappingProxyType({"fixed_effects_level": FIXED_EFFECTS_LEVEL, "weighting": WEIGHTING})

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        from boligeval.estimate.bootstrap import wild_cluster_bootstrap
        from boligeval.estimate.did import area_ddd_rent_support, area_did

        assert ctx.panel is not None
        data = ctx.panel.for_analysis(spec.population, outcome)
        weights = weights_column(spec)
        inf = ctx.cfg.inference
        fit = area_did(data, spec.population, outcome,
                       fixed_effects_level=spec.option("fixed_effects_level"), weights=weights)
        res = wild_cluster_bootstrap(fit, "active_plan", B=inf.wild_bootstrap_draws,
                                     seed=inf.seed, alpha=inf.alpha)
        records = [_record(res, spec, outcome, self.id, AreaDid.id)]
        # The triple-differences combined effect, where the model is identified.
        try:
            ddd = area_ddd_rent_support(data, spec.population, outcome, weights=weights)
            res = wild_cluster_bootstrap(ddd, COMBINED, B=inf.wild_bootstrap_draws,
                                         seed=inf.seed, alpha=inf.alpha, label="combined")
        except EstimationError:
            return records
        return [*records, _record(res, spec, outcome, self.id, AreaDddRentSupport.id)]

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.tables import WILD_BOOTSTRAP_LAYOUT, diagnostic_tables

        return list(diagnostic_tables(view.records(self.id), self.id, view.lang,
                                      layout=WILD_BOOTSTRAP_LAYOUT, rules=view.rules))
