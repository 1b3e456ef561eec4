"""Programme costs, cost-effectiveness and the effect on those reached (docs/methods.md §7).

Costs are the plans' recorded amounts (``grant_dkk``, ``co_financing_dkk``,
``rent_support_dkk``), per plan or per plan-year (``plan_costs``), nominal DKK
put in ``[design] price_base_year`` prices with the ``prices`` index. They are
records, not samples: every interval here reflects the uncertainty of the
effect only.

The effect is the Callaway-Sant'Anna ATT(g, t) (:func:`boligeval.estimate.staggered.att_gt`,
departments weighted by their mean number of residents in the population),
aggregated with the exposure of each cell: the extra outcome (persons in
employment, DKK of income) over the measured active department-years is

    Delta = sum_{g, t >= g} ATT(g, t) * E(g, t),   E(g, t) = sum of n over cohort g in year t,

(share outcomes in points are divided by 100), with the influence function
``sum E(g, t) IF(g, t)`` and plan-clustered standard errors. The cost matched
to that exposure is the plans' cost in the same measured active years, each
department taking its plan's share by dwellings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from boligeval.errors import EstimationError, NoInputError
from boligeval.estimate.ols import cluster_sums

__all__ = [
    "AMOUNT_COLUMNS",
    "COST_PARTS",
    "CostResult",
    "ExposureEffect",
    "RatioInterval",
    "ReachResult",
    "annual_costs",
    "cost_effectiveness",
    "department_shares",
    "exposure_effect",
    "plan_exposure",
    "ratio_interval",
    "reach_effect",
    "weighted_reach",
]

#: Amount columns of ``plans`` and ``plan_costs`` (DKK, nominal).
AMOUNT_COLUMNS: tuple[str, ...] = ("grant_dkk", "co_financing_dkk", "rent_support_dkk")
#: Which amounts count as the cost of the treatment ``active_plan`` measures.
COST_PARTS: dict[str, tuple[str, ...]] = {
    "plan": ("grant_dkk", "co_financing_dkk"),
    "grant": ("grant_dkk",),
    "all": AMOUNT_COLUMNS,
}
_PROGRAMME = "programme"


# --------------------------------------------------------------------------- costs


def _year_or_nan(value: object) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return out if math.isfinite(out) else math.nan


def annual_costs(
    plans: pd.DataFrame,
    plan_costs: pd.DataFrame | None = None,
    *,
    prices: pd.DataFrame | None = None,
    price_base_year: int | None = None,
    duration: int = 4,
) -> pd.DataFrame:
    """Every plan's amounts per calendar year, in base-year prices.

    A plan with rows in ``plan_costs`` takes those (nominal DKK of each row's
    year). Otherwise its plan-level amounts are spread evenly over its years,
    from ``start_year`` (else ``grant_year``) to ``end_year`` (else ``duration``
    years), each year's part in that year's prices. Empty amount cells count
    as 0 within a plan that has some amount; a plan without any amount is left
    out (the caller checks the plans it needs).

    Parameters
    ----------
    plans : pandas.DataFrame
        ``plan_id``, ``grant_year``, ``start_year``, ``end_year`` and amount columns.
    plan_costs : pandas.DataFrame, optional
        ``plan_id``, ``year`` and amount columns.
    prices : pandas.DataFrame, optional
        ``year``, ``index``; None leaves amounts nominal.
    price_base_year : int, optional
        Year whose prices the result is in (with ``prices``).
    duration : int
        Years of a plan without ``end_year``.

    Returns
    -------
    pandas.DataFrame
        ``plan_id``, ``year`` and the amount columns (real DKK).
    """
    cols = list(AMOUNT_COLUMNS)
    parts: list[pd.DataFrame] = []
    yearly_ids: set[str] = set()
    if plan_costs is not None and len(plan_costs):
        pc = plan_costs.copy()
        pc["plan_id"] = pc["plan_id"].astype(str)
        for c in cols:
            pc[c] = pd.to_numeric(pc[c], errors="coerce") if c in pc else np.nan
        pc = pc[pc[cols].notna().any(axis=1)]
        yearly_ids = set(pc["plan_id"])
        parts.append(pc[["plan_id", "year", *cols]].astype({"year": "int64"}))
    rows = []
    for plan in plans.to_dict("records"):
        pid = str(plan["plan_id"])
        if pid in yearly_ids:
            continue
        amounts = [_year_or_nan(plan.get(c)) for c in cols]
        if all(math.isnan(a) for a in amounts):
            continue
        first = _year_or_nan(plan.get("start_year"))
        if math.isnan(first):
            first = _year_or_nan(plan.get("grant_year"))
        if math.isnan(first):
            continue  # no year to place the amounts in (rent-support-only records)
        last = _year_or_nan(plan.get("end_year"))
        if math.isnan(last) or last < first:
            last = first + duration - 1
        years = np.arange(int(first), int(last) + 1)
        for y in years:
            rows.append([pid, int(y), *[0.0 if math.isnan(a) else a / len(years)
                                        for a in amounts]])
    if rows:
        parts.append(pd.DataFrame(rows, columns=["plan_id", "year", *cols]))
    if not parts:
        return pd.DataFrame({"plan_id": pd.Series(dtype=str), "year": pd.Series(dtype="int64"),
                             **{c: pd.Series(dtype=float) for c in cols}})
    out = pd.concat(parts, ignore_index=True)
    out[cols] = out[cols].fillna(0.0)
    if prices is not None and price_base_year is not None:
        index = dict(zip(prices["year"].astype(int), prices["index"].astype(float), strict=True))
        need = sorted({*out["year"].astype(int), int(price_base_year)} - set(index))
        if need:
            raise EstimationError(
                "prices has no index for the year(s) "
                f"{', '.join(map(str, need[:10]))}, which the plan amounts (or "
                "[design] price_base_year) need; add those years to prices.")
        factor = out["year"].map(lambda y: index[int(price_base_year)] / index[int(y)])
        out[cols] = out[cols].mul(factor, axis=0)
    return out.groupby(["plan_id", "year"], as_index=False, sort=True)[cols].sum()


def department_shares(departments: pd.DataFrame) -> pd.DataFrame:
    """Each department's share of its plan's amounts: by dwellings, equal where any is missing.

    Returns ``department_id``, ``plan_id``, ``dwellings`` and ``share``.
    """
    d = departments[["department_id", "plan_id", "dwellings"]].copy()
    d["department_id"] = d["department_id"].astype(str)
    d["plan_id"] = d["plan_id"].astype(str)
    d["dwellings"] = pd.to_numeric(d["dwellings"], errors="coerce").astype(float)
    per_plan = d.groupby("plan_id")["dwellings"]
    complete = per_plan.transform(lambda s: bool(s.notna().all() and s.sum() > 0))
    by_dwelling = d["dwellings"] / per_plan.transform("sum")
    equal = 1.0 / per_plan.transform("size")
    d["share"] = np.where(complete.astype(bool), by_dwelling, equal)
    return d


# --------------------------------------------------------------------------- ratios


@dataclass(frozen=True)
class RatioInterval:
    """A ratio ``numerator / effect`` with a fixed numerator: delta and Fieller-type sets.

    Attributes
    ----------
    estimate, std_error : float
        The ratio and its delta-method standard error.
    ci_low, ci_high : float
        Delta-method interval; NaN when the set below is unbounded.
    set_low, set_high : float
        The exact confidence set, the image of the effect's interval: the
        interval [set_low, set_high] when ``bounded``, else the two rays
        (-inf, set_low] and [set_high, inf).
    bounded : bool
        Whether the effect's interval excludes zero.
    """

    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    set_low: float
    set_high: float
    bounded: bool


def ratio_interval(numerator: float, effect: float, se: float, alpha: float = 0.05
                   ) -> RatioInterval:
    """CI of ``numerator / effect`` when only ``effect`` is uncertain.

    The delta method gives ``SE = |numerator| * se / effect**2``. Inverting the
    effect's normal interval [L, U] gives the exact (Fieller-type) set: with
    fixed numerator ``c``, ``{c / x : x in [L, U]}``, which is the interval
    between c/U and c/L when 0 is outside [L, U], and the union of two
    unbounded rays when it is inside. The delta interval is reported only in
    the first case; in the second no finite interval covers the ratio.
    """
    z = float(stats.norm.ppf(1 - alpha / 2))
    if effect == 0 or not math.isfinite(effect):
        return RatioInterval(math.nan, math.nan, math.nan, math.nan, math.nan, math.nan, False)
    ratio = numerator / effect
    dse = abs(numerator) * se / effect**2
    lo, hi = effect - z * se, effect + z * se
    if lo > 0 or hi < 0:
        a, b = sorted((numerator / lo, numerator / hi))
        return RatioInterval(ratio, dse, ratio - z * dse, ratio + z * dse, a, b, True)
    # 0 inside [lo, hi]: the set is (-inf, c/lo] U [c/hi, inf) for c > 0 (mirrored for c < 0)
    ends = sorted((numerator / lo if lo != 0 else -math.inf,
                   numerator / hi if hi != 0 else math.inf))
    return RatioInterval(ratio, dse, math.nan, math.nan, ends[0], ends[1], False)


# --------------------------------------------------------------------------- effects


@dataclass(frozen=True)
class ExposureEffect:
    """The exposure-weighted effect of each cohort and of the programme.

    Attributes
    ----------
    groups : tuple
        First active years (cohorts of the staggered design), then ``"programme"``.
    extra, extra_se : np.ndarray
        Extra outcome units over the measured active department-years
        (persons for shares, DKK for amounts) and their standard errors.
    exposure : np.ndarray
        Resident-years (sum of the panel's n) over those department-years.
    effect, effect_se : np.ndarray
        ``extra / exposure`` in the outcome's unit (points for shares).
    n_departments, n_plans : np.ndarray
        Treated departments and plans behind each row.
    n_clusters : int
        Plans (clusters) in the estimation.
    """

    groups: tuple[int | str, ...]
    extra: np.ndarray
    extra_se: np.ndarray
    exposure: np.ndarray
    effect: np.ndarray
    effect_se: np.ndarray
    n_departments: np.ndarray
    n_plans: np.ndarray
    n_clusters: int


def _cluster_se(psi: np.ndarray, cluster: np.ndarray, n_clusters: int) -> float:
    """Standard error of a sum of influence values: the root of the squared cluster sums."""
    return float(np.sqrt(np.sum(cluster_sums(psi[:, None], cluster, n_clusters) ** 2)))


def exposure_effect(
    data: pd.DataFrame,
    *,
    share: bool,
    control_group: str = "notyettreated",
    weighted: bool = True,
    unbalanced: bool = False,
) -> ExposureEffect:
    """CS ATT(g, t) aggregated by exposure: the extra outcome units of each cohort.

    Parameters
    ----------
    data : pandas.DataFrame
        One population and outcome of the panel with ``first_treated``
        (``Panel.first_treated``): department_id, plan_id, year, value, n.
    share : bool
        Whether the outcome is a share in points (extra persons = points / 100 * n).
    control_group : {"notyettreated", "nevertreated"}
        CS comparison departments.
    weighted : bool
        Weight departments by their mean n (the effect per resident rather
        than per department, so that ATT * exposure counts persons).
    unbalanced : bool
        Estimate an unbalanced panel (departments built or demolished) as R
        did does, instead of refusing it.
    """
    from boligeval.estimate.staggered import att_gt

    need = {"department_id", "plan_id", "year", "value", "n", "first_treated"}
    missing = sorted(need - set(data.columns))
    if missing:
        raise EstimationError(f"the panel lacks the columns {missing}")
    df = data.copy()
    df["_w"] = df.groupby("department_id")["n"].transform("mean").astype(float)
    res = att_gt(df, yname="value", tname="year", idname="department_id", gname="first_treated",
                 control_group=control_group,  # type: ignore[arg-type]
                 weights="_w" if weighted else None, cluster="plan_id", bootstrap=False,
                 allow_unbalanced_panel=unbalanced)
    scale = 0.01 if share else 1.0
    post = res.times >= res.groups
    n_by = df.groupby(["first_treated", "year"])["n"].sum()
    e_cell = np.array([float(n_by.get((int(g), int(t)), 0.0))
                       for g, t in zip(res.groups, res.times, strict=True)])
    glist = sorted({int(g) for g in res.groups[post]})
    groups: list[int | str] = [*glist, _PROGRAMME]
    extra, extra_se, exposure, n_dep, n_plan = [], [], [], [], []
    treated = df[df["first_treated"] > 0]
    for g in groups:
        keep = post & ((res.groups == g) if g != _PROGRAMME else True)
        w = np.where(keep, e_cell * scale, 0.0)
        extra.append(float(res.att @ w))
        extra_se.append(_cluster_se(res.influence @ w, res.cluster, res.n_clusters))
        exposure.append(float(e_cell[keep].sum()))
        sub = treated[treated["first_treated"].isin(glist if g == _PROGRAMME else [g])]
        n_dep.append(sub["department_id"].nunique())
        n_plan.append(sub["plan_id"].nunique())
    ex, ex_se, expo = np.array(extra), np.array(extra_se), np.array(exposure)
    with np.errstate(divide="ignore", invalid="ignore"):
        eff = np.where(expo > 0, ex / expo / scale, np.nan)
        eff_se = np.where(expo > 0, ex_se / expo / scale, np.nan)
    return ExposureEffect(tuple(groups), ex, ex_se, expo, eff, eff_se, np.array(n_dep),
                          np.array(n_plan), int(res.n_clusters))


# --------------------------------------------------------------------------- cost-effectiveness


@dataclass(frozen=True)
class CostResult:
    """Costs and cost-effectiveness by cohort (first active year) and for the programme.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per term and group: ``term``, ``group`` (first active year or
        ``programme``), ``estimate``, ``std_error``, ``p_value``, ``ci_low``,
        ``ci_high``, ``set_low``, ``set_high``, ``bounded``, ``n_obs``
        (resident-years), ``n_departments``, ``n_plans``.
    share : bool
        Whether the outcome is a share (cost per extra employed) or an
        amount (extra DKK per DKK spent).
    cost : str
        Which amounts count as cost (a key of :data:`COST_PARTS`).
    """

    table: pd.DataFrame
    share: bool
    cost: str

    def tidy(self) -> pd.DataFrame:
        """The table (columns ``term, estimate, std_error, p_value, ci_low, ci_high`` first)."""
        return self.table.copy()

    def summary(self) -> str:
        """Plain-text table."""
        head = ("Cost per extra person in employment" if self.share
                else "Extra DKK per DKK spent") + f" (cost = {self.cost})\n"
        cols = ["term", "group", "estimate", "std_error", "ci_low", "ci_high"]
        return head + self.table[cols].to_string(index=False)


def _row(term: str, group: int | str, estimate: float, se: float = math.nan,
         ci: tuple[float, float] = (math.nan, math.nan), *, counts: dict[str, object],
         p: float | None = None, **extra: object) -> dict[str, object]:
    if p is None and math.isfinite(se) and se > 0:
        p = float(2 * stats.norm.sf(abs(estimate / se)))
    return {"term": term, "group": group, "estimate": estimate, "std_error": se,
            "p_value": math.nan if p is None else p, "ci_low": ci[0], "ci_high": ci[1],
            **extra, **counts}


def cost_effectiveness(
    data: pd.DataFrame,
    plans: pd.DataFrame,
    departments: pd.DataFrame,
    *,
    share: bool,
    plan_costs: pd.DataFrame | None = None,
    prices: pd.DataFrame | None = None,
    price_base_year: int | None = None,
    cost: str = "plan",
    duration: int = 4,
    alpha: float = 0.05,
    control_group: str = "notyettreated",
    unbalanced: bool = False,
) -> CostResult:
    """Costs per resident-year and per dwelling, and the cost of the effect.

    For a share outcome (employment) the ratio is the cost per additional
    person-year in employment, ``C / Delta``; for an amount (income) the
    extra DKK of outcome per DKK spent, ``Delta / C``, which is linear in
    the effect and so has an exact interval even when the effect's
    interval includes zero. ``C`` is the cost of the measured active
    department-years (see the module docstring).

    Parameters
    ----------
    data : pandas.DataFrame
        One population and outcome of the panel with ``first_treated``.
    plans, departments : pandas.DataFrame
        The contract tables (amount columns, dwellings).
    share : bool
        Whether the outcome is a share in points.
    plan_costs : pandas.DataFrame, optional
        Amounts per plan-year; they win over the plan-level columns.
    prices : pandas.DataFrame, optional
        Price index; amounts are put in ``price_base_year`` prices.
    price_base_year : int, optional
        Base year of the prices.
    cost : {"plan", "grant", "all"}
        Grant and co-financing; the grant alone; or also rent support.
    duration : int
        Years of a plan without ``end_year``.
    alpha : float
        One minus the confidence level.
    control_group : str
        CS comparison departments.
    unbalanced : bool
        Estimate an unbalanced panel, as :func:`exposure_effect`.

    Raises
    ------
    NoInputError
        When no plan carries an amount.
    EstimationError
        When treated plans in the sample lack amounts, or a year lacks a price index.
    """
    if cost not in COST_PARTS:
        raise EstimationError(f"cost must be one of {', '.join(COST_PARTS)}, got {cost!r}")
    has_plan_amounts = any(c in plans.columns and plans[c].notna().any() for c in AMOUNT_COLUMNS)
    if not has_plan_amounts and (plan_costs is None or plan_costs.empty):
        raise NoInputError("the plans carry no amounts (grant_dkk, co_financing_dkk, "
                           "rent_support_dkk) and there is no plan_costs table")
    df = data[["department_id", "plan_id", "year", "n", "first_treated", "active_plan"]].copy()
    df["department_id"] = df["department_id"].astype(str)
    df["plan_id"] = df["plan_id"].astype(str)
    first_year = float(df["year"].min())
    treated = df[(df["first_treated"] > first_year)]
    # only the treated plans of the sample: other plans' years need no price index
    needed = set(treated["plan_id"])
    annual = annual_costs(plans[plans["plan_id"].astype(str).isin(needed)],
                          None if plan_costs is None
                          else plan_costs[plan_costs["plan_id"].astype(str).isin(needed)],
                          prices=prices, price_base_year=price_base_year, duration=duration)
    parts = list(COST_PARTS[cost])
    annual["cost"] = annual[parts].sum(axis=1)
    shares = department_shares(departments)
    z = float(stats.norm.ppf(1 - alpha / 2))

    eff = exposure_effect(data, share=share, control_group=control_group,
                          unbalanced=unbalanced)
    missing = sorted(set(treated["plan_id"]) - set(annual["plan_id"]))
    if missing:
        raise EstimationError(
            f"{len(missing)} of the {treated['plan_id'].nunique()} treated plans in the sample "
            "carry no amount; give 0 where nothing was spent (plans columns grant_dkk, "
            "co_financing_dkk, rent_support_dkk, or plan_costs)")
    active = treated[(treated["active_plan"] == 1) & (treated["year"] >= treated["first_treated"])]
    active = active.merge(shares[["department_id", "share"]], on="department_id", how="left")
    active = active.merge(annual[["plan_id", "year", "cost"]], on=["plan_id", "year"],
                          how="left")
    active["cost"] = active["cost"].fillna(0.0) * active["share"].fillna(0.0)
    plan_total = annual.groupby("plan_id")["cost"].sum()
    dwellings = shares.groupby("plan_id")["dwellings"].sum(min_count=1)

    rows: list[dict[str, object]] = []
    for k, g in enumerate(eff.groups):
        in_g = active if g == _PROGRAMME else active[active["first_treated"] == g]
        plan_ids = sorted(set((treated if g == _PROGRAMME
                               else treated[treated["first_treated"] == g])["plan_id"]))
        window = float(in_g["cost"].sum())
        total = float(plan_total.reindex(plan_ids).fillna(0.0).sum())
        homes = float(dwellings.reindex(plan_ids).sum())
        expo = float(eff.exposure[k])
        counts: dict[str, object] = {"n_obs": round(expo),
                                     "n_departments": int(eff.n_departments[k]),
                                     "n_plans": int(eff.n_plans[k])}
        extra, extra_se = float(eff.extra[k]), float(eff.extra_se[k])
        rows += [
            _row("programme_cost", g, total, counts=counts),
            _row("window_cost", g, window, counts=counts),
            _row("cost_per_dwelling", g, total / homes if homes > 0 else math.nan, counts=counts),
            _row("cost_per_resident_year", g, window / expo if expo > 0 else math.nan,
                 counts=counts),
            _row("resident_years", g, expo, counts=counts),
            _row("effect", g, float(eff.effect[k]), float(eff.effect_se[k]),
                 (float(eff.effect[k] - z * eff.effect_se[k]),
                  float(eff.effect[k] + z * eff.effect_se[k])), counts=counts),
            _row("extra_outcome", g, extra, extra_se,
                 (extra - z * extra_se, extra + z * extra_se), counts=counts),
        ]
        if share:
            r = ratio_interval(window, extra, extra_se, alpha)
            rows.append(_row("cost_per_extra_employed", g, r.estimate, r.std_error,
                             (r.ci_low, r.ci_high),
                             p=float(rows[-1]["p_value"]),  # type: ignore[arg-type]
                             set_low=r.set_low, set_high=r.set_high, bounded=r.bounded,
                             counts=counts))
        else:
            ratio = extra / window if window > 0 else math.nan
            se = extra_se / window if window > 0 else math.nan
            rows.append(_row("income_per_dkk", g, ratio, se, (ratio - z * se, ratio + z * se),
                             set_low=ratio - z * se, set_high=ratio + z * se, bounded=True,
                             counts=counts))
    table = pd.DataFrame(rows)
    for col in ("set_low", "set_high"):
        if col not in table:
            table[col] = math.nan
    if "bounded" not in table:
        table["bounded"] = None
    return CostResult(table, share, cost)


# --------------------------------------------------------------------------- reach


@dataclass(frozen=True)
class ReachResult:
    """The effect on those reached: ITT / reach, with the reach-adjusted MDE.

    Attributes
    ----------
    itt, itt_se : float
        Effect on all residents and its standard error.
    reach, reach_se : float
        Share reached and its standard error (0 when the share is the plans' records).
    effect, effect_se : float
        ``itt / reach`` and its delta-method standard error.
    mde, mde_reached : float
        Minimum detectable effect on all residents and ``mde / reach``.
    alpha : float
        One minus the confidence level.
    """

    itt: float
    itt_se: float
    reach: float
    reach_se: float
    effect: float
    effect_se: float
    mde: float
    mde_reached: float
    alpha: float

    def tidy(self) -> pd.DataFrame:
        """Rows ``itt``, ``share_reached``, ``effect_reached``, ``mde``, ``mde_reached``."""
        z = float(stats.norm.ppf(1 - self.alpha / 2))

        def p(est: float, se: float) -> float:
            return float(2 * stats.norm.sf(abs(est / se))) if se > 0 else math.nan

        rows = [
            ("itt", self.itt, self.itt_se, p(self.itt, self.itt_se)),
            ("share_reached", self.reach, self.reach_se, math.nan),
            ("effect_reached", self.effect, self.effect_se, p(self.effect, self.effect_se)),
        ]
        out = pd.DataFrame(
            [{"term": t, "estimate": e, "std_error": s, "p_value": pv,
              "ci_low": e - z * s if s > 0 else math.nan,
              "ci_high": e + z * s if s > 0 else math.nan} for t, e, s, pv in rows]
            + [{"term": t, "estimate": e, "std_error": math.nan, "p_value": math.nan,
                "ci_low": math.nan, "ci_high": math.nan}
               for t, e in (("mde", self.mde), ("mde_reached", self.mde_reached))])
        return out

    def summary(self) -> str:
        """One line."""
        return (f"Effect on those reached: {self.effect:.4g} (SE {self.effect_se:.4g}) = ITT "
                f"{self.itt:.4g} / reach {self.reach:.3g}; MDE {self.mde:.4g}, for those "
                f"reached {self.mde_reached:.4g}")


def reach_effect(itt: float, itt_se: float, reach: float, reach_se: float = 0.0, *,
                 mde: float = math.nan, alpha: float = 0.05) -> ReachResult:
    """The effect on those reached, ``itt / reach``, by the delta method.

    ``Var = itt_se**2 / reach**2 + itt**2 * reach_se**2 / reach**4``: the
    second term is the reach's own sampling error (a survey estimate,
    independent of the register outcomes); a reach taken from the plans'
    records has ``reach_se = 0``.
    """
    if not 0 < reach <= 1:
        raise EstimationError(f"the share reached must be in (0, 1], got {reach!r}")
    if reach_se < 0 or not math.isfinite(reach_se):
        raise EstimationError(f"the reach's standard error must be >= 0, got {reach_se!r}")
    effect = itt / reach
    se = math.sqrt(itt_se**2 / reach**2 + itt**2 * reach_se**2 / reach**4)
    return ReachResult(itt, itt_se, reach, reach_se, effect, se, mde, mde / reach, alpha)


def weighted_reach(reach: pd.Series, weights: pd.Series) -> float:
    """Residents-weighted mean share reached (plans without a share are left out)."""
    ok = reach.notna() & weights.notna() & (weights > 0)
    if not ok.any():
        raise NoInputError("no treated plan in the sample carries reach_share")
    return float(np.average(reach[ok].astype(float), weights=weights[ok].astype(float)))


def plan_exposure(data: pd.DataFrame) -> pd.Series:
    """Resident-years of each plan over its measured active department-years."""
    first = float(data["year"].min())
    act = data[(data["first_treated"] > first) & (data["year"] >= data["first_treated"])]
    return act.groupby(act["plan_id"].astype(str))["n"].sum()
