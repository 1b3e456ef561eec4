"""Official area classification (almenboligloven § 61 a / § 61 b): rulesets, regions, criteria.

* :mod:`boligeval.areas.rulesets`: rulesets as TOML data files;
* :mod:`boligeval.areas.classify`: criteria and statuses from area-year aggregates;
* :func:`municipalities`: the 98 municipalities and their 5 regions (Statistics Denmark).

See docs/areas.md.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

import pandas as pd

from boligeval.areas.classify import COUNT_COLUMNS, STATUS_ORDER, AreaClassification, classify
from boligeval.areas.rulesets import CRITERIA, Ruleset, available, load_ruleset

__all__ = [
    "COUNT_COLUMNS",
    "CRITERIA",
    "STATUS_ORDER",
    "AreaClassification",
    "Ruleset",
    "available",
    "classify",
    "load_ruleset",
    "municipalities",
    "region_of",
]


@cache
def municipalities() -> pd.DataFrame:
    """The 98 municipalities with their region (code and name), from the shipped CSV.

    The file's first line names its source (Statistics Denmark's
    classification of municipalities and regions).
    """
    text = (resources.files("boligeval.areas") / "municipalities.csv").read_text(
        encoding="utf-8")
    return pd.read_csv(io.StringIO(text), comment="#", dtype="string")


def region_of(municipality: object) -> str | None:
    """The region code of a municipality given by DST code (``101``, ``0101``) or name."""
    if municipality is None or (isinstance(municipality, float) and pd.isna(municipality)):
        return None
    text = str(municipality).strip()
    table = municipalities()
    if text.isdigit():
        hit = table[table["municipality_code"].astype(int) == int(text)]
    else:
        lower = text.lower().removesuffix(" kommune")
        hit = table[table["municipality_name"].str.lower() == lower]
    return None if hit.empty else str(hit["region_code"].iloc[0])
