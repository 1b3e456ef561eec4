"""True effects of the synthetic world, computed from both potential-outcome worlds.

The observed residents file and ``truth/residents_counterfactual.parquet``
hold the same person-years; they differ only in the outcomes the programme
moves. The derived quantities follow docs/methods.md §2 exactly (default
settings): age = year - birth_year; working age 16-64; employed = 100 when
``income_source == "employed"``; real income = amount * index[2009] /
index[year]; competence-giving education (vocational or tertiary) for ages
25-64; household-equivalised income = household's summed real income /
(1 + 0.5 (persons 15+ - 1) + 0.3 children < 15); deprivation score for ages
18-64 with the weights of docs/methods.md §2.

The truth is computed in NumPy while the world is simulated, batch by batch
of whole departments, so it is an implementation independent of the panel's
DuckDB SQL (the recovery tests compare the two cell by cell) and costs no
second reading of the residents files.

Files written under ``truth/``:

* ``cells.parquet``: department_id, year, population, outcome, n (units with
  a non-missing outcome), observed, counterfactual (cell means), effect;
  with the youth populations' cells (docs/methods.md §3.1, default ages).
* ``decomposition.parquet``: department_id, year (t1), year_from (t0),
  population, outcome, world (``observed``/``counterfactual``), n_stayers,
  n_in, n_out, change, stayers, in_movers, out_movers (docs/methods.md §5.4).

``truth.json`` layout::

    {
      "schema": "boligeval.synth.truth/1",
      "seed", "scale", "department_size", "years", "dynamic", "effects": {name: value},
      "design": {"cohorts": {"g1": [2006, 2007], "g2": [2008, 2009], "g3": [2010, 2011]},
                 "implementation_lag": 0, "price_base_year": 2009,
                 "working_age": [16, 64], "min_count": 20},
      "counts": {"departments": .., "plans": .., "departments_linked_by_group": {..}, ..},
      "att": {population: {outcome: {
          "overall": float|null,          # mean of (observed - counterfactual) over
                                          # active-plan department-years of the
                                          # departments passing the min-count rule
          "n_department_years": int, "n_departments": int,
          "by_cohort": {cohort: float}, "by_year": {"2007": float},
          "by_cohort_year": {cohort: {"2007": {"att": float, "n": int}}}}}},
      "rent_support": [{"population": "in_movers_working_age", "outcome": ..,
                        "min_count": 20 | 1, "psi": .., "tau": .., "omega": ..,
                        "combined": .., "n_department_years": {"psi": .., "tau": ..,
                        "combined": ..}}],
      "decomposition": {population: {outcome: {"change": .., "stayers": ..,
                        "in_movers": .., "out_movers": .., "n_department_years": ..}}},
      "costs": {"programme_cost": .., "working_age_employed": {first active year |
                "programme": {"window_cost", "resident_years", "extra", "itt_weighted",
                "reach_share", "effect_on_reached", "cost_per_extra_employed"}},
                "all_disposable_income": {.. "income_per_dkk"}}
    }

``att`` compares the programme as it happened (plan and rent support) with
no programme at all, on the department-years with an active plan
(``start_year`` or ``grant_year`` <= t). ``rent_support`` gives the seed's
triple-difference parameters from the same two worlds: psi = mean effect
where only rent support applies, tau = where only the plan applies,
combined = where both apply, omega = combined - psi - tau. The
decomposition effects are (observed - counterfactual) of each term, over
department-years whose plan is active at t1.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from boligeval.config import DEFAULT_DEPRIVATION_WEIGHTS
from boligeval.vocabulary import OUTCOMES, YOUTH_OUTCOMES

__all__ = [
    "COHORTS",
    "DEPRIVATION_WEIGHTS",
    "MIN_COUNT",
    "TruthAccumulator",
    "compute_truth",
    "deprivation_score",
    "equivalence_scale",
]

MIN_COUNT = 20
COHORTS = {"g1": (2006, 2007), "g2": (2008, 2009), "g3": (2010, 2011)}
PRICE_BASE_YEAR = 2009
WORKING_AGE = (16, 64)
EDUCATION_AGES = (25, 64)
DEPRIVATION_AGES = (18, 64)
COMPETENCE = ("vocational", "short_tertiary", "medium_tertiary", "long_tertiary")
#: docs/methods.md §2: labour-market weights (disability pension by age 50), origin, family, crime.
DEPRIVATION_WEIGHTS = DEFAULT_DEPRIVATION_WEIGHTS
PERSON_OUTCOMES = tuple(o for o in OUTCOMES if o not in YOUTH_OUTCOMES)
PERSON_POPULATIONS = {
    "all": "TRUE",
    "working_age": "working_age",
    "in_movers": "in_mover",
    "in_movers_working_age": "in_mover AND working_age",
}
HOUSEHOLD_POPULATIONS = {
    "households": "TRUE",
    "in_mover_households": "any_in_mover",
    "all_in_mover_households": "all_in_movers",
}
DECOMPOSITION_POPULATIONS = ("all", "working_age")
#: docs/methods.md §3.1 defaults: youth ages, parents' minimum age, age of criminal responsibility.
YOUTH_AGES = (12, 17)
PARENT_MIN_AGE = 18
CONVICTION_MIN_AGE = 15
_YOUTH_SHARES = ("youth_education_started", "placed_outside_home", "convicted")


def _youth_cells(table: pa.Table, years: Sequence[int],
                 parents: pa.Table | None = None) -> pd.DataFrame:
    """Cells of ``youth`` and ``vulnerable_youth`` (docs/methods.md §3.1), in pandas.

    The synthetic world has no ``family_id``: a youth's parents are the
    household's members aged 18 or more. Shares are 0/100; convictions count
    from 15; a null outcome leaves the youth out of that outcome's ``n``.
    Vulnerability is read from ``parents`` (the observed world, same rows)
    when given: the programme moves parents' employment, so the counterfactual
    cell is that of the same, observed, vulnerable youth.
    """
    cols = ["department_id", "year", "household_id", "birth_year", "education",
            "income_source", *YOUTH_OUTCOMES]
    f = table.select(cols).to_pandas()
    if parents is not None:
        f["income_source"] = parents.column("income_source").to_pandas()
    f = f[f["year"].isin(years)]
    age = f["year"] - f["birth_year"]
    adults = f[age >= PARENT_MIN_AGE].assign(
        employed=lambda a: a["income_source"] == "employed",
        educated=lambda a: a["education"].isin(COMPETENCE),
    ).groupby(["household_id", "year"])[["employed", "educated"]].any()
    young = f[(age >= YOUTH_AGES[0]) & (age <= YOUTH_AGES[1])].merge(
        adults, left_on=["household_id", "year"], right_index=True, how="left")
    has_adult = young["employed"].notna()
    vulnerable = has_adult & ~(young["employed"].fillna(True).astype(bool)
                               & young["educated"].fillna(True).astype(bool))
    values = pd.DataFrame({"department_id": young["department_id"], "year": young["year"]})
    for o in YOUTH_OUTCOMES:
        v = young[o].astype("float64")
        if o in _YOUTH_SHARES:
            v = v * 100.0
        if o == "convicted":
            v = v.where(young["year"] - young["birth_year"] >= CONVICTION_MIN_AGE)
        values[o] = v
    frames = []
    for population, rows in (("youth", np.ones(len(values), dtype=bool)),
                             ("vulnerable_youth", vulnerable.to_numpy())):
        grouped = values[rows].groupby(["department_id", "year"])
        for o in YOUTH_OUTCOMES:
            stats = grouped[o].agg(["count", "mean"]).reset_index()
            frames.append(pd.DataFrame({
                "department_id": stats["department_id"].astype(str),
                "year": stats["year"].astype(np.int64), "population": population,
                "outcome": o, "n": stats["count"].astype(np.int64), "mean": stats["mean"]}))
    return pd.concat(frames, ignore_index=True)


def equivalence_scale(ages: Sequence[int], cutoff: int = 15) -> float:
    """Equivalence scale 1 + 0.5 (persons aged ``cutoff``+ minus one) + 0.3 (children).

    Examples
    --------
    >>> equivalence_scale([40, 38, 10, 4])
    2.1
    """
    adults = sum(1 for a in ages if a >= cutoff)
    children = len(ages) - adults
    first_child = 1 if adults == 0 and children else 0
    return 1.0 + 0.5 * max(adults - 1, 0) + 0.3 * (children - first_child)


def deprivation_score(
    income_source: str, age: int, origin: str, single_parent: bool, convicted: bool
) -> float | None:
    """Deprivation score of one person (docs/methods.md §2); None outside ages 18-64."""
    if not DEPRIVATION_AGES[0] <= age <= DEPRIVATION_AGES[1]:
        return None
    w = DEPRIVATION_WEIGHTS
    if income_source == "disability_pension":
        labour = w["disability_pension_old"] if age >= 50 else w["disability_pension_young"]
    else:
        labour = w[income_source]
    return labour + w[origin] + w["single_parent"] * single_parent + w["convicted"] * convicted


def _dep_sql() -> str:
    w = DEPRIVATION_WEIGHTS
    labour = " ".join(
        f"WHEN income_source = '{k}' THEN {w[k]!r}"
        for k in (
            "employed",
            "leave",
            "unemployed_short",
            "unemployed_long",
            "social_assistance",
            "missing",
            "student",
            "retired",
            "other",
        )
    )
    origin = " ".join(
        f"WHEN origin = '{k}' THEN {w[k]!r}" for k in ("danish", "western", "non_western")
    )
    return (
        f"CASE WHEN age BETWEEN {DEPRIVATION_AGES[0]} AND {DEPRIVATION_AGES[1]} THEN "
        f"(CASE {labour} WHEN income_source = 'disability_pension' THEN "
        f"(CASE WHEN age >= 50 THEN {w['disability_pension_old']!r} "
        f"ELSE {w['disability_pension_young']!r} END) ELSE 0.0 END)"
        f" + (CASE {origin} ELSE 0.0 END)"
        f" + CASE WHEN single_parent THEN {w['single_parent']!r} ELSE 0.0 END"
        f" + CASE WHEN convicted THEN {w['convicted']!r} ELSE 0.0 END END"
    )


@dataclass(frozen=True)
class _Derived:
    """Person-year derivations of one batch of whole departments (docs/methods.md §2)."""

    departments: np.ndarray  # department_id of each department code
    dept: np.ndarray  # department code per row
    year: np.ndarray  # index into the measurement years per row
    person: np.ndarray  # person code per row (unique within the batch)
    household: np.ndarray  # household code per row
    in_mover: np.ndarray
    working_age: np.ndarray
    outcomes: dict[str, np.ndarray]  # NaN where the outcome is undefined
    # Household-years: department, year, equivalised income, any / all in-movers.
    hh_dept: np.ndarray
    hh_year: np.ndarray
    hh_income: np.ndarray
    hh_any_in: np.ndarray
    hh_all_in: np.ndarray


def _codes(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (nulls get code ``len(values)``) and the distinct values."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    encoded = array.dictionary_encode()
    values = encoded.dictionary.to_numpy(zero_copy_only=False)
    codes = encoded.indices.fill_null(len(values)).to_numpy(zero_copy_only=False)
    return codes.astype(np.int64), values


def _lookup(column: pa.ChunkedArray, mapping: dict[str, float], default: float) -> np.ndarray:
    codes, values = _codes(column)
    table = np.array([mapping.get(str(v), default) for v in values] + [default])
    return np.asarray(table[codes], dtype=float)


def _flag(column: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(column, False).to_numpy(zero_copy_only=False), dtype=bool)


def _derive(table: pa.Table, price_factor: dict[int, float], years: Sequence[int],
            like: _Derived | None = None) -> _Derived:
    """Derive one world's batch; ``like`` is the other world's (same persons, same codes)."""
    table = table.filter(pc.is_in(table["year"], pa.array(list(years), pa.int64())))
    year_abs = table["year"].to_numpy()
    year = np.searchsorted(np.asarray(years), year_abs)
    if like is None:
        dept, departments = _codes(table["department_id"])
        person, _ = _codes(table["person_id"])
        household, _ = _codes(table["household_id"])
    else:
        dept, departments, person, household = (
            like.dept, like.departments, like.person, like.household)
    age = year_abs - table["birth_year"].to_numpy(zero_copy_only=False).astype(float)
    in_mover = _flag(pc.equal(table["move_in_year"], table["year"]))
    working_age = (age >= WORKING_AGE[0]) & (age <= WORKING_AGE[1])
    factor = np.array([price_factor[int(y)] for y in years])
    income = table["disposable_income"].to_numpy(zero_copy_only=False).astype(float)
    real = income * factor[year]

    # Household-years: summed real income, persons aged 15+ and children.
    n_years, n_dept = len(years), len(departments)
    key = (household * n_dept + dept) * n_years + year
    units, unit = np.unique(key, return_inverse=True)
    n_units = len(units)
    total = np.bincount(unit, np.nan_to_num(real), n_units)
    missing = np.bincount(unit, np.isnan(real), n_units)
    adults = np.bincount(unit, age >= 15, n_units)
    children = np.bincount(unit, age < 15, n_units)
    size = np.bincount(unit, None, n_units)
    movers = np.bincount(unit, in_mover, n_units)
    scale = 1.0 + 0.5 * np.maximum(adults - 1, 0) + 0.3 * (children - (adults == 0))
    hh_income = np.where(missing == 0, total / scale, np.nan)

    sources = table["income_source"]
    labour = _lookup(sources, DEPRIVATION_WEIGHTS, 0.0)
    pension = _flag(pc.equal(sources, "disability_pension"))
    labour = np.where(
        pension,
        np.where(age >= 50, DEPRIVATION_WEIGHTS["disability_pension_old"],
                 DEPRIVATION_WEIGHTS["disability_pension_young"]),
        labour,
    )
    origin = _lookup(table["origin"], {k: DEPRIVATION_WEIGHTS[k] for k in
                                       ("danish", "western", "non_western")}, 0.0)
    single = np.where(_flag(table["single_parent"]), DEPRIVATION_WEIGHTS["single_parent"], 0.0)
    convicted = np.where(_flag(table["convicted"]), DEPRIVATION_WEIGHTS["convicted"], 0.0)
    deprivation = labour + origin + single + convicted
    competent = _flag(pc.is_in(table["education"], pa.array(COMPETENCE)))
    outcomes = {
        "employed": np.where(_flag(pc.equal(sources, "employed")), 100.0, 0.0),
        "disposable_income": real,
        "equivalised_income": hh_income[unit],
        "competence_education": np.where(
            (age >= EDUCATION_AGES[0]) & (age <= EDUCATION_AGES[1]),
            np.where(competent, 100.0, 0.0), np.nan),
        "deprivation": np.where(
            (age >= DEPRIVATION_AGES[0]) & (age <= DEPRIVATION_AGES[1]), deprivation, np.nan),
    }
    unit_dept = np.empty(n_units, dtype=np.int64)
    unit_dept[unit] = dept
    return _Derived(
        departments=departments, dept=dept, year=year, person=person, household=household,
        in_mover=in_mover,
        working_age=working_age, outcomes=outcomes, hh_dept=unit_dept,
        hh_year=units % n_years, hh_income=hh_income, hh_any_in=movers > 0,
        hh_all_in=movers == size,
    )


def _means(cell: np.ndarray, rows: np.ndarray, values: np.ndarray,
           n_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """Count and mean of the non-missing ``values`` of ``rows``, per cell."""
    ok = rows & ~np.isnan(values)
    n = np.bincount(cell[ok], None, n_cells)
    total = np.bincount(cell[ok], values[ok], n_cells)
    with np.errstate(invalid="ignore", divide="ignore"):
        return n.astype(np.int64), total / n


def _long(d: _Derived, years: Sequence[int],
          blocks: list[tuple[str, str, np.ndarray, np.ndarray]]) -> pd.DataFrame:
    """One long frame from (population, outcome, n, mean) blocks over all cells."""
    n = np.concatenate([b[2] for b in blocks])
    mean = np.concatenate([b[3] for b in blocks])
    n_cells = len(blocks[0][2])
    keep = n > 0
    cell = np.tile(np.arange(n_cells), len(blocks))[keep]
    which = np.repeat(np.arange(len(blocks)), n_cells)[keep]
    return pd.DataFrame(
        {
            "department_id": d.departments.astype(str)[cell // len(years)],
            "year": np.asarray(years, dtype=np.int64)[cell % len(years)],
            "population": np.array([b[0] for b in blocks], dtype=object)[which],
            "outcome": np.array([b[1] for b in blocks], dtype=object)[which],
            "n": n[keep].astype(np.int64),
            "mean": mean[keep],
        }
    )


def _cells(d: _Derived, years: Sequence[int]) -> pd.DataFrame:
    n_years = len(years)
    n_cells = len(d.departments) * n_years
    cell = d.dept * n_years + d.year
    blocks: list[tuple[str, str, np.ndarray, np.ndarray]] = []
    # One pass per outcome over the four strata (in-mover x working age) of each cell.
    stratum = cell * 4 + d.in_mover * 2 + d.working_age
    members = {"all": [0, 1, 2, 3], "working_age": [1, 3], "in_movers": [2, 3],
               "in_movers_working_age": [3]}
    for o in PERSON_OUTCOMES:
        ok = ~np.isnan(d.outcomes[o])
        count = np.bincount(stratum[ok], None, 4 * n_cells).reshape(n_cells, 4)
        total = np.bincount(stratum[ok], d.outcomes[o][ok], 4 * n_cells).reshape(n_cells, 4)
        for pop, cols in members.items():
            n = count[:, cols].sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                blocks.append((pop, o, n, total[:, cols].sum(axis=1) / n))
    hh_cell = d.hh_dept * n_years + d.hh_year
    for pop, units in {"households": np.ones(len(hh_cell), dtype=bool),
                       "in_mover_households": d.hh_any_in,
                       "all_in_mover_households": d.hh_all_in}.items():
        blocks.append((pop, "equivalised_income", *_means(hh_cell, units, d.hh_income, n_cells)))
    # Out-movers: residents at t0 not in the same department at t1, measured at t0, so
    # their cell is the one of t1.
    key = d.person * len(d.departments) + d.dept
    left = np.zeros(len(key), dtype=bool)
    for i in range(1, n_years):
        before, after = d.year == i - 1, d.year == i
        left |= before & ~np.isin(key, key[after])
    for o in PERSON_OUTCOMES:
        blocks.append(("out_movers", o, *_means(cell + 1, left, d.outcomes[o], n_cells)))
    return _long(d, years, blocks)


def _decomposition(d: _Derived, years: Sequence[int]) -> pd.DataFrame:
    """Stayers', in-movers' and out-movers' terms of each change in means (docs/methods.md §5.4)."""
    n_dept = len(d.departments)
    key = d.person * n_dept + d.dept
    frames: list[pd.DataFrame] = []
    for pop in DECOMPOSITION_POPULATIONS:
        rows = d.working_age if pop == "working_age" else np.ones(len(key), dtype=bool)
        for i in range(1, len(years)):
            a, b = rows & (d.year == i - 1), rows & (d.year == i)
            union = np.union1d(key[a], key[b])
            pos_a, pos_b = np.searchsorted(union, key[a]), np.searchsorted(union, key[b])
            dept = union % n_dept
            for o in PERSON_OUTCOMES:
                va = np.full(len(union), np.nan)
                vb = np.full(len(union), np.nan)
                va[pos_a] = d.outcomes[o][a]
                vb[pos_b] = d.outcomes[o][b]
                has_a, has_b = ~np.isnan(va), ~np.isnan(vb)
                stay, out, inn = has_a & has_b, has_a & ~has_b, has_b & ~has_a
                ns, s0 = _means(dept, stay, va, n_dept)
                s1 = _means(dept, stay, vb, n_dept)[1]
                no, mo = _means(dept, out, va, n_dept)
                ni, mi = _means(dept, inn, vb, n_dept)
                with np.errstate(invalid="ignore", divide="ignore"):
                    stayers = ns / (ns + ni) * (s1 - s0)
                    in_term = np.where(ni > 0, ni / (ns + ni) * (mi - s0), 0.0)
                    out_term = np.where(no > 0, -(no / (ns + no)) * (mo - s0), 0.0)
                keep = ns > 0
                frames.append(
                    pd.DataFrame(
                        {
                            "department_id": d.departments[keep].astype(str),
                            "year": np.int64(years[i]),
                            "year_from": np.int64(years[i - 1]),
                            "population": pop,
                            "outcome": o,
                            "n_stayers": ns[keep].astype(np.int64),
                            "n_in": ni[keep].astype(np.int64),
                            "n_out": no[keep].astype(np.int64),
                            "change": (stayers + in_term + out_term)[keep],
                            "stayers": stayers[keep],
                            "in_movers": in_term[keep],
                            "out_movers": out_term[keep],
                        }
                    )
                )
    return pd.concat(frames, ignore_index=True)


