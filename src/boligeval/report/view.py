"""What an analysis sees when it renders its report section."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from boligeval.disclosure import Published

__all__ = ["ReportView"]


@dataclass(frozen=True)
class ReportView:
    """Published records and the report's language, for the analyses' report hooks.

    Attributes
    ----------
    lang : {"da", "en"}
        Language of every label, note and number.
    published : Published
        Results after disclosure control.
    item_labels : mapping
        ``{item_id: {"da": ..., "en": ...}}`` for survey items.
    """

    lang: str
    published: Published
    item_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def rules(self) -> dict[str, Any]:
        """The disclosure rules applied, for table notes."""
        r = self.published.rules
        return {"min_persons": r.min_persons, "dominance_share": r.dominance_share,
                "secondary": r.secondary}

    @property
    def labels(self) -> dict[str, dict[str, str]]:
        """Survey item labels as plain dicts."""
        return {k: dict(v) for k, v in self.item_labels.items()}

    def records(self, *analyses: str) -> list[dict[str, Any]]:
        """Published records of the given analysis ids."""
        return self.published.records(*analyses)

    def section(self, name: str) -> list[dict[str, Any]]:
        """Published records of one results.json section."""
        return self.published.section(name)
