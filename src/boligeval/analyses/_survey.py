"""The shape shared by the survey analyses: one tidy table, shown as a pivot."""

from __future__ import annotations

from typing import Any, ClassVar

import pandas as pd

from boligeval.analyses.base import Context, SurveyAnalysis
from boligeval.records import SURVEY, SURVEY_FIELDS, Record, from_rows, json_value
from boligeval.survey import Survey

#: Rows by item (and category or group), columns by actor, wave and statistic.
ITEM_ROWS = ("item_id", "category", "group")
BY_WAVE = ("actor", "wave", "statistic")


class SurveyTable(SurveyAnalysis):
    """A survey analysis computed as one tidy table.

    Subclasses implement :meth:`table`; the report shows the records as a
    pivot of ``rows`` by ``columns`` unless :meth:`report` is overridden.
    """

    chapter: ClassVar[str] = "survey"
    rows: ClassVar[tuple[str, ...]] = ITEM_ROWS
    columns: ClassVar[tuple[str, ...]] = BY_WAVE
    show_n: ClassVar[bool] = True
    appendix: ClassVar[bool] = False

    def table(self, survey: Survey) -> pd.DataFrame:
        """The analysis's tidy table (survey record columns)."""
        raise NotImplementedError

    def run_all(self, ctx: Context) -> list[Record]:
        assert ctx.survey is not None
        rows = [
            {str(k): v for k, v in row.items() if k in SURVEY_FIELDS or json_value(v) is not None}
            for row in self.table(ctx.survey).to_dict("records")
        ]
        return from_rows(rows, section=SURVEY, analysis=self.id)

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.tables import survey_pivot

        table = survey_pivot(view.records(self.id), self.id, view.lang, rules=view.rules,
                             item_labels=view.labels, row_fields=self.rows,
                             col_fields=self.columns, show_n=self.show_n,
                             appendix=self.appendix)
        return [table] if table is not None else []
