"""What an analysis is: its options, how it runs, its records and its report section.

Every id in results.json belongs to one :class:`Analysis` object, registered
by the module that defines it (one module per analysis under
``boligeval/analyses/``). The config, the pipeline, disclosure control and
the report ask the registry; none of them lists ids.

An analysis runs on a :class:`Context`: the config, the department-year
:class:`~boligeval.panel.Panel` (the only door to person-level data) and the
:class:`~boligeval.survey.Survey`. It returns unprotected
:class:`~boligeval.records.Record` objects and, after disclosure control,
renders its own tables and figures from the published records.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from boligeval.errors import ConfigError, PanelError
from boligeval.records import Record

if TYPE_CHECKING:
    import pandas as pd

    from boligeval.cases import Cases
    from boligeval.config import AnalysisSpec, EvaluationConfig
    from boligeval.panel import Panel
    from boligeval.report.view import ReportView
    from boligeval.survey import Survey

#: Which data make an analysis run: its config blocks, the register panel, the survey.
Trigger = Literal["config", "register", "survey", "cases"]

#: Report chapters, in order; each analysis names the one it belongs to.
CHAPTERS: tuple[str, ...] = (
    "design", "baseline", "areas", "effects", "rent_support", "movers", "diagnostics",
    "survey", "organisation", "process",
)


@dataclass(frozen=True)
class Option:
    """One key an ``[[analysis]]`` block may set for this kind.

    Attributes
    ----------
    default : str or tuple of str
        Value when the block does not set the key.
    choices : tuple of str, optional
        Allowed values of a string option.
    help : str
        What the option does, for error messages and the docs.
    """

    default: str | tuple[str, ...]
    choices: tuple[str, ...] | None = None
    help: str = ""

    def parse(self, value: Any, where: str) -> str | tuple[str, ...]:
        """Check a config value against the option; return it in canonical form."""
        if isinstance(self.default, tuple):
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where} must be a list of names, got {value!r}.")
            return tuple(value)
        if isinstance(value, bool):  # TOML true/false for a "true"/"false" option
            value = "true" if value else "false"
        elif isinstance(value, int):  # TOML whole numbers for a numeric option
            value = str(value)
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string, got {value!r}.")
        if self.choices is not None and value not in self.choices:
            raise ConfigError(
                f"{where} = '{value}' is not allowed; use one of {', '.join(self.choices)}."
            )
        return value


class Analysis(ABC):
    """One kind of analysis and everything it owns.

    Subclasses name their id, chapter and order as class keywords
    (``class Bacon(RegisterAnalysis, id="bacon", chapter="diagnostics",
    order=80)``) and override the hooks; the module that defines one
    registers it with :func:`register`.

    Attributes
    ----------
    id : str
        Stable identifier in configs and results.json.
    chapter : str
        Report chapter (one of :data:`CHAPTERS`).
    order : int
        Position within the chapter and among the analyses of a run.
    produces : tuple of str
        Every ``analysis`` value its records carry besides its own id.
    margins : bool
        Whether its records form two-way tables whose margins can be derived
        from what is published; disclosure control then suppresses
        complementary cells.
    """

    trigger: ClassVar[Trigger]
    id: ClassVar[str]
    chapter: ClassVar[str]
    order: ClassVar[int]
    produces: ClassVar[tuple[str, ...]] = ()
    margins: ClassVar[bool] = False

    def __init_subclass__(cls, **settings: Any) -> None:
        super().__init_subclass__()
        for name, value in settings.items():
            if not hasattr(cls, name) and name not in ("id", "chapter", "order"):
                raise TypeError(f"{cls.__name__}: unknown analysis setting '{name}'")
            setattr(cls, name, MappingProxyType(value) if isinstance(value, dict) else value)

    @property
    def ids(self) -> tuple[str, ...]:
        """Its own id and every other id its records carry."""
        return (self.id, *self.produces)

    def report(self, view: ReportView) -> list[Any]:
        """Tables and figures of this analysis's report section."""
        return []

    def findings(self, view: ReportView) -> list[str]:
        """Sentences for the report's summary of main findings."""
        return []

    def screen(self, records: Sequence[Mapping[str, Any]]) -> list[str]:
        """Lines for the closing screen of ``boligeval run``."""
        return []

    def __repr__(self) -> str:
        return f"<analysis {self.id}>"


