"""Tables of the report, built from protected results records.

A ``Table`` holds formatted text only (numbers already in the language's
format), so HTML, xlsx and TeX show the same thing. Regression tables follow
the seed's layout: coefficient with stars, standard error in parentheses
below, then departments, plans and adjusted R².
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from boligeval.contract.labels import ANSWER_CODES
from boligeval.disclosure import SUPPRESSED_MARK
from boligeval.report.i18n import fmt_int, fmt_num, label, lower_first, text
from boligeval.vocabulary import ACTORS, OUTCOMES, POPULATIONS, decimals_for, stars

__all__ = [
    "ATT_AGGREGATE_LAYOUT",
    "ATT_GT_LAYOUT",
    "BACON_LAYOUT",
    "DECOMPOSITION_LAYOUT",
    "EVENT_STUDY_LAYOUT",
    "HONEST_LAYOUT",
    "POWER_LAYOUT",
    "RANDOMIZATION_LAYOUT",
    "WILD_BOOTSTRAP_LAYOUT",
    "Layout",
    "Row",
    "Table",
    "accounting_tables",
    "balance_table",
    "challenge_change_tables",
    "challenge_level_table",
    "crosstab_table",
    "decimals_for",
    "deprivation_support_table",
    "diagnostic_tables",
    "goal_focus_table",
    "goals_top_table",
    "largest_challenges_table",
    "regression_tables",
    "rent_round_table",
    "stars",
    "suppression_table",
    "survey_pivot",
]

POPULATION_ORDER = tuple(POPULATIONS)
OUTCOME_ORDER = tuple(OUTCOMES)
REASON_ORDER = (
    "used",
    "not_in_register_every_year",
    "below_min_count",
    "missing_outcome",
    "outside_population",
)
ACTOR_ORDER = ("all", *ACTORS)
SUBSET_ORDER = (
    "all_answers",
    "same_actor_both_waves",
    "round_1_both_waves",
    "later_rounds_both_waves",
)
BALANCE_ORDER = (
    "capital_area",
    "built_1955_1975",
    "long_vacancy",
    "one_two_room_share",
    "deprivation",
)
RENT_TERMS = ("rent_support", "active_plan", "rent_support_in_plan", "combined")
MOVER_TERMS = ("active_plan", "in_mover", "in_mover_active_plan")


#: Separator of a column heading's group and its own label ("Projektledere – 2010").
COLUMN_GROUP_SEP = " – "


@dataclass(frozen=True)
class Row:
    """One table row: a label and formatted cells; ``kind`` styles it (coef, se, stat, n, plain)."""

    label: str
    cells: tuple[str, ...]
    kind: str = "plain"
    #: Heat-map shade 0-4 of each cell (empty: no shading).
    shades: tuple[int, ...] = ()


@dataclass(frozen=True)
class Table:
    """A formatted table with its title, column labels, rows and notes."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = ()
    corner: str = ""
    text_cols: int = 0
    appendix: bool = False

    @property
    def has_suppressed(self) -> bool:
        """Whether any cell is shown as suppressed."""
        return any(SUPPRESSED_MARK in c for r in self.rows for c in r.cells)

    @property
    def column_groups(self) -> tuple[tuple[tuple[str, int], ...], tuple[str, ...]] | None:
        """Headings "group – column" as two header rows: each group once over its columns.

        Returns the groups with their spans and the columns' own labels, or
        None when the headings are not all of that form or no group spans two
        columns (a header row that repeats "Afdelingsbestyrelser" over each
        wave is as wide as a table of eight such columns can be).
        """
        parts = [c.split(COLUMN_GROUP_SEP, 1) for c in self.columns]
        if self.text_cols or not parts or any(len(p) != 2 for p in parts):
            return None
        groups: list[tuple[str, int]] = []
        for head, _ in parts:
            if groups and groups[-1][0] == head:
                groups[-1] = (head, groups[-1][1] + 1)
            else:
                groups.append((head, 1))
        if all(span == 1 for _, span in groups):
            return None
        return tuple(groups), tuple(p[1] for p in parts)


def _order(values: Iterable[Any], canonical: Sequence[Any]) -> list[Any]:
    seen = list(dict.fromkeys(values))
    rank = {v: i for i, v in enumerate(canonical)}
    return sorted(seen, key=lambda v: (rank.get(v, len(rank)), str(v)))


def _term_order(terms: Iterable[str]) -> list[str]:
    def key(t: str) -> tuple[int, str]:
        if t.startswith("year_"):
            return (0, t)
        if t.startswith("cohort_"):
            return (1, t)
        if t.startswith("rent_support_cohort_"):
            return (2, t)
        if t in RENT_TERMS:
            return (3 + RENT_TERMS.index(t), t)
        if t in MOVER_TERMS:
            return (3 + MOVER_TERMS.index(t), t)
        if t.startswith("capital_area"):
            return (20, "" if t == "capital_area" else t)
        if t == "Intercept":
            return (99, t)
        return (30, t)

    return sorted(dict.fromkeys(terms), key=key)


def _coef(rec: dict[str, Any] | None, dec: int, lang: str) -> tuple[str, str]:
    if rec is None:
        return "", ""
    if rec.get("suppressed") or rec.get("estimate") is None:
        return SUPPRESSED_MARK, ""
    est = fmt_num(rec["estimate"], dec, lang) + stars(rec.get("p_value"))
    se = rec.get("std_error")
    return est, ("(" + fmt_num(se, dec, lang) + ")") if se is not None else ""


def _notes(
    lang: str, *, suppressed: bool, extra: Sequence[str] = (), rules: dict[str, Any] | None = None
) -> tuple[str, ...]:
    out = list(extra)
    if suppressed:
        r = rules or {}
        k = r.get("min_persons", 5)
        d = (
            f"{round(100 * float(r.get('dominance_share', 0.5)))} %"
            if lang == "da"
            else f"{round(100 * float(r.get('dominance_share', 0.5)))}%"
        )
        out.append(text(lang, "suppressed_note").format(k=k, d=d))
    return tuple(out)


def _finish(table: Table, lang: str, rules: dict[str, Any] | None) -> Table:
    notes = _notes(lang, suppressed=table.has_suppressed, extra=table.notes, rules=rules)
    return Table(
        table.key,
        table.title,
        table.columns,
        table.rows,
        notes,
        table.corner,
        table.text_cols,
        table.appendix,
    )


def _option_label(lang: str, field: str, value: Any) -> str:
    """A model option's value as a column heading ("Stort boligorganisatorisk ...: ja")."""
    if field == "plan_group":
        name, _, level = str(value).partition("=")
        return f"{label(lang, 'category', name)}: {label(lang, 'category', level)}"
    if field in ("area_status", "comparison"):
        return label(lang, "area_option", f"{field}_{value}")
    return label(lang, field, value)


def _col_key(rec: dict[str, Any], fields: Sequence[str]) -> tuple[Any, ...]:
    return tuple(rec.get(f) for f in fields)


