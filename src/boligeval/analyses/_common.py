"""Options and record helpers shared by several analyses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from boligeval.analyses.base import Option
from boligeval.records import Record, from_tidy

if TYPE_CHECKING:
    from boligeval.config import AnalysisSpec

__all__ = [
    "COVARIATES",
    "FIXED_EFFECTS_LEVEL",
    "WEIGHTING",
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
