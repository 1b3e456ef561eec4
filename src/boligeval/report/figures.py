"""Figures of the report, drawn with matplotlib (Agg, no pyplot state).

Each figure is rendered to SVG and PNG bytes that are identical for
identical input: the SVG hash salt is fixed and no date or software version
is written into the files. Suppressed values are left out of the plot and
the figure note says so.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any, cast

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from boligeval.report.i18n import fmt_num, label, lower_first, text
from boligeval.report.tables import (
    ACTOR_ORDER,
    OUTCOME_ORDER,
    POPULATION_ORDER,
    _order,
    decimals_for,
)

__all__ = [
    "Figure",
    "actor_figure",
    "change_figure",
    "coefficient_figure",
    "decomposition_figure",
    "event_figure",
    "result_area_bars",
    "result_area_figure",
    "result_type_figure",
    "result_type_rows",
    "trend_figures",
]

PALETTE = ("#1b4f72", "#d35400", "#239b56", "#7d3c98", "#b7950b", "#566573")
RC = {
    "svg.hashsalt": "boligeval",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "path.simplify": False,
}


@dataclass(frozen=True)
class Figure:
    """A rendered figure: stable key, caption, note and the SVG and PNG bytes."""

    key: str
    title: str
    svg: bytes
    png: bytes
    note: str = ""


def _rc() -> Any:
    """Matplotlib settings of every figure (fixed SVG hash salt, fonts, style)."""
    return matplotlib.rc_context(cast(Any, RC))


def _or(x: Any, default: float) -> float:
    v = _num(x)
    return default if v is None else v


def _num(x: Any) -> float | None:
    if x is None:
        return None
    v = float(x)
    return None if math.isnan(v) else v


def _render(fig: MplFigure) -> tuple[bytes, bytes]:
    FigureCanvasAgg(fig)
    svg, png = io.BytesIO(), io.BytesIO()
    with _rc():
        fig.savefig(
            svg, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight"
        )
        fig.savefig(png, format="png", dpi=150, metadata={"Software": None}, bbox_inches="tight")
    return svg.getvalue(), png.getvalue()


def _formatter(lang: str, dec: int) -> FuncFormatter:
    return FuncFormatter(lambda v, _pos: fmt_num(v, dec, lang))


def _new(width: float, height: float) -> MplFigure:
    with _rc():
        return MplFigure(figsize=(width, height), layout="constrained")


def trend_figures(cells: list[dict[str, Any]], lang: str) -> list[Figure]:
    """Cohort means by year with 95 % intervals, one figure per population and outcome."""
    out: list[Figure] = []
    keys = sorted(
        {(c.get("population"), c.get("outcome")) for c in cells},
        key=lambda k: (
            POPULATION_ORDER.index(k[0]) if k[0] in POPULATION_ORDER else 99,
            OUTCOME_ORDER.index(k[1]) if k[1] in OUTCOME_ORDER else 99,
            str(k),
        ),
    )
    for pop, outcome in keys:
        sub = [c for c in cells if c.get("population") == pop and c.get("outcome") == outcome]
        cohorts = _order((c.get("cohort") for c in sub), ("control", "g1", "g2", "g3"))
        hidden = any(c.get("suppressed") or c.get("mean") is None for c in sub)
        if all(_num(c.get("mean")) is None for c in sub):
            continue
        with _rc():
            fig = _new(6.4, 3.6)
            ax: Axes = fig.add_subplot()
            years = sorted({int(c["year"]) for c in sub})
            offset = {g: (i - (len(cohorts) - 1) / 2) * 0.08 for i, g in enumerate(cohorts)}
            for i, g in enumerate(cohorts):
                pts = sorted(
                    (c for c in sub if c.get("cohort") == g and _num(c.get("mean")) is not None),
                    key=lambda c: int(c["year"]),
                )
                if not pts:
                    continue
                xs = [int(c["year"]) + offset[g] for c in pts]
                ys = [float(c["mean"]) for c in pts]
                lo = [y - _or(c.get("ci_low"), y) for c, y in zip(pts, ys, strict=True)]
                hi = [_or(c.get("ci_high"), y) - y for c, y in zip(pts, ys, strict=True)]
                ax.errorbar(
                    xs,
                    ys,
                    yerr=[lo, hi],
                    marker="o",
                    capsize=3,
                    color=PALETTE[i % len(PALETTE)],
                    label=label(lang, "group", g),
                )
            ax.set_xticks(years, [str(y) for y in years])
            ax.set_xlabel(label(lang, "figure", "x_year"))
            ax.set_ylabel(label(lang, "outcome", outcome))
            ax.yaxis.set_major_formatter(_formatter(lang, 1 if decimals_for(outcome) else 0))
            ax.legend(frameon=False, fontsize=8)
        svg, png = _render(fig)
        what = f"{label(lang, 'population', pop)}, {lower_first(label(lang, 'outcome', outcome))}"
        out.append(
            Figure(
                f"trends_{pop}_{outcome}",
                label(lang, "figure", "trends").format(what=what),
                svg,
                png,
                _hidden_note(lang) if hidden else "",
            )
        )
    return out


def _hidden_note(lang: str) -> str:
    return "· " + text(lang, "suppressed_note").split("(")[0].strip(" =·")


def coefficient_figure(estimates: list[dict[str, Any]], lang: str) -> Figure | None:
    """The effect of an active plan with its interval, by outcome and population."""
    recs = [
        r
        for r in estimates
        if r.get("term") == "active_plan" and r.get("model") in (None, "without_movers")
    ]
    if not recs:
        return None
    outcomes = _order((r.get("outcome") for r in recs), OUTCOME_ORDER)
    with _rc():
        fig = _new(
            6.4,
            1.2
            + 1.1
            * sum(
                len({r.get("population") for r in recs if r.get("outcome") == o}) for o in outcomes
            )
            / 2,
        )
        axes = fig.subplots(len(outcomes), 1, squeeze=False)[:, 0]
        for ax, outcome in zip(axes, outcomes, strict=True):
            sub = [r for r in recs if r.get("outcome") == outcome]
            pops = _order((r.get("population") for r in sub), POPULATION_ORDER)
            for i, pop in enumerate(pops):
                r = next(x for x in sub if x.get("population") == pop)
                est = _num(r.get("estimate"))
                if est is None or r.get("suppressed"):
                    continue
                lo, hi = _num(r.get("ci_low")), _num(r.get("ci_high"))
                err = [[est - lo if lo is not None else 0.0], [hi - est if hi is not None else 0.0]]
                ax.errorbar([est], [i], xerr=err, fmt="o", capsize=3, color=PALETTE[0])
            ax.axvline(0, color="#444444", linewidth=0.8)
            ax.set_yticks(range(len(pops)), [label(lang, "population", p) for p in pops])
            ax.set_ylim(-0.7, len(pops) - 0.3)
            ax.invert_yaxis()
            ax.set_title(label(lang, "outcome", outcome), fontsize=9, loc="left")
            ax.xaxis.set_major_formatter(_formatter(lang, 1 if decimals_for(outcome) else 0))
    svg, png = _render(fig)
    return Figure("coefficients", label(lang, "figure", "coef"), svg, png)


def event_figure(estimates: list[dict[str, Any]], lang: str, key: str,
                 estimator: str | None = None) -> Figure | None:
    """Event-study coefficients by event time, one panel per population and outcome."""
    recs = [r for r in estimates if r.get("event_time") is not None]
    if not recs:
        return None
    keys = sorted({(r.get("population"), r.get("outcome")) for r in recs}, key=str)
    with _rc():
        fig = _new(6.4, 2.8 * len(keys))
        axes = fig.subplots(len(keys), 1, squeeze=False)[:, 0]
        for ax, (pop, outcome) in zip(axes, keys, strict=True):
            sub = sorted(
                (
                    r
                    for r in recs
                    if (r.get("population"), r.get("outcome")) == (pop, outcome)
                    and not r.get("suppressed")
                    and _num(r.get("estimate")) is not None
                ),
                key=lambda r: float(r["event_time"]),
            )
            xs = [float(r["event_time"]) for r in sub]
            ys = [float(r["estimate"]) for r in sub]
            lo = [y - _or(r.get("ci_low"), y) for r, y in zip(sub, ys, strict=True)]
            hi = [_or(r.get("ci_high"), y) - y for r, y in zip(sub, ys, strict=True)]
            ax.errorbar(xs, ys, yerr=[lo, hi], fmt="o-", capsize=3, color=PALETTE[0])
            ax.axhline(0, color="#444444", linewidth=0.8)
            ax.axvline(-0.5, color="#999999", linewidth=0.8, linestyle="--")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            xlabel = label(lang, "figure", "x_event")
            step = next((r.get("period_years") for r in sub if r.get("period_years")), None)
            if step:
                xlabel += " " + text(lang, "event_period_length").format(x=step)
            ax.set_xlabel(xlabel)
            ax.set_ylabel(label(lang, "figure", "y_effect"))
            ax.set_title(
                f"{label(lang, 'population', pop)}: {label(lang, 'outcome', outcome)}",
                fontsize=9,
                loc="left",
            )
            ax.yaxis.set_major_formatter(_formatter(lang, 1 if decimals_for(outcome) else 0))
    svg, png = _render(fig)
    title = label(lang, "figure", "event")
    if estimator:  # the robust event studies say which estimator drew them
        title = f"{title} – {estimator}"
    return Figure(key, title, svg, png)


def decomposition_figure(recs: list[dict[str, Any]], lang: str, key: str) -> Figure | None:
    """The effect on the change in department means and on each mover term."""
    if not recs:
        return None
    keys = sorted({(r.get("population"), r.get("outcome")) for r in recs}, key=str)
    with _rc():
        fig = _new(6.4, 2.6 * len(keys))
        axes = fig.subplots(len(keys), 1, squeeze=False)[:, 0]
        for ax, (pop, outcome) in zip(axes, keys, strict=True):
            sub = [r for r in recs if (r.get("population"), r.get("outcome")) == (pop, outcome)]
            order = ("change", "stayers", "in_movers", "out_movers")
            names = sorted(
                dict.fromkeys(
                    str(r.get("component") or r.get("group") or r.get("term")) for r in sub
                ),
                key=lambda n: order.index(n) if n in order else len(order),
            )
            for i, name in enumerate(names):
                r = next(
                    x
                    for x in sub
                    if str(x.get("component") or x.get("group") or x.get("term")) == name
                )
                est = _num(r.get("estimate"))
                if est is None or r.get("suppressed"):
                    continue
                lo, hi = _num(r.get("ci_low")), _num(r.get("ci_high"))
                ax.barh([i], [est], color=PALETTE[i % len(PALETTE)])
                if lo is not None and hi is not None:
                    ax.errorbar(
                        [est],
                        [i],
                        xerr=[[est - lo], [hi - est]],
                        fmt="none",
                        ecolor="#222222",
                        capsize=3,
                    )
            ax.axvline(0, color="#444444", linewidth=0.8)
            ax.set_yticks(range(len(names)), [label(lang, "diag", n) for n in names])
            ax.invert_yaxis()
            ax.set_title(
                f"{label(lang, 'population', pop)}: {label(lang, 'outcome', outcome)}",
                fontsize=9,
                loc="left",
            )
            ax.xaxis.set_major_formatter(_formatter(lang, 1 if decimals_for(outcome) else 0))
    svg, png = _render(fig)
    return Figure(key, label(lang, "figure", key), svg, png)


def actor_figure(levels: list[dict[str, Any]], lang: str) -> Figure | None:
    """The challenge level by actor group and wave."""
    recs = [
        r
        for r in levels
        if r.get("subset", "all_answers") == "all_answers"
        and r.get("statistic", "mean") == "mean"
    ]
    if not recs:
        return None
    actors = _order((r.get("actor") for r in recs), ACTOR_ORDER)
    waves = sorted({int(r["wave"]) for r in recs if r.get("wave") is not None})
    width = 0.8 / max(len(waves), 1)
    with _rc():
        fig = _new(6.4, 3.4)
        ax: Axes = fig.add_subplot()
        for j, w in enumerate(waves):
            xs, ys = [], []
            for i, a in enumerate(actors):
                r = next((x for x in recs if x.get("actor") == a and x.get("wave") == w), None)
                v = None if r is None or r.get("suppressed") else _num(r.get("value"))
                if v is not None:
                    xs.append(i + (j - (len(waves) - 1) / 2) * width)
                    ys.append(v)
            ax.bar(xs, ys, width=width * 0.95, color=PALETTE[j % len(PALETTE)], label=str(w))
        ax.set_xticks(
            range(len(actors)), [label(lang, "actor", a) for a in actors], rotation=15, ha="right"
        )
        ax.set_ylim(1, 4)
        ax.set_ylabel(label(lang, "figure", "y_score"))
        ax.yaxis.set_major_formatter(_formatter(lang, 1))
        ax.legend(frameon=False, fontsize=8, title=text(lang, "wave"))
    svg, png = _render(fig)
    return Figure("survey_actor", label(lang, "figure", "survey_actor"), svg, png)


def change_figure(
    changes: list[dict[str, Any]],
    item_means: list[dict[str, Any]],
    lang: str,
    item_labels: dict[str, dict[str, str]] | None,
    key: str,
) -> Figure | None:
    """Change in each challenge between the waves, sorted (seed figure 5.1).

    Uses the plan-panel differences of ``changes``; without them, the
    difference of the item means of the first and last wave.
    """
    recs = [
        r
        for r in changes
        if r.get("item_id") is not None
        and r.get("statistic") == "difference"
        and r.get("actor", "all") == "all"
        and r.get("subset", "all_answers") == "all_answers"
    ]
    pairs: list[tuple[str, float]] = [
        (str(r["item_id"]), float(r["value"]))
        for r in recs
        if not r.get("suppressed") and _num(r.get("value")) is not None
    ]
    if not recs:
        means = [
            r
            for r in item_means
            if r.get("actor") == "all"
            and r.get("statistic", "mean") == "mean"
            and r.get("item_id") is not None
        ]
        waves = sorted({int(r["wave"]) for r in means if r.get("wave") is not None})
        if len(waves) < 2:
            return None

        def by_item(wave: int) -> dict[str, float]:
            return {
                str(r["item_id"]): float(r["value"])
                for r in means
                if r.get("wave") == wave
                and not r.get("suppressed")
                and _num(r.get("value")) is not None
            }

        first, last = by_item(waves[0]), by_item(waves[-1])
        pairs = [(k, first[k] - v) for k, v in last.items() if k in first]
    if not pairs:
        return None
    pairs.sort(key=lambda p: (p[1], p[0]))
    with _rc():
        fig = _new(6.4, 1.0 + 0.28 * len(pairs))
        ax: Axes = fig.add_subplot()
        ys = range(len(pairs))
        ax.barh(
            list(ys),
            [v for _, v in pairs],
            color=[PALETTE[1] if v < 0 else PALETTE[0] for _, v in pairs],
        )
        ax.set_yticks(list(ys), [label(lang, "item", k, item_labels) for k, _ in pairs])
        ax.axvline(0, color="#444444", linewidth=0.8)
        ax.set_xlabel(label(lang, "figure", "x_change"))
        ax.xaxis.set_major_formatter(_formatter(lang, 2))
    svg, png = _render(fig)
    return Figure(key, label(lang, "figure", key), svg, png)


def _last_wave(recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records of the latest wave among ``recs``."""
    wave = max((int(r["wave"]) for r in recs if r.get("wave") is not None), default=None)
    return [r for r in recs if r.get("wave") == wave]


