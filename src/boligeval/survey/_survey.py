"""The actor surveys of one evaluation, as the survey analyses see them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from boligeval.survey._analyses import plan_attribute_table, plan_moderators
from boligeval.survey._prepare import PreparedSurvey, prepare_survey

__all__ = ["Survey"]


@dataclass(frozen=True, eq=False)
class Survey:
    """Survey tables with the plan records they are linked to.

    Parameters
    ----------
    respondents, answers, codebook : pandas.DataFrame
        The contract's survey tables (contract column names).
    dispatch : pandas.DataFrame, optional
        Questionnaires sent; without it there are no response rates.
    plans : pandas.DataFrame, optional
        Plans table: grant rounds, intervention areas, organisation attributes.
    departments : pandas.DataFrame, optional
        Departments table (``department_id``, ``plan_id``), for plan attributes
        by intervention group.
    cohorts : mapping, optional
        ``department_id`` -> cohort name.
    first_round_years : sequence of int, optional
        Grant years of the first round (the seed's panel subsets).
    seed : int
        Seed of the Monte Carlo Fisher tests.
    attribute_actor : str
        Actor group whose answers define survey-derived plan attributes and
        who answers in the cross-tabs.
    crosstabs : sequence of (item_id, attribute), optional
        Cross-tabs to run; default: the seed's (see the ``crosstab`` analysis).
    """

    respondents: pd.DataFrame
    answers: pd.DataFrame
    codebook: pd.DataFrame
    dispatch: pd.DataFrame | None = None
    plans: pd.DataFrame | None = None
    departments: pd.DataFrame | None = None
    cohorts: Mapping[str, str] | None = None
    first_round_years: Sequence[int] | None = None
    seed: int = 0
    attribute_actor: str = "project_leader"
    crosstabs: Sequence[tuple[str, str]] | None = None

    @cached_property
    def prepared(self) -> PreparedSurvey:
        """Checked, scored answers (see :func:`prepare_survey`)."""
        return prepare_survey(self.respondents, self.answers, self.codebook, self.dispatch)

    @cached_property
    def attributes(self) -> pd.DataFrame:
        """Plan-level organisation attributes (records and survey-derived)."""
        return plan_attribute_table(self.prepared, self.plans, actor=self.attribute_actor)

    @property
    def moderators(self) -> pd.DataFrame:
        """Plan-level moderators for the effect analyses."""
        return plan_moderators(self.attributes)
