"""Questionnaires sent and answered, by actor group and wave (seed table 2.1)."""

from __future__ import annotations

import pandas as pd

from boligeval.analyses import register
from boligeval.analyses._survey import SurveyTable
from boligeval.survey import Survey


@register
class ResponseRates(SurveyTable):
    """Questionnaires sent and answered, by actor group and wave (seed table 2.1)."""

    id = "response_rates"
    order = 200
    rows = ("actor",)
    columns = ("wave", "statistic")
    show_n = False

    def table(self, survey: Survey) -> pd.DataFrame:
        from boligeval.survey import _analyses as an

        if survey.prepared.dispatch is None:
            return an._frame([])
        return an.response_rates(survey.prepared)
