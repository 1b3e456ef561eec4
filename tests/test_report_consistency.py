"""Numbers of the report that must agree with each other (issue 14, defects 1-7).

Each test builds the table from records (hand-written, or computed from the
hand-made survey of ``tests/builders/survey_tables.py``) and checks that a
row is one series and that every n says what it counts.
"""

from __future__ import annotations

from typing import Any

import pytest

from boligeval.analyses import Context, run_analyses
from boligeval.config import EvaluationConfig
from boligeval.report.tables import (
    Table,
    challenge_change_tables,
    challenge_level_table,
    largest_challenges_table,
)
from boligeval.survey import Survey


def num(cell: str) -> float:
    """A formatted cell back as a number (Danish or English decimal mark, stars dropped)."""
    return float(cell.rstrip("*").replace("\u2212", "-").replace(",", "."))


def row_of(table: Table, label: str) -> tuple[str, ...]:
    return next(r.cells for r in table.rows if r.label == label)


# --------------------------------------------------------------------------- defect 1


def _level(subset: str, wave: int, value: float, n: int, actor: str = "all") -> dict[str, Any]:
    return {"analysis": "challenge_level", "actor": actor, "wave": wave, "subset": subset,
            "statistic": "mean", "value": value, "n": n,
            "unit": "plan_actor" if actor == "all" else "plan"}


def _change(actor: str, stat: str, value: float) -> dict[str, Any]:
    return {"analysis": "challenge_change", "actor": actor, "wave": 2013, "base_wave": 2010,
            "subset": "same_actor_both_waves", "item_id": None, "statistic": stat,
            "value": value, "n": 40, "unit": "plan"}


def test_challenge_level_row_is_one_series() -> None:
    """Defect 1: 'Forskel' and its p come from the across-actor series, not project leaders.

    Before the fix the table took the first change record of any actor: the
    project leaders' 0.09 (p = 0.212) under across-actor columns 2.71 and 2.68.
    """
    levels = [_level("same_actor_both_waves", 2010, 2.71, 120),
              _level("same_actor_both_waves", 2013, 2.68, 120),
              _level("same_actor_both_waves", 2010, 2.95, 40, "project_leader")]
    changes = [_change("project_leader", "difference", 0.09),
               _change("project_leader", "p_value", 0.212),
               _change("all", "difference", 0.03),
               _change("all", "p_value", 0.337)]
    table = challenge_level_table(levels, changes, "en", analysis="challenge_level")
    assert table is not None
    cells = table.rows[0].cells
    assert table.columns[:2] == ("2010", "2013")
    assert num(cells[2]) == pytest.approx(0.03)
    assert num(cells[2]) == pytest.approx(num(cells[0]) - num(cells[1]))
    assert num(cells[-1]) == pytest.approx(0.337)


@pytest.fixture(scope="module")
def survey_records(hand_survey: Survey) -> dict[str, list[dict[str, Any]]]:
    results = run_analyses(Context(EvaluationConfig(), survey=hand_survey), (), strict=True)
    out: dict[str, list[dict[str, Any]]] = {}
    for rec in results.section("survey"):
        out.setdefault(str(rec.analysis), []).append(rec.as_dict())
    return out


def test_challenge_level_difference_equals_columns_on_the_hand_survey(
    survey_records: dict[str, list[dict[str, Any]]],
) -> None:
    """Defect 1 end to end: per subset, difference = first wave - last wave of the same row."""
    table = challenge_level_table(survey_records["challenge_level"],
                                  survey_records["challenge_change"], "da",
                                  analysis="challenge_level")
    assert table is not None
    value_rows = [r for r in table.rows if r.kind == "coef"]
    assert len(value_rows) == 4  # all answers, same actor both waves, round 1, later rounds
    for row in value_rows:
        first, last, diff = (num(c) for c in row.cells[:3])
        assert diff == pytest.approx(first - last, abs=0.0151), row.label  # three roundings
    # and exactly, in the records behind the cells
    levels, changes = survey_records["challenge_level"], survey_records["challenge_change"]
    for subset in ("all_answers", "same_actor_both_waves"):
        lv = {r["wave"]: r["value"] for r in levels if r["actor"] == "all" and r["subset"] == subset}
        diff_rec = next(r for r in changes if r["actor"] == "all" and r["subset"] == subset
                        and r["item_id"] is None and r["statistic"] == "difference")
        assert diff_rec["value"] == pytest.approx(lv[2010] - lv[2013], abs=1e-12)
    # the hand survey's panel: 2.8125 in 2010, 2.6875 in 2013 -> 0.125 (shown 0,12: round half to even)
    panel = value_rows[1].cells
    assert panel[:3] == ("2,81", "2,69", "0,12")