def _value(r: dict[str, Any] | None) -> float | None:
    """A published value, or None when it is missing or suppressed."""
    return None if r is None or r.get("suppressed") else _num(r.get("value"))


def result_area_bars(
    records: list[dict[str, Any]],
) -> tuple[list[str], list[tuple[str, dict[str, float | None]]]]:
    """Data of seed figure 5.2: per intervention area each actor group's mean score.

    Returns
    -------
    actors : list of str
        Actor groups with a value, in the seed's order.
    areas : list of (item_id, {actor: value})
        Latest wave; sorted by the across-actor mean, largest first (ties
        and suppressed means by item id). A suppressed value is None.
    """
    recs = _last_wave([r for r in records if r.get("item_id") is not None
                       and r.get("statistic", "mean") == "mean"])
    cell = {(str(r["item_id"]), str(r.get("actor"))): r for r in recs}
    actors = [a for a in ACTOR_ORDER[1:] if any(k[1] == a for k in cell)]
    items = sorted({k[0] for k in cell},
                   key=lambda i: (-_or(_value(cell.get((i, "all"))), -math.inf), i))
    return actors, [(i, {a: _value(cell.get((i, a))) for a in actors}) for i in items]


def result_area_figure(
    records: list[dict[str, Any]],
    lang: str,
    item_labels: dict[str, dict[str, str]] | None,
    key: str,
) -> Figure | None:
    """Seed figure 5.2: results by intervention area, one bar per actor group."""
    actors, areas = result_area_bars(records)
    if not actors or not areas:
        return None
    hidden = any(v is None for _, vals in areas for v in vals.values())
    width = 0.8 / len(actors)
    with _rc():
        fig = _new(6.4, 1.2 + 0.15 * len(actors) * len(areas))
        ax: Axes = fig.add_subplot()
        for j, a in enumerate(actors):
            pts = [(i + (j - (len(actors) - 1) / 2) * width, vals[a])
                   for i, (_, vals) in enumerate(areas) if vals[a] is not None]
            ax.barh([y for y, _ in pts], [cast(float, v) for _, v in pts], height=width * 0.95,
                    color=PALETTE[j % len(PALETTE)], label=label(lang, "actor", a))
        ax.set_yticks(range(len(areas)),
                      [label(lang, "item", i, item_labels) for i, _ in areas])
        ax.invert_yaxis()
        ax.set_xlim(1, 4)
        ax.set_xlabel(label(lang, "figure", "y_score"))
        ax.xaxis.set_major_formatter(_formatter(lang, 1))
        ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12),
                  ncol=len(actors))
    svg, png = _render(fig)
    note = text(lang, "result_area_note") + (f" {_hidden_note(lang)}" if hidden else "")
    return Figure(key, label(lang, "figure", key), svg, png, note)


