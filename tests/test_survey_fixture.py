"""Hand-computed survey fixture: every analysis's numbers written out by hand.

Twelve respondents, two waves (2010, 2013), two plans (A, B). Tenant boards
answer several times about plan A; dont_know / not_relevant answers; a
filtered barrier item; actor groups cover different numbers of plans (so
the equal weighting across actors differs from pooling plan answers).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from boligeval.analyses import Context, run_analyses
from boligeval.config import EvaluationConfig
from boligeval.survey import (
    Survey,
    challenge_change,
    challenge_level,
    crosstab,
    plan_attribute_table,
    prepare_survey,
)
from tests.builders.survey_tables import (
    ANSWERS,
    CODEBOOK,
    DISPATCH,
    DK,
    NR,
    PLANS,
    RESPONDENTS,
    SM,
    H,
    N,
    S,
)

TOL = 1e-12


class Tables:
    """Each survey analysis's records as a table, by analysis id."""

    def __init__(self, survey: Survey) -> None:
        self.survey = survey
        self.results = run_analyses(Context(EvaluationConfig(), survey=survey), (), strict=True)

    def __getattr__(self, name: str) -> pd.DataFrame:
        return self.results.tidy("survey", analysis={"item_means": "item_mean"}.get(name, name))

    @property
    def attributes(self) -> pd.DataFrame:
        return self.survey.attributes

    @property
    def moderators(self) -> pd.DataFrame:
        return self.survey.moderators


@pytest.fixture(scope="module")
def results(hand_survey: Survey) -> Tables:
    return Tables(hand_survey)


def pick(table: pd.DataFrame, **where) -> pd.Series:
    """Return the one row of ``table`` matching ``where`` (None matches null)."""
    mask = pd.Series(True, index=table.index)
    for key, value in where.items():
        mask &= table[key].isna() if value is None else table[key] == value
    rows = table[mask]
    assert len(rows) == 1, f"{len(rows)} rows match {where}"
    return rows.iloc[0]


def value(table: pd.DataFrame, **where) -> float:
    return float(pick(table, **where)["value"])


def test_response_rates(results):
    rr = results.response_rates
    # 2010: PL 1 of 2, TB 3 of 4 (2 complete), HM 1 of 2; all 5 of 8 (4 complete)
    assert value(rr, wave=2010, actor="project_leader", statistic="share_answered") == 50.0
    assert value(rr, wave=2010, actor="tenant_board", statistic="share_answered") == 75.0
    assert value(rr, wave=2010, actor="tenant_board", statistic="share_complete") == 50.0
    assert value(rr, wave=2010, actor="all", statistic="sent") == 8
    assert value(rr, wave=2010, actor="all", statistic="share_answered") == 62.5
    assert value(rr, wave=2010, actor="all", statistic="share_complete") == 50.0
    assert not ((rr["wave"] == 2010) & (rr["actor"] == "municipality")).any()
    # 2013: all 7 of 10 answered, 6 complete
    assert value(rr, wave=2013, actor="all", statistic="share_answered") == 70.0
    assert value(rr, wave=2013, actor="all", statistic="share_complete") == 60.0
    assert value(rr, wave=2013, actor="project_leader", statistic="share_complete") == 100.0
    assert pick(rr, wave=2013, actor="municipality", statistic="share_answered")["n"] == 2


