"""Synthetic case material: 13 case areas in the seed's mix, visited in 2010 and 2013.

The cases are drawn from the world's plans and their material follows the
plans' attributes, so that the process evaluation's links to the survey and
the registers show something: plans with municipal staff in the secretariat
(whose synthetic survey answers on collaboration are better) or an area
secretariat have more drivers and fewer barriers, and so do plans whose
actors rate the results higher in the synthetic survey (when its tables are
given); barriers fall from the first round to the second.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from boligeval.cases import load_case_codebook
from boligeval.vocabulary import RESULT_AREA_BLOCK

__all__ = ["ROUNDS", "generate_cases"]

#: The two rounds of case visits (seed appendix 3).
ROUNDS: tuple[int, int] = (2010, 2013)

#: The seed's mix: municipality sizes 6/4/3 (ch. 6), secretariat types 4/3/3/3
#: (ch. 6), organisation types 6/4/3 (boxes 6.1-6.3), four area secretariats (ch. 10).
_SIZES = ["large"] * 6 + ["middle"] * 4 + ["small"] * 3
_WITH_STAFF = ["cross_organisational_team"] * 3 + ["split_team"] * 3
_WITHOUT_STAFF = ["large_housing_team"] * 4 + ["one_person"] * 3
_ORGANISATION = ["central_professional"] * 6 + ["local_professional"] * 4 + [
    "local_semiprofessional"] * 3
_REGIONS = ("Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland", "Nordjylland")

#: Sources per case and round: (source number, kind, role).
_SOURCES = (
    (1, "interview", "project_leader"),
    (2, "group_interview", "project_staff"),
    (3, "interview", "housing_management"),
    (4, "interview", "municipal_manager"),
    (5, "group_interview", "frontline_staff"),
    (6, "interview", "tenant_democrat"),
    (7, "document", "other"),
)

_EXCERPTS = {
    "driver": ("Vi har fundet en fælles måde at arbejde på.",
               "Det fungerer, fordi vi mødes jævnligt og følger op."),
    "barrier": ("Det er uklart, hvem der har mandat til at beslutte.",
                "Indsatserne kører ved siden af hinanden uden koordinering."),
    "neutral": ("Det er stadig for tidligt at sige noget om det.",),
}


def _yes(series: pd.Series) -> np.ndarray:
    return series.map(lambda v: False if pd.isna(v) else bool(v)).to_numpy(dtype=bool)


def _result_level(survey: Mapping[str, pd.DataFrame] | None) -> dict[str, float]:
    """Each plan's standardised mean result assessment in the synthetic survey."""
    if survey is None or "answers" not in survey or "respondents" not in survey:
        return {}
    from boligeval.survey import LIKERT_SCORES, load_codebook

    book = load_codebook()
    items = set(book.loc[book["block"] == RESULT_AREA_BLOCK, "item_id"])
    answers = survey["answers"][survey["answers"]["item_id"].isin(items)]
    scored = answers.assign(score=answers["value"].map(LIKERT_SCORES)).dropna(subset=["score"])
    scored = scored.merge(survey["respondents"][["respondent_id", "plan_id"]], on="respondent_id")
    means = scored.groupby("plan_id")["score"].mean()
    if len(means) < 2 or means.std() == 0:
        return {}
    z = (means - means.mean()) / means.std()
    return {str(k): float(v) for k, v in z.items()}


