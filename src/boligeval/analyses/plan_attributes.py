"""Plan tools and organisation by intervention group, from plan records and the survey."""

from __future__ import annotations

import pandas as pd

from boligeval.analyses import register
from boligeval.analyses._survey import SurveyTable
from boligeval.survey import Survey


@register
class PlanAttributes(SurveyTable):
    """Plan tools and organisation by intervention group."""

    id = "plan_attributes"
    order = 290
    rows = ("item_id",)
    columns = ("cohort", "statistic")

    def table(self, survey: Survey) -> pd.DataFrame:
        from boligeval.survey import _analyses as an

        if survey.departments is None or survey.cohorts is None:
            return an._frame([])
        return an.plan_attributes(survey.attributes, survey.departments, survey.cohorts)
