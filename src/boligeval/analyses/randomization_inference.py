"""Randomization inference: cohort labels permuted across plans."""

from __future__ import annotations

from boligeval.analyses import register
from boligeval.analyses._common import FIXED_EFFECTS_LEVEL
from boligeval.analyses.base import Context, DiagnosticAnalysis
from boligeval.config import AnalysisSpec
from boligeval.records import ESTIMATES, Record
from boligeval.report.tables import RANDOMIZATION_LAYOUT


@register
class RandomizationInference(DiagnosticAnalysis, id="randomization_inference", order=110,
                             layout=RANDOMIZATION_LAYOUT,
                             options={"fixed_effects_level": FIXED_EFFECTS_LEVEL}):
    """A permutation p-value for the area-level effect that needs no asymptotics."""

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        from boligeval.estimate.randomization import randomization_inference

        res = randomization_inference(
            ctx.data(spec, outcome), spec.population, outcome,
            fixed_effects_level=spec.option("fixed_effects_level"),
            permutations=ctx.cfg.inference.permutations, seed=ctx.cfg.inference.seed)
        return [Record(ESTIMATES, {
            "analysis": self.id, "population": spec.population, "outcome": outcome,
            "term": "active_plan", "estimate": res.estimate,
            "std_error": float(res.tidy().iloc[0]["std_error"]), "p_value": res.p_value})]
