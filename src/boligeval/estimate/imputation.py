"""Imputation event study of Borusyak, Jaravel and Spiess (2024).

Unit and period fixed effects are fitted by weighted least squares on the
untreated observations only; each treated observation's effect is its outcome
minus the imputed untreated outcome; the overall ATT and the effect at each
event time are weighted means of those effects. Inference uses BJS's
conservative clustered variance (Theorem 3): every estimate is linear in the
outcomes, ``sum v*_it y_it``, and its variance is the sum over clusters of
``(sum v*_it e_it)^2`` with first-stage residuals on untreated observations and
deviations from the cohort-by-event-time mean effect on treated ones.

Pre-trend coefficients (``leads``) come from BJS's separate test (their
equation 9): the same two-way model on the untreated observations with
dummies for event times -leads-1..-2, so that, as in a TWFE event study and as
diff-diff's ``ImputationDiD(pretrends=True)``, e = -1 is the reference (with
earlier untreated periods and the never treated). Their covariance with the
effects is estimated jointly from the same cluster sums (without small-sample
factors, as the BJS variance), so the vector can be passed to HonestDiD.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from boligeval.errors import EstimationError
from boligeval.estimate.event_study import event_lines, event_tidy
from boligeval.estimate.ols import cluster_sums, demean, factorize

__all__ = ["ImputationResult", "imputation_did"]


@dataclass(frozen=True, slots=True, eq=False)
class ImputationResult:
    """Imputation estimates: the overall ATT and effects by event time.

    Attributes
    ----------
    event_times : tuple of int
        Event times of ``estimates``: the leads (pre-trend coefficients,
        negative) then the horizons 0, 1, ...
    estimates : numpy.ndarray
        Coefficients by event time, shape (k,).
    vcov : numpy.ndarray
        Joint plan-clustered (conservative) covariance, shape (k, k).
    att, att_se : float
        Overall ATT (all imputable treated observations) and its standard error.
    n_obs, n_treated, n_not_imputed : int
        Observations used, treated observations imputed, treated observations
        dropped because their unit or period has no untreated observation.
    n_clusters : int
        Clusters of the variance.
    pretrend_statistic, pretrend_p_value : float
        Wald chi-square test that all leads are zero (NaN without leads).
    """

    event_times: tuple[int, ...]
    estimates: np.ndarray
    vcov: np.ndarray
    att: float
    att_se: float
    n_obs: int
    n_treated: int
    n_not_imputed: int
    n_clusters: int
    pretrend_statistic: float
    pretrend_p_value: float

    @property
    def leads(self) -> int:
        """Number of pre-trend coefficients."""
        return sum(1 for e in self.event_times if e < 0)

    def tidy(self, alpha: float = 0.05) -> pd.DataFrame:
        """Rows ``att`` and ``event_<e>`` (column ``event_time``), normal inference;
        with leads, their reference e = -1 as a row of 0 without standard error."""
        return event_tidy(self.att, self.att_se, self.event_times, self.estimates, self.vcov,
                          alpha, reference=-1 if self.leads else None)

    def honest_inputs(self) -> tuple[np.ndarray, np.ndarray, int, int]:
        """Coefficients, covariance, numbers of pre and post periods for HonestDiD."""
        return (np.array(self.estimates), np.array(self.vcov), self.leads,
                len(self.event_times) - self.leads)

    def summary(self) -> str:
        """Text table with the pre-trend test."""
        lines = [f"Imputation event study (BJS), N = {self.n_obs}, "
                 f"treated = {self.n_treated}, clusters = {self.n_clusters}"]
        lines += event_lines(self.tidy())
        if self.leads:
            lines.append(f"pre-trends: chi2({self.leads}) = {self.pretrend_statistic:.4f}, "
                         f"p = {self.pretrend_p_value:.4g}")
        return "\n".join(lines)


def _fe_solve(
    unit: np.ndarray, time: np.ndarray, w: np.ndarray, n_units: int, n_times: int,
    rhs_unit: np.ndarray, rhs_time: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Solve the normal equations of a weighted two-way fixed-effects model.

    ``Z'WZ (alpha, lambda) = (rhs_unit, rhs_time)`` for the unit and period
    dummies ``Z`` of the rows given, by the Schur complement on the periods
    (the first period's effect is fixed at zero). Right-hand sides have shape
    (n_units, m) and (n_times, m).
    """
    d_unit = np.bincount(unit, weights=w, minlength=n_units)
    d_time = np.bincount(time, weights=w, minlength=n_times)
    cross = np.zeros((n_units, n_times))
    np.add.at(cross, (unit, time), w)
    scaled = cross / d_unit[:, None]
    schur = np.diag(d_time) - cross.T @ scaled
    r = rhs_time - scaled.T @ rhs_unit
    lam = np.zeros_like(rhs_time)
    try:
        lam[1:] = np.linalg.solve(schur[1:, 1:], r[1:])
    except np.linalg.LinAlgError as exc:
        raise EstimationError(
            "the untreated observations do not identify the unit and period effects "
            "(disconnected units and periods)") from exc
    alpha = (rhs_unit - cross @ lam) / d_unit[:, None]
    return alpha, lam


