"""Plan histories (``department_plans``) and annual multi-cohort designs, by hand."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from boligeval.config import ConfigError, parse_config
from boligeval.design import build_design
from boligeval.errors import PanelError
from boligeval.panel import build_panel
from tests.builders.panel_worlds import departments_frame, plans_frame, register, resident

YEARS = list(range(2005, 2015))


def _cfg(**design: object):  # type: ignore[no-untyped-def]
    return parse_config({"data": {"dir": "."}, "design": {"years": YEARS, **design}})


def _spells(con: duckdb.DuckDBPyConnection, rows: list[tuple[str, str, int, int | None]]) -> None:
    frame = pd.DataFrame(rows, columns=["department_id", "plan_id", "from_year", "to_year"])
    con.register("spells_df", frame)
    con.execute("CREATE OR REPLACE TABLE department_plans AS SELECT department_id, plan_id, "
                "CAST(from_year AS INTEGER) AS from_year, CAST(to_year AS INTEGER) AS to_year "
                "FROM spells_df")


@pytest.fixture
def history_world() -> duckdb.DuckDBPyConnection:
    """A: P1 2006-2009, a gap, P3 from 2012; B: P1 from 2006; D: P2 2008-2010; C: never."""
    con = duckdb.connect()
    plans = plans_frame([("P1", 2006), ("P2", 2008), ("P3", 2012), ("PC", None)])
    departments = departments_frame([("A", "P1"), ("B", "P1"), ("C", "PC"), ("D", "P2")])
    rows = [resident("x", 2005, "A", "h", 1970)]
    register(con, plans, departments, pd.DataFrame(rows))
    _spells(con, [("A", "P1", 2006, 2009), ("A", "P3", 2012, None), ("B", "P1", 2006, None),
                  ("D", "P2", 2008, 2010)])
    return con


def _column(design: pd.DataFrame, dept: str, col: str) -> list[object]:
    rows = design[design["department_id"] == dept].sort_values("year")
    return [None if pd.isna(v) else v for v in rows[col]]


def test_histories_switch_off_and_on_with_stop_at_end(history_world: duckdb.DuckDBPyConnection):
    design = build_design(history_world, _cfg(cohorts="auto", stop_at_end=True).design)
    f = design.frame
    assert design.histories
    assert dict(design.cohort_map or {}) == {"g2006": (2006,), "g2008": (2008,), "g2012": (2012,)}
    #                           2005 2006 2007 2008 2009 2010 2011 2012 2013 2014
    assert _column(f, "A", "active_plan") == [0, 1, 1, 1, 1, 0, 0, 1, 1, 1]
    assert _column(f, "A", "plan_number") == [0, 1, 1, 1, 1, 1, 1, 2, 2, 2]
    assert _column(f, "A", "exposure") == [0, 1, 2, 3, 4, 4, 4, 5, 6, 7]
    assert _column(f, "A", "current_plan_id") == [None, "P1", "P1", "P1", "P1", None, None,
                                                  "P3", "P3", "P3"]
    # The cluster stays the first plan in every year, also in the second plan.
    assert set(_column(f, "A", "plan_id")) == {"P1"}
    assert _column(f, "D", "active_plan") == [0, 0, 0, 1, 1, 1, 0, 0, 0, 0]
    assert _column(f, "D", "exposure") == [0, 0, 0, 1, 2, 3, 3, 3, 3, 3]
    assert _column(f, "B", "exposure") == [0, *range(1, 10)]
    assert _column(f, "C", "active_plan") == [0] * 10
    assert _column(f, "C", "plan_number") == [0] * 10
    per_dept = design.departments().set_index("department_id")
    assert per_dept["cohort"].to_dict() == {"A": "g2006", "B": "g2006", "C": "control",
                                            "D": "g2008"}
    starts = f.drop_duplicates("department_id").set_index("department_id")["start_year"]
    assert starts["A"] == 2006 and starts["D"] == 2008 and pd.isna(starts["C"])


def test_histories_absorbing_without_stop_at_end(history_world: duckdb.DuckDBPyConnection):
    f = build_design(history_world, _cfg(cohorts="auto").design).frame
    assert _column(f, "A", "active_plan") == [0] + [1] * 9
    assert _column(f, "D", "active_plan") == [0, 0, 0] + [1] * 7
    # Exposure counts years inside a plan, whatever active_plan says.
    assert _column(f, "A", "exposure") == [0, 1, 2, 3, 4, 4, 4, 5, 6, 7]


def test_named_cohorts_take_the_first_plans_grant(history_world: duckdb.DuckDBPyConnection):
    cohorts = {"early": [2006, 2007], "late": [2008, 2009, 2010, 2011, 2012]}
    f = build_design(history_world, _cfg(cohorts=cohorts).design).frame
    per_dept = f.drop_duplicates("department_id").set_index("department_id")["cohort"]
    # A's second plan (granted 2012) does not move it out of its first cohort.
    assert per_dept.to_dict() == {"A": "early", "B": "early", "C": "control", "D": "late"}


def test_fixed_constellation_gets_the_same_history_columns():
    con = duckdb.connect()
    plans = plans_frame([("P1", 2006), ("PC", None)])
    plans.loc[0, "end_year"] = 2008
    register(con, plans, departments_frame([("A", "P1"), ("C", "PC")]),
             pd.DataFrame([resident("x", 2005, "A", "h", 1970)]))
    f = build_design(con, _cfg(cohorts={"g1": [2006]}, stop_at_end=True).design).frame
    assert not build_design(con, _cfg(cohorts={"g1": [2006]}).design).histories
    assert _column(f, "A", "active_plan") == [0, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    assert _column(f, "A", "exposure") == [0, 1, 2, 3, 3, 3, 3, 3, 3, 3]
    assert _column(f, "A", "plan_number") == [0] + [1] * 9
    assert _column(f, "C", "exposure") == [0] * 10


def test_auto_cohorts_need_a_grant():
    con = duckdb.connect()
    register(con, plans_frame([("PC", None)]), departments_frame([("C", "PC")]),
             pd.DataFrame([resident("x", 2005, "C", "h", 1970)]))
    with pytest.raises(PanelError, match='cohorts = "auto" found no plan'):
        build_design(con, _cfg(cohorts="auto").design)


def test_cohorts_must_be_a_table_or_auto():
    with pytest.raises(ConfigError, match='or "auto"'):
        _cfg(cohorts="every_year")


def test_unbalanced_panel_keeps_departments_that_leave():
    """A department demolished after 2007 stays in the panel for the years it exists."""
    con = duckdb.connect()
    plans = plans_frame([("P1", 2006), ("PC", None)])
    departments = departments_frame([("A", "P1"), ("C", "PC"), ("N", "PC")])
    rows = []
    for year in (2005, 2006, 2007):
        rows += [resident(f"a{k}", year, "A", f"ha{k}", 1970) for k in range(3)]
    for year in (2005, 2006, 2007, 2008):
        rows += [resident(f"c{k}", year, "C", f"hc{k}", 1970) for k in range(3)]
    rows += [resident("n0", 2008, "N", "hn", 1970)]  # built in 2008: one year only
    register(con, plans, departments, pd.DataFrame(rows))
    years = [2005, 2006, 2007, 2008]
    base = parse_config({"data": {"dir": "."}, "design": {"years": years, "cohorts": "auto"},
                         "panel": {"min_count": 1}})
    balanced = build_panel(con, base, build_design(con, base.design))
    assert set(balanced.frame["department_id"]) == {"C"}
    cfg = replace(base, panel=replace(base.panel, balanced=False))
    panel = build_panel(con, cfg, build_design(con, cfg.design))
    cells = panel.frame[(panel.frame["population"] == "all")
                        & (panel.frame["outcome"] == "employed")]
    # A in its three years, C in four; N (one year only) is left out.
    assert cells.groupby("department_id")["year"].apply(list).to_dict() == {
        "A": [2005, 2006, 2007], "C": [2005, 2006, 2007, 2008]}
    assert panel.linked == frozenset({"A", "C"})
    assert cells.set_index(["department_id", "year"])["active_plan"].to_dict()[("A", 2007)] == 1
    kept = panel.accounting
    gone = kept[(kept["reason"] == "not_in_register_every_year")
                & (kept["table"] == "departments")]["count"]
    assert gone.tolist() == [1]


def test_plan_histories_load_from_files(tmp_path: Path):
    """department_plans is read with the departments when the folder holds it."""
    from tests.test_contract import _GOOD_SPELLS, _spells, load, world, write_world

    data = world()
    _spells(_GOOD_SPELLS)(data)
    write_world(tmp_path / "data", data)
    con, tables = load(tmp_path / "data", tmp_path, tables=("plans", "departments"))
    assert "department_plans" in tables.names
    cfg = parse_config({"data": {"dir": "."}, "design": {"years": [2007, 2009, 2010, 2011],
                                                         "cohorts": "auto", "stop_at_end": True}})
    f = build_design(con, cfg.design).frame
    assert _column(f, "D02", "active_plan") == [1, 1, 0, 1]
    assert _column(f, "D02", "plan_number") == [1, 1, 1, 2]
    assert set(_column(f, "D02", "plan_id")) == {"0101"}


def test_overlapping_spells_exit_2_naming_file_column_and_rule(tmp_path: Path):
    from click.testing import CliRunner

    from boligeval.cli import main
    from tests.test_contract import _spells, world, write_world

    data = world()
    _spells([("D01", "0101", 2007, 2010), ("D01", "0202", 2009, None)])(data)
    write_world(tmp_path / "data", data)
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[data]\ndir = "{(tmp_path / "data").as_posix()}"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(cfg)])
    assert result.exit_code == 2
    assert "department_plans.csv" in result.output
    assert "'from_year'" in result.output and "'spell_overlap'" in result.output


def test_auto_cohorts_and_unbalanced_panel_survive_dump_and_load(tmp_path: Path):
    from boligeval.config import dump_config, load_config

    cfg = parse_config({"data": {"dir": "."}, "design": {"years": YEARS, "cohorts": "auto"},
                        "panel": {"balanced": False}}, base=tmp_path)
    path = tmp_path / "c.toml"
    path.write_text(dump_config(cfg), encoding="utf-8")
    again = load_config(path)
    assert again.design == cfg.design and again.panel == cfg.panel
