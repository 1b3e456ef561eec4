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
  the union of Andrews, Roth & Pakes (2023, "ARP") confidence sets over the
  polyhedra, found by test inversion. The default test is HonestDiD's
  conditional-least-favourable hybrid (C-LF: reject when the statistic
  exceeds a simulated least-favourable critical value at size
  ``kappa = alpha / 10``, else the conditional test at size
  ``(alpha - kappa) / (1 - kappa)`` truncated at that value);
  ``inference="conditional"`` gives the pure conditional test. As in
  HonestDiD only the moments that involve post-period coefficients are
  tested. The ARP statistic ``max_v v'y`` over the vertices of the dual
  polytope is closed-form once those are enumerated (small problems), so
  the statistic, its truncation points and the simulated critical value need
  no linear programs; larger problems use linear programs.
* ``smoothness_relative_magnitude``: the same for second differences
  (HonestDiD's Delta^SDRM: post-period deviations from a linear trend at most
  ``Mbar`` times the largest pre-period one).
* Sign (``bias_direction``) and shape (``monotonicity``) restrictions add
  rows to every polyhedron; with them, smoothness is also tested by ARP, by
  default with HonestDiD's conditional-FLCI hybrid (C-F: reject outside the
  FLCI of Delta^SD(M) at level ``1 - kappa``, else the conditional test at
  size ``(alpha - kappa) / (1 - kappa)`` truncated to that FLCI; see
  ``_ArpMoments.accepts``). C-F can keep a sliver at an end of its FLCI even
  when the data contradict Delta (HonestDiD's grid, which starts at those
  ends, does too).
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
set contains 0, found by bisection on the test of theta = 0 (ARP) or on the
FLCI, with no grid; ``breakdown=False`` skips it.

Coefficients are ordered as HonestDiD expects: ``num_pre`` pre-periods
(-num_pre, ..., -1, the reference period 0 omitted) then ``num_post``
post-periods (1, ..., num_post).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from boligeval.errors import EstimationError

__all__ = ["HonestDidResult", "event_study_inputs", "honest_did"]

HonestMethod = Literal["relative_magnitude", "smoothness", "smoothness_relative_magnitude"]


