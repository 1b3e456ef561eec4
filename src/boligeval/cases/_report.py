"""The process-evaluation chapter's tables, from published case records."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from boligeval.design import resolve_cohorts
from boligeval.report.i18n import fmt_num, label, text
from boligeval.report.tables import COLUMN_GROUP_SEP, SUPPRESSED_MARK, Row, Table, _finish
from boligeval.vocabulary import SECRETARIAT_TYPES

if TYPE_CHECKING:
    from boligeval.analyses.base import Context

__all__ = [
    "candidates",
    "case_matrix_table",
    "derive_secretariat_type",
    "links_tables",
    "matrix_table",
    "models_table",
    "selection_tables",
    "typology_table",
]


def derive_secretariat_type(plans: pd.DataFrame) -> pd.Series:
    """The seed's secretariat type of each plan from what the plan records carry.

    A ``secretariat_type`` value that is one of the seed's four is kept;
    otherwise the yes/no columns stand in: municipal staff in the
    secretariat is the cross-organisational team, more than two paid staff
    (``large_secretariat``) the large housing-organisation team, neither the
    one-person secretariat. The split team cannot be told from yes/no
    columns (docs/cases.md).
    """
    out = pd.Series([None] * len(plans), index=plans.index, dtype=object)
    if "secretariat_type" in plans.columns:
        given = plans["secretariat_type"].astype("string")
        out = out.where(~given.isin(SECRETARIAT_TYPES).fillna(False), given.astype(object))

    def yes(column: str) -> pd.Series:
        if column not in plans.columns:
            return pd.Series([None] * len(plans), index=plans.index, dtype=object)
        return plans[column].map(lambda v: None if pd.isna(v) else
                                 str(v).strip().lower() in ("true", "1", "yes", "ja"))

    staff, large = yes("municipal_staff_in_secretariat"), yes("large_secretariat")
    derived = [
        "cross_organisational_team" if s is True else "large_housing_team" if g is True
        else "one_person" if s is False and g is False else None
        for s, g in zip(staff, large, strict=True)
    ]
    return out.where(out.notna(), pd.Series(derived, index=plans.index, dtype=object))


def _cohort(grant: Any, cohorts: dict[str, tuple[int, ...]]) -> str | None:
    if grant is None or pd.isna(grant):
        return "control"
    return next((g for g, years in cohorts.items() if int(grant) in years), "other")


def candidates(ctx: Context, *, user: bool) -> pd.DataFrame:
    """Plans with the selection criteria: the user's cases, or every plan with a grant.

    Case plans take their attributes from ``cases``; other plans from
    ``plans`` columns of the same names (``municipality_size``, ``region``,
    ``experience``, ``tenancies``, ``grant_mdkk``) and the derived
    secretariat type.
    """
    assert ctx.cases is not None
    table = ctx.cases.table.copy()
    table["label"] = table["name"]
    plans = ctx.survey.plans if ctx.survey is not None else None
    if plans is not None:
        plans = plans.copy()
        plans["plan_id"] = plans["plan_id"].astype("string")
        grants = plans["grant_year"] if "grant_year" in plans.columns else [None] * len(plans)
        found = {int(g) for g in pd.Series(grants).dropna()}
        # cohorts = "auto": one per grant year (docs/methods.md §1); no grants, no cohorts
        cohorts = (resolve_cohorts(ctx.cfg.design, found)
                   if found or ctx.cfg.design.cohorts != "auto" else {})
        plans["cohort"] = [_cohort(g, cohorts) for g in grants]
        plans["secretariat_type"] = derive_secretariat_type(plans)
    if user:
        if plans is not None and "cohort" not in table.columns:
            table = table.merge(plans[["plan_id", "cohort"]], on="plan_id", how="left")
        return table
    if plans is None:
        return table
    pool = plans[plans["grant_year"].notna()] if "grant_year" in plans.columns else plans
    pool = pool.assign(label=pool["plan_id"])
    keep = ["plan_id", "label", "cohort", "municipality_size", "region", "secretariat_type",
            "experience", "tenancies", "grant_mdkk"]
    pool = pool[[c for c in keep if c in pool.columns]].set_index("plan_id")
    cases = table.drop_duplicates("plan_id").set_index("plan_id")
    for column in ("municipality_size", "region", "secretariat_type", "experience", "tenancies",
                   "grant_mdkk"):
        if column in cases.columns:
            given = cases[column].reindex(pool.index)
            base = pool[column] if column in pool.columns else pd.Series(None, index=pool.index,
                                                                         dtype=object)
            pool[column] = given.where(given.notna(), base).astype(object)
    return pool.reset_index()


def _value(r: dict[str, Any] | None, lang: str, decimals: int = 0) -> str:
    if r is None:
        return ""
    if r.get("suppressed"):
        return SUPPRESSED_MARK
    v = r.get("value")
    if isinstance(v, str):
        return v
    return fmt_num(v, decimals, lang) if v is not None else ""


def _lab(lang: str, ident: Any) -> str:
    return label(lang, "case", ident)


def _shade(values: Sequence[Any], top: float) -> tuple[int, ...]:
    out = []
    for v in values:
        if not isinstance(v, int | float) or top <= 0:
            out.append(0)
        else:
            out.append(min(4, round(4 * abs(float(v)) / top)))
    return tuple(out)


def case_matrix_table(records: list[dict[str, Any]], analysis: str, lang: str,
                      rules: dict[str, Any]) -> Table | None:
    """Cases and rounds by theme and valence, as a heat-map table."""
    recs = [r for r in records if r.get("subset") == "case"]
    if not recs:
        return None
    themes = list(dict.fromkeys(r["item_id"] for r in recs))
    cols = [(t, v) for t in themes for v in ("driver", "barrier")]
    cell = {(r.get("case"), r.get("wave"), r["item_id"], r["statistic"]): r for r in recs}
    keys = list(dict.fromkeys((r.get("case"), r.get("wave")) for r in recs))
    top = max([float(r["value"]) for r in recs if isinstance(r.get("value"), int | float)]
              or [0.0])
    rows = []
    for case, wave in keys:
        got = [cell.get((case, wave, t, v)) for t, v in cols]
        values = [None if r is None or r.get("suppressed") else r.get("value") for r in got]
        when = wave if wave is None else int(wave)
        rows.append(Row(f"{case}, {when}", tuple(_value(r, lang) for r in got), "heat",
                        _shade(values, top)))
    headers = tuple(COLUMN_GROUP_SEP.join((_lab(lang, t), _lab(lang, v))) for t, v in cols)
    table = Table(f"{analysis}_cases", text(lang, "case_matrix_cases_title"), headers,
                  tuple(rows), (text(lang, "case_matrix_note"),))
    return _finish(table, lang, rules)


def matrix_table(records: list[dict[str, Any]], analysis: str, lang: str,
                 rules: dict[str, Any]) -> Table | None:
    """Themes and levels by round and valence, as a heat-map table."""
    records = [r for r in records if r.get("subset") != "case"]
    if not records:
        return None
    rounds = sorted({r["wave"] for r in records if r.get("subset") == "round"})
    changes = sorted({r["subset"] for r in records if str(r.get("subset")).startswith("change")})
    cols: list[tuple[Any, str, str]] = [(w, "round", v) for w in rounds
                                        for v in ("driver", "barrier")]
    cols += [(None, c, v) for c in changes for v in ("driver", "barrier")]
    cols += [(w, "round", "sources") for w in rounds]
    cell = {(r["item_id"], r.get("level"), r.get("wave"), r.get("subset"), r["statistic"]): r
            for r in records}
    pairs = list(dict.fromkeys((r["item_id"], r.get("level")) for r in records))
    top = max([float(r["value"]) for r in records if r.get("unit") == "segments"
               and r.get("subset") == "round" and isinstance(r.get("value"), int | float)]
              or [0.0])
    rows = []
    for theme, level in pairs:
        recs = [cell.get((theme, level, w, s, v)) for w, s, v in cols]
        values = [None if r is None or r.get("suppressed") or v == "sources" else r.get("value")
                  for r, (_w, _s, v) in zip(recs, cols, strict=True)]
        rows.append(Row(f"{_lab(lang, theme)}: {_lab(lang, level).lower()}",
                        tuple(_value(r, lang) for r in recs), "heat",
                        _shade(values, top)))
    headers = []
    for w, s, v in cols:
        when = str(int(w)) if s == "round" else text(lang, "case_change").format(
            a=s.split("_")[1], b=s.split("_")[2])
        headers.append(COLUMN_GROUP_SEP.join((when, _lab(lang, v))))
    table = Table(analysis, text(lang, "case_matrix_title"), tuple(headers), tuple(rows),
                  (text(lang, "case_matrix_note"),), corner=text(lang, "case_theme_level"))
    return _finish(table, lang, rules)


def typology_table(records: list[dict[str, Any]], analysis: str, lang: str,
                   rules: dict[str, Any]) -> Table | None:
    """The cases by secretariat type, organisation type and model."""
    recs = [r for r in records if r.get("statistic") == "cases"]
    if not recs:
        return None
    rows = []
    for name in dict.fromkeys(r["item_id"] for r in recs):
        rows.append(Row(_lab(lang, name), ("",), "plain"))
        for r in recs:
            if r["item_id"] == name:
                rows.append(Row(_lab(lang, r["category"]), (_value(r, lang),), "coef"))
    table = Table(f"{analysis}_types", text(lang, "case_typology_title"),
                  (text(lang, "case_n_cases"),), tuple(rows), (text(lang, "case_source"),))
    return _finish(table, lang, rules)


def models_table(records: list[dict[str, Any]], analysis: str, lang: str,
                 rules: dict[str, Any]) -> Table | None:
    """The seed's table 10.1 as numbers: segments per model and level."""
    recs = [r for r in records if r.get("item_id") == "oms_functions"]
    if not recs:
        return None
    levels = list(dict.fromkeys(r["level"] for r in recs))
    cols = [(lv, v) for lv in levels for v in ("driver", "barrier")]
    cell = {(r["category"], r["level"], r["statistic"]): r for r in recs}
    rows = [Row(_lab(lang, m), tuple(_value(cell.get((m, lv, v)), lang) for lv, v in cols))
            for m in dict.fromkeys(r["category"] for r in recs)]
    headers = tuple(COLUMN_GROUP_SEP.join((_lab(lang, lv), _lab(lang, v))) for lv, v in cols)
    table = Table(f"{analysis}_models", text(lang, "case_models_title"), headers, tuple(rows),
                  (text(lang, "case_models_note"),))
    return _finish(table, lang, rules)


