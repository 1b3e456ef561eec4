"""Recovery of known truth on synthetic worlds (Monte Carlo, sized for CI).

Each world is built by ``boligeval.synth`` with potential outcomes; the truth
of every department-year cell (observed minus counterfactual mean, on the
same persons) is in ``truth/cells.parquet``. The estimators run on the real
pipeline (contract loader, design, panel). The null-effect world of a seed is
its counterfactual world: same persons, no programme, so its panel is the
observed panel with the counterfactual cell means.
"""

from __future__ import annotations

import multiprocessing
import tempfile
import warnings
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from boligeval.config import parse_config
from boligeval.contract import load_inputs
from boligeval.design import build_design
from boligeval.errors import EstimationError
from boligeval.estimate.cost import exposure_effect
from boligeval.estimate.decomposition import decomposition
from boligeval.estimate.did import area_ddd_rent_support, area_did
from boligeval.panel import build_panel
from boligeval.panel.decomposition import decomposition_terms
from boligeval.synth import Effects, synthesize

N_WORLDS = 200
# 0.4 of the seed's size: at 0.2 only about four control departments have rent support
# (one or two per round) and the rent-support terms rest on a handful of plan clusters,
# where cluster-robust intervals under-cover whatever the data-generating process.
SCALE = 0.4
# Departments of half the seed's size: the clusters are the seed's, the worlds cheaper.
DEPARTMENT_SIZE = 0.5
POPULATION, OUTCOME = "working_age", "employed"
# Rent support acts on the year's in-movers, so the triple differences are run on them,
# with a minimum count that keeps enough departments in a world of this size.
DDD_POPULATION, DDD_MIN_COUNT = "in_movers_working_age", 5


def _panel(world: Path, scratch: Path, min_count: int = 20,  # type: ignore[no-untyped-def]
           threads: int | None = None, keep_persons: bool = True):
    cfg = parse_config({"data": {"dir": str(world)}, "panel": {"min_count": min_count}})
    con = duckdb.connect(config={"threads": threads} if threads else {})
    load_inputs(world, con, scratch_dir=scratch, need_prices=True,
                tables=("plans", "departments", "residents", "prices"))
    design = build_design(con, cfg.design)
    panel = build_panel(con, cfg, design, keep_persons=keep_persons)
    return con, cfg, design, panel


