"""Least squares with absorbed fixed effects, analytic weights and robust variances.

The estimation core of boligeval. ``feols`` takes a tidy DataFrame, drops rows
with missing values and zero weights, sweeps out the fixed effects (within
transformation: group means for one fixed effect, alternating projections for
several), drops collinear regressors with a ``CollinearityWarning`` and returns
an immutable ``FeolsResult``.

Small-sample conventions follow fixest/pyfixest (and Stata's ``reghdfe``):

* ``iid``: ``sigma^2 = SSR / (N - K)``;
* ``HC1``: ``N / (N - K)``;
* ``CR1``: ``G / (G - 1) * (N - 1) / (N - K)``, where fixed effects nested in
  the cluster variable are not counted in ``K`` (each counts as one), and
  inference uses ``t(G - 1)``.

``K`` is the number of kept regressors plus the fixed-effect levels, minus one
for every fixed effect after the first.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd
import scipy.linalg
from scipy import stats

from boligeval.errors import CollinearityWarning, EstimationError, SingletonWarning
from boligeval.vocabulary import stars

__all__ = [
    "INTERCEPT",
    "FeolsResult",
    "LincomResult",
    "VcovType",
    "WaldResult",
    "add_dummies",
    "demean",
    "feols",
    "sandwich",
]

VcovType = Literal["iid", "HC1", "CR1"]
VCOV_TYPES: tuple[str, ...] = ("iid", "HC1", "CR1")
INTERCEPT = "Intercept"
COLLINEARITY_TOL = 1e-9
DEMEAN_TOL = 1e-13
DEMEAN_MAXITER = 100_000


# --------------------------------------------------------------------------- numerics


def factorize(values: object) -> tuple[np.ndarray, int]:
    """Integer codes ``0..L-1`` for a column (missing values get ``-1``).

    Parameters
    ----------
    values : array-like
        Any hashable values.

    Returns
    -------
    codes : numpy.ndarray
        Integer codes, shape (n,).
    n_levels : int
        Number of distinct non-missing values.
    """
    codes, uniques = pd.factorize(pd.Series(values), sort=False)
    return np.asarray(codes, dtype=np.intp), len(uniques)


def demean(
    x: np.ndarray,
    fe_codes: Sequence[np.ndarray],
    n_levels: Sequence[int],
    weights: np.ndarray | None = None,
    *,
    tol: float = DEMEAN_TOL,
    maxiter: int = DEMEAN_MAXITER,
    copy: bool = True,
) -> np.ndarray:
    """Sweep fixed effects out of the columns of ``x`` (weighted within transformation).

    One fixed effect is removed exactly by group means; several by alternating
    projections until the largest correction is below ``tol`` times the
    column's scale.

    Parameters
    ----------
    x : numpy.ndarray
        Data, shape (n,) or (n, p).
    fe_codes : sequence of numpy.ndarray
        Integer codes ``0..L-1`` of each fixed effect, each shape (n,).
    n_levels : sequence of int
        Number of levels of each fixed effect.
    weights : numpy.ndarray, optional
        Analytic weights, shape (n,).
    tol, maxiter : float, int
        Convergence tolerance and iteration cap of the alternating projections.
    copy : bool, default True
        Work on a copy; ``False`` demeans a float64 ``x`` in place.

    Returns
    -------
    numpy.ndarray
        Demeaned copy of ``x``, same shape.
    """
    out = np.array(x, dtype=np.float64, copy=True) if copy else np.asarray(x, dtype=np.float64)
    if not fe_codes:
        return out
    mat = out.reshape(out.shape[0], -1)
    wsums = [
        np.bincount(codes, weights=weights, minlength=nl).astype(np.float64)
        for codes, nl in zip(fe_codes, n_levels, strict=True)
    ]
    for j in range(mat.shape[1]):
        col = mat[:, j]
        scale = 1.0 + float(np.max(np.abs(col))) if col.size else 1.0
        for it in range(maxiter):
            largest = 0.0
            for codes, nl, ws in zip(fe_codes, n_levels, wsums, strict=True):
                wx = col if weights is None else col * weights
                means = np.bincount(codes, weights=wx, minlength=nl) / ws
                col -= means[codes]
                largest = max(largest, float(np.max(np.abs(means))))
            if len(fe_codes) == 1 or (it > 0 and largest <= tol * scale):
                break
        else:
            raise EstimationError(
                f"the fixed effects did not converge in {maxiter} alternating projections"
            )
    return out


def independent_columns(gram: np.ndarray, reference: np.ndarray, tol: float) -> np.ndarray:
    """Flag the columns that are not (nearly) in the span of earlier columns.

    A sequential Cholesky factorisation of the Gram matrix, left to right: a
    column is dropped when the share of its reference sum of squares left after
    projecting it on the kept earlier columns is below ``tol`` (as fixest).

    Parameters
    ----------
    gram : numpy.ndarray
        ``X'WX`` of the demeaned regressors, shape (k, k).
    reference : numpy.ndarray
        Reference sum of squares of each column before demeaning, shape (k,).
    tol : float
        Relative tolerance.

    Returns
    -------
    numpy.ndarray
        Boolean mask of kept columns, shape (k,).
    """
    k = gram.shape[0]
    keep = np.zeros(k, dtype=bool)
    chol = np.zeros((k, k))
    kept: list[int] = []
    for j in range(k):
        if reference[j] <= 0:
            continue
        if kept:
            lrow = scipy.linalg.solve_triangular(
                chol[np.ix_(kept, kept)], gram[kept, j], lower=True, check_finite=False
            )
            d = gram[j, j] - float(lrow @ lrow)
        else:
            lrow = np.zeros(0)
            d = gram[j, j]
        if d > tol * reference[j]:
            chol[j, kept] = lrow
            chol[j, j] = np.sqrt(d)
            kept.append(j)
            keep[j] = True
    return keep


QR_MAX_CELLS = 1_000_000


def _least_squares(
    xw: np.ndarray, yw: np.ndarray, gram: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and ``(X'X)^-1`` of a full-rank least-squares problem.

    Householder QR (R only) for small problems, where conditioning matters
    most (many dummies and trends); for tall, narrow problems the scaled
    normal equations by Cholesky with one step of iterative refinement, which
    is as accurate there and several times faster.
    """
    n, k = xw.shape
    if n * k <= QR_MAX_CELLS:
        raug = scipy.linalg.qr(
            np.column_stack([xw, yw]), mode="r", overwrite_a=True, check_finite=False
        )[0]
        rmat = raug[:k, :k]
        beta = scipy.linalg.solve_triangular(rmat, raug[:k, k], check_finite=False)
        rinv = scipy.linalg.solve_triangular(rmat, np.eye(k), check_finite=False)
        return beta, rinv @ rinv.T
    scale = np.sqrt(np.diag(gram))
    factor = scipy.linalg.cho_factor(gram / np.outer(scale, scale), check_finite=False)
    beta = scipy.linalg.cho_solve(factor, (xw.T @ yw) / scale, check_finite=False) / scale
    resid = yw - xw @ beta
    beta = beta + scipy.linalg.cho_solve(factor, (xw.T @ resid) / scale, check_finite=False) / scale
    bread = scipy.linalg.cho_solve(factor, np.eye(k), check_finite=False) / np.outer(scale, scale)
    return beta, bread


