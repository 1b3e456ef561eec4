"""Restricted wild cluster bootstrap (WCR) p-values and test-inversion intervals.

For a hypothesis ``a'beta = r`` the model is re-estimated with the null
imposed, the restricted residuals are multiplied by cluster-level Rademacher or
Webb weights, and the bootstrap t statistics (each with its own CR1 standard
error) are compared with the observed one. Everything is linear in the
weights, so all B draws come from a few (G x B) matrix products:

    a'beta* - r = c'v,   scores*_g = c_g v_g - (M v)_g,

with ``S_g = X_g' u_r`` (restricted scores), ``c = S B a`` and
``M = Q B S'`` where ``Q_g = X_g' X_g B a`` and ``B = (X'X)^-1``. Both ``c`` and
``M`` are affine in ``r``, which makes inverting the test for the interval
cheap. Fixed effects are handled by working on the demeaned data (FWL).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from boligeval.errors import EstimationError
from boligeval.estimate.ols import FeolsResult, cluster_sums

__all__ = ["WildBootstrapResult", "wild_cluster_bootstrap"]

WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
WEBB_BELOW = 12


@dataclass(frozen=True, slots=True)
class WildBootstrapResult:
    """Wild cluster bootstrap test of ``a'beta = null`` with its interval.

    Attributes
    ----------
    term : str
        Term or label of the linear combination.
    estimate, std_error, t_stat : float
        Estimate, analytic CR1 standard error and observed t statistic.
    null : float
        Value under the null.
    p_value : float
        Symmetric bootstrap p-value, share of ``|t*| >= |t|``.
    ci_low, ci_high : float
        Interval by test inversion at level ``1 - alpha``.
    alpha : float
        One minus the interval's coverage.
    B : int
        Bootstrap draws.
    weights : str
        ``"rademacher"`` or ``"webb"``.
    n_clusters : int
        Clusters.
    seed : int
        Seed of the draws.
    """

    term: str
    estimate: float
    std_error: float
    t_stat: float
    null: float
    p_value: float
    ci_low: float
    ci_high: float
    alpha: float
    B: int
    weights: str
    n_clusters: int
    seed: int

    def tidy(self) -> pd.DataFrame:
        """One-row table in the tidy columns plus B and weights."""
        return pd.DataFrame(
            {
                "term": [self.term],
                "estimate": [self.estimate],
                "std_error": [self.std_error],
                "t_stat": [self.t_stat],
                "p_value": [self.p_value],
                "ci_low": [self.ci_low],
                "ci_high": [self.ci_high],
                "B": [self.B],
                "weights": [self.weights],
            }
        )

    def summary(self) -> str:
        """One line of text."""
        level = round(100 * (1 - self.alpha))
        return (
            f"WCR bootstrap ({self.weights}, B={self.B}, G={self.n_clusters}, seed={self.seed}): "
            f"{self.term} = {self.estimate:.6g}, H0 = {self.null:g}, p = {self.p_value:.4f}, "
            f"{level}% CI [{self.ci_low:.6g}, {self.ci_high:.6g}]"
        )


def _draws(kind: str, n_clusters: int, B: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "rademacher":
        return rng.integers(0, 2, size=(n_clusters, B)).astype(np.float64) * 2.0 - 1.0
    return WEBB[rng.integers(0, 6, size=(n_clusters, B))]


def wild_cluster_bootstrap(
    fit_or_spec: object,
    term_or_lincom: str | Mapping[str, float],
    *,
    B: int = 9999,
    weights: Literal["auto", "rademacher", "webb"] = "auto",
    seed: int,
    null: float = 0.0,
    alpha: float = 0.05,
    ci: bool = True,
    label: str | None = None,
) -> WildBootstrapResult:
    """Restricted wild cluster bootstrap p-value and interval for a coefficient or combination.

    Parameters
    ----------
    fit_or_spec : FeolsResult or an object with a ``fit`` attribute (e.g. DidResult)
        A fit with a cluster variable.
    term_or_lincom : str or mapping of term to weight
        The coefficient or linear combination tested.
    B : int, default 9999
        Bootstrap draws.
    weights : {"auto", "rademacher", "webb"}, default "auto"
        Cluster weights; ``"auto"`` uses Webb below 12 clusters.
    seed : int
        Seed of ``numpy.random.default_rng``.
    null : float, default 0
        Value of the combination under the null.
    alpha : float, default 0.05
        One minus the interval's coverage.
    ci : bool, default True
        Compute the interval by test inversion.
    label : str, optional
        Name reported for a combination.

    Returns
    -------
    WildBootstrapResult
    """
    fit = getattr(fit_or_spec, "fit", fit_or_spec)
    if not isinstance(fit, FeolsResult):
        raise EstimationError("wild_cluster_bootstrap needs a FeolsResult (or a result with .fit)")
    design = fit.design
    if design.cluster is None:
        raise EstimationError("wild_cluster_bootstrap needs a fit with a cluster variable")
    if B < 99:
        raise EstimationError(f"B must be at least 99, got {B}")
    combo = {term_or_lincom: 1.0} if isinstance(term_or_lincom, str) else dict(term_or_lincom)
    a = fit.lincom(combo).combination
    avec = np.zeros(len(fit.terms))
    for term, w in a.items():
        avec[fit.terms.index(term)] = w
    name = label or (
        term_or_lincom
        if isinstance(term_or_lincom, str)
        else " + ".join(f"{w:g}*{t}" for t, w in a.items())
    )

    cl = np.asarray(design.cluster)
    n_clusters = int(cl.max()) + 1
    kind = weights
    if kind == "auto":
        kind = "webb" if n_clusters < WEBB_BELOW else "rademacher"
    if kind not in ("rademacher", "webb"):
        raise EstimationError(f'weights must be "auto", "rademacher" or "webb", got {weights!r}')

    X = np.asarray(design.xw)
    bread = np.asarray(design.bread)
    n = X.shape[0]
    factor = n_clusters / (n_clusters - 1) * (n - 1) / (n - fit.with_vcov("CR1").df_k)
    ba = bread @ avec
    aba = float(avec @ ba)
    theta = float(avec @ fit.beta)
    # restricted residuals u_r(r) = u + d * (theta - r)
    d = (X @ ba) / aba
    s0 = cluster_sums(X * np.asarray(design.uw)[:, None], cl, n_clusters)  # G x k
    s1 = cluster_sums(X * d[:, None], cl, n_clusters)
    q = cluster_sums(X * (X @ ba)[:, None], cl, n_clusters)  # Q_g = X_g'X_g B a
    c0, c1 = s0 @ ba, s1 @ ba
    qb = q @ bread
    v = _draws(kind, n_clusters, B, seed)
    c0v, c1v = c0 @ v, c1 @ v
    m0v, m1v = qb @ (s0.T @ v), qb @ (s1.T @ v)
    se_obs = float(np.sqrt(factor * np.sum(c0**2)))

    def pvalue(r: float) -> float:
        delta = theta - r
        t_obs = delta / se_obs
        num = c0v + delta * c1v
        scores = (c0 + delta * c1)[:, None] * v - (m0v + delta * m1v)
        den = np.sqrt(factor * np.einsum("gb,gb->b", scores, scores))
        with np.errstate(divide="ignore", invalid="ignore"):
            tstar = num / den
        return float(np.mean(np.abs(tstar) >= abs(t_obs) - 1e-12 * max(1.0, abs(t_obs))))

    p = pvalue(null)
    lo = hi = np.nan
    if ci:
        crit = float(stats.t.ppf(1 - alpha / 2, n_clusters - 1))
        lo = _invert(pvalue, theta, -1.0, se_obs, crit, alpha)
        hi = _invert(pvalue, theta, 1.0, se_obs, crit, alpha)
    return WildBootstrapResult(
        term=str(name),
        estimate=theta,
        std_error=se_obs,
        t_stat=(theta - null) / se_obs,
        null=null,
        p_value=p,
        ci_low=lo,
        ci_high=hi,
        alpha=alpha,
        B=B,
        weights=kind,
        n_clusters=n_clusters,
        seed=seed,
    )


def _invert(pvalue: Any, theta: float, side: float, se: float, crit: float, alpha: float) -> float:
    """Bisection for the interval end where the bootstrap p-value falls to alpha."""
    inner = theta
    step = max(crit, 1.0) * se
    outer = theta + side * step
    for _ in range(60):
        if pvalue(outer) < alpha:
            break
        inner = outer
        step *= 2.0
        outer = theta + side * step
    else:
        return float(side * np.inf)
    for _ in range(60):
        mid = 0.5 * (inner + outer)
        if pvalue(mid) < alpha:
            outer = mid
        else:
            inner = mid
        if abs(outer - inner) <= 1e-7 * se:
            break
    return float(0.5 * (inner + outer))
