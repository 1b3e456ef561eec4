"""Residents of one department in both potential-outcome worlds.

Each dwelling is occupied by a sequence of households (tenancy spells with a
yearly move-out hazard by household type, ended early when the last of head
and partner dies; the same process in every department, started in its
stationary state, so parallel trends hold in expectation). Households are
drawn at arrival (type, ages, origin, education); children are born during
the tenancy (they never moved in, so their move-in year is null), grown
children may leave, couples may separate and partners may join single
households. Every person-year outcome is drawn once from uniforms with a
Gaussian copula (persistent person component plus a yearly shock); the
observed and the counterfactual world use the same draws and differ only by
the programme's shift of the employment probability and income of
working-age arrivals (see :mod:`boligeval.synth.effects`).
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

# Log-normal income multiplier of a person (mean one): persistent and yearly spread.
_INC_PERSON_SD = 0.28
_INC_YEAR_SD = 0.08
# Gaussian copula of employment and income source: weights of the persistent person
# component and of the yearly shock (squares sum to one).
_PERSISTENCE = 0.8
_TRANSIENCE = 0.6

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

# Household types at arrival: young single, single adult, couple without children, single
# parent, couple with children, elderly single, elderly couple. Who moves into Danish social
# housing in a year is mostly young couples (many soon have children there), families with
# young children and young singles who stay briefly; single adults, single parents and the
# elderly rarely move in but stay long (single adults mostly until they die), so they weigh
# more among the residents than among the in-movers; most of the residents' children are
# born during a tenancy and most single parents become so when a couple separates. Shares,
# hazards and ages were fitted, with the births, children at arrival, separations and the
# new-tenant penalty below, to seed Tables 4.6-4.7 under the people targets of
# the seed's chapter 4 (children 30 %, 20 % moved in two years, 308 departments with 20
# in-movers): an in-mover is more likely employed than a resident of any age (few elderly,
# fewer children), a little less than one of working age, and has a lower income (young
# adults, children), less so per equivalised household (couples; children weigh little in
# the scale). At the demo's seed the gaps are +5.2 and -2.2 points employed (seed +8.6 and
# -2.5) and -6,360 and -3,080 DKK (seed -11,000 and -4,400): the all-ages employment and
# the person income gaps reach a little over half of the seed's, because with children's
# incomes counted every child fewer among the in-movers that widens the first narrows
# the second.
_HH_ARRIVAL = np.array([0.049, 0.110, 0.513, 0.045, 0.272, 0.008, 0.003])
# Change of the arrival shares per unit of the room share (small flats, more singles).
_HH_ROOMS = np.array([0.5, 0.35, 0.0, -0.3, -0.75, 0.2, 0.0])
# Yearly move-out hazard by type (deaths come on top).
_HH_HAZARD = np.array([0.9, 0.0075, 0.64, 0.0225, 0.061, 0.055, 0.055])
# Age of the head at arrival: minimum + Gamma(shape, scale), by type.
_HEAD_AGE = np.array(
    [
        [18, 2.0, 2.5],
        [26, 2.0, 9.0],
        [20, 2.0, 3.7],
        [20, 3.0, 4.0],
        [22, 3.0, 4.0],
        [65, 1.5, 5.0],
        [65, 1.5, 4.0],
    ]
)
# Age at death (or at moving to a care home) of a household head: minimum + Gamma(shape,
# scale), about 85 on average as for Danes who reach 70; who arrives older lives another
# Geometric(_DEATH_LATE) years at least. A widowed partner keeps the tenancy.
_DEATH_AGE = (70, 2.5, 6.0)
_DEATH_LATE = 0.2
_MAX_AGE = 100
# Proposals per dwelling and round when the spell running at the start is drawn by
# rejection (about one in eight is accepted).
_CANDIDATES = 16
_COUPLE = np.array([False, False, True, False, True, False, True])
# Yearly separation rate of couples; most single parents become so during a tenancy.
_SEPARATION = 0.035
# Partners moving in with a single adult or a single parent later: share of the
# households where one does, and the yearly chance that it happens.
_JOIN_SHARE = np.array([0.5, 0.1, 0.0, 0.4, 0.0, 0.0, 0.0])
_JOIN_RATE = 0.35
# Children at arrival (single parents, couples with children): 1-4.
_KIDS_CUM = [0.28, 0.63, 0.89]
_MAX_KIDS = 4  # households of at most six persons
# Births during a tenancy (children born at the address never moved in): share of the
# households that have children there and the yearly birth probability, by type.
_BIRTH_SHARE = np.array([0.0, 0.0, 0.87, 0.39, 0.58, 0.0, 0.0])
_BIRTH_RATE = np.array([1.0, 1.0, 0.4, 0.3, 0.3, 1.0, 1.0])
_MOTHER_MAX_AGE = 42
# Share of children who leave home from 18 (the rest stay until the household moves).
_LEAVE_HOME = 0.85
# Lower employment probability of tenants in their first and second year (moving often
# follows a job loss, a separation or the end of an education).
_NEW_TENANT_EMP = np.array([0.06, 0.03, 0.0])


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
    # Plan histories (the pools world, synth/pools.py); the defaults leave every draw of
    # the seed's world as it was.
    active_years: tuple[int, ...] | None = None  # years inside a plan; None: from start on
    reach: tuple[float, ...] | None = None  # per measurement year: share of residents reached
    reach_seed: int = 0  # seed of the reached draw (its own generator)
    register_until: int = 0  # 0 = to the end, else first year no longer found (demolished)


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


def _death_age(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    """Age at death of persons now aged ``age`` (on the head's age scale)."""
    death = np.floor(_DEATH_AGE[0] + rng.gamma(_DEATH_AGE[1], _DEATH_AGE[2], len(age))).astype(int)
    return np.minimum(np.maximum(death, age + rng.geometric(_DEATH_LATE, len(age))), _MAX_AGE)


def _arrivals(
    rng: np.random.Generator, probs: np.ndarray, n: int
) -> dict[str, np.ndarray]:
    """Household type, head's age at arrival, ages at death and duration of new spells.

    Deaths are on the head's age scale; a single household's "partner" dies with
    the head. A spell lasts a geometric number of years with the type's hazard,
    or until the last of head and partner dies (a widowed partner stays).
    """
    typ = np.searchsorted(np.cumsum(probs)[:-1], rng.random(n), side="right")
    par = _HEAD_AGE[typ]
    age = np.floor(np.clip(par[:, 0] + rng.gamma(par[:, 1], par[:, 2]), 18, 90)).astype(int)
    head = _death_age(rng, age)
    partner = np.where(_COUPLE[typ], _death_age(rng, age), head)
    life = np.maximum(head, partner) - age
    duration = np.minimum(rng.geometric(_HH_HAZARD[typ]), life)
    return {"type": typ, "age": age, "head_death": head, "partner_death": partner,
            "duration": duration}


def _tenancies(
    rng: np.random.Generator, n_dw: int, probs: np.ndarray, y0: int, y1: int
) -> dict[str, np.ndarray]:
    """Tenancy spells ``[start, end)`` of every dwelling, covering ``y0`` to ``y1``.

    The spell running at ``y0`` is drawn from the stationary state of each
    dwelling's sequence of spells (length-biased by rejection, at a uniform
    point of its duration), so the composition of residents is stationary in
    expectation; the following spells are new arrivals.

    Returns
    -------
    dict of str to numpy.ndarray
        The fields of :func:`_arrivals` and ``start``, ``end``, one entry per spell.
    """
    first: dict[str, np.ndarray] = {}
    todo = np.arange(n_dw)
    while len(todo):
        # _CANDIDATES proposals per dwelling at once; the first accepted one is kept.
        k = len(todo)
        draw = _arrivals(rng, probs, _CANDIDATES * k)
        keep = (rng.random(_CANDIDATES * k) * (_MAX_AGE - 18) < draw["duration"]).reshape(
            _CANDIDATES, k
        )
        hit = keep.any(axis=0)
        chosen = keep.argmax(axis=0)[hit] * k + np.flatnonzero(hit)
        for name, values in draw.items():
            first.setdefault(name, np.zeros(n_dw, dtype=values.dtype))[todo[hit]] = values[chosen]
        todo = todo[~hit]
    first["start"] = y0 - np.floor(rng.random(n_dw) * first["duration"]).astype(int)
    first["end"] = first["start"] + first["duration"]
    parts = [first]
    cur = first["end"].copy()
    while True:
        open_ = cur <= y1
        if not open_.any():
            break
        draw = _arrivals(rng, probs, int(open_.sum()))
        draw["start"] = cur[open_]
        draw["end"] = draw["start"] + draw["duration"]
        parts.append(draw)
        cur = cur.copy()
        cur[open_] = draw["end"]
    return {name: np.concatenate([q[name] for q in parts]) for name in first}


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
    probs = np.clip(_HH_ARRIVAL + _HH_ROOMS * (spec.hh_rooms - 0.25), 0.01, None)
    probs = probs / probs.sum()
    spells = _tenancies(rng, n_dw, probs, y0, y1)
    sp_start, sp_end, hh_type, head_age = (
        spells["start"], spells["end"], spells["type"], spells["age"]
    )
    n_sp = len(sp_start)

    # Households at arrival.
    origin_u = rng.random(n_sp)
    hh_origin = np.where(
        origin_u < spec.nonwestern, 2, np.where(origin_u < spec.nonwestern + 0.06, 1, 0)
    )
    n_kids = np.where(
        (hh_type == 3) | (hh_type == 4),
        1 + np.searchsorted(_KIDS_CUM, rng.random(n_sp), side="right"),
        0,
    )
    has_partner = _COUPLE[hh_type]
    head_female = np.where(hh_type == 3, rng.random(n_sp) < 0.85, rng.random(n_sp) < 0.5)
    head_female = np.where(has_partner, False, head_female)
    partner_age = np.maximum(18, head_age + np.round(rng.normal(-1.5, 3.0, n_sp))).astype(int)
    # Partners joining single households later.
    join_year = sp_start + rng.geometric(_JOIN_RATE, n_sp)
    joins = (rng.random(n_sp) < _JOIN_SHARE[hh_type]) & (join_year < sp_end)
    join_age = np.maximum(18, head_age + (join_year - sp_start) + np.round(rng.normal(0, 4, n_sp)))
    # Couples separate: the man moves out, the woman keeps the dwelling (and the children).
    separation = np.where(
        (hh_type == 2) | (hh_type == 4),
        sp_start + rng.geometric(_SEPARATION, n_sp),
        np.iinfo(np.int64).max,
    )
    together_until = np.minimum(sp_end, separation)
    # Births during the tenancy: yearly chance while the mother is young enough (and, in a
    # couple, still living with the father).
    mother_age = np.where(has_partner, partner_age, head_age)
    fertile = (has_partner | head_female) & (rng.random(n_sp) < _BIRTH_SHARE[hh_type])
    gaps = rng.geometric(_BIRTH_RATE[hh_type][:, None], (n_sp, _MAX_KIDS))
    born_year = sp_start[:, None] + np.cumsum(gaps, axis=1)
    born = (
        fertile[:, None]
        & (born_year < together_until[:, None])
        & (mother_age[:, None] + born_year - sp_start[:, None] <= _MOTHER_MAX_AGE)
        & (np.arange(_MAX_KIDS)[None, :] < _MAX_KIDS - n_kids[:, None])
    )

    # Persons: heads, partners, children at arrival, joiners, children born here.
    hh_idx = [np.arange(n_sp)]
    role = [np.zeros(n_sp, dtype=int)]
    birth = [sp_start - head_age]
    female = [head_female]
    p_start = [sp_start]
    p_end = [np.minimum(together_until, sp_start + spells["head_death"] - head_age)]
    pi = np.flatnonzero(has_partner)
    hh_idx.append(pi)
    role.append(np.ones(len(pi), dtype=int))
    birth.append(sp_start[pi] - partner_age[pi])
    female.append(np.ones(len(pi), dtype=bool))
    p_start.append(sp_start[pi])
    p_end.append(np.minimum(sp_end, sp_start + spells["partner_death"] - head_age)[pi])
    arrived_hh = np.repeat(np.arange(n_sp), n_kids)
    max_kid_age = np.clip(head_age[arrived_hh] - 18, 0, 17)
    kid_age = np.floor(rng.random(len(arrived_hh)) * (max_kid_age + 1)).astype(int)
    ji = np.flatnonzero(joins)
    hh_idx.append(ji)
    role.append(np.full(len(ji), 3))
    birth.append(join_year[ji] - join_age[ji].astype(int))
    female.append(~head_female[ji])
    p_start.append(join_year[ji])
    p_end.append(sp_end[ji])
    # Children (at arrival, then born here): grown children may leave from 18.
    bi, bj = np.nonzero(born)
    kid_hh = np.concatenate([arrived_hh, bi])
    kid_birth = np.concatenate([sp_start[arrived_hh] - kid_age, born_year[bi, bj]])
    n_k = len(kid_hh)
    leave = rng.random(n_k) < _LEAVE_HOME
    leave_year = kid_birth + 18 + rng.geometric(0.35, n_k) - 1
    hh_idx.append(kid_hh)
    role.append(np.full(n_k, 2))
    birth.append(kid_birth)
    female.append(rng.random(n_k) < 0.5)
    p_start.append(np.maximum(sp_start[kid_hh], kid_birth))
    p_end.append(np.where(leave, np.minimum(sp_end[kid_hh], leave_year), sp_end[kid_hh]))
    native = np.zeros(n_sp + len(pi) + len(ji) + n_k, dtype=bool)
    native[len(native) - len(bi) :] = True

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
    if spec.register_until > 0:
        found = found & (years < spec.register_until)
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

    # Single parents: the only adult (head, partner or joiner) of a household with a child
    # at home.
    key = yi.astype(np.int64) * n_sp + hh_r
    n_cells = len(years) * n_sp
    kids_home = np.bincount(key[role_a[pidx] == 2], minlength=n_cells)
    adults_home = np.bincount(key[role_a[pidx] != 2], minlength=n_cells)
    single_parent = (role_a[pidx] != 2) & (kids_home[key] > 0) & (adults_home[key] == 1)

    # Education at t.
    ef = edu_final[pidx]
    low = (ef == 0) | (ef == 6)
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
    static = np.clip(
        p + spec.emp_fe + offset - _NEW_TENANT_EMP[np.minimum(ten, 2)], _P_LO, _P_HI
    )
    p_cf = np.where(working, static + shock, p)

    # Programme effect on working-age arrivals since the previous measurement year.
    gaps = np.diff(years)
    prev = np.concatenate([[years[0] - (gaps[0] if len(gaps) else 1)], years[:-1]])[yi]
    arrival = working & (ps[pidx] > prev)
    in_year = ps[pidx] == t
    if spec.active_years is None:
        d = (spec.start > 0) & (t >= spec.start)
    else:
        d = np.isin(t, np.asarray(spec.active_years, dtype=np.int64))
    if spec.reach is not None:
        # Only the reached residents get the plan's effect (their own draw, common to both
        # worlds, so the rest of the department is unchanged).
        reached = np.random.default_rng(spec.reach_seed).random(n_p)[pidx]
        d = d & (reached < np.asarray(spec.reach, dtype=float)[yi])
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
    u = ndtr(_PERSISTENCE * alpha[pidx] + _TRANSIENCE * rng.standard_normal(n))
    v = ndtr(_PERSISTENCE * beta[pidx] + _TRANSIENCE * rng.standard_normal(n))
    zeta = rng.standard_normal(n)
    conv_u = rng.random(n)
    nonemp = 1 + (v[:, None] > _STATUS_CUM[band]).sum(axis=1)
    inc_person = np.exp(_INC_PERSON_SD * gamma[pidx] - _INC_PERSON_SD**2 / 2) * np.exp(
        _INC_YEAR_SD * zeta - _INC_YEAR_SD**2 / 2
    )
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
    # Children born during the tenancy never moved to the address: no move-in year.
    move_in = ps[pidx].astype(object)
    move_in[native[pidx]] = None
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
        "move_in_year": move_in,
        "gross_income": gross_obs,
    }
    return Residents(
        columns=cols,
        income_source_cf=sources[status_cf],
        disposable_income_cf=disp_cf,
        gross_income_cf=gross_cf,
    )
