"""The four pools world: successive plans, demolitions, plan amounts and reach.

``boligeval synth --pools`` writes the programme as evaluators meet it after
the seed: Landsbyggefonden's four pools (2006-10, 2011-14, 2015-18, 2019-26)
on annual register years 2000-2024. It reuses the seed world's machinery:
the departments (sizes, resident mix, levels) and their first plans are
drawn by :func:`boligeval.synth.structure.build_structure`, residents by
:func:`boligeval.synth.people.simulate_department`, the truth cells by
:class:`boligeval.synth.truth.TruthAccumulator`. What this module adds:

* each first plan is granted in one pool's grant years (or never: control);
* after a plan ends, a subset of its departments may get a second and then a
  third plan in a later pool, after a gap (``department_plans``);
* some departments are demolished (leave the register) and a few are built
  (appear) during the period: an unbalanced panel;
* per plan the amounts ``grant_dkk``, ``co_financing_dkk``,
  ``rent_support_dkk`` and the share of residents reached ``reach_share``;
  only reached residents get the plan's effect, so a department's effect (the
  ITT) is the reach times the effect on the reached.

:func:`pools_department_world` draws the same structure with department-year
outcomes instead of residents, for Monte Carlo studies of the estimators
(``tests/test_pools_recovery.py``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from boligeval.config import DEFAULT_SEED
from boligeval.errors import ConfigError
from boligeval.synth.effects import Effects
from boligeval.synth.people import DeptSpec, cpi_index, simulate_department
from boligeval.synth.structure import build_structure
from boligeval.synth.truth import MIN_COUNT, TruthAccumulator, _num
from boligeval.vocabulary import INTERVENTION_AREAS_COLUMN

__all__ = ["POOLS", "POOL_YEARS", "REACH_MEAN", "PoolsStructure", "build_pools_structure",
           "cohort_probabilities",
           "pools_config_text", "pools_department_world", "synthesize_pools"]

#: The pools: name -> (grant years of first plans, plan length in years).
POOLS: Mapping[str, tuple[tuple[int, ...], int]] = {
    "2006-10": ((2006, 2007, 2008), 4),
    "2011-14": ((2011, 2012), 4),
    "2015-18": ((2015, 2016), 4),
    "2019-26": ((2019, 2020), 6),
}
#: Annual register years of the pools world.
POOL_YEARS: tuple[int, ...] = tuple(range(2000, 2025))
#: Share of first plans per pool (the rest never get a plan: the never-treated).
_POOL_SHARES = {"2006-10": 0.34, "2011-14": 0.16, "2015-18": 0.14, "2019-26": 0.12}
_FOLLOW_UP = (0.55, 0.45)  # chance of a second plan after the first, of a third after it
_DEMOLISHED = 0.06  # departments demolished (leave the register) 2011-2022
_BUILT = 0.03  # departments built 2003-2008 (appear in the register)
#: Effects of the pools world: dynamic (growing with exposure, smaller for later pools).
POOLS_EFFECTS = Effects(plan_employed_pp=8.0, dynamic_growth=0.25, dynamic_cohort_step=-0.03,
                        rent_support_employed_pp=0.0, rent_support_in_plan_employed_pp=0.0)


@dataclass(frozen=True)
class PoolsStructure:
    """Plans, departments and plan histories of a pools world.

    Attributes
    ----------
    plans, departments, department_plans : pandas.DataFrame
        The contract tables (plans with the four amount columns).
    params : pandas.DataFrame
        Per department the resident model's parameters, ``register_from``,
        ``register_until`` and the first treatment year ``first_start``.
    """

    plans: pd.DataFrame
    departments: pd.DataFrame
    department_plans: pd.DataFrame
    params: pd.DataFrame


def cohort_probabilities() -> dict[int, float]:
    """The chance that a first plan (so a department) is in each first-grant-year cohort.

    A first plan is in a pool with the pool's share and in each of its grant
    years with equal chance; what is left never gets a plan.
    """
    return {y: _POOL_SHARES[pool] / len(years) for pool, (years, _) in POOLS.items()
            for y in years}


def _plan_amounts(rng: np.random.Generator, dwellings: float) -> dict[str, float]:
    grant = round(float(dwellings * rng.uniform(6_000, 30_000)), -3)
    return {
        "grant_dkk": grant,
        "co_financing_dkk": round(grant * float(rng.uniform(0.25, 0.8)), -3),
        "rent_support_dkk": (round(grant * float(rng.uniform(0.05, 0.4)), -3)
                             if rng.random() < 0.4 else 0.0),
        "reach_share": round(float(rng.uniform(0.15, 0.65)), 3),
    }


def build_pools_structure(rng: np.random.Generator, scale: float, *,
                          department_size: float = 1.0) -> PoolsStructure:
    """Draw a pools world's plans, departments and plan histories.

    The departments and their grouping into first plans come from the seed
    world's structure (same sizes and resident mix); their timing, follow-up
    plans, demolitions and amounts are drawn here.
    """
    base = build_structure(rng, scale, department_size=department_size)
    depts = base.departments.copy()
    params = base.params.copy()
    dwellings = dict(zip(depts["department_id"].astype(str), depts["dwellings"], strict=True))
    members: dict[str, list[str]] = {}
    for d, p in zip(depts["department_id"].astype(str), depts["plan_id"].astype(str),
                    strict=True):
        members.setdefault(p, []).append(d)
    last_year = POOL_YEARS[-1]
    pool_names = list(POOLS)
    shares = np.array([_POOL_SHARES[p] for p in pool_names])
    plan_rows: list[dict[str, Any]] = []
    spells: list[tuple[str, str, int, int | None]] = []
    base_plans = base.plans.set_index(base.plans["plan_id"].astype(str))
    for plan_id in sorted(members):
        attrs = base_plans.loc[plan_id]
        u = rng.random()
        cum = np.cumsum(shares)
        k = int(np.searchsorted(cum, u, side="right"))
        row: dict[str, Any] = {"plan_id": plan_id, "municipality": str(attrs["municipality"]),
                               INTERVENTION_AREAS_COLUMN: attrs[INTERVENTION_AREAS_COLUMN],
                               "secretariat_type": attrs["secretariat_type"]}
        size = float(sum(dwellings[d] for d in members[plan_id]))
        if k >= len(pool_names):  # never in a plan: control
            plan_rows.append({**row, "grant_year": None, "start_year": None, "end_year": None,
                              "grant_dkk": None, "co_financing_dkk": None,
                              "rent_support_dkk": None, "reach_share": None})
            continue
        chain_depts = list(members[plan_id])
        number = 0
        pool = k
        grant = int(rng.choice(POOLS[pool_names[pool]][0]))
        while True:
            length = POOLS[pool_names[pool]][1]
            end = grant + length - 1
            pid = plan_id if number == 0 else f"{plan_id}-{number + 1}"
            plan_rows.append({**row, "plan_id": pid, "grant_year": grant, "start_year": grant,
                              "end_year": end if end <= last_year else None,
                              **_plan_amounts(rng, size)})
            for d in chain_depts:
                spells.append((d, pid, grant, end if end <= last_year else None))
            number += 1
            if number > len(_FOLLOW_UP) or end >= last_year or rng.random() >= _FOLLOW_UP[
                    number - 1]:
                break
            # A follow-up plan in a later pool, after a gap, for some of the departments.
            later = [i for i in range(pool + 1, len(pool_names))
                     if max(POOLS[pool_names[i]][0]) > end + 1]
            if not later:
                break
            pool = int(rng.choice(later))
            grant = int(rng.choice([y for y in POOLS[pool_names[pool]][0] if y > end + 1]))
            keep = rng.random(len(chain_depts)) < 0.7
            keep[int(rng.integers(len(chain_depts)))] = True
            chain_depts = [d for d, kept in zip(chain_depts, keep, strict=True) if kept]
            size = float(sum(dwellings[d] for d in chain_depts))
    # Departments that leave (demolished) and a few that appear (built).
    ids = params["department_id"].astype(str).to_numpy()
    n = len(ids)
    until = np.where(rng.random(n) < _DEMOLISHED, rng.integers(2011, 2023, n), 0)
    built = (rng.random(n) < _BUILT) & (until == 0)
    since = np.where(built, rng.integers(2003, 2009, n), 0)
    params["register_from"] = since
    params["register_until"] = until
    params["rs_year"] = -1
    gone = dict(zip(ids, until, strict=True))
    kept_spells = []
    for d, pid, start, stop in spells:
        u_year = int(gone[d])
        if u_year and start >= u_year:
            continue  # demolished before this plan started
        if u_year and (stop is None or stop >= u_year):
            stop = u_year - 1
        kept_spells.append((d, pid, start, stop))
    department_plans = pd.DataFrame(kept_spells,
                                     columns=["department_id", "plan_id", "from_year", "to_year"])
    department_plans = department_plans.sort_values(["department_id", "from_year"]).reset_index(
        drop=True)
    department_plans["from_year"] = department_plans["from_year"].astype("int64")
    department_plans["to_year"] = department_plans["to_year"].astype("Int64")
    first = department_plans.groupby("department_id")["from_year"].min()
    params["first_start"] = params["department_id"].map(first).fillna(-1).astype("int64")
    plans = pd.DataFrame(plan_rows).sort_values("plan_id", kind="stable").reset_index(drop=True)
    for col in ("grant_year", "start_year", "end_year"):
        plans[col] = plans[col].astype("Int64")
    for col in ("grant_dkk", "co_financing_dkk", "rent_support_dkk", "reach_share"):
        plans[col] = plans[col].astype(float)
    for col in ("plan_id", "municipality", INTERVENTION_AREAS_COLUMN, "secretariat_type"):
        plans[col] = plans[col].astype("string")
    depts["rent_support_year"] = pd.array([pd.NA] * len(depts), dtype="Int64")
    return PoolsStructure(plans=plans, departments=depts, department_plans=department_plans,
                          params=params)


def _histories(structure: PoolsStructure) -> dict[str, list[tuple[str, int, int]]]:
    """Per department its spells (plan, from, to) with open ends at the last year."""
    out: dict[str, list[tuple[str, int, int]]] = {}
    last = POOL_YEARS[-1]
    dp = structure.department_plans
    stops = dp["to_year"].astype("Float64").fillna(last).astype(int).tolist()
    for dept, plan, start, stop in zip(dp["department_id"].astype(str),
                                       dp["plan_id"].astype(str),
                                       dp["from_year"].astype(int).tolist(), stops, strict=True):
        out.setdefault(dept, []).append((plan, int(start), int(stop)))
    return out


def _year_paths(spells: list[tuple[str, int, int]], reach: Mapping[str, float],
                years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per year: inside a plan, and the reach of that plan (0 outside)."""
    active = np.zeros(len(years), dtype=bool)
    share = np.zeros(len(years))
    for plan, lo, hi in spells:
        inside = (years >= lo) & (years <= hi)
        active |= inside
        share[inside] = reach[plan]
    return active, share


