"""Wild cluster bootstrap, randomization inference and the event study."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.api as sm
from wildboottest.wildboottest import wildboottest

from boligeval.errors import EstimationError
from boligeval.estimate import (
    area_did,
    event_study,
    feols,
    randomization_inference,
    wild_cluster_bootstrap,
)
from boligeval.estimate.ols import sandwich

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword")

B = 9999


def clustered_data(seed: int, n_clusters: int, beta1: float = 0.15) -> pd.DataFrame:
    """Unbalanced clusters with cluster-level shocks in x1 and the error."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(5, 40, n_clusters)
    cl = np.repeat(np.arange(n_clusters), sizes)
    n = cl.size
    x1 = rng.normal(size=n) + rng.normal(size=n_clusters)[cl]
    x2 = rng.normal(size=n)
    y = (
        1
        + beta1 * x1
        + 0.05 * x2
        + rng.normal(size=n_clusters)[cl]
        + rng.normal(size=n) * (1 + 0.5 * np.abs(x2))
    )
    return pd.DataFrame({"y": y, "x1": x1, "x2": x2, "cl": cl})


def _mc_tol(p: float) -> float:
    """Four Monte Carlo SEs of a difference of two independent B-draw p-values."""
    return 4 * math.sqrt(2 * max(p * (1 - p), 0.01) / B)


@pytest.mark.parametrize(
    ("term", "kind"), [("x1", "rademacher"), ("x2", "rademacher"), ("x1", "webb")]
)
def test_wcr_pvalue_matches_wildboottest(term: str, kind: str) -> None:
    df = clustered_data(3, 20)
    fit = feols(df, "y", ["x1", "x2"], cluster="cl")
    ours = wild_cluster_bootstrap(fit, term, bootstrap_draws=B, weight_type=kind, seed=1, ci=False)  # type: ignore[arg-type]
    model = sm.OLS(df["y"].to_numpy(), sm.add_constant(df[["x1", "x2"]].to_numpy()))
    ref = wildboottest(
        model,
        param=f"x{term[-1]}",
        cluster=df["cl"].to_numpy(),
        B=B,
        weights_type=kind,
        seed=2,
        show=False,
    )
    p_ref = float(ref["p-value"].iloc[0])
    assert ours.t_stat == pytest.approx(float(ref["statistic"].iloc[0]), rel=1e-8)
    assert ours.p_value == pytest.approx(p_ref, abs=_mc_tol(p_ref))
    assert ours.weight_type == kind and ours.bootstrap_draws == B


def test_wcr_interval_inverts_the_test_and_lincom_equals_term() -> None:
    df = clustered_data(5, 16)
    fit = feols(df, "y", ["x1", "x2"], cluster="cl")
    res = wild_cluster_bootstrap(fit, "x1", bootstrap_draws=1999, seed=9)
    assert res.weight_type == "rademacher"  # 16 clusters: no Webb
    assert res.ci_low < res.estimate < res.ci_high
    at_low = wild_cluster_bootstrap(fit, "x1", bootstrap_draws=1999, seed=9, null=res.ci_low, ci=False)
    at_high = wild_cluster_bootstrap(fit, "x1", bootstrap_draws=1999, seed=9, null=res.ci_high, ci=False)
    assert at_low.p_value == pytest.approx(0.05, abs=2 / 1999)
    assert at_high.p_value == pytest.approx(0.05, abs=2 / 1999)
    as_combo = wild_cluster_bootstrap(fit, {"x1": 1.0}, bootstrap_draws=1999, seed=9)
    assert (as_combo.p_value, as_combo.ci_low) == (res.p_value, res.ci_low)
    summed = wild_cluster_bootstrap(fit, {"x1": 1.0, "x2": 1.0}, bootstrap_draws=1999, seed=9, ci=False)
    assert summed.estimate == pytest.approx(fit.lincom({"x1": 1, "x2": 1}).estimate)
    assert summed.std_error == pytest.approx(fit.lincom({"x1": 1, "x2": 1}).std_error, rel=1e-10)


def test_wcr_auto_uses_webb_below_12_clusters_and_rejects_bad_input() -> None:
    fit = feols(clustered_data(1, 10), "y", ["x1", "x2"], cluster="cl")
    assert wild_cluster_bootstrap(fit, "x1", bootstrap_draws=199, seed=1, ci=False).weight_type == "webb"
    with pytest.raises(EstimationError, match="FeolsResult"):
        wild_cluster_bootstrap("not a fit", "x1", seed=1)
    unclustered = feols(clustered_data(1, 10), "y", ["x1"], vcov="HC1")
    by_obs = wild_cluster_bootstrap(unclustered, "x1", bootstrap_draws=199, seed=1, ci=False)
    assert by_obs.n_clusters == unclustered.n_obs  # each observation is a bootstrap cluster
    with pytest.raises(EstimationError, match="weight_type"):
        wild_cluster_bootstrap(fit, "x1", seed=1, weight_type="uniform")  # type: ignore[arg-type]
    with pytest.raises(EstimationError, match="coarser"):
        wild_cluster_bootstrap(fit, "x1", seed=1, bootstrap_cluster=np.arange(fit.n_obs))
    with pytest.raises(EstimationError, match="not in the model"):
        wild_cluster_bootstrap(fit, "x9", seed=1)