def nested_in(fe: np.ndarray, n_fe_levels: int, cluster: np.ndarray) -> bool:
    """Whether every level of a fixed effect lies within one cluster."""
    at = np.full(n_fe_levels, -1, dtype=np.intp)
    at[fe] = cluster
    return bool(np.all(at[fe] == cluster))


def cluster_sums(scores: np.ndarray, cluster: np.ndarray, n_clusters: int) -> np.ndarray:
    """Sum score rows within clusters, shape (G, k)."""
    return np.column_stack(
        [
            np.bincount(cluster, weights=scores[:, j], minlength=n_clusters)
            for j in range(scores.shape[1])
        ]
    ).reshape(n_clusters, scores.shape[1])


@dataclass(frozen=True, slots=True, eq=False)
class _Design:
    """Arrays of a fitted model that re-inference and the bootstrap need.

    Attributes
    ----------
    xw : numpy.ndarray
        Demeaned kept regressors times sqrt(weights), shape (n, k).
    yw : numpy.ndarray
        Demeaned outcome times sqrt(weights), shape (n,).
    uw : numpy.ndarray
        Residuals times sqrt(weights), shape (n,).
    sqrt_w : numpy.ndarray
        Square roots of the weights, shape (n,).
    bread : numpy.ndarray
        ``(X'WX)^-1``, shape (k, k).
    fe_codes : tuple of numpy.ndarray
        Codes of each fixed effect, each shape (n,).
    fe_levels : tuple of int
        Levels of each fixed effect.
    cluster : numpy.ndarray or None
        Cluster codes ``0..G-1``, shape (n,).
    sample : numpy.ndarray
        Boolean mask of the input rows that were used, shape (n_input,).
    """

    xw: np.ndarray
    yw: np.ndarray
    uw: np.ndarray
    sqrt_w: np.ndarray
    bread: np.ndarray
    fe_codes: tuple[np.ndarray, ...]
    fe_levels: tuple[int, ...]
    cluster: np.ndarray | None
    sample: np.ndarray


