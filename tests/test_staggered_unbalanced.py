"""ATT(g, t) against moderndid: unbalanced panels (did's allow_unbalanced_panel), IPW, anticipation.

moderndid 0.2.0 runs did's unbalanced path (each 2x2 as repeated cross-sections,
row influence functions summed by unit) when asked for ``panel=False`` with
``allow_unbalanced_panel=True``; its ``panel=True`` branch of that option fails.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from boligeval.estimate.staggered import att_gt
from tests.test_robust_event_studies import staggered


@pytest.mark.parametrize("control_group", ["notyettreated", "nevertreated"])
def test_unbalanced_att_gt_against_moderndid(control_group: str) -> None:
    moderndid = pytest.importorskip("moderndid")
    data = staggered(1, unbalanced=True)
    ours = att_gt(data, yname="y", tname="t", idname="id", gname="g", bootstrap=False,
                  allow_unbalanced_panel=True, control_group=control_group)  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = moderndid.att_gt(data, yname="y", tname="t", idname="id", gname="g",
                               allow_unbalanced_panel=True, panel=False, boot=False,
                               control_group=control_group)
    np.testing.assert_array_equal(ours.groups, np.asarray(ref.groups, dtype=float))
    np.testing.assert_array_equal(ours.times, np.asarray(ref.times, dtype=float))
    np.testing.assert_allclose(ours.att, ref.att_gt, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(ours.std_errors, ref.se_gt, rtol=1e-9)


def test_balanced_panel_is_unchanged_by_the_option() -> None:
    data = staggered(2)
    a = att_gt(data, yname="y", tname="t", idname="id", gname="g", bootstrap=False)
    b = att_gt(data, yname="y", tname="t", idname="id", gname="g", bootstrap=False,
               allow_unbalanced_panel=True)
    np.testing.assert_array_equal(a.att, b.att)
    np.testing.assert_array_equal(a.std_errors, b.std_errors)


@pytest.mark.parametrize("control_group", ["notyettreated", "nevertreated"])
def test_ipw_against_moderndid(control_group: str) -> None:
    """DRDID's standardised IPW (logit score, its estimation in the influence)."""
    moderndid = pytest.importorskip("moderndid")
    data = staggered(1)
    rng = np.random.default_rng(5)
    first = data.groupby("id")["g"].first()
    x = rng.normal(size=first.size) + 0.3 * (first.to_numpy() > 0)
    data = data.assign(x=x[data["id"].to_numpy()])
    data["y"] += 0.5 * data["x"] * data["t"] / 8
    ours = att_gt(data, yname="y", tname="t", idname="id", gname="g", bootstrap=False,
                  covariates=["x"], est_method="ipw", control_group=control_group)  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = moderndid.att_gt(data, yname="y", tname="t", idname="id", gname="g",
                               xformla="~x", est_method="ipw", boot=False,
                               control_group=control_group)
    np.testing.assert_allclose(ours.att, ref.att_gt, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours.std_errors, ref.se_gt, rtol=1e-8)


@pytest.mark.parametrize("control_group", ["notyettreated", "nevertreated"])
@pytest.mark.parametrize("base_period", ["varying", "universal"])
def test_anticipation_against_moderndid(control_group: str, base_period: str) -> None:
    moderndid = pytest.importorskip("moderndid")
    data = staggered(1)
    ours = att_gt(data, yname="y", tname="t", idname="id", gname="g", bootstrap=False,
                  anticipation=1, control_group=control_group,  # type: ignore[arg-type]
                  base_period=base_period)  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = moderndid.att_gt(data, yname="y", tname="t", idname="id", gname="g",
                               anticipation=1, boot=False, control_group=control_group,
                               base_period=base_period)
    np.testing.assert_allclose(ours.att, ref.att_gt, rtol=1e-10, atol=1e-12)
    se = np.asarray(ref.se_gt, dtype=float)
    reference = np.isnan(se)          # the universal base period: ATT 0, no SE in moderndid
    np.testing.assert_allclose(ours.att[reference], 0.0)
    np.testing.assert_allclose(ours.std_errors[~reference], se[~reference], rtol=1e-10)


def test_unbalanced_against_diff_diff() -> None:
    """diff-diff's CallawaySantAnna(allow_unbalanced_panel=True): the same ATT(g, t) and
    the same overall ATT (cohort shares with each department once); its standard
    errors differ from did's (and ours) by about one per cent, so they are not compared."""
    from diff_diff import CallawaySantAnna

    data = staggered(1, unbalanced=True)
    ours = att_gt(data, yname="y", tname="t", idname="id", gname="g", bootstrap=False,
                  allow_unbalanced_panel=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = CallawaySantAnna(control_group="not_yet_treated", allow_unbalanced_panel=True
                               ).fit(data, outcome="y", unit="id", time="t", first_treat="g")
    effects = {(float(g), float(t)): v["effect"] for (g, t), v in ref.group_time_effects.items()}
    assert len(effects) == ours.att.size
    for g, t, a in zip(ours.groups, ours.times, ours.att, strict=True):
        assert a == pytest.approx(effects[(g, t)], rel=1e-10, abs=1e-12)
    assert ours.aggregate("simple").overall == pytest.approx(ref.overall_att, rel=1e-10)


@pytest.mark.parametrize("control_group", ["notyettreated", "nevertreated"])
@pytest.mark.parametrize("method", ["reg", "ipw", "dr"])
def test_unbalanced_covariates_against_moderndid(control_group: str, method: str) -> None:
    """DRDID's reg_did_rc / std_ipw_did_rc / drdid_rc (locally efficient) per cell,
    time-varying covariate of each row's own period."""
    moderndid = pytest.importorskip("moderndid")
    data = staggered(1, unbalanced=True)
    rng = np.random.default_rng(5)
    data["x"] = rng.normal(size=len(data)) + 0.3 * (data["g"] > 0) + 0.05 * data["t"]
    data["y"] += 0.5 * data["x"]
    ours = att_gt(data, yname="y", tname="t", idname="id", gname="g", bootstrap=False,
                  allow_unbalanced_panel=True, covariates=["x"], est_method=method,  # type: ignore[arg-type]
                  control_group=control_group)  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = moderndid.att_gt(data, yname="y", tname="t", idname="id", gname="g",
                               xformla="~x", est_method=method, allow_unbalanced_panel=True,
                               panel=False, boot=False, control_group=control_group)
    np.testing.assert_allclose(ours.att, ref.att_gt, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(ours.std_errors, ref.se_gt, rtol=1e-9)
