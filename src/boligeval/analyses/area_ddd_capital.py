"""Capital-area sensitivity of the area-level DiD (seed §4)."""

from __future__ import annotations

from typing import Any

from boligeval.analyses import register
from boligeval.analyses._common import WEIGHTING, AreaModel, weights_column
from boligeval.analyses.base import Context
from boligeval.config import AnalysisSpec


@register
class AreaDddCapital(AreaModel, id="area_ddd_capital", chapter="diagnostics", order=60,
                     options={"weighting": WEIGHTING}):
    """Whether the effect of a plan differs in the capital area."""

    def fit(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> Any:
        from boligeval.estimate.did import area_ddd_capital

        return area_ddd_capital(ctx.data(spec, outcome), spec.population, outcome,
                                weights=weights_column(spec))