# --------------------------------------------------------------------------- defect 2


def test_units_of_n_are_named(survey_records: dict[str, list[dict[str, Any]]]) -> None:
    """Defect 2: the across-actor n counts plan-by-actor answers, and the table says so.

    Before: challenge level (T23) n = 4 plan answers and challenge change
    (T24/T25) n = plans, both under the same footnote "Unit: plan".
    """
    levels = survey_records["challenge_level"]
    across = next(r for r in levels if r["actor"] == "all" and r["wave"] == 2010
                  and r["subset"] == "all_answers")
    assert across["n"] == 4 and across["unit"] == "plan_actor"
    actor = next(r for r in levels if r["actor"] == "tenant_board" and r["wave"] == 2010
                 and r["subset"] == "all_answers")
    assert actor["n"] == 2 and actor["unit"] == "plan"
    change = next(r for r in survey_records["challenge_change"] if r["actor"] == "all"
                  and r["subset"] == "all_answers" and r["item_id"] is None)
    assert change["n"] == 2 and change["unit"] == "plan"  # plans A and B

    for lang, words in (("da", ("planbesvarelser", "antal helhedsplaner")),
                        ("en", ("plan answers", "number of plans"))):
        level_table = challenge_level_table(levels, survey_records["challenge_change"], lang,
                                            analysis="challenge_level")
        assert level_table is not None
        notes = " ".join(level_table.notes)
        assert all(w in notes for w in words), notes
        for t in challenge_change_tables(survey_records["challenge_change"], lang,
                                         analysis="challenge_change"):
            notes = " ".join(t.notes)
            assert words[1] in notes and words[0] not in notes
    largest = largest_challenges_table(survey_records["largest_challenges"], "en",
                                       analysis="largest_challenges")
    assert largest is not None


# --------------------------------------------------------------------------- defect 3


