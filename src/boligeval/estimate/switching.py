"""De Chaisemartin and D'Haultfoeuille's estimators for a treatment that switches on and off.

Two estimators for a binary treatment ``D_{g,t}`` of groups (departments)
``g`` over periods ``t`` that may start and stop (plans that end, a second
plan later):

* :func:`did_multiplegt` -- ``DID_l`` of de Chaisemartin and D'Haultfoeuille
  (2024, REStat, "Difference-in-differences estimators of intertemporal
  treatment effects"), the estimator of ``did_multiplegt_dyn``. For a group
  whose treatment first changes at ``F_g`` (from its status quo ``d_sq``), the
  effect ``l`` periods after that first switch compares its outcome change
  ``Y_{F_g-1+l} - Y_{F_g-1}`` with that of the groups with the same status
  quo that have not switched yet at ``F_g-1+l``. Whatever the treatment does
  after ``F_g`` (a plan ending, a second plan) is part of the effect: ``DID_l``
  is the effect of having first switched ``l`` periods ago, on the path the
  group actually followed. Switchers in (joiners, ``S_g = 1``) and out
  (leavers, ``S_g = 0``) are estimated separately and averaged with their
  numbers. Placebos compare ``Y_{F_g-1-l} - Y_{F_g-1}`` in the same way; the
  average total effect divides the weighted effects by the weighted
  treatment actually received (per unit of treatment).
* :func:`did_m` -- ``DID_M`` of de Chaisemartin and D'Haultfoeuille (2020,
  AER): every switch between consecutive periods, joiners against the groups
  untreated in both periods and leavers against the groups treated in both,
  with its placebo one period earlier. Valid only without dynamic effects
  (the outcome depends on the current treatment alone).

Inference follows the reference implementations: the group-level influence
functions ``U_g`` of the paper, recentred on the mean outcome change of each
cohort (switchers by status quo and switching period; not-yet-switchers by
status quo and period) with small-sample factors ``sqrt(n/(n-1))``, summed
within clusters, ``Var = sum_c (sum_{g in c} U_g)^2 / G^2``
(``did_multiplegt_dyn`` 2.x, as ported in ``py_did_multiplegt_dyn``).
A cluster must contain whole groups: a department that changes plan is
clustered on its first plan.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from boligeval.errors import EstimationError
from boligeval.estimate.normal import normal_columns

__all__ = ["DidMResult", "SwitchingResult", "did_m", "did_multiplegt",
           "did_multiplegt_leave_one_out"]


# ---------------------------------------------------------------------------
# Data: a rectangular group x period panel
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False)
class _Panel:
    """Groups x periods arrays (NaN where a cell is missing)."""

    y: np.ndarray          # (G, T) outcome
    d: np.ndarray          # (G, T) treatment 0/1
    w: np.ndarray          # (G, T) weight, 0 where the cell is missing
    cluster: np.ndarray    # (G,) cluster code
    n_clusters: int
    groups: np.ndarray     # (G,) group labels
    periods: np.ndarray    # (T,) period labels
    # For leave-one-out replicates (:func:`_drop_rows`): the data row of each cell
    # (position, -1 without a row; a row counts even when its values are missing)
    # and its cluster code (-1 where missing; None without clusters).
    row: np.ndarray        # (G, T)
    cell_cluster: np.ndarray | None


def _panel(data: pd.DataFrame, outcome: str, group: str, time: str, treatment: str,
           cluster: str | None, weights: str | None) -> _Panel:
    """Validate a long panel and reshape it to groups x periods."""
    cols = [outcome, group, time, treatment, *(c for c in (cluster, weights) if c)]
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise EstimationError(f"column(s) {missing} are not in the data")
    df = data[list(dict.fromkeys(cols))].copy()
    used = (df[group].notna() & df[time].notna()).to_numpy()
    df = df[used]
    y = pd.to_numeric(df[outcome], errors="coerce").to_numpy(dtype=float)
    d = pd.to_numeric(df[treatment], errors="coerce").to_numpy(dtype=float)
    w = (np.ones(len(df)) if weights is None
         else pd.to_numeric(df[weights], errors="coerce").to_numpy(dtype=float))
    ok_d = np.isfinite(d)
    if not np.isin(d[ok_d], (0.0, 1.0)).all():
        raise EstimationError(f"treatment {treatment!r} must be 0 or 1")
    g_codes, g_labels = pd.factorize(df[group], sort=True)
    t_codes, t_labels = pd.factorize(df[time], sort=True)
    n_g, n_t = len(g_labels), len(t_labels)
    if n_t < 2:
        raise EstimationError("the switching estimators need at least two periods")
    cell = g_codes.astype(np.int64) * n_t + t_codes
    if len(np.unique(cell)) != len(cell):
        raise EstimationError(f"more than one row per {group} and {time}")
    good = np.isfinite(y) & ok_d & np.isfinite(w) & (w > 0)
    Y = np.full(n_g * n_t, np.nan)
    D = np.full(n_g * n_t, np.nan)
    W = np.zeros(n_g * n_t)
    Y[cell[good]], D[cell[good]], W[cell[good]] = y[good], d[good], w[good]
    row = np.full(n_g * n_t, -1, dtype=np.int64)
    row[cell] = np.flatnonzero(used)
    cell_cluster = None
    if cluster is not None:
        codes = np.full(n_g * n_t, -1, dtype=np.int64)
        codes[cell] = pd.factorize(df[cluster])[0]
        cell_cluster = codes.reshape(n_g, n_t)
    return _Panel(Y.reshape(n_g, n_t), D.reshape(n_g, n_t), W.reshape(n_g, n_t),
                  *_group_clusters(cell_cluster, n_g, cluster), np.asarray(g_labels),
                  np.asarray(t_labels), row.reshape(n_g, n_t), cell_cluster)


def _group_clusters(cell_cluster: np.ndarray | None, n_g: int,
                    cluster: str | None) -> tuple[np.ndarray, int]:
    """Each group's cluster code and the number of clusters.

    A group's cluster is its first non-missing value in time (a department
    that changes plan stays in its first plan's cluster); codes number the
    clusters in the order of the groups.
    """
    if cell_cluster is None:
        clus = np.arange(n_g)
    else:
        has = cell_cluster >= 0
        if not has.any(axis=1).all():
            raise EstimationError(f"cluster {cluster!r} is missing for a whole group")
        clus = pd.factorize(cell_cluster[np.arange(n_g), has.argmax(axis=1)])[0]
    return clus, int(clus.max()) + 1


def _drop_rows(p: _Panel, drop: np.ndarray, cluster: str | None) -> _Panel:
    """The panel of the data without the rows of the cells ``drop`` (G, T).

    The same panel as :func:`_panel` builds from the remaining rows: groups
    and periods left without a row disappear, and a group's cluster is the
    first one among its remaining rows. This lets the jackknife leave plans
    out without reshaping the long data again.
    """
    present = (p.row >= 0) & ~drop
    gk, tk = present.any(axis=1), present.any(axis=0)
    n_g, n_t = int(gk.sum()), int(tk.sum())
    if n_t < 2:
        raise EstimationError("the switching estimators need at least two periods")
    ix = np.ix_(gk, tk)
    keep = present[ix]
    cell_cluster = (None if p.cell_cluster is None
                    else np.where(keep, p.cell_cluster[ix], -1))
    return _Panel(np.where(keep, p.y[ix], np.nan), np.where(keep, p.d[ix], np.nan),
                  np.where(keep, p.w[ix], 0.0), *_group_clusters(cell_cluster, n_g, cluster),
                  p.groups[gk], p.periods[tk], np.where(keep, p.row[ix], -1), cell_cluster)


def _shift(a: np.ndarray, k: int) -> np.ndarray:
    """``a[:, t-k]`` at column ``t`` (NaN where ``t-k`` is outside)."""
    out = np.full_like(a, np.nan)
    if k < a.shape[1]:
        out[:, k:] = a[:, :a.shape[1] - k]
    return out


def _group_sum(values: np.ndarray, keys: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(keys, weights=values, minlength=n)


def _n_unique(mask: np.ndarray, keys: np.ndarray, clus: np.ndarray, n_keys: int,
              n_clus: int) -> np.ndarray:
    """Number of distinct clusters among the masked cells of each key."""
    code = keys[mask].astype(np.int64) * n_clus + clus[mask]
    if n_keys * n_clus <= 4_000_000:
        seen = np.bincount(code, minlength=n_keys * n_clus) > 0
        return seen.reshape(n_keys, n_clus).sum(axis=1).astype(float)
    pairs = np.unique(code)
    return np.bincount(pairs // n_clus, minlength=n_keys).astype(float)


# ---------------------------------------------------------------------------
# DID_l (did_multiplegt_dyn)
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False)
class _Design:
    """Status quo, first switch and the last period with a comparison, by group."""

    y: np.ndarray
    d: np.ndarray
    w: np.ndarray
    cluster: np.ndarray
    n_clusters: int
    d_sq: np.ndarray       # (G,) status quo treatment
    f_g: np.ndarray        # (G,) first switch, 1-based period (T+1: never)
    t_g: np.ndarray        # (G,) last period with a not-yet-switched comparison
    n_groups: int
    n_dropped: int         # groups of a status quo whose switches all fall together


def _design(p: _Panel) -> _Design:
    """The per-group quantities of did_multiplegt_dyn (binary treatment)."""
    y, d, w = p.y.copy(), p.d, p.w
    n_g, n_t = d.shape
    obs = np.isfinite(d)
    has = obs.any(axis=1)
    first = np.where(has, obs.argmax(axis=1), 0)
    last = np.where(has, n_t - 1 - obs[:, ::-1].argmax(axis=1), -1)
    d_sq = np.where(has, d[np.arange(n_g), first], np.nan)
    changed = obs & (d != d_sq[:, None])
    ever = changed.any(axis=1)
    f_g = np.where(ever, changed.argmax(axis=1) + 1, n_t + 1).astype(float)
    keep = has.copy()
    # A status quo whose groups all switch in the same period (or never) has no comparison.
    for v in (0.0, 1.0):
        in_v = keep & (d_sq == v)
        if in_v.any() and np.unique(f_g[in_v]).size < 2:
            keep &= ~in_v
    if not keep.any():
        raise EstimationError(
            "no effect can be estimated: no status quo has groups that switch at "
            "different times (or never)")
    n_dropped = int(has.sum() - keep.sum())
    sel = np.flatnonzero(keep)
    y, d, w = y[sel], d[sel], w[sel]
    d_sq, f_g, first, last = d_sq[sel], f_g[sel], first[sel], last[sel]
    clus = pd.factorize(p.cluster[sel])[0]
    # Cells at periods where no group of the same status quo is still unswitched are dropped.
    tt = np.arange(1, n_t + 1)
    not_yet = np.isfinite(d) & (f_g[:, None] > tt[None, :])
    for v in (0.0, 1.0):
        in_v = d_sq == v
        if in_v.any():
            dead = ~not_yet[in_v].any(axis=0)
            rows = np.flatnonzero(in_v)
            y[np.ix_(rows, np.flatnonzero(dead))] = np.nan
            w[np.ix_(rows, np.flatnonzero(dead))] = 0.0
    never = f_g > n_t
    f_trunc = np.where(never, last + 2, f_g)       # never switchers: last observed + 1
    t_g = np.zeros(len(sel))
    for v in (0.0, 1.0):
        in_v = d_sq == v
        if in_v.any():
            t_g[in_v] = f_trunc[in_v].max() - 1
    return _Design(y, d, w, clus, int(clus.max()) + 1, d_sq, f_g, t_g, len(sel), n_dropped)


@dataclass(frozen=True, slots=True, eq=False)
class _Block:
    """One estimand (effect or placebo l) for one direction of switch."""

    n_switch: float        # weighted switchers N_l
    n_switchers: int       # switching groups
    u: np.ndarray          # (G,) influence function U_g (sum/G is the estimate)
    u_var: np.ndarray      # (G,) recentred version for the variance
    delta: float           # mean treatment change of the switchers (ATE denominator)


def _block(x: _Design, diff: np.ndarray, lag: int, up: bool,
           placebo_diff: np.ndarray | None, clustered: bool,
           paths: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
           variance: bool = True) -> _Block:
    """``U_g`` of effect ``lag`` (or its placebo) for switchers in (``up``) or out.

    Without ``variance`` the recentred ``u_var`` (most of the work) is left
    zero: a jackknife replicate needs only the estimate.
    """
    n_g, n_t = x.y.shape
    d_sq = x.d_sq
    candidates = (x.f_g <= n_t) & (x.t_g - x.f_g + 1 >= lag) & (d_sq == (0.0 if up else 1.0))
    if not candidates.any():                       # no switcher of this direction this far
        z = np.zeros(n_g)
        return _Block(0.0, 0, z, z, float("nan"))
    tt = np.arange(1, n_t + 1)[None, :]
    w = x.w
    f_g, t_g = x.f_g[:, None], x.t_g[:, None]
    ok = np.isfinite(diff)
    never = np.where(ok, (f_g > tt).astype(float), np.nan)
    sq = (d_sq == 1.0).astype(np.int64)
    key_t = sq[:, None] * n_t + (tt - 1)           # status quo x period
    key_t = np.broadcast_to(key_t, (n_g, n_t))
    n_keys = 2 * n_t

    def cell_sum(v: np.ndarray) -> np.ndarray:
        return _group_sum(np.nan_to_num(v).ravel(), key_t.ravel(), n_keys).reshape(2, n_t)[
            sq][:, :]

    n_ctrl = cell_sum(never * w)
    l_g = (x.t_g - x.f_g + 1)[:, None]
    s_up = (d_sq == 0.0)[:, None] if up else (d_sq == 1.0)[:, None]
    switching = (x.f_g <= n_t)[:, None] & s_up
    dist = np.where(ok, ((tt == f_g - 1 + lag) & (l_g >= lag) & switching & (n_ctrl > 0))
                    .astype(float), np.nan)
    y_diff = diff
    if placebo_diff is not None:
        okp = np.isfinite(placebo_diff)
        never = np.where(np.isnan(never), np.nan, never * okp)
        n_ctrl = cell_sum(never * w)
        dist = np.where(np.isnan(dist) | ~okp, np.nan, dist * (okp & (n_ctrl > 0)))
        y_diff = placebo_diff
        ok = okp & ok
    dist_w = np.nan_to_num(dist) * w
    n_t_l = dist_w.sum(axis=0)                     # switchers by period (all status quos)
    n_l = float(n_t_l.sum())
    if n_l == 0:
        z = np.zeros(n_g)
        return _Block(0.0, 0, z, z, float("nan"))
    n_sw = cell_sum(dist_w)
    ratio = np.where(n_ctrl != 0, n_sw / np.where(n_ctrl != 0, n_ctrl, 1.0), 0.0)
    window = ((tt >= lag + 1) & (tt <= t_g) & (lag <= t_g - 1)).astype(float)
    # Leavers' effects are signed so that both directions estimate the effect of treatment.
    coef = (1.0 if up else -1.0) * (n_g / n_l) * window * w * (dist - ratio * never)
    u = np.nansum(coef * y_diff, axis=1)
    # Treatment actually received by the switchers (per unit of treatment).
    change = np.abs(x.d - d_sq[:, None])
    delta = float(np.nansum(dist_w * change) / n_l)
    n_switchers = int((np.nan_to_num(dist) == 1).any(axis=1).sum())
    if not variance:
        return _Block(n_l, n_switchers, u, np.zeros(n_g), delta)

    # Cohort means and small-sample factors for the variance.
    s_rows = (w != 0) & (dist == 1)
    ns_rows = (w != 0) & ok & (never == 1) & (n_t_l[None, :] > 0)
    yw = np.where(np.isfinite(y_diff), y_diff, 0.0) * w
    flat_t = key_t.ravel()
    clus = np.broadcast_to(x.cluster[:, None], (n_g, n_t)).ravel()

    def means(mask: np.ndarray, key: np.ndarray, n_key: int) -> tuple[np.ndarray, np.ndarray]:
        m = mask.ravel()
        tot = _group_sum(yw.ravel() * m, key, n_key)
        cnt = _group_sum(w.ravel() * m, key, n_key)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = tot / cnt
        if clustered:
            dof = _n_unique(m, key, clus, n_key, x.n_clusters)
        else:
            dof = _group_sum(m.astype(float), key, n_key)
        return mean, dof

    mean_ns, dof_ns = means(ns_rows, flat_t, n_keys)
    both = s_rows | ns_rows
    mean_nss, dof_nss = means(both, flat_t, n_keys)
    # Switchers' cohort: status quo and first switch (and so the period).
    key_s = np.broadcast_to((sq * (n_t + 2) + x.f_g.astype(np.int64))[:, None],
                            (n_g, n_t)).ravel()
    mean_s, dof_s = means(s_rows, key_s, 2 * (n_t + 2))
    m_s, c_s = mean_s[key_s], dof_s[key_s]
    if paths is not None:
        # less_conservative_se: switchers' cohorts by treatment path since the first
        # switch (path_l), else by the treatment at F_g (path_1), else by F_g (path_0).
        cells = []
        for path in paths:
            code = np.where(path >= 0, path, path.max() + 1)
            n_code = int(code.max()) + 1
            key = np.broadcast_to(code[:, None], (n_g, n_t)).ravel()
            mean_p, dof_p = means(s_rows, key, n_code)
            groups_p = np.bincount(code, minlength=n_code)
            cells.append((mean_p[key], dof_p[key], groups_p[key] > 1))
        (m0, c0, _), (m1, c1, full1), (m2, c2, full2) = cells
        m_s = np.where(c2 >= 2, m2, np.where(c1 >= 2, m1, m0))
        c_s = np.where(full2, c2, np.where(full1, c1, c0))

    e_hat = np.full(n_g * n_t, np.nan)
    dof = np.full(n_g * n_t, np.nan)
    ns_f, s_f = ns_rows.ravel(), s_rows.ravel()
    c_ns, c_nss = dof_ns[flat_t], dof_nss[flat_t]
    # Not-yet-switched comparison cells.
    a = ns_f & (c_ns >= 2)
    e_hat[a], dof[a] = mean_ns[flat_t][a], np.sqrt(c_ns[a] / (c_ns[a] - 1))
    b = ns_f & (c_ns == 1) & (c_nss >= 2)
    e_hat[b], dof[b] = mean_nss[flat_t][b], np.sqrt(c_nss[b] / (c_nss[b] - 1))
    # Switcher cells.
    a = s_f & (c_s >= 2)
    e_hat[a], dof[a] = m_s[a], np.sqrt(c_s[a] / (c_s[a] - 1))
    b = s_f & (c_s == 1) & (c_nss >= 2)
    e_hat[b], dof[b] = mean_nss[flat_t][b], np.sqrt(c_nss[b] / (c_nss[b] - 1))
    resid = (y_diff.ravel() - e_hat) * dof
    contrib = np.nan_to_num(coef).ravel() * np.where(np.isfinite(resid), resid, 0.0)
    u_var = contrib.reshape(n_g, n_t).sum(axis=1)
    return _Block(n_l, n_switchers, u, u_var, delta)


@dataclass(frozen=True, slots=True, eq=False)
class SwitchingResult:
    """``DID_l`` effects after the first switch, placebos and the average total effect.

    Attributes
    ----------
    terms : tuple of str
        ``effect_<l>``, ``average_total_effect`` and ``placebo_<l>``.
    horizons : tuple of int
        ``l`` of each term (0 for the average total effect, negative for placebos).
    estimates : numpy.ndarray
        Point estimates, shape (k,).
    vcov : numpy.ndarray
        Joint cluster-robust covariance, shape (k, k).
    n_switchers : tuple of int
        Switching groups used by each term.
    n_switch_weight : tuple of float
        Weighted switcher cells ``N_l`` of each term.
    n_groups, n_clusters, n_obs : int
        Groups kept, clusters, non-missing group-period cells used.
    n_groups_dropped : int
        Groups of a status quo without variation in the first switch.
    n_joiners, n_leavers : int
        Groups whose treatment first switches on / off.
    n_switched_back : int
        Groups whose treatment later returns to its status quo (plans that end).
    """

    terms: tuple[str, ...]
    horizons: tuple[int, ...]
    estimates: np.ndarray
    vcov: np.ndarray
    n_switchers: tuple[int, ...]
    n_switch_weight: tuple[float, ...]
    n_groups: int
    n_clusters: int
    n_obs: int
    n_groups_dropped: int
    n_joiners: int
    n_leavers: int
    n_switched_back: int

    def tidy(self, alpha: float = 0.05) -> pd.DataFrame:
        """One row per term, normal inference, with ``event_time`` and the counts."""
        return pd.DataFrame({
            "term": list(self.terms),
            **normal_columns(self.estimates, np.sqrt(np.diag(self.vcov)), alpha),
            "event_time": pd.array([h if t != "average_total_effect" else None
                                    for t, h in zip(self.terms, self.horizons, strict=True)],
                                   dtype="Int64"),
            "n_switchers": list(self.n_switchers),
            "n_departments": self.n_groups, "n_clusters": self.n_clusters,
        })

    def joint_test(self, kind: str = "placebo") -> tuple[float, float, int]:
        """Wald chi-square that all placebos (or all effects) are zero: stat, p, df."""
        idx = [i for i, t in enumerate(self.terms) if t.startswith(kind + "_")
               and np.isfinite(self.estimates[i]) and np.isfinite(self.vcov[i, i])]
        if not idx:
            return float("nan"), float("nan"), 0
        b, v = self.estimates[idx], self.vcov[np.ix_(idx, idx)]
        stat = float(b @ np.linalg.pinv(v) @ b)
        return stat, float(stats.chi2.sf(stat, len(idx))), len(idx)

    def summary(self) -> str:
        """Text table with the joint placebo test."""
        lines = [f"DID_l (de Chaisemartin-D'Haultfoeuille), groups = {self.n_groups}, "
                 f"clusters = {self.n_clusters}, joiners = {self.n_joiners}, "
                 f"leavers = {self.n_leavers}"]
        for r in self.tidy().to_dict("records"):
            lines.append(f"{r['term']:>22}: {r['estimate']:>12.6g} ({r['std_error']:.6g})  "
                         f"switchers {r['n_switchers']}")
        stat, p, df = self.joint_test("placebo")
        if df:
            lines.append(f"placebos jointly zero: chi2({df}) = {stat:.4f}, p = {p:.4g}")
        return "\n".join(lines)


def did_multiplegt(
    data: pd.DataFrame,
    outcome: str,
    group: str,
    time: str,
    treatment: str,
    *,
    effects: int = 1,
    placebo: int = 0,
    cluster: str | None = None,
    weights: str | None = None,
    less_conservative_se: bool = False,
    jackknife_by: str | None = None,
) -> SwitchingResult:
    """``DID_l`` event-study effects of a binary treatment that can switch on and off.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per group and period (may be unbalanced: groups
        that enter late or leave).
    outcome, group, time, treatment : str
        Columns; ``treatment`` is 0/1 and may switch back.
    effects : int, default 1
        Number of effects ``l = 1..effects`` after the first switch.
    placebo : int, default 0
        Number of placebos.
    cluster : str, optional
        Cluster column (a group takes its first non-missing value); the group
        by default.
    weights : str, optional
        Cell weights (``N_{g,t}`` of the paper), e.g. the number of residents.
    less_conservative_se : bool, default False
        Recentre the switchers' outcome changes on the mean of the switchers
        with the same treatment path since their first switch (falling back
        to the same treatment at the switch, then the same switching period,
        when a path has fewer than two groups), as ``did_multiplegt_dyn``'s
        option of that name. When treatment changes more than once (plans
        that end), the default recentring by switching period leaves the
        differences between paths in the variance and is conservative.
    jackknife_by : str, optional
        Replace the covariance by the leave-one-out jackknife over the values
        of this column (e.g. the plan), ``(n-1)/n sum_k (b(-k) - mean)(b(-k) -
        mean)'`` over the n replicates of :func:`did_multiplegt_leave_one_out`
        whose value leaves rows out (a missing value is none). A term that
        some replicate cannot estimate rests on one value and keeps its
        analytic variance and covariances.

    Returns
    -------
    SwitchingResult
    """
    if effects < 1 or placebo < 0:
        raise EstimationError("did_multiplegt needs effects >= 1 and placebo >= 0")
    p = _panel(data, outcome, group, time, treatment, cluster, weights)
    res = _did_l(p, effects, placebo, cluster is not None, less_conservative_se)
    if jackknife_by is None:
        return res
    _, reps, drops = _replicates(p, data, jackknife_by, effects, placebo, cluster)
    reps = reps[drops]  # a value with no row in the panel (e.g. missing) is no replicate
    ok = np.isfinite(reps).all(axis=0)
    dev = reps[:, ok] - reps[:, ok].mean(axis=0)
    n = len(reps)
    vcov = res.vcov.copy()
    vcov[np.ix_(ok, ok)] = (n - 1) / n * dev.T @ dev
    return replace(res, vcov=vcov)


def did_multiplegt_leave_one_out(
    data: pd.DataFrame,
    outcome: str,
    group: str,
    time: str,
    treatment: str,
    *,
    by: str,
    effects: int = 1,
    placebo: int = 0,
    cluster: str | None = None,
    weights: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`did_multiplegt`'s estimates with each value of ``by`` left out in turn.

    The replicates of a leave-one-cluster-out jackknife: row ``k`` is
    ``did_multiplegt(data[data[by] != labels[k]], ...).estimates`` exactly,
    with ``labels = data[by].unique()``. The data are reshaped to groups x
    periods once and each replicate drops its cells from those arrays (the
    groups and periods left without a row disappear, as they do from the
    reduced data), and only the estimates are computed, which together make
    a replicate several times cheaper than a fit on the reduced data.

    Parameters
    ----------
    data, outcome, group, time, treatment, effects, placebo, cluster, weights
        As for :func:`did_multiplegt` (the covariance's options do not change
        the estimates).
    by : str
        Column whose values are left out (rows, not groups: a group whose
        ``by`` changes over time loses only the matching rows).

    Returns
    -------
    labels : numpy.ndarray
        The values of ``by`` in order of appearance, shape (n,).
    estimates : numpy.ndarray
        Shape (n, k), columns as :attr:`SwitchingResult.terms`.
    """
    if effects < 1 or placebo < 0:
        raise EstimationError("did_multiplegt needs effects >= 1 and placebo >= 0")
    p = _panel(data, outcome, group, time, treatment, cluster, weights)
    labels, reps, _ = _replicates(p, data, by, effects, placebo, cluster)
    return labels, reps