class TruthAccumulator:
    """Collects the truth cells of a world batch by batch, from both worlds' tables.

    Every batch must hold whole departments (all their person-years), so that
    households, out-movers and the mover decomposition stay within a batch.

    Parameters
    ----------
    prices : pandas.DataFrame
        ``year`` and ``index`` (the contract's price table).
    years : sequence of int
        Measurement years.
    decomposition : bool
        Also collect the mover decomposition.
    """

    def __init__(self, prices: pd.DataFrame, years: Sequence[int], *,
                 decomposition: bool = True) -> None:
        self.years = sorted(int(y) for y in years)
        index = dict(zip(prices["year"].astype(int), prices["index"].astype(float), strict=True))
        self._factor = {y: index[PRICE_BASE_YEAR] / index[y] for y in self.years}
        self._decomposition = decomposition and len(self.years) > 1
        self._cells: dict[str, list[pd.DataFrame]] = {"observed": [], "counterfactual": []}
        self._terms: list[pd.DataFrame] = []

    def add(self, observed: pa.Table, counterfactual: pa.Table) -> None:
        """Add one batch of whole departments in both worlds."""
        derived: _Derived | None = None
        for world, table in (("observed", observed), ("counterfactual", counterfactual)):
            derived = _derive(table, self._factor, self.years, like=derived)
            self._cells[world].append(_cells(derived, self.years))
            self._cells[world].append(_youth_cells(
                table, self.years, None if world == "observed" else observed))
            if self._decomposition:
                self._terms.append(_decomposition(derived, self.years).assign(world=world))

    def cells(self) -> pd.DataFrame:
        """Cell means of both worlds and their difference, one row per cell."""
        keys = ["department_id", "year", "population", "outcome"]
        obs = pd.concat(self._cells["observed"], ignore_index=True)
        cf = pd.concat(self._cells["counterfactual"], ignore_index=True)
        cells = obs.rename(columns={"mean": "observed"}).merge(
            cf.rename(columns={"mean": "counterfactual", "n": "n_cf"}), on=keys, how="outer")
        if not (cells["n"] == cells["n_cf"]).all():
            raise AssertionError("observed and counterfactual worlds hold different units")
        cells = cells.drop(columns="n_cf")
        cells["effect"] = cells["observed"] - cells["counterfactual"]
        return cells.sort_values(keys, kind="stable").reset_index(drop=True)

    def decomposition(self) -> pd.DataFrame:
        """Mover decomposition terms of both worlds (empty when not collected)."""
        if not self._terms:
            return pd.DataFrame()
        dec = pd.concat(self._terms, ignore_index=True)
        return dec.sort_values(
            ["world", "population", "outcome", "department_id", "year"], kind="stable"
        ).reset_index(drop=True)


