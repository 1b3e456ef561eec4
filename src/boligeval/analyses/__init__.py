"""The registry of analyses: one module per analysis id.

Every module in this package (except the private ones and ``base``) defines
one analysis and registers it with :func:`register`; the registry finds the
modules itself, so adding an analysis is adding one module (and its labels
in ``report/i18n.py``). The seed's default set of ``[[analysis]]`` blocks is
data: ``defaults.toml``.

>>> from boligeval.analyses import registry              # doctest: +SKIP
>>> [a.id for a in registry().values()][:3]
['accounting', 'balance', 'area_did']
"""

from __future__ import annotations

import importlib
import pkgutil
import tomllib
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any, TypeVar

from boligeval.analyses.base import (
    CHAPTERS,
    Analysis,
    CaseAnalysis,
    Context,
    Option,
    PanelAnalysis,
    RegisterAnalysis,
    SurveyAnalysis,
)
from boligeval.errors import EstimationError, NoInputError, PanelError, PrePeriodsError
from boligeval.progress import Progress, silent
from boligeval.records import Record, Results

if TYPE_CHECKING:
    import pandas as pd

    from boligeval.config import AnalysisSpec

__all__ = [
    "CHAPTERS",
    "Analysis",
    "CaseAnalysis",
    "Context",
    "Option",
    "PanelAnalysis",
    "RegisterAnalysis",
    "SurveyAnalysis",
    "analyse_survey",
    "configurable",
    "default_blocks",
    "register",
    "registry",
    "run_analyses",
    "with_margins",
]

_REGISTRY: dict[str, Analysis] = {}
_DISCOVERED = False

A = TypeVar("A", bound=type[Analysis] | Analysis)


def register(analysis: A) -> A:
    """Register an analysis under its id (an instance, or a class to instantiate).

    Used as a class decorator, or called with an instance of a parameterised
    analysis class.
    """
    instance = analysis() if isinstance(analysis, type) else analysis
    if instance.chapter not in CHAPTERS:
        raise ValueError(f"analysis {instance.id}: unknown chapter '{instance.chapter}'")
    taken = {i: a.id for a in _REGISTRY.values() for i in a.ids}
    for ident in instance.ids:
        if ident in taken and taken[ident] != instance.id:
            raise ValueError(f"analysis id '{ident}' is registered twice")
    _REGISTRY[instance.id] = instance
    return analysis


def _discover() -> None:
    global _DISCOVERED
    if _DISCOVERED:
        return
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base" and not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    _DISCOVERED = True


def registry() -> Mapping[str, Analysis]:
    """Every registered analysis by id, in run and report order."""
    _discover()
    ordered = sorted(_REGISTRY.values(), key=lambda a: (a.order, a.id))
    return {a.id: a for a in ordered}


def configurable() -> dict[str, RegisterAnalysis]:
    """The analyses an ``[[analysis]]`` block may ask for, by id."""
    return {k: a for k, a in registry().items() if isinstance(a, RegisterAnalysis)}


def with_margins() -> frozenset[str]:
    """Ids whose records form two-way tables with derivable margins (secondary suppression)."""
    return frozenset(i for a in registry().values() if a.margins for i in a.ids)


def default_blocks() -> list[dict[str, Any]]:
    """The seed's ``[[analysis]]`` blocks, as written in ``defaults.toml``."""
    text = (resources.files(__name__) / "defaults.toml").read_text(encoding="utf-8")
    return list(tomllib.loads(text)["analysis"])


def run_analyses(
    ctx: Context,
    specs: Sequence[AnalysisSpec],
    *,
    strict: bool,
    progress: Progress | None = None,
) -> Results:
    """Run every analysis the data and the config ask for.

    Analyses of the panel run when there is a panel, survey analyses when
    there is a survey, and each ``[[analysis]]`` block for each of its
    outcomes.

    Parameters
    ----------
    ctx : Context
        Config, panel and survey.
    specs : sequence of AnalysisSpec
        The ``[[analysis]]`` blocks.
    strict : bool
        Whether a block that cannot be estimated is an error (blocks the user
        wrote) or a note (the default set, which adapts to the data). A block
        that needs more pre-treatment years than the data have is always a
        note.
    progress : Progress, optional
        Where to report each analysis.

    Returns
    -------
    Results
        Unprotected records and notes.
    """
    progress = progress or silent()
    records: list[Record] = []
    notes: list[str] = []
    analyses = registry().values()
    if ctx.panel is not None:
        for analysis in analyses:
            if isinstance(analysis, PanelAnalysis):
                with progress.stage(analysis.id):
                    records += analysis.run_all(ctx)
        for spec in specs:
            block = configurable()[spec.kind]
            for outcome in spec.outcomes:
                label = f"{spec.kind} ({spec.population}, {outcome})"
                with progress.stage(label):
                    try:
                        records += block.run(ctx, spec, outcome)
                    except (EstimationError, PanelError) as exc:
                        if strict and not isinstance(exc, PrePeriodsError | NoInputError):
                            raise
                        notes.append(f"{label} not estimated: {exc}")
                        progress.log(f"{label} not estimated: {exc}")
        for kind in dict.fromkeys(spec.kind for spec in specs):
            with progress.stage(f"{kind} (all blocks)"):
                try:
                    records = configurable()[kind].family(
                        ctx, [s for s in specs if s.kind == kind], records)
                except (EstimationError, PanelError) as exc:
                    if strict:
                        raise
                    notes.append(f"{kind} across blocks not computed: {exc}")
    if ctx.survey is not None:
        with progress.stage("survey analyses"):
            for analysis in analyses:
                if isinstance(analysis, SurveyAnalysis):
                    records += analysis.run_all(ctx)
    if ctx.cases is not None:
        with progress.stage("case analyses"):
            for analysis in analyses:
                if isinstance(analysis, CaseAnalysis):
                    records += analysis.run_all(ctx)
    return Results(records=tuple(records), notes=tuple(notes))


def analyse_survey(
    respondents: pd.DataFrame,
    answers: pd.DataFrame,
    codebook: pd.DataFrame,
    dispatch: pd.DataFrame | None = None,
    plans: pd.DataFrame | None = None,
    departments: pd.DataFrame | None = None,
    cohorts: Mapping[str, str] | None = None,
    *,
    first_round_years: Sequence[int] | None = None,
    seed: int = 0,
    crosstabs: Sequence[tuple[str, str]] | None = None,
) -> Results:
    """Run every survey analysis on survey tables given as DataFrames.

    Parameters are those of :class:`boligeval.survey.Survey`.

    Returns
    -------
    Results
        Unprotected survey records.
    """
    from boligeval.config import EvaluationConfig
    from boligeval.survey import Survey

    survey = Survey(respondents, answers, codebook, dispatch, plans, departments, cohorts,
                    first_round_years=first_round_years, seed=seed, crosstabs=crosstabs)
    return run_analyses(Context(cfg=EvaluationConfig(), survey=survey), (), strict=True)


