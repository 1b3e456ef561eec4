"""Mean score of every item, by actor group and wave (appendix tables)."""

from __future__ import annotations

import pandas as pd

from boligeval.analyses import register
from boligeval.analyses._survey import SurveyTable
from boligeval.survey import Survey


@register
class ItemMean(SurveyTable):
    """Mean score of every item, by actor group and wave (appendix tables)."""

    id = "item_mean"
    order = 300
    appendix = True

    def table(self, survey: Survey) -> pd.DataFrame:
        from boligeval.survey import _analyses as an

        return an.item_means(survey.prepared)
