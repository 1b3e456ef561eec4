"""Costs per resident-year and per dwelling, and the cost of the effect (docs/methods.md §7)."""

from __future__ import annotations

from typing import Any

from boligeval.analyses import register
from boligeval.analyses.base import Context, DiagnosticAnalysis, Option
from boligeval.config import AnalysisSpec
from boligeval.errors import ConfigError
from boligeval.records import Record, from_tidy
from boligeval.report.tables import COST_LAYOUT
from boligeval.vocabulary import outcome_kind

#: Which amounts count as the cost of an active plan.
COST = Option("plan", ("plan", "grant", "all"),
              "plan: grant and co-financing; grant: the grant alone; all: also rent support")
#: Years a plan without end_year spends its plan-level amounts over.
DURATION = Option("4", None, "years over which a plan without end_year spends its amounts")
CONTROL_GROUP = Option("notyettreated", ("notyettreated", "nevertreated"),
                       "comparison departments of the effect: not yet or never treated")


def plan_duration(spec: AnalysisSpec) -> int:
    """The block's ``duration`` as a whole number of years."""
    return int(str(spec.options.get("duration", "4")))


def cost_inputs(ctx: Context) -> dict[str, Any]:
    """The plan, cost, department and price tables an analysis of costs or reach needs."""
    panel = ctx.register
    return {"plans": panel.table("plans"), "plan_costs": panel.table("plan_costs"),
            "departments": panel.table("departments"),
            "prices": panel.table("prices") if panel.has_prices else None}


@register
class CostEffectiveness(DiagnosticAnalysis, id="cost_effectiveness", chapter="effects",
                        order=35, layout=COST_LAYOUT,
                        options={"cost": COST, "duration": DURATION,
                                 "control_group": CONTROL_GROUP}):
    """What the plans cost per resident-year and dwelling, and per unit of effect.

    For a share outcome (employment) the ratio is DKK per additional
    person-year in employment; for an amount (income) the extra DKK of
    outcome per DKK spent. By cohort (first active year) and for the
    programme; skipped with a note when the plans carry no amounts.
    """

    def check(self, spec: AnalysisSpec, where: str) -> None:
        super().check(spec, where)
        raw = spec.options.get("duration", "4")
        if not str(raw).isdigit() or not 1 <= int(str(raw)) <= 30:
            raise ConfigError(f"{where}.duration must be a whole number of years from 1 to 30, "
                              f"got {raw!r}.")
        scores = [o for o in spec.outcomes if outcome_kind(o) == "score"]
        if scores:
            raise ConfigError(f"{where}: {self.id} takes shares (employment) and amounts "
                              f"(income), not the score {', '.join(scores)}.")

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        from boligeval.estimate.cost import cost_effectiveness

        data = ctx.staggered(spec, outcome)
        inputs = cost_inputs(ctx)
        res = cost_effectiveness(
            data, inputs["plans"], inputs["departments"], share=outcome_kind(outcome) == "share",
            plan_costs=inputs["plan_costs"], prices=inputs["prices"],
            price_base_year=ctx.cfg.design.price_base_year, cost=spec.option("cost"),
            duration=plan_duration(spec), alpha=ctx.cfg.inference.alpha,
            control_group=spec.option("control_group"), unbalanced=not ctx.cfg.panel.balanced)
        return from_tidy(res.tidy(), analysis=self.id, population=spec.population,
                         outcome=outcome, cost=spec.option("cost"),
                         price_base_year=ctx.cfg.design.price_base_year)

    def findings(self, view: Any) -> list[str]:
        from boligeval.report.i18n import fmt_num

        out = []
        for r in view.records(self.id):
            if r.get("group") != "programme" or r.get("suppressed") or r.get("estimate") is None:
                continue
            if r.get("term") == "cost_per_extra_employed":
                what = ("DKK per additional person-year in employment" if view.lang == "en"
                        else "kr. pr. ekstra beskæftiget person pr. år")
                out.append(f"{fmt_num(r['estimate'], 0, view.lang)} {what}.")
        return out