class RegisterAnalysis(Analysis):
    """An analysis of the register panel, asked for by ``[[analysis]]`` blocks.

    Attributes
    ----------
    options : mapping of str to Option
        Keys a block of this kind may set besides kind, population, outcomes.
    populations : tuple of str, optional
        Populations it accepts (None: every population).
    needs_pre_periods : bool
        It needs two or more pre-treatment measurement years; with the seed's
        three years it is skipped with a note instead of failing.
    """

    trigger: ClassVar[Trigger] = "config"
    options: ClassVar[Mapping[str, Option]] = MappingProxyType({})
    populations: ClassVar[tuple[str, ...] | None] = None
    needs_pre_periods: ClassVar[bool] = False

    def check(self, spec: AnalysisSpec, where: str) -> None:
        """Refuse a block this analysis cannot run (beyond its options)."""
        if self.populations is not None and spec.population not in self.populations:
            raise ConfigError(
                f"{where}: {self.id} takes population one of {', '.join(self.populations)}, "
                f"not '{spec.population}'."
            )

    @abstractmethod
    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        """Estimate one outcome of one block; return unprotected records."""

    def family(self, ctx: Context, specs: Sequence[AnalysisSpec],
               records: list[Record]) -> list[Record]:
        """Revise the run's records once every block of this kind has run.

        For adjustments across blocks and outcomes (multiple testing); the
        default returns the records as they are.
        """
        return records


class DiagnosticAnalysis(RegisterAnalysis):
    """A register analysis shown as one table per population and outcome.

    Attributes
    ----------
    layout : Layout, optional
        How its table is laid out (``boligeval.report.tables.Layout``); None
        gives one row per term.
    """

    chapter: ClassVar[str] = "diagnostics"
    layout: ClassVar[Any] = None

    def report(self, view: ReportView) -> list[Any]:
        from boligeval.report.tables import diagnostic_tables

        return list(diagnostic_tables(view.records(self.id), self.id, view.lang,
                                      layout=self.layout, rules=view.rules))


class PanelAnalysis(Analysis):
    """Runs on every evaluation with register data (accounting, balance)."""

    trigger: ClassVar[Trigger] = "register"

    @abstractmethod
    def run_all(self, ctx: Context) -> list[Record]:
        """Compute every record of this analysis."""


class SurveyAnalysis(Analysis):
    """Runs on every evaluation with survey data."""

    trigger: ClassVar[Trigger] = "survey"

    @abstractmethod
    def run_all(self, ctx: Context) -> list[Record]:
        """Compute every record of this analysis."""


class CaseAnalysis(Analysis):
    """Runs on every evaluation with case material (the process evaluation)."""

    trigger: ClassVar[Trigger] = "cases"
    chapter: ClassVar[str] = "process"

    @abstractmethod
    def run_all(self, ctx: Context) -> list[Record]:
        """Compute every record of this analysis."""


@dataclass(frozen=True)
class Context:
    """What analyses run on.

    Attributes
    ----------
    cfg : EvaluationConfig
        The evaluation config (inference settings, design, populations).
    panel : Panel or None
        The department-year panel and its person-level views; None without
        register data.
    survey : Survey or None
        The actor surveys; None without survey data.
    cases : Cases or None
        The case material of the process evaluation; None without it.
    """

    cfg: EvaluationConfig
    panel: Panel | None = None
    survey: Survey | None = None
    cases: Cases | None = None

    @property
    def register(self) -> Panel:
        """The panel; an error for an analysis that needs register data and has none."""
        if self.panel is None:
            raise PanelError("This analysis needs register data (plans, departments, residents).")
        return self.panel

    def data(self, spec: AnalysisSpec, outcome: str) -> pd.DataFrame:
        """The balanced department-year panel of the block's population and an outcome."""
        return self.register.for_analysis(spec.population, outcome)

    def staggered(self, spec: AnalysisSpec, outcome: str) -> pd.DataFrame:
        """The same panel with each department's first active year (``first_treated``)."""
        return self.register.first_treated(spec.population, outcome)
