"""De Chaisemartin-D'Haultfoeuille estimators for a treatment that switches on and off.

Three checks: a hand-computed panel (six departments, four years, plans that
start, end and start again) with every number written out; the live
references on the same data (``py_did_multiplegt_dyn``, the Python port of
``did_multiplegt_dyn``, for DID_l points and standard errors; diff-diff's
``ChaisemartinDHaultfoeuille`` for DID_l points and DID_M points and
standard errors), on simulated panels with joiners, leavers, re-entry,
departments that leave or arrive late, weights and clusters, and on the
public Favara-Imbs banking data (binarised); the recovery Monte Carlo lives
in ``test_switching_recovery.py``.

Where the references define a quantity differently (documented in
docs/methods.md): diff-diff's DID_l standard errors use the paper's
group-level cohort-recentred plug-in without the small-sample factors of
``did_multiplegt_dyn``, so only its points are compared for DID_l; its DID_M
placebo has no standard error.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from boligeval.analyses.did_switching import switching_effects
from boligeval.errors import EstimationError
from boligeval.estimate.switching import (
    _did_l,
    _drop_rows,
    _panel,
    did_m,
    did_multiplegt,
    did_multiplegt_leave_one_out,
)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning",
                                        "ignore::DeprecationWarning")

TOL = 1e-9


def hand_panel() -> pd.DataFrame:
    """Six departments, four years; all start untreated.

    A: on in 2, off in 4; B: on from 3; C, D never; E: on in 2 only; F: on in 4.
    """
    d = {"A": (0, 1, 1, 0), "B": (0, 0, 1, 1), "C": (0, 0, 0, 0), "D": (0, 0, 0, 0),
         "E": (0, 1, 0, 0), "F": (0, 0, 0, 1)}
    y = {"A": (1, 4, 5, 3), "B": (2, 2, 6, 7), "C": (0, 1, 2, 3), "D": (1, 1, 3, 3),
         "E": (3, 6, 4, 5), "F": (2, 3, 3, 7)}
    return pd.DataFrame([{"dept": k, "year": 2000 + t, "d": d[k][t], "y": float(y[k][t]),
                          "plan": {"A": 1, "B": 1, "E": 2, "F": 3}.get(k, 0)}
                         for k in d for t in range(4)])


def test_did_l_hand_computed() -> None:
    # DID_1: t=2: A, E (3 each) vs B, C, D, F (mean 0.5) -> 2.5, 2.5; t=3: B 4 vs C, D, F
    # (mean 1) -> 3; t=4: F 4 vs C, D (mean 0.5) -> 3.5; mean 11.5 / 4.
    # DID_2: t=3: A 4, E 1 vs C, D, F (Y3-Y1: 2, 2, 1, mean 5/3); t=4: B 5 vs C, D (2):
    # (7/3 - 2/3 + 3) / 3 = 14/9.  DID_3: A 2, E 2 vs C, D (Y4-Y1: 3, 2) -> -0.5.
    # Placebo 1 (Y_{F-2} - Y_{F-1}): B 0 vs C, D, F (-1, 0, -1) -> 2/3; F 0 vs C, D
    # (-1, -2) -> 1.5; mean 13/12.
    # Average total effect: weights N_l = 4, 3, 2; treatment still on at F-1+l:
    # 1, 2/3, 0 -> (4*2.875 + 3*14/9 + 2*(-0.5)) / (4*1 + 3*2/3 + 0) = 45.5/18.
    res = did_multiplegt(hand_panel(), "y", "dept", "year", "d", effects=3, placebo=1)
    tidy = res.tidy().set_index("term")
    expected = {"effect_1": 2.875, "effect_2": 14 / 9, "effect_3": -0.5,
                "average_total_effect": 45.5 / 18, "placebo_1": 13 / 12}
    for term, value in expected.items():
        assert tidy.loc[term, "estimate"] == pytest.approx(value, abs=TOL)
    assert list(tidy.loc[["effect_1", "effect_2", "effect_3", "placebo_1"], "n_switchers"]) == [
        4, 3, 2, 2]
    assert res.n_joiners == 4 and res.n_leavers == 0 and res.n_groups == 6
    assert res.n_switched_back == 2          # A and E: their plans end
    assert np.all(np.isfinite(tidy["std_error"]))


def test_did_m_hand_computed() -> None:
    # t=2: joiners A, E (dY 3, 3) vs stable untreated B, C, D, F (mean 0.5): 2.5 twice.
    # t=3: joiner B (4) vs C, D, F (mean 1): 3; leaver E (-2) vs stable treated A (1): 3.
    # t=4: joiner F (4) vs C, D, E (mean 2/3): 10/3; leaver A (-2) vs B (1): 3.
    # DID_M = (2*2.5 + 3 + 10/3 + 3 + 3) / 6 = 26/9; joiners 17/6; leavers 3.
    # Placebo (change one year before, treatment stable then): t=3: B (0) vs C, D, F
    # (mean 2/3) -> 2/3; t=4: F (0) vs C, D (1.5) -> 1.5; leaver A has no stable treated
    # comparison: 0, counted (AER 2020 convention); (2/3 + 1.5 + 0) / 3 = 13/18.
    res = did_m(hand_panel(), "y", "dept", "year", "d")
    tidy = res.tidy().set_index("term")
    expected = {"did_m": 26 / 9, "joiners": 17 / 6, "leavers": 3.0, "placebo": 13 / 18}
    for term, value in expected.items():
        assert tidy.loc[term, "estimate"] == pytest.approx(value, abs=TOL)
    assert list(tidy["n_switchers"]) == [6, 4, 2, 3]


def switching_panel(seed: int, n: int = 90, periods: int = 9, *, leavers: bool = False,
                    unbalanced: bool = False) -> pd.DataFrame:
    """Plans start in staggered years, end after 1-3 years, some start again."""
    rng = np.random.default_rng(seed)
    rows = []
    for g in range(n):
        d = np.zeros(periods, dtype=int)
        start = int(rng.integers(2, periods + 3))
        if start <= periods:
            end = start - 1 + int(rng.integers(1, 4))
            d[start - 1:end] = 1
            if rng.random() < 0.3:
                d[min(periods, end + int(rng.integers(1, 3))):] = 1
        if leavers and g % 6 == 0:
            d = 1 - d
        a = rng.normal()
        effect = np.cumsum(d) * 0.3 + d
        for t in range(periods):
            if unbalanced and ((g % 7 == 0 and t > 5) or (g % 11 == 3 and t < 2)):
                continue
            rows.append({"g": g, "t": t + 1, "d": int(d[t]), "plan": g // 4,
                         "w": float(1 + g % 3),
                         "y": a + 0.2 * t + effect[t] + rng.normal()})
    return pd.DataFrame(rows)


@pytest.fixture
def pl_count_shim(monkeypatch: pytest.MonkeyPatch):
    """py_did_multiplegt_dyn 0.1.9 calls ``pl.count()``, which polars 1.0 removed
    (now ``pl.len()``); restore the old zero-argument form for the reference only."""
    pl = pytest.importorskip("polars")
    original = pl.count

    def count(*args, **kwargs):
        return pl.len() if not args and not kwargs else original(*args, **kwargs)

    monkeypatch.setattr(pl, "count", count)
    return pl


def reference_dyn(pl, df: pd.DataFrame, effects: int, placebo: int, cluster: str | None,
                  weight: str | None = None, **cols: str) -> np.ndarray:
    """Estimates and SEs of py_did_multiplegt_dyn, rows effects, ATE, placebos."""
    dm = pytest.importorskip("did_multiplegt_dyn")
    c = {"outcome": "y", "group": "g", "time": "t", "treatment": "d", **cols}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = dm.DidMultiplegtDyn(pl.from_pandas(df), c["outcome"], c["group"], c["time"],
                                    c["treatment"], effects=effects, placebo=placebo,
                                    cluster=cluster, weight=weight)
        model.fit()
    return model.result["mat_res_XX"].iloc[:, :2].to_numpy(dtype=float)


@pytest.mark.parametrize(("seed", "leavers", "unbalanced", "cluster", "weight"), [
    (1, False, False, None, None),
    (2, True, False, "plan", None),
    (3, True, True, "plan", None),
    (4, False, True, None, "w"),
])
def test_did_l_against_did_multiplegt_dyn(pl_count_shim, seed: int, leavers: bool,
                                          unbalanced: bool, cluster: str | None,
                                          weight: str | None) -> None:
    df = switching_panel(seed, leavers=leavers, unbalanced=unbalanced)
    ref = reference_dyn(pl_count_shim, df, 4, 3, cluster, weight)
    res = did_multiplegt(df, "y", "g", "t", "d", effects=4, placebo=3, cluster=cluster,
                         weights=weight)
    tidy = res.tidy()
    assert list(tidy["term"]) == [f"effect_{i}" for i in (1, 2, 3, 4)] + [
        "average_total_effect"] + [f"placebo_{i}" for i in (1, 2, 3)]
    np.testing.assert_allclose(tidy["estimate"], ref[:, 0], rtol=0, atol=1e-6)
    np.testing.assert_allclose(tidy["std_error"], ref[:, 1], rtol=0, atol=1e-6)
    assert (res.n_leavers > 0) == leavers


@pytest.mark.parametrize(("seed", "leavers", "unbalanced"), [(9, True, False), (10, False, True)])
def test_less_conservative_se_against_did_multiplegt_dyn(pl_count_shim, seed: int,
                                                         leavers: bool, unbalanced: bool) -> None:
    """Switchers recentred by treatment path (unclustered: with clusters the reference
    counts the missing value as a cluster in each path cohort, see docs/methods.md)."""
    dm = pytest.importorskip("did_multiplegt_dyn")
    df = switching_panel(seed, leavers=leavers, unbalanced=unbalanced)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = dm.DidMultiplegtDyn(pl_count_shim.from_pandas(df), "y", "g", "t", "d",
                                    effects=4, placebo=2, less_conservative_se=True)
        model.fit()
    ref = model.result["mat_res_XX"].iloc[:, :2].to_numpy(dtype=float)
    res = did_multiplegt(df, "y", "g", "t", "d", effects=4, placebo=2,
                         less_conservative_se=True)
    default = did_multiplegt(df, "y", "g", "t", "d", effects=4, placebo=2)
    np.testing.assert_allclose(res.estimates, ref[:, 0], rtol=0, atol=1e-6)
    np.testing.assert_allclose(np.sqrt(np.diag(res.vcov)), ref[:, 1], rtol=0, atol=1e-6)
    # the paths differ here, so the recentring differs from the default's
    assert not np.allclose(np.diag(res.vcov), np.diag(default.vcov))


def test_did_l_against_did_multiplegt_dyn_favara_imbs(pl_count_shim) -> None:
    """Public data (Favara and Imbs 2015, shipped with moderndid): interstate branching
    deregulation, binarised (any deregulation), clustered by state."""
    md = pytest.importorskip("moderndid")
    df = md.load_favara_imbs().to_pandas()
    df["dereg"] = (df["inter_bra"] > 0).astype(int)
    cols = {"outcome": "Dl_vloans_b", "group": "county", "time": "year", "treatment": "dereg"}
    ref = reference_dyn(pl_count_shim, df, 5, 2, "state_n", **cols)
    res = did_multiplegt(df, "Dl_vloans_b", "county", "year", "dereg", effects=5, placebo=2,
                         cluster="state_n")
    np.testing.assert_allclose(res.estimates, ref[:, 0], rtol=0, atol=1e-6)
    np.testing.assert_allclose(np.sqrt(np.diag(res.vcov)), ref[:, 1], rtol=0, atol=1e-6)


@pytest.mark.parametrize(("seed", "leavers"), [(5, False), (6, True)])
def test_against_diff_diff(seed: int, leavers: bool) -> None:
    from diff_diff import ChaisemartinDHaultfoeuille

    df = switching_panel(seed, leavers=leavers)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # drop_larger_lower=False keeps groups whose plan ends (diff-diff drops every
        # group with more than one change by default, i.e. all of them here).
        ref = ChaisemartinDHaultfoeuille(twfe_diagnostic=False, drop_larger_lower=False).fit(
            df, "y", group="g", time="t", treatment="d", L_max=3)
        ref_m = ChaisemartinDHaultfoeuille(twfe_diagnostic=False, drop_larger_lower=False).fit(
            df, "y", group="g", time="t", treatment="d")
    res = did_multiplegt(df, "y", "g", "t", "d", effects=3, placebo=2).tidy().set_index("term")
    for h in (1, 2, 3):
        assert res.loc[f"effect_{h}", "estimate"] == pytest.approx(
            ref.event_study_effects[h]["effect"], abs=1e-6)
    for h in (1, 2):
        assert res.loc[f"placebo_{h}", "estimate"] == pytest.approx(
            ref.placebo_event_study[-h]["effect"], abs=1e-6)
    m = did_m(df, "y", "g", "t", "d").tidy().set_index("term")
    pairs = {"did_m": (ref_m.overall_att, ref_m.overall_se),
             "joiners": (ref_m.joiners_att, ref_m.joiners_se),
             "placebo": (ref_m.placebo_effect, None)}
    if leavers:
        pairs["leavers"] = (ref_m.leavers_att, ref_m.leavers_se)
    for term, (est, se) in pairs.items():
        assert m.loc[term, "estimate"] == pytest.approx(est, abs=1e-6)
        if se is not None:
            assert m.loc[term, "std_error"] == pytest.approx(se, abs=1e-6)


@pytest.mark.parametrize(("seed", "unbalanced", "cluster"), [(1, False, None), (4, True, "plan")])
def test_did_l_points_against_moderndid(seed: int, unbalanced: bool, cluster: str | None) -> None:
    """moderndid 0.2's did_multiplegt agrees on every effect and placebo when all switchers
    start untreated (plans that start, end, start again; departments that leave), and on the
    standard errors without clusters on a balanced panel; with leavers, clusters or gaps its
    numbers differ from did_multiplegt_dyn's (and ours), as does its average total effect."""
    md = pytest.importorskip("moderndid")
    df = switching_panel(seed, unbalanced=unbalanced)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = md.did_multiplegt(df, yname="y", idname="g", tname="t", dname="d", effects=4,
                                placebo=3, cluster=cluster, keep_bidirectional_switchers=True)
    res = did_multiplegt(df, "y", "g", "t", "d", effects=4, placebo=3, cluster=cluster)
    np.testing.assert_allclose(res.estimates[:4], ref.effects.estimates, rtol=0, atol=1e-6)
    np.testing.assert_allclose(res.estimates[5:], ref.placebos.estimates, rtol=0, atol=1e-6)
    if cluster is None and not unbalanced:
        se = np.sqrt(np.diag(res.vcov))
        np.testing.assert_allclose(se[:4], ref.effects.std_errors, rtol=0, atol=1e-6)


