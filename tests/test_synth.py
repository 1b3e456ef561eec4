"""Tests of the synthetic world (boligeval.synth)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from boligeval.errors import ConfigError
from boligeval.synth import Effects, deprivation_score, equivalence_scale, synthesize
from boligeval.synth.structure import build_structure

SMALL = 0.05


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    synthesize(out, scale=SMALL, seed=7)
    return out


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _linked_counts(params: pd.DataFrame) -> dict[str, int]:
    linked = params[params["register_from"] == 0]
    return linked["group"].value_counts().to_dict()


def test_structure_scale_one_is_exact() -> None:
    s = build_structure(np.random.default_rng(1), 1.0)
    assert len(s.plans) == 172
    assert len(s.departments) == 545
    p = s.params
    assert _linked_counts(p) == {"g1": 272, "g2": 166, "control": 83}
    missing = p[p["register_from"] != 0]
    assert len(missing) == 24
    assert set(missing["group"]) <= {"g1", "g2"}
    dep = s.departments.assign(found=(p["register_from"] == 0).to_numpy())
    assert dep.loc[~dep["found"], "plan_id"].nunique() == 12
    assert (dep.groupby("plan_id")["found"].sum() == 0).sum() == 5
    rs_only = s.plans[s.plans["grant_year"].isna()]
    assert len(rs_only) == 24
    assert (s.departments["plan_id"].isin(rs_only["plan_id"])).sum() == 24
    linked = dep[dep["found"]].assign(group=p.loc[dep["found"].to_numpy(), "group"].to_numpy())
    rs = linked.groupby("group")["rent_support_year"].agg(
        r06=lambda x: int((x == 2006).sum()), r08=lambda x: int((x == 2008).sum())
    )
    assert rs.loc["control"].tolist() == [6, 13]
    assert rs.loc["g1"].tolist() == [30, 16]
    assert rs.loc["g2"].tolist() == [3, 15]
    cap = linked.groupby("group")["capital_area"].sum().to_dict()
    assert cap == {"control": 11, "g1": 122, "g2": 76}
    built = linked.groupby("group")["built_1955_1975_share"].agg(lambda x: int((x >= 0.5).sum()))
    assert built.to_dict() == {"control": 53, "g1": 158, "g2": 65}
    vac = linked.groupby("group")["long_vacancy"].sum().to_dict()
    assert vac == {"control": 7, "g1": 14, "g2": 3}
    rooms = linked.groupby("group")["one_two_room_share"].mean()
    assert rooms.round(3).to_dict() == {"control": 0.25, "g1": 0.20, "g2": 0.31}


def test_structure_small_scale_keeps_cohorts() -> None:
    s = build_structure(np.random.default_rng(3), SMALL)
    grant = s.plans["grant_year"]
    assert ((grant >= 2006) & (grant <= 2007)).sum() >= 3
    assert ((grant >= 2008) & (grant <= 2009)).sum() >= 3
    assert (grant >= 2010).sum() >= 3
    counts = _linked_counts(s.params)
    assert counts == {
        "g1": round(272 * SMALL),
        "g2": round(166 * SMALL),
        "control": round(59 * SMALL) + round(24 * SMALL),
    }


def test_department_size_scales_dwellings_and_keeps_the_structure() -> None:
    full = build_structure(np.random.default_rng(3), SMALL)
    half = build_structure(np.random.default_rng(3), SMALL, department_size=0.5)
    pd.testing.assert_frame_equal(full.plans, half.plans)
    assert (full.departments["department_id"] == half.departments["department_id"]).all()
    ratio = half.departments["dwellings"] / full.departments["dwellings"]
    big = full.departments["dwellings"] >= 40  # small ones are rounded or kept at 8
    assert ratio[big].between(0.47, 0.53).all()
    assert (half.departments["dwellings"] >= 8).all()


@pytest.mark.parametrize("size", [0, -1.0, float("nan")])
def test_department_size_must_be_positive(tmp_path: Path, size: float) -> None:
    with pytest.raises(ConfigError, match="department_size"):
        synthesize(tmp_path / "w", scale=SMALL, department_size=size)
    assert not (tmp_path / "w").exists()


def test_contract_shape(world: Path) -> None:
    res = pd.read_parquet(world / "residents.parquet")
    assert list(res.columns) == [
        "person_id",
        "year",
        "department_id",
        "household_id",
        "birth_year",
        "sex",
        "origin",
        "income_source",
        "disposable_income",
        "education",
        "single_parent",
        "convicted",
        "move_in_year",
        "gross_income",
        "exam_grade_relative",
        "youth_education_started",
        "placed_outside_home",
        "gp_visits",
        "dentist_visits",
    ]
    for col in ("person_id", "department_id", "household_id"):
        assert pd.api.types.is_string_dtype(res[col])
    assert not res.duplicated(["person_id", "year"]).any()
    assert set(res["year"]) == {2005, 2007, 2009}
    assert set(res["sex"]) <= {"F", "M"}
    assert set(res["origin"]) <= {"danish", "western", "non_western"}
    assert set(res["income_source"]) <= {
        "employed",
        "leave",
        "unemployed_short",
        "unemployed_long",
        "social_assistance",
        "disability_pension",
        "student",
        "retired",
        "other",
        "missing",
    }
    assert set(res["education"]) <= {
        "basic",
        "upper_secondary",
        "vocational",
        "short_tertiary",
        "medium_tertiary",
        "long_tertiary",
        "missing",
    }
    age = res["year"] - res["birth_year"]
    assert age.between(0, 120).all()
    # Children born at the address never moved in: their move-in year is null.
    moved = res["move_in_year"].notna()
    assert (res.loc[moved, "move_in_year"] <= res.loc[moved, "year"]).all()
    assert 0 < (~moved).mean() < 0.2
    hh = res.groupby(["year", "household_id"]).size()
    assert hh.between(1, 6).all()
    assert (res.groupby(["year", "household_id"])["department_id"].nunique() == 1).all()
    dep = pd.read_parquet(world / "departments.parquet")
    plans = pd.read_parquet(world / "plans.parquet")
    assert set(res["department_id"]) <= set(dep["department_id"])
    assert set(dep["plan_id"]) <= set(plans["plan_id"])
    assert dep["department_id"].is_unique and plans["plan_id"].is_unique
    assert dep["department_id"].str.match(r"^D\d{5}$").all()
    assert plans["plan_id"].str.match(r"^P\d{4}$").all()
    assert plans["municipality"].notna().all()
    assert dep["built_1955_1975_share"].between(0, 1).all()
    assert dep["one_two_room_share"].between(0, 1).all()
    assert (dep["dwellings"] > 0).all()
    prices = pd.read_parquet(world / "prices.parquet")
    assert {2005, 2007, 2009} <= set(prices["year"]) and (prices["index"] > 0).all()
    cf = pd.read_parquet(world / "truth" / "residents_counterfactual.parquet")
    assert list(cf.columns) == list(res.columns)
    assert cf[["person_id", "year", "department_id", "household_id"]].equals(
        res[["person_id", "year", "department_id", "household_id"]]
    )


@pytest.mark.slow
def test_same_seed_same_bytes_other_seed_differs(world: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    synthesize(again, scale=SMALL, seed=7)
    assert _hashes(again) == _hashes(world)
    other = tmp_path / "other"
    synthesize(other, scale=SMALL, seed=8)
    h = _hashes(other)
    assert h["residents.parquet"] != _hashes(world)["residents.parquet"]


@pytest.mark.slow
def test_no_effects_means_no_difference(tmp_path: Path) -> None:
    synthesize(tmp_path, scale=SMALL, seed=7, effects=Effects.none())
    res = pd.read_parquet(tmp_path / "residents.parquet")
    cf = pd.read_parquet(tmp_path / "truth" / "residents_counterfactual.parquet")
    pd.testing.assert_frame_equal(res, cf)
    truth = json.loads((tmp_path / "truth.json").read_text())
    overall = [
        e["overall"]
        for pops in truth["att"].values()
        for e in pops.values()
        if e["overall"] is not None
    ]
    assert overall and all(v == 0 for v in overall)


def test_effects_move_only_programme_outcomes(world: Path) -> None:
    res = pd.read_parquet(world / "residents.parquet")
    cf = pd.read_parquet(world / "truth" / "residents_counterfactual.parquet")
    differ = (res["income_source"] != cf["income_source"]) | (
        res["disposable_income"] != cf["disposable_income"]
    )
    assert differ.any()
    changed = res[differ]
    age = changed["year"] - changed["birth_year"]
    assert age.between(16, 64).all()
    # Only recent arrivals are touched: moved in after the previous measurement year.
    assert (changed["move_in_year"] > changed["year"] - 2).all()
    for col in ("education", "origin", "convicted", "single_parent", "move_in_year", "birth_year"):
        assert res[col].equals(cf[col])


def test_truth_layout(world: Path) -> None:
    truth = json.loads((world / "truth.json").read_text())
    for key in (
        "schema",
        "seed",
        "scale",
        "years",
        "effects",
        "design",
        "counts",
        "att",
        "rent_support",
        "decomposition",
    ):
        assert key in truth
    pops = {
        "all",
        "working_age",
        "households",
        "in_movers",
        "in_movers_working_age",
        "in_mover_households",
        "all_in_mover_households",
        "out_movers",
    }
    assert pops <= set(truth["att"])
    entry = truth["att"]["working_age"]["employed"]
    assert {
        "overall",
        "n_department_years",
        "n_departments",
        "by_cohort",
        "by_year",
        "by_cohort_year",
    } <= set(entry)
    assert set(truth["att"]["all"]) == {
        "employed",
        "disposable_income",
        "equivalised_income",
        "competence_education",
        "deprivation",
    }
    assert truth["att"]["all"]["competence_education"]["overall"] == 0
    assert set(entry["by_cohort"]) <= {"g1", "g2"}
    rs = {(r["outcome"], r["min_count"]) for r in truth["rent_support"]}
    assert ("employed", 20) in rs
    dec = truth["decomposition"]["all"]["employed"]
    assert dec["change"] == pytest.approx(
        dec["stayers"] + dec["in_movers"] + dec["out_movers"], abs=1e-5
    )
    # Stayers get no effect of their own: where the base year is untreated, the
    # stayers term is identical in both worlds.
    d = pd.read_parquet(world / "truth" / "decomposition.parquet")
    d = d[(d["population"] == "working_age") & (d["outcome"] == "employed") & (d["year"] == 2007)]
    wide = d.pivot_table(index="department_id", columns="world", values=["stayers", "in_movers"])
    assert np.allclose(wide[("stayers", "observed")], wide[("stayers", "counterfactual")])
    assert not np.allclose(wide[("in_movers", "observed")], wide[("in_movers", "counterfactual")])


def test_truth_overall_matches_cells(world: Path) -> None:
    truth = json.loads((world / "truth.json").read_text())
    cells = pd.read_parquet(world / "truth" / "cells.parquet")
    plans = pd.read_parquet(world / "plans.parquet")
    dep = pd.read_parquet(world / "departments.parquet").merge(plans, on="plan_id")
    start = dep["start_year"].fillna(dep["grant_year"])
    dep = dep.assign(start=start)[["department_id", "start"]]
    x = cells[(cells["population"] == "working_age") & (cells["outcome"] == "employed")]
    ok = x[x["n"] >= 20].groupby("department_id")["year"].nunique()
    x = x[x["department_id"].isin(ok[ok == 3].index)].merge(dep, on="department_id")
    treated = x[x["start"] <= x["year"]]
    entry = truth["att"]["working_age"]["employed"]
    assert entry["n_department_years"] == len(treated)
    assert entry["overall"] == pytest.approx(
        (treated["observed"] - treated["counterfactual"]).mean(), abs=1e-6
    )


def test_helpers_by_hand() -> None:
    assert equivalence_scale([40, 38, 10, 4]) == pytest.approx(2.1)
    assert equivalence_scale([70]) == pytest.approx(1.0)
    assert equivalence_scale([35, 15, 14]) == pytest.approx(1.8)
    assert deprivation_score("social_assistance", 30, "non_western", True, False) == 4.0
    assert deprivation_score("disability_pension", 49, "western", False, True) == 4.5
    assert deprivation_score("disability_pension", 50, "danish", False, False) == 0.5
    assert deprivation_score("employed", 17, "non_western", True, True) is None


def test_cells_follow_definitions(world: Path) -> None:
    res = pd.read_parquet(world / "residents.parquet")
    prices = pd.read_parquet(world / "prices.parquet").set_index("year")["index"]
    cells = pd.read_parquet(world / "truth" / "cells.parquet")
    dep_id = res["department_id"].iloc[0]
    one = res[(res["department_id"] == dep_id) & (res["year"] == 2007)].copy()
    one["age"] = one["year"] - one["birth_year"]
    one["real"] = one["disposable_income"] * prices[2009] / prices[2007]
    eq = one.groupby("household_id").apply(
        lambda h: h["real"].sum() / equivalence_scale(h["age"].tolist()), include_groups=False
    )
    scores = [
        deprivation_score(r.income_source, r.age, r.origin, r.single_parent, r.convicted)
        for r in one.itertuples()
    ]
    dep_scores = [s for s in scores if s is not None]

    def cell(pop: str, outcome: str) -> pd.Series:
        c = cells[
            (cells["department_id"] == dep_id)
            & (cells["year"] == 2007)
            & (cells["population"] == pop)
            & (cells["outcome"] == outcome)
        ]
        assert len(c) == 1
        return c.iloc[0]

    assert cell("households", "equivalised_income")["observed"] == pytest.approx(eq.mean())
    assert cell("households", "equivalised_income")["n"] == len(eq)
    assert cell("all", "deprivation")["observed"] == pytest.approx(np.mean(dep_scores))
    assert cell("all", "deprivation")["n"] == len(dep_scores)
    assert cell("all", "employed")["observed"] == pytest.approx(
        100 * (one["income_source"] == "employed").mean()
    )
    wa = one[one["age"].between(16, 64)]
    assert cell("working_age", "disposable_income")["observed"] == pytest.approx(wa["real"].mean())


@pytest.mark.slow
def test_csv_matches_parquet(world: Path, tmp_path: Path) -> None:
    synthesize(tmp_path, scale=SMALL, seed=7, fmt="csv")
    csv = pd.read_csv(tmp_path / "residents.csv", dtype={"person_id": str, "household_id": str})
    pq_ = pd.read_parquet(world / "residents.parquet")
    assert list(csv.columns) == list(pq_.columns)
    assert csv["person_id"].tolist() == pq_["person_id"].tolist()
    assert np.allclose(csv["disposable_income"], pq_["disposable_income"])
    a = json.loads((tmp_path / "truth.json").read_text())["att"]["all"]["employed"]["overall"]
    b = json.loads((world / "truth.json").read_text())["att"]["all"]["employed"]["overall"]
    assert a == pytest.approx(b)


@pytest.mark.slow
def test_annual_years_and_dynamic(tmp_path: Path) -> None:
    s = synthesize(tmp_path, scale=SMALL, seed=3, years=range(2000, 2013), dynamic=True)
    assert sorted(s.person_years_by_year) == list(range(2000, 2013))
    prices = pd.read_parquet(tmp_path / "prices.parquet")
    assert set(range(2000, 2013)) <= set(prices["year"])
    truth = json.loads((tmp_path / "truth.json").read_text())
    by_year = (
        truth["att"]["in_movers_working_age"]["employed"]["by_year"]
        or truth["att"]["working_age"]["employed"]["by_year"]
    )
    assert by_year


def _cohort_year_att(truth: dict, cohort: str, years: range) -> float:
    """Department-year weighted true effect of one cohort over some calendar years."""
    cells = truth["att"]["working_age"]["employed"]["by_cohort_year"][cohort]
    picked = [cells[str(y)] for y in years if str(y) in cells]
    return sum(c["att"] * c["n"] for c in picked) / sum(c["n"] for c in picked)


@pytest.mark.slow
def test_dynamic_effects_grow_and_differ_by_cohort(tmp_path: Path) -> None:
    annual = range(2000, 2013)
    truths = {}
    for dynamic in (True, False):
        synthesize(tmp_path / str(dynamic), scale=0.2, seed=5, years=annual, dynamic=dynamic)
        truths[dynamic] = json.loads((tmp_path / str(dynamic) / "truth.json").read_text())
    dyn, flat = truths[True], truths[False]
    assert dyn["dynamic"] is True and flat["dynamic"] is False
    # Grows with time since the plan started (g1 grants 2006-2007) ...
    early, late = range(2006, 2008), range(2010, 2013)
    assert _cohort_year_att(dyn, "g1", late) > 1.8 * _cohort_year_att(dyn, "g1", early)
    # ... which the default world does not (same draws, so the contrast is sharp).
    assert _cohort_year_att(flat, "g1", late) < 1.5 * _cohort_year_att(flat, "g1", early)

    # Differs by cohort: over its first four years, g2 gets a smaller multiple of the
    # default effect than g1 did over its own first four years.
    def multiple(cohort: str, years: range) -> float:
        return _cohort_year_att(dyn, cohort, years) / _cohort_year_att(flat, cohort, years)

    assert multiple("g1", range(2006, 2010)) > 1.3 * multiple("g2", range(2008, 2012))


def test_household_mix_same_in_every_group() -> None:
    """Parallel trends by construction: the mix that sets exposure to the cycle is cohort-free."""
    p = build_structure(np.random.default_rng(1), 1.0).params
    stats = p.groupby("group")["hh_rooms"].agg(["mean", "std", "median"])
    assert np.allclose(stats["mean"], 0.25, atol=1e-3)
    assert np.allclose(stats["median"], 0.25, atol=5e-3)
    assert stats["std"].max() - stats["std"].min() < 0.01
    # Within a group the mix keeps the order of the one- and two-room share.
    for _, g in p.groupby("group"):
        assert g["hh_rooms"].rank().corr(g["rooms"].rank()) > 0.99


@pytest.mark.slow
def test_summary_is_one_readable_line(tmp_path: Path) -> None:
    s = synthesize(tmp_path, scale=SMALL, seed=7)
    text = str(s)
    assert "\n" not in text
    assert text.startswith(f"{s.n_departments} departments in {s.n_plans} plans (control ")
    assert f"{s.n_person_years:,} person-years 2005-2009" in text
    assert str(tmp_path) in text and text.endswith(" s")


def test_effects_parsing() -> None:
    e = Effects.parse("plan_employed_pp=5, rent_support_employed_pp=0")
    assert e.plan_employed_pp == 5.0 and e.rent_support_employed_pp == 0.0
    assert e.plan_earlier_arrival_factor == Effects().plan_earlier_arrival_factor
    assert Effects.parse("none") == Effects.none()
    with pytest.raises(ConfigError, match="plan_employed_pp"):
        Effects.from_mapping({"plan_employd_pp": 1})
    with pytest.raises(ConfigError):
        Effects.from_mapping({"plan_employed_pp": "abc"})
    with pytest.raises(ConfigError):
        synthesize(Path("unused"), scale=0)
    with pytest.raises(ConfigError, match="employment_income_share"):
        Effects(employment_income_share=1.5)


def test_youth_outcomes_only_for_children_and_zero_effect_by_default(world: Path) -> None:
    res = pd.read_parquet(world / "residents.parquet")
    cf = pd.read_parquet(world / "truth" / "residents_counterfactual.parquet")
    age = res["year"] - res["birth_year"]
    for col in ("placed_outside_home", "gp_visits", "dentist_visits"):
        assert res.loc[age > 17, col].isna().all() and res.loc[age <= 17, col].notna().all()
        assert res[col].equals(cf[col])          # the seed: no effect on children and youth
    assert (age[res["exam_grade_relative"].notna()] == 16).all()
    assert (age[res["youth_education_started"].notna()] == 17).all()
    assert res["exam_grade_relative"].abs().max() <= 15
    truth = json.loads((world / "truth.json").read_text())["youth"]
    assert all(v["overall"] == 0.0 for v in truth["att"].values())


def test_youth_effects_shift_children_in_active_plans_only(tmp_path: Path) -> None:
    eff = Effects.from_mapping({"plan_youth_gp_visits": 2.0, "plan_youth_placed_pp": 5.0})
    synthesize(tmp_path, scale=SMALL, seed=7, effects=eff, survey=False)
    base = pd.read_parquet(tmp_path / "residents.parquet")
    cf = pd.read_parquet(tmp_path / "truth" / "residents_counterfactual.parquet")
    moved = base["gp_visits"].fillna(-1) != cf["gp_visits"].fillna(-1)
    assert moved.any()
    assert (base.loc[moved, "year"] - base.loc[moved, "birth_year"]).le(17).all()
    assert (base.loc[moved, "gp_visits"] >= cf.loc[moved, "gp_visits"]).all()
    att = json.loads((tmp_path / "truth.json").read_text())["youth"]["att"]
    # Poisson draws from the same uniforms: about 2 more visits, 5 more placements per 100.
    assert att["gp_visits"]["overall"] == pytest.approx(2.0, abs=0.15)
    assert att["placed_outside_home"]["overall"] == pytest.approx(5.0, abs=1.0)
    assert att["exam_grade_relative"]["overall"] == 0.0
