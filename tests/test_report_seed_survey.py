"""Seed table 3.1, figures 5.2 and 5.3 and table 9.1 on the hand-made survey, by hand.

The numbers below are read off ``tests/builders/survey_tables.py`` (wave 2013);
every record passes disclosure control first (``Published``).
"""

from __future__ import annotations

from typing import Any

import pytest

from boligeval.analyses import Context, run_analyses
from boligeval.config import EvaluationConfig
from boligeval.disclosure import SUPPRESSED_MARK, DisclosureRules, Published, protect_results
from boligeval.report import build_document
from boligeval.report.document import codebook_labels
from boligeval.report.figures import (
    result_area_bars,
    result_area_figure,
    result_type_figure,
    result_type_rows,
)
from boligeval.report.tables import goal_focus_table, goals_top_table
from boligeval.survey import Survey
from tests.builders.survey_tables import CODEBOOK

LABELS = codebook_labels(CODEBOOK)
#: Small enough for the hand survey's one- and two-answer cells.
OPEN = DisclosureRules(min_persons=1, dominance_share=1.0, secondary=False, survey_min_count=0)


def _published(survey: Survey, rules: DisclosureRules) -> Published:
    results = run_analyses(Context(EvaluationConfig(), survey=survey), (), strict=True)
    return protect_results(results, rules)


@pytest.fixture(scope="module")
def open_published(hand_survey: Survey) -> Published:
    return _published(hand_survey, OPEN)


@pytest.fixture(scope="module")
def default_published(hand_survey: Survey) -> Published:
    return _published(hand_survey, DisclosureRules())


def test_table_3_1_top_goals_per_actor(open_published: Published) -> None:
    """2013 "high degree" shares: PL g1 2/2, g2 1/2; HM g1 0/1, g2 1/1; municipality g1 1/1
    (g2 not relevant); TB g1 0/1 (r09 don't know), g2 1/1."""
    t = goals_top_table(open_published.records("goals"), "en", analysis="goals",
                        item_labels=LABELS)
    assert t is not None and t.key == "survey_goals_top"
    assert t.title.endswith("(2013)")
    assert t.columns == ("Goal", "Goal to a high degree, %")
    assert t.corner == "Actor group"
    assert [(r.label, r.cells) for r in t.rows] == [
        ("Project leaders", ("Goal 1", "100")),
        ("", ("Goal 2", "50")),
        ("Housing managers", ("Goal 2", "100")),
        ("", ("Goal 1", "0")),
        ("Municipalities", ("Goal 1", "100")),
        ("Tenant boards", ("Goal 2", "100")),
        ("", ("Goal 1", "0")),
    ]


def test_table_3_1_under_the_default_rules(default_published: Published) -> None:
    t = goals_top_table(default_published.records("goals"), "da", analysis="goals",
                        item_labels=LABELS)
    assert t is not None
    assert t.rows[0].label == "Projektledere"
    assert t.rows[0].cells == ("Formål 1", SUPPRESSED_MARK)  # two answers: below five
    assert all(r.cells[1] == SUPPRESSED_MARK for r in t.rows)


def test_figure_5_2_data_by_hand(open_published: Published) -> None:
    """r1: PL A 4, B 3 -> 3.5; TB A 3 (not relevant dropped); HM B 2; municipality don't know."""
    actors, areas = result_area_bars(open_published.records("result_area"))
    assert actors == ["project_leader", "housing_manager", "tenant_board"]
    assert areas == [("r1", {"project_leader": 3.5, "housing_manager": 2.0,
                             "tenant_board": 3.0})]


def _rec(item: str | None, actor: str, value: float | None, **extra: Any) -> dict[str, Any]:
    return {"analysis": "result_area", "wave": 2013, "item_id": item, "actor": actor,
            "statistic": "mean", "value": value, "suppressed": value is None, **extra}


def test_figure_5_2_sorted_by_the_mean_across_actors() -> None:
    recs = [_rec("a", "all", 2.5), _rec("a", "tenant_board", 2.5),
            _rec("b", "all", 3.1), _rec("b", "tenant_board", None),
            _rec("c", "all", None), _rec("c", "tenant_board", 2.0),
            _rec(None, "all", 2.8), _rec("a", "all", 1.0, wave=2010)]
    actors, areas = result_area_bars(recs)
    assert actors == ["tenant_board"]
    assert areas == [("b", {"tenant_board": None}), ("a", {"tenant_board": 2.5}),
                     ("c", {"tenant_board": 2.0})]
    fig = result_area_figure(recs, "en", None, "survey_result_area_actors")
    assert fig is not None and fig.svg.startswith(b"<?xml")
    assert "·" in fig.note  # hidden values are said


