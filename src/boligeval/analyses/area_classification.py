"""The official area classification (almenboligloven § 61 a / § 61 b) per area and year.

Runs on every evaluation whose departments carry an ``area_id``: per area
and year each criterion's value, two-year average, threshold and result,
the number of criteria met and the status under the config's ruleset
(``[areas] ruleset``); the transitions between years; and, with an
``official_list`` table, the reconciliation with the published list.
Records go to the ``areas`` section of results.json (docs/areas.md).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from boligeval.analyses import register
from boligeval.analyses.base import Context, PanelAnalysis
from boligeval.records import AREAS, Record, from_rows

_KIND = {"outside": "share", "convictions": "share", "basic_education": "share",
         "income": "amount"}


def classification(ctx: Context) -> Any:
    """The :class:`~boligeval.areas.AreaClassification` of the run's areas, or None without areas.

    Raises
    ------
    ContractError
        When the departments form areas but the reference figures are missing.
    """
    from boligeval.areas import classify, load_ruleset

    panel = ctx.register
    if panel.area_departments().empty:
        return None
    ruleset = load_ruleset(ctx.cfg.areas.ruleset)
    counts = panel.area_counts(ruleset)
    reference: pd.DataFrame | None
    if ctx.cfg.areas.reference == "data":
        reference = panel.national_reference(ruleset)
    else:
        reference = panel.table("reference")
        if reference is None:
            from boligeval.errors import ContractError

            raise ContractError(
                "The departments form areas (area_id), but there is no reference table: the "
                "area classification needs the national conviction share and the regional mean "
                "gross income. How to fix: add reference.csv (year, criterion, region, value) "
                "from the official publications, or set [areas] reference = \"data\" when the "
                "residents cover the whole country (docs/areas.md).",
                file="reference", rule="missing_file")
    return classify(counts, reference, ruleset), counts


def area_cohorts(ctx: Context) -> dict[Any, str]:
    """Each area's intervention group: its departments' cohort, or ``mixed``."""
    panel = ctx.register
    depts = panel.area_departments()[["department_id", "area_id"]]
    if panel.design is None:
        return {}
    cohorts = depts.merge(panel.design.departments()[["department_id", "cohort"]],
                          on="department_id")
    return {area: (str(g.iloc[0]) if g.nunique() == 1 else "mixed")
            for area, g in cohorts.groupby("area_id")["cohort"]}


#: Statuses that put an area on the list (§ 61 a).
LISTED: tuple[str, ...] = ("vulnerable", "parallel_society", "transformation")


def listed_at_baseline(ctx: Context) -> frozenset[str]:
    """Departments whose area is on the list in the first measurement year."""
    from boligeval.errors import PanelError

    result = classification(ctx)
    if result is None:
        raise PanelError("area_status and comparison need departments with an area_id "
                         "(docs/areas.md).")
    fit = result[0]
    baseline = ctx.cfg.measurement_years[0]
    status = fit.status[fit.status["year"] == baseline]
    if status.empty:
        raise PanelError(f"No area is classified in the baseline year {baseline}.")
    areas = set(status.loc[status["status"].isin(LISTED), "area_id"].astype(str))
    depts = ctx.register.area_departments()
    return frozenset(depts.loc[depts["area_id"].astype(str).isin(areas),
                               "department_id"].astype(str))


def by_area_status(ctx: Context, *, area_status: str = "all",
                   comparison: str = "all") -> Context:
    """The context with the panel restricted by the areas' status at baseline.

    ``area_status`` keeps departments in listed (or not listed) areas;
    ``comparison = "listed"`` keeps every treated department but only the
    control departments in listed areas.
    """
    from dataclasses import replace

    from boligeval.design import CONTROL

    listed = listed_at_baseline(ctx)
    panel = ctx.register
    frame = panel.frame
    in_listed = frame["department_id"].astype(str).isin(listed)
    keep = pd.Series(True, index=frame.index)
    if area_status == "listed":
        keep &= in_listed
    elif area_status == "not_listed":
        keep &= ~in_listed
    if comparison == "listed":
        keep &= in_listed | (frame["cohort"] != CONTROL)
    return replace(ctx, panel=replace(panel, frame=frame[keep].reset_index(drop=True)))


@register
class AreaClassificationAnalysis(PanelAnalysis, id="area_classification", chapter="areas",
                                 order=5):
    """Criteria, statuses, transitions and reconciliation of every area-year."""

    def run_all(self, ctx: Context) -> list[Record]:
        result = classification(ctx)
        if result is None:
            return []
        fit, counts = result
        n_of = {(r.area_id, int(r.year)): r for r in counts.itertuples()}
        cohorts = area_cohorts(ctx)
        common = {"analysis": self.id, "ruleset": fit.ruleset.name}
        rows: list[dict[str, Any]] = []
        for r in fit.criteria.to_dict("records"):
            crit = fit.ruleset.criteria[r["criterion"]]
            counts_row = n_of[(r["area_id"], r["year"])]
            n = int(r["n"])
            if crit.two_year:
                prev = n_of.get((r["area_id"], r["year"] - 1))
                n = min(n, int(getattr(prev, f"{r['criterion']}_n"))) if prev else n
            extra = ({"top_share": counts_row.income_top_share,
                      "top2_share": counts_row.income_top2_share}
                     if r["criterion"] == "income" else {})
            rows.append({"table": "criteria", **r, "n": n, "kind": _KIND[r["criterion"]],
                         **extra})
        for r in fit.status.to_dict("records"):
            counts_row = n_of[(r["area_id"], r["year"])]
            rows.append({"table": "status", "area_id": r["area_id"], "year": r["year"],
                         "region": r["region"], "cohort": cohorts.get(r["area_id"]),
                         "status": r["status"], "n": r["residents"],
                         "non_western_share": r["non_western_share"],
                         "n_origin": int(counts_row.non_western_n),
                         **{k: r.get(k) for k in ("vulnerable", "parallel_society",
                                                  "transformation", "prevention")},
                         **{k: v for k, v in r.items() if str(k).startswith("met_")}})
        residents = {(r["area_id"], r["year"]): r["residents"]
                     for r in fit.status.to_dict("records")}
        for r in fit.transitions().to_dict("records"):
            rows.append({"table": "transition", **r,
                         "n": residents[(r["area_id"], r["year"])]})
        official = ctx.register.table("official_list")
        if official is not None:
            for r in fit.reconcile(official).to_dict("records"):
                rows.append({"table": "reconciliation", **r,
                             "n": residents.get((r["area_id"], r["year"]))})
        return from_rows(rows, section=AREAS, **common)

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.areas import area_tables

        return area_tables(view.section(AREAS), view.lang, rules=view.rules)

    def findings(self, view: Any) -> list[str]:
        from boligeval.report.areas import area_findings

        return area_findings(view.section(AREAS), view.lang)

    def screen(self, records: Any) -> list[str]:
        status = [r for r in records if r.get("table") == "status"]
        if not status:
            return []
        last = max(int(r["year"]) for r in status)
        counts = Counter(str(r.get("status")) for r in status if int(r["year"]) == last)
        shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        return [f"Area classification {last}: {shown}"]

