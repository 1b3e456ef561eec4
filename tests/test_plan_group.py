"""Effects by plan organisation: area_did's plan_group keeps one kind of plan's departments."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest

from boligeval.analyses import Context, registry
from boligeval.config import parse_config
from boligeval.errors import ConfigError
from boligeval.run import Pipeline
from boligeval.synth.world import synthesize
from boligeval.vocabulary import SECRETARIAT_TYPES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plan_group_world")
    synthesize(out, scale=0.3, full_truth=False)
    return out


def _block(group: str) -> str:
    return ('[[analysis]]\nkind = "area_did"\npopulation = "all"\noutcomes = ["employed"]\n'
            f'plan_group = "{group}"\n')


def test_plan_group_keeps_the_plans_of_one_secretariat_type_and_every_control(
    world: Path,
) -> None:
    plans = pd.read_parquet(world / "plans.parquet")
    depts = pd.read_parquet(world / "departments.parquet")
    assert set(plans["secretariat_type"].dropna()) <= set(SECRETARIAT_TYPES)
    text = f'[data]\ndir = "{world}"\n' + "".join(
        _block(f"secretariat_type={t}") for t in ("cross_organisational_team", "one_person"))
    cfg = parse_config(tomllib.loads(text), base=world)
    with Pipeline(cfg) as pipeline:
        ctx = Context(cfg=cfg, panel=pipeline.panel, survey=pipeline.survey)
        everyone = ctx.data(cfg.analysis[0], "employed").drop_duplicates("department_id")
        control = everyone["cohort"] == "control"
        for spec in cfg.analysis:
            level = str(spec.options["plan_group"]).split("=")[1]
            of_type = set(plans.loc[plans["secretariat_type"] == level, "plan_id"])
            in_type = everyone["department_id"].isin(
                depts.loc[depts["plan_id"].isin(of_type), "department_id"])
            records = registry()["area_did"].run(ctx, spec, "employed")
            head = next(r for r in records if r.get("term") == "active_plan")
            assert head.get("plan_group") == f"secretariat_type={level}"
            assert head.get("n_departments") == int((in_type & ~control).sum() + control.sum())
            assert 0 < int((in_type & ~control).sum()) < int((~control).sum())


def test_plan_group_refuses_what_the_plans_do_not_carry(world: Path) -> None:
    for group, message in (("secretariat_type", "must be 'attribute=level'"),
                           ("colour=blue", "no attribute 'colour'"),
                           ("secretariat_type=huge_team", "no plan has secretariat_type")):
        text = f'[data]\ndir = "{world}"\n' + _block(group)
        cfg = parse_config(tomllib.loads(text), base=world)
        with Pipeline(cfg) as pipeline:
            ctx = Context(cfg=cfg, panel=pipeline.panel, survey=pipeline.survey)
            with pytest.raises(ConfigError, match=message):
                registry()["area_did"].run(ctx, cfg.analysis[0], "employed")
