"""The ten survey analyses of docs/survey.md, each returning a tidy long table.

Every table has the survey record columns (``actor, wave, subset, item_id,
statistic, value, n, unit``), a ``weighting`` column and
extra columns where an analysis needs them (``category``, ``group``,
``level``, ``theme``, ``cohort``, ``rank``, ``count``, ``mean``, ``test``,
``base_wave``). Shares are percentages (0-100).

Weighting labels: ``answers`` (each answer counts once), ``plans`` (one
plan answer per actor group and plan, each plan counts once),
``actor_groups_equal`` (mean of the actor groups' values, equal weights),
``departments`` (each department once).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from boligeval.errors import SurveyError
from boligeval.survey._codebook import ATTRIBUTE_ITEMS, PASS_CODES, SCALE_CODES
from boligeval.survey._prepare import PreparedSurvey, plan_answers
from boligeval.vocabulary import (
    ACTORS,
    INTERVENTION_AREAS,
    INTERVENTION_AREAS_COLUMN,
    RESULT_AREA_BLOCK,
    RESULT_TYPE_BLOCK,
)

BASE_COLUMNS: tuple[str, ...] = (
    "actor",
    "wave",
    "subset",
    "item_id",
    "statistic",
    "value",
    "n",
    "unit",
    "weighting",
)

AREA_CODES: tuple[str, ...] = INTERVENTION_AREAS
"""Intervention-area codes of the input contract."""

ALL = "all"
LEVEL_KEY = ""  # item_id of a block-level value inside change computations
PLAN_ONLY_ATTRIBUTES = ("secretariat_type", "steering_group_type",
                        # the case study's typologies (boligeval.cases.plan_typology)
                        "case_secretariat_type", "case_organisation_type", "case_oms_model")


def _frame(rows: Sequence[Mapping[Any, object]]) -> pd.DataFrame:
    """Build a tidy table with the base columns first."""
    frame = pd.DataFrame(rows)
    for column in BASE_COLUMNS:
        if column not in frame.columns:
            frame[column] = pd.Series([None] * len(frame), dtype=object)
    extra = [c for c in frame.columns if c not in BASE_COLUMNS]
    return frame[list(BASE_COLUMNS) + extra].reset_index(drop=True)


def _actor_views(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """Return (actor, rows) pairs for each actor present plus ``all`` (pooled answers)."""
    views = [(a, frame[frame["actor"] == a]) for a in ACTORS if (frame["actor"] == a).any()]
    if len(frame):
        views.append((ALL, frame))
    return views


# --------------------------------------------------------------------------- 1


def response_rates(survey: PreparedSurvey) -> pd.DataFrame:
    """Questionnaires sent and shares answered (fully or partly) and complete (seed B2.1).

    Returns
    -------
    pandas.DataFrame
        Per wave and actor group plus ``all``: statistics ``sent``,
        ``share_answered`` and ``share_complete`` (percent of sent; ``count``
        holds the number of respondents); ``n`` is the number sent.

    Raises
    ------
    SurveyError
        If the survey has no dispatch table.
    """
    if survey.dispatch is None:
        raise SurveyError("response rates need the dispatch table (questionnaires sent)")
    sent = survey.dispatch.groupby(["wave", "actor"])["sent"].sum()
    resp = survey.respondents
    answered = resp.groupby(["wave", "actor"]).size()
    complete = resp[resp["status"] == "complete"].groupby(["wave", "actor"]).size()
    rows: list[dict[str, object]] = []
    for wave in sorted(sent.index.get_level_values("wave").unique()):
        actors = [a for a in ACTORS if (wave, a) in sent.index]
        for actor in [*actors, ALL]:
            keys = [(wave, a) for a in (actors if actor == ALL else [actor])]
            n_sent = int(sum(sent.get(k, 0) for k in keys))
            n_any = int(sum(answered.get(k, 0) for k in keys))
            n_full = int(sum(complete.get(k, 0) for k in keys))
            base = {
                "actor": actor,
                "wave": int(wave),
                "n": n_sent,
                "unit": "answer",
                "weighting": "answers",
            }
            rows.append({**base, "statistic": "sent", "value": float(n_sent), "count": n_sent})
            for stat, count in (("share_answered", n_any), ("share_complete", n_full)):
                value = 100.0 * count / n_sent if n_sent else np.nan
                rows.append({**base, "statistic": stat, "value": value, "count": count})
    return _frame(rows)


# --------------------------------------------------------------------------- 2


def goals(survey: PreparedSurvey, *, top: int = 3) -> pd.DataFrame:
    """Share answering "high degree" per goal item and actor, top ``top`` ranked (seed T3.1).

    Unit: answers; base: valid answers (``dont_know``/``not_relevant`` left out).
    """
    frame = survey.scored
    frame = frame[(frame["block"] == "goal") & frame["score"].notna()]
    order = {item: i for i, item in enumerate(survey.codebook["item_id"])}
    rows: list[dict[str, object]] = []
    for wave in survey.waves:
        for actor, view in _actor_views(frame[frame["wave"] == wave]):
            grouped = view.groupby("item_id")["value"]
            shares = grouped.agg(lambda v: 100.0 * float((v == "high_degree").mean()))
            counts = grouped.size()
            ranked = sorted(shares.index, key=lambda i: (-shares[i], order[i]))
            ranks = {item: r + 1 for r, item in enumerate(ranked[:top])}
            for item in sorted(shares.index, key=order.__getitem__):
                rows.append(
                    {
                        "actor": actor,
                        "wave": wave,
                        "item_id": item,
                        "statistic": "share_high",
                        "value": float(shares[item]),
                        "n": int(counts[item]),
                        "unit": "answer",
                        "weighting": "answers",
                        "rank": ranks.get(item),
                    }
                )
    return _frame(rows)


# --------------------------------------------------------------------------- 3


def barriers(survey: PreparedSurvey) -> pd.DataFrame:
    """Share who met barriers and, among them, share naming each barrier (seed T3.2).

    ``share_met`` is the share of valid answers to the block's filter item
    that pass it (high or some degree, or yes); ``share_named`` is the share
    answering ``yes`` among respondents who passed the filter (the filter
    logic already dropped the others). Unit: answers.
    """
    book = survey.codebook
    block = book[book["block"] == "barrier"]
    screens = [f for f in block["filter_item"].dropna().unique().tolist()]
    types = block.loc[block["filter_item"].notna(), "item_id"].tolist()
    frame = survey.scored
    rows: list[dict[str, object]] = []
    for wave in survey.waves:
        in_wave = frame[frame["wave"] == wave]
        for item in screens:
            valid = in_wave[(in_wave["item_id"] == item) & in_wave["score"].notna()]
            for actor, view in _actor_views(valid):
                rows.append(
                    {
                        "actor": actor,
                        "wave": wave,
                        "item_id": item,
                        "statistic": "share_met",
                        "value": 100.0 * float(view["value"].isin(list(PASS_CODES)).mean()),
                        "n": len(view),
                        "unit": "answer",
                        "weighting": "answers",
                    }
                )
        valid = in_wave[in_wave["item_id"].isin(types) & in_wave["score"].notna()]
        for actor, view in _actor_views(valid):
            for item in [t for t in types if (view["item_id"] == t).any()]:
                scores = view.loc[view["item_id"] == item, "score"]
                rows.append(
                    {
                        "actor": actor,
                        "wave": wave,
                        "item_id": item,
                        "statistic": "share_named",
                        "value": 100.0 * float(scores.mean()),
                        "n": len(scores),
                        "unit": "answer",
                        "weighting": "answers",
                    }
                )
    return _frame(rows)


# --------------------------------------------------------------------------- 4


def intervention_areas(plans: pd.DataFrame | None) -> pd.DataFrame:
    """Share of plans with activities per area, mean budget share, mean number of areas (T3.3).

    Reads ``plans.intervention_areas`` (``;``-separated codes) and, when
    present, the optional columns ``budget_share_<code>`` (percent of the
    plan's budget). Unit: plans with a non-null ``intervention_areas``.
    Returns an empty table without ``plans`` or that column.
    """
    if plans is None or INTERVENTION_AREAS_COLUMN not in plans.columns:
        return _frame([])
    stripped = plans[INTERVENTION_AREAS_COLUMN].astype("string").str.strip()
    text = stripped.mask(stripped == "")
    known = plans.loc[text.notna()].copy()
    codes = text[text.notna()].map(
        lambda s: sorted({c.strip() for c in str(s).split(";") if c.strip()})
    )
    n_plans = len(known)
    if n_plans == 0:
        return _frame([])
    seen = sorted({c for cs in codes for c in cs} - set(AREA_CODES))
    base = {"actor": ALL, "unit": "plan", "weighting": "plans"}
    rows: list[dict[str, object]] = []
    for code in [*AREA_CODES, *seen]:
        has = codes.map(lambda cs, c=code: c in cs)
        rows.append(
            {
                **base,
                "item_id": code,
                "statistic": "share_plans",
                "value": 100.0 * float(has.mean()),
                "n": n_plans,
                "count": int(has.sum()),
            }
        )
        column = f"budget_share_{code}"
        if column in known.columns:
            shares = pd.to_numeric(known.loc[has.to_numpy(), column], errors="coerce").dropna()
            if len(shares):
                rows.append(
                    {
                        **base,
                        "item_id": code,
                        "statistic": "mean_budget_share",
                        "value": float(shares.mean()),
                        "n": len(shares),
                    }
                )
    rows.append(
        {
            **base,
            "statistic": "mean_areas",
            "value": float(codes.map(len).mean()),
            "n": n_plans,
        }
    )
    return _frame(rows)


# --------------------------------------------------------------------------- item means


def _plan_unit(actor: object) -> str:
    """Unit of ``n`` of a plan-unit row: plans per actor group, plan answers across actors.

    The ``all`` row sums the actor groups' plans, so its ``n`` counts plan by
    actor-group units (a plan answered by three actor groups counts three times).
    """
    return "plan_actor" if actor == ALL else "plan"


def _plan_item_means(pa: pd.DataFrame) -> pd.DataFrame:
    """Steps (2) and (4): item mean per actor over plans, and across actors (equal weights)."""
    per = (
        pa.groupby(["wave", "actor", "item_id"])["score"]
        .agg(mean="mean", n="count")
        .reset_index()
    )
    across = per.groupby(["wave", "item_id"]).agg(mean=("mean", "mean"), n=("n", "sum"))
    across = across.reset_index().assign(actor=ALL)
    return pd.concat([per, across], ignore_index=True)


def _block_levels(pa: pd.DataFrame) -> pd.DataFrame:
    """Steps (3) and (4): block level per actor (mean of item means), across actors."""
    item = pa.groupby(["wave", "actor", "item_id"])["score"].mean()
    level = item.groupby(["wave", "actor"]).mean().rename("mean")
    n = pa.groupby(["wave", "actor"])["plan_id"].nunique().rename("n")
    per = pd.concat([level, n], axis=1).reset_index()
    across = per.groupby("wave").agg(mean=("mean", "mean"), n=("n", "sum")).reset_index()
    return pd.concat([per, across.assign(actor=ALL)], ignore_index=True)


def _sort_actor_item(frame: pd.DataFrame, survey: PreparedSurvey) -> pd.DataFrame:
    """Sort rows by wave, actor (seed order, ``all`` last) and codebook order."""
    actor_order = {a: i for i, a in enumerate([*ACTORS, ALL])}
    item_order = {it: i for i, it in enumerate(survey.codebook["item_id"])}
    keyed = frame.assign(
        _a=frame["actor"].map(actor_order),
        _i=frame["item_id"].map(item_order) if "item_id" in frame else 0,
    )
    return keyed.sort_values(["wave", "_a", "_i"]).drop(columns=["_a", "_i"])


def item_means(survey: PreparedSurvey) -> pd.DataFrame:
    """Mean score of every degree-scale item per actor group and wave.

    Plan-unit items follow docs/survey.md's averaging order (plan answer, then
    mean over plans; ``all`` = equal-weight mean of the actor groups; ``n``
    = plans, or plan answers for ``all``). Answer-unit items are means over
    answers (``all`` pools the answers).
    """
    book = survey.codebook
    likert = book.loc[book["scale"] == "likert4", "item_id"].tolist()
    pa = plan_answers(survey, likert)
    rows: list[pd.DataFrame] = []
    if len(pa):
        plan = _sort_actor_item(_plan_item_means(pa), survey)
        plan["unit"] = plan["actor"].map(_plan_unit)
        plan["weighting"] = np.where(plan["actor"] == ALL, "actor_groups_equal", "plans")
        rows.append(plan)
    frame = survey.scored
    ans = frame[(frame["unit"] == "answer") & frame["item_id"].isin(likert)]
    ans = ans[ans["score"].notna()]
    if len(ans):
        per = ans.groupby(["wave", "actor", "item_id"])["score"].agg(mean="mean", n="count")
        pooled = ans.groupby(["wave", "item_id"])["score"].agg(mean="mean", n="count")
        both = pd.concat(
            [per.reset_index(), pooled.reset_index().assign(actor=ALL)], ignore_index=True
        )
        both = _sort_actor_item(both, survey)
        both["unit"] = "answer"
        both["weighting"] = "answers"
        rows.append(both)
    if not rows:
        return _frame([])
    out = pd.concat(rows, ignore_index=True).rename(columns={"mean": "value"})
    out["statistic"] = "mean"
    out["n"] = out["n"].astype("int64")
    out["wave"] = out["wave"].astype("int64")
    return _frame(out.to_dict("records"))


def _block_analysis(
    survey: PreparedSurvey, block: str, *, themes: bool = False
) -> pd.DataFrame:
    """Item means and block levels of a plan-unit block, optionally theme means."""
    items = survey.items(block)
    pa = plan_answers(survey, items)
    if pa.empty:
        return _frame([])

    def row(r: Mapping[Any, Any], **extra: object) -> dict[str, object]:
        return {
            "actor": r["actor"],
            "wave": int(r["wave"]),
            "statistic": "mean",
            "value": float(r["mean"]),
            "n": int(r["n"]),
            "unit": _plan_unit(r["actor"]),
            "weighting": "actor_groups_equal" if r["actor"] == ALL else "plans",
            **extra,
        }

    theme_of = survey.codebook.set_index("item_id")["theme"]
    rows: list[dict[str, object]] = []
    for r in _sort_actor_item(_plan_item_means(pa), survey).to_dict("records"):
        theme = theme_of.get(r["item_id"])
        extra = {"theme": None if pd.isna(theme) else theme} if themes else {}
        rows.append(row(r, item_id=r["item_id"], **extra))
    levels = _sort_actor_item(_block_levels(pa).assign(item_id=None), survey)
    rows += [row(r) for r in levels.to_dict("records")]
    if themes:
        with_theme = pa.assign(theme=pa["item_id"].map(theme_of)).dropna(subset=["theme"])
        item = with_theme.groupby(["wave", "actor", "theme", "item_id"])["score"].mean()
        per = item.groupby(["wave", "actor", "theme"]).mean().rename("mean")
        n = with_theme.groupby(["wave", "actor", "theme"])["plan_id"].nunique().rename("n")
        per_df = pd.concat([per, n], axis=1).reset_index()
        across = per_df.groupby(["wave", "theme"]).agg(mean=("mean", "mean"), n=("n", "sum"))
        table = pd.concat([per_df, across.reset_index().assign(actor=ALL)], ignore_index=True)
        rows += [row(r, theme=r["theme"]) for r in table.to_dict("records")]
    return _frame(rows)


# --------------------------------------------------------------------------- 5


def largest_challenges(survey: PreparedSurvey, *, top: int = 5) -> pd.DataFrame:
    """The ``top`` challenge items with the highest mean per actor group and wave (T5.1).

    ``value`` is the rank (1 = largest), ``mean`` the item mean; ties are
    broken by codebook order. Unit: plans.
    """
    pa = plan_answers(survey, survey.items("challenge"))
    if pa.empty:
        return _frame([])
    means = _plan_item_means(pa)
    order = {item: i for i, item in enumerate(survey.codebook["item_id"])}
    rows: list[dict[str, object]] = []
    for wave in sorted(means["wave"].unique()):
        for actor in [*ACTORS, ALL]:
            sub = means[(means["wave"] == wave) & (means["actor"] == actor)]
            if sub.empty:
                continue
            sub = sub.assign(_o=sub["item_id"].map(order)).sort_values(
                ["mean", "_o"], ascending=[False, True]
            )
            for rank, r in enumerate(sub.head(top).to_dict("records"), start=1):
                rows.append(
                    {
                        "actor": actor,
                        "wave": int(wave),
                        "item_id": r["item_id"],
                        "statistic": "rank",
                        "value": float(rank),
                        "n": int(r["n"]),
                        "unit": _plan_unit(actor),
                        "weighting": "actor_groups_equal" if actor == ALL else "plans",
                        "mean": float(r["mean"]),
                    }
                )
    return _frame(rows)


# --------------------------------------------------------------------------- 6


def plan_rounds(
    plans: pd.DataFrame | None, first_round_years: Sequence[int] | None = None
) -> pd.Series:
    """Grant round per plan: 1 for the first round, 2 for later rounds.

    Parameters
    ----------
    plans : pandas.DataFrame or None
        The plans table; an optional ``grant_round`` column (1, 2, 3, ...)
        wins, else ``grant_year`` decides.
    first_round_years : sequence of int, optional
        Grant years of the first round. Default: the earliest grant year
        among the plans (the seed's first round was the 2006 grant).

    Returns
    -------
    pandas.Series
        Indexed by ``plan_id``; plans without a grant are left out.
    """
    if plans is None or "plan_id" not in plans.columns:
        return pd.Series(dtype="int64")
    ids = plans["plan_id"].astype("string").str.strip()
    if "grant_round" in plans.columns:
        rounds = pd.to_numeric(plans["grant_round"], errors="coerce")
        out = pd.Series(np.where(rounds == 1, 1, 2), index=ids)[rounds.notna().to_numpy()]
        return out.astype("int64")
    if "grant_year" not in plans.columns:
        return pd.Series(dtype="int64")
    years = pd.to_numeric(plans["grant_year"], errors="coerce")
    years.index = ids
    years = years.dropna()
    if years.empty:
        return pd.Series(dtype="int64")
    first = set(first_round_years) if first_round_years is not None else {years.min()}
    return pd.Series(np.where(years.isin(list(first)), 1, 2), index=years.index, dtype="int64")


def _panel(pa: pd.DataFrame, w0: int, w1: int) -> pd.DataFrame:
    """Keep (actor, plan) pairs with plan answers in both waves ``w0`` and ``w1``."""
    pairs0 = set(map(tuple, pa.loc[pa["wave"] == w0, ["actor", "plan_id"]].to_numpy()))
    pairs1 = set(map(tuple, pa.loc[pa["wave"] == w1, ["actor", "plan_id"]].to_numpy()))
    both = pairs0 & pairs1
    keep = [
        (a, p) in both and w in (w0, w1)
        for a, p, w in pa[["actor", "plan_id", "wave"]].itertuples(index=False)
    ]
    return pa.loc[keep]


def _subsets(
    pa: pd.DataFrame, waves: list[int], rounds: pd.Series
) -> list[tuple[str, pd.DataFrame, bool]]:
    """The challenge subsets of seed T5.2 as (name, plan answers, paired)."""
    out: list[tuple[str, pd.DataFrame, bool]] = [("all_answers", pa, False)]
    if len(waves) < 2:
        return out
    panel = _panel(pa, waves[0], waves[-1])
    out.append(("same_actor_both_waves", panel, True))
    if len(rounds):
        first = set(rounds.index[rounds == 1])
        later = set(rounds.index[rounds != 1])
        out.append(("round_1_both_waves", panel[panel["plan_id"].isin(first)], True))
        out.append(("later_rounds_both_waves", panel[panel["plan_id"].isin(later)], True))
    return out


def challenge_level(
    survey: PreparedSurvey,
    plans: pd.DataFrame | None = None,
    *,
    first_round_years: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Mean over all challenge items per actor group and across actors, per wave and subset (T5.2).

    Subsets: ``all_answers``; ``same_actor_both_waves`` (per actor group, the
    plans it answered about in the first and the last wave); with ``plans``,
    that panel split into ``round_1_both_waves`` and
    ``later_rounds_both_waves``. ``n`` = plans (actor, unit ``plan``) or plan
    by actor-group answers (``all``, unit ``plan_actor``).
    """
    pa = plan_answers(survey, survey.items("challenge"))
    if pa.empty:
        return _frame([])
    rows: list[dict[str, object]] = []
    rounds = plan_rounds(plans, first_round_years)
    for subset, sub, _paired in _subsets(pa, survey.waves, rounds):
        if sub.empty:
            continue
        levels = _block_levels(sub)
        levels = _sort_actor_item(levels.assign(item_id=None), survey)
        for r in levels.to_dict("records"):
            rows.append(
                {
                    "actor": r["actor"],
                    "wave": int(r["wave"]),
                    "subset": subset,
                    "statistic": "mean",
                    "value": float(r["mean"]),
                    "n": int(r["n"]),
                    "unit": _plan_unit(r["actor"]),
                    "weighting": "actor_groups_equal" if r["actor"] == ALL else "plans",
                }
            )
    return _frame(rows)


def _wave_values(pa: pd.DataFrame) -> pd.DataFrame:
    """Item means and block levels per actor and across, one column per wave."""
    item = pa.groupby(["wave", "actor", "item_id"])["score"].mean()
    level = item.groupby(["wave", "actor"]).mean()
    item_all = item.groupby(["wave", "item_id"]).mean()
    level_all = level.groupby("wave").mean()
    parts = [
        item.rename("v").reset_index(),
        level.rename("v").reset_index().assign(item_id=LEVEL_KEY),
        item_all.rename("v").reset_index().assign(actor=ALL),
        level_all.rename("v").reset_index().assign(actor=ALL, item_id=LEVEL_KEY),
    ]
    table = pd.concat(parts, ignore_index=True)
    return table.pivot_table(index=["actor", "item_id"], columns="wave", values="v")


def _differences(pa: pd.DataFrame, w0: int, w1: int) -> pd.Series:
    """First-wave minus last-wave values (positive = the challenge fell, as in the seed)."""
    wide = _wave_values(pa)
    if w0 not in wide.columns or w1 not in wide.columns:
        return pd.Series(dtype="float64")
    return (wide[w0] - wide[w1]).dropna()


def _jackknife(pa: pd.DataFrame, w0: int, w1: int, estimate: pd.Series) -> pd.DataFrame:
    """Delete-one-plan jackknife SE, t-based CI and p-value of each difference.

    With one actor group and complete answers this is the paired t-test on
    the plans' differences.
    """
    from scipy import stats  # on use: scipy.stats is slow to import

    plans = sorted(pa["plan_id"].unique())
    n = len(plans)
    if n < 2:
        return pd.DataFrame(index=estimate.index, columns=["ci_low", "ci_high", "p_value"])
    reps = pd.concat(
        [_differences(pa[pa["plan_id"] != p], w0, w1).rename(p) for p in plans], axis=1
    ).reindex(estimate.index)
    complete = reps.notna().all(axis=1)
    centred = reps.sub(reps.mean(axis=1), axis=0)
    se = np.sqrt((n - 1) / n * (centred**2).sum(axis=1))
    se = se.where(complete & (se > 0))
    df = n - 1
    quant = float(stats.t.ppf(0.975, df))
    tstat = estimate / se
    out = pd.DataFrame(
        {
            "ci_low": estimate - quant * se,
            "ci_high": estimate + quant * se,
            "p_value": 2.0 * stats.t.sf(np.abs(tstat.to_numpy(dtype=float)), df),
        },
        index=estimate.index,
    )
    return out


def challenge_change(
    survey: PreparedSurvey,
    plans: pd.DataFrame | None = None,
    *,
    first_round_years: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Change in challenge levels and items between the first and the last wave (T5.2, F5.1).

    ``difference`` = first wave minus last wave, so a positive value means
    the challenge fell and a negative one that it grew (the seed's sign).
    ``item_id`` null is the block level, else one challenge item. For the
    panel subsets, ``ci_low``/``ci_high`` (95 %) and ``p_value`` come from a
    delete-one-plan jackknife of the whole statistic with a t reference
    (``n`` - 1 degrees of freedom), a paired test: with one actor group and
    complete answers it equals the paired t-test. ``n`` = plans in the subset.
    """
    waves = survey.waves
    pa = plan_answers(survey, survey.items("challenge"))
    if len(waves) < 2 or pa.empty:
        return _frame([])
    w0, w1 = waves[0], waves[-1]
    rows: list[dict[str, object]] = []
    rounds = plan_rounds(plans, first_round_years)
    item_order = {it: i for i, it in enumerate(survey.codebook["item_id"])}
    actor_order = {a: i for i, a in enumerate([*ACTORS, ALL])}
    for subset, sub, paired in _subsets(pa, waves, rounds):
        diff = _differences(sub, w0, w1)
        if diff.empty:
            continue
        inference = _jackknife(sub, w0, w1, diff) if paired else None
        plans_of = sub.groupby("actor")["plan_id"].nunique()
        keys = sorted(
            diff.index,
            key=lambda k: (actor_order[k[0]], -1 if k[1] == LEVEL_KEY else item_order[k[1]]),
        )
        for actor, item in keys:
            n = int(sub["plan_id"].nunique()) if actor == ALL else int(plans_of[actor])
            base = {
                "actor": actor,
                "wave": w1,
                "subset": subset,
                "item_id": None if item == LEVEL_KEY else item,
                "n": n,
                "unit": "plan",
                "weighting": "actor_groups_equal" if actor == ALL else "plans",
                "base_wave": w0,
            }
            rows.append({**base, "statistic": "difference", "value": float(diff[(actor, item)])})
            if inference is not None:
                for stat in ("ci_low", "ci_high", "p_value"):
                    value = inference.loc[(actor, item), stat]
                    number = float(value) if pd.notna(value) else np.nan
                    rows.append({**base, "statistic": stat, "value": number})
    return _frame(rows)


# --------------------------------------------------------------------------- 7


def result_areas(survey: PreparedSurvey) -> pd.DataFrame:
    """Mean result score per intervention area, per actor and across actors (T5.3, F5.2).

    Rows with ``item_id`` null are the block level (mean of item means).
    """
    return _block_analysis(survey, RESULT_AREA_BLOCK)


def result_types(survey: PreparedSurvey) -> pd.DataFrame:
    """Mean score per result type and per theme, per actor and across actors (F5.3).

    Item rows carry their ``theme``; theme rows have ``item_id`` null and a
    ``theme``; the block level has both null.
    """
    return _block_analysis(survey, RESULT_TYPE_BLOCK, themes=True)


# --------------------------------------------------------------------------- 8


def distributions(
    survey: PreparedSurvey,
    *,
    actors: Sequence[str] = ("project_leader", ALL),
    items: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Share of answers in each answer category per item (F5.4, F5.5).

    ``dont_know`` and ``not_relevant`` are categories of their own here.
    ``n`` = answers to the item, ``count`` = answers in the category.
    """
    frame = survey.scored
    if items is not None:
        frame = frame[frame["item_id"].isin(list(items))]
    scale_of = survey.codebook.set_index("item_id")["scale"]
    rows: list[dict[str, object]] = []
    for wave in survey.waves:
        in_wave = frame[frame["wave"] == wave]
        for actor in actors:
            view = in_wave if actor == ALL else in_wave[in_wave["actor"] == actor]
            counts = view.groupby("item_id")["value"].value_counts()
            totals = view.groupby("item_id").size()
            for item in [i for i in survey.codebook["item_id"] if i in totals.index]:
                total = int(totals[item])
                for category in SCALE_CODES[str(scale_of[item])]:
                    count = int(counts.get((item, category), 0))
                    rows.append(
                        {
                            "actor": actor,
                            "wave": wave,
                            "item_id": item,
                            "statistic": "share",
                            "value": 100.0 * count / total,
                            "n": total,
                            "unit": "answer",
                            "weighting": "answers",
                            "category": category,
                            "count": count,
                        }
                    )
    return _frame(rows)


# --------------------------------------------------------------------------- 9


def _normalise_level(value: object) -> object:
    """Map boolean-like plan attribute values to ``yes``/``no``; keep other text."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    lowered = text.lower()
    if lowered in {"true", "1", "yes", "ja", "1.0"}:
        return "yes"
    if lowered in {"false", "0", "no", "nej", "0.0"}:
        return "no"
    return text or None


def plan_attribute_table(
    survey: PreparedSurvey | None,
    plans: pd.DataFrame | None = None,
    *,
    actor: str = "project_leader",
) -> pd.DataFrame:
    """Plan-level organisation attributes from ``plans`` columns and/or survey items.

    A non-null ``plans`` column wins; otherwise the attribute comes from the
    matching survey item (:data:`ATTRIBUTE_ITEMS`) answered by ``actor``: the
    latest wave with a valid answer, ``yes`` when at least half the actor's
    valid answers about the plan say yes.

    Returns
    -------
    pandas.DataFrame
        ``plan_id`` and one column per available attribute, values ``yes``,
        ``no``, another text level or ``None``.
    """
    ids: set[str] = set()
    if plans is not None:
        ids |= set(plans["plan_id"].astype("string").str.strip().dropna())
    if survey is not None:
        ids |= set(survey.respondents["plan_id"].dropna())
    table = pd.DataFrame({"plan_id": sorted(ids)})
    names = [*ATTRIBUTE_ITEMS, *PLAN_ONLY_ATTRIBUTES]
    for name in names:
        column = pd.Series([None] * len(table), index=table["plan_id"], dtype=object)
        if plans is not None and name in plans.columns:
            from_plans = pd.Series(
                [_normalise_level(v) for v in plans[name]],
                index=plans["plan_id"].astype("string").str.strip(),
                dtype=object,
            )
            column = from_plans.reindex(column.index)
        item = ATTRIBUTE_ITEMS.get(name)
        if survey is not None and item is not None:
            frame = survey.scored
            valid = frame[
                (frame["item_id"] == item) & (frame["actor"] == actor) & frame["score"].notna()
            ]
            if len(valid):
                latest = valid[valid["wave"] == valid.groupby("plan_id")["wave"].transform("max")]
                share = latest.groupby("plan_id")["score"].mean()
                derived = share.map(lambda s: "yes" if s >= 0.5 else "no").reindex(column.index)
                column = column.where(column.notna(), derived)
        if column.notna().any():
            table[name] = column.to_numpy()
    return table


def _test(table: np.ndarray, seed: int) -> tuple[str, float]:
    """Chi-square test, or Fisher's exact test when an expected count is below 5."""
    from scipy import stats  # on use: scipy.stats is slow to import

    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        return "none", float("nan")
    _chi2, p, _dof, expected = stats.chi2_contingency(table, correction=False)
    if expected.min() >= 5:
        return "chi_square", float(p)
    if table.shape == (2, 2):
        return "fisher_exact", float(stats.fisher_exact(table).pvalue)
    method = stats.MonteCarloMethod(n_resamples=9999, rng=np.random.default_rng(seed))
    result = stats.fisher_exact(table, method=method)
    return "fisher_monte_carlo", float(np.ravel(result.pvalue)[0])


def crosstab(
    survey: PreparedSurvey,
    item_id: str,
    attribute: str,
    attributes: pd.DataFrame,
    *,
    actor: str = "project_leader",
    wave: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Cross-tabulate an item's answers by a plan-level attribute (ch. 6-10).

    Parameters
    ----------
    survey : PreparedSurvey
        Scored answers (the item's filter already applied).
    item_id : str
        Item whose answer categories form the columns.
    attribute : str
        Column of ``attributes`` (from :func:`plan_attribute_table`).
    attributes : pandas.DataFrame
        Plan-level attributes, ``plan_id`` plus attribute columns.
    actor : str
        Actor group answering, or ``"all"``.
    wave : int, optional
        Survey wave; default the last one.
    seed : int
        Seed of the Monte Carlo Fisher test (used for tables larger than
        2x2 with an expected count below 5).

    Returns
    -------
    pandas.DataFrame
        ``share`` rows (row percent; ``group`` = attribute, ``level``,
        ``category``, ``count`` = answers in the cell, ``n`` = answers in the
        row) and one ``p_value`` row (``test``: chi_square, fisher_exact,
        fisher_monte_carlo or none). Unit: answers.

    Raises
    ------
    SurveyError
        If the item or the attribute is unknown.
    """
    book = survey.codebook.set_index("item_id")
    if item_id not in book.index:
        raise SurveyError(f"crosstab: item {item_id!r} is not in the codebook")
    if attribute not in attributes.columns or attribute == "plan_id":
        available = [c for c in attributes.columns if c != "plan_id"]
        raise SurveyError(
            f"crosstab: plan attribute {attribute!r} is not available; available: "
            f"{', '.join(available) or 'none'}"
        )
    wave = survey.waves[-1] if wave is None else wave
    frame = survey.scored
    rows_mask = (frame["item_id"] == item_id) & (frame["wave"] == wave)
    if actor != ALL:
        rows_mask &= frame["actor"] == actor
    levels = attributes.set_index("plan_id")[attribute]
    view = frame.loc[rows_mask, ["plan_id", "value"]].assign(
        level=lambda d: d["plan_id"].map(levels)
    )
    view = view[view["level"].notna()]
    if view.empty:
        return _frame([])
    categories = [c for c in SCALE_CODES[str(book.loc[item_id, "scale"])]]
    level_names = sorted(view["level"].astype(str).unique())
    counts = (
        pd.crosstab(view["level"].astype(str), view["value"])
        .reindex(index=level_names, columns=categories, fill_value=0)
        .to_numpy()
    )
    test, p_value = _test(counts, seed)
    rows: list[dict[str, object]] = []
    base = {
        "actor": actor,
        "wave": wave,
        "item_id": item_id,
        "unit": "answer",
        "weighting": "answers",
        "group": attribute,
    }
    for i, level in enumerate(level_names):
        total = int(counts[i].sum())
        for j, category in enumerate(categories):
            rows.append(
                {
                    **base,
                    "statistic": "share",
                    "value": 100.0 * counts[i, j] / total,
                    "n": total,
                    "level": level,
                    "category": category,
                    "count": int(counts[i, j]),
                }
            )
    rows.append(
        {**base, "statistic": "p_value", "value": p_value, "n": int(counts.sum()), "test": test}
    )
    return _frame(rows)


# --------------------------------------------------------------------------- 10


def plan_moderators(attributes: pd.DataFrame) -> pd.DataFrame:
    """Plan-level moderators for the effect analyses (``letting_tools``, ``image_intervention``).

    Returns
    -------
    pandas.DataFrame
        ``plan_id`` plus nullable boolean columns (``True`` = yes).
    """
    out = attributes[["plan_id"]].copy()
    for name in ("letting_tools", "image_intervention"):
        if name in attributes.columns:
            out[name] = pd.array(
                [None if v is None else v == "yes" for v in attributes[name]], dtype="boolean"
            )
    return out


def plan_attributes(
    attributes: pd.DataFrame,
    departments: pd.DataFrame,
    cohorts: Mapping[str, str] | pd.Series,
) -> pd.DataFrame:
    """Share of departments and of plans with letting tools / image interventions per cohort.

    Seed tables 4.13-4.14. A plan counts in every cohort one of its
    departments belongs to; departments missing from ``cohorts`` are left
    out; ``cohort`` ``all`` covers every department with a cohort. ``n`` =
    departments or plans with a known attribute.
    """
    mapping = pd.Series(cohorts, dtype=object) if not isinstance(cohorts, pd.Series) else cohorts
    mapping.index = mapping.index.astype(str)
    deps = departments[["department_id", "plan_id"]].astype("string").copy()
    deps["cohort"] = deps["department_id"].map(mapping)
    deps = deps[deps["cohort"].notna()]
    rows: list[dict[str, object]] = []
    attr = attributes.set_index("plan_id")
    cohort_names = [*sorted(deps["cohort"].astype(str).unique()), ALL]
    for name in ("letting_tools", "image_intervention"):
        if name not in attr.columns:
            continue
        level = deps["plan_id"].map(attr[name])
        known = deps.assign(level=level)[level.notna()]
        for cohort in cohort_names:
            sub = known if cohort == ALL else known[known["cohort"].astype(str) == cohort]
            if sub.empty:
                continue
            plans = sub.drop_duplicates("plan_id")
            base = {
                "actor": ALL,
                "item_id": name,
                "cohort": cohort,
            }
            rows.append(
                {
                    **base,
                    "statistic": "share_departments",
                    "value": 100.0 * float((sub["level"] == "yes").mean()),
                    "n": len(sub),
                    "unit": "department",
                    "weighting": "departments",
                }
            )
            rows.append(
                {
                    **base,
                    "statistic": "share_plans",
                    "value": 100.0 * float((plans["level"] == "yes").mean()),
                    "n": len(plans),
                    "unit": "plan",
                    "weighting": "plans",
                }
            )
    return _frame(rows)
