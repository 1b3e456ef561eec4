"""The case tables in the input contract: valid material loads, bad material stops the run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from boligeval.cli import main
from boligeval.contract import load_inputs
from boligeval.contract.schemas import TABLE_SCHEMAS
from boligeval.errors import ContractError
from tests.test_contract import world, write_world


def case_world() -> dict[str, Any]:
    """The contract tests' world plus two cases, their sources and five segments."""
    data = world()
    data["cases"] = {
        "case_id": ["A", "B"],
        "plan_id": ["0101", "0202"],
        "name": ["Nordparken", "Søparken"],
        "municipality": ["0101", "0147"],
        "rounds": ["2010;2013", "2013"],
        "municipality_size": ["large", "small"],
        "region": ["hovedstaden", None],
        "secretariat_type": ["split_team", None],
        "experience": [2, None],
    }
    data["case_sources"] = {
        "case_id": ["A", "A", "B"],
        "round": [2010, 2013, 2013],
        "source_id": ["s1", "s1", "s2"],
        "kind": ["interview", "interview", "document"],
        "role": ["project_leader", "project_leader", "other"],
    }
    data["case_codes"] = {
        "case_id": ["A", "A", "A", "B", "B"],
        "round": [2010, 2010, 2013, 2013, 2013],
        "source_id": ["s1", "s1", "s1", "s2", "s2"],
        "code": ["strategy_goals", "anchoring", "strategy_goals", "goal_steering",
                 "openness_trust"],
        "valence": ["driver", "barrier", "driver", "neutral", "barrier"],
    }
    return data


def load(d: Path, tmp_path: Path) -> Any:
    return load_inputs(d, duckdb.connect(), scratch_dir=tmp_path / "s")


def test_valid_case_tables_load_with_the_shipped_codebook(tmp_path: Path) -> None:
    con = duckdb.connect()
    tables = load_inputs(write_world(tmp_path / "d", case_world()), con,
                         scratch_dir=tmp_path / "s")
    assert {"cases", "case_sources", "case_codes"} <= set(tables.names)
    for name in ("cases", "case_sources", "case_codes"):
        types = {r[0]: r[1] for r in con.execute(f'DESCRIBE "{name}"').fetchall()}
        for col in TABLE_SCHEMAS[name].columns:
            assert types[col.name] == col.duckdb_type, (name, col.name)
    assert con.execute("SELECT count(*) FROM case_codebook").fetchone() == (21,)


def test_a_users_codebook_replaces_the_shipped_one(tmp_path: Path) -> None:
    data = case_world()
    data["case_codebook"] = {"code": ["mine"], "theme": ["steering"], "level": ["strategic"],
                             "label_da": ["Min kode"], "label_en": ["My code"]}
    with pytest.raises(ContractError) as info:
        load(write_world(tmp_path / "d", data), tmp_path)
    assert (info.value.rule, info.value.column) == ("foreign_key", "code")
    data["case_codes"]["code"] = ["mine"] * 5
    load(write_world(tmp_path / "e", data), tmp_path)


BAD = {
    "code_not_in_codebook": ("case_codes", lambda d: d["case_codes"]["code"].__setitem__(
        1, "no_such_code"), "code"),
    "plan_does_not_exist": ("cases", lambda d: d["cases"]["plan_id"].__setitem__(
        1, "9999"), "plan_id"),
    "source_does_not_exist": ("case_codes", lambda d: d["case_codes"]["source_id"].__setitem__(
        4, "s9"), "case_id, round, source_id"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_case_material_names_file_and_rule(tmp_path: Path, case: str) -> None:
    table, mutate, column = BAD[case]
    data = case_world()
    mutate(data)
    d = write_world(tmp_path / "d", data)
    with pytest.raises(ContractError) as info:
        load(d, tmp_path)
    err = info.value
    assert (err.rule, err.column, err.file) == ("foreign_key", column, str(d / f"{table}.csv"))
    assert err.n_rows == 1


def test_a_source_outside_the_cases_rounds_is_refused(tmp_path: Path) -> None:
    data = case_world()
    data["case_sources"]["round"][2] = 2010  # case B was visited in 2013 only
    data["case_codes"]["round"][3:] = [2010, 2010]
    with pytest.raises(ContractError) as info:
        load(write_world(tmp_path / "d", data), tmp_path)
    assert (info.value.rule, info.value.column) == ("case_round", "round")
    assert info.value.rows == [3]


def test_rounds_must_be_years(tmp_path: Path) -> None:
    data = case_world()
    data["cases"]["rounds"][0] = "first and second"
    with pytest.raises(ContractError) as info:
        load(write_world(tmp_path / "d", data), tmp_path)
    assert (info.value.rule, info.value.column) == ("rounds", "rounds")


@pytest.mark.parametrize("case", list(BAD))
def test_bad_case_material_through_the_cli_writes_nothing(tmp_path: Path, case: str) -> None:
    table, mutate, _column = BAD[case]
    data = case_world()
    mutate(data)
    write_world(tmp_path / "data", data)
    config = tmp_path / "config.toml"
    config.write_text('[data]\ndir = "data"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(config), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert f"{table}.csv" in result.output and "'foreign_key'" in result.output
    assert not out.exists()


@pytest.mark.slow
def test_a_process_evaluation_alone_runs(tmp_path: Path) -> None:
    """Plans and case material only: the report has the process chapter and nothing else fails."""
    data = case_world()
    keep = ("plans", "cases", "case_sources", "case_codes")
    write_world(tmp_path / "data", {k: v for k, v in data.items() if k in keep})
    config = tmp_path / "config.toml"
    config.write_text('[data]\ndir = "data"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(config), "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Procesevaluering: casestudierne" in html
    assert "Nordparken" in html
    results = (out / "results.json").read_text(encoding="utf-8")
    assert '"s1"' not in results and '"s2"' not in results  # source ids stay inside
