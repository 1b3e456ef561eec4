"""The same survey read from CSV, Excel and SPSS through the contract gives identical results."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyreadstat
import pytest

from boligeval.analyses import analyse_survey
from boligeval.contract import load_inputs
from tests.builders.survey_tables import ANSWERS, CODEBOOK, DISPATCH, PLANS, RESPONDENTS

TABLES = {
    "plans": PLANS[["plan_id", "grant_year", "municipality", "intervention_areas"]].assign(
        start_year=PLANS["grant_year"], end_year=[2012.0, np.nan]
    ),
    "respondents": RESPONDENTS,
    "answers": ANSWERS,
    "codebook": CODEBOOK,
    "dispatch": DISPATCH,
}
NUMERIC = {"grant_year", "start_year", "end_year", "wave", "sent"}


def _write(directory: Path, fmt: str) -> None:
    directory.mkdir(parents=True)
    for name, frame in TABLES.items():
        path = directory / f"{name}.{fmt}"
        if fmt == "csv":
            frame.to_csv(path, index=False)
        elif fmt == "xlsx":
            frame.to_excel(path, index=False, engine="openpyxl")
        else:
            stat = pd.DataFrame(
                {
                    c: frame[c].astype(float).to_numpy()
                    if c in NUMERIC
                    else np.array(["" if pd.isna(v) else str(v) for v in frame[c]], dtype=object)
                    for c in frame.columns
                }
            )
            pyreadstat.write_sav(stat, str(path))


def _analyse(tmp_path: Path, fmt: str) -> list[dict[str, object]]:
    data = tmp_path / fmt
    _write(data, fmt)
    con = duckdb.connect()
    load_inputs(
        data,
        con,
        scratch_dir=tmp_path / f"scratch_{fmt}",
        tables=("respondents", "answers", "codebook", "dispatch"),
    )
    tables = {
        name: con.execute(f'SELECT * FROM "{name}"').df()
        for name in ("plans", "respondents", "answers", "codebook", "dispatch")
    }
    con.close()
    results = analyse_survey(
        tables["respondents"],
        tables["answers"],
        tables["codebook"],
        tables["dispatch"],
        plans=tables["plans"],
        crosstabs=[("gf", "letting_tools")],
    )
    return results.rows("survey")


@pytest.fixture(scope="module")
def csv_records(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, object]]:
    return _analyse(tmp_path_factory.mktemp("survey_csv"), "csv")


@pytest.mark.parametrize("fmt", ["xlsx", "sav"])
def test_formats_give_identical_results(
    tmp_path: Path, fmt: str, csv_records: list[dict[str, object]]
) -> None:
    records = _analyse(tmp_path, fmt)
    assert records == csv_records


def test_contract_read_matches_in_memory(csv_records: list[dict[str, object]]) -> None:
    direct = analyse_survey(
        RESPONDENTS,
        ANSWERS,
        CODEBOOK,
        DISPATCH,
        plans=TABLES["plans"],
        crosstabs=[("gf", "letting_tools")],
    ).rows("survey")
    assert direct == csv_records
    level = [r for r in direct if r["analysis"] == "challenge_level" and r["actor"] == "all"]
    assert [r["value"] for r in level if r["subset"] == "all_answers"] == [8.625 / 3, 3.09375]
