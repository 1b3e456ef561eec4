"""boligeval: evaluation engine for area-based social-housing programmes.

The public API is a lazy namespace: ``import boligeval`` is cheap, and each
name loads its module on first use.

>>> import boligeval as be                                  # doctest: +SKIP
>>> fit = be.feols(df, "y", ["active_plan"], fixed_effects=["department_id", "year"],
...                cluster="plan_id")
>>> fit.tidy()
"""

from __future__ import annotations

from typing import Any

from boligeval._lazy import lazy_attribute

__version__ = "0.1.0"

#: Public name -> module that defines it.
_LAZY: dict[str, str] = {
    # configuration and orchestration
    "EvaluationConfig": "boligeval.config",
    "load_config": "boligeval.config",
    "parse_config": "boligeval.config",
    "dump_config": "boligeval.config",
    "run_evaluation": "boligeval.run",
    "Pipeline": "boligeval.run",
    "run_demo": "boligeval.run",
    "validate_inputs": "boligeval.run",
    "build_panel_outputs": "boligeval.run",
    # stages
    "load_inputs": "boligeval.contract",
    "build_design": "boligeval.design",
    "build_panel": "boligeval.panel",
    "synthesize": "boligeval.synth",
    "Effects": "boligeval.synth",
    # estimators
    "feols": "boligeval.estimate.ols",
    "add_dummies": "boligeval.estimate.ols",
    "area_did": "boligeval.estimate.did",
    "area_ddd_rent_support": "boligeval.estimate.did",
    "area_ddd_capital": "boligeval.estimate.did",
    "individual_did": "boligeval.estimate.did",
    "balance_table": "boligeval.estimate.balance",
    "att_gt": "boligeval.estimate.staggered",
    "bacon": "boligeval.estimate.bacon",
    "event_study": "boligeval.estimate.event_study",
    "honest_did": "boligeval.estimate.honest",
    "wild_cluster_bootstrap": "boligeval.estimate.bootstrap",
    "randomization_inference": "boligeval.estimate.randomization",
    "decomposition": "boligeval.estimate.decomposition",
    "mde": "boligeval.estimate.power",
    "power": "boligeval.estimate.power",
    "simulated_power": "boligeval.estimate.power",
    # analyses, surveys, disclosure, report
    "registry": "boligeval.analyses",
    "run_analyses": "boligeval.analyses",
    "analyse_survey": "boligeval.analyses",
    "Results": "boligeval.records",
    "Survey": "boligeval.survey",
    "load_codebook": "boligeval.survey",
    "DisclosureRules": "boligeval.disclosure",
    "Published": "boligeval.disclosure",
    "protect_results": "boligeval.disclosure",
    "write_report": "boligeval.report",
    # errors
    "BoligevalError": "boligeval.errors",
    "ConfigError": "boligeval.errors",
    "ContractError": "boligeval.errors",
    "EstimationError": "boligeval.errors",
    "PanelError": "boligeval.errors",
    "ReportError": "boligeval.errors",
    "SurveyError": "boligeval.errors",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    """Import an exported name on first access."""
    return lazy_attribute(__name__, _LAZY, globals(), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