def selection_tables(records: list[dict[str, Any]], analysis: str, lang: str,
                     rules: dict[str, Any]) -> list[Table]:
    """Table 6.1 (cases by band and area size) and the criteria covered, per selection."""
    out: list[Table] = []
    for subset in ("user", "tool"):
        recs = [r for r in records if r.get("subset") == subset]
        cases = [r for r in recs if r.get("statistic") == "case"]
        if not cases:
            continue
        sizes = [s for s in ("small", "middle", "large", "unknown")
                 if any(r["category"] == s for r in cases)]
        bands = list(dict.fromkeys(sorted(r["item_id"] for r in cases)))
        rows = []
        for band in bands:
            rows.append(Row(_lab(lang, band), tuple(
                ", ".join(sorted(_value(r, lang) for r in cases
                                 if r["item_id"] == band and r["category"] == s))
                for s in sizes)))
        out.append(_finish(Table(f"{analysis}_{subset}", text(lang, f"case_selection_{subset}"),
                                 tuple(_lab(lang, f"area_{s}") for s in sizes), tuple(rows),
                                 (text(lang, "case_selection_note"),), text_cols=len(sizes)),
                           lang, rules))
        crit = [r for r in recs if r.get("statistic") == "selected"]
        if crit:
            crows = [Row(f"{_lab(lang, r['item_id'])}: {_lab(lang, r['category'])}",
                         (_value(r, lang),)) for r in crit]
            out.append(_finish(Table(f"{analysis}_{subset}_criteria",
                                     text(lang, f"case_criteria_{subset}"),
                                     (text(lang, "case_n_cases"),), tuple(crows)), lang, rules))
    return out


