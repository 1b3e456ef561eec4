"""The survey analyses shown as plain pivot tables (seed chapters 2-3 and 5, appendix).

Each line registers one analysis: its id, its place in the survey chapter,
what it computes and how its table is laid out.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from boligeval.analyses import register
from boligeval.analyses._survey import SurveyTable
from boligeval.survey import Survey
from boligeval.survey import _analyses as an


def _response_rates(survey: Survey) -> pd.DataFrame:
    """Questionnaires sent and answered, by actor group and wave (seed table 2.1)."""
    if survey.prepared.dispatch is None:
        return an._frame([])
    return an.response_rates(survey.prepared)


def _plan_attributes(survey: Survey) -> pd.DataFrame:
    """Plan tools and organisation by intervention group."""
    if survey.departments is None or survey.cohorts is None:
        return an._frame([])
    return an.plan_attributes(survey.attributes, survey.departments, survey.cohorts)


class Goals(SurveyTable):
    """Every goal by actor group, and first each group's top three in the seed's layout."""

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.tables import goals_top_table

        top = goals_top_table(view.records(self.id), view.lang, analysis=self.id,
                              rules=view.rules, item_labels=view.labels)
        return ([top] if top is not None else []) + super().report(view)


class ResultArea(SurveyTable):
    """The result-area table (seed table 5.3) and its figure by actor group (figure 5.2)."""

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.figures import result_area_figure

        figure = result_area_figure(view.records(self.id), view.lang, view.labels,
                                    f"survey_{self.id}_actors")
        return super().report(view) + ([figure] if figure is not None else [])


class ResultType(SurveyTable):
    """The result-type table and the seed's figure 5.3: result types grouped into themes."""

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.figures import result_type_figure

        figure = result_type_figure(view.records(self.id), view.lang, view.labels,
                                    f"survey_{self.id}_themes")
        return super().report(view) + ([figure] if figure is not None else [])


register(SurveyTable("response_rates", 200, _response_rates, rows=("actor",),
                     columns=("wave", "statistic"), show_n=False))
# The plans' goals as the actors rate them, with each actor's top three (table 3.1).
register(Goals("goals", 240, lambda s: an.goals(s.prepared)))
# Barriers to the plans' work (table 3.2).
register(SurveyTable("barriers", 250, lambda s: an.barriers(s.prepared)))
# Share of plans with activities per intervention area, from plan records (table 3.3).
register(SurveyTable("intervention_areas", 260, lambda s: an.intervention_areas(s.plans),
                     source="plans_source"))
# Mean result score per intervention area (table 5.3, figure 5.2) and per result type
# (figure 5.3).
register(ResultArea("result_area", 270, lambda s: an.result_areas(s.prepared)))
register(ResultType("result_type", 280, lambda s: an.result_types(s.prepared)))
register(SurveyTable("plan_attributes", 290, _plan_attributes, rows=("item_id",),
                     columns=("cohort", "statistic"), source="plans_survey_source"))
# Appendix tables: the mean and the distribution of the answers to every item.
ITEM_MEAN = register(SurveyTable("item_mean", 300, lambda s: an.item_means(s.prepared),
                                 appendix=True))
register(SurveyTable("distribution", 310, lambda s: an.distributions(s.prepared),
                     rows=("item_id", "actor", "wave"), columns=("category",), appendix=True))
