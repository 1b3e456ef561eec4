"""Children and youth (docs/methods.md §3.1): the analysis block, its table, disclosure."""

from __future__ import annotations

import pandas as pd
import pytest

from boligeval.config import parse_config
from boligeval.disclosure import DEFAULT_RULES, protect_panel
from boligeval.errors import ConfigError
from boligeval.report.i18n import label
from boligeval.report.tables import SUPPRESSED_MARK, youth_table
from tests.builders.report_results import est

STATS = (600, 40, 20, 0.5)


def _records() -> list[dict[str, object]]:
    return [
        est("youth_did", "youth", "gp_visits", "active_plan", 0.25, 0.1, STATS),
        est("youth_did", "youth", "gp_visits", "Intercept", 3.0, 0.1, STATS),
        est("youth_did", "vulnerable_youth", "gp_visits", "active_plan", -0.1, 0.2,
            (300, 12, 9, 0.4)),
        est("youth_did", "youth", "placed_outside_home", "active_plan", 0.5, 1.0, STATS),
        {**est("youth_did", "vulnerable_youth", "placed_outside_home", "active_plan", 1.0, 1.0,
               (300, 12, 9, 0.4)), "estimate": None, "std_error": None, "suppressed": True},
        # The vulnerable youth's exam grade was not estimated: no record, empty cells.
        est("youth_did", "youth", "exam_grade_relative", "active_plan", -0.03, 0.15, STATS),
    ]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_youth_table_outcomes_by_population(lang: str) -> None:
    table = youth_table(_records(), "youth_did", lang)
    assert table is not None
    if lang == "en":
        assert table.title == ("Children and youth: effects on education, placements, "
                               "convictions and health")
        assert table.columns == ("Children and youth", "Socially vulnerable children and youth")
    else:
        assert table.title.startswith("Børn og unge: effekter på uddannelse")
    rows = [r.cells for r in table.rows]
    # Outcomes in the vocabulary's order, four rows each (effect, standard error,
    # departments, plans); the intercept is not shown. 0.25 / 0.1: p = 0.012, two stars.
    en = [
        ("−0.03", ""), ("(0.15)", ""), ("40", ""), ("20", ""),              # exam grade
        ("0.50", SUPPRESSED_MARK), ("(1.00)", ""), ("40", "12"), ("20", "9"),  # placements
        ("0.25**", "−0.10"), ("(0.10)", "(0.20)"), ("40", "12"), ("20", "9"),  # GP visits
    ]
    expected = en if lang == "en" else [tuple(c.replace(".", ",") for c in r) for r in en]
    assert rows == expected
    assert [r.label for r in table.rows][::4] == [
        label(lang, "outcome", o)
        for o in ("exam_grade_relative", "placed_outside_home", "gp_visits")]
    assert table.has_suppressed and len(table.notes) == 4   # youth, stars, SE, suppression


def test_youth_table_absent_without_records() -> None:
    assert youth_table([], "youth_did", "en") is None


def test_youth_block_takes_only_youth_populations_and_outcomes() -> None:
    base = {"data": {"dir": "w"}}
    with pytest.raises(ConfigError, match="youth_did takes population"):
        parse_config({**base, "analysis": [{"kind": "youth_did", "population": "all",
                                            "outcomes": ["gp_visits"]}]})
    with pytest.raises(ConfigError, match="youth outcomes"):
        parse_config({**base, "analysis": [{"kind": "youth_did", "population": "youth",
                                            "outcomes": ["employed"]}]})
    cfg = parse_config({**base, "analysis": [{"kind": "youth_did",
                                              "population": "vulnerable_youth",
                                              "outcomes": ["convicted"]}]})
    assert cfg.analysis[0].population == "vulnerable_youth"


def test_vulnerable_youth_close_to_youth_is_suppressed_in_the_panel_file() -> None:
    # 25 youth and 22 vulnerable youth in one cell: the 3 others' mean would follow.
    frame = pd.DataFrame({
        "department_id": ["D1"] * 4, "year": [2005] * 4,
        "population": ["youth", "vulnerable_youth", "youth", "vulnerable_youth"],
        "outcome": ["gp_visits", "gp_visits", "dentist_visits", "dentist_visits"],
        "n": [25, 22, 25, 10], "value": [3.0, 3.2, 1.0, 1.1],
        "top_share": [0.05, 0.06, 0.6, 0.1],
    })
    out = protect_panel(frame, DEFAULT_RULES)
    # gp: the vulnerable cell is 3 short of youth; dentist: youth fails the dominance rule
    # (a count one child can dominate), the vulnerable cell is 15 short and passes.
    assert out["suppressed"].tolist() == [False, True, True, False]