def _area_panel() -> Any:
    """Long panel of 40 plans, one department each, cohorts 2007 / 2009 / never, 3 years.

    Departments differ a lot in level, so department and cohort fixed effects
    give clearly different standard errors.
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(3)
    rows = []
    for p in range(40):
        g = (2007, 2009, 0, 0)[p % 4]
        level = rng.normal(scale=5.0)
        for year in (2005, 2007, 2009):
            active = int(g > 0 and year >= g)
            rows.append({"department_id": f"d{p}", "plan_id": f"p{p}", "year": year,
                         "population": "working_age", "outcome": "employed", "n": 50,
                         "value": 50 + level + 0.5 * (year - 2005) + active + rng.normal(),
                         "cohort": {2007: "g1", 2009: "g2", 0: "control"}[g],
                         "active_plan": active, "rent_support": 0, "capital_area": False})
    return pd.DataFrame(rows)


class _Ctx:
    def __init__(self, data: Any) -> None:
        self._data = data
        self.cfg = EvaluationConfig()

    def data(self, spec: Any, outcome: str) -> Any:
        return self._data


def test_mde_uses_the_standard_error_of_the_did_table() -> None:
    """Defect 3: MDE = (t + t) x SE of the cohort-effects model the DiD table shows.

    Before: the department-effects SE (T20 showed 0.92 where T4's SE 0.444
    gives 1.25), a "for residents reached" row always equal to the MDE, and
    a standard error printed next to the MDE.
    """
    from scipy import stats

    from boligeval.analyses import registry
    from boligeval.config import AnalysisSpec
    from boligeval.estimate.did import area_did

    data = _area_panel()
    # plans whose activities never started, or started a period late, stay in their
    # grant cohort (as in the seed's tables): the cohort is not the first active year
    data.loc[data["plan_id"].isin(["p1", "p5", "p9"]), "active_plan"] = 0
    late = data["plan_id"].isin(["p0", "p4"]) & (data["year"] == 2007)
    data.loc[late, "active_plan"] = 0
    fit = area_did(data, "working_age", "employed", fixed_effects_level="cohort")
    se = float(fit.tidy().set_index("term").loc["active_plan", "std_error"])
    dof = 39
    expected = (stats.t.ppf(0.975, dof) + stats.t.ppf(0.8, dof)) * se
    power = registry()["power"]
    spec = AnalysisSpec(kind="power", population="working_age", outcomes=("employed",),
                        options={"fixed_effects_level": "cohort", "share_reached": "1"})
    recs = {r.get("term"): r.as_dict() for r in power.run(_Ctx(data), spec, "employed")}
    assert recs["mde"]["estimate"] == pytest.approx(expected, rel=1e-10)
    assert recs["tau_std_error"]["estimate"] == pytest.approx(se, rel=1e-10)
    assert recs["mde"]["std_error"] is None or recs["mde"]["std_error"] != recs["mde"]["std_error"]
    assert "mde_individual" not in recs  # reach 1: the row would repeat the MDE
    # with a quarter of the residents reached, the individual MDE is four times the MDE
    quarter = AnalysisSpec(kind="power", population="working_age", outcomes=("employed",),
                           options={"fixed_effects_level": "cohort", "share_reached": "0.25"})
    recs = {r.get("term"): r.as_dict() for r in power.run(_Ctx(data), quarter, "employed")}
    assert recs["mde_individual"]["estimate"] == pytest.approx(4 * expected, rel=1e-10)


# --------------------------------------------------------------------------- defect 5


def test_event_study_rows_say_measurement_period_and_years() -> None:
    """Defect 5: event time counts measurement periods two years apart, and says so.

    Before: 'År -2 i forhold til start' for the period four years before the
    start, while 'år' in the ATT(g, t) tables means calendar years.
    """
    from boligeval.report.tables import EVENT_STUDY_LAYOUT, diagnostic_tables

    recs = [{"analysis": "event_study", "population": "working_age", "outcome": "employed",
             "term": f"event_{e}", "event_time": e, "period_years": 2,
             "estimate": 0.0 if e == -1 else 1.0, "std_error": None if e == -1 else 0.5,
             "p_value": None if e == -1 else 0.05, "ci_low": None, "ci_high": None}
            for e in (-2, -1, 0, 1)]
    (table,) = diagnostic_tables(recs, "event_study", "da", layout=EVENT_STUDY_LAYOUT)
    labels = [r.label for r in table.rows]
    assert labels[0] == "Måleperiode −2 i forhold til start (−4 år)"
    assert labels[3] == "Måleperiode 1 i forhold til start (2 år)"
    (table,) = diagnostic_tables(recs, "event_study", "en", layout=EVENT_STUDY_LAYOUT)
    assert table.rows[0].label == "Measurement period −2 relative to start (−4 years)"


# --------------------------------------------------------------------------- defect 7


def _share(level: str, cat: str, value: float | None, n: int) -> dict[str, Any]:
    return {"analysis": "crosstab", "actor": "project_leader", "wave": 2013, "item_id": "x1",
            "group": "secretariat_type", "level": level, "category": cat,
            "statistic": "share", "value": value, "n": n, "unit": "answer",
            "suppressed": value is None}


def test_crosstab_hides_tests_of_suppressed_rows_and_names_who_answered() -> None:
    """Defect 7: no p-value for a comparison with a suppressed row; caption says PL 2013.

    Before: 'Områdesekretariat 32 vs 3 (all cells ·), p = 0,004' and a
    caption without actor group or wave.
    """
    from boligeval.report.tables import crosstab_table

    recs = [_share("cross_organisational_team", "high_degree", 60.0, 32),
            _share("cross_organisational_team", "some_degree", 40.0, 32),
            _share("one_person", "high_degree", None, 3),
            _share("one_person", "some_degree", None, 3),
            {**_share("", "", 0.004, 35), "statistic": "p_value", "level": None,
             "category": None, "suppressed": False}]
    table = crosstab_table(recs, "da", analysis="crosstab")
    assert table is not None
    assert "projektledere" in table.title.lower() and "2013" in table.title
    head = table.rows[0]
    assert head.cells[-1] == "·"
    assert "0,004" not in " ".join(c for r in table.rows for c in r.cells)
    # without a suppressed row the test is shown
    shown = [{**r, "value": 50.0, "suppressed": False} if r["level"] == "one_person" else r
             for r in recs]
    table = crosstab_table(shown, "da", analysis="crosstab")
    assert table is not None and table.rows[0].cells[-1] == "0,004"


def test_plan_record_tables_name_their_source() -> None:
    """Defect 7: intervention areas (T28) and plan tools (T31) come from plan records."""
    from boligeval.analyses import registry

    reg = registry()
    assert reg["intervention_areas"].source == "plans_source"
    assert reg["plan_attributes"].source == "plans_survey_source"
    assert reg["goals"].source == "survey_source"
    from boligeval.report.tables import survey_pivot

    recs = [{"analysis": "intervention_areas", "actor": "all", "item_id": "employment",
             "statistic": "share_plans", "value": 69.0, "n": 148, "unit": "plan"}]
    table = survey_pivot(recs, "intervention_areas", "da", source="plans_source")
    assert table is not None
    notes = " ".join(table.notes)
    assert "registreringer af helhedsplanerne" in notes and "Survey blandt" not in notes


# --------------------------------------------------------------------------- defect 4


def test_wild_bootstrap_publishes_the_triple_difference_components() -> None:
    """Defect 4: psi, tau and omega are published beside the combined effect, same population.

    Before: the wild-bootstrap table showed psi + tau + omega for working-age
    residents while the components were published nowhere for that population.
    """
    import dataclasses

    from boligeval.analyses import registry
    from boligeval.config import AnalysisSpec
    from boligeval.estimate.did import area_ddd_rent_support
    from boligeval.report.tables import WILD_BOOTSTRAP_LAYOUT, diagnostic_tables

    data = _area_panel()
    support = data["department_id"].isin([f"d{p}" for p in range(40) if p % 8 in (1, 2, 3)])
    data["rent_support"] = (support & (data["year"] >= 2007)).astype(int)
    data["rent_support_cohort"] = support.map({True: "r2006", False: "none"})
    ctx = _Ctx(data)
    ctx.cfg = dataclasses.replace(
        ctx.cfg, inference=dataclasses.replace(ctx.cfg.inference, wild_bootstrap_draws=99))
    spec = AnalysisSpec(kind="wild_bootstrap", population="working_age", outcomes=("employed",),
                        options={"fixed_effects_level": "cohort", "weighting": "none"})
    recs = [r.as_dict() for r in registry()["wild_bootstrap"].run(ctx, spec, "employed")]
    parts = {r["term"]: r for r in recs if r.get("inference") == "cr1"}
    assert set(parts) == {"rent_support", "active_plan", "rent_support_in_plan"}
    ddd = area_ddd_rent_support(data, "working_age", "employed").tidy().set_index("term")
    for term, r in parts.items():
        assert r["estimate"] == pytest.approx(ddd.loc[term, "estimate"], rel=1e-12)
        assert r["population"] == "working_age"
    combined = next(r for r in recs if r["term"] == "combined")
    assert combined["estimate"] == pytest.approx(sum(p["estimate"] for p in parts.values()))
    (table,) = diagnostic_tables(recs, "wild_bootstrap", "en", layout=WILD_BOOTSTRAP_LAYOUT)
    labels = [r.label.strip() for r in table.rows]
    assert "Effect of rent support within plans (ω) (CR1)" in labels
    assert "population in the title" in " ".join(table.notes)


# --------------------------------------------------------------------------- defect 6


def test_tables_that_differ_from_the_area_did_say_why() -> None:
    """Defect 6: T19's total change and T8-T10's samples differ from T4, and say why.

    Before: 1.63 (decomposition) next to 1.75 (area DiD) and 521 departments /
    444,597 observations next to 515 / 444,280, with no word on the difference.
    """
    from boligeval.report.tables import DECOMPOSITION_LAYOUT, diagnostic_tables

    rec = {"analysis": "decomposition", "population": "working_age", "outcome": "employed",
           "term": "active_plan", "component": "change", "estimate": 1.63, "std_error": 0.36,
           "p_value": 0.0, "ci_low": 0.93, "ci_high": 2.34}
    for lang, words in (("da", "førstedifferencer"), ("en", "first differences")):
        (table,) = diagnostic_tables([rec], "decomposition", lang, layout=DECOMPOSITION_LAYOUT)
        assert words in " ".join(table.notes)

    from boligeval.analyses import registry

    class View:
        lang, rules = "en", None

        def records(self, analysis: str) -> list[dict[str, Any]]:
            return [{"analysis": "individual_did", "population": "working_age",
                     "outcome": "employed", "model": "with_movers", "term": "active_plan",
                     "estimate": 1.3, "std_error": 0.22, "p_value": 0.0, "n_obs": 444597,
                     "n_departments": 521, "n_plans": 167, "adj_r2": 0.03}]

    (table,) = registry()["individual_did"].report(View())
    assert "without the minimum count" in " ".join(table.notes)
