"""Randomization inference: cohort labels permuted across plans."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from boligeval.analyses import register
from boligeval.analyses._common import FIXED_EFFECTS_LEVEL
from boligeval.analyses.base import Context, RegisterAnalysis
from boligeval.config import AnalysisSpec
from boligeval.records import ESTIMATES, Record


@register
class RandomizationInference(RegisterAnalysis):
    """A permutation p-value for the area-level effect that needs no asymptotics."""

    id = "randomization_inference"
    chapter = "diagnostics"
    order = 110
    options = MappingProxyType({"fixed_effects_level": FIXED_EFFECTS_LEVEL})

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        from boligeval.estimate.randomization import randomization_inference

        assert ctx.panel is not None
        data = ctx.panel.for_analysis(spec.population, outcome)
        inf = ctx.cfg.inference
        res = randomization_inference(
            data, spec.population, outcome,
            fixed_effects_level=spec.option("fixed_effects_level"),
            permutations=inf.permutations, seed=inf.seed)
        row = res.tidy().iloc[0]
        return [Record(ESTIMATES, {
            "analysis": self.id, "population": spec.population, "outcome": outcome,
            "term": "active_plan", "estimate": res.estimate,
            "std_error": float(row["std_error"]), "p_value": res.p_value})]

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.tables import RANDOMIZATION_LAYOUT, diagnostic_tables

        return list(diagnostic_tables(view.records(self.id), self.id, view.lang,
                                      layout=RANDOMIZATION_LAYOUT, rules=view.rules))
