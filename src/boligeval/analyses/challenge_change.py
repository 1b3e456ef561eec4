"""Change in the challenges between the waves, on plans answering both (seed figure 5.1)."""

from __future__ import annotations

from typing import Any

from boligeval.analyses import register
from boligeval.analyses._survey import SurveyTable
from boligeval.analyses.survey_tables import ITEM_MEAN
from boligeval.survey import _analyses as an


class ChallengeChange(SurveyTable):
    """Paired differences with jackknife intervals, across actors and by actor group."""

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.figures import change_figure
        from boligeval.report.tables import challenge_change_tables

        records = view.records(self.id)
        blocks: list[Any] = list(challenge_change_tables(
            records, view.lang, analysis=self.id, rules=view.rules, item_labels=view.labels))
        figure = change_figure(records, view.records(ITEM_MEAN.id), view.lang, view.labels,
                               self.id)
        return blocks + ([figure] if figure else [])


CHALLENGE_CHANGE = register(ChallengeChange(
    "challenge_change", 230,
    lambda s: an.challenge_change(s.prepared, s.plans, first_round_years=s.first_round_years)))
