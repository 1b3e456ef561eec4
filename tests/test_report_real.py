"""The report built from a real small run's results.json (synth --scale 0.1, then run).

Checks what the hand-made fixture cannot: that the record shapes the
pipeline really writes (bacon's ``type``/``control``, att_aggregate's
``aggregation``, decomposition's ``component``, the event study's
``pretrend_wald``, survey cross-tabs with ``level``) come out as translated
labels in both languages, that every analysis in results.json has its table,
and that disclosure control holds on the real survey records.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from boligeval.cli import main
from boligeval.disclosure import DisclosureRules, protect_results
from boligeval.report import codebook_labels, write_report
from boligeval.report.i18n import label

# A whole synthetic evaluation behind every test here: CI's tier, not the fast one.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("real")
    runner = CliRunner()
    world = base / "world"
    res = runner.invoke(main, ["synth", "--out", str(world), "--scale", "0.1", "--seed", "7"])
    assert res.exit_code == 0, res.output
    cfg = base / "config.toml"
    cfg.write_text(f'[data]\ndir = "{world.as_posix()}"\n', encoding="utf-8")
    out = base / "out"
    res = runner.invoke(main, ["run", str(cfg), "--out", str(out), "--lang", "en"])
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture(scope="module")
def results(run_dir: Path) -> dict[str, Any]:
    return dict(json.loads((run_dir / "results.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def pages(run_dir: Path, results: dict[str, Any]) -> dict[str, str]:
    out = {"en": (run_dir / "report.html").read_text(encoding="utf-8")}
    codebook = pd.read_parquet(run_dir.parent / "world" / "codebook.parquet")
    paths = write_report(
        protect_results(results, DisclosureRules()),
        run_dir / "da",
        lang="da",
        meta={"labels": codebook_labels(codebook)},
    )
    out["da"] = paths.html.read_text(encoding="utf-8")
    return out


def _cells(page: str) -> list[str]:
    """Every table cell and caption of a page, as plain text."""
    found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>|<caption>(.*?)</caption>", page, re.S)
    return [html_lib.unescape(a or b) for a, b in found]


def test_every_analysis_in_results_has_its_table(
    results: dict[str, Any], pages: dict[str, str]
) -> None:
    analyses = {r["analysis"] for r in results["estimates"]}
    assert {"area_did", "individual_did", "att_gt", "att_aggregate", "bacon", "decomposition"} <= (
        analyses
    )
    for lang, page in pages.items():
        captions = " ".join(
            html_lib.unescape(c) for c in re.findall(r"<caption>(.*?)</caption>", page)
        )
        for a in analyses:
            assert label(lang, "analysis", a) in captions, (lang, a)
        survey = {r["analysis"] for r in results["survey"]}
        for a in survey - {"response_rates"}:
            assert label(lang, "analysis", a) in captions, (lang, a)


RAW_IDS = (
    "Treated vs Untreated",
    "Earlier vs Later Treated",
    "simple: overall",
    "dynamic: ",
    "pretrend",
    "Mbar=",
    "breakdown",
    "mde",
    "analytic power",
    "Intercept",
    "capital area x",
    "dont know",
    "high degree",
    "secretariat type",
    "municipal staff",
    "area did",
)


@pytest.mark.parametrize("lang", ["da", "en"])
def test_diagnostics_and_survey_labels_are_translated(pages: dict[str, str], lang: str) -> None:
    cells = _cells(pages[lang])
    text = "\n".join(cells)
    for raw in RAW_IDS:  # an id shown as it is starts a cell or a " – " part of one
        assert not re.search(rf"(?m)(^|– ){re.escape(raw)}", text), raw
    assert not [c for c in cells if re.search(r"\b[a-z]+_[a-z_]+\b", c)]  # no raw ids
    expect = {
        "da": ("Indsatsgrupper mod kontrolgruppen (aldrig helhedsplan)", "Samlet ændring",
               "Tilflyttere", "Konstant"),
        "en": ("Intervention groups vs the control group (never a plan)", "Total change",
               "In-movers", "Constant"),
    }[lang]
    for word in expect:
        assert word in text, word
    other = {"da": "Intervention groups vs the control group",
             "en": "Indsatsgrupper mod kontrolgruppen"}[lang]
    assert other not in text
    # survey items come with their codebook labels, not their ids
    assert (
        "Mange beboere uden for arbejdsmarkedet"
        if lang == "da"
        else "Many residents outside the labour market"
    ) in text


def test_page_uses_its_stylesheet_and_shows_no_empty_timestamp(pages: dict[str, str]) -> None:
    for page in pages.values():
        style = page.split("<style>", 1)[1].split("</style>", 1)[0]
        assert '"DejaVu Sans"' in style and "&#34;" not in style
        assert "Generated: </p>" not in page and "Dannet: </p>" not in page


def test_suppressed_survey_records_hold_no_count(results: dict[str, Any]) -> None:
    for rec in results["survey"]:
        if rec.get("suppressed"):
            assert rec.get("value") is None and rec.get("count") is None
            assert rec.get("mean") is None


def test_crosstab_level_below_min_hides_its_complement() -> None:
    def rec(level: str, cat: str, n: int, count: int) -> dict[str, Any]:
        return {
            "analysis": "crosstab",
            "actor": "project_leader",
            "wave": 2013,
            "subset": None,
            "item_id": "os_sparring",
            "group": "area_secretariat",
            "level": level,
            "category": cat,
            "statistic": "share",
            "n": n,
            "count": count,
            "value": 100.0 * count / n,
            "unit": "answer",
        }

    survey = [
        rec("no", "yes", 3, 1),
        rec("no", "no", 3, 2),
        rec("yes", "yes", 20, 12),
        rec("yes", "no", 20, 8),
    ]
    # a second organisation variable for the same item: its own table, untouched
    survey += [
        {**r, "group": "large_secretariat", "n": 30, "level": lv}
        for r, lv in zip(survey[2:], ("yes", "no"), strict=True)
    ]
    published = protect_results({"survey": survey}, DisclosureRules())
    out, log = published.as_json(), published.log
    got = [(r["group"], r["level"], r["category"], r["suppressed"]) for r in out["survey"]]
    assert got == [
        ("area_secretariat", "no", "yes", True),
        ("area_secretariat", "no", "no", True),
        ("area_secretariat", "yes", "yes", True),  # complementary: n of "no" = total - 20
        ("area_secretariat", "yes", "no", True),
        ("large_secretariat", "yes", "yes", False),
        ("large_secretariat", "no", "no", False),
    ]
    assert {(e["rule"], e["count"]) for e in log} == {("min_persons", 2), ("secondary", 2)}
    assert all(r["count"] is None for r in out["survey"][:4])