def _df_k(k: int, fe_levels: Sequence[int], nested: Sequence[bool]) -> int:
    """Parameters counted in the small-sample factor (fixest's ``nonnested`` rule)."""
    if not fe_levels:
        return k
    k_fe = int(sum(fe_levels)) - (len(fe_levels) - 1)
    n_nested = int(sum(nested))
    if n_nested:
        k_fe -= int(sum(lv for lv, ne in zip(fe_levels, nested, strict=True) if ne)) - n_nested
    return k + k_fe


#: A clustered variance below this share of its no-cancellation bound is rounding residue.
_ZERO_VARIANCE = 1e-12


def _unidentified_nan(v: np.ndarray, influence: np.ndarray, cluster: np.ndarray,
                      n_clusters: int) -> np.ndarray:
    """``v`` with NaN for coefficients whose cluster sums cancel exactly.

    With one treated cluster (or a regressor that varies within too few
    clusters) every cluster's score sum of a coefficient is zero by the normal
    equations, and the clustered variance is rounding residue of either sign:
    a standard error of 1e-8 would read as a certain effect. The variance's
    cluster sums ``sum_c (sum_i a_ij)^2`` (``a = scores @ bread``) are
    compared with their bound without cancellation, ``sum_c (sum_i
    |a_ij|)^2``, and such a variance is left undefined.
    """
    sums = (cluster_sums(influence, cluster, n_clusters) ** 2).sum(axis=0)
    bound = (cluster_sums(np.abs(influence), cluster, n_clusters) ** 2).sum(axis=0)
    zero = (sums <= _ZERO_VARIANCE * bound) & (bound > 0)
    if not zero.any():
        return v
    v = v.copy()
    v[zero, :] = np.nan
    v[:, zero] = np.nan
    return v


def sandwich(weights: np.ndarray, vcov: np.ndarray) -> np.ndarray:
    """``W V W'``, undefined only for the combinations that weigh an undefined variance.

    A coefficient without a clustered variance (:func:`_unidentified_nan`) has
    NaN rows and columns in ``V``; a plain product would spread them to every
    combination (0 * NaN is NaN), also to those that give it weight 0.
    ``weights`` is (k,) or (J, k); the result is a scalar's (1, 1) or (J, J).
    """
    w = np.atleast_2d(np.asarray(weights, dtype=float))
    undefined = ~np.isfinite(np.diag(vcov))
    out = w @ np.where(np.isfinite(vcov), vcov, 0.0) @ w.T
    touched = (w[:, undefined] != 0).any(axis=1)
    out[touched, :] = np.nan
    out[:, touched] = np.nan
    return out


def _vcov(design: _Design, vcov: str) -> tuple[np.ndarray, int, int, int | None]:
    """Variance matrix, K, t degrees of freedom and number of clusters."""
    n, k = design.xw.shape
    bread = design.bread
    if vcov == "CR1":
        if design.cluster is None:
            raise EstimationError('vcov="CR1" needs a cluster variable (cluster=...)')
        n_clusters = int(design.cluster.max()) + 1 if n else 0
        if n_clusters < 2:
            raise EstimationError(
                f"cluster-robust inference needs at least 2 clusters, got {n_clusters}"
            )
        nested = [
            nested_in(codes, lv, design.cluster)
            for codes, lv in zip(design.fe_codes, design.fe_levels, strict=True)
        ]
        df_k = _df_k(k, design.fe_levels, nested)
        if n - df_k <= 0:
            raise EstimationError(f"no residual degrees of freedom (N={n}, K={df_k})")
        scores = design.xw * design.uw[:, None]
        sums = cluster_sums(scores, design.cluster, n_clusters)
        meat = sums.T @ sums
        factor = n_clusters / (n_clusters - 1) * (n - 1) / (n - df_k)
        v = _unidentified_nan(factor * (bread @ meat @ bread), scores @ bread, design.cluster,
                              n_clusters)
        return v, df_k, n_clusters - 1, n_clusters
    df_k = _df_k(k, design.fe_levels, [False] * len(design.fe_levels))
    if n - df_k <= 0:
        raise EstimationError(f"no residual degrees of freedom (N={n}, K={df_k})")
    if vcov == "iid":
        sigma2 = float(design.uw @ design.uw) / (n - df_k)
        return sigma2 * bread, df_k, n - df_k, None
    scores = design.xw * design.uw[:, None]
    meat = scores.T @ scores
    return n / (n - df_k) * (bread @ meat @ bread), df_k, n - df_k, None


