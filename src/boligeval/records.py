"""One record schema for everything results.json publishes.

Analyses turn their result objects into :class:`Record` objects here, and
nowhere else. A record is born unprotected: it has no ``suppressed`` flag
and cannot be given one. Only disclosure control
(:func:`boligeval.disclosure.protect_results`) turns records into published
ones, and every writer refuses anything else.

Sections of results.json:

* ``estimates``: one model term, with :data:`ESTIMATE_FIELDS` always present;
* ``cells``: cohort-by-year means behind the effect figures;
* ``balance``: baseline balance tests;
* ``survey``: survey statistics (:data:`SURVEY_FIELDS` always present);
* ``accounting``: where every department and resident row went;
* ``areas``: the official area classification per area and year (docs/areas.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd

from boligeval.errors import BoligevalError

__all__ = [
    "ACCOUNTING",
    "AREAS",
    "BALANCE",
    "CELLS",
    "ESTIMATES",
    "ESTIMATE_FIELDS",
    "SECTIONS",
    "SURVEY",
    "SURVEY_FIELDS",
    "Record",
    "Results",
    "from_rows",
    "from_tidy",
    "json_value",
]

Section = Literal["estimates", "cells", "balance", "survey", "accounting", "areas"]

ESTIMATES: Section = "estimates"
CELLS: Section = "cells"
BALANCE: Section = "balance"
SURVEY: Section = "survey"
ACCOUNTING: Section = "accounting"
AREAS: Section = "areas"

#: Sections of results.json, in the order they are written and protected.
SECTIONS: tuple[Section, ...] = (ESTIMATES, CELLS, BALANCE, SURVEY, ACCOUNTING, AREAS)

#: Keys every estimate record has (null where an estimator does not give them).
ESTIMATE_FIELDS: tuple[str, ...] = (
    "analysis", "population", "outcome", "term", "estimate", "std_error", "p_value",
    "ci_low", "ci_high", "n_obs", "n_departments", "n_plans", "adj_r2",
)

#: Keys every survey record has.
SURVEY_FIELDS: tuple[str, ...] = (
    "analysis", "actor", "wave", "subset", "item_id", "statistic", "value", "n", "unit",
    "weighting",
)

_BASE_FIELDS: Mapping[str, tuple[str, ...]] = {
    ESTIMATES: ESTIMATE_FIELDS,
    SURVEY: SURVEY_FIELDS,
}

#: Keys only disclosure control may set.
_PROTECTION_KEYS = ("suppressed",)


def json_value(value: Any) -> Any:
    """A plain JSON value: numpy scalars unwrapped, NaN and NA as None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@dataclass(frozen=True)
class Record:
    """One row of results.json, before disclosure control.

    Parameters
    ----------
    section : str
        One of :data:`SECTIONS`.
    fields : mapping
        The record's keys and JSON values; ``suppressed`` is refused (only
        disclosure control decides it).
    """

    section: Section
    fields: Mapping[str, Any]

    def __post_init__(self) -> None:
        if self.section not in SECTIONS:
            raise BoligevalError(f"Unknown results section '{self.section}'.")
        for key in _PROTECTION_KEYS:
            if key in self.fields:
                raise BoligevalError(
                    f"A record may not set '{key}': only disclosure control decides it."
                )
        base = {k: None for k in _BASE_FIELDS.get(self.section, ())}
        clean = {**base, **{str(k): json_value(v) for k, v in self.fields.items()}}
        object.__setattr__(self, "fields", MappingProxyType(clean))

    @property
    def analysis(self) -> str | None:
        """The analysis id (None for cells)."""
        value = self.fields.get("analysis")
        return None if value is None else str(value)

    def get(self, key: str, default: Any = None) -> Any:
        """A field's value, or ``default``."""
        return self.fields.get(key, default)

    def as_dict(self) -> dict[str, Any]:
        """A mutable copy of the fields."""
        return dict(self.fields)


def from_tidy(
    tidy: pd.DataFrame,
    *,
    section: Section = ESTIMATES,
    **fields: Any,
) -> list[Record]:
    """Records from a result's ``tidy()`` table, one per row.

    Parameters
    ----------
    tidy : pandas.DataFrame
        Rows to publish; every column becomes a field.
    section : str
        The results.json section.
    **fields
        Fields shared by every row (``analysis``, ``population``, counts...);
        a column of ``tidy`` with the same name wins.
    """
    return [Record(section, {**fields, **{str(k): v for k, v in row.items()}})
            for row in tidy.to_dict("records")]


def from_rows(rows: Iterable[Mapping[str, Any]], *, section: Section,
              **fields: Any) -> list[Record]:
    """Records from plain mappings, with shared ``fields`` added."""
    return [Record(section, {**fields, **row}) for row in rows]


@dataclass(frozen=True)
class Results:
    """Everything an evaluation found, before disclosure control.

    Attributes
    ----------
    records : tuple of Record
        In the order the analyses produced them.
    notes : tuple of str
        What was not estimated and why.
    """

    records: tuple[Record, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def section(self, name: Section) -> list[Record]:
        """The records of one section, in order."""
        return [r for r in self.records if r.section == name]

    def tidy(self, section: Section = ESTIMATES, analysis: str | None = None) -> pd.DataFrame:
        """One section as a table (optionally one analysis's records)."""
        rows = [r.as_dict() for r in self.section(section)
                if analysis is None or r.analysis == analysis]
        return pd.DataFrame(rows)

    def rows(self, section: Section) -> list[dict[str, Any]]:
        """One section's records as plain dicts."""
        return [r.as_dict() for r in self.section(section)]

    def summary(self) -> str:
        """Records per section and analysis."""
        lines = ["Results (before disclosure control)"]
        for name in SECTIONS:
            recs = self.section(name)
            if recs:
                kinds = sorted({str(r.analysis) for r in recs if r.analysis})
                lines.append(f"  {name:<12}{len(recs):>7} records"
                             + (f"  ({', '.join(kinds)})" if kinds else ""))
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)
