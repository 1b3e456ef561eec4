"""report.docx read back with python-docx: the HTML report's sections, tables and figures.

LibreOffice, when installed, converts it to PDF and renders a page as an image.
"""

from __future__ import annotations

import html as html_lib
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest

from boligeval.disclosure import Published
from boligeval.errors import ReportError
from boligeval.report import ReportPaths, write_report
from tests.builders.report_results import META


@pytest.fixture(scope="module")
def reports(
    tmp_path_factory: pytest.TempPathFactory, published_report_results: Published
) -> dict[str, ReportPaths]:
    out = {}
    for lang in ("da", "en"):
        out[lang] = write_report(published_report_results, tmp_path_factory.mktemp(lang),
                                 lang=lang, meta=META)
    return out


def _html_captions(path: Path) -> list[str]:
    page = path.read_text(encoding="utf-8")
    return [html_lib.unescape(c) for c in re.findall(r"<caption>(.*?)</caption>", page)]


def _docx_captions(path: Path) -> list[str]:
    d = docx.Document(str(path))
    return [p.text for p in d.paragraphs if re.match(r"^(Tabel|Table) \d+\. ", p.text)]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_docx_has_every_table_of_the_html(reports: dict[str, ReportPaths], lang: str) -> None:
    """Same table captions, in the same order, and one Word table per caption."""
    p = reports[lang]
    assert p.docx == p.html.parent / "report.docx"
    html_caps = _html_captions(p.html)
    docx_caps = _docx_captions(p.docx)
    assert html_caps and docx_caps == html_caps
    d = docx.Document(str(p.docx))
    assert len(d.tables) == len(html_caps)


@pytest.mark.parametrize("lang", ["da", "en"])
def test_docx_tables_hold_the_html_cells_and_notes(
    reports: dict[str, ReportPaths], lang: str
) -> None:
    """The area-level DiD of employment: 0.79*** over (0.30), as in the HTML; notes kept."""
    d = docx.Document(str(reports[lang].docx))
    cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
    mark = "0,79***" if lang == "da" else "0.79***"
    se = "(0,30)" if lang == "da" else "(0.30)"
    assert mark in cells and se in cells
    assert "·" in cells  # suppressed values stay suppressed
    text = "\n".join(p.text for p in d.paragraphs)
    assert "CR1" in text
    html = reports[lang].html.read_text(encoding="utf-8")
    for t in d.tables:
        for c in t.rows[0].cells:
            assert html_lib.escape(c.text, quote=False) in html


@pytest.mark.parametrize("lang", ["da", "en"])
def test_docx_sections_and_figures_match_the_html(
    reports: dict[str, ReportPaths], lang: str
) -> None:
    p = reports[lang]
    page = p.html.read_text(encoding="utf-8")
    html_heads = [html_lib.unescape(h) for h in re.findall(r"<h2>(\d+\..*?)</h2>", page)]
    d = docx.Document(str(p.docx))
    heads = [q.text for q in d.paragraphs if q.style is not None
             and q.style.name == "Heading 1"]
    assert heads == html_heads
    n_fig = len(re.findall(r"<figure ", page))
    with zipfile.ZipFile(p.docx) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
    assert n_fig > 0 and len(d.inline_shapes) == n_fig
    assert all(n.endswith(".png") for n in media)
    # the chosen language throughout: a Danish report has no English captions
    caps = _docx_captions(p.docx)
    assert all(c.startswith("Tabel " if lang == "da" else "Table ") for c in caps)


@pytest.mark.slow
def test_docx_is_deterministic(tmp_path: Path, published_report_results: Published) -> None:
    a = write_report(published_report_results, tmp_path / "a", lang="da", meta=META)
    b = write_report(published_report_results, tmp_path / "b", lang="da", meta=META)
    assert a.docx.read_bytes() == b.docx.read_bytes()


def _template(path: Path) -> Path:
    """A house template: its own heading font, a header text and a body to be replaced."""
    t = docx.Document()
    t.styles["Heading 1"].font.name = "Georgia"
    t.sections[0].header.paragraphs[0].text = "Instituttets brevpapir"
    t.add_paragraph("Skabelonens eksempeltekst")
    t.save(str(path))
    return path


@pytest.mark.slow
def test_docx_on_a_template(tmp_path: Path, published_report_results: Published) -> None:
    """The template's styles and header are kept; its body text is replaced by the report."""
    template = _template(tmp_path / "house.docx")
    meta: dict[str, Any] = {**META, "docx_template": str(template)}
    paths = write_report(published_report_results, tmp_path / "out", lang="da", meta=meta)
    d = docx.Document(str(paths.docx))
    assert d.styles["Heading 1"].font.name == "Georgia"
    assert d.sections[0].header.paragraphs[0].text == "Instituttets brevpapir"
    body = [p.text for p in d.paragraphs]
    assert "Skabelonens eksempeltekst" not in body
    assert _docx_captions(paths.docx) == _html_captions(paths.html)


@pytest.mark.slow
def test_docx_template_dotx_and_bad_template(
    tmp_path: Path, published_report_results: Published
) -> None:
    template = _template(tmp_path / "house.docx")
    dotx = tmp_path / "house.dotx"
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(dotx, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                body = body.replace(b"document.main+xml", b"template.main+xml")
            dst.writestr(info, body)
    paths = write_report(published_report_results, tmp_path / "out", lang="en",
                         meta={**META, "docx_template": str(dotx)})
    assert docx.Document(str(paths.docx)).sections[0].header.paragraphs[0].text == (
        "Instituttets brevpapir")
    with pytest.raises(ReportError, match="does not exist"):
        write_report(published_report_results, tmp_path / "x", lang="en",
                     meta={**META, "docx_template": str(tmp_path / "missing.docx")})
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ReportError, match="not a Word document"):
        write_report(published_report_results, tmp_path / "y", lang="en",
                     meta={**META, "docx_template": str(bad)})


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.slow
@pytest.mark.skipif(_soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_docx_converts_to_pdf_with_libreoffice(
    reports: dict[str, ReportPaths], tmp_path: Path
) -> None:
    """LibreOffice converts report.docx to PDF; page 1 rendered as PNG is not blank."""
    soffice = _soffice()
    assert soffice is not None
    profile = tmp_path / "profile"
    run = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(reports["da"].docx)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    pdf = tmp_path / "report.pdf"
    assert run.returncode == 0 and pdf.exists(), run.stderr
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages > 3
    # a page as an image (LibreOffice without a GUI cannot export PNG; poppler renders the PDF)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("PDF checked; pdftoppm (poppler-utils) is needed to check a page as an image")
    subprocess.run([pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True, timeout=120)
    png = next(tmp_path.glob("page*.png"))
    from PIL import Image

    img = Image.open(io.BytesIO(png.read_bytes())).convert("L")
    width, height = img.size
    assert height > width  # a portrait A4 page
    lo, hi = img.getextrema()
    assert hi - lo > 100  # text on the page, not a blank sheet
    dark = sum(img.histogram()[:128]) / (width * height)
    assert 0.002 < dark < 0.5
