"""Costs, cost-effectiveness and the effect on those reached (docs/methods.md §7).

Hand-computed cases with the numbers written out, the delta method against
statsmodels' ``NonlinearDeltaCov`` and against a plan-clustered bootstrap,
and the effect on those reached recovered by simulation.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats._delta_method import NonlinearDeltaCov

from boligeval.errors import EstimationError, NoInputError
from boligeval.estimate.cost import (
    annual_costs,
    cost_effectiveness,
    exposure_effect,
    ratio_interval,
    reach_effect,
)

Z = 1.959963984540054


# --------------------------------------------------------------------------- hand case


def _hand_panel() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Two treated plans (one department each, first active 2007) and two control plans.

    Changes 2005 -> 2007 in employment (points): D1 +4 (n 100), D2 +2 (n 300),
    controls D3 +1 and D4 0 (n 200 each).
    """
    rows = []
    for dep, plan, n, y0, y1, g in (("D1", "P1", 100, 50, 54, 2007), ("D2", "P4", 300, 40, 42, 2007),
                                    ("D3", "P2", 200, 60, 61, 0), ("D4", "P3", 200, 30, 30, 0)):
        for year, value in ((2005, y0), (2007, y1)):
            rows.append({"department_id": dep, "plan_id": plan, "year": year, "n": n,
                         "value": float(value), "first_treated": g,
                         "active_plan": int(g > 0 and year >= g)})
    plans = pd.DataFrame({
        "plan_id": ["P1", "P4", "P2", "P3"], "grant_year": [2006, 2006, None, None],
        "start_year": [None] * 4, "end_year": [2009, 2009, None, None],
        "grant_dkk": [1_000_000, 3_000_000, None, None],
        "co_financing_dkk": [0, 1_000_000, None, None],
        "rent_support_dkk": [None] * 4})
    departments = pd.DataFrame({"department_id": ["D1", "D2", "D3", "D4"],
                                "plan_id": ["P1", "P4", "P2", "P3"],
                                "dwellings": [50, 150, 90, 90]})
    prices = pd.DataFrame({"year": [2005, 2006, 2007, 2008, 2009],
                           "index": [100.0, 100.0, 100.0, 104.0, 104.0]})
    return pd.DataFrame(rows), plans, departments, prices


def _value(table: pd.DataFrame, term: str, group: object = "programme") -> pd.Series:
    row = table[(table["term"] == term) & (table["group"] == group)]
    assert len(row) == 1, (term, group)
    return row.iloc[0]


