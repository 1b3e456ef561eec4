"""Orchestration: the pipeline from a config to the outputs of an evaluation.

:class:`Pipeline` runs the stages in order, each once: validate the inputs,
build the design and the panel, run the analyses, apply disclosure control.
It owns the DuckDB workspace (an in-memory database that spills to a
scratch folder, so data larger than memory work). The writers in
``boligeval.write`` then turn the published results into files. A refused
run writes nothing to its output folder: every check and every estimate is
done before the folder is created.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import pandas as pd

from boligeval.config import DEFAULT_SEED, EvaluationConfig
from boligeval.errors import ConfigError
from boligeval.progress import Progress, silent
from boligeval.vocabulary import AMOUNT_OUTCOMES

__all__ = [
    "Pipeline",
    "RunResult",
    "Workspace",
    "build_panel_outputs",
    "run_demo",
    "run_evaluation",
    "synthesize_world",
    "validate_inputs",
    "workspace",
]


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

    def frame(self, table: str) -> pd.DataFrame | None:
        """A small table (plans, survey) as a DataFrame in file order; None if absent.

        Row order is display order for the codebook, so it is read with
        insertion order kept, whatever order DuckDB's threads would give.
        """
        if not self.has(table):
            return None
        self.con.execute("SET preserve_insertion_order = true")
        try:
            return self.con.execute(f"SELECT * FROM {table}").df()
        finally:
            self.con.execute("SET preserve_insertion_order = false")


def _needs_prices(cfg: EvaluationConfig) -> bool:
    return any(o in AMOUNT_OUTCOMES for a in cfg.analysis for o in a.outcomes)


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
                    csv_options=cfg.data.csv,
                )
            yield Workspace(con=con, inputs=inputs, scratch=scratch)
        finally:
            con.close()


class Pipeline:
    """The stages of one evaluation, each computed once and kept.

    Use it as a context manager: it opens the DuckDB workspace on entry and
    closes it (and removes the scratch folder) on exit.

    >>> with Pipeline(cfg) as pipeline:                        # doctest: +SKIP
    ...     published = pipeline.published

    Parameters
    ----------
    cfg : EvaluationConfig
        The evaluation config.
    progress : Progress, optional
        Where to report stages.
    """

    def __init__(self, cfg: EvaluationConfig, *, progress: Progress | None = None) -> None:
        self.cfg = cfg
        self.progress = progress or silent()
        self._stack = ExitStack()
        self._ws: Workspace | None = None

    def __enter__(self) -> Pipeline:
        self._ws = self._stack.enter_context(workspace(self.cfg, progress=self.progress))
        if not self._ws.has_register and not self._ws.has_survey:
            self._stack.close()
            raise ConfigError(
                f"{self.cfg.data.dir} holds neither register data (plans, departments, "
                "residents) nor survey data (respondents, answers, codebook)."
            )
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stack.close()
        self._ws = None

    @property
    def ws(self) -> Workspace:
        """The open workspace."""
        if self._ws is None:
            raise RuntimeError("Use the pipeline inside a 'with' block.")
        return self._ws

    @cached_property
    def design(self) -> Any:
        """Department-year design indicators (None without register data)."""
        from boligeval.design import build_design

        if not self.ws.has_register:
            return None
        with self.progress.stage("design"):
            return build_design(self.ws.con, self.cfg.design)

    @cached_property
    def panel(self) -> Any:
        """The department-year panel (None without register data)."""
        from boligeval.panel import build_panel

        if self.design is None:
            return None
        with self.progress.stage("panel"):
            return build_panel(self.ws.con, self.cfg, self.design)

    @cached_property
    def codebook(self) -> pd.DataFrame | None:
        """The survey codebook: the config's file if given, else the loaded table."""
        from boligeval.survey import load_codebook

        if self.cfg.survey.codebook is not None:
            return load_codebook(self.cfg.survey.codebook)
        return self.ws.frame("codebook")

    @cached_property
    def survey(self) -> Any:
        """The actor surveys linked to the plans (None without survey data)."""
        from boligeval.design import CONTROL
        from boligeval.survey import Survey

        if not self.ws.has_survey:
            return None
        cohorts = None
        if self.design is not None:
            d = self.design.departments()
            cohorts = dict(zip(d["department_id"], d["cohort"].fillna(CONTROL), strict=True))
        ws = self.ws
        respondents, answers = ws.frame("respondents"), ws.frame("answers")
        if respondents is None or answers is None or self.codebook is None:
            return None
        return Survey(
            respondents, answers, self.codebook, ws.frame("dispatch"),
            ws.frame("plans"), ws.frame("departments"), cohorts,
            first_round_years=next(iter(self.cfg.design.cohorts.values()), None),
            seed=self.cfg.inference.seed,
        )

    @cached_property
    def results(self) -> Any:
        """Every analysis's records, before disclosure control."""
        from boligeval.analyses import Context, run_analyses
        from boligeval.config import default_analyses
        from boligeval.records import Results

        ctx = Context(cfg=self.cfg, panel=self.panel, survey=self.survey)
        results = run_analyses(ctx, self.cfg.analysis if self.panel is not None else (),
                               strict=self.cfg.analysis != default_analyses(),
                               progress=self.progress)
        if self.panel is None and self.ws.has("plans"):
            notes = (*results.notes, "No register data: the evaluation has survey results only.")
            results = Results(records=results.records, notes=notes)
        return results

    @cached_property
    def published(self) -> Any:
        """The results after disclosure control."""
        from boligeval.disclosure import protect_results

        with self.progress.stage("disclosure control"):
            panel = None if self.panel is None else self.panel.frame
            return protect_results(self.results, self.cfg.disclosure, panel=panel)

    @cached_property
    def item_labels(self) -> dict[str, dict[str, str]]:
        """Survey item labels from the codebook, for the report."""
        from boligeval.report import codebook_labels

        return codebook_labels(self.codebook) if self.ws.has_survey else {}


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
    return str(summary)