def test_analysis_jackknife_is_the_leave_one_plan_out_covariance() -> None:
    data = switching_panel(3, unbalanced=True).rename(
        columns={"g": "department_id", "t": "year", "y": "value", "d": "active_plan",
                 "plan": "plan_id"})
    jk, _ = switching_effects(data, effects=2, placebo=1)
    plain, _ = switching_effects(data, effects=2, placebo=1, jackknife=False)
    np.testing.assert_array_equal(jk.estimates, plain.estimates)
    plans = data["plan_id"].unique()
    reps = np.array([switching_effects(data[data["plan_id"] != p], effects=2, placebo=1,
                                       jackknife=False)[0].estimates for p in plans])
    g = len(plans)
    by_hand = (g - 1) / g * ((reps - reps.mean(axis=0)).T @ (reps - reps.mean(axis=0)))
    np.testing.assert_allclose(jk.vcov, by_hand, rtol=1e-12)
    assert not np.allclose(jk.vcov, plain.vcov)


def test_jackknife_keeps_the_analytic_variance_of_a_term_one_plan_carries() -> None:
    """Plan 0 alone starts late (its long placebo), plan 3 alone never starts (the
    only control of the last effect): leaving either out loses a term, which then
    keeps its analytic variance; the other terms are jackknifed; the joint test runs."""
    rng = np.random.default_rng(5)
    start = {0: 6, 1: 3, 2: 3, 3: 99, 4: 4}
    rows = []
    for p, first in start.items():
        for k in range(3):
            a = rng.normal()
            for t in range(1, 7):
                d = int(t >= first)
                rows.append({"department_id": 3 * p + k, "year": t, "plan_id": p,
                             "active_plan": d, "value": a + 0.1 * t + d + rng.normal()})
    data = pd.DataFrame(rows)
    jk, _ = switching_effects(data)
    plain, _ = switching_effects(data, jackknife=False)
    reps = np.array([switching_effects(data[data["plan_id"] != p], jackknife=False)[0].estimates
                     for p in start])
    ok = np.isfinite(reps).all(axis=0)
    fallback = [t for t, e, o in zip(jk.terms, jk.estimates, ok, strict=True)
                if np.isfinite(e) and not o]
    assert fallback == ["effect_4", "placebo_2"]
    dev = reps[:, ok] - reps[:, ok].mean(axis=0)
    np.testing.assert_allclose(jk.vcov[np.ix_(ok, ok)], 4 / 5 * dev.T @ dev, rtol=1e-12)
    np.testing.assert_array_equal(jk.vcov[~ok], plain.vcov[~ok])
    stat, p_value, df = jk.joint_test("placebo")
    assert df == 2 and np.isfinite(stat) and 0 < p_value < 1


