"""Barriers to the plans' work, by actor group and wave (seed table 3.2)."""

from __future__ import annotations

import pandas as pd

from boligeval.analyses import register
from boligeval.analyses._survey import SurveyTable
from boligeval.survey import Survey


@register
class Barriers(SurveyTable):
    """Barriers to the plans' work, by actor group and wave (seed table 3.2)."""

    id = "barriers"
    order = 250

    def table(self, survey: Survey) -> pd.DataFrame:
        from boligeval.survey import _analyses as an

        return an.barriers(survey.prepared)
