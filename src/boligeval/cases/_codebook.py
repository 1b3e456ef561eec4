"""The case codebook: the themes, levels and codes of the seed's chapters 7-10."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from boligeval.errors import ContractError

__all__ = ["CASE_CODEBOOK_COLUMNS", "load_case_codebook", "normalise_case_codebook"]

#: Columns every case codebook has (extra columns, e.g. ``chapter``, are kept).
CASE_CODEBOOK_COLUMNS: tuple[str, ...] = ("code", "theme", "level", "label_da", "label_en")


def load_case_codebook(path: str | Path | None = None) -> pd.DataFrame:
    """Read a case codebook CSV (None: the shipped seed codebook).

    Returns
    -------
    pandas.DataFrame
        One row per code, string columns, missing values as ``pd.NA``.
    """
    if path is None:
        source = resources.files("boligeval.cases").joinpath("data/codebook.csv")
        with resources.as_file(source) as shipped:
            frame = pd.read_csv(shipped, dtype=str, keep_default_na=False)
    else:
        file = Path(path)
        if not file.is_file():
            raise ContractError(f"case codebook {file} does not exist; pass an existing CSV file",
                                file=str(file), rule="missing_file")
        frame = pd.read_csv(file, dtype=str, keep_default_na=False)
    return normalise_case_codebook(frame)


def normalise_case_codebook(codebook: pd.DataFrame) -> pd.DataFrame:
    """Strip the codebook's text, turn empty cells into ``pd.NA``, check its columns."""
    missing = [c for c in CASE_CODEBOOK_COLUMNS if c not in codebook.columns]
    if missing:
        raise ContractError(
            f"case codebook lacks column(s) {', '.join(missing)}; required: "
            f"{', '.join(CASE_CODEBOOK_COLUMNS)}", rule="missing_column")
    out = codebook.copy()
    for column in out.columns:
        text = out[column].astype("string").str.strip()
        out[column] = text.mask(text == "")
    return out.reset_index(drop=True)