def _with_truth(panel: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    keys = ["department_id", "year", "population", "outcome"]
    merged = panel.merge(cells[[*keys, "n", "observed", "counterfactual", "effect"]], on=keys,
                         suffixes=("", "_truth"))
    assert len(merged) == len(panel)
    return merged


def one_world(seed: int) -> dict[str, float]:
    """Estimates, intervals and truths of one synthetic world."""
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        world = Path(tmp) / "world"
        synthesize(world, scale=SCALE, department_size=DEPARTMENT_SIZE, seed=seed,
                   full_truth=False, survey=False, cases=False)
        cells = pd.read_parquet(world / "truth" / "cells.parquet")
        # One DuckDB thread: the two worker processes already use both cores.
        con, _, _, panel = _panel(world, Path(tmp) / "scratch", DDD_MIN_COUNT, threads=1,
                                  keep_persons=False)
        con.close()
    data = _with_truth(panel.for_analysis(POPULATION, OUTCOME), cells)
    out: dict[str, float] = {"seed": seed}
    # Area-level DiD on the departments without rent support (rent support is a second
    # treatment the seed's two-way model does not hold constant).
    plain = data[data["rent_support_cohort"] == "none"]
    fit = area_did(plain, POPULATION, OUTCOME)
    row = fit.tidy().set_index("term").loc["active_plan"]
    treated = plain[plain["active_plan"] == 1]
    out.update(did=row["estimate"], did_low=row["ci_low"], did_high=row["ci_high"],
               did_truth=float(treated["effect"].mean()))
    null = plain.assign(value=plain["counterfactual"])
    row = area_did(null, POPULATION, OUTCOME).tidy().set_index("term").loc["active_plan"]
    out["null_p"] = row["p_value"]
    # Cost-effectiveness's denominator: extra persons in employment over the measured active
    # department-years (exposure-weighted CS effect), the same departments.
    first = plain[plain["active_plan"] == 1].groupby("department_id")["year"].min()
    staggered = plain.assign(first_treated=plain["department_id"].map(first).fillna(0)
                             .astype("int64"))
    eff = exposure_effect(staggered, share=True)
    active = staggered[(staggered["first_treated"] > staggered["year"].min())
                       & (staggered["year"] >= staggered["first_treated"])]
    out.update(extra=eff.extra[-1], extra_low=eff.extra[-1] - 1.959964 * eff.extra_se[-1],
               extra_high=eff.extra[-1] + 1.959964 * eff.extra_se[-1],
               extra_truth=float((active["effect"] * active["n"]).sum() / 100))
    # Triple differences on all departments: the combined effect of a plan with rent support.
    data = _with_truth(panel.for_analysis(DDD_POPULATION, OUTCOME), cells)
    try:
        ddd = area_ddd_rent_support(data, DDD_POPULATION, OUTCOME)
    except EstimationError:
        return out
    row = ddd.tidy().set_index("term").loc["combined"]
    both = data[(data["active_plan"] == 1) & (data["rent_support"] == 1)]
    out.update(ddd=row["estimate"], ddd_low=row["ci_low"], ddd_high=row["ci_high"],
               ddd_truth=float(both["effect"].mean()))
    null = data.assign(value=data["counterfactual"])
    row = area_ddd_rent_support(null, DDD_POPULATION, OUTCOME).tidy().set_index("term")
    out["ddd_null_p"] = row.loc["combined", "p_value"]
    return out


@pytest.fixture(scope="module")
def monte_carlo() -> pd.DataFrame:
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        rows = pool.map(one_world, range(1000, 1000 + N_WORLDS))
    return pd.DataFrame(rows)


def _check_recovery(mc: pd.DataFrame, name: str) -> None:
    sub = mc.dropna(subset=[name])
    assert len(sub) >= N_WORLDS * 0.9, f"{name} estimated in only {len(sub)} worlds"
    error = sub[name] - sub[f"{name}_truth"]
    mc_se = error.std(ddof=1) / np.sqrt(len(error))
    assert abs(error.mean()) < 2 * mc_se, (error.mean(), mc_se)
    covered = (sub[f"{name}_low"] <= sub[f"{name}_truth"]) & (
        sub[f"{name}_truth"] <= sub[f"{name}_high"])
    assert 0.92 <= covered.mean() <= 0.98, covered.mean()


@pytest.mark.slow
def test_area_did_recovers_the_truth_at_nominal_coverage(monte_carlo: pd.DataFrame):
    _check_recovery(monte_carlo, "did")


@pytest.mark.slow
def test_extra_employed_of_the_cost_analysis_recovers_the_truth(monte_carlo: pd.DataFrame):
    """Delta, the denominator of the cost per extra employed (docs/methods.md §7.2).

    With fixed costs the ratio's exact set is Delta's interval mapped by C / x,
    so Delta's coverage is the ratio's.
    """
    _check_recovery(monte_carlo, "extra")


@pytest.mark.slow
def test_triple_differences_combined_effect_recovers_the_truth(monte_carlo: pd.DataFrame):
    _check_recovery(monte_carlo, "ddd")


@pytest.mark.slow
def test_rejection_rate_under_no_effect_is_nominal(monte_carlo: pd.DataFrame):
    assert 0.02 <= (monte_carlo["null_p"] < 0.05).mean() <= 0.08
    ddd = monte_carlo["ddd_null_p"].dropna()
    assert 0.02 <= (ddd < 0.05).mean() <= 0.08


def test_panel_equals_the_synthetic_truth_cells(tmp_path: Path):
    """The panel (DuckDB SQL) and the synthetic world's own truth code agree cell by cell."""
    world = tmp_path / "world"
    synthesize(world, scale=0.05, seed=8, survey=False)
    cells = pd.read_parquet(world / "truth" / "cells.parquet")
    _, _, _, panel = _panel(world, tmp_path / "scratch")
    merged = _with_truth(panel.frame, cells)
    assert (merged["n"] == merged["n_truth"]).all()
    np.testing.assert_allclose(merged["value"], merged["observed"], rtol=1e-9)


@pytest.mark.slow
def test_decomposition_did_recovers_the_in_mover_term(tmp_path: Path):
    """The DiD of the in-mover term covers the true in-mover part of the effect."""
    import json

    world = tmp_path / "world"
    synthesize(world, scale=0.5, seed=21, effects=Effects.plan_only(), survey=False)
    truth = json.loads((world / "truth.json").read_text(encoding="utf-8"))
    con, cfg, design, panel = _panel(world, tmp_path / "scratch")
    data = panel.for_analysis(POPULATION, OUTCOME)
    terms = decomposition_terms(con, POPULATION, OUTCOME, cfg.measurement_years)
    terms = terms[terms["department_id"].isin(set(data["department_id"]))]
    result = decomposition(terms, design.frame).tidy().set_index("term")
    true_in = truth["decomposition"][POPULATION][OUTCOME]["in_movers"]
    assert result.loc["in_movers", "ci_low"] <= true_in <= result.loc["in_movers", "ci_high"]
    assert result.loc["in_movers", "estimate"] > 0