def regression_tables(
    estimates: list[dict[str, Any]],
    analysis: str,
    lang: str,
    *,
    rules: dict[str, Any] | None = None,
    extra_notes: Sequence[str] = (),
    term_labels: dict[str, str] | None = None,
    terms: Sequence[str] | None = None,
    show_n_obs: bool = False,
) -> list[Table]:
    """Build one seed-layout table per outcome of a regression analysis.

    Columns are populations (and models, weights or comparisons where the
    records differ in them); rows are the terms, each a coefficient row with
    stars and a standard-error row, then departments, plans, observations
    (``show_n_obs``, for individual-level models) and adjusted R².
    """
    recs = [r for r in estimates if r.get("analysis") == analysis]
    tables: list[Table] = []
    for outcome in _order((r.get("outcome") for r in recs), OUTCOME_ORDER):
        orecs = [r for r in recs if r.get("outcome") == outcome]
        varying = [
            f for f in ("model", "weight", "comparison", "area_status", "plan_group")
            if len({r.get(f) for r in orecs}) > 1
        ]
        fields = ["population", *varying]
        pops = _order((r.get("population") for r in orecs), POPULATION_ORDER)
        cols: list[tuple[Any, ...]] = []
        for pop in pops:
            sub = [_col_key(r, fields) for r in orecs if r.get("population") == pop]
            cols += sorted(dict.fromkeys(sub), key=lambda k: tuple(str(x) for x in k))
        col_labels = tuple(
            COLUMN_GROUP_SEP.join(
                [label(lang, "population", c[0])]
                + [_option_label(lang, f, v) for f, v in zip(varying, c[1:], strict=True)
                   if v is not None]
            )
            for c in cols
        )
        by_cell = {(_col_key(r, fields), r.get("term")): r for r in orecs}
        row_terms = list(terms) if terms else _term_order(str(r.get("term")) for r in orecs)
        row_terms = [t for t in row_terms if any((c, t) in by_cell for c in cols)]
        dec = decimals_for(outcome)
        rows: list[Row] = []
        for term in row_terms:
            pairs = [_coef(by_cell.get((c, term)), dec, lang) for c in cols]
            name = (term_labels or {}).get(term) or label(lang, "term", term)
            rows.append(Row(name, tuple(p[0] for p in pairs), "coef"))
            rows.append(Row("", tuple(p[1] for p in pairs), "se"))
            for key in ("p_value_romano_wolf", "p_value_holm"):  # multiple-testing adjusted
                cells = [by_cell.get((c, term)) or {} for c in cols]
                if any(r.get(key) is not None for r in cells):
                    rows.append(Row(text(lang, key), tuple(
                        SUPPRESSED_MARK if r.get("suppressed") else fmt_num(r.get(key), 3, lang)
                        for r in cells), "stat"))
        firsts = [next((r for r in orecs if _col_key(r, fields) == c), {}) for c in cols]
        if show_n_obs and any(f.get("n_obs") is not None for f in firsts):
            rows.append(
                Row(
                    text(lang, "n_obs"),
                    tuple(fmt_int(f.get("n_obs"), lang) for f in firsts),
                    "stat",
                )
            )
        rows.append(
            Row(
                text(lang, "n_departments"),
                tuple(fmt_int(f.get("n_departments"), lang) for f in firsts),
                "stat",
            )
        )
        rows.append(
            Row(
                text(lang, "n_plans"),
                tuple(fmt_int(f.get("n_plans"), lang) for f in firsts),
                "stat",
            )
        )
        r2 = []
        for c, f in zip(cols, firsts, strict=True):
            all_hidden = all(r.get("suppressed") for r in orecs if _col_key(r, fields) == c)
            v = f.get("adj_r2")
            r2_dec = 4 if v is not None and abs(float(v)) < 0.01 else 3
            r2.append(SUPPRESSED_MARK if all_hidden else fmt_num(v, r2_dec, lang))
        rows.append(Row(text(lang, "adj_r2"), tuple(r2), "stat"))
        notes = [text(lang, "stars_note"), text(lang, "se_note"), *extra_notes]
        tests = next((r.get("n_tests") for r in orecs if r.get("n_tests")), None)
        if tests:
            notes.append(text(lang, "multiple_testing_note").format(n=tests))
        title = f"{label(lang, 'analysis', analysis)}: {label(lang, 'outcome', outcome)}"
        tables.append(
            _finish(
                Table(f"{analysis}_{outcome}", title, col_labels, tuple(rows), tuple(notes)),
                lang,
                rules,
            )
        )
    return tables


def youth_table(estimates: list[dict[str, Any]], analysis: str, lang: str, *,
                rules: dict[str, Any] | None = None) -> Table | None:
    """One table of the plans' effect on children and youth: outcomes by population.

    Each outcome has the effect of an active plan with stars, its standard
    error and the departments behind it; a population whose outcome was not
    estimated (too few youth with it) has empty cells.
    """
    recs = [r for r in estimates if r.get("analysis") == analysis
            and r.get("term") == "active_plan"]
    if not recs:
        return None
    pops = _order((r.get("population") for r in recs), POPULATION_ORDER)
    by_cell = {(r.get("population"), r.get("outcome")): r for r in recs}
    rows: list[Row] = []
    for outcome in _order((r.get("outcome") for r in recs), OUTCOME_ORDER):
        cells = [by_cell.get((p, outcome)) for p in pops]
        pairs = [_coef(c, decimals_for(outcome), lang) for c in cells]
        rows.append(Row(label(lang, "outcome", outcome), tuple(p[0] for p in pairs), "coef"))
        rows.append(Row("", tuple(p[1] for p in pairs), "se"))
        for stat in ("n_departments", "n_plans"):
            rows.append(Row(text(lang, stat), tuple(fmt_int(c.get(stat), lang) if c else ""
                                                   for c in cells), "stat"))
    notes = (text(lang, "youth_note"), text(lang, "stars_note"), text(lang, "se_note"))
    return _finish(Table(analysis, label(lang, "analysis", analysis),
                         tuple(label(lang, "population", p) for p in pops), tuple(rows), notes),
                   lang, rules)


