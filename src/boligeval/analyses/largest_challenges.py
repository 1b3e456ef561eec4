"""Each actor group's five largest challenges (seed table 5.1)."""

from __future__ import annotations

from typing import Any

from boligeval.analyses import register
from boligeval.analyses._survey import SurveyTable
from boligeval.survey import _analyses as an


class LargestChallenges(SurveyTable):
    """Per actor group the challenges with the highest mean score, ranked."""

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.tables import largest_challenges_table

        table = largest_challenges_table(view.records(self.id), view.lang, analysis=self.id,
                                         rules=view.rules, item_labels=view.labels)
        return [table] if table is not None else []


register(LargestChallenges("largest_challenges", 210,
                           lambda s: an.largest_challenges(s.prepared)))
