"""The area classification on a synthetic world equals the world's own truth.json."""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from boligeval.analyses import Context
from boligeval.analyses.area_classification import classification
from boligeval.config import parse_config
from boligeval.run import Pipeline
from boligeval.synth.world import synthesize

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def annual_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("areas_world")
    synthesize(out, scale=0.3, years=range(2003, 2011), survey=False, full_truth=False)
    return out


def _classify(world: Path):
    cfg = parse_config(tomllib.loads(f'[data]\ndir = "{world}"\n'), base=world)
    with Pipeline(cfg) as pipeline:
        return classification(Context(cfg=cfg, panel=pipeline.panel))[0]


def test_classification_equals_truth_for_every_area_year(annual_world: Path) -> None:
    truth = json.loads((annual_world / "truth.json").read_text(encoding="utf-8"))["areas"]
    fit = _classify(annual_world)
    ours = {(str(r.area_id), int(r.year)): r.status for r in fit.status.itertuples()}
    expected = {(t["area_id"], t["year"]): t["status"] for t in truth["area_years"]}
    assert ours == expected
    # The world has areas in every status and below the minimum, and moves some across.
    statuses = Counter(expected.values())
    assert {"transformation", "parallel_society", "vulnerable", "prevention",
            "below_min_residents"} <= set(statuses)
    assert len(fit.transitions()) > 0
    # The reconciliation with the synthetic official list finds the two changed entries.
    import pandas as pd

    official = pd.read_parquet(annual_world / "official_list.parquet")
    rec = fit.reconcile(official)
    changed = {(c["area_id"], c["year"]) for c in truth["official_list_changed"]}
    disagree = rec[~rec["agree"]]
    listed_disagreements = {(str(a), int(y)) for a, y, o in
                            zip(disagree["area_id"], disagree["year"], disagree["official"],
                                strict=True)}
    assert changed <= listed_disagreements
    assert all(rec.loc[~rec["agree"] & rec["status"].isin(
        ["vulnerable", "parallel_society", "transformation", "prevention"]), "deciding"] != "")


def test_status_at_baseline_restricts_the_area_did(annual_world: Path) -> None:
    """comparison = "listed" keeps only control departments of listed areas; area_status
    keeps departments by their area's status in the first measurement year (truth.json)."""
    import pandas as pd

    from boligeval.analyses import registry

    truth = json.loads((annual_world / "truth.json").read_text(encoding="utf-8"))["areas"]
    listed_areas = {t["area_id"] for t in truth["area_years"] if t["year"] == 2005
                    and t["status"] in ("vulnerable", "parallel_society", "transformation")}
    depts = pd.read_parquet(annual_world / "departments.parquet")
    listed = set(depts.loc[depts["area_id"].isin(listed_areas), "department_id"])
    assert listed
    text = f'[data]\ndir = "{annual_world}"\n'
    for status, comparison in (("listed", "all"), ("not_listed", "all"), ("all", "listed")):
        text += (f'[[analysis]]\nkind = "area_did"\npopulation = "all"\noutcomes = ["employed"]\n'
                 f'area_status = "{status}"\ncomparison = "{comparison}"\n')
    cfg = parse_config(tomllib.loads(text), base=annual_world)
    with Pipeline(cfg) as pipeline:
        ctx = Context(cfg=cfg, panel=pipeline.panel)
        data = ctx.data(cfg.analysis[0], "employed")
        everyone = data.drop_duplicates("department_id")
        in_listed = everyone["department_id"].isin(listed)
        control = everyone["cohort"] == "control"
        expected = [int(in_listed.sum()), int((~in_listed).sum()),
                    int((in_listed | ~control).sum())]
        got = []
        for spec in cfg.analysis:
            records = registry()["area_did"].run(ctx, spec, "employed")
            head = next(r for r in records if r.get("term") == "active_plan")
            assert {k: head.get(k) for k in ("area_status", "comparison")
                    if head.get(k) is not None} == {
                k: v for k, v in spec.options.items() if k in ("area_status", "comparison")
                and v != "all"}
            got.append(head.get("n_departments"))
    assert got == expected
    assert 0 < expected[0] < len(everyone) and expected[2] < len(everyone)
