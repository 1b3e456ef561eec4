"""Sensitivity of event-study conclusions to violations of parallel trends.

Rambachan & Roth (2023, REStud). The event-study coefficients are
``beta = tau + delta`` with ``tau_pre = 0``; ``delta`` (the trend
violation) is only known to lie in a set Delta, and the target is
``theta = l' tau_post``. Two restrictions are offered, with the inference
method that HonestDiD recommends for each:

* ``relative_magnitude``: post-period changes of ``delta`` are at most
  ``Mbar`` times the largest pre-period change. Delta^RM is a union of
  polyhedra (one per location and sign of the largest pre-period change),
  so it is not convex and fixed-length intervals behave badly; the set is
  the union of conditional-test (Andrews, Roth & Pakes 2023, "ARP") confidence
  sets over the polyhedra, found by test inversion. We use the pure
  conditional test rather than HonestDiD's conditional-least-favourable
  hybrid: it is simpler, has the same size, and with ``Mbar = 0`` and one
  post-period reduces exactly to the conventional two-sided interval.
* ``smoothness``: second differences of ``delta`` are at most ``M`` in
  absolute value (``M = 0`` allows exactly linear trends). Delta^SD is convex
  and centrosymmetric, where the fixed-length confidence interval (FLCI,
  Armstrong & Kolesar 2018) is near-optimal; it is
  ``w'beta_hat +/- sd * cv_alpha(max_bias / sd)`` for the affine estimator
  ``w`` that minimises that half-length. The minimisation is convex; it is
  solved exactly as a smooth problem with the bias's absolute values split
  into positive and negative parts (see ``_flci``), and reproduces the
  intervals HonestDiD and its Stata port print.

Coefficients and covariance can be passed directly or as an event-study
result: a Callaway-Sant'Anna ``aggregate("dynamic")`` with a universal base
period, or a TWFE ``EventStudyResult`` (see :func:`event_study_inputs`).

The breakdown value is the smallest ``Mbar`` (or ``M``) at which the robust
set contains 0, found by bisection.

Coefficients are ordered as HonestDiD expects: ``num_pre`` pre-periods
(-num_pre, ..., -1, the reference period 0 omitted) then ``num_post``
post-periods (1, ..., num_post).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from boligeval.errors import EstimationError

__all__ = ["HonestDidResult", "event_study_inputs", "honest_did"]

HonestMethod = Literal["relative_magnitude", "smoothness"]


@dataclass(frozen=True, eq=False)
class HonestDidResult:
    """Robust confidence sets over a grid of restriction sizes.

    Attributes
    ----------
    method : str
        "relative_magnitude" (ARP conditional) or "smoothness" (FLCI).
    m_values : np.ndarray
        Restriction sizes (Mbar or M), shape (m,).
    ci_low, ci_high : np.ndarray
        Robust set (its convex hull for relative magnitudes), shape (m,); NaN
        when the set is empty (the pre-periods reject every Delta).
    estimate, std_error : float
        Conventional estimate ``l' beta_post`` and its standard error.
    original_ci : tuple of float
        Conventional confidence interval.
    breakdown : float
        Smallest Mbar/M whose robust set contains 0 (0.0 if the conventional
        set already does; inf if none up to the search limit).
    alpha : float
        One minus the confidence level.
    """

    method: str
    m_values: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    estimate: float
    std_error: float
    original_ci: tuple[float, float]
    breakdown: float
    alpha: float

    def tidy(self) -> pd.DataFrame:
        """First row the conventional CI, then one row per Mbar/M (no p-values for sets)."""
        name = "Mbar" if self.method == "relative_magnitude" else "M"
        return pd.DataFrame(
            {
                "term": ["original"] + [f"{name}={m:g}" for m in self.m_values],
                "m": np.r_[np.nan, self.m_values],
                "estimate": self.estimate,
                "std_error": np.r_[self.std_error, np.full(self.m_values.size, np.nan)],
                "p_value": np.nan,
                "ci_low": np.r_[self.original_ci[0], self.ci_low],
                "ci_high": np.r_[self.original_ci[1], self.ci_high],
            }
        )

    def summary(self) -> str:
        """Table and breakdown value."""
        name = "Mbar" if self.method == "relative_magnitude" else "M"
        return (
            f"Honest DiD ({self.method}), {100 * (1 - self.alpha):g}% robust sets\n"
            + self.tidy().to_string(index=False)
            + f"\nbreakdown {name}: {self.breakdown:.4g}"
        )


# --------------------------------------------------------------------------- ARP conditional test


def _lp(c: np.ndarray, a_eq: np.ndarray, b_eq: np.ndarray) -> optimize.OptimizeResult:
    return optimize.linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs-ds")


def _arp_pvalue(y: np.ndarray, x: np.ndarray, sigma_y: np.ndarray) -> float:
    """Conditional ARP p-value of H0: exists g with E[y] - x g <= 0.

    Solves the dual of ``min eta s.t. y - x g <= eta * sd`` for its optimal
    vertex, and conditions on it: the statistic is then truncated normal with
    the truncation points from two linear-fractional programs, solved as LPs
    by the Charnes-Cooper transformation.
    """
    sd = np.sqrt(np.diag(sigma_y))
    k = y.size
    a_eq = np.vstack([x.T, sd[None, :]]) if x.size else sd[None, :]
    b_eq = np.r_[np.zeros(a_eq.shape[0] - 1), 1.0]
    dual = _lp(-y, a_eq, b_eq)
    if dual.status != 0:
        raise EstimationError(f"ARP test: dual LP failed ({dual.message})")
    lam = dual.x
    eta = float(lam @ y)
    s_eta = float(np.sqrt(lam @ sigma_y @ lam))
    if s_eta <= 0:
        raise EstimationError("ARP test: degenerate covariance of the test statistic")
    cvec = sigma_y @ lam / s_eta**2
    s = y - cvec * eta
    ls = float(lam @ s)
    n_eq = a_eq.shape[0] - 1
    # variables (mu (k), t): X' mu = 0, sd' mu - t = 0, then the c-row
    base = np.hstack([x.T, np.zeros((n_eq, 1))]) if n_eq else np.empty((0, k + 1))
    row_sd = np.r_[sd, -1.0][None, :]
    up = _lp(
        np.r_[-s, ls],
        np.vstack([base, row_sd, np.r_[cvec, -1.0][None, :]]),
        np.r_[np.zeros(n_eq), 0.0, 1.0],
    )
    v_up = float(up.fun) if up.status == 0 else np.inf
    lo = _lp(
        np.r_[-s, ls],
        np.vstack([base, row_sd, np.r_[-cvec, 1.0][None, :]]),
        np.r_[np.zeros(n_eq), 0.0, 1.0],
    )
    v_lo = float(-lo.fun) if lo.status == 0 else -np.inf
    v_lo, v_up = min(v_lo, eta), max(v_up, eta)
    a, b = v_lo / s_eta, v_up / s_eta
    num = stats.norm.logsf(eta / s_eta)
    den = stats.norm.logsf(a)
    if np.isfinite(b):
        num = num + np.log1p(-np.exp(stats.norm.logsf(b) - num)) if b > eta / s_eta else -np.inf
        den = den + np.log1p(-np.exp(stats.norm.logsf(b) - den))
    return float(np.exp(num - den)) if np.isfinite(num) else 0.0


def _diff_matrix(num_pre: int, num_post: int) -> np.ndarray:
    """First differences delta_{j+1} - delta_j, j = -num_pre..num_post-1 (delta_0 = 0)."""
    k = num_pre + num_post
    full = np.zeros((k, k + 1))
    for j in range(k):
        full[j, j + 1] = 1.0
        full[j, j] = -1.0
    return np.delete(full, num_pre, axis=1)  # drop the column of delta_0


@dataclass(frozen=True, eq=False)
class _RmSetup:
    beta: np.ndarray
    sigma: np.ndarray
    l_vec: np.ndarray
    num_pre: int
    num_post: int
    post_embed: np.ndarray  # (k, num_post)
    gamma: np.ndarray  # null space of l', (num_post, num_post - 1)


def _rm_accepts(st: _RmSetup, mbar: float, theta: float, alpha: float) -> bool:
    """Whether theta is in the union (over location and sign) of ARP sets."""
    dmat = _diff_matrix(st.num_pre, st.num_post)
    pre_rows, post_rows = dmat[: st.num_pre], dmat[st.num_pre :]
    tau_dir = st.post_embed @ st.l_vec / (st.l_vec @ st.l_vec)
    for s in range(st.num_pre):
        for sign in (1.0, -1.0):
            a = np.vstack(
                [post_rows - mbar * sign * pre_rows[s], -post_rows - mbar * sign * pre_rows[s]]
            )
            y = a @ st.beta - (a @ tau_dir) * theta
            x = a @ st.post_embed @ st.gamma
            if _arp_pvalue(y, x, a @ st.sigma @ a.T) >= alpha:
                return True
    return False


def _rm_set(st: _RmSetup, mbar: float, alpha: float, grid: int) -> tuple[float, float]:
    est = float(st.l_vec @ st.beta[st.num_pre :])
    sd = float(np.sqrt(st.l_vec @ st.sigma[st.num_pre :, st.num_pre :] @ st.l_vec))
    pre_d = _diff_matrix(st.num_pre, st.num_post)[: st.num_pre]
    pre_sd = np.sqrt(np.diag(pre_d @ st.sigma @ pre_d.T))
    m_pre = float(np.max(np.abs(pre_d @ st.beta) + 4 * pre_sd))
    reach = mbar * m_pre * float(np.abs(st.l_vec) @ np.arange(1, st.num_post + 1))
    half = reach + 8 * sd
    thetas = np.linspace(est - half, est + half, grid)
    acc = np.array([_rm_accepts(st, mbar, th, alpha) for th in thetas])
    if not acc.any():
        return np.nan, np.nan
    idx = np.flatnonzero(acc)

    def edge(inside: float, outside: float) -> float:
        for _ in range(30):
            mid = 0.5 * (inside + outside)
            if _rm_accepts(st, mbar, mid, alpha):
                inside = mid
            else:
                outside = mid
            if abs(inside - outside) < 1e-6 * max(sd, 1e-12):
                break
        return inside

    lo = thetas[idx[0]] if idx[0] == 0 else edge(thetas[idx[0]], thetas[idx[0] - 1])
    hi = thetas[idx[-1]] if idx[-1] == grid - 1 else edge(thetas[idx[-1]], thetas[idx[-1] + 1])
    return float(lo), float(hi)


# --------------------------------------------------------------------------- FLCI


def _cv_alpha(bias_ratio: float, alpha: float) -> float:
    """1 - alpha quantile of |N(b, 1)|: solves Phi(c - b) - Phi(-c - b) = 1 - alpha."""
    if bias_ratio <= 0:
        return float(special.ndtri(1 - alpha / 2))
    r = bias_ratio
    lo = r + float(special.ndtri(1 - alpha))
    hi = r + float(special.ndtri(1 - alpha / 2))

    def f(c: float) -> float:
        return float(special.ndtr(c - r) - special.ndtr(-c - r) - (1 - alpha))

    if f(lo) >= 0:
        return lo
    return float(optimize.brentq(f, lo, hi, xtol=1e-14, rtol=1e-15))


def _second_diff_basis(num_pre: int, num_post: int) -> np.ndarray:
    """K with delta = c * t + K u for all delta with delta_0 = 0 (u: second differences)."""
    k = num_pre + num_post
    q = np.zeros((k - 1, k + 1))
    for j in range(k - 1):
        q[j, j : j + 3] = (1.0, -2.0, 1.0)
    fix = np.zeros((2, k + 1))
    fix[0, num_pre] = 1.0  # delta_0 = 0
    fix[1, num_pre + 1 if num_post > 0 else num_pre - 1] = 1.0  # slope pinned, c recovers it
    full = np.linalg.solve(np.vstack([q, fix]), np.vstack([np.eye(k - 1), np.zeros((2, k - 1))]))
    return np.delete(full, num_pre, axis=0)


@dataclass(frozen=True, eq=False)
class _Flci:
    center: float
    half_length: float
    max_bias: float
    sd: float


def _cv_slope(bias_ratio: float, cv: float) -> float:
    """Derivative of :func:`_cv_alpha` in the bias ratio (implicit function theorem)."""
    # phi(cv - r) - phi(cv + r) over their sum, as a tanh to avoid underflow
    return float(np.tanh(cv * bias_ratio))


def _flci(
    beta: np.ndarray,
    sigma: np.ndarray,
    l_vec: np.ndarray,
    num_pre: int,
    num_post: int,
    m: float,
    alpha: float,
) -> _Flci:
    """Shortest fixed-length interval ``w'beta +/- h(w)`` over Delta^SD(M).

    Affine estimators with ``w_post = l`` and ``w_pre`` orthogonal to linear
    trends have worst-case bias ``b = M * ||K'w||_1`` and half-length
    ``h = s * cv_alpha(b / s)`` with ``s = sd(w'beta_hat)``. With
    ``K'w = p - n`` (p, n >= 0) the problem is to minimise the smooth convex
    function ``s * cv_alpha(M * sum(p + n) / s)`` subject to linear
    constraints, which SLSQP solves to machine precision from the
    minimum-variance estimator.
    """
    t = np.r_[np.arange(-num_pre, 0), np.arange(1, num_post + 1)].astype(float)
    t_pre, t_post = t[:num_pre], t[num_pre:]
    kmat = _second_diff_basis(num_pre, num_post)
    w0 = -(l_vec @ t_post) * t_pre / (t_pre @ t_pre)
    null = np.linalg.svd(t_pre[None, :])[2][1:].T  # (num_pre, num_pre - 1)
    nz = null.shape[1]
    k_pre, k_post = kmat[:num_pre], kmat[num_pre:]
    a_mat = k_pre.T @ null  # K'w = a_mat z + c_vec
    c_vec = k_pre.T @ w0 + k_post.T @ l_vec
    n_r = c_vec.size

    def weights(z: np.ndarray) -> np.ndarray:
        return np.r_[w0 + null @ z, l_vec]

    def sd_of(z: np.ndarray) -> float:
        wt = weights(z)
        return float(np.sqrt(max(wt @ sigma @ wt, 0.0)))

    s_pp = null.T @ sigma[:num_pre, :num_pre] @ null
    s_pw = null.T @ (sigma[:num_pre, :num_pre] @ w0 + sigma[:num_pre, num_pre:] @ l_vec)
    z_minvar = -np.linalg.lstsq(s_pp, s_pw, rcond=None)[0] if nz else np.zeros(0)
    if nz == 0 or m == 0:
        z = z_minvar
        s = sd_of(z)
        bias = m * float(np.abs(a_mat @ z + c_vec).sum())
        return _Flci(float(weights(z) @ beta), s * _cv_alpha(bias / s, alpha), bias, s)

    def unpack(x: np.ndarray) -> tuple[np.ndarray, float]:
        return x[:nz], m * float(x[nz:].sum())

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        z, bias = unpack(x)
        wt = weights(z)
        s = sd_of(z)
        r = bias / s
        cv = _cv_alpha(r, alpha)
        slope = _cv_slope(r, cv)
        ds_dz = null.T @ (sigma[:num_pre] @ wt) / s
        grad = np.empty_like(x)
        grad[:nz] = (cv - r * slope) * ds_dz
        grad[nz:] = m * slope
        return s * cv, grad

    def start(z: np.ndarray) -> np.ndarray:
        r = a_mat @ z + c_vec
        return np.r_[z, np.maximum(r, 0.0), np.maximum(-r, 0.0)]

    eq = {
        "type": "eq",
        "fun": lambda x: a_mat @ x[:nz] + c_vec - x[nz : nz + n_r] + x[nz + n_r :],
        "jac": lambda x: np.hstack([a_mat, -np.eye(n_r), np.eye(n_r)]),
    }
    bounds = [(None, None)] * nz + [(0.0, None)] * (2 * n_r)
    best_val, best_z = np.inf, z_minvar
    for z_init in (z_minvar, np.zeros(nz)):  # the second start only if the first fails
        res = optimize.minimize(
            objective, start(z_init), jac=True, method="SLSQP", constraints=[eq],
            bounds=bounds, options={"ftol": 1e-15, "maxiter": 2000},
        )  # fmt: skip
        z = res.x[:nz]
        s = sd_of(z)
        bias = m * float(np.abs(a_mat @ z + c_vec).sum())  # the true bias of this z
        val = s * _cv_alpha(bias / s, alpha)
        if val < best_val:
            best_val, best_z = val, z
        if res.status == 0:
            break
    z = best_z
    s = sd_of(z)
    bias = m * float(np.abs(a_mat @ z + c_vec).sum())
    return _Flci(float(weights(z) @ beta), s * _cv_alpha(bias / s, alpha), bias, s)


# --------------------------------------------------------------------------- API


def _bisect_breakdown(contains_zero: object, scale: float) -> float:
    fn = contains_zero  # callable[[float], bool]
    assert callable(fn)
    if fn(0.0):
        return 0.0
    hi = scale
    for _ in range(40):
        if fn(hi):
            break
        hi *= 2
    else:
        return float("inf")
    lo = 0.0
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if fn(mid):
            hi = mid
        else:
            lo = mid
        if hi - lo < 1e-6 * scale:
            break
    return hi


def event_study_inputs(result: object) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Coefficients, covariance and numbers of pre and post periods of an event study.

    Accepts a Callaway-Sant'Anna event study (``att_gt(...).aggregate("dynamic")``
    with ``base_period="universal"``: its e = -1 component, identically zero, is
    the reference) or a TWFE ``EventStudyResult`` (its ``ref`` is the
    reference). Pre-periods are the event times before the reference, post-periods
    those after it, in HonestDiD's order.
    """
    labels = getattr(result, "labels", None)
    if labels is not None and getattr(result, "kind", None) == "dynamic":
        e = np.asarray(labels, dtype=float)
        est = np.asarray(getattr(result, "estimates", None), dtype=float)
        vc = np.asarray(getattr(result, "vcov", None), dtype=float)
        ref = np.flatnonzero(e == -1)
        if ref.size != 1 or est[ref[0]] != 0.0 or vc[ref[0], ref[0]] != 0.0:
            raise EstimationError(
                "honest_did needs an event study with a universal base period "
                "(att_gt(..., base_period='universal')), whose e = -1 effect is zero"
            )
        keep = e != -1
        pre = int(np.sum(e < -1))
        return est[keep], vc[np.ix_(keep, keep)], pre, int(keep.sum()) - pre
    fit = getattr(result, "fit", None)
    times = getattr(result, "event_times", None)
    if fit is not None and times is not None:
        ref_e = int(getattr(result, "ref", -1))
        names = [f"event_{k}" for k in sorted(times) if f"event_{k}" in fit.terms]
        idx = [fit.terms.index(t) for t in names]
        ev = np.array([int(t.removeprefix("event_")) for t in names])
        return (
            np.asarray(fit.beta)[idx], np.asarray(fit.vcov)[np.ix_(idx, idx)],
            int(np.sum(ev < ref_e)), int(np.sum(ev > ref_e)),
        )  # fmt: skip
    raise EstimationError(
        "honest_did takes betahat and sigma, or an event study: "
        "att_gt(...).aggregate('dynamic') or an EventStudyResult"
    )


def honest_did(
    betahat: Sequence[float] | np.ndarray | object,
    sigma: np.ndarray | None = None,
    *,
    num_pre: int | None = None,
    num_post: int | None = None,
    method: HonestMethod = "relative_magnitude",
    Mbar: Sequence[float] | None = None,
    M: Sequence[float] | None = None,
    l_vec: Sequence[float] | None = None,
    alpha: float = 0.05,
    grid_points: int = 41,
    breakdown: bool = True,
) -> HonestDidResult:
    """Robust confidence sets for ``l' tau_post`` under restricted trend violations.

    Parameters
    ----------
    betahat : array_like or event-study result
        Event-study coefficients, pre-periods then post-periods, reference
        omitted; or an event-study result (see :func:`event_study_inputs`),
        whose coefficients, covariance and period counts are then used.
    sigma : np.ndarray, optional
        Covariance matrix of ``betahat`` (not with a result).
    num_pre, num_post : int, optional
        Number of pre- and post-period coefficients (not with a result).
    method : {"relative_magnitude", "smoothness"}
        Restriction on the violations (see module notes).
    Mbar, M : sequence of float, optional
        Grid of restriction sizes for relative magnitudes / smoothness
        (defaults 0, 0.5, 1, 1.5, 2 and 0 .. 4 * sd of the first post coefficient).
    l_vec : sequence of float, optional
        Weights of the target over post-periods (default: first post-period).
    alpha : float
        One minus the confidence level.
    grid_points : int
        Grid of candidate values for the relative-magnitude test inversion;
        the set's ends are then refined by bisection.
    breakdown : bool, default True
        Compute the breakdown value (bisection; NaN when False).

    Returns
    -------
    HonestDidResult
    """
    if sigma is None:
        beta, sig, num_pre, num_post = event_study_inputs(betahat)
    else:
        if num_pre is None or num_post is None:
            raise EstimationError("num_pre and num_post are needed with betahat and sigma")
        beta = np.asarray(betahat, dtype=float)
        sig = np.asarray(sigma, dtype=float)
    if num_pre < 1 or num_post < 1 or beta.size != num_pre + num_post:
        raise EstimationError(
            "betahat must hold num_pre >= 1 pre and num_post >= 1 post coefficients"
        )
    if sig.shape != (beta.size, beta.size) or not np.allclose(sig, sig.T):
        raise EstimationError("sigma must be a symmetric matrix matching betahat")
    if np.linalg.eigvalsh(sig).min() < -1e-12 * max(1.0, float(np.abs(sig).max())):
        raise EstimationError("sigma is not positive semi-definite")
    lv = np.zeros(num_post) if l_vec is None else np.asarray(l_vec, dtype=float)
    if l_vec is None:
        lv[0] = 1.0
    if lv.size != num_post or not np.any(lv):
        raise EstimationError("l_vec must have num_post entries, not all zero")
    if not 0 < alpha < 1:
        raise EstimationError("alpha must be in (0, 1)")
    est = float(lv @ beta[num_pre:])
    sd = float(np.sqrt(lv @ sig[num_pre:, num_pre:] @ lv))
    z = float(stats.norm.ppf(1 - alpha / 2))
    original = (est - z * sd, est + z * sd)
    if method == "relative_magnitude":
        grid = np.asarray([0, 0.5, 1, 1.5, 2] if Mbar is None else Mbar, dtype=float)
        if (grid < 0).any():
            raise EstimationError("Mbar must be non-negative")
        embed = np.zeros((beta.size, num_post))
        embed[num_pre:] = np.eye(num_post)
        gam = np.linalg.svd(lv[None, :])[2][1:].T
        st = _RmSetup(beta, sig, lv, num_pre, num_post, embed, gam)
        bounds = [_rm_set(st, float(m), alpha, grid_points) for m in grid]
        brk = (
            _bisect_breakdown(lambda m: _rm_accepts(st, m, 0.0, alpha), 1.0)
            if breakdown
            else np.nan
        )
    elif method == "smoothness":
        grid = np.asarray(np.linspace(0, 4 * sd, 5) if M is None else M, dtype=float)
        if (grid < 0).any():
            raise EstimationError("M must be non-negative")
        fl = [_flci(beta, sig, lv, num_pre, num_post, float(m), alpha) for m in grid]
        bounds = [(f.center - f.half_length, f.center + f.half_length) for f in fl]

        def contains(m: float) -> bool:
            f = _flci(beta, sig, lv, num_pre, num_post, m, alpha)
            return abs(f.center) <= f.half_length

        brk = _bisect_breakdown(contains, max(sd, 1e-12)) if breakdown else np.nan
    else:
        raise EstimationError(
            f"method must be 'relative_magnitude' or 'smoothness', got {method!r}"
        )
    lo, hi = (np.array(v, dtype=float) for v in zip(*bounds, strict=True))
    return HonestDidResult(method, grid, lo, hi, est, sd, original, brk, alpha)
