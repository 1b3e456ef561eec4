"""Orchestration: from a config to validated inputs, a panel and a full evaluation.

Each function here wires the stages together (contract -> design -> panel ->
analyses -> disclosure -> outputs) and owns the DuckDB workspace: a database
file in a scratch folder, so that data larger than memory spills to disk.
A refused run writes nothing to its output folder: every check and every
estimate is done before the folder is created.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from boligeval.config import DEFAULT_SEED, EvaluationConfig
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
    # An in-memory database that spills to the scratch folder when a table, join or
    # aggregation does not fit in the memory limit: out of core without paying for
    # writing every intermediate table to a database file.
    con = duckdb.connect()
    spill = scratch / "spill"
    spill.mkdir(exist_ok=True)
    con.execute(f"SET temp_directory = '{spill.as_posix()}'")
    memory = os.environ.get("BOLIGEVAL_MEMORY_LIMIT")
    if memory:
        con.execute(f"SET memory_limit = '{memory}'")
    else:
        # Keep up to 1 GB of freed buffer blocks for reuse rather than handing them back
        # to the OS and faulting them in again (it is released with the connection).
        with contextlib.suppress(duckdb.CatalogException):  # a DuckDB without the setting
            con.execute("SET block_allocator_memory = '1GB'")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
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
            # Nothing after the panel needs the person rows: no persons table.
            panel = build_panel(ws.con, cfg, design, keep_persons=False)
        return panel.write(out_dir)


def synthesize_world(
    out_dir: Path,
    *,
    scale: float = 1.0,
    department_size: float = 1.0,
    seed: int = DEFAULT_SEED,
    fmt: str = "parquet",
    years: Sequence[int] | None = None,
    effects: dict[str, float] | None = None,
    dynamic: bool = False,
    progress: Progress | None = None,
) -> str:
    """Write a synthetic world (register, programme, survey) and return a one-line summary."""
    from boligeval.synth import Effects, synthesize

    progress = progress or silent()
    kwargs: dict[str, Any] = {"scale": scale, "department_size": department_size, "seed": seed,
                              "fmt": fmt, "dynamic": dynamic}
    if years is not None:
        kwargs["years"] = tuple(years)
    if effects is not None:
        kwargs["effects"] = Effects.none() if not effects else Effects.from_mapping(effects)
    with progress.stage("synthetic world"):
        summary = synthesize(out_dir, progress=progress.fraction, **kwargs)
    with progress.stage("synthetic survey"):
        _write_survey(out_dir, fmt=fmt, seed=seed)
    return str(summary)


def _write_survey(out_dir: Path, *, fmt: str, seed: int) -> None:
    """Add both survey waves for the world's plans, in the world's file format."""
    import pandas as pd

    from boligeval.synth.survey import generate_survey

    def read(name: str) -> pd.DataFrame:
        if fmt == "csv":
            return pd.read_csv(out_dir / f"{name}.csv", dtype={"plan_id": str,
                                                                "department_id": str})
        return pd.read_parquet(out_dir / f"{name}.parquet")

    tables = generate_survey(read("plans"), read("departments"), seed=seed)
    for name, frame in tables.items():
        if fmt == "csv":
            frame.to_csv(out_dir / f"{name}.csv", index=False)
        else:
            frame.to_parquet(out_dir / f"{name}.parquet", index=False)


# --------------------------------------------------------------------------- full run


@dataclass(frozen=True)
class RunResult:
    """What a run wrote and the headline numbers, for the closing screen."""

    out_dir: Path
    results: dict[str, Any]
    suppression_log: list[dict[str, Any]]
    paths: dict[str, Path]
    notes: tuple[str, ...]

    def headline(self) -> list[dict[str, Any]]:
        """The area-level effects of an active plan (the seed's tables 4.2-4.5)."""
        return [r for r in self.results.get("estimates", [])
                if r.get("analysis") == "area_did" and r.get("term") == "active_plan"]

    def screen_summary(self) -> str:
        """One screen: where the report is, the headline estimates, what was suppressed."""
        lines = [f"Report: {self.paths.get('report', self.out_dir / 'report.html')}",
                 f"Results: {self.out_dir / 'results.json'}", ""]
        head = self.headline()
        if head:
            lines.append("Effect of an active plan (area-level DiD, plan-clustered):")
            lines.append(f"  {'population':<24}{'outcome':<22}{'estimate':>12}{'std.err.':>11}"
                         f"{'p':>7}")
            for r in head:
                if r.get("suppressed"):
                    lines.append(f"  {r['population']:<24}{r['outcome']:<22}{'·':>12}")
                    continue
                lines.append(f"  {r['population']:<24}{r['outcome']:<22}{r['estimate']:>12.2f}"
                             f"{r['std_error']:>11.2f}{r['p_value']:>7.3f}")
        survey = [r for r in self.results.get("survey", [])
                  if r.get("analysis") == "challenge_level" and r.get("actor") == "all"
                  and r.get("subset") == "all_answers"]
        if survey:
            levels = ", ".join(f"{r['wave']}: {r['value']:.2f}" for r in survey
                               if r.get("value") is not None)
            lines.append(f"Challenge level across actors (survey): {levels}")
        n_supp = sum(int(e.get("count", 0)) for e in self.suppression_log)
        lines.append(f"Disclosure control: {n_supp} value(s) suppressed"
                     + (" (see the report's notes)" if n_supp else ""))
        for note in self.notes:
            lines.append(f"Note: {note}")
        return "\n".join(lines)


def _round_floats(obj: Any, digits: int = 10) -> Any:
    """Round floats to ``digits`` significant digits, so parallel sums do not leak into bytes."""
    if isinstance(obj, float):
        if obj != obj or obj in (float("inf"), float("-inf")):
            return None
        return float(f"{obj:.{digits}g}")
    if isinstance(obj, dict):
        return {k: _round_floats(v, digits) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_round_floats(v, digits) for v in obj]
    return obj


def _versions() -> dict[str, str]:
    import platform
    from importlib import metadata

    names = ["boligeval", "duckdb", "numpy", "scipy", "pandas", "pyarrow", "pyreadstat",
             "openpyxl", "jinja2", "matplotlib", "click"]
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _codebook(ws: Workspace, cfg: EvaluationConfig) -> Any:
    """The survey codebook: the config's file if given, else the loaded table (or None)."""
    from boligeval.survey import load_codebook

    if cfg.survey.codebook is not None:
        return load_codebook(cfg.survey.codebook)
    return ws.con.execute("SELECT * FROM codebook").df() if ws.has("codebook") else None


def _survey_records(ws: Workspace, cfg: EvaluationConfig, design: Any) -> list[dict[str, Any]]:
    from boligeval.evaluate import cohort_names
    from boligeval.survey import analyse_survey

    # Survey tables are small; read them in file order (the codebook's order is the
    # display order), whatever order DuckDB's threads would deliver rows in.
    ws.con.execute("SET preserve_insertion_order = true")

    def table(name: str) -> Any:
        return ws.con.execute(f"SELECT * FROM {name}").df() if ws.has(name) else None

    codebook = _codebook(ws, cfg)
    cohorts = None if design is None else cohort_names(design)
    first_round = next(iter(cfg.design.cohorts.values()), None)
    result = analyse_survey(
        table("respondents"), table("answers"), codebook, table("dispatch"),
        table("plans"), table("departments"), cohorts,
        first_round_years=first_round, seed=cfg.inference.seed,
    )
    ws.con.execute("SET preserve_insertion_order = false")
    return list(result.records())


def run_evaluation(
    cfg: EvaluationConfig,
    out_dir: Path,
    *,
    lang: str | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Run the whole evaluation and write every output into ``out_dir``.

    Inputs are validated, the panel built and every analysis estimated
    before anything is written, so a refused run leaves ``out_dir`` untouched.

    Parameters
    ----------
    cfg : EvaluationConfig
        The evaluation config.
    out_dir : Path
        Output folder (created).
    lang : {"da", "en"}, optional
        Report language; default ``cfg.report.lang``.
    progress : Progress, optional
        Where to report stages.

    Returns
    -------
    RunResult
    """
    import json
    import time
    from datetime import UTC, datetime

    from boligeval.config import as_dict, dump_config
    from boligeval.design import build_design
    from boligeval.disclosure import DisclosureRules, protect_results
    from boligeval.evaluate import (
        RegisterContext,
        balance_records,
        cell_records,
        register_analyses,
    )
    from boligeval.panel import build_panel
    from boligeval.report import codebook_labels, write_report

    progress = progress or silent()
    started = time.perf_counter()
    lang = lang or cfg.report.lang
    if lang not in ("da", "en"):
        raise ConfigError(f"--lang must be 'da' or 'en', not '{lang}'.")
    results: dict[str, Any] = {"estimates": [], "accounting": [], "balance": [], "cells": [],
                               "survey": []}
    notes: list[str] = []
    item_labels: dict[str, dict[str, str]] = {}
    panel_frame = None
    with workspace(cfg, progress=progress) as ws:
        if not ws.has_register and not ws.has_survey:
            raise ConfigError(
                f"{cfg.data.dir} holds neither register data (plans, departments, residents) "
                "nor survey data (respondents, answers, codebook)."
            )
        design = None
        if ws.has_register:
            with progress.stage("design"):
                design = build_design(ws.con, cfg.design)
            with progress.stage("panel"):
                panel = build_panel(ws.con, cfg, design)
            panel_frame = panel.frame
            ctx = RegisterContext(cfg=cfg, con=ws.con, design=design, panel=panel)
            results["accounting"] = [
                {k: (None if v != v else v) for k, v in rec.items()}
                for rec in panel.accounting.to_dict("records")
            ]
            with progress.stage("balance"):
                results["balance"] = balance_records(ctx)
            results["cells"] = cell_records(ctx)
            estimates, notes = register_analyses(ctx, progress)
            results["estimates"] = estimates
        elif ws.has("plans"):
            notes.append("No register data: the evaluation has survey results only.")
        if ws.has_survey:
            with progress.stage("survey analyses"):
                results["survey"] = _survey_records(ws, cfg, design)
            item_labels = codebook_labels(_codebook(ws, cfg))
        inputs_manifest = ws.inputs.manifest()

    rules = DisclosureRules(min_persons=cfg.disclosure.min_persons,
                            dominance_share=cfg.disclosure.dominance_share,
                            secondary=cfg.disclosure.secondary)
    with progress.stage("disclosure control"):
        protected, log = protect_results(results, rules, panel=panel_frame)
    protected = _round_floats(protected)
    protected["notes"] = notes

    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    results_path = out_dir / "results.json"
    results_path.write_text(json.dumps(protected, indent=1, sort_keys=True, ensure_ascii=False),
                            encoding="utf-8")
    paths["results"] = results_path
    with progress.stage("report"):
        report = write_report(protected, out_dir, lang=lang,
                              meta={"disclosure": as_dict(cfg)["disclosure"],
                                    "suppression_log": log, "labels": item_labels})
    paths["report"] = report.html
    config_path = out_dir / "config.toml"
    if cfg.source is None or cfg.source.resolve() != config_path.resolve():
        config_path.write_text(dump_config(cfg), encoding="utf-8")
    paths["config"] = config_path
    manifest = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "boligeval": _versions(),
        "config": as_dict(cfg),
        "config_file": None if cfg.source is None else str(cfg.source),
        "seed": cfg.inference.seed,
        "inputs": inputs_manifest,
        "outputs": sorted(p.name for p in out_dir.iterdir() if p.name != "manifest.json"),
        "timings_seconds": {**progress.timings,
                            "total": round(time.perf_counter() - started, 3)},
        "suppression_log": log,
        "language": lang,
    }
    manifest_path = out_dir / "manifest.json"
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True, default=str),
                             encoding="utf-8")
    paths["manifest"] = manifest_path
    return RunResult(out_dir=out_dir, results=protected, suppression_log=log, paths=paths,
                     notes=tuple(notes))


def run_demo(
    out_dir: Path,
    *,
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    lang: str = "en",
    progress: Progress | None = None,
) -> RunResult:
    """Build the synthetic world in ``out_dir/world`` and run the full evaluation on it.

    The config used is written to ``out_dir/config.toml``, ready to copy and edit.
    """
    import tomllib

    from boligeval.config import dump_config, load_config, parse_config

    progress = progress or silent()
    synthesize_world(out_dir / "world", scale=scale, seed=seed, progress=progress)
    minimal = parse_config(tomllib.loads(load_config_text(seed)), base=out_dir.resolve())
    cfg_path = out_dir / "config.toml"
    cfg_path.write_text(dump_config(minimal, data_dir=Path("world")), encoding="utf-8")
    cfg = load_config(cfg_path)
    return run_evaluation(cfg, out_dir, lang=lang, progress=progress)


def load_config_text(seed: int) -> str:
    """The demo's minimal config: the data folder and the seed, every other setting default."""
    return f'[data]\ndir = "world"\n\n[inference]\nseed = {seed}\n'
