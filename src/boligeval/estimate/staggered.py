"""Group-time average treatment effects for staggered adoption.

Callaway & Sant'Anna (2021) ATT(g, t) on a balanced panel, with the
vocabulary of R's ``did`` (``yname, tname, idname, gname``; ``gname`` is the
first treated period, 0 for never treated). Inference uses the analytic
influence functions, optionally clustered, and a multiplier bootstrap with
uniform (sup-t) bands. Aggregations (simple, group, dynamic, calendar) weight
by group shares and include the influence of estimating those shares.

Within each (g, t) cell the estimators are those of Sant'Anna & Zhao (2020)
for panel data, as ``did`` calls them: unconditional difference in mean
changes, outcome regression (``reg_did_panel``), standardised inverse
probability weighting (``std_ipw_did_panel``: logit propensity score) and the
improved doubly robust estimator (``drdid_panel``: inverse-probability-tilting
propensity score and weighted least squares outcome model). An unbalanced
panel (``allow_unbalanced_panel=True``, covariates allowed) is
estimated as did does: each 2x2 as repeated cross-sections, influence summed
by unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import sparse, special, stats

from boligeval.errors import EstimationError

__all__ = ["AggregateResult", "AttGtResult", "att_gt"]

ControlGroup = Literal["notyettreated", "nevertreated"]
BasePeriod = Literal["varying", "universal"]
EstMethod = Literal["unconditional", "reg", "ipw", "dr"]
AggregateKind = Literal["simple", "group", "dynamic", "calendar"]
WeightType = Literal["rademacher", "mammen"]

_IQR_NORMAL = float(stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
_DEGENERATE = np.sqrt(np.finfo(float).eps) * 10


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, eq=False)
class _Panel:
    """Wide balanced panel: outcome (n, T), unit attributes (n,)."""

    y: np.ndarray
    periods: np.ndarray
    group: np.ndarray
    weights: np.ndarray
    cluster: np.ndarray
    n_clusters: int
    x: np.ndarray | None  # (n, T, p) covariates incl. intercept, or None


def _unit_values(
    values: np.ndarray, unit_of_row: np.ndarray, n_units: int, name: str, idname: str
) -> np.ndarray:
    """Per-unit value of a column that must be constant within units."""
    first = np.empty(n_units, dtype=values.dtype)
    first[unit_of_row[::-1]] = values[::-1]  # any row of the unit; checked below
    same = first[unit_of_row] == values
    if values.dtype.kind == "f":
        same |= np.isnan(first[unit_of_row]) & np.isnan(values)
    if not same.all():
        raise EstimationError(f"column {name!r} must be constant within each {idname!r}")
    return first


def _has_missing(col: pd.Series) -> bool:
    """Whether a column has missing values (plain numpy integer or bool columns cannot)."""
    dtype = col.dtype
    if isinstance(dtype, np.dtype):
        if dtype.kind in "iub":
            return False
        if dtype.kind == "f":
            return bool(np.isnan(col.to_numpy()).any())
    return bool(col.isna().any())


def _prepare(
    data: pd.DataFrame,
    yname: str,
    tname: str,
    idname: str,
    gname: str,
    covariates: Sequence[str],
    weights: str | None,
    cluster: str | None,
    allow_unbalanced_panel: bool = False,
    anticipation: float = 0,
) -> _Panel:
    cols = [yname, tname, idname, gname, *covariates]
    cols += [c for c in (weights, cluster) if c is not None]
    missing = [c for c in dict.fromkeys(cols) if c not in data.columns]
    if missing:
        raise EstimationError(f"columns not in data: {missing}")
    core = [yname, tname, idname, gname, *covariates]
    if any(_has_missing(data[c]) for c in dict.fromkeys(core)):
        raise EstimationError("missing values in outcome, time, id, group or covariates")
    uid, ids = pd.factorize(data[idname], sort=True)
    tcode, tvals = pd.factorize(data[tname], sort=True)
    n_all, n_t = len(ids), len(tvals)
    periods = np.asarray(tvals, dtype=float)
    if n_t < 2:
        raise EstimationError("at least two time periods are needed")
    cell = uid.astype(np.int64) * n_t + tcode
    counts = np.bincount(cell, minlength=n_all * n_t)
    if (counts > 1).any():
        raise EstimationError(f"duplicated ({idname}, {tname}) rows")
    if (counts == 0).any():
        n_bad = int(np.sum(counts.reshape(n_all, n_t).min(axis=1) == 0))
        if not allow_unbalanced_panel:
            raise EstimationError(
                f"the panel is unbalanced: {n_bad} units are not observed in every period "
                "(allow_unbalanced_panel=True estimates it as did does)"
            )

    def wide(col: str) -> np.ndarray:
        out = np.full(n_all * n_t, np.nan)
        out[cell] = data[col].to_numpy(dtype=float)
        return out.reshape(n_all, n_t)

    g_unit = _unit_values(data[gname].to_numpy(dtype=float), uid, n_all, gname, idname)
    if (g_unit < 0).any():
        raise EstimationError(f"{gname!r} must be 0 (never treated) or a treatment period")
    # Treated after the last period: untreated throughout the sample.
    g_unit = np.where(g_unit > periods[-1], 0.0, g_unit)
    # A first-treatment time between two measurement periods is first seen
    # treated at the next measurement period.
    pos = np.searchsorted(periods, g_unit, side="left")
    g_unit = np.where(g_unit > 0, periods[np.minimum(pos, periods.size - 1)], 0.0)
    # drop units treated (or anticipating) in the first period: no pre-period
    keep = (g_unit == 0) | (g_unit - anticipation > periods[0])
    n = int(keep.sum())
    y = wide(yname)[keep]
    if weights is not None:
        w = _unit_values(data[weights].to_numpy(dtype=float), uid, n_all, weights, idname)[keep]
    else:
        w = np.ones(n)
    if not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
        raise EstimationError("weights must be finite, non-negative and not all zero")
    if cluster is not None:
        cl_rows, _ = pd.factorize(data[cluster])
        if (cl_rows < 0).any():
            raise EstimationError(f"missing values in cluster column {cluster!r}")
        cl_unit = _unit_values(cl_rows, uid, n_all, cluster, idname)[keep]
        cl_codes, cl_uniques = pd.factorize(cl_unit)
        n_clusters = len(cl_uniques)
    else:
        cl_codes = np.arange(n)
        n_clusters = n
    x = None
    if covariates:
        mats = [wide(c)[keep] for c in covariates]
        x = np.concatenate([np.ones((n, n_t, 1)), np.stack(mats, 2)], 2)
    g = g_unit[keep]
    if not (g > 0).any():
        raise EstimationError("no treated units (treated after the first period) in the data")
    return _Panel(y, periods, g, w / w.mean(), np.asarray(cl_codes, dtype=np.int64), n_clusters, x)


# --------------------------------------------------------------------------- 2x2 cells


def _solve(a: np.ndarray, b: np.ndarray, what: str) -> np.ndarray:
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError as exc:
        raise EstimationError(f"{what}: singular design (collinear covariates?)") from exc


def _ipt_pscore(d: np.ndarray, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Inverse probability tilting (Graham et al. 2012) as in DRDID's pscore.cal.

    Minimises the strictly convex loss mean(w * (-D x'g + (1 - D) exp(x'g))), whose
    first-order condition balances the weighted covariate sums of treated and
    reweighted controls; returns the implied propensity score.
    """
    s1, s0 = (w * d).sum(), (w * (1 - d)).sum()
    gam = np.zeros(x.shape[1])
    gam[0] = np.log(s1 / s0)
    c0 = w * (1 - d)

    def loss(g: np.ndarray) -> float:
        z = x @ g
        return float(np.sum(-w * d * z + c0 * np.exp(np.minimum(z, 700))))

    cur = loss(gam)
    for _ in range(200):
        ez = np.exp(np.minimum(x @ gam, 700))
        grad = x.T @ (-w * d + c0 * ez)
        hess = (x * (c0 * ez)[:, None]).T @ x
        step = _solve(hess, grad, "propensity score")
        t = 1.0
        while t > 1e-12:
            new = gam - t * step
            val = loss(new)
            if val <= cur - 1e-4 * t * float(grad @ step):
                break
            t /= 2
        gam, prev = gam - t * step, cur
        cur = loss(gam)
        if abs(prev - cur) <= 1e-14 * max(1.0, abs(cur)) and np.max(np.abs(grad)) < 1e-8 * s1:
            break
    ps = 1.0 / (1.0 + np.exp(-(x @ gam)))
    return np.asarray(np.minimum(ps, 1 - 1e-6))


