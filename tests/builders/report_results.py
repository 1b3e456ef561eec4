"""A realistic results dict covering every report section (shared by the report tests).

Numbers are modelled on the seed report's tables 4.1-4.12 and 5.1-5.2; a few
records are built to fail disclosure control (a cell on 3 persons, a cell
dominated by one person, a survey item answered by 4 plans, a resident count
of 2 in the row accounting).
"""

from __future__ import annotations

from typing import Any

MAIN_POPS = {
    "employed": ("all", "working_age"),
    "disposable_income": ("all", "households"),
}
MAIN_COEF: dict[tuple[str, str], dict[str, tuple[float, float]]] = {
    ("all", "employed"): {
        "year_2007": (3.23, 0.3),
        "year_2009": (1.74, 0.4),
        "cohort_g1": (-2.63, 1.3),
        "cohort_g2": (1.83, 1.9),
        "active_plan": (0.79, 0.3),
    },
    ("working_age", "employed"): {
        "year_2007": (7.03, 0.5),
        "year_2009": (5.49, 0.7),
        "cohort_g1": (-6.94, 2.1),
        "cohort_g2": (1.37, 2.4),
        "active_plan": (1.42, 0.61),
    },
    ("all", "disposable_income"): {
        "year_2007": (3420.0, 352.0),
        "year_2009": (3519.0, 492.0),
        "cohort_g1": (-5548.0, 1740.0),
        "cohort_g2": (4958.0, 2498.0),
        "active_plan": (285.0, 450.0),
    },
    ("households", "disposable_income"): {
        "year_2007": (5799.0, 375.0),
        "year_2009": (5925.0, 489.0),
        "cohort_g1": (-4119.0, 2215.0),
        "cohort_g2": (4930.0, 2957.0),
        "active_plan": (809.0, 431.0),
    },
}
MODEL_STATS = {
    ("all", "employed"): (1554, 518, 166, 0.06),
    ("working_age", "employed"): (1446, 482, 162, 0.16),
    ("all", "disposable_income"): (1554, 518, 166, 0.127),
    ("households", "disposable_income"): (1530, 510, 166, 0.115),
    ("in_movers", "employed"): (924, 308, 110, 0.08),
    ("in_movers_working_age", "employed"): (636, 212, 99, 0.15),
}


def _p_from_t(t: float) -> float:
    """Two-sided normal p-value, enough for fixture stars."""
    import math

    return math.erfc(abs(t) / math.sqrt(2))


def est(
    analysis: str,
    population: str,
    outcome: str,
    term: str,
    estimate: float,
    se: float,
    stats: tuple[int, int, int, float],
    **extra: Any,
) -> dict[str, Any]:
    """One estimate record in results.json's shape."""
    n_obs, n_dep, n_plan, r2 = stats
    rec = {
        "analysis": analysis,
        "population": population,
        "outcome": outcome,
        "term": term,
        "estimate": estimate,
        "std_error": se,
        "p_value": round(_p_from_t(estimate / se), 4),
        "ci_low": round(estimate - 1.96 * se, 4),
        "ci_high": round(estimate + 1.96 * se, 4),
        "n_obs": n_obs,
        "n_departments": n_dep,
        "n_plans": n_plan,
        "adj_r2": r2,
        "suppressed": False,
    }
    rec.update(extra)
    return rec


