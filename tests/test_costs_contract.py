"""The contract's plan amounts, reach shares and the plan_costs table (docs/input-contract.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from boligeval.contract import load_inputs
from boligeval.errors import ContractError
from tests.test_contract import PERSON_IDS, world, write_world


def _with_amounts(data: dict[str, Any]) -> dict[str, Any]:
    data["plans"].update({"grant_dkk": [4_000_000, None], "co_financing_dkk": [1_000_000, None],
                          "rent_support_dkk": [0, 2_500_000.5], "reach_share": [0.3, None]})
    data["plan_costs"] = {"plan_id": ["0101", "0101"], "year": [2007, 2008],
                          "grant_dkk": [2_000_000, 2_000_000], "co_financing_dkk": [None, 0],
                          "rent_support_dkk": [0, 0]}
    return data


def test_amounts_reach_and_plan_costs_load_with_their_types(tmp_path: Path) -> None:
    write_world(tmp_path / "data", _with_amounts(world()))
    con = duckdb.connect()
    tables = load_inputs(tmp_path / "data", con, scratch_dir=tmp_path / "s")
    assert "plan_costs" in tables.names
    types = dict(con.execute("SELECT column_name, data_type FROM duckdb_columns() "
                             "WHERE table_name = 'plans'").fetchall())
    assert [types[c] for c in ("grant_dkk", "co_financing_dkk", "rent_support_dkk",
                               "reach_share")] == ["DOUBLE"] * 4
    got = con.execute("SELECT sum(grant_dkk), count(co_financing_dkk) FROM plan_costs").fetchone()
    assert got == (4_000_000.0, 1)


def test_without_the_optional_columns_they_are_empty(tmp_path: Path) -> None:
    write_world(tmp_path / "data", world())
    con = duckdb.connect()
    load_inputs(tmp_path / "data", con, scratch_dir=tmp_path / "s")
    assert con.execute("SELECT count(grant_dkk), count(reach_share) FROM plans").fetchone() == (0, 0)


def _set(table: str, column: str, row: int, value: Any):
    def apply(data: dict[str, Any]) -> None:
        data[table][column][row - 1] = value
    return apply


BAD = [
    ("negative-grant", "plans", _set("plans", "grant_dkk", 2, -5), "grant_dkk", "range", [2]),
    ("inf-cofinancing", "plans", _set("plans", "co_financing_dkk", 1, "inf"), "co_financing_dkk",
     "range", [1]),
    ("text-rent-support", "plans", _set("plans", "rent_support_dkk", 1, "2 mio"),
     "rent_support_dkk", "type", [1]),
    ("reach-in-percent", "plans", _set("plans", "reach_share", 1, 30), "reach_share", "range",
     [1]),
    ("reach-negative", "plans", _set("plans", "reach_share", 2, -0.1), "reach_share", "range",
     [2]),
    ("plan-costs-negative", "plan_costs", _set("plan_costs", "co_financing_dkk", 2, -1),
     "co_financing_dkk", "range", [2]),
    ("plan-costs-year", "plan_costs", _set("plan_costs", "year", 2, 208), "year", "range", [2]),
    ("plan-costs-twice", "plan_costs", _set("plan_costs", "year", 2, 2007), "plan_id, year",
     "unique", [1, 2]),
    ("plan-costs-unknown-plan", "plan_costs", _set("plan_costs", "plan_id", 1, "9999"),
     "plan_id", "foreign_key", [1]),
]


@pytest.mark.parametrize(("table", "mutate", "column", "rule", "rows"),
                         [pytest.param(*c[1:], id=c[0]) for c in BAD])
def test_bad_amounts_are_refused_naming_file_column_and_rule(
        tmp_path: Path, table: str, mutate: Any, column: str, rule: str, rows: list[int]) -> None:
    data = _with_amounts(world())
    mutate(data)
    write_world(tmp_path / "data", data)
    with pytest.raises(ContractError) as info:
        load_inputs(tmp_path / "data", duckdb.connect(), scratch_dir=tmp_path / "s")
    err = info.value
    assert (err.column, err.rule, err.rows) == (column, rule, rows)
    assert err.file == str(tmp_path / "data" / f"{table}.csv")
    assert f"'{column}'" in str(err) and f"'{rule}'" in str(err) and "How to fix" in str(err)
    assert not any(pid in str(err) for pid in PERSON_IDS)


def test_a_bad_amount_exits_2_from_the_command_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from boligeval.cli import main

    data = _with_amounts(world())
    data["plans"]["grant_dkk"][0] = -1
    write_world(tmp_path / "data", data)
    config = tmp_path / "eval.toml"
    config.write_text(f'[data]\ndir = "{tmp_path / "data"}"\n')
    result = CliRunner().invoke(main, ["validate", str(config)])
    assert result.exit_code == 2
    assert "plans.csv" in result.output and "grant_dkk" in result.output
    assert "range" in result.output
