"""Case material of one evaluation, and the four process-evaluation tables made from it.

Each function returns a tidy table in the survey record shape (``analysis``
left to the caller): ``item_id`` (a theme, typology or band), ``level``,
``wave`` (the round), ``subset``, ``category``, ``statistic``, ``value``,
``count`` (segments, the small-number rule's input), ``n`` and ``unit``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from boligeval.cases._codebook import normalise_case_codebook
from boligeval.errors import CaseError
from boligeval.vocabulary import (
    CASE_LEVELS,
    CASE_THEMES,
    CHALLENGE_BLOCK,
    OMS_MODELS,
    ORGANISATION_TYPES,
    RESULT_AREA_BLOCK,
    SECRETARIAT_TYPES,
)

__all__ = [
    "AREA_SIZE_LIMITS",
    "TYPOLOGIES",
    "Cases",
    "area_size_band",
    "case_links",
    "case_matrix",
    "case_typology",
    "grant_band",
    "plan_typology",
    "selection_table",
]

#: Plan attributes that are typologies of the case study, and their levels.
TYPOLOGIES: Mapping[str, tuple[str, ...]] = {
    "secretariat_type": SECRETARIAT_TYPES,
    "organisation_type": ORGANISATION_TYPES,
    "oms_model": OMS_MODELS,
}

#: Tenancies at which an area is middle-sized and large (seed table 6.1 gives no
#: thresholds; these are boligeval's, docs/cases.md).
AREA_SIZE_LIMITS: tuple[int, int] = (500, 1500)

#: The area secretariats' levels of seed table 10.1.
OMS_LEVELS: tuple[str, ...] = ("strategic", "tactical", "executing")

#: Excerpts shown per theme and valence when ``[cases] publish_excerpts`` is on.
MAX_EXCERPTS = 2

#: Plan-level outcomes shown next to the cases (population, outcome).
LINK_OUTCOMES: tuple[tuple[str, str], ...] = (("working_age", "employed"),)


def _text(series: pd.Series) -> pd.Series:
    out = series.astype("string").str.strip()
    return out.mask(out == "")


@dataclass(frozen=True, eq=False)
class Cases:
    """The case tables of an evaluation (contract column names).

    Parameters
    ----------
    cases, sources, codes, codebook : pandas.DataFrame
        The ``cases``, ``case_sources``, ``case_codes`` and ``case_codebook``
        tables.
    publish_excerpts : bool
        Whether excerpts may be published (``[cases] publish_excerpts``).
    """

    cases: pd.DataFrame
    sources: pd.DataFrame
    codes: pd.DataFrame
    codebook: pd.DataFrame
    publish_excerpts: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "codebook", normalise_case_codebook(self.codebook))
        for name, frame, cols in (
            ("cases", self.cases, ("case_id", "plan_id", "name", "rounds")),
            ("case_sources", self.sources, ("case_id", "round", "source_id", "kind", "role")),
            ("case_codes", self.codes, ("case_id", "round", "source_id", "code", "valence")),
        ):
            missing = [c for c in cols if c not in frame.columns]
            if missing:
                raise CaseError(f"{name} lacks column(s) {', '.join(missing)}.")
        unknown = set(_text(self.codes["code"]).dropna()) - set(self.codebook["code"])
        if unknown:
            raise CaseError(f"case_codes has {len(unknown)} code(s) not in the case codebook "
                            "(rule 'foreign_key').")
        keys = ["case_id", "round", "source_id"]
        known = set(map(tuple, self.sources[keys].astype(str).to_numpy().tolist()))
        n_missing = sum(tuple(k) not in known
                        for k in self.codes[keys].astype(str).to_numpy().tolist())
        if n_missing:
            raise CaseError(f"case_codes has {n_missing} segment(s) whose source is not in "
                            "case_sources (rule 'foreign_key').")

    @cached_property
    def rounds(self) -> list[int]:
        """Every round of the case visits, ascending."""
        years = {int(y) for r in self.cases["rounds"].astype(str)
                 for y in r.split(";") if y.strip()}
        return sorted(years)

    @cached_property
    def segments(self) -> pd.DataFrame:
        """Coded segments with their source's kind and role and their code's theme and level."""
        codes = self.codes.copy()
        for c in ("case_id", "source_id", "code", "valence"):
            codes[c] = _text(codes[c])
        codes["round"] = codes["round"].astype("int64")
        src = self.sources[["case_id", "round", "source_id", "kind", "role"]].copy()
        for c in ("case_id", "source_id", "kind", "role"):
            src[c] = _text(src[c])
        src["round"] = src["round"].astype("int64")
        out = codes.merge(src, on=["case_id", "round", "source_id"], how="left")
        out = out.merge(self.codebook[["code", "theme", "level"]], on="code", how="left")
        plans = self.cases[["case_id", "plan_id"]].astype("string")
        return out.merge(plans, on="case_id", how="left")

    @cached_property
    def table(self) -> pd.DataFrame:
        """The cases table with text columns stripped and the plan attributes as text."""
        out = self.cases.copy()
        for c in out.columns:
            if (c != "experience" and out[c].dtype == object) or str(out[c].dtype) == "string":
                out[c] = _text(out[c])
        return out.sort_values("case_id", kind="stable").reset_index(drop=True)

    def themes(self) -> list[str]:
        """Themes of the codebook: the seed's first, then the user's in codebook order."""
        seen = list(dict.fromkeys(self.codebook["theme"].dropna()))
        return [t for t in CASE_THEMES if t in seen] + [t for t in seen if t not in CASE_THEMES]

    def levels(self) -> list[str]:
        """Levels of the codebook, in the seed's order, then the user's."""
        seen = list(dict.fromkeys(self.codebook["level"].dropna()))
        return [v for v in CASE_LEVELS if v in seen] + [v for v in seen if v not in CASE_LEVELS]


def _row(**fields: Any) -> dict[str, Any]:
    return fields


def case_matrix(cases: Cases) -> pd.DataFrame:
    """Cases x themes x levels: driver, barrier and neutral segments, sources, roles, cases.

    One row per theme, level, round and statistic (the theme-level pairs of
    the codebook, zero where nothing was coded), for driver and barrier
    segments the change from the first to the last round, and per case, round
    and theme the driver and barrier segments (``subset`` ``case``). A change row's
    ``count`` is the smaller non-zero count of the two rounds, so that the
    small-number rule suppresses a change that would give a small count back.
    """
    seg = cases.segments
    pairs = list(dict.fromkeys(zip(cases.codebook["theme"], cases.codebook["level"],
                                   strict=True)))
    order = {t: i for i, t in enumerate(cases.themes())}
    lorder = {v: i for i, v in enumerate(cases.levels())}
    pairs.sort(key=lambda p: (order[p[0]], lorder[p[1]]))
    rows: list[dict[str, Any]] = []
    for theme, level in pairs:
        cell = seg[(seg["theme"] == theme) & (seg["level"] == level)]
        per_round: dict[int, dict[str, int]] = {}
        for rnd in cases.rounds:
            part = cell[cell["round"] == rnd]
            counts = {v: int((part["valence"] == v).sum()) for v in ("driver", "barrier",
                                                                       "neutral")}
            per_round[rnd] = counts
            for valence, k in counts.items():
                rows.append(_row(item_id=theme, level=level, wave=rnd, subset="round",
                                 statistic=valence, value=k, count=k, unit="segments"))
            distinct = {
                "sources": part[["case_id", "source_id"]].drop_duplicates().shape[0],
                "roles": part["role"].nunique(),
                "cases": part["case_id"].nunique(),
            }
            for stat, k in distinct.items():
                rows.append(_row(item_id=theme, level=level, wave=rnd, subset="round",
                                 statistic=stat, value=int(k), unit=stat))
        if len(cases.rounds) >= 2:
            first, last = cases.rounds[0], cases.rounds[-1]
            for valence in ("driver", "barrier"):
                a, b = per_round[first][valence], per_round[last][valence]
                nonzero = [k for k in (a, b) if k > 0]
                rows.append(_row(item_id=theme, level=level, wave=None,
                                 subset=f"change_{first}_{last}", statistic=valence,
                                 value=b - a, count=min(nonzero) if nonzero else 0,
                                 unit="segments"))
    labels = dict(zip(cases.table["case_id"], cases.table["name"], strict=True))
    for case_id in cases.table["case_id"]:
        part = seg[seg["case_id"] == case_id]
        for rnd in sorted(set(part["round"])):
            for theme in cases.themes():
                cell = part[(part["round"] == rnd) & (part["theme"] == theme)]
                for valence in ("driver", "barrier"):
                    k = int((cell["valence"] == valence).sum())
                    rows.append(_row(item_id=theme, wave=rnd, subset="case",
                                     case=labels[case_id], statistic=valence, value=k,
                                     count=k, unit="segments"))
    return pd.DataFrame(rows)


def case_typology(cases: Cases) -> pd.DataFrame:
    """The cases by secretariat type, organisation type and area-secretariat model.

    Also the seed's table 10.1 as numbers: for the cases with an area
    secretariat model, driver and barrier segments per model and level
    (strategic, tactical, executing).
    """
    table = cases.table
    rows: list[dict[str, Any]] = []
    for name, levels in TYPOLOGIES.items():
        if name not in table.columns or table[name].isna().all():
            continue
        known = table[name].dropna()
        for level in levels:
            k = int((known == level).sum())
            rows.append(_row(item_id=name, category=level, statistic="cases", value=k,
                             unit="plans"))
    if "oms_model" in table.columns and table["oms_model"].notna().any():
        seg = cases.segments.merge(table[["case_id", "oms_model"]], on="case_id", how="left")
        seg = seg[seg["oms_model"].notna()]
        for model in OMS_MODELS:
            if not (table["oms_model"] == model).any():
                continue
            for level in OMS_LEVELS:
                part = seg[(seg["oms_model"] == model) & (seg["level"] == level)]
                for valence in ("driver", "barrier"):
                    k = int((part["valence"] == valence).sum())
                    rows.append(_row(item_id="oms_functions", category=model, level=level,
                                     statistic=valence, value=k, count=k, unit="segments"))
    return pd.DataFrame(rows)


def plan_typology(cases: Cases) -> pd.DataFrame:
    """Each case typology as a plan attribute (``plan_id`` and ``case_<typology>`` columns).

    The survey cross-tabs and the moderator analyses take plan attributes as
    ``plans`` columns; these carry the case study's classification of the
    case plans (other plans are missing).
    """
    table = cases.table
    out = pd.DataFrame({"plan_id": table["plan_id"].astype("string")})
    for name in TYPOLOGIES:
        if name in table.columns:
            out[f"case_{name}"] = table[name].astype("string").to_numpy()
    return out.drop_duplicates("plan_id").reset_index(drop=True)


def area_size_band(tenancies: float | None) -> str | None:
    """Small, middle or large area by number of tenancies (:data:`AREA_SIZE_LIMITS`)."""
    if tenancies is None or pd.isna(tenancies):
        return None
    lo, hi = AREA_SIZE_LIMITS
    return "small" if tenancies < lo else "middle" if tenancies < hi else "large"


def grant_band(mdkk: float | None) -> str | None:
    """The seed's grant bands: under 5, 5-15 and over 15 million DKK."""
    if mdkk is None or pd.isna(mdkk):
        return None
    return "grant_under_5" if mdkk < 5 else "grant_5_15" if mdkk <= 15 else "grant_over_15"