#: The seed's grouping of the result types (figure 5.3 and its text): three themes it finds
#: reached to some or a high degree, then three reached only to a small degree.
THEME_ORDER = ("social_activities", "collaboration", "wellbeing_safety",
               "resident_mix", "employment", "health")


def result_type_rows(records: list[dict[str, Any]]) -> list[tuple[str, str, float | None]]:
    """Data of seed figure 5.3: themes in the seed's order, each followed by its result types.

    Returns
    -------
    list of (kind, id, value)
        ``("theme", theme, theme mean)`` then ``("item", item_id, mean)`` for
        its items, largest first; across actor groups, latest wave. Result
        types without a theme come last under the theme ``""``. A suppressed
        value is None.
    """
    recs = _last_wave([r for r in records if r.get("actor") == "all"
                       and r.get("statistic", "mean") == "mean"])
    themes = _order((r.get("theme") or "" for r in recs if r.get("item_id") is not None),
                    (*THEME_ORDER, ""))
    out: list[tuple[str, str, float | None]] = []
    for t in themes:
        head = next((r for r in recs if r.get("item_id") is None and (r.get("theme") or "") == t
                     and t), None)
        out.append(("theme", t, _value(head)))
        items = [r for r in recs if r.get("item_id") is not None and (r.get("theme") or "") == t]
        items.sort(key=lambda r: (-_or(_value(r), -math.inf), str(r["item_id"])))
        out += [("item", str(r["item_id"]), _value(r)) for r in items]
    return out