def test_figure_5_3_grouped_into_themes(open_published: Published) -> None:
    """Across actors: t1 (PL 4, TB (3 + 2) / 2) = 3.25; t2 PL (2 + 3) / 2 = 2.5 only."""
    rows = result_type_rows(open_published.records("result_type"))
    assert rows == [("theme", "social_activities", 3.25), ("item", "t1", 3.25),
                    ("theme", "health", 2.5), ("item", "t2", 2.5)]
    fig = result_type_figure(open_published.records("result_type"), "da", LABELS,
                             "survey_result_type_themes")
    assert fig is not None and b"Sociale aktiviteter" in fig.svg and b"Sundhed" in fig.svg


def test_figure_5_3_theme_order_and_suppression() -> None:
    recs = [_rec("x", "all", 2.0, theme="health"), _rec(None, "all", 2.0, theme="health"),
            _rec("y", "all", None, theme="collaboration"),
            _rec("z", "all", 3.0, theme="collaboration"),
            _rec(None, "all", None, theme="collaboration"), _rec("w", "all", 1.5)]
    assert result_type_rows(recs) == [
        ("theme", "collaboration", None), ("item", "z", 3.0), ("item", "y", None),
        ("theme", "health", 2.0), ("item", "x", 2.0),
        ("theme", "", None), ("item", "w", 1.5)]


def test_table_9_1_by_hand(open_published: Published) -> None:
    """Project leaders 2013: plan A (staff yes) r06 high; plan B (staff no) r07 some."""
    t = goal_focus_table(open_published.records("crosstab"), "en", item="gf",
                         group="municipal_staff_in_secretariat", key="t91", item_labels=LABELS)
    assert t is not None
    assert t.title == ("Plans by goal focus and municipal staff in the secretariat: "
                       "project leaders, 2013 (%)")
    assert t.columns == ("To a high degree", "To some degree", "To a small degree",
                         "Not at all", "Don't know", "N")
    assert t.corner == "Municipal staff in the secretariat"
    assert [(r.label, r.cells) for r in t.rows] == [
        ("Yes", ("100", "0", "0", "0", "0", "1")),
        ("No", ("0", "100", "0", "0", "0", "1")),
    ]
    # 2x2 [[1, 0], [0, 1]] after the empty columns go: Fisher's exact p = 1
    assert "Difference between the rows: p = 1.000 (Fisher's exact test)." in t.notes


def test_table_9_1_under_the_default_rules(default_published: Published) -> None:
    t = goal_focus_table(default_published.records("crosstab"), "da", item="gf",
                         group="municipal_staff_in_secretariat", key="t91", item_labels=LABELS)
    assert t is not None
    assert [r.label for r in t.rows] == ["Ja", "Nej"]
    assert all(c == SUPPRESSED_MARK for r in t.rows for c in r.cells[:5])
    assert "Forskel mellem rækkerne: p = · (Fishers eksakte test)." in t.notes


def test_blocks_are_in_the_report(open_published: Published) -> None:
    doc = build_document(open_published, "en", meta={"labels": LABELS})
    keys = [b.table.key if b.table else b.figure.key  # type: ignore[union-attr]
            for s in doc.sections for b in s.blocks]
    for key in ("survey_goals_top", "survey_goals", "survey_result_area_actors",
                "survey_result_type_themes"):
        assert key in keys
    assert keys.index("survey_goals_top") < keys.index("survey_goals")


def test_concordance_points_at_the_new_blocks(open_published: Published) -> None:
    doc = build_document(open_published, "en", meta={"labels": LABELS})
    numbers = {}
    for s in doc.sections:
        for b in s.blocks:
            item = b.table if b.table is not None else b.figure
            numbers[item.key] = b.caption.split(".")[0]  # type: ignore[union-attr]
    where = {r.label: r.cells[1] for r in doc.sections[-1].blocks[0].table.rows}  # type: ignore[union-attr]
    assert where["Table 3.1"] == numbers["survey_goals_top"]
    assert where["Figure 5.2"] == numbers["survey_result_area_actors"]
    assert where["Figure 5.3"].startswith(numbers["survey_result_type_themes"] + " (grouped")
    # the hand survey's goal-focus item is "gf", not the seed's: said, not left blank
    assert where["Table 9.1"].startswith("Not in this run")
