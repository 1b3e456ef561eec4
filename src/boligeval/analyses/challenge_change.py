"""Change in the challenges between the waves, on plans answering both (seed figure 5.1)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from boligeval.analyses import register
from boligeval.analyses._survey import SurveyTable
from boligeval.analyses.item_mean import ItemMean
from boligeval.survey import Survey


@register
class ChallengeChange(SurveyTable):
    """Paired differences with jackknife intervals, across actors and by actor group."""

    id = "challenge_change"
    order = 230

    def table(self, survey: Survey) -> pd.DataFrame:
        from boligeval.survey import _analyses as an

        return an.challenge_change(survey.prepared, survey.plans,
                                   first_round_years=survey.first_round_years)

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.figures import change_figure
        from boligeval.report.tables import challenge_change_tables

        records = view.records(self.id)
        blocks: list[Any] = list(challenge_change_tables(
            records, view.lang, analysis=self.id, rules=view.rules, item_labels=view.labels))
        figure = change_figure(records, view.records(ItemMean.id), view.lang, view.labels,
                               self.id)
        return blocks + ([figure] if figure else [])