def result_type_figure(
    records: list[dict[str, Any]],
    lang: str,
    item_labels: dict[str, dict[str, str]] | None,
    key: str,
) -> Figure | None:
    """Seed figure 5.3: result types grouped into themes, mean score across actor groups."""
    rows = result_type_rows(records)
    if not any(kind == "item" for kind, _, _ in rows):
        return None
    hidden = any(v is None for kind, t, v in rows if kind == "item" or t)
    with _rc():
        fig = _new(6.4, 1.0 + 0.26 * len(rows))
        ax: Axes = fig.add_subplot()
        names = []
        for y, (kind, ident, v) in enumerate(rows):
            if kind == "theme":
                names.append(label(lang, "theme", ident) if ident else text(lang, "other_theme"))
            else:
                names.append("   " + label(lang, "item", ident, item_labels))
            if v is not None:
                ax.barh([y], [v], height=0.75 if kind == "item" else 0.5,
                        color=PALETTE[0] if kind == "item" else PALETTE[5])
        ax.set_yticks(range(len(rows)), names)
        for tick, (kind, _, _) in zip(ax.get_yticklabels(), rows, strict=True):
            if kind == "theme":
                tick.set_fontweight("bold")
        ax.invert_yaxis()
        ax.set_xlim(1, 4)
        ax.set_xlabel(label(lang, "figure", "y_score"))
        ax.xaxis.set_major_formatter(_formatter(lang, 1))
    svg, png = _render(fig)
    note = text(lang, "result_type_note") + (f" {_hidden_note(lang)}" if hidden else "")
    return Figure(key, label(lang, "figure", key), svg, png, note)
