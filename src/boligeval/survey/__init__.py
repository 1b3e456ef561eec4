"""Actor surveys: scoring, the two units of analysis, the seed's survey analyses.

A :class:`Survey` holds the survey tables of an evaluation; the registered
survey analyses (``boligeval.analyses``) run on it. The single analyses take
a :class:`PreparedSurvey` made by :func:`prepare_survey`. :func:`check_survey`
holds the analysis-level input checks and is meant to be called by the
contract's validation too.
"""

from __future__ import annotations

from boligeval.survey._analyses import (
    AREA_CODES,
    barriers,
    challenge_change,
    challenge_level,
    crosstab,
    distributions,
    goals,
    intervention_areas,
    item_means,
    largest_challenges,
    plan_attribute_table,
    plan_attributes,
    plan_moderators,
    plan_rounds,
    response_rates,
    result_areas,
    result_types,
)
from boligeval.survey._checks import check_survey
from boligeval.survey._codebook import (
    ATTRIBUTE_ITEMS,
    LIKERT_SCORES,
    MISSING_CODES,
    SCALE_CODES,
    load_codebook,
    normalise_codebook,
)
from boligeval.survey._prepare import PreparedSurvey, plan_answers, prepare_survey
from boligeval.survey._survey import Survey

__all__ = [
    "AREA_CODES",
    "ATTRIBUTE_ITEMS",
    "LIKERT_SCORES",
    "MISSING_CODES",
    "SCALE_CODES",
    "PreparedSurvey",
    "Survey",
    "barriers",
    "challenge_change",
    "challenge_level",
    "check_survey",
    "crosstab",
    "distributions",
    "goals",
    "intervention_areas",
    "item_means",
    "largest_challenges",
    "load_codebook",
    "normalise_codebook",
    "plan_answers",
    "plan_attribute_table",
    "plan_attributes",
    "plan_moderators",
    "plan_rounds",
    "prepare_survey",
    "response_rates",
    "result_areas",
    "result_types",
]
