"""Synthetic actor surveys in the input-contract shape, sized and answering like the seed.

The seed (appendix 2, chapters 3 and 5) surveyed four actor groups in 2010
and 2013. At scale 1 (148 master plans) the 2013 dispatch was 125 project
leaders, 186 housing managers, 139 municipality staff and 266 tenant-board
members; 86/76/72/59 % answered fully or partly and 81/65/63/52 % fully.
The generator sends questionnaires in those numbers per plan (scaled by the
number of master plans), draws exactly the seed's response counts with
plan-level response propensities, and answers so that the expected levels
match the seed: overall challenge level 2.70 (2010) and 2.68 (2013), tenant
boards about 2.4 against 2.8 for the others, project leaders the most
positive about results (about 3.0 against 2.7-2.85).

Answers about the area share a persistent plan effect; a degree answer is a
normal latent value, clipped to [1, 4] and randomly rounded (floor plus a
Bernoulli draw of the fraction), with the latent mean calibrated so that the
expected score equals the target exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from boligeval.errors import SurveyError
from boligeval.survey import ATTRIBUTE_ITEMS, load_codebook, normalise_codebook
from boligeval.vocabulary import (
    ACTORS,
    AREA_BLOCKS,
    INTERVENTION_AREAS_COLUMN,
    RESULT_AREA_BLOCK,
    RESULT_TYPE_BLOCK,
    TARGET_GROUP_BLOCK,
)

__all__ = ["RESPONSE_TARGETS", "SEED_DISPATCH", "SEED_PLANS", "generate_survey"]

SEED_PLANS = 148
"""Master plans in the seed (the dispatch sizes below refer to them)."""

SEED_DISPATCH: dict[str, int] = {
    "project_leader": 125,
    "housing_manager": 186,
    "municipality": 139,
    "tenant_board": 266,
}
"""Questionnaires sent per actor group in 2013 (seed table B2.1)."""

RESPONSE_TARGETS: dict[str, tuple[float, float]] = {
    "project_leader": (0.86, 0.81),
    "housing_manager": (0.76, 0.65),
    "municipality": (0.72, 0.63),
    "tenant_board": (0.59, 0.52),
}
"""Share answering fully or partly, and fully, per actor group (seed table B2.1)."""

PLAN_SD = 0.25  # persistent plan effect on area items
ANSWER_SD = 0.5  # answer-level noise
LATENT_SD = float(np.hypot(PLAN_SD, ANSWER_SD))

CHALLENGE_OFFSET: dict[str, float] = {
    "ch_outside_labour_market": 0.45,
    "ch_few_active_residents": 0.40,
    "ch_poor_reputation": 0.30,
    "ch_poor_integration": 0.20,
    "ch_vulnerable_adults": 0.15,
    "ch_high_move_out": 0.10,
    "ch_one_sided_mix": 0.05,
    "ch_vandalism": -0.20,
    "ch_few_activities": -0.15,
    "ch_crime": -0.30,
    "ch_children_youth": -0.10,
    "ch_poor_health": -0.20,
}
CHALLENGE_CHANGE: dict[str, float] = {  # later wave minus first wave (seed F5.1 directions)
    "ch_outside_labour_market": 0.15,
    "ch_poor_health": 0.10,
    "ch_vandalism": -0.12,
    "ch_few_activities": -0.10,
    "ch_crime": -0.08,
    "ch_high_move_out": -0.06,
    "ch_children_youth": -0.08,
    "ch_few_active_residents": -0.05,
}
CHALLENGE_LEVEL = (2.70, 2.68)
CHALLENGE_ACTOR = {
    "project_leader": 0.1,
    "housing_manager": 0.1,
    "municipality": 0.1,
    "tenant_board": -0.3,
}
RESULT_MEAN: dict[str, float] = {
    "ra_social_life": 3.2,
    "ra_children_youth_family": 3.2,
    "ra_reputation": 2.9,
    "ra_ethnic_minorities": 2.8,
    "ra_tenant_democracy": 2.8,
    "ra_vulnerable_residents": 2.7,
    "ra_health": 2.6,
    "ra_employment_education": 2.5,
    "rt_more_activities": 3.1,
    "rt_willingness_to_take_part": 3.0,
    "rt_collaboration_local_actors": 3.0,
    "rt_collaboration_municipality": 2.9,
    "rt_wellbeing_vulnerable_youth": 3.1,
    "rt_less_crime": 2.8,
    "rt_more_safety": 2.9,
    "rt_less_vandalism": 2.8,
    "rt_less_one_sided_mix": 2.4,
    "rt_less_move_out": 2.5,
    "rt_fewer_vacancies": 2.4,
    "rt_labour_market_attachment": 2.3,
    "rt_health_older_residents": 2.3,
    "rt_health_other_residents": 2.4,
}
RESULT_ACTOR = {
    "project_leader": 0.17,
    "housing_manager": 0.01,
    "municipality": -0.06,
    "tenant_board": -0.12,
}
GOAL_MEAN: dict[str, float] = {
    "goal_wellbeing": 3.6,
    "goal_bridge_builder": 3.4,
    "goal_resident_resources": 3.4,
    "goal_vulnerable_residents": 3.3,
    "goal_image": 3.2,
    "goal_resident_mix": 3.0,
    "goal_employment": 3.1,
}
GOAL_ACTOR = {
    "project_leader": 0.2,
    "housing_manager": -0.05,
    "municipality": -0.05,
    "tenant_board": -0.05,
}
BARRIER_MET = {
    "project_leader": 0.67,
    "housing_manager": 0.84,
    "municipality": 0.41,
    "tenant_board": 0.60,
}
BARRIER_NAMED: dict[str, tuple[float, float, float]] = {  # PL, FF, K (seed T3.2)
    "bar_unclear_roles": (0.57, 0.45, 0.47),
    "bar_goal_disagreement": (0.11, 0.12, 0.18),
    "bar_steering_capacity": (0.24, 0.23, 0.26),
    "bar_municipal_engagement": (0.39, 0.15, 0.13),
    "bar_municipal_coordination": (0.34, 0.28, 0.24),
    "bar_local_actors": (0.07, 0.12, 0.34),
    "bar_tenant_board_support": (0.47, 0.37, 0.29),
    "bar_resident_ownership": (0.44, 0.62, 0.58),
    "bar_staff_turnover": (0.33, 0.38, 0.32),
    "bar_other": (0.34, 0.23, 0.24),
}
GOAL_FOCUS_SHARES = {  # high, some, small, not at all, don't know (seed T9.1)
    "yes": (0.55, 0.24, 0.14, 0.0, 0.07),
    "no": (0.27, 0.38, 0.21, 0.04, 0.10),
}
ORG_SHARES = {
    "municipal_staff_in_secretariat": 0.45,
    "area_secretariat": 0.40,
    "large_secretariat": 0.50,
    "tenant_board_in_steering_group": 0.85,
    "letting_tools": 0.30,
    "image_intervention": 0.77,
}
AREA_SHARES = {  # share of plans with activities per area (seed T3.3)
    "children_youth_family": 0.93,
    "social_life": 0.88,
    "reputation": 0.77,
    "tenant_democracy": 0.76,
    "employment_education": 0.70,
    "health": 0.64,
    "vulnerable_residents": 0.59,
    "ethnic_minorities": 0.46,
}
BLOCK_ACTORS: dict[str, tuple[str, ...]] = {
    "method": ("project_leader", "municipality"),
    "collaboration": ("project_leader", "housing_manager", "municipality"),
    "goal_focus": ("project_leader", "housing_manager", "municipality"),
    "anchoring": ("project_leader",),
    "area_secretariat": ("project_leader", "municipality"),
    "rent_support": ("housing_manager",),
    "organisation": ("project_leader", "municipality"),
    "plan_attribute": ("project_leader",),
}
DONT_KNOW = 0.04
NOT_RELEVANT = 0.02
ITEM_NONRESPONSE = 0.01


def _clipped_mean(m: np.ndarray, s: float) -> np.ndarray:
    """Expected value of a N(m, s^2) variable clipped to [1, 4]."""
    a = (1.0 - m) / s
    b = (4.0 - m) / s
    inner = m * (stats.norm.cdf(b) - stats.norm.cdf(a))
    inner = inner + s * (stats.norm.pdf(a) - stats.norm.pdf(b))
    return np.asarray(stats.norm.cdf(a) + 4.0 * stats.norm.sf(b) + inner)


def _calibrate(target: np.ndarray, s: float = LATENT_SD) -> np.ndarray:
    """Latent means whose clipped expectation equals ``target`` (bisection)."""
    target = np.clip(np.asarray(target, dtype=float), 1.05, 3.95)
    lo = np.full_like(target, -2.0)
    hi = np.full_like(target, 7.0)
    for _ in range(60):
        mid = (lo + hi) / 2.0
        above = _clipped_mean(mid, s) > target
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    return (lo + hi) / 2.0


def _degree(latent: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Clip to [1, 4] and round randomly (expectation preserving) to scores 1-4."""
    y = np.clip(latent, 1.0, 4.0)
    low = np.floor(y)
    score = low + (rng.random(y.shape) < (y - low))
    return np.clip(score, 1, 4).astype(int)


