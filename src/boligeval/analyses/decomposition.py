"""DiD of the stayer, in-mover and out-mover terms of the change in department means."""

from __future__ import annotations

from typing import Any

from boligeval.analyses import register
from boligeval.analyses.base import Context, DiagnosticAnalysis
from boligeval.config import AnalysisSpec
from boligeval.records import ESTIMATES, Record, from_rows
from boligeval.report.tables import DECOMPOSITION_LAYOUT


@register
class Decomposition(DiagnosticAnalysis, id="decomposition", order=130,
                    layout=DECOMPOSITION_LAYOUT):
    """How much of the area-level effect comes from who stays, moves in and moves out."""

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        from boligeval.estimate.decomposition import decomposition

        design = ctx.register.design
        assert design is not None
        res = decomposition(ctx.register.mover_terms(spec.population, outcome), design.frame)
        rows = [{**{str(k): v for k, v in r.items()}, "term": "active_plan",
                 "component": str(r["term"]), "adj_r2": float(res.fits[str(r["term"])].adj_r2)}
                for r in res.tidy().to_dict("records")]
        return from_rows(rows, section=ESTIMATES, analysis=self.id,
                         population=spec.population, outcome=outcome, n_obs=len(res.terms),
                         n_departments=int(res.terms["department_id"].nunique()),
                         n_plans=int(res.terms["plan_id"].nunique()))

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.figures import decomposition_figure

        figure = decomposition_figure(view.records(self.id), view.lang, self.id)
        return super().report(view) + ([figure] if figure else [])
