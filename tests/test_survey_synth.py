"""The synthetic survey: seed-sized dispatch, response rates, levels, determinism, scaling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from boligeval.survey import (
    challenge_level,
    check_survey,
    load_codebook,
    prepare_survey,
    response_rates,
    result_areas,
)
from boligeval.synth.structure import build_structure
from boligeval.synth.survey import RESPONSE_TARGETS, SEED_DISPATCH, generate_survey

RATE_TOLERANCE = 3.0  # percentage points, the brief's acceptance band
LEVEL_TOLERANCE = 0.05  # score points on the 1-4 scale


@pytest.fixture(scope="module")
def world():
    structure = build_structure(np.random.default_rng(11), 1.0)
    return structure.plans, structure.departments


@pytest.fixture(scope="module")
def survey(world):
    plans, departments = world
    return generate_survey(plans, departments, seed=2013)


@pytest.fixture(scope="module")
def prepared(survey):
    return prepare_survey(
        survey["respondents"], survey["answers"], survey["codebook"], survey["dispatch"]
    )


def test_contract_shape(survey):
    assert set(survey) == {"respondents", "answers", "codebook", "dispatch"}
    assert list(survey["respondents"].columns) == [
        "respondent_id", "wave", "actor", "plan_id", "department_id", "status",
    ]  # fmt: skip
    assert list(survey["answers"].columns) == ["respondent_id", "item_id", "value"]
    assert list(survey["dispatch"].columns) == ["wave", "actor", "plan_id", "sent"]
    check_survey(**survey)


def test_dispatch_sized_like_the_seed(survey):
    d = survey["dispatch"]
    sent = d[d["wave"] == 2013].groupby("actor")["sent"].sum().to_dict()
    assert sent == SEED_DISPATCH
    assert int(d.loc[d["wave"] == 2013, "sent"].sum()) == 716


def test_response_rates_near_the_seed(prepared):
    rr = response_rates(prepared)
    for wave in (2010, 2013):
        for actor, (any_share, full_share) in RESPONSE_TARGETS.items():
            row = rr[(rr["wave"] == wave) & (rr["actor"] == actor)].set_index("statistic")
            assert abs(row.loc["share_answered", "value"] - 100 * any_share) < RATE_TOLERANCE
            assert abs(row.loc["share_complete", "value"] - 100 * full_share) < RATE_TOLERANCE


def test_several_answers_per_plan(survey):
    resp = survey["respondents"]
    per_plan = resp[resp["wave"] == 2013].groupby(["actor", "plan_id"]).size()
    assert (per_plan.loc["tenant_board"] > 1).sum() >= 20
    assert (per_plan.loc["housing_manager"] > 1).sum() >= 5


def test_challenge_levels_near_the_seed(prepared):
    level = challenge_level(prepared)
    level = level[level["subset"] == "all_answers"].set_index(["wave", "actor"])["value"]
    assert abs(level[(2010, "all")] - 2.70) < LEVEL_TOLERANCE
    assert abs(level[(2013, "all")] - 2.68) < LEVEL_TOLERANCE
    others = [level[(2013, a)] for a in ("project_leader", "housing_manager", "municipality")]
    assert abs(level[(2013, "tenant_board")] - 2.4) < 0.1
    assert all(abs(v - 2.8) < 0.1 for v in others)


def test_project_leaders_most_positive_about_results(prepared):
    ra = result_areas(prepared)
    block = ra[ra["item_id"].isna() & (ra["wave"] == 2013)].set_index("actor")["value"]
    assert abs(block["project_leader"] - 3.0) < 0.1
    for actor in ("housing_manager", "municipality", "tenant_board"):
        assert block[actor] < block["project_leader"] - 0.1
        assert 2.6 < block[actor] < 2.95


@pytest.mark.slow
def test_deterministic_for_a_seed(world):
    plans, departments = world
    small = plans.iloc[:30]
    deps = departments[departments["plan_id"].isin(small["plan_id"])]
    first = generate_survey(small, deps, seed=5)
    second = generate_survey(small, deps, seed=5)
    other = generate_survey(small, deps, seed=6)
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])
    assert not first["answers"].equals(other["answers"])


def test_scales_with_the_number_of_plans(world):
    plans, departments = world
    master = plans[plans["grant_year"].notna()]
    half = master.iloc[: len(master) // 2]
    deps = departments[departments["plan_id"].isin(half["plan_id"])]
    out = generate_survey(half, deps, seed=1, waves=(2013,))
    sent = out["dispatch"].groupby("actor")["sent"].sum()
    scale = len(half) / 148
    for actor, target in SEED_DISPATCH.items():
        assert sent[actor] == round(target * scale)
    assert set(out["respondents"]["wave"]) == {2013}


def test_filtered_items_only_after_the_screen(survey):
    book = load_codebook()
    filt = book.dropna(subset=["filter_item"]).set_index("item_id")["filter_item"]
    ans = survey["answers"]
    passed = set(
        map(
            tuple,
            ans.loc[
                ans["value"].isin(["yes", "high_degree", "some_degree"]),
                ["respondent_id", "item_id"],
            ].to_numpy(),
        )
    )
    gated = ans[ans["item_id"].isin(filt.index)]
    assert len(gated) > 100
    assert all(
        (r, filt[i]) in passed for r, i in gated[["respondent_id", "item_id"]].to_numpy()
    )