LIKERT_CODE = np.array(
    ["", "not_at_all", "small_degree", "some_degree", "high_degree"], dtype=object
)


def _survey_plans(plans: pd.DataFrame) -> pd.DataFrame:
    """Master plans: plans with a grant year (all plans when none has one)."""
    if "plan_id" not in plans.columns:
        raise SurveyError("generate_survey: plans needs a plan_id column")
    out = plans.copy()
    out["plan_id"] = out["plan_id"].astype("string").str.strip()
    if "grant_year" in out.columns and out["grant_year"].notna().any():
        out = out[out["grant_year"].notna()]
    if out.empty:
        raise SurveyError("generate_survey: no plans to survey")
    return out.reset_index(drop=True)


def _truth(
    plans: pd.DataFrame, departments: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Plan-level truth: organisation attributes, areas, rent support, latent effects."""
    n = len(plans)
    truth = pd.DataFrame({"plan_id": plans["plan_id"].to_numpy()})
    for name, share in ORG_SHARES.items():
        drawn = rng.random(n) < share
        if name in plans.columns:
            given = plans[name].map(
                lambda v: None
                if pd.isna(v)
                else str(v).strip().lower() in {"true", "1", "yes", "ja", "1.0"}
            )
            drawn = np.where(given.isna(), drawn, given.fillna(False).astype(bool))
        truth[name] = np.asarray(drawn, dtype=bool)
    drawn_areas = {code: rng.random(n) < share for code, share in AREA_SHARES.items()}
    if INTERVENTION_AREAS_COLUMN in plans.columns:
        text = plans[INTERVENTION_AREAS_COLUMN].astype("string")
        for code in AREA_SHARES:
            has = text.map(lambda s, c=code: None if pd.isna(s) else c in str(s).split(";"))
            truth[f"area_{code}"] = np.where(has.isna(), drawn_areas[code], has.fillna(False))
    else:
        for code in AREA_SHARES:
            truth[f"area_{code}"] = drawn_areas[code]
    rent = rng.random(n) < 30 / 141
    if "rent_support_year" in departments.columns:
        with_rent = set(
            departments.loc[departments["rent_support_year"].notna(), "plan_id"].astype(str)
        )
        rent = truth["plan_id"].isin(with_rent).to_numpy()
    truth["rent_support"] = rent
    truth["need"] = rng.normal(0.0, PLAN_SD, n)
    truth["success"] = rng.normal(0.0, PLAN_SD, n)
    truth["propensity"] = rng.normal(0.0, 0.5, n)
    return truth


def _allocate(
    plans: pd.DataFrame, departments: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Questionnaires per actor group, plan (and department for tenant boards)."""
    n = len(plans)
    scale = n / SEED_PLANS
    ids = plans["plan_id"].to_numpy()
    deps = departments.assign(
        department_id=departments["department_id"].astype("string"),
        plan_id=departments["plan_id"].astype("string"),
    )
    deps = deps[deps["plan_id"].isin(ids)]
    n_deps = deps.groupby("plan_id").size().reindex(ids, fill_value=0).to_numpy()
    weight = (n_deps + 1.0) / (n_deps + 1.0).sum()
    rows: list[tuple[str, str, object]] = []
    for actor in ("project_leader", "municipality"):
        k = min(n, round(SEED_DISPATCH[actor] * scale))
        rows += [(actor, p, None) for p in sorted(rng.choice(ids, size=k, replace=False))]
    k = round(SEED_DISPATCH["housing_manager"] * scale)
    first = rng.choice(ids, size=min(n, k), replace=False)
    extra = rng.choice(ids, size=max(0, k - n), replace=True, p=weight)
    rows += [("housing_manager", p, None) for p in sorted([*first, *extra])]
    k = round(SEED_DISPATCH["tenant_board"] * scale)
    if len(deps):
        picked = deps.iloc[rng.choice(len(deps), size=k, replace=True)]
        rows += [
            ("tenant_board", p, d)
            for p, d in sorted(zip(picked["plan_id"], picked["department_id"], strict=True))
        ]
    else:
        picked_plans = rng.choice(ids, size=k, replace=True)
        rows += [("tenant_board", p, None) for p in sorted(picked_plans)]
    return pd.DataFrame(rows, columns=["actor", "plan_id", "department_id"])


def _respond(
    sent: pd.DataFrame, truth: pd.DataFrame, wave: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Draw exactly the seed's share of respondents per actor, weighted by propensity."""
    propensity = sent["plan_id"].map(truth.set_index("plan_id")["propensity"]).to_numpy()
    out = []
    for actor in ACTORS:
        idx = np.flatnonzero(sent["actor"].to_numpy() == actor)
        if idx.size == 0:
            continue
        p_any, p_full = RESPONSE_TARGETS[actor]
        k_any = round(p_any * idx.size)
        k_full = round(p_full * idx.size)
        w = np.exp(propensity[idx])
        chosen = np.sort(rng.choice(idx, size=k_any, replace=False, p=w / w.sum()))
        complete = rng.permutation(k_any) < k_full
        part = sent.iloc[chosen].copy()
        part["status"] = np.where(complete, "complete", "partial")
        out.append(part)
    resp = pd.concat(out, ignore_index=True)
    resp.insert(0, "wave", wave)
    return resp


def _answers_for_item(
    item: pd.Series,
    resp: pd.DataFrame,
    truth: pd.DataFrame,
    wave_index: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Answer codes of one item for every respondent (None where not asked)."""
    n = len(resp)
    actor = resp["actor"].to_numpy()
    tr = truth.set_index("plan_id").loc[resp["plan_id"].to_numpy()]
    block, item_id, scale = item["block"], item["item_id"], item["scale"]
    codes = np.full(n, None, dtype=object)
    asked = np.isin(actor, BLOCK_ACTORS.get(block, ACTORS))
    if not asked.any():
        return codes
    if scale == "yes_no":
        attribute = next((a for a, i in ATTRIBUTE_ITEMS.items() if i == item_id), None)
        if attribute is not None:
            p_yes = np.where(tr[attribute].to_numpy(), 0.97, 0.03)
        elif item_id == "rs_received":
            p_yes = np.where(tr["rent_support"].to_numpy(), 0.95, 0.02)
        elif item_id in BARRIER_NAMED:
            col = {"project_leader": 0, "housing_manager": 1, "municipality": 2, "tenant_board": 1}
            p_yes = np.array([BARRIER_NAMED[item_id][col[a]] for a in actor])
        else:
            p_yes = np.full(n, 0.5)
        codes[:] = np.where(rng.random(n) < p_yes, "yes", "no")
        codes[rng.random(n) < 0.03] = "dont_know"
        codes[~asked] = None
        return codes
    if item_id == "barrier_met":
        met = rng.random(n) < np.array([BARRIER_MET[a] for a in actor])
        high = rng.random(n) < 0.35
        small = rng.random(n) < 0.7
        codes[:] = np.where(
            met,
            np.where(high, "high_degree", "some_degree"),
            np.where(small, "small_degree", "not_at_all"),
        )
        codes[rng.random(n) < 0.03] = "dont_know"
        codes[~asked] = None
        return codes
    if item_id == "gf_goals_results_focus":
        staff = tr["municipal_staff_in_secretariat"].to_numpy()
        cats = np.array(["high_degree", "some_degree", "small_degree", "not_at_all", "dont_know"])
        u = rng.random(n)
        for flag, key in ((True, "yes"), (False, "no")):
            cum = np.cumsum(GOAL_FOCUS_SHARES[key])
            pick = np.minimum(np.searchsorted(cum, u * cum[-1], side="right"), len(cats) - 1)
            codes[staff == flag] = cats[pick][staff == flag]
        codes[~asked] = None
        return codes
    plan_effect = np.zeros(n)
    if block == "challenge":
        centred = sum(CHALLENGE_CHANGE.values()) / len(CHALLENGE_OFFSET)
        change = CHALLENGE_CHANGE.get(item_id, 0.0) - centred
        target = (
            CHALLENGE_LEVEL[min(wave_index, 1)]
            + CHALLENGE_OFFSET.get(item_id, 0.0)
            - float(np.mean(list(CHALLENGE_OFFSET.values())))
            + (change if wave_index else 0.0)
            + np.array([CHALLENGE_ACTOR[a] for a in actor])
        )
        plan_effect = tr["need"].to_numpy()
    elif block in (RESULT_AREA_BLOCK, RESULT_TYPE_BLOCK, TARGET_GROUP_BLOCK):
        target = RESULT_MEAN.get(item_id, 3.0) + np.array([RESULT_ACTOR[a] for a in actor])
        plan_effect = tr["success"].to_numpy()
    elif block == "goal":
        target = GOAL_MEAN.get(item_id, 3.2) + np.array([GOAL_ACTOR[a] for a in actor])
    elif block == "collaboration":
        target = 2.8 + 0.3 * tr["municipal_staff_in_secretariat"].to_numpy()
    else:
        target = np.full(n, 3.0)
    latent = _calibrate(np.asarray(target, dtype=float))
    if block in AREA_BLOCKS:
        latent = latent + plan_effect + rng.normal(0.0, ANSWER_SD, n)
    else:
        latent = latent + rng.normal(0.0, LATENT_SD, n)
    codes[:] = LIKERT_CODE[_degree(latent, rng)]
    u = rng.random(n)
    codes[u < DONT_KNOW] = "dont_know"
    codes[(u >= DONT_KNOW) & (u < DONT_KNOW + NOT_RELEVANT)] = "not_relevant"
    if block == RESULT_AREA_BLOCK:
        area = item_id.removeprefix("ra_")
        if f"area_{area}" in tr.columns:
            codes[~tr[f"area_{area}"].to_numpy(dtype=bool)] = "not_relevant"
    codes[~asked] = None
    return codes


def generate_survey(
    plans: pd.DataFrame,
    departments: pd.DataFrame,
    *,
    seed: int,
    waves: Sequence[int] = (2010, 2013),
    codebook: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """Generate both survey waves for the master plans of a synthetic world.

    Parameters
    ----------
    plans : pandas.DataFrame
        Contract plans table; plans with a ``grant_year`` are surveyed.
        Optional organisation columns and ``intervention_areas`` are used as
        the truth the actors report.
    departments : pandas.DataFrame
        Contract departments table (``department_id``, ``plan_id``,
        optional ``rent_support_year``).
    seed : int
        Seed of ``numpy.random.default_rng``; same inputs and seed give the
        same tables.
    waves : sequence of int
        Survey years; the first gets the seed's 2010 levels, later ones the
        2013 levels. Every wave uses the same dispatch.
    codebook : pandas.DataFrame, optional
        Items to answer; default the shipped seed questionnaire.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``respondents``, ``answers``, ``codebook``, ``dispatch`` in the
        contract's shape.

    Raises
    ------
    SurveyError
        If ``plans`` has no plan_id or no plans, or ``waves`` is empty.
    """
    if len(waves) == 0:
        raise SurveyError("generate_survey: give at least one wave")
    rng = np.random.default_rng(seed)
    book = load_codebook() if codebook is None else normalise_codebook(codebook)
    master = _survey_plans(plans)
    truth = _truth(master, departments, rng)
    sent = _allocate(master, departments, rng)
    respondents: list[pd.DataFrame] = []
    answers: list[pd.DataFrame] = []
    dispatch: list[pd.DataFrame] = []
    order = book.reset_index(drop=True)
    for w, wave in enumerate(sorted(int(x) for x in waves)):
        counts = sent.groupby(["actor", "plan_id"]).size().rename("sent").reset_index()
        counts.insert(0, "wave", wave)
        dispatch.append(counts)
        resp = _respond(sent, truth, wave, rng)
        resp.insert(0, "respondent_id", [f"{wave}-{i + 1:05d}" for i in range(len(resp))])
        n_items = len(order)
        stop = np.where(
            resp["status"].to_numpy() == "partial",
            np.floor(rng.uniform(0.2, 0.8, len(resp)) * n_items),
            n_items,
        )
        for j, item in order.iterrows():
            codes = _answers_for_item(item, resp, truth, w, rng)
            asked = np.array([c is not None for c in codes]) & (int(str(j)) < stop)
            missing = rng.random(len(resp)) < ITEM_NONRESPONSE
            values = codes.copy()
            values[missing] = None
            if asked.any():
                answers.append(
                    pd.DataFrame(
                        {
                            "respondent_id": resp["respondent_id"].to_numpy()[asked],
                            "item_id": item["item_id"],
                            "value": values[asked],
                        }
                    )
                )
        respondents.append(resp)
    ans = pd.concat(answers, ignore_index=True)
    ans = _drop_unopened(ans, book)
    resp_all = pd.concat(respondents, ignore_index=True)
    resp_all = resp_all[["respondent_id", "wave", "actor", "plan_id", "department_id", "status"]]
    return {
        "respondents": resp_all.reset_index(drop=True),
        "answers": ans.sort_values(["respondent_id"], kind="stable").reset_index(drop=True),
        "codebook": book,
        "dispatch": pd.concat(dispatch, ignore_index=True)[["wave", "actor", "plan_id", "sent"]],
    }


def _drop_unopened(answers: pd.DataFrame, book: pd.DataFrame) -> pd.DataFrame:
    """Remove answers to filtered items whose filter item was not passed (not asked)."""
    pass_codes = {"yes", "high_degree", "some_degree"}
    filt = book.set_index("item_id")["filter_item"]
    while True:
        opened = set(
            map(
                tuple,
                answers.loc[answers["value"].isin(list(pass_codes)), ["respondent_id", "item_id"]]
                .to_numpy(),
            )
        )
        f = answers["item_id"].map(filt)
        keep = np.array(
            [
                pd.isna(fi) or (r, fi) in opened
                for r, fi in zip(answers["respondent_id"], f, strict=True)
            ]
        )
        if keep.all():
            return answers
        answers = answers.loc[keep].reset_index(drop=True)