def test_challenge_item_means_plan_unit(results):
    im = results.item_means
    im = im[im["item_id"].isin(["c1", "c2"])]
    # 2010 tenant boards: plan A c1 = mean(3, 4) = 3.5, plan B c1 = 2 -> 2.75 over 2 plans
    row = pick(im, wave=2010, actor="tenant_board", item_id="c1")
    assert abs(row["value"] - 2.75) < TOL and row["n"] == 2
    # c2: A has 2 (dont_know dropped), B has 1 -> 1.5
    assert abs(value(im, wave=2010, actor="tenant_board", item_id="c2") - 1.5) < TOL
    # housing manager's c2 is not_relevant -> no mean
    assert not ((im["wave"] == 2010) & (im["actor"] == "housing_manager") & (im["item_id"] == "c2")).any()
    # across actors, equal weights: c1 = (4 + 2.75 + 3) / 3; n = plan answers 1 + 2 + 1
    row = pick(im, wave=2010, actor="all", item_id="c1")
    assert abs(row["value"] - 3.25) < TOL and row["n"] == 4 and row["weighting"] == "actor_groups_equal"
    assert abs(value(im, wave=2010, actor="all", item_id="c2") - 2.25) < TOL
    # 2013 across actors: c1 = (3.5 + 2.75 + 4 + 3) / 4, c2 = (2.5 + 2 + 3 + 4) / 4
    assert abs(value(im, wave=2013, actor="all", item_id="c1") - 3.3125) < TOL
    assert abs(value(im, wave=2013, actor="all", item_id="c2") - 2.875) < TOL
    assert pick(im, wave=2013, actor="tenant_board", item_id="c2")["n"] == 1


def test_answer_unit_item_mean(results):
    im = results.item_means
    # g1 2013 pooled over valid answers: 4, 4, 3, 2, 4 -> 3.4 (dont_know dropped)
    row = pick(im, wave=2013, actor="all", item_id="g1")
    assert abs(row["value"] - 3.4) < TOL and row["n"] == 5 and row["unit"] == "answer"


def test_challenge_level_equal_weights(results):
    cl = results.challenge_level
    cl_all = cl[cl["subset"] == "all_answers"]
    # 2010: PL 3.5 (1 plan), TB 2.125 (2 plans), HM 3 (1 plan; c2 missing)
    assert abs(value(cl_all, wave=2010, actor="project_leader") - 3.5) < TOL
    assert abs(value(cl_all, wave=2010, actor="tenant_board") - 2.125) < TOL
    assert abs(value(cl_all, wave=2010, actor="housing_manager") - 3.0) < TOL
    row = pick(cl_all, wave=2010, actor="all")
    assert abs(row["value"] - 8.625 / 3) < TOL and row["n"] == 4
    # 2013: PL 3.0 (2 plans), TB 2.375 (2), HM 3.5 (1), municipality 3.5 (1)
    row = pick(cl_all, wave=2013, actor="all")
    assert abs(row["value"] - 3.09375) < TOL and row["n"] == 6
    # the equal-weight figure is not the pooled mean of the plan answers' levels
    pooled = (3.0 + 3.0 + 2.25 + 3.0 + 3.5 + 3.5) / 6
    assert abs(row["value"] - pooled) > 0.05
    # panel: (PL, A), (TB, A), (TB, B) answered in both waves
    panel = cl[cl["subset"] == "same_actor_both_waves"]
    assert abs(value(panel, wave=2010, actor="all") - 2.8125) < TOL
    assert abs(value(panel, wave=2013, actor="all") - 2.6875) < TOL
    assert pick(panel, wave=2013, actor="all")["n"] == 3
    # rounds from grant years: A (2006) is round 1, B (2008) a later round
    r1 = cl[cl["subset"] == "round_1_both_waves"]
    assert abs(value(r1, wave=2010, actor="all") - 3.125) < TOL
    assert abs(value(r1, wave=2013, actor="all") - 2.625) < TOL
    later = cl[cl["subset"] == "later_rounds_both_waves"]
    assert abs(value(later, wave=2010, actor="all") - 1.5) < TOL
    assert abs(value(later, wave=2013, actor="all") - 3.0) < TOL