def imputation_did(
    data: pd.DataFrame,
    yname: str,
    tname: str,
    idname: str,
    gname: str,
    *,
    weights: str | None = None,
    cluster: str | None = None,
    lags: int | None = None,
    leads: int = 0,
    leave_out: bool = False,
) -> ImputationResult:
    """Borusyak-Jaravel-Spiess imputation estimator with its conservative variance.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period (may be unbalanced).
    yname, tname, idname, gname : str
        Outcome, integer period, unit and first treated period (0 or missing:
        never treated).
    weights : str, optional
        Analytic-weight column: the first stage is weighted least squares and
        every aggregate weights the treated observations by it.
    cluster : str, optional
        Cluster column (constant within units); the unit by default.
    lags : int, optional
        Largest event time reported (all by default); the ATT uses every
        imputed treated observation.
    leads : int, default 0
        Number of pre-trend coefficients (event times -leads-1..-2; e = -1 is
        the reference).
    leave_out : bool, default False
        BJS's leave-out refinement of the variance (their Supplementary
        Appendix A.9): a treated observation's residual is taken from the mean
        effect of its cohort and horizon over the other clusters, so the
        residuals are not shrunk towards their own cluster; a cell with one
        cluster keeps its own mean. Without clusters as diff-diff's
        ``leave_one_out``.

    Returns
    -------
    ImputationResult
    """
    for col in (yname, tname, idname, gname, *(c for c in (weights, cluster) if c)):
        if col not in data.columns:
            raise EstimationError(f"column {col!r} is not in the data")
    if leads < 0 or (lags is not None and lags < 0):
        raise EstimationError("imputation_did needs leads >= 0 and lags >= 0")
    y = pd.to_numeric(data[yname], errors="coerce").to_numpy(dtype=float)
    t = pd.to_numeric(data[tname], errors="coerce").to_numpy(dtype=float)
    g = pd.to_numeric(data[gname], errors="coerce").fillna(0).to_numpy(dtype=float)
    w = (np.ones(len(data)) if weights is None
         else pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype=float))
    ok = (np.isfinite(y) & np.isfinite(t) & np.isfinite(w) & (w > 0)
          & data[idname].notna().to_numpy())
    if cluster is not None:
        ok &= data[cluster].notna().to_numpy()
    treated_row = (g > 0) & (t >= g)
    unit, n_units = factorize(data[idname].to_numpy())
    time, n_times = factorize(t)
    untreated = ok & ~treated_row
    if not treated_row[ok].any():
        raise EstimationError(f"no treated observations ({tname} >= {gname} > 0)")
    if not untreated.any():
        raise EstimationError("no untreated observations to fit the imputation model")
    has_unit = np.bincount(unit[untreated], minlength=n_units) > 0
    has_time = np.bincount(time[untreated], minlength=n_times) > 0
    imputable = ok & treated_row & has_unit[unit] & has_time[time]
    n_not_imputed = int((ok & treated_row).sum() - imputable.sum())
    if not imputable.any():
        raise EstimationError("no treated observation can be imputed")
    use = untreated | imputable
    rows = np.flatnonzero(use)
    # Recode units and periods on the rows used.
    unit_u, n_units = factorize(unit[rows])
    time_u, n_times = factorize(time[rows])
    y, t, g, w = y[rows], t[rows], g[rows], w[rows]
    d1 = imputable[rows]
    d0 = ~d1
    clus, n_clusters = factorize(
        data[cluster].to_numpy()[rows] if cluster is not None else unit_u)
    if cluster is not None:
        per_unit = pd.Series(clus).groupby(unit_u).nunique()
        if (per_unit > 1).any():
            raise EstimationError(f"cluster {cluster!r} varies within units")
    event = np.where(g > 0, t - g, np.nan)

    # First stage: two-way fixed effects on the untreated rows.
    u0, t0, w0 = unit_u[d0], time_u[d0], w[d0]
    rhs_u = np.bincount(u0, weights=w0 * y[d0], minlength=n_units)[:, None]
    rhs_t = np.bincount(t0, weights=w0 * y[d0], minlength=n_times)[:, None]
    a_hat, l_hat = _fe_solve(u0, t0, w0, n_units, n_times, rhs_u, rhs_t)
    fitted = a_hat[unit_u, 0] + l_hat[time_u, 0]
    tau = y - fitted                      # effects on treated rows, residuals on untreated

    # Targets: the overall ATT, then each horizon.
    e1 = event[d1].astype(int)
    max_h = int(e1.max()) if lags is None else lags
    horizons = [h for h in range(0, max_h + 1) if np.any(e1 == h)]
    n1 = int(d1.sum())
    v1 = np.zeros((n1, 1 + len(horizons)))
    v1[:, 0] = w[d1] / w[d1].sum()
    for j, h in enumerate(horizons, start=1):
        at = e1 == h
        v1[at, j] = w[d1][at] / w[d1][at].sum()
    # Implied weights on untreated rows: -w0 * Z0 (Z0'W0Z0)^-1 Z1'v1.
    u1, t1 = unit_u[d1], time_u[d1]
    rhs_u = np.column_stack([np.bincount(u1, weights=v1[:, j], minlength=n_units)
                             for j in range(v1.shape[1])])
    rhs_t = np.column_stack([np.bincount(t1, weights=v1[:, j], minlength=n_times)
                             for j in range(v1.shape[1])])
    a_v, l_v = _fe_solve(u0, t0, w0, n_units, n_times, rhs_u, rhs_t)
    v0 = -w0[:, None] * (a_v[u0] + l_v[t0])
    est = v1.T @ tau[d1]

    # Residuals: untreated from the first stage, treated from cohort-by-horizon means.
    cell = np.unique(np.column_stack([g[d1], e1]), axis=0, return_inverse=True)[1].ravel()
    wt = w[d1]
    w_cell = np.bincount(cell, weights=wt)
    s_cell = np.bincount(cell, weights=wt * tau[d1])
    aux = (s_cell / w_cell)[cell]
    if leave_out:
        # The cell's mean over the other clusters (undefined with one cluster).
        own, _ = factorize(cell.astype(np.int64) * n_clusters + clus[d1])
        w_own = np.bincount(own, weights=wt)[own]
        s_own = np.bincount(own, weights=wt * tau[d1])[own]
        w_other = w_cell[cell] - w_own
        defined = w_other > 1e-12 * w_cell[cell]
        aux = np.where(defined, (s_cell[cell] - s_own) / np.where(defined, w_other, 1.0), aux)
    resid1 = tau[d1] - aux
    scores = np.zeros((len(rows), v1.shape[1]))
    scores[d1] = v1 * resid1[:, None]
    scores[d0] = v0 * tau[d0][:, None]

    # Pre-trend test: lead dummies on the untreated rows.
    lead_times = list(range(-leads - 1, -1))
    if leads:
        e0 = event[d0]
        x = np.column_stack([(e0 == k).astype(float) for k in lead_times])
        present = x.sum(axis=0) > 0
        if not present.all():
            missing = [k for k, p in zip(lead_times, present, strict=True) if not p]
            raise EstimationError(f"no untreated observations at event times {missing}")
        xt = demean(x, [u0, t0], [n_units, n_times], w0)
        yt = demean(y[d0], [u0, t0], [n_units, n_times], w0)
        bread = np.linalg.inv(xt.T @ (xt * w0[:, None]))
        gamma = bread @ (xt.T @ (w0 * yt))
        e_res = yt - xt @ gamma
        lead_scores = np.zeros((len(rows), leads))
        lead_scores[d0] = (xt * (w0 * e_res)[:, None]) @ bread
        scores = np.column_stack([lead_scores, scores])
        est = np.concatenate([gamma, est])
    sums = cluster_sums(scores, clus, n_clusters)
    vc = sums.T @ sums
    k_lead = leads
    att, att_var = float(est[k_lead]), float(vc[k_lead, k_lead])
    keep = [i for i in range(len(est)) if i != k_lead]
    beta = est[keep]
    vcov = vc[np.ix_(keep, keep)]
    if leads:
        g_hat, g_vc = beta[:leads], vcov[:leads, :leads]
        stat = float(g_hat @ np.linalg.solve(g_vc, g_hat))
        pval = float(stats.chi2.sf(stat, leads))
    else:
        stat = pval = float("nan")
    return ImputationResult(
        event_times=(*lead_times, *horizons), estimates=beta, vcov=vcov, att=att,
        att_se=float(np.sqrt(att_var)), n_obs=len(rows), n_treated=n1,
        n_not_imputed=n_not_imputed, n_clusters=n_clusters,
        pretrend_statistic=stat, pretrend_p_value=pval,
    )
