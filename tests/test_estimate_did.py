"""The seed's analyses (area DiD, DDDs, individual DiD, balance) on a synthetic panel."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from boligeval.errors import EstimationError
from boligeval.estimate import (
    area_ddd_capital,
    area_ddd_rent_support,
    area_did,
    balance_table,
    individual_did,
)

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword")

COEF_RTOL = 1e-8
SE_RTOL = 1e-6
YEARS = (2005, 2007, 2009)


def make_panel(seed: int = 7, n_plans: int = 60, n_unplanned: int = 25) -> pd.DataFrame:
    """Long department-year panel shaped like panel.parquet, two populations and outcomes."""
    rng = np.random.default_rng(seed)
    rows = []
    plan_cohort = rng.choice(["control", "g1", "g2"], size=n_plans, p=[0.3, 0.4, 0.3])
    units = [(f"P{p}", plan_cohort[p]) for p in range(n_plans) for _ in range(rng.integers(1, 5))]
    units += [(None, "control")] * n_unplanned
    for dep, (plan, cohort) in enumerate(units, start=1):
        start = {"g1": 2007, "g2": 2009}.get(cohort)
        rs_start = rng.choice([0, 2007, 2009], p=[0.7, 0.15, 0.15])
        capital = bool(rng.random() < 0.4)
        level = rng.normal(50, 8)
        for pop in ("working_age", "all"):
            for outcome, scale in (("employed", 1.0), ("disposable_income", 1000.0)):
                for year in YEARS:
                    d = int(start is not None and year >= start)
                    r = int(rs_start > 0 and year >= rs_start)
                    value = scale * (
                        level
                        + 0.8 * (year - 2005)
                        + 2.0 * d
                        + 1.5 * r
                        - 1.0 * d * r
                        + 0.5 * capital * (year - 2005)
                        + rng.normal(0, 3)
                    )
                    rows.append(
                        {
                            "department_id": f"D{dep}",
                            "plan_id": plan,
                            "year": year,
                            "population": pop,
                            "outcome": outcome,
                            "n": int(rng.integers(20, 300)),
                            "value": value,
                            "top_share": rng.uniform(0, 0.4),
                            "cohort": cohort,
                            "active_plan": d,
                            "rent_support": r,
                            "rent_support_cohort": {0: "none", 2007: "r2006", 2009: "r2008"}[
                                int(rs_start)
                            ],
                            "capital_area": capital,
                        }
                    )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return make_panel()


def _slice(panel: pd.DataFrame, pop: str = "working_age", out: str = "employed") -> pd.DataFrame:
    sub = panel[(panel["population"] == pop) & (panel["outcome"] == out)].copy()
    sub["cl"] = sub["plan_id"].fillna(sub["department_id"])
    sub["capital"] = sub["capital_area"].astype(float)
    sub["rsp"] = sub["active_plan"] * sub["rent_support"]
    return sub


def _compare(result, ref, rename: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    coef, se = result.fit.coef(), result.fit.se()
    for ours, theirs in rename.items():
        assert coef[ours] == pytest.approx(ref.coef()[theirs], rel=COEF_RTOL)
        assert se[ours] == pytest.approx(ref.se()[theirs], rel=SE_RTOL)


def test_area_did_cohort_dummies_matches_pyfixest(panel: pd.DataFrame) -> None:
    res = area_did(panel, "working_age", "employed")
    sub = _slice(panel)
    ref = pf.feols(
        "value ~ active_plan + C(year) + C(cohort)", sub, vcov={"CRV1": "cl"}, fixef_rm="none"
    )
    _compare(
        res,
        ref,
        {
            "active_plan": "active_plan",
            "year_2007": "C(year)[T.2007]",
            "year_2009": "C(year)[T.2009]",
            "cohort_g1": "C(cohort)[T.g1]",
            "cohort_g2": "C(cohort)[T.g2]",
            "Intercept": "Intercept",
        },
    )
    assert res.adj_r2 == pytest.approx(ref._adj_r2, rel=1e-10)
    assert res.n_departments == sub["department_id"].nunique()
    assert res.n_plans == sub["plan_id"].nunique()
    assert res.fit.n_clusters == sub["cl"].nunique()
    assert res.fit.df_resid == res.fit.n_clusters - 1  # type: ignore[operator]
    assert set(res.tidy()["term"]) >= {"active_plan", "year_2007", "year_2009", "cohort_g1"}
    assert "active_plan" in res.summary()


def test_area_did_department_fe_and_count_weights(panel: pd.DataFrame) -> None:
    res = area_did(panel, "all", "disposable_income", fixed_effects_level="department",
                   weights="n")
    sub = _slice(panel, "all", "disposable_income")
    ref = pf.feols(
        "value ~ active_plan + C(year) | department_id",
        sub,
        vcov={"CRV1": "cl"},
        weights="n",
        fixef_rm="none",
    )
    _compare(res, ref, {"active_plan": "active_plan", "year_2009": "C(year)[T.2009]"})
    assert res.adj_r2 == pytest.approx(ref._adj_r2, rel=1e-10)


def test_ddd_rent_support_terms_and_combined(panel: pd.DataFrame) -> None:
    res = area_ddd_rent_support(panel, "working_age", "employed")
    sub = _slice(panel)
    ref = pf.feols(
        "value ~ active_plan + rent_support + rsp + C(year) + C(cohort) + "
        "C(rent_support_cohort, contr.treatment(base='none'))",
        sub,
        vcov={"CRV1": "cl"},
        fixef_rm="none",
    )
    _compare(
        res,
        ref,
        {
            "active_plan": "active_plan",
            "rent_support": "rent_support",
            "rent_support_in_plan": "rsp",
        },
    )
    tab = res.tidy().set_index("term")
    v = res.fit.vcov
    idx = [res.fit.terms.index(t) for t in ("active_plan", "rent_support", "rent_support_in_plan")]
    assert tab.loc["combined", "estimate"] == pytest.approx(
        sum(res.fit.coef()[["active_plan", "rent_support", "rent_support_in_plan"]]), rel=1e-12
    )
    assert tab.loc["combined", "std_error"] == pytest.approx(
        math.sqrt(v[np.ix_(idx, idx)].sum()), rel=1e-12
    )
    assert "combined" in set(res.tidy()["term"])


def test_ddd_capital_terms(panel: pd.DataFrame) -> None:
    res = area_ddd_capital(panel, "working_age", "employed")
    sub = _slice(panel)
    sub["cap_2007"] = sub["capital"] * (sub["year"] == 2007)
    sub["cap_2009"] = sub["capital"] * (sub["year"] == 2009)
    sub["cap_d"] = sub["capital"] * sub["active_plan"]
    ref = pf.feols(
        "value ~ active_plan + C(year) + C(cohort) + capital + cap_2007 + cap_2009 + cap_d",
        sub,
        vcov={"CRV1": "cl"},
        fixef_rm="none",
    )
    _compare(
        res,
        ref,
        {
            "active_plan": "active_plan",
            "capital_area_x_year_2009": "cap_2009",
            "capital_area_x_active_plan": "cap_d",
        },
    )


def test_individual_did_matches_pyfixest() -> None:
    rng = np.random.default_rng(11)
    n_dep, n = 80, 6000
    dep = rng.integers(0, n_dep, size=n)
    plan = dep // 3
    start = np.where(plan % 3 == 0, 9999, np.where(plan % 3 == 1, 2007, 2009))
    year = rng.choice(YEARS, size=n)
    d = (year >= start).astype(int)
    mover = (rng.random(n) < 0.2).astype(int)
    y = 0.3 * d + 0.5 * mover - 0.2 * mover * d + 0.1 * dep / n_dep + rng.normal(size=n)
    persons = pd.DataFrame(
        {
            "department_id": dep,
            "plan_id": plan,
            "year": year,
            "active_plan": d,
            "in_mover": mover,
            "employed": y,
            "age": rng.integers(16, 65, size=n),
        }
    )
    res = individual_did(persons, "employed", covariates=["age"])
    df = persons.assign(mxd=persons["in_mover"] * persons["active_plan"])
    ref = pf.feols(
        "employed ~ active_plan + in_mover + mxd + i(year, ref=2005) + age | department_id",
        df,
        vcov={"CRV1": "plan_id"},
        fixef_rm="none",
    )
    _compare(
        res,
        ref,
        {
            "active_plan": "active_plan",
            "in_mover": "in_mover",
            "in_mover_active_plan": "mxd",
            "age": "age",
        },
    )
    assert res.population == "person"
    short = individual_did(persons, "employed", mover_terms=False)
    assert "in_mover" not in short.fit.terms


def test_bad_requests(panel: pd.DataFrame) -> None:
    with pytest.raises(EstimationError, match="population 'nobody'"):
        area_did(panel, "nobody", "employed")
    with pytest.raises(EstimationError, match="outcome 'height'"):
        area_did(panel, "working_age", "height")
    with pytest.raises(EstimationError, match="no treated"):
        area_did(panel.assign(active_plan=0), "working_age", "employed")
    with pytest.raises(EstimationError, match="no control"):
        area_did(panel.assign(active_plan=1), "working_age", "employed")
    with pytest.raises(EstimationError, match="rent support"):
        area_ddd_rent_support(panel.assign(rent_support=0), "working_age", "employed")
    with pytest.raises(EstimationError, match="fixed_effects"):
        area_did(panel, "working_age", "employed", fixed_effects_level="plan")  # type: ignore[arg-type]


def test_results_are_immutable(panel: pd.DataFrame) -> None:
    res = area_did(panel, "working_age", "employed")
    with pytest.raises(AttributeError):
        res.n_plans = 0  # type: ignore[misc]


# --------------------------------------------------------------------------- balance


def test_balance_table_by_hand() -> None:
    deps = pd.DataFrame(
        {
            "cohort": ["control"] * 5 + ["g1"] * 4,
            "capital_area": [True, False, False, False, False, True, True, True, False],
            "built_1955_1975_share": [0.6, 0.2, 0.1, 0.5, 0.3, 0.9, 0.7, 0.4, 0.8],
            "long_vacancy": [False] * 5 + [True, False, False, False],
            "one_two_room_share": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
            "deprivation": [1.0, 2.0, 3.0, 4.0, 5.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    tab = balance_table(deps).set_index(["variable", "group"])
    # capital area: control 1/5 = 20 %, g1 3/4 = 75 %
    assert tab.loc[("capital_area", "control"), "estimate"] == pytest.approx(20.0)
    assert tab.loc[("capital_area", "g1"), "estimate"] == pytest.approx(75.0)
    # Fisher, table [[3, 1], [1, 4]]: P(a) = C(4,a) C(5,4-a) / C(9,4); two-sided sums
    # the tables no more likely than the observed one: a = 3 (20/126) and a = 4 (1/126),
    # a = 0 (5/126); a = 1 (40/126) and a = 2 (60/126) are more likely.
    assert tab.loc[("capital_area", "g1"), "p_value"] == pytest.approx(26 / 126, rel=1e-10)
    # built share >= 0.5: control 2/5 (0.6, 0.5), g1 3/4
    assert tab.loc[("built_1955_1975", "control"), "estimate"] == pytest.approx(40.0)
    # t-test deprivation: means 3 vs 4.5, pooled var ((10) + (5)) / 7, se = sqrt(s2 (1/5 + 1/4))
    s2 = (10 + 5) / 7
    t = (4.5 - 3.0) / math.sqrt(s2 * (1 / 5 + 1 / 4))
    assert tab.loc[("deprivation", "g1"), "test_statistic"] == pytest.approx(t, rel=1e-12)
    # rank sum: g1 holds ranks 6..9, so U = 20 = n1 n0 (the maximum); no ties, z = (U - 10) / sd
    u, mu, sd = 20.0, 10.0, math.sqrt(4 * 5 * 10 / 12)
    p = math.erfc(abs(u - mu) / sd / math.sqrt(2))
    assert tab.loc[("one_two_room_share", "g1"), "p_value"] == pytest.approx(p, rel=1e-10)
    assert tab.loc[("one_two_room_share", "g1"), "stars"] == "**"
    assert tab.loc[("n_departments", "g1"), "n"] == 4
    assert np.isnan(tab.loc[("deprivation", "control"), "p_value"])


def test_balance_table_needs_control() -> None:
    deps = pd.DataFrame(
        {
            "cohort": ["g1", "g2"],
            "capital_area": [True, False],
            "built_1955_1975_share": [0.1, 0.2],
            "long_vacancy": [False, True],
            "one_two_room_share": [0.1, 0.2],
            "deprivation": [1.0, 2.0],
        }
    )
    with pytest.raises(EstimationError, match="control"):
        balance_table(deps)