def test_hand_computed_cost_per_extra_employed() -> None:
    data, plans, departments, prices = _hand_panel()
    res = cost_effectiveness(data, plans, departments, share=True, prices=prices,
                             price_base_year=2009)
    t = res.tidy()
    # ATT weighted by residents: (100*4 + 300*2)/400 - (200*1 + 200*0)/400 = 2.5 - 0.5 = 2.0
    assert _value(t, "effect")["estimate"] == pytest.approx(2.0)
    # influence by plan: P1 100*(4-2.5)/400 = .375, P4 -.375, P2 -200*(1-.5)/400 = -.25, P3 .25
    se_att = math.sqrt(2 * 0.375**2 + 2 * 0.25**2)              # 0.637377
    assert _value(t, "effect")["std_error"] == pytest.approx(se_att)
    # 2.0 points of 400 resident-years: 8 extra persons in employment
    assert _value(t, "resident_years")["estimate"] == 400
    assert _value(t, "extra_outcome")["estimate"] == pytest.approx(8.0)
    assert _value(t, "extra_outcome")["std_error"] == pytest.approx(4 * se_att)  # 2.549510
    # spent in 2007 (index 100 -> 2009 prices 104): P1 250,000 * 1.04 + P4 1,000,000 * 1.04
    assert _value(t, "window_cost")["estimate"] == pytest.approx(1_300_000)
    # all four years: P1 250,000 * (1.04 + 1.04 + 1 + 1) + P4 1,000,000 * 4.08
    assert _value(t, "programme_cost")["estimate"] == pytest.approx(5_100_000)
    assert _value(t, "cost_per_dwelling")["estimate"] == pytest.approx(25_500)   # / 200
    assert _value(t, "cost_per_resident_year")["estimate"] == pytest.approx(3_250)  # / 400
    ratio = _value(t, "cost_per_extra_employed")
    assert ratio["estimate"] == pytest.approx(162_500)               # 1,300,000 / 8
    assert ratio["std_error"] == pytest.approx(51_786.92, abs=0.01)  # 1.3e6 * 2.549510 / 64
    assert ratio["ci_low"] == pytest.approx(60_999.51, abs=0.01)    # 162,500 - 1.959964 * ..
    assert ratio["bounded"]
    # exact set: 1.3e6 / (8 +- 1.959964 * 2.549510) = [1.3e6 / 12.996947, 1.3e6 / 3.003053]
    assert ratio["set_low"] == pytest.approx(100_023.49, abs=0.01)
    assert ratio["set_high"] == pytest.approx(432_892.84, abs=0.01)
    # by cohort: the one cohort is the programme
    assert _value(t, "cost_per_extra_employed", 2007)["estimate"] == pytest.approx(162_500)
    # the grant alone: P1 260,000 + P4 780,000 = 1,040,000 -> 130,000 per extra employed
    grant = cost_effectiveness(data, plans, departments, share=True, prices=prices,
                               price_base_year=2009, cost="grant").tidy()
    assert _value(grant, "cost_per_extra_employed")["estimate"] == pytest.approx(130_000)


def test_income_per_dkk_is_linear_and_always_bounded() -> None:
    data, plans, departments, prices = _hand_panel()
    t = cost_effectiveness(data, plans, departments, share=False, prices=prices,
                           price_base_year=2009).tidy()
    # an amount outcome: 2.0 DKK * 400 resident-years = 800 DKK extra, per 1,300,000 spent
    row = _value(t, "income_per_dkk")
    assert row["estimate"] == pytest.approx(800 / 1_300_000)
    assert row["std_error"] == pytest.approx(4 * 0.637377 * 100 / 1_300_000, rel=1e-5)
    assert row["bounded"] and row["ci_low"] == pytest.approx(row["set_low"])


def test_plan_costs_win_over_the_plan_columns_and_are_deflated_by_year() -> None:
    data, plans, departments, prices = _hand_panel()
    yearly = pd.DataFrame({"plan_id": ["P4", "P4"], "year": [2007, 2008],
                           "grant_dkk": [2_000_000, 500_000], "co_financing_dkk": [None, 0],
                           "rent_support_dkk": [0, 0]})
    annual = annual_costs(plans, yearly, prices=prices, price_base_year=2009)
    p4 = annual[annual["plan_id"] == "P4"].set_index("year")["grant_dkk"]
    assert p4.to_dict() == {2007: pytest.approx(2_080_000), 2008: pytest.approx(500_000)}
    t = cost_effectiveness(data, plans, departments, share=True, prices=prices,
                           price_base_year=2009, plan_costs=yearly).tidy()
    # 2007: P1 260,000 + P4 2,080,000 = 2,340,000; per 8 extra employed 292,500
    assert _value(t, "cost_per_extra_employed")["estimate"] == pytest.approx(292_500)


def test_no_amounts_is_a_note_not_a_crash_and_missing_ones_are_named() -> None:
    data, plans, departments, prices = _hand_panel()
    bare = plans.drop(columns=["grant_dkk", "co_financing_dkk", "rent_support_dkk"])
    with pytest.raises(NoInputError, match="carry no amounts"):
        cost_effectiveness(data, bare, departments, share=True)
    partial = plans.assign(grant_dkk=[1_000_000, None, None, None],
                           co_financing_dkk=[None] * 4)
    with pytest.raises(EstimationError, match="1 of the 2 treated plans"):
        cost_effectiveness(data, partial, departments, share=True)
    with pytest.raises(EstimationError, match="2010"):
        cost_effectiveness(data, plans.assign(end_year=[2010, 2009, None, None]), departments,
                           share=True, prices=prices, price_base_year=2009)


