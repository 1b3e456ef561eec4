"""Power and MDE: analytical formula and placebo simulation agree on a synthetic panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from boligeval.errors import EstimationError
from boligeval.estimate.ols import feols
from boligeval.estimate.power import mde, power, simulated_power

YEARS = np.array([2005, 2007, 2009])


def _panel(seed: int, n_plans: int = 120) -> pd.DataFrame:
    """Two departments per plan, plan-year shocks, cohorts 2007 / 2009 / never at plan level."""
    rng = np.random.default_rng(seed)
    plan_g = rng.permutation(
        np.r_[np.full(n_plans // 4, 2007), np.full(n_plans // 4, 2009), np.zeros(n_plans // 2)]
    )
    rows = []
    for p in range(n_plans):
        shock = rng.normal(scale=0.5, size=3)
        for j in range(2):
            a = rng.normal()
            for k, year in enumerate(YEARS):
                rows.append((2 * p + j, p, year, plan_g[p], a + 0.3 * k + shock[k] + rng.normal()))
    return pd.DataFrame(rows, columns=["dept", "plan", "year", "g", "y"])


KW = {"yname": "y", "tname": "year", "idname": "dept", "gname": "g", "cluster": "plan"}


def test_mde_formula_on_the_real_design() -> None:
    """MDE = (t_{1-a/2} + t_power) * SE with the CR1 SE and G - 1 df of the actual TWFE fit."""
    df = _panel(1)
    df["d"] = ((df["g"] > 0) & (df["year"] >= df["g"])).astype(float)
    fit = feols(df, "y", ["d"], fixed_effects=["dept", "year"], vcov="CR1", cluster="plan")
    se = float(np.sqrt(fit.vcov[0, 0]))
    res = mde(df, **KW, power=0.8, share_reached=0.25)
    assert res.df == 119
    assert res.std_error == pytest.approx(se, rel=1e-12)
    assert res.mde == pytest.approx(
        (stats.t.ppf(0.975, 119) + stats.t.ppf(0.8, 119)) * se, rel=1e-12
    )
    assert res.mde_individual == pytest.approx(res.mde / 0.25, rel=1e-12)
    cohort = mde(df, **KW, fixed_effects_level="cohort")
    assert cohort.std_error != pytest.approx(res.std_error, rel=1e-6)


@pytest.mark.slow
def test_simulated_power_at_mde_is_close_to_nominal() -> None:
    """Placebo designs with the MDE injected reject about 80 % of the time.

    The analytical MDE uses the SE of the one realised assignment, which is
    itself noisy, so the check averages over five synthetic panels.
    """
    sims = []
    for seed in range(5):
        df = _panel(100 + seed)
        m = mde(df, **KW, power=0.8)
        res = simulated_power(df, **KW, effect=m.mde, n_sim=200, seed=seed)
        assert res.analytic_power == pytest.approx(0.8, abs=0.01)
        sims.append(res.simulated_power)
    assert abs(float(np.mean(sims)) - 0.8) < 0.05, sims
    null = simulated_power(_panel(2), **KW, effect=0.0, n_sim=400, seed=10)
    assert null.simulated_power < 0.09, null.summary()


def test_injected_effect_is_recovered_exactly_without_placebo_noise() -> None:
    """Adding tau to treated cells shifts the TWFE estimate by exactly tau (sanity of injection)."""
    df = _panel(3)
    df["d"] = ((df["g"] > 0) & (df["year"] >= df["g"])).astype(float)
    base = feols(df, "y", ["d"], fixed_effects=["dept", "year"], vcov="CR1", cluster="plan").beta[0]
    shifted = df.assign(y=df["y"] + 0.7 * df["d"])
    new = feols(
        shifted, "y", ["d"], fixed_effects=["dept", "year"], vcov="CR1", cluster="plan"
    ).beta[0]
    assert new - base == pytest.approx(0.7, abs=1e-10)
    res = simulated_power(df, **KW, effect=0.7, n_sim=20, seed=1)
    assert 0 <= res.simulated_power <= 1 and res.n_sim == 20
    assert list(res.tidy()["term"]) == ["analytic_power", "simulated_power"]


def test_errors() -> None:
    """Bad settings and designs without variation raise EstimationError."""
    df = _panel(4, n_plans=20)
    with pytest.raises(EstimationError, match="share_reached"):
        mde(df, **KW, share_reached=0.0)
    with pytest.raises(EstimationError, match="power"):
        mde(df, **KW, power=1.5)
    with pytest.raises(EstimationError, match="no treated"):
        mde(df.assign(g=0), **KW)
    with pytest.raises(EstimationError, match="constant within"):
        mde(df.assign(plan=0), **KW)


def test_power_on_project_panel_format() -> None:
    """The pipeline entry derives cohorts from active_plan and reports MDE and power."""
    df = _panel(5).rename(columns={"dept": "department_id", "plan": "plan_id", "y": "value"})
    df["active_plan"] = ((df["g"] > 0) & (df["year"] >= df["g"])).astype(int)
    res = power(df.drop(columns="g"), alpha=0.05, power=0.8, seed=1, n_sim=30)
    direct = mde(df, yname="value", tname="year", idname="department_id", gname="g",
                 cluster="plan_id")  # fmt: skip
    assert res.mde.mde == pytest.approx(direct.mde, rel=1e-12)
    assert list(res.tidy()["term"]) == [
        "mde",
        "mde_individual",
        "analytic_power",
        "simulated_power",
    ]