# --------------------------------------------------------------------------- full run


@dataclass(frozen=True)
class RunResult:
    """What a run wrote and the published results, for the closing screen."""

    out_dir: Path
    published: Any
    paths: dict[str, Path]

    @property
    def results(self) -> dict[str, Any]:
        """results.json as a dict."""
        from boligeval.write.results import results_json

        return results_json(self.published)

    @property
    def notes(self) -> tuple[str, ...]:
        """What was not estimated and why."""
        return tuple(self.published.notes)

    def screen_summary(self) -> str:
        """One screen: where the report is, the headline estimates, what was suppressed."""
        from boligeval.analyses import registry

        lines = [f"Report: {self.paths.get('report', self.out_dir / 'report.html')}",
                 f"Results: {self.out_dir / 'results.json'}", ""]
        for analysis in registry().values():
            lines += analysis.screen(self.published.records(analysis.id))
        n_supp = sum(int(e.get("count", 0)) for e in self.published.log)
        lines.append(f"Disclosure control: {n_supp} value(s) suppressed"
                     + (" (see the report's notes)" if n_supp else ""))
        lines += [f"Note: {note}" for note in self.notes]
        return "\n".join(lines)


def write_outputs(pipeline: Pipeline, out_dir: Path, *, lang: str, started: float) -> RunResult:
    """Write every output of a run into ``out_dir``: results, report, config, manifest."""
    from boligeval.config import as_dict, dump_config
    from boligeval.report import write_report
    from boligeval.write import write_manifest, write_results

    cfg, progress, published = pipeline.cfg, pipeline.progress, pipeline.published
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {"results": write_results(published, out_dir / "results.json")}
    with progress.stage("report"):
        report = write_report(published, out_dir, lang=lang,
                              meta={"labels": pipeline.item_labels})
    paths["report"] = report.html
    config_path = out_dir / "config.toml"
    if cfg.source is None or cfg.source.resolve() != config_path.resolve():
        config_path.write_text(dump_config(cfg), encoding="utf-8")
    paths["config"] = config_path
    paths["manifest"] = write_manifest(
        published, out_dir / "manifest.json", config=as_dict(cfg), config_file=cfg.source,
        inputs=pipeline.ws.inputs.manifest(),
        outputs=[p.name for p in out_dir.iterdir() if p.name != "manifest.json"],
        timings={**progress.timings, "total": round(time.perf_counter() - started, 3)},
        language=lang,
    )
    return RunResult(out_dir=out_dir, published=published, paths=paths)


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
    started = time.perf_counter()
    lang = lang or cfg.report.lang
    if lang not in ("da", "en"):
        raise ConfigError(f"--lang must be 'da' or 'en', not '{lang}'.")
    with Pipeline(cfg, progress=progress) as pipeline:
        pipeline.published  # noqa: B018  (every estimate before the first file)
        return write_outputs(pipeline, out_dir, lang=lang, started=started)


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
