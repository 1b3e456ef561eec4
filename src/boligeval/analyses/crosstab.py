"""Cross-tabulations of answers by plan organisation (seed chapters 8-10)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from boligeval.analyses import register
from boligeval.analyses._survey import SurveyTable
from boligeval.survey import Survey
from boligeval.survey import _analyses as an

#: Blocks cross-tabulated by every plan attribute (seed ch. 8-10).
CROSSTAB_BLOCKS: tuple[str, ...] = ("goal_focus", "collaboration", "area_secretariat")

#: Seed table 9.1: focus on goals and results by municipal staff in the secretariat.
FOCUS_ITEM, FOCUS_ATTRIBUTE = "gf_goals_results_focus", "municipal_staff_in_secretariat"

#: Attributes not used as a cross-tab's rows (plan tools, not organisation).
NOT_ORGANISATION = ("letting_tools", "image_intervention")


def crosstabs(survey: Survey) -> pd.DataFrame:
    """Every cross-tab of the survey: the user's list, or the seed's blocks by attribute."""
    prepared = survey.prepared
    book = prepared.codebook
    items = book.loc[book["block"].isin(CROSSTAB_BLOCKS), "item_id"].tolist()
    screens = book.loc[book["block"] == "barrier", "filter_item"].dropna().unique().tolist()
    attributes = survey.attributes
    names = [c for c in attributes.columns if c != "plan_id"]
    answered = set(prepared.scored["item_id"])
    pairs = list(survey.crosstabs) if survey.crosstabs is not None else [
        (item, name) for item in [*screens, *items] if item in answered
        for name in names if name not in NOT_ORGANISATION
    ]
    tables = [an.crosstab(prepared, item, name, attributes, actor=survey.attribute_actor,
                          seed=survey.seed + i) for i, (item, name) in enumerate(pairs)]
    tables = [t for t in tables if len(t)]
    return pd.concat(tables, ignore_index=True) if tables else an._frame([])


class Crosstab(SurveyTable):
    """Answer shares by level of each organisation attribute, with an exact test."""

    chapter = "organisation"
    margins = True

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.tables import crosstab_table, goal_focus_table

        records = view.records(self.id)
        focus = goal_focus_table(records, view.lang, item=FOCUS_ITEM, group=FOCUS_ATTRIBUTE,
                                 key=f"survey_{self.id}_goal_focus", rules=view.rules,
                                 item_labels=view.labels)
        table = crosstab_table(records, view.lang, analysis=self.id,
                               rules=view.rules, item_labels=view.labels)
        return [t for t in (table, focus) if t is not None]


register(Crosstab("crosstab", 400, crosstabs))
