"""Time boligeval's individual-level DiD against pyfixest and linearmodels.

The seed's individual model (methods §5.3): department fixed effects absorbed,
year dummies, ``active_plan``, ``in_mover`` and their interaction, clustered
on plan (CR1). The data are built with NumPy in the seed's shape (about
770,000 person-years, 520 departments, 3 years, 170 plans), or derived from a
synthetic world folder (``--world DIR``: plans, departments and residents in
the input-contract shape). Each engine runs once untimed, then ``--repeats``
timed runs; the script prints medians, ratios and the largest differences in
the estimates.

Run: ``.venv/bin/python benchmarks/estimate.py [--world DIR] [--sizes 1 3]``.
Target: boligeval <= 0.5 x pyfixest.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from boligeval.estimate import individual_did

TERMS = ["active_plan", "in_mover", "in_mover_active_plan"]


def simulate(n_rows: int, seed: int = 2009) -> pd.DataFrame:
    """Person-year rows like the seed's: 520 departments in 170 plans, years 2005/07/09."""
    rng = np.random.default_rng(seed)
    n_dep, n_plans = 520, 170
    plan_of_dep = np.sort(rng.integers(0, n_plans, size=n_dep))
    cohort_start = rng.choice([2007, 2009, 9999], size=n_plans, p=[0.4, 0.35, 0.25])
    size = rng.gamma(2.0, 1.0, size=n_dep)
    dep = rng.choice(n_dep, size=n_rows, p=size / size.sum())
    year = rng.choice(np.array([2005, 2007, 2009]), size=n_rows)
    active = (year >= cohort_start[plan_of_dep[dep]]).astype(np.int64)
    mover = (rng.random(n_rows) < 0.12).astype(np.int64)
    dep_effect = rng.normal(0, 10, size=n_dep)
    y = (
        40
        + dep_effect[dep]
        + 1.5 * (year - 2005)
        + 2.0 * active
        + 5.0 * mover
        - 3.0 * mover * active
        + rng.normal(0, 40, size=n_rows)
    )
    return pd.DataFrame(
        {
            "department_id": dep.astype(np.int64),
            "plan_id": plan_of_dep[dep].astype(np.int64),
            "year": year.astype(np.int64),
            "active_plan": active,
            "in_mover": mover,
            "employed": y,
        }
    )


def _read(folder: Path, name: str) -> pd.DataFrame:
    for ext, reader in ((".parquet", pd.read_parquet), (".csv", pd.read_csv)):
        path = folder / f"{name}{ext}"
        if path.exists():
            return reader(path)
    raise SystemExit(f"{folder} has no {name}.parquet or {name}.csv")


def from_world(folder: Path) -> pd.DataFrame:
    """Person-years from a world folder: employment (0/100) as the outcome."""
    plans = _read(folder, "plans")
    deps = _read(folder, "departments")[["department_id", "plan_id"]]
    res = _read(folder, "residents")[["department_id", "year", "income_source", "move_in_year"]]
    start = (
        plans["start_year"].fillna(plans["grant_year"])
        if "start_year" in plans
        else plans["grant_year"]
    )
    plans = plans.assign(start=start)[["plan_id", "start"]]
    df = res.merge(deps, on="department_id").merge(plans, on="plan_id", how="left")
    return pd.DataFrame(
        {
            "department_id": pd.factorize(df["department_id"])[0],
            "plan_id": pd.factorize(df["plan_id"])[0],
            "year": df["year"].astype(np.int64),
            "active_plan": (df["start"].notna() & (df["year"] >= df["start"])).astype(np.int64),
            "in_mover": (df["move_in_year"] == df["year"]).astype(np.int64),
            "employed": (df["income_source"] == "employed").astype(float) * 100.0,
        }
    )


def run_boligeval(df: pd.DataFrame) -> pd.Series:
    res = individual_did(df, "employed")
    return res.fit.coef()[TERMS]


def run_pyfixest(df: pd.DataFrame) -> pd.Series:
    import pyfixest as pf

    fit = pf.feols(
        "employed ~ active_plan + in_mover + in_mover_active_plan + i(year) | department_id",
        df,
        vcov={"CRV1": "plan_id"},
    )
    return fit.coef()[TERMS]


def run_linearmodels(df: pd.DataFrame) -> pd.Series:
    from linearmodels.panel import PanelOLS

    idx = df.set_index(["department_id", "row"])
    exog = (
        idx[TERMS]
        .astype(float)
        .assign(
            year_2007=(idx["year"] == 2007).astype(float),
            year_2009=(idx["year"] == 2009).astype(float),
        )
    )
    fit = PanelOLS(idx["employed"], exog, entity_effects=True).fit(
        cov_type="clustered", clusters=idx[["plan_id"]]
    )
    return fit.params[TERMS]


def timed(
    fn: Callable[[pd.DataFrame], pd.Series], df: pd.DataFrame, repeats: int
) -> tuple[float, pd.Series]:
    coef = fn(df)  # untimed warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        coef = fn(df)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), coef


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=Path, help="synthetic world folder (input-contract shape)")
    parser.add_argument("--rows", type=int, default=770_000, help="rows of the simulated data")
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[1, 3], help="multiples of the data"
    )
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    base = from_world(args.world) if args.world else simulate(args.rows)
    warnings.filterwarnings("ignore")
    print(
        f"{'rows':>10} {'engine':<13} {'median s':>9} {'vs pyfixest':>12} {'max |diff| coef':>16}"
    )
    for mult in args.sizes:
        df = base if mult == 1 else simulate(len(base) * mult, seed=2009 + mult)
        df = df.assign(
            in_mover_active_plan=df["in_mover"] * df["active_plan"], row=np.arange(len(df))
        )
        t_pf, c_pf = timed(run_pyfixest, df, args.repeats)
        t_be, c_be = timed(run_boligeval, df, args.repeats)
        t_lm, c_lm = timed(run_linearmodels, df, args.repeats)
        for name, t, c in (
            ("pyfixest", t_pf, c_pf),
            ("boligeval", t_be, c_be),
            ("linearmodels", t_lm, c_lm),
        ):
            diff = float(np.max(np.abs(c.to_numpy() - c_pf.to_numpy())))
            print(f"{len(df):>10} {name:<13} {t:>9.3f} {t / t_pf:>11.2f}x {diff:>16.2e}")
        ok = np.allclose(c_be.to_numpy(), c_pf.to_numpy(), rtol=1e-8, atol=0)
        print(
            f"{'':>10} estimates identical to pyfixest (rtol 1e-8): {ok}; "
            f"target boligeval <= 0.5 x pyfixest: {'met' if t_be <= 0.5 * t_pf else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
