"""Interaction-weighted event study of Sun and Abraham (2021).

A two-way fixed-effects regression saturated in cohort by event time
(``1[G_i = g] 1[t - g = e]`` for every treated cohort g and event time
e != -1), with the never treated (or, without them, the last treated cohort,
its treated periods dropped) as the comparison. The event-time effect is the
average of the cohort effects at that event time weighted by the cohorts'
shares of the (weighted) observations there, and its variance ``W V W'`` with
the plan-clustered CR1 covariance of the cohort effects, as R fixest's
``sunab`` aggregation and pyfixest's saturated event study (the shares are
treated as known).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from boligeval.errors import EstimationError
from boligeval.estimate.event_study import event_lines, event_tidy
from boligeval.estimate.ols import FeolsResult, feols, sandwich

__all__ = ["SunAbrahamResult", "sun_abraham"]


@dataclass(frozen=True, slots=True, eq=False)
class SunAbrahamResult:
    """Interaction-weighted event-time effects and the overall ATT.

    Attributes
    ----------
    fit : FeolsResult
        The saturated regression (terms ``cohort_<g>_event_<e>``).
    event_times : tuple of int
        Event times of ``estimates`` (the reference -1 excluded).
    estimates : numpy.ndarray
        Interaction-weighted effects, shape (k,).
    vcov : numpy.ndarray
        Their covariance ``W V W'``, shape (k, k).
    weights : pandas.DataFrame
        Cohort shares: columns ``event_time, cohort, share``.
    att, att_se : float
        Average of the post-period cohort effects weighted by observations.
    control : str
        ``"never"`` or ``"last"`` (the last treated cohort as comparison).
    """

    fit: FeolsResult
    event_times: tuple[int, ...]
    estimates: np.ndarray
    vcov: np.ndarray
    weights: pd.DataFrame
    att: float
    att_se: float
    control: str

    def tidy(self, alpha: float = 0.05) -> pd.DataFrame:
        """Rows ``att`` and ``event_<e>`` with ``event_time``; the reference e = -1 as 0."""
        return event_tidy(self.att, self.att_se, self.event_times, self.estimates, self.vcov,
                          alpha, reference=-1)

    def honest_inputs(self) -> tuple[np.ndarray, np.ndarray, int, int]:
        """Coefficients, covariance, numbers of pre and post periods for HonestDiD."""
        e = np.array(self.event_times)
        return (np.array(self.estimates), np.array(self.vcov), int(np.sum(e < -1)),
                int(np.sum(e >= 0)))

    def pretrend(self) -> tuple[float, float, int] | None:
        """Wald chi-square test that every lead (e < -1) is zero: statistic, p, df."""
        lead = (np.array(self.event_times) < -1) & np.isfinite(np.diag(self.vcov))
        if not lead.any():
            return None
        b, v = self.estimates[lead], self.vcov[np.ix_(lead, lead)]
        stat = float(b @ np.linalg.pinv(v) @ b)
        df = int(lead.sum())
        return stat, float(stats.chi2.sf(stat, df)), df

    def summary(self) -> str:
        """Text table."""
        lines = [f"Sun-Abraham event study ({self.control} treated as comparison), "
                 f"N = {self.fit.n_obs}"]
        return "\n".join(lines + event_lines(self.tidy()))


def sun_abraham(
    data: pd.DataFrame,
    yname: str,
    tname: str,
    idname: str,
    gname: str,
    *,
    weights: str | None = None,
    cluster: str | None = None,
) -> SunAbrahamResult:
    """Sun-Abraham interaction-weighted event study, cluster-robust.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel (may be unbalanced).
    yname, tname, idname, gname : str
        Outcome, integer period, unit and first treated period (0 or missing:
        never treated).
    weights : str, optional
        Analytic-weight column (regression and cohort shares).
    cluster : str, optional
        Cluster column; the unit by default.

    Returns
    -------
    SunAbrahamResult
    """
    for col in (yname, tname, idname, gname, *(c for c in (weights, cluster) if c)):
        if col not in data.columns:
            raise EstimationError(f"column {col!r} is not in the data")
    g = pd.to_numeric(data[gname], errors="coerce").fillna(0).to_numpy(dtype=float)
    t = pd.to_numeric(data[tname], errors="coerce").to_numpy(dtype=float)
    keep = np.ones(len(data), dtype=bool)
    cohorts = np.unique(g[g > 0])
    if cohorts.size == 0:
        raise EstimationError(f"no treated units ({gname} > 0)")
    control = "never"
    if not np.any(g == 0):
        if cohorts.size < 2:
            raise EstimationError("Sun-Abraham needs never-treated units or two cohorts")
        last = cohorts[-1]
        control = "last"
        keep = t < last                      # the last cohort is untreated before last
        g = np.where(g == last, 0.0, g)
        cohorts = cohorts[:-1]
    frame = data.loc[keep, [c for c in dict.fromkeys(
        [yname, tname, idname, *(c for c in (weights, cluster) if c)])]].copy()
    gk, tk = g[keep], t[keep]
    e = np.where(gk > 0, tk - gk, np.nan)
    w = (np.ones(len(frame)) if weights is None
         else pd.to_numeric(frame[weights], errors="coerce").to_numpy(dtype=float))
    cells: list[tuple[int, int, str]] = []
    dummies: dict[str, np.ndarray] = {}
    for c in cohorts:
        for k in np.unique(e[gk == c]):
            if k != -1:
                name = f"cohort_{int(c)}_event_{int(k)}"
                dummies[name] = ((gk == c) & (e == k)).astype(float)
                cells.append((int(c), int(k), name))
    frame = pd.concat([frame, pd.DataFrame(dummies, index=frame.index)], axis=1)
    if not cells:
        raise EstimationError("no cohort-by-event-time cells to estimate")
    fit = feols(frame, yname, [n for *_, n in cells], [idname, tname], weights=weights,
                vcov="CR1", cluster=cluster or idname)
    kept = set(fit.terms)
    mass = {(c, k): float(w[(gk == c) & (e == k)].sum()) for c, k, n in cells if n in kept}
    times = sorted({k for c, k in mass})
    rows = []
    mat = np.zeros((len(times), len(fit.terms)))
    for i, k in enumerate(times):
        total = sum(m for (c, kk), m in mass.items() if kk == k)
        for (c, kk), m in mass.items():
            if kk == k:
                mat[i, fit.terms.index(f"cohort_{c}_event_{k}")] = m / total
                rows.append({"event_time": k, "cohort": c, "share": m / total})
    beta, vc = np.asarray(fit.beta), np.asarray(fit.vcov)
    post = np.zeros(len(fit.terms))
    total_post = sum(m for (c, k), m in mass.items() if k >= 0)
    for (c, k), m in mass.items():
        if k >= 0:
            post[fit.terms.index(f"cohort_{c}_event_{k}")] = m / total_post
    return SunAbrahamResult(
        fit=fit, event_times=tuple(times), estimates=mat @ beta, vcov=sandwich(mat, vc),
        weights=pd.DataFrame(rows), att=float(post @ beta),
        att_se=float(np.sqrt(sandwich(post, vc)[0, 0])), control=control,
    )
