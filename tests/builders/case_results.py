"""Case records for report tests, computed by the case analyses on synthetic case material."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from boligeval.analyses import Context, run_analyses
from boligeval.cases import Cases, load_case_codebook
from boligeval.config import CaseSpec, EvaluationConfig
from boligeval.synth.cases import generate_cases
from boligeval.synth.structure import build_structure


@lru_cache(maxsize=2)
def _records(publish_excerpts: bool) -> tuple[dict[str, Any], ...]:
    structure = build_structure(np.random.default_rng(5), 0.3)
    tables = generate_cases(structure.plans, structure.departments, seed=5)
    cases = Cases(tables["cases"], tables["case_sources"], tables["case_codes"],
                  load_case_codebook(), publish_excerpts=publish_excerpts)
    cfg = EvaluationConfig(cases=CaseSpec(publish_excerpts=publish_excerpts))
    results = run_analyses(Context(cfg=cfg, cases=cases), (), strict=True)
    return tuple(r.as_dict() for r in results.records)


def case_records(*, publish_excerpts: bool = False) -> list[dict[str, Any]]:
    """Unprotected survey-section records of the four case analyses."""
    return [dict(r) for r in _records(publish_excerpts)]