def awkward_panel(seed: int, *, leavers: bool, unbalanced: bool) -> pd.DataFrame:
    """:func:`switching_panel` with what a leave-one-plan-out replicate must reproduce:
    departments without a plan (own cluster), departments that change plan (leaving the
    later plan out drops only their later rows), a year only plan 0 is observed in (it
    disappears without plan 0) and a department with missing outcomes."""
    df = switching_panel(seed, leavers=leavers, unbalanced=unbalanced)
    df["plan"] = df["plan"].astype(float)
    df.loc[df["g"] % 9 == 1, "plan"] = np.nan
    moved = (df["g"] % 10 == 2) & (df["t"] > 5)
    df.loc[moved, "plan"] = df.loc[moved, "plan"] + 1000
    extra = df[(df["plan"] == 0) & (df["t"] == df["t"].max())].assign(t=df["t"].max() + 1)
    df = pd.concat([df, extra], ignore_index=True)
    df.loc[(df["g"] == 5) & (df["t"] < 3), "y"] = np.nan
    return df


def explicit_jackknife(data: pd.DataFrame, **kw) -> np.ndarray:
    """switching_effects's covariance by the explicit loop over reduced data (the
    jackknife before did_multiplegt_leave_one_out)."""
    data = data.copy()
    data["_cluster"] = data["plan_id"].astype("object").where(
        data["plan_id"].notna(), "department:" + data["department_id"].astype(str))
    clus = "_cluster" if kw.pop("clustered", True) else None
    n_periods = data["year"].nunique()
    args = {"effects": max(1, n_periods - 1), "placebo": max(0, n_periods - 2), **kw,
            "cluster": clus}
    full = did_multiplegt(data, "value", "department_id", "year", "active_plan", **args)
    groups = data[clus or "department_id"]
    labels = groups.unique()
    reps = np.array([did_multiplegt(data[(groups != c).to_numpy()], "value", "department_id",
                                    "year", "active_plan", **args).estimates for c in labels])
    ok = np.isfinite(reps).all(axis=0)
    dev = reps[:, ok] - reps[:, ok].mean(axis=0)
    vcov = full.vcov.copy()
    vcov[np.ix_(ok, ok)] = (len(labels) - 1) / len(labels) * dev.T @ dev
    return vcov