def _year(v: Any) -> str:
    """A year or cohort start as plain digits (2007, not 2,007 or 2007.0)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    try:
        return str(int(float(v)))
    except (TypeError, ValueError):
        return str(v)


def _sort_num(v: Any) -> tuple[int, float, str]:
    """Sort key for years, cohorts and event times that may be numbers or names."""
    try:
        return (0, float(v), "")
    except (TypeError, ValueError):
        return (1, 0.0, str(v))


def _signed(v: Any) -> str:
    """An event time as a signed integer with a typographic minus."""
    return _year(v).replace("-", "−")


def _stat_cells(r: dict[str, Any], dec: int, lang: str, *, with_stars: bool = True) -> list[str]:
    """Estimate (with stars), standard error, interval and p-value of one record."""
    if r.get("suppressed") or r.get("estimate") is None:
        return [SUPPRESSED_MARK, "", "", ""]
    ci = ""
    if r.get("ci_low") is not None and r.get("ci_high") is not None:
        ci = f"[{fmt_num(r['ci_low'], dec, lang)}; {fmt_num(r['ci_high'], dec, lang)}]"
    st = stars(r.get("p_value")) if with_stars else ""
    return [
        fmt_num(r.get("estimate"), dec, lang) + st,
        fmt_num(r.get("std_error"), dec, lang),
        ci,
        fmt_num(r.get("p_value"), 3, lang),
    ]


def _diag(lang: str, key: str, **fmt: Any) -> str:
    s = label(lang, "diag", key)
    return s.format(**fmt) if fmt else s


def _cohort_label(lang: str, g: Any) -> str:
    if _sort_num(g)[0]:  # a cohort name (g1, ...) rather than a start year
        return label(lang, "group", g)
    return _diag(lang, "cohort_start", x=_year(g))


_AGG_ORDER = ("simple", "group", "dynamic", "calendar")


def _att_gt_rows(recs: list[dict[str, Any]], dec: int, lang: str) -> tuple[list[str], list[Row]]:
    cols = [text(lang, "time"), text(lang, "event_time")]
    rows = [
        Row(
            _cohort_label(lang, r.get("group")),
            (_year(r.get("time")), _signed(r.get("event_time")), *_stat_cells(r, dec, lang)),
        )
        for r in sorted(recs, key=lambda r: (_sort_num(r.get("group")), _sort_num(r.get("time"))))
    ]
    return cols, rows


def _att_aggregate_rows(
    recs: list[dict[str, Any]], dec: int, lang: str
) -> tuple[list[str], list[Row]]:
    def level(r: dict[str, Any]) -> tuple[tuple[int, float, str], str]:
        agg = r.get("aggregation")
        if agg == "group" and r.get("group") is not None:
            return _sort_num(r["group"]), _cohort_label(lang, r["group"])
        if agg == "calendar" and r.get("time") is not None:
            return _sort_num(r["time"]), _year(r["time"])
        if agg == "dynamic" and r.get("event_time") is not None:
            return _sort_num(r["event_time"]), _diag(lang, "event_year", x=_signed(r["event_time"]))
        return (-1, 0.0, ""), _diag(lang, "overall")

    def key(r: dict[str, Any]) -> tuple[int, tuple[int, float, str]]:
        agg = r.get("aggregation")
        return (_AGG_ORDER.index(agg) if agg in _AGG_ORDER else 9, level(r)[0])

    rows = []
    previous = None
    for r in sorted(recs, key=key):
        agg = r.get("aggregation")
        name = _diag(lang, str(agg)) if agg != previous else ""
        previous = agg
        rows.append(Row(name, (level(r)[1], *_stat_cells(r, dec, lang))))
    return [_diag(lang, "level")], rows


def _bacon_rows(recs: list[dict[str, Any]], dec: int, lang: str) -> tuple[list[str], list[Row]]:
    def comparison(r: dict[str, Any]) -> str:
        c = r.get("control")
        if c is None or (isinstance(c, float) and math.isinf(c)) or str(c) in ("inf", "0"):
            return _diag(lang, "never_treated")
        return _cohort_label(lang, c)

    def kind(r: dict[str, Any]) -> str:
        t = str(r.get("type") or str(r.get("term", "")).split(":")[0])
        return _diag(lang, t)

    rows: list[Row] = []
    total, wsum, hidden = 0.0, 0.0, False
    for r in sorted(recs, key=lambda r: (_sort_num(r.get("group")), str(r.get("type")))):
        w = r.get("weight")
        cells = _stat_cells(r, dec, lang)[:1]
        rows.append(
            Row(
                kind(r),
                (_cohort_label(lang, r.get("group")), comparison(r), fmt_num(w, 3, lang), *cells),
            )
        )
        if r.get("estimate") is None or w is None or r.get("suppressed"):
            hidden = True
        else:
            total += float(w) * float(r["estimate"])
            wsum += float(w)
    if rows:
        rows.append(
            Row(
                _diag(lang, "bacon_total"),
                (
                    "",
                    "",
                    fmt_num(wsum, 3, lang) if not hidden else "",
                    SUPPRESSED_MARK if hidden else fmt_num(total, dec, lang),
                ),
                "stat",
            )
        )
    cols = [_diag(lang, "treated"), _diag(lang, "comparison_group"), text(lang, "weight")]
    return cols, rows


def _event_rows(recs: list[dict[str, Any]], dec: int, lang: str) -> tuple[list[str], list[Row]]:
    rows: list[Row] = []
    coefs = [r for r in recs if r.get("event_time") is not None]
    for r in sorted(coefs, key=lambda r: _sort_num(r["event_time"])):
        name = event_label(lang, r["event_time"], r.get("period_years"))
        reference = (
            not r.get("suppressed") and r.get("std_error") is None and r.get("estimate") == 0
        )
        cells = ["", "", "", ""] if reference else _stat_cells(r, dec, lang)
        if reference:
            cells[0] = _diag(lang, "reference")
        rows.append(Row(name, tuple(cells)))
    for r in recs:  # the overall ATT of the imputation and Sun-Abraham event studies
        if r.get("term") == "att" and r.get("event_time") is None:
            rows.append(Row(_diag(lang, "overall"), tuple(_stat_cells(r, dec, lang))))
    for r in recs:
        if r.get("term") != "pretrend_wald":
            continue
        if r.get("suppressed") or r.get("statistic") is None:
            cells = [SUPPRESSED_MARK, "", "", ""]
        else:
            stat = _diag(lang, "wald_stat", s=fmt_num(r["statistic"], 2, lang), df=r.get("df", ""))
            cells = [stat, "", "", fmt_num(r.get("p_value"), 3, lang)]
        rows.append(Row(_diag(lang, "pretrend_wald"), tuple(cells), "stat"))
    return [], rows


def _switching_rows(recs: list[dict[str, Any]], dec: int,
                    lang: str) -> tuple[list[str], list[Row]]:
    """DID_l by event time with the placebo test, its average total effect, then DID_M."""
    dyn = [r for r in recs if r.get("estimator") in (None, "did_l")]
    _, rows = _event_rows([r for r in dyn if r.get("term") != "average_total_effect"], dec, lang)
    for r in dyn:
        if r.get("term") == "average_total_effect":
            rows.append(Row(_diag(lang, "average_total_effect"),
                            tuple(_stat_cells(r, dec, lang))))
    for r in recs:
        if r.get("estimator") == "did_m":
            rows.append(Row(_diag(lang, str(r.get("term"))), tuple(_stat_cells(r, dec, lang))))
    return [], rows


def event_label(lang: str, event_time: Any, period_years: Any) -> str:
    """'Measurement period -2 relative to start (-4 years)': periods, with their length."""
    name = label(lang, "term", f"event_{_year(event_time)}")
    if period_years:
        years = _year(float(event_time) * float(period_years))
        name += " " + text(lang, "event_years").format(x=years)
    return name.replace("-", "−")


def _honest_rows(recs: list[dict[str, Any]], dec: int, lang: str) -> tuple[list[str], list[Row]]:
    def mbar(r: dict[str, Any]) -> float:
        term = str(r.get("term"))
        if r.get("m") is not None:
            return float(r["m"])
        return float(term.split("=", 1)[1]) if term.startswith("Mbar=") else math.inf

    rows: list[Row] = []
    orig = [r for r in recs if r.get("term") == "original"]
    grid = sorted(
        (r for r in recs if str(r.get("term")).startswith("Mbar=") or r.get("m") is not None),
        key=mbar,
    )
    for r in orig:
        rows.append(Row(_diag(lang, "original"), tuple(_stat_cells(r, dec, lang))))
    for r in grid:
        cells = _stat_cells(r, dec, lang, with_stars=False)
        rows.append(Row(_diag(lang, "mbar", x=fmt_num(mbar(r), 1, lang)), tuple(cells)))
    for r in recs:
        if r.get("term") == "breakdown_mbar":
            if r.get("suppressed"):
                v = SUPPRESSED_MARK
            elif r.get("estimate") is None:
                v = _diag(lang, "none")
            else:
                v = fmt_num(r["estimate"], 2, lang)
            rows.append(Row(_diag(lang, "breakdown_mbar"), (v, "", "", ""), "stat"))
    return [], rows


_COMPONENTS = ("change", "stayers", "in_movers", "out_movers")


def _decomposition_rows(
    recs: list[dict[str, Any]], dec: int, lang: str
) -> tuple[list[str], list[Row]]:
    def key(r: dict[str, Any]) -> int:
        c = r.get("component")
        return _COMPONENTS.index(c) if c in _COMPONENTS else 9

    rows = [
        Row(
            _diag(lang, str(r.get("component") or r.get("group") or r.get("term"))),
            tuple(_stat_cells(r, dec, lang)),
        )
        for r in sorted(recs, key=key)
    ]
    return [], rows


_POWER_TERMS = ("mde", "tau_std_error", "mde_individual", "analytic_power", "simulated_power")


def _power_rows(recs: list[dict[str, Any]], dec: int, lang: str) -> tuple[list[str], list[Row]]:
    rows = []
    for r in sorted(
        recs, key=lambda r: _POWER_TERMS.index(r["term"]) if r.get("term") in _POWER_TERMS else 9
    ):
        power = str(r.get("term")).endswith("power")
        cells = _stat_cells(r, 2 if power else dec, lang, with_stars=False)
        if power and r.get("term") == "analytic_power":
            cells[1:3] = ["", ""]  # exact by construction: no sampling error
        rows.append(Row(_diag(lang, str(r.get("term"))), tuple(cells)))
    return [], rows


def _model_rows(recs: list[dict[str, Any]], dec: int, lang: str) -> tuple[list[str], list[Row]]:
    """Wild bootstrap and randomization inference: one row per model or term."""
    rows = []
    components = ("rent_support", "active_plan", "rent_support_in_plan")

    def order(r: dict[str, Any]) -> tuple[str, int, int]:
        cr1 = r.get("inference") == "cr1"
        term = str(r.get("term"))
        return (str(r.get("model") or ""), int(cr1),
                components.index(term) if cr1 and term in components else 0)

    for r in sorted(recs, key=order):
        if r.get("inference") == "cr1":
            term = "plan_tau" if r.get("term") == "active_plan" else r.get("term")
            name = "  " + label(lang, "term", term) + " " + _diag(lang, "cr1_component")
        elif r.get("model"):
            name = label(lang, "model", r["model"])
        else:
            name = label(lang, "term", r.get("term"))
        rows.append(Row(name, tuple(_stat_cells(r, dec, lang))))
    return [], rows


@dataclass(frozen=True)
class Layout:
    """How a beyond-TWFE analysis lays out its table.

    Attributes
    ----------
    rows : callable
        ``(records, decimals, lang) -> (extra column headings, rows)``.
    note : str, optional
        Key of the analysis's note in the diagnostics labels.
    corner : str, optional
        Key of the first column's heading (default: "term").
    text_cols : int
        Leading columns that hold text, not numbers.
    estimate_only : bool
        Show only the estimate column (no SE, interval, p).
    """

    rows: Callable[[list[dict[str, Any]], int, str], tuple[list[str], list[Row]]] = _model_rows
    note: str | None = None
    corner: str | None = None
    text_cols: int = 0
    estimate_only: bool = False


ATT_GT_LAYOUT = Layout(_att_gt_rows, "att_note", "treated")
ATT_AGGREGATE_LAYOUT = Layout(_att_aggregate_rows, "att_note", "aggregation", 1)
BACON_LAYOUT = Layout(_bacon_rows, "bacon_note", "comparison", 2, estimate_only=True)
EVENT_STUDY_LAYOUT = Layout(_event_rows)
HONEST_LAYOUT = Layout(_honest_rows, "honest_note")
SWITCHING_LAYOUT = Layout(_switching_rows, "switching_note")
DECOMPOSITION_LAYOUT = Layout(_decomposition_rows, "decomp_note")
POWER_LAYOUT = Layout(_power_rows, "power_note")
WILD_BOOTSTRAP_LAYOUT = Layout(_model_rows, "wb_note")
RANDOMIZATION_LAYOUT = Layout(_model_rows, "ri_note")


def diagnostic_tables(
    estimates: list[dict[str, Any]],
    analysis: str,
    lang: str,
    *,
    layout: Layout | None = None,
    rules: dict[str, Any] | None = None,
) -> list[Table]:
    """Build one table per population and outcome of a beyond-TWFE analysis.

    Each analysis has its own layout (group-time effects by cohort and year,
    aggregations by level, the 2×2 comparisons of the Goodman-Bacon
    decomposition with weights, event-study coefficients with the reference
    year and the joint pre-trend test, robust intervals by M̄ with the
    breakdown value, decomposition components, power); every label is
    translated. Analyses without a dedicated layout get one row per term.
    """
    layout = layout or Layout()
    recs = [r for r in estimates if r.get("analysis") == analysis]
    out: list[Table] = []
    keys = sorted(
        {(r.get("population"), r.get("outcome")) for r in recs},
        key=lambda k: (
            POPULATION_ORDER.index(k[0]) if k[0] in POPULATION_ORDER else 99,
            OUTCOME_ORDER.index(k[1]) if k[1] in OUTCOME_ORDER else 99,
            str(k),
        ),
    )
    for pop, outcome in keys:
        sub = [r for r in recs if (r.get("population"), r.get("outcome")) == (pop, outcome)]
        extra_cols, rows = layout.rows(sub, decimals_for(outcome), lang)
        if not rows:
            continue
        if layout.estimate_only:
            stat_cols = [text(lang, "estimate")]
        else:
            stat_cols = [
                text(lang, "estimate"),
                text(lang, "std_error"),
                text(lang, "ci"),
                text(lang, "p_value"),
            ]
        corner = layout.corner
        corner_text = (
            text(lang, corner)
            if corner in ("comparison",)
            else _diag(lang, corner)
            if corner
            else text(lang, "term")
        )
        title = (
            f"{label(lang, 'analysis', analysis)}: {label(lang, 'population', pop)}, "
            f"{lower_first(label(lang, 'outcome', outcome))}"
        )
        notes = [text(lang, "stars_note")]
        if layout.note:
            notes.append(_diag(lang, layout.note))
        table = Table(
            f"{analysis}_{pop}_{outcome}",
            title,
            tuple(extra_cols + stat_cols),
            tuple(rows),
            tuple(notes),
            corner_text,
            layout.text_cols,
        )
        out.append(_finish(table, lang, rules))
    return out


def balance_table(
    balance: list[dict[str, Any]], lang: str, *, key: str, rules: dict[str, Any] | None = None
) -> Table | None:
    """Baseline balance in the seed's Table 4.1 layout: statistics by group, stars vs control."""
    if not balance:
        return None
    # records name the characteristic in ``variable`` and hold ``estimate`` (pipeline
    # shape) or name it in ``statistic`` and hold ``value``
    balance = [
        {**r, "statistic": r["variable"], "value": r.get("estimate", r.get("value"))}
        if r.get("variable") is not None
        else r
        for r in balance
    ]
    groups = _order((r.get("group") for r in balance), ("control", "g1", "g2", "g3"))
    stats = _order(
        (r.get("statistic") for r in balance if r.get("statistic") != "n_departments"),
        BALANCE_ORDER,
    )
    cell = {(r.get("statistic"), r.get("group")): r for r in balance}
    rows: list[Row] = []
    for s in stats:
        dec = 2 if s == "deprivation" else 0
        vals = [r.get("value") for r in balance if r.get("statistic") == s]
        # a share given as a proportion (0-1) is shown in percent, as its label says
        scale = (
            100.0
            if s != "deprivation" and vals and all(v is None or 0 <= float(v) <= 1 for v in vals)
            else 1.0
        )
        out = []
        for g in groups:
            r = cell.get((s, g))
            if r is None:
                out.append("")
            elif r.get("suppressed") or r.get("value") is None:
                out.append(SUPPRESSED_MARK)
            else:
                st = r.get("stars") or stars(r.get("p_value"))
                shown = fmt_num(float(r["value"]) * scale, dec, lang)
                out.append(shown + (str(st) if g != "control" else ""))
        rows.append(Row(label(lang, "baseline_variable", s), tuple(out), "coef"))
    n_row = []
    for g in groups:
        r = cell.get(("n_departments", g)) or next((x for x in balance if x.get("group") == g), {})
        n = r.get("value") if r.get("statistic") == "n_departments" else r.get("n")
        n_row.append(fmt_int(n, lang))
    rows.append(Row(text(lang, "n_basis"), tuple(n_row), "stat"))
    cols = tuple(label(lang, "group", g) for g in groups)
    title = text(lang, "baseline")
    return _finish(
        Table(key, title, cols, tuple(rows), (text(lang, "balance_note"),)), lang, rules
    )


