"""Orchestration: from a config to validated inputs, a panel and a full evaluation.

Each function here wires the stages together (contract -> design -> panel ->
analyses -> disclosure -> outputs) and owns the DuckDB workspace: a database
file in a scratch folder, so that data larger than memory spills to disk.
A refused run writes nothing to its output folder: every check and every
estimate is done before the folder is created.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from boligeval.config import EvaluationConfig
from boligeval.errors import ConfigError
from boligeval.progress import Progress, silent

__all__ = [
    "REGISTER_TABLES",
    "SURVEY_TABLES",
    "build_panel_outputs",
    "synthesize_world",
    "validate_inputs",
    "workspace",
]

REGISTER_TABLES = ("plans", "departments", "residents", "prices")
SURVEY_TABLES = ("respondents", "answers", "codebook", "dispatch")
INCOME_OUTCOMES = ("disposable_income", "equivalised_income")


@dataclass(frozen=True)
class Workspace:
    """An open DuckDB connection with the validated inputs loaded."""

    con: duckdb.DuckDBPyConnection
    inputs: Any
    scratch: Path

    def has(self, table: str) -> bool:
        """Whether a contract table was loaded."""
        return bool(self.inputs.present(table))

    @property
    def has_register(self) -> bool:
        """Whether register data (plans, departments, residents) were loaded."""
        return all(self.has(t) for t in ("plans", "departments", "residents"))

    @property
    def has_survey(self) -> bool:
        """Whether survey data (respondents, answers) were loaded."""
        return self.has("respondents") and self.has("answers")


def _needs_prices(cfg: EvaluationConfig) -> bool:
    return any(o in INCOME_OUTCOMES for a in cfg.analysis for o in a.outcomes)


def _connect(scratch: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(scratch / "work.duckdb"))
    spill = scratch / "spill"
    spill.mkdir(exist_ok=True)
    con.execute(f"SET temp_directory = '{spill.as_posix()}'")
    memory = os.environ.get("BOLIGEVAL_MEMORY_LIMIT")
    if memory:
        con.execute(f"SET memory_limit = '{memory}'")
    con.execute("SET preserve_insertion_order = false")
    return con


@contextmanager
def workspace(
    cfg: EvaluationConfig,
    *,
    tables: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> Iterator[Workspace]:
    """Open a scratch DuckDB database and load and validate the config's inputs.

    Parameters
    ----------
    cfg : EvaluationConfig
        The evaluation config (data folder, renames).
    tables : sequence of str, optional
        Tables that must be present; None loads whatever the folder holds.
    progress : Progress, optional
        Where to report stages.
    """
    from boligeval.contract import load_inputs

    progress = progress or silent()
    if not cfg.data.dir.is_dir():
        raise ConfigError(f"data.dir {cfg.data.dir} is not a folder.")
    with tempfile.TemporaryDirectory(prefix="boligeval-") as tmp:
        scratch = Path(tmp)
        con = _connect(scratch)
        try:
            with progress.stage("reading and validating inputs"):
                inputs = load_inputs(
                    cfg.data.dir, con, scratch_dir=scratch / "converted",
                    rename=cfg.data.rename, tables=tables, need_prices=_needs_prices(cfg),
                )
            yield Workspace(con=con, inputs=inputs, scratch=scratch)
        finally:
            con.close()


def validate_inputs(cfg: EvaluationConfig, *, progress: Progress | None = None) -> Any:
    """Check every input file named by the config against the contract."""
    with workspace(cfg, progress=progress) as ws:
        return ws.inputs


def build_panel_outputs(
    cfg: EvaluationConfig, out_dir: Path, *, progress: Progress | None = None
) -> tuple[Path, Path]:
    """Build the department-year panel and write panel.parquet and accounting.csv."""
    from boligeval.design import build_design
    from boligeval.panel import build_panel

    progress = progress or silent()
    with workspace(cfg, tables=("plans", "departments", "residents"), progress=progress) as ws:
        with progress.stage("design"):
            design = build_design(ws.con, cfg.design)
        with progress.stage("panel"):
            panel = build_panel(ws.con, cfg, design)
        return panel.write(out_dir)


def synthesize_world(
    out_dir: Path,
    *,
    scale: float = 1.0,
    seed: int = 20130601,
    fmt: str = "parquet",
    years: Sequence[int] | None = None,
    effects: dict[str, float] | None = None,
    dynamic: bool = False,
    progress: Progress | None = None,
) -> str:
    """Write a synthetic world (register, programme, survey) and return a one-line summary."""
    from boligeval.synth import Effects, synthesize

    progress = progress or silent()
    if scale <= 0:
        raise ConfigError("--scale must be positive.")
    kwargs: dict[str, Any] = {"scale": scale, "seed": seed, "fmt": fmt, "dynamic": dynamic}
    if years is not None:
        kwargs["years"] = tuple(years)
    if effects is not None:
        kwargs["effects"] = Effects.none() if not effects else Effects.from_mapping(effects)
    with progress.stage("synthetic world"):
        summary = synthesize(out_dir, progress=progress.fraction, **kwargs)
    return str(summary)