@pytest.mark.parametrize(("seed", "leavers", "unbalanced", "cluster", "weight", "by"), [
    (11, False, False, "plan", None, "plan"),
    (12, True, True, "plan", "w", "plan"),
    (13, True, False, None, "w", "g"),
    (14, False, True, None, None, "g"),
    (15, True, True, None, None, "plan"),        # missing plans: leaving NaN out drops nothing
])
def test_leave_one_out_is_did_multiplegt_on_the_reduced_data(
        seed: int, leavers: bool, unbalanced: bool, cluster: str | None, weight: str | None,
        by: str) -> None:
    """Each replicate equals did_multiplegt on data[data[by] != label], bit for bit; its
    reduced panel gives the whole result (covariance, counts, dropped groups) too."""
    df = awkward_panel(seed, leavers=leavers, unbalanced=unbalanced)
    if cluster is not None:
        df["plan"] = df["plan"].fillna(-1)
    kw = {"effects": 5, "placebo": 3, "cluster": cluster, "weights": weight}
    labels, reps = did_multiplegt_leave_one_out(df, "y", "g", "t", "d", by=by, **kw)
    np.testing.assert_array_equal(labels, df[by].unique())
    p = _panel(df, "y", "g", "t", "d", cluster, weight)
    cell_by = np.full(p.row.shape, np.nan)
    cell_by[p.row >= 0] = df[by].to_numpy()[p.row[p.row >= 0]]
    n_periods = []
    for label, rep in zip(labels, reps, strict=True):
        ref = did_multiplegt(df[df[by] != label], "y", "g", "t", "d", **kw)
        np.testing.assert_array_equal(rep, ref.estimates)
        sub = _drop_rows(p, cell_by == label, cluster)
        n_periods.append(len(sub.periods))
        fast = _did_l(sub, 5, 3, cluster is not None, less_conservative_se=True)
        slow = did_multiplegt(df[df[by] != label], "y", "g", "t", "d",
                              less_conservative_se=True, **kw)
        np.testing.assert_array_equal(fast.vcov, slow.vcov)
        for f in ("estimates", "n_switchers", "n_switch_weight", "n_groups", "n_clusters",
                  "n_obs", "n_groups_dropped", "n_joiners", "n_leavers", "n_switched_back"):
            np.testing.assert_array_equal(getattr(fast, f), getattr(slow, f))
    if by == "plan":                              # without plan 0 its own year disappears
        assert min(n_periods) == len(p.periods) - 1


