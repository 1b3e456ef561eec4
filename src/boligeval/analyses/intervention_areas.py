"""Share of plans with activities per intervention area, from plan records (seed table 3.3)."""

from __future__ import annotations

import pandas as pd

from boligeval.analyses import register
from boligeval.analyses._survey import SurveyTable
from boligeval.survey import Survey


@register
class InterventionAreas(SurveyTable):
    """Share of plans with activities per intervention area, from plan records (seed table 3.3)."""

    id = "intervention_areas"
    order = 260

    def table(self, survey: Survey) -> pd.DataFrame:
        from boligeval.survey import _analyses as an

        return an.intervention_areas(survey.plans)
