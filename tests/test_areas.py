"""The area classification on hand-built area-year aggregates (almenboligloven § 61 a/b).

Each fixture is one or a few areas of 1,000 residents whose counts put one
criterion exactly at, just above or just below its threshold; the expected
values are worked out by hand in the comments.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from boligeval.areas import classify, load_ruleset, municipalities, region_of
from boligeval.errors import ConfigError, ContractError

RULES = load_ruleset("current")
NATIONAL_CONVICTED = 0.01   # national conviction share
REGION_INCOME = 300_000.0   # regional mean gross income


def _year(area="A", year=2020, *, residents=1000, outside=300, convicted=10, basic=100,
          income_mean=250_000.0, non_western=100):
    """One area-year: 1,000 residents aged 18-64 and 30-59 bases of 1,000 for round shares."""
    return {"area_id": area, "year": year, "region": "1084", "residents": residents,
            "outside_n": 1000, "outside_k": outside,
            "convictions_n": 1000, "convictions_k": convicted,
            "basic_education_n": 1000, "basic_education_k": basic,
            "income_n": 1000, "income_sum": income_mean * 1000,
            "non_western_n": 1000, "non_western_k": non_western}


def _reference(years=range(2010, 2031)):
    rows = []
    for y in years:
        rows.append({"year": y, "criterion": "convictions", "region": None,
                     "value": NATIONAL_CONVICTED})
        rows.append({"year": y, "criterion": "income", "region": "1084", "value": REGION_INCOME})
    return pd.DataFrame(rows)


def _run(*rows):
    return classify(pd.DataFrame(list(rows)), _reference(), RULES)


def _met(result, criterion, area="A", year=2020, thresholds="main"):
    c = result.criteria
    row = c[(c["area_id"] == area) & (c["year"] == year) & (c["criterion"] == criterion)
            & (c["thresholds"] == thresholds)]
    return row["met"].iloc[0], row["compared"].iloc[0]


def _status(result, area="A", year=2020):
    s = result.status
    return s[(s["area_id"] == area) & (s["year"] == year)]["status"].iloc[0]


# --- criterion 1: outside work and education, more than 40 %, two-year average ---------

def test_outside_two_year_average_exactly_at_threshold_is_not_met():
    # (380 + 420) / 2 / 1000 = 0.40: "more than 40 %" is not met.
    res = _run(_year(year=2019, outside=380), _year(year=2020, outside=420))
    met, value = _met(res, "outside")
    assert value == pytest.approx(0.40)
    assert met is False


def test_outside_two_year_average_just_above_is_met():
    # (381 + 420) / 2 / 1000 = 0.4005 > 0.40.
    res = _run(_year(year=2019, outside=381), _year(year=2020, outside=420))
    met, value = _met(res, "outside")
    assert value == pytest.approx(0.4005)
    assert met is True


def test_outside_uses_last_year_too_a_high_year_alone_is_not_enough():
    # This year 50 %, last year 30 %: average 40 %, not met although 50 % > 40 %.
    res = _run(_year(year=2019, outside=300), _year(year=2020, outside=500))
    assert _met(res, "outside")[0] is False


def test_first_year_has_no_two_year_average():
    res = _run(_year(year=2020, outside=900))
    met, value = _met(res, "outside")
    assert met is None and pd.isna(value)


# --- criterion 2: convictions at least 3 times the national share (two-year average) ----

def test_convictions_exactly_three_times_is_met():
    # (25 + 35) / 2 / 1000 = 0.03 = 3 x 0.01: "at least" is met at the threshold.
    res = _run(_year(year=2019, convicted=25), _year(year=2020, convicted=35))
    met, ratio = _met(res, "convictions")
    assert ratio == pytest.approx(3.0)
    assert met is True


def test_convictions_just_below_three_times_is_not_met():
    # (25 + 34) / 2 / 1000 = 0.0295 -> ratio 2.95.
    res = _run(_year(year=2019, convicted=25), _year(year=2020, convicted=34))
    met, ratio = _met(res, "convictions")
    assert ratio == pytest.approx(2.95)
    assert met is False


def test_convictions_two_year_reference_is_averaged_too():
    # Area: (30 + 30) / 2 / 1000 = 0.03; national (0.008 + 0.012) / 2 = 0.01 -> ratio 3.
    ref = _reference()
    ref.loc[(ref["criterion"] == "convictions") & (ref["year"] == 2019), "value"] = 0.008
    ref.loc[(ref["criterion"] == "convictions") & (ref["year"] == 2020), "value"] = 0.012
    res = classify(pd.DataFrame([_year(year=2019, convicted=30), _year(year=2020, convicted=30)]),
                   ref, RULES)
    met, ratio = _met(res, "convictions")
    assert ratio == pytest.approx(3.0)
    assert met is True


# --- criterion 3: only basic education, more than 60 % of those aged 30-59 --------------

@pytest.mark.parametrize(("basic", "expected"), [(600, False), (601, True), (599, False)])
def test_basic_education_more_than_60_percent(basic, expected):
    res = _run(_year(year=2020, basic=basic))
    assert _met(res, "basic_education")[0] is expected


# --- criterion 4: mean gross income below 55 % of the region's ---------------------------

@pytest.mark.parametrize(("mean", "expected"), [
    (165_000.0, False),   # 165,000 / 300,000 = 0.55: "below" is not met at the threshold
    (164_970.0, True),    # 0.5499
    (165_030.0, False),   # 0.5501
])
def test_income_below_55_percent_of_region(mean, expected):
    res = _run(_year(year=2020, income_mean=mean))
    assert _met(res, "income")[0] is expected


# --- statuses ------------------------------------------------------------------------------

def _two_years(area="A", **kw):
    return [_year(area, 2019, **kw), _year(area, 2020, **kw)]


def test_vulnerable_needs_two_of_four():
    # basic 61 % and income 50 % of the region: 2 criteria -> vulnerable.
    res = _run(*_two_years(basic=610, income_mean=150_000.0))
    assert _status(res) == "vulnerable"
    assert res.status.set_index("year").loc[2020, "met_main"] == 2


def test_one_criterion_is_not_vulnerable():
    res = _run(*_two_years(basic=610))
    assert _status(res) == "none"


def test_parallel_society_needs_more_than_half_non_western():
    # Vulnerable, non-western exactly 50 %: "more than half" is not met -> vulnerable only.
    res = _run(*_two_years(basic=610, income_mean=150_000.0, non_western=500))
    assert _status(res) == "vulnerable"
    res = _run(*_two_years(basic=610, income_mean=150_000.0, non_western=501))
    assert _status(res) == "parallel_society"


def test_prevention_area_uses_the_61b_thresholds():
    # outside 35 % (> 30 %, < 40 %), income 60 % (< 65 %, not < 55 %), non-western 31 %:
    # 2 of the § 61 b criteria, 0 of § 61 a -> prevention area.
    res = _run(*_two_years(outside=350, income_mean=180_000.0, non_western=310))
    assert _status(res) == "prevention"
    s = res.status.set_index("year").loc[2020]
    assert (s["met_main"], s["met_prevention"]) == (0, 2)
    # Non-western exactly 30 %: not a prevention area.
    res = _run(*_two_years(outside=350, income_mean=180_000.0, non_western=300))
    assert _status(res) == "none"


def test_convictions_twice_national_counts_for_prevention_only():
    # (20 + 20) / 2 / 1000 / 0.01 = 2.0: at least 2 times (§ 61 b), not 3 times (§ 61 a).
    res = _run(*_two_years(convicted=20, outside=350, non_western=400))
    assert _met(res, "convictions", thresholds="prevention")[0] is True
    assert _met(res, "convictions", thresholds="main")[0] is False
    assert _status(res) == "prevention"


def test_a_vulnerable_area_is_not_a_prevention_area():
    res = _run(*_two_years(basic=610, income_mean=150_000.0, non_western=400))
    s = res.status.set_index("year").loc[2020]
    assert s["status"] == "vulnerable" and not s["prevention"]


def test_fewer_than_1000_residents_is_no_area():
    res = _run(*[dict(r, residents=999) for r in _two_years(basic=610, income_mean=150_000.0)])
    assert _status(res) == "below_min_residents"
    res = _run(*[dict(r, residents=1000) for r in _two_years(basic=610, income_mean=150_000.0)])
    assert _status(res) == "vulnerable"


def test_transformation_area_needs_five_years_as_parallel_society():
    parallel = dict(basic=610, income_mean=150_000.0, non_western=600)
    rows = [_year("A", y, **parallel) for y in range(2015, 2021)]
    res = _run(*rows)
    by_year = res.status.set_index("year")["status"]
    # 2015: no two-year average yet, but basic + income already make 2 of 4.
    assert by_year[2015] == "parallel_society"
    assert by_year[2018] == "parallel_society"     # 2015-2018: four years
    assert by_year[2019] == "transformation"       # 2015-2019: five years
    assert by_year[2020] == "transformation"
    # A break in 2017 (non-western 50 %) restarts the count.
    rows = [_year("A", y, **dict(parallel, non_western=500 if y == 2017 else 600))
            for y in range(2015, 2023)]
    by_year = _run(*rows).status.set_index("year")["status"]
    assert by_year[2017] == "vulnerable"
    assert list(by_year[[2021, 2022]]) == ["parallel_society", "transformation"]


def test_unknown_criterion_that_could_decide_is_undetermined():
    # First year: outside unknown (no two-year average); basic met, income not: 1 known of 2.
    res = _run(_year(year=2020, basic=610, outside=900))
    assert _status(res) == "undetermined"


def test_transitions_and_reconciliation():
    # 2018 is the first year (no two-year averages: undetermined), 2019 and 2020 decided.
    rows = [_year("A", 2018), _year("A", 2019), _year("A", 2020, basic=610, income_mean=150_000.0),
            _year("B", 2018), _year("B", 2019), _year("B", 2020)]
    res = _run(*rows)
    tr = res.transitions()
    assert tr.to_dict("records") == [
        {"area_id": "A", "year": 2019, "from_status": "undetermined", "to_status": "none"},
        {"area_id": "A", "year": 2020, "from_status": "none", "to_status": "vulnerable"},
        {"area_id": "B", "year": 2019, "from_status": "undetermined", "to_status": "none"},
    ]
    official = pd.DataFrame({"area_id": ["A", "B"], "year": [2020, 2020],
                             "status": ["vulnerable", "vulnerable"]})
    rec = res.reconcile(official).set_index(["area_id", "year"])
    assert bool(rec.loc[("A", 2020), "agree"]) is True
    assert bool(rec.loc[("B", 2020), "agree"]) is False
    # B meets no criterion; the two unmet nearest their thresholds decide: basic 10 % vs 60 %
    # is 83 % away, outside 30 % vs 40 % is 25 % away, income 250/300 = 0.83 vs 0.55 is 52 %.
    assert rec.loc[("B", 2020), "deciding"] == "outside;income"
    # Area-years off the official list count as "none".
    assert rec.loc[("A", 2019), "official"] == "none" and bool(rec.loc[("A", 2019), "agree"])


def test_missing_reference_is_refused_with_a_clear_message():
    ref = _reference()
    ref = ref[~((ref["criterion"] == "income") & (ref["year"] == 2020))]
    with pytest.raises(ContractError, match="income 2020 region 1084"):
        classify(pd.DataFrame(_two_years()), ref, RULES)


def test_ruleset_file_checks(tmp_path: Path):
    bad = tmp_path / "mine.toml"
    bad.write_text('name = "mine"\nlegal_source = "x"\nfirst_year = 1\nlast_year = 2\n'
                   "min_residents = 10\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="criteria"):
        load_ruleset(bad)
    with pytest.raises(ConfigError, match="Unknown ruleset"):
        load_ruleset("ghetto_1990")


def test_municipalities_and_regions():
    table = municipalities()
    assert len(table) == 98
    assert table["region_code"].nunique() == 5
    assert region_of("0101") == "1084" and region_of("Aarhus Kommune") == "1082"
    assert region_of("9999") is None


def test_area_counts_from_residents_by_hand() -> None:
    """Panel.area_counts on four residents of one area (and one outside any area)."""
    import duckdb

    from boligeval.panel import Panel
    from tests.builders.panel_worlds import departments_frame, plans_frame, register, resident

    con = duckdb.connect()
    plans = plans_frame([("P1", 2019)])
    depts = departments_frame([("D1", "P1"), ("D2", "P1"), ("D3", "P1")])
    rows = [
        # 20 years old, outside (long-term unemployed), convicted, basic, non-western
        resident("p1", 2020, "D1", "h1", 2000, income_source="unemployed_long", convicted=True,
                 origin="non_western", gross_income=100_000.0),
        # 40, employed, basic education, gross 300,000
        resident("p2", 2020, "D2", "h2", 1980, gross_income=300_000.0),
        # 16, student, convicted: not in criterion 2 (18+), not in criterion 4 (student)
        resident("p3", 2020, "D2", "h2", 2004, income_source="student", convicted=True,
                 origin="non_western", gross_income=10_000.0),
        # 70, retired: counts as a resident and in criterion 2's base only
        resident("p4", 2020, "D1", "h4", 1950, income_source="retired"),
        # in a department without area_id: counted nowhere
        resident("p5", 2020, "D3", "h5", 1990, income_source="social_assistance",
                 gross_income=50_000.0),
    ]
    register(con, plans, depts, pd.DataFrame(rows))
    con.execute("ALTER TABLE departments ADD COLUMN area_id VARCHAR")
    con.execute("ALTER TABLE departments ADD COLUMN region VARCHAR")
    con.execute("ALTER TABLE plans ADD COLUMN region VARCHAR")
    con.execute("UPDATE departments SET area_id = 'X' WHERE department_id IN ('D1', 'D2')")
    panel = Panel(frame=pd.DataFrame(), accounting=pd.DataFrame(), cells=pd.DataFrame(),
                  min_count=1, years=(2020,), _con=con)
    counts = panel.area_counts(RULES).iloc[0].to_dict()
    assert {k: counts[k] for k in (
        "area_id", "year", "region", "residents", "outside_n", "outside_k", "convictions_n",
        "convictions_k", "basic_education_n", "basic_education_k", "income_n", "income_sum",
        "non_western_n", "non_western_k")} == {
        "area_id": "X", "year": 2020, "region": "1084", "residents": 4,
        "outside_n": 2, "outside_k": 1, "convictions_n": 3, "convictions_k": 1,
        "basic_education_n": 1, "basic_education_k": 1, "income_n": 2, "income_sum": 400_000.0,
        "non_western_n": 4, "non_western_k": 2}
    assert counts["income_top_share"] == pytest.approx(0.75)
    assert counts["income_top2_share"] == pytest.approx(1.0)