def pools_config_text(data_dir: str = ".", *, seed: int = DEFAULT_SEED,
                      lang: str = "en") -> str:
    """A config whose ``[design]`` fits a pools world (annual years, cohorts per grant year)."""
    years = ", ".join(str(y) for y in POOL_YEARS)
    return (
        f'[data]\ndir = "{data_dir}"\n\n'
        f"[design]\nyears = [{years}]\ncohorts = \"auto\"\nstop_at_end = false\n"
        "price_base_year = 2009\n\n"
        "[panel]\nbalanced = false\n\n"
        f"[inference]\nseed = {seed}\n\n"
        f'[report]\nlang = "{lang}"\n'
    )


def _truth(cells: pd.DataFrame, structure: PoolsStructure) -> dict[str, Any]:
    """ATT by cohort and event time (ITT and effect on the reached), costs."""
    hist = _histories(structure)
    reach = dict(zip(structure.plans["plan_id"].astype(str),
                     structure.plans["reach_share"], strict=True))
    years = np.array(POOL_YEARS)
    first = {d: min(s[1] for s in sp) for d, sp in hist.items()}
    grant = dict(zip(structure.plans["plan_id"].astype(str), structure.plans["grant_year"],
                     strict=True))
    cohort = {d: int(grant[min(sp, key=lambda s: s[1])[0]]) for d, sp in hist.items()}
    shares = {}
    for d, sp in hist.items():
        share = _year_paths(sp, reach, years)[1]
        shares[d] = dict(zip(years.tolist(), share.tolist(), strict=True))
    # The panel's rule: every year found has MIN_COUNT units, at least two years.
    ok = cells[cells["n"] >= 1].copy()
    counts = ok.groupby(["population", "outcome", "department_id"]).agg(
        k=("year", "nunique"), low=("n", "min")).reset_index()
    good = counts[(counts["k"] >= 2) & (counts["low"] >= MIN_COUNT)]
    ok = ok.merge(good[["population", "outcome", "department_id"]])
    ok["first"] = ok["department_id"].map(first)
    ok = ok[ok["first"].notna() & (ok["year"] >= ok["first"])].copy()
    ok["cohort"] = ok["department_id"].map(cohort).astype(int)
    ok["event_time"] = (ok["year"] - ok["first"]).astype(int)
    ok["reach"] = [shares[d][y] for d, y in zip(ok["department_id"], ok["year"], strict=True)]
    att: dict[str, Any] = {}
    for (pop, outcome), grp in ok.groupby(["population", "outcome"], sort=True):
        inside = grp[grp["reach"] > 0]
        on_reached = inside["effect"] / inside["reach"]
        att.setdefault(str(pop), {})[str(outcome)] = {
            "overall": _num(grp["effect"].mean()),
            "n_department_years": len(grp),
            "by_cohort": {str(c): _num(v) for c, v in grp.groupby("cohort")["effect"].mean()
                          .items()},
            "by_event_time": {str(e): _num(v) for e, v in grp.groupby("event_time")["effect"]
                              .mean().items()},
            "by_cohort_year": {
                str(c): {str(y): _num(v) for y, v in sub.groupby("year")["effect"].mean().items()}
                for c, sub in grp.groupby("cohort")},
            "itt_in_plan": {
                "overall": _num(inside["effect"].mean()),
                "by_cohort": {str(c): _num(v) for c, v in
                              inside.groupby("cohort")["effect"].mean().items()},
                "by_event_time": {str(e): _num(v) for e, v in
                                  inside.groupby("event_time")["effect"].mean().items()},
            },
            "effect_on_reached": {
                "overall": _num(on_reached.mean()),
                "by_cohort": {str(c): _num(v) for c, v in
                              on_reached.groupby(inside["cohort"]).mean().items()},
                "by_event_time": {str(e): _num(v) for e, v in
                                  on_reached.groupby(inside["event_time"]).mean().items()},
            },
        }
    wa = ok[(ok["population"] == "working_age") & (ok["outcome"] == "employed")]
    plans = structure.plans
    cost = float(plans[["grant_dkk", "co_financing_dkk", "rent_support_dkk"]].sum().sum())
    extra = float((wa["effect"] * wa["n"]).sum() / 100.0)
    return {
        "att": att,
        "cost": {
            "total_dkk": cost,
            "grant_dkk": float(plans["grant_dkk"].sum()),
            "co_financing_dkk": float(plans["co_financing_dkk"].sum()),
            "rent_support_dkk": float(plans["rent_support_dkk"].sum()),
            "itt_employed_working_age_pp": _num(wa["effect"].mean()),
            "extra_employed_person_years": round(extra, 3),
            "dkk_per_extra_employed_person_year": (_num(cost / extra) if extra > 0 else None),
            "note": "extra employed person-years: the true effect on the working-age "
                    "employment share (points) times the working-age persons, summed over the "
                    "department-years since each department's first plan",
        },
    }