def selection_table(selected: pd.DataFrame, subset: str) -> pd.DataFrame:
    """The seed's table 6.1 for a selection: each case in its row and column band.

    Rows are grant bands when the selection has ``grant_mdkk``, else
    municipality size bands; columns are area size bands by tenancies
    (``tenancies``, or the sum of the plan's departments' dwellings).
    Also the number of selected cases at each level of each criterion.
    """
    rows: list[dict[str, Any]] = []
    has_grant = "grant_mdkk" in selected.columns and selected["grant_mdkk"].notna().any()
    for rec in selected.to_dict("records"):
        band = grant_band(rec.get("grant_mdkk")) if has_grant else rec.get("municipality_size")
        rows.append(_row(item_id=band if band is not None else "unknown",
                         category=area_size_band(rec.get("tenancies")) or "unknown",
                         subset=subset, statistic="case", value=str(rec["label"]),
                         unit="plans"))
    for criterion in ("cohort", "municipality_size", "region", "secretariat_type", "experience"):
        if criterion not in selected.columns:
            continue
        values = selected[criterion].dropna()
        if criterion == "experience":
            values = values.map(_experience_band)
        for level, k in values.astype(str).value_counts(sort=False).sort_index().items():
            rows.append(_row(item_id=criterion, category=level, subset=subset,
                             statistic="selected", value=int(k), unit="plans"))
    return pd.DataFrame(rows)