def accounting_tables(
    accounting: list[dict[str, Any]], lang: str, *, rules: dict[str, Any] | None = None
) -> list[Table]:
    """Row accounting: where every department and resident row went, and the units per panel.

    The first table is a partition: departments in the records split into
    those not found in the register every year and those linked; resident
    rows split into rows outside the measurement years, rows in departments
    not found every year and rows in linked departments. The second table
    gives, per population and outcome, the departments and units used and
    the units excluded by reason.
    """
    general = {
        (r.get("table"), r.get("reason")): r for r in accounting if r.get("population") is None
    }

    def count(key: tuple[str, str]) -> Any:
        r = general.get(key)
        if r is None:
            return None
        return None if r.get("suppressed") and r.get("count") is None else r.get("count")

    def cell(value: Any, suppressed: bool = False) -> str:
        if value is None:
            return SUPPRESSED_MARK if suppressed else ""
        return fmt_int(value, lang)

    out: list[Table] = []
    overview: list[Row] = []
    n_dept = count(("departments", "in_records"))
    n_missing = count(("departments", "not_in_register_every_year"))
    if n_dept is not None:
        overview.append(Row(label(lang, "reason", "in_records"), (cell(n_dept),), "stat"))
        overview.append(Row("– " + label(lang, "reason", "not_in_register_every_year"),
                            (cell(n_missing, True),)))
        linked = None if n_missing is None else n_dept - n_missing
        overview.append(Row("– " + label(lang, "reason", "linked"), (cell(linked, True),)))
    n_rows = count(("residents", "in_file"))
    if n_rows is not None:
        outside = count(("residents", "outside_measurement_years"))
        not_linked = count(("residents", "not_in_register_every_year"))
        rest = (None if outside is None or not_linked is None
                else n_rows - outside - not_linked)
        overview.append(Row(label(lang, "reason", "in_file"), (cell(n_rows),), "stat"))
        overview.append(Row("– " + label(lang, "reason", "outside_measurement_years"),
                            (cell(outside, True),)))
        overview.append(Row("– " + label(lang, "reason", "rows_not_linked"),
                            (cell(not_linked, True),)))
        overview.append(Row("– " + label(lang, "reason", "rows_linked"), (cell(rest, True),)))
    if overview:
        title = f"{text(lang, 'design')}: {text(lang, 'departments_table')}"
        out.append(_finish(Table("accounting_departments", title, (text(lang, "count"),),
                                 tuple(overview), ()), lang, rules))

    panels = sorted(
        dict.fromkeys((r.get("population"), r.get("outcome")) for r in accounting
                      if r.get("population") is not None),
        key=lambda k: (
            POPULATION_ORDER.index(k[0]) if k[0] in POPULATION_ORDER else 99,
            OUTCOME_ORDER.index(k[1]) if k[1] in OUTCOME_ORDER else 99,
            str(k),
        ),
    )
    by_key = {(r.get("table"), r.get("population"), r.get("outcome"), r.get("reason")): r
              for r in accounting}
    columns = ("departments_used", "departments_below", "unit_kind", "units_used",
               "outside_population", "missing_outcome", "below_min_count")
    rows: list[Row] = []
    for pop, outc in panels:
        def get(table: str, reason: str, pop: Any = pop, outc: Any = outc) -> str:
            r = by_key.get((table, pop, outc, reason))
            if r is None:
                return ""
            return cell(r.get("count"), bool(r.get("suppressed")))

        unit_rec = by_key.get(("units", pop, outc, "used"))
        unit = label(lang, "reason", unit_rec.get("unit")) if unit_rec else ""
        rows.append(Row(
            f"{label(lang, 'population', pop)} – {label(lang, 'outcome', outc)}",
            (get("departments", "used"), get("departments", "below_min_count"), unit,
             get("units", "used"), get("units", "outside_population"),
             get("units", "missing_outcome"), get("units", "below_min_count")),
        ))
    if rows:
        heads = tuple(text(lang, c) if c in ("departments_used", "departments_below",
                                             "unit_kind", "units_used")
                      else label(lang, "reason", c) for c in columns)
        title = f"{text(lang, 'design')}: {text(lang, 'residents_table')}"
        out.append(_finish(Table("accounting_units", title, heads, tuple(rows), ()), lang,
                           rules))
    return out


