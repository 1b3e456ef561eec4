"""Bad survey input raises SurveyError naming the problem; the codebook loader."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from boligeval.analyses import analyse_survey
from boligeval.errors import SurveyError
from boligeval.survey import check_survey, crosstab, load_codebook, prepare_survey
from boligeval.survey._analyses import plan_attribute_table
from tests.builders.survey_tables import ANSWERS, CODEBOOK, DISPATCH, RESPONDENTS


def test_fixture_passes():
    check_survey(RESPONDENTS, ANSWERS, CODEBOOK, DISPATCH)


def test_more_answers_than_sent():
    dispatch = DISPATCH.copy()
    row = (dispatch["wave"] == 2010) & (dispatch["actor"] == "tenant_board") & (
        dispatch["plan_id"] == "A"
    )
    dispatch.loc[row, "sent"] = 1
    with pytest.raises(SurveyError, match=r"more answers than questionnaires sent.*plan A "
                       r"tenant_board 2010: 2 answers, 1 sent"):
        check_survey(RESPONDENTS, ANSWERS, CODEBOOK, dispatch)


def test_answers_without_dispatch_row():
    dispatch = DISPATCH[DISPATCH["actor"] != "municipality"]
    with pytest.raises(SurveyError, match=r"plan A municipality 2013: 1 answers, 0 sent"):
        analyse_survey(RESPONDENTS, ANSWERS, CODEBOOK, dispatch)


def test_item_missing_from_codebook():
    answers = pd.concat(
        [ANSWERS, pd.DataFrame({"respondent_id": ["r01"], "item_id": ["zz9"], "value": ["yes"]})]
    )
    with pytest.raises(SurveyError, match=r"item_id 'zz9'.*missing from the codebook"):
        check_survey(RESPONDENTS, answers, CODEBOOK)


def test_code_outside_scale():
    answers = ANSWERS.copy()
    answers.loc[(answers["respondent_id"] == "r06") & (answers["item_id"] == "b1"), "value"] = (
        "high_degree"
    )
    with pytest.raises(SurveyError, match=r"outside the item's scale.*b1=high_degree \(yes_no\)"):
        check_survey(RESPONDENTS, answers, CODEBOOK)


def test_unknown_respondent_and_duplicates():
    answers = pd.concat(
        [ANSWERS, pd.DataFrame({"respondent_id": ["r99"], "item_id": ["c1"], "value": ["yes"]})]
    )
    with pytest.raises(SurveyError, match=r"respondent_id 'r99'.*not found in respondents"):
        check_survey(RESPONDENTS, answers, CODEBOOK)
    twice = pd.concat([ANSWERS, ANSWERS.iloc[:1]])
    with pytest.raises(SurveyError, match=r"answered more than once.*r01/c1"):
        check_survey(RESPONDENTS, twice, CODEBOOK)
    respondents = RESPONDENTS.assign(actor=RESPONDENTS["actor"].replace("municipality", "kommune"))
    with pytest.raises(SurveyError, match=r"unknown actor code\(s\) 'kommune'"):
        check_survey(respondents, ANSWERS, CODEBOOK)


def test_codebook_problems():
    with pytest.raises(SurveyError, match=r"lacks column\(s\) scale"):
        check_survey(RESPONDENTS, ANSWERS, CODEBOOK.drop(columns="scale"))
    bad = CODEBOOK.copy()
    bad.loc[0, "scale"] = "likert5"
    with pytest.raises(SurveyError, match=r"unknown scale\(s\) 'likert5'"):
        check_survey(RESPONDENTS, ANSWERS, bad)
    bad = CODEBOOK.copy()
    bad.loc[8, "filter_item"] = "nope"
    with pytest.raises(SurveyError, match=r"filter item\(s\) 'nope'"):
        check_survey(RESPONDENTS, ANSWERS, bad)


def test_response_rates_need_dispatch_and_crosstab_names():
    survey = prepare_survey(RESPONDENTS, ANSWERS, CODEBOOK)
    attrs = plan_attribute_table(survey)
    with pytest.raises(SurveyError, match=r"plan attribute 'secretariat_type' is not available"):
        crosstab(survey, "gf", "secretariat_type", attrs)
    with pytest.raises(SurveyError, match=r"item 'nope' is not in the codebook"):
        crosstab(survey, "nope", "letting_tools", attrs)
    results = analyse_survey(RESPONDENTS, ANSWERS, CODEBOOK)
    assert results.tidy("survey", analysis="response_rates").empty


def test_shipped_codebook():
    book = load_codebook()
    counts = book["block"].value_counts()
    assert counts["challenge"] == 12
    assert counts["result_area"] == 8
    assert 14 <= counts["result_type"] <= 16
    assert counts["barrier"] == 11
    assert set(book.loc[book["block"] == "barrier", "filter_item"].dropna()) == {"barrier_met"}
    assert set(book.loc[book["block"] == "result_type", "theme"]) == {
        "social_activities", "collaboration", "wellbeing_safety", "resident_mix",
        "employment", "health",
    }  # fmt: skip
    assert set(book.loc[book["block"] == "challenge", "unit"]) == {"plan"}
    assert set(book.loc[book["block"] == "goal", "unit"]) == {"answer"}
    assert book["label_da"].str.contains("æ|ø|å").any()
    assert book[["item_id", "label_da", "label_en", "scale"]].notna().all().all()


def test_user_codebook_replaces_the_default(tmp_path: Path):
    path = tmp_path / "my_codebook.csv"
    CODEBOOK.drop(columns=["unit"]).to_csv(path, index=False)
    book = load_codebook(path)
    assert book["item_id"].tolist() == CODEBOOK["item_id"].tolist()
    # without a unit column, area blocks default to plan and the others to answer
    assert book.set_index("item_id").loc["c1", "unit"] == "plan"
    assert book.set_index("item_id").loc["g1", "unit"] == "answer"
    with pytest.raises(SurveyError, match="does not exist"):
        load_codebook(tmp_path / "missing.csv")
