"""All survey analyses in one call, and their results.json records."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from boligeval.survey import _analyses as an
from boligeval.survey._prepare import prepare_survey

__all__ = ["DEFAULT_CROSSTAB_BLOCKS", "SurveyResults", "analyse_survey"]

DEFAULT_CROSSTAB_BLOCKS: tuple[str, ...] = ("goal_focus", "collaboration", "area_secretariat")
"""Blocks cross-tabulated by every plan attribute by default (seed ch. 8-10)."""

TABLES: tuple[str, ...] = (
    "response_rates",
    "goals",
    "barriers",
    "intervention_areas",
    "item_means",
    "challenge_level",
    "challenge_change",
    "largest_challenges",
    "result_area",
    "result_type",
    "distribution",
    "crosstab",
    "plan_attributes",
)


def _json_value(value: object) -> object:
    """Convert numpy scalars and missing values to plain JSON values."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        number = float(value)
        return None if math.isnan(number) else number
    if isinstance(value, np.bool_):
        return bool(value)
    return value


@dataclass(frozen=True)
class SurveyResults:
    """Results of every survey analysis as tidy tables.

    Each table field holds the long table of one analysis (see
    ``boligeval.survey._analyses``); ``moderators`` holds plan-level
    moderators for the effect analyses and ``attributes`` every plan-level
    organisation attribute used by the cross-tabs.
    """

    response_rates: pd.DataFrame
    goals: pd.DataFrame
    barriers: pd.DataFrame
    intervention_areas: pd.DataFrame
    item_means: pd.DataFrame
    challenge_level: pd.DataFrame
    challenge_change: pd.DataFrame
    largest_challenges: pd.DataFrame
    result_area: pd.DataFrame
    result_type: pd.DataFrame
    distribution: pd.DataFrame
    crosstab: pd.DataFrame
    plan_attributes: pd.DataFrame
    attributes: pd.DataFrame
    moderators: pd.DataFrame

    def tidy(self) -> pd.DataFrame:
        """All analyses stacked in one long table (base columns first)."""
        parts = [getattr(self, name) for name in TABLES if len(getattr(self, name))]
        if not parts:
            return an._frame([])
        return an._frame(pd.concat(parts, ignore_index=True).to_dict("records"))

    def records(self) -> list[dict[str, object]]:
        """Flat results.json survey records.

        Every record has ``analysis, actor, wave, subset, item_id, statistic,
        value, n, unit`` (null where not applicable) plus ``weighting`` and
        the analysis's extra keys (``category``, ``group``, ``level``,
        ``theme``, ``cohort``, ``rank``, ``count``, ``mean``, ``test``,
        ``base_wave``) when they are not null.
        """
        out: list[dict[str, object]] = []
        for name in TABLES:
            table = getattr(self, name)
            for row in table.to_dict("records"):
                record = {key: _json_value(row.get(key)) for key in an.BASE_COLUMNS}
                for key, value in row.items():
                    if key not in an.BASE_COLUMNS:
                        clean = _json_value(value)
                        if clean is not None:
                            record[key] = clean
                out.append(record)
        return out

    def summary(self) -> str:
        """Short text overview: rows per analysis and the challenge level across actors."""
        lines = ["Survey results"]
        for f in fields(self):
            if f.name in TABLES:
                lines.append(f"  {f.name:<20} {len(getattr(self, f.name)):>6} rows")
        level = self.challenge_level
        if len(level):
            top = level[(level["actor"] == "all") & (level["subset"] == "all_answers")]
            for r in top.itertuples(index=False):
                lines.append(f"  challenge level {r.wave}: {r.value:.2f} (n={r.n} plan answers)")
        return "\n".join(lines)


def analyse_survey(
    respondents: pd.DataFrame,
    answers: pd.DataFrame,
    codebook: pd.DataFrame,
    dispatch: pd.DataFrame | None = None,
    plans: pd.DataFrame | None = None,
    departments: pd.DataFrame | None = None,
    cohorts: Mapping[str, str] | pd.Series | None = None,
    *,
    first_round_years: Sequence[int] | None = None,
    crosstabs: Sequence[tuple[str, str]] | None = None,
    attribute_actor: str = "project_leader",
    seed: int = 0,
) -> SurveyResults:
    """Check the survey tables and run every survey analysis of survey.md.

    Parameters
    ----------
    respondents, answers, codebook : pandas.DataFrame
        The contract's survey tables (contract column names).
    dispatch : pandas.DataFrame, optional
        Questionnaires sent; without it response rates are empty.
    plans : pandas.DataFrame, optional
        Plans table: grant rounds, intervention areas and organisation
        attributes.
    departments : pandas.DataFrame, optional
        Departments table (``department_id``, ``plan_id``), for plan_attributes.
    cohorts : mapping or pandas.Series, optional
        ``department_id`` -> cohort, for plan_attributes.
    first_round_years : sequence of int, optional
        Grant years of the first round (see :func:`plan_rounds`).
    crosstabs : sequence of (item_id, attribute), optional
        Cross-tabs to run; default every item of
        :data:`DEFAULT_CROSSTAB_BLOCKS` and each barrier screen item by every
        available plan attribute.
    attribute_actor : str
        Actor group whose answers define survey-derived plan attributes and
        who answers in the default cross-tabs.
    seed : int
        Seed of the Monte Carlo Fisher tests.

    Returns
    -------
    SurveyResults

    Raises
    ------
    SurveyError
        If the tables are inconsistent (see :func:`check_survey`) or a
        requested cross-tab names an unknown item or attribute.
    """
    survey = prepare_survey(respondents, answers, codebook, dispatch)
    empty = an._frame([])
    attributes = an.plan_attribute_table(survey, plans, actor=attribute_actor)
    if crosstabs is None:
        book = survey.codebook
        items = book.loc[book["block"].isin(DEFAULT_CROSSTAB_BLOCKS), "item_id"].tolist()
        screens = book.loc[book["block"] == "barrier", "filter_item"].dropna().unique().tolist()
        names = [c for c in attributes.columns if c != "plan_id"]
        answered = set(survey.scored["item_id"])
        crosstabs = [
            (item, name)
            for item in [*screens, *items]
            if item in answered
            for name in names
            if name not in ("letting_tools", "image_intervention")
        ]
    tables = [
        an.crosstab(survey, item, name, attributes, actor=attribute_actor, seed=seed + i)
        for i, (item, name) in enumerate(crosstabs)
    ]
    tables = [t for t in tables if len(t)]
    cross = pd.concat(tables, ignore_index=True) if tables else empty
    if departments is not None and cohorts is not None:
        attrs = an.plan_attributes(attributes, departments, cohorts)
    else:
        attrs = empty
    return SurveyResults(
        response_rates=an.response_rates(survey) if survey.dispatch is not None else empty,
        goals=an.goals(survey),
        barriers=an.barriers(survey),
        intervention_areas=an.intervention_areas(plans),
        item_means=an.item_means(survey),
        challenge_level=an.challenge_level(survey, plans, first_round_years=first_round_years),
        challenge_change=an.challenge_change(survey, plans, first_round_years=first_round_years),
        largest_challenges=an.largest_challenges(survey),
        result_area=an.result_areas(survey),
        result_type=an.result_types(survey),
        distribution=an.distributions(survey),
        crosstab=cross,
        plan_attributes=attrs,
        attributes=attributes,
        moderators=an.plan_moderators(attributes),
    )