def synthesize_pools(
    out_dir: Path,
    *,
    scale: float = 0.5,
    department_size: float = 0.35,
    seed: int = DEFAULT_SEED,
    fmt: Literal["parquet", "csv"] = "parquet",
    effects: Effects | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, Any]:
    """Write a pools world: contract files, ``department_plans``, truth.json, config.toml.

    Parameters
    ----------
    out_dir : Path
        Folder to write.
    scale, department_size : float
        Numbers of plans and departments, and department sizes, relative to
        the seed's world (defaults keep it well under a minute).
    seed : int
        Seed of ``numpy.random.SeedSequence``.
    fmt : {"parquet", "csv"}
        File format.
    effects : Effects, optional
        Default :data:`POOLS_EFFECTS` (dynamic: growing with exposure).
    progress : callable, optional
        Called as ``progress(stage, fraction)``.

    Returns
    -------
    dict
        The truth.json content.
    """
    from boligeval.synth.world import _Sink, _tables, _write_frame
    from boligeval.synth.youth import youth_outcomes

    started = time.perf_counter()
    for name, value in (("scale", scale), ("department_size", department_size)):
        if not (isinstance(value, int | float) and np.isfinite(value) and value > 0):
            raise ConfigError(f"{name} must be a positive number, got {value!r}.")
    eff = effects if effects is not None else POOLS_EFFECTS
    report = progress or (lambda stage, frac: None)
    out_dir = Path(out_dir)
    (out_dir / "truth").mkdir(parents=True, exist_ok=True)
    ext = "parquet" if fmt == "parquet" else "csv"
    ss_struct, ss_people, ss_reach = np.random.SeedSequence([seed, 17]).spawn(3)
    structure = build_pools_structure(np.random.default_rng(ss_struct), scale,
                                      department_size=department_size)
    for name in ("plans", "departments", "department_plans"):
        _write_frame(getattr(structure, name), out_dir / f"{name}.{ext}", fmt)
    years = np.array(POOL_YEARS, dtype=np.int64)
    prices = pd.DataFrame({"year": years, "index": [cpi_index(int(y)) for y in years]})
    _write_frame(prices, out_dir / f"prices.{ext}", fmt)
    hist = _histories(structure)
    reach = dict(zip(structure.plans["plan_id"].astype(str),
                     structure.plans["reach_share"], strict=True))
    grant = dict(zip(structure.plans["plan_id"].astype(str), structure.plans["grant_year"],
                     strict=True))
    truth = TruthAccumulator(prices, POOL_YEARS, decomposition=False)
    sink = _Sink(out_dir / f"residents.{ext}", fmt)
    records = structure.params.to_dict("records")
    child_seeds = ss_people.spawn(len(records))
    reach_seeds = ss_reach.spawn(len(records))
    n_rows = 0
    try:
        pending: list[Any] = []
        rows = 0
        for i, row in enumerate(records):
            dept = str(row["department_id"])
            spells = hist.get(dept, [])
            active, share = _year_paths(spells, reach, years)
            first = min((s[1] for s in spells), default=-1)
            first_grant = (int(grant[min(spells, key=lambda s: s[1])[0]]) if spells else -1)
            spec = DeptSpec(
                number=i + 1, dwellings=int(row["dwellings"]), hh_rooms=float(row["hh_rooms"]),
                nonwestern=float(row["nonwestern"]), rs_nonwestern=float(row["rs_nonwestern"]),
                emp_fe=float(row["emp_fe"]), inc_fe=float(row["inc_fe"]), x=float(row["x"]),
                start=first, grant_year=first_grant, rs_year=-1,
                register_from=int(row["register_from"]),
                active_years=tuple(int(y) for y in years[active]),
                reach=tuple(float(v) for v in share),
                reach_seed=int(reach_seeds[i].generate_state(1)[0]),
                register_until=int(row["register_until"]),
            )
            res = simulate_department(np.random.default_rng(child_seeds[i]), spec, years, eff,
                                      dynamic=True)
            youth = youth_outcomes(np.random.default_rng([int(seed), 17, i]), res.columns,
                                   spec.start, spec.x, eff)
            res.columns.update(youth.observed)
            if res.n_rows:
                pending.append((dept, res, youth))
                rows += res.n_rows
                n_rows += res.n_rows
            if rows >= 250_000 or (i == len(records) - 1 and pending):
                observed, counterfactual = _tables(pending)
                sink.write(observed)
                truth.add(observed, counterfactual)
                pending, rows = [], 0
            if i % 50 == 0:
                report("residents", (i + 1) / len(records))
    finally:
        sink.close()
    cells = truth.cells()
    cells.to_parquet(out_dir / "truth" / "cells.parquet", index=False)
    content: dict[str, Any] = {
        "schema": "boligeval.synth.pools_truth/1",
        "seed": int(seed), "scale": float(scale), "department_size": float(department_size),
        "years": list(POOL_YEARS),
        "pools": {k: {"grant_years": list(v[0]), "plan_years": v[1]} for k, v in POOLS.items()},
        "effects": eff.as_dict(), "dynamic": True,
        "counts": {
            "plans": len(structure.plans),
            "departments": len(structure.departments),
            "spells": len(structure.department_plans),
            "departments_with_second_plan": int(
                (structure.department_plans.groupby("department_id").size() >= 2).sum()),
            "departments_demolished": int((structure.params["register_until"] > 0).sum()),
            "departments_built": int((structure.params["register_from"] > 0).sum()),
            "person_years": n_rows,
        },
        "min_count": MIN_COUNT,
        "note": "att: observed minus counterfactual over department-years from each "
                "department's first plan on (absorbing first treatment, as the staggered "
                "estimators define it; with gaps between plans the effect there is 0); "
                "itt_in_plan: the same over years inside a plan; effect_on_reached: ITT "
                "divided by the plan's reach_share",
        **_truth(cells, structure),
    }
    (out_dir / "truth.json").write_text(json.dumps(content, indent=1) + "\n")
    (out_dir / "config.toml").write_text(pools_config_text(".", seed=seed), encoding="utf-8")
    content["seconds"] = round(time.perf_counter() - started, 1)
    report("residents", 1.0)
    return content


