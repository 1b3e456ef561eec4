"""Imputation (BJS) and Sun-Abraham event studies: hand cases and live references.

References on the same simulated staggered panels (balanced and unbalanced,
plan clusters): diff-diff's ``ImputationDiD`` (BJS conservative variance,
cohort-by-horizon auxiliary means) and ``SunAbraham``; pyfixest's ``did2s``
(Gardner's two-stage, identical point estimates to imputation), its
saturated event study, and ``feols`` for the pre-trend regression.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from boligeval.errors import EstimationError
from boligeval.estimate.honest import event_study_inputs, honest_did
from boligeval.estimate.imputation import imputation_did
from boligeval.estimate.sun_abraham import sun_abraham

# pyfixest 0.60 calls pandas with deprecated arguments; not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning",
                                        "ignore::FutureWarning", "ignore::UserWarning")

RTOL = 1e-9


def staggered(seed: int = 1, n: int = 60, periods: int = 8, *, unbalanced: bool = False,
              plans: int = 20) -> pd.DataFrame:
    """Cohorts 4, 5, 7 and never treated; effects growing with event time and cohort."""
    rng = np.random.default_rng(seed)
    cohort = rng.choice([0, 4, 5, 7], size=n)
    plan = rng.integers(0, plans, size=n)
    rows = []
    for i in range(n):
        a = rng.normal()
        for t in range(1, periods + 1):
            if unbalanced and rng.random() < 0.1:
                continue
            g = int(cohort[i])
            effect = (1 + 0.3 * (t - g) + 0.05 * g) if g and t >= g else 0.0
            rows.append({"id": i, "t": t, "g": g, "plan": int(plan[i]),
                         "y": a + 0.1 * t + effect + rng.normal(),
                         "w": float(rng.integers(1, 5))})
    return pd.DataFrame(rows)


def hand_panel() -> pd.DataFrame:
    """A, C never treated; B treated from period 3."""
    ys = {"A": (1.0, 2.0, 4.0), "B": (2.0, 4.0, 9.0), "C": (0.0, 1.0, 1.0)}
    return pd.DataFrame([{"id": u, "t": t + 1, "g": 3 if u == "B" else 0, "y": y}
                         for u, v in ys.items() for t, y in enumerate(v)])


# --------------------------------------------------------------------------- imputation


def test_imputation_hand_case() -> None:
    """One treated observation, unit clusters.

    First stage on the 8 untreated rows: residuals A (-1/6, -1/2, 2/3),
    B (-1/3, 1/3), C (1/2, 1/6, -2/3) (they sum to zero by unit and period);
    fitted B3 = fitted A3 + (alpha_B - alpha_A) = 10/3 + 7/6 = 9/2, so
    tau = 9 - 9/2 = 9/2. The estimate is y_B3 - (y_B1 + y_B2)/2 - (y_A3 + y_C3)/2
    + (y_A1 + y_A2 + y_C1 + y_C2)/4; with those weights and residuals (the
    treated residual is 0, alone in its cell) the cluster scores are
    A: -1/24 - 3/24 - 8/24 = -1/2, B: 0, C: 3/24 + 1/24 + 8/24 = 1/2; variance 1/2.
    """
    res = imputation_did(hand_panel(), "y", "t", "id", "g")
    assert res.att == pytest.approx(4.5, abs=1e-12)
    assert res.event_times == (0,)
    assert res.estimates[0] == pytest.approx(4.5, abs=1e-12)
    assert res.att_se == pytest.approx(math.sqrt(0.5), abs=1e-12)
    assert res.n_treated == 1 and res.n_obs == 9 and res.n_clusters == 3


def test_imputation_weights_enter_first_stage_and_averages() -> None:
    """Weighted: ATT = weighted mean of y minus the weighted first-stage prediction."""
    data = staggered(3)
    res = imputation_did(data, "y", "t", "id", "g", weights="w", cluster="plan")
    treated = (data["g"] > 0) & (data["t"] >= data["g"])
    # dense weighted least squares on unit and period dummies (first period dropped)
    dummies = pd.get_dummies(data[["id", "t"]].astype(str)).to_numpy(float)[:, 1:]
    root = np.sqrt(data["w"].to_numpy())[:, None]
    untreated = ~treated.to_numpy()
    coef = np.linalg.lstsq((dummies * root)[untreated],
                           (data[["y"]].to_numpy() * root)[untreated], rcond=None)[0]
    tau = data.loc[treated, "y"].to_numpy() - (dummies[treated.to_numpy()] @ coef).ravel()
    w = data.loc[treated, "w"].to_numpy()
    assert res.att == pytest.approx(float((w * tau).sum() / w.sum()), rel=1e-10)
    # did2s with weights: the same point estimates (up to its fixed-effect tolerance, 1e-6)
    d = data.assign(treat=treated.astype(int))
    fit = pf.did2s(d, yname="y", first_stage="~0|id+t", second_stage="~treat",
                   treatment="treat", cluster="plan", weights="w")
    assert res.att == pytest.approx(float(fit.coef()["treat"]), rel=1e-5)


@pytest.mark.parametrize("unbalanced", [False, True])
def test_imputation_against_diff_diff(unbalanced: bool) -> None:
    from diff_diff import ImputationDiD

    data = staggered(1, unbalanced=unbalanced)
    ours = imputation_did(data, "y", "t", "id", "g", cluster="plan", leads=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ImputationDiD(cluster="plan", pretrends=True).fit(data, "y", "id", "t", "g")
        es = ref.aggregate("event_study")
    assert ours.att == pytest.approx(ref.overall_att, rel=RTOL)
    assert ours.att_se == pytest.approx(ref.overall_se, rel=RTOL)
    post = {int(e): (a, s) for e, a, s in zip(es.event_time, es.att, es.se, strict=True)
            if e >= 0}
    se = np.sqrt(np.diag(ours.vcov))
    for k, e in enumerate(ours.event_times):
        if e >= 0:
            assert ours.estimates[k] == pytest.approx(post[e][0], rel=RTOL)
            assert se[k] == pytest.approx(post[e][1], rel=RTOL)
    leads = ref.pretrend_test()["lead_coefficients"]
    assert ours.event_times[:5] == (-6, -5, -4, -3, -2)
    assert ours.estimates[:5] == pytest.approx([leads[e] for e in range(-6, -1)], rel=RTOL)


def test_imputation_leave_out_variance_by_hand() -> None:
    # N1, N2 never treated; T1, T2, T3 treated in period 2 (T1 and T2 in one plan).
    # Never-treated change 1 and 3, so lambda_2 - lambda_1 = 2 and tau = 3, 4, 8 (ATT 5).
    # Untreated scores (weights +-1/2 on N's periods 1 and 2, residuals +-0.5): N1 0.5,
    # N2 -0.5. Treated scores (1/3 times the residual):
    #   cohort-horizon mean 5: residuals -2, -1, 3;
    #   leave-one-out means 6, 5.5, 3.5: residuals -3, -1.5, 4.5;
    #   leave-own-plan-out means 8, 8, 3.5: residuals -5, -4, 4.5.
    ys = {"N1": (0.0, 1.0), "N2": (0.0, 3.0), "T1": (0.0, 5.0), "T2": (0.0, 6.0),
          "T3": (0.0, 10.0)}
    plan = {"N1": "N1", "N2": "N2", "T1": "P", "T2": "P", "T3": "T3"}
    data = pd.DataFrame([{"id": u, "t": t + 1, "g": 2 if u[0] == "T" else 0, "y": y,
                          "plan": plan[u]} for u, v in ys.items() for t, y in enumerate(v)])

    def var(leave_out: bool, cluster: str | None) -> float:
        res = imputation_did(data, "y", "t", "id", "g", cluster=cluster, leave_out=leave_out)
        assert res.att == pytest.approx(5.0, rel=1e-12)
        return res.att_se**2

    assert var(False, None) == pytest.approx(0.5 + (4 + 1 + 9) / 9, rel=1e-12)
    assert var(True, None) == pytest.approx(0.5 + (9 + 2.25 + 20.25) / 9, rel=1e-12)  # 4
    assert var(False, "plan") == pytest.approx(0.5 + (1 + 1), rel=1e-12)  # (-2-1)/3, 3/3
    assert var(True, "plan") == pytest.approx(0.5 + 9 + 2.25, rel=1e-12)  # (-5-4)/3, 4.5/3


@pytest.mark.parametrize("unbalanced", [False, True])
def test_imputation_leave_out_against_diff_diff(unbalanced: bool) -> None:
    from diff_diff import ImputationDiD

    data = staggered(1, unbalanced=unbalanced)
    ours = imputation_did(data, "y", "t", "id", "g", leave_out=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ImputationDiD(leave_one_out=True).fit(data, "y", "id", "t", "g")
        es = ref.aggregate("event_study")
    assert ours.att == pytest.approx(ref.overall_att, rel=RTOL)
    assert ours.att_se == pytest.approx(ref.overall_se, rel=RTOL)
    post = {int(e): s for e, s in zip(es.event_time, es.se, strict=True) if e >= 0}
    se = np.sqrt(np.diag(ours.vcov))
    for k, e in enumerate(ours.event_times):
        assert se[k] == pytest.approx(post[e], rel=RTOL)
    # With clusters the leave-out is by cluster, wider than the unit-level one here.
    by_plan = imputation_did(data, "y", "t", "id", "g", cluster="plan", leave_out=True)
    assert by_plan.att_se > imputation_did(data, "y", "t", "id", "g", cluster="plan").att_se


def test_imputation_against_did2s_and_pretrend_regression() -> None:
    data = staggered(2)
    treated = (data["g"] > 0) & (data["t"] >= data["g"])
    d = data.assign(treat=treated.astype(int),
                    rel=np.where(data["g"] > 0, data["t"] - data["g"], -1000).astype(float))
    ours = imputation_did(data, "y", "t", "id", "g", cluster="plan", leads=3)
    fit = pf.did2s(d, yname="y", first_stage="~0|id+t", second_stage="~i(rel,ref=-1000.0)",
                   treatment="treat", cluster="plan")
    coef = fit.coef()
    for e, b in zip(ours.event_times, ours.estimates, strict=True):
        if e >= 0:
            assert b == pytest.approx(float(coef[f"rel::{float(e)}"]), rel=1e-8)
    # Leads: the OLS on untreated rows with e = -1 (and earlier) as reference; the
    # clustered variance without small-sample factors, as the BJS variance.
    d0 = d[~treated].assign(rel=lambda f: np.where(
        (f["g"] > 0) & (f["rel"] >= -4), f["rel"], -1.0))
    lead = pf.feols("y ~ i(rel, ref=-1.0) | id + t", d0, vcov={"CRV1": "plan"},
                    ssc=pf.ssc(k_adj=False, G_adj=False))
    se = np.sqrt(np.diag(ours.vcov))
    for k, e in enumerate((-4, -3, -2)):
        assert ours.estimates[k] == pytest.approx(float(lead.coef()[f"rel::{float(e)}"]),
                                                  rel=1e-8)
        assert se[k] == pytest.approx(float(lead.se()[f"rel::{float(e)}"]), rel=1e-6)


def test_imputation_drops_unimputable_and_refuses_bad_input() -> None:
    data = hand_panel()
    # D treated from the first period: no untreated row, so no unit effect to impute with
    extra = pd.DataFrame({"id": "D", "t": [1, 2, 3], "g": 1, "y": [5.0, 6.0, 7.0]})
    res = imputation_did(pd.concat([data, extra]), "y", "t", "id", "g")
    assert res.n_not_imputed == 3 and res.att == pytest.approx(4.5, abs=1e-12)
    with pytest.raises(EstimationError, match="no treated"):
        imputation_did(data.assign(g=0), "y", "t", "id", "g")
    with pytest.raises(EstimationError, match="not in the data"):
        imputation_did(data, "y", "t", "id", "cohort")
    with pytest.raises(EstimationError, match="varies within units"):
        imputation_did(data.assign(cl=range(len(data))), "y", "t", "id", "g", cluster="cl")


# --------------------------------------------------------------------------- Sun-Abraham


def test_sun_abraham_hand_case() -> None:
    """Cohort 3 (B, D), cohort 2 (E), never treated A and C; three periods.

    Every cohort has one unit-absorbed reference row, so the period effects come
    from A and C only (changes 1.5 - 0.5 = 1 from 1 to 2, 2.5 - 1.5 = 1 from 2 to 3).
    Cohort 3: e = 0 is (8 - 3) - 1 = 4, e = -2 is (1.5 - 3) - (0.5 - 1.5) = -1/2.
    Cohort 2 (E: 0, 3, 5): e = 0 is 3 - 1 = 2, e = 1 is 5 - 2 = 3.
    IW: e = 0 is (1 * 2 + 2 * 4) / 3 = 10/3, e = 1 is 3, e = -2 is -1/2;
    ATT over the four treated rows (2 + 3 + 4 + 4) / 4 = 13/4.
    """
    ys = {"A": (0, (1.0, 2.0, 4.0)), "B": (3, (2.0, 4.0, 9.0)), "C": (0, (0.0, 1.0, 1.0)),
          "D": (3, (1.0, 2.0, 7.0)), "E": (2, (0.0, 3.0, 5.0))}
    data = pd.DataFrame([{"id": u, "t": t + 1, "g": g, "y": y}
                         for u, (g, v) in ys.items() for t, y in enumerate(v)])
    res = sun_abraham(data, "y", "t", "id", "g")
    assert res.event_times == (-2, 0, 1)
    np.testing.assert_allclose(res.estimates, [-0.5, 10 / 3, 3.0], atol=1e-12)
    assert res.att == pytest.approx(13 / 4, abs=1e-12)
    shares = res.weights.set_index(["event_time", "cohort"])["share"]
    assert shares[(0, 2)] == pytest.approx(1 / 3) and shares[(0, 3)] == pytest.approx(2 / 3)
    assert res.control == "never"


@pytest.mark.parametrize("unbalanced", [False, True])
def test_sun_abraham_against_diff_diff(unbalanced: bool) -> None:
    from diff_diff import SunAbraham

    data = staggered(1, unbalanced=unbalanced)
    ours = sun_abraham(data, "y", "t", "id", "g", cluster="plan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = SunAbraham(cluster="plan").fit(data, "y", "id", "t", "g")
    assert ours.att == pytest.approx(ref.overall_att, rel=RTOL)
    assert ours.att_se == pytest.approx(ref.overall_se, rel=1e-8)
    effects = ref.event_study_effects
    assert set(ours.event_times) == {int(e) for e in effects}
    se = np.sqrt(np.diag(ours.vcov))
    for k, e in enumerate(ours.event_times):
        assert ours.estimates[k] == pytest.approx(effects[e]["effect"], rel=RTOL)
        assert se[k] == pytest.approx(effects[e]["se"], rel=1e-8)


def test_sun_abraham_against_pyfixest_saturated() -> None:
    data = staggered(1)
    ours = sun_abraham(data, "y", "t", "id", "g", cluster="plan")
    fit = pf.event_study(data, yname="y", idname="id", tname="t", gname="g",
                         estimator="saturated", cluster="plan")
    agg = fit.aggregate()
    se = np.sqrt(np.diag(ours.vcov))
    for k, e in enumerate(ours.event_times):
        assert ours.estimates[k] == pytest.approx(float(agg.loc[float(e), "Estimate"]), rel=1e-8)
        assert se[k] == pytest.approx(float(agg.loc[float(e), "Std. Error"]), rel=1e-8)


def test_sun_abraham_last_cohort_as_control() -> None:
    """Without never treated: the last cohort is the comparison, its treated periods dropped."""
    data = staggered(4)
    data = data[data["g"] > 0]
    res = sun_abraham(data, "y", "t", "id", "g", cluster="plan")
    assert res.control == "last"
    assert int(res.fit.n_obs) == int((data["t"] < 7).sum())
    assert set(res.weights["cohort"]) == {4, 5}
    with pytest.raises(EstimationError, match="never-treated units or two cohorts"):
        sun_abraham(data[data["g"] == 4], "y", "t", "id", "g")


# --------------------------------------------------------------------------- HonestDiD


def test_honest_did_takes_both_event_studies() -> None:
    data = staggered(5)
    for res in (imputation_did(data, "y", "t", "id", "g", cluster="plan", leads=3),
                sun_abraham(data, "y", "t", "id", "g", cluster="plan")):
        beta, sigma, pre, post = event_study_inputs(res)
        assert pre == sum(1 for e in res.event_times if e < -1)
        assert post == sum(1 for e in res.event_times if e >= 0)
        np.testing.assert_array_equal(beta, res.estimates)
        out = honest_did(res, method="relative_magnitude", alpha=0.05)
        direct = honest_did(beta, sigma, num_pre=pre, num_post=post,
                            method="relative_magnitude", alpha=0.05)
        pd.testing.assert_frame_equal(out.tidy(), direct.tidy())


def test_imputation_reproduces_did2s_published_static_estimate() -> None:
    """did2s's README (R package did2s, GitHub kylebutts/did2s) prints, for ``df_het``
    (46,500 rows) with first stage ``~ 0 | state + year``, ``treat = TRUE 2.152***
    (0.0476)``. Gardner's two-stage point estimate is the imputation ATT; its printed
    standard error is did2s's GMM one, not BJS's conservative variance, so only the
    estimate is compared (half a unit of the last printed digit)."""
    from pathlib import Path

    data = pd.read_csv(Path(__file__).parent / "data" / "did2s_df_het.csv.gz")
    assert len(data) == 46_500
    res = imputation_did(data, "dep_var", "year", "state", "g", cluster="state")
    assert res.att == pytest.approx(2.152, abs=0.0005)
