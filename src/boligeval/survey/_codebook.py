"""Survey codes (scores, missing codes, attribute items) and the codebook loader.

The shipped codebook (``boligeval/survey/data/codebook.csv``) holds the seed
questionnaire (seed appendix 2, chapters 3 and 5-10) with Danish and English
labels. A user may replace it with their own file in the same shape.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from boligeval.errors import SurveyError
from boligeval.vocabulary import AREA_BLOCKS, SCALES

__all__ = [
    "ATTRIBUTE_ITEMS",
    "CODEBOOK_COLUMNS",
    "LIKERT_SCORES",
    "MISSING_CODES",
    "PASS_CODES",
    "SCALE_CODES",
    "load_codebook",
]

LIKERT_SCORES: dict[str, float] = {
    "not_at_all": 1.0,
    "small_degree": 2.0,
    "some_degree": 3.0,
    "high_degree": 4.0,
}
"""Scores of the degree scale (seed: Slet ikke = 1 ... I høj grad = 4)."""

MISSING_CODES: frozenset[str] = frozenset({"dont_know", "not_relevant"})
"""Codes left out of every mean and share but shown in distributions."""

SCALE_CODES: dict[str, tuple[str, ...]] = dict(SCALES)
"""Valid answer codes per scale, in display order."""

PASS_CODES: frozenset[str] = frozenset({"yes", "high_degree", "some_degree"})
"""Filter-item answers that open the filtered items.

The contract says a filtered item is asked when its filter item is answered
``yes``; for a degree-scale filter item (the seed's "have there been barriers"
screen) the seed's positive cut, high or some degree, counts as ``yes``.
"""

CODEBOOK_COLUMNS: tuple[str, ...] = ("item_id", "block", "label_da", "label_en", "scale")
"""Required codebook columns; ``filter_item``, ``theme`` and ``unit`` are optional."""

ATTRIBUTE_ITEMS: dict[str, str] = {
    "municipal_staff_in_secretariat": "org_municipal_staff_in_secretariat",
    "area_secretariat": "org_area_secretariat",
    "large_secretariat": "org_large_secretariat",
    "tenant_board_in_steering_group": "org_tenant_board_in_steering_group",
    "letting_tools": "pa_letting_tools",
    "image_intervention": "pa_image_intervention",
}
"""Plan-level attributes that can be derived from survey items (attribute -> item)."""

PLAN_UNIT_BLOCKS: frozenset[str] = frozenset(AREA_BLOCKS)
"""Blocks about the area, analysed per plan when a codebook has no ``unit`` column."""


def load_codebook(path: str | Path | None = None) -> pd.DataFrame:
    """Read a codebook CSV and normalise it.

    Parameters
    ----------
    path : str or Path, optional
        A CSV file with the contract's codebook columns. ``None`` loads the
        shipped seed questionnaire.

    Returns
    -------
    pandas.DataFrame
        Columns ``item_id, block, label_da, label_en, scale, filter_item,
        theme, unit`` (all strings, missing values as ``pd.NA``).

    Raises
    ------
    SurveyError
        If the file is missing or the codebook is inconsistent.
    """
    if path is None:
        source = resources.files("boligeval.survey").joinpath("data/codebook.csv")
        with resources.as_file(source) as shipped:
            frame = pd.read_csv(shipped, dtype=str, keep_default_na=False)
    else:
        file = Path(path)
        if not file.is_file():
            raise SurveyError(f"codebook file {file} does not exist; pass an existing CSV file")
        frame = pd.read_csv(file, dtype=str, keep_default_na=False)
    return normalise_codebook(frame)


def normalise_codebook(codebook: pd.DataFrame) -> pd.DataFrame:
    """Check a codebook table and fill its optional columns.

    Parameters
    ----------
    codebook : pandas.DataFrame
        A table with at least the contract's codebook columns.

    Returns
    -------
    pandas.DataFrame
        A new table with ``filter_item``, ``theme`` and ``unit`` present; a
        missing ``unit`` is ``plan`` for the area blocks and ``answer`` else.

    Raises
    ------
    SurveyError
        If a column is missing, an item id repeats, a scale is unknown, a
        unit is not ``plan``/``answer`` or a filter item is not in the codebook.
    """
    missing = [c for c in CODEBOOK_COLUMNS if c not in codebook.columns]
    if missing:
        raise SurveyError(
            f"codebook lacks column(s) {', '.join(missing)}; required: "
            f"{', '.join(CODEBOOK_COLUMNS)}"
        )
    out = codebook.copy()
    for column in out.columns:
        stripped = out[column].astype("string").str.strip()
        out[column] = stripped.mask(stripped == "")
    for column in ("filter_item", "theme", "unit"):
        if column not in out.columns:
            out[column] = pd.Series(pd.NA, index=out.index, dtype="string")
    default_unit = out["block"].map(lambda b: "plan" if b in PLAN_UNIT_BLOCKS else "answer")
    out["unit"] = out["unit"].fillna(default_unit.astype("string"))
    if out["item_id"].isna().any():
        raise SurveyError("codebook has rows without item_id; every item needs an id")
    duplicated = out.loc[out["item_id"].duplicated(), "item_id"].unique().tolist()
    if duplicated:
        raise SurveyError(f"codebook repeats item_id {_examples(duplicated)}; ids must be unique")
    bad_scale = sorted(
        set(out.loc[~out["scale"].isin(list(SCALE_CODES)), "scale"].fillna("<empty>"))
    )
    if bad_scale:
        raise SurveyError(
            f"codebook has unknown scale(s) {_examples(bad_scale)}; use one of "
            f"{', '.join(SCALE_CODES)}"
        )
    bad_unit = sorted(set(out["unit"]) - {"plan", "answer"})
    if bad_unit:
        raise SurveyError(
            f"codebook has unknown unit(s) {_examples(bad_unit)}; use 'plan' (area items) "
            "or 'answer' (actor items)"
        )
    known = set(out["item_id"])
    bad_filter = sorted(set(out["filter_item"].dropna()) - known)
    if bad_filter:
        raise SurveyError(
            f"codebook names filter item(s) {_examples(bad_filter)} that are not items of "
            "the codebook; add them or clear filter_item"
        )
    return out.reset_index(drop=True)


def _examples(values: list[str], limit: int = 10) -> str:
    """Format up to ``limit`` values for an error message."""
    shown = ", ".join(repr(v) for v in values[:limit])
    more = f" and {len(values) - limit} more" if len(values) > limit else ""
    return f"{shown}{more} ({len(values)} in all)"
