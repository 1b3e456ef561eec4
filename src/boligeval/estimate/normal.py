"""Normal-approximation inference columns shared by the result objects' ``tidy()``."""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["normal_columns"]


def normal_columns(estimate: np.ndarray, std_error: np.ndarray,
                   alpha: float = 0.05) -> dict[str, np.ndarray]:
    """``estimate, std_error, p_value, ci_low, ci_high`` with two-sided normal inference.

    A missing or zero standard error gives a missing p-value (not a warning).
    """
    est = np.asarray(estimate, dtype=float)
    se = np.asarray(std_error, dtype=float)
    z = float(stats.norm.ppf(1 - alpha / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2 * stats.norm.sf(np.abs(est / se))
    return {"estimate": est, "std_error": se, "p_value": p,
            "ci_low": est - z * se, "ci_high": est + z * se}
