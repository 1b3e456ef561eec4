"""Rambachan-Roth robust confidence sets for the event study, with the breakdown value."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from boligeval.analyses import register
from boligeval.analyses.base import Context, DiagnosticAnalysis
from boligeval.analyses.event_study import fit_event_study
from boligeval.config import AnalysisSpec
from boligeval.records import ESTIMATES, Record, from_tidy
from boligeval.report.tables import HONEST_LAYOUT


@register
class HonestDid(DiagnosticAnalysis, id="honest_did", order=120, layout=HONEST_LAYOUT,
                needs_pre_periods=True):
    """Sensitivity of the first post-period effect to violations of parallel trends."""

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        from boligeval.estimate.honest import honest_did

        res, data = fit_event_study(ctx.register, spec.population, outcome)
        tidy = res.tidy()
        pre = tidy[(tidy["event_time"] < res.ref)]
        post = tidy[tidy["event_time"] >= 0]
        names = [*pre["term"], *post["term"]]
        index = [res.fit.terms.index(t) for t in names]
        betahat = np.asarray(res.fit.beta)[index]
        sigma = np.asarray(res.fit.vcov)[np.ix_(index, index)]
        l_vec = np.zeros(len(post))
        l_vec[0] = 1.0  # the effect at the first treated period
        out = honest_did(betahat, sigma, num_pre=len(pre), num_post=len(post),
                         method="relative_magnitude", l_vec=l_vec.tolist(),
                         alpha=ctx.cfg.inference.alpha)
        base: dict[str, Any] = {"analysis": self.id, "population": spec.population,
                                "outcome": outcome,
                "n_departments": int(data["department_id"].nunique())}
        records = from_tidy(out.tidy(), **base)
        breakdown = float(out.breakdown)
        records.append(Record(ESTIMATES, {
            **base, "term": "breakdown_mbar",
            "estimate": breakdown if math.isfinite(breakdown) else None}))
        return records
