"""The shape shared by the process-evaluation analyses: one tidy table of case records."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

import pandas as pd

from boligeval.analyses.base import CaseAnalysis, Context
from boligeval.records import SURVEY, SURVEY_FIELDS, Record, from_rows, json_value


class CaseTable(CaseAnalysis):
    """A case analysis computed as one tidy table (survey record shape).

    Subclasses write ``compute`` and ``report``.
    """

    @abstractmethod
    def compute(self, ctx: Context) -> pd.DataFrame:
        """The analysis's tidy table."""

    def run_all(self, ctx: Context) -> list[Record]:
        frame = self.compute(ctx)
        rows = [
            {str(k): v for k, v in row.items() if k in SURVEY_FIELDS or json_value(v) is not None}
            for row in frame.to_dict("records")
        ]
        return from_rows(rows, section=SURVEY, analysis=self.id)

    def report(self, view: Any) -> list[Any]:
        return []
