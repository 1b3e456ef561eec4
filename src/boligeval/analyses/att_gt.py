"""Callaway-Sant'Anna group-time effects and their aggregations."""

from __future__ import annotations

import itertools
from typing import Any, Literal

from boligeval.analyses import register
from boligeval.analyses._common import COVARIATES
from boligeval.analyses.base import Context, Option, RegisterAnalysis
from boligeval.config import AnalysisSpec
from boligeval.errors import ConfigError
from boligeval.records import Record, from_tidy

#: Records of the aggregations carry this id.
AGGREGATE = "att_aggregate"
AGGREGATIONS: tuple[Literal["simple", "group", "dynamic", "calendar"], ...] = (
    "simple", "group", "dynamic", "calendar",
)


#: Largest ``anticipation`` a block may set (periods).
MAX_ANTICIPATION = 10


def anticipation_periods(spec: AnalysisSpec, years: Any) -> float:
    """The block's ``anticipation`` in years: periods times the spacing of the measurement years.

    The estimator counts anticipation in ``year`` units; with measurement
    years two apart, one period of anticipation is two years.
    """
    k = int(str(spec.options.get("anticipation", "0")))
    values = sorted({int(y) for y in years})
    step = min((b - a for a, b in itertools.pairwise(values)), default=1)
    return float(k * step)


def _unbalanced(spec: AnalysisSpec, ctx: Context) -> bool:
    """Whether the block estimates an unbalanced panel (``auto``: when the run builds one)."""
    choice = str(spec.options.get("unbalanced", "auto"))
    return choice == "true" or (choice == "auto" and not ctx.cfg.panel.balanced)


@register
class AttGt(RegisterAnalysis, id="att_gt", chapter="diagnostics", order=70,
            produces=(AGGREGATE,), options={
                "control_group": Option("notyettreated", ("notyettreated", "nevertreated"),
                                        "comparison departments: not yet or never treated"),
                "est_method": Option("unconditional", ("unconditional", "reg", "ipw", "dr"),
                                     "without covariates, outcome regression, inverse "
                                     "probability weighting or doubly robust"),
                "covariates": COVARIATES,
                "unbalanced": Option("auto", ("auto", "false", "true"),
                                     "true: estimate an unbalanced panel as R did does "
                                     "(allow_unbalanced_panel); false: refuse one; auto: "
                                     "true when [panel] balanced = false"),
                "anticipation": Option("0", None,
                                       "measurement periods before the start in which "
                                       "departments may already react (0, 1, 2, ...)")}):
    """ATT(g, t) with a plan-clustered multiplier bootstrap and uniform bands."""

    def check(self, spec: AnalysisSpec, where: str) -> None:
        super().check(spec, where)
        raw = str(spec.options.get("anticipation", "0"))
        if not raw.isdigit() or int(raw) > MAX_ANTICIPATION:
            raise ConfigError(f"{where}.anticipation must be a whole number of periods from 0 "
                              f"to {MAX_ANTICIPATION}, got {raw!r}.")

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        from boligeval.estimate.staggered import att_gt

        data = ctx.staggered(spec, outcome)
        inf = ctx.cfg.inference
        res = att_gt(data, yname="value", tname="year", idname="department_id",
                     gname="first_treated", control_group=spec.option("control_group"),
                     est_method=spec.option("est_method"), covariates=spec.covariates,
                     cluster="plan_id", bootstrap=True, bootstrap_draws=inf.bootstrap_draws,
                     seed=inf.seed, alpha=inf.alpha,
                     allow_unbalanced_panel=_unbalanced(spec, ctx),
                     anticipation=anticipation_periods(spec, data["year"]))
        base: dict[str, Any] = {"population": spec.population, "outcome": outcome,
                "n_departments": int(data["department_id"].nunique()),
                "n_plans": int(data["plan_id"].nunique())}
        for key, default in (("unbalanced", "false"), ("anticipation", "0")):
            if str(spec.options.get(key, default)) != default:  # the records say how
                base[key] = str(spec.options[key])
        records = from_tidy(res.tidy(), analysis=self.id, **base)
        for kind in AGGREGATIONS:
            records += from_tidy(res.aggregate(kind).tidy(), analysis=AGGREGATE,
                                 aggregation=kind, **base)
        return records

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.tables import (
            ATT_AGGREGATE_LAYOUT,
            ATT_GT_LAYOUT,
            diagnostic_tables,
        )

        return [
            *diagnostic_tables(view.records(self.id), self.id, view.lang,
                               layout=ATT_GT_LAYOUT, rules=view.rules),
            *diagnostic_tables(view.records(AGGREGATE), AGGREGATE, view.lang,
                               layout=ATT_AGGREGATE_LAYOUT, rules=view.rules),
        ]

    def findings(self, view: Any) -> list[str]:
        from boligeval.report.findings import estimate_finding
        from boligeval.report.i18n import label

        lead = label(view.lang, "analysis", AGGREGATE)
        return [
            estimate_finding(view.lang, r, lead) for r in view.records(AGGREGATE)
            if r.get("aggregation") in (None, "simple") and r.get("group") in (None, "overall")
            and r.get("event_time") is None and r.get("time") is None
        ]