def one_row(**columns: object) -> pd.DataFrame:
    """A one-row tidy table from column values (the shape of single-test results)."""
    return pd.DataFrame({name: [value] for name, value in columns.items()})


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    a.flags.writeable = False
    return a


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class LincomResult:
    """A linear combination ``sum_j w_j beta_j`` with its t-based inference.

    Attributes
    ----------
    estimate, std_error, t_stat, p_value, ci_low, ci_high : float
        Estimate, standard error, t statistic, two-sided p-value and interval.
    df : int
        Degrees of freedom of the t distribution.
    combination : dict of str to float
        The weight of each term in the combination.
    """

    estimate: float
    std_error: float
    t_stat: float
    p_value: float
    ci_low: float
    ci_high: float
    df: int
    combination: dict[str, float]

    def tidy(self, term: str = "lincom") -> pd.DataFrame:
        """One-row DataFrame in the tidy shape."""
        return one_row(term=term, estimate=self.estimate, std_error=self.std_error,
                       t_stat=self.t_stat, p_value=self.p_value, ci_low=self.ci_low,
                       ci_high=self.ci_high)

    def summary(self) -> str:
        """One line of text."""
        expr = " + ".join(f"{w:g}*{t}" for t, w in self.combination.items())
        return (
            f"{expr} = {self.estimate:.6g}{stars(self.p_value)} (se {self.std_error:.6g}, "
            f"t {self.t_stat:.3f}, p {self.p_value:.4f}, "
            f"CI [{self.ci_low:.6g}, {self.ci_high:.6g}])"
        )


@dataclass(frozen=True, slots=True)
class WaldResult:
    """Wald test of ``R beta = q`` (F form, ``F(J, df)``).

    Attributes
    ----------
    statistic : float
        F statistic (Wald chi-square divided by J).
    p_value : float
        Upper tail probability of ``F(J, df_den)``.
    df_num, df_den : int
        Number of restrictions and denominator degrees of freedom.
    terms : tuple of str
        Terms tested (each restricted to zero) or the row labels of ``R``.
    """

    statistic: float
    p_value: float
    df_num: int
    df_den: int
    terms: tuple[str, ...]

    def tidy(self) -> pd.DataFrame:
        """One-row DataFrame."""
        return one_row(test="wald", statistic=self.statistic, p_value=self.p_value,
                       df_num=self.df_num, df_den=self.df_den, terms=", ".join(self.terms))

    def summary(self) -> str:
        """One line of text."""
        return (
            f"Wald F({self.df_num}, {self.df_den}) = {self.statistic:.4f}, "
            f"p = {self.p_value:.4g} ({', '.join(self.terms)})"
        )


