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

Fourth part: de Chaisemartin and D'Haultfoeuille's DID_l for plans that end
and start again (``boligeval.estimate.switching.did_multiplegt``, eight
effects, three placebos, the average total effect, plan-clustered) on 3,000
departments x 25 years, a tenth of them leaving the panel, against diff-diff's
``ChaisemartinDHaultfoeuille`` (``drop_larger_lower=False``, ``L_max=8``),
``py_did_multiplegt_dyn`` and moderndid's ``did_multiplegt``.

Run: ``.venv/bin/python benchmarks/staggered.py [cs] [imputation] [unbalanced] [switching]``
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


SWITCHING_EFFECTS, SWITCHING_PLACEBOS = 8, 3


def make_switching(seed: int = 3) -> pd.DataFrame:
    """25 years; plans start 2000-2014, end after 2-5 years, 30 % start again; a tenth of
    the departments leave after 2012; effects grow with exposure and half persist."""
    rng = np.random.default_rng(seed)
    years = IMPUTATION_YEARS
    plan = np.arange(N_DEPTS) // 3
    n_plans, n_t = plan.max() + 1, years.size
    d = np.zeros((n_plans, n_t), dtype=int)
    treated = rng.random(n_plans) < 0.75
    start = rng.integers(5, 20, size=n_plans)
    length = rng.integers(2, 6, size=n_plans)
    again = rng.random(n_plans) < 0.3
    gap = rng.integers(1, 4, size=n_plans)
    t = np.arange(n_t)[None, :]
    first = (t >= start[:, None]) & (t < (start + length)[:, None])
    second = again[:, None] & (t >= (start + length + gap)[:, None])
    d = (treated[:, None] & (first | second)).astype(int)
    exposure = np.cumsum(d, axis=1)
    effect = np.zeros((n_plans, n_t))
    for k in range(n_t):
        carried = 0.5 * effect[:, k - 1] if k else 0.0
        effect[:, k] = np.where(d[:, k] == 1, 0.5 + 0.1 * exposure[:, k], carried)
    y = (rng.normal(size=(N_DEPTS, 1)) + 0.05 * t
         + rng.normal(scale=0.5, size=(n_plans, n_t))[plan] + effect[plan]
         + rng.normal(size=(N_DEPTS, n_t)))
    df = pd.DataFrame({"dept": np.repeat(np.arange(N_DEPTS), n_t),
                       "plan": np.repeat(plan, n_t), "year": np.tile(years, N_DEPTS),
                       "d": d[plan].ravel(), "y": y.ravel()})
    leaves = np.repeat(rng.random(N_DEPTS) < 0.1, n_t)
    return df[~(leaves & (df["year"].to_numpy() > 2012))].reset_index(drop=True)


def run_switching(df: pd.DataFrame) -> EventTimes:
    """boligeval.estimate.switching.did_multiplegt: effects and placebos."""
    from boligeval.estimate.switching import did_multiplegt

    res = did_multiplegt(df, "y", "dept", "year", "d", effects=SWITCHING_EFFECTS,
                         placebo=SWITCHING_PLACEBOS, cluster="plan")
    return {(0, h): float(b) for h, b, term in zip(res.horizons, res.estimates, res.terms,
                                                   strict=True) if term != "average_total_effect"}


def run_diff_diff_switching(df: pd.DataFrame) -> EventTimes:
    """diff-diff's ChaisemartinDHaultfoeuille (multi-switch departments kept)."""
    from diff_diff import ChaisemartinDHaultfoeuille

    res = ChaisemartinDHaultfoeuille(twfe_diagnostic=False, drop_larger_lower=False).fit(
        df, "y", group="dept", time="year", treatment="d", L_max=SWITCHING_EFFECTS)
    out = {(0, int(h)): float(v["effect"]) for h, v in res.event_study_effects.items()}
    out.update({(0, int(h)): float(v["effect"])
                for h, v in (res.placebo_event_study or {}).items()
                if -int(h) <= SWITCHING_PLACEBOS})
    return out


def run_did_multiplegt_dyn(df: pd.DataFrame) -> EventTimes:
    """py_did_multiplegt_dyn (the Python port of did_multiplegt_dyn), plan clusters."""
    import polars as pl
    from did_multiplegt_dyn import DidMultiplegtDyn

    if not getattr(pl.count, "_zero_arg_shim", False):    # removed in polars 1.0
        original = pl.count

        def count(*args, **kwargs):  # type: ignore[no-untyped-def]
            return pl.len() if not args and not kwargs else original(*args, **kwargs)

        count._zero_arg_shim = True  # type: ignore[attr-defined]
        pl.count = count
    model = DidMultiplegtDyn(pl.from_pandas(df), "y", "dept", "year", "d",
                             effects=SWITCHING_EFFECTS, placebo=SWITCHING_PLACEBOS,
                             cluster="plan")
    model.fit()
    mat = model.result["mat_res_XX"].iloc[:, 0].to_numpy(dtype=float)
    keys = [*range(1, SWITCHING_EFFECTS + 1)]
    out = {(0, h): float(v) for h, v in zip(keys, mat[:SWITCHING_EFFECTS], strict=True)}
    out.update({(0, -h): float(v) for h, v in enumerate(mat[SWITCHING_EFFECTS + 1:], start=1)})
    return out


def run_moderndid_switching(df: pd.DataFrame) -> EventTimes:
    """moderndid's did_multiplegt (departments whose status changes twice kept)."""
    import moderndid

    res = moderndid.did_multiplegt(df, yname="y", idname="dept", tname="year", dname="d",
                                   effects=SWITCHING_EFFECTS, placebo=SWITCHING_PLACEBOS,
                                   cluster="plan", keep_bidirectional_switchers=True)
    out = {(0, i + 1): float(v) for i, v in enumerate(res.effects.estimates)}
    if res.placebos is not None:
        out.update({(0, -(i + 1)): float(v) for i, v in enumerate(res.placebos.estimates)})
    return out


def main_switching() -> None:
    """Time DID_l on plans that end against the installable peers; print the ratio."""
    warnings.filterwarnings("ignore")
    df = make_switching()
    print(f"switching panel: {df['dept'].nunique()} departments, {len(df)} department-years, "
          f"{int(df.groupby('dept')['d'].apply(lambda s: (s.diff() == -1).any()).sum())} "
          "with a plan that ends")
    runners: dict[str, Runner] = {"boligeval": run_switching,
                                  "diff-diff": run_diff_diff_switching,
                                  "did_multiplegt_dyn": run_did_multiplegt_dyn,
                                  "moderndid": run_moderndid_switching}
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
    parts = sys.argv[1:] or ["cs", "imputation", "unbalanced", "switching"]
    if "cs" in parts:
        main()
    if "imputation" in parts:
        main_imputation()
    if "unbalanced" in parts:
        main_unbalanced()
    if "switching" in parts:
        main_switching()
