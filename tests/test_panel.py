"""Person derivations, design indicators and the department-year panel, by hand."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import pandas as pd
import pytest

from boligeval.config import IncomeSpec, PanelSpec, parse_config
from boligeval.design import build_design
from boligeval.errors import PanelError
from boligeval.panel import build_panel
from boligeval.panel.derive import derive_persons
from tests.builders.panel_worlds import departments_frame, plans_frame, register, resident

YEARS = (2005, 2007, 2009)
PRICES = pd.DataFrame({"year": [2005, 2007, 2009], "index": [100.0, 104.0, 110.0]})


def _cfg(**sections: object):  # type: ignore[no-untyped-def]
    cfg = parse_config({"data": {"dir": "."}})
    return replace(cfg, **sections)


def _person(con: duckdb.DuckDBPyConnection, person_id: str, year: int) -> dict[str, object]:
    row = con.execute(
        "SELECT * FROM persons WHERE person_id = ? AND year = ?", [person_id, year]
    ).df()
    assert len(row) == 1
    return row.iloc[0].to_dict()


@pytest.fixture
def household_world() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    plans = plans_frame([("P1", 2006), ("P9", 2008)])
    departments = departments_frame([("D1", "P1")])
    rows = [
        # Household H1 in 2005: two adults, a child of 15 and a child of 14.
        resident("a", 2005, "D1", "H1", 1965, disposable_income=300_000.0),
        resident("b", 2005, "D1", "H1", 1967, disposable_income=200_000.0),
        resident("c15", 2005, "D1", "H1", 1990, disposable_income=10_000.0,
                 income_source="student"),
        resident("c14", 2005, "D1", "H1", 1991, disposable_income=0.0, income_source="other"),
        # A one-person household with a missing income, in 2007.
        resident("m", 2007, "D1", "H2", 1970, disposable_income=None),
        resident("p", 2009, "D1", "H3", 1970, disposable_income=100_000.0),
    ]
    register(con, plans, departments, pd.DataFrame(rows), PRICES)
    return con


def test_equivalised_income_dst_child_cutoff_15(household_world: duckdb.DuckDBPyConnection):
    derive_persons(household_world, _cfg())
    # Real income: 510,000 * 110/100 = 561,000. Persons aged 15+: a, b, c15 -> 3; children: 1.
    # Scale 1 + 0.5 * (3 - 1) + 0.3 * 1 = 2.3.
    expected = 561_000.0 / 2.3
    for pid in ("a", "b", "c15", "c14"):
        assert _person(household_world, pid, 2005)["equivalised_income"] == pytest.approx(
            expected, rel=1e-12
        )


def test_equivalised_income_eurostat_child_cutoff_14(household_world: duckdb.DuckDBPyConnection):
    cfg = _cfg(income=IncomeSpec(child_age_cutoff=14))
    derive_persons(household_world, cfg)
    # The 14-year-old is an adult at cut-off 14: scale 1 + 0.5 * 3 = 2.5.
    assert _person(household_world, "c14", 2005)["equivalised_income"] == pytest.approx(
        561_000.0 / 2.5, rel=1e-12
    )


def test_price_conversion_and_missing_income(household_world: duckdb.DuckDBPyConnection):
    derive_persons(household_world, _cfg())
    assert _person(household_world, "a", 2005)["disposable_income"] == pytest.approx(330_000.0)
    assert _person(household_world, "p", 2009)["disposable_income"] == pytest.approx(100_000.0)
    missing = _person(household_world, "m", 2007)
    assert pd.isna(missing["disposable_income"])
    assert pd.isna(missing["equivalised_income"])


DEPRIVATION_CASES = [
    # (income_source, origin, single_parent, convicted, age, expected score)
    ("employed", "danish", False, False, 30, 0.0),
    ("leave", "danish", False, False, 30, 0.0),
    ("unemployed_short", "danish", False, False, 30, 0.0),
    ("unemployed_long", "danish", False, False, 30, 1.0),
    ("social_assistance", "danish", False, False, 30, 1.5),
    ("missing", "danish", False, False, 30, 1.5),
    ("disability_pension", "danish", False, False, 50, 0.5),
    ("disability_pension", "danish", False, False, 49, 2.5),
    ("student", "danish", False, False, 30, 0.0),
    ("retired", "danish", False, False, 60, 0.0),
    ("other", "danish", False, False, 30, 0.0),
    ("employed", "western", False, False, 30, 1.0),
    ("employed", "non_western", False, False, 30, 1.5),
    ("employed", "danish", True, False, 30, 1.0),
    ("employed", "danish", False, True, 30, 1.0),
    ("social_assistance", "non_western", True, True, 30, 5.0),
    ("disability_pension", "western", False, True, 18, 4.5),
    ("social_assistance", "danish", False, False, 17, None),
    ("social_assistance", "danish", False, False, 65, None),
]


def test_deprivation_score_each_weight_row():
    con = duckdb.connect()
    rows = [
        resident(f"x{i}", 2005, "D1", f"H{i}", 2005 - age, income_source=src, origin=origin,
                 single_parent=sp, convicted=conv)
        for i, (src, origin, sp, conv, age, _) in enumerate(DEPRIVATION_CASES)
    ]
    register(con, plans_frame([("P1", 2006), ("P9", 2008)]), departments_frame([("D1", "P1")]),
             pd.DataFrame(rows), PRICES)
    derive_persons(con, _cfg())
    for i, case in enumerate(DEPRIVATION_CASES):
        got = _person(con, f"x{i}", 2005)["deprivation"]
        if case[-1] is None:
            assert pd.isna(got), case
        else:
            assert got == pytest.approx(case[-1]), case


def test_in_mover_and_out_mover_flags():
    con = duckdb.connect()
    rows = [
        resident("s", 2005, "D1", "H1", 1970, move_in_year=1999),
        resident("s", 2007, "D1", "H1", 1970, move_in_year=1999),
        resident("o", 2005, "D1", "H2", 1970, move_in_year=2005, income_source="employed"),
        resident("o", 2007, "D2", "H3", 1970, move_in_year=2007),   # left D1, moved into D2
        resident("i", 2007, "D1", "H4", 1980, move_in_year=2006),   # arrived between years
    ]
    register(con, plans_frame([("P1", 2006), ("P9", 2008)]),
             departments_frame([("D1", "P1"), ("D2", "P1")]), pd.DataFrame(rows), PRICES)
    cfg = _cfg(panel=PanelSpec(min_count=1))
    cfg = replace(cfg, design=replace(cfg.design, years=(2005, 2007)))
    design = build_design(con, cfg.design)
    panel = build_panel(con, cfg, design)
    derive_persons(con, cfg)
    assert bool(_person(con, "o", 2005)["in_mover"]) is True
    assert bool(_person(con, "o", 2007)["in_mover"]) is True
    assert bool(_person(con, "s", 2007)["in_mover"]) is False
    assert bool(_person(con, "i", 2007)["in_mover"]) is False   # moved in 2006, not 2007
    cells = panel.cells
    out = cells[(cells["population"] == "out_movers") & (cells["outcome"] == "employed")]
    # Only "o" left D1 between 2005 and 2007; measured with its 2005 values.
    assert out[["department_id", "year", "n", "value"]].values.tolist() == [
        ["D1", 2007, 1, 100.0]
    ]
    movers = cells[(cells["population"] == "in_movers") & (cells["outcome"] == "employed")]
    got = {(d, y): n for d, y, n in movers[["department_id", "year", "n"]].values}
    assert got == {("D1", 2005): 1, ("D2", 2007): 1}   # no cell where nobody moved in


def _world_for_min_count(counts: dict[str, tuple[int, int, int]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    rows = []
    for dept, per_year in counts.items():
        for year, n in zip(YEARS, per_year, strict=True):
            for k in range(n):
                rows.append(resident(f"{dept}-{k}", year, dept, f"{dept}-h{k}", 1970))
    register(con, plans_frame([("P1", 2006), ("P2", 2012), ("P9", 2008)]),
             departments_frame([("D1", "P1"), ("D2", "P1"), ("D3", "P2"), ("D4", "P2")]),
             pd.DataFrame(rows), PRICES)
    return con


def test_min_count_drops_department_below_20_in_one_year_only():
    # D2 has 19 residents in 2007 only; D4 has none in 2009 (not in the register every year).
    con = _world_for_min_count({"D1": (20, 20, 20), "D2": (20, 19, 25), "D3": (30, 30, 30),
                                "D4": (22, 22, 0)})
    cfg = _cfg()
    panel = build_panel(con, cfg, build_design(con, cfg.design))
    sub = panel.for_analysis("working_age", "employed")
    assert sorted(sub["department_id"].unique()) == ["D1", "D3"]
    assert len(sub) == 6   # balanced: 2 departments x 3 years
    acc = panel.accounting
    row = acc[(acc["population"] == "working_age") & (acc["outcome"] == "employed")]
    by_reason = dict(zip(row[row["table"] == "units"]["reason"],
                         row[row["table"] == "units"]["count"], strict=True))
    assert by_reason == {"outside_population": 0, "missing_outcome": 0,
                         "below_min_count": 64, "used": 150}
    depts = acc[(acc["table"] == "departments") & acc["population"].isna()]
    assert dict(zip(depts["reason"], depts["count"], strict=True)) == {
        "in_records": 4, "not_in_register_every_year": 1}
    # D1 is in cohort g1 (grant 2006): active from 2006 on.
    d1 = sub[sub["department_id"] == "D1"].sort_values("year")
    assert d1["active_plan"].tolist() == [0, 1, 1]
    assert d1["cohort"].unique().tolist() == ["g1"]
    assert sub[sub["department_id"] == "D3"]["cohort"].unique().tolist() == ["control"]


def test_population_without_qualifying_department_is_a_clear_error():
    con = _world_for_min_count({"D1": (20, 20, 20), "D3": (30, 30, 30)})
    cfg = _cfg()
    panel = build_panel(con, cfg, build_design(con, cfg.design))
    with pytest.raises(PanelError, match="No department has at least 20"):
        panel.for_analysis("in_movers", "employed")


def test_unknown_outcome_column_is_a_clear_error():
    con = _world_for_min_count({"D1": (20, 20, 20)})
    cfg = _cfg()
    with pytest.raises(PanelError, match="neither a built-in outcome nor a column"):
        build_panel(con, cfg, build_design(con, cfg.design), extra_outcomes=["wellbeing"])


def test_cohort_without_plans_is_a_clear_error():
    con = duckdb.connect()
    rows = [resident("a", 2005, "D1", "H1", 1970)]
    register(con, plans_frame([("P1", 2006)]), departments_frame([("D1", "P1")]),
             pd.DataFrame(rows), PRICES)
    with pytest.raises(PanelError, match=r"Cohort\(s\) g2 of \[design\] cohorts have no plan"):
        build_design(con, _cfg().design)


def test_income_outcomes_need_a_price_index():
    con = duckdb.connect()
    rows = [resident(f"p{k}", y, "D1", f"h{k}", 1970) for y in YEARS for k in range(20)]
    register(con, plans_frame([("P1", 2006), ("P9", 2008)]), departments_frame([("D1", "P1")]),
             pd.DataFrame(rows), prices=None)
    cfg = _cfg()
    panel = build_panel(con, cfg, build_design(con, cfg.design))
    assert len(panel.for_analysis("all", "employed")) == 3
    with pytest.raises(PanelError, match="needs a prices table"):
        panel.for_analysis("all", "disposable_income")


def test_panel_straight_from_residents_falls_back_on_unknown_ages():
    # An unknown age leaves a person out of every age stratum, which the unit counts of the
    # shortcut cannot express: the panel is then built from the persons table, as usual.
    rows = [resident(f"p{k}", y, "D1", f"h{k // 2}", 1970 + k) for y in YEARS for k in range(6)]
    rows[3]["birth_year"] = None
    cfg = _cfg(panel=PanelSpec(min_count=1))
    panels = []
    for keep in (True, False):
        con = duckdb.connect()
        register(con, plans_frame([("P1", 2006), ("P9", 2008)]),
                 departments_frame([("D1", "P1")]), pd.DataFrame(rows), PRICES)
        panels.append(build_panel(con, cfg, build_design(con, cfg.design), keep_persons=keep))
        assert not con.execute("SELECT count(*) FROM information_schema.tables "
                               "WHERE table_name = 'panel_strata'").fetchone()[0]
    pd.testing.assert_frame_equal(panels[0].frame, panels[1].frame, check_exact=True)
    pd.testing.assert_frame_equal(panels[0].accounting, panels[1].accounting, check_exact=True)


def test_panel_straight_from_residents_handles_a_huge_household():
    # A household of 2**16 members: the member counts of the streamed path are plain
    # counts with no size limit, so it is used and equals the persons-table path.
    size = 1 << 16
    frame = pd.DataFrame([resident("p0", 2005, "D1", "h0", 1970)] * size)
    frame["person_id"] = [f"p{k}" for k in range(size)]
    frame = pd.concat([frame.assign(year=y) for y in YEARS], ignore_index=True)
    cfg = _cfg(panel=PanelSpec(min_count=1))
    panels = []
    for keep in (True, False):
        con = duckdb.connect()
        register(con, plans_frame([("P1", 2006), ("P9", 2008)]),
                 departments_frame([("D1", "P1")]), frame, PRICES)
        panels.append(build_panel(con, cfg, build_design(con, cfg.design), keep_persons=keep))
        streamed = con.execute("SELECT count(*) FROM information_schema.tables "
                               "WHERE table_name = 'panel_strata'").fetchone()[0]
        assert streamed == (not keep)
    pd.testing.assert_frame_equal(panels[0].frame, panels[1].frame, check_exact=True)
    pd.testing.assert_frame_equal(panels[0].accounting, panels[1].accounting, check_exact=True)


# --- Children and youth (docs/methods.md §3.1) ---------------------------------------------

YOUTH_CFG = {"data": {"dir": "."}, "panel": {"min_count": 1},
             "analysis": [{"kind": "area_did", "population": "youth",
                           "outcomes": ["gp_visits"]}]}


def _youth_rows(family: bool) -> pd.DataFrame:
    """Five youth (12-17) in D1 in 2005, written out by hand; ``family`` adds family_id.

    * H1 (family E1): mother employed with a vocational education, father long-term
      unemployed, brother of 18 (an adult of the family), y1 (15).
    * H2 (E2): mother on social assistance with a vocational education: nobody employed,
      so y2 (16) and y3 (12) are vulnerable.
    * H3: two families. E3a: d, employed, long tertiary. E3b: father f on disability
      pension with basic schooling, and his son y4 (17). By family y4 is vulnerable; by
      household (d counts as his adult too) he is not.
    * H5: y5 (17) lives alone: no adult, so not vulnerable under either reading.
    * H6: a child of 11, outside the youth ages.
    """
    def r(pid, hh, fam, born, **kw):  # type: ignore[no-untyped-def]
        row = resident(pid, 2005, "D1", hh, born, **kw)
        return {**row, "family_id": fam} if family else row
    return pd.DataFrame([
        r("a", "H1", "E1", 1965, education="vocational"),
        r("b", "H1", "E1", 1963, income_source="unemployed_long"),
        r("s", "H1", "E1", 1987, income_source="student"),
        r("y1", "H1", "E1", 1990, income_source="other", exam_grade_relative=1.5,
          placed_outside_home=False, convicted=True, gp_visits=3, dentist_visits=1),
        r("c", "H2", "E2", 1970, income_source="social_assistance", education="vocational"),
        r("y2", "H2", "E2", 1989, income_source="other", youth_education_started=True,
          placed_outside_home=False, gp_visits=5, dentist_visits=0),
        r("y3", "H2", "E2", 1993, income_source="other", placed_outside_home=True,
          gp_visits=1, dentist_visits=2),
        r("d", "H3", "E3a", 1960, education="long_tertiary"),
        r("f", "H3", "E3b", 1960, income_source="disability_pension"),
        r("y4", "H3", "E3b", 1988, income_source="other", exam_grade_relative=-0.5,
          youth_education_started=False, placed_outside_home=False, gp_visits=0,
          dentist_visits=1),
        r("y5", "H5", "E5", 1988, income_source="student", gp_visits=2),
        r("k", "H6", "E6", 1994, income_source="other", placed_outside_home=True,
          gp_visits=9, dentist_visits=9),
    ])


def _youth_panels(family: bool) -> list[pd.DataFrame]:
    """The youth cells of 2005 from both panel paths."""
    cfg = parse_config(YOUTH_CFG)
    frames = []
    for keep in (True, False):
        con = duckdb.connect()
        register(con, plans_frame([("P1", 2006), ("P9", 2008)]),
                 departments_frame([("D1", "P1")]), _youth_rows(family), PRICES)
        cells = build_panel(con, cfg, build_design(con, cfg.design), keep_persons=keep).cells
        youth = cells[cells["population"].isin(["youth", "vulnerable_youth"])]
        frames.append(youth.sort_values(["population", "outcome"]).reset_index(drop=True))
    pd.testing.assert_frame_equal(frames[0], frames[1], check_exact=True)
    return frames


def _by_outcome(cells: pd.DataFrame, population: str) -> dict[str, tuple[int, int, float]]:
    sub = cells[cells["population"] == population]
    return {o: (int(s), int(n), round(float(v), 4)) if n else (int(s), 0, float("nan"))
            for o, s, n, v in sub[["outcome", "size", "n", "value"]].values}


def test_youth_cells_by_hand_with_families():
    cells = _youth_panels(family=True)[0]
    youth = _by_outcome(cells, "youth")
    # (youth in the cell, youth with the outcome, mean); shares in percent.
    assert youth == {
        "exam_grade_relative": (5, 2, 0.5),          # (1.5 - 0.5) / 2
        "youth_education_started": (5, 2, 50.0),     # y2 yes, y4 no
        "placed_outside_home": (5, 4, 25.0),         # y3 of y1-y4
        "convicted": (5, 4, 25.0),                   # y1 of the four aged 15+ (y3 is 12)
        "gp_visits": (5, 5, 2.2),                    # (3 + 5 + 1 + 0 + 2) / 5
        "dentist_visits": (5, 4, 1.0),               # (1 + 0 + 2 + 1) / 4
    }
    vulnerable = _by_outcome(cells, "vulnerable_youth")
    # y2, y3 (nobody employed) and y4 (his father: neither employed nor educated).
    assert vulnerable == {
        "exam_grade_relative": (3, 1, -0.5),
        "youth_education_started": (3, 2, 50.0),
        "placed_outside_home": (3, 3, 33.3333),
        "convicted": (3, 2, 0.0),
        "gp_visits": (3, 3, 2.0),                    # (5 + 1 + 0) / 3
        "dentist_visits": (3, 3, 1.0),               # (0 + 2 + 1) / 3
    }
    gp = cells[(cells["population"] == "youth") & (cells["outcome"] == "gp_visits")]
    assert gp["top_share"].tolist() == [pytest.approx(5 / 11)]   # visits: dominance rule
    placed = cells[(cells["population"] == "youth") & (cells["outcome"] == "placed_outside_home")]
    assert placed["top_share"].isna().all()                       # shares: none


def test_vulnerable_youth_by_household_without_family_id():
    cells = _youth_panels(family=False)[0]
    vulnerable = _by_outcome(cells, "vulnerable_youth")
    # Without family_id, y4's adults are his household's: d is employed and educated.
    assert vulnerable["gp_visits"] == (2, 2, 3.0)                 # y2, y3: (5 + 1) / 2
    assert vulnerable["placed_outside_home"] == (2, 2, 50.0)
    assert vulnerable["youth_education_started"] == (2, 1, 100.0)
    assert vulnerable["convicted"] == (2, 1, 0.0)
    assert _by_outcome(cells, "youth")["gp_visits"] == (5, 5, 2.2)


def test_youth_populations_only_when_asked_for():
    con = duckdb.connect()
    register(con, plans_frame([("P1", 2006), ("P9", 2008)]), departments_frame([("D1", "P1")]),
             _youth_rows(True), PRICES)
    cfg = parse_config({"data": {"dir": "."}, "panel": {"min_count": 1},
                        "analysis": [{"kind": "area_did", "population": "all",
                                      "outcomes": ["employed"]}]})
    panel = build_panel(con, cfg, build_design(con, cfg.design), keep_persons=False)
    assert not panel.cells["population"].isin(["youth", "vulnerable_youth"]).any()
    assert not panel.accounting["population"].isin(["youth", "vulnerable_youth"]).any()


def test_youth_ages_must_lie_below_the_parents_age():
    from boligeval.errors import ConfigError
    with pytest.raises(ConfigError, match="youth_ages"):
        parse_config({"data": {"dir": "."}, "population": {"youth_ages": [12, 18]}})
