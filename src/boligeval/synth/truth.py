"""True effects of the synthetic world, computed from both potential-outcome worlds.

The observed residents file and ``truth/residents_counterfactual.parquet``
hold the same person-years; they differ only in the outcomes the programme
moves. The derived quantities follow methods.md §2 exactly (default
settings): age = year - birth_year; working age 16-64; employed = 100 when
``income_source == "employed"``; real income = amount * index[2009] /
index[year]; competence-giving education (vocational or tertiary) for ages
25-64; household-equivalised income = household's summed real income /
(1 + 0.5 (persons 15+ - 1) + 0.3 children < 15); deprivation score for ages
18-64 with the weights of methods.md §2.

Files written under ``truth/``:

* ``cells.parquet``: department_id, year, population, outcome, n (units with
  a non-missing outcome), observed, counterfactual (cell means), effect.
* ``decomposition.parquet``: department_id, year (t1), year_from (t0),
  population, outcome, world (``observed``/``counterfactual``), n_stayers,
  n_in, n_out, change, stayers, in_movers, out_movers (methods.md §5.4).

``truth.json`` layout::

    {
      "schema": "boligeval.synth.truth/1",
      "seed", "scale", "years", "dynamic", "effects": {name: value},
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
                        "in_movers": .., "out_movers": .., "n_department_years": ..}}}
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

import itertools
import json
import math
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

__all__ = [
    "COHORTS",
    "DEPRIVATION_WEIGHTS",
    "MIN_COUNT",
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
#: methods.md §2: labour-market weights (disability pension by age 50), origin, family, crime.
DEPRIVATION_WEIGHTS = {
    "employed": 0.0,
    "leave": 0.0,
    "unemployed_short": 0.0,
    "unemployed_long": 1.0,
    "social_assistance": 1.5,
    "missing": 1.5,
    "student": 0.0,
    "retired": 0.0,
    "other": 0.0,
    "disability_pension_old": 0.5,
    "disability_pension_young": 2.5,
    "danish": 0.0,
    "western": 1.0,
    "non_western": 1.5,
    "single_parent": 1.0,
    "convicted": 1.0,
}
PERSON_OUTCOMES = (
    "employed",
    "disposable_income",
    "equivalised_income",
    "competence_education",
    "deprivation",
)
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
    """Deprivation score of one person (methods.md §2); None outside ages 18-64."""
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


def _source_sql(path: Path) -> str:
    if path.suffix == ".csv":
        return (
            f"read_csv('{path}', header=true, columns={{'person_id': 'VARCHAR', "
            "'year': 'BIGINT', 'department_id': 'VARCHAR', 'household_id': 'VARCHAR', "
            "'birth_year': 'BIGINT', 'sex': 'VARCHAR', 'origin': 'VARCHAR', "
            "'income_source': 'VARCHAR', 'disposable_income': 'DOUBLE', "
            "'education': 'VARCHAR', 'single_parent': 'BOOLEAN', 'convicted': 'BOOLEAN', "
            "'move_in_year': 'BIGINT', 'gross_income': 'DOUBLE'})"
        )
    return f"read_parquet('{path}')"


def _derive(con: duckdb.DuckDBPyConnection, name: str, source: str, years: Sequence[int]) -> None:
    comp = ", ".join(f"'{c}'" for c in COMPETENCE)
    con.execute(f"""
        CREATE OR REPLACE TABLE {name} AS
        WITH base AS (
            SELECT r.person_id, r.household_id, r.department_id, r.year,
                   r.year - r.birth_year AS age, r.income_source, r.origin,
                   r.single_parent, r.convicted, r.education,
                   coalesce(r.move_in_year = r.year, false) AS in_mover,
                   r.disposable_income * b.idx / p."index" AS real_income
            FROM {source} r JOIN prices p ON p.year = r.year
            CROSS JOIN (SELECT "index" AS idx FROM prices WHERE year = {PRICE_BASE_YEAR}) b
            WHERE r.year IN ({", ".join(str(y) for y in years)})
        ),
        hh AS (
            SELECT household_id, year, sum(real_income) AS inc,
                   count(*) FILTER (WHERE real_income IS NULL) AS n_missing,
                   count(*) FILTER (WHERE age >= 15) AS n15,
                   count(*) FILTER (WHERE age < 15) AS n_child
            FROM base GROUP BY household_id, year
        )
        SELECT b.person_id, b.household_id, b.department_id, b.year, b.in_mover,
               b.age BETWEEN {WORKING_AGE[0]} AND {WORKING_AGE[1]} AS working_age,
               CASE WHEN b.income_source = 'employed' THEN 100.0 ELSE 0.0 END AS employed,
               b.real_income AS disposable_income,
               CASE WHEN h.n_missing = 0 THEN h.inc / (1.0 + 0.5 * greatest(h.n15 - 1, 0)
                    + 0.3 * (h.n_child - CASE WHEN h.n15 = 0 THEN 1 ELSE 0 END)) END
                    AS equivalised_income,
               CASE WHEN b.age BETWEEN {EDUCATION_AGES[0]} AND {EDUCATION_AGES[1]} THEN
                    CASE WHEN b.education IN ({comp}) THEN 100.0 ELSE 0.0 END END
                    AS competence_education,
               {_dep_sql()} AS deprivation
        FROM base b JOIN hh h ON h.household_id = b.household_id AND h.year = b.year
    """)


def _cells(con: duckdb.DuckDBPyConnection, table: str, years: Sequence[int]) -> pd.DataFrame:
    frames: list[pd.DataFrame] = []
    aggs = ", ".join(f"count({o}) AS n__{o}, avg({o}) AS m__{o}" for o in PERSON_OUTCOMES)
    for pop, cond in PERSON_POPULATIONS.items():
        df = con.execute(
            f"SELECT department_id, year, {aggs} FROM {table} WHERE {cond} "
            "GROUP BY department_id, year"
        ).df()
        frames.append(_melt(df, pop, PERSON_OUTCOMES))
    for pop, cond in HOUSEHOLD_POPULATIONS.items():
        df = con.execute(f"""
            WITH h AS (
                SELECT department_id, year, household_id,
                       any_value(equivalised_income) AS eq,
                       bool_or(in_mover) AS any_in_mover, bool_and(in_mover) AS all_in_movers
                FROM {table} GROUP BY department_id, year, household_id)
            SELECT department_id, year, count(eq) AS n__equivalised_income,
                   avg(eq) AS m__equivalised_income
            FROM h WHERE {cond} GROUP BY department_id, year""").df()
        frames.append(_melt(df, pop, ("equivalised_income",)))
    if len(years) > 1:
        pairs = _pairs_sql(years)
        df = con.execute(f"""
            SELECT a.department_id, p.t1 AS year, {aggs.replace("(", "(a.")}
            FROM {table} a JOIN ({pairs}) p ON a.year = p.t0
            LEFT JOIN {table} b ON b.person_id = a.person_id
                 AND b.department_id = a.department_id AND b.year = p.t1
            WHERE b.person_id IS NULL
            GROUP BY a.department_id, p.t1""").df()
        frames.append(_melt(df, "out_movers", PERSON_OUTCOMES))
    return pd.concat(frames, ignore_index=True)


def _melt(df: pd.DataFrame, pop: str, outcomes: Sequence[str]) -> pd.DataFrame:
    parts = []
    for o in outcomes:
        parts.append(
            pd.DataFrame(
                {
                    "department_id": df["department_id"].astype(str),
                    "year": df["year"].astype("int64"),
                    "population": pop,
                    "outcome": o,
                    "n": df[f"n__{o}"].astype("int64"),
                    "mean": df[f"m__{o}"].astype(float),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    return out[out["n"] > 0]


def _pairs_sql(years: Sequence[int]) -> str:
    return " UNION ALL ".join(f"SELECT {a} AS t0, {b} AS t1" for a, b in itertools.pairwise(years))


def _decomposition(
    con: duckdb.DuckDBPyConnection, table: str, years: Sequence[int]
) -> pd.DataFrame:
    pairs = _pairs_sql(years)
    rows = []
    for pop in DECOMPOSITION_POPULATIONS:
        cond = PERSON_POPULATIONS[pop]
        cols = ", ".join(PERSON_OUTCOMES)
        parts = []
        for o in PERSON_OUTCOMES:
            s = f"a.{o} IS NOT NULL AND b.{o} IS NOT NULL"
            out = f"a.{o} IS NOT NULL AND b.{o} IS NULL"
            inn = f"b.{o} IS NOT NULL AND a.{o} IS NULL"
            parts.append(
                f"count(*) FILTER (WHERE {s}) AS ns__{o}, "
                f"count(*) FILTER (WHERE {out}) AS no__{o}, "
                f"count(*) FILTER (WHERE {inn}) AS ni__{o}, "
                f"avg(a.{o}) FILTER (WHERE {s}) AS s0__{o}, "
                f"avg(b.{o}) FILTER (WHERE {s}) AS s1__{o}, "
                f"avg(a.{o}) FILTER (WHERE {out}) AS mo__{o}, "
                f"avg(b.{o}) FILTER (WHERE {inn}) AS mi__{o}"
            )
        df = con.execute(f"""
            WITH a AS (SELECT x.person_id, x.department_id, p.t0, p.t1, {cols}
                       FROM {table} x JOIN ({pairs}) p ON x.year = p.t0 WHERE {cond}),
                 b AS (SELECT x.person_id, x.department_id, p.t0, p.t1, {cols}
                       FROM {table} x JOIN ({pairs}) p ON x.year = p.t1 WHERE {cond})
            SELECT coalesce(a.department_id, b.department_id) AS department_id,
                   coalesce(a.t1, b.t1) AS year, coalesce(a.t0, b.t0) AS year_from,
                   {", ".join(parts)}
            FROM a FULL OUTER JOIN b ON a.person_id = b.person_id
                 AND a.department_id = b.department_id AND a.t1 = b.t1
            GROUP BY 1, 2, 3""").df()
        for o in PERSON_OUTCOMES:
            ns, no, ni = (df[f"{k}__{o}"].astype(float) for k in ("ns", "no", "ni"))
            s0, s1, mo, mi = (df[f"{k}__{o}"].astype(float) for k in ("s0", "s1", "mo", "mi"))
            stay = ns / (ns + ni) * (s1 - s0)
            inn_t = (ni / (ns + ni) * (mi - s0)).where(ni > 0, 0.0)
            out_t = (-(no / (ns + no)) * (mo - s0)).where(no > 0, 0.0)
            frame = pd.DataFrame(
                {
                    "department_id": df["department_id"].astype(str),
                    "year": df["year"].astype("int64"),
                    "year_from": df["year_from"].astype("int64"),
                    "population": pop,
                    "outcome": o,
                    "n_stayers": ns.astype("int64"),
                    "n_in": ni.astype("int64"),
                    "n_out": no.astype("int64"),
                    "change": stay + inn_t + out_t,
                    "stayers": stay,
                    "in_movers": inn_t,
                    "out_movers": out_t,
                }
            )
            rows.append(frame[ns > 0])
    return pd.concat(rows, ignore_index=True)


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
    residents: Path,
    counterfactual: Path,
    plans: pd.DataFrame,
    departments: pd.DataFrame,
    prices: pd.DataFrame,
    years: Sequence[int],
    header: dict[str, object],
) -> dict[str, object]:
    """Compute the truth tables and ``truth.json`` from both worlds.

    Parameters
    ----------
    out_dir : Path
        The world's folder; writes ``truth.json`` and ``truth/*.parquet``.
    residents, counterfactual : Path
        The observed and counterfactual residents files.
    plans, departments, prices : pandas.DataFrame
        The contract tables as written.
    years : sequence of int
        Measurement years.
    header : dict
        Seed, scale, effects, counts and other metadata stored in truth.json.

    Returns
    -------
    dict
        The truth.json content.
    """
    years = sorted(int(y) for y in years)
    tmp = Path(tempfile.mkdtemp(prefix="truth-", dir=out_dir))
    try:
        # One thread: float sums in a fixed order, so truth files are byte-identical.
        con = duckdb.connect(
            config={"threads": 1, "memory_limit": "1GB", "temp_directory": str(tmp)}
        )
        con.register("prices_df", prices)
        con.execute('CREATE TABLE prices AS SELECT year, "index" FROM prices_df')
        _derive(con, "obs", _source_sql(residents), years)
        _derive(con, "cf", _source_sql(counterfactual), years)
        keys = ["department_id", "year", "population", "outcome"]
        c_obs = _cells(con, "obs", years).rename(columns={"mean": "observed"})
        c_cf = _cells(con, "cf", years).rename(columns={"mean": "counterfactual", "n": "n_cf"})
        dec = (
            pd.concat(
                [
                    _decomposition(con, "obs", years).assign(world="observed"),
                    _decomposition(con, "cf", years).assign(world="counterfactual"),
                ],
                ignore_index=True,
            )
            if len(years) > 1
            else pd.DataFrame()
        )
        con.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    cells = c_obs.merge(c_cf, on=keys, how="outer")
    if not (cells["n"] == cells["n_cf"]).all():
        raise AssertionError("observed and counterfactual worlds hold different units")
    cells = cells.drop(columns="n_cf")
    cells["effect"] = cells["observed"] - cells["counterfactual"]
    cells = cells.sort_values(keys, kind="stable").reset_index(drop=True)
    (out_dir / "truth").mkdir(exist_ok=True)
    cells.to_parquet(out_dir / "truth" / "cells.parquet", index=False)
    if len(dec):
        dec = dec.sort_values(
            ["world", "population", "outcome", "department_id", "year"], kind="stable"
        ).reset_index(drop=True)
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

    decomposition: dict[str, dict[str, object]] = {}
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
            decomposition.setdefault(str(pop), {})[str(outcome)] = {
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
        "decomposition": decomposition,
    }
    (out_dir / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=False) + "\n")
    return truth
