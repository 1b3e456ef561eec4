"""boligeval.estimate: regression core, DiD analyses and inference.

The core is ``feols`` (least squares with absorbed fixed effects, weights and
iid/HC1/CR1 variances); the seed's analyses (``area_did``,
``area_ddd_rent_support``, ``area_ddd_capital``, ``individual_did``,
``balance_table``) are thin calls on it.
"""

from __future__ import annotations

from boligeval.estimate.event_study import EventStudyResult, event_study
from boligeval.estimate.ols import (
    FeolsResult,
    LincomResult,
    WaldResult,
    add_dummies,
    feols,
)

__all__ = [
    "EventStudyResult",
    "FeolsResult",
    "LincomResult",
    "WaldResult",
    "add_dummies",
    "event_study",
    "feols",
]
