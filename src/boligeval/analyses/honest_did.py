"""Rambachan-Roth robust confidence sets for an event study, with the breakdown value.

The event study is the TWFE one (default), the imputation event study or the
Sun-Abraham one (option ``event_study``); each keeps e = -1 as the reference.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

from boligeval.analyses import register
from boligeval.analyses.base import Context, DiagnosticAnalysis, Option
from boligeval.analyses.event_study import EventStudy, fit_event_study
from boligeval.analyses.event_study_imputation import EventStudyImputation, fit_imputation
from boligeval.analyses.event_study_sun_abraham import EventStudySunAbraham, fit_sun_abraham
from boligeval.config import AnalysisSpec
from boligeval.panel import Panel
from boligeval.records import ESTIMATES, Record, from_tidy
from boligeval.report.tables import HONEST_LAYOUT

#: Option value: (estimating function, id of the event study's own analysis).
_EVENT_STUDIES: dict[str, tuple[Callable[[Panel, AnalysisSpec, str], Any], str]] = {
    "twfe": (lambda panel, spec, outcome: fit_event_study(panel, spec.population, outcome),
             EventStudy.id),
    "imputation": (fit_imputation, EventStudyImputation.id),
    "sun_abraham": (fit_sun_abraham, EventStudySunAbraham.id),
}


#: Event times used at most on either side of the reference: the pre-periods next to it and
#: the first post-periods. An annual design has 20 and more of each, for which the
#: relative-magnitude sets take hours; the seed's design has fewer, so nothing changes there.
MAX_PRE, MAX_POST = 5, 5


def _window(beta: Any, sigma: Any, pre: int, post: int) -> tuple[Any, Any, int, int]:
    """The last ``MAX_PRE`` pre-period and first ``MAX_POST`` post-period coefficients."""
    keep = list(range(max(pre - MAX_PRE, 0), pre)) + list(range(pre, pre + min(post, MAX_POST)))
    return (beta[keep], sigma[keep][:, keep], min(pre, MAX_PRE), min(post, MAX_POST))


@register
class HonestDid(DiagnosticAnalysis, id="honest_did", order=120, layout=HONEST_LAYOUT,
                needs_pre_periods=True, options={"event_study": Option(
                    "twfe", tuple(_EVENT_STUDIES),
                    "the event study: TWFE, imputation (BJS) or Sun-Abraham")}):
    """Sensitivity of the first post-period effect to violations of parallel trends."""

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        from boligeval.estimate.honest import event_study_inputs, honest_did

        kind = str(spec.option("event_study"))
        res, data = _EVENT_STUDIES[kind][0](ctx.register, spec, outcome)
        betahat, sigma, num_pre, num_post = _window(*event_study_inputs(res))
        l_vec = [0.0] * num_post
        l_vec[0] = 1.0  # the effect at the first treated period
        out = honest_did(betahat, sigma, num_pre=num_pre, num_post=num_post,
                         method="relative_magnitude", l_vec=l_vec,
                         alpha=ctx.cfg.inference.alpha)
        base: dict[str, Any] = {"analysis": self.id, "population": spec.population,
                                "outcome": outcome, "event_study": kind,
                "n_departments": int(data["department_id"].nunique())}
        records = from_tidy(out.tidy(), **base)
        breakdown = float(out.breakdown)
        records.append(Record(ESTIMATES, {
            **base, "term": "breakdown_mbar",
            "estimate": breakdown if math.isfinite(breakdown) else None}))
        return records

    def report(self, view: Any) -> list[Any]:
        """One table per population and outcome for each event study used."""
        from boligeval.report.i18n import label
        from boligeval.report.tables import diagnostic_tables

        records = view.records(self.id)
        out: list[Any] = []
        for kind, (_, ident) in _EVENT_STUDIES.items():
            sub = [r for r in records if r.get("event_study", "twfe") == kind]
            tables = diagnostic_tables(sub, self.id, view.lang, layout=self.layout,
                                       rules=view.rules)
            if kind != "twfe":
                tables = [dataclasses.replace(
                    t, key=f"{t.key}_{kind}",
                    title=f"{t.title} ({label(view.lang, 'analysis', ident)})")
                    for t in tables]
            out += tables
        return out