@dataclass(frozen=True, slots=True, eq=False)
class FeolsResult:
    """An estimated linear model; immutable (re-inference returns a new object).

    Attributes
    ----------
    yname : str
        Outcome column.
    terms : tuple of str
        Kept regressors (``Intercept`` first when there are no fixed effects).
    dropped : tuple of str
        Regressors dropped as collinear.
    beta : numpy.ndarray
        Coefficients, shape (k,).
    vcov : numpy.ndarray
        Variance matrix, shape (k, k).
    vcov_type : str
        ``"iid"``, ``"HC1"`` or ``"CR1"``.
    cluster : str or None
        Cluster variable name.
    fixed_effects : tuple of str
        Absorbed fixed effects.
    weights : str or None
        Weight column.
    n_obs : int
        Observations used.
    n_clusters : int or None
        Clusters used (CR1).
    n_dropped_missing, n_dropped_zero_weight, n_dropped_singletons : int
        Rows dropped for missing values, zero weight and singleton fixed-effect groups.
    df_k : int
        Parameters counted in the small-sample factor.
    df_resid : int
        Degrees of freedom of the t and F reference distributions.
    r2, adj_r2, r2_within : float
        R-squared, adjusted R-squared (full model including fixed effects, as
        pyfixest's ``adj_r2``) and within R-squared.
    ssr : float
        Weighted sum of squared residuals.
    """

    yname: str
    terms: tuple[str, ...]
    dropped: tuple[str, ...]
    beta: np.ndarray
    vcov: np.ndarray
    vcov_type: str
    cluster: str | None
    fixed_effects: tuple[str, ...]
    weights: str | None
    n_obs: int
    n_clusters: int | None
    n_dropped_missing: int
    n_dropped_zero_weight: int
    n_dropped_singletons: int
    df_k: int
    df_resid: int
    r2: float
    adj_r2: float
    r2_within: float
    ssr: float
    design: _Design

    # ---- accessors
    def coef(self) -> pd.Series:
        """Coefficients by term."""
        return pd.Series(np.array(self.beta), index=list(self.terms), name="estimate")

    def se(self) -> pd.Series:
        """Standard errors by term."""
        return pd.Series(np.sqrt(np.diag(self.vcov)), index=list(self.terms), name="std_error")

    def tidy(self, alpha: float = 0.05) -> pd.DataFrame:
        """Coefficient table: term, estimate, std_error, t_stat, p_value, ci_low, ci_high."""
        se = np.sqrt(np.diag(self.vcov))
        with np.errstate(divide="ignore", invalid="ignore"):
            t = self.beta / se
        p = 2 * stats.t.sf(np.abs(t), self.df_resid)
        crit = stats.t.ppf(1 - alpha / 2, self.df_resid)
        return pd.DataFrame(
            {
                "term": list(self.terms),
                "estimate": np.array(self.beta),
                "std_error": se,
                "t_stat": t,
                "p_value": p,
                "ci_low": self.beta - crit * se,
                "ci_high": self.beta + crit * se,
            }
        )

    def summary(self) -> str:
        """Text table with stars, N, clusters, R-squared and adjusted R-squared."""
        tab = self.tidy()
        lines = [
            f"OLS: {self.yname} ~ {' + '.join(self.terms)}"
            + (f" | {' + '.join(self.fixed_effects)}" if self.fixed_effects else ""),
            f"N = {self.n_obs}"
            + (f", clusters ({self.cluster}) = {self.n_clusters}" if self.n_clusters else "")
            + f", vcov = {self.vcov_type}"
            + (f", weights = {self.weights}" if self.weights else ""),
            f"{'term':<28}{'estimate':>14}{'std.error':>12}{'t':>9}{'p':>9}",
        ]
        for row in tab.to_dict("records"):
            lines.append(
                f"{row['term']:<28}{row['estimate']:>14.6g}{row['std_error']:>12.6g}"
                f"{row['t_stat']:>9.3f}{row['p_value']:>9.4f} {stars(row['p_value'])}"
            )
        lines.append(
            f"R2 = {self.r2:.4f}, adj. R2 = {self.adj_r2:.4f}, within R2 = {self.r2_within:.4f}"
        )
        if self.dropped:
            lines.append(f"dropped as collinear: {', '.join(self.dropped)}")
        return "\n".join(lines)

    # ---- inference
    def _weight_vector(
        self, weights: Mapping[str, float] | Sequence[float] | np.ndarray
    ) -> np.ndarray:
        if isinstance(weights, Mapping):
            vec = np.zeros(len(self.terms))
            for term, w in weights.items():
                if term not in self.terms:
                    why = " (dropped as collinear)" if term in self.dropped else ""
                    raise EstimationError(
                        f"term {term!r} is not in the model{why}; terms: {self.terms}"
                    )
                vec[self.terms.index(term)] += float(w)
            return vec
        vec = np.asarray(weights, dtype=float)
        if vec.shape != (len(self.terms),):
            raise EstimationError(f"lincom weights need length {len(self.terms)}, got {vec.shape}")
        return vec

    def lincom(
        self, weights: Mapping[str, float] | Sequence[float] | np.ndarray, *, alpha: float = 0.05
    ) -> LincomResult:
        """Estimate, SE, t, p and interval of a linear combination of coefficients.

        Parameters
        ----------
        weights : mapping of term to weight, or array of shape (k,)
            The combination, e.g. ``{"active_plan": 1, "rent_support": 1}``.
        alpha : float, default 0.05
            One minus the interval's coverage.
        """
        vec = self._weight_vector(weights)
        est = float(vec @ self.beta)
        se = float(np.sqrt(sandwich(vec, self.vcov)[0, 0]))
        t = est / se if se > 0 else np.nan
        p = float(2 * stats.t.sf(abs(t), self.df_resid))
        crit = float(stats.t.ppf(1 - alpha / 2, self.df_resid))
        named = {term: float(w) for term, w in zip(self.terms, vec, strict=True) if w != 0}
        return LincomResult(
            est, se, float(t), p, est - crit * se, est + crit * se, self.df_resid, named
        )

    def wald(
        self,
        terms: Sequence[str] | np.ndarray,
        q: Sequence[float] | np.ndarray | None = None,
    ) -> WaldResult:
        """Joint Wald test (F form) that the named coefficients are zero, or ``R beta = q``.

        Parameters
        ----------
        terms : sequence of str or numpy.ndarray
            Terms restricted to zero, or a restriction matrix ``R`` of shape (J, k).
        q : array-like, optional
            Right-hand side, shape (J,); zeros by default.
        """
        if isinstance(terms, np.ndarray) and terms.ndim == 2:
            rmat = np.asarray(terms, dtype=float)
            labels = tuple(f"restriction_{i + 1}" for i in range(rmat.shape[0]))
        else:
            names = [str(t) for t in terms]
            if not names:
                raise EstimationError("wald() needs at least one term")
            rmat = np.vstack([self._weight_vector({t: 1.0}) for t in names])
            labels = tuple(names)
        if rmat.shape[1] != len(self.terms):
            raise EstimationError(f"R needs {len(self.terms)} columns, got {rmat.shape[1]}")
        qv = np.zeros(rmat.shape[0]) if q is None else np.asarray(q, dtype=float)
        diff = rmat @ self.beta - qv
        mid = sandwich(rmat, self.vcov)
        if not np.isfinite(mid).all():  # a restricted term without a clustered variance
            return WaldResult(math.nan, math.nan, int(rmat.shape[0]), int(self.df_resid), labels)
        stat = float(diff @ np.linalg.solve(mid, diff)) / rmat.shape[0]
        p = float(stats.f.sf(stat, rmat.shape[0], self.df_resid))
        return WaldResult(stat, p, int(rmat.shape[0]), int(self.df_resid), labels)

    def with_vcov(
        self, vcov: VcovType, cluster: object = None, cluster_name: str | None = None
    ) -> FeolsResult:
        """A new result with another variance estimator (the coefficients are unchanged).

        Parameters
        ----------
        vcov : {"iid", "HC1", "CR1"}
            Variance estimator.
        cluster : array-like, optional
            New cluster variable aligned with the rows of the data passed to
            ``feols`` (all of them, before any row was dropped). By default the
            fit's own cluster variable.
        cluster_name : str, optional
            Name to record for a new cluster variable.
        """
        if vcov not in VCOV_TYPES:
            raise EstimationError(f"vcov must be one of {VCOV_TYPES}, got {vcov!r}")
        design = self.design
        name = self.cluster
        if cluster is not None:
            values = pd.Series(np.asarray(cluster))
            if len(values) != design.sample.shape[0]:
                raise EstimationError(
                    f"cluster has {len(values)} values; "
                    f"the fitted data had {design.sample.shape[0]} rows"
                )
            used = values[design.sample]
            if used.isna().any():
                raise EstimationError(
                    "the new cluster variable is missing for rows of the estimation sample"
                )
            codes, _ = factorize(used.to_numpy())
            design = replace(design, cluster=codes)
            name = cluster_name or "cluster"
        v, df_k, df_resid, n_clusters = _vcov(design, vcov)
        return replace(
            self,
            vcov=_readonly(v),
            vcov_type=vcov,
            cluster=name if vcov == "CR1" else self.cluster,
            df_k=df_k,
            df_resid=df_resid,
            n_clusters=n_clusters,
            design=design,
        )


