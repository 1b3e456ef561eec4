"""Children and youth: the area-level DiD on the youth outcomes (seed ch. 4, in text).

The seed estimates the plans' effect on children and youth (education,
placements, convictions, health) at department level with the DiD design,
for youth in general and socially vulnerable youth, and reports in text that
it finds no effect within the plans' 1-3 years. This is the same model as
``area_did`` (year and cohort effects, plan-clustered), on the youth
populations, shown as one table: outcomes in rows, populations in columns.
"""

from __future__ import annotations

from typing import Any

from boligeval.analyses import register
from boligeval.analyses._common import (
    COVARIATES,
    FIXED_EFFECTS_LEVEL,
    WEIGHTING,
    AreaModel,
    weights_column,
)
from boligeval.analyses.base import Context
from boligeval.config import AnalysisSpec
from boligeval.errors import ConfigError
from boligeval.vocabulary import YOUTH_OUTCOMES, YOUTH_POPULATIONS


@register
class YouthDid(AreaModel, id="youth_did", chapter="effects", order=36,
               options={"fixed_effects_level": FIXED_EFFECTS_LEVEL, "weighting": WEIGHTING,
                        "covariates": COVARIATES}):
    """The effect of an active plan on the department means of youth outcomes."""

    populations = YOUTH_POPULATIONS

    def check(self, spec: AnalysisSpec, where: str) -> None:
        """Refuse a population or outcome that is not one of the youth's."""
        super().check(spec, where)
        other = [o for o in spec.outcomes if o not in YOUTH_OUTCOMES]
        if other:
            raise ConfigError(
                f"{where}: {self.id} takes the youth outcomes {', '.join(YOUTH_OUTCOMES)}, "
                f"not {', '.join(repr(o) for o in other)}."
            )

    def fit(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> Any:
        from boligeval.estimate.did import area_did

        return area_did(ctx.data(spec, outcome), spec.population, outcome,
                        fixed_effects_level=spec.option("fixed_effects_level"),
                        weights=weights_column(spec), covariates=spec.covariates)

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.tables import youth_table

        table = youth_table(view.records(self.id), self.id, view.lang, rules=view.rules)
        return [table] if table is not None else []

    def findings(self, view: Any) -> list[str]:
        from boligeval.report.i18n import text

        heads = [r for r in view.records(self.id) if r.get("term") == "active_plan"
                 and not r.get("suppressed") and r.get("p_value") is not None]
        if not heads:
            return []
        significant = sum(1 for r in heads if float(r["p_value"]) < 0.05)
        return [str(text(view.lang, "finding_youth")).format(sig=significant, n=len(heads))]