# --------------------------------------------------------------------------- ratio interval


def test_ratio_interval_when_the_effect_interval_includes_zero() -> None:
    r = ratio_interval(100.0, 1.0, 1.0)
    # effect interval [1 - 1.959964, 1 + 1.959964] = [-0.959964, 2.959964] contains 0: the set is
    # (-inf, 100 / -0.959964] U [100 / 2.959964, inf)
    assert not r.bounded
    assert math.isnan(r.ci_low) and math.isnan(r.ci_high)
    assert r.set_low == pytest.approx(-104.1706, abs=1e-4)
    assert r.set_high == pytest.approx(33.7842, abs=1e-4)
    assert r.estimate == 100.0 and r.std_error == pytest.approx(100.0)
    neg = ratio_interval(100.0, -4.0, 1.0)          # the programme lowered employment
    assert neg.bounded and neg.set_low == pytest.approx(100 / -2.040036, abs=1e-4)


def test_delta_method_matches_statsmodels() -> None:
    cost, extra, se = 1_300_000.0, 8.0, 2.549510
    ours = ratio_interval(cost, extra, se)
    ref = NonlinearDeltaCov(lambda p: np.array([cost / p[0]]), np.array([extra]),
                            np.array([[se**2]]))
    assert ours.std_error == pytest.approx(float(ref.se_vectorized()[0]), rel=1e-6)
    r = reach_effect(2.0, 0.5, 0.25, 0.05)
    ref = NonlinearDeltaCov(lambda p: np.array([p[0] / p[1]]), np.array([2.0, 0.25]),
                            np.diag([0.5**2, 0.05**2]))
    assert r.effect_se == pytest.approx(float(ref.se_vectorized()[0]), rel=1e-6)


# --------------------------------------------------------------------------- bootstrap check


def _simulated(rng: np.random.Generator, n_plans: int = 60, effect: float = 3.0,
               reach: np.ndarray | None = None) -> pd.DataFrame:
    """Department-year panel, three biennial years, cohorts 2007, 2009 and never."""
    rows = []
    for p in range(n_plans):
        g = (0, 2007, 2009)[p % 3]
        plan_shock = rng.normal(0, 1.0)
        share = 1.0 if reach is None else float(reach[p])
        for d in range(2):
            n = int(rng.integers(80, 400))
            level = rng.normal(50, 8)
            for t in (2005, 2007, 2009):
                act = int(g > 0 and t >= g)
                noise = rng.normal(0, 1.5) + (plan_shock * (t - 2005) / 4)
                rows.append({"department_id": f"D{p}_{d}", "plan_id": f"P{p}", "year": t,
                             "n": n, "first_treated": g, "active_plan": act,
                             "value": level + 0.8 * (t - 2005) + act * effect * share + noise})
    return pd.DataFrame(rows)