@pytest.mark.parametrize(("seed", "leavers", "unbalanced", "weight", "lcse", "clustered"), [
    (21, False, False, None, True, True),
    (22, True, True, "w", False, True),
    (23, True, True, None, True, True),
    (24, False, True, "w", True, False),
    (25, True, False, None, False, False),
])
def test_jackknife_equals_the_explicit_leave_one_plan_out_loop(
        seed: int, leavers: bool, unbalanced: bool, weight: str | None, lcse: bool,
        clustered: bool) -> None:
    data = awkward_panel(seed, leavers=leavers, unbalanced=unbalanced).rename(
        columns={"g": "department_id", "t": "year", "y": "value", "d": "active_plan",
                 "plan": "plan_id"})
    jk, _ = switching_effects(data, weights=weight, less_conservative_se=lcse,
                              cluster="plan_id" if clustered else None)
    by_hand = explicit_jackknife(data, weights=weight, less_conservative_se=lcse,
                                 clustered=clustered)
    np.testing.assert_array_equal(np.isnan(jk.vcov), np.isnan(by_hand))
    np.testing.assert_allclose(jk.vcov, by_hand, rtol=1e-12)
    assert np.isfinite(np.diag(jk.vcov)).sum() >= 4


def test_jackknife_equals_the_explicit_loop_on_the_hand_panel() -> None:
    data = hand_panel().rename(columns={"dept": "department_id", "year": "year", "y": "value",
                                        "d": "active_plan", "plan": "plan_id"})
    jk, _ = switching_effects(data, effects=3, placebo=1)
    by_hand = explicit_jackknife(data, effects=3, placebo=1, less_conservative_se=True)
    np.testing.assert_array_equal(np.isnan(jk.vcov), np.isnan(by_hand))
    np.testing.assert_allclose(jk.vcov, by_hand, rtol=1e-12)


