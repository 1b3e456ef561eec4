"""Maximal-variation selection of case areas (seed chapter 6, appendix 3)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from boligeval.errors import CaseError

__all__ = ["CRITERIA", "Selection", "select_cases"]

#: The seed's selection criteria (appendix 3: size, geography, organisation,
#: experience), as plan columns.
CRITERIA: tuple[str, ...] = (
    "cohort", "municipality_size", "region", "secretariat_type", "experience",
)


@dataclass(frozen=True)
class Selection:
    """A reproducible selection of k cases.

    Attributes
    ----------
    chosen : tuple of str
        The selected plan ids, in the order they were picked.
    criteria : tuple of str
        The criteria used (those with values in the candidates).
    covered : float
        Share of the criteria's levels that the selection covers.
    """

    chosen: tuple[str, ...]
    criteria: tuple[str, ...]
    covered: float

    def tidy(self) -> pd.DataFrame:
        """One row per chosen plan, in pick order."""
        return pd.DataFrame({"term": list(self.chosen), "estimate": range(1, len(self.chosen) + 1)})

    def summary(self) -> str:
        """The selection in a line."""
        return (f"{len(self.chosen)} cases on {', '.join(self.criteria)}; "
                f"{self.covered:.0%} of the criteria's levels covered")


def _levels(candidates: pd.DataFrame, criteria: Sequence[str]) -> pd.DataFrame:
    out = pd.DataFrame(index=candidates.index)
    for c in criteria:
        values = candidates[c]
        if c == "experience":
            values = values.map(lambda y: None if pd.isna(y) else
                                "none" if int(y) == 0 else "1_4" if int(y) < 5 else "5_plus")
        out[c] = values.astype("string")
    return out


def select_cases(
    candidates: pd.DataFrame,
    k: int,
    *,
    seed: int,
    criteria: Sequence[str] | None = None,
) -> Selection:
    """Pick ``k`` plans with maximal variation on the criteria, reproducibly.

    Greedy: each pick covers the most criterion levels not yet covered; ties
    go to the plan that differs from the chosen ones on the most criteria,
    then to a seeded random order. Once every level is covered the picks
    keep maximising difference, so ``k`` at least the number of levels
    covers every level of each criterion.

    Parameters
    ----------
    candidates : pandas.DataFrame
        ``plan_id`` and criterion columns (missing values are no level).
    k : int
        Number of cases.
    seed : int
        Seed of the tie-breaking order.
    criteria : sequence of str, optional
        Criterion columns; default those of :data:`CRITERIA` present.
    """
    if k < 1:
        raise CaseError(f"the number of cases to select must be at least 1, got {k}.")
    if len(candidates) < k:
        raise CaseError(f"cannot select {k} cases from {len(candidates)} candidate plans.")
    if candidates["plan_id"].duplicated().any():
        raise CaseError("candidate plans repeat a plan_id.")
    names = tuple(criteria) if criteria is not None else tuple(
        c for c in CRITERIA if c in candidates.columns and candidates[c].notna().any())
    frame = candidates.sort_values("plan_id", kind="stable").reset_index(drop=True)
    levels = _levels(frame, names)
    rng = np.random.default_rng(seed)
    tiebreak = rng.permutation(len(frame))
    pairs = [(c, v) for c in names for v in sorted(levels[c].dropna().unique())]
    has = np.zeros((len(frame), len(pairs)), dtype=bool)
    for j, (c, v) in enumerate(pairs):
        has[:, j] = (levels[c] == v).fillna(False).to_numpy(dtype=bool)
    codes = levels.fillna("").to_numpy(dtype=object)
    uncovered = np.ones(len(pairs), dtype=bool)
    diff = np.zeros(len(frame))
    free = np.ones(len(frame), dtype=bool)
    chosen: list[int] = []
    for _ in range(k):
        gain = (has & uncovered).sum(axis=1)
        score = np.lexsort((tiebreak, -diff, -gain))
        pick = next(int(i) for i in score if free[i])
        chosen.append(pick)
        free[pick] = False
        uncovered &= ~has[pick]
        diff += (codes != codes[pick]).sum(axis=1) if len(names) else 0
    covered = 1.0 - uncovered.mean() if len(pairs) else 1.0
    return Selection(tuple(str(frame.at[i, "plan_id"]) for i in chosen), names, float(covered))
