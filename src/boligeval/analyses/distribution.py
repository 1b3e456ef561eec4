"""Distribution of the answers to every item (appendix tables)."""

from __future__ import annotations

import pandas as pd

from boligeval.analyses import register
from boligeval.analyses._survey import SurveyTable
from boligeval.survey import Survey


@register
class Distribution(SurveyTable):
    """Distribution of the answers to every item (appendix tables)."""

    id = "distribution"
    order = 310
    rows = ("item_id", "actor", "wave")
    columns = ("category",)
    appendix = True

    def table(self, survey: Survey) -> pd.DataFrame:
        from boligeval.survey import _analyses as an

        return an.distributions(survey.prepared)
