"""The domain's vocabulary, defined once: outcomes, populations, actors, codes.

Every module that names an outcome, a population, an actor group, an
intervention area or a register code takes it from here, the synthetic world
included, so that the panel, the estimators, disclosure control and the
report cannot disagree about what a name means (docs/methods.md §2-3,
docs/input-contract.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

__all__ = [
    "ACTORS",
    "AMOUNT_OUTCOMES",
    "AREA_BLOCKS",
    "CASE_KINDS",
    "CASE_LEVELS",
    "CASE_ROLES",
    "CASE_THEMES",
    "CASE_VALENCES",
    "EDUCATION",
    "HOUSEHOLD_OUTCOMES",
    "INCOME_SOURCES",
    "INTERVENTION_AREAS",
    "INTERVENTION_AREAS_COLUMN",
    "MUNICIPALITY_SIZES",
    "OMS_MODELS",
    "ORGANISATION_TYPES",
    "ORIGINS",
    "OUTCOMES",
    "POPULATIONS",
    "SCALES",
    "SECRETARIAT_TYPES",
    "Outcome",
    "decimals_for",
    "dominance_applies",
    "outcome_kind",
    "stars",
]

OutcomeKind = Literal["share", "amount", "score"]


@dataclass(frozen=True)
class Outcome:
    """A built-in outcome of the department-year panel.

    Attributes
    ----------
    name : str
        The outcome's name in configs and results.json.
    kind : {"share", "amount", "score"}
        A share of 0/1 indicators (published in percent, effects in
        percentage points), an amount in base-year DKK, or a bounded score.
    decimals : int
        Decimals shown in the report.
    """

    name: str
    kind: OutcomeKind
    decimals: int

    @property
    def dominance(self) -> bool:
        """Whether the dominance rule of disclosure control applies.

        Only amounts are magnitudes one person can dominate; shares and the
        deprivation score are bounded per person, so for them the minimum
        count is the rule (docs/disclosure.md).
        """
        return self.kind == "amount"


#: Built-in outcomes (docs/methods.md §3), in the report's order.
OUTCOMES: MappingProxyType[str, Outcome] = MappingProxyType({
    o.name: o for o in (
        Outcome("employed", "share", 2),
        Outcome("disposable_income", "amount", 0),
        Outcome("equivalised_income", "amount", 0),
        Outcome("competence_education", "share", 2),
        Outcome("deprivation", "score", 2),
    )
})

#: Outcomes in base-year DKK: they need a price index.
AMOUNT_OUTCOMES: tuple[str, ...] = tuple(o.name for o in OUTCOMES.values()
                                         if o.kind == "amount")

#: Outcomes defined for household populations.
HOUSEHOLD_OUTCOMES: tuple[str, ...] = ("equivalised_income",)

#: Populations of the department-year panel (docs/methods.md §3) and their unit.
POPULATIONS: MappingProxyType[str, Literal["person", "household"]] = MappingProxyType({
    "all": "person",
    "working_age": "person",
    "households": "household",
    "in_movers": "person",
    "in_movers_working_age": "person",
    "in_mover_households": "household",
    "all_in_mover_households": "household",
    "out_movers": "person",
})


def outcome_kind(name: object) -> OutcomeKind:
    """The kind of an outcome; an extra residents column counts as an amount.

    Treating unknown columns as amounts is the conservative choice: the
    dominance rule then applies to them.
    """
    known = OUTCOMES.get(str(name))
    return known.kind if known is not None else "amount"


def dominance_applies(name: object) -> bool:
    """Whether the dominance rule applies to cells of this outcome."""
    return outcome_kind(name) == "amount"


def decimals_for(name: object) -> int:
    """Decimals the report shows for an outcome (0 for amounts, 2 otherwise)."""
    if name is None:
        return 2
    known = OUTCOMES.get(str(name))
    return known.decimals if known is not None else 0


def stars(p: object) -> str:
    """Significance stars of the field's tables: * below 0.1, ** below 0.05, *** below 0.01."""
    if p is None or not isinstance(p, int | float) or math.isnan(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


#: Actor groups of the surveys, in the order of the seed's tables.
ACTORS: tuple[str, ...] = ("project_leader", "housing_manager", "municipality", "tenant_board")

#: The plans' intervention areas (indsatsområder) in the seed's order.
INTERVENTION_AREAS: tuple[str, ...] = (
    "children_youth_family",
    "social_life",
    "reputation",
    "tenant_democracy",
    "employment_education",
    "health",
    "vulnerable_residents",
    "ethnic_minorities",
)

#: Column of ``plans`` with a plan's intervention areas (``;``-separated codes).
INTERVENTION_AREAS_COLUMN = "intervention_areas"

#: The seed's four types of project secretariat (chapter 6, "Typer af projektsekretariater"):
#: a large team of the housing organisation's own staff; a cross-organisational team of
#: municipal and housing staff under one project leader; a split team with a housing and a
#: municipal project leader in parallel; a one-person secretariat (one coordinator). Plans
#: carry it as ``secretariat_type``.
SECRETARIAT_TYPES: tuple[str, ...] = (
    "large_housing_team",
    "cross_organisational_team",
    "split_team",
    "one_person",
)

#: Origin codes of residents (Statistics Denmark's IE_TYPE and OPR_LAND, grouped).
ORIGINS: tuple[str, ...] = ("danish", "western", "non_western")

#: Main source of income (grouped SOCIO13).
INCOME_SOURCES: tuple[str, ...] = (
    "employed",
    "leave",
    "unemployed_short",
    "unemployed_long",
    "social_assistance",
    "disability_pension",
    "student",
    "retired",
    "other",
    "missing",
)

#: Highest completed education (grouped HFAUDD).
EDUCATION: tuple[str, ...] = (
    "basic",
    "upper_secondary",
    "vocational",
    "short_tertiary",
    "medium_tertiary",
    "long_tertiary",
    "missing",
)

#: Questionnaire blocks about the area (seed ch. 5): answered per plan, one
#: plan answer per actor group.
CHALLENGE_BLOCK = "challenge"
RESULT_AREA_BLOCK = "result_area"
RESULT_TYPE_BLOCK = "result_type"
TARGET_GROUP_BLOCK = "target_group"
AREA_BLOCKS: tuple[str, ...] = (
    CHALLENGE_BLOCK, RESULT_AREA_BLOCK, RESULT_TYPE_BLOCK, TARGET_GROUP_BLOCK,
)

#: Answer scales of the surveys and their codes, in display order.
SCALES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType({
    "likert4": (
        "not_at_all",
        "small_degree",
        "some_degree",
        "high_degree",
        "dont_know",
        "not_relevant",
    ),
    "yes_no": ("yes", "no", "dont_know"),
})


# The process evaluation's case studies (seed chapters 6-10, docs/cases.md).

#: Kinds of case source (``case_sources.kind``).
CASE_KINDS: tuple[str, ...] = ("interview", "group_interview", "document", "observation")

#: Roles of case sources (the seed's interviewees, appendix 3).
CASE_ROLES: tuple[str, ...] = (
    "project_leader", "project_staff", "housing_management", "municipal_manager",
    "frontline_staff", "tenant_democrat", "other",
)

#: Valence of a coded segment: what it does to the plan's implementation.
CASE_VALENCES: tuple[str, ...] = ("driver", "barrier", "neutral")

#: The seed's four themes of the case study (appendix 3); users may add themes.
CASE_THEMES: tuple[str, ...] = ("collaboration", "steering", "coordination", "working_methods")

#: Levels of the case codebook: the plans' levels (ch. 7-9) and the area
#: secretariats' strategic / tactical / executing levels (ch. 10).
CASE_LEVELS: tuple[str, ...] = (
    "strategic", "executing", "programme_steering", "tactical",
)

#: Municipality size bands of the case selection (seed ch. 6: >150,000 inhabitants,
#: >50,000-150,000, under 50,000).
MUNICIPALITY_SIZES: tuple[str, ...] = ("large", "middle", "small")

#: The three project-organisation types of seed boxes 6.1-6.3.
ORGANISATION_TYPES: tuple[str, ...] = (
    "central_professional", "local_professional", "local_semiprofessional",
)

#: The area secretariats' four models of seed table 10.1.
OMS_MODELS: tuple[str, ...] = ("model_1", "model_2", "model_3", "model_4")
