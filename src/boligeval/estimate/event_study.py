"""TWFE event study with leads and lags and a joint test of the leads."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from boligeval.errors import EstimationError
from boligeval.estimate.normal import normal_columns
from boligeval.estimate.ols import FeolsResult, VcovType, WaldResult, feols
from boligeval.vocabulary import stars

__all__ = ["EventStudyResult", "event_lines", "event_study", "event_tidy"]


def _term(e: int) -> str:
    return f"event_{e}"


def event_tidy(att: float, att_se: float, event_times: tuple[int, ...], estimates: np.ndarray,
               vcov: np.ndarray, alpha: float, reference: int | None = -1) -> pd.DataFrame:
    """Tidy table of a heterogeneity-robust event study, normal inference.

    Rows ``att`` (no event time) and ``event_<e>`` by event time, with the
    ``reference`` event time as a row of estimate 0 and no standard error.
    """
    times = [*event_times, *([reference] if reference is not None else [])]
    est = np.concatenate([[att], estimates, [0.0] * (len(times) - len(event_times))])
    se = np.concatenate([[att_se], np.sqrt(np.diag(vcov)),
                         [np.nan] * (len(times) - len(event_times))])
    out = pd.DataFrame({
        "term": ["att", *(_term(e) for e in times)],
        **normal_columns(est, se, alpha),
        "event_time": pd.array([None, *times], dtype="Int64"),
    })
    order = np.argsort(out["event_time"].fillna(-(10**9)).to_numpy(), kind="stable")
    return out.iloc[order].reset_index(drop=True)


def event_lines(tidy: pd.DataFrame) -> list[str]:
    """One text line per row of an event-study tidy table."""
    return [f"{row['term']:>10}: {row['estimate']:>12.6g} ({row['std_error']:.6g}) "
            f"{stars(row['p_value'])}" for row in tidy.to_dict("records")]


@dataclass(frozen=True, slots=True, eq=False)
class EventStudyResult:
    """Event-study coefficients by event time, with the pre-trend Wald test.

    Attributes
    ----------
    fit : FeolsResult
        The underlying TWFE regression (terms ``event_<e>``).
    event_times : tuple of int
        Event times estimated (the reference excluded).
    ref : int
        Reference event time, normalised to zero.
    pretrend : WaldResult or None
        Joint test that all lead coefficients (e < 0, e != ref) are zero.
    """

    fit: FeolsResult
    event_times: tuple[int, ...]
    ref: int
    pretrend: WaldResult | None

    def coef(self) -> pd.Series:
        """Coefficients indexed by event time, the reference included as 0."""
        c = self.fit.coef()
        values = {
            e: float(c[_term(e)]) if _term(e) in c.index else np.nan for e in self.event_times
        }
        values[self.ref] = 0.0
        return pd.Series(values).sort_index()

    def tidy(self, alpha: float = 0.05) -> pd.DataFrame:
        """Tidy table by event time (``event_time`` column; the reference row has SE NaN)."""
        tab = self.fit.tidy(alpha)
        tab = tab[tab["term"].str.startswith("event_")].copy()
        tab["event_time"] = tab["term"].str.removeprefix("event_").astype(int)
        ref = pd.DataFrame(
            {
                "term": [_term(self.ref)],
                "estimate": [0.0],
                "std_error": [np.nan],
                "t_stat": [np.nan],
                "p_value": [np.nan],
                "ci_low": [np.nan],
                "ci_high": [np.nan],
                "event_time": [self.ref],
            }
        )
        return (
            pd.concat([tab, ref], ignore_index=True)
            .sort_values("event_time")
            .reset_index(drop=True)
        )

    def summary(self) -> str:
        """Text table with the pre-trend test."""
        lines = [f"Event study (reference e = {self.ref}), N = {self.fit.n_obs}"]
        for row in self.tidy().to_dict("records"):
            lines.append(
                f"e = {row['event_time']:>4}: {row['estimate']:>12.6g} "
                f"({row['std_error']:.6g}) {stars(row['p_value'])}"
            )
        if self.pretrend is not None:
            lines.append("pre-trends: " + self.pretrend.summary())
        return "\n".join(lines)


def event_study(
    data: pd.DataFrame,
    yname: str,
    tname: str,
    idname: str,
    gname: str,
    *,
    leads: int,
    lags: int,
    ref: int = -1,
    weights: str | None = None,
    cluster: str | None = None,
    vcov: VcovType = "CR1",
    bin_endpoints: bool = True,
) -> EventStudyResult:
    """TWFE event study ``y ~ sum_{e != ref} 1[t - g = e] | id + t``.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel.
    yname, tname, idname, gname : str
        Outcome, period, unit and first-treated period (0 or missing = never treated).
    leads, lags : int
        Number of pre-periods (e = -leads..-1) and post-periods (e = 0..lags).
    ref : int, default -1
        Event time normalised to zero.
    weights : str, optional
        Analytic-weight column.
    cluster : str, optional
        Cluster column; the unit by default.
    vcov : {"iid", "HC1", "CR1"}, default "CR1"
        Variance estimator.
    bin_endpoints : bool, default True
        Pool event times beyond the window into the end bins; otherwise they
        are dropped from the sample.

    Returns
    -------
    EventStudyResult
    """
    for col in (yname, tname, idname, gname):
        if col not in data.columns:
            raise EstimationError(f"column {col!r} is not in the data")
    if leads < 1 or lags < 0:
        raise EstimationError("event_study needs leads >= 1 and lags >= 0")
    if not -leads <= ref <= lags:
        raise EstimationError(f"ref={ref} is outside the window [-{leads}, {lags}]")
    g = pd.to_numeric(data[gname], errors="coerce").fillna(0).to_numpy(dtype=float)
    t = pd.to_numeric(data[tname], errors="coerce").to_numpy(dtype=float)
    treated = g > 0
    if not treated.any():
        raise EstimationError(f"no treated units ({gname} > 0)")
    if treated.all():
        raise EstimationError(f"no never-treated units ({gname} is 0 or missing)")
    e = np.where(treated, t - g, np.nan)
    keep = np.ones(len(data), dtype=bool)
    if bin_endpoints:
        e = np.where(treated, np.clip(e, -leads, lags), np.nan)
    else:
        keep = ~treated | ((e >= -leads) & (e <= lags))
    times = tuple(k for k in range(-leads, lags + 1) if k != ref)
    frame = data.loc[
        keep,
        [yname, tname, idname]
        + ([weights] if weights else [])
        + ([cluster] if cluster and cluster not in (yname, tname, idname) else []),
    ].copy()
    ek = e[keep]
    for k in times:
        frame[_term(k)] = (ek == k).astype(float)
    fit = feols(
        frame,
        yname,
        [_term(k) for k in times],
        [idname, tname],
        weights=weights,
        vcov=vcov,
        cluster=(cluster or idname) if vcov == "CR1" else None,
    )
    lead_terms = [_term(k) for k in times if k < 0 and _term(k) in fit.terms]
    pretrend = fit.wald(lead_terms) if lead_terms else None
    return EventStudyResult(fit=fit, event_times=times, ref=ref, pretrend=pretrend)
