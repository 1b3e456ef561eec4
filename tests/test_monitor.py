"""``boligeval monitor``: profiles, disclosure control in them, and the command on a world."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from boligeval.cli import main
from boligeval.disclosure import SUPPRESSED_MARK, protect_results
from boligeval.monitor import INDICATORS, write_monitor
from boligeval.records import AREAS, Record, Results


def _indicators(kind: str, unit: str, year: int, **values: float) -> list[Record]:
    out = []
    for name, value in values.items():
        ind_kind = INDICATORS[name]
        fields = {"analysis": "monitor", "table": "indicator", "unit_kind": kind,
                  "unit_id": unit, "year": year, "indicator": name, "kind": ind_kind,
                  "value": value, "n": value if ind_kind == "count" else values["residents"]}
        if name.startswith("age_"):
            fields["margin"] = f"{kind}|{unit}|{year}"
        if ind_kind == "amount":
            fields |= {"top_share": 0.01, "top2_share": 0.02}
        out.append(Record(AREAS, fields))
    return out


def hand_results() -> Results:
    """Area A1 (1,200 residents, one age group of 3), plan P1 with 3 residents, municipality."""
    recs: list[Record] = []
    for year in (2020, 2021):
        recs += _indicators("area", "A1", year, residents=1200, age_0_17=3, age_18_29=297,
                            age_30_64=600, age_65_plus=300, employed=61.5,
                            disposable_income=187_654.0)
        recs += _indicators("plan", "P1", year, residents=3, age_0_17=1, age_18_29=1,
                            age_30_64=1, age_65_plus=0, employed=50.0)
        recs += _indicators("municipality", "0101", year, residents=1203, age_0_17=4,
                            age_18_29=298, age_30_64=601, age_65_plus=300)
    return Results(records=tuple(recs))


PLANS = pd.DataFrame({"plan_id": ["P1"], "start_year": [2019], "end_year": [2022]})
UNITS = pd.DataFrame({"department_id": ["D1", "D2"], "plan_id": ["P1", "P1"],
                      "area_id": ["A1", None], "municipality": ["0101", "0101"],
                      "region": ["1084", "1084"]})


@pytest.fixture(scope="module", params=["da", "en"])
def pages(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp(f"monitor-{request.param}")
    counts, too_small = write_monitor(protect_results(hand_results()), PLANS, UNITS, out,
                                      request.param)
    return out, counts, too_small, request.param


def _cells(page: str, row_label: str) -> list[str]:
    row = re.search(rf"<tr><td>{re.escape(row_label)}</td>(.*?)</tr>", page)
    assert row, row_label
    return re.findall(r"<td>(.*?)</td>", row.group(1))


def test_every_unit_has_a_profile_and_every_link_resolves(pages) -> None:
    out, counts, too_small, _ = pages
    assert counts == {"area": 1, "plan": 1, "municipality": 1}
    assert too_small == 1
    for kind, unit in (("area", "A1"), ("plan", "P1"), ("municipality", "0101")):
        assert (out / "profiles" / kind / f"{unit}.html").is_file()
        assert zipfile.is_zipfile(out / "profiles" / kind / f"{unit}.docx")
    assert (out / "municipalities" / "0101.html").is_file()
    for page in out.rglob("*.html"):
        for href in re.findall(r'href="([^"]+)"', page.read_text(encoding="utf-8")):
            assert (page.parent / href).resolve().is_file(), (page, href)


def test_a_small_group_is_hidden_with_a_second_one(pages) -> None:
    out, _, _, lang = pages
    page = (out / "profiles" / "area" / "A1.html").read_text(encoding="utf-8")
    young = "0-17 år" if lang == "da" else "Aged 0-17"
    old = "65 år og derover" if lang == "da" else "Aged 65 and over"
    middle = "18-29 år" if lang == "da" else "Aged 18-29"
    # 3 children: hidden; the smallest other group (297 aged 18-29) is hidden too, so the
    # children cannot be recovered as 1,200 - 297 - 600 - 300.
    assert _cells(page, young) == [SUPPRESSED_MARK, SUPPRESSED_MARK]
    assert _cells(page, middle) == [SUPPRESSED_MARK, SUPPRESSED_MARK]
    assert _cells(page, old) == ["300", "300"]
    assert "1.200" in page if lang == "da" else "1,200" in page


def test_a_profile_with_too_few_residents_shows_no_numbers(pages) -> None:
    out, _, _, lang = pages
    page = (out / "profiles" / "plan" / "P1.html").read_text(encoding="utf-8")
    assert "<table" not in page
    assert ("For få beboere" if lang == "da" else "Too few residents") in page
    assert "2019–2022" in page  # the plan's active years are plan records, not persons
    with zipfile.ZipFile(out / "profiles" / "plan" / "P1.docx") as z:
        document = z.read("word/document.xml").decode()
    assert "<w:tbl>" not in document


def test_published_monitor_records_hold_no_small_count() -> None:
    published = protect_results(hand_results())
    for rec in published.records("monitor"):
        if rec["kind"] == "count" and not rec["suppressed"]:
            assert rec["value"] >= 5 and rec["n"] >= 5
        if rec["suppressed"]:
            assert rec["value"] is None and rec["n"] is None
        assert "margin" not in rec and "top_share" not in rec


@pytest.mark.slow
def test_monitor_on_a_world_writes_every_profile(tmp_path: Path) -> None:
    runner = CliRunner()
    world = tmp_path / "world"
    result = runner.invoke(main, ["synth", "--out", str(world), "--scale", "0.1", "--seed", "3"])
    assert result.exit_code == 0, result.output
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[data]\ndir = "{world.as_posix()}"\n', encoding="utf-8")
    out = tmp_path / "monitor"
    result = runner.invoke(main, ["monitor", str(cfg), "--out", str(out)])
    assert result.exit_code == 0, result.output
    depts = pd.read_parquet(world / "departments.parquet")
    plans = pd.read_parquet(world / "plans.parquet")
    munis = set(depts["municipality"].dropna()) | set(plans["municipality"])
    assert {p.stem for p in (out / "profiles" / "area").glob("*.html")} == set(
        depts["area_id"].dropna())
    assert {p.stem for p in (out / "profiles" / "plan").glob("*.html")} == set(
        depts["plan_id"])
    assert {p.stem for p in (out / "profiles" / "municipality").glob("*.html")} <= munis
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == "monitor"
    # A second run does not replace the folder unless asked.
    again = runner.invoke(main, ["monitor", str(cfg), "--out", str(out)])
    assert again.exit_code == 2 and "--overwrite" in again.output
    assert runner.invoke(main, ["monitor", str(cfg), "--out", str(out),
                                "--overwrite"]).exit_code == 0
    # Without reference figures the areas are not classified: one clear message, exit 2.
    (world / "reference.parquet").unlink()
    failed = runner.invoke(main, ["monitor", str(cfg), "--out", str(tmp_path / "m2")])
    assert failed.exit_code == 2
    assert "reference" in failed.output and not (tmp_path / "m2").exists()


def test_a_unit_differing_from_a_nested_one_by_few_residents_is_withheld() -> None:
    """Area X (D1) inside plan P (D1, D2): 2 more residents in 2021 would be recoverable."""
    from boligeval.monitor import _differencing

    units = pd.DataFrame({"department_id": ["D1", "D1", "D2"],
                          "unit_kind": ["area", "plan", "plan"], "unit_id": ["X", "P", "P"]})
    frame = pd.DataFrame({"unit_kind": ["area", "plan", "area", "plan"],
                          "unit_id": ["X", "P", "X", "P"], "year": [2020, 2020, 2021, 2021],
                          "residents": [1000, 1040, 1000, 1002]})
    assert _differencing(units, frame, 5) == {("plan", "P", 2021)}
    assert _differencing(units, frame, 2) == set()