def _cell(
    dy: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    x: np.ndarray | None,
    method: str,
) -> tuple[float, np.ndarray]:
    """ATT and influence function (scaled so that att - truth ~ sum(psi)) of one 2x2."""
    c = 1.0 - d
    w1 = w * d
    s1 = w1.sum()
    if method == "unconditional" or x is None:
        w0 = w * c
        s0 = w0.sum()
        m1, m0 = (w1 @ dy) / s1, (w0 @ dy) / s0
        return m1 - m0, w1 * (dy - m1) / s1 - w0 * (dy - m0) / s0
    if method == "reg":
        w0 = w * c
        a = (x * w0[:, None]).T @ x
        beta = _solve(a, (x * w0[:, None]).T @ dy, "outcome regression")
        out = x @ beta
        eta1, eta0 = (w1 @ dy) / s1, (w1 @ out) / s1
        xbar1 = (w1 @ x) / s1
        lin = (w0 * (dy - out)) * (x @ _solve(a, xbar1, "outcome regression"))
        psi = w1 * (dy - eta1) / s1 - (w1 * (out - eta0) / s1 + lin)
        return eta1 - eta0, psi
    if method == "ipw":
        return _ipw_cell(dy, d, w, x)
    ps = _ipt_pscore(d, x, w)
    odds = ps / (1 - ps)
    w0 = w * c * odds
    a = (x * w0[:, None]).T @ x
    beta = _solve(a, (x * w0[:, None]).T @ dy, "outcome regression")
    r = dy - x @ beta
    s0 = w0.sum()
    eta1, eta0 = (w1 @ r) / s1, (w0 @ r) / s0
    return eta1 - eta0, w1 * (r - eta1) / s1 - w0 * (r - eta0) / s0


def _logit(d: np.ndarray, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted logistic regression by Newton's method; the coefficients."""
    beta = np.zeros(x.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ beta, -700, 700)))
        grad = x.T @ (w * (d - p))
        hess = (x * (w * p * (1 - p))[:, None]).T @ x
        step = _solve(hess, grad, "propensity score")
        beta = beta + step
        if np.max(np.abs(step)) < 1e-12 * (1 + np.max(np.abs(beta))):
            break
    return beta


def _ipw_cell(
    dy: np.ndarray, d: np.ndarray, w: np.ndarray, x: np.ndarray
) -> tuple[float, np.ndarray]:
    """Standardised (Hajek) IPW of one 2x2, DRDID's ``std_ipw_did_panel``.

    Logit propensity score fitted by maximum likelihood; the influence function
    includes the estimation of the score.
    """
    n = dy.size
    ps = 1.0 / (1.0 + np.exp(-(x @ _logit(d, x, w))))
    ps = np.minimum(ps, 1 - 1e-6)
    w1 = w * d
    w0 = w * ps * (1 - d) / (1 - ps)
    eta1 = (w1 @ dy) / w1.sum()
    eta0 = (w0 @ dy) / w0.sum()
    hessian = np.linalg.inv((x * (w * ps * (1 - ps))[:, None]).T @ x / n)
    lin_ps = (x * (w * (d - ps))[:, None]) @ hessian          # (n, p)
    m2 = (x * (w0 * (dy - eta0))[:, None]).mean(axis=0)
    inf1 = w1 * (dy - eta1) / w1.mean()
    inf0 = (w0 * (dy - eta0) + lin_ps @ m2) / w0.mean()
    return eta1 - eta0, (inf1 - inf0) / n


# --------------------------------------------------------------------------- all cells

_BLOCK = 1 << 22  # elements of an (n, cells) block in the vectorised unconditional path


