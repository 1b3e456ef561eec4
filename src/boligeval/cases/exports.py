"""Readers of the coded-segment exports of qualitative-analysis programs.

MAXQDA exports its coded segments (the "Retrieved Segments" / "Overview of
Coded Segments" table) as Excel or CSV, one row per coded segment with the
document, its group, the code and the segment's text; NVivo's coding
extracts list, per coding reference, the source and the node's hierarchical
name. In both, a code is a path such as ``Styring\\Strategisk\\Mandat``
(MAXQDA also writes ``Styring > Strategisk > Mandat``).

A reader turns an export into the contract's ``case_codes`` table with two
mappings the user writes once: documents to case sources (``document,
case_id, round, source_id``) and code paths to codebook codes (``path, code``
and optionally ``valence``). A path element that names a valence
(``Drivkraft``, ``Barriere``, ``Driver``, ``Barrier``, ...) sets the
segment's valence and is dropped from the path. docs/cases.md says which
layouts were checked against which documentation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from boligeval.errors import CaseError

__all__ = ["HEADERS", "VALENCE_WORDS", "read_coded_segments", "split_path"]

#: Header names of each program's export, by the field boligeval needs; the
#: first of each list that the file has is used (matched without case).
HEADERS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "maxqda": {
        "document": ("Document name", "Dokumentname", "Document"),
        "code": ("Code", "Code path"),
        "excerpt": ("Segment", "Preview", "Text"),
    },
    "nvivo": {
        "document": ("Source", "Name", "File", "Files", "Source Name"),
        "code": ("Hierarchical Name", "Node", "Code", "Codes", "Node Hierarchical Name"),
        "excerpt": ("Coded Text", "Reference", "Text"),
    },
}

#: Path elements that name a valence (matched without case).
VALENCE_WORDS: Mapping[str, str] = {
    "drivkraft": "driver", "drivkræfter": "driver", "driver": "driver", "drivers": "driver",
    "barriere": "barrier", "barrierer": "barrier", "barrier": "barrier",
    "barriers": "barrier", "neutral": "neutral", "neutrale": "neutral",
}


def split_path(path: str) -> list[str]:
    """A code path's elements: split at ``\\`` (NVivo, MAXQDA) or ``>`` (MAXQDA)."""
    parts = re.split(r"\s*(?:\\|>)\s*", str(path).strip())
    return [p.strip() for p in parts if p.strip()]


def _column(frame: pd.DataFrame, names: tuple[str, ...], what: str, file: Path) -> str:
    lower = {str(c).strip().lower(): c for c in frame.columns}
    for name in names:
        if name.lower() in lower:
            return str(lower[name.lower()])
    raise CaseError(
        f"{file}: the export has no {what} column (looked for {', '.join(names)}); rule "
        "'export_column'. How to fix: export the coded segments with that column (docs/cases.md "
        "lists the header names read).")


def _read(file: Path) -> pd.DataFrame:
    if not file.is_file():
        raise CaseError(f"{file}: the export does not exist; rule 'missing_file'.")
    suffix = file.suffix.lower()
    if suffix in (".xlsx", ".xls"):
        return pd.read_excel(file, dtype=str)
    if suffix in (".csv", ".txt"):
        for sep in (",", ";", "\t"):
            frame = pd.read_csv(file, dtype=str, sep=sep, keep_default_na=False,
                                encoding="utf-8-sig")
            if frame.shape[1] > 1:
                return frame
        return frame
    raise CaseError(f"{file}: exports are read as .xlsx or .csv, not '{suffix}'; "
                    "rule 'file_format'.")


def read_coded_segments(
    file: str | Path,
    tool: str,
    documents: pd.DataFrame,
    codes: pd.DataFrame,
) -> pd.DataFrame:
    """Read a MAXQDA or NVivo coded-segment export into the ``case_codes`` table.

    Parameters
    ----------
    file : str or Path
        The export (.xlsx or .csv).
    tool : {"maxqda", "nvivo"}
        The program that wrote it (its header names, :data:`HEADERS`).
    documents : pandas.DataFrame
        ``document, case_id, round, source_id``: which case source each
        exported document is.
    codes : pandas.DataFrame
        ``path, code`` and optionally ``valence``: the codebook code of each
        code path (without its valence element).

    Returns
    -------
    pandas.DataFrame
        ``case_id, round, source_id, code, valence, excerpt``.

    Raises
    ------
    CaseError
        For an unknown tool, a missing column, a document without a source
        or a code path without a code (counted, never quoted: documents may
        be named after people).
    """
    if tool not in HEADERS:
        raise CaseError(f"export tool must be one of {', '.join(HEADERS)}, not '{tool}'.")
    path = Path(file)
    frame = _read(path)
    cols = {what: _column(frame, names, what, path) for what, names in HEADERS[tool].items()
            if what != "excerpt"}
    excerpt_col = next((c for n in HEADERS[tool]["excerpt"] for c in frame.columns
                        if str(c).strip().lower() == n.lower()), None)
    if documents["document"].astype(str).duplicated().any():
        raise CaseError("the document mapping names a document twice; rule 'unique'.")
    docs = documents.astype({"document": str}).set_index("document")
    mapping = {"\\".join(split_path(p)).lower(): (str(c), v) for p, c, v in zip(
        codes["path"], codes["code"],
        codes["valence"] if "valence" in codes.columns else [None] * len(codes), strict=True)}
    rows = []
    unknown_docs = unknown_codes = 0
    for rec in frame.to_dict("records"):
        doc = str(rec[cols["document"]]).strip()
        if doc not in docs.index:
            unknown_docs += 1
            continue
        parts = split_path(str(rec[cols["code"]]))
        valence = None
        for p in list(parts):
            if p.lower() in VALENCE_WORDS:
                valence = VALENCE_WORDS[p.lower()]
                parts.remove(p)
        key = "\\".join(parts).lower()
        if key not in mapping:
            unknown_codes += 1
            continue
        code, mapped_valence = mapping[key]
        given = mapped_valence if isinstance(mapped_valence, str) and mapped_valence else None
        source = docs.loc[doc].to_dict()
        text = rec.get(excerpt_col) if excerpt_col is not None else None
        rows.append({"case_id": str(source["case_id"]), "round": int(source["round"]),
                     "source_id": str(source["source_id"]), "code": code,
                     "valence": valence or given or "neutral",
                     "excerpt": None if text is None or pd.isna(text) or not str(text).strip()
                     else str(text).strip()})
    if unknown_docs:
        raise CaseError(
            f"{path}: {unknown_docs} segment(s) come from documents not in the document "
            "mapping; rule 'export_document'. How to fix: add each exported document to the "
            "mapping (document, case_id, round, source_id).")
    if unknown_codes:
        raise CaseError(
            f"{path}: {unknown_codes} segment(s) have a code path not in the code mapping; "
            "rule 'export_code'. How to fix: map every code path (without its driver/barrier "
            "element) to a codebook code.")
    return pd.DataFrame(rows, columns=["case_id", "round", "source_id", "code", "valence",
                                       "excerpt"])
