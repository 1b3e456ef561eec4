"""The effect on the residents reached and the reach-adjusted MDE (docs/methods.md §7.3)."""

from __future__ import annotations

import math
from typing import Any

from boligeval.analyses import register
from boligeval.analyses.base import Context, DiagnosticAnalysis, Option
from boligeval.config import AnalysisSpec
from boligeval.errors import ConfigError, EstimationError, NoInputError
from boligeval.records import Record, from_tidy
from boligeval.report.tables import REACH_LAYOUT

SHARE = Option("plans", None,
               "plans: the residents-weighted mean of the treated plans' reach_share; or a "
               "number in (0, 1], e.g. a survey estimate of the share reached")
SHARE_SE = Option("0", None,
                  "standard error of a share estimated from a survey (0 for the plans' records)")


def _number(raw: object, where: str, low: float, high: float, *, open_low: bool) -> float:
    try:
        value = float(str(raw))
    except ValueError:
        value = math.nan
    ok = (low < value if open_low else low <= value) and value <= high
    if not ok:
        side = "(" if open_low else "["
        raise ConfigError(f"{where} must be a number in {side}{low:g}, {high:g}], got {raw!r}.")
    return value


@register
class Reach(DiagnosticAnalysis, id="reach", chapter="effects", order=36, layout=REACH_LAYOUT,
            options={"reach_share": SHARE, "reach_std_error": SHARE_SE}):
    """ITT / share reached: the effect on those an activity reaches, with its MDE.

    The ITT is the exposure-weighted Callaway-Sant'Anna effect of the cost
    analysis (effect per resident); the share is the treated plans'
    ``reach_share`` weighted by their resident-years, unless the block gives
    one. Skipped with a note when neither is there.
    """

    def check(self, spec: AnalysisSpec, where: str) -> None:
        super().check(spec, where)
        raw = spec.options.get("reach_share", "plans")
        if raw != "plans":
            _number(raw, f"{where}.reach_share", 0.0, 1.0, open_low=True)
        _number(spec.options.get("reach_std_error", "0"), f"{where}.reach_std_error", 0.0, 1.0,
                open_low=False)

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        import pandas as pd

        from boligeval.estimate.cost import (
            exposure_effect,
            plan_exposure,
            reach_effect,
            weighted_reach,
        )
        from boligeval.estimate.power import mde
        from boligeval.vocabulary import outcome_kind

        data = ctx.staggered(spec, outcome)
        raw = spec.options.get("reach_share", "plans")
        exposure = plan_exposure(data)
        if raw == "plans":
            plans = ctx.register.table("plans")
            if plans is None or "reach_share" not in plans or plans["reach_share"].isna().all():
                raise NoInputError("the plans carry no reach_share and the block gives none")
            shares = pd.Series(plans["reach_share"].to_numpy(dtype=float),
                               index=plans["plan_id"].astype(str))
            share = weighted_reach(shares.reindex(exposure.index), exposure)
            source = "plans"
        else:
            share, source = float(str(raw)), "config"
        share_se = float(str(spec.options.get("reach_std_error", "0")))
        eff = exposure_effect(data, share=outcome_kind(outcome) == "share",
                              unbalanced=not ctx.cfg.panel.balanced)
        inf = ctx.cfg.inference
        try:
            minimum = mde(data, yname="value", tname="year", idname="department_id",
                          gname="first_treated", cluster="plan_id", power=inf.power,
                          alpha=inf.alpha, fixed_effects_level="cohort", cohort="cohort",
                          share_reached=share).mde
            mde_note = None
        except EstimationError as exc:  # e.g. plans whose departments start in different years
            minimum, mde_note = math.nan, f"minimum detectable effect not computed: {exc}"
        res = reach_effect(float(eff.effect[-1]), float(eff.effect_se[-1]), share, share_se,
                           mde=minimum, alpha=inf.alpha)
        extra: dict[str, Any] = {"note": mde_note} if mde_note else {}
        return from_tidy(res.tidy(), analysis=self.id, population=spec.population,
                         outcome=outcome, n_obs=round(float(eff.exposure[-1])),
                         n_departments=int(eff.n_departments[-1]),
                         n_plans=int(eff.n_plans[-1]), reach_source=source, **extra)
