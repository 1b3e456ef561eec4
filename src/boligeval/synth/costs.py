"""Plan amounts and reach of the synthetic world, and their truth (docs/methods.md §7).

Drawn from a random stream of their own (``default_rng([seed, 1706])``), after
the world is built, so every other draw of the world is unchanged.

Calibration (seed, LBF-puljen 2006-10): Landsbyggefonden granted 2.2 billion
DKK in 2006-10 to 162 social master plans and rent support; about 1 billion
of it went as rent support to 128 departments (seed §1, "Huslejestøtte"),
which leaves about 1.2 billion, 7.4 million DKK per plan. The seed's case
table 6.1 groups grants as below 5, 5-15 and above 15 million DKK. The seed
gives no amount per plan and no co-financing share or reach: the grant is
drawn log-normal around 7.4 million (larger for plans with more dwellings),
co-financing (municipality and housing organisation) as 20-50 % of the grant,
rent support per rent-support department log-normal around 7.8 million, and
the share of residents a plan's activities reach from Beta(2.5, 7.5) (mean
0.25). These are assumptions, written here and in docs/methods.md §7.4.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["AMOUNTS_STREAM", "cost_truth", "plan_amounts"]

#: Second entropy word of the amounts' random stream.
AMOUNTS_STREAM = 1706
_GRANT_MEAN = 7.4e6
_GRANT_SIGMA = 0.55
_RENT_SUPPORT_MEAN = 7.8e6
_RENT_SUPPORT_SIGMA = 0.6


def plan_amounts(plans: pd.DataFrame, departments: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Grant, co-financing, rent support (DKK, nominal) and reach share of every plan.

    Returns ``plan_id``, ``grant_dkk``, ``co_financing_dkk``, ``rent_support_dkk``
    and ``reach_share`` in the order of ``plans``; rent-support-only plans
    (no grant year) have no grant, co-financing or reach.
    """
    rng = np.random.default_rng([int(seed), AMOUNTS_STREAM])
    ids = plans["plan_id"].astype(str).to_numpy()
    dept_plan = departments["plan_id"].astype(str)
    dwellings = departments["dwellings"].astype(float).groupby(dept_plan).sum()
    size = dwellings.reindex(ids).fillna(dwellings.mean()).to_numpy()
    is_plan = plans["grant_year"].notna().to_numpy()
    n = len(ids)
    eps = rng.standard_normal(n)
    cofin = rng.uniform(0.2, 0.5, n)
    reach = rng.beta(2.5, 7.5, n)
    rel = np.log(size) - np.log(size[is_plan]).mean() if is_plan.any() else np.zeros(n)
    grant = _GRANT_MEAN * np.exp(0.4 * rel + _GRANT_SIGMA * eps - _GRANT_SIGMA**2 / 2)
    grant = np.where(is_plan, np.round(grant, -3), 0.0)
    # rent support: one draw per department with a rent-support year, summed by plan
    has_rs = departments["rent_support_year"].notna().to_numpy()
    rs_draw = _RENT_SUPPORT_MEAN * np.exp(_RENT_SUPPORT_SIGMA * rng.standard_normal(len(has_rs))
                                          - _RENT_SUPPORT_SIGMA**2 / 2)
    rs = pd.Series(np.where(has_rs, np.round(rs_draw, -3), 0.0)).groupby(dept_plan.to_numpy()).sum()
    return pd.DataFrame({
        "plan_id": plans["plan_id"].to_numpy(),
        "grant_dkk": np.where(is_plan, grant, 0.0),
        "co_financing_dkk": np.where(is_plan, np.round(grant * cofin, -3), 0.0),
        "rent_support_dkk": rs.reindex(ids).fillna(0.0).to_numpy(),
        "reach_share": pd.array(np.where(is_plan, np.round(reach, 3), np.nan), dtype="Float64"),
    })


def _num(x: float) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else round(float(x), 6)


def cost_truth(panel: pd.DataFrame, plans: pd.DataFrame, departments: pd.DataFrame,
               prices: pd.DataFrame, years: Sequence[int], *, price_base_year: int,
               min_count: int) -> dict[str, object]:
    """True costs and cost-effectiveness of the world (truth.json ``costs``).

    ``panel`` holds the truth cells of the departments passing the minimum
    count (department_id, year, population, outcome, n, effect, start).
    Costs follow the estimator's definition (plan-level amounts spread over
    the plan's years, shared by dwellings, in base-year prices, the cost of
    the measured active department-years: :mod:`boligeval.estimate.cost`);
    the extra outcome is the sum of (observed - counterfactual) x n over the
    same department-years, from both potential-outcome worlds.
    """
    from boligeval.estimate.cost import annual_costs, department_shares

    treated = plans[plans["grant_year"].notna()]
    annual = annual_costs(treated, prices=prices, price_base_year=price_base_year)
    annual["plan"] = annual["grant_dkk"] + annual["co_financing_dkk"]
    plan_total = annual.groupby("plan_id")["plan"].sum()
    shares = department_shares(departments)
    first_year = min(years)
    measured = sorted(int(y) for y in years)
    out: dict[str, object] = {
        "note": "cost = grant_dkk + co_financing_dkk of the measured active department-years "
                f"(base-year prices {price_base_year}); extra = sum of effect x n over them "
                "(persons for shares, DKK for income); reach_share is only reported: effects "
                "are not generated through it",
        "price_base_year": price_base_year,
        "min_count": min_count,
        "programme_cost_all_plans": _num(float(annual["plan"].sum())),
    }
    reach = plans.set_index(plans["plan_id"].astype(str))["reach_share"].astype(float)
    for pop, outcome, key in (("working_age", "employed", "working_age_employed"),
                              ("all", "disposable_income", "all_disposable_income")):
        sub = panel[(panel["population"] == pop) & (panel["outcome"] == outcome)].copy()
        sub = sub[sub["start"] <= sub["year"]]
        first = sub["start"].map(lambda s: next((y for y in measured if y >= s), 0))
        sub = sub.assign(first=first.to_numpy())
        sub = sub[sub["first"] > first_year]
        sub = sub.merge(shares[["department_id", "plan_id", "share"]], on="department_id")
        sub = sub.merge(annual[["plan_id", "year", "plan"]], on=["plan_id", "year"], how="left")
        sub["cost"] = sub["plan"].fillna(0.0) * sub["share"]
        scale = 0.01 if outcome == "employed" else 1.0
        sub["extra"] = sub["effect"] * sub["n"] * scale
        entry: dict[str, object] = {}
        for g, grp in [*sorted(sub.groupby("first")), ("programme", sub)]:
            cost, extra, expo = float(grp["cost"].sum()), float(grp["extra"].sum()), \
                float(grp["n"].sum())
            plan_expo = grp.groupby("plan_id")["n"].sum()
            r = reach.reindex(plan_expo.index)
            ok = r.notna()
            share = float(np.average(r[ok], weights=plan_expo[ok])) if ok.any() else math.nan
            itt = extra / expo / scale if expo else math.nan
            total = float(plan_total.reindex(grp["plan_id"].unique()).fillna(0.0).sum())
            row = {"programme_cost": _num(total), "window_cost": _num(cost),
                   "resident_years": int(expo), "extra": _num(extra),
                   "itt_weighted": _num(itt), "reach_share": _num(share),
                   "effect_on_reached": _num(itt / share) if share else None,
                   "n_department_years": len(grp)}
            if outcome == "employed":
                row["cost_per_extra_employed"] = _num(cost / extra) if extra else None
            else:
                row["income_per_dkk"] = _num(extra / cost) if cost else None
            entry[str(g)] = row
        out[key] = entry
    return out
