"""The one error hierarchy of boligeval.

User errors (bad input, bad configuration, impossible analysis) derive from
``BoligevalError``; the command line prints their message and exits with
status 2. Anything else is a bug and shows a traceback.

* BoligevalError
  x ConfigError           the evaluation config is invalid
  x ContractError         an input file breaks the input contract
  x PanelError            the panel cannot be built as asked
  x EstimationError       a model cannot be estimated as asked
  x SurveyError           survey inputs or settings are unusable
  x ReportError           outputs cannot be written
  x ResourceError         the machine ran out of memory or disk space

Warnings are classes too, so users can filter them:

* BoligevalWarning
  x CollinearityWarning   collinear regressors were dropped
  x SingletonWarning      singleton fixed-effect groups were dropped
"""

from __future__ import annotations

__all__ = [
    "BoligevalError",
    "BoligevalWarning",
    "CaseError",
    "CollinearityWarning",
    "ConfigError",
    "ContractError",
    "EstimationError",
    "NoInputError",
    "PanelError",
    "PrePeriodsError",
    "ReportError",
    "ResourceError",
    "SingletonWarning",
    "SurveyError",
]


class BoligevalError(Exception):
    """Base class of every user-facing error; the CLI exits with status 2."""

    exit_code = 2


class ConfigError(BoligevalError):
    """The evaluation config is invalid (unknown key, wrong type, impossible setting)."""


class ContractError(BoligevalError):
    """An input file breaks the input contract.

    Parameters
    ----------
    message : str
        The full, user-readable message (file, column, rule, count, example
        rows, how to fix).
    file, column, rule : str, optional
        Machine-readable parts of the message, for tests and tools.
    n_rows : int, optional
        Number of rows breaking the rule.
    rows : list of int, optional
        Up to ten example row numbers (1-based data rows, never ids).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        column: str | None = None,
        rule: str | None = None,
        n_rows: int | None = None,
        rows: list[int] | None = None,
    ) -> None:
        super().__init__(message)
        self.file = file
        self.column = column
        self.rule = rule
        self.n_rows = n_rows
        self.rows = list(rows or [])


class PanelError(BoligevalError):
    """The department-year panel cannot be built as asked."""


class EstimationError(BoligevalError):
    """A model cannot be estimated as asked (no variation, no clusters, ...)."""


class PrePeriodsError(EstimationError):
    """The data have too few pre-treatment measurement years for the analysis.

    The seed's design (three measurement years) cannot identify an event
    study; the default set of analyses skips such an analysis with a note.
    """


class NoInputError(EstimationError):
    """The data lack an optional input the analysis needs (plan amounts, reach shares).

    The analysis is skipped with a note, also when the user asked for it: the
    inputs are optional in the contract.
    """


class SurveyError(BoligevalError):
    """Survey inputs or settings are unusable."""


class CaseError(BoligevalError):
    """Case-study material (process evaluation) or its settings are unusable."""


class ReportError(BoligevalError):
    """Outputs cannot be written."""


class ResourceError(BoligevalError):
    """The machine ran out of memory or disk space; the input itself may be fine."""


class BoligevalWarning(UserWarning):
    """Base class of boligeval's warnings."""


class CollinearityWarning(BoligevalWarning):
    """Collinear regressors were detected and dropped."""


class SingletonWarning(BoligevalWarning):
    """Singleton fixed-effect groups were dropped."""
