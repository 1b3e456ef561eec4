"""The process evaluation on a hand-built fixture: 3 cases, two rounds, 12 segments.

Every expected number below is counted by hand from the tables in this file.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boligeval.cases import (
    Cases,
    case_links,
    case_matrix,
    case_typology,
    load_case_codebook,
    plan_typology,
    select_cases,
)

CASES = pd.DataFrame({
    "case_id": ["C1", "C2", "C3"],
    "plan_id": ["P1", "P2", "P3"],
    "name": ["Nordparken", "Søparken", "Vestbyen"],
    "municipality": ["M1", "M2", "M3"],
    "rounds": ["2010;2013", "2010;2013", "2013"],
    "municipality_size": ["large", "middle", "small"],
    "region": ["hovedstaden", "syddanmark", "nordjylland"],
    "secretariat_type": ["large_housing_team", "cross_organisational_team", "one_person"],
    "oms_model": ["model_1", None, "model_1"],
    "experience": [0, 3, 8],
    "tenancies": [1800, 700, 300],
})

SOURCES = pd.DataFrame([
    ("C1", 2010, "S1", "interview", "project_leader"),
    ("C1", 2010, "S2", "group_interview", "frontline_staff"),
    ("C1", 2013, "S1", "interview", "project_leader"),
    ("C2", 2010, "S3", "interview", "municipal_manager"),
    ("C2", 2013, "S3", "interview", "municipal_manager"),
    ("C2", 2013, "S4", "document", "other"),
    ("C3", 2013, "S5", "interview", "tenant_democrat"),
], columns=["case_id", "round", "source_id", "kind", "role"])

# code -> (theme, level) in the shipped codebook:
#   strategy_goals: steering/strategic; formal_coordination: coordination/executing;
#   openness_trust: collaboration/executing; oms_decision_mandate: steering/tactical
SEGMENTS = pd.DataFrame([
    ("C1", 2010, "S1", "strategy_goals", "driver", "Vi har en fælles retning."),
    ("C1", 2010, "S1", "strategy_goals", "barrier", None),
    ("C1", 2010, "S2", "strategy_goals", "driver", None),
    ("C1", 2010, "S2", "formal_coordination", "barrier", None),
    ("C1", 2013, "S1", "strategy_goals", "driver", None),
    ("C1", 2013, "S1", "oms_decision_mandate", "barrier", "Vi må ikke beslutte noget."),
    ("C2", 2010, "S3", "strategy_goals", "barrier", None),
    ("C2", 2013, "S3", "strategy_goals", "barrier", None),
    ("C2", 2013, "S4", "openness_trust", "driver", None),
    ("C2", 2013, "S4", "formal_coordination", "neutral", None),
    ("C3", 2013, "S5", "oms_decision_mandate", "driver", None),
    ("C3", 2013, "S5", "strategy_goals", "driver", None),
], columns=["case_id", "round", "source_id", "code", "valence", "excerpt"])


@pytest.fixture(scope="module")
def cases() -> Cases:
    return Cases(CASES, SOURCES, SEGMENTS, load_case_codebook())


def _get(frame: pd.DataFrame, **where: object) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for k, v in where.items():
        mask &= frame[k].isna() if v is None else frame[k] == v
    rows = frame[mask]
    assert len(rows) == 1, (where, rows)
    return rows.iloc[0]


def test_matrix_counts(cases: Cases) -> None:
    m = case_matrix(cases)

    def val(theme: str, level: str, wave: object, stat: str, subset: str = "round") -> int:
        return int(_get(m, item_id=theme, level=level, wave=wave, subset=subset,
                        statistic=stat)["value"])

    # steering/strategic, 2010: C1 driver x2, barrier x1; C2 barrier x1
    assert val("steering", "strategic", 2010, "driver") == 2
    assert val("steering", "strategic", 2010, "barrier") == 2
    assert val("steering", "strategic", 2010, "sources") == 3   # C1/S1, C1/S2, C2/S3
    assert val("steering", "strategic", 2010, "roles") == 3     # PL, frontline, municipal
    assert val("steering", "strategic", 2010, "cases") == 2
    # 2013: C1 driver, C2 barrier, C3 driver
    assert val("steering", "strategic", 2013, "driver") == 2
    assert val("steering", "strategic", 2013, "barrier") == 1
    assert val("steering", "strategic", 2013, "cases") == 3
    assert val("steering", "strategic", None, "driver", "change_2010_2013") == 0
    assert val("steering", "strategic", None, "barrier", "change_2010_2013") == -1
    # steering/tactical (decision mandate): 2013 C1 barrier, C3 driver
    assert val("steering", "tactical", 2013, "driver") == 1
    assert val("steering", "tactical", 2013, "barrier") == 1
    assert val("steering", "tactical", 2010, "driver") == 0
    # coordination/executing: 2010 C1 barrier; 2013 C2 neutral
    assert val("coordination", "executing", 2010, "barrier") == 1
    assert val("coordination", "executing", 2013, "neutral") == 1
    assert val("coordination", "executing", None, "barrier", "change_2010_2013") == -1
    # collaboration/executing: 2013 C2 driver
    assert val("collaboration", "executing", 2013, "driver") == 1
    # every segment is counted once
    seg = m[(m["subset"] == "round") & (m["unit"] == "segments")]
    assert seg["value"].sum() == 12


def test_change_count_is_the_smaller_round(cases: Cases) -> None:
    m = case_matrix(cases)
    row = _get(m, item_id="steering", level="strategic", subset="change_2010_2013",
               statistic="barrier", wave=None)
    assert row["count"] == 1  # rounds have 2 and 1 barrier segments


def test_typology(cases: Cases) -> None:
    t = case_typology(cases)
    sec = t[t["item_id"] == "secretariat_type"].set_index("category")["value"]
    assert sec.to_dict() == {"large_housing_team": 1, "cross_organisational_team": 1,
                             "split_team": 0, "one_person": 1}
    oms = t[t["item_id"] == "oms_model"].set_index("category")["value"]
    assert oms["model_1"] == 2 and oms["model_2"] == 0
    # table 10.1: model 1 cases C1 and C3, tactical level: C1 barrier, C3 driver
    f = t[t["item_id"] == "oms_functions"]
    assert int(_get(f, category="model_1", level="tactical", statistic="driver")["value"]) == 1
    assert int(_get(f, category="model_1", level="tactical", statistic="barrier")["value"]) == 1
    # strategic: C1 driver x3 (2010 x2, 2013 x1), C3 driver x1; barriers C1 x1
    assert int(_get(f, category="model_1", level="strategic", statistic="driver")["value"]) == 4
    assert int(_get(f, category="model_1", level="strategic", statistic="barrier")["value"]) == 1


def test_plan_typology(cases: Cases) -> None:
    p = plan_typology(cases)
    assert p.set_index("plan_id")["case_secretariat_type"].to_dict() == {
        "P1": "large_housing_team", "P2": "cross_organisational_team", "P3": "one_person"}


def test_links(cases: Cases) -> None:
    survey = pd.DataFrame({"plan_id": ["P1", "P2", "P3"], "measure": "challenge_level",
                           "value": [2.5, 3.0, 1.75], "n": [6, 7, 5], "unit": "answers"})
    outcomes = pd.DataFrame({"plan_id": ["P1", "P3"], "measure": "change_employed",
                             "value": [0.02, -0.01], "n": [300, 120], "unit": "persons"})
    links = case_links(cases, survey, outcomes)
    steer_drv = links[(links["item_id"] == "steering") & (links["statistic"] == "driver")]
    segs = steer_drv[steer_drv["category"] == "segments"].set_index("case")["value"]
    # steering drivers: C1 3 (strategy x3), C3 2 (mandate + strategy); C2 none
    assert segs.to_dict() == {"Nordparken": 3, "Vestbyen": 2}
    chal = steer_drv[steer_drv["category"] == "challenge_level"].set_index("case")["value"]
    assert chal.to_dict() == {"Nordparken": 2.5, "Vestbyen": 1.75}
    steer_bar = links[(links["item_id"] == "steering") & (links["statistic"] == "barrier")]
    segs = steer_bar[steer_bar["category"] == "segments"].set_index("case")["value"]
    assert segs.to_dict() == {"Nordparken": 2, "Søparken": 2}
    emp = steer_bar[steer_bar["category"] == "change_employed"].set_index("case")["value"]
    assert emp.to_dict() == {"Nordparken": 0.02}  # P2 has no outcome
    assert "excerpt" not in set(links["category"])


def test_excerpts_only_when_asked_and_without_names() -> None:
    cases = Cases(CASES, SOURCES, SEGMENTS, load_case_codebook(), publish_excerpts=True)
    links = case_links(cases, None, None)
    quoted = links[links["category"] == "excerpt"]
    assert set(quoted["value"]) == {"Vi har en fælles retning.", "Vi må ikke beslutte noget."}
    assert set(quoted["role"]) == {"project_leader"}
    assert quoted["case"].isna().all()  # role and round only


def test_selection_reproducible_and_named_by_plan() -> None:
    pool = CASES.assign(cohort=["g1", "g2", "g1"])
    a = select_cases(pool, 2, seed=7)
    b = select_cases(pool, 2, seed=7)
    assert a == b and len(set(a.chosen)) == 2


_LEVELS = {"municipality_size": ["large", "middle", "small"],
           "region": ["r1", "r2", "r3", "r4", "r5"],
           "secretariat_type": ["large_housing_team", "cross_organisational_team",
                                "split_team", "one_person"],
           "cohort": ["g1", "g2"]}


@settings(max_examples=40, deadline=None)
@given(st.data(), st.integers(min_value=0, max_value=2**31 - 1))
def test_selection_covers_every_level(data: st.DataObject, seed: int) -> None:
    n = data.draw(st.integers(min_value=14, max_value=40))
    pool = pd.DataFrame({"plan_id": [f"P{i:03d}" for i in range(n)]})
    for name, levels in _LEVELS.items():
        pool[name] = data.draw(st.lists(st.sampled_from(levels), min_size=n, max_size=n))
    k = sum(pool[c].nunique() for c in _LEVELS)  # k allows: one new level per pick
    k = min(k, n)
    first = select_cases(pool, k, seed=seed)
    assert first == select_cases(pool, k, seed=seed)
    chosen = pool[pool["plan_id"].isin(first.chosen)]
    for name in _LEVELS:
        assert set(chosen[name]) == set(pool[name])
    assert first.covered == 1.0


def test_typology_is_a_plan_attribute_for_the_survey(cases: Cases) -> None:
    from boligeval.survey import plan_attribute_table

    plans = pd.DataFrame({"plan_id": ["P1", "P2", "P3", "P4"]}).merge(
        plan_typology(cases), on="plan_id", how="left")
    attributes = plan_attribute_table(None, plans).set_index("plan_id")
    assert attributes["case_secretariat_type"].dropna().to_dict() == {
        "P1": "large_housing_team", "P2": "cross_organisational_team", "P3": "one_person"}
    assert attributes["case_oms_model"].dropna().to_dict() == {"P1": "model_1", "P3": "model_1"}


def test_case_selection_records_for_the_users_and_the_tools_pick(cases: Cases) -> None:
    from boligeval.analyses import Context, run_analyses
    from boligeval.config import CaseSpec, EvaluationConfig

    cfg = EvaluationConfig(cases=CaseSpec(select=2))
    records = [r.as_dict() for r in run_analyses(Context(cfg=cfg, cases=cases), (),
                                                  strict=True).records
               if r.analysis == "case_selection"]
    user = {(r["item_id"], r["category"], r["value"]) for r in records
            if r["subset"] == "user" and r["statistic"] == "case"}
    # rows: municipality size (no grant_mdkk); columns: tenancies 1800 / 700 / 300
    assert user == {("large", "large", "Nordparken"), ("middle", "middle", "Søparken"),
                    ("small", "small", "Vestbyen")}
    sizes = {r["category"]: r["value"] for r in records
             if r["subset"] == "user" and r["item_id"] == "municipality_size"}
    assert sizes == {"large": 1, "middle": 1, "small": 1}
    experience = {r["category"]: r["value"] for r in records
                  if r["subset"] == "user" and r["item_id"] == "experience"}
    assert experience == {"none": 1, "1_4": 1, "5_plus": 1}
    tool = [r for r in records if r["subset"] == "tool" and r["statistic"] == "case"]
    assert len(tool) == 2


def test_matrix_per_case(cases: Cases) -> None:
    m = case_matrix(cases)
    per_case = m[m["subset"] == "case"]

    def val(case: str, wave: int, theme: str, valence: str) -> int:
        return int(_get(per_case, case=case, wave=wave, item_id=theme,
                        statistic=valence)["value"])

    assert val("Nordparken", 2010, "steering", "driver") == 2
    assert val("Nordparken", 2010, "steering", "barrier") == 1
    assert val("Nordparken", 2010, "coordination", "barrier") == 1
    assert val("Nordparken", 2013, "steering", "driver") == 1
    assert val("Nordparken", 2013, "steering", "barrier") == 1   # decision mandate
    assert val("Søparken", 2013, "collaboration", "driver") == 1
    assert val("Søparken", 2013, "coordination", "driver") == 0  # the neutral one
    assert val("Vestbyen", 2013, "steering", "driver") == 2
    # Vestbyen was visited in 2013 only: no 2010 rows
    assert per_case[(per_case["case"] == "Vestbyen") & (per_case["wave"] == 2010)].empty
    # driver + barrier segments over the cases: 12 minus the one neutral
    assert per_case["value"].sum() == 11