def estimates() -> list[dict[str, Any]]:
    """Estimate records for every analysis the report shows."""
    out: list[dict[str, Any]] = []
    for (pop, outcome), terms in MAIN_COEF.items():
        for term, (b, se) in terms.items():
            out.append(est("area_did", pop, outcome, term, b, se, MODEL_STATS[(pop, outcome)]))
    out.append(
        est(
            "area_did",
            "in_movers",
            "employed",
            "active_plan",
            1.43,
            0.9,
            MODEL_STATS[("in_movers", "employed")],
        )
    )
    out.append(
        est(
            "area_did",
            "in_movers_working_age",
            "employed",
            "active_plan",
            2.91,
            1.4,
            MODEL_STATS[("in_movers_working_age", "employed")],
        )
    )
    for pop, vals in (
        ("in_movers", (3.2, 2.8, 1.7, 1.0, -4.41, 3.4, 0.49, 2.9)),
        ("in_movers_working_age", (12.2, 6.0, 3.4, 1.5, -12.6, 6.9, 3.0, 4.1)),
    ):
        st = MODEL_STATS[(pop, "employed")]
        out.append(
            est("area_ddd_rent_support", pop, "employed", "rent_support", vals[0], vals[1], st)
        )
        out.append(
            est("area_ddd_rent_support", pop, "employed", "active_plan", vals[2], vals[3], st)
        )
        out.append(
            est(
                "area_ddd_rent_support",
                pop,
                "employed",
                "rent_support_in_plan",
                vals[4],
                vals[5],
                st,
            )
        )
        out.append(est("area_ddd_rent_support", pop, "employed", "combined", vals[6], vals[7], st))
    for pop, n_obs, n_dep, n_plan, rows in (
        (
            "all",
            768546,
            518,
            166,
            ((0.44, 0.2, None, None, 0.001), (0.18, 0.2, (8.60, 0.5), (2.20, 0.7), 0.006)),
        ),
        (
            "working_age",
            303515,
            482,
            162,
            ((0.89, 0.42, None, None, 0.006), (0.59, 0.4, (-2.52, 0.6), (2.11, 0.9), 0.006)),
        ),
    ):
        for model, row in zip(("without_movers", "with_movers"), rows, strict=True):
            b, se, mover, inter, r2 = row
            st = (n_obs, n_dep, n_plan, r2)
            out.append(
                est("individual_did", pop, "employed", "active_plan", b, se, st, model=model)
            )
            if mover:
                out.append(
                    est(
                        "individual_did",
                        pop,
                        "employed",
                        "in_mover",
                        mover[0],
                        mover[1],
                        st,
                        model=model,
                    )
                )
                out.append(
                    est(
                        "individual_did",
                        pop,
                        "employed",
                        "in_mover_active_plan",
                        inter[0],
                        inter[1],
                        st,
                        model=model,
                    )
                )
    st = MODEL_STATS[("working_age", "employed")]
    out.append(est("area_ddd_capital", "working_age", "employed", "active_plan", 1.21, 0.66, st))
    out.append(est("area_ddd_capital", "working_age", "employed", "capital_area", 0.35, 0.9, st))
    for g, t, b, se in (("g1", 2007, 1.1, 0.7), ("g1", 2009, 1.6, 0.8), ("g2", 2009, 1.3, 0.9)):
        out.append(
            est("att_gt", "working_age", "employed", "active_plan", b, se, st, group=g, time=t)
        )
    out.append(
        est(
            "att_aggregate",
            "working_age",
            "employed",
            "active_plan",
            1.35,
            0.55,
            st,
            group="overall",
        )
    )
    for comp, w, b in (
        ("g1_vs_control", 0.55, 1.2),
        ("g2_vs_control", 0.3, 1.5),
        ("g2_vs_g1", 0.15, 2.1),
    ):
        out.append(
            est("bacon", "working_age", "employed", "weight", w, 0.0001, st, comparison=comp)
            | {"std_error": None, "p_value": None, "ci_low": None, "ci_high": None}
        )
        out.append(
            est("bacon", "working_age", "employed", "active_plan", b, 0.8, st, comparison=comp)
        )
    for e, b, se in (
        (-4, 0.2, 0.5),
        (-3, -0.1, 0.45),
        (-2, 0.1, 0.4),
        (0, 1.0, 0.5),
        (1, 1.5, 0.55),
        (2, 1.7, 0.6),
    ):
        out.append(
            est("event_study", "working_age", "employed", f"event_{e}", b, se, st, event_time=e)
        )
    out.append(est("wild_bootstrap", "working_age", "employed", "active_plan", 1.42, 0.61, st))
    out.append(
        est("randomization_inference", "working_age", "employed", "active_plan", 1.42, 0.64, st)
    )
    out.append(
        est("honest_did", "working_age", "employed", "active_plan", 1.42, 0.8, st, weight=0.5)
    )
    for g, b, se in (("stayers", 0.35, 0.2), ("in_movers", 0.9, 0.3), ("out_movers", 0.17, 0.2)):
        out.append(
            est("decomposition", "working_age", "employed", "active_plan", b, se, st, group=g)
        )
    out.append(est("power", "working_age", "employed", "mde", 1.71, 0.61, st))
    return out