def links_tables(records: list[dict[str, Any]], analysis: str, lang: str,
                 rules: dict[str, Any]) -> list[Table]:
    """Per theme: the cases with drivers and with barriers beside their plans' numbers."""
    out: list[Table] = []
    measures = list(dict.fromkeys(r["category"] for r in records if r.get("category")
                                  not in (None, "excerpt")))
    for theme in dict.fromkeys(r["item_id"] for r in records):
        rows = []
        for valence in ("driver", "barrier"):
            recs = [r for r in records if r["item_id"] == theme and r["statistic"] == valence]
            if not recs:
                continue
            rows.append(Row(_lab(lang, valence), tuple("" for _ in measures)))
            cell = {(r.get("case"), r["category"]): r for r in recs}
            for case in dict.fromkeys(r.get("case") for r in recs if r.get("case")):
                rows.append(Row(str(case), tuple(
                    _value(cell.get((case, m)), lang, 0 if m == "segments" else 2)
                    for m in measures), "coef"))
            for r in recs:
                if r["category"] == "excerpt" and not r.get("suppressed"):
                    who = f"{_lab(lang, r.get('role'))}, {r.get('wave')}"
                    rows.append(Row(f"»{r['value']}« ({who})", tuple("" for _ in measures)))
        if rows:
            table = Table(f"{analysis}_{theme}",
                          text(lang, "case_links_title").format(theme=_lab(lang, theme).lower()),
                          tuple(_lab(lang, m) for m in measures), tuple(rows),
                          (text(lang, "case_links_note"),))
            out.append(_finish(table, lang, rules))
    return out
