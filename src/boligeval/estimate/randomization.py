"""Randomization inference for the area-level DiD: permute cohorts across plans."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from boligeval.errors import EstimationError
from boligeval.estimate.did import CLUSTER, _slice, _weights
from boligeval.estimate.ols import add_dummies, demean, factorize, one_row

__all__ = ["RandomizationResult", "randomization_inference"]


@dataclass(frozen=True, slots=True, eq=False)
class RandomizationResult:
    """Permutation distribution of tau and its two-sided p-value.

    Attributes
    ----------
    population, outcome : str
        What was estimated.
    estimate : float
        Observed tau (``active_plan``).
    p_value : float
        ``(1 + #{|tau_perm| >= |tau|}) / (1 + permutations)``.
    permutations : int
        Permutations drawn.
    n_units : int
        Assignment units permuted (plans; departments without a plan count alone).
    seed : int
        Seed of the permutations.
    distribution : numpy.ndarray
        Permuted estimates, shape (permutations,).
    """

    population: str
    outcome: str
    estimate: float
    p_value: float
    permutations: int
    n_units: int
    seed: int
    distribution: np.ndarray

    def tidy(self) -> pd.DataFrame:
        """One-row table: term, estimate, p_value, permutations."""
        return one_row(term="active_plan", estimate=self.estimate,
                       std_error=float(np.std(self.distribution, ddof=1)),
                       p_value=self.p_value, ci_low=np.nan, ci_high=np.nan,
                       permutations=self.permutations)

    def summary(self) -> str:
        """One line of text."""
        return (
            f"Randomization inference ({self.population} / {self.outcome}): tau = "
            f"{self.estimate:.6g}, p = {self.p_value:.4f} ({self.permutations} permutations "
            f"of cohorts across {self.n_units} plans, seed {self.seed})"
        )


def _tau(y: np.ndarray, base: np.ndarray, extra: np.ndarray, d: np.ndarray) -> float:
    """Coefficient on ``d`` in a least-squares fit on ``[d, base, extra]``."""
    X = np.column_stack([d, base, extra])
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    return float(beta[0])


def randomization_inference(
    panel: pd.DataFrame,
    population: str,
    outcome: str,
    *,
    permutations: int = 999,
    seed: int,
    fixed_effects_level: Literal["cohort", "department"] = "cohort",
    weights: str | None = None,
    covariates: Sequence[str] = (),
) -> RandomizationResult:
    """Permutation p-value of the area-level tau, permuting cohorts across plans.

    Each plan (a department without a plan counts alone) keeps its departments;
    its treatment profile (cohort and ``active_plan`` path by year) is shuffled
    across plans, which keeps the cohort sizes in plans. The model is the one of
    ``area_did`` with the same options.

    Parameters
    ----------
    panel, population, outcome, fixed_effects_level, weights, covariates
        As ``area_did``.
    permutations : int, default 999
        Permutations.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    RandomizationResult
    """
    if permutations < 1:
        raise EstimationError("permutations must be at least 1")
    frame = _slice(panel, population, outcome)
    wname = _weights(frame, weights)
    cols = ["value", "active_plan", *covariates] + ([wname] if wname else [])
    frame = frame.dropna(subset=cols).reset_index(drop=True)
    unit, n_units = factorize(frame[CLUSTER].to_numpy())
    years = sorted(frame["year"].unique().tolist())
    year_idx = np.searchsorted(np.asarray(years), frame["year"].to_numpy())
    # one treatment profile per unit: cohort code and the D path by year
    cohort_codes, _ = factorize(frame["cohort"].to_numpy())
    prof_cohort = np.full(n_units, -1, dtype=np.intp)
    prof_cohort[unit] = cohort_codes
    prof_d = np.zeros((n_units, len(years)))
    prof_d[unit, year_idx] = frame["active_plan"].to_numpy(dtype=float)
    if not np.all(prof_cohort[unit] == cohort_codes) or not np.array_equal(
        prof_d[unit, year_idx], frame["active_plan"].to_numpy(dtype=float)
    ):
        raise EstimationError("departments of one plan have different cohorts or plan years")
    if not (prof_d.max(axis=1) > 0).any() or (prof_d.max(axis=1) > 0).all():
        raise EstimationError("randomization_inference needs treated and control plans")

    sw = np.sqrt(frame[wname].to_numpy(dtype=float)) if wname else np.ones(len(frame))
    y = frame["value"].to_numpy(dtype=float)
    fyears, ynames = add_dummies(frame, "year", prefix="year")
    base = np.column_stack(
        [fyears[ynames].to_numpy(dtype=float)]
        + [frame[list(covariates)].to_numpy(dtype=float)] * bool(covariates)
    )
    n_cohorts = int(cohort_codes.max()) + 1
    control = frame["cohort"].to_numpy() == "control"
    if not control.any():
        raise EstimationError('no control departments (cohort "control") in the sample')
    control_code = int(cohort_codes[control][0])
    keep_cohorts = [g for g in range(n_cohorts) if g != control_code]

    if fixed_effects_level == "department":
        dep, n_dep = factorize(frame["department_id"].to_numpy())
        w = sw**2
        y_t = demean(y, [dep], [n_dep], w) * sw
        base_t = demean(base, [dep], [n_dep], w) * sw[:, None]

        def estimate(cohort: np.ndarray, d: np.ndarray) -> float:
            return _tau(y_t, base_t, np.empty((len(y), 0)), demean(d, [dep], [n_dep], w) * sw)
    elif fixed_effects_level == "cohort":
        y_t = y * sw
        base_t = np.column_stack([np.ones(len(y)), base]) * sw[:, None]

        def estimate(cohort: np.ndarray, d: np.ndarray) -> float:
            dummies = (cohort[:, None] == np.asarray(keep_cohorts)[None, :]).astype(float)
            return _tau(y_t, base_t, dummies * sw[:, None], d * sw)
    else:
        raise EstimationError(
            f'fixed_effects_level must be "cohort" or "department", got {fixed_effects_level!r}'
        )

    observed = estimate(cohort_codes, frame["active_plan"].to_numpy(dtype=float))
    rng = np.random.default_rng(seed)
    draws = np.empty(permutations)
    for b in range(permutations):
        perm = rng.permutation(n_units)
        draws[b] = estimate(prof_cohort[perm][unit], prof_d[perm][unit, year_idx])
    tol = 1e-10 * max(1.0, abs(observed))
    p = (1 + int(np.sum(np.abs(draws) >= abs(observed) - tol))) / (1 + permutations)
    draws.flags.writeable = False
    return RandomizationResult(
        population=population,
        outcome=outcome,
        estimate=observed,
        p_value=float(p),
        permutations=permutations,
        n_units=n_units,
        seed=seed,
        distribution=draws,
    )
