"""Monte Carlo: ATT(g, t) recovers heterogeneous, growing effects; TWFE does not.

Department-level DGP with plan clusters, three cohorts (treated in period 3,
in period 5, never) and effects that differ by cohort and grow with time
since treatment. Plan-level shocks each period make the plan the right
cluster.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from boligeval.estimate.bacon import bacon
from boligeval.estimate.staggered import att_gt

N_REPS = 200
N_PLANS = 60
DEPTS_PER_PLAN = 2
PERIODS = np.arange(1, 7)
COHORTS = (3, 5, 0)


def true_effect(g: int, t: int) -> float:
    """Effect of cohort g at period t: larger for the early cohort, growing with t - g."""
    if g == 0 or t < g:
        return 0.0
    return (1.0 if g == 3 else 0.5) * (1 + (t - g))


def simulate(rng: np.random.Generator) -> pd.DataFrame:
    """One panel: unit and period effects, plan shocks, department noise."""
    plan_g = np.repeat(COHORTS, N_PLANS // len(COHORTS))
    dept_plan = np.repeat(np.arange(N_PLANS), DEPTS_PER_PLAN)
    g = plan_g[dept_plan]
    n, t_n = g.size, PERIODS.size
    unit_fe = rng.normal(size=n) + 0.5 * (g == 3)
    plan_shock = rng.normal(scale=0.6, size=(N_PLANS, t_n))[dept_plan]
    eff = np.array([[true_effect(int(gg), int(tt)) for tt in PERIODS] for gg in g])
    y = unit_fe[:, None] + 0.3 * PERIODS[None] + plan_shock + eff + rng.normal(size=(n, t_n))
    return pd.DataFrame(
        {
            "dept": np.repeat(np.arange(n), t_n),
            "plan": np.repeat(dept_plan, t_n),
            "year": np.tile(PERIODS, n),
            "g": np.repeat(g, t_n),
            "y": y.ravel(),
            "d": ((np.repeat(g, t_n) > 0) & (np.tile(PERIODS, n) >= np.repeat(g, t_n))).astype(int),
        }
    )


@pytest.mark.slow
def test_att_gt_covers_truth_and_twfe_is_biased() -> None:
    """Pointwise 95 % intervals cover at 92-98 %; the TWFE estimate is visibly biased."""
    rng = np.random.default_rng(20240611)
    covered = total = 0
    band_hits = 0
    twfe_err, cs_err = [], []
    for rep in range(N_REPS):
        df = simulate(rng)
        res = att_gt(df, yname="y", tname="year", idname="dept", gname="g", cluster="plan",
                     control_group="notyettreated", bootstrap=True, bootstrap_draws=199, seed=rep)  # fmt: skip
        truth = np.array(
            [true_effect(int(g), int(t)) for g, t in zip(res.groups, res.times, strict=True)]
        )
        tidy = res.tidy()
        z = 1.959963984540054
        covered += int(np.sum(np.abs(res.att - truth) <= z * res.std_errors))
        total += truth.size
        band_hits += int(np.all((tidy["ci_low"] <= truth) & (truth <= tidy["ci_high"])))
        post = res.groups <= res.times
        shares = np.array([np.mean(res.unit_groups == g) for g in res.groups[post]])
        true_simple = float(truth[post] @ shares / shares.sum())
        cs_err.append(res.aggregate("simple").overall - true_simple)
        twfe_err.append(
            bacon(df, yname="y", tname="year", idname="dept", treatment="d").twfe_estimate
            - true_simple
        )
    coverage = covered / total
    assert 0.92 <= coverage <= 0.98, coverage
    # Uniform bands with did's Rademacher multipliers cover 89.5 % here (Mammen's
    # weights, the default before issue 18: 91.5 %); 200 worlds give a Monte Carlo
    # SE of 1.5 points, and the sup-t band over 10 cells with 20 plans per cohort
    # undercovers slightly in this small sample. Lower bound: 0.88.
    assert 0.88 <= band_hits / N_REPS <= 0.99, band_hits / N_REPS
    cs_bias, twfe_bias = float(np.mean(cs_err)), float(np.mean(twfe_err))
    mc_se = float(np.std(twfe_err) / np.sqrt(N_REPS))
    assert abs(cs_bias) < 3 * float(np.std(cs_err) / np.sqrt(N_REPS)) + 0.02, cs_bias
    assert twfe_bias < -0.3 and twfe_bias < -10 * mc_se, (twfe_bias, mc_se)


@pytest.mark.slow
@pytest.mark.parametrize("estimator", ["imputation", "sun_abraham"])
def test_robust_event_studies_recover_truth(estimator: str) -> None:
    """Imputation and Sun-Abraham on the same worlds: ATT unbiased (within 2 MC SE),
    95 % intervals of the post-period event-time effects cover at 92-98 %."""
    from boligeval.estimate.imputation import imputation_did
    from boligeval.estimate.sun_abraham import sun_abraham

    rng = np.random.default_rng(20261207)
    errors, covered, total = [], 0, 0
    z = 1.959963984540054
    for _ in range(N_REPS):
        df = simulate(rng)
        treated = df[df["d"] == 1]
        effect = np.array([true_effect(int(g), int(t))
                           for g, t in zip(treated["g"], treated["year"], strict=True)])
        event = (treated["year"] - treated["g"]).to_numpy()
        if estimator == "imputation":
            res = imputation_did(df, "y", "year", "dept", "g", cluster="plan")
        else:
            res = sun_abraham(df, "y", "year", "dept", "g", cluster="plan")  # type: ignore[assignment]
        errors.append(res.att - effect.mean())
        se = np.sqrt(np.diag(res.vcov))
        for k, e in enumerate(res.event_times):
            if e >= 0:
                covered += int(abs(res.estimates[k] - effect[event == e].mean()) <= z * se[k])
                total += 1
    err = np.array(errors)
    assert abs(err.mean()) <= 2 * err.std(ddof=1) / np.sqrt(err.size)
    assert 0.92 <= covered / total <= 0.98
