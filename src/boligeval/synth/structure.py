"""Programme structure of the synthetic world: plans and departments.

Counts and shares follow the seed's Tables 4.1, 4.8 and 4.9 and are
hit as exactly as integer counts allow; ``scale`` multiplies the numbers of
plans and departments (keeping the cohort shares), never department sizes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtri

from boligeval.vocabulary import INTERVENTION_AREAS, INTERVENTION_AREAS_COLUMN

__all__ = ["GROUPS", "Structure", "build_structure"]

#: Analysis groups of the seed: control, intervention group 1 and 2.
GROUPS = ("control", "g1", "g2")

# Scale-1 targets.
_PLANS = {"control": 22, "g1": 81, "g2": 45}
_LINKED_DEPTS = {"control": 59, "g1": 272, "g2": 166}  # control: plan departments only
_RS_ONLY = 24
# Departments not found in the register every year: (departments, plans, plans losing all).
_MISSING = {"g1": (15, 7, 3), "g2": (9, 5, 2)}
_GRANT_YEARS = {"control": (2010, 2011), "g1": (2006, 2007), "g2": (2008, 2009)}
_RS_SHARES = {"control": (0.07, 0.16), "g1": (0.11, 0.06), "g2": (0.02, 0.09)}
_CAPITAL = {"control": 0.13, "g1": 0.45, "g2": 0.46}
_BUILT = {"control": 0.64, "g1": 0.58, "g2": 0.39}
_VACANCY = {"control": 0.08, "g1": 0.05, "g2": 0.02}
_ROOMS = {"control": 0.25, "g1": 0.20, "g2": 0.31}

_CAPITAL_MUNI = (
    "0101",
    "0147",
    "0151",
    "0153",
    "0157",
    "0159",
    "0161",
    "0163",
    "0165",
    "0167",
    "0169",
    "0173",
    "0175",
    "0183",
    "0185",
    "0187",
)
_OTHER_MUNI = (
    "0461",
    "0751",
    "0851",
    "0561",
    "0621",
    "0630",
    "0615",
    "0791",
    "0657",
    "0607",
    "0370",
    "0265",
    "0330",
    "0316",
    "0259",
    "0219",
    "0217",
    "0740",
    "0730",
    "0479",
    "0492",
    "0510",
    "0540",
    "0580",
    "0661",
    "0671",
    "0707",
)
# Share of the seed's plans with activities in each intervention area (seed T3.3).
_AREAS = tuple(zip(INTERVENTION_AREAS, (0.93, 0.88, 0.77, 0.76, 0.70, 0.64, 0.59, 0.46),
                   strict=True))

# Resident-composition levers per group (tuned to the seed's baseline gaps).
_NONWESTERN = {"control": 0.48, "g1": 0.62, "g2": 0.46}
_EMP_FE = {"control": 0.042, "g1": 0.0005, "g2": 0.049}
_INC_FE = {"control": 1.004, "g1": 1.0215, "g2": 1.0127}
# Rent-support selection on the latent disadvantage: moves the origin mix only (Table 4.9:
# rent-support departments more deprived in intervention groups, less in control).
_RS_SHIFT = {"control": -0.9, "g1": 1.3, "g2": 1.3}
_HH_ROOMS_SD = 0.10  # spread of the household-mix room share (see _household_mix)
_PERSONS_PER_DWELLING = 2.22  # at the mean household mix (of the resident model in people.py)


@dataclass(frozen=True)
class Structure:
    """Plans, departments and the per-department parameters of the resident model.

    Attributes
    ----------
    plans, departments : pandas.DataFrame
        The contract tables.
    params : pandas.DataFrame
        One row per department (same order as ``departments``): group,
        grant_year, start (active-plan year or -1), rs_year (or -1),
        register_from (first year with residents; -1 = never), size (target
        residents), latent disadvantage ``x`` (including the rent-support
        selection shift), shares and fixed effects, ``rs_nonwestern`` (the
        part of the non-western share due to that shift, whose employment gap
        the resident model offsets), and
        ``hh_rooms``, the room share that sets the household mix (the same
        distribution in every group, so that trends are parallel).
    """

    plans: pd.DataFrame
    departments: pd.DataFrame
    params: pd.DataFrame


def _nullable(mask: np.ndarray, values: np.ndarray) -> list[Any]:
    """Values where ``mask`` holds, None elsewhere."""
    return [v if m else None for m, v in zip(mask, values, strict=True)]


def _n(x: float, scale: float, minimum: int = 0) -> int:
    return max(minimum, round(x * scale))


def _exact_pick(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    """Boolean mask with exactly round(share * n) True values at random places."""
    mask = np.zeros(n, dtype=bool)
    k = round(share * n)
    if k:
        mask[rng.choice(n, size=k, replace=False)] = True
    return mask


def _split(rng: np.random.Generator, total: int, parts: int) -> np.ndarray:
    """Split ``total`` units over ``parts`` bins, each at least one, skewed."""
    extra = total - parts
    weights = rng.dirichlet(np.full(parts, 1.2))
    return 1 + rng.multinomial(extra, weights)


def _household_mix(groups: np.ndarray, rooms: np.ndarray) -> np.ndarray:
    """Room share that sets a department's household mix, equally distributed in every group.

    The household mix decides how strongly a department's means follow the
    business cycle (working-age share, household size), so it must not differ
    by cohort in distribution, or trends would not be parallel. Within each
    group the departments keep the order of their one- and two-room share
    (small flats, more singles), mapped to the same normal quantiles around
    the overall mean 0.25.
    """
    out = np.empty(len(groups))
    for group in np.unique(groups):
        idx = np.flatnonzero(groups == group)
        rank = np.empty(len(idx))
        rank[np.argsort(rooms[idx], kind="stable")] = np.arange(len(idx))
        out[idx] = 0.25 + _HH_ROOMS_SD * ndtri((rank + 0.5) / len(idx))
    return np.round(out, 6)


def build_structure(rng: np.random.Generator, scale: float, *,
                    department_size: float = 1.0) -> Structure:
    """Draw plans and departments for a world of the given scale.

    Parameters
    ----------
    rng : numpy.random.Generator
        Generator of the structure stage.
    scale : float
        Multiplies numbers of plans and departments; 1 is the seed's size.
    department_size : float
        Multiplies the number of dwellings of every department; 1 is the seed's.
    """
    plan_rows: list[dict[str, object]] = []
    dept_rows: list[dict[str, object]] = []

    for group in GROUPS:
        n_plans = _n(_PLANS[group], scale, 3)
        lost_all, partial, n_missing = 0, 0, 0
        if group in _MISSING:
            m, k, lost = _MISSING[group]
            lost_all = min(_n(lost, scale), n_plans - 3)
            partial = _n(k - lost, scale)
            n_missing = max(_n(m, scale), lost_all + partial)
            if n_missing > lost_all and partial == 0:
                partial = 1
        linked_plans = n_plans - lost_all
        n_linked = max(linked_plans, _n(_LINKED_DEPTS[group], scale))
        sizes = _split(rng, n_linked, linked_plans)
        missing_per_plan = np.zeros(n_plans, dtype=int)
        missing_per_plan[linked_plans:] = 1  # plans that lose all their (single) department
        if partial:
            partial = min(partial, linked_plans)
            which = rng.choice(linked_plans, size=partial, replace=False)
            extra = n_missing - lost_all
            missing_per_plan[which] = _split(rng, extra, partial) if extra >= partial else 1
        lo, hi = _GRANT_YEARS[group]
        for p in range(n_plans):
            n_link = int(sizes[p]) if p < linked_plans else 0
            plan_rows.append(
                {
                    "group": group,
                    "grant_year": int(rng.choice([lo, hi], p=[0.55, 0.45])),
                    "n_linked": n_link,
                    "n_missing": int(missing_per_plan[p]),
                }
            )
    rs_only = _n(_RS_ONLY, scale, 1)
    for _ in range(rs_only):
        plan_rows.append({"group": "control", "grant_year": -1, "n_linked": 1, "n_missing": 0})

    plans = pd.DataFrame(plan_rows)
    plans["row"] = np.arange(len(plans))
    plans["capital"] = False

    # Capital area: whole plans greedily, then single departments of one plan.
    flip_plan: dict[int, int] = {}
    n_linked_arr = plans["n_linked"].to_numpy(dtype=int)
    capital_arr = np.zeros(len(plans), dtype=bool)
    group_arr = plans["group"].to_numpy()
    for group in GROUPS:
        members = np.flatnonzero(group_arr == group)
        target = round(_CAPITAL[group] * int(n_linked_arr[members].sum()))
        order = [int(i) for i in rng.permutation(members)]
        cum = 0
        for i in order:
            size = int(n_linked_arr[i])
            if size and cum + size <= target:
                capital_arr[i] = True
                cum += size
        rest = target - cum
        if rest:
            free = [i for i in order if not capital_arr[i] and n_linked_arr[i] > 0]
            bigger = [i for i in free if n_linked_arr[i] > rest]
            flip_plan[(bigger or free)[0]] = rest
    plans["capital"] = capital_arr
    plans["municipality"] = [
        str(rng.choice(_CAPITAL_MUNI if c else _OTHER_MUNI)) for c in plans["capital"]
    ]

    for plan in plans.to_dict("records"):
        n_link, n_miss = int(plan["n_linked"]), int(plan["n_missing"])
        flips = flip_plan.get(int(plan["row"]), 0)
        for j in range(n_link + n_miss):
            linked = j < n_link
            capital = bool(plan["capital"]) or (linked and j < flips)
            muni = None
            if capital and not plan["capital"]:
                muni = str(rng.choice([m for m in _CAPITAL_MUNI if m != plan["municipality"]]))
            dept_rows.append(
                {
                    "plan_row": int(plan["row"]),
                    "group": plan["group"],
                    "linked": linked,
                    "capital_area": capital,
                    "municipality": muni,
                    "rs_only": int(plan["grant_year"]) < 0,
                }
            )
    depts = pd.DataFrame(dept_rows)
    n_dept = len(depts)

    # Exact shares over linked departments per group.
    depts["rs_year"] = -1
    depts["built"] = False
    depts["long_vacancy"] = False
    depts["one_two_room_share"] = 0.0
    for group in GROUPS:
        idx = depts.index[(depts["group"] == group) & depts["linked"]].to_numpy()
        n = len(idx)
        s06, s08 = (round(s * n) for s in _RS_SHARES[group])
        slots = np.array([2006] * s06 + [2008] * s08, dtype=int)
        if group == "control":
            rs_idx = rng.permutation(idx[depts.loc[idx, "rs_only"].to_numpy()])
            plan_idx = rng.permutation(idx[~depts.loc[idx, "rs_only"].to_numpy()])
            slot_order = rng.permutation(slots)
            ordered = np.concatenate([rs_idx, plan_idx])
            depts.loc[ordered[: len(slot_order)], "rs_year"] = slot_order
            later = rs_idx[len(slot_order) :]
            depts.loc[later, "rs_year"] = 2010
        else:
            chosen = rng.choice(idx, size=len(slots), replace=False)
            depts.loc[chosen, "rs_year"] = rng.permutation(slots)
        depts.loc[idx, "built"] = _exact_pick(rng, n, _BUILT[group])
        depts.loc[idx, "long_vacancy"] = _exact_pick(rng, n, _VACANCY[group])
        mean = _ROOMS[group]
        shares = rng.beta(mean * 6, (1 - mean) * 6, size=n)
        for _ in range(20):
            shares = np.clip(shares + (mean - shares.mean()), 0.0, 0.95)
        depts.loc[idx, "one_two_room_share"] = np.round(shares, 4)
        # Correct rounding drift so the mean is as exact as 4 decimals allow, on the
        # department with the most room in the direction of the drift (a share stays in [0, 1]).
        drift = mean * n - float(depts.loc[idx, "one_two_room_share"].sum())
        current = depts.loc[idx, "one_two_room_share"].astype(float)
        target = current.idxmin() if drift > 0 else current.idxmax()
        depts.loc[target, "one_two_room_share"] = round(
            min(max(float(current[target]) + drift, 0.0), 1.0), 4
        )
    miss = ~depts["linked"].to_numpy()
    depts.loc[miss, "one_two_room_share"] = np.round(rng.beta(1.5, 4.5, size=int(miss.sum())), 4)
    depts.loc[miss, "built"] = rng.random(int(miss.sum())) < 0.5
    built_share = np.where(
        depts["built"], rng.uniform(0.5, 1.0, n_dept), rng.uniform(0.0, 0.5, n_dept)
    )
    built_share = np.where(
        rng.random(n_dept) < 0.3, np.where(depts["built"], 1.0, 0.0), built_share
    )

    # Not found in the register every year: never, or only from 2008.
    register_from = np.zeros(n_dept, dtype=int)
    register_from[miss] = np.where(rng.random(int(miss.sum())) < 0.5, -1, 2008)

    # Department sizes: stratified log-normal, median ~300 residents.
    u = (rng.permutation(n_dept) + rng.random(n_dept)) / n_dept
    size = np.clip(np.exp(np.log(300.0) + 0.95 * ndtri(u)), 25, 4800)

    groups = depts["group"].to_numpy()
    x_own = rng.standard_normal(n_dept)
    has_rs = (depts["rs_year"].to_numpy() > 0) & (depts["rs_year"].to_numpy() <= 2009)
    x = x_own + np.where(has_rs, [_RS_SHIFT[g] for g in groups], 0.0)
    # Rent-support selection shifts the origin mix (and so the deprivation score) in
    # opposite directions in control and intervention groups (seed Table 4.9). It must
    # not move the employment or income level: the triple differences have cohort and
    # rent-support-round dummies but no interaction of the two, so a level gap of rent
    # support departments that differs by cohort would load on rent support within
    # plans. The labour-market and income levels therefore follow ``x_own`` only, and
    # the resident model offsets the employment gap of the extra non-western share
    # (``rs_nonwestern``) age band by age band.
    nw_base = np.array([_NONWESTERN[g] for g in groups])
    nonwestern = np.clip(nw_base + 0.13 * x, 0.03, 0.9)
    rs_nonwestern = nonwestern - np.clip(nw_base + 0.13 * x_own, 0.03, 0.9)
    emp_fe = np.array([_EMP_FE[g] for g in groups]) - 0.03 * x_own + rng.normal(0, 0.025, n_dept)
    inc_fe = np.array([_INC_FE[g] for g in groups]) * np.exp(
        -0.02 * x_own + rng.normal(0, 0.03, n_dept)
    )
    hh_rooms = _household_mix(groups, depts["one_two_room_share"].to_numpy(dtype=float))

    # Ids in random order so the id does not reveal the cohort.
    plan_perm = rng.permutation(len(plans))
    width_p = max(4, len(str(len(plans))))
    plan_ids = np.empty(len(plans), dtype=object)
    plan_ids[plan_perm] = [f"P{k + 1:0{width_p}d}" for k in range(len(plans))]
    dept_perm = rng.permutation(n_dept)
    width_d = max(5, len(str(n_dept)))
    dept_ids = np.empty(n_dept, dtype=object)
    dept_ids[dept_perm] = [f"D{k + 1:0{width_d}d}" for k in range(n_dept)]

    grant = plans["grant_year"].to_numpy()
    n_plan = len(plans)
    delayed = (grant > 0) & (rng.random(n_plan) < 0.08)
    start_year = np.where(delayed, grant + 1, -1)
    end_year = np.where(grant > 0, grant + rng.choice([3, 4], size=n_plan), -1)
    end_year = np.where((grant > 0) & (rng.random(n_plan) < 0.15), -1, end_year)
    is_plan = grant > 0
    areas: list[str | None] = []
    for g in grant:
        if g < 0:
            areas.append(None)
            continue
        chosen_areas = [a for a, p in _AREAS if rng.random() < p]
        areas.append(";".join(chosen_areas) if chosen_areas else "social_life")
    area_secr = is_plan & (rng.random(n_plan) < 0.3)
    staff = is_plan & (rng.random(n_plan) < 0.35)
    # The seed's four project-secretariat types: municipal staff work in the cross-
    # organisational and the split team, not in the housing team or a one-person secretariat.
    draw = rng.random(n_plan)
    secretariat = np.where(
        staff,
        np.where(draw < 0.5, "cross_organisational_team", "split_team"),
        np.where(draw < 0.5, "large_housing_team", "one_person"),
    )
    plans_out = pd.DataFrame(
        {
            "plan_id": pd.array(plan_ids, dtype="string"),
            "grant_year": pd.array(np.where(is_plan, grant, 0), dtype="Int64"),
            "start_year": pd.array(start_year, dtype="Int64"),
            "end_year": pd.array(end_year, dtype="Int64"),
            "municipality": pd.array(plans["municipality"].to_numpy(), dtype="string"),
            INTERVENTION_AREAS_COLUMN: pd.array(areas, dtype="string"),
            "secretariat_type": pd.array(_nullable(is_plan, secretariat), dtype="string"),
            "municipal_staff_in_secretariat": pd.array(_nullable(is_plan, staff), dtype="boolean"),
            "area_secretariat": pd.array(_nullable(is_plan, area_secr), dtype="boolean"),
            "letting_tools": pd.array(
                _nullable(is_plan, rng.random(n_plan) < 0.4), dtype="boolean"
            ),
            "image_intervention": pd.array(
                _nullable(is_plan, rng.random(n_plan) < 0.6), dtype="boolean"
            ),
        }
    )
    for col in ("grant_year", "start_year", "end_year"):
        plans_out.loc[plans_out[col] <= 0, col] = pd.NA
    plans_out = plans_out.sort_values("plan_id", kind="stable").reset_index(drop=True)

    plan_row = depts["plan_row"].to_numpy()
    # Persons per dwelling follow the household mix (not the cohort's room share).
    dwellings_per_res = 1 / (_PERSONS_PER_DWELLING - 0.9 * (hh_rooms - 0.25))
    rs_year = depts["rs_year"].to_numpy()
    departments = pd.DataFrame(
        {
            "department_id": pd.array(dept_ids, dtype="string"),
            "plan_id": pd.array(plan_ids[plan_row], dtype="string"),
            "capital_area": depts["capital_area"].to_numpy(dtype=bool),
            "rent_support_year": pd.array(np.where(rs_year > 0, rs_year, 0), dtype="Int64"),
            "municipality": pd.array(depts["municipality"].to_numpy(), dtype="string"),
            "dwellings": np.maximum(
                8, np.round(department_size * size * dwellings_per_res)
            ).astype("int64"),
            "built_1955_1975_share": np.round(built_share, 4),
            "one_two_room_share": depts["one_two_room_share"].to_numpy(dtype=float),
            "long_vacancy": depts["long_vacancy"].to_numpy(dtype=bool),
        }
    )
    departments.loc[departments["rent_support_year"] <= 0, "rent_support_year"] = pd.NA

    plan_start = np.where(start_year > 0, start_year, grant)
    params = pd.DataFrame(
        {
            "department_id": dept_ids.astype(str),
            "group": groups,
            "linked": depts["linked"].to_numpy(dtype=bool),
            "grant_year": grant[plan_row],
            "start": plan_start[plan_row],
            "rs_year": rs_year,
            "register_from": register_from,
            "size": size,
            "x": x,
            "nonwestern": nonwestern,
            "rs_nonwestern": rs_nonwestern,
            "emp_fe": emp_fe,
            "inc_fe": inc_fe,
            "rooms": departments["one_two_room_share"].to_numpy(),
            "hh_rooms": hh_rooms,
            "dwellings": departments["dwellings"].to_numpy(),
        }
    )
    by_id = np.argsort(dept_ids.astype(str), kind="stable")
    departments = departments.iloc[by_id].reset_index(drop=True)
    params = params.iloc[by_id].reset_index(drop=True)
    return Structure(plans=plans_out, departments=departments, params=params)
