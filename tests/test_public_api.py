"""The public namespace: every exported name resolves, and the list is pinned."""

from __future__ import annotations

import boligeval

EXPECTED = [
    "BoligevalError", "ConfigError", "ContractError", "DisclosureRules", "Effects",
    "EstimationError", "EvaluationConfig", "PanelError", "Pipeline", "Published",
    "ReportError", "Results", "Survey", "SurveyError",
    "add_dummies", "analyse_survey", "area_ddd_capital", "area_ddd_rent_support", "area_did",
    "att_gt", "bacon", "balance_table", "build_design", "build_panel", "build_panel_outputs",
    "decomposition", "dump_config", "event_study", "feols", "honest_did", "individual_did",
    "load_codebook", "load_config", "load_inputs", "mde", "parse_config", "power",
    "protect_results", "randomization_inference", "registry", "run_analyses", "run_demo",
    "run_evaluation", "simulated_power", "synthesize", "validate_inputs",
    "wild_cluster_bootstrap", "write_report",
]


def test_all_is_pinned_and_sorted():
    assert boligeval.__all__ == sorted(EXPECTED)


def test_every_exported_name_resolves():
    for name in boligeval.__all__:
        assert getattr(boligeval, name) is not None, name


def test_unknown_name_is_an_attribute_error():
    try:
        boligeval.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")
