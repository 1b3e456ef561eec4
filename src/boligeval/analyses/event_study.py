"""TWFE event study: leads and lags with a joint Wald test of the leads."""

from __future__ import annotations

import itertools
from typing import Any, ClassVar

import pandas as pd

from boligeval.analyses import register
from boligeval.analyses.base import Context, DiagnosticAnalysis
from boligeval.config import AnalysisSpec
from boligeval.errors import EstimationError, PrePeriodsError
from boligeval.panel import Panel
from boligeval.records import ESTIMATES, Record, from_tidy
from boligeval.report.tables import EVENT_STUDY_LAYOUT


def event_panel(panel: Panel, population: str, outcome: str) -> tuple[pd.DataFrame, int, int]:
    """One panel on measurement periods, with the numbers of leads and lags.

    Adds ``period`` (index of the measurement year) and ``first_period`` (that
    of the first treated year, 0 for never treated).

    Raises
    ------
    PrePeriodsError
        When no cohort has two pre-treatment measurement years.
    """
    data = panel.first_treated(population, outcome)
    periods = sorted(data["year"].unique())
    index = {y: i for i, y in enumerate(periods)}
    data["period"] = data["year"].map(index)
    data["first_period"] = data["first_treated"].map(lambda g: index.get(g, 0) if g else 0)
    treated = data.loc[data["first_period"] > 0, "first_period"]
    if treated.empty:
        raise EstimationError("The event study needs treated departments.")
    leads = int(treated.max())          # periods before the latest cohort's start
    lags = int(len(periods) - 1 - treated.min())
    if leads < 2:
        raise PrePeriodsError(
            "The event study needs at least two pre-treatment measurement years for some "
            "cohort (one is the reference); use annual data (synth --years 2000-2012)."
        )
    return data, leads, lags


def event_base(analysis: str, data: pd.DataFrame, population: str, outcome: str,
               n_obs: int) -> dict[str, Any]:
    """Fields every record of an event study carries (period length in years, counts)."""
    years = sorted(int(y) for y in data["year"].unique())
    steps = {b - a for a, b in itertools.pairwise(years)}
    # Event time counts measurement periods; their length in years labels them.
    return {"analysis": analysis, "population": population, "outcome": outcome,
            "period_years": steps.pop() if len(steps) == 1 else None,
            "n_departments": int(data["department_id"].nunique()),
            "n_plans": int(data["plan_id"].nunique()), "n_obs": int(n_obs)}


def fit_event_study(panel: Panel, population: str, outcome: str) -> tuple[Any, pd.DataFrame]:
    """Estimate the TWFE event study of one panel on measurement periods.

    Raises
    ------
    PrePeriodsError
        When no cohort has two pre-treatment measurement years.
    """
    from boligeval.estimate.event_study import event_study

    data, leads, lags = event_panel(panel, population, outcome)
    return event_study(data, "value", "period", "department_id", "first_period",
                       leads=leads, lags=lags, cluster="plan_id"), data


class EventStudyAnalysis(DiagnosticAnalysis):
    """An event study: a table and a figure by event time, with the pre-trend test."""

    layout: ClassVar[Any] = EVENT_STUDY_LAYOUT
    needs_pre_periods: ClassVar[bool] = True

    def event_records(self, ctx: Context, spec: AnalysisSpec, outcome: str, tidy: pd.DataFrame,
                      data: pd.DataFrame, n_obs: int,
                      pretrend: tuple[float, float, int] | None) -> list[Record]:
        """Records of the coefficients and of the pre-trend test (statistic, p, df)."""
        base = event_base(self.id, data, spec.population, outcome, n_obs)
        records = from_tidy(tidy, **base)
        if pretrend is not None:
            records.append(Record(ESTIMATES, {
                **base, "term": "pretrend_wald", "statistic": float(pretrend[0]),
                "p_value": float(pretrend[1]), "df": int(pretrend[2])}))
        return records

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.figures import event_figure

        figure = event_figure(view.records(self.id), view.lang, self.id,
                              estimator=self.estimator_name(view.lang))
        return super().report(view) + ([figure] if figure else [])

    def estimator_name(self, lang: str) -> str | None:
        """Named in the figure's caption, so two event-study figures are told apart."""
        from boligeval.report.i18n import label

        return label(lang, "analysis", self.id)


@register
class EventStudy(EventStudyAnalysis, id="event_study", order=90):
    """Dynamic effects by measurement period relative to the start of the plan."""

    def estimator_name(self, lang: str) -> str | None:
        """The TWFE event study is the report's event study: its caption stays plain."""
        return None

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        res, data = fit_event_study(ctx.register, spec.population, outcome)
        wald = res.pretrend
        return self.event_records(
            ctx, spec, outcome, res.tidy(alpha=ctx.cfg.inference.alpha), data, res.fit.n_obs,
            None if wald is None else (wald.statistic, wald.p_value, wald.df_num))
