"""Monte Carlo: DID_l recovers its estimands when plans start, end and start again; TWFE does not.

A fixed design of 240 plans (two departments each, twelve years): a quarter
never have a plan, the others start in years 4-9, end after 2-4 years, and
three in ten start a second plan 1-2 years later that lasts to the end; one
department in ten is demolished (leaves the panel) after year 8. The effect
of an active plan grows with the years of exposure and with the start year
(heterogeneous and dynamic) and, after a plan ends, half of it persists each
year. Outcomes add department and year effects, a plan-by-year shock (so
departments of a plan are correlated: plan clusters) and noise; 200
replications draw new outcomes on the same design.

Estimands (known from the design): ``effect_l`` is the mean true effect of
the switchers observed at ``F_g - 1`` and ``F_g - 1 + l``; the average total
effect weights them by their numbers over the weighted share still treated;
placebos are 0. DID_l with ``less_conservative_se`` (the analysis's choice)
must be unbiased within 2 Monte Carlo standard errors with 95 % intervals
covering 92-98 % of the time; the default variance must cover at least as often
(it is conservative when plans end at different times: never below the
path-recentred coverage); TWFE on
``active_plan`` must be far from the average effect over active years.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from boligeval.analyses.did_switching import switching_effects

pytestmark = pytest.mark.slow

N_PLANS, PER_PLAN, T, L, P, REPS = 240, 2, 12, 4, 2, 200


def design(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Treatment, true effect, observed cells (departments x years) and plan of each department."""
    d = np.zeros((N_PLANS, T), dtype=int)
    for p in range(N_PLANS // 4, N_PLANS):
        start = int(rng.integers(4, 10))
        length = int(rng.integers(2, 5))
        d[p, start - 1:min(T, start - 1 + length)] = 1
        if rng.random() < 0.3:
            d[p, start - 1 + length + int(rng.integers(1, 3)):] = 1
    effect = np.zeros((N_PLANS, T))
    for p in range(N_PLANS):
        scale = 0.8 + 0.1 * int(np.argmax(d[p])) if d[p].any() else 0.0
        exposure = 0
        for t in range(T):
            exposure += d[p, t]
            carried = 0.5 * effect[p, t - 1] if t else 0.0
            effect[p, t] = (0.5 * carried + scale * (1 + 0.25 * (exposure - 1))) if d[p, t] \
                else carried
    plan = np.repeat(np.arange(N_PLANS), PER_PLAN)
    observed = np.ones((len(plan), T), dtype=bool)
    leaves = rng.random(len(plan)) < 0.1
    observed[leaves, 8:] = False
    return d[plan], effect[plan], observed, plan


def estimands(d: np.ndarray, effect: np.ndarray, observed: np.ndarray) -> dict[str, float]:
    """The mean true effect of the switchers each DID_l uses, and the average total effect."""
    first = np.where(d.any(axis=1), d.argmax(axis=1), T)      # 0-based first active year
    out: dict[str, float] = {}
    n, share, value = [], [], []
    rows = np.arange(len(d))
    for lag in range(1, L + 1):
        at = first - 1 + lag
        use = (first < T) & (at < T)
        use[use] &= observed[rows[use], first[use] - 1] & observed[rows[use], at[use]]
        out[f"effect_{lag}"] = float(effect[rows[use], at[use]].mean())
        n.append(use.sum())
        share.append(d[rows[use], at[use]].mean())
        value.append(out[f"effect_{lag}"])
    w = np.array(n) / sum(n)
    out["average_total_effect"] = float(w @ np.array(value) / (w @ np.array(share)))
    out.update({f"placebo_{k}": 0.0 for k in range(1, P + 1)})
    return out


def outcomes(rng: np.random.Generator, d: np.ndarray, effect: np.ndarray,
             observed: np.ndarray, plan: np.ndarray) -> pd.DataFrame:
    g = len(plan)
    y = (rng.normal(size=(g, 1)) + np.linspace(0, 1, T)[None, :]
         + rng.normal(scale=0.3, size=(1, T)) + rng.normal(scale=0.5, size=(N_PLANS, T))[plan]
         + rng.normal(size=(g, T)) + effect)
    dept, year = np.meshgrid(np.arange(g), np.arange(2001, 2001 + T), indexing="ij")
    frame = pd.DataFrame({"department_id": dept.ravel(), "year": year.ravel(),
                          "value": y.ravel(), "active_plan": d.ravel(),
                          "plan_id": np.repeat(plan, T)})
    return frame[observed.ravel()].reset_index(drop=True)


def twfe(frame: pd.DataFrame) -> float:
    """TWFE coefficient of active_plan with department and year effects (unbalanced)."""
    from boligeval.estimate.ols import demean, factorize

    unit, n_u = factorize(frame["department_id"].to_numpy())
    year, n_y = factorize(frame["year"].to_numpy())
    x = demean(frame[["active_plan"]].to_numpy(dtype=float), [unit, year], [n_u, n_y])
    y = demean(frame["value"].to_numpy(dtype=float), [unit, year], [n_u, n_y])
    return float(x[:, 0] @ y / (x[:, 0] @ x[:, 0]))


@pytest.fixture(scope="module")
def monte_carlo() -> tuple[dict[str, float], pd.DataFrame, float]:
    d, effect, observed, plan = design(np.random.default_rng(20261208))
    rng = np.random.default_rng(1)          # outcomes: a stream of their own
    truth = estimands(d, effect, observed)
    rows = []
    for _ in range(REPS):
        frame = outcomes(rng, d, effect, observed, plan)
        # The analytic variances (the analysis's jackknife is checked on the pools worlds).
        lc, _m = switching_effects(frame, effects=L, placebo=P, less_conservative_se=True,
                                   jackknife=False)
        default, _m = switching_effects(frame, effects=L, placebo=P, less_conservative_se=False,
                                        jackknife=False)
        t_lc, t_def = lc.tidy().set_index("term"), default.tidy().set_index("term")
        row = {"twfe": twfe(frame)}
        for term in truth:
            row[term] = t_lc.loc[term, "estimate"]
            row[term + ":se"] = t_lc.loc[term, "std_error"]
            row[term + ":se_default"] = t_def.loc[term, "std_error"]
        rows.append(row)
    active = d.astype(bool) & observed
    return truth, pd.DataFrame(rows), float(effect[active].mean())


def test_did_l_is_unbiased_with_nominal_coverage(monte_carlo) -> None:
    truth, mc, _ = monte_carlo
    for term, value in truth.items():
        est, se = mc[term], mc[term + ":se"]
        mcse = est.std(ddof=1) / np.sqrt(REPS)
        assert abs(est.mean() - value) <= 2 * mcse, (term, est.mean(), value, mcse)
        covered = ((est - 1.959964 * se <= value) & (value <= est + 1.959964 * se)).mean()
        assert 0.92 <= covered <= 0.98, (term, covered)
        # the default recentring (by switching period) is conservative, never liberal
        se0 = mc[term + ":se_default"]
        covered0 = ((est - 1.959964 * se0 <= value) & (value <= est + 1.959964 * se0)).mean()
        assert covered0 >= covered and se0.mean() >= 0.999 * se.mean(), (term, covered0)


def test_twfe_on_active_plan_is_biased(monte_carlo) -> None:
    truth, mc, att_active = monte_carlo
    mcse = mc["twfe"].std(ddof=1) / np.sqrt(REPS)
    # TWFE compares active years with ended plans' years, whose effect persists: it is
    # far below the mean effect of active years and below DID_l's average total effect
    assert abs(mc["twfe"].mean() - att_active) > 10 * mcse
    assert mc["twfe"].mean() < att_active
    assert truth["average_total_effect"] - mc["twfe"].mean() > 10 * mcse
