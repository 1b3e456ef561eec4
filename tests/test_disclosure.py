"""Disclosure control: hand-computed suppression patterns and whole-results protection."""

from __future__ import annotations

import copy
import dataclasses
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from boligeval.disclosure import (
    DisclosureRules,
    cell_fails,
    find_identifiers,
    primary_mask,
    protect_results,
    regression_publishable,
    secondary_mask,
    suppress_table,
)
from boligeval.errors import ConfigError, ReportError
from tests.builders.report_results import make_results


def _protect(*args, **kwargs):
    """protect_results as results.json sections and the log."""
    published = protect_results(*args, **kwargs)
    out = published.as_json()
    out.pop("notes")
    return out, list(published.log)

RULES = DisclosureRules()


def test_rules_defaults_frozen_and_validated() -> None:
    assert (RULES.min_persons, RULES.dominance_share, RULES.secondary) == (5, 0.5, True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        RULES.min_persons = 3  # type: ignore[misc]
    with pytest.raises(ConfigError):
        DisclosureRules(min_persons=0)
    with pytest.raises(ConfigError):
        DisclosureRules(dominance_share=1.5)


def test_cell_fails_names_the_rule() -> None:
    assert cell_fails(4, None) == "min_persons"
    assert cell_fails(None, None) == "min_persons"
    assert cell_fails(5, 0.5) is None
    assert cell_fails(5, 0.51) == "dominance"
    assert cell_fails(5, 0.9, amount=False) is None


def test_primary_mask_min_persons_and_zero() -> None:
    counts = np.array([[10, 3], [0, 7]])
    assert primary_mask(counts).tolist() == [[False, True], [True, False]]
    assert primary_mask(counts, allow_zero=True).tolist() == [[False, True], [False, False]]


def test_primary_mask_dominance() -> None:
    counts = np.array([[10, 20, 30]])
    top = np.array([[0.2, 0.6, 0.5]])
    # 0.6 > 0.5 fails; exactly 0.5 passes
    assert primary_mask(counts, top).tolist() == [[False, True, False]]
    with pytest.raises(ReportError):
        primary_mask(counts, np.array([0.1, 0.2]))


def test_secondary_two_way_table_with_margins() -> None:
    # interior 2x3, last column = row totals, last row = column totals
    counts = np.array(
        [
            [10, 3, 12, 25],
            [8, 9, 20, 37],
            [18, 12, 32, 62],
        ]
    )
    prim = primary_mask(counts)
    assert prim.sum() == 1 and prim[0, 1]
    mask = secondary_mask(prim, counts)
    # by hand: row 1 holds one hidden cell -> hide its smallest other (10 at [0,0]);
    # column A then holds one -> hide 8 at [1,0]; row 2 then holds one -> hide 9 at [1,1];
    # now every row and column holds 0 or 2 hidden cells.
    expected = np.zeros_like(prim)
    expected[0, 0] = expected[0, 1] = expected[1, 0] = expected[1, 1] = True
    assert mask.tolist() == expected.tolist()
    for line in [*mask, *mask.T]:
        assert line.sum() != 1


def test_secondary_one_way_table_with_total() -> None:
    counts = np.array([[12, 3, 8, 20, 43]])
    mask = secondary_mask(primary_mask(counts), counts, row_totals=True, col_totals=False)
    # 3 is hidden; the total 43 would reveal it, so the next-smallest cell (8) is hidden too
    assert mask.tolist() == [[False, True, True, False, False]]


def test_secondary_not_needed_when_two_cells_hidden() -> None:
    counts = np.array([[2, 4, 30, 36]])
    prim = primary_mask(counts)
    assert secondary_mask(prim, counts, col_totals=False).tolist() == prim.tolist()


def test_suppress_table_nulls_values_and_respects_switch() -> None:
    idx = ["r1", "r2", "total"]
    cols = ["A", "B", "C", "total"]
    counts = pd.DataFrame(
        [[10, 3, 12, 25], [8, 9, 20, 37], [18, 12, 32, 62]], index=idx, columns=cols
    )
    values, mask = suppress_table(counts, counts, rules=RULES, row_totals=True, col_totals=True)
    assert mask.loc["r1", "A"] and mask.loc["r2", "B"] and not mask.loc["r1", "C"]
    assert np.isnan(values.loc["r1", "B"]) and values.loc["r1", "C"] == 12
    _, mask_off = suppress_table(
        counts, counts, rules=DisclosureRules(secondary=False), row_totals=True, col_totals=True
    )
    assert int(mask_off.to_numpy().sum()) == 1


def test_suppress_table_dominance_for_amounts() -> None:
    sums = pd.DataFrame([[1_200_000.0, 900_000.0]], columns=["g1", "g2"])
    counts = pd.DataFrame([[40, 35]], columns=["g1", "g2"])
    top = pd.DataFrame([[0.05, 0.62]], columns=["g1", "g2"])
    values, mask = suppress_table(sums, counts, top, RULES)
    assert mask.to_numpy().tolist() == [[False, True]]
    assert values.iloc[0, 0] == 1_200_000.0 and np.isnan(values.iloc[0, 1])


def test_regression_publishable() -> None:
    ok = pd.DataFrame({"n": [20, 31, 45], "top_share": [0.1, 0.2, 0.3]})
    assert regression_publishable(ok)
    assert not regression_publishable(ok.assign(n=[20, 4, 45]))
    dominated = ok.assign(top_share=[0.1, 0.7, 0.3])
    assert not regression_publishable(dominated, amount=True)
    assert regression_publishable(dominated, amount=False)
    assert not regression_publishable([])
    assert regression_publishable([{"n": 5}, {"n": 6}])


def _n_of(rec: dict) -> float | None:
    for k in ("n_persons", "n"):
        if rec.get(k) is not None:
            return float(rec[k])
    return None


def test_protected_results_hold_no_value_on_fewer_than_min_persons() -> None:
    raw = make_results()
    before = copy.deepcopy(raw)
    out, log = _protect(raw, RULES)
    assert raw == before  # input untouched
    for section in ("cells", "balance", "survey"):
        for rec in out[section]:
            n = _n_of(rec)
            if n is not None and n < RULES.min_persons:
                assert rec["suppressed"] is True
                assert all(rec.get(k) is None for k in ("value", "mean", "ci_low", "ci_high"))
    for rec in out["accounting"]:
        if rec["table"] == "residents" and rec.get("count") is not None:
            assert rec["count"] == 0 or rec["count"] >= RULES.min_persons
    for section in out.values():
        for rec in section:
            assert "top_share" not in rec
            assert not any(k.startswith(("min", "max")) for k in rec)
    assert any(e["rule"] == "secondary" for e in log)


def test_protect_results_dominance_and_secondary_in_fixture() -> None:
    out, _ = _protect(make_results(), RULES)
    dominated = next(
        c
        for c in out["cells"]
        if c["outcome"] == "disposable_income" and c["population"] == "in_movers"
    )
    assert dominated["suppressed"] and dominated["mean"] is None
    acc = {
        (r["population"], r["reason"]): r for r in out["accounting"] if r["table"] == "residents"
    }
    # 2 missing-outcome rows are hidden, and the next-smallest count (5,120) with them,
    # because the published total would otherwise reveal the 2.
    assert acc[("working_age", "missing_outcome")]["count"] is None
    assert acc[("working_age", "not_in_register_every_year")]["count"] is None
    assert acc[("working_age", "total")]["count"] == 305112 + 5120 + 8810 + 2 + 402117
    assert acc[("all", "missing_outcome")]["count"] == 912
    cross = [r for r in out["survey"] if r["analysis"] == "crosstab" and r["statistic"] == "share"]
    assert all(
        r["suppressed"] and r["value"] is None for r in cross
    )  # "no" on 3 answers, "yes" its complement


def test_protect_results_uses_panel_cells_for_estimates() -> None:
    panel = pd.DataFrame(
        {
            "population": ["working_age"] * 3 + ["in_movers"] * 3,
            "outcome": ["employed"] * 6,
            "n": [120, 95, 80, 22, 3, 40],
            "top_share": [0.01] * 6,
        }
    )
    out, log = _protect(make_results(), RULES, panel=panel)
    hit = [
        r for r in out["estimates"] if (r["population"], r["outcome"]) == ("in_movers", "employed")
    ]
    kept = [
        r
        for r in out["estimates"]
        if (r["population"], r["outcome"]) == ("working_age", "employed")
    ]
    assert hit and all(
        r["suppressed"] and r["estimate"] is None and r["std_error"] is None for r in hit
    )
    assert kept and not any(r["suppressed"] for r in kept)
    assert any(e["rule"] == "cell_behind_regression" for e in log)


def test_protect_results_is_idempotent_and_rejects_bad_input() -> None:
    once, _ = _protect(make_results(), RULES)
    twice, _ = _protect(once, RULES)
    assert once == twice
    published = protect_results(make_results(), RULES)
    assert protect_results(published, RULES).as_json() == published.as_json()
    with pytest.raises(ReportError):
        _protect({"estimates": {"not": "a list"}}, RULES)


def test_find_identifiers_in_text_and_xlsx(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("<td>P0012345</td><td>P00123456</td>", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("household H77 and 2013", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "t.xlsx", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/sharedStrings.xml", "<si><t>H77</t></si>")
    hits = find_identifiers([tmp_path], ["P0012345", "H77", "201"])
    found = sorted((h.path.name, h.member, h.identifier) for h in hits)
    assert found == [
        ("a.html", "", "P0012345"),
        ("b.txt", "", "H77"),
        ("t.xlsx", "xl/sharedStrings.xml", "H77"),
    ]
    assert find_identifiers([tmp_path], []) == []
    with pytest.raises(ReportError):
        find_identifiers([tmp_path / "missing"], ["x"])
