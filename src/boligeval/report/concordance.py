"""Concordance: every numbered table and figure of the seed report and where it is here.

The seed is the 2013 mid-term evaluation of Landsbyggefonden's 2006-10 pool
(SFI/Rambøll). Each entry names the report blocks (table or figure keys,
``fnmatch`` patterns) that show it; at build time they are resolved to the
report's own numbers. An entry without keys says why it is not in the report.
The list is data (``report/data/concordance.csv``); docs/concordance.md is
the same list for readers of the repository.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

__all__ = ["ENTRIES", "Entry"]


@dataclass(frozen=True)
class Entry:
    """One numbered table or figure of the seed.

    Attributes
    ----------
    seed : str
        Its number in the seed, e.g. ``"T4.2"`` or ``"F5.1"``; ``"S4"`` is an item the
        seed reports in the text of chapter 4, without a numbered table.
    title_da, title_en : str
        What it shows.
    keys : tuple of str
        Keys (fnmatch patterns) of the report's tables and figures that show it.
    why_da, why_en : str
        What is shown differently, or why it is not in the report.
    out_of_scope : bool
        A diagram or qualitative case material that no data input carries.
    """

    seed: str
    title_da: str
    title_en: str
    keys: tuple[str, ...] = ()
    why_da: str = ""
    why_en: str = ""
    out_of_scope: bool = False


def _load() -> tuple[Entry, ...]:
    text = (resources.files("boligeval.report") / "data" / "concordance.csv").read_text(
        encoding="utf-8")
    return tuple(
        Entry(row["seed"], row["title_da"], row["title_en"],
              tuple(k for k in row["keys"].split(";") if k), row["why_da"], row["why_en"],
              row["out_of_scope"] == "yes")
        for row in csv.DictReader(io.StringIO(text))
    )


#: Every numbered table and figure of the seed, in the seed's order
#: (``report/data/concordance.csv``).
ENTRIES: tuple[Entry, ...] = _load()
