"""Options and record helpers shared by several analyses."""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any

import pandas as pd

from boligeval.analyses.base import Context, Option, RegisterAnalysis
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

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        extra = {k: spec.options[k] for k in ("area_status", "comparison")
                 if spec.options.get(k, "all") != "all"}
        if extra:
            from boligeval.analyses.area_classification import by_area_status

            ctx = by_area_status(ctx, **extra)
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
