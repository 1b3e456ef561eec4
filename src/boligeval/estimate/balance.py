"""Balance of the groups at baseline (docs/methods.md §4; seed Tables 4.1 and 4.9)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from boligeval.errors import EstimationError
from boligeval.vocabulary import stars

__all__ = ["balance_table"]

# variable, how it is summarised, the test against control
_ROWS: tuple[tuple[str, str, str], ...] = (
    ("capital_area", "share", "fisher"),
    ("built_1955_1975", "share", "fisher"),
    ("long_vacancy", "share", "fisher"),
    ("one_two_room_share", "mean", "ranksum"),
    ("deprivation", "mean", "ttest"),
)


def _indicator(frame: pd.DataFrame, variable: str) -> pd.Series:
    if variable == "built_1955_1975":
        share = pd.to_numeric(frame["built_1955_1975_share"], errors="coerce")
        return (share >= 0.5).astype(float).where(share.notna())
    col = frame[variable]
    if variable in ("capital_area", "long_vacancy"):
        return col.map(lambda v: np.nan if pd.isna(v) else float(bool(v))).astype(float)
    return pd.to_numeric(col, errors="coerce").astype(float)


def _test(kind: str, group: pd.Series, control: pd.Series) -> tuple[float, float]:
    """Statistic and two-sided p-value of one group against control."""
    if len(group) == 0 or len(control) == 0:
        return np.nan, np.nan
    if kind == "fisher":
        a, c = int(group.sum()), int(control.sum())
        table = [[a, len(group) - a], [c, len(control) - c]]
        odds, p = stats.fisher_exact(table)
        return float(odds), float(p)
    if kind == "ranksum":
        # normal approximation with tie correction, no continuity correction (Stata's ranksum)
        res = stats.mannwhitneyu(group, control, use_continuity=False, method="asymptotic")
        return float(res.statistic), float(res.pvalue)
    res = stats.ttest_ind(group, control, equal_var=True)
    return float(res.statistic), float(res.pvalue)


def balance_table(
    departments_baseline: pd.DataFrame, *, group: str = "cohort", control: str = "control"
) -> pd.DataFrame:
    """Baseline characteristics per group, each intervention group tested against control.

    Shares (in percent) of departments in the capital area, with
    ``built_1955_1975_share >= 0.5`` and with ``long_vacancy`` (Fisher's exact
    test); mean ``one_two_room_share`` (Wilcoxon rank-sum) and mean
    ``deprivation`` (two-sample t-test, equal variances); stars at 0.1, 0.05 and
    0.01.

    Parameters
    ----------
    departments_baseline : pandas.DataFrame
        One row per department at the baseline year.
    group : str, default "cohort"
        Group column.
    control : str, default "control"
        Control level of ``group``.

    Returns
    -------
    pandas.DataFrame
        One row per variable and group: variable, group, statistic
        (``share_percent`` or ``mean``), estimate, n, test, test_statistic,
        p_value, stars (control rows have no test). A last row per group gives
        the number of departments (variable ``n_departments``).
    """
    needed = [
        group,
        "capital_area",
        "built_1955_1975_share",
        "long_vacancy",
        "one_two_room_share",
        "deprivation",
    ]
    missing = [c for c in needed if c not in departments_baseline.columns]
    if missing:
        raise EstimationError(f"the baseline departments lack the columns {missing}")
    frame = departments_baseline
    levels = sorted(frame[group].dropna().unique().tolist(), key=lambda v: (v != control, str(v)))
    if control not in levels:
        raise EstimationError(f"no control departments ({group} == {control!r})")
    if len(levels) < 2:
        raise EstimationError("balance_table needs at least one group besides control")
    rows = []
    for variable, summary, kind in _ROWS:
        values = _indicator(frame, variable)
        ctrl = values[frame[group] == control].dropna()
        for level in levels:
            vals = values[frame[group] == level].dropna()
            est = float(vals.mean()) if len(vals) else np.nan
            if summary == "share":
                est *= 100.0
            if level == control:
                stat, p, test = np.nan, np.nan, ""
            else:
                stat, p = _test(kind, vals, ctrl)
                test = kind
            rows.append(
                {
                    "variable": variable,
                    "group": level,
                    "statistic": "share_percent" if summary == "share" else "mean",
                    "estimate": est,
                    "n": len(vals),
                    "test": test,
                    "test_statistic": stat,
                    "p_value": p,
                    "stars": stars(p),
                }
            )
    for level in levels:
        rows.append(
            {
                "variable": "n_departments",
                "group": level,
                "statistic": "count",
                "estimate": float((frame[group] == level).sum()),
                "n": int((frame[group] == level).sum()),
                "test": "",
                "test_statistic": np.nan,
                "p_value": np.nan,
                "stars": "",
            }
        )
    return pd.DataFrame(rows)
