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

Run: ``.venv/bin/python benchmarks/staggered.py``
"""

from __future__ import annotations

import statistics
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


def make_panel(seed: int = 1) -> pd.DataFrame:
    """Department-year panel with plan shocks and dynamic, cohort-specific effects."""
    rng = np.random.default_rng(seed)
    plan = np.arange(N_DEPTS) // 3
    n_plans = plan.max() + 1
    g = rng.choice(np.array(COHORTS), size=n_plans)[plan]
    t = YEARS[None, :]
    effect = np.where((g[:, None] > 0) & (t >= g[:, None]), 0.5 + 0.1 * (t - g[:, None]), 0.0)
    y = (
        rng.normal(size=(N_DEPTS, 1))
        + 0.05 * (t - YEARS[0])
        + rng.normal(scale=0.5, size=(n_plans, YEARS.size))[plan]
        + effect
        + rng.normal(size=(N_DEPTS, YEARS.size))
    )
    return pd.DataFrame(
        {
            "dept": np.repeat(np.arange(N_DEPTS), YEARS.size),
            "plan": np.repeat(plan, YEARS.size),
            "year": np.tile(YEARS, N_DEPTS),
            "g": np.repeat(g, YEARS.size),
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
    print(f"BLAS: {blas_kernel()}")
    for name, t in times.items():
        print(f"{name:10s} median {t:8.4f} s")
    ours = results["boligeval"]
    for name, res in results.items():
        if name == "boligeval":
            continue
        common = sorted(set(ours) & set(res))
        dev = max(abs(ours[k] - res[k]) for k in common) if common else float("nan")
        print(f"{name:10s} cells {len(res):3d} (ours {len(ours)}), common {len(common)}, "
              f"max |ATT difference| = {dev:.2e}")  # fmt: skip
    others = {k: v for k, v in times.items() if k != "boligeval"}
    for name, t in others.items():
        print(f"boligeval / {name}: {times['boligeval'] / t:.4f}")
    if others:
        fastest = min(others, key=lambda k: others[k])
        ratio = times["boligeval"] / others[fastest]
        verdict = "meets" if ratio <= 0.2 else "misses"
        print(f"ratio to the fastest ({fastest}): {ratio:.4f} -> {verdict} the 0.2 target")


if __name__ == "__main__":
    main()