def _num(x: float) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else round(float(x), 6)


def _cohort(grant: float) -> str | None:
    if not math.isfinite(grant):
        return None
    for label, (lo, hi) in COHORTS.items():
        if lo <= grant <= hi:
            return label
    return None


def compute_truth(
    out_dir: Path,
    accumulated: TruthAccumulator,
    plans: pd.DataFrame,
    departments: pd.DataFrame,
    header: dict[str, object],
    *,
    amounts: pd.DataFrame | None = None,
    prices: pd.DataFrame | None = None,
) -> dict[str, object]:
    """Write the truth tables and ``truth.json`` from the collected cells.

    Parameters
    ----------
    out_dir : Path
        The world's folder; writes ``truth.json`` and ``truth/*.parquet``.
    accumulated : TruthAccumulator
        Cells (and decomposition terms) of both worlds, every department added.
    plans, departments : pandas.DataFrame
        The contract tables as written.
    header : dict
        Seed, scale, effects, counts and other metadata stored in truth.json.
    amounts, prices : pandas.DataFrame, optional
        The plans with their amounts and reach, and the price index: adds
        ``costs`` (:func:`boligeval.synth.costs.cost_truth`) to truth.json.

    Returns
    -------
    dict
        The truth.json content.
    """
    years = accumulated.years
    cells = accumulated.cells()
    dec = accumulated.decomposition()
    (out_dir / "truth").mkdir(exist_ok=True)
    cells.to_parquet(out_dir / "truth" / "cells.parquet", index=False)
    if len(dec):
        dec.to_parquet(out_dir / "truth" / "decomposition.parquet", index=False)

    # Design indicators per department-year.
    pl = plans.set_index("plan_id")
    grant = departments["plan_id"].map(pl["grant_year"]).astype("Float64").fillna(np.nan)
    start = departments["plan_id"].map(pl["start_year"]).astype("Float64").fillna(np.nan)
    start = start.where(start.notna(), grant).astype(float)
    info = pd.DataFrame(
        {
            "department_id": departments["department_id"].astype(str),
            "grant": grant.astype(float).to_numpy(),
            "start": start.to_numpy(),
            "rs": departments["rent_support_year"].astype("Float64").fillna(np.nan).astype(float),
        }
    )
    info["cohort"] = [_cohort(g) for g in info["grant"]]
    cells = cells.merge(info, on="department_id", how="left")
    cells["active"] = cells["start"] <= cells["year"]
    cells["rent_support"] = cells["rs"] <= cells["year"]

    def passing(df: pd.DataFrame, min_count: int) -> pd.DataFrame:
        need = {
            pop: (years[1:] if pop == "out_movers" else years) for pop in df["population"].unique()
        }
        ok = df[df["n"] >= min_count]
        counts = ok.groupby(["population", "outcome", "department_id"])["year"].nunique()
        tally = counts.reset_index(name="k")
        tally["need"] = tally["population"].map(lambda p: len(need[p]))
        good = tally.loc[tally["k"] == tally["need"], ["population", "outcome", "department_id"]]
        keep = df.merge(good, on=["population", "outcome", "department_id"])
        return keep[keep["year"].isin(years)]

    panel = passing(cells, MIN_COUNT)
    att: dict[str, dict[str, object]] = {}
    for (pop, outcome), grp in panel.groupby(["population", "outcome"], sort=True):
        treated = grp[grp["active"]]
        entry: dict[str, object] = {
            "overall": _num(treated["effect"].mean()) if len(treated) else None,
            "n_department_years": len(treated),
            "n_departments": int(grp["department_id"].nunique()),
            "by_cohort": {
                str(c): _num(v) for c, v in treated.groupby("cohort")["effect"].mean().items()
            },
            "by_year": {
                str(y): _num(v) for y, v in treated.groupby("year")["effect"].mean().items()
            },
            "by_cohort_year": {},
        }
        bcy: dict[str, dict[str, object]] = {}
        for (c, y), sub in treated.groupby(["cohort", "year"]):
            bcy.setdefault(str(c), {})[str(y)] = {"att": _num(sub["effect"].mean()), "n": len(sub)}
        entry["by_cohort_year"] = bcy
        att.setdefault(str(pop), {})[str(outcome)] = entry

    rent: list[dict[str, object]] = []
    for mc in (MIN_COUNT, 1):
        sub_all = passing(cells[cells["population"] == "in_movers_working_age"], mc)
        for outcome in ("employed", "disposable_income"):
            sub = sub_all[sub_all["outcome"] == outcome]
            parts = {
                "psi": sub[~sub["active"] & sub["rent_support"]],
                "tau": sub[sub["active"] & ~sub["rent_support"]],
                "combined": sub[sub["active"] & sub["rent_support"]],
            }
            vals = {
                k: (float(v["effect"].mean()) if len(v) else float("nan")) for k, v in parts.items()
            }
            rent.append(
                {
                    "population": "in_movers_working_age",
                    "outcome": outcome,
                    "min_count": mc,
                    "psi": _num(vals["psi"]),
                    "tau": _num(vals["tau"]),
                    "omega": _num(vals["combined"] - vals["psi"] - vals["tau"]),
                    "combined": _num(vals["combined"]),
                    "n_department_years": {k: len(v) for k, v in parts.items()},
                }
            )

    mover_terms: dict[str, dict[str, object]] = {}
    if len(dec):
        wide = dec.pivot_table(
            index=["department_id", "year", "population", "outcome"],
            columns="world",
            values=["change", "stayers", "in_movers", "out_movers"],
        )
        eff = pd.DataFrame(
            {
                t: wide[(t, "observed")] - wide[(t, "counterfactual")]
                for t in ("change", "stayers", "in_movers", "out_movers")
            }
        ).reset_index()
        sel = panel[panel["active"]][["department_id", "year", "population", "outcome"]]
        eff = eff.merge(sel, on=["department_id", "year", "population", "outcome"])
        for (pop, outcome), grp in eff.groupby(["population", "outcome"], sort=True):
            mover_terms.setdefault(str(pop), {})[str(outcome)] = {
                **{
                    t: _num(grp[t].mean()) for t in ("change", "stayers", "in_movers", "out_movers")
                },
                "n_department_years": len(grp),
            }

    truth: dict[str, object] = {
        "schema": "boligeval.synth.truth/1",
        **header,
        "design": {
            "cohorts": {k: list(v) for k, v in COHORTS.items()},
            "implementation_lag": 0,
            "price_base_year": PRICE_BASE_YEAR,
            "working_age": list(WORKING_AGE),
            "min_count": MIN_COUNT,
        },
        "att": att,
        "rent_support": rent,
        "decomposition": mover_terms,
    }
    if amounts is not None and prices is not None:
        from boligeval.synth.costs import cost_truth

        truth["costs"] = cost_truth(panel, amounts, departments, prices, years,
                                    price_base_year=PRICE_BASE_YEAR, min_count=MIN_COUNT)
    (out_dir / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=False) + "\n")
    return truth
