"""Sun-Abraham interaction-weighted event study, plan-clustered."""

from __future__ import annotations

from typing import Any

from boligeval.analyses import register
from boligeval.analyses._common import WEIGHTING, weights_column
from boligeval.analyses.base import Context
from boligeval.analyses.event_study import EventStudyAnalysis, event_panel
from boligeval.config import AnalysisSpec
from boligeval.panel import Panel
from boligeval.records import Record


def fit_sun_abraham(panel: Panel, spec: AnalysisSpec, outcome: str) -> tuple[Any, Any]:
    """The Sun-Abraham event study of one panel on measurement periods."""
    from boligeval.estimate.sun_abraham import sun_abraham

    data, _, _ = event_panel(panel, spec.population, outcome)
    res = sun_abraham(data, "value", "period", "department_id", "first_period",
                      weights=weights_column(spec), cluster="plan_id")
    return res, data


@register
class EventStudySunAbraham(EventStudyAnalysis, id="event_study_sun_abraham", order=92,
                           options={"weighting": WEIGHTING}):
    """Cohort-specific event-time effects averaged with cohort shares (robust to
    heterogeneous effects), with a joint Wald test of the leads."""

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        res, data = fit_sun_abraham(ctx.register, spec, outcome)
        return self.event_records(ctx, spec, outcome, res.tidy(alpha=ctx.cfg.inference.alpha),
                                  data, res.fit.n_obs, res.pretrend())
