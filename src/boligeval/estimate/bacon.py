"""Goodman-Bacon (2021) decomposition of the two-way fixed-effects DiD estimate.

With a balanced panel and an absorbing treatment that starts at different
times, the TWFE coefficient of ``y ~ D | unit + period`` is a weighted average
of every 2x2 DiD between timing groups: earlier-treated vs later-treated
(before the later group starts), later-treated vs earlier-treated (after the
earlier group has started: the "forbidden" comparison), treated vs never
treated and later-treated vs always-treated. The weights depend on group
sizes and on the share of periods each group is treated (eq. 10 of the paper).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from boligeval.errors import EstimationError

__all__ = ["BaconResult", "bacon"]

EARLIER = "Earlier vs Later Treated"
LATER = "Later vs Earlier Treated"
NEVER = "Treated vs Untreated"
ALWAYS = "Later vs Always Treated"


@dataclass(frozen=True)
class BaconResult:
    """The 2x2 comparisons behind a TWFE estimate.

    Attributes
    ----------
    comparisons : pandas.DataFrame
        One row per 2x2: ``type``, ``treated`` and ``control`` (first treated
        period, ``inf`` for never treated), ``estimate`` and ``weight``.
    twfe_estimate : float
        The TWFE coefficient on the treatment dummy.
    """

    comparisons: pd.DataFrame
    twfe_estimate: float

    def by_type(self) -> pd.DataFrame:
        """Total weight and weighted-average estimate per comparison type."""
        c = self.comparisons.assign(we=lambda d: d["weight"] * d["estimate"])
        out = c.groupby("type", sort=False)[["weight", "we"]].sum()
        out["avg_estimate"] = out["we"] / out["weight"]
        return out.drop(columns="we").reset_index()

    def tidy(self) -> pd.DataFrame:
        """One row per 2x2; 2x2 DiDs come without SEs here, so those columns are NaN."""
        c = self.comparisons
        term = (
            c["type"]
            + ": "
            + c["treated"].map("{:g}".format)
            + " vs "
            + c["control"].map("{:g}".format)
        )
        return pd.DataFrame(
            {
                "term": term,
                "group": c["treated"],
                "control": c["control"],
                "type": c["type"],
                "estimate": c["estimate"],
                "weight": c["weight"],
                "std_error": np.nan,
                "p_value": np.nan,
                "ci_low": np.nan,
                "ci_high": np.nan,
            }
        )

    def summary(self) -> str:
        """TWFE estimate, the weight and average estimate by type, and every 2x2."""
        return (
            f"Goodman-Bacon decomposition, TWFE estimate {self.twfe_estimate:.6f}\n"
            + self.by_type().to_string(index=False)
            + "\n\n"
            + self.comparisons.to_string(index=False)
        )


def _twfe(y: np.ndarray, d: np.ndarray) -> float:
    """TWFE slope on D in a balanced (n, T) panel via the two-way within transform."""
    dd = d - d.mean(1, keepdims=True) - d.mean(0, keepdims=True) + d.mean()
    denom = float(np.sum(dd * dd))
    if denom <= 1e-12 * d.size:
        raise EstimationError("the treatment has no variation left after unit and period effects")
    return float(np.sum(dd * y) / denom)


def bacon(
    data: pd.DataFrame,
    *,
    yname: str,
    tname: str,
    idname: str,
    treatment: str | None = None,
    gname: str | None = None,
) -> BaconResult:
    """Decompose the TWFE DiD estimate into its 2x2 comparisons.

    Parameters
    ----------
    data : pandas.DataFrame
        Balanced panel, long format.
    yname, tname, idname : str
        Outcome, period and unit columns.
    treatment : str, optional
        0/1 absorbing treatment column (once 1, always 1).
    gname : str, optional
        First treated period instead of ``treatment`` (0 or missing = never).

    Returns
    -------
    BaconResult
        Weights sum to one and the weighted sum of the 2x2 estimates equals
        the TWFE coefficient.
    """
    if (treatment is None) == (gname is None):
        raise EstimationError("give exactly one of treatment= or gname=")
    tcol = treatment if treatment is not None else gname
    assert tcol is not None
    for c in (yname, tname, idname, tcol):
        if c not in data.columns:
            raise EstimationError(f"column {c!r} not in data")
    if data[[yname, tname, idname]].isna().any().any():
        raise EstimationError("missing values in outcome, period or id")
    if data.duplicated([idname, tname]).any():
        raise EstimationError(f"duplicated ({idname}, {tname}) rows")
    y_w = data.pivot(index=idname, columns=tname, values=yname).sort_index(axis=1)
    if y_w.isna().any().any():
        raise EstimationError("the Bacon decomposition needs a balanced panel")
    periods = y_w.columns.to_numpy(dtype=float)
    y = y_w.to_numpy(dtype=float)
    d: np.ndarray
    if treatment is not None:
        d_w = data.pivot(index=idname, columns=tname, values=treatment).sort_index(axis=1)
        d = d_w.loc[y_w.index].to_numpy(dtype=float)
        if not np.isin(d, (0.0, 1.0)).all():
            raise EstimationError(f"{treatment!r} must be 0/1")
        if (np.diff(d, axis=1) < 0).any():
            raise EstimationError(f"{treatment!r} is not absorbing (switches off for some units)")
        first = np.where(d.any(axis=1), periods[np.argmax(d, axis=1)], np.inf)
    else:
        g = data.groupby(idname)[tcol].first().loc[y_w.index].to_numpy(dtype=float)
        first = np.where(np.isnan(g) | (g <= 0), np.inf, g)
        d = (periods[None, :] >= first[:, None]).astype(float)
        first = np.where(d.any(axis=1), periods[np.argmax(d, axis=1)], np.inf)
    twfe = _twfe(y, d)

    timing = np.unique(first)
    share = {k: np.mean(first == k) for k in timing}
    dbar = {k: float(np.mean(periods >= k)) for k in timing}
    rows: list[tuple[str, float, float, float, float]] = []

    def dd(treat: float, ctrl: float, pre: np.ndarray, post: np.ndarray) -> float:
        yt, yc = y[first == treat], y[first == ctrl]
        return float(
            (yt[:, post].mean() - yt[:, pre].mean()) - (yc[:, post].mean() - yc[:, pre].mean())
        )

    for i, k in enumerate(timing):
        for l_ in timing[i + 1 :]:
            nk, nl = share[k], share[l_]
            dk, dl = dbar[k], dbar[l_]
            nkl = nk / (nk + nl)
            base = nkl * (1 - nkl)
            # k treated, l (later or never) as control, before l starts
            if dk < 1 and dk > dl:
                wt = ((nk + nl) * (1 - dl)) ** 2 * base * (dk - dl) / (1 - dl) * (1 - dk) / (1 - dl)
                pre, post = periods < k, (periods >= k) & (periods < l_)
                kind = NEVER if np.isinf(l_) else EARLIER
                rows.append((kind, k, l_, dd(k, l_, pre, post), wt))
            # l treated, k (earlier or always) as control, after k started
            if dl > 0:
                wt = ((nk + nl) * dk) ** 2 * base * (dl / dk) * (dk - dl) / dk
                pre, post = (periods >= k) & (periods < l_), periods >= l_
                kind = ALWAYS if dk == 1 else LATER
                rows.append((kind, l_, k, dd(l_, k, pre, post), wt))
    if not rows:
        raise EstimationError("no 2x2 comparison: every unit has the same treatment timing")
    comp = pd.DataFrame(rows, columns=["type", "treated", "control", "estimate", "weight"])
    comp["weight"] = comp["weight"] / comp["weight"].sum()
    return BaconResult(comp, twfe)
