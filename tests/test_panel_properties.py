"""Invariants of the panel and the mover decomposition on random small worlds."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boligeval.config import PanelSpec, parse_config
from boligeval.design import build_design
from boligeval.estimate.decomposition import decomposition
from boligeval.panel import build_panel
from boligeval.panel.decomposition import decomposition_terms
from tests.builders.panel_worlds import departments_frame, plans_frame, register

SOURCES = ["employed", "unemployed_long", "social_assistance", "student", "retired", "missing",
           "disability_pension"]


def random_world(seed: int, n_departments: int, years: tuple[int, ...], *,
                 local_households: bool = False) -> duckdb.DuckDBPyConnection:
    """A random register world with movers, households, missing incomes and extra years.

    Households may span departments, unless ``local_households``; every person
    also has a family (``family_id``), made of pairs of household members.
    """
    rng = np.random.default_rng(seed)
    grant = [2006, 2008, None, 2011]
    plans = plans_frame([(f"P{k}", grant[k % 4]) for k in range(max(2, n_departments // 2))])
    depts = departments_frame([(f"D{k}", f"P{k % len(plans)}") for k in range(n_departments)])
    people = rng.integers(5, 40, size=n_departments)
    rows: list[dict[str, object]] = []
    next_id = 0
    home: dict[int, int] = {}
    for d, size in enumerate(people):
        for _ in range(int(size)):
            home[next_id] = d
            next_id += 1
    all_years = (years[0] - 1, *years)  # one year outside the measurement years
    for year in all_years:
        for pid, d in list(home.items()):
            if rng.random() < 0.15:          # moves to another department
                d = int(rng.integers(n_departments))
                home[pid] = d
                moved = year
            else:
                moved = int(year - rng.integers(1, 10))
            if rng.random() < 0.05:          # absent this year
                continue
            age = int(rng.integers(0, 90))
            rows.append({
                "person_id": f"{pid:06d}", "year": year, "department_id": f"D{d}",
                "household_id": f"{year}-{d if local_households else ''}-{pid // 3}",
                "family_id": f"{year}-{pid // 2}", "birth_year": year - age,
                "sex": "F", "origin": rng.choice(["danish", "western", "non_western"]),
                "income_source": rng.choice(SOURCES),
                "disposable_income": None if rng.random() < 0.05 else float(rng.normal(2e5, 8e4)),
                "education": rng.choice(["basic", "vocational", "long_tertiary"]),
                "single_parent": bool(rng.random() < 0.1), "convicted": bool(rng.random() < 0.05),
                "move_in_year": moved,
            })
    prices = pd.DataFrame({"year": list(all_years),
                           "index": [100.0 + 3 * i for i in range(len(all_years))]})
    con = duckdb.connect()
    register(con, plans, depts, pd.DataFrame(rows), prices)
    return con


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n_departments=st.integers(2, 8),
       min_count=st.integers(1, 15))
def test_panel_counts_add_up_to_input_rows_reason_by_reason(seed, n_departments, min_count):
    years = (2005, 2007, 2009)
    con = random_world(seed, n_departments, years)
    cfg = parse_config({"data": {"dir": "."}})
    cfg = replace(cfg, panel=PanelSpec(min_count=min_count))
    panel = build_panel(con, cfg, build_design(con, cfg.design))
    acc = panel.accounting
    general = acc[acc["population"].isna()].set_index(["table", "reason"])["count"]
    rows_in_file = int(con.execute("SELECT count(*) FROM residents").fetchone()[0])
    assert general[("residents", "in_file")] == rows_in_file
    for population in ("all", "working_age", "in_movers", "in_movers_working_age"):
        for outcome in ("employed", "disposable_income", "deprivation"):
            mine = acc[(acc["population"] == population) & (acc["outcome"] == outcome)
                       & (acc["table"] == "units")].set_index("reason")["count"]
            excluded = (general[("residents", "outside_measurement_years")]
                        + general[("residents", "not_in_register_every_year")]
                        + mine["outside_population"] + mine["missing_outcome"]
                        + mine["below_min_count"])
            cells = panel.frame[(panel.frame["population"] == population)
                                & (panel.frame["outcome"] == outcome)]
            assert int(cells["n"].sum()) == mine["used"] == rows_in_file - excluded
            # balanced: every kept department has every measurement year
            per_dept = cells.groupby("department_id")["year"].nunique()
            assert (per_dept == len(years)).all()
            assert (cells["n"] >= min_count).all()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n_departments=st.integers(2, 8))
def test_decomposition_terms_sum_exactly_to_the_change_in_means(seed, n_departments):
    years = (2005, 2007, 2009)
    con = random_world(seed, n_departments, years)
    cfg = parse_config({"data": {"dir": "."}})
    cfg = replace(cfg, panel=PanelSpec(min_count=1))
    panel = build_panel(con, cfg, build_design(con, cfg.design))
    for population in ("all", "working_age"):
        terms = decomposition_terms(con, population, "disposable_income", years)
        total = terms["stayers"] + terms["in_movers"] + terms["out_movers"]
        np.testing.assert_allclose(terms["change"], total, rtol=0, atol=1e-6)
        # The department means agree with the panel's own cells, computed independently.
        cells = panel.cells[(panel.cells["population"] == population)
                            & (panel.cells["outcome"] == "disposable_income")]
        means = cells.set_index(["department_id", "year"])["value"]
        for _, row in terms.iterrows():
            assert row["mean_t1"] == pytest.approx(means[(row["department_id"], row["year"])],
                                                   rel=1e-10)
            assert row["mean_t0"] == pytest.approx(
                means[(row["department_id"], row["year_from"])], rel=1e-10)


def test_decomposition_did_coefficients_add_up():
    years = (2005, 2007, 2009)
    con = random_world(7, 12, years)
    cfg = parse_config({"data": {"dir": "."}})
    design = build_design(con, cfg.design)
    cfg = replace(cfg, panel=PanelSpec(min_count=1))
    build_panel(con, cfg, design)
    terms = decomposition_terms(con, "all", "employed", years)
    result = decomposition(terms, design.frame)
    t = result.tidy().set_index("term")["estimate"]
    assert t["change"] == pytest.approx(t["stayers"] + t["in_movers"] + t["out_movers"],
                                        abs=1e-9)


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys).reset_index(drop=True)


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n_departments=st.integers(2, 8),
       min_count=st.integers(1, 15), local=st.booleans(),
       unit=st.sampled_from(["household", "family"]), with_prices=st.booleans())
def test_panel_straight_from_residents_is_identical(seed, n_departments, min_count, local, unit,
                                                    with_prices):
    years = (2005, 2007, 2009)
    cfg = parse_config({"data": {"dir": "."}})
    cfg = replace(cfg, panel=PanelSpec(min_count=min_count),
                  income=replace(cfg.income, unit=unit))
    panels, persons = [], []
    for keep in (True, False):
        con = random_world(seed, n_departments, years, local_households=local)
        if not with_prices:
            con.execute("DROP TABLE prices")
        panels.append(build_panel(con, cfg, build_design(con, cfg.design), keep_persons=keep))
        persons.append(con.execute("SELECT * FROM persons ORDER BY person_id, year").df())
        kind = con.execute("SELECT table_type FROM information_schema.tables "
                           "WHERE table_name = 'persons'").fetchone()
        streamed = bool(con.execute("SELECT count(*) FROM information_schema.tables "
                                    "WHERE table_name = 'panel_strata'").fetchone()[0])
        # The shortcut applies to household units that stay in one department.
        assert streamed == (not keep and local and unit == "household")
        assert kind == (("BASE TABLE",) if keep or not streamed else ("VIEW",))
    table, streamed_panel = panels
    pd.testing.assert_frame_equal(table.frame, streamed_panel.frame, check_exact=True)
    pd.testing.assert_frame_equal(table.accounting, streamed_panel.accounting, check_exact=True)
    keys = ["population", "outcome", "department_id", "year"]
    pd.testing.assert_frame_equal(_sorted(table.cells, keys), _sorted(streamed_panel.cells, keys),
                                  check_exact=True)
    pd.testing.assert_frame_equal(persons[0], persons[1], check_exact=True)