def test_jackknife_counts_only_values_that_leave_rows_out() -> None:
    """A missing plan, or a plan seen only on rows outside the panel, is no replicate: the
    jackknife over the others is the explicit loop over the plans that drop rows."""
    df = awkward_panel(16, leavers=True, unbalanced=True)      # some plans are NaN
    df = pd.concat([df, df.iloc[:3].assign(g=np.nan, plan=-7.0)], ignore_index=True)
    kw = {"effects": 3, "placebo": 2}
    jk = did_multiplegt(df, "y", "g", "t", "d", jackknife_by="plan", **kw)
    plans = [c for c in df["plan"].dropna().unique() if c != -7.0]
    assert len(plans) < df["plan"].nunique(dropna=False) - 1
    reps = np.array([did_multiplegt(df[df["plan"] != c], "y", "g", "t", "d", **kw).estimates
                     for c in plans])
    ok = np.isfinite(reps).all(axis=0)
    dev = reps[:, ok] - reps[:, ok].mean(axis=0)
    n = len(plans)
    np.testing.assert_allclose(jk.vcov[np.ix_(ok, ok)], (n - 1) / n * dev.T @ dev, rtol=1e-12)


def test_cluster_is_the_first_plan() -> None:
    """A department that changes plan stays in its first plan's cluster."""
    df = switching_panel(7)
    moved = df.copy()
    late = moved["t"] > 5
    moved.loc[late, "plan"] = moved.loc[late, "plan"] + 1000
    a = did_multiplegt(df, "y", "g", "t", "d", effects=2, cluster="plan")
    b = did_multiplegt(moved, "y", "g", "t", "d", effects=2, cluster="plan")
    np.testing.assert_array_equal(a.vcov, b.vcov)
    assert a.n_clusters == b.n_clusters == df["plan"].nunique()