def test_challenge_change_and_jackknife(results):
    ch = results.challenge_change
    diff = ch[ch["statistic"] == "difference"]
    allans = diff[diff["subset"] == "all_answers"]
    # first wave minus last wave
    assert abs(value(allans, actor="all", item_id=None) - (2.875 - 3.09375)) < TOL
    assert abs(value(allans, actor="all", item_id="c1") - (3.25 - 3.3125)) < TOL
    assert abs(value(allans, actor="all", item_id="c2") - (2.25 - 2.875)) < TOL
    assert abs(value(allans, actor="project_leader", item_id=None) - 0.5) < TOL
    assert abs(value(allans, actor="housing_manager", item_id="c1") - (-1.0)) < TOL
    assert not (allans["actor"] == "municipality").any()
    assert not ((allans["actor"] == "housing_manager") & (allans["item_id"] == "c2")).any()
    assert "p_value" not in set(ch.loc[ch["subset"] == "all_answers", "statistic"])
    # panel: difference 0.125 over plans A, B; leave out A -> -1.5, leave out B -> 0.5;
    # jackknife SE = sqrt(1/2 * ((-1.5 + 0.5)^2 + (0.5 + 0.5)^2)) = 1, t = 0.125, df = 1
    panel = ch[(ch["subset"] == "same_actor_both_waves") & (ch["actor"] == "all")]
    panel = panel[panel["item_id"].isna()]
    assert abs(value(panel, statistic="difference") - 0.125) < TOL
    t975_df1 = math.tan(math.pi * 0.475)  # Cauchy quantile
    assert abs(value(panel, statistic="ci_low") - (0.125 - t975_df1)) < 1e-9
    assert abs(value(panel, statistic="ci_high") - (0.125 + t975_df1)) < 1e-9
    p_expected = 1.0 - 2.0 / math.pi * math.atan(0.125)
    assert abs(value(panel, statistic="p_value") - p_expected) < 1e-9
    assert pick(panel, statistic="difference")["n"] == 2
    # round 1 has a single plan: difference 0.5, no interval
    r1 = ch[(ch["subset"] == "round_1_both_waves") & (ch["actor"] == "all")]
    r1 = r1[r1["item_id"].isna()]
    assert abs(value(r1, statistic="difference") - 0.5) < TOL
    assert math.isnan(value(r1, statistic="ci_low"))


def test_jackknife_equals_paired_t_test():
    """One actor group, complete answers: the jackknife test is the paired t-test."""
    from scipy import stats

    diffs = {"P1": (4, 3), "P2": (2, 2), "P3": (3, 1), "P4": (1, 2), "P5": (4, 1)}
    resp, ans = [], []
    for plan, (v10, v13) in diffs.items():
        for wave, v in ((2010, v10), (2013, v13)):
            rid = f"{plan}-{wave}"
            resp.append((rid, wave, "project_leader", plan, "complete"))
            ans.append((rid, "c1", ["not_at_all", "small_degree", "some_degree", "high_degree"][v - 1]))
    survey = prepare_survey(
        pd.DataFrame(resp, columns=["respondent_id", "wave", "actor", "plan_id", "status"]),
        pd.DataFrame(ans, columns=["respondent_id", "item_id", "value"]),
        CODEBOOK,
    )
    ch = challenge_change(survey)
    panel = ch[(ch["subset"] == "same_actor_both_waves") & (ch["actor"] == "all")]
    panel = panel[panel["item_id"].isna()]
    before = [v[0] for v in diffs.values()]
    after = [v[1] for v in diffs.values()]
    ref = stats.ttest_rel(before, after)
    assert abs(value(panel, statistic="difference") - 1.0) < TOL
    assert abs(value(panel, statistic="p_value") - ref.pvalue) < 1e-10
    level = challenge_level(survey)
    assert abs(value(level, wave=2010, actor="all", subset="all_answers") - 2.8) < TOL


def test_largest_challenges(results):
    lc = results.largest_challenges
    assert value(lc, wave=2013, actor="all", item_id="c1") == 1
    assert value(lc, wave=2013, actor="all", item_id="c2") == 2
    assert abs(pick(lc, wave=2013, actor="all", item_id="c1")["mean"] - 3.3125) < TOL
    # municipality 2013: c2 (4) before c1 (3)
    assert value(lc, wave=2013, actor="municipality", item_id="c2") == 1
    # housing manager 2010 has only c1
    assert len(lc[(lc["wave"] == 2010) & (lc["actor"] == "housing_manager")]) == 1