@pytest.mark.slow
def test_wcr_size_with_ten_clusters() -> None:
    # True null (beta1 = 0), 10 clusters, Webb weights: rejection at 5 % should be 3-7 %.
    worlds, rejections = 1000, 0
    for world in range(worlds):
        df = clustered_data(10_000 + world, 10, beta1=0.0)
        fit = feols(df, "y", ["x1", "x2"], cluster="cl")
        res = wild_cluster_bootstrap(fit, "x1", bootstrap_draws=399, seed=world, ci=False)
        rejections += res.p_value < 0.05
    rate = rejections / worlds
    assert 0.03 <= rate <= 0.07, rate


# --------------------------------------------------------------------------- randomization


def small_panel(effect: float, seed: int = 4) -> pd.DataFrame:
    """7 plans (2 in g1, 1 in g2, 4 control), two departments each, three years."""
    rng = np.random.default_rng(seed)
    cohorts = ["g1", "g1", "g2", "control", "control", "control", "control"]
    rows = []
    for p, cohort in enumerate(cohorts):
        start = {"g1": 2007, "g2": 2009}.get(cohort, 9999)
        for k in range(2):
            level = rng.normal(10, 2)
            for year in (2005, 2007, 2009):
                d = int(year >= start)
                rows.append(
                    {
                        "department_id": f"D{p}_{k}",
                        "plan_id": f"P{p}",
                        "year": year,
                        "population": "all",
                        "outcome": "employed",
                        "n": 50,
                        "value": level + 0.3 * (year - 2005) + effect * d + rng.normal(),
                        "cohort": cohort,
                        "active_plan": d,
                    }
                )
    return pd.DataFrame(rows)


def _relabel(panel: pd.DataFrame, plan_cohort: dict[str, str]) -> pd.DataFrame:
    cohort = panel["plan_id"].map(plan_cohort)
    start = cohort.map({"g1": 2007, "g2": 2009}).fillna(9999)
    return panel.assign(cohort=cohort, active_plan=(panel["year"] >= start).astype(int))


def test_randomization_inference_equals_enumeration() -> None:
    panel = small_panel(effect=0.5)
    plans = [f"P{p}" for p in range(7)]
    exact = []
    for g1 in itertools.combinations(range(7), 2):
        for g2 in (i for i in range(7) if i not in g1):
            lab = {plans[i]: "g1" if i in g1 else "g2" if i == g2 else "control" for i in range(7)}
            exact.append(
                area_did(_relabel(panel, lab), "all", "employed").fit.coef()["active_plan"]
            )
    exact_arr = np.array(exact)  # 105 equally likely assignments
    observed = area_did(panel, "all", "employed").fit.coef()["active_plan"]
    p_exact = float(np.mean(np.abs(exact_arr) >= abs(observed) - 1e-10))
    res = randomization_inference(panel, "all", "employed", permutations=2000, seed=3)
    assert res.estimate == pytest.approx(observed, rel=1e-10)
    # every permuted estimate is one of the 105 enumerated ones
    gaps = np.min(np.abs(res.distribution[:, None] - exact_arr[None, :]), axis=1)
    assert gaps.max() < 1e-9
    assert res.p_value == pytest.approx(
        p_exact, abs=4 * math.sqrt(p_exact * (1 - p_exact) / 2000) + 1e-3
    )
    again = randomization_inference(panel, "all", "employed", permutations=2000, seed=3)
    np.testing.assert_array_equal(again.distribution, res.distribution)
    assert res.n_units == 7


def test_randomization_department_fe_and_strong_effect() -> None:
    panel = small_panel(effect=25.0)
    res = randomization_inference(
        panel, "all", "employed", permutations=300, seed=1, fixed_effects_level="department"
    )
    direct = area_did(panel, "all", "employed", fixed_effects_level="department")
    assert res.estimate == pytest.approx(direct.fit.coef()["active_plan"], rel=1e-10)
    # only the true assignment (and none other of the 105) gives an effect this large
    assert res.p_value < 0.05


# --------------------------------------------------------------------------- event study


