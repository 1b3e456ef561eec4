"""Sun-Abraham interaction-weighted event study, plan-clustered."""

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


def fit_sun_abraham(panel: Panel, spec: AnalysisSpec, outcome: str) -> tuple[Any, Any]:
    """The Sun-Abraham event study of one panel on measurement periods."""
    from boligeval.estimate.sun_abraham import sun_abraham

    data, _, _ = event_panel(panel, spec.population, outcome)
    res = sun_abraham(data, "value", "period", "department_id", "first_period",
                      weights=weights_column(spec), cluster="plan_id")
    return res, data


@register
class EventStudySunAbraham(DiagnosticAnalysis, id="event_study_sun_abraham", order=92,
                           layout=EVENT_STUDY_LAYOUT, needs_pre_periods=True,
                           options={"weighting": WEIGHTING}):
    """Cohort-specific event-time effects averaged with cohort shares (robust to
    heterogeneous effects), with a joint Wald test of the leads."""

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        res, data = fit_sun_abraham(ctx.register, spec, outcome)
        base = event_base(self.id, data, spec.population, outcome, res.fit.n_obs)
        records = from_tidy(res.tidy(alpha=ctx.cfg.inference.alpha), **base)
        wald = res.pretrend()
        if wald is not None:
            records.append(Record(ESTIMATES, {
                **base, "term": "pretrend_wald", "statistic": wald[0], "p_value": wald[1],
                "df": wald[2]}))
        return records

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.figures import event_figure

        figure = event_figure(view.records(self.id), view.lang, self.id)
        return super().report(view) + ([figure] if figure else [])