@pytest.mark.slow
def test_delta_method_agrees_with_a_plan_clustered_bootstrap() -> None:
    """Resample plans, re-estimate every ATT(g, t), keep costs and cell exposure fixed."""
    from boligeval.estimate.staggered import att_gt

    rng = np.random.default_rng(20240617)
    data = _simulated(rng)
    eff = exposure_effect(data, share=True)
    cost = 50_000_000.0
    r = ratio_interval(cost, float(eff.extra[-1]), float(eff.extra_se[-1]))
    expo = data.groupby(["first_treated", "year"])["n"].sum()   # the programme's own counts
    plans = data["plan_id"].unique()
    by_plan = dict(tuple(data.groupby("plan_id")))
    draws = []
    for _ in range(299):
        pick = rng.choice(plans, size=plans.size, replace=True)
        boot = pd.concat([by_plan[p].assign(plan_id=f"{p}#{k}",
                                            department_id=by_plan[p]["department_id"] + f"#{k}")
                          for k, p in enumerate(pick)], ignore_index=True)
        boot["_w"] = boot.groupby("department_id")["n"].transform("mean")
        res = att_gt(boot, yname="value", tname="year", idname="department_id",
                     gname="first_treated", weights="_w", cluster="plan_id", bootstrap=False)
        post = res.times >= res.groups
        extra = sum(a * expo[(int(g), int(t))] / 100 for a, g, t
                    in zip(res.att[post], res.groups[post], res.times[post], strict=True))
        draws.append(cost / extra)
    sd = float(np.std(draws, ddof=1))
    mc = sd / math.sqrt(2 * (len(draws) - 1))     # Monte Carlo SE of a standard deviation
    # small-sample (60 plans) and nonlinearity differences stay within 5 % of the SE
    assert abs(sd - r.std_error) < 3 * mc + 0.05 * r.std_error, (sd, r.std_error, mc)
    assert np.median(draws) == pytest.approx(r.estimate, rel=0.05)


# --------------------------------------------------------------------------- reach


def test_reach_hand_case() -> None:
    r = reach_effect(2.0, 0.5, 0.25, 0.05, mde=1.2)
    assert r.effect == pytest.approx(8.0)
    # sqrt(0.5^2 / 0.25^2 + 2^2 * 0.05^2 / 0.25^4) = sqrt(4 + 2.56)
    assert r.effect_se == pytest.approx(math.sqrt(6.56))
    assert r.mde_reached == pytest.approx(4.8)
    given = reach_effect(2.0, 0.5, 0.25)           # from the plans' records: no reach error
    assert given.effect_se == pytest.approx(2.0)
    tidy = r.tidy().set_index("term")
    assert tidy.loc["effect_reached", "ci_low"] == pytest.approx(8 - Z * math.sqrt(6.56))
    with pytest.raises(EstimationError):
        reach_effect(2.0, 0.5, 0.0)


@pytest.mark.slow
def test_effect_on_the_reached_is_recovered_by_simulation() -> None:
    """Residents reached gain ``delta``; ITT / residents-weighted reach recovers it.

    The share reached differs by plan; 150 panels, each estimated as the
    analysis does, with the reach from the plans' records (known) and from a
    survey estimate with its standard error.
    """
    rng = np.random.default_rng(17_7)
    delta, n_sim = 6.0, 150
    est, cover, cover_survey = [], 0, 0
    for _ in range(n_sim):
        reach = rng.uniform(0.1, 0.5, 60)
        data = _simulated(rng, effect=delta, reach=reach)
        eff = exposure_effect(data, share=True)
        act = data[(data["first_treated"] > 0) & (data["year"] >= data["first_treated"])]
        weights = act.groupby("plan_id")["n"].sum()
        share = float(np.average(reach[[int(p[1:]) for p in weights.index]], weights=weights))
        r = reach_effect(float(eff.effect[-1]), float(eff.effect_se[-1]), share)
        est.append(r.effect)
        cover += abs(r.effect - delta) <= Z * r.effect_se
        surveyed = share + rng.normal(0, 0.03)     # a survey estimate of the share, SE 0.03
        s = reach_effect(float(eff.effect[-1]), float(eff.effect_se[-1]), surveyed, 0.03)
        cover_survey += abs(s.effect - delta) <= Z * s.effect_se
    est_arr = np.array(est)
    mc = est_arr.std(ddof=1) / math.sqrt(n_sim)
    assert abs(est_arr.mean() - delta) < 2.5 * mc
    assert 0.90 <= cover / n_sim <= 0.99
    assert 0.90 <= cover_survey / n_sim <= 0.99
