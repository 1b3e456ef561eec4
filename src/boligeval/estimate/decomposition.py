"""Difference-in-differences of the mover decomposition (docs/methods.md §5.4).

The change in a department's mean between two measurement years is split
exactly into a stayers, an in-movers and an out-movers term
(:mod:`boligeval.panel.decomposition`). Regressing the change and each term on
interval dummies and the change in the active-plan indicator (the
first-difference form of the area-level DiD) gives coefficients that add up
exactly, since OLS is linear in the outcome: how much of an estimated effect
comes from who moves in, who moves out, and how the people who stay change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from boligeval.errors import EstimationError
from boligeval.estimate.ols import FeolsResult, add_dummies, feols

__all__ = ["DecompositionResult", "decomposition"]

_PARTS = ("change", "stayers", "in_movers", "out_movers")


@dataclass(frozen=True)
class DecompositionResult:
    """DiD of the change in department means and of its three mover terms.

    Attributes
    ----------
    fits : dict
        One fitted model per part (``change``, ``stayers``, ``in_movers``,
        ``out_movers``); the regressor of interest is ``active_plan``.
    terms : pandas.DataFrame
        The department-interval data the models were fitted on.
    """

    fits: dict[str, FeolsResult]
    terms: pd.DataFrame

    def tidy(self) -> pd.DataFrame:
        """One row per part: the effect of an active plan on that part."""
        rows = []
        for part, fit in self.fits.items():
            row = fit.tidy().set_index("term").loc["active_plan"]
            rows.append({"term": part, "estimate": row["estimate"],
                         "std_error": row["std_error"], "p_value": row["p_value"],
                         "ci_low": row["ci_low"], "ci_high": row["ci_high"]})
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """A short text table: the effect on the change and on each term."""
        t = self.tidy()
        lines = ["Mover decomposition of the area-level effect (first differences)",
                 f"{'part':<12}{'estimate':>12}{'std.err.':>12}{'p':>8}"]
        for _, r in t.iterrows():
            lines.append(f"{r['term']:<12}{r['estimate']:>12.3f}{r['std_error']:>12.3f}"
                         f"{r['p_value']:>8.3f}")
        n_dep = self.terms["department_id"].nunique()
        lines.append(f"departments: {n_dep}; intervals: {self.terms['year'].nunique()}")
        return "\n".join(lines)


def decomposition(terms: pd.DataFrame, design: pd.DataFrame, *,
                        cluster: str = "plan_id") -> DecompositionResult:
    """Estimate the DiD of the change in department means and of each mover term.

    Parameters
    ----------
    terms : pandas.DataFrame
        Output of :func:`boligeval.panel.decomposition.decomposition_terms`,
        restricted to the departments of the analysis.
    design : pandas.DataFrame
        Department-year design rows (department_id, year, plan_id, active_plan).
    cluster : str
        Cluster column (plan).

    Returns
    -------
    DecompositionResult
    """
    d = design[["department_id", "year", "plan_id", "active_plan"]]
    data = terms.merge(d, on=["department_id", "year"], how="left")
    data = data.merge(
        d.rename(columns={"year": "year_from", "active_plan": "active_before"})[
            ["department_id", "year_from", "active_before"]],
        on=["department_id", "year_from"], how="left",
    )
    if data["active_plan"].isna().any() or data["active_before"].isna().any():
        raise EstimationError("The decomposition terms have departments or years with no design.")
    data["active_plan"] = (data["active_plan"] - data["active_before"]).astype(np.float64)
    if data["active_plan"].abs().sum() == 0:
        raise EstimationError(
            "No department changes its active-plan status between measurement years; the "
            "decomposition DiD is not identified."
        )
    data, interval_dummies = add_dummies(data, "year", prefix="interval")
    xnames = ["active_plan", *interval_dummies]
    fits = {part: feols(data, part, xnames, vcov="CR1", cluster=cluster) for part in _PARTS}
    return DecompositionResult(fits=fits, terms=data)