def _experience_band(years: Any) -> str:
    years = int(years)
    return "none" if years == 0 else "1_4" if years < 5 else "5_plus"


def case_links(
    cases: Cases,
    plan_survey: pd.DataFrame | None,
    plan_outcomes: pd.DataFrame | None,
) -> pd.DataFrame:
    """For each theme and valence, the cases where it appears beside their plan's numbers.

    A descriptive side-by-side, never a test: per theme, valence (driver or
    barrier) and case with at least one such segment, the number of segments
    and the plan's survey results (``plan_survey``: ``plan_id, measure,
    value, n``) and its departments' outcome changes (``plan_outcomes``:
    ``plan_id, measure, value, n``).
    """
    seg = cases.segments
    seg = seg[seg["valence"].isin(["driver", "barrier"])]
    labels = dict(zip(cases.table["case_id"], cases.table["name"], strict=True))
    numbers = pd.concat([f for f in (plan_survey, plan_outcomes) if f is not None and len(f)],
                        ignore_index=True) if any(
        f is not None and len(f) for f in (plan_survey, plan_outcomes)) else None
    rows: list[dict[str, Any]] = []
    for theme in cases.themes():
        for valence in ("driver", "barrier"):
            part = seg[(seg["theme"] == theme) & (seg["valence"] == valence)]
            if part.empty:
                continue
            for case_id, group in part.groupby("case_id", sort=True):
                plan = str(group["plan_id"].iloc[0])
                base = {"item_id": theme, "statistic": valence, "case": labels[case_id]}
                k = len(group)
                rows.append(_row(**base, category="segments", value=k, count=k,
                                 unit="segments"))
                if numbers is None:
                    continue
                for rec in numbers[numbers["plan_id"] == plan].to_dict("records"):
                    rows.append(_row(**base, category=rec["measure"], value=rec["value"],
                                     n=rec["n"], unit=rec.get("unit", "answers")))
            if cases.publish_excerpts and "excerpt" in part.columns:
                # role and round only: no case, no source, never a name
                quoted = part[part["excerpt"].notna()].sort_values(["round", "case_id"])
                for rec in quoted.head(MAX_EXCERPTS).to_dict("records"):
                    rows.append(_row(item_id=theme, statistic=valence, category="excerpt",
                                     value=str(rec["excerpt"]), role=rec["role"],
                                     wave=int(rec["round"]), unit="segments"))
    return pd.DataFrame(rows)


