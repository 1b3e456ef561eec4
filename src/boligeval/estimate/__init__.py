"""boligeval.estimate: regression core, DiD analyses and inference.

The core is ``feols`` (least squares with absorbed fixed effects, weights and
iid/HC1/CR1 variances). The seed's analyses (``area_did``,
``area_ddd_rent_support``, ``area_ddd_capital``, ``individual_did``,
``balance_table``) are thin calls on it; ``wild_cluster_bootstrap``,
``randomization_inference`` and ``event_study`` add inference beyond the seed.
"""

from __future__ import annotations

from boligeval.estimate.balance import balance_table
from boligeval.estimate.bootstrap import WildBootstrapResult, wild_cluster_bootstrap
from boligeval.estimate.did import (
    DidResult,
    area_ddd_capital,
    area_ddd_rent_support,
    area_did,
    individual_did,
)
from boligeval.estimate.event_study import EventStudyResult, event_study
from boligeval.estimate.ols import (
    FeolsResult,
    LincomResult,
    WaldResult,
    add_dummies,
    feols,
)
from boligeval.estimate.randomization import RandomizationResult, randomization_inference

__all__ = [
    "DidResult",
    "EventStudyResult",
    "FeolsResult",
    "LincomResult",
    "RandomizationResult",
    "WaldResult",
    "WildBootstrapResult",
    "add_dummies",
    "area_ddd_capital",
    "area_ddd_rent_support",
    "area_did",
    "balance_table",
    "event_study",
    "feols",
    "individual_did",
    "randomization_inference",
    "wild_cluster_bootstrap",
]