def _survey_value(r: dict[str, Any] | None, lang: str) -> str:
    if r is None:
        return ""
    if r.get("suppressed") or r.get("value") is None:
        return SUPPRESSED_MARK
    stat = str(r.get("statistic"))
    v = r["value"]
    if stat in ("sent", "rank"):
        return fmt_int(v, lang)
    if stat == "p_value":
        return fmt_num(v, 3, lang)
    if stat.startswith("share") or stat == "mean_budget_share":
        return fmt_num(v, 0, lang)
    return fmt_num(v, 2, lang)


def _unit_note(recs: list[dict[str, Any]], lang: str) -> list[str]:
    units = {str(r.get("unit")) for r in recs if r.get("unit")}
    if "plan_actor" in units:
        units.add("plan")
    known = ("plan", "plan_actor", "answer")
    return [text(lang, f"unit_{u}") for u in known if u in units]


def survey_pivot(
    survey: list[dict[str, Any]],
    analysis: str,
    lang: str,
    *,
    rules: dict[str, Any] | None = None,
    item_labels: dict[str, dict[str, str]] | None = None,
    row_fields: Sequence[str] = ("item_id",),
    col_fields: Sequence[str] = ("actor", "wave", "statistic"),
    show_n: bool = True,
    title: str | None = None,
    filt: Callable[[dict[str, Any]], bool] | None = None,
    key: str | None = None,
    appendix: bool = False,
    source: str = "survey_source",
) -> Table | None:
    """Pivot survey records of one analysis into a table with an n row under each value row.

    Column fields with a single value are dropped from the header; the table
    notes state the unit and weighting.
    """
    recs = [r for r in survey if r.get("analysis") == analysis and (filt is None or filt(r))]
    if not recs:
        return None
    col_fields = [f for f in col_fields if len({r.get(f) for r in recs}) > 1] or [col_fields[-1]]
    row_fields = [f for f in row_fields if any(r.get(f) is not None for r in recs)]
    if "statistic" in col_fields and len(col_fields) > 1:
        # a statistic that belongs to the rows (one per item) goes into the row label
        per_row: dict[tuple[Any, ...], set[Any]] = {}
        for r in recs:
            per_row.setdefault(tuple(r.get(f) for f in row_fields), set()).add(r.get("statistic"))
        if all(len(v) == 1 for v in per_row.values()):
            col_fields = [f for f in col_fields if f != "statistic"]
            row_fields = [*row_fields, "statistic"]
    canon = {
        "actor": ACTOR_ORDER,
        "subset": SUBSET_ORDER,
        "category": CATEGORY_ORDER,
        "cohort": ("all", "control", "g1", "g2", "g3"),
    }

    def ordered(field: str) -> list[Any]:
        vals = [r.get(field) for r in recs]
        return _order(vals, canon.get(field, ()))

    def combos(fields: Sequence[str]) -> list[tuple[Any, ...]]:
        keys = list(dict.fromkeys(tuple(r.get(f) for f in fields) for r in recs))
        ranks = {f: {v: i for i, v in enumerate(ordered(f))} for f in fields}
        return sorted(
            keys, key=lambda k: tuple(ranks[f][v] for f, v in zip(fields, k, strict=True))
        )

    cols = combos(col_fields)
    rws = combos(row_fields) if row_fields else [()]
    cell = {
        (tuple(r.get(f) for f in row_fields), tuple(r.get(f) for f in col_fields)): r for r in recs
    }

    def lab(field: str, v: Any) -> str:
        if field == "item_id":
            return label(lang, "item", v, item_labels)
        if field == "wave":
            return str(v)
        kind = {"actor": "actor", "subset": "subset", "statistic": "statistic"}.get(field, "group")
        return label(lang, kind, v, item_labels)

    col_labels = tuple(
        COLUMN_GROUP_SEP.join(lab(f, v) for f, v in zip(col_fields, c, strict=True)) for c in cols
    )
    rows: list[Row] = []
    for rk in rws:
        vals = tuple(_survey_value(cell.get((rk, c)), lang) for c in cols)
        name = " – ".join(lab(f, v) for f, v in zip(row_fields, rk, strict=True))
        if not name and "statistic" not in col_fields:
            name = " – ".join(sorted({label(lang, "statistic", r.get("statistic")) for r in recs}))
        rows.append(Row(name, vals, "coef"))
        if show_n:
            ns = []
            for c in cols:
                nrec = cell.get((rk, c))
                ns.append(
                    f"n = {fmt_int(nrec['n'], lang)}"
                    if nrec is not None and nrec.get("n") is not None
                    else ""
                )
            if any(ns):
                rows.append(Row("", tuple(ns), "se"))
    notes = [*_unit_note(recs, lang), text(lang, source)]
    return _finish(
        Table(
            key or f"survey_{analysis}",
            title or label(lang, "analysis", analysis),
            col_labels,
            tuple(rows),
            tuple(notes),
            appendix=appendix,
        ),
        lang,
        rules,
    )