def test_result_area(results):
    ra = results.result_area
    # plan answers: PL A 4, PL B 3; TB A 3 (not_relevant dropped); HM B 2; municipality dont_know
    row = pick(ra, wave=2013, actor="project_leader", item_id="r1")
    assert row["value"] == 3.5 and row["n"] == 2
    row = pick(ra, wave=2013, actor="all", item_id="r1")
    assert abs(row["value"] - 8.5 / 3) < TOL and row["n"] == 4
    assert not (ra["actor"] == "municipality").any()
    assert abs(value(ra, wave=2013, actor="all", item_id=None) - 8.5 / 3) < TOL


def test_result_type_themes(results):
    rt = results.result_type
    # item means: PL t1 4, t2 (2 + 3) / 2 = 2.5; TB t1 (3 + 2) / 2 = 2.5 (one plan)
    assert value(rt, wave=2013, actor="all", item_id="t1") == 3.25
    assert pick(rt, wave=2013, actor="all", item_id="t1")["theme"] == "social_activities"
    themes = rt[rt["item_id"].isna() & rt["theme"].notna()]
    assert value(themes, actor="all", theme="social_activities") == 3.25
    assert value(themes, actor="project_leader", theme="health") == 2.5
    assert pick(themes, actor="project_leader", theme="health")["n"] == 2
    block = rt[rt["item_id"].isna() & rt["theme"].isna()]
    assert value(block, actor="project_leader") == 3.25
    assert value(block, actor="tenant_board") == 2.5
    assert value(block, actor="all") == 2.875


def test_goals(results):
    g = results.goals
    assert value(g, actor="project_leader", item_id="g1") == 100.0
    assert pick(g, actor="project_leader", item_id="g1")["rank"] == 1
    assert value(g, actor="project_leader", item_id="g2") == 50.0
    assert value(g, actor="tenant_board", item_id="g1") == 0.0
    assert pick(g, actor="tenant_board", item_id="g1")["n"] == 1
    assert value(g, actor="all", item_id="g1") == 60.0
    assert value(g, actor="all", item_id="g2") == 75.0
    assert pick(g, actor="all", item_id="g2")["rank"] == 1
    assert not ((g["actor"] == "municipality") & (g["item_id"] == "g2")).any()
    assert (g["unit"] == "answer").all()


def test_barriers_filter(results):
    b = results.barriers
    met = b[b["statistic"] == "share_met"]
    assert value(met, actor="project_leader") == 50.0
    assert value(met, actor="tenant_board") == 50.0
    assert value(met, actor="municipality") == 100.0
    assert not (met["actor"] == "housing_manager").any()
    row = pick(met, actor="all")
    assert row["value"] == 60.0 and row["n"] == 5
    named = b[b["statistic"] == "share_named"]
    # r07 and r09 said yes but did not pass the screen: not counted
    assert value(named, actor="project_leader", item_id="b1") == 100.0
    assert pick(named, actor="project_leader", item_id="b1")["n"] == 1
    assert value(named, actor="tenant_board", item_id="b1") == 0.0
    row = pick(named, actor="all", item_id="b1")
    assert abs(row["value"] - 200.0 / 3) < TOL and row["n"] == 3


def test_intervention_areas(results):
    ia = results.intervention_areas
    assert value(ia, item_id="social_life", statistic="share_plans") == 100.0
    assert value(ia, item_id="health", statistic="share_plans") == 50.0
    assert value(ia, item_id="reputation", statistic="share_plans") == 0.0
    row = pick(ia, item_id="social_life", statistic="mean_budget_share")
    assert row["value"] == 50.0 and row["n"] == 2
    row = pick(ia, item_id="health", statistic="mean_budget_share")
    assert row["value"] == 10.0 and row["n"] == 1
    assert value(ia, item_id=None, statistic="mean_areas") == 1.5


