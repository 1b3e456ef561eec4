"""A hand-made survey: twelve respondents, two waves (2010, 2013), two plans (A, B).

Tenant boards answer several times about plan A; dont_know / not_relevant
answers; a filtered barrier item; actor groups cover different numbers of
plans (so the equal weighting across actors differs from pooling plan
answers). The survey tests write every number it gives by hand.
"""

from __future__ import annotations

import pandas as pd

CODEBOOK = pd.DataFrame(
    [
        ("c1", "challenge", "Udfordring 1", "Challenge 1", "likert4", None, None, "plan"),
        ("c2", "challenge", "Udfordring 2", "Challenge 2", "likert4", None, None, "plan"),
        ("r1", "result_area", "Område 1", "Area 1", "likert4", None, None, "plan"),
        ("t1", "result_type", "Type 1", "Type 1", "likert4", None, "social_activities", "plan"),
        ("t2", "result_type", "Type 2", "Type 2", "likert4", None, "health", "plan"),
        ("g1", "goal", "Formål 1", "Goal 1", "likert4", None, None, "answer"),
        ("g2", "goal", "Formål 2", "Goal 2", "likert4", None, None, "answer"),
        ("bm", "barrier", "Barrierer?", "Barriers?", "likert4", None, None, "answer"),
        ("b1", "barrier", "Barriere 1", "Barrier 1", "yes_no", "bm", None, "answer"),
        ("gf", "goal_focus", "Målfokus", "Goal focus", "likert4", None, None, "answer"),
        ("pa_letting_tools", "plan_attribute", "Anvisning", "Letting", "yes_no", None, None,
         "answer"),
    ],
    columns=["item_id", "block", "label_da", "label_en", "scale", "filter_item", "theme", "unit"],
)

RESPONDENTS = pd.DataFrame(
    [
        ("r01", 2010, "project_leader", "A", None, "complete"),
        ("r02", 2010, "tenant_board", "A", "A1", "complete"),
        ("r03", 2010, "tenant_board", "A", "A2", "partial"),
        ("r04", 2010, "tenant_board", "B", "B1", "complete"),
        ("r05", 2010, "housing_manager", "A", None, "complete"),
        ("r06", 2013, "project_leader", "A", None, "complete"),
        ("r07", 2013, "project_leader", "B", None, "complete"),
        ("r08", 2013, "tenant_board", "A", "A1", "complete"),
        ("r09", 2013, "tenant_board", "A", "A2", "complete"),
        ("r10", 2013, "tenant_board", "B", "B1", "partial"),
        ("r11", 2013, "housing_manager", "B", None, "complete"),
        ("r12", 2013, "municipality", "A", None, "complete"),
    ],
    columns=["respondent_id", "wave", "actor", "plan_id", "department_id", "status"],
)

H, S, SM, N, DK, NR = (
    "high_degree",
    "some_degree",
    "small_degree",
    "not_at_all",
    "dont_know",
    "not_relevant",
)
ANSWER_ROWS = [
    # 2010 challenges
    ("r01", "c1", H), ("r01", "c2", S),
    ("r02", "c1", S), ("r02", "c2", SM),
    ("r03", "c1", H), ("r03", "c2", DK),
    ("r04", "c1", SM), ("r04", "c2", N),
    ("r05", "c1", S), ("r05", "c2", NR),
    ("r01", "pa_letting_tools", "no"),
    # 2013 challenges
    ("r06", "c1", S), ("r06", "c2", S),
    ("r07", "c1", H), ("r07", "c2", SM),
    ("r08", "c1", SM), ("r08", "c2", SM),
    ("r09", "c1", S), ("r09", "c2", DK),
    ("r10", "c1", S), ("r10", "c2", None),
    ("r11", "c1", H), ("r11", "c2", S),
    ("r12", "c1", S), ("r12", "c2", H),
    # 2013 result area and types
    ("r06", "r1", H), ("r07", "r1", S), ("r08", "r1", S), ("r09", "r1", NR),
    ("r11", "r1", SM), ("r12", "r1", DK),
    ("r06", "t1", H), ("r08", "t1", S), ("r09", "t1", SM),
    ("r06", "t2", SM), ("r07", "t2", S),
    # 2013 goals
    ("r06", "g1", H), ("r07", "g1", H), ("r08", "g1", S), ("r09", "g1", DK),
    ("r11", "g1", SM), ("r12", "g1", H),
    ("r06", "g2", S), ("r07", "g2", H), ("r08", "g2", H), ("r11", "g2", H),
    ("r12", "g2", NR),
    # 2013 barriers: r07 and r09 did not pass the screen, so their b1 answers drop out
    ("r06", "bm", H), ("r07", "bm", SM), ("r08", "bm", S), ("r09", "bm", N),
    ("r11", "bm", DK), ("r12", "bm", S),
    ("r06", "b1", "yes"), ("r07", "b1", "yes"), ("r08", "b1", "no"), ("r09", "b1", "yes"),
    ("r12", "b1", "yes"),
    # 2013 goal focus and plan attribute
    ("r06", "gf", H), ("r07", "gf", S), ("r08", "gf", H), ("r09", "gf", DK),
    ("r11", "gf", S), ("r12", "gf", SM),
    ("r06", "pa_letting_tools", "yes"), ("r07", "pa_letting_tools", "no"),
]  # fmt: skip
ANSWERS = pd.DataFrame(ANSWER_ROWS, columns=["respondent_id", "item_id", "value"])

DISPATCH = pd.DataFrame(
    [
        (2010, "project_leader", "A", 1), (2010, "project_leader", "B", 1),
        (2010, "tenant_board", "A", 3), (2010, "tenant_board", "B", 1),
        (2010, "housing_manager", "A", 1), (2010, "housing_manager", "B", 1),
        (2013, "project_leader", "A", 1), (2013, "project_leader", "B", 1),
        (2013, "tenant_board", "A", 2), (2013, "tenant_board", "B", 2),
        (2013, "housing_manager", "A", 1), (2013, "housing_manager", "B", 1),
        (2013, "municipality", "A", 1), (2013, "municipality", "B", 1),
    ],
    columns=["wave", "actor", "plan_id", "sent"],
)  # fmt: skip

PLANS = pd.DataFrame(
    {
        "plan_id": ["A", "B"],
        "grant_year": [2006, 2008],
        "municipality": ["101", "101"],
        "intervention_areas": ["social_life;health", "social_life"],
        "budget_share_social_life": [40.0, 60.0],
        "budget_share_health": [10.0, None],
        "municipal_staff_in_secretariat": ["true", "false"],
    }
)
DEPARTMENTS = pd.DataFrame({"department_id": ["A1", "A2", "B1"], "plan_id": ["A", "A", "B"]})
COHORTS = {"A1": "g1", "A2": "g1", "B1": "g2"}