# --------------------------------------------------------------------------- Monte Carlo


#: Mean of the plans' reach_share (uniform on 0.15-0.65).
REACH_MEAN = 0.4


def pools_department_world(seed: int, *, scale: float = 0.25,
                           effect: float = 4.0, growth: float = 0.3,
                           cohort_step: float = -0.04, noise: float = 1.0,
                           plan_shock: float = 0.5, lasting: bool = True,
                           reach_spread: float = 1.0) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A pools world at the department-year level, with its truth (for Monte Carlo).

    The structure (plans, histories, demolitions, reach) is
    :func:`build_pools_structure`'s; the outcome of department i in year t is
    ``a_i + b_t + u_{plan(i), t} + e_it + tau_it``, with plan shocks ``u`` on
    the first plan (the cluster) and department effects correlated with the
    cohort (so a comparison of levels is biased). The effect on the reached,
    ``effect * (1 + growth * (t - first)) * (1 + cohort_step * (g - 2006))``,
    grows with exposure and is smaller for later pools; the department's
    effect is its reach times that. With ``lasting`` (default) it lasts from
    the first plan on with the first plan's reach (absorbing: the staggered
    estimators' setting; its expectation given cohort and year,
    ``expected_effect``, uses the mean reach); otherwise it acts only inside
    a plan, with that plan's reach, and is 0 in gaps and after the last plan
    (the setting of an estimator for treatment that switches off).
    ``reach_spread`` scales the plans' reach around its mean (1: as drawn;
    smaller: effects less heterogeneous across plans).

    Returns
    -------
    data : pandas.DataFrame
        department_id, plan_id (first plan), year, value, first_treated (0 =
        never), active_plan (1 from the first plan on), in_plan (1 inside a
        plan: switches off and on), reach (of the plan of the year), effect (the
        true tau_it) and expected_effect (its expectation given cohort and
        year; with ``lasting`` only).
    truth : dict
        ``att`` (mean effect over department-years from the first plan on),
        ``att_in_plan``, ``by_event_time``, ``by_cohort``.
    """
    rng = np.random.default_rng(seed)
    structure = build_pools_structure(rng, scale)
    years = np.array(POOL_YEARS, dtype=np.int64)
    hist = _histories(structure)
    reach = dict(zip(structure.plans["plan_id"].astype(str),
                     structure.plans["reach_share"], strict=True))
    grant = dict(zip(structure.plans["plan_id"].astype(str), structure.plans["grant_year"],
                     strict=True))
    reach = {p: REACH_MEAN + reach_spread * (r - REACH_MEAN) for p, r in reach.items()}
    params = structure.params
    depts = params["department_id"].astype(str).to_numpy()
    plan_of = dict(zip(structure.departments["department_id"].astype(str),
                       structure.departments["plan_id"].astype(str), strict=True))
    plans = np.array([plan_of[d] for d in depts])
    plan_codes, plan_idx = np.unique(plans, return_inverse=True)
    n, t_n = len(depts), len(years)
    active = np.zeros((n, t_n), dtype=bool)
    share = np.zeros((n, t_n))
    first = np.zeros(n, dtype=np.int64)
    g = np.zeros(n)
    for i, d in enumerate(depts):
        spells = hist.get(d, [])
        if spells:
            active[i], share[i] = _year_paths(spells, reach, years)
            first[i] = min(s[1] for s in spells)
            g[i] = float(grant[min(spells, key=lambda s: s[1])[0]])
    treated = first > 0
    e = years[None, :] - first[:, None]
    mult = np.clip(1.0 + growth * e, 0.0, None) * np.clip(1.0 + cohort_step * (g - 2006), 0.0,
                                                           None)[:, None]
    first_reach = np.array([reach[min(hist[d], key=lambda s: s[1])[0]] if d in hist else 0.0
                            for d in depts])
    started = treated[:, None] & (e >= 0)
    if lasting:
        tau = np.where(started, first_reach[:, None] * effect * mult, 0.0)
    else:
        tau = np.where(active, share * effect * mult, 0.0)
    expected = np.where(started, REACH_MEAN * effect * mult, 0.0)
    unit_fe = rng.normal(size=n) + 0.4 * treated + 0.02 * (g - 2006) * treated
    shock = rng.normal(scale=plan_shock, size=(len(plan_codes), t_n))[plan_idx]
    y = unit_fe[:, None] + 0.1 * (years - 2000)[None, :] + shock + tau + rng.normal(
        scale=noise, size=(n, t_n))
    found = np.ones((n, t_n), dtype=bool)
    since = params["register_from"].to_numpy()
    until = params["register_until"].to_numpy()
    found &= (since[:, None] == 0) | (years[None, :] >= since[:, None])
    found &= (until[:, None] == 0) | (years[None, :] < until[:, None])
    rows, cols = np.nonzero(found)
    data = pd.DataFrame({
        "department_id": depts[rows], "plan_id": plans[rows], "year": years[cols],
        "value": y[rows, cols], "first_treated": first[rows],
        "active_plan": (treated[rows] & (years[cols] >= first[rows])).astype(int),
        "in_plan": active[rows, cols].astype(int), "reach": share[rows, cols],
        "effect": tau[rows, cols],
        "expected_effect": expected[rows, cols] if lasting else np.nan,
    })
    keep = data.groupby("department_id")["year"].transform("size") >= 2
    data = data[keep].reset_index(drop=True)
    post = data[data["active_plan"] == 1]
    truth = {
        "att": float(post["effect"].mean()),
        "att_in_plan": float(post.loc[post["in_plan"] == 1, "effect"].mean()),
        "by_event_time": post.assign(e=post["year"] - post["first_treated"])
        .groupby("e")["effect"].mean().to_dict(),
        "by_cohort": post.groupby("first_treated")["effect"].mean().to_dict(),
        "n_departments": int(data["department_id"].nunique()),
        "n_plans": int(data["plan_id"].nunique()),
    }
    return data, truth