def test_distribution(results):
    d = results.distribution
    pl = d[(d["wave"] == 2013) & (d["actor"] == "project_leader") & (d["item_id"] == "g1")]
    assert dict(zip(pl["category"], pl["value"], strict=True)) == {
        N: 0.0, SM: 0.0, S: 0.0, H: 100.0, DK: 0.0, NR: 0.0
    }
    g1 = d[(d["wave"] == 2013) & (d["actor"] == "all") & (d["item_id"] == "g1")]
    shares = dict(zip(g1["category"], g1["value"], strict=True))
    assert shares[H] == 50.0 and abs(shares[DK] - 100 / 6) < TOL and shares[NR] == 0.0
    assert set(g1["n"]) == {6}
    b1 = d[(d["wave"] == 2013) & (d["actor"] == "all") & (d["item_id"] == "b1")]
    assert dict(zip(b1["category"], b1["count"], strict=True)) == {"yes": 2, "no": 1, DK: 0}


def test_crosstab_and_fisher(results):
    ct = results.crosstab
    shares = ct[ct["statistic"] == "share"]
    assert (shares["actor"] == "project_leader").all()
    # project leaders 2013: A (staff yes) high, B (staff no) some
    assert value(shares, level="yes", category=H) == 100.0
    assert value(shares, level="no", category=S) == 100.0
    survey = prepare_survey(RESPONDENTS, ANSWERS, CODEBOOK, DISPATCH)
    attrs = plan_attribute_table(survey, PLANS)
    table = crosstab(survey, "gf", "municipal_staff_in_secretariat", attrs, actor="all", seed=7)
    cells = table[table["statistic"] == "share"]
    # A (yes): high r06 r08, small r12, dont_know r09 -> n 4; B (no): some r07 r11
    assert value(cells, level="yes", category=H) == 50.0
    assert value(cells, level="yes", category=DK) == 25.0
    assert pick(cells, level="yes", category=H)["count"] == 2
    assert pick(cells, level="no", category=S)["n"] == 2
    p = pick(table, statistic="p_value")
    # exact: the "no" row draws 2 of 6 answers; tables as or less likely than the observed
    # (some, some) are (small, dont_know) and (high, high): 3 of 15 draws
    assert p["test"] == "fisher_monte_carlo"
    assert abs(p["value"] - 0.2) < 0.03


def test_plan_attributes_and_moderators(results):
    attrs = results.attributes.set_index("plan_id")
    assert attrs.loc["A", "municipal_staff_in_secretariat"] == "yes"
    # letting tools from the project leaders' latest answers: A yes (2013), B no
    assert attrs.loc["A", "letting_tools"] == "yes"
    assert attrs.loc["B", "letting_tools"] == "no"
    mods = results.moderators.set_index("plan_id")
    assert bool(mods.loc["A", "letting_tools"]) is True
    assert bool(mods.loc["B", "letting_tools"]) is False
    pa = results.plan_attributes
    assert value(pa, cohort="g1", statistic="share_departments") == 100.0
    assert value(pa, cohort="g2", statistic="share_departments") == 0.0
    row = pick(pa, cohort="all", statistic="share_departments")
    assert abs(row["value"] - 200 / 3) < TOL and row["n"] == 3
    assert value(pa, cohort="all", statistic="share_plans") == 50.0


def test_records_shape(results):
    records = results.results.rows("survey")
    base = {"analysis", "actor", "wave", "subset", "item_id", "statistic", "value", "n", "unit"}
    assert all(base <= set(r) for r in records)
    names = {r["analysis"] for r in records}
    assert names == {
        "response_rates", "goals", "barriers", "intervention_areas", "item_mean",
        "challenge_level", "challenge_change", "largest_challenges", "result_area",
        "result_type", "distribution", "crosstab", "plan_attributes",
    }  # fmt: skip
    level = [
        r for r in records
        if r["analysis"] == "challenge_level" and r["actor"] == "all" and r["wave"] == 2013
        and r["subset"] == "all_answers"
    ]  # fmt: skip
    assert level == [
        {"analysis": "challenge_level", "actor": "all", "wave": 2013, "subset": "all_answers",
         "item_id": None, "statistic": "mean", "value": 3.09375, "n": 6, "unit": "plan_actor",
         "weighting": "actor_groups_equal"}
    ]  # fmt: skip
    import json

    json.dumps(records, allow_nan=False)
