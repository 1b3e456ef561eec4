"""Restricted wild cluster bootstrap of the area-level and triple-differences effects."""

from __future__ import annotations

from typing import Any

from boligeval.analyses import register
from boligeval.analyses._common import FIXED_EFFECTS_LEVEL, WEIGHTING, weights_column
from boligeval.analyses.area_ddd_rent_support import AreaDddRentSupport
from boligeval.analyses.area_did import AreaDid
from boligeval.analyses.base import Context, DiagnosticAnalysis
from boligeval.config import AnalysisSpec
from boligeval.errors import EstimationError
from boligeval.records import ESTIMATES, Record
from boligeval.report.tables import WILD_BOOTSTRAP_LAYOUT

#: The triple-differences combined effect psi + tau + omega.
COMBINED = {"rent_support": 1.0, "active_plan": 1.0, "rent_support_in_plan": 1.0}


def _record(res: Any, spec: AnalysisSpec, outcome: str, analysis: str,
            model: str) -> Record:
    return Record(ESTIMATES, {
        "analysis": analysis, "population": spec.population, "outcome": outcome,
        "term": res.term, "estimate": res.estimate, "std_error": res.std_error,
        "p_value": res.p_value, "ci_low": res.ci_low, "ci_high": res.ci_high, "model": model,
    })


#: The triple-differences terms published beside the combined effect (psi, tau, omega).
DDD_COMPONENTS = ("rent_support", "active_plan", "rent_support_in_plan")


@register
class WildBootstrap(DiagnosticAnalysis, id="wild_bootstrap", order=100,
                    layout=WILD_BOOTSTRAP_LAYOUT,
                    options={"fixed_effects_level": FIXED_EFFECTS_LEVEL, "weighting": WEIGHTING}):
    """Few-cluster robust p-values and intervals (Rademacher; Webb below 12 clusters)."""

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        from boligeval.estimate.bootstrap import wild_cluster_bootstrap
        from boligeval.estimate.did import area_ddd_rent_support, area_did

        data = ctx.data(spec, outcome)
        weights = weights_column(spec)
        inf = ctx.cfg.inference
        fit = area_did(data, spec.population, outcome,
                       fixed_effects_level=spec.option("fixed_effects_level"), weights=weights)
        res = wild_cluster_bootstrap(fit, "active_plan", bootstrap_draws=inf.wild_bootstrap_draws,
                                     seed=inf.seed, alpha=inf.alpha)
        records = [_record(res, spec, outcome, self.id, AreaDid.id)]
        # The triple-differences combined effect, where the model is identified.
        try:
            ddd = area_ddd_rent_support(data, spec.population, outcome, weights=weights)
            res = wild_cluster_bootstrap(ddd, COMBINED, bootstrap_draws=inf.wild_bootstrap_draws,
                                         seed=inf.seed, alpha=inf.alpha, label="combined")
        except EstimationError:
            return records
        # Its components, with the model's cluster-robust (CR1) inference, so the
        # combined effect can be read against psi, tau and omega of the same population.
        parts = ddd.tidy(inf.alpha)
        components = [
            Record(ESTIMATES, {
                "analysis": self.id, "population": spec.population, "outcome": outcome,
                "term": str(row["term"]), "estimate": row["estimate"],
                "std_error": row["std_error"], "p_value": row["p_value"],
                "ci_low": row["ci_low"], "ci_high": row["ci_high"],
                "model": AreaDddRentSupport.id, "inference": "cr1"})
            for row in parts.to_dict("records") if row["term"] in DDD_COMPONENTS
        ]
        return [*records, _record(res, spec, outcome, self.id, AreaDddRentSupport.id),
                *components]
