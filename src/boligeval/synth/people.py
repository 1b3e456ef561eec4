"""Residents of one department in both potential-outcome worlds.

Each dwelling is occupied by a sequence of households (tenancy spells with a
constant yearly move-out hazard, so the age and tenure structure is
stationary and parallel trends hold in expectation). Households are drawn at
arrival (type, ages, origin, education), grown children may leave early and
partners may join single households. Every person-year outcome is drawn once
from uniforms with a Gaussian copula (persistent person component plus a
yearly shock); the observed and the counterfactual world use the same draws
and differ only by the programme's shift of the employment probability and
income of working-age arrivals (see :mod:`boligeval.synth.effects`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from boligeval.contract.schemas import EDUCATION as CONTRACT_EDUCATION
from boligeval.contract.schemas import INCOME_SOURCES as CONTRACT_INCOME_SOURCES
from boligeval.synth.effects import Effects

__all__ = ["CPI", "DeptSpec", "Residents", "cpi_index", "simulate_department"]

#: Consumer price index (2000 = 100), Statistics Denmark's annual CPI rounded.
CPI = {
    2000: 100.0,
    2001: 102.4,
    2002: 104.8,
    2003: 107.0,
    2004: 108.3,
    2005: 110.2,
    2006: 112.3,
    2007: 114.2,
    2008: 118.1,
    2009: 119.7,
    2010: 122.5,
    2011: 125.7,
    2012: 128.6,
}

#: Business cycle: shift of the employment probability (points) of working-age
#: residents, relative to 2005.
EMP_SHOCK = {
    2000: 1.5,
    2001: 1.5,
    2002: 0.5,
    2003: -1.0,
    2004: -0.8,
    2005: 0.0,
    2006: 3.0,
    2007: 7.5,
    2008: 7.9,
    2009: 5.7,
    2010: 3.0,
    2011: 3.0,
    2012: 2.5,
}
#: Real income level relative to 2005.
INC_GROWTH = {
    2000: 0.95,
    2001: 0.96,
    2002: 0.97,
    2003: 0.98,
    2004: 0.99,
    2005: 1.0,
    2006: 1.002,
    2007: 1.003,
    2008: 1.006,
    2009: 1.006,
    2010: 1.006,
    2011: 1.008,
    2012: 1.01,
}

HAZARD = 0.102  # yearly move-out hazard of a household

# The contract's code lists, in the contract's order (the simulation indexes into them).
INCOME_SOURCES = CONTRACT_INCOME_SOURCES
EDUCATIONS = CONTRACT_EDUCATION
ORIGINS = ("danish", "western", "non_western")

# Non-employment categories (index into INCOME_SOURCES[1:]) by age band.
_STATUS_BANDS = np.array(
    [
        # leave, u_short, u_long, soc_ass, disab, student, retired, other, missing
        [0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 1.00],  # < 16
        [0.01, 0.05, 0.05, 0.22, 0.02, 0.50, 0.00, 0.05, 0.10],  # 16-24
        [0.04, 0.06, 0.11, 0.33, 0.17, 0.06, 0.00, 0.05, 0.18],  # 25-49
        [0.01, 0.04, 0.14, 0.15, 0.40, 0.00, 0.17, 0.03, 0.06],  # 50-64
        [0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.96, 0.02, 0.02],  # 65+
    ]
)
_STATUS_CUM = np.cumsum(_STATUS_BANDS, axis=1)
_STATUS_CUM[:, -1] = 1.0

# Real disposable income (2009 DKK) by income source (same order) and age band.
_INCOME = np.array(
    [
        # emp, leave, u_s, u_l, sa, dp, stud, ret, other, missing
        [40e3, 20e3, 20e3, 20e3, 20e3, 20e3, 12e3, 20e3, 6e3, 2.5e3],  # < 16 (children)
        [150e3, 140e3, 125e3, 120e3, 85e3, 140e3, 70e3, 120e3, 80e3, 45e3],  # 16-24
        [212e3, 160e3, 160e3, 145e3, 120e3, 155e3, 85e3, 150e3, 110e3, 80e3],  # 25-49
        [218e3, 165e3, 160e3, 148e3, 122e3, 158e3, 90e3, 165e3, 115e3, 85e3],  # 50-64
        [230e3, 150e3, 150e3, 150e3, 140e3, 150e3, 150e3, 148e3, 120e3, 95e3],  # 65+
    ]
)

# Reference income by age band (2009 DKK): department income levels and real growth
# shift every person's income by a share of it, whatever their income source, so they
# move levels without scaling the gain from a job (which follows the business cycle).
_INC_REF = np.array([2.5e3, 110e3, 165e3, 160e3, 148e3])

# Bounds of the time-invariant part of the employment probability of working-age
# persons: adding any year's business-cycle shift keeps it inside [0, 0.97], so the
# cycle moves every department's employment rate by the same points (no clipping).
_P_LO = max(0.0, -min(EMP_SHOCK.values())) / 100.0
_P_HI = 0.97 - max(EMP_SHOCK.values()) / 100.0

# Final education by origin (danish, western, non_western).
_EDU_P = np.array(
    [
        [0.33, 0.07, 0.36, 0.05, 0.13, 0.04, 0.02],
        [0.24, 0.10, 0.20, 0.05, 0.12, 0.08, 0.21],
        [0.38, 0.08, 0.13, 0.03, 0.07, 0.04, 0.27],
    ]
)
_EDU_EMP = np.array([0.50, 0.60, 0.70, 0.74, 0.77, 0.76, 0.40])
# Employment-probability penalty of non-western origin, ages 25-64 and 18-24.
_NW_PENALTY_ADULT = 0.15
_NW_PENALTY_YOUNG = 0.08
# Expected employment gap between a danish and a non-western person: ages 25-64 (penalty
# plus the education mix) and 18-24. Offsets the rent-support selection of origin mix.
_NW_GAP_ADULT = float(_EDU_EMP @ (_EDU_P[0] - _EDU_P[2])) + _NW_PENALTY_ADULT
_NW_GAP_YOUNG = _NW_PENALTY_YOUNG

# Household types: single, couple, single parent, couple with children,
# elderly single, elderly couple.
_HH_BASE = np.array([0.20, 0.09, 0.19, 0.34, 0.11, 0.07])
_HH_ROOMS = np.array([1.3, 0.0, -0.45, -1.15, 0.3, 0.0])


@dataclass(frozen=True)
class DeptSpec:
    """What the resident model needs to know about one department."""

    number: int  # 1-based, for person and household ids
    dwellings: int
    hh_rooms: float  # room share that sets the household mix (same distribution in every group)
    nonwestern: float
    emp_fe: float
    inc_fe: float
    x: float
    start: int  # first year the plan is active; -1 = never
    grant_year: int  # -1 = no plan grant
    rs_year: int  # -1 = no rent support
    register_from: int  # 0 = every year, -1 = never, else first year found
    # Part of ``nonwestern`` due to rent-support selection; its expected employment gap is
    # offset, so the selection moves origin (deprivation) but not labour-market levels.
    rs_nonwestern: float = 0.0


@dataclass(frozen=True)
class Residents:
    """Person-year columns of one department; ``*_cf`` are the counterfactual ones."""

    columns: dict[str, np.ndarray]
    income_source_cf: np.ndarray
    disposable_income_cf: np.ndarray
    gross_income_cf: np.ndarray

    @property
    def n_rows(self) -> int:
        """Number of person-years."""
        return len(self.columns["year"])


def cpi_index(year: int) -> float:
    """CPI for ``year`` (2000 = 100); 2 % a year beyond the table."""
    if year in CPI:
        return CPI[year]
    if year < 2000:
        return round(CPI[2000] / 1.02 ** (2000 - year), 2)
    return round(CPI[2012] * 1.02 ** (year - 2012), 2)


def _table(mapping: dict[int, float], years: np.ndarray, default: float) -> np.ndarray:
    return np.array([mapping.get(int(y), default) for y in years], dtype=float)


def _ids(prefix: str, number: int, idx: np.ndarray) -> np.ndarray:
    """Zero-padded string ids ``prefix + 6-digit department + 6-digit index``."""
    if len(idx) == 0:
        return np.empty(0, dtype=object)
    digits = np.char.zfill((number * 1_000_000 + idx.astype(np.int64)).astype(str), 12)
    return np.char.add(prefix, digits) if prefix else digits


def _age_band(age: np.ndarray) -> np.ndarray:
    return np.select([age < 16, age < 25, age < 50, age < 65], [0, 1, 2, 3], 4)


def simulate_department(
    rng: np.random.Generator,
    spec: DeptSpec,
    years: np.ndarray,
    effects: Effects,
    *,
    dynamic: bool,
) -> Residents:
    """Simulate the person-years of one department in both worlds.

    Parameters
    ----------
    rng : numpy.random.Generator
        The department's own generator (from a spawned ``SeedSequence``).
    spec : DeptSpec
        Department parameters.
    years : numpy.ndarray
        Sorted measurement years.
    effects : Effects
        Effect sizes of the observed world.
    dynamic : bool
        Let the plan effect grow with time since start and differ by cohort.
    """
    y0, y1 = int(years[0]), int(years[-1])
    n_dw = int(spec.dwellings)

    # Tenancy spells [start, end): present at measurement year t iff start <= t < end.
    tenure = np.minimum(rng.geometric(HAZARD, n_dw) - 1, 60)
    starts = [y0 - tenure]
    ends = [y0 + rng.geometric(HAZARD, n_dw)]
    cur = ends[0].copy()
    while True:
        open_ = cur <= y1
        if not open_.any():
            break
        s = cur[open_]
        e = s + rng.geometric(HAZARD, int(open_.sum()))
        starts.append(s)
        ends.append(e)
        cur = cur.copy()
        cur[open_] = e
    sp_start = np.concatenate(starts)
    sp_end = np.concatenate(ends)
    n_sp = len(sp_start)

    # Households at arrival.
    probs = np.clip(_HH_BASE + _HH_ROOMS * (spec.hh_rooms - 0.25), 0.01, None)
    probs = probs / probs.sum()
    hh_type = np.searchsorted(np.cumsum(probs)[:-1], rng.random(n_sp), side="right")
    g = rng.gamma
    head_age = np.select(
        [hh_type == 0, hh_type == 1, hh_type == 2, hh_type == 3, hh_type == 4],
        [
            18 + g(2.0, 7.0, n_sp),
            20 + g(2.5, 8.0, n_sp),
            20 + g(3.0, 4.0, n_sp),
            22 + g(3.0, 4.0, n_sp),
            65 + g(1.5, 5.0, n_sp),
        ],
        65 + g(1.5, 4.0, n_sp),
    )
    head_age = np.floor(np.clip(head_age, 18, 90)).astype(int)
    # Keep the oldest residents below 100 by shortening very old initial tenancies.
    sp_start = np.maximum(sp_start, y0 - np.maximum(0, 98 - head_age))
    origin_u = rng.random(n_sp)
    hh_origin = np.where(
        origin_u < spec.nonwestern, 2, np.where(origin_u < spec.nonwestern + 0.06, 1, 0)
    )
    n_kids = np.where(
        np.isin(hh_type, (2, 3)),
        1 + np.searchsorted([0.36, 0.68, 0.87], rng.random(n_sp), side="right"),
        0,
    )
    has_partner = np.isin(hh_type, (1, 3, 5))
    head_female = np.where(hh_type == 2, rng.random(n_sp) < 0.85, rng.random(n_sp) < 0.5)
    head_female = np.where(has_partner, False, head_female)
    partner_age = np.maximum(18, head_age + np.round(rng.normal(-1.5, 3.0, n_sp))).astype(int)
    # Partners joining single households later.
    join_year = sp_start + 1 + rng.geometric(0.3, n_sp) - 1
    joins = (hh_type == 0) & (rng.random(n_sp) < 0.25) & (join_year < sp_end)
    join_age = np.maximum(18, head_age + (join_year - sp_start) + np.round(rng.normal(0, 4, n_sp)))

    # Persons: heads, partners, children, joiners.
    hh_idx = [np.arange(n_sp)]
    role = [np.zeros(n_sp, dtype=int)]
    birth = [sp_start - head_age]
    female = [head_female]
    p_start = [sp_start]
    p_end = [sp_end]
    pi = np.flatnonzero(has_partner)
    hh_idx.append(pi)
    role.append(np.ones(len(pi), dtype=int))
    birth.append(sp_start[pi] - partner_age[pi])
    female.append(np.ones(len(pi), dtype=bool))
    p_start.append(sp_start[pi])
    p_end.append(sp_end[pi])
    kid_hh = np.repeat(np.arange(n_sp), n_kids)
    n_k = len(kid_hh)
    max_kid_age = np.clip(head_age[kid_hh] - 18, 0, 17)
    kid_age = np.floor(rng.random(n_k) * (max_kid_age + 1)).astype(int)
    kid_birth = sp_start[kid_hh] - kid_age
    leave = rng.random(n_k) < 0.6
    leave_year = kid_birth + 18 + rng.geometric(0.35, n_k) - 1
    hh_idx.append(kid_hh)
    role.append(np.full(n_k, 2))
    birth.append(kid_birth)
    female.append(rng.random(n_k) < 0.5)
    p_start.append(sp_start[kid_hh])
    p_end.append(np.where(leave, np.minimum(sp_end[kid_hh], leave_year), sp_end[kid_hh]))
    ji = np.flatnonzero(joins)
    hh_idx.append(ji)
    role.append(np.full(len(ji), 3))
    birth.append(join_year[ji] - join_age[ji].astype(int))
    female.append(~head_female[ji])
    p_start.append(join_year[ji])
    p_end.append(sp_end[ji])

    hh = np.concatenate(hh_idx)
    role_a = np.concatenate(role)
    birth_a = np.concatenate(birth).astype(np.int64)
    female_a = np.concatenate(female)
    ps = np.concatenate(p_start).astype(np.int64)
    pe = np.concatenate(p_end).astype(np.int64)
    n_p = len(hh)
    origin = hh_origin[hh]
    edu_cum = np.cumsum(_EDU_P, axis=1)[origin]
    edu_final = (rng.random(n_p)[:, None] > edu_cum).sum(axis=1).clip(0, len(EDUCATIONS) - 1)
    alpha = rng.standard_normal(n_p)
    beta = rng.standard_normal(n_p)
    gamma = rng.standard_normal(n_p)

    # Person-years at the measurement years.
    found = np.ones(len(years), dtype=bool)
    if spec.register_from == -1:
        found[:] = False
    elif spec.register_from > 0:
        found = years >= spec.register_from
    present = (ps[:, None] <= years[None, :]) & (pe[:, None] > years[None, :]) & found[None, :]
    yi, pidx = np.nonzero(present.T)
    t = years[yi]
    n = len(t)
    age = t - birth_a[pidx]
    band = _age_band(age)
    working = (age >= 16) & (age <= 64)
    hh_r = hh[pidx]
    orig_r = origin[pidx]
    fem_r = female_a[pidx]

    # Single parents: head of a single-parent household with a child at home.
    kid_rows = role_a[pidx] == 2
    key = yi.astype(np.int64) * n_sp + hh_r
    kids_home = np.zeros(len(years) * n_sp, dtype=np.int64)
    np.add.at(kids_home, key[kid_rows], 1)
    single_parent = (role_a[pidx] == 0) & (hh_type[hh_r] == 2) & (kids_home[key] > 0)

    # Education at t.
    ef = edu_final[pidx]
    low = np.isin(ef, (0, 6))
    edu = np.where(age >= 25, ef, np.where(low, ef, np.where(age >= 19, 1, 0)))
    edu = np.where(age < 16, 6, edu)

    # Employment probability without the programme.
    p = np.zeros(n)
    adult = (age >= 25) & (age <= 64)
    p_adult = (
        _EDU_EMP[ef]
        - np.where(orig_r == 2, _NW_PENALTY_ADULT, np.where(orig_r == 1, 0.05, 0.0))
        - 0.04 * fem_r
        - np.where(age >= 55, 0.18, np.where(age >= 50, 0.06, 0.0))
    )
    p = np.where(adult, p_adult, p)
    young = (age >= 18) & (age <= 24)
    p = np.where(young, 0.40 - _NW_PENALTY_YOUNG * (orig_r == 2), p)
    p = np.where((age >= 16) & (age <= 17), 0.08, p)
    p = np.where((age >= 65) & (age <= 66), 0.06, np.where(age >= 67, 0.02, p))
    ten = t - ps[pidx]
    shock = _table(EMP_SHOCK, years, 0.0)[yi] / 100.0
    offset = spec.rs_nonwestern * np.where(adult, _NW_GAP_ADULT, np.where(young, _NW_GAP_YOUNG, 0))
    static = np.clip(p + spec.emp_fe + offset - 0.04 * (ten == 0) - 0.02 * (ten == 1), _P_LO, _P_HI)
    p_cf = np.where(working, static + shock, p)

    # Programme effect on working-age arrivals since the previous measurement year.
    gaps = np.diff(years)
    prev = np.concatenate([[years[0] - (gaps[0] if len(gaps) else 1)], years[:-1]])[yi]
    arrival = working & (ps[pidx] > prev)
    in_year = ps[pidx] == t
    d = (spec.start > 0) & (t >= spec.start)
    r = (spec.rs_year > 0) & (t >= spec.rs_year)
    mult = np.ones(n)
    if dynamic and spec.start > 0:
        mult = np.clip(1.0 + effects.dynamic_growth * (t - spec.start), 0.0, None) * max(
            0.0, 1.0 + effects.dynamic_cohort_step * (spec.grant_year - 2006)
        )
    plan_w = d * mult * np.where(in_year, 1.0, effects.plan_earlier_arrival_factor)
    rs_w = in_year * r
    both_w = in_year * r * d
    eff_pp = arrival * (
        plan_w * effects.plan_employed_pp
        + rs_w * effects.rent_support_employed_pp
        + both_w * effects.rent_support_in_plan_employed_pp
    )
    eff_inc = arrival * (
        plan_w * effects.plan_income_dkk
        + rs_w * effects.rent_support_income_dkk
        + both_w * effects.rent_support_in_plan_income_dkk
    )
    p_obs = np.clip(p_cf + eff_pp / 100.0, 0.0, 0.97)

    # Common random numbers for both worlds.
    u = ndtr(0.8 * alpha[pidx] + 0.6 * rng.standard_normal(n))
    v = ndtr(0.8 * beta[pidx] + 0.6 * rng.standard_normal(n))
    zeta = rng.standard_normal(n)
    conv_u = rng.random(n)
    nonemp = 1 + (v[:, None] > _STATUS_CUM[band]).sum(axis=1)
    inc_person = np.exp(0.28 * gamma[pidx] - 0.0392) * np.exp(0.08 * zeta - 0.0032)
    # Additive level: real growth and the department's income level shift every person by
    # a share of the band's reference income (parallel in expectation across departments).
    level = _table(INC_GROWTH, years, 1.0)[yi] - 1.0 + (spec.inc_fe - 1.0)
    shift = _INC_REF[band] * level
    price = np.array([cpi_index(int(y)) / cpi_index(2009) for y in years])[yi]

    status_cf = np.where(u < p_cf, 0, nonemp)
    status_obs = np.where(u < p_obs, 0, nonemp)
    real_cf = inc_person * (_INCOME[band, status_cf] + shift)
    real_full = inc_person * (_INCOME[band, status_obs] + shift)
    # A programme-induced change of income source realises only a share of the income
    # difference between the two sources (marginal jobs: part-time, lower wages).
    real_obs = real_cf + effects.employment_income_share * (real_full - real_cf) + eff_inc

    def money(status: np.ndarray, real: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        disp = np.round(real * price)
        gross = np.round(np.where(status == 0, 1.55, 1.25) * np.maximum(disp, 0.0))
        return disp, gross

    disp_obs, gross_obs = money(status_obs, real_obs)
    disp_cf, gross_cf = money(status_cf, real_cf)

    p_conv = np.where(
        (age >= 15) & (age <= 35),
        np.where(fem_r, 0.008, 0.045),
        np.where((age > 35) & (age <= 64), np.where(fem_r, 0.002, 0.012), 0.0),
    )
    convicted = conv_u < p_conv * (1.5 + 0.4 * max(spec.x, -2.0))

    sources = np.array(INCOME_SOURCES, dtype=object)
    pid = _ids("", spec.number, pidx)
    hid = _ids("H", spec.number, hh_r)
    cols: dict[str, np.ndarray] = {
        "person_id": pid.astype(object),
        "year": t.astype(np.int64),
        "household_id": hid.astype(object),
        "birth_year": birth_a[pidx],
        "sex": np.where(fem_r, "F", "M").astype(object),
        "origin": np.array(ORIGINS, dtype=object)[orig_r],
        "income_source": sources[status_obs],
        "disposable_income": disp_obs,
        "education": np.array(EDUCATIONS, dtype=object)[edu],
        "single_parent": single_parent,
        "convicted": convicted,
        "move_in_year": ps[pidx],
        "gross_income": gross_obs,
    }
    return Residents(
        columns=cols,
        income_source_cf=sources[status_cf],
        disposable_income_cf=disp_cf,
        gross_income_cf=gross_cf,
    )
