"""The plans' goals as the actors rate them, with each actor's top three (seed table 3.1)."""

from __future__ import annotations

import pandas as pd

from boligeval.analyses import register
from boligeval.analyses._survey import SurveyTable
from boligeval.survey import Survey


@register
class Goals(SurveyTable):
    """The plans' goals as the actors rate them, with each actor's top three (seed table 3.1)."""

    id = "goals"
    order = 240

    def table(self, survey: Survey) -> pd.DataFrame:
        from boligeval.survey import _analyses as an

        return an.goals(survey.prepared)
