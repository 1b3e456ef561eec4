"""Wild (cluster) bootstrap p-values and test-inversion intervals, as boottest.

For hypotheses ``R beta = r`` the model is re-estimated with the null imposed
(the restricted "WCR" bootstrap; ``impose_null=False`` gives the unrestricted
"WCU" variant), the residuals are multiplied by bootstrap-cluster weights
(Rademacher, Mammen, Webb, standard normal or centred gamma) and the bootstrap
statistics, each with its own variance of the fit's type (CR1, HC1 or iid),
are compared with the observed one. Everything is linear in the weights, so
all draws come from a few matrix products (Roodman et al. 2019):

    a'beta* - r = c'v,   scores*_g = c_g v_g - (M v)_g,

with ``S_g = X_g' u_r`` (restricted scores), ``c = S B a`` and
``M = Q B S'`` where ``Q_g = X_g' X_g B a`` and ``B = (X'X)^-1``. Both ``c`` and
``M`` are affine in ``r``, which makes inverting the test for the interval
cheap. Fixed effects are handled by working on the demeaned data (FWL).

p-values count bootstrap statistics strictly larger than the observed one
(``|t*| > |t|``), as boottest, WildBootTests.jl, fwildclusterboot and
wildboottest do: the two sign vectors +-1 reproduce the observed statistic
exactly and are ties, not exceedances. With Rademacher weights and
``2**G <= bootstrap_draws`` all ``2**G`` sign vectors are enumerated, so the
p-value is exact. Weights can be drawn on a coarser cluster than the
variance's (``bootstrap_cluster``, boottest's ``bootcluster``); after a fit
without clusters each observation is a bootstrap cluster.

The bootstrap p-value is a step function of the null value r, so where an
interval end lies within the steps next to alpha is a matter of definition.
By default (``ci_method="boottest"``) the ends are those boottest
(``boottest.mata``: ``plot()``, ``search()``) and WildBootTests.jl
(``src/plot-CI.jl``) return: p on a grid of 25 points spanning the estimate
-/+ ``1.5 z_(alpha/2) sqrt(V)`` (widened until the outer p-values are at most
alpha; ``V`` is boottest's ``getV()``, the squared SE divided by its
small-sample factor ``(N - K) / (N - 1)``, or ``/ N`` without robust
variance) plus the estimate itself; then, in each grid step where p crosses
alpha, Chandrupatla's (1997) quadratic-bisection search, stopped at the first
point with ``|p - alpha| < 1/B``, at a point whose p is not strictly between
the bracket's, or when the bracket is narrower than 1e-6 (relative). An end
can thus lie on either side of where p crosses alpha, a step of p or more
away from it.
``ci_method="jump"`` gives the outermost points where p is still at least
alpha instead (found by bisection; the default before issue 18).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from boligeval.errors import EstimationError
from boligeval.estimate.ols import FeolsResult, one_row

__all__ = [
    "WildBootstrapResult",
    "WildBootstrapWaldResult",
    "wild_cluster_bootstrap",
    "wild_cluster_bootstrap_wald",
]

WeightType = Literal["auto", "rademacher", "mammen", "webb", "normal", "gamma"]
CiMethod = Literal["boottest", "jump"]
WEIGHT_TYPES = ("rademacher", "mammen", "webb", "normal", "gamma")
WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
WEBB_BELOW = 12
_TIE = 1e-9  # relative tolerance: |t*| within it of |t| is a tie, not an exceedance
_CHUNK = 4_000_000  # elements of a (clusters x draws) block


@dataclass(frozen=True, slots=True)
class WildBootstrapResult:
    """Wild (cluster) bootstrap test of ``a'beta = null`` with its interval.

    Attributes
    ----------
    term : str
        Term or label of the linear combination.
    estimate, std_error, t_stat : float
        Estimate, analytic standard error (the fit's variance type) and
        observed t statistic.
    null : float
        Value under the null.
    p_value : float
        Symmetric bootstrap p-value, share of ``|t*| > |t|`` (strict).
    ci_low, ci_high : float
        Interval by test inversion at level ``1 - alpha`` (``ci_method``).
    alpha : float
        One minus the interval's coverage.
    bootstrap_draws : int
        Bootstrap draws (``2**G`` when enumerated).
    weight_type : str
        ``"rademacher"``, ``"mammen"``, ``"webb"``, ``"normal"`` or ``"gamma"``.
    n_clusters : int
        Bootstrap clusters.
    seed : int
        Seed of the draws.
    impose_null : bool
        Restricted (WCR, True) or unrestricted (WCU) bootstrap.
    enumerated : bool
        Whether all Rademacher sign vectors were enumerated (exact p-value).
    ci_method : str
        ``"boottest"`` (boottest's grid and search) or ``"jump"``.
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
    bootstrap_draws: int
    weight_type: str
    n_clusters: int
    seed: int
    impose_null: bool = True
    enumerated: bool = False
    ci_method: str = "boottest"

    def tidy(self) -> pd.DataFrame:
        """One-row table in the tidy columns plus draws and weight type."""
        return one_row(term=self.term, estimate=self.estimate, std_error=self.std_error,
                       t_stat=self.t_stat, p_value=self.p_value, ci_low=self.ci_low,
                       ci_high=self.ci_high, bootstrap_draws=self.bootstrap_draws,
                       weight_type=self.weight_type)

    def summary(self) -> str:
        """One line of text."""
        level = round(100 * (1 - self.alpha))
        kind = "WCR" if self.impose_null else "WCU"
        draws = f"all {self.bootstrap_draws}" if self.enumerated else f"B={self.bootstrap_draws}"
        return (
            f"{kind} bootstrap ({self.weight_type}, {draws}, G={self.n_clusters}, "
            f"seed={self.seed}): {self.term} = {self.estimate:.6g}, H0 = {self.null:g}, "
            f"p = {self.p_value:.4f}, {level}% CI [{self.ci_low:.6g}, {self.ci_high:.6g}]"
        )


@dataclass(frozen=True, slots=True)
class WildBootstrapWaldResult:
    """Wild (cluster) bootstrap test of several restrictions ``R beta = r`` jointly.

    Attributes
    ----------
    hypotheses : tuple of str
        The restrictions, one per row of R.
    statistic : float
        Observed Wald statistic divided by the number of restrictions (F form).
    df_num : int
        Number of restrictions.
    p_value : float
        Share of bootstrap statistics strictly above the observed one.
    bootstrap_draws : int
        Draws (``2**G`` when enumerated).
    weight_type : str
        Weight distribution.
    n_clusters : int
        Bootstrap clusters.
    seed : int
        Seed of the draws.
    impose_null : bool
        Restricted (WCR) or unrestricted (WCU) bootstrap.
    enumerated : bool
        Whether all Rademacher sign vectors were enumerated.
    """

    hypotheses: tuple[str, ...]
    statistic: float
    df_num: int
    p_value: float
    bootstrap_draws: int
    weight_type: str
    n_clusters: int
    seed: int
    impose_null: bool
    enumerated: bool

    def tidy(self) -> pd.DataFrame:
        """One row: the joint hypothesis, its F statistic and bootstrap p-value."""
        return one_row(term=" & ".join(self.hypotheses), statistic=self.statistic,
                       df_num=self.df_num, p_value=self.p_value,
                       bootstrap_draws=self.bootstrap_draws, weight_type=self.weight_type)

    def summary(self) -> str:
        """One line of text."""
        kind = "WCR" if self.impose_null else "WCU"
        return (
            f"{kind} bootstrap Wald test ({self.weight_type}, B={self.bootstrap_draws}, "
            f"G={self.n_clusters}, seed={self.seed}): {' & '.join(self.hypotheses)}: "
            f"F({self.df_num}) = {self.statistic:.4f}, p = {self.p_value:.4f}"
        )


# --------------------------------------------------------------------------- weights


def _draws(kind: str, n_clusters: int, draws: int, seed: int) -> tuple[np.ndarray, bool]:
    """Weights (n_clusters, draws); all sign vectors when Rademacher and 2^G <= draws."""
    if kind == "rademacher" and n_clusters <= 30 and 2**n_clusters <= draws:
        signs = np.array(list(itertools.product((1.0, -1.0), repeat=n_clusters)))
        return np.ascontiguousarray(signs.T), True
    rng = np.random.default_rng(seed)
    shape = (n_clusters, draws)
    if kind == "rademacher":
        return rng.integers(0, 2, size=shape).astype(np.float64) * 2.0 - 1.0, False
    if kind == "webb":
        return WEBB[rng.integers(0, 6, size=shape)], False
    if kind == "mammen":
        s5 = np.sqrt(5.0)
        low = rng.random(shape) < (s5 + 1) / (2 * s5)
        return np.where(low, -(s5 - 1) / 2, (s5 + 1) / 2), False
    if kind == "normal":
        return rng.standard_normal(shape), False
    return rng.gamma(4.0, 0.5, size=shape) - 2.0, False  # mean 0, variance 1, skewness 1


def _group_sum(a: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum rows of ``a`` (n,) or (n, k) within groups, shape (n_groups,) or (n_groups, k)."""
    if a.ndim == 1:
        return np.bincount(codes, weights=a, minlength=n_groups)
    out = np.zeros((n_groups, a.shape[1]))
    np.add.at(out, codes, a)
    return out


# --------------------------------------------------------------------------- setup


@dataclass(frozen=True, eq=False)
class _Setup:
    x: np.ndarray  # (n, k) demeaned, weighted regressors
    u: np.ndarray  # (n,) residuals
    bread: np.ndarray
    beta: np.ndarray
    vcov_type: str  # "CR1", "HC1" or "iid"
    var_codes: np.ndarray  # (n,) variance clusters (observations for HC1/iid)
    n_var: int
    boot_of_var: np.ndarray  # (n_var,) bootstrap cluster of each variance cluster
    boot_codes: np.ndarray  # (n,) bootstrap cluster of each observation
    n_boot: int
    factor: float  # small-sample factor of the variance
    df_resid: int  # n - K (iid: divisor of the residual variance)
    df_t: int  # degrees of freedom of the reference t distribution


def _setup(fit: FeolsResult, bootstrap_cluster: object) -> _Setup:
    design = fit.design
    x = np.asarray(design.xw)
    u = np.asarray(design.uw)
    n = x.shape[0]
    vcov_type = fit.vcov_type
    if vcov_type == "CR1":
        if design.cluster is None:
            raise EstimationError("the fit has no cluster variable")
        var_codes = np.asarray(design.cluster, dtype=np.int64)
        n_var = int(var_codes.max()) + 1
        df_k = fit.df_k
        factor = n_var / (n_var - 1) * (n - 1) / (n - df_k)
        df_t = n_var - 1
    else:
        var_codes = np.arange(n, dtype=np.int64)
        n_var = n
        df_k = fit.df_k
        factor = n / (n - df_k) if vcov_type == "HC1" else 1.0
        df_t = n - df_k
    if bootstrap_cluster is None:
        boot_codes, n_boot = var_codes, n_var
        boot_of_var = np.arange(n_var, dtype=np.int64)
    else:
        values = pd.Series(np.asarray(bootstrap_cluster))
        if len(values) != design.sample.shape[0]:
            raise EstimationError(
                f"bootstrap_cluster has {len(values)} values; "
                f"the fitted data had {design.sample.shape[0]} rows"
            )
        used = values[design.sample]
        if used.isna().any():
            raise EstimationError("bootstrap_cluster is missing for rows of the estimation sample")
        codes, uniques = pd.factorize(used.to_numpy())
        boot_codes, n_boot = np.asarray(codes, dtype=np.int64), len(uniques)
        boot_of_var = np.full(n_var, -1, dtype=np.int64)
        boot_of_var[var_codes] = boot_codes
        if not np.array_equal(boot_of_var[var_codes], boot_codes):
            raise EstimationError(
                "each variance cluster must lie within one bootstrap cluster "
                "(the bootstrap cluster must be coarser than the fit's cluster)"
            )
    if n_boot < 2:
        raise EstimationError(f"the bootstrap needs at least 2 clusters, got {n_boot}")
    return _Setup(
        x, u, np.asarray(design.bread), np.asarray(fit.beta, dtype=float), vcov_type,
        var_codes, n_var, boot_of_var, boot_codes, n_boot, factor, n - df_k, df_t,
    )  # fmt: skip


def _restriction(fit: FeolsResult, combo: Mapping[str, float]) -> np.ndarray:
    weights = fit.lincom(dict(combo)).combination
    avec = np.zeros(len(fit.terms))
    for term, w in weights.items():
        avec[fit.terms.index(term)] = w
    return avec


def _label(term_or_lincom: str | Mapping[str, float], fit: FeolsResult) -> str:
    if isinstance(term_or_lincom, str):
        return term_or_lincom
    weights = fit.lincom(dict(term_or_lincom)).combination
    return " + ".join(f"{w:g}*{t}" for t, w in weights.items())


def _resolve_kind(weight_type: str, n_boot: int) -> str:
    kind = weight_type
    if kind == "auto":
        kind = "webb" if n_boot < WEBB_BELOW else "rademacher"
    if kind not in WEIGHT_TYPES:
        raise EstimationError(f"weight_type must be 'auto' or one of {WEIGHT_TYPES}, got {kind!r}")
    return kind


def _check_fit(fit_or_spec: object) -> FeolsResult:
    fit = getattr(fit_or_spec, "fit", fit_or_spec)
    if not isinstance(fit, FeolsResult):
        raise EstimationError("the wild bootstrap needs a FeolsResult (or a result with .fit)")
    return fit


# --------------------------------------------------------------------------- one restriction


def wild_cluster_bootstrap(
    fit_or_spec: object,
    term_or_lincom: str | Mapping[str, float],
    *,
    bootstrap_draws: int = 9999,
    weight_type: WeightType = "auto",
    seed: int,
    null: float = 0.0,
    alpha: float = 0.05,
    ci: bool = True,
    label: str | None = None,
    impose_null: bool = True,
    bootstrap_cluster: Sequence[object] | np.ndarray | pd.Series | None = None,
    ci_method: CiMethod = "boottest",
) -> WildBootstrapResult:
    """Wild (cluster) bootstrap p-value and interval for a coefficient or combination.

    Parameters
    ----------
    fit_or_spec : FeolsResult or an object with a ``fit`` attribute (e.g. DidResult)
        A fit; its variance type (CR1, HC1 or iid) is the bootstrap statistic's.
    term_or_lincom : str or mapping of term to weight
        The coefficient or linear combination tested.
    bootstrap_draws : int, default 9999
        Bootstrap draws; with Rademacher weights and ``2**G <= bootstrap_draws``
        all ``2**G`` sign vectors are enumerated instead.
    weight_type : {"auto", "rademacher", "mammen", "webb", "normal", "gamma"}
        Weight distribution; ``"auto"`` uses Webb below 12 bootstrap clusters.
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
    impose_null : bool, default True
        Restricted (WCR) bootstrap; False gives the unrestricted (WCU) one.
    bootstrap_cluster : array-like, optional
        Cluster of the weights, aligned with the rows passed to ``feols``;
        each of the fit's clusters must lie within one of them. Default: the
        fit's cluster (each observation after a fit without clusters).
    ci_method : {"boottest", "jump"}, default "boottest"
        Interval ends as boottest and WildBootTests.jl search them (a point of
        the step of p next to alpha; see the module notes), or the outermost
        points where p is still at least alpha (``"jump"``).

    Returns
    -------
    WildBootstrapResult
    """
    fit = _check_fit(fit_or_spec)
    if bootstrap_draws < 99:
        raise EstimationError(f"bootstrap_draws must be at least 99, got {bootstrap_draws}")
    if not 0 < alpha < 1:
        raise EstimationError("alpha must be in (0, 1)")
    if ci_method not in ("boottest", "jump"):
        raise EstimationError(f"ci_method must be 'boottest' or 'jump', got {ci_method!r}")
    combo = {term_or_lincom: 1.0} if isinstance(term_or_lincom, str) else dict(term_or_lincom)
    avec = _restriction(fit, combo)
    name = label or _label(term_or_lincom, fit)
    st = _setup(fit, bootstrap_cluster)
    kind = _resolve_kind(weight_type, st.n_boot)
    v, enumerated = _draws(kind, st.n_boot, bootstrap_draws, seed)
    pvalue, theta, se_obs = _one_restriction(st, avec, v, impose_null)
    p = pvalue(null)
    lo = hi = np.nan
    if ci and ci_method == "jump":
        crit = float(stats.t.ppf(1 - alpha / 2, st.df_t))
        lo = _invert(pvalue, theta, -1.0, se_obs, crit, alpha)
        hi = _invert(pvalue, theta, 1.0, se_obs, crit, alpha)
    elif ci:
        # boottest's getV(): the squared SE over its small-sample factor (N - K) / (N - robust)
        n = st.x.shape[0]
        small = st.df_resid / (n - (st.vcov_type != "iid"))
        half = -1.5 * float(stats.norm.ppf(alpha / 2)) * se_obs / np.sqrt(small)
        lo, hi = _boottest_interval(pvalue, theta, half, null, alpha, int(v.shape[1]))
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
        bootstrap_draws=int(v.shape[1]),
        weight_type=kind,
        n_clusters=st.n_boot,
        seed=seed,
        impose_null=impose_null,
        enumerated=enumerated,
        ci_method=ci_method,
    )


def _exceed(stat: np.ndarray, observed: float) -> float:
    """Share of draws strictly above ``observed`` (ties within _TIE are not counted)."""
    return float(np.mean(stat > observed + _TIE * max(1.0, abs(observed))))


def _one_restriction(
    st: _Setup, avec: np.ndarray, v: np.ndarray, impose_null: bool
) -> tuple[Callable[[float], float], float, float]:
    """p-value as a function of the null value r, the estimate and its analytic SE."""
    statistics, theta, se_obs = _restriction_statistics(st, avec, v, impose_null)

    def pvalue(r: float) -> float:
        observed, draws = statistics(r)
        return _exceed(draws, observed)

    return pvalue, theta, se_obs


def _restriction_statistics(
    st: _Setup, avec: np.ndarray, v: np.ndarray, impose_null: bool
) -> tuple[Callable[[float], tuple[float, np.ndarray]], float, float]:
    """Observed and bootstrap |t| as functions of the null value r, the estimate, its SE.

    Restricted residuals are ``u + d * (theta - r)``, so every bootstrap
    quantity is a polynomial in ``delta = theta - r`` whose coefficients are
    computed once from the draws.
    """
    x, bread = st.x, st.bread
    ba = bread @ avec
    aba = float(avec @ ba)
    theta = float(avec @ st.beta)
    xba = x @ ba
    d = xba / aba
    hb, nb = st.boot_codes, st.n_boot
    # bootstrap-cluster sums of scores of u and of d, (H, k)
    sb0 = _group_sum(x * st.u[:, None], hb, nb)
    sb1 = _group_sum(x * d[:, None], hb, nb)
    num0, num1 = (sb0 @ ba) @ v, (sb1 @ ba) @ v  # numerators a'(beta* - beta_r), per delta power
    if st.vcov_type == "iid":
        u0 = _group_sum(st.u**2, hb, nb)
        u1 = _group_sum(st.u * d, hb, nb)
        u2 = _group_sum(d**2, hb, nb)
        v2 = v**2
        uu = (u0 @ v2, 2 * (u1 @ v2), u2 @ v2)
        a0, a1 = sb0.T @ v, sb1.T @ v
        ba0, ba1 = bread @ a0, bread @ a1
        qq = (
            np.einsum("kb,kb->b", a0, ba0),
            2 * np.einsum("kb,kb->b", a0, ba1),
            np.einsum("kb,kb->b", a1, ba1),
        )
        ssr = tuple(uu[j] - qq[j] for j in range(3))
        s2_obs = float(st.u @ st.u) / st.df_resid
        se_obs = float(np.sqrt(s2_obs * aba))

        def variance(delta: float) -> np.ndarray:
            return np.asarray((ssr[0] + delta * ssr[1] + delta**2 * ssr[2]) / st.df_resid * aba)

    else:
        gv, bv = st.var_codes, st.boot_of_var
        ng = st.n_var
        c0 = _group_sum(x * st.u[:, None], gv, ng) @ ba  # (G,)
        c1 = _group_sum(x * d[:, None], gv, ng) @ ba
        q = _group_sum(x * xba[:, None], gv, ng) @ bread  # (G, k): Q_g B
        se_obs = float(np.sqrt(st.factor * np.sum(c0**2)))
        draws = v.shape[1]
        step = max(1, _CHUNK // max(ng, 1))
        # sums over g of scores^2 as a quadratic in delta: coefficients per draw
        quad = [np.empty(draws), np.empty(draws), np.empty(draws)]
        for lo in range(0, draws, step):
            vb = v[:, lo : lo + step]
            vg = vb[bv]  # (G, chunk)
            m0 = q @ (sb0.T @ vb)
            m1 = q @ (sb1.T @ vb)
            e0 = c0[:, None] * vg - m0
            e1 = c1[:, None] * vg - m1
            quad[0][lo : lo + step] = np.einsum("gb,gb->b", e0, e0)
            quad[1][lo : lo + step] = 2 * np.einsum("gb,gb->b", e0, e1)
            quad[2][lo : lo + step] = np.einsum("gb,gb->b", e1, e1)

        def variance(delta: float) -> np.ndarray:
            return np.asarray(st.factor * (quad[0] + delta * quad[1] + delta**2 * quad[2]))

    if not impose_null:
        with np.errstate(divide="ignore", invalid="ignore"):
            tstar = np.abs(num0 / np.sqrt(variance(0.0)))
        tstar = np.where(np.isfinite(tstar), tstar, 0.0)

        def statistics_u(r: float) -> tuple[float, np.ndarray]:
            return abs(theta - r) / se_obs, tstar

        return statistics_u, theta, se_obs

    def statistics(r: float) -> tuple[float, np.ndarray]:
        delta = theta - r
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.abs((num0 + delta * num1) / np.sqrt(variance(delta)))
        return abs(delta) / se_obs, np.where(np.isfinite(t), t, 0.0)

    return statistics, theta, se_obs


def _invert(pvalue: Any, theta: float, side: float, se: float, crit: float, alpha: float) -> float:
    """Bisection for the interval end where the bootstrap p-value falls below alpha."""
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
    for _ in range(100):
        mid = 0.5 * (inner + outer)
        if pvalue(mid) < alpha:
            outer = mid
        else:
            inner = mid
        if abs(outer - inner) <= 1e-9 * se:
            break
    return float(0.5 * (inner + outer))


def _chandrupatla(
    pvalue: Callable[[float], float], alpha: float, draws: int,
    f1: float, x1: float, f2: float, x2: float,
) -> float:  # fmt: skip
    """boottest's ``search()``: a point of the bracket [x1, x2] where p is near alpha.

    Chandrupatla's (1997) quadratic-bisection root search, stopped as boottest
    stops it: at ``|p - alpha| < 1/B``, at a point whose p is not strictly
    between the bracket's (monotonicity broken, e.g. a flat step), or when the
    bracket is narrower than 1e-6 relative to its end.
    """
    t = 0.5
    x3 = f3 = np.nan
    for _ in range(200):
        x = x1 + t * (x2 - x1)
        fx = pvalue(x)
        if (fx > f1) == (fx > f2):
            return x
        if (fx < alpha) == (f1 < alpha):
            x3, x1, f3, f1 = x1, x, f1, fx
        else:
            x3, x2, x1, f3, f2, f1 = x2, x1, x, f2, f1, fx
        if abs(fx - alpha) < 1.000001 / draws or abs(x2 - x1) / (abs(x1) + 1) < 1e-6:
            return x1 if abs(f1 - alpha) < abs(f2 - alpha) else x2
        phi1 = (f1 - f2) / (f3 - f2)
        xi1 = (x1 - x2) / (x3 - x2)
        if phi1**2 > xi1 or xi1 > 2 * phi1 - phi1**2:
            t = 0.5
        else:
            t = (
                ((f3 - alpha) / (f1 - f2) + (x3 - x1) / ((x2 - x1) * (f3 - f1)) * (f2 - alpha))
                * (f1 - alpha)
                / (f3 - f2)
            )
            t = min(max(t, 1e-6), 0.999999)
    return x1 if abs(f1 - alpha) < abs(f2 - alpha) else x2


def _boottest_interval(
    pvalue: Callable[[float], float], theta: float, half: float, null: float, alpha: float,
    draws: int, points: int = 25,
) -> tuple[float, float]:  # fmt: skip
    """Interval ends as boottest's ``plot()``: a grid, then a search where p crosses alpha.

    The grid spans ``theta -/+ half`` (widened by its width, at most ten times
    per side, while the outer p-value exceeds alpha; the side farther from the
    tested null first), with ``theta`` inserted at p = 1. Returns the lowest
    and highest end found (the hull if the confidence set has gaps), -inf or
    inf where the grid does not reach a rejection.
    """
    lo, hi = theta - half, theta + half
    p_end = {"low": np.nan, "high": np.nan}

    def widen(side: str) -> None:
        nonlocal lo, hi
        for _ in range(10):
            p_end[side] = pvalue(lo if side == "low" else hi)
            if not p_end[side] > alpha:
                break
            width = hi - lo
            lo, hi = lo - width, hi + width

    first, second = ("low", "high") if abs(lo - null) > abs(hi - null) else ("high", "low")
    widen(first)
    widen(second)
    p_lo, p_hi = p_end["low"], p_end["high"]
    xs = list(lo + (hi - lo) * np.arange(points) / (points - 1))
    ps = [p_lo] + [np.nan] * (points - 2) + [p_hi]  # as boottest, the last p computed at each end
    at = min(max(int(np.floor((theta - lo) / (hi - lo) * (points - 1))) + 1, 0), points)
    xs.insert(at, theta)
    ps.insert(at, 1.0)
    ps = [pvalue(x) if np.isnan(p) else p for x, p in zip(xs, ps, strict=True)]
    inside = np.array(ps) > alpha
    steps = np.diff(inside.astype(int))
    ups, downs = np.flatnonzero(steps == 1), np.flatnonzero(steps == -1)
    if ups.size == 0 and downs.size == 0:
        return -np.inf, np.inf

    def end(i: int) -> float:
        return _chandrupatla(pvalue, alpha, draws, ps[i], xs[i], ps[i + 1], xs[i + 1])

    low = -np.inf if ups.size == 0 or (downs.size and ups[0] > downs[0]) else end(int(ups[0]))
    high = np.inf if downs.size == 0 or (ups.size and ups[-1] > downs[-1]) else end(int(downs[-1]))
    return float(low), float(high)


# --------------------------------------------------------------------------- joint tests


def wild_cluster_bootstrap_wald(
    fit_or_spec: object,
    hypotheses: Sequence[str | Mapping[str, float]],
    *,
    null: Sequence[float] | None = None,
    bootstrap_draws: int = 9999,
    weight_type: WeightType = "auto",
    seed: int,
    impose_null: bool = True,
    bootstrap_cluster: Sequence[object] | np.ndarray | pd.Series | None = None,
) -> WildBootstrapWaldResult:
    """Joint (F/Wald) wild bootstrap test of several restrictions ``R beta = r``.

    Parameters
    ----------
    fit_or_spec : FeolsResult or an object with a ``fit`` attribute
        A fit; its variance type is used in every bootstrap Wald statistic.
    hypotheses : sequence of str or mapping of term to weight
        One restriction per entry (a term, or a linear combination).
    null : sequence of float, optional
        Values of the restrictions under the null (default zeros).
    bootstrap_draws, weight_type, seed, impose_null, bootstrap_cluster
        As in :func:`wild_cluster_bootstrap`.

    Returns
    -------
    WildBootstrapWaldResult
    """
    fit = _check_fit(fit_or_spec)
    if bootstrap_draws < 99:
        raise EstimationError(f"bootstrap_draws must be at least 99, got {bootstrap_draws}")
    hyps = list(hypotheses)
    if not hyps:
        raise EstimationError("at least one hypothesis is needed")
    rmat = np.vstack([_restriction(fit, {h: 1.0} if isinstance(h, str) else dict(h)) for h in hyps])
    rvec = np.zeros(len(hyps)) if null is None else np.asarray(null, dtype=float)
    if rvec.shape != (len(hyps),):
        raise EstimationError("null must have one value per hypothesis")
    if np.linalg.matrix_rank(rmat) < len(hyps):
        raise EstimationError("the hypotheses are linearly dependent")
    st = _setup(fit, bootstrap_cluster)
    kind = _resolve_kind(weight_type, st.n_boot)
    v, enumerated = _draws(kind, st.n_boot, bootstrap_draws, seed)
    stat, draws = _joint(st, rmat, rvec, v, impose_null)
    names = tuple(f"{_label(h, fit)} = {r:g}" for h, r in zip(hyps, rvec, strict=True))
    return WildBootstrapWaldResult(
        hypotheses=names,
        statistic=stat,
        df_num=len(hyps),
        p_value=_exceed(draws, stat),
        bootstrap_draws=int(v.shape[1]),
        weight_type=kind,
        n_clusters=st.n_boot,
        seed=seed,
        impose_null=impose_null,
        enumerated=enumerated,
    )


def _joint(
    st: _Setup, rmat: np.ndarray, rvec: np.ndarray, v: np.ndarray, impose_null: bool
) -> tuple[float, np.ndarray]:
    """Observed Wald/J statistic and its bootstrap draws."""
    x, bread, j = st.x, st.bread, rmat.shape[0]
    rb = rmat @ bread  # (J, k)
    rbr = rb @ rmat.T
    diff = rmat @ st.beta - rvec
    if impose_null:
        shift = bread @ rmat.T @ np.linalg.solve(rbr, diff)  # beta_hat - beta_r
        u = st.u + x @ shift
    else:
        u = st.u
    hb, nb = st.boot_codes, st.n_boot
    sb = _group_sum(x * u[:, None], hb, nb)  # (H, k)
    if st.vcov_type == "iid":
        s2 = float(st.u @ st.u) / st.df_resid
        obs_v = s2 * rbr
    else:
        g_obs = _group_sum(x * st.u[:, None], st.var_codes, st.n_var) @ rb.T  # (G, J)
        obs_v = st.factor * g_obs.T @ g_obs
    stat = float(diff @ np.linalg.solve(obs_v, diff)) / j
    draws = v.shape[1]
    out = np.empty(draws)
    if st.vcov_type != "iid":
        cg = _group_sum(x * u[:, None], st.var_codes, st.n_var) @ rb.T  # (G, J)
        # Q_g = R B X_g'X_g B as (G, J, k)
        xx = np.einsum("ni,nj->nij", x, x)
        qg = np.einsum("ja,gab,bc->gjc", rb, _group_sum(xx.reshape(len(x), -1), st.var_codes,
                                                         st.n_var).reshape(st.n_var, *xx.shape[1:]),
                       bread)  # fmt: skip
    else:
        u2 = _group_sum(u**2, hb, nb)
    step = max(1, _CHUNK // max(st.n_var * j, 1))
    for lo in range(0, draws, step):
        vb = v[:, lo : lo + step]
        a = sb.T @ vb  # (k, b) = X'(u * v)
        num = rb @ a  # (J, b) = R (beta* - beta_dgp)
        if not impose_null:
            pass  # centred on the estimate: R beta* - R beta_hat
        if st.vcov_type == "iid":
            ssr = u2 @ (vb**2) - np.einsum("kb,kb->b", a, bread @ a)
            vs = (ssr / st.df_resid)[:, None, None] * rbr[None]
        else:
            e = cg[:, :, None] * vb[st.boot_of_var][:, None, :] - np.einsum("gjk,kb->gjb", qg, a)
            vs = st.factor * np.einsum("gib,gjb->bij", e, e)
        sol = np.linalg.solve(vs, num.T[:, :, None])[:, :, 0]
        out[lo : lo + step] = np.einsum("bj,bj->b", num.T, sol) / j
    return stat, np.where(np.isfinite(out), out, 0.0)
