"""Imputation event study (Borusyak, Jaravel and Spiess 2024), plan-clustered."""

from __future__ import annotations

from typing import Any

from boligeval.analyses import register
from boligeval.analyses._common import WEIGHTING, weights_column
from boligeval.analyses.base import Context, Option
from boligeval.analyses.event_study import EventStudyAnalysis, event_panel
from boligeval.config import AnalysisSpec
from boligeval.panel import Panel
from boligeval.records import Record

#: BJS's variance: with the leave-out refinement (default) or as their Theorem 3.
VARIANCE = Option(
    "leave_out", ("leave_out", "conservative"),
    "leave_out: residuals of the treated from their cohort and horizon's mean over the other "
    "plans (BJS, Supplementary Appendix A.9); conservative: over all plans, as R "
    "didimputation and diff-diff by default (shorter intervals with few plans per cohort)",
)


def fit_imputation(panel: Panel, spec: AnalysisSpec, outcome: str) -> tuple[Any, Any]:
    """The imputation event study of one panel on measurement periods."""
    from boligeval.estimate.imputation import imputation_did

    data, leads, lags = event_panel(panel, spec.population, outcome)
    variance = spec.options.get("variance", VARIANCE.default)
    res = imputation_did(data, "value", "period", "department_id", "first_period",
                         weights=weights_column(spec), cluster="plan_id", lags=lags,
                         leads=leads - 1, leave_out=variance == "leave_out")
    return res, data


@register
class EventStudyImputation(EventStudyAnalysis, id="event_study_imputation", order=91,
                           options={"weighting": WEIGHTING, "variance": VARIANCE}):
    """Effects by event time imputed from untreated department-years (robust to
    heterogeneous effects across cohorts), with the BJS pre-trend test."""

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        res, data = fit_imputation(ctx.register, spec, outcome)
        wald = (res.pretrend_statistic, res.pretrend_p_value, res.leads) if res.leads else None
        return self.event_records(ctx, spec, outcome, res.tidy(alpha=ctx.cfg.inference.alpha),
                                  data, res.n_obs, wald)
