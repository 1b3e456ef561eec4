"""`boligeval run` end to end on synthetic worlds: reproducibility and disclosure safety."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from boligeval.cli import main
from boligeval.config import DEFAULT_SEED
from boligeval.disclosure import find_identifiers

# Whole synthetic evaluations (two runs each): CI's tier, not the fast one.
pytestmark = pytest.mark.slow

MIN_PERSONS = 5


def invoke(*args: str) -> None:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("e2e") / "world"
    invoke("synth", "--out", str(out), "--scale", "0.1", "--seed", "5")
    return out


def _config(path: Path, world: Path, extra: str = "") -> Path:
    path.write_text(f'[data]\ndir = "{world.as_posix()}"\n{extra}', encoding="utf-8")
    return path


def _xlsx_contents(path: Path) -> dict[str, bytes]:
    """Sheet XML of a workbook, without the document properties (which hold a timestamp)."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if not n.startswith("docProps/")}


def test_two_runs_give_identical_outputs(world: Path, tmp_path: Path):
    cfg = _config(tmp_path / "c.toml", world)
    invoke("run", str(cfg), "--out", str(tmp_path / "a"), "--lang", "en")
    invoke("run", str(cfg), "--out", str(tmp_path / "b"), "--lang", "en")
    a, b = tmp_path / "a", tmp_path / "b"
    assert (a / "results.json").read_bytes() == (b / "results.json").read_bytes()
    assert (a / "report.html").read_bytes() == (b / "report.html").read_bytes()
    assert _xlsx_contents(a / "tables.xlsx") == _xlsx_contents(b / "tables.xlsx")
    manifest = json.loads((a / "manifest.json").read_text(encoding="utf-8"))
    assert {t["table"] for t in manifest["inputs"]} >= {"plans", "departments", "residents"}
    assert manifest["seed"] == DEFAULT_SEED
    assert "duckdb" in manifest["boligeval"]
    results = json.loads((a / "results.json").read_text(encoding="utf-8"))
    analyses = {r["analysis"] for r in results["estimates"]}
    assert {"area_did", "individual_did", "att_gt", "att_aggregate", "bacon",
            "wild_bootstrap", "randomization_inference", "decomposition", "power"} <= analyses
    assert results["survey"] and results["accounting"] and results["balance"]


def _tiny_world(world: Path, out: Path) -> tuple[Path, list[str]]:
    """The world with a few departments cut down to 1-4 residents in every year."""
    shutil.copytree(world, out, ignore=shutil.ignore_patterns("truth*"))
    residents = pd.read_parquet(out / "residents.parquet")
    departments = sorted(residents["department_id"].unique())
    tiny = departments[:4]
    rng = np.random.default_rng(3)
    keep = pd.Series(True, index=residents.index)
    for dept in tiny:
        for year, rows in residents[residents["department_id"] == dept].groupby("year").groups.items():
            n_keep = int(rng.integers(1, MIN_PERSONS))
            keep[rows[n_keep:]] = False
            del year
    residents = residents[keep]
    residents.to_parquet(out / "residents.parquet", index=False)
    ids = sorted(set(residents["person_id"].astype(str)) | set(residents["household_id"].astype(str)))
    return out, ids


def _published_counts(results: dict) -> list[tuple[str, str, float]]:
    """Every (section, key, value) that counts persons behind a published number."""
    found = []
    for rec in results.get("cells", []):
        if not rec.get("suppressed"):
            found.append(("cells", "n_persons", rec["n_persons"]))
    for rec in results.get("balance", []):
        if not rec.get("suppressed") and rec.get("n") is not None:
            found.append(("balance", "n", rec["n"]))
    for rec in results.get("accounting", []):
        if not rec.get("suppressed") and rec.get("unit") in ("person_years", "household_years"):
            found.append(("accounting", "count", rec["count"]))
    return found


def test_disclosure_control_on_a_world_with_tiny_departments(world: Path, tmp_path: Path):
    tiny, ids = _tiny_world(world, tmp_path / "tiny")
    # min_count 1: the tiny departments enter the panel, so disclosure control must act.
    cfg = _config(tmp_path / "c.toml", tiny, "[panel]\nmin_count = 1\n")
    out = tmp_path / "out"
    invoke("run", str(cfg), "--out", str(out), "--lang", "da")
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    # 1. No published count rests on fewer persons than the threshold (zero means "none").
    for section, key, value in _published_counts(results):
        assert value == 0 or value >= MIN_PERSONS, (section, key, value)
    # 2. Regression estimates behind a cell that fails are withheld.
    panel_cells = [r for r in results["estimates"] if r.get("analysis") == "area_did"]
    assert panel_cells and all(r["suppressed"] for r in panel_cells)
    assert all(r["estimate"] is None for r in panel_cells)
    # 3. Suppressed accounting cells cannot be recovered from the totals.
    acc = [r for r in results["accounting"] if r.get("table") == "units"]
    for (pop, outcome), group in pd.DataFrame(acc).groupby(["population", "outcome"]):
        hidden = group["suppressed"].fillna(False).astype(bool)
        assert hidden.sum() != 1, (pop, outcome)
    # 4. No id from the input anywhere in the outputs, logs included.
    assert find_identifiers(sorted(out.rglob("*")), ids) == []
    # 5. No minima, maxima or top shares are exported.
    text = (out / "results.json").read_text(encoding="utf-8")
    assert "top_share" not in text and '"min' not in text and '"max' not in text