def challenge_level_table(
    levels: list[dict[str, Any]],
    changes: list[dict[str, Any]],
    lang: str,
    *,
    analysis: str,
    rules: dict[str, Any] | None = None,
) -> Table | None:
    """Seed Table 5.2: challenge level across actors per wave, the difference, interval, p-value."""
    lev = [r for r in levels if r.get("actor", "all") == "all"]
    # One row is one series: the difference, its interval and p come from the same
    # across-actor values as the wave columns, never from one actor group's records.
    chg = [r for r in changes if r.get("item_id") is None and r.get("actor", "all") == "all"]
    if not lev:
        return None
    waves = sorted({int(r["wave"]) for r in lev if r.get("wave") is not None})
    subsets = _order((r.get("subset") for r in lev), SUBSET_ORDER)
    stats = [
        s
        for s in ("difference", "ci_low", "ci_high", "p_value")
        if any(r.get("statistic") == s for r in chg)
    ]
    cols = tuple([str(w) for w in waves] + [label(lang, "statistic", s) for s in stats])
    rows: list[Row] = []
    for s in subsets:
        vals = [
            _survey_value(
                next((r for r in lev if r.get("subset") == s and r.get("wave") == w), None), lang
            )
            for w in waves
        ]
        vals += [
            _survey_value(
                next((r for r in chg if r.get("subset") == s and r.get("statistic") == st), None),
                lang,
            )
            for st in stats
        ]
        rows.append(Row(label(lang, "subset", s), tuple(vals), "coef"))
        ns = [
            next((r for r in lev if r.get("subset") == s and r.get("wave") == w), {}).get("n")
            for w in waves
        ]
        rows.append(
            Row(
                "",
                tuple(f"n = {fmt_int(n, lang)}" if n is not None else "" for n in ns)
                + ("",) * len(stats),
                "se",
            )
        )
    notes = (*_unit_note(lev, lang), text(lang, "survey_source"))
    return _finish(
        Table(
            f"survey_{analysis}",
            label(lang, "analysis", analysis),
            cols,
            tuple(rows),
            notes,
        ),
        lang,
        rules,
    )


def largest_challenges_table(
    records: list[dict[str, Any]],
    lang: str,
    *,
    analysis: str,
    rules: dict[str, Any] | None = None,
    item_labels: dict[str, dict[str, str]] | None = None,
) -> Table | None:
    """Seed Table 5.1: per actor group the five challenges with the highest mean, largest first."""
    recs = [r for r in records if r.get("statistic") == "rank"]
    if not recs:
        return None
    wave = max((int(r["wave"]) for r in recs if r.get("wave") is not None), default=None)
    recs = [r for r in recs if r.get("wave") == wave]
    actors = _order((r.get("actor") for r in recs), ACTOR_ORDER)
    ranks = sorted({int(r["value"]) for r in recs if r.get("value") is not None})
    rows = []
    for k in ranks:
        cells = []
        for a in actors:
            r = next((x for x in recs if x.get("actor") == a and x.get("value") == k), None)
            cells.append("" if r is None else label(lang, "item", r.get("item_id"), item_labels))
        rows.append(Row(str(k), tuple(cells), "plain"))
    title = label(lang, "analysis", analysis) + (
        f" ({wave})" if wave is not None else ""
    )
    return _finish(
        Table(
            f"survey_{analysis}",
            title,
            tuple(label(lang, "actor", a) for a in actors),
            tuple(rows),
            (text(lang, "unit_plan"), text(lang, "survey_source")),
            text_cols=len(actors),  # every cell names a challenge
        ),
        lang,
        rules,
    )


def suppression_table(log: list[dict[str, Any]], lang: str) -> Table | None:
    """The disclosure-control log: number of values per section and rule."""
    if not log:
        return None
    rows = tuple(
        Row(
            label(lang, "log", e.get("section")),
            (label(lang, "log", e.get("rule")), fmt_int(e.get("count"), lang)),
            "plain",
        )
        for e in log
    )
    return Table(
        "suppression_log",
        text(lang, "suppression"),
        (text(lang, "rule"), text(lang, "count")),
        rows,
        (),
        text(lang, "section"),
        1,
    )


CATEGORY_ORDER = ANSWER_CODES


def challenge_change_tables(
    records: list[dict[str, Any]],
    lang: str,
    *,
    analysis: str,
    rules: dict[str, Any] | None = None,
    item_labels: dict[str, dict[str, str]] | None = None,
) -> list[Table]:
    """Change in each challenge between the waves: across actors by subset, and by actor group.

    A cell is the difference in mean score with stars from its paired test;
    the first table has one column per subset of plans (actors weighted
    equally), the second one column per actor group (plans with answers from
    the same actor group in both waves).
    """
    recs = [r for r in records if r.get("item_id") is not None]
    if not recs:
        return []
    cell = {
        (r.get("item_id"), r.get("actor"), r.get("subset"), r.get("statistic")): r for r in recs
    }
    items = sorted(
        {str(r["item_id"]) for r in recs},
        key=lambda i: label(lang, "item", i, item_labels),
    )

    def value(item: str, actor: Any, subset: Any) -> tuple[str, str]:
        r = cell.get((item, actor, subset, "difference"))
        if r is None:
            return "", ""
        if r.get("suppressed") or r.get("value") is None:
            return SUPPRESSED_MARK, ""
        p = cell.get((item, actor, subset, "p_value"))
        st = "" if p is None else stars(p.get("value"))
        n = r.get("n")
        return fmt_num(r["value"], 2, lang) + st, "" if n is None else f"n = {fmt_int(n, lang)}"

    out: list[Table] = []
    specs = (
        ("all", None, "subset"),
        (None, "same_actor_both_waves", "actor"),
    )
    for actor, subset, across in specs:
        if across == "subset":
            keys = _order((r.get("subset") for r in recs if r.get("actor") == actor), SUBSET_ORDER)
            cols = [(actor, k) for k in keys]
            col_labels = tuple(label(lang, "subset_short", k) for k in keys)
            title = f"{label(lang, 'analysis', analysis)}: " + label(
                lang, "actor", "all"
            )
        else:
            keys = _order((r.get("actor") for r in recs if r.get("subset") == subset), ACTOR_ORDER)
            cols = [(k, subset) for k in keys]
            col_labels = tuple(label(lang, "actor", k) for k in keys)
            title = f"{label(lang, 'analysis', analysis)}: " + label(
                lang, "subset", subset
            )
        if not cols:
            continue
        rows: list[Row] = []
        for item in items:
            pairs = [value(item, a, s) for a, s in cols]
            rows.append(
                Row(label(lang, "item", item, item_labels), tuple(v for v, _ in pairs), "coef")
            )
            rows.append(Row("", tuple(n for _, n in pairs), "se"))
        notes = (text(lang, "change_note"), text(lang, "unit_plan"), text(lang, "survey_source"))
        out.append(
            _finish(
                Table(f"survey_{analysis}_{across}", title, col_labels, tuple(rows), notes),
                lang,
                rules,
            )
        )
    return out


