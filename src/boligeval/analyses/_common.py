"""Options and record helpers shared by several analyses."""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any

import pandas as pd

from boligeval.analyses.base import Context, Option, RegisterAnalysis
from boligeval.errors import ConfigError
from boligeval.records import Record, from_tidy

if TYPE_CHECKING:
    from boligeval.config import AnalysisSpec

__all__ = [
    "COVARIATES",
    "FIXED_EFFECTS_LEVEL",
    "WEIGHTING",
    "AreaModel",
    "model_records",
    "weights_column",
]

#: Cohort dummies (the seed's models) or department fixed effects.
FIXED_EFFECTS_LEVEL = Option(
    "cohort", ("cohort", "department"),
    "cohort: year and cohort dummies, as the seed; department: department fixed effects",
)

#: Equal weight per department-year, or weights by the number of units in the cell.
WEIGHTING = Option("none", ("none", "count"),
                   "none: one weight per department-year; count: by the cell's units")

#: Departments by their area's official status at baseline (docs/areas.md): a moderator.
AREA_STATUS = Option(
    "all", ("all", "listed", "not_listed"),
    "all departments; listed: only departments in areas on the list (vulnerable, parallel "
    "society or transformation area) at baseline; not_listed: only the others",
)
#: Which control departments serve as comparison (docs/areas.md).
COMPARISON = Option(
    "all", ("all", "listed"),
    "all: every control department; listed: only control departments in areas on the list "
    "at baseline",
)

#: Treated departments by a plan attribute (a moderator by sample split).
PLAN_GROUP = Option(
    "all", None,
    "all departments; 'attribute=level': only the treated departments whose plan has that "
    "level of a plan attribute (e.g. secretariat_type=cross_organisational_team, or a case "
    "typology such as case_oms_model=model_1), against every control department",
)

#: Extra numeric residents columns, by name.
COVARIATES = Option((), None, "extra numeric residents columns used as controls")


def weights_column(spec: AnalysisSpec) -> str | None:
    """The panel column to weight by, from the block's ``weighting``."""
    return "n" if spec.options.get("weighting") == "count" else None


def model_records(tidy: pd.DataFrame, *, analysis: str, population: str, outcome: str,
                  fit: Any, **extra: Any) -> list[Record]:
    """Estimate records of a regression: its terms with the sample counts and adj. R²."""
    columns = ["term", "estimate", "std_error", "p_value", "ci_low", "ci_high"]
    return from_tidy(
        tidy[columns], analysis=analysis, population=population, outcome=outcome,
        n_obs=int(fit.n_obs), n_departments=int(fit.n_departments), n_plans=int(fit.n_plans),
        adj_r2=float(fit.adj_r2), **extra,
    )


class AreaModel(RegisterAnalysis):
    """A regression on the department-year panel, shown in the seed's table layout.

    Subclasses say how to :meth:`fit` one outcome; the records are the
    model's terms with its sample counts.
    """

    @abstractmethod
    def fit(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> Any:
        """Estimate the model (a ``DidResult``)."""

    @staticmethod
    def sample(ctx: Context, spec: AnalysisSpec) -> tuple[Context, dict[str, Any]]:
        """The block's sample (area status, comparison, plan group) and its record fields."""
        extra = {k: spec.options[k] for k in ("area_status", "comparison")
                 if spec.options.get(k, "all") != "all"}
        if extra:
            from boligeval.analyses.area_classification import by_area_status

            ctx = by_area_status(ctx, **extra)
        group = spec.options.get("plan_group", "all")
        if group != "all":
            ctx = by_plan_group(ctx, str(group))
            extra["plan_group"] = group
        return ctx, extra

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        ctx, extra = self.sample(ctx, spec)
        fit = self.fit(ctx, spec, outcome)
        return model_records(fit.tidy(ctx.cfg.inference.alpha), analysis=self.id,
                             population=spec.population, outcome=outcome, fit=fit, **extra)

    def table_options(self, lang: str) -> dict[str, Any]:
        """Extra arguments of ``regression_tables`` (terms, labels, notes)."""
        return {}

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.tables import regression_tables

        return list(regression_tables(view.records(self.id), self.id, view.lang,
                                      rules=view.rules, **self.table_options(view.lang)))


def by_plan_group(ctx: Context, group: str) -> Context:
    """The context with only the treated departments of plans in ``group`` ("attribute=level").

    Control departments all stay: the effect of the plans of one kind (one
    secretariat type, one case typology) against the same comparison group,
    which is how the seed splits its effects by plan organisation. Plan
    attributes are the plan records' and the survey's (``Survey.attributes``)
    with the case study's typologies.
    """
    from dataclasses import replace

    from boligeval.design import CONTROL

    name, sep, level = group.partition("=")
    if not sep or not name or not level:
        raise ConfigError(f"plan_group = '{group}' must be 'attribute=level', e.g. "
                          "'secretariat_type=cross_organisational_team'.")
    if ctx.survey is None:
        raise ConfigError("plan_group needs the plans' attributes, which are read with the "
                          "survey tables (respondents, answers); this run has no survey.")
    attributes = ctx.survey.attributes
    if name not in attributes.columns:
        known = ", ".join(c for c in attributes.columns if c != "plan_id") or "none"
        raise ConfigError(f"plan_group: the plans carry no attribute '{name}' "
                          f"(attributes found: {known}).")
    plans = set(attributes.loc[attributes[name].astype(str) == level, "plan_id"].astype(str))
    if not plans:
        levels = ", ".join(sorted(attributes[name].dropna().astype(str).unique())) or "none"
        raise ConfigError(f"plan_group: no plan has {name} = '{level}' (levels: {levels}).")
    panel = ctx.register
    frame = panel.frame
    keep = frame["plan_id"].astype(str).isin(plans) | (frame["cohort"] == CONTROL)
    return replace(ctx, panel=replace(panel, frame=frame[keep].reset_index(drop=True)))
