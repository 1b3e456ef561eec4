"""The process-evaluation chapter in the report: both languages, HTML and docx."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from boligeval.disclosure import protect_results
from boligeval.report import write_report
from boligeval.report.i18n import text
from tests.builders.case_results import case_records
from tests.builders.report_results import META, make_results


def _results(**kwargs: bool) -> dict:
    results = make_results()
    results["survey"] = results["survey"] + case_records(**kwargs)
    return results


@pytest.mark.parametrize("lang", ["da", "en"])
def test_chapter_in_html_and_docx(tmp_path: Path, lang: str) -> None:
    paths = write_report(protect_results(_results()), tmp_path, lang=lang, meta=META)
    html = Path(paths.html).read_text(encoding="utf-8")
    other = "en" if lang == "da" else "da"
    assert text(lang, "process") in html and text(other, "process") not in html
    for key in ("case_matrix_title", "case_typology_title", "case_models_title"):
        assert text(lang, key) in html
    assert 'class="heat4"' in html  # the matrix is a heat map
    docx = next(p for p in tmp_path.rglob("*.docx"))
    with zipfile.ZipFile(docx) as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert text(lang, "process") in body
    assert text(lang, "case_matrix_title") in body
    assert 'w:fill="8FB2D4"' in body  # the heat map is shaded in Word too


def test_no_excerpt_unless_asked(tmp_path: Path) -> None:
    quiet = protect_results(_results())
    assert not [r for r in quiet.section("survey") if r.get("category") == "excerpt"]
    loud = protect_results(_results(publish_excerpts=True))
    quotes = [r for r in loud.section("survey") if r.get("category") == "excerpt"]
    assert quotes and all(r.get("role") and r.get("wave") for r in quotes)
    assert all(r.get("case") is None for r in quotes)
    paths = write_report(loud, tmp_path, lang="da", meta=META)
    html = Path(paths.html).read_text(encoding="utf-8")
    assert quotes[0]["value"] in html


@pytest.mark.slow
def test_demo_report_has_the_process_chapter(tmp_path: Path) -> None:
    import json

    from boligeval.run import run_demo

    result = run_demo(tmp_path / "demo", scale=0.3, lang="en")
    html = (tmp_path / "demo" / "report.html").read_text(encoding="utf-8")
    assert text("en", "process") in html
    assert text("en", "case_matrix_title") in html
    assert text("en", "case_links_title").format(theme="steering") in html
    results = json.loads((tmp_path / "demo" / "results.json").read_text(encoding="utf-8"))
    ids = {r.get("analysis") for r in results["survey"]}
    assert {"case_selection", "case_matrix", "case_typology", "case_links"} <= ids
    # the typology reaches the survey cross-tabs as a plan attribute
    assert any(r.get("analysis") == "crosstab" and r.get("group") == "case_secretariat_type"
               for r in results["survey"]) or any(
        "case_secretariat_type" in json.dumps(r) for r in results["survey"]
        if r.get("analysis") == "crosstab")
    assert result.paths


def test_concordance_finds_tables_6_1_and_10_1() -> None:
    from boligeval.report.document import build_document

    doc = build_document(protect_results(_results()), "en", meta=META)
    table = doc.sections[-1].blocks[0].table
    assert table is not None
    where = {r.label: r.cells[1] for r in table.rows}
    assert where["Table 6.1"].startswith("Table ")
    assert where["Table 10.1"].startswith("Table ")