def crosstab_table(
    records: list[dict[str, Any]],
    lang: str,
    *,
    analysis: str,
    rules: dict[str, Any] | None = None,
    item_labels: dict[str, dict[str, str]] | None = None,
) -> Table | None:
    """Cross-tabulations: per item and organisation variable, the answer shares of each level.

    Rows are the levels of the organisation variable under a heading row
    (item and variable, with the test's p-value); columns are the answer
    categories and the number of answers behind each row.
    """
    recs = list(records)
    if not recs:
        return None
    shares = [r for r in recs if r.get("statistic") != "p_value"]
    cats = _order((r.get("category") for r in shares), CATEGORY_ORDER)
    blocks = sorted(
        {(str(r.get("item_id")), str(r.get("group"))) for r in recs},
        key=lambda k: (label(lang, "item", k[0], item_labels), label(lang, "group", k[1])),
    )
    rows: list[Row] = []
    for item, group in blocks:
        sub = [r for r in recs if (str(r.get("item_id")), str(r.get("group"))) == (item, group)]
        test = next((r for r in sub if r.get("statistic") == "p_value"), None)
        head = f"{label(lang, 'item', item, item_labels)} – {label(lang, 'group', group)}"
        p_cell = "" if test is None else _survey_value(test, lang)
        # A test over a row whose shares are hidden would say something about it.
        if any(r.get("suppressed") for r in sub if r.get("statistic") != "p_value"):
            p_cell = "" if test is None else SUPPRESSED_MARK
        rows.append(Row(head, ("",) * len(cats) + ("", p_cell), "stat"))
        level_key = "level" if any(r.get("level") is not None for r in sub) else "group"
        levels = _order(
            (r.get(level_key) for r in sub if r.get("statistic") != "p_value"), CATEGORY_ORDER
        )
        for lv in levels:
            lrecs = {
                r.get("category"): r
                for r in sub
                if r.get(level_key) == lv and r.get("statistic") != "p_value"
            }
            vals = tuple(_survey_value(lrecs.get(c), lang) for c in cats)
            n = next((r.get("n") for r in lrecs.values() if r.get("n") is not None), None)
            rows.append(
                Row("  " + label(lang, "group", lv), (*vals, fmt_int(n, lang), ""), "plain")
            )
    cols = (
        *(label(lang, "group", c) for c in cats),
        text(lang, "n"),
        text(lang, "p_value"),
    )
    notes = (text(lang, "unit_answer"), text(lang, "crosstab_test_note"),
             text(lang, "survey_source"))
    actors = sorted({str(r.get("actor")) for r in recs if r.get("actor")})
    waves = sorted({str(r.get("wave")) for r in recs if r.get("wave") is not None})
    who = ", ".join([*(label(lang, "actor", a) for a in actors), *waves])
    return _finish(
        Table(
            f"survey_{analysis}",
            label(lang, "analysis", analysis) + (f": {lower_first(who)}" if who else "")
            + " (%)",
            cols,
            tuple(rows),
            notes,
        ),
        lang,
        rules,
    )


def _cell_value(r: dict[str, Any] | None, dec: int, lang: str, star: bool = False) -> str:
    if r is None:
        return ""
    if r.get("suppressed") or r.get("value") is None:
        return SUPPRESSED_MARK
    return fmt_num(r["value"], dec, lang) + (stars(r.get("p_value")) if star else "")


def rent_round_table(
    records: list[dict[str, Any]], lang: str, *, key: str, rules: dict[str, Any] | None = None
) -> Table | None:
    """Seed table 4.8: departments by rent-support round (rows) and group (columns), percent."""
    if not records:
        return None
    groups = _order((r.get("group") for r in records), ("control", "g1", "g2", "g3"))
    rounds = sorted({str(r["round"]) for r in records if r.get("round") is not None},
                    key=lambda x: (x != "none", x))
    cell = {(r.get("group"), r.get("round")): r for r in records
            if r.get("statistic") == "share_departments"}
    rows: list[Row] = []
    for rnd in rounds:
        name = (text(lang, "rs_none") if rnd == "none"
                else text(lang, "rs_round").format(x=rnd.lstrip("r")))
        rows.append(Row(name, tuple(_cell_value(cell.get((g, rnd)), 0, lang) or
                                    fmt_num(0, 0, lang) for g in groups), "coef"))
    rows.append(Row(text(lang, "total"), tuple(fmt_num(100, 0, lang) for _ in groups), "stat"))
    n = {r.get("group"): r for r in records if r.get("statistic") == "n_departments"}
    rows.append(Row(text(lang, "n_basis"),
                    tuple(_cell_value(n.get(g), 0, lang) for g in groups), "stat"))
    cols = tuple(label(lang, "group", g) for g in groups)
    notes = (text(lang, "rs_unit_note"), text(lang, "source"))
    return _finish(Table(key, text(lang, "rs_rounds_title"), cols, tuple(rows), notes), lang,
                   rules)


def deprivation_support_table(
    records: list[dict[str, Any]], lang: str, *, key: str, rules: dict[str, Any] | None = None
) -> Table | None:
    """Seed table 4.9: mean deprivation by pooled group and rent support, t-test stars."""
    if not records:
        return None
    cols_keys = [(g, s) for g in ("control", "intervention") for s in (0, 1)
                 if any(r.get("group") == g and r.get("rent_support") == s for r in records)]
    cell = {(r.get("group"), r.get("rent_support")): r for r in records}
    head = {"control": text(lang, "control"), "intervention": text(lang, "rs_intervention")}
    cols = tuple(f"{head[g]} – {text(lang, 'rs_with' if s else 'rs_without')}"
                 for g, s in cols_keys)
    rows = (
        Row(label(lang, "baseline_variable", "deprivation"),
            tuple(_cell_value(cell.get(k), 2, lang, star=k[1] == 1) for k in cols_keys), "coef"),
        Row(text(lang, "n_basis"),
            tuple(fmt_int(cell[k].get("n"), lang) for k in cols_keys), "stat"),
    )
    notes = (text(lang, "rs_deprivation_note"), text(lang, "source"))
    return _finish(Table(key, text(lang, "rs_deprivation_title"), cols, rows, notes), lang, rules)