def generate_cases(plans: pd.DataFrame, departments: pd.DataFrame, *,
                   seed: int,
                   survey: Mapping[str, pd.DataFrame] | None = None) -> dict[str, pd.DataFrame]:
    """The ``cases``, ``case_sources`` and ``case_codes`` tables of a synthetic world.

    Parameters
    ----------
    plans, departments : pandas.DataFrame
        The world's contract tables.
    seed : int
        Seed of ``numpy.random.default_rng``.
    survey : mapping, optional
        The world's survey tables (``respondents``, ``answers``); plans rated
        higher on results get more drivers.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 16]))
    active = plans[plans["grant_year"].notna()].reset_index(drop=True)
    staff = _yes(active["municipal_staff_in_secretariat"]) if (
        "municipal_staff_in_secretariat" in active.columns) else rng.random(len(active)) < 0.4
    with_staff = rng.permutation(np.flatnonzero(staff))[: len(_WITH_STAFF)]
    without = rng.permutation(np.flatnonzero(~staff))[: len(_WITHOUT_STAFF)]
    rows = np.concatenate([with_staff, without])
    types = _WITH_STAFF[: len(with_staff)] + _WITHOUT_STAFF[: len(without)]
    chosen = active.iloc[rows].reset_index(drop=True)
    n = len(chosen)
    order = rng.permutation(n)
    tenancies = departments.groupby("plan_id")["dwellings"].sum()
    area = _yes(chosen["area_secretariat"]) if "area_secretariat" in chosen.columns else (
        np.zeros(n, dtype=bool))
    oms = np.full(n, None, dtype=object)
    # four cases lie in a municipality with an area secretariat (seed ch. 10): those
    # whose plan has one first
    perm = rng.permutation(n)
    oms_rows = ([i for i in perm if area[i]] + [i for i in perm if not area[i]])[:4]
    for model, i in enumerate(oms_rows):
        oms[i] = f"model_{model + 1}"
    cases = pd.DataFrame({
        "case_id": [f"K{i + 1:02d}" for i in range(n)],
        "plan_id": chosen["plan_id"].astype(str).to_numpy(),
        "name": [f"Caseområde {chr(65 + i)}" for i in range(n)],
        "municipality": chosen["municipality"].astype(str).to_numpy(),
        "rounds": ";".join(map(str, ROUNDS)),
        "municipality_size": [_SIZES[j % len(_SIZES)] for j in order],
        "region": [_REGIONS[int(k)] for k in rng.integers(0, len(_REGIONS), n)],
        "secretariat_type": types,
        "organisation_type": [_ORGANISATION[j % len(_ORGANISATION)] for j in order],
        "oms_model": oms,
        "experience": rng.integers(0, 9, n),
        "tenancies": [int(tenancies.get(p, 0)) for p in chosen["plan_id"].astype(str)],
    })
    sources = pd.DataFrame([
        {"case_id": c, "round": r, "source_id": f"{c}-S{k}", "kind": kind, "role": role}
        for c in cases["case_id"] for r in ROUNDS for k, kind, role in _SOURCES
    ])
    book = load_case_codebook()
    staff_of = dict(zip(cases["case_id"], staff[rows], strict=True))
    area_of = dict(zip(cases["case_id"], [m is not None for m in oms], strict=True))
    oms_of = dict(zip(cases["case_id"], oms, strict=True))
    results = _result_level(survey)
    result_of = {c: results.get(p, 0.0) for c, p in zip(cases["case_id"], cases["plan_id"],
                                                         strict=True)}
    segments = []
    for src in sources.to_dict("records"):
        case = src["case_id"]
        quality = (0.8 * staff_of[case] + 0.5 * area_of[case] + 0.6 * result_of[case]
                   + 0.4 * (src["round"] == ROUNDS[1]))
        quality += rng.normal(0, 0.3)
        for code in book.to_dict("records"):
            if str(code["code"]).startswith("oms_") and oms_of[case] is None:
                continue
            for _ in range(rng.poisson(0.45)):
                p_driver = 1 / (1 + np.exp(-(quality - 0.6)))
                u = rng.random()
                valence = "neutral" if u < 0.15 else (
                    "driver" if rng.random() < p_driver else "barrier")
                excerpt = (str(rng.choice(_EXCERPTS[valence])) if rng.random() < 0.05
                           else None)
                segments.append({"case_id": case, "round": src["round"],
                                  "source_id": src["source_id"], "code": code["code"],
                                  "valence": valence, "excerpt": excerpt})
    return {"cases": cases, "case_sources": sources,
            "case_codes": pd.DataFrame(segments)}
