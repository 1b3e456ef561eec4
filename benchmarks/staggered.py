"""Benchmark: ATT(g, t), not-yet-treated controls, 999 multiplier-bootstrap draws.

A panel of 3,000 departments x 13 years (generated here, plan clusters of three
departments, four cohorts and a never-treated group) is estimated by
boligeval and, on the same data in the same run, by the Python packages
``diff-diff``, ``moderndid`` and ``csdid`` (install the ``bench`` extra).
Each runs once untimed, then five rounds time every package in turn
(interleaved, so a busy machine slows them alike) and the medians are
compared; the script checks that all give the same ATT(g, t), prints the
BLAS kernel in use (with threadpoolctl installed) and the time ratios.
Target: boligeval at most 0.2 x the fastest other package.

Second part (issue 17): the imputation event study of Borusyak, Jaravel and
Spiess on 3,000 departments x 25 years (the same generator, plan clusters),
every post-treatment event time with plan-clustered standard errors, against
pyfixest's ``did2s`` (Gardner's two-stage event study, the same point
estimates) and diff-diff's ``ImputationDiD``; target at most 0.5 x the
fastest.

Third part: ATT(g, t) with ``allow_unbalanced_panel=True`` on that 25-year
panel with a tenth of the department-years missing, against diff-diff's
``CallawaySantAnna(allow_unbalanced_panel=True)``; target at most 0.5 x.

Run: ``.venv/bin/python benchmarks/staggered.py [cs] [imputation] [unbalanced]``
(all parts without arguments)
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from boligeval.estimate.staggered import att_gt

N_DEPTS = 3_000
YEARS = np.arange(2005, 2018)  # 13 years
COHORTS = (2008, 2010, 2012, 2014, 0)
B = 999
RUNS = 5


IMPUTATION_YEARS = np.arange(1995, 2020)  # 25 years
IMPUTATION_COHORTS = (2000, 2004, 2008, 2012, 2016, 0)


def make_panel(seed: int = 1, years: np.ndarray = YEARS,
               cohorts: tuple[int, ...] = COHORTS) -> pd.DataFrame:
    """Department-year panel with plan shocks and dynamic, cohort-specific effects."""
    rng = np.random.default_rng(seed)
    plan = np.arange(N_DEPTS) // 3
    n_plans = plan.max() + 1
    g = rng.choice(np.array(cohorts), size=n_plans)[plan]
    t = years[None, :]
    effect = np.where((g[:, None] > 0) & (t >= g[:, None]), 0.5 + 0.1 * (t - g[:, None]), 0.0)
    y = (
        rng.normal(size=(N_DEPTS, 1))
        + 0.05 * (t - years[0])
        + rng.normal(scale=0.5, size=(n_plans, years.size))[plan]
        + effect
        + rng.normal(size=(N_DEPTS, years.size))
    )
    return pd.DataFrame(
        {
            "dept": np.repeat(np.arange(N_DEPTS), years.size),
            "plan": np.repeat(plan, years.size),
            "year": np.tile(years, N_DEPTS),
            "g": np.repeat(g, years.size),
            "y": y.ravel(),
        }
    )


Runner = Callable[[pd.DataFrame], dict[tuple[int, int], float]]


def run_boligeval(df: pd.DataFrame) -> dict[tuple[int, int], float]:
    """boligeval.att_gt."""
    res = att_gt(df, yname="y", tname="year", idname="dept", gname="g", cluster="plan",
                 control_group="notyettreated", bootstrap_draws=B, seed=1)  # fmt: skip
    return {
        (int(g), int(t)): float(a) for g, t, a in zip(res.groups, res.times, res.att, strict=True)
    }


def run_diff_diff(df: pd.DataFrame) -> dict[tuple[int, int], float]:
    """diff-diff's CallawaySantAnna."""
    from diff_diff import CallawaySantAnna

    est = CallawaySantAnna(control_group="not_yet_treated", estimation_method="reg",
                           n_bootstrap=B, seed=1, cluster="plan")  # fmt: skip
    res = est.fit(df, outcome="y", unit="dept", time="year", first_treat="g")
    return {(int(g), int(t)): float(v["effect"]) for (g, t), v in res.group_time_effects.items()}