@dataclass(frozen=True, eq=False)
class HonestDidResult:
    """Robust confidence sets over a grid of restriction sizes.

    Attributes
    ----------
    method : str
        "relative_magnitude", "smoothness" or "smoothness_relative_magnitude".
    m_values : np.ndarray
        Restriction sizes (Mbar or M), shape (m,).
    ci_low, ci_high : np.ndarray
        Robust set (its convex hull for ARP sets), shape (m,); NaN
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
    inference : str
        "FLCI" (smoothness), "C-LF" or "conditional" (ARP tests).
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
    inference: str = "FLCI"

    def tidy(self) -> pd.DataFrame:
        """First row the conventional CI, then one row per Mbar/M (no p-values for sets)."""
        name = "M" if self.method == "smoothness" else "Mbar"
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
        name = "M" if self.method == "smoothness" else "Mbar"
        return (
            f"Honest DiD ({self.method}, {self.inference}), "
            f"{100 * (1 - self.alpha):g}% robust sets\n"
            + self.tidy().to_string(index=False)
            + f"\nbreakdown {name}: {self.breakdown:.4g}"
        )


# --------------------------------------------------------------------------- ARP tests

_MAX_SUBSETS = 60_000  # enumerate dual vertices when at most this many bases are candidates


def _lp(c: np.ndarray, a_eq: np.ndarray, b_eq: np.ndarray) -> optimize.OptimizeResult:
    return optimize.linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs-ds")


def _column_basis(x: np.ndarray) -> np.ndarray:
    """Orthonormal basis of the column space of ``x`` (the ARP LP depends on nothing else)."""
    if x.size == 0:
        return np.zeros((x.shape[0], 0))
    u, sv, _ = np.linalg.svd(x, full_matrices=False)
    rank = int(np.sum(sv > 1e-10 * max(float(sv[0]), 1e-300)))
    return u[:, :rank]


def _dual_vertices(x: np.ndarray, sd: np.ndarray) -> np.ndarray | None:
    """All vertices of ``{lam >= 0, x' lam = 0, sd' lam = 1}``, or None if too many bases.

    The ARP statistic ``min_g max_i (y - x g)_i / sd_i`` equals ``max_v v'y`` over
    these vertices (LP duality), so with them the statistic, the optimal vertex
    and its truncation points are closed-form for any ``y``.
    """
    a_eq = np.vstack([x.T, sd[None, :]])
    m, r = sd.size, a_eq.shape[0]
    if math.comb(m, r) > _MAX_SUBSETS:
        return None
    subsets = np.array(list(itertools.combinations(range(m), r)), dtype=int)
    mats = np.moveaxis(a_eq[:, subsets], 1, 0)  # (n, r, r)
    sv = np.linalg.svd(mats, compute_uv=False)
    ok = sv[:, -1] > 1e-10 * np.maximum(sv[:, 0], 1e-300)
    rhs = np.zeros((int(ok.sum()), r, 1))
    rhs[:, -1, 0] = 1.0
    sol = np.linalg.solve(mats[ok], rhs)[:, :, 0]
    feasible = np.all(sol >= -1e-10, axis=1)
    verts = np.zeros((int(feasible.sum()), m))
    np.put_along_axis(verts, subsets[ok][feasible], np.maximum(sol[feasible], 0.0), axis=1)
    if verts.shape[0] == 0:
        return None
    return np.unique(np.round(verts, 12), axis=0)


def _eta_lp(y: np.ndarray, a_eq: np.ndarray, b_eq: np.ndarray) -> tuple[float, np.ndarray]:
    """ARP statistic and optimal dual vertex by linear programming."""
    dual = _lp(-y, a_eq, b_eq)
    if dual.status != 0:
        raise EstimationError(f"ARP test: dual LP failed ({dual.message})")
    return float(dual.x @ y), dual.x


def _truncation_lp(
    s: np.ndarray, cvec: np.ndarray, lam: np.ndarray, x: np.ndarray, sd: np.ndarray
) -> tuple[float, float]:
    """Range of ``t`` over which ``lam`` stays optimal for ``y = s + cvec t`` (LP version).

    Two linear-fractional programs over the dual polytope, solved as LPs by the
    Charnes-Cooper transformation.
    """
    k = s.size
    n_eq = x.shape[1]
    ls = float(lam @ s)
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
    return v_lo, v_up


def _tn_upper_tail(z: float, a: float, b: float) -> float:
    """``P(Z > z | a <= Z <= b)`` for standard normal Z, with a <= z <= b."""
    num = stats.norm.logsf(z)
    den = stats.norm.logsf(a)
    if np.isfinite(b):
        if b <= z:
            return 0.0
        with np.errstate(divide="ignore"):  # b just above z: an empty tail, p = 0
            num = num + np.log1p(-np.exp(stats.norm.logsf(b) - num))
            den = den + np.log1p(-np.exp(stats.norm.logsf(b) - den))
    return float(np.exp(num - den)) if np.isfinite(num) else 0.0


@dataclass(frozen=True, eq=False)
class _ArpMoments:
    """The moments ``E[y(theta) - x g] <= 0`` of one polyhedron, ready for ARP tests.

    ``y(theta) = y0 - ydir * theta`` with ``y0 = A beta_hat - d``; ``x`` spans the
    nuisance directions; ``lf_cv`` is the least-favourable critical value of the
    C-LF hybrid (None otherwise). For the C-F hybrid, ``flci`` holds the
    first-stage FLCI (level ``1 - kappa``) as its centre ``w'beta_hat``, its
    half-length and ``cov(y, w'beta_hat)`` (None otherwise).
    """

    y0: np.ndarray
    ydir: np.ndarray
    x: np.ndarray
    sigma_y: np.ndarray
    sd: np.ndarray
    verts: np.ndarray | None
    lf_cv: float | None
    flci: tuple[float, float, np.ndarray] | None = None

    def accepts(self, theta: float, alpha: float, kappa: float) -> bool:
        """Whether the conditional (or C-LF) test of ARP (2023) accepts ``theta``.

        Follows HonestDiD's ``.lp_conditional_test_fn``: reject when the
        statistic exceeds ``max(0, c)`` with ``c`` the ``1 - alpha`` quantile of the
        normal truncated to where the optimal dual vertex stays optimal; the
        C-LF hybrid first rejects when the statistic exceeds ``lf_cv``, then
        caps the truncation at ``lf_cv`` and uses size
        ``(alpha - kappa) / (1 - kappa)``. The C-F hybrid (``hybrid_flag =
        "FLCI"``) first rejects when theta is outside the FLCI, ``|w'beta_hat -
        theta| > h``, then adds that event to the conditioning set (HonestDiD's
        ``.FLCI_computeVloVup``) and uses the same size. HonestDiD writes the
        event as ``vbar'y <= dbar(theta)`` with ``A'vbar = w``; ``w`` is
        orthogonal to linear trends, so it lies in the row space of A and the
        two forms are the same event.
        """
        y = self.y0 - self.ydir * theta
        if self.flci is not None:
            f_center, f_half, f_cov = self.flci
            f_stat = f_center - theta  # w'beta_hat - theta, as w_post = l and l'tau = theta
            if abs(f_stat) > f_half:
                return False
        if self.verts is not None:
            vals = self.verts @ y
            i = int(np.argmax(vals))
            eta, lam = float(vals[i]), self.verts[i]
        else:
            a_eq = np.vstack([self.x.T, self.sd[None, :]])
            eta, lam = _eta_lp(y, a_eq, np.r_[np.zeros(self.x.shape[1]), 1.0])
        if self.lf_cv is not None and eta > self.lf_cv:
            return False
        s2 = float(lam @ self.sigma_y @ lam)
        if s2 <= (1e-10 * float(self.sd.max())) ** 2:
            return eta <= 0
        s_eta = np.sqrt(s2)
        cvec = self.sigma_y @ lam / s2
        s = y - cvec * eta
        if self.verts is not None:
            num, den = self.verts @ s, 1.0 - self.verts @ cvec
            pos, neg = den > 1e-10, den < -1e-10
            v_lo = float(np.max(num[pos] / den[pos])) if pos.any() else -np.inf
            v_up = float(np.min(num[neg] / den[neg])) if neg.any() else np.inf
        else:
            v_lo, v_up = _truncation_lp(s, cvec, lam, self.x, self.sd)
        v_lo, v_up = min(v_lo, eta), max(v_up, eta)
        size = alpha
        if self.lf_cv is not None:
            v_up = min(v_up, self.lf_cv)
            size = (alpha - kappa) / (1 - kappa)
        if self.flci is not None:
            # f_stat = f_s + c_f * eta with f_s independent of eta; |f_stat| <= h
            c_f = float(lam @ f_cov) / s2
            f_s = f_stat - c_f * eta
            if abs(c_f) > 1e-12 * f_half / s_eta:
                ends = sorted(((f_half - f_s) / c_f, (-f_half - f_s) / c_f))
                v_lo, v_up = max(v_lo, min(ends[0], eta)), min(v_up, max(ends[1], eta))
            size = (alpha - kappa) / (1 - kappa)
        z = eta / s_eta
        if z <= 0:
            return True  # the critical value is max(0, c)
        return _tn_upper_tail(z, v_lo / s_eta, v_up / s_eta) >= size


def _arp_pvalue(y: np.ndarray, x: np.ndarray, sigma_y: np.ndarray) -> float:
    """Conditional ARP p-value of H0: exists g with E[y] - x g <= 0 (LP version).

    Solves the dual of ``min eta s.t. y - x g <= eta * sd`` for its optimal
    vertex, and conditions on it: the statistic is then truncated normal.
    """
    sd = np.sqrt(np.diag(sigma_y))
    xb = _column_basis(x)
    a_eq = np.vstack([xb.T, sd[None, :]])
    eta, lam = _eta_lp(y, a_eq, np.r_[np.zeros(xb.shape[1]), 1.0])
    s_eta = float(np.sqrt(lam @ sigma_y @ lam))
    if s_eta <= 0:
        raise EstimationError("ARP test: degenerate covariance of the test statistic")
    cvec = sigma_y @ lam / s_eta**2
    v_lo, v_up = _truncation_lp(y - cvec * eta, cvec, lam, xb, sd)
    v_lo, v_up = min(v_lo, eta), max(v_up, eta)
    return _tn_upper_tail(eta / s_eta, v_lo / s_eta, v_up / s_eta)


def _sqrt_psd(a: np.ndarray) -> np.ndarray:
    """Symmetric square root of a positive semi-definite matrix."""
    w, v = np.linalg.eigh(a)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def _lf_cv(
    x: np.ndarray, sigma_y: np.ndarray, sd: np.ndarray, verts: np.ndarray | None,
    level: float, normals: np.ndarray,
) -> float:  # fmt: skip
    """``level`` (``1 - kappa``) quantile of the ARP statistic at the least favourable point.

    Simulates ``y ~ N(0, sigma_y)`` from standard normals ``normals`` (draws x m),
    as HonestDiD's ``.compute_least_favorable_cv`` does with its own generator.
    """
    xi = normals @ _sqrt_psd(sigma_y)
    if verts is not None:
        eta = np.max(xi @ verts.T, axis=1)
    else:
        a_eq = np.vstack([x.T, sd[None, :]])
        b_eq = np.r_[np.zeros(x.shape[1]), 1.0]
        eta = np.array([_eta_lp(row, a_eq, b_eq)[0] for row in xi])
    return float(np.quantile(eta, level))


def _diff_rows(num_pre: int, num_post: int, order: int) -> np.ndarray:
    """First (order 1) or second (order 2) differences over t = -num_pre..num_post, delta_0 kept."""
    k = num_pre + num_post
    stencil = (-1.0, 1.0) if order == 1 else (1.0, -2.0, 1.0)
    out = np.zeros((k + 1 - order, k + 1))
    for j in range(k + 1 - order):
        out[j, j : j + order + 1] = stencil
    return out


def _diff_matrix(num_pre: int, num_post: int) -> np.ndarray:
    """First differences delta_{j+1} - delta_j, j = -num_pre..num_post-1 (delta_0 = 0)."""
    return np.delete(_diff_rows(num_pre, num_post, 1), num_pre, axis=1)


def _polyhedra(
    restriction: HonestMethod, num_pre: int, num_post: int, m: float,
    bias: str | None, monotonicity: str | None,
) -> list[tuple[np.ndarray, np.ndarray]]:  # fmt: skip
    """Delta as a union of polyhedra ``{A delta <= d}`` (HonestDiD's ``.create_A_*``).

    Columns are delta without delta_0. Relative magnitudes (of first or, with
    smoothness, second differences) give one polyhedron per location and sign
    of the largest pre-period change; sign and shape restrictions add rows.
    """
    k = num_pre + num_post
    polys: list[tuple[np.ndarray, np.ndarray]] = []
    if restriction == "smoothness":
        sec = _diff_rows(num_pre, num_post, 2)
        polys.append((np.vstack([sec, -sec]), np.full(2 * sec.shape[0], m)))
    else:
        order = 1 if restriction == "relative_magnitude" else 2
        dif = _diff_rows(num_pre, num_post, order)
        n_pre_rows = num_pre + 1 - order  # differences that end at t <= 0
        for s in range(n_pre_rows):
            for sign in (1.0, -1.0):
                v = sign * dif[s]
                bound = np.vstack(
                    [np.tile(v, (n_pre_rows, 1)), np.tile(m * v, (k + 1 - order - n_pre_rows, 1))]
                )
                a = np.vstack([dif - bound, -dif - bound])
                a = a[np.sum(a * a, axis=1) > 1e-10]
                polys.append((a, np.zeros(a.shape[0])))
    polys = [(np.delete(a, num_pre, axis=1), d) for a, d in polys]
    extra = []
    if bias is not None:
        sgn = -1.0 if bias == "positive" else 1.0
        extra.append(np.hstack([np.zeros((num_post, num_pre)), sgn * np.eye(num_post)]))
    if monotonicity is not None:
        inc = -_diff_matrix(num_pre, num_post)  # delta_t - delta_{t-1} >= 0
        extra.append(inc if monotonicity == "increasing" else -inc)
    if extra:
        add = np.vstack(extra)
        polys = [(np.vstack([a, add]), np.r_[d, np.zeros(add.shape[0])]) for a, d in polys]
    return polys


@dataclass(frozen=True, eq=False)
class _ArpSetup:
    beta: np.ndarray
    sigma: np.ndarray
    l_vec: np.ndarray
    num_pre: int
    num_post: int
    restriction: HonestMethod
    bias: str | None
    monotonicity: str | None
    hybrid: str
    alpha: float
    kappa: float
    normals: np.ndarray  # standard normals for the least-favourable critical values
    lf_level: float | None = None  # quantile of the LF critical value (None: 1 - kappa)

    def first_stage_flci(self, m: float) -> _Flci:
        """FLCI of Delta^SD(m) at level ``1 - kappa``: the first stage of C-F."""
        return _flci(self.beta, self.sigma, self.l_vec, self.num_pre, self.num_post, m, self.kappa)

    def moments(self, m: float) -> list[tuple[_ArpMoments, np.ndarray, np.ndarray]]:
        """Test moments of each polyhedron, with A, d.

        As HonestDiD, only rows that involve post-period coefficients
        (``postPeriodMomentsOnly``), except for smoothness-based sets with one
        post-period, where HonestDiD's no-nuisance test uses all rows.
        """
        num_pre = self.num_pre
        tau_dir = self.l_vec / (self.l_vec @ self.l_vec)
        level = 1 - self.kappa if self.lf_level is None else self.lf_level
        gamma = np.linalg.svd(self.l_vec[None, :])[2][1:].T  # null space of l'
        flci = self.first_stage_flci(m) if self.hybrid == "flci" else None
        all_rows = self.restriction == "smoothness" and self.num_post == 1
        out = []
        for a, d in _polyhedra(
            self.restriction, num_pre, self.num_post, m, self.bias, self.monotonicity
        ):
            rows = np.any(a[:, num_pre:] != 0, axis=1) | all_rows
            ar, dr = a[rows], d[rows]
            sig_y = ar @ self.sigma @ ar.T
            sd = np.sqrt(np.clip(np.diag(sig_y), 0.0, None))
            if np.any(sd <= 0):
                raise EstimationError("ARP test: a moment has zero variance (check sigma)")
            x = _column_basis(ar[:, num_pre:] @ gamma)
            verts = _dual_vertices(x, sd)
            normals = self.normals if verts is not None else self.normals[:1000]
            lf = (
                _lf_cv(x, sig_y, sd, verts, level, normals[:, : sd.size])
                if self.hybrid == "lf"
                else None
            )
            f_info = (
                None
                if flci is None
                else (flci.center, flci.half_length, ar @ self.sigma @ flci.weights)
            )
            mom = _ArpMoments(
                ar @ self.beta - dr, ar[:, num_pre:] @ tau_dir, x, sig_y, sd, verts, lf, f_info
            )
            out.append((mom, ar, dr))
        return out

    def accepts(
        self, moms: Sequence[tuple[_ArpMoments, np.ndarray, np.ndarray]], theta: float
    ) -> bool:
        """Whether theta is in the union (over polyhedra) of ARP sets."""
        return any(mom.accepts(theta, self.alpha, self.kappa) for mom, _, _ in moms)

    def search_range(
        self, moms: Sequence[tuple[_ArpMoments, np.ndarray, np.ndarray]]
    ) -> tuple[float, float]:
        """Thetas compatible with the tested rows, delta_pre within 4 sd of beta_pre, +/- 8 sd.

        Only the rows the tests use: with the pre-period-only rows the range
        could exclude thetas the tests accept (e.g. a monotonicity the
        pre-trend contradicts, which HonestDiD, like us, does not test).
        """
        num_pre = self.num_pre
        est = float(self.l_vec @ self.beta[num_pre:])
        sd_theta = float(np.sqrt(self.l_vec @ self.sigma[num_pre:, num_pre:] @ self.l_vec))
        half = 4 * np.sqrt(np.diag(self.sigma)[:num_pre])
        box = [(b - h, b + h) for b, h in zip(self.beta[:num_pre], half, strict=True)]
        box += [(None, None)] * self.num_post
        c = np.r_[np.zeros(num_pre), self.l_vec]
        lo, hi = np.inf, -np.inf
        for _, a, d in moms:
            for sgn in (1.0, -1.0):
                res = optimize.linprog(sgn * c, A_ub=a, b_ub=d, bounds=box, method="highs")
                if res.status == 0:
                    val = sgn * float(res.fun)  # min (sgn=1) or max (sgn=-1) of l'delta_post
                    lo, hi = min(lo, est - val), max(hi, est - val)
                elif res.status == 3:  # unbounded
                    return est - 1e3 * sd_theta, est + 1e3 * sd_theta
        if not np.isfinite(lo):
            lo = hi = est
        return lo - 8 * sd_theta, hi + 8 * sd_theta


def _arp_set(st: _ArpSetup, m: float, grid: int) -> tuple[float, float]:
    """Convex hull of the ARP confidence set at restriction size m (grid, then bisection)."""
    moms = st.moments(m)
    sd = float(np.sqrt(st.l_vec @ st.sigma[st.num_pre :, st.num_pre :] @ st.l_vec))
    if st.hybrid == "flci":  # C-F rejects outside its first-stage FLCI (HonestDiD's grid)
        # At (and within about sd / statistic of) an FLCI end the FLCI event pins
        # the statistic near an end of its truncation interval, where the
        # conditional p-value is large: C-F, like HonestDiD on its grid, can accept
        # a sliver there even when the data contradict Delta.
        f = st.first_stage_flci(m)
        g_lo, g_hi = f.center - f.half_length, f.center + f.half_length
    else:
        g_lo, g_hi = st.search_range(moms)
    thetas = np.linspace(g_lo, g_hi, grid)
    acc = np.array([st.accepts(moms, th) for th in thetas])
    if not acc.any():
        return np.nan, np.nan
    idx = np.flatnonzero(acc)

    def edge(inside: float, outside: float) -> float:
        for _ in range(60):
            mid = 0.5 * (inside + outside)
            if st.accepts(moms, mid):
                inside = mid
            else:
                outside = mid
            if abs(inside - outside) < 1e-7 * max(sd, 1e-12):
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
    weights: np.ndarray  # w over all coefficients (w_post = l); center = w'beta


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
        wz = weights(z)
        return _Flci(float(wz @ beta), s * _cv_alpha(bias / s, alpha), bias, s, wz)

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
    wz = weights(z)
    return _Flci(float(wz @ beta), s * _cv_alpha(bias / s, alpha), bias, s, wz)


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
    reference), or any result with an ``honest_inputs()`` method (the imputation
    and Sun-Abraham event studies, reference e = -1). Pre-periods are the event
    times before the reference, post-periods those after it, in HonestDiD's order.
    """
    own = getattr(result, "honest_inputs", None)
    if callable(own):
        beta, sigma, pre, post = own()
        return np.asarray(beta, dtype=float), np.asarray(sigma, dtype=float), int(pre), int(post)
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
        "att_gt(...).aggregate('dynamic'), an EventStudyResult, an imputation or "
        "Sun-Abraham result"
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
    bias_direction: Literal["positive", "negative"] | None = None,
    monotonicity: Literal["increasing", "decreasing"] | None = None,
    inference: Literal["FLCI", "C-F", "C-LF", "conditional"] | None = None,
    lf_draws: int | None = None,
    seed: int = 0,
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
    method : {"relative_magnitude", "smoothness", "smoothness_relative_magnitude"}
        Restriction on the violations (see module notes).
    Mbar, M : sequence of float, optional
        Grid of restriction sizes: Mbar for the relative-magnitude methods
        (default 0, 0.5, 1, 1.5, 2), M for smoothness (default 0 .. 4 * sd of
        the target).
    l_vec : sequence of float, optional
        Weights of the target over post-periods (default: first post-period).
    alpha : float
        One minus the confidence level.
    grid_points : int
        Grid of candidate values for the ARP test inversion; the set's ends
        are then refined by bisection.
    breakdown : bool, default True
        Compute the breakdown value (bisection; NaN when False).
    bias_direction : {"positive", "negative"}, optional
        Add the sign restriction ``delta_post >= 0`` (or ``<= 0``).
    monotonicity : {"increasing", "decreasing"}, optional
        Add the shape restriction that delta is monotone.
    inference : {"FLCI", "C-F", "C-LF", "conditional"}, optional
        Inference method; the default is HonestDiD's: the FLCI for plain
        smoothness, the conditional-FLCI hybrid "C-F" for smoothness with a
        sign or monotonicity restriction, and the conditional-least-favourable
        hybrid "C-LF" for the relative-magnitude methods. "conditional" is the
        pure conditional ARP test. "C-F" needs a smoothness method (its first
        stage is the FLCI of Delta^SD(M) at level ``1 - alpha / 10``); "FLCI"
        needs plain smoothness.
    lf_draws : int, optional
        Normal draws for the least-favourable critical value of C-LF (default
        10,000; 1,000, HonestDiD's number, when a polyhedron has too many dual
        vertices to enumerate and each draw needs a linear program).
    seed : int
        Seed of ``numpy.random.default_rng`` for those draws.

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
    if not (np.isfinite(beta).all() and np.isfinite(sig).all()):
        raise EstimationError(
            "betahat and sigma must be finite (an event time whose clustered variance is "
            "undefined, e.g. one that a single plan carries, cannot enter)")
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
    if method not in ("relative_magnitude", "smoothness", "smoothness_relative_magnitude"):
        raise EstimationError(
            "method must be 'relative_magnitude', 'smoothness' or "
            f"'smoothness_relative_magnitude', got {method!r}"
        )
    if bias_direction not in (None, "positive", "negative"):
        raise EstimationError("bias_direction must be None, 'positive' or 'negative'")
    if monotonicity not in (None, "increasing", "decreasing"):
        raise EstimationError("monotonicity must be None, 'increasing' or 'decreasing'")
    if bias_direction is not None and monotonicity is not None:
        raise EstimationError("give a sign or a monotonicity restriction, not both (as HonestDiD)")
    restricted = bias_direction is not None or monotonicity is not None
    if inference is None:  # HonestDiD's defaults
        if method != "smoothness":  # noqa: SIM108 (a ternary widens the Literal to str)
            inference = "C-LF"
        else:
            inference = "C-F" if restricted else "FLCI"
    if inference not in ("FLCI", "C-F", "C-LF", "conditional"):
        raise EstimationError("inference must be 'FLCI', 'C-F', 'C-LF' or 'conditional'")
    if inference == "C-F" and method != "smoothness":
        raise EstimationError("inference='C-F' (the FLCI hybrid) needs method='smoothness'")
    if inference == "FLCI" and (method != "smoothness" or restricted):
        raise EstimationError(
            "inference='FLCI' needs method='smoothness' without sign or monotonicity restrictions"
        )
    if method == "smoothness_relative_magnitude" and num_pre < 2:
        raise EstimationError("smoothness_relative_magnitude needs at least 2 pre-periods")
    est = float(lv @ beta[num_pre:])
    sd = float(np.sqrt(lv @ sig[num_pre:, num_pre:] @ lv))
    z = float(stats.norm.ppf(1 - alpha / 2))
    original = (est - z * sd, est + z * sd)
    if method == "smoothness":
        grid = np.asarray(np.linspace(0, 4 * sd, 5) if M is None else M, dtype=float)
        name = "M"
    else:
        grid = np.asarray([0, 0.5, 1, 1.5, 2] if Mbar is None else Mbar, dtype=float)
        name = "Mbar"
    if (grid < 0).any():
        raise EstimationError(f"{name} must be non-negative")
    if inference == "FLCI":
        label = "FLCI"
        fl = [_flci(beta, sig, lv, num_pre, num_post, float(m), alpha) for m in grid]
        bounds = [(f.center - f.half_length, f.center + f.half_length) for f in fl]

        def contains(m: float) -> bool:
            f = _flci(beta, sig, lv, num_pre, num_post, m, alpha)
            return abs(f.center) <= f.half_length

        brk = _bisect_breakdown(contains, max(sd, 1e-12)) if breakdown else np.nan
    else:
        label = inference
        draws = 10_000 if lf_draws is None else int(lf_draws)
        if draws < 100:
            raise EstimationError("lf_draws must be at least 100")
        width = 2 * (num_pre + num_post) + 2 * num_post  # moment rows of a polyhedron
        if method == "smoothness" and num_post == 1:  # all rows tested, see _ArpSetup.moments
            width = max(width, 3 * (num_pre + num_post))
        normals = np.random.default_rng(seed).standard_normal((draws, width))
        st = _ArpSetup(
            beta, sig, lv, num_pre, num_post, method, bias_direction, monotonicity,
            {"C-LF": "lf", "C-F": "flci"}.get(inference, "conditional"), alpha, alpha / 10,
            normals,
        )  # fmt: skip
        bounds = [_arp_set(st, float(m), grid_points) for m in grid]

        def accepts_zero(m: float) -> bool:
            return st.accepts(st.moments(m), 0.0)

        scale = 1.0 if method != "smoothness" else max(sd, 1e-12)
        brk = _bisect_breakdown(accepts_zero, scale) if breakdown else np.nan
    lo, hi = (np.array(v, dtype=float) for v in zip(*bounds, strict=True))
    return HonestDidResult(method, grid, lo, hi, est, sd, original, brk, alpha, label)
