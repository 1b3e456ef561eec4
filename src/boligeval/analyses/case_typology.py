"""Secretariat types, organisation types and area-secretariat models (seed ch. 6, table 10.1)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from boligeval.analyses import register
from boligeval.analyses._cases import CaseTable
from boligeval.analyses.base import Context


def _typology(ctx: Context) -> pd.DataFrame:
    from boligeval.cases import case_typology

    assert ctx.cases is not None
    return case_typology(ctx.cases)


@register
class CaseTypology(CaseTable, id="case_typology", order=620):
    """The cases by each typology, and table 10.1's models by level."""

    def compute(self, ctx: Context) -> pd.DataFrame:
        return _typology(ctx)

    def report(self, view: Any) -> list[Any]:
        from boligeval.cases._report import models_table, typology_table

        records = view.records(self.id)
        tables = (typology_table(records, self.id, view.lang, view.rules),
                  models_table(records, self.id, view.lang, view.rules))
        return [t for t in tables if t is not None]
