"""The att_gt analysis's options ``unbalanced`` and ``anticipation`` reach the estimator."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from boligeval.analyses import Context, configurable
from boligeval.config import EvaluationConfig, parse_config
from boligeval.errors import ConfigError, EstimationError
from boligeval.estimate.staggered import att_gt
from boligeval.panel import Panel


def _frame(drop: bool) -> pd.DataFrame:
    """A small staggered panel, years 2001-2005; with ``drop`` two department-years missing."""
    rng = np.random.default_rng(3)
    rows = []
    for d in range(12):
        g = (0, 2003, 2004)[d % 3]
        for t in range(2001, 2006):
            rows.append({"department_id": f"D{d:02d}", "plan_id": f"P{d // 2}", "year": t,
                         "population": "working_age", "outcome": "employed", "n": 50,
                         "value": 40 + d + 0.5 * t + (2.0 if g and t >= g else 0.0)
                         + rng.normal(0, 0.5),
                         "cohort": "control" if g == 0 else f"g{g}",
                         "active_plan": int(g > 0 and t >= g)})
    frame = pd.DataFrame(rows)
    if drop:
        frame = frame[~(((frame["department_id"] == "D01") & (frame["year"] == 2005))
                        | ((frame["department_id"] == "D03") & (frame["year"] == 2002)))]
    return frame.reset_index(drop=True)


def _context(frame: pd.DataFrame) -> Context:
    panel = Panel(frame=frame, accounting=pd.DataFrame(), cells=pd.DataFrame(), min_count=1,
                  years=tuple(range(2001, 2006)))
    cfg = EvaluationConfig()
    return Context(cfg=cfg, panel=panel)


def _spec(**options: object):
    cfg = parse_config({"data": {"dir": "w"}, "analysis": [
        {"kind": "att_gt", "population": "working_age", "outcomes": ["employed"], **options}]})
    return cfg.analysis[0]


def _att(records: list) -> dict[str, float]:
    return {r.fields["term"]: r.fields["estimate"] for r in records
            if r.fields["analysis"] == "att_gt"}


def test_unbalanced_option_reaches_the_estimator() -> None:
    analysis = configurable()["att_gt"]
    ctx = _context(_frame(drop=True))
    assert _spec().options["unbalanced"] == "auto"   # follows [panel] balanced (true here)
    with pytest.raises(EstimationError, match="unbalanced"):
        analysis.run(ctx, _spec(), "employed")
    with pytest.raises(EstimationError, match="unbalanced"):
        analysis.run(ctx, _spec(unbalanced=False), "employed")
    got = _att(analysis.run(ctx, _spec(unbalanced=True), "employed"))
    data = ctx.staggered(_spec(), "employed")
    ref = att_gt(data, yname="value", tname="year", idname="department_id",
                 gname="first_treated", cluster="plan_id", bootstrap=False,
                 allow_unbalanced_panel=True)
    assert got == pytest.approx(dict(zip(ref.tidy()["term"], ref.att, strict=True)))
    # auto: a run whose panel is built unbalanced ([panel] balanced = false) estimates it
    unbalanced_run = Context(cfg=parse_config({"data": {"dir": "w"},
                                               "panel": {"balanced": False}}), panel=ctx.panel)
    assert _att(analysis.run(unbalanced_run, _spec(), "employed")) == pytest.approx(got)
    # on the balanced panel the option changes nothing
    full = _context(_frame(drop=False))
    assert _att(analysis.run(full, _spec(unbalanced="true"), "employed")) == pytest.approx(
        _att(analysis.run(full, _spec(), "employed")))


def test_anticipation_option_reaches_the_estimator() -> None:
    analysis = configurable()["att_gt"]
    ctx = _context(_frame(drop=False))
    records = analysis.run(ctx, _spec(anticipation=1), "employed")
    assert {r.fields.get("anticipation") for r in records} == {"1"}
    got = _att(records)
    data = ctx.staggered(_spec(), "employed")
    ref = att_gt(data, yname="value", tname="year", idname="department_id",
                 gname="first_treated", cluster="plan_id", bootstrap=False, anticipation=1)
    assert got == pytest.approx(dict(zip(ref.tidy()["term"], ref.att, strict=True)))
    plain = _att(analysis.run(ctx, _spec(), "employed"))
    # with anticipation the 2003 cohort's post cells compare with 2001, not 2002
    assert got["ATT(2003,2003)"] != pytest.approx(plain["ATT(2003,2003)"])


@pytest.mark.parametrize(("key", "value", "match"), [
    ("unbalanced", "yes", "one of auto, false, true"),
    ("anticipation", -1, "anticipation must be a whole number"),
    ("anticipation", "two", "anticipation must be a whole number"),
    ("anticipation", 1.5, "must be a string"),
])
def test_bad_option_values_are_refused(key: str, value: object, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        _spec(**{key: value})


def test_a_bad_option_exits_2(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from boligeval.cli import main

    config = tmp_path / "eval.toml"
    config.write_text('[data]\ndir = "world"\n\n[[analysis]]\nkind = "att_gt"\n'
                      'population = "working_age"\noutcomes = ["employed"]\nanticipation = "x"\n')
    result = CliRunner().invoke(main, ["validate", str(config)])
    assert result.exit_code == 2
    assert "anticipation" in result.output
