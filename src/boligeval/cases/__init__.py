"""Case studies as data: the process evaluation's case tables, codebook and exports.

The researcher's qualitative analysis stays with the researcher; this
package makes the case material structured and comparable: the contract's
``cases``, ``case_sources``, ``case_codes`` and ``case_codebook`` tables
(docs/cases.md), the shipped seed codebook (chapters 7-10), readers of the
coded-segment exports of MAXQDA and NVivo, the reproducible maximal-variation
selection of case areas and the tables the ``case_*`` analyses publish.
"""

from __future__ import annotations

from boligeval.cases._cases import (
    AREA_SIZE_LIMITS,
    TYPOLOGIES,
    Cases,
    area_size_band,
    case_links,
    case_matrix,
    case_typology,
    grant_band,
    plan_outcome_changes,
    plan_survey_results,
    plan_typology,
    selection_table,
)
from boligeval.cases._codebook import (
    CASE_CODEBOOK_COLUMNS,
    load_case_codebook,
    normalise_case_codebook,
)
from boligeval.cases._select import CRITERIA, Selection, select_cases
from boligeval.cases.exports import read_coded_segments

__all__ = [
    "AREA_SIZE_LIMITS",
    "CASE_CODEBOOK_COLUMNS",
    "CRITERIA",
    "TYPOLOGIES",
    "Cases",
    "Selection",
    "area_size_band",
    "case_links",
    "case_matrix",
    "case_typology",
    "grant_band",
    "load_case_codebook",
    "normalise_case_codebook",
    "plan_outcome_changes",
    "plan_survey_results",
    "plan_typology",
    "read_coded_segments",
    "select_cases",
    "selection_table",
]
