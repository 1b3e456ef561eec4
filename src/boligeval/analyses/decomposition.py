"""DiD of the stayer, in-mover and out-mover terms of the change in department means."""

from __future__ import annotations

from typing import Any

from boligeval.analyses import register
from boligeval.analyses.base import Context, RegisterAnalysis
from boligeval.config import AnalysisSpec
from boligeval.records import ESTIMATES, Record, from_rows


@register
class Decomposition(RegisterAnalysis):
    """How much of the area-level effect comes from who stays, moves in and moves out."""

    id = "decomposition"
    chapter = "diagnostics"
    order = 130

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        from boligeval.estimate.decomposition import decomposition

        panel = ctx.panel
        assert panel is not None and panel.design is not None
        terms = panel.mover_terms(spec.population, outcome)
        res = decomposition(terms, panel.design.frame)
        rows = [
            {"term": "active_plan", "component": str(r["term"]),
             "estimate": r["estimate"], "std_error": r["std_error"], "p_value": r["p_value"],
             "ci_low": r["ci_low"], "ci_high": r["ci_high"],
             "adj_r2": float(res.fits[str(r["term"])].adj_r2)}
            for r in res.tidy().to_dict("records")
        ]
        return from_rows(rows, section=ESTIMATES, analysis=self.id,
                         population=spec.population, outcome=outcome, n_obs=len(res.terms),
                         n_departments=int(res.terms["department_id"].nunique()),
                         n_plans=int(res.terms["plan_id"].nunique()))

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.figures import decomposition_figure
        from boligeval.report.tables import DECOMPOSITION_LAYOUT, diagnostic_tables

        records = view.records(self.id)
        blocks: list[Any] = list(diagnostic_tables(records, self.id, view.lang,
                                                   layout=DECOMPOSITION_LAYOUT,
                                                   rules=view.rules))
        figure = decomposition_figure(records, view.lang, self.id)
        return blocks + ([figure] if figure else [])
