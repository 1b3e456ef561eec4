"""The case areas and a reproducible maximal-variation selection (seed table 6.1)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from boligeval.analyses import register
from boligeval.analyses._cases import CaseTable
from boligeval.analyses.base import Context


def _selection(ctx: Context) -> pd.DataFrame:
    from boligeval.cases import selection_table
    from boligeval.cases._report import candidates

    assert ctx.cases is not None
    frames = [selection_table(candidates(ctx, user=True), "user")]
    if ctx.cfg.cases.select > 0:
        from boligeval.cases import select_cases

        pool = candidates(ctx, user=False)
        chosen = select_cases(pool, ctx.cfg.cases.select, seed=ctx.cfg.inference.seed)
        picked = pool.set_index("plan_id").loc[list(chosen.chosen)].reset_index()
        frames.append(selection_table(picked, "tool"))
    return pd.concat(frames, ignore_index=True)


@register
class CaseSelection(CaseTable, id="case_selection", order=600):
    """Table 6.1 for the user's cases and, with ``[cases] select``, for the tool's pick."""

    def compute(self, ctx: Context) -> pd.DataFrame:
        return _selection(ctx)

    def report(self, view: Any) -> list[Any]:
        from boligeval.cases._report import selection_tables

        return selection_tables(view.records(self.id), self.id, view.lang, view.rules)
