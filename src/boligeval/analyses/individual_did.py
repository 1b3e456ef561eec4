"""Individual-level DiD with and without in-mover terms (seed tables 4.6-4.7)."""

from __future__ import annotations

from typing import Any, Literal

from boligeval.analyses import register
from boligeval.analyses._common import COVARIATES, model_records
from boligeval.analyses.base import Context, Option, RegisterAnalysis
from boligeval.config import AnalysisSpec
from boligeval.records import Record
from boligeval.vocabulary import POPULATIONS


@register
class IndividualDid(RegisterAnalysis, id="individual_did", chapter="movers", order=50,
                    options={"unit": Option("person", ("person", "household"),
                                            "person rows, or households (equivalised income)"),
                             "covariates": COVARIATES}):
    """Persons or households with absorbed department effects and in-mover terms."""

    def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
        from boligeval.estimate.did import individual_did

        household = (spec.option("unit") == "household"
                     or POPULATIONS[spec.population] == "household")
        unit: Literal["person", "household"] = "household" if household else "person"
        units = ctx.register.units(spec.population, outcome, unit=unit,
                                covariates=spec.covariates)
        records: list[Record] = []
        for model, movers in (("without_movers", False), ("with_movers", True)):
            fit = individual_did(units, outcome, unit=unit, mover_terms=movers,
                                 covariates=spec.covariates)
            records += model_records(fit.tidy(ctx.cfg.inference.alpha), analysis=self.id,
                                     population=spec.population, outcome=outcome, fit=fit,
                                     model=model)
        return records

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.i18n import text
        from boligeval.report.tables import regression_tables

        return list(regression_tables(view.records(self.id), self.id, view.lang,
                                      rules=view.rules, show_n_obs=True,
                                      extra_notes=[text(view.lang, "fe_note"),
                                                   text(view.lang, "indiv_sample_note")]))