def goals_top_table(
    records: list[dict[str, Any]],
    lang: str,
    *,
    analysis: str,
    rules: dict[str, Any] | None = None,
    item_labels: dict[str, dict[str, str]] | None = None,
) -> Table | None:
    """Seed Table 3.1: per actor group its top-ranked goals and the share "to a high degree".

    Rows run by actor group in the seed's order (project leaders, housing
    managers, municipalities, tenant boards), ranks 1 to 3 within each; the
    last wave only. A suppressed share is shown as the suppression mark.
    """
    recs = [r for r in records if r.get("rank") is not None and r.get("actor") in ACTORS]
    if not recs:
        return None
    wave = max((int(r["wave"]) for r in recs if r.get("wave") is not None), default=None)
    recs = [r for r in recs if r.get("wave") == wave]
    rows: list[Row] = []
    for actor in _order((r.get("actor") for r in recs), ACTORS):
        ranked = sorted((r for r in recs if r.get("actor") == actor), key=lambda r: r["rank"])
        for i, r in enumerate(ranked):
            rows.append(Row(
                label(lang, "actor", actor) if i == 0 else "",
                (label(lang, "item", r.get("item_id"), item_labels), _survey_value(r, lang)),
                "plain",
            ))
    who = f" ({wave})" if wave is not None else ""
    return _finish(
        Table(
            f"survey_{analysis}_top",
            text(lang, "goals_top_title") + who,
            (text(lang, "goals_top_goal"), text(lang, "goals_top_share")),
            tuple(rows),
            (text(lang, "unit_answer"), text(lang, "survey_source")),
            text(lang, "actor_group"),
            text_cols=1,
        ),
        lang,
        rules,
    )


#: Answer categories of seed table 9.1, in its order ("not relevant" only when answered).
FOCUS_CATEGORIES = ("high_degree", "some_degree", "small_degree", "not_at_all", "dont_know",
                    "not_relevant")


def goal_focus_table(
    records: list[dict[str, Any]],
    lang: str,
    *,
    item: str,
    group: str,
    key: str,
    rules: dict[str, Any] | None = None,
    item_labels: dict[str, dict[str, str]] | None = None,
) -> Table | None:
    """Seed Table 9.1: one item's answer shares by one yes/no plan attribute, yes first.

    Columns are the answer categories in the seed's order (high, some,
    small, not at all, don't know; "not relevant" only when someone gave
    it), then the number of answers per row. Title states item, attribute,
    actor group and wave; the note gives the test (hidden when a share is).
    """
    recs = [r for r in records if r.get("item_id") == item and r.get("group") == group]
    shares = [r for r in recs if r.get("statistic") == "share"]
    if not shares:
        return None
    cats = [c for c in FOCUS_CATEGORIES[:-1]]
    if any(r.get("category") == "not_relevant" and (r.get("suppressed") or r.get("count"))
           for r in shares):
        cats.append("not_relevant")
    rows: list[Row] = []
    for level in _order((r.get("level") for r in shares), ("yes", "no")):
        cell = {r.get("category"): r for r in shares if r.get("level") == level}
        n = next((r.get("n") for r in cell.values() if r.get("n") is not None), None)
        rows.append(Row(label(lang, "group", level),
                        (*(_survey_value(cell.get(c), lang) for c in cats),
                         "" if n is None else fmt_int(n, lang)), "plain"))
    test = next((r for r in recs if r.get("statistic") == "p_value"), None)
    notes = [text(lang, "focus_rows_note"), text(lang, "unit_answer")]
    if test is not None and test.get("test") not in (None, "none"):
        hidden = any(r.get("suppressed") for r in shares)
        p = SUPPRESSED_MARK if hidden else _survey_value(test, lang)
        notes.append(text(lang, "focus_test_note").format(
            p=p, test=label(lang, "test", test.get("test"))))
    notes.append(text(lang, "survey_source"))
    actor = next((r.get("actor") for r in shares), None)
    wave = next((r.get("wave") for r in shares), None)
    who = ", ".join(s for s in (label(lang, "actor", actor) if actor else "",
                                "" if wave is None else str(wave)) if s)
    title = text(lang, "focus_title").format(
        item=lower_first(label(lang, "item", item, item_labels)),
        group=lower_first(label(lang, "group", group)))
    return _finish(
        Table(
            key,
            title + (f": {lower_first(who)}" if who else "") + " (%)",
            (*(label(lang, "group", c) for c in cats), text(lang, "n")),
            tuple(rows),
            tuple(notes),
            label(lang, "group", group),
        ),
        lang,
        rules,
    )


# --------------------------------------------------------------------------- costs and reach

_COST_TERMS = ("programme_cost", "window_cost", "cost_per_dwelling", "cost_per_resident_year",
               "resident_years", "effect", "extra_outcome", "cost_per_extra_employed",
               "income_per_dkk")
#: Decimals of each cost term (None: the outcome's own).
_COST_DECIMALS: dict[str, int | None] = {
    "programme_cost": 0, "window_cost": 0, "cost_per_dwelling": 0,
    "cost_per_resident_year": 0, "resident_years": 0, "effect": None, "extra_outcome": 0,
    "cost_per_extra_employed": 0, "income_per_dkk": 2,
}


def _cost_cells(r: dict[str, Any], dec: int, lang: str) -> list[str]:
    """Estimate, SE, interval (or the unbounded set) and p-value of a cost record."""
    cells = _stat_cells(r, dec, lang, with_stars=False)
    if r.get("suppressed") or r.get("estimate") is None:
        return cells
    if r.get("bounded") is False and r.get("set_low") is not None \
            and r.get("set_high") is not None:
        cells[2] = _diag(lang, "unbounded_set", a=fmt_num(r["set_low"], dec, lang),
                         b=fmt_num(r["set_high"], dec, lang))
    if r.get("std_error") is None:
        cells[1:] = ["", "", ""]
    return cells


def _cost_rows(recs: list[dict[str, Any]], dec: int, lang: str) -> tuple[list[str], list[Row]]:
    """Cost-effectiveness: per cohort (start year) and the whole programme, one row per term."""
    def group_key(g: Any) -> tuple[int, tuple[int, float, str]]:
        return (1, (0, 0.0, "")) if str(g) == "programme" else (0, _sort_num(g))

    rows: list[Row] = []
    for g in sorted({r.get("group") for r in recs}, key=group_key):
        name = _diag(lang, "programme") if str(g) == "programme" else _cohort_label(lang, g)
        sub = [r for r in recs if r.get("group") == g and r.get("term") in _COST_TERMS]
        for i, r in enumerate(sorted(sub, key=lambda r: _COST_TERMS.index(r["term"]))):
            own = _COST_DECIMALS.get(str(r["term"]))
            cells = _cost_cells(r, dec if own is None else own, lang)
            rows.append(Row(name if i == 0 else "", (_diag(lang, str(r["term"])), *cells)))
    return [_diag(lang, "cost_term")], rows


_REACH_TERMS = ("itt", "share_reached", "effect_reached", "mde", "mde_reached")


def _reach_rows(recs: list[dict[str, Any]], dec: int, lang: str) -> tuple[list[str], list[Row]]:
    """The effect on those reached: ITT, share reached, ITT / share and the MDEs."""
    rows = []
    for r in sorted((r for r in recs if r.get("term") in _REACH_TERMS),
                    key=lambda r: _REACH_TERMS.index(r["term"])):
        cells = _cost_cells(r, 2 if r["term"] == "share_reached" else dec, lang)
        if r["term"] == "share_reached" and not r.get("std_error"):
            cells[1:] = ["", "", ""]  # the plans' own records: no sampling error
        rows.append(Row(_diag(lang, str(r["term"])), tuple(cells)))
    return [], rows


COST_LAYOUT = Layout(_cost_rows, "cost_note", "treated", 1)
REACH_LAYOUT = Layout(_reach_rows, "reach_note")
