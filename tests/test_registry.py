"""The shape of the package: one home per analysis, one record schema, guarded writers."""

from __future__ import annotations

import ast
import dataclasses
import functools
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar

import pandas as pd
import pytest

import boligeval
from boligeval.analyses import _REGISTRY as REGISTRY
from boligeval.analyses import (
    CHAPTERS,
    Analysis,
    Context,
    RegisterAnalysis,
    configurable,
    default_blocks,
    register,
    registry,
    run_analyses,
    with_margins,
)
from boligeval.config import AnalysisSpec, EvaluationConfig, parse_config
from boligeval.disclosure import Published, protect_results
from boligeval.errors import BoligevalError, ConfigError, ReportError
from boligeval.records import ESTIMATES, Record, Results
from boligeval.report import build_document, write_report
from boligeval.report.document import Document
from boligeval.report.i18n import _LABELS
from boligeval.write import (
    write_figures,
    write_html,
    write_manifest,
    write_results,
    write_tex,
    write_xlsx,
)

SRC = Path(boligeval.__file__).parent


@functools.cache
def _literals(path: Path) -> frozenset[str]:
    """String constants of a module, leaving out docstrings and ``__all__`` lists."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant):
            skip.add(id(body[0].value))
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            skip.update(id(n) for n in ast.walk(node.value))
    return frozenset(n.value for n in ast.walk(tree)
                     if isinstance(n, ast.Constant) and isinstance(n.value, str)
                     and id(n) not in skip)


def test_registry_lists_every_results_id_once() -> None:
    analyses = registry()
    ids = [i for a in analyses.values() for i in a.ids]
    assert len(ids) == len(set(ids))
    assert {"area_did", "att_aggregate", "crosstab", "accounting", "balance"} <= set(ids)
    assert [a.order for a in analyses.values()] == sorted(a.order for a in analyses.values())
    assert with_margins() == {"crosstab"}


@pytest.mark.parametrize("analysis", list(registry().values()), ids=lambda a: a.id)
def test_every_analysis_has_labels_and_a_report_section(analysis: Analysis) -> None:
    for ident in analysis.ids:
        for lang in ("da", "en"):
            assert ident in _LABELS["analysis"][lang], (ident, lang)
        assert _LABELS["analysis"]["da"][ident] != _LABELS["analysis"]["en"][ident]
    assert analysis.chapter in CHAPTERS
    assert type(analysis).report is not Analysis.report, f"{analysis.id} renders nothing"


@pytest.mark.parametrize("ident", [i for a in registry().values() for i in a.ids])
def test_each_id_is_written_in_at_most_three_source_files(ident: str) -> None:
    files = sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                   if not (p.name == "__init__.py" and p.parent != SRC / "analyses")
                   and ident in _literals(p))
    assert len(files) <= 3, files


def test_analyses_never_see_the_database() -> None:
    for path in (SRC / "analyses").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not any(m.startswith("duckdb") for m in imported), path.name
        calls = {n.func.attr for n in ast.walk(tree)
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
        assert not calls & {"execute", "sql", "register"} - {"register"}, path.name


def test_vocabulary_is_defined_once() -> None:
    from boligeval import vocabulary
    from boligeval.contract import schemas
    from boligeval.survey import _analyses
    from boligeval.synth import survey as synth_survey

    assert schemas.ACTORS is vocabulary.ACTORS is _analyses.ACTORS is synth_survey.ACTORS
    assert schemas.INTERVENTION_AREAS is vocabulary.INTERVENTION_AREAS
    assert vocabulary.AMOUNT_OUTCOMES == ("disposable_income", "equivalised_income")
    # deprivation is a bounded score: no dominance rule, like the shares
    # youth outcomes: exam grade (score) and shares none; visits are counts one child
    # can dominate, so the dominance rule applies to them
    assert [vocabulary.dominance_applies(o) for o in vocabulary.OUTCOMES] == [
        False, True, True, False, False, False, False, False, False, True, True]
    assert vocabulary.dominance_applies("an_extra_column")  # unknown columns: conservative


def test_default_set_is_data_and_parses() -> None:
    blocks = default_blocks()
    cfg = EvaluationConfig()
    assert len(blocks) == len(cfg.analysis) == 34   # 28 + two youth + did_switching + three cost and reach
    assert [b["kind"] for b in blocks] == [a.kind for a in cfg.analysis]
    assert {a.kind for a in cfg.analysis} == set(configurable()) - set()


def test_options_belong_to_their_kind() -> None:
    base = {"data": {"dir": "w"}}
    cfg = parse_config({**base, "analysis": [{"kind": "area_did", "weighting": "count",
                                              "fixed_effects_level": "department"}]})
    assert cfg.analysis[0].options == {"fixed_effects_level": "department",
                                       "weighting": "count", "covariates": (),
                                       "area_status": "all", "comparison": "all",
                                       "plan_group": "all"}
    with pytest.raises(ConfigError, match="Did you mean 'fixed_effects_level'"):
        parse_config({**base, "analysis": [{"kind": "area_did", "fixed_effects": "cohort"}]})
    with pytest.raises(ConfigError, match="Unknown key 'unit'"):
        parse_config({**base, "analysis": [{"kind": "area_did", "unit": "household"}]})
    with pytest.raises(ConfigError, match="one of cohort, department"):
        parse_config({**base, "analysis": [{"kind": "area_did",
                                            "fixed_effects_level": "plan"}]})


def test_a_new_analysis_is_one_class() -> None:
    """Registering a class is all it takes to be configurable, run and reported."""

    class Constant(RegisterAnalysis):
        id = "constant_for_test"
        chapter = "diagnostics"
        order = 999
        options: ClassVar = MappingProxyType({})

        def run(self, ctx: Context, spec: AnalysisSpec, outcome: str) -> list[Record]:
            return [Record(ESTIMATES, {"analysis": self.id, "population": spec.population,
                                       "outcome": outcome, "term": "constant",
                                       "estimate": 1.0, "n_obs": 40})]

        def report(self, view: Any) -> list[Any]:
            from boligeval.report.tables import diagnostic_tables

            return list(diagnostic_tables(view.records(self.id), self.id, view.lang))

    register(Constant)
    try:
        cfg = parse_config({"data": {"dir": "w"},
                            "analysis": [{"kind": "constant_for_test", "population": "all"}]})
        panel = object.__new__(boligeval.panel.Panel)  # no data needed by this analysis
        results = run_analyses(Context(cfg=dataclasses.replace(cfg), panel=None), cfg.analysis,
                               strict=True)
        assert results.records == ()  # nothing runs without a panel
        records = Constant().run(Context(cfg=cfg, panel=panel), cfg.analysis[0], "employed")
        published = protect_results(Results(tuple(records)))
        assert published.records("constant_for_test")[0]["suppressed"] is False
    finally:
        del REGISTRY["constant_for_test"]


# --------------------------------------------------------------------------- records


def test_records_are_born_unprotected() -> None:
    with pytest.raises(BoligevalError, match="only disclosure control"):
        Record(ESTIMATES, {"analysis": "area_did", "estimate": 1.0, "suppressed": False})
    rec = Record(ESTIMATES, {"analysis": "area_did", "term": "active_plan", "estimate": 1.0})
    assert set(rec.fields) >= {"std_error", "n_plans", "adj_r2"}  # one schema, nulls included
    with pytest.raises(TypeError):
        rec.fields["estimate"] = 2.0  # type: ignore[index]
    with pytest.raises(ReportError):
        Published(object(), {}, protect_results({}).rules, [], [])


def _unprotected() -> list[Any]:
    rec = Record(ESTIMATES, {"analysis": "area_did", "population": "all", "outcome": "employed",
                             "term": "active_plan", "estimate": 1.0, "n_obs": 3})
    as_dict = {"estimates": [{**rec.as_dict(), "suppressed": False}]}
    fake = Document("en", (), (), (), {}, as_dict)  # type: ignore[arg-type]
    return [rec, Results((rec,)), as_dict, fake]


@pytest.mark.parametrize("writer", [
    lambda r, d: write_results(r, d / "results.json"),
    lambda r, d: write_manifest(r, d / "manifest.json", config={}, config_file=None, inputs={},
                                outputs=[], timings={}, language="en"),
    lambda r, d: write_report(r, d, lang="en"),
    lambda r, d: build_document(r, "en"),
    lambda r, d: write_html(r, d / "report.html"),
    lambda r, d: write_xlsx(r, d / "tables.xlsx"),
    lambda r, d: write_tex(r, d / "tables.tex"),
    lambda r, d: write_figures(r, d / "figures"),
], ids=["results", "manifest", "report", "document", "html", "xlsx", "tex", "figures"])
def test_every_writer_refuses_unprotected_records(writer: Any, tmp_path: Path) -> None:
    for thing in _unprotected():
        with pytest.raises(ReportError, match=r"disclosure control|protect_results"):
            writer(thing, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_protected_records_pass_every_writer(tmp_path: Path) -> None:
    rec = Record(ESTIMATES, {"analysis": "area_did", "population": "all", "outcome": "employed",
                             "term": "active_plan", "estimate": 1.0, "n_obs": 3})
    published = protect_results(Results((rec,)))
    assert published.section("estimates")[0]["suppressed"] is True  # 3 < 5 persons
    write_results(published, tmp_path / "results.json")
    document = build_document(published, "da")
    for write, name in ((write_html, "r.html"), (write_xlsx, "t.xlsx"), (write_tex, "t.tex")):
        write(document, tmp_path / name)
    assert pd.read_json(tmp_path / "results.json", typ="series")["estimates"][0]["estimate"] \
        is None


def test_cohort_means_give_the_two_largest_contributions() -> None:
    """The pair share: two persons of one department, or the largest of two departments."""
    from boligeval.analyses.area_did import cohort_means

    data = pd.DataFrame({
        "cohort": ["g1", "g1"], "year": [2005, 2005], "value": [10.0, 10.0], "n": [4, 6],
        # amounts 40 and 60; largest persons 20 and 12; two largest 30 and 21
        "top_share": [0.5, 0.2], "top2_share": [0.75, 0.35],
    })
    (row,) = cohort_means(data, 0.05)
    assert row["top_share"] == pytest.approx(0.20)
    assert row["top2_share"] == pytest.approx(0.32)  # 20 + 12 beats 30
    data.loc[0, "top2_share"] = 0.9  # 36 in one department beats 32
    assert cohort_means(data, 0.05)[0]["top2_share"] == pytest.approx(0.36)
    assert cohort_means(data.drop(columns="top2_share"), 0.05)[0]["top2_share"] is None
