"""Cases x themes x levels: driver and barrier segments per round (seed chapters 7-10)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from boligeval.analyses import register
from boligeval.analyses._cases import CaseTable
from boligeval.analyses.base import Context


def _matrix(ctx: Context) -> pd.DataFrame:
    from boligeval.cases import case_matrix

    assert ctx.cases is not None
    return case_matrix(ctx.cases)


@register
class CaseMatrix(CaseTable, id="case_matrix", order=610):
    """Driver, barrier and neutral segments, sources and roles per theme, level and round."""

    def compute(self, ctx: Context) -> pd.DataFrame:
        return _matrix(ctx)

    def report(self, view: Any) -> list[Any]:
        from boligeval.cases._report import case_matrix_table, matrix_table

        records = view.records(self.id)
        tables = (matrix_table(records, self.id, view.lang, view.rules),
                  case_matrix_table(records, self.id, view.lang, view.rules))
        return [t for t in tables if t is not None]
