"""Coded-segment exports of MAXQDA and NVivo read into the case_codes table.

The fixtures follow the layouts described in docs/cases.md ("Exports"): no
export from the real programs was available, so the headers are those the
programs' documentation names, and the readers match them without case.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from boligeval.cases import read_coded_segments
from boligeval.cases.exports import split_path
from boligeval.config import parse_config
from boligeval.errors import CaseError, ConfigError

DOCUMENTS = pd.DataFrame({
    "document": ["Interview projektleder 2010", "Interview projektleder 2013", "Referat styregruppe"],
    "case_id": ["A", "A", "B"],
    "round": ["2010", "2013", "2013"],
    "source_id": ["s1", "s1", "s2"],
})
CODES = pd.DataFrame({
    "path": ["Styring\\Strategisk\\Mandat", "Koordinering\\Udførende\\Formel",
             "Samarbejde\\Tillid"],
    "code": ["oms_clear_mandate", "formal_coordination", "openness_trust"],
    "valence": ["", "", "neutral"],
})

# MAXQDA's coded-segments table: one row per segment, the document's group and name,
# the code path (">" or "\\" between levels), the segment's position and text,
# coder and date.
MAXQDA = pd.DataFrame({
    "Color": ["#ff0000", "#00ff00", "#ff0000", "#0000ff"],
    "Document group": ["Case A", "Case A", "Case A", "Case B"],
    "Document name": ["Interview projektleder 2010", "Interview projektleder 2010",
                      "Interview projektleder 2013", "Referat styregruppe"],
    "Code": ["Styring > Strategisk > Mandat > Barriere",
             "Koordinering > Udførende > Formel > Drivkraft",
             "Styring\\Strategisk\\Mandat\\Drivkraft",
             "Samarbejde > Tillid"],
    "Begin": ["12", "40", "3", "1"],
    "End": ["14", "41", "5", "2"],
    "Weight score": ["0", "0", "0", "0"],
    "Segment": ["Vi har ikke mandat.", "Driftsgruppen mødes hver uge.", "", "Tillid vokser."],
    "Comment": ["", "", "", ""],
    "Created by": ["coder", "coder", "coder", "coder"],
    "Created": ["01-03-2013 10:00", "01-03-2013 10:05", "02-03-2013 09:00",
                "05-03-2013 11:00"],
})

# NVivo's coding extract: one row per coding reference, the source, the node's
# hierarchical name (levels separated by "\\") and the coded text.
NVIVO = pd.DataFrame({
    "Hierarchical Name": ["Nodes\\\\Styring\\Strategisk\\Mandat\\Barriere",
                          "Koordinering\\Udførende\\Formel\\Drivkraft"],
    "Source": ["Interview projektleder 2010", "Referat styregruppe"],
    "Coded Text": ["Vi har ikke mandat.", "Vi koordinerer formelt."],
})

EXPECTED_MAXQDA = pd.DataFrame({
    "case_id": ["A", "A", "A", "B"],
    "round": [2010, 2010, 2013, 2013],
    "source_id": ["s1", "s1", "s1", "s2"],
    "code": ["oms_clear_mandate", "formal_coordination", "oms_clear_mandate", "openness_trust"],
    "valence": ["barrier", "driver", "driver", "neutral"],
    "excerpt": ["Vi har ikke mandat.", "Driftsgruppen mødes hver uge.", None, "Tillid vokser."],
})


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_maxqda_coded_segments(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"segments{suffix}"
    if suffix == ".xlsx":
        MAXQDA.to_excel(path, index=False)
    else:
        MAXQDA.to_csv(path, index=False, sep=";")
    got = read_coded_segments(path, "maxqda", DOCUMENTS, CODES)
    pd.testing.assert_frame_equal(got, EXPECTED_MAXQDA, check_dtype=False)


def test_nvivo_coding_extract(tmp_path: Path) -> None:
    path = tmp_path / "coding.xlsx"
    NVIVO.to_excel(path, index=False)
    codes = pd.concat([CODES, pd.DataFrame({"path": ["Nodes\\Styring\\Strategisk\\Mandat"],
                                             "code": ["oms_clear_mandate"], "valence": [""]})])
    got = read_coded_segments(path, "nvivo", DOCUMENTS, codes)
    assert got[["case_id", "round", "source_id", "code", "valence"]].values.tolist() == [
        ["A", 2010, "s1", "oms_clear_mandate", "barrier"],
        ["B", 2013, "s2", "formal_coordination", "driver"],
    ]


def test_paths_split_at_both_separators() -> None:
    assert split_path("Styring > Strategisk > Mandat") == ["Styring", "Strategisk", "Mandat"]
    assert split_path("Styring\\Strategisk\\Mandat") == ["Styring", "Strategisk", "Mandat"]


def test_unmapped_documents_and_codes_are_counted_not_quoted(tmp_path: Path) -> None:
    path = tmp_path / "segments.csv"
    MAXQDA.to_csv(path, index=False)
    with pytest.raises(CaseError, match="export_document") as info:
        read_coded_segments(path, "maxqda", DOCUMENTS.iloc[:2], CODES)
    assert "Referat" not in str(info.value)
    with pytest.raises(CaseError, match="export_code") as info:
        read_coded_segments(path, "maxqda", DOCUMENTS, CODES.iloc[:2])
    assert "Tillid" not in str(info.value)
    MAXQDA.drop(columns=["Code"]).to_csv(path, index=False)
    with pytest.raises(CaseError, match="export_column"):
        read_coded_segments(path, "maxqda", DOCUMENTS, CODES)


def test_config_needs_both_mappings(tmp_path: Path) -> None:
    raw = {"data": {"dir": "data"}, "cases": {"export": "segments.xlsx"}}
    with pytest.raises(ConfigError, match="export_documents"):
        parse_config(raw, base=tmp_path)
    raw["cases"] |= {"export_documents": "docs.csv", "export_codes": "codes.csv",
                     "export_tool": "nvivo"}
    cfg = parse_config(raw, base=tmp_path)
    assert cfg.cases.export == (tmp_path / "segments.xlsx").resolve()
    raw["cases"]["export_tool"] = "atlas"
    with pytest.raises(ConfigError, match="export_tool"):
        parse_config(raw, base=tmp_path)
