"""The command line end to end: exit codes, clear errors, nothing written by a refused run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from boligeval.cli import main


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "world"
    code, output = invoke("synth", "--out", str(out), "--scale", "0.05", "--seed", "11")
    assert code == 0, output
    return out


def write_config(path: Path, world: Path, extra: str = "") -> Path:
    path.write_text(f'[data]\ndir = "{world.as_posix()}"\n{extra}', encoding="utf-8")
    return path


def test_validate_accepts_the_synthetic_world(world: Path, tmp_path: Path):
    code, output = invoke("validate", str(write_config(tmp_path / "c.toml", world)))
    assert code == 0, output
    assert "OK: plans" in output and "residents" in output


def test_panel_writes_panel_and_accounting(world: Path, tmp_path: Path):
    out = tmp_path / "panel"
    code, output = invoke("panel", str(write_config(tmp_path / "c.toml", world)), "--out",
                          str(out))
    assert code == 0, output
    panel = pd.read_parquet(out / "panel.parquet")
    assert list(panel.columns[:7]) == ["department_id", "plan_id", "year", "population",
                                       "outcome", "n", "value"]
    assert (panel["n"] >= 20).all()
    accounting = pd.read_csv(out / "accounting.csv")
    assert {"used", "below_min_count", "not_in_register_every_year"} <= set(
        accounting["reason"])


def _broken_world(world: Path, tmp_path: Path) -> Path:
    broken = tmp_path / "broken"
    shutil.copytree(world, broken, ignore=shutil.ignore_patterns("truth*"))
    residents = pd.read_parquet(broken / "residents.parquet")
    residents.loc[residents.index[:3], "sex"] = "X"
    residents.to_parquet(broken / "residents.parquet", index=False)
    return broken


def test_bad_input_exits_2_names_the_rule_and_writes_nothing(world: Path, tmp_path: Path):
    cfg = write_config(tmp_path / "c.toml", _broken_world(world, tmp_path))
    code, output = invoke("validate", str(cfg))
    assert code == 2
    assert "sex" in output and "allowed_values" in output and "Traceback" not in output
    for command in ("panel", "run"):
        out = tmp_path / f"out-{command}"
        code, output = invoke(command, str(cfg), "--out", str(out))
        assert code == 2, output
        assert not out.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[[analysis]]\nkind = "area_did"\npopulation = "all"\noutcomes = ["wellbeing"]\n',
         "'wellbeing' is neither a built-in outcome nor a column of residents"),
        ('[panel]\nmin_count = 100000\n[[analysis]]\nkind = "area_did"\n'
         'population = "in_movers"\noutcomes = ["employed"]\n',
         "No department has at least 100000 units"),
        ('[design]\ncohorts = {g1 = [2006, 2007], g2 = [2008, 2009], g3 = [2030]}\n',
         "Cohort(s) g3 of [design] cohorts have no plan"),
        ('[panel]\nmin_coutn = 3\n', "Did you mean 'min_count'?"),
    ],
)
def test_bad_configuration_exits_2_and_writes_nothing(world: Path, tmp_path: Path, extra: str,
                                                      message: str):
    cfg = write_config(tmp_path / "c.toml", world, extra)
    out = tmp_path / "out"
    code, output = invoke("run", str(cfg), "--out", str(out))
    assert code == 2
    assert message in output
    assert not out.exists()


def test_debug_shows_the_traceback(world: Path, tmp_path: Path):
    cfg = write_config(tmp_path / "c.toml", world, "[panel]\nmin_coutn = 3\n")
    result = CliRunner().invoke(main, ["--debug", "validate", str(cfg)])
    assert result.exit_code != 0 and result.exception is not None


@pytest.mark.slow
def test_run_with_survey_data_only(world: Path, tmp_path: Path):
    survey_only = tmp_path / "survey_only"
    survey_only.mkdir()
    for name in ("plans", "respondents", "answers", "codebook", "dispatch"):
        shutil.copy(world / f"{name}.parquet", survey_only / f"{name}.parquet")
    cfg = write_config(tmp_path / "c.toml", survey_only)
    out = tmp_path / "out"
    code, output = invoke("run", str(cfg), "--out", str(out), "--lang", "en")
    assert code == 0, output
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["estimates"] == []
    analyses = {r["analysis"] for r in results["survey"]}
    assert {"response_rates", "challenge_level", "largest_challenges"} <= analyses
    assert (out / "report.html").exists()


@pytest.mark.slow
def test_synth_department_size_halves_the_dwellings(world: Path, tmp_path: Path):
    out = tmp_path / "half"
    code, output = invoke("synth", "--out", str(out), "--scale", "0.05", "--seed", "11",
                          "--department-size", "0.5")
    assert code == 0, output
    full = pd.read_parquet(world / "departments.parquet")
    half = pd.read_parquet(out / "departments.parquet")
    assert list(full["department_id"]) == list(half["department_id"])
    assert half["dwellings"].sum() < 0.55 * full["dwellings"].sum()
    assert json.loads((out / "truth.json").read_text(encoding="utf-8"))["department_size"] == 0.5


def test_synth_refuses_a_department_size_of_zero(tmp_path: Path):
    out = tmp_path / "zero"
    code, output = invoke("synth", "--out", str(out), "--department-size", "0")
    assert code == 2
    assert "department_size" in output
    assert not out.exists()


@pytest.mark.slow
def test_demo_config_reproduces_its_language(tmp_path: Path) -> None:
    """The demo's saved config names the language its report was written in (issue 14, 8)."""
    from boligeval.config import load_config

    out = tmp_path / "demo"
    code, output = invoke("demo", "--out", str(out), "--scale", "0.1", "--seed", "5")
    assert code == 0, output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["language"] == "en"
    assert load_config(out / "config.toml").report.lang == "en"
    assert '<html lang="en">' in (out / "report.html").read_text(encoding="utf-8")