def test_bad_inputs() -> None:
    df = hand_panel()
    with pytest.raises(EstimationError, match="0 or 1"):
        did_multiplegt(df.assign(d=df["d"] * 2), "y", "dept", "year", "d")
    with pytest.raises(EstimationError, match="more than one row"):
        did_multiplegt(pd.concat([df, df.head(1)]), "y", "dept", "year", "d")
    with pytest.raises(EstimationError, match="not in the data"):
        did_m(df, "y", "dept", "year", "active")
    with pytest.raises(EstimationError, match="no effect can be estimated"):
        did_multiplegt(df.assign(d=0), "y", "dept", "year", "d")


def test_summary_and_joint_test() -> None:
    res = did_multiplegt(switching_panel(8), "y", "g", "t", "d", effects=2, placebo=2)
    stat, p, df = res.joint_test("placebo")
    assert df == 2 and stat >= 0 and 0 <= p <= 1
    assert "placebos jointly zero" in res.summary()
    assert "DID_M" in did_m(switching_panel(8), "y", "g", "t", "d").summary()


# --------------------------------------------------------------------------- the analysis


@pytest.fixture(scope="module")
def annual_world(tmp_path_factory: pytest.TempPathFactory):
    from boligeval.synth.world import synthesize

    out = tmp_path_factory.mktemp("switching_world")
    synthesize(out, scale=0.2, department_size=0.3, years=range(2000, 2011),
               full_truth=False, survey=False, cases=False)
    return out


def _run_analysis(world, design: str):
    import tomllib

    from boligeval.analyses import Context, registry
    from boligeval.config import parse_config
    from boligeval.run import Pipeline

    text = (f'[data]\ndir = "{world}"\n[design]\n{design}\n'
            '[[analysis]]\nkind = "did_switching"\npopulation = "working_age"\n'
            'outcomes = ["employed"]\n')
    cfg = parse_config(tomllib.loads(text), base=world)
    with Pipeline(cfg) as pipeline:
        ctx = Context(cfg=cfg, panel=pipeline.panel)
        analysis = registry()["did_switching"]
        records = [r.as_dict() for r in analysis.run(ctx, cfg.analysis[0], "employed")]
        data = ctx.data(cfg.analysis[0], "employed")
    return analysis, records, data


@pytest.mark.slow
def test_analysis_on_plans_that_end(annual_world) -> None:
    from boligeval.report.tables import diagnostic_tables

    years = list(range(2000, 2011))
    analysis, records, data = _run_analysis(annual_world, f"years = {years}\nstop_at_end = true")
    terms = {r["term"]: r for r in records}
    assert {"effect_1", "average_total_effect", "placebo_1", "reference", "did_m",
            "did_m_joiners", "did_m_leavers", "pretrend_wald"} <= set(terms)
    assert terms["effect_1"]["event_time"] == 0 and terms["placebo_1"]["event_time"] == -2
    # plans end: departments switch back, DID_M has leavers; plan-clustered
    assert terms["effect_1"]["n_switched_back"] > 0 and terms["did_m_leavers"]["n_switchers"] > 0
    assert terms["effect_1"]["n_clusters"] == data.drop_duplicates("department_id")[
        "plan_id"].nunique()
    # the same numbers as the estimator on the analysis's own frame
    dyn, _ = switching_effects(data)
    assert terms["effect_1"]["estimate"] == pytest.approx(dyn.estimates[0], abs=1e-12)
    for lang in ("da", "en"):
        tables = diagnostic_tables(records, "did_switching", lang, layout=analysis.layout)
        assert len(tables) == 1 and len(tables[0].rows) >= 8


@pytest.mark.slow
def test_analysis_when_no_plan_ends(annual_world) -> None:
    """stop_at_end = false (the seed's rule): DID_l estimates the effects of plans starting."""
    years = list(range(2000, 2011))
    _, records, _ = _run_analysis(annual_world, f"years = {years}")
    terms = {r["term"]: r for r in records}
    assert terms["effect_1"]["n_switched_back"] == 0 and terms["effect_1"]["n_leavers"] == 0
    assert "did_m_leavers" not in terms
    assert np.isfinite(terms["effect_1"]["std_error"])