def test_event_study_matches_pyfixest_with_binned_endpoints() -> None:
    rng = np.random.default_rng(8)
    units, years = 300, np.arange(2000, 2012)
    g = rng.choice([0, 2004, 2006, 2008], size=units)
    df = pd.DataFrame([(i, t, g[i]) for i in range(units) for t in years], columns=["id", "t", "g"])
    e = np.where(df["g"] > 0, df["t"] - df["g"], -99)
    df["y"] = 0.1 * df["id"] % 7 + 0.2 * (df["t"] - 2000) + np.where(e >= 0, 1 + 0.1 * e, 0)
    df["y"] += rng.normal(size=len(df))
    es = event_study(df, "y", "t", "id", "g", leads=3, lags=2)
    binned = np.clip(e, -3, 2)
    for k in (-3, -2, 0, 1, 2):
        df[f"d{k + 10}"] = ((df["g"] > 0) & (binned == k)).astype(float)
    ref = pf.feols(
        "y ~ d7 + d8 + d10 + d11 + d12 | id + t", df, vcov={"CRV1": "id"}, fixef_rm="none"
    )
    for k in (-3, -2, 0, 1, 2):
        assert es.coef()[k] == pytest.approx(ref.coef()[f"d{k + 10}"], rel=1e-8)
        assert es.fit.se()[f"event_{k}"] == pytest.approx(ref.se()[f"d{k + 10}"], rel=1e-6)
    assert es.coef()[-1] == 0.0
    assert es.pretrend is not None and es.pretrend.df_num == 2
    assert es.pretrend.p_value > 0.01  # no pre-trends in the data-generating process
    assert list(es.tidy()["event_time"]) == [-3, -2, -1, 0, 1, 2]


def test_event_study_needs_never_treated() -> None:
    df = pd.DataFrame(
        {"id": [1, 1, 2, 2], "t": [1, 2, 1, 2], "g": [2, 2, 2, 2], "y": [1.0, 2, 3, 4]}
    )
    with pytest.raises(EstimationError, match="never-treated"):
        event_study(df, "y", "t", "id", "g", leads=1, lags=0)


def test_a_clustered_variance_that_cancels_exactly_is_undefined_not_zero() -> None:
    """Two plans, one treated, year effects: the normal equations make every plan's
    score sum of ``active`` and ``cohort`` zero, so their CR1 variance is rounding
    residue (pyfixest prints standard errors of about 1e-16, a t statistic of 1e15);
    boligeval leaves them undefined. With a covariate that breaks the cancellation
    the standard errors are pyfixest's."""
    rng = np.random.default_rng(1)
    rows = [{"plan": plan, "year": year, "cohort": float(plan == 0), "x": rng.normal(),
             "active": float(plan == 0 and year >= 3), "y": rng.normal() + 0.3 * year}
            for plan in (0, 0, 1, 1) for year in range(1, 5)]
    df = pd.DataFrame(rows)
    fit = feols(df, "y", ["active", "cohort"], ["year"], vcov="CR1", cluster="plan")
    ref = pf.feols("y ~ active + cohort | year", data=df, vcov={"CRV1": "plan"})
    np.testing.assert_allclose(fit.coef().to_numpy(), ref.coef().to_numpy(), rtol=1e-12)
    assert (ref.se() < 1e-14).all()
    assert fit.se().isna().all()
    assert math.isnan(fit.wald(["active"]).statistic)
    fit = feols(df, "y", ["active", "cohort", "x"], ["year"], vcov="CR1", cluster="plan")
    ref = pf.feols("y ~ active + cohort + x | year", data=df, vcov={"CRV1": "plan"})
    np.testing.assert_allclose(fit.se().to_numpy(), ref.se().to_numpy(), rtol=1e-10)
    # With the years as dummies the year effects keep real variances, and an undefined
    # variance reaches only the combinations that weigh it.
    years = df.assign(**{f"y{t}": (df["year"] == t) * 1.0 for t in (2, 3, 4)})
    fit = feols(years, "y", ["active", "cohort", "y2", "y3", "y4"], vcov="CR1", cluster="plan")
    assert fit.se().isna().tolist() == [False, True, True, False, False, False]
    assert fit.lincom({"y2": 2.0}).std_error == pytest.approx(2 * fit.se()["y2"], rel=1e-12)
    assert np.isnan(fit.lincom({"y2": 1.0, "active": 1.0}).std_error)
    assert np.isfinite(fit.wald(["y2", "y3"]).statistic)
    assert math.isnan(fit.wald(["y2", "cohort"]).statistic)


def test_sandwich_by_hand() -> None:
    nan = np.nan
    v = np.array([[nan, nan, nan], [nan, 2.0, 0.5], [nan, 0.5, 1.0]])
    w = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0], [0.0, 0.0, 2.0]])
    expected = np.array([[4.0, nan, 3.0], [nan, nan, nan], [3.0, nan, 4.0]])
    np.testing.assert_array_equal(sandwich(w, v), expected)
    assert sandwich(np.array([0.0, 1.0, -1.0]), v)[0, 0] == 2.0
