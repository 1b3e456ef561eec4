"""Fixtures shared by the test modules.

The hand-made inputs live in ``tests/builders``; the fixtures here give each
test a fresh copy (or, for read-only objects, one per session).
"""

from __future__ import annotations

from typing import Any

import pytest

from boligeval.disclosure import Published, protect_results
from boligeval.survey import Survey
from tests.builders import report_results as report_builder
from tests.builders import survey_tables


@pytest.fixture
def report_results() -> dict[str, Any]:
    """A results.json-shaped dict covering every report section, before disclosure control."""
    return report_builder.make_results()


@pytest.fixture(scope="session")
def published_report_results() -> Published:
    """The report fixture after disclosure control with the default rules."""
    return protect_results(report_builder.make_results())


@pytest.fixture(scope="session")
def report_meta() -> dict[str, Any]:
    """Report metadata with a fixed timestamp and survey item labels."""
    return dict(report_builder.META)


@pytest.fixture(scope="session")
def hand_survey() -> Survey:
    """The hand-made survey of ``tests/builders/survey_tables.py``, linked to its plans."""
    t = survey_tables
    return Survey(t.RESPONDENTS, t.ANSWERS, t.CODEBOOK, t.DISPATCH, plans=t.PLANS,
                  departments=t.DEPARTMENTS, cohorts=t.COHORTS,
                  crosstabs=[("gf", "municipal_staff_in_secretariat")])