def cells() -> list[dict[str, Any]]:
    """Cohort-by-year means for seed figures 4.1-4.2; one cell rests on 3 persons, one is dominated."""
    base = {"control": 44.0, "g1": 36.5, "g2": 45.2}
    inc = {"control": 151000.0, "g1": 143500.0, "g2": 156000.0}
    out: list[dict[str, Any]] = []
    for g in ("control", "g1", "g2"):
        for i, year in enumerate((2005, 2007, 2009)):
            m = (
                base[g]
                + (7.0 if year == 2007 else 5.5 if year == 2009 else 0.0)
                + (1.4 * i if g != "control" else 0)
            )
            out.append(
                {
                    "population": "working_age",
                    "outcome": "employed",
                    "cohort": g,
                    "year": year,
                    "mean": m,
                    "ci_low": m - 1.6,
                    "ci_high": m + 1.6,
                    "n_departments": 83 if g == "control" else 200,
                    "n_persons": 9000 + 100 * i,
                    "top_share": 0.0004,
                }
            )
            y = inc[g] + 5800.0 * i
            out.append(
                {
                    "population": "households",
                    "outcome": "equivalised_income",
                    "cohort": g,
                    "year": year,
                    "mean": y,
                    "ci_low": y - 2100.0,
                    "ci_high": y + 2100.0,
                    "n_departments": 80,
                    "n_persons": 4000 + 50 * i,
                    "top_share": 0.002,
                }
            )
    out.append(
        {
            "population": "in_movers",
            "outcome": "employed",
            "cohort": "g2",
            "year": 2005,
            "mean": 40.0,
            "ci_low": 10.0,
            "ci_high": 70.0,
            "n_departments": 1,
            "n_persons": 3,
            "top_share": 0.33,
        }
    )
    out.append(
        {
            "population": "in_movers",
            "outcome": "disposable_income",
            "cohort": "g2",
            "year": 2005,
            "mean": 250000.0,
            "ci_low": 100000.0,
            "ci_high": 400000.0,
            "n_departments": 2,
            "n_persons": 12,
            "top_share": 0.71,
        }
    )
    return out


def balance() -> list[dict[str, Any]]:
    """Seed Table 4.1 as tidy rows."""
    vals = {
        "capital_area": (13, 49, 46, (None, 0.004, 0.009)),
        "built_1955_1975": (64, 58, 39, (None, 0.4, 0.002)),
        "long_vacancy": (8, 5, 2, (None, 0.3, 0.06)),
        "one_two_room_share": (25, 20, 31, (None, 0.2, 0.03)),
        "deprivation": (1.5, 1.9, 1.5, (None, 0.01, 0.8)),
    }
    n = {"control": 83, "g1": 272, "g2": 166}
    out = []
    for stat, (c, g1, g2, ps) in vals.items():
        for g, v, p in zip(("control", "g1", "g2"), (c, g1, g2), ps, strict=True):
            stars = (
                ""
                if p is None
                else "***"
                if p < 0.01
                else "**"
                if p < 0.05
                else "*"
                if p < 0.1
                else ""
            )
            out.append(
                {
                    "group": g,
                    "statistic": stat,
                    "value": float(v),
                    "p_value": p,
                    "stars": stars,
                    "n": n[g],
                }
            )
    return out


