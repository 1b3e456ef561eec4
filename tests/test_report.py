"""Report outputs: files, sheets, TeX sanity, language separation, formats, determinism."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from boligeval.disclosure import Published, find_identifiers, protect_results
from boligeval.errors import ReportError
from boligeval.report import ReportPaths, write_report
from boligeval.report.i18n import HEADINGS, fmt_int, fmt_num, label
from boligeval.report.tables import stars
from boligeval.write import tex_escape
from tests.builders.report_results import META, make_results

FIGURE_KEYS = (
    "trends_working_age_employed",
    "trends_households_equivalised_income",
    "coefficients",
    "event_study",
    "decomposition",
    "survey_actor",
    "challenge_change",
    "survey_result_area_actors",
    "survey_result_type_themes",
)
SECTION_IDS = (
    "summary",
    "design",
    "baseline",
    "effects",
    "rent_support",
    "movers",
    "diagnostics",
    "survey",
    "organisation",
    "methods",
)


@pytest.fixture(scope="module")
def protected(published_report_results: Published) -> Published:
    return published_report_results


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, protected: Any) -> dict[str, ReportPaths]:
    out = {}
    for lang in ("da", "en"):
        out[lang] = write_report(protected, tmp_path_factory.mktemp(lang), lang=lang, meta=META)
    return out


def _html(p: ReportPaths) -> str:
    return p.html.read_text(encoding="utf-8")


def test_files_and_figures_exist(reports: dict[str, ReportPaths]) -> None:
    for p in reports.values():
        assert p.html.is_file() and p.xlsx.is_file() and p.tex.is_file()
        names = {f.name for f in p.figures}
        for key in FIGURE_KEYS:
            assert f"{key}.svg" in names and f"{key}.png" in names
            assert (p.figures_dir / f"{key}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            assert b"<svg" in (p.figures_dir / f"{key}.svg").read_bytes()[:2000]
        # the in-mover cells (3 persons; one dominant person) were the only ones of their
        # figures: nothing left to draw
        assert not any(n.startswith("trends_in_movers") for n in names)


def test_every_section_present_and_toc_anchors_resolve(reports: dict[str, ReportPaths]) -> None:
    for p in reports.values():
        html = _html(p)
        ids = set(re.findall(r'\sid="([^"]+)"', html))
        for sid in SECTION_IDS:
            assert sid in ids
        toc = html.split('<nav class="toc"', 1)[1].split("</nav>", 1)[0]
        links = re.findall(r'href="#([^"]+)"', toc)
        assert len(links) > len(SECTION_IDS)
        assert set(links) <= ids
        assert len(re.findall(r'\sid="', html)) == len(ids)  # ids are unique


def test_html_is_self_contained(reports: dict[str, ReportPaths]) -> None:
    html = _html(reports["da"])
    assert "<script" not in html and "<link" not in html and "@import" not in html
    for m in re.finditer(r'(?:src|href)="([^"]*)"', html):
        assert m.group(1).startswith(("data:", "#")), m.group(1)
    assert "url(" not in html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert html.count("<img ") == len(FIGURE_KEYS)
    assert "@media print" in html


def test_seed_table_layout_and_number_formats(reports: dict[str, ReportPaths]) -> None:
    da, en = _html(reports["da"]), _html(reports["en"])
    # Table 4.2 of the seed: 0,79** (0,3); here p from the fixture's normal approximation gives ***
    assert "<td>0,79***</td>" in da and "<td>(0,30)</td>" in da
    assert "<td>0.79***</td>" in en and "<td>(0.30)</td>" in en
    assert "<td>768.546</td>" in da and "<td>768,546</td>" in en  # observations, individual level
    assert "<td>−5.548***</td>" in da and "<td>−5,548***</td>" in en
    for html, words in (
        (da, ("Antal boligafdelinger", "Antal helhedsplaner", "Justeret R²")),
        (en, ("Number of departments", "Number of plans", "Adjusted R²")),
    ):
        for w in words:
            assert f"<td>{w}</td>" in html
    # two models per outcome at the individual level: the population once, over both models
    assert 'colspan="2" class="group">Beboere i den erhvervsaktive alder</th>' in da
    assert '<th scope="col">Med tilflyttere</th>' in da
    assert 'colspan="2" class="group">Residents of working age</th>' in en
    assert '<th scope="col">Without in-movers</th>' in en


def test_column_groups_span_their_columns() -> None:
    from boligeval.report.tables import Row, Table

    def table(columns: tuple[str, ...], text_cols: int = 0) -> Table:
        return Table("t", "T", columns, (Row("a", ("1",) * len(columns)),), text_cols=text_cols)

    waves = table(("Projektledere – 2010", "Projektledere – 2013", "Kommuner – 2010",
                   "Kommuner – 2013", "Alle – 2013"))
    assert waves.column_groups == (
        (("Projektledere", 2), ("Kommuner", 2), ("Alle", 1)),
        ("2010", "2013", "2010", "2013", "2013"),
    )
    assert table(("A – x", "B – y")).column_groups is None          # no group spans two
    assert table(("A – x", "A – y", "Total")).column_groups is None  # not all grouped
    assert table(("A – x", "A – y"), text_cols=1).column_groups is None


def test_suppressed_cells_shown_with_footnote(reports: dict[str, ReportPaths]) -> None:
    da, en = _html(reports["da"]), _html(reports["en"])
    assert "<td>·</td>" in da and "<td>·</td>" in en
    assert "undertrykt af hensyn til diskretion" in da
    assert "suppressed for disclosure control" in en


def test_danish_and_english_pages_do_not_mix(reports: dict[str, ReportPaths]) -> None:
    da, en = _html(reports["da"]), _html(reports["en"])
    assert '<html lang="da">' in da and '<html lang="en">' in en
    for key in HEADINGS["en"]:
        assert HEADINGS["en"][key] not in da, key
        assert HEADINGS["da"][key] not in en, key
    for da_word, en_word in (("Tabel ", "Table "), ("Figur ", "Figure "), ("Kilde:", "Source:")):
        assert en_word not in re.sub(r"<[^>]+>", " ", da).replace("Tabel ", "")
        assert da_word not in en


def test_xlsx_has_one_sheet_per_table(reports: dict[str, ReportPaths]) -> None:
    for lang, p in reports.items():
        html = _html(p)
        wb = load_workbook(p.xlsx)
        assert len(wb.sheetnames) == html.count("<table")
        assert len(set(wb.sheetnames)) == len(wb.sheetnames)
        first = wb[wb.sheetnames[0]]
        assert str(first["A1"].value).startswith("Tabel 1." if lang == "da" else "Table 1.")
        values = [c.value for ws in wb for row in ws.iter_rows() for c in row]
        assert 0.79 in values and "***" in values  # numbers as numbers, stars in own cells


def _strip_escaped(tex: str) -> str:
    return re.sub(r"\\[{}]", "", tex)


def test_tex_is_syntactically_sane(reports: dict[str, ReportPaths]) -> None:
    for p in reports.values():
        tex = p.tex.read_text(encoding="utf-8")
        depth = 0
        for ch in _strip_escaped(tex):
            depth += ch == "{"
            depth -= ch == "}"
            assert depth >= 0
        assert depth == 0
        begins = re.findall(r"\\begin\{(\w+)\}", tex)
        ends = re.findall(r"\\end\{(\w+)\}", tex)
        assert sorted(begins) == sorted(ends)
        assert tex.count("\\begin{table}") == p.html.read_text(encoding="utf-8").count("<table")
        assert tex.count("$") % 2 == 0
        body = tex.split("\\begin{document}", 1)[1]
        assert not re.search(r"(?<!\\)[%#_]", body.replace("\\%", "")), (
            "unescaped special character"
        )
        assert "−" not in tex and "·" not in tex


@pytest.mark.slow
def test_output_is_deterministic(tmp_path: Path, protected: Any) -> None:
    a = write_report(protected, tmp_path / "a", lang="en", meta=META)
    b = write_report(protected, tmp_path / "b", lang="en", meta=META)
    files_a = sorted(
        q.relative_to(tmp_path / "a") for q in (tmp_path / "a").rglob("*") if q.is_file()
    )
    files_b = sorted(
        q.relative_to(tmp_path / "b") for q in (tmp_path / "b").rglob("*") if q.is_file()
    )
    assert files_a == files_b and len(files_a) == 4 + 2 * len(FIGURE_KEYS)
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    later = "2025-01-02T03:04:05Z"
    c = write_report(protected, tmp_path / "c", lang="en", meta={**META, "timestamp": later})
    html_a, html_c = a.html.read_text(encoding="utf-8"), c.html.read_text(encoding="utf-8")
    assert html_a != html_c
    assert (
        html_c.replace(later, META["timestamp"]) == html_a
    )  # the timestamp is the only difference
    assert b.tex.read_bytes() == c.tex.read_bytes()


def test_register_only_and_survey_only_runs(tmp_path: Path, protected: Any) -> None:
    res = make_results()
    register_only = protect_results({k: v for k, v in res.items() if k != "survey"})
    p = write_report(register_only, tmp_path / "reg", lang="da", meta=META)
    html = _html(p)
    assert 'id="effects"' in html and 'id="survey"' not in html and 'id="organisation"' not in html
    survey_only = protect_results({"survey": res["survey"]})
    q = write_report(survey_only, tmp_path / "srv", lang="en", meta=META)
    html = _html(q)
    assert 'id="survey"' in html and 'id="organisation"' in html
    for absent in ("effects", "baseline", "rent_support", "movers", "diagnostics", "design"):
        assert f'id="{absent}"' not in html
    assert {f.name for f in q.figures} == {
        "survey_actor.svg",
        "survey_actor.png",
        "challenge_change.svg",
        "challenge_change.png",
        "survey_result_area_actors.svg",
        "survey_result_area_actors.png",
        "survey_result_type_themes.svg",
        "survey_result_type_themes.png",
    }


def test_refuses_unprotected_results_and_unknown_language(tmp_path: Path, protected: Any) -> None:
    with pytest.raises(ReportError, match="protect_results"):
        write_report(make_results(), tmp_path, lang="da", meta=META)
    with pytest.raises(ReportError, match="language"):
        write_report(protected, tmp_path, lang="de", meta=META)


def test_outputs_hold_no_person_ids(reports: dict[str, ReportPaths]) -> None:
    ids = ["P000123456", "H00098765", "P000123457"]
    for p in reports.values():
        assert find_identifiers([p.html.parent], ids) == []


def test_number_formats_and_labels() -> None:
    assert fmt_num(1234.5, 2, "da") == "1.234,50"
    assert fmt_num(1234.5, 2, "en") == "1,234.50"
    assert fmt_num(-0.001, 2, "da") == "0,00"
    assert fmt_num(-2.5, 1, "en") == "−2.5"
    assert fmt_int(768546, "da") == "768.546"
    assert fmt_num(None, 2, "da") == ""
    assert label("da", "term", "year_2007") == "År 2007"
    assert label("en", "term", "cohort_g1") == "Intervention group 1 at baseline"
    assert label("en", "item", "youth_gangs") == "youth gangs"
    with pytest.raises(ReportError):
        fmt_num(1.0, 1, "sv")


def test_stars_and_tex_escape() -> None:
    assert [stars(p) for p in (0.009, 0.01, 0.049, 0.05, 0.099, 0.1, None)] == [
        "***",
        "**",
        "**",
        "*",
        "*",
        "",
        "",
    ]
    assert tex_escape("a_b & 50% {x} · −1 ψ") == r"a\_b \& 50\% \{x\} $\cdot$ $-$1 $\psi$"