def run_moderndid(df: pd.DataFrame) -> dict[tuple[int, int], float]:
    """moderndid.att_gt."""
    import moderndid

    res = moderndid.att_gt(df, yname="y", tname="year", idname="dept", gname="g",
                           control_group="notyettreated", boot=True, biters=B,
                           clustervars=["plan"], est_method="reg", random_state=1)  # fmt: skip
    return {
        (int(g), int(t)): float(a)
        for g, t, a in zip(res.groups, res.times, res.att_gt, strict=True)
    }


def run_csdid(df: pd.DataFrame) -> dict[tuple[int, int], float]:
    """csdid's ATTgt."""
    from csdid.att_gt import ATTgt

    res = ATTgt(yname="y", tname="year", idname="dept", gname="g", data=df,
                control_group="notyettreated", clustervar="plan", biters=B)  # fmt: skip
    out = res.fit(est_method="reg", bstrap=True).results
    return {
        (int(g), int(t)): float(a)
        for g, t, a in zip(out["group"], out["year"], out["att"], strict=True)
    }


def time_interleaved(
    runners: dict[str, Runner], df: pd.DataFrame
) -> tuple[dict[str, float], dict[str, dict[tuple[int, int], float]]]:
    """One untimed run of each, then RUNS rounds timing each in turn; medians.

    A runner that is not installed or fails is reported and left out.
    """
    results: dict[str, dict[tuple[int, int], float]] = {}
    for name, fn in runners.items():
        try:
            results[name] = fn(df)
        except ImportError as exc:
            print(f"{name}: not installed ({exc})")
        except Exception as exc:  # a competitor failing must not hide the others
            print(f"{name}: failed ({type(exc).__name__}: {exc})")
    samples: dict[str, list[float]] = {name: [] for name in results}
    for _ in range(RUNS):
        for name in results:
            start = time.perf_counter()
            runners[name](df)
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(v) for name, v in samples.items()}, results


def blas_kernel() -> str:
    """OpenBLAS core type and threads, when threadpoolctl is installed."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl not installed)"
    info = {f"{i.get('internal_api')} {i.get('architecture')} x{i.get('num_threads')}"
            for i in threadpool_info() if i.get("user_api") == "blas"}  # fmt: skip
    return ", ".join(sorted(info)) or "none found"


EventTimes = dict[tuple[int, int], float]


def run_imputation(df: pd.DataFrame) -> EventTimes:
    """boligeval.estimate.imputation.imputation_did: event times and the ATT."""
    from boligeval.estimate.imputation import imputation_did

    res = imputation_did(df, "y", "year", "dept", "g", cluster="plan")
    return {(0, e): float(b) for e, b in zip(res.event_times, res.estimates, strict=True)}


def run_did2s(df: pd.DataFrame) -> EventTimes:
    """pyfixest.did2s, event-time dummies in the second stage."""
    import pyfixest as pf

    d = df.assign(treat=((df["g"] > 0) & (df["year"] >= df["g"])).astype(int),
                  rel=np.where(df["g"] > 0, df["year"] - df["g"], -1000).astype(float))
    d["rel"] = np.where(d["treat"] == 1, d["rel"], -1000.0)
    fit = pf.did2s(d, yname="y", first_stage="~0|dept+year",
                   second_stage="~i(rel, ref=-1000.0)", treatment="treat", cluster="plan")
    return {(0, int(float(k.split("::")[1]))): float(v) for k, v in fit.coef().items()}


def run_diff_diff_imputation(df: pd.DataFrame) -> EventTimes:
    """diff-diff's ImputationDiD, event-study aggregation."""
    from diff_diff import ImputationDiD

    res = ImputationDiD(cluster="plan").fit(df, "y", "dept", "year", "g")
    es = res.aggregate("event_study")
    return {(0, int(e)): float(a) for e, a in zip(es.event_time, es.att, strict=True) if e >= 0}


def main_imputation() -> None:
    """Time the imputation event study against did2s and diff-diff; print the ratio."""
    warnings.filterwarnings("ignore")
    df = make_panel(years=IMPUTATION_YEARS, cohorts=IMPUTATION_COHORTS)
    print(f"imputation panel: {N_DEPTS} departments x {IMPUTATION_YEARS.size} years, "
          f"{df['plan'].nunique()} plans")
    runners: dict[str, Runner] = {"boligeval": run_imputation, "pyfixest did2s": run_did2s,
                                  "diff-diff": run_diff_diff_imputation}
    times, results = time_interleaved(runners, df)
    report(times, results, target=0.5)


