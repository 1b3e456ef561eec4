"""Mean result score per intervention area, by actor group and across actors (table 5.3)."""

from __future__ import annotations

import pandas as pd

from boligeval.analyses import register
from boligeval.analyses._survey import SurveyTable
from boligeval.survey import Survey


@register
class ResultArea(SurveyTable):
    """Mean result score per intervention area, by actor group and across actors (table 5.3)."""

    id = "result_area"
    order = 270

    def table(self, survey: Survey) -> pd.DataFrame:
        from boligeval.survey import _analyses as an

        return an.result_areas(survey.prepared)
