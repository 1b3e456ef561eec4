"""The shape shared by the survey analyses: one tidy table, shown as a pivot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import pandas as pd

from boligeval.analyses.base import Context, SurveyAnalysis
from boligeval.records import SURVEY, SURVEY_FIELDS, Record, from_rows, json_value
from boligeval.survey import Survey

#: Rows by item (and category or group), columns by actor, wave and statistic.
ITEM_ROWS = ("item_id", "category", "group")
BY_WAVE = ("actor", "wave", "statistic")


class SurveyTable(SurveyAnalysis):
    """A survey analysis computed as one tidy table and shown as a pivot of it.

    Parameters
    ----------
    id : str
        The analysis id.
    order : int
        Position in the survey chapter.
    compute : callable
        ``Survey -> DataFrame`` in the survey record columns.
    rows, columns : tuple of str
        Record fields that make the pivot's rows and columns.
    show_n : bool
        Show the number of units under each value.
    appendix : bool
        Fold the table in the HTML page (long tables).
    source : str
        Label key of the table's source note (the survey, or the plan records).
    """

    chapter: ClassVar[str] = "survey"

    def __init__(self, id: str, order: int, compute: Callable[[Survey], pd.DataFrame], *,
                 rows: tuple[str, ...] = ITEM_ROWS, columns: tuple[str, ...] = BY_WAVE,
                 show_n: bool = True, appendix: bool = False,
                 source: str = "survey_source") -> None:
        self.id = id  # type: ignore[misc]
        self.order = order  # type: ignore[misc]
        self.compute = compute
        self.rows, self.columns = rows, columns
        self.show_n, self.appendix = show_n, appendix
        self.source = source

    def run_all(self, ctx: Context) -> list[Record]:
        assert ctx.survey is not None
        rows = [
            {str(k): v for k, v in row.items() if k in SURVEY_FIELDS or json_value(v) is not None}
            for row in self.compute(ctx.survey).to_dict("records")
        ]
        return from_rows(rows, section=SURVEY, analysis=self.id)

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.tables import survey_pivot

        table = survey_pivot(view.records(self.id), self.id, view.lang, rules=view.rules,
                             item_labels=view.labels, row_fields=self.rows,
                             col_fields=self.columns, show_n=self.show_n,
                             appendix=self.appendix, source=self.source)
        return [table] if table is not None else []
