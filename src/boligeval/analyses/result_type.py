"""Mean score per result type and theme (seed figure 5.3)."""

from __future__ import annotations

import pandas as pd

from boligeval.analyses import register
from boligeval.analyses._survey import SurveyTable
from boligeval.survey import Survey


@register
class ResultType(SurveyTable):
    """Mean score per result type and theme (seed figure 5.3)."""

    id = "result_type"
    order = 280

    def table(self, survey: Survey) -> pd.DataFrame:
        from boligeval.survey import _analyses as an

        return an.result_types(survey.prepared)
