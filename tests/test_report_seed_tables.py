"""Seed tables 4.8 and 4.9 (rent support by group, deprivation by rent support), by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats

from boligeval.analyses.rent_support_groups import deprivation_by_support, round_shares
from boligeval.disclosure import SUPPRESSED_MARK
from boligeval.report.tables import deprivation_support_table, rent_round_table

#: Ten departments: control 4 (3 none, 1 in 2006), g1 6 (3 none, 1 in 2006, 2 in 2008).
DEPARTMENTS = pd.DataFrame({
    "department_id": [f"d{i}" for i in range(10)],
    "cohort": ["control"] * 4 + ["g1"] * 6,
    "rent_support_cohort": ["none", "none", "none", "r2006",
                            "none", "none", "none", "r2006", "r2008", "r2008"],
    "deprivation": [1.0, 2.0, 3.0, 4.0, 1.0, 1.5, 2.0, 2.0, 3.0, None],
})


def test_round_shares_by_hand() -> None:
    rows = round_shares(DEPARTMENTS)
    share = {(r["group"], r["round"]): r["value"] for r in rows
             if r["statistic"] == "share_departments"}
    assert share == pytest.approx({("control", "none"): 75.0, ("control", "r2006"): 25.0,
                                   ("g1", "none"): 50.0, ("g1", "r2006"): 100 / 6,
                                   ("g1", "r2008"): 200 / 6})
    n = {r["group"]: r["value"] for r in rows if r["statistic"] == "n_departments"}
    assert n == {"control": 4, "g1": 6}


def test_deprivation_by_support_by_hand() -> None:
    """Intervention: without [1, 1.5, 2] (mean 1.5), with [2, 3] (mean 2.5); d9 has no score."""
    rows = {(r["group"], r["rent_support"]): r for r in deprivation_by_support(DEPARTMENTS)}
    assert rows[("control", 0)]["value"] == pytest.approx(2.0)
    assert rows[("control", 0)]["n"] == 3
    assert ("control", 1) in rows and rows[("control", 1)]["p_value"] is None  # one department
    assert rows[("intervention", 0)]["value"] == pytest.approx(1.5)
    assert rows[("intervention", 1)]["value"] == pytest.approx(2.5)
    assert rows[("intervention", 1)]["n"] == 2
    # pooled variance: ((3-1)*0.25 + (2-1)*0.5) / 3 = 1/3; t = 1 / sqrt(1/3 * (1/3 + 1/2))
    t = 1.0 / math.sqrt((1 / 3) * (1 / 3 + 1 / 2))
    assert rows[("intervention", 1)]["p_value"] == pytest.approx(2 * stats.t.sf(t, 3))
    assert rows[("intervention", 0)]["p_value"] is None


def test_seed_layout_of_table_4_8() -> None:
    recs = [{**r, "suppressed": False} for r in round_shares(DEPARTMENTS)]
    recs[1] = {**recs[1], "suppressed": True, "value": None}  # control, r2006
    t = rent_round_table(recs, "da", key="t48")
    assert t is not None
    assert t.columns == ("Kontrolgruppe", "Indsatsgruppe 1")
    assert [r.label for r in t.rows] == [
        "Modtager ikke huslejestøtte i perioden", "Modtager huslejestøtte i uddelingsrunde 2006",
        "Modtager huslejestøtte i uddelingsrunde 2008", "I alt", "Beregningsgrundlag"]
    assert [r.cells for r in t.rows] == [("75", "50"), (SUPPRESSED_MARK, "17"), ("0", "33"),
                                         ("100", "100"), ("4", "6")]


def test_seed_layout_of_table_4_9() -> None:
    recs = [{**r, "suppressed": False} for r in deprivation_by_support(DEPARTMENTS)]
    t = deprivation_support_table(recs, "en", key="t49")
    assert t is not None
    assert t.columns == ("Control group – without rent support",
                         "Control group – with rent support",
                         "Intervention groups – without rent support",
                         "Intervention groups – with rent support")
    assert t.rows[0].cells == ("2.00", "4.00", "1.50", "2.50")  # p = 0.27: no stars
    assert t.rows[1].cells == ("3", "1", "3", "2")
