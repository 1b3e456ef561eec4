"""Analytical minimum detectable effect and simulated power at it."""

from __future__ import annotations

import math

import pandas as pd

from boligeval.analyses import register
from boligeval.analyses._common import FIXED_EFFECTS_LEVEL
from boligeval.analyses.base import Context, DiagnosticAnalysis, Option
from boligeval.config import AnalysisSpec
from boligeval.errors import ConfigError
from boligeval.records import Record, from_tidy
from boligeval.report.tables import POWER_LAYOUT

#: Share of the residents an activity reaches, as a number in (0, 1] written as a string.
SHARE_REACHED = Option(
    "1", None,
    "share of residents the activity reaches, in (0, 1]; below 1 adds the MDE for those reached",
)


def share_reached(spec: AnalysisSpec) -> float:
    """The block's ``share_reached`` as a number."""
    return float(spec.options.get("share_reached", "1"))


@register
class Power(DiagnosticAnalysis, id="power", order=140, layout=POWER_LAYOUT,
            options={"fixed_effects_level": FIXED_EFFECTS_LEVEL,
                     "share_reached": SHARE_REACHED}):
    """What effect the design could have detected, and with what power.

    The MDE uses the standard error of the model the block names (cohort and
    year effects by default, as the seed's area-level tables), so it matches
    the DiD table of the same population and outcome. The row for residents
    reached is published only when ``share_reached`` is below 1 (at 1 it
    would repeat the MDE). The MDE itself has no standard error; the model's
    standard error it rests on is its own row (``tau_std_error``).
    """

    def check(self, spec: AnalysisSpec, where: str) -> None:
        super().check(spec, where)
        raw = spec.options.get("share_reached", "1")
        try:
            value = float(raw)
        except (TypeError, ValueError):
            value = math.nan
        if not 0 < value <= 1:
            raise ConfigError(f"{where}.share_reached must be a number in (0, 1], got {raw!r}.")

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        from boligeval.estimate.power import power

        data, inf = ctx.data(spec, outcome), ctx.cfg.inference
        reach = share_reached(spec)
        res = power(data, alpha=inf.alpha, power=inf.power, seed=inf.seed,
                    share_reached=reach, cohort="cohort" if "cohort" in data else None,
                    fixed_effects_level=spec.options.get("fixed_effects_level", "cohort"))
        m = res.mde
        nan = math.nan
        rows = [{"term": "mde", "estimate": m.mde, "std_error": nan, "p_value": nan,
                 "ci_low": nan, "ci_high": nan},
                {"term": "tau_std_error", "estimate": m.std_error, "std_error": nan,
                 "p_value": nan, "ci_low": nan, "ci_high": nan}]
        if reach < 1:
            rows.append({"term": "mde_individual", "estimate": m.mde_individual,
                         "std_error": nan, "p_value": nan, "ci_low": nan, "ci_high": nan})
        tidy = pd.concat([pd.DataFrame(rows), res.power.tidy()], ignore_index=True)
        return from_tidy(tidy, analysis=self.id, population=spec.population,
                         outcome=outcome, n_plans=int(data["plan_id"].nunique()),
                         n_departments=int(data["department_id"].nunique()),
                         share_reached=reach)
