"""Effects of plans that start, end and start again (de Chaisemartin and D'Haultfoeuille).

``DID_l`` (the ``did_multiplegt_dyn`` estimator) on the department-year panel
with treatment ``active_plan``, plan-clustered: the effect ``l`` measurement
periods after a department's plan first became active, whatever happened
after (the plan ending with ``[design] stop_at_end = true``, a second plan),
against departments whose treatment has not changed yet; its placebos; the
average total effect per period of active plan; and, as a check that assumes
no dynamic effects, ``DID_M`` (every start and end against departments whose
treatment did not change). docs/methods.md §5 says why ``DID_l`` is the
reported estimator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from boligeval.analyses import register
from boligeval.analyses._common import WEIGHTING, weights_column
from boligeval.analyses.base import Context
from boligeval.analyses.event_study import EventStudyAnalysis, event_base
from boligeval.config import AnalysisSpec
from boligeval.records import ESTIMATES, Record, from_tidy
from boligeval.report.tables import SWITCHING_LAYOUT

if TYPE_CHECKING:  # the estimators load scipy: imported on use
    from boligeval.estimate.switching import DidMResult, SwitchingResult

__all__ = ["switching_effects", "switching_tidy"]


def switching_effects(
    frame: pd.DataFrame,
    *,
    value: str = "value",
    treatment: str = "active_plan",
    cluster: str | None = "plan_id",
    weights: str | None = None,
    effects: int | None = None,
    placebo: int | None = None,
    less_conservative_se: bool = True,
    jackknife: bool = True,
) -> tuple[SwitchingResult, DidMResult]:
    """``DID_l`` and ``DID_M`` of one department-year frame (the recovery and analysis entry).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per department and year: ``department_id``, ``year``, the
        outcome ``value``, the 0/1 ``treatment`` and the ``cluster`` column
        (a department is clustered on its first plan; departments without one
        form their own cluster). May be unbalanced.
    effects, placebo : int, optional
        Numbers of effects and placebos; by default every one the periods allow.
    less_conservative_se : bool, default True
        Recentre switchers by treatment path (plans end at different times);
        see :func:`boligeval.estimate.switching.did_multiplegt`.
    jackknife : bool, default True
        ``DID_l``'s covariance from the leave-one-cluster-out jackknife over
        the plans (``did_multiplegt(jackknife_by=...)``) instead of the
        analytic one, which runs short with plan-level shocks and plans of
        very different sizes (docs/methods.md §5.4).

    Returns
    -------
    (SwitchingResult, DidMResult)
    """
    from boligeval.estimate.switching import did_m, did_multiplegt

    data = frame.copy()
    clus = None
    if cluster is not None:
        clus = "_cluster"
        data[clus] = data[cluster].astype("object").where(
            data[cluster].notna(), "department:" + data["department_id"].astype(str))
    n_periods = int(data["year"].nunique())
    effects = max(1, n_periods - 1) if effects is None else effects
    placebo = max(0, n_periods - 2) if placebo is None else placebo
    dyn = did_multiplegt(data, value, "department_id", "year", treatment, effects=effects,
                         placebo=placebo, cluster=clus, weights=weights,
                         less_conservative_se=less_conservative_se,
                         jackknife_by=(clus or "department_id") if jackknife else None)
    inst = did_m(data, value, "department_id", "year", treatment, cluster=clus)
    return dyn, inst


def switching_tidy(dyn: SwitchingResult, inst: DidMResult, alpha: float) -> pd.DataFrame:
    """Estimable terms on the event-time axis of the other event studies.

    Effect ``l`` is event time ``l - 1`` (0 = the first period with an active
    plan), placebo ``l`` is ``-l - 1``; event time -1 is the reference (0).
    ``DID_M`` rows (``did_m``, ``did_m_joiners``, ``did_m_leavers``,
    ``did_m_placebo``) carry ``estimator = "did_m"``.
    """
    t = dyn.tidy(alpha)
    t = t[np.isfinite(t["estimate"].to_numpy(dtype=float))].copy()
    t["event_time"] = t["event_time"] - 1          # effect l -> l - 1, placebo l -> -l - 1
    t["estimator"] = "did_l"
    ref = pd.DataFrame({"term": ["reference"], "estimate": [0.0], "std_error": [np.nan],
                        "p_value": [np.nan], "ci_low": [np.nan], "ci_high": [np.nan],
                        "event_time": pd.array([-1], dtype="Int64"), "estimator": ["did_l"]})
    m = inst.tidy(alpha)
    m = m[np.isfinite(m["estimate"].to_numpy(dtype=float))].copy()
    m["term"] = m["term"].map(lambda s: "did_m" if s == "did_m" else f"did_m_{s}")
    m["event_time"] = pd.array([None] * len(m), dtype="Int64")
    m["estimator"] = "did_m"
    out = pd.concat([t, ref, m], ignore_index=True)
    out["n_switchers"] = out["n_switchers"].astype("Int64")
    keep = ["term", "estimate", "std_error", "p_value", "ci_low", "ci_high", "event_time",
            "estimator", "n_switchers"]
    return out[keep].astype(object).where(out[keep].notna(), None)


@register
class DidSwitching(EventStudyAnalysis, id="did_switching", order=93,
                   options={"weighting": WEIGHTING}):
    """Effects after a plan's start when plans can end and start again (DID_l), with
    placebos, the average total effect and DID_M; robust to heterogeneous and dynamic
    effects and valid for treatment that switches off."""

    layout: ClassVar[Any] = SWITCHING_LAYOUT
    needs_pre_periods: ClassVar[bool] = False

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        data = ctx.data(spec, outcome)
        dyn, inst = switching_effects(data, weights=weights_column(spec))
        alpha = ctx.cfg.inference.alpha
        base = event_base(self.id, data, spec.population, outcome, dyn.n_obs)
        base.update(n_joiners=dyn.n_joiners, n_leavers=dyn.n_leavers,
                    n_switched_back=dyn.n_switched_back, n_clusters=dyn.n_clusters)
        records = from_tidy(switching_tidy(dyn, inst, alpha), **base)
        stat, p, df = dyn.joint_test("placebo")
        if df:
            records.append(Record(ESTIMATES, {**base, "term": "pretrend_wald",
                                              "statistic": stat, "p_value": p, "df": df}))
        return records