def _replicates(p: _Panel, data: pd.DataFrame, by: str, effects: int, placebo: int,
                cluster: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`did_multiplegt_leave_one_out` on the panel ``p`` of ``data``.

    Also returns, per label, whether leaving it out drops any cell of ``p``
    (a missing value or one seen only on rows outside the panel drops none).
    """
    if by not in data.columns:
        raise EstimationError(f"column(s) {[by]} are not in the data")
    codes, labels = pd.factorize(data[by], use_na_sentinel=False)
    cell_by = np.where(p.row >= 0, codes[np.maximum(p.row, 0)], -1)
    # data[by] != NaN holds on every row: leaving out a missing value drops nothing.
    missing = np.asarray(pd.isna(labels))
    drops = [(cell_by == k) & ~missing[k] for k in range(len(labels))]
    reps = [_did_l(_drop_rows(p, drop, cluster), effects, placebo, cluster is not None, False,
                   variance=False).estimates for drop in drops]
    return np.asarray(labels), np.array(reps), np.array([bool(d.any()) for d in drops])


def _did_l(p: _Panel, effects: int, placebo: int, clustered: bool,
           less_conservative_se: bool, variance: bool = True) -> SwitchingResult:
    """:func:`did_multiplegt` on a panel; without ``variance`` the covariance is NaN.

    The jackknife's replicates need only the estimates, and the variance's
    recentring (cohort means, treatment paths) is most of the work.
    """
    x = _design(p)
    n_t = x.y.shape[1]
    terms: list[str] = []
    horizons: list[int] = []
    u_rows: list[np.ndarray] = []
    v_rows: list[np.ndarray] = []
    n_sw: list[int] = []
    n_w: list[float] = []
    per_dir: dict[bool, list[_Block]] = {True: [], False: []}

    def combine(blocks: dict[bool, _Block]) -> tuple[np.ndarray, np.ndarray, float, int]:
        n1, n0 = blocks[True].n_switch, blocks[False].n_switch
        tot = n1 + n0
        if tot == 0:
            nan = np.full(x.n_groups, np.nan)
            return nan, nan, 0.0, 0
        u = (n1 * blocks[True].u + n0 * blocks[False].u) / tot
        uv = (n1 * blocks[True].u_var + n0 * blocks[False].u_var) / tot
        return u, uv, tot, blocks[True].n_switchers + blocks[False].n_switchers

    # Treatment paths since the first switch (less_conservative_se's cohorts; only
    # the variance uses them).
    with_paths = less_conservative_se and variance
    rows = np.arange(x.n_groups)
    path0 = (pd.factorize(pd.Series(list(zip(x.d_sq, x.f_g, strict=True))))[0] if with_paths
             else rows)
    path_prev, d_prev = path0, np.full(x.n_groups, np.nan)
    path1 = path0
    for lag in range(1, effects + 1):
        diff = x.y - _shift(x.y, lag)
        paths = None
        if with_paths:
            col = (x.f_g - 2 + lag).astype(np.int64)
            inside = col < n_t
            d_now = np.full(x.n_groups, np.nan)
            d_now[inside] = x.d[rows[inside], col[inside]]
            d_now = np.where(np.isnan(d_now), d_prev, d_now)
            path_l = np.where(np.isnan(d_now), -1, pd.factorize(
                pd.Series(list(zip(path_prev, np.nan_to_num(d_now, nan=-1.0), strict=True))))[0])
            if lag == 1:
                path1 = path_l
            path_prev, d_prev = path_l, d_now
            paths = (path0, path1, path_l)
        blocks = {up: _block(x, diff, lag, up, None, clustered, paths, variance)
                  for up in (True, False)}
        for up in (True, False):
            per_dir[up].append(blocks[up])
        u, uv, tot, ns = combine(blocks)
        terms.append(f"effect_{lag}")
        horizons.append(lag)
        u_rows.append(u)
        v_rows.append(uv)
        n_sw.append(ns)
        n_w.append(tot)
    # Average total effect: effects weighted by N_l over the treatment received.
    ate_u: dict[bool, np.ndarray] = {}
    ate_v: dict[bool, np.ndarray] = {}
    dens: dict[bool, float] = {}
    sums: dict[bool, float] = {}
    for up in (True, False):
        bl = [b for b in per_dir[up] if b.n_switch > 0]
        s = sum(b.n_switch for b in bl)
        sums[up] = s
        if not bl:
            dens[up] = 0.0
            ate_u[up] = ate_v[up] = np.zeros(x.n_groups)
            continue
        dens[up] = sum(b.n_switch / s * b.delta for b in bl)
        ate_u[up] = np.sum([b.n_switch / s * b.u for b in bl], axis=0) / dens[up]
        ate_v[up] = np.sum([b.n_switch / s * b.u_var for b in bl], axis=0) / dens[up]
    den = dens[True] * sums[True] + dens[False] * sums[False]
    w_plus = dens[True] * sums[True] / den if den else 0.0
    terms.append("average_total_effect")
    horizons.append(0)
    u_rows.append(w_plus * ate_u[True] + (1 - w_plus) * ate_u[False])
    v_rows.append(w_plus * ate_v[True] + (1 - w_plus) * ate_v[False])
    n_sw.append(max(n_sw) if n_sw else 0)
    n_w.append(float(sums[True] + sums[False]))
    for lag in range(1, placebo + 1):
        diff = x.y - _shift(x.y, lag)
        pl_diff = _shift(x.y, 2 * lag) - _shift(x.y, lag)
        blocks = {up: _block(x, diff, lag, up, pl_diff, clustered, None, variance)
                  for up in (True, False)}
        u, uv, tot, ns = combine(blocks)
        terms.append(f"placebo_{lag}")
        horizons.append(-lag)
        u_rows.append(u)
        v_rows.append(uv)
        n_sw.append(ns)
        n_w.append(tot)
    g = x.n_groups
    est = np.array([np.sum(u) / g for u in u_rows])
    if variance:
        vmat = np.column_stack(v_rows)
        csum = np.zeros((x.n_clusters, vmat.shape[1]))
        np.add.at(csum, x.cluster, np.nan_to_num(vmat))
        vcov = csum.T @ csum / g**2
    else:
        vcov = np.full((len(est), len(est)), np.nan)
    bad = ~np.isfinite(est)
    vcov[bad, :] = np.nan
    vcov[:, bad] = np.nan
    up = x.d_sq == 0.0
    switched = x.f_g <= n_t
    after = np.arange(1, n_t + 1)[None, :] > x.f_g[:, None]
    back = switched & (np.isfinite(x.d) & after & (x.d == x.d_sq[:, None])).any(axis=1)
    return SwitchingResult(
        terms=tuple(terms), horizons=tuple(horizons), estimates=est, vcov=vcov,
        n_switchers=tuple(n_sw), n_switch_weight=tuple(n_w), n_groups=g,
        n_clusters=x.n_clusters, n_obs=int((x.w > 0).sum()),
        n_groups_dropped=x.n_dropped, n_joiners=int((switched & up).sum()),
        n_leavers=int((switched & ~up).sum()),
        n_switched_back=int(back.sum()),
    )


# ---------------------------------------------------------------------------
# DID_M (AER 2020)
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False)
class DidMResult:
    """``DID_M``: the instantaneous effect of every switch, with joiners, leavers and placebo.

    Attributes
    ----------
    terms : tuple of str
        ``did_m``, ``joiners`` (``DID_+``), ``leavers`` (``DID_-``), ``placebo``.
    estimates, std_errors : numpy.ndarray
        Shape (4,); NaN where a part has no switching cell.
    n_switches : tuple of int
        Switching cells behind each term (``N_S``, joiners, leavers, placebo cells).
    n_groups, n_clusters : int
        Groups and clusters.
    """

    terms: tuple[str, ...]
    estimates: np.ndarray
    std_errors: np.ndarray
    n_switches: tuple[int, ...]
    n_groups: int
    n_clusters: int

    def tidy(self, alpha: float = 0.05) -> pd.DataFrame:
        """One row per term, normal inference, with the counts."""
        return pd.DataFrame({
            "term": list(self.terms),
            **normal_columns(self.estimates, self.std_errors, alpha),
            "n_switchers": list(self.n_switches),
            "n_departments": self.n_groups, "n_clusters": self.n_clusters,
        })

    def summary(self) -> str:
        """Text table."""
        lines = [f"DID_M (de Chaisemartin-D'Haultfoeuille 2020), groups = {self.n_groups}, "
                 f"clusters = {self.n_clusters}"]
        for r in self.tidy().to_dict("records"):
            lines.append(f"{r['term']:>10}: {r['estimate']:>12.6g} ({r['std_error']:.6g})  "
                         f"switching cells {r['n_switchers']}")
        return "\n".join(lines)


def _did_m_part(d0: np.ndarray, d1: np.ndarray, dy: np.ndarray, present: np.ndarray,
                switch: tuple[int, int], stable: int, sign: float) -> tuple[np.ndarray, int]:
    """Per-group contributions ``sum_t c_gt dY_gt`` of one part, and its switching cells.

    ``switch`` is (before, after) of the switching cells, ``stable`` the status
    of the comparison cells in both periods; periods without comparison cells
    contribute zero (AER 2020's convention) but keep their switchers in ``N_S``.
    """
    sw = present & (d0 == switch[0]) & (d1 == switch[1])
    st = present & (d0 == stable) & (d1 == stable)
    n_sw, n_st = sw.sum(axis=0), st.sum(axis=0)
    usable = (n_sw > 0) & (n_st > 0)
    c = np.where(sw & usable, 1.0, 0.0) - np.where(
        st & usable, n_sw / np.where(n_st > 0, n_st, 1), 0.0)
    return sign * np.nansum(c * np.where(sw | st, dy, 0.0), axis=1), int(n_sw.sum())


def did_m(
    data: pd.DataFrame,
    outcome: str,
    group: str,
    time: str,
    treatment: str,
    *,
    cluster: str | None = None,
) -> DidMResult:
    """``DID_M`` of de Chaisemartin and D'Haultfoeuille (2020) with its placebo.

    Every switch between consecutive periods counts: joiners (0 -> 1) against
    the groups untreated in both periods, leavers (1 -> 0) against those
    treated in both, weighted by the numbers of switchers. The placebo
    compares the same switchers' outcome change one period earlier, for
    switchers whose treatment did not change then. Valid when the outcome
    depends on the current treatment only (no dynamic effects); with plans
    whose effects build up or persist, use :func:`did_multiplegt`.

    The standard error follows diff-diff's plug-in: each group's
    contribution, recentred on the mean of its cohort (status quo, first
    switch, its direction), ``sqrt(sum_c U_c^2) / N_S`` over clusters ``c``.
    """
    p = _panel(data, outcome, group, time, treatment, cluster, None)
    y, d = p.y, p.d
    n_g, n_t = d.shape
    pres = np.isfinite(d) & np.isfinite(y)
    y0, y1 = y[:, :-1], y[:, 1:]
    d0, d1 = d[:, :-1], d[:, 1:]
    present = pres[:, :-1] & pres[:, 1:]
    dy = y1 - y0
    u_plus, n10 = _did_m_part(d0, d1, dy, present, (0, 1), 0, 1.0)
    u_minus, n01 = _did_m_part(d0, d1, dy, present, (1, 0), 1, -1.0)
    # Placebo: switchers at t whose treatment was stable from t-2 to t-1, change Y_{t-2} -> Y_{t-1}.
    pres3 = pres[:, :-2] & pres[:, 1:-1] & pres[:, 2:]
    dd = d[:, :-2]
    dyp = y[:, 1:-1] - y[:, :-2]
    same = dd == d[:, 1:-1]
    pl_plus, p10 = _did_m_part(d[:, 1:-1], d[:, 2:], dyp, pres3 & same, (0, 1), 0, -1.0)
    pl_minus, p01 = _did_m_part(d[:, 1:-1], d[:, 2:], dyp, pres3 & same, (1, 0), 1, 1.0)
    # Cohorts for the recentring: status quo, first switch, its direction.
    obs = np.isfinite(d)
    first = obs.argmax(axis=1)
    d_sq = d[np.arange(n_g), first]
    changed = obs & (d != d_sq[:, None])
    f_g = np.where(changed.any(axis=1), changed.argmax(axis=1), n_t)
    cohort = pd.factorize(pd.Series(d_sq * (n_t + 2) + f_g))[0]

    def est_se(u: np.ndarray, n: int) -> tuple[float, float]:
        if n == 0:
            return float("nan"), float("nan")
        means = _group_sum(u, cohort, cohort.max() + 1) / np.bincount(cohort)
        uc = u - means[cohort]
        cs = _group_sum(uc, p.cluster, p.n_clusters)
        return float(u.sum() / n), float(np.sqrt((cs**2).sum()) / n)

    res = [est_se(u_plus + u_minus, n10 + n01), est_se(u_plus, n10), est_se(-u_minus, n01)]
    res[2] = (-res[2][0], res[2][1])
    res.append(est_se(pl_plus + pl_minus, p10 + p01))
    return DidMResult(
        terms=("did_m", "joiners", "leavers", "placebo"),
        estimates=np.array([r[0] for r in res]), std_errors=np.array([r[1] for r in res]),
        n_switches=(n10 + n01, n10, n01, p10 + p01), n_groups=n_g, n_clusters=p.n_clusters,
    )
