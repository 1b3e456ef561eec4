"""Each contract rule through the command line: exit status 2, the column and rule named,
no traceback, no id, and nothing written to the output folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from boligeval.cli import main
from tests.test_contract import PERSON_IDS, RULE_CASES, Mutation, world, write_world


@pytest.mark.parametrize(
    ("table", "mutate", "column", "rule", "n_rows", "rows"),
    [pytest.param(*case[1:], id=case[0]) for case in RULE_CASES],
)
def test_each_rule_exits_2_and_writes_nothing(
    tmp_path: Path, table: str, mutate: Mutation, column: str, rule: str, n_rows: int,
    rows: list[int],
) -> None:
    data = world()
    mutate(data)
    write_world(tmp_path / "data", data)
    config = tmp_path / "config.toml"
    config.write_text('[data]\ndir = "data"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(config), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert f"{table}.csv" in result.output
    assert f"'{column}'" in result.output and f"'{rule}'" in result.output
    assert "Traceback" not in result.output
    for pid in PERSON_IDS:
        assert pid not in result.output
    assert not out.exists()
