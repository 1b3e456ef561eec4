"""Unit tests of ATT(g, t) on panels small enough to compute by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from boligeval.errors import EstimationError
from boligeval.estimate.staggered import att_gt

# Unequally spaced measurement years, as in the seed (2005, 2007, 2009).
YEARS = (2005, 2007, 2009)
HAND = {  # unit: (first treated year, outcomes in 2005, 2007, 2009, plan)
    "A": (2007, (1.0, 4.0, 6.0), "p1"),
    "B": (2007, (2.0, 3.0, 9.0), "p1"),
    "C": (2009, (0.0, 1.0, 5.0), "p2"),
    "D": (0, (1.0, 2.0, 2.0), "p3"),
    "E": (0, (3.0, 3.0, 4.0), "p4"),
}


def _hand_panel() -> pd.DataFrame:
    rows = [
        {"unit": u, "year": t, "g": g, "y": y, "plan": plan}
        for u, (g, ys, plan) in HAND.items()
        for t, y in zip(YEARS, ys, strict=True)
    ]
    return pd.DataFrame(rows)


def _cell(res: object, g: int, t: int) -> pd.Series:
    tidy = res.tidy()  # type: ignore[attr-defined]
    return tidy[(tidy["group"] == g) & (tidy["time"] == t)].iloc[0]


def _fit(data: pd.DataFrame, **kw: object) -> object:
    return att_gt(data, yname="y", tname="year", idname="unit", gname="g", bootstrap=False, **kw)  # type: ignore[arg-type]


def test_not_yet_treated_cells_by_hand() -> None:
    """Controls are never-treated plus G > max(t, base), excluding g (trap 6)."""
    res = _fit(_hand_panel(), control_group="notyettreated")
    # (2007, 2007): treated changes 3, 1; controls C, D, E change 1, 1, 0.
    assert _cell(res, 2007, 2007)["estimate"] == pytest.approx(2 - 2 / 3, abs=1e-12)
    # (2007, 2009): base 2005, C is treated by 2009 so only D, E (changes 1, 1).
    assert _cell(res, 2007, 2009)["estimate"] == pytest.approx(6 - 1, abs=1e-12)
    # (2009, 2007) pre-period, varying base 2005 -> 2007; controls D, E only (not g).
    assert _cell(res, 2009, 2007)["estimate"] == pytest.approx(1 - 0.5, abs=1e-12)
    # (2009, 2009): base 2007, controls D, E (changes 0, 1).
    assert _cell(res, 2009, 2009)["estimate"] == pytest.approx(4 - 0.5, abs=1e-12)
    # Analytic SE of (2007, 2007): sum of squared influence values.
    se = np.sqrt(0.25 + 0.25 + (1 / 9) ** 2 * 2 + (2 / 9) ** 2)
    assert _cell(res, 2007, 2007)["std_error"] == pytest.approx(se, rel=1e-12)


def test_never_treated_and_universal_base_by_hand() -> None:
    """Never-treated controls; universal base sets ATT(g, g-1) = 0 and compares t with g-1."""
    res = _fit(_hand_panel(), control_group="nevertreated", base_period="universal")
    assert _cell(res, 2007, 2007)["estimate"] == pytest.approx(2 - 0.5, abs=1e-12)
    assert _cell(res, 2007, 2005)["estimate"] == 0.0
    assert _cell(res, 2007, 2005)["std_error"] == 0.0
    # (2009, 2005): universal base 2007, Y_2005 - Y_2007: C -1, controls -1, 0.
    assert _cell(res, 2009, 2005)["estimate"] == pytest.approx(-1 - (-0.5), abs=1e-12)


def test_simple_aggregation_by_hand() -> None:
    """Post cells weighted by group shares P(G=g): 2/5, 2/5, 1/5 here."""
    res = _fit(_hand_panel(), control_group="notyettreated")
    agg = res.aggregate("simple")  # type: ignore[attr-defined]
    expected = (0.4 * (4 / 3) + 0.4 * 5 + 0.2 * 3.5) / (0.4 + 0.4 + 0.2)
    assert agg.overall == pytest.approx(expected, abs=1e-12)
    dyn = res.aggregate("dynamic")  # type: ignore[attr-defined]
    np.testing.assert_array_equal(dyn.labels, [-2, 0, 2])  # event times in years


def test_grant_year_between_periods_counts_from_next_period() -> None:
    """A 2006 grant is first seen treated in 2007: the same cells as gname=2007."""
    base = _hand_panel()
    shifted = base.assign(g=base["g"].replace({2007: 2006}))
    a, b = _fit(base), _fit(shifted)
    np.testing.assert_allclose(a.att, b.att, atol=1e-14)  # type: ignore[attr-defined]


def test_first_period_treated_units_are_dropped() -> None:
    """Adding units treated in the first period changes nothing (did's rule)."""
    base = _hand_panel()
    extra = pd.DataFrame(
        {"unit": "Z", "year": YEARS, "g": 2005, "y": (50.0, -20.0, 99.0), "plan": "p9"}
    )
    a, b = _fit(base), _fit(pd.concat([base, extra], ignore_index=True))
    np.testing.assert_allclose(a.att, b.att, atol=1e-14)  # type: ignore[attr-defined]
    np.testing.assert_allclose(a.std_errors, b.std_errors, rtol=1e-12)  # type: ignore[attr-defined]


def _strata_panel(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 400
    x = rng.integers(0, 2, n).astype(float)
    g = np.where(rng.random(n) < 0.3 + 0.3 * x, 2, 0)
    rows = []
    for i in range(n):
        for t in (1, 2):
            y = x[i] * (1 + 2 * t) + (g[i] > 0) * (t == 2) * (1 + 3 * x[i]) + rng.normal()
            rows.append({"unit": i, "year": t, "g": g[i], "y": y, "x": x[i]})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("method", ["reg", "dr"])
def test_covariates_saturated_equal_stratified_estimator(method: str) -> None:
    """With one binary covariate both methods equal sum_x P(x|treated) * DiD within x."""
    df = _strata_panel(11)
    res = att_gt(df, yname="y", tname="year", idname="unit", gname="g", covariates=["x"],
                 est_method=method, bootstrap=False)  # type: ignore[arg-type]  # fmt: skip
    wide = df.pivot(index="unit", columns="year", values="y")
    unit = df.groupby("unit")[["g", "x"]].first()
    dy = wide[2] - wide[1]
    treated = unit["g"] > 0
    est = 0.0
    for xv in (0.0, 1.0):
        s = unit["x"] == xv
        share = (treated & s).sum() / treated.sum()
        est += share * (dy[treated & s].mean() - dy[~treated & s].mean())
    assert res.att[0] == pytest.approx(est, abs=1e-9)
    unc = att_gt(df, yname="y", tname="year", idname="unit", gname="g", bootstrap=False)
    assert abs(unc.att[0] - est) > 0.05  # the covariate matters in this design


def test_dr_and_reg_standard_errors_agree_when_saturated() -> None:
    """Saturated in x, both estimators have the same first-order influence function."""
    df = _strata_panel(12)
    kw = {"yname": "y", "tname": "year", "idname": "unit", "gname": "g", "covariates": ["x"]}
    reg = att_gt(df, **kw, est_method="reg", bootstrap=False)  # type: ignore[arg-type]
    dr = att_gt(df, **kw, est_method="dr", bootstrap=False)  # type: ignore[arg-type]
    assert dr.std_errors[0] == pytest.approx(reg.std_errors[0], rel=1e-6)


def test_cluster_analytic_se_sums_influence_within_cluster() -> None:
    """Clustered SE = sqrt(sum over clusters of squared summed influence values)."""
    res = _fit(_hand_panel(), control_group="notyettreated", cluster="plan")
    col = int(np.flatnonzero((res.groups == 2007) & (res.times == 2007))[0])  # type: ignore[attr-defined]
    psi = res.influence[:, col]  # type: ignore[attr-defined]
    # units sorted A..E; plans p1 = {A, B}, p2 = {C}, p3 = {D}, p4 = {E}
    expected = np.sqrt((psi[0] + psi[1]) ** 2 + psi[2] ** 2 + psi[3] ** 2 + psi[4] ** 2)
    assert res.std_errors[col] == pytest.approx(expected, rel=1e-12)  # type: ignore[attr-defined]
    assert expected != pytest.approx(np.sqrt(np.sum(psi**2)), rel=1e-3)


def test_bootstrap_reproducible_and_close_to_analytic() -> None:
    """Same seed, same draws; bootstrap SEs near analytic ones; band wider than pointwise."""
    df = _strata_panel(3).assign(cl=lambda d: d["unit"] // 2)
    kw = {"yname": "y", "tname": "year", "idname": "unit", "gname": "g", "cluster": "cl"}
    a = att_gt(df, **kw, bootstrap_draws=999, seed=4)  # type: ignore[arg-type]
    b = att_gt(df, **kw, bootstrap_draws=999, seed=4)  # type: ignore[arg-type]
    an = att_gt(df, **kw, bootstrap=False)  # type: ignore[arg-type]
    np.testing.assert_array_equal(a.std_errors, b.std_errors)
    assert a.std_errors[0] == pytest.approx(an.std_errors[0], rel=0.12)
    r = att_gt(df, **kw, bootstrap_draws=999, seed=4, weight_type="mammen")  # type: ignore[arg-type]
    assert r.std_errors[0] == pytest.approx(an.std_errors[0], rel=0.12)
    assert a.aggregate("simple").overall_se == pytest.approx(an.std_errors[0], rel=0.12)


def test_summary_and_tidy_columns() -> None:
    """Tidy frames carry the project's columns; summary names the options."""
    res = _fit(_hand_panel())
    cols = [
        "term",
        "group",
        "time",
        "event_time",
        "estimate",
        "std_error",
        "p_value",
        "ci_low",
        "ci_high",
    ]
    assert list(res.tidy().columns) == cols  # type: ignore[attr-defined]
    assert "control=notyettreated" in res.summary()  # type: ignore[attr-defined]
    agg = res.aggregate("dynamic").tidy()  # type: ignore[attr-defined]
    assert {"term", "event_time", "estimate", "std_error", "p_value", "ci_low", "ci_high"} <= set(
        agg.columns
    )


def test_errors_are_estimation_errors() -> None:
    """User mistakes raise EstimationError with a message."""
    base = _hand_panel()
    with pytest.raises(EstimationError, match="unbalanced"):
        _fit(base.iloc[1:])
    with pytest.raises(EstimationError, match="no never-treated"):
        _fit(base[base["g"] > 0], control_group="nevertreated")
    with pytest.raises(EstimationError, match="control_group"):
        _fit(base, control_group="someone")
    with pytest.raises(EstimationError, match="constant"):
        _fit(base.assign(g=np.where(base["year"] == 2009, 2009, base["g"])))
    with pytest.raises(EstimationError, match="unknown aggregation"):
        _fit(base).aggregate("weekly")  # type: ignore[attr-defined]
    with pytest.raises(EstimationError, match="no treated"):
        _fit(base.assign(g=0))


def test_unbalanced_panel_as_did_does() -> None:
    """D's 2009 outcome missing; ATT(2007, 2009) against 2005, not-yet-treated controls.

    Treated A, B: (6 + 9)/2 - (1 + 2)/2 = 6. Controls (C is treated in 2009, so only
    the never treated): E alone at 2009 (4), D and E at 2005 (2): change 2. ATT = 4
    (balanced, with D's 2 in 2009, it would be 6 - 1 = 5). Row influences summed by
    unit: A -(1.5)/2 + (0.5)/2 = -0.5, B +0.5, D -(1 - 2)/2 * -1 = -0.5, E +0.5, C 0,
    so the analytic SE is sqrt(4 * 0.25) = 1.
    """
    data = _hand_panel()
    data = data[~((data["unit"] == "D") & (data["year"] == 2009))]
    with pytest.raises(EstimationError, match="allow_unbalanced_panel"):
        _fit(data)
    res = _fit(data, allow_unbalanced_panel=True)
    cell = _cell(res, 2007, 2009)
    assert cell["estimate"] == pytest.approx(4.0, abs=1e-12)
    assert cell["std_error"] == pytest.approx(1.0, abs=1e-12)


def test_anticipation_moves_the_base_period() -> None:
    """Two years of anticipation: cohort 2007 has no period before 2005 and is dropped;
    ATT(2009, 2009) compares with 2005 instead of 2007: C 5 - 0 = 5, controls D and E
    (1 + 1) / 2 = 1, so 4 (without anticipation: 4 - (0 + 1) / 2 = 3.5)."""
    data = _hand_panel()
    assert _cell(_fit(data), 2009, 2009)["estimate"] == pytest.approx(3.5, abs=1e-12)
    res = _fit(data, anticipation=2)
    assert set(res.tidy()["group"]) == {2009}
    assert _cell(res, 2009, 2009)["estimate"] == pytest.approx(4.0, abs=1e-12)
    with pytest.raises(EstimationError, match="anticipation"):
        _fit(data, anticipation=-1)
