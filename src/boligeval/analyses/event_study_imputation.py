"""Imputation event study (Borusyak, Jaravel and Spiess 2024), plan-clustered."""

from __future__ import annotations

from typing import Any

from boligeval.analyses import register
from boligeval.analyses._common import WEIGHTING, weights_column
from boligeval.analyses.base import Context, DiagnosticAnalysis
from boligeval.analyses.event_study import event_base, event_panel
from boligeval.config import AnalysisSpec
from boligeval.panel import Panel
from boligeval.records import ESTIMATES, Record, from_tidy
from boligeval.report.tables import EVENT_STUDY_LAYOUT


def fit_imputation(panel: Panel, spec: AnalysisSpec, outcome: str) -> tuple[Any, Any]:
    """The imputation event study of one panel on measurement periods."""
    from boligeval.estimate.imputation import imputation_did

    data, leads, lags = event_panel(panel, spec.population, outcome)
    res = imputation_did(data, "value", "period", "department_id", "first_period",
                         weights=weights_column(spec), cluster="plan_id", lags=lags,
                         leads=leads - 1)
    return res, data


@register
class EventStudyImputation(DiagnosticAnalysis, id="event_study_imputation", order=91,
                           layout=EVENT_STUDY_LAYOUT, needs_pre_periods=True,
                           options={"weighting": WEIGHTING}):
    """Effects by event time imputed from untreated department-years (robust to
    heterogeneous effects across cohorts), with the BJS pre-trend test."""

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        res, data = fit_imputation(ctx.register, spec, outcome)
        base = event_base(self.id, data, spec.population, outcome, res.n_obs)
        records = from_tidy(res.tidy(alpha=ctx.cfg.inference.alpha), **base)
        if res.leads:
            records.append(Record(ESTIMATES, {
                **base, "term": "pretrend_wald", "statistic": res.pretrend_statistic,
                "p_value": res.pretrend_p_value, "df": res.leads}))
        return records

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.figures import event_figure

        figure = event_figure(view.records(self.id), view.lang, self.id)
        return super().report(view) + ([figure] if figure else [])
