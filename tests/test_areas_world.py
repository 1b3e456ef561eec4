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
