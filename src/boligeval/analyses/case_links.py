"""Themes and valences of the cases beside their plans' survey results and outcomes."""

from __future__ import annotations

from typing import Any

import pandas as pd

from boligeval.analyses import register
from boligeval.analyses._cases import CaseTable
from boligeval.analyses.base import Context


def _links(ctx: Context) -> pd.DataFrame:
    from boligeval.cases import case_links, plan_outcome_changes, plan_survey_results

    assert ctx.cases is not None
    plans = ctx.cases.table["plan_id"].astype(str).tolist()
    survey = (plan_survey_results(ctx.survey.prepared.scored, plans)
              if ctx.survey is not None else None)
    outcomes = (plan_outcome_changes(ctx.panel.frame, plans)
                if ctx.panel is not None else None)
    return case_links(ctx.cases, survey, outcomes)


@register
class CaseLinks(CaseTable, id="case_links", order=630):
    """A descriptive side-by-side per theme and valence; never a test on a handful of cases."""

    def compute(self, ctx: Context) -> pd.DataFrame:
        return _links(ctx)

    def report(self, view: Any) -> list[Any]:
        from boligeval.cases._report import links_tables

        return links_tables(view.records(self.id), self.id, view.lang, view.rules)