def accounting() -> list[dict[str, Any]]:
    """Row accounting for two analyses; one resident count (2) must be suppressed."""
    out: list[dict[str, Any]] = []
    for pop, outcome, dep, res in (
        ("working_age", "employed", (482, 24, 39, 0, 0), (305112, 5120, 8810, 2, 402117)),
        ("all", "employed", (518, 24, 3, 0, 0), (769201, 5120, 1450, 912, 0)),
    ):
        for reason, d, r in zip(
            (
                "used",
                "not_in_register_every_year",
                "below_min_count",
                "missing_outcome",
                "outside_population",
            ),
            dep,
            res,
            strict=True,
        ):
            out.append(
                {
                    "table": "departments",
                    "reason": reason,
                    "population": pop,
                    "outcome": outcome,
                    "count": d,
                }
            )
            out.append(
                {
                    "table": "residents",
                    "reason": reason,
                    "population": pop,
                    "outcome": outcome,
                    "count": r,
                }
            )
    return out


SURVEY_ITEMS = (
    "unemployment",
    "crime",
    "loneliness",
    "youth_gangs",
    "vandalism",
    "poor_reputation",
)
ACTORS = ("project_leader", "housing_manager", "municipality", "tenant_board")


def survey() -> list[dict[str, Any]]:
    """Survey records in the flat shape of survey.md; one item mean rests on 4 plans."""
    out: list[dict[str, Any]] = []

    def rec(
        analysis: str,
        actor: str,
        wave: int | None,
        statistic: str,
        value: float,
        n: int | None,
        unit: str = "plan",
        subset: str = "all_answers",
        item_id: str | None = None,
        **kw: Any,
    ) -> None:
        out.append(
            {
                "analysis": analysis,
                "actor": actor,
                "wave": wave,
                "subset": subset,
                "item_id": item_id,
                "statistic": statistic,
                "value": value,
                "n": n,
                "unit": unit,
                **kw,
            }
        )

    sent = {"project_leader": 125, "housing_manager": 186, "municipality": 139, "tenant_board": 266}
    rates = {
        "project_leader": (86, 81),
        "housing_manager": (76, 65),
        "municipality": (72, 63),
        "tenant_board": (59, 52),
    }
    for a in ACTORS:
        rec("response_rates", a, 2013, "sent", sent[a], sent[a], unit="answer")
        rec("response_rates", a, 2013, "share_answered", rates[a][0], sent[a], unit="answer")
        rec("response_rates", a, 2013, "share_complete", rates[a][1], sent[a], unit="answer")
    levels = {
        "project_leader": (2.85, 2.82),
        "housing_manager": (2.80, 2.79),
        "municipality": (2.78, 2.74),
        "tenant_board": (2.40, 2.41),
        "all": (2.70, 2.68),
    }
    for a, (l0, l1) in levels.items():
        rec("challenge_level", a, 2010, "mean", l0, 110)
        rec("challenge_level", a, 2013, "mean", l1, 118)
    for subset, l0, l1 in (
        ("same_actor_both_waves", 2.74, 2.67),
        ("round_1_both_waves", 2.76, 2.70),
        ("later_rounds_both_waves", 2.72, 2.64),
    ):
        rec("challenge_level", "all", 2010, "mean", l0, 64, subset=subset)
        rec("challenge_level", "all", 2013, "mean", l1, 64, subset=subset)
        rec("challenge_change", "all", None, "difference", round(l0 - l1, 2), 64, subset=subset)
        rec("challenge_change", "all", None, "ci_low", round(l0 - l1 - 0.05, 2), 64, subset=subset)
        rec("challenge_change", "all", None, "ci_high", round(l0 - l1 + 0.05, 2), 64, subset=subset)
        rec("challenge_change", "all", None, "p_value", 0.04, 64, subset=subset)
    rec("challenge_change", "all", None, "difference", 0.02, 118)
    changes = (-0.21, 0.05, 0.12, 0.18, 0.09, -0.04)
    for item, ch in zip(SURVEY_ITEMS, changes, strict=True):
        rec("challenge_change", "all", None, "difference", ch, 96, item_id=item)
    for i, item in enumerate(SURVEY_ITEMS):
        for a in (*ACTORS, "all"):
            for w in (2010, 2013):
                n = 4 if (item == "youth_gangs" and a == "tenant_board" and w == 2010) else 30 + i
                rec(
                    "item_mean",
                    a,
                    w,
                    "mean",
                    round(3.2 - 0.15 * i + (0.05 if w == 2010 else 0.0), 2),
                    n,
                    item_id=item,
                )
    for a in ACTORS:
        for rank, item in enumerate(SURVEY_ITEMS[:5], start=1):
            rec("largest_challenges", a, 2013, "rank", rank, 30, item_id=item)
        rec("goals", a, 2013, "share_high", 64.0, 90, unit="answer", item_id="employment")
        rec("barriers", a, 2013, "share_met", 41.0, 90, unit="answer")
        rec("result_area", a, 2013, "mean", 2.9, 31, item_id="social_life")
    rec(
        "intervention_areas",
        "project_leader",
        2013,
        "share_plans",
        93.0,
        107,
        item_id="social_life",
    )
    rec(
        "intervention_areas",
        "project_leader",
        2013,
        "mean_budget_share",
        34.0,
        107,
        item_id="social_life",
    )
    rec("result_type", "all", 2013, "mean", 2.75, 110, item_id="more_activities")
    rec(
        "distribution",
        "project_leader",
        2013,
        "share",
        79.0,
        100,
        unit="answer",
        item_id="social_life",
        category="high_or_some",
    )
    rec(
        "distribution",
        "project_leader",
        2013,
        "share",
        21.0,
        100,
        unit="answer",
        item_id="social_life",
        category="small_or_none",
    )
    rec("plan_attributes", "all", None, "share_plans", 63.0, 172, item_id="letting_tools")
    for grp, shares in (("area_secretariat", (72.0, 28.0)), ("large_secretariat", (55.0, 45.0))):
        for cat, s in zip(("yes", "no"), shares, strict=True):
            rec(
                "crosstab",
                "project_leader",
                2013,
                "share",
                s,
                40 if cat == "yes" else 3,
                unit="answer",
                item_id="municipal_staff",
                group=grp,
                category=cat,
            )
    rec(
        "crosstab",
        "project_leader",
        2013,
        "p_value",
        0.08,
        83,
        unit="answer",
        item_id="municipal_staff",
        group="all",
        category="test",
    )
    return out


ITEM_LABELS = {
    "unemployment": {
        "da": "Beboere uden for arbejdsmarkedet",
        "en": "Residents outside the labour market",
    },
    "crime": {"da": "Kriminalitet", "en": "Crime"},
    "loneliness": {"da": "Ensomhed", "en": "Loneliness"},
    "youth_gangs": {"da": "Bandeaktivitet", "en": "Gang activity"},
    "vandalism": {"da": "Hærværk", "en": "Vandalism"},
    "poor_reputation": {"da": "Dårligt omdømme", "en": "Poor reputation"},
}


def make_results() -> dict[str, Any]:
    """The whole unprotected results dict."""
    return {
        "estimates": estimates(),
        "accounting": accounting(),
        "balance": balance(),
        "survey": survey(),
        "cells": cells(),
    }


META = {
    "timestamp": "2024-05-01T12:00:00Z",
    "labels": ITEM_LABELS,
    "disclosure": {"min_persons": 5, "dominance_share": 0.5},
}
