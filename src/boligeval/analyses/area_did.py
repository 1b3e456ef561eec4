"""Area-level DiD: year and cohort (or department) effects, plan-clustered (tables 4.2-4.5).

Also the cohort-by-year means behind the seed's figures 4.1-4.2 (``cells``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from boligeval.analyses import register
from boligeval.analyses._common import (
    AREA_STATUS,
    COMPARISON,
    COVARIATES,
    FIXED_EFFECTS_LEVEL,
    PLAN_GROUP,
    WEIGHTING,
    AreaModel,
    weights_column,
)
from boligeval.analyses.base import Context
from boligeval.config import AnalysisSpec
from boligeval.errors import EstimationError, PanelError
from boligeval.records import CELLS, ESTIMATES, Record


def cohort_means(data: pd.DataFrame, alpha: float) -> list[dict[str, Any]]:
    """Cohort-by-year means of department values with t intervals.

    ``top_share`` is the largest single contribution to the cohort's sum over
    that sum, and ``top2_share`` (when the panel has the departments' two
    largest contributions) that of the two largest: the dominance rules'
    inputs, consumed by disclosure control.
    """
    from scipy import stats  # on use: loading scipy.stats costs ~0.5 s at import

    rows: list[dict[str, Any]] = []
    for (cohort, year), g in data.groupby(["cohort", "year"], sort=True):
        k = len(g)
        mean = float(g["value"].mean())
        half = (float(stats.t.ppf(1 - alpha / 2, k - 1) * g["value"].std(ddof=1) / math.sqrt(k))
                if k > 1 else float("nan"))
        amount = g["value"].abs() * g["n"]
        total = float(amount.sum())
        top = (g["top_share"] * amount).max() / total if total > 0 else None
        pair = None
        if total > 0 and "top2_share" in g and g["top2_share"].notna().any():
            # The two largest persons are the two largest of one department, or the
            # largest of two departments.
            firsts = (g["top_share"] * amount).fillna(0.0).nlargest(2).sum()
            within = float((g["top2_share"] * amount).max())
            pair = max(float(firsts), within) / total
        rows.append({
            "cohort": cohort, "year": int(str(year)), "mean": mean,
            "ci_low": mean - half if k > 1 else None,
            "ci_high": mean + half if k > 1 else None,
            "n_departments": int(k), "n_persons": int(g["n"].sum()),
            "top_share": None if top is None or pd.isna(top) else float(top),
            "top2_share": pair,
        })
    return rows


@register
class AreaDid(AreaModel, id="area_did", chapter="effects", order=30,
              options={"fixed_effects_level": FIXED_EFFECTS_LEVEL, "weighting": WEIGHTING,
                       "covariates": COVARIATES, "area_status": AREA_STATUS,
                       "comparison": COMPARISON, "plan_group": PLAN_GROUP}):
    """The effect of an active plan on department means."""

    def fit(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> Any:
        from boligeval.estimate.did import area_did

        return area_did(ctx.data(spec, outcome), spec.population, outcome,
                        fixed_effects_level=spec.option("fixed_effects_level"),
                        weights=weights_column(spec), covariates=spec.covariates)

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        if any(spec.options.get(k, "all") != "all"
               for k in ("area_status", "comparison", "plan_group")):
            return super().run(ctx, spec, outcome)  # the figures' means are the full sample's
        means = cohort_means(ctx.data(spec, outcome), ctx.cfg.inference.alpha)
        return super().run(ctx, spec, outcome) + [
            Record(CELLS, {"population": spec.population, "outcome": outcome, **row})
            for row in means]

    def family(self, ctx: Context, specs: Sequence[AnalysisSpec],
               records: list[Record]) -> list[Record]:
        """Romano-Wolf and Holm p-values of the effect across the table's tests.

        Every block and outcome of this kind that was estimated is one test of
        ``active_plan = 0``; the restricted wild bootstrap draws one weight per
        plan (a department without a plan is its own cluster), shared by all
        tests.
        """
        from boligeval.estimate.multiple import romano_wolf

        heads = [i for i, r in enumerate(records) if r.section == ESTIMATES
                 and r.fields.get("analysis") == self.id
                 and r.fields.get("term") == "active_plan"]
        fits, clusters = [], []
        for spec in specs:
            for outcome in spec.outcomes:
                try:
                    sample, _ = self.sample(ctx, spec)  # the block's own sample, as in run
                    fit = self.fit(sample, spec, outcome)
                except (EstimationError, PanelError):
                    continue          # not estimated in the run either
                data = sample.data(spec, outcome)
                data = data[(data["population"] == spec.population)
                            & (data["outcome"] == outcome)]
                fits.append(fit)
                clusters.append(data["plan_id"].astype(object).where(
                    data["plan_id"].notna(), "department " + data["department_id"].astype(str)))
        if len(fits) != len(heads) or len(heads) < 2:
            return records
        inf = ctx.cfg.inference
        res = romano_wolf(fits, "active_plan", clusters, seed=inf.seed,
                          bootstrap_draws=inf.wild_bootstrap_draws)
        out = list(records)
        for k, i in enumerate(heads):
            out[i] = Record(ESTIMATES, {
                **records[i].fields, "p_value_romano_wolf": float(res.p_romano_wolf[k]),
                "p_value_holm": float(res.p_holm[k]), "n_tests": len(heads)})
        return out

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.figures import coefficient_figure, trend_figures

        figure = coefficient_figure(view.records(self.id), view.lang)
        return [*super().report(view), *trend_figures(view.section(CELLS), view.lang),
                *([figure] if figure else [])]

    def findings(self, view: Any) -> list[str]:
        from boligeval.report.findings import estimate_finding
        from boligeval.report.i18n import label

        lead = label(view.lang, "term", "active_plan")
        return [estimate_finding(view.lang, r, lead) for r in view.records(self.id)
                if r.get("term") == "active_plan"]

    def screen(self, records: Any) -> list[str]:
        head = [r for r in records if r.get("term") == "active_plan"]
        if not head:
            return []
        lines = ["Effect of an active plan (area-level DiD, plan-clustered):",
                 f"  {'population':<24}{'outcome':<22}{'estimate':>12}{'std.err.':>11}{'p':>7}"]
        for r in head:
            if r.get("suppressed"):
                lines.append(f"  {r['population']:<24}{r['outcome']:<22}{'·':>12}")
                continue
            lines.append(f"  {r['population']:<24}{r['outcome']:<22}{r['estimate']:>12.2f}"
                         f"{r['std_error']:>11.2f}{r['p_value']:>7.3f}")
        return lines