def make_unbalanced(seed: int = 2) -> pd.DataFrame:
    """The 25-year panel with a tenth of the department-years missing at random."""
    df = make_panel(years=IMPUTATION_YEARS, cohorts=IMPUTATION_COHORTS)
    keep = np.random.default_rng(seed).random(len(df)) >= 0.1
    return df[keep].reset_index(drop=True)


def run_unbalanced(df: pd.DataFrame) -> dict[tuple[int, int], float]:
    """boligeval.att_gt(allow_unbalanced_panel=True)."""
    res = att_gt(df, yname="y", tname="year", idname="dept", gname="g", cluster="plan",
                 control_group="notyettreated", bootstrap_draws=B, seed=1,
                 allow_unbalanced_panel=True)
    return {
        (int(g), int(t)): float(a) for g, t, a in zip(res.groups, res.times, res.att, strict=True)
    }


def run_diff_diff_unbalanced(df: pd.DataFrame) -> dict[tuple[int, int], float]:
    """diff-diff's CallawaySantAnna(allow_unbalanced_panel=True)."""
    from diff_diff import CallawaySantAnna

    est = CallawaySantAnna(control_group="not_yet_treated", n_bootstrap=B, seed=1,
                           cluster="plan", allow_unbalanced_panel=True)
    res = est.fit(df, outcome="y", unit="dept", time="year", first_treat="g")
    return {(int(g), int(t)): float(v["effect"]) for (g, t), v in res.group_time_effects.items()}


def main_unbalanced() -> None:
    """Time ATT(g, t) on an unbalanced panel against diff-diff; print the ratio.

    moderndid's unbalanced path (``panel=False``) sums influence functions by unit
    with a Python loop over units per cell and is left out at this size.
    """
    warnings.filterwarnings("ignore")
    df = make_unbalanced()
    print(f"unbalanced panel: {df['dept'].nunique()} departments, {len(df)} department-years "
          f"of {N_DEPTS * IMPUTATION_YEARS.size}, B={B}")
    runners: dict[str, Runner] = {"boligeval": run_unbalanced,
                                  "diff-diff": run_diff_diff_unbalanced}
    times, results = time_interleaved(runners, df)
    report(times, results, target=0.5)


def report(times: dict[str, float], results: dict[str, dict[tuple[int, int], float]],
           target: float) -> None:
    """Print medians, agreement with boligeval and the ratio to the fastest peer."""
    print(f"BLAS: {blas_kernel()}")
    for name, t in times.items():
        print(f"{name:15s} median {t:8.4f} s")
    ours = results["boligeval"]
    for name, res in results.items():
        if name == "boligeval":
            continue
        common = sorted(set(ours) & set(res))
        dev = max(abs(ours[k] - res[k]) for k in common) if common else float("nan")
        print(f"{name:15s} estimates {len(res):3d} (ours {len(ours)}), common {len(common)}, "
              f"max |difference| = {dev:.2e}")  # fmt: skip
    others = {k: v for k, v in times.items() if k != "boligeval"}
    for name, t in others.items():
        print(f"boligeval / {name}: {times['boligeval'] / t:.4f}")
    if others:
        fastest = min(others, key=lambda k: others[k])
        ratio = times["boligeval"] / others[fastest]
        verdict = "meets" if ratio <= target else "misses"
        print(f"ratio to the fastest ({fastest}): {ratio:.4f} -> {verdict} the {target} target")


def main() -> None:
    """Time every implementation, check agreement and print ratios."""
    warnings.filterwarnings("ignore")
    df = make_panel()
    print(f"panel: {N_DEPTS} departments x {YEARS.size} years, {df['plan'].nunique()} plans, B={B}")
    runners: dict[str, Runner] = {
        "boligeval": run_boligeval,
        "diff-diff": run_diff_diff,
        "moderndid": run_moderndid,
        "csdid": run_csdid,
    }
    times, results = time_interleaved(runners, df)
    report(times, results, target=0.2)


if __name__ == "__main__":
    parts = sys.argv[1:] or ["cs", "imputation", "unbalanced"]
    if "cs" in parts:
        main()
    if "imputation" in parts:
        main_imputation()
    if "unbalanced" in parts:
        main_unbalanced()