def _estimate_cells(
    panel: _Panel,
    cell_g: np.ndarray,
    cell_t: np.ndarray,
    cell_b: np.ndarray,
    *,
    control_group: str,
    method: str,
    anticipation: float = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """ATT and influence functions (n, k) of every (g, t) cell.

    A cell whose period is its base period has ATT 0 and influence 0. A cell with
    no control units is NaN when did drops it (not-yet-treated controls and no
    never-treated units); otherwise that, or a zero total weight, is an error,
    reported for the first such cell. Without covariates all cells are computed
    at once (blocks of cells as (n, cells) arrays); with covariates, cell by cell.
    """
    y, periods, gu, w = panel.y, panel.periods, panel.group, panel.weights
    n, k = gu.size, cell_g.size
    active = cell_t != cell_b
    treat = gu[:, None] == cell_g[None, :]
    if control_group == "nevertreated":
        ctrl = np.repeat((gu == 0)[:, None], k, axis=1)
    else:
        thr = periods[np.maximum(cell_t, cell_b)] + anticipation
        ctrl = (gu == 0)[:, None] | ((gu[:, None] > thr[None, :]) & ~treat)
    no_ctrl = active & ~ctrl.any(axis=0)
    dropped = no_ctrl if (control_group == "notyettreated" and not (gu == 0).any()) else None
    zero_w = active & (((w @ treat) <= 0) | ((w @ ctrl) <= 0))
    bad = (no_ctrl if dropped is None else np.zeros(k, dtype=bool)) | (zero_w & ~no_ctrl)
    if bad.any():
        j = int(np.argmax(bad))
        what = "no control units for" if no_ctrl[j] else "zero total weight in"
        raise EstimationError(f"{what} ATT({cell_g[j]:g},{periods[cell_t[j]]:g})")
    if dropped is not None:
        active &= ~dropped
    att = np.zeros(k)
    psi = np.zeros((n, k))
    if dropped is not None:
        att[dropped] = np.nan
    cols = np.flatnonzero(active)
    if np.isnan(y).any():
        if panel.x is None:
            return _unbalanced_cells(panel, cols, treat, ctrl, cell_t, cell_b, att, psi)
        if method not in ("reg", "ipw", "dr"):
            raise EstimationError(f"unknown est_method {method!r}")
        for col in cols:
            att[col], psi[:, col] = _rc_cell(panel, treat[:, col], ctrl[:, col],
                                             int(cell_t[col]), int(cell_b[col]), method)
        return att, psi
    if panel.x is None:
        step = max(1, _BLOCK // max(n, 1))
        for lo in range(0, cols.size, step):
            idx = cols[lo : lo + step]
            dy = y[:, cell_t[idx]] - y[:, cell_b[idx]]
            w1 = w[:, None] * treat[:, idx]
            w0 = w[:, None] * ctrl[:, idx]
            s1, s0 = w1.sum(axis=0), w0.sum(axis=0)
            m1 = np.einsum("ik,ik->k", w1, dy) / s1
            m0 = np.einsum("ik,ik->k", w0, dy) / s0
            att[idx] = m1 - m0
            psi[:, idx] = w1 * ((dy - m1) / s1) - w0 * ((dy - m0) / s0)
        return att, psi
    for col in cols:
        sub = treat[:, col] | ctrl[:, col]
        ti, base = cell_t[col], cell_b[col]
        dy = y[sub, ti] - y[sub, base]
        xs = panel.x[sub, min(ti, base), :]
        ws = w[sub]
        d = treat[sub, col].astype(float)
        att[col], psi[sub, col] = _cell(dy, d, ws / ws.mean(), xs, method)
    return att, psi


def _unbalanced_cells(
    panel: _Panel, cols: np.ndarray, treat: np.ndarray, ctrl: np.ndarray,
    cell_t: np.ndarray, cell_b: np.ndarray, att: np.ndarray, psi: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Cells of an unbalanced panel without covariates, as R did (2.1+) estimates them.

    Each 2x2 is a repeated cross-section of the department-years observed in
    period t and in the base period: ATT = (treated mean at t - at base) -
    (control mean at t - at base), over the units observed in each period. The
    influence of each row (``drdid_rc`` with an intercept only) is summed
    within its unit, so the clustered inference keeps the within-unit
    dependence. A cell with an empty group in either period is NaN (dropped,
    as did drops it with a warning).
    """
    y, w = panel.y, panel.weights
    step = max(1, _BLOCK // max(y.shape[0], 1))
    for lo in range(0, cols.size, step):
        idx = cols[lo : lo + step]
        yt, yb = y[:, cell_t[idx]], y[:, cell_b[idx]]
        seen_t, seen_b = ~np.isnan(yt), ~np.isnan(yb)
        yt, yb = np.where(seen_t, yt, 0.0), np.where(seen_b, yb, 0.0)
        parts = []
        for group in (treat[:, idx], ctrl[:, idx]):
            for seen, val in ((seen_t, yt), (seen_b, yb)):
                wk = w[:, None] * (group & seen)
                total = wk.sum(axis=0)
                with np.errstate(invalid="ignore", divide="ignore"):
                    mean = np.einsum("ik,ik->k", wk, val) / total
                    parts.append((mean, wk * (val - mean) / total, total > 0))
        (m11, p11, o11), (m10, p10, o10), (m01, p01, o01), (m00, p00, o00) = parts
        ok = o11 & o10 & o01 & o00
        att[idx] = np.where(ok, (m11 - m10) - (m01 - m00), np.nan)
        psi[:, idx] = np.where(ok[None, :], p11 - p10 - p01 + p00, 0.0)
    return att, psi


def _rc_cell(
    panel: _Panel, treat: np.ndarray, ctrl: np.ndarray, ti: int, base: int, method: str
) -> tuple[float, np.ndarray]:
    """A 2x2 of an unbalanced panel with covariates, as repeated cross-sections.

    Rows are the department-years observed in period ``ti`` (post) or ``base``
    (pre), with covariates of their own period. ``reg``: DRDID's ``reg_did_rc``
    (untreated outcome models fitted on the controls of each period); ``ipw``:
    ``std_ipw_did_rc`` (logit score on all rows); ``dr``: the locally efficient
    ``drdid_rc``. Returns the ATT and the rows' influence summed by unit (NaN
    and zeros when a group is empty in a period).
    """
    assert panel.x is not None
    y, x, w = panel.y, panel.x, panel.weights
    units, posts = [], []
    for period, flag in ((ti, 1.0), (base, 0.0)):
        seen = np.flatnonzero((treat | ctrl) & ~np.isnan(y[:, period]))
        units.append(seen)
        posts.append(np.full(seen.size, flag))
    unit = np.concatenate(units)
    post = np.concatenate(posts)
    period_of = np.where(post == 1, ti, base)
    yy = y[unit, period_of]
    xx = x[unit, period_of, :]
    d = treat[unit].astype(float)
    ww = w[unit] / w[unit].mean()
    n = yy.size
    groups = [(d == 1) & (post == 0), (d == 1) & (post == 1), (d == 0) & (post == 0),
              (d == 0) & (post == 1)]
    if any(not g.any() for g in groups):
        return float("nan"), np.zeros(y.shape[0])
    if method in ("ipw", "dr"):
        est, inf = (_ipw_rc if method == "ipw" else _dr_rc)(yy, post, d, xx, ww)
        return est, np.bincount(unit, weights=inf / n, minlength=y.shape[0])
    fits, reps = [], []
    for mask in groups[2:]:                       # control pre, control post
        wo = ww * mask
        xpx = (xx * wo[:, None]).T @ xx / n
        coef = _solve(xpx * n, (xx * wo[:, None]).T @ yy, "outcome regression")
        fit = xx @ coef
        fits.append(fit)
        reps.append((xx * (wo * (yy - fit))[:, None]) @ np.linalg.inv(xpx))
    out_pre, out_post = fits
    w_pre, w_post, w_cont = ww * d * (1 - post), ww * d * post, ww * d
    eta_pre = (w_pre @ yy) / w_pre.sum()
    eta_post = (w_post @ yy) / w_post.sum()
    eta_cont = (w_cont @ (out_post - out_pre)) / w_cont.sum()
    inf_treat = (w_post * (yy - eta_post) / w_post.mean()
                 - w_pre * (yy - eta_pre) / w_pre.mean())
    m1 = (xx * w_cont[:, None]).mean(axis=0)
    inf_cont = (w_cont * (out_post - out_pre - eta_cont) + reps[1] @ m1 - reps[0] @ m1)
    inf = inf_treat - inf_cont / w_cont.mean()
    psi = np.bincount(unit, weights=inf / n, minlength=y.shape[0])
    return float((eta_post - eta_pre) - eta_cont), psi


def _ols_rc(
    y: np.ndarray, x: np.ndarray, w: np.ndarray, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted OLS on the rows of ``mask``: fitted values on all rows and the
    asymptotic linear representation of the coefficients (n, p)."""
    n = y.size
    wo = w * mask
    xpx = (x * wo[:, None]).T @ x / n
    coef = _solve(xpx * n, (x * wo[:, None]).T @ y, "outcome regression")
    fit = x @ coef
    return fit, (x * (wo * (y - fit))[:, None]) @ np.linalg.inv(xpx)


def _dr_rc(
    y: np.ndarray, post: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray
) -> tuple[float, np.ndarray]:
    """DRDID's locally efficient ``drdid_rc``: ATT and row influence (mean-scaled)."""
    n = y.size
    ps = np.minimum(1.0 / (1.0 + np.exp(-(x @ _logit(d, x, w)))), 1 - 1e-6)
    c = 1 - d
    cont_pre, rep_cont_pre = _ols_rc(y, x, w, (c == 1) & (post == 0))
    cont_post, rep_cont_post = _ols_rc(y, x, w, (c == 1) & (post == 1))
    treat_pre, rep_treat_pre = _ols_rc(y, x, w, (d == 1) & (post == 0))
    treat_post, rep_treat_post = _ols_rc(y, x, w, (d == 1) & (post == 1))
    out_cont = post * cont_post + (1 - post) * cont_pre
    odds = ps * c / (1 - ps)
    w_tpre, w_tpost = w * d * (1 - post), w * d * post
    w_cpre, w_cpost = w * odds * (1 - post), w * odds * post
    w_d, w_dt1, w_dt0 = w * d, w * d * post, w * d * (1 - post)
    r = y - out_cont

    def comp(wk: np.ndarray, v: np.ndarray) -> tuple[float, np.ndarray]:
        eta = wk * v / wk.mean()
        att = float(eta.mean())
        return att, eta - wk * att / wk.mean()

    a_tpre, i_tpre = comp(w_tpre, r)
    a_tpost, i_tpost = comp(w_tpost, r)
    a_cpre, i_cpre = comp(w_cpre, r)
    a_cpost, i_cpost = comp(w_cpost, r)
    a_dpost, i_dpost = comp(w_d, treat_post - cont_post)
    a_dt1, i_dt1 = comp(w_dt1, treat_post - cont_post)
    a_dpre, i_dpre = comp(w_d, treat_pre - cont_pre)
    a_dt0, i_dt0 = comp(w_dt0, treat_pre - cont_pre)
    att = (a_tpost - a_tpre) - (a_cpost - a_cpre) + (a_dpost - a_dt1) - (a_dpre - a_dt0)

    def colmean(v: np.ndarray) -> np.ndarray:
        return np.asarray((x * v[:, None]).mean(axis=0))

    hessian = np.linalg.inv((x * (w * ps * (1 - ps))[:, None]).T @ x / n)
    lin_ps = (x * (w * (d - ps))[:, None]) @ hessian
    m1_post = -colmean(w_tpost * post) / w_tpost.mean()
    m1_pre = -colmean(w_tpre * (1 - post)) / w_tpre.mean()
    inf_treat = i_tpost - i_tpre + rep_cont_post @ m1_post + rep_cont_pre @ m1_pre
    m2_pre = colmean(w_cpre * (r - a_cpre)) / w_cpre.mean()
    m2_post = colmean(w_cpost * (r - a_cpost)) / w_cpost.mean()
    m3_post = -colmean(w_cpost * post) / w_cpost.mean()
    m3_pre = -colmean(w_cpre * (1 - post)) / w_cpre.mean()
    inf_cont = (i_cpost - i_cpre + lin_ps @ (m2_post - m2_pre)
                + rep_cont_post @ m3_post + rep_cont_pre @ m3_pre)
    inf_eff = (i_dpost - i_dt1) - (i_dpre - i_dt0)
    mom_post = colmean(w_d / w_d.mean() - w_dt1 / w_dt1.mean())
    mom_pre = colmean(w_d / w_d.mean() - w_dt0 / w_dt0.mean())
    inf_or = ((rep_treat_post - rep_cont_post) @ mom_post
              - (rep_treat_pre - rep_cont_pre) @ mom_pre)
    return att, inf_treat - inf_cont + inf_eff + inf_or


def _ipw_rc(
    y: np.ndarray, post: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray
) -> tuple[float, np.ndarray]:
    """DRDID's ``std_ipw_did_rc``: ATT and row influence (mean-scaled)."""
    n = y.size
    ps = np.minimum(1.0 / (1.0 + np.exp(-(x @ _logit(d, x, w)))), 1 - 1e-6)
    odds = ps * (1 - d) / (1 - ps)
    weights = (w * d * (1 - post), w * d * post, w * odds * (1 - post), w * odds * post)
    means = [float((wk @ y) / wk.sum()) for wk in weights]
    infs = [wk * (y - m) / wk.mean() for wk, m in zip(weights, means, strict=True)]
    hessian = np.linalg.inv((x * (w * ps * (1 - ps))[:, None]).T @ x / n)
    lin_ps = (x * (w * (d - ps))[:, None]) @ hessian
    m2 = [(x * (wk * (y - m))[:, None]).mean(axis=0) / wk.mean()
          for wk, m in zip(weights[2:], means[2:], strict=True)]
    inf_treat = infs[1] - infs[0]
    inf_cont = infs[3] - infs[2] + lin_ps @ (m2[1] - m2[0])
    return (means[1] - means[0]) - (means[3] - means[2]), inf_treat - inf_cont


# --------------------------------------------------------------------------- inference


def _cluster_sums(psi: np.ndarray, cluster: np.ndarray, n_clusters: int) -> np.ndarray:
    """Column sums of ``psi`` (n, k) within clusters, shape (n_clusters, k), C-contiguous."""
    if n_clusters == psi.shape[0] and np.array_equal(cluster, np.arange(n_clusters)):
        return np.ascontiguousarray(psi, dtype=float)
    if np.bincount(cluster, minlength=n_clusters).min() == 0:  # an empty cluster sums to 0
        agg = sparse.csr_matrix(
            (np.ones(cluster.size), (cluster, np.arange(cluster.size))),
            shape=(n_clusters, cluster.size),
        )
        return np.ascontiguousarray(agg @ psi, dtype=float)
    if np.all(cluster[1:] >= cluster[:-1]):  # units already ordered by cluster
        ordered = psi
    else:
        order = np.argsort(cluster, kind="stable")
        cluster, ordered = cluster[order], psi[order]
    starts = np.searchsorted(cluster, np.arange(n_clusters), side="left")
    return np.ascontiguousarray(np.add.reduceat(ordered, starts, axis=0), dtype=float)


def _byte_digits(p: float) -> list[int]:
    """Base-256 digits of ``p`` in [0, 1), exact for a double (at most seven are non-zero)."""
    digits = []
    q = float(p)
    for _ in range(7):
        q *= 256.0
        d = int(q)
        digits.append(d)
        q -= d
    while digits and digits[-1] == 0:
        digits.pop()
    return digits


def _random_bytes(rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` uniform random bytes from the generator's raw 64-bit output (little-endian)."""
    raw = rng.bit_generator.random_raw((size + 7) // 8)
    return np.asarray(raw, dtype="<u8").view(np.uint8)[:size]


def _bernoulli(rng: np.random.Generator, shape: tuple[int, int], p: float) -> np.ndarray:
    """Float 0/1 array with independent entries ``1[U < p]``, U uniform on [0, 1).

    For p = 1/2 each entry takes one random bit. Otherwise each entry compares one
    random byte with the first base-256 digit of ``p``; the 1/256 of entries that tie
    draw the next byte, and so on, so the probability is ``p`` to double precision
    while costing about one byte per entry.
    """
    size = shape[0] * shape[1]
    if p == 0.5:
        bits = np.unpackbits(_random_bytes(rng, (size + 7) // 8), count=size)
        return bits.astype(np.float64).reshape(shape)
    out = np.zeros(size)
    digits = _byte_digits(p)
    if digits:
        u = _random_bytes(rng, size)
        np.less(u, digits[0], out=out)
        tie = np.flatnonzero(u == digits[0])
        for d in digits[1:]:
            if tie.size == 0:
                break
            u = _random_bytes(rng, tie.size)
            out[tie[u < d]] = 1.0
            tie = tie[u == d]
    return out.reshape(shape)


def _multiplier_draws(
    rng: np.random.Generator, sums: np.ndarray, n_draws: int, kind: WeightType
) -> np.ndarray:
    """Bootstrap draws sum_c v_c * sums[c] for two-point multipliers v (mean 0, variance 1).

    Rademacher (as did since 2.1, via BMisc::multiplier_bootstrap) or Mammen's
    weights. With v = hi + (lo - hi) * 1[low], the
    product is hi * colsum + (lo - hi) * (1[low] @ sums): the indicators are drawn
    as bits or bytes (:func:`_bernoulli`) and the sum is one float64 matrix product.
    """
    if kind == "rademacher":
        lo, hi, p_lo = -1.0, 1.0, 0.5
    else:
        s5 = np.sqrt(5.0)
        lo, hi, p_lo = (1 - s5) / 2, (1 + s5) / 2, (s5 + 1) / (2 * s5)
    low = _bernoulli(rng, (n_draws, sums.shape[0]), p_lo)
    prod = low @ sums
    prod *= lo - hi
    prod += hi * sums.sum(axis=0)
    return prod


def _quantile_sorted(sorted_draws: np.ndarray, q: float) -> np.ndarray:
    """Type-1 (inverse empirical CDF) quantile along axis 0 of sorted draws, as R's type=1."""
    n = sorted_draws.shape[0]
    k = max(int(np.ceil(n * q - 1e-12)), 1)
    return np.asarray(sorted_draws[k - 1])


@dataclass(frozen=True, eq=False)
class _Inference:
    se: np.ndarray
    crit: float


def _inference(
    psi: np.ndarray,
    cluster: np.ndarray,
    n_clusters: int,
    *,
    bootstrap: bool,
    bootstrap_draws: int,
    seed_entropy: int,
    stream: int,
    weight_type: WeightType,
    alpha: float,
) -> _Inference:
    """Analytic or multiplier-bootstrap SEs and the uniform critical value.

    ``psi`` (n, k) is scaled so that estimate - truth is approximately the column
    sum; the analytic variance is the sum of squared cluster sums.
    """
    sums = _cluster_sums(psi, cluster, n_clusters)
    z = float(special.ndtri(1 - alpha / 2))
    if not bootstrap:
        return _Inference(np.sqrt(np.sum(sums**2, axis=0)), z)
    rng = np.random.default_rng([seed_entropy, stream])
    se = np.zeros(psi.shape[1])
    draws = np.empty((bootstrap_draws, psi.shape[1]))
    chunk = max(1, 2_000_000 // max(n_clusters, 1))
    for start in range(0, bootstrap_draws, chunk):
        stop = min(bootstrap_draws, start + chunk)
        draws[start:stop] = _multiplier_draws(rng, sums, stop - start, weight_type)
    srt = np.sort(draws, axis=0)
    sigma = (_quantile_sorted(srt, 0.75) - _quantile_sorted(srt, 0.25)) / _IQR_NORMAL
    ok = sigma > _DEGENERATE
    se[ok] = sigma[ok]
    if not ok.any():
        return _Inference(se, z)
    t_max = np.max(np.abs(draws[:, ok] / sigma[ok]), axis=1)
    crit = float(_quantile_sorted(np.sort(t_max)[:, None], 1 - alpha)[0])
    if not np.isfinite(crit) or crit < z:
        crit = z
    return _Inference(se, crit)


def _p_values(est: np.ndarray, se: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2 * stats.norm.sf(np.abs(est / se))
    return np.where(se > 0, p, np.nan)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class AggregateResult:
    """An aggregation of ATT(g, t): the overall effect and its components.

    Attributes
    ----------
    kind : str
        "simple", "group", "dynamic" or "calendar".
    overall, overall_se : float
        Aggregated effect and its standard error.
    labels : np.ndarray
        Group, event time or calendar period of each component, shape (m,).
    estimates, std_errors : np.ndarray
        Component effects and standard errors, shape (m,).
    crit_val : float
        Critical value of the (uniform when bootstrapped) band for the components.
    alpha : float
        One minus the confidence level.
    influence : np.ndarray
        Influence function of the overall effect, shape (n,).
    component_influence : np.ndarray
        Influence functions of the components, shape (n, m), scaled so that
        estimate - truth is approximately their column sums (as ``influence``).
    vcov : np.ndarray
        Analytic covariance of the components, shape (m, m): the cross-products
        of their cluster sums of influence (did's ``V = IF'IF / n^2`` when units
        are the clusters). An event study (``kind="dynamic"`` with a universal
        base period) with it goes straight into ``honest_did``.
    """

    kind: str
    overall: float
    overall_se: float
    labels: np.ndarray
    estimates: np.ndarray
    std_errors: np.ndarray
    crit_val: float
    alpha: float
    influence: np.ndarray
    component_influence: np.ndarray
    vcov: np.ndarray

    def tidy(self) -> pd.DataFrame:
        """Overall row, then one row per component, with pointwise p-values."""
        z = float(stats.norm.ppf(1 - self.alpha / 2))
        label_col = {"group": "group", "dynamic": "event_time", "calendar": "time"}.get(self.kind)
        rows = pd.DataFrame(
            {
                "term": [f"{self.kind}: overall"]
                + [f"{self.kind}: {lab:g}" for lab in self.labels],
                "estimate": np.r_[self.overall, self.estimates],
                "std_error": np.r_[self.overall_se, self.std_errors],
            }
        )
        if label_col is not None:
            rows.insert(1, label_col, np.r_[np.nan, self.labels])
        crit = np.r_[z, np.full(self.labels.size, self.crit_val)]
        rows["p_value"] = _p_values(rows["estimate"].to_numpy(), rows["std_error"].to_numpy())
        rows["ci_low"] = rows["estimate"] - crit * rows["std_error"]
        rows["ci_high"] = rows["estimate"] + crit * rows["std_error"]
        return rows

    def summary(self) -> str:
        """Plain-text table."""
        return f"Aggregated ATT ({self.kind})\n" + self.tidy().to_string(index=False)


@dataclass(frozen=True, eq=False)
class AttGtResult:
    """Group-time average treatment effects.

    Attributes
    ----------
    groups, times : np.ndarray
        Group (first treated period) and period of each ATT(g, t), shape (k,).
    att, std_errors : np.ndarray
        Estimates and standard errors (bootstrap when ``bootstrap``), shape (k,).
    crit_val : float
        Critical value of the bands: uniform (sup-t) when bootstrapped, else normal.
    influence : np.ndarray
        Influence functions, shape (n, k), scaled so that estimate - truth is
        approximately their column sums.
    unit_groups, unit_weights, cluster : np.ndarray
        Per-unit group (0 never treated), normalised weight and cluster code, shape (n,).
    n_clusters : int
        Number of clusters (units when not clustered).
    periods : np.ndarray
        Sorted time periods.
    control_group, base_period, est_method : str
        Options used.
    bootstrap : bool
        Whether SEs and bands come from the multiplier bootstrap.
    bootstrap_draws : int
        Bootstrap draws.
    seed_entropy : int
        Entropy of the seed sequence, so aggregations draw reproducibly.
    weight_type : str
        "rademacher" or "mammen".
    alpha : float
        One minus the confidence level.
    """

    groups: np.ndarray
    times: np.ndarray
    att: np.ndarray
    std_errors: np.ndarray
    crit_val: float
    influence: np.ndarray
    unit_groups: np.ndarray
    unit_weights: np.ndarray
    cluster: np.ndarray
    n_clusters: int
    periods: np.ndarray
    control_group: str
    base_period: str
    est_method: str
    bootstrap: bool
    bootstrap_draws: int
    seed_entropy: int
    weight_type: WeightType
    alpha: float

    def tidy(self) -> pd.DataFrame:
        """One row per ATT(g, t); intervals are uniform bands when bootstrapped."""
        out = pd.DataFrame(
            {
                "term": [f"ATT({g:g},{t:g})" for g, t in zip(self.groups, self.times, strict=True)],
                "group": self.groups,
                "time": self.times,
                "event_time": self.times - self.groups,
                "estimate": self.att,
                "std_error": self.std_errors,
            }
        )
        out["p_value"] = _p_values(self.att, self.std_errors)
        out["ci_low"] = self.att - self.crit_val * self.std_errors
        out["ci_high"] = self.att + self.crit_val * self.std_errors
        return out

    def summary(self) -> str:
        """Plain-text table with the options used."""
        band = "uniform bootstrap band" if self.bootstrap else "pointwise analytic CI"
        head = (
            f"Group-time ATT (Callaway & Sant'Anna): control={self.control_group}, "
            f"base={self.base_period}, method={self.est_method}, {band}, "
            f"{self.unit_groups.size} units, {self.n_clusters} clusters\n"
        )
        return head + self.tidy().to_string(index=False)

    def _infer(self, psi: np.ndarray, stream: int) -> _Inference:
        return _inference(
            psi,
            self.cluster,
            self.n_clusters,
            bootstrap=self.bootstrap,
            bootstrap_draws=self.bootstrap_draws,
            seed_entropy=self.seed_entropy,
            stream=stream,
            weight_type=self.weight_type,
            alpha=self.alpha,
        )

    def _weight_if(
        self, keepers: np.ndarray, pgg: np.ndarray, cell_groups: np.ndarray
    ) -> np.ndarray:
        """Influence of estimating P(G=g) in weights pgg[keepers]/sum (did's ``wif``)."""
        n = self.unit_groups.size
        ind = self.unit_weights[:, None] * (self.unit_groups[:, None] == cell_groups[keepers][None])
        dev = ind - pgg[keepers][None]
        tot = pgg[keepers].sum()
        if1 = dev / tot
        if2 = dev.sum(axis=1)[:, None] * (pgg[keepers] / tot**2)[None]
        return (if1 - if2) / n

    def _combine(
        self,
        att: np.ndarray,
        psi: np.ndarray,
        keep: np.ndarray,
        wts: np.ndarray,
        wif: np.ndarray | None,
    ) -> np.ndarray:
        out = psi[:, keep] @ wts
        if wif is not None:
            out = out + wif @ att[keep]
        return np.asarray(out)

    def aggregate(
        self,
        kind: AggregateKind = "simple",
        *,
        balance_e: int | None = None,
        min_e: float = -np.inf,
        max_e: float = np.inf,
    ) -> AggregateResult:
        """Aggregate ATT(g, t) as ``did::aggte``.

        Parameters
        ----------
        kind : {"simple", "group", "dynamic", "calendar"}
            Overall post-treatment average weighted by group size; by group; by
            event time (overall = mean over e >= 0); by calendar period.
        balance_e : int, optional
            Dynamic only: keep groups observed for at least ``balance_e`` periods
            after treatment and event times ``e <= balance_e``.
        min_e, max_e : float
            Event-time window (dynamic; ``max_e`` also limits the others).
        """
        if kind not in ("simple", "group", "dynamic", "calendar"):
            raise EstimationError(f"unknown aggregation {kind!r}")
        att, g, t, psi = self.att, self.groups, self.times, self.influence
        glist = np.unique(g)
        pg_group = np.array([np.mean(self.unit_weights * (self.unit_groups == gg)) for gg in glist])
        pgg = pg_group[np.searchsorted(glist, g)]
        e = t - g
        labels: np.ndarray
        if kind == "simple":
            keep = np.flatnonzero((g <= t) & (t <= g + max_e))
            if keep.size == 0:
                raise EstimationError("no post-treatment cells to aggregate")
            wts = pgg[keep] / pgg[keep].sum()
            overall = float(att[keep] @ wts)
            inf = self._combine(att, psi, keep, wts, self._weight_if(keep, pgg, g))
            res = self._infer(inf[:, None], stream=1)
            return AggregateResult(
                kind, overall, float(res.se[0]), np.array([]), np.array([]), np.array([]),
                res.crit, self.alpha, inf, np.zeros((inf.size, 0)), np.zeros((0, 0)),
            )  # fmt: skip
        comps: list[float] = []
        comp_inf: list[np.ndarray] = []
        if kind == "group":
            labels = glist
            for gg in glist:
                keep = np.flatnonzero((g == gg) & (gg <= t) & (t <= g + max_e))
                if keep.size == 0:
                    raise EstimationError(f"group {gg:g} has no post-treatment cell")
                wts = np.full(keep.size, 1.0 / keep.size)
                comps.append(float(att[keep] @ wts))
                comp_inf.append(self._combine(att, psi, keep, wts, None))
            c_att, c_inf = np.array(comps), np.column_stack(comp_inf)
            wts = pg_group / pg_group.sum()
            overall = float(c_att @ wts)
            all_idx = np.arange(glist.size)
            inf = c_inf @ wts + self._weight_if(all_idx, pg_group, glist) @ c_att
        elif kind == "dynamic":
            include = np.ones(att.size, dtype=bool)
            eseq = np.unique(e)
            if balance_e is not None:
                include = (self.periods[-1] - g) >= balance_e
                eseq = np.unique(e[include])
                eseq = eseq[
                    (eseq <= balance_e) & (eseq >= balance_e - self.periods[-1] + self.periods[0])
                ]
            eseq = eseq[(eseq >= min_e) & (eseq <= max_e)]
            if eseq.size == 0:
                raise EstimationError("no event times left to aggregate")
            labels = eseq
            for ee in eseq:
                keep = np.flatnonzero((e == ee) & include)
                wts = pgg[keep] / pgg[keep].sum()
                comps.append(float(att[keep] @ wts))
                comp_inf.append(self._combine(att, psi, keep, wts, self._weight_if(keep, pgg, g)))
            c_att, c_inf = np.array(comps), np.column_stack(comp_inf)
            pos = eseq >= 0
            if not pos.any():
                raise EstimationError("no event time >= 0 in the window")
            overall = float(c_att[pos].mean())
            inf = c_inf[:, pos].mean(axis=1)
        else:
            labels = self.periods[self.periods >= g.min()]
            for tt in labels:
                keep = np.flatnonzero((t == tt) & (g <= t))
                wts = pgg[keep] / pgg[keep].sum()
                comps.append(float(att[keep] @ wts))
                comp_inf.append(self._combine(att, psi, keep, wts, self._weight_if(keep, pgg, g)))
            c_att, c_inf = np.array(comps), np.column_stack(comp_inf)
            overall = float(c_att.mean())
            inf = c_inf.mean(axis=1)
        comp_res = self._infer(c_inf, stream=2)
        over_res = self._infer(inf[:, None], stream=3)
        sums = _cluster_sums(c_inf, self.cluster, self.n_clusters)
        return AggregateResult(
            kind, overall, float(over_res.se[0]), np.asarray(labels, dtype=float), c_att,
            comp_res.se, comp_res.crit, self.alpha, inf, c_inf, sums.T @ sums,
        )  # fmt: skip


# --------------------------------------------------------------------------- API


def att_gt(
    data: pd.DataFrame,
    *,
    yname: str,
    tname: str,
    idname: str,
    gname: str,
    control_group: ControlGroup = "notyettreated",
    base_period: BasePeriod = "varying",
    est_method: EstMethod | None = None,
    covariates: Sequence[str] = (),
    weights: str | None = None,
    cluster: str | None = None,
    bootstrap: bool = True,
    bootstrap_draws: int = 999,
    seed: int | None = None,
    alpha: float = 0.05,
    weight_type: WeightType = "rademacher",
    allow_unbalanced_panel: bool = False,
    anticipation: float = 0,
) -> AttGtResult:
    """Estimate group-time average treatment effects ATT(g, t).

    Parameters
    ----------
    data : pandas.DataFrame
        Balanced panel in long format.
    yname, tname, idname, gname : str
        Outcome, period, unit id and first-treated period (0 = never treated).
        A ``gname`` value between two periods counts from the next period;
        values after the last period count as never treated; units treated in
        the first period are dropped.
    control_group : {"notyettreated", "nevertreated"}
        Not-yet-treated: never treated plus units with G > max(t, base period),
        excluding g itself (did's rule).
    base_period : {"varying", "universal"}
        Post-treatment cells always compare with the last pre-treatment period;
        pre-treatment cells compare t with t - 1 (varying) or with g - 1
        (universal, where ATT(g, g-1) = 0).
    est_method : {"unconditional", "reg", "ipw", "dr"}, optional
        Default "dr" with covariates, else "unconditional". "ipw" is DRDID's
        standardised inverse probability weighting (logit propensity score).
    covariates : sequence of str
        Covariates, taken in the earlier period of each 2x2 comparison (the base
        period for post-treatment cells), as did does for panel data.
    weights : str, optional
        Time-invariant unit sampling weights.
    cluster : str, optional
        Time-invariant cluster (e.g. plan id); units are the clusters otherwise.
    bootstrap : bool
        Multiplier bootstrap SEs and uniform bands (else analytic, pointwise).
    bootstrap_draws : int
        Bootstrap draws.
    seed : int, optional
        Seed of ``numpy.random.default_rng``.
    alpha : float
        One minus the confidence level.
    weight_type : {"rademacher", "mammen"}
        Multiplier distribution. did (2.1 and later) uses Rademacher weights;
        Mammen's skewed two-point weights make the IQR-based standard error
        collapse and the uniform critical value explode when a cohort has only
        two or three clusters.
    allow_unbalanced_panel : bool, default False
        Estimate an unbalanced panel as R did (2.1 and later) does with
        ``allow_unbalanced_panel = TRUE``: each 2x2 as repeated cross-sections
        of the units observed in its two periods, influence functions summed
        within units; with covariates DRDID's repeated cross-section
        estimators (``reg_did_rc``, ``std_ipw_did_rc``, the locally efficient
        ``drdid_rc``; covariates of each row's own period). Otherwise an
        unbalanced panel is an error.
    anticipation : float, default 0
        Periods (in ``tname`` units) before g in which units may already react,
        as did's ``anticipation``: post-treatment cells compare with the last
        period before ``g - anticipation``, not-yet-treated controls must be
        untreated until ``max(t, base) + anticipation``, and units with no
        period before ``g - anticipation`` are dropped.

    Returns
    -------
    AttGtResult
    """
    if control_group not in ("notyettreated", "nevertreated"):
        raise EstimationError(
            f"control_group must be 'notyettreated' or 'nevertreated', got {control_group!r}"
        )
    if base_period not in ("varying", "universal"):
        raise EstimationError(f"base_period must be 'varying' or 'universal', got {base_period!r}")
    method = est_method if est_method is not None else ("dr" if covariates else "unconditional")
    if method not in ("unconditional", "reg", "ipw", "dr"):
        raise EstimationError(
            f"est_method must be 'unconditional', 'reg', 'ipw' or 'dr', got {method!r}")
    if method == "unconditional" and covariates:
        raise EstimationError(
            "est_method='unconditional' takes no covariates; use 'reg', 'ipw' or 'dr'")
    if bootstrap and bootstrap_draws < 2:
        raise EstimationError("bootstrap_draws must be at least 2")
    if weight_type not in ("mammen", "rademacher"):
        raise EstimationError(f"unknown bootstrap weights {weight_type!r}")
    if not 0 < alpha < 1:
        raise EstimationError("alpha must be in (0, 1)")
    if not (np.isfinite(anticipation) and anticipation >= 0):
        raise EstimationError(f"anticipation must be a non-negative number, got {anticipation!r}")
    panel = _prepare(data, yname, tname, idname, gname, tuple(covariates), weights, cluster,
                     allow_unbalanced_panel, anticipation)
    periods, gu = panel.periods, panel.group
    glist = np.unique(gu[gu > 0])
    if control_group == "nevertreated" and not (gu == 0).any():
        raise EstimationError("control_group='nevertreated' but there are no never-treated units")
    t_idx = range(periods.size) if base_period == "universal" else range(1, periods.size)
    cells = []  # (g, t index, base index), in did's order
    for g in glist:
        # last period before g - anticipation
        pre = int(np.searchsorted(periods, g - anticipation, side="left")) - 1
        for ti in t_idx:
            base = ti - 1 if (base_period == "varying" and periods[ti] < g) else pre
            cells.append((g, ti, base))
    cell_g = np.array([c[0] for c in cells], dtype=float)
    cell_t = np.array([c[1] for c in cells], dtype=np.int64)
    cell_b = np.array([c[2] for c in cells], dtype=np.int64)
    att, influence = _estimate_cells(
        panel, cell_g, cell_t, cell_b, control_group=control_group, method=method,
        anticipation=anticipation,
    )
    kept = ~np.isnan(att)
    if not kept.any():
        raise EstimationError("no ATT(g, t) could be estimated")
    if not kept.all():
        att, influence = att[kept], influence[:, kept]
    entropy = int(np.random.SeedSequence(seed).entropy)  # type: ignore[arg-type]
    inf = _inference(
        influence,
        panel.cluster,
        panel.n_clusters,
        bootstrap=bootstrap,
        bootstrap_draws=bootstrap_draws,
        seed_entropy=entropy,
        stream=0,
        weight_type=weight_type,
        alpha=alpha,
    )
    return AttGtResult(
        groups=cell_g[kept],
        times=periods[cell_t[kept]],
        att=att,
        std_errors=inf.se,
        crit_val=inf.crit,
        influence=influence,
        unit_groups=gu,
        unit_weights=panel.weights,
        cluster=panel.cluster,
        n_clusters=panel.n_clusters,
        periods=periods,
        control_group=control_group,
        base_period=base_period,
        est_method=method,
        bootstrap=bootstrap,
        bootstrap_draws=bootstrap_draws,
        seed_entropy=entropy,
        weight_type=weight_type,
        alpha=alpha,
    )