def plan_survey_results(scored: pd.DataFrame, plans: Sequence[str]) -> pd.DataFrame:
    """Each plan's challenge level and result assessment in the latest wave.

    The mean score (1-4) of the plan's answers to the ``challenge`` and
    ``result_area`` blocks, with ``n`` the number of respondents behind it.
    """
    rows: list[dict[str, Any]] = []
    frame = scored[scored["plan_id"].isin(list(plans)) & scored["score"].notna()]
    for block, measure in ((CHALLENGE_BLOCK, "challenge_level"),
                           (RESULT_AREA_BLOCK, "result_level")):
        part = frame[frame["block"] == block]
        if part.empty:
            continue
        latest = part[part["wave"] == part["wave"].max()]
        for plan, g in latest.groupby("plan_id"):
            rows.append({"plan_id": str(plan), "measure": measure,
                         "value": float(g["score"].mean()),
                         "n": int(g["respondent_id"].nunique()), "unit": "answers"})
    return pd.DataFrame(rows, columns=["plan_id", "measure", "value", "n", "unit"])


def plan_outcome_changes(panel: pd.DataFrame, plans: Sequence[str]) -> pd.DataFrame:
    """Change of each plan's departments' outcome from the first to the last year.

    Weighted by persons (``n``); ``n`` is the smaller of the two years' person
    counts, so disclosure control's minimum applies to both.
    """
    rows: list[dict[str, Any]] = []
    frame = panel[panel["plan_id"].astype("string").isin(list(plans))]
    for population, outcome in LINK_OUTCOMES:
        part = frame[(frame["population"] == population) & (frame["outcome"] == outcome)]
        part = part[part["n"] > 0]
        if part.empty:
            continue
        first, last = part["year"].min(), part["year"].max()
        if first == last:
            continue
        for plan, g in part.groupby("plan_id"):
            ends = []
            for year in (first, last):
                y = g[g["year"] == year]
                if y.empty:
                    break
                ends.append((float(np.average(y["value"], weights=y["n"])), int(y["n"].sum())))
            if len(ends) == 2:
                rows.append({"plan_id": str(plan), "measure": f"change_{outcome}",
                             "value": ends[1][0] - ends[0][0],
                             "n": min(ends[0][1], ends[1][1]), "unit": "persons"})
    return pd.DataFrame(rows, columns=["plan_id", "measure", "value", "n", "unit"])

