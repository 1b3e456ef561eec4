"""tables.xlsx read back with openpyxl: numbers are numbers, stars in their own cells."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from boligeval.disclosure import Published
from boligeval.report import write_report
from boligeval.write.xlsx import parse_cell
from tests.builders.report_results import META


@pytest.mark.parametrize(
    ("cell", "lang", "expected"),
    [
        ("−4,16***", "da", (-4.16, "0.00", "***")),
        ("(0,51)", "da", (0.51, "(0.00)", "")),
        ("444.597", "da", (444597, "#,##0", "")),
        ("444,597", "en", (444597, "#,##0", "")),
        ("1,234.5*", "en", (1234.5, "#,##0.0", "*")),
        ("n = 148", "da", (148, '"n = "0', "")),
        ("0,267", "da", (0.267, "0.000", "")),
        ("·", "da", ("·", None, "")),
        ("[0,87; 2,64]", "da", ("[0,87; 2,64]", None, "")),
        ("F = 0,36 (fg. 1)", "da", ("F = 0,36 (fg. 1)", None, "")),
    ],
)
def test_parse_cell(cell: str, lang: str, expected: tuple[object, object, str]) -> None:
    value, fmt, stars = parse_cell(cell, lang)
    assert (value, fmt, stars) == expected
    assert type(value) is type(expected[0])


@pytest.mark.parametrize("lang", ["da", "en"])
def test_estimates_read_back_as_numbers(
    published_report_results: Published, tmp_path: Path, lang: str
) -> None:
    """The area-level DiD of all residents' employment: 0.79*** (0.30), 518 departments."""
    paths = write_report(published_report_results, tmp_path, lang=lang, meta=META)
    wb = load_workbook(paths.xlsx)
    sheet = next(ws for ws in wb.worksheets if ws.title.endswith("area_did_employed"))
    title = str(sheet.cell(row=1, column=1).value)
    assert title.startswith(("Tabel", "Table"))
    cells = {(c.row, c.column): c for row in sheet.iter_rows() for c in row}
    estimate = next(c for c in cells.values() if c.value == 0.79)
    assert isinstance(estimate.value, float) and estimate.number_format == "0.00"
    stars = cells[(estimate.row, estimate.column + 1)]
    assert stars.value == "***"
    header = cells[(3, estimate.column + 1)].value
    assert header in ("Signifikans", "Significance")
    se = cells[(estimate.row + 1, estimate.column)]
    assert se.value == pytest.approx(0.3) and se.number_format == "(0.00)"
    departments = [c for c in cells.values() if c.column == estimate.column and c.value == 518]
    assert departments and isinstance(departments[0].value, int)
    # every numeric-looking cell of every sheet is a number, and notes are kept
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=4):
            for c in row[1:]:
                if isinstance(c.value, str):
                    assert parse_cell(c.value, lang)[1] is None, (ws.title, c.coordinate, c.value)
    notes = [str(c.value) for c in sheet["A"] if c.value]
    assert any("CR1" in n for n in notes)
