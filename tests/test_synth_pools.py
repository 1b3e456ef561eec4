"""The four pools world (``synth --pools``): structure, contract, design, truth."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from boligeval.config import load_config
from boligeval.contract import load_inputs
from boligeval.design import build_design
from boligeval.panel import build_panel
from boligeval.synth.effects import Effects
from boligeval.synth.people import DeptSpec, simulate_department
from boligeval.synth.pools import (
    POOL_YEARS,
    POOLS,
    build_pools_structure,
    pools_department_world,
    synthesize_pools,
)

AMOUNTS = ("grant_dkk", "co_financing_dkk", "rent_support_dkk", "reach_share")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:  # type: ignore[type-arg]
    out = tmp_path_factory.mktemp("pools")
    truth = synthesize_pools(out, scale=0.12, department_size=0.3, seed=5)
    return out, truth


def test_structure_has_pools_successive_plans_gaps_and_demolitions() -> None:
    s = build_pools_structure(np.random.default_rng(3), 0.5)
    dp = s.department_plans
    grants = s.plans.set_index("plan_id")["grant_year"]
    first_years = {y for years, _ in POOLS.values() for y in years}
    first = dp.sort_values("from_year").drop_duplicates("department_id")
    assert set(first["from_year"]) <= first_years
    # Successive plans, each after the previous one ended, with a gap of a year or more.
    multi = dp.groupby("department_id").filter(lambda g: len(g) > 1).sort_values(
        ["department_id", "from_year"])
    assert multi["department_id"].nunique() > 0
    for _, g in multi.groupby("department_id"):
        ends = g["to_year"].to_numpy()[:-1].astype(float)
        assert (g["from_year"].to_numpy()[1:] >= ends + 2).all()
    # departments.plan_id is the first spell's plan; spells start in their plan's grant year.
    plan_of = s.departments.set_index("department_id")["plan_id"]
    assert (first["plan_id"].to_numpy() == plan_of[first["department_id"]].to_numpy()).all()
    assert (dp["from_year"].to_numpy() == grants[dp["plan_id"]].to_numpy()).all()
    # Departments that leave and appear; amounts only for granted plans.
    assert (s.params["register_until"] > 0).sum() > 0
    assert (s.params["register_from"] > 0).sum() > 0
    granted = s.plans["grant_year"].notna()
    for col in AMOUNTS:
        assert s.plans.loc[granted, col].notna().all() and s.plans.loc[~granted, col].isna().all()
    assert s.plans.loc[granted, "reach_share"].between(0.15, 0.65).all()
    sizes = s.plans.loc[granted, "grant_dkk"]
    assert sizes.max() > 10 * sizes.min()  # plans of very different size


def test_unreached_residents_get_no_effect() -> None:
    years = np.arange(2000, 2011)
    spec = DeptSpec(number=1, dwellings=60, hh_rooms=0.25, nonwestern=0.5, emp_fe=0.0,
                    inc_fe=1.0, x=0.0, start=2003, grant_year=2003, rs_year=-1,
                    register_from=0, active_years=tuple(range(2003, 2011)),
                    reach=(0.0,) * len(years), reach_seed=1)
    res = simulate_department(np.random.default_rng(1), spec, years, Effects(), dynamic=False)
    assert (res.columns["income_source"] == res.income_source_cf).all()
    full = simulate_department(np.random.default_rng(1), DeptSpec(
        **{**spec.__dict__, "reach": (1.0,) * len(years)}), years, Effects(), dynamic=False)
    assert (full.columns["income_source"] != full.income_source_cf).any()


def test_world_passes_the_contract_and_the_design(world: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    out, truth = world
    con = duckdb.connect()
    tables = load_inputs(out, con, scratch_dir=out / "scratch", need_prices=True)
    assert "department_plans" in tables.names
    cfg = load_config(out / "config.toml")
    assert cfg.design.years == POOL_YEARS and cfg.design.cohorts == "auto"
    assert not cfg.panel.balanced
    design = build_design(con, cfg.design)
    assert design.histories
    f = design.frame
    # Treatment switches off between plans when plans stop at their end.
    stop = build_design(con, cfg.design.__class__(**{**cfg.design.__dict__,
                                                     "stop_at_end": True})).frame
    back_on = stop.sort_values(["department_id", "year"]).groupby("department_id")[
        "active_plan"].apply(lambda a: int((np.diff(a.to_numpy()) == 1).sum()))
    assert (back_on >= 2).any()
    assert set(f.loc[f["active_plan"] == 1, "cohort"]) <= set(design.cohort_map or {})
    # Demolished departments leave the register.
    residents = pd.read_parquet(out / "residents.parquet", columns=["department_id", "year"])
    span = residents.groupby("department_id")["year"].agg(["min", "max"])
    assert (span["max"] < POOL_YEARS[-1]).any() and (span["min"] > POOL_YEARS[0]).any()
    assert truth["counts"]["departments_demolished"] > 0


def test_truth_matches_cells_and_reach(world: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    out, truth = world
    saved = json.loads((out / "truth.json").read_text())
    assert saved["att"] == truth["att"]
    cells = pd.read_parquet(out / "truth" / "cells.parquet")
    np.testing.assert_allclose(cells["effect"], cells["observed"] - cells["counterfactual"])
    emp = truth["att"]["working_age"]["employed"]
    assert emp["n_department_years"] > 0 and emp["overall"] is not None
    assert set(emp["by_cohort"]) <= {str(y) for years, _ in POOLS.values() for y in years}
    assert "0" in emp["by_event_time"]
    cost = truth["cost"]
    plans = pd.read_parquet(out / "plans.parquet")
    assert cost["total_dkk"] == pytest.approx(float(plans[list(AMOUNTS[:3])].sum().sum()))
    if cost["extra_employed_person_years"] > 0:
        assert cost["dkk_per_extra_employed_person_year"] == pytest.approx(
            cost["total_dkk"] / cost["extra_employed_person_years"], rel=1e-5)


def test_panel_cells_are_the_truths_observed_cells(world: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    # The person-level recovery (tests/test_pools_recovery.py) estimates on the truth's
    # observed cells: they must be the panel's.
    out, _ = world
    con = duckdb.connect()
    load_inputs(out, con, scratch_dir=out / "scratch-panel", need_prices=True)
    cfg = load_config(out / "config.toml")
    panel = build_panel(con, cfg, build_design(con, cfg.design), keep_persons=False)
    cells = pd.read_parquet(out / "truth" / "cells.parquet")
    for population, outcome in (("working_age", "employed"), ("all", "disposable_income")):
        mine = panel.for_analysis(population, outcome)
        theirs = cells[(cells["population"] == population) & (cells["outcome"] == outcome)]
        both = mine.merge(theirs, on=["department_id", "year"], suffixes=("", "_truth"))
        assert len(both) == len(mine) > 0
        assert (both["n"] == both["n_truth"]).all()
        # deflated incomes: the same sums in another order (relative differences near 1e-10)
        np.testing.assert_allclose(both["value"], both["observed"], rtol=1e-9, atol=0)


def test_department_world_hook() -> None:
    data, truth = pools_department_world(4, scale=0.2)
    assert {"department_id", "plan_id", "year", "value", "first_treated", "active_plan",
            "in_plan", "effect", "expected_effect"} <= set(data.columns)
    # The effect is zero before the first plan; in_plan switches off and on.
    assert (data.loc[data["active_plan"] == 0, "effect"] == 0).all()
    switches = data.sort_values(["department_id", "year"]).groupby("department_id")[
        "in_plan"].apply(lambda a: int((np.diff(a.to_numpy()) == 1).sum()))
    assert (switches >= 2).any()
    assert truth["att"] == pytest.approx(data.loc[data["active_plan"] == 1, "effect"].mean())
    # Unbalanced: some departments are not there in every year.
    assert data.groupby("department_id").size().nunique() > 1
    off, _ = pools_department_world(4, scale=0.2, lasting=False)
    assert (off.loc[off["in_plan"] == 0, "effect"] == 0).all()


def test_synth_pools_refuses_options_it_sets_itself(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from boligeval.cli import main

    result = CliRunner().invoke(main, ["synth", "--pools", "--years", "2000-2010",
                                       "--out", str(tmp_path / "w")])
    assert result.exit_code == 2
    assert "--pools sets its own years" in result.output
    assert not (tmp_path / "w").exists()


def test_synth_pools_command_writes_a_world_and_its_config(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from boligeval.cli import main

    out = tmp_path / "w"
    result = CliRunner().invoke(main, ["synth", "--pools", "--scale", "0.05",
                                       "--department-size", "0.2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "plans of four pools" in result.output
    for name in ("plans", "departments", "department_plans", "residents", "prices"):
        assert (out / f"{name}.parquet").is_file()
    assert load_config(out / "config.toml").data.dir == out.resolve()


@pytest.mark.slow
def test_demo_pools_runs_the_whole_evaluation(tmp_path: Path) -> None:
    """demo --pools completes with a report; the seed-only analyses leave notes."""
    from boligeval.run import run_demo

    result = run_demo(tmp_path / "demo", scale=0.06, seed=3, pools=True)
    assert (tmp_path / "demo" / "report.html").is_file()
    analyses = {r.get("analysis") for r in result.results["estimates"]}
    assert {"area_did", "event_study_imputation", "event_study_sun_abraham"} <= analyses
    assert any("area_ddd_rent_support" in n for n in result.notes)