# --------------------------------------------------------------------------- helpers


def add_dummies(
    data: pd.DataFrame,
    column: str,
    *,
    prefix: str | None = None,
    reference: object = None,
    levels: Sequence[object] | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Add 0/1 dummy columns ``<prefix>_<level>`` for a categorical column.

    The reference level (default: the first sorted level) gets no dummy, so the
    dummies can sit next to an intercept, as in the seed's tables
    (``year_2007``, ``cohort_g1``, ...).

    Parameters
    ----------
    data : pandas.DataFrame
        Input; not modified.
    column : str
        Categorical column.
    prefix : str, optional
        Name prefix; the column name by default.
    reference : object, optional
        Level without a dummy; ``None`` means the first sorted level.
    levels : sequence, optional
        Levels to code (default: all observed, sorted).

    Returns
    -------
    data : pandas.DataFrame
        Copy with the dummies added.
    names : list of str
        The dummy column names, in level order.
    """
    if column not in data.columns:
        raise EstimationError(f"column {column!r} is not in the data")
    observed = pd.unique(data[column].dropna())
    lv = list(levels) if levels is not None else sorted(observed.tolist())
    if not lv:
        raise EstimationError(f"column {column!r} has no non-missing values")
    ref = lv[0] if reference is None else reference
    if ref not in lv:
        raise EstimationError(f"reference level {ref!r} is not a level of {column!r}: {lv}")
    pre = column if prefix is None else prefix
    values = data[column]
    new = {
        f"{pre}_{level}": (values == level).astype(np.float64).where(values.notna())
        for level in lv
        if level != ref
    }
    out = data.assign(**new)
    return out, list(new)


def _numeric(data: pd.DataFrame, name: str) -> np.ndarray:
    col = data[name]
    if col.dtype == bool:
        return col.to_numpy(dtype=np.float64)
    if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
        raise EstimationError(
            f"column {name!r} is not numeric ({col.dtype}); code categories with add_dummies()"
        )
    return col.to_numpy(dtype=np.float64, na_value=np.nan)


def _drop_singletons(codes: list[np.ndarray], levels: list[int]) -> np.ndarray:
    keep = np.ones(codes[0].shape[0], dtype=bool)
    while True:
        before = int(keep.sum())
        for c, lv in zip(codes, levels, strict=True):
            counts = np.bincount(c[keep], minlength=lv)
            keep &= counts[c] > 1
        if int(keep.sum()) == before:
            return keep


# --------------------------------------------------------------------------- entry point


def feols(
    data: pd.DataFrame,
    yname: str,
    xnames: Sequence[str],
    fixed_effects: Sequence[str] | str | None = None,
    weights: str | None = None,
    vcov: VcovType | None = None,
    cluster: str | None = None,
    *,
    intercept: bool = True,
    drop_singletons: bool = False,
    collinearity_tol: float = COLLINEARITY_TOL,
) -> FeolsResult:
    """Least squares with absorbed fixed effects, analytic weights and robust variance.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy data, one row per observation; not modified.
    yname : str
        Outcome column.
    xnames : sequence of str
        Numeric regressor columns (use ``add_dummies`` for categories).
    fixed_effects : str or sequence of str, optional
        Columns whose levels are absorbed (no intercept is then estimated).
    weights : str, optional
        Analytic-weight column; zero-weight rows are dropped (as Stata).
    vcov : {"iid", "HC1", "CR1"}, optional
        Variance estimator; ``"CR1"`` when ``cluster`` is given, else ``"iid"``.
    cluster : str, optional
        Cluster column for ``"CR1"``.
    intercept : bool, default True
        Add an intercept when there are no fixed effects.
    drop_singletons : bool, default False
        Drop observations alone in a fixed-effect level (as reghdfe and
        pyfixest's default); warns with ``SingletonWarning``.
    collinearity_tol : float, default 1e-9
        Relative tolerance for dropping collinear regressors.

    Returns
    -------
    FeolsResult
    """
    fes = [fixed_effects] if isinstance(fixed_effects, str) else list(fixed_effects or [])
    xnames = list(xnames)
    if vcov is None:
        vcov = "CR1" if cluster is not None else "iid"
    if vcov not in VCOV_TYPES:
        raise EstimationError(f"vcov must be one of {VCOV_TYPES}, got {vcov!r}")
    if vcov == "CR1" and cluster is None:
        raise EstimationError('vcov="CR1" needs a cluster column (cluster=...)')
    needed = (
        [yname, *xnames, *fes] + ([weights] if weights else []) + ([cluster] if cluster else [])
    )
    missing_cols = [c for c in dict.fromkeys(needed) if c not in data.columns]
    if missing_cols:
        raise EstimationError(f"columns not in the data: {missing_cols}")
    if len(set(xnames)) != len(xnames):
        raise EstimationError(f"regressors named more than once: {xnames}")
    add_intercept = intercept and not fes
    if not xnames and not add_intercept:
        raise EstimationError("the model has no regressors")

    n_input = len(data)
    y = _numeric(data, yname)
    x = np.empty((n_input, len(xnames)))
    for j, name in enumerate(xnames):
        x[:, j] = _numeric(data, name)
    ok = np.isfinite(y) & np.all(np.isfinite(x), axis=1)
    w: np.ndarray | None = None
    if weights:
        w = _numeric(data, weights)
        ok &= np.isfinite(w)
    fe_raw = [factorize(data[f].to_numpy())[0] for f in fes]
    for codes in fe_raw:
        ok &= codes >= 0
    cl_raw = factorize(data[cluster].to_numpy())[0] if cluster else None
    if cl_raw is not None:
        ok &= cl_raw >= 0
    n_missing = int(n_input - ok.sum())
    n_zero = 0
    if w is not None:
        if np.any(w[ok] < 0):
            raise EstimationError(f"weights {weights!r} has negative values")
        zero = ok & (w == 0)
        n_zero = int(zero.sum())
        ok &= ~zero
    sample = ok
    n_single = 0
    if fes and drop_singletons:
        codes_now = [factorize(c[sample])[0] for c in fe_raw]
        levels_now = [int(c.max()) + 1 if c.size else 0 for c in codes_now]
        keep = _drop_singletons(codes_now, levels_now)
        n_single = int((~keep).sum())
        if n_single:
            warnings.warn(
                f"dropped {n_single} observations that are alone in a fixed-effect group",
                SingletonWarning,
                stacklevel=2,
            )
            idx = np.flatnonzero(sample)
            sample = sample.copy()
            sample[idx[~keep]] = False
    n = int(sample.sum())
    if n == 0:
        raise EstimationError("no observations left after dropping missing values and zero weights")

    y = y[sample]
    x = x[sample]
    if add_intercept:
        x = np.column_stack([np.ones(n), x])
        names = [INTERCEPT, *xnames]
    else:
        names = xnames
    ws = w[sample] if w is not None else None
    fe_codes: list[np.ndarray] = []
    fe_levels: list[int] = []
    for codes in fe_raw:
        c, lv = factorize(codes[sample])
        fe_codes.append(c)
        fe_levels.append(lv)
    cl = factorize(cl_raw[sample])[0] if cl_raw is not None else None

    # within transformation of y and X together
    both = demean(np.column_stack([y, x]), fe_codes, fe_levels, ws, copy=False)
    if ws is not None:
        sqrt_w = np.sqrt(ws)
        both *= sqrt_w[:, None]
    else:
        sqrt_w = np.ones(n)
    yw = both[:, 0]
    xw = both[:, 1:]

    # collinearity, left to right, relative to each column's own sum of squares
    if ws is not None:
        wsum = float(ws.sum())
        means = (ws @ x) / wsum
        uncentred = np.einsum("i,ij,ij->j", ws, x, x)
    else:
        wsum = float(n)
        means = x.sum(axis=0) / wsum
        uncentred = np.einsum("ij,ij->j", x, x)
    centred = np.maximum(uncentred - wsum * means**2, 0.0)
    reference = centred if (fes or add_intercept) else uncentred
    if add_intercept:
        reference[0] = uncentred[0]
    gram = xw.T @ xw
    keep_cols = independent_columns(gram, reference, collinearity_tol)
    dropped = tuple(nm for nm, kp in zip(names, keep_cols, strict=True) if not kp)
    if dropped:
        warnings.warn(
            f"dropped {len(dropped)} collinear regressor(s): {', '.join(dropped)}",
            CollinearityWarning,
            stacklevel=2,
        )
    terms = tuple(nm for nm, kp in zip(names, keep_cols, strict=True) if kp)
    if not keep_cols.all():
        xw = np.ascontiguousarray(xw[:, keep_cols])
    k = xw.shape[1]
    if k == 0:
        raise EstimationError("every regressor is collinear with the fixed effects")
    beta, bread = _least_squares(xw, yw, gram[np.ix_(keep_cols, keep_cols)])
    uw = yw - xw @ beta
    ssr = float(uw @ uw)

    design = _Design(
        xw=_readonly(xw),
        yw=_readonly(yw),
        uw=_readonly(uw),
        sqrt_w=_readonly(sqrt_w),
        bread=_readonly(bread),
        fe_codes=tuple(_readonly(c) for c in fe_codes),
        fe_levels=tuple(fe_levels),
        cluster=_readonly(cl) if cl is not None else None,
        sample=_readonly(sample),
    )
    v, df_k, df_resid, n_clusters = _vcov(design, vcov)

    # goodness of fit (pyfixest's definitions)
    ybar = float(ws @ y if ws is not None else y.sum()) / wsum
    dev = y - ybar
    ssy = float(ws @ dev**2 if ws is not None else dev @ dev)
    ssy_within = float(yw @ yw)
    r2 = 1 - ssr / ssy if ssy > 0 else np.nan
    if fes:
        k_fe = int(sum(lv - 1 for lv in fe_levels)) + 1
        denom = n - k - k_fe
        adj_factor = (n - 1) / denom if denom > 0 else np.nan
    else:
        adj_factor = (n - int(add_intercept)) / (n - k) if n > k else np.nan
    adj_r2 = 1 - ssr / ssy * adj_factor if ssy > 0 else np.nan
    r2_within = 1 - ssr / ssy_within if (fes and ssy_within > 0) else r2

    return FeolsResult(
        yname=yname,
        terms=terms,
        dropped=dropped,
        beta=_readonly(beta),
        vcov=_readonly(v),
        vcov_type=vcov,
        cluster=cluster,
        fixed_effects=tuple(fes),
        weights=weights,
        n_obs=n,
        n_clusters=n_clusters,
        n_dropped_missing=n_missing,
        n_dropped_zero_weight=n_zero,
        n_dropped_singletons=n_single,
        df_k=df_k,
        df_resid=df_resid,
        r2=float(r2),
        adj_r2=float(adj_r2),
        r2_within=float(r2_within),
        ssr=ssr,
        design=design,
    )
