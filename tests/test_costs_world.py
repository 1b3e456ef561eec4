"""Costs and reach on the default synthetic world: the demo's estimates near the world's truth."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from boligeval.config import DEFAULT_SEED, parse_config
from boligeval.run import Pipeline
from boligeval.synth.costs import plan_amounts
from boligeval.synth.world import synthesize

BLOCKS = [
    {"kind": "cost_effectiveness", "population": "working_age", "outcomes": ["employed"]},
    {"kind": "cost_effectiveness", "population": "all", "outcomes": ["disposable_income"]},
    {"kind": "reach", "population": "working_age", "outcomes": ["employed"]},
]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cost_world")
    synthesize(out, seed=DEFAULT_SEED, survey=False, cases=False, full_truth=False)
    return out


def _run(data: Path) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    cfg = parse_config({"data": {"dir": str(data)}, "analysis": BLOCKS,
                        "inference": {"bootstrap_draws": 99}})
    with Pipeline(cfg) as pipeline:
        results = pipeline.results
        return [r.as_dict() for r in results.records], tuple(results.notes)


def _programme(records: list[dict[str, Any]], analysis: str, outcome: str,
               term: str) -> dict[str, Any]:
    rows = [r for r in records if r["analysis"] == analysis and r["outcome"] == outcome
            and r["term"] == term and r.get("group") in (None, "programme")]
    assert len(rows) == 1
    return rows[0]


def test_amounts_are_plausible_for_the_pool(world: Path) -> None:
    plans = pd.read_parquet(world / "plans.parquet")
    granted = plans[plans["grant_year"].notna()]
    # seed: about 1.2 billion DKK to the social plans of the pool, 7.4 million per plan
    assert 5e6 < granted["grant_dkk"].mean() < 10e6
    assert (granted["co_financing_dkk"] <= 0.5 * granted["grant_dkk"] + 1000).all()
    assert granted["reach_share"].between(0, 1).all()
    assert plans.loc[plans["grant_year"].isna(), "grant_dkk"].eq(0).all()
    # seed: about 1 billion DKK of rent support to 128 departments; here about 7.8 million each
    deps = pd.read_parquet(world / "departments.parquet")
    per_dept = plans["rent_support_dkk"].sum() / deps["rent_support_year"].notna().sum()
    assert 5e6 < per_dept < 11e6


def test_amounts_come_from_their_own_stream(world: Path) -> None:
    plans = pd.read_parquet(world / "plans.parquet")
    deps = pd.read_parquet(world / "departments.parquet")
    again = plan_amounts(plans.drop(columns=["grant_dkk", "co_financing_dkk",
                                             "rent_support_dkk", "reach_share"]), deps,
                         DEFAULT_SEED)
    pd.testing.assert_series_equal(again["grant_dkk"], plans["grant_dkk"], check_names=False)


def test_demo_estimates_are_near_the_truth(world: Path) -> None:
    truth = json.loads((world / "truth.json").read_text())["costs"]
    records, notes = _run(world)
    assert not notes
    true_emp = truth["working_age_employed"]["programme"]
    ratio = _programme(records, "cost_effectiveness", "employed", "cost_per_extra_employed")
    cost = _programme(records, "cost_effectiveness", "employed", "window_cost")
    expo = _programme(records, "cost_effectiveness", "employed", "resident_years")
    # the accounting quantities are the truth's own (same departments, years and amounts)
    assert cost["estimate"] == pytest.approx(true_emp["window_cost"], abs=1e-3)
    assert expo["estimate"] == true_emp["resident_years"]
    # the estimate within 2.5 standard errors of the true cost per extra employed
    assert abs(ratio["estimate"] - true_emp["cost_per_extra_employed"]) < 2.5 * ratio["std_error"]
    effect = _programme(records, "cost_effectiveness", "employed", "effect")
    assert abs(effect["estimate"] - true_emp["itt_weighted"]) < 2.5 * effect["std_error"]
    true_inc = truth["all_disposable_income"]["programme"]
    per_dkk = _programme(records, "cost_effectiveness", "disposable_income", "income_per_dkk")
    assert abs(per_dkk["estimate"] - true_inc["income_per_dkk"]) < 2.5 * per_dkk["std_error"]
    share = _programme(records, "reach", "employed", "share_reached")
    assert share["estimate"] == pytest.approx(true_emp["reach_share"], abs=1e-6)  # 6 decimals
    reached = _programme(records, "reach", "employed", "effect_reached")
    assert abs(reached["estimate"] - true_emp["effect_on_reached"]) < 2.5 * reached["std_error"]


def test_without_amounts_or_reach_both_are_skipped_with_a_note(world: Path,
                                                               tmp_path: Path) -> None:
    data = tmp_path / "bare"
    data.mkdir()
    for name in ("departments", "residents", "prices", "reference", "official_list"):
        if (world / f"{name}.parquet").exists():
            shutil.copy(world / f"{name}.parquet", data / f"{name}.parquet")
    plans = pd.read_parquet(world / "plans.parquet")
    plans.drop(columns=["grant_dkk", "co_financing_dkk", "rent_support_dkk", "reach_share"]
               ).to_parquet(data / "plans.parquet", index=False)
    records, notes = _run(data)
    assert not [r for r in records if r["analysis"] in ("cost_effectiveness", "reach")]
    assert any("cost_effectiveness" in n and "carry no amounts" in n for n in notes)
    assert any(n.startswith("reach") and "reach_share" in n for n in notes)
