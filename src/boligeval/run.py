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

import os
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import pandas as pd

from boligeval.config import DEFAULT_SEED, EvaluationConfig
from boligeval.errors import BoligevalWarning, ConfigError
from boligeval.outputs import (
    OutputFolder,
    check_environment,
    check_out_dir,
    connect,
    memory_limit,
    output_folder,
    scratch_folder,
)
from boligeval.progress import Progress, silent
from boligeval.vocabulary import AMOUNT_OUTCOMES

__all__ = [
    "Pipeline",
    "RunResult",
    "Workspace",
    "build_panel_outputs",
    "check_environment",
    "check_rules",
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


def check_rules(cfg: EvaluationConfig) -> None:
    """Warn when the disclosure settings are weaker than their profile's."""
    reasons = cfg.disclosure.weaker_than_profile()
    if reasons:
        warnings.warn(
            "the outputs of this run are NOT fit to leave the research environment: "
            + "; ".join(reasons) + " (the manifest says so too).",
            BoligevalWarning, stacklevel=2,
        )


def _available_memory() -> float:
    limit = memory_limit()
    if limit is not None:
        return limit[1]
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")) * 0.8
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return 8e9


def _cohorts(cfg: EvaluationConfig, ws: Workspace) -> Mapping[str, tuple[int, ...]]:
    """The run's cohorts (``cohorts = "auto"``: one per grant year of the loaded plans)."""
    from boligeval.design import configured_cohorts

    if cfg.design.cohorts != "auto":
        return cfg.design.cohorts
    return configured_cohorts(ws.con, cfg.design) if ws.has("plans") else {}


def _check_against_data(cfg: EvaluationConfig, ws: Workspace) -> None:
    """Config values that need the data: measurement years present, draws' memory."""
    from boligeval.config import draws_memory

    if not ws.has("residents"):
        return
    years = {int(r[0]) for r in ws.con.execute(
        "SELECT DISTINCT year FROM residents WHERE year IS NOT NULL").fetchall()}
    missing = [y for y in cfg.measurement_years if y not in years]
    if missing:
        have = f"{min(years)}-{max(years)}" if years else "no year"
        raise ConfigError(
            f"design.years names {', '.join(map(str, missing))}, but residents has no rows in "
            f"{'that year' if len(missing) == 1 else 'those years'} (it covers {have}). Choose "
            "measurement years present in the data."
        )
    row = ws.con.execute("SELECT count(*) FROM plans").fetchone() if ws.has("plans") else None
    n_plans = int(row[0]) if row else 1
    inf = cfg.inference
    n_cohorts = len(_cohorts(cfg, ws))
    cells = max(n_cohorts, 1) * len(cfg.measurement_years)
    need = max(draws_memory(inf.bootstrap_draws, cells),
               draws_memory(inf.wild_bootstrap_draws, n_plans),
               draws_memory(inf.permutations, n_plans))
    available = _available_memory()
    if need > available:
        raise ConfigError(
            f"The resampling settings (bootstrap_draws = {inf.bootstrap_draws:,}, "
            f"wild_bootstrap_draws = {inf.wild_bootstrap_draws:,}, permutations = "
            f"{inf.permutations:,}) need about {need / 2**30:,.1f} GiB for {n_plans:,} plans, "
            f"more than the {available / 2**30:,.1f} GiB available. Use fewer draws (the "
            "defaults are 999, 9999 and 999)."
        )


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
    check_environment()
    with scratch_folder() as scratch:
        con = connect(scratch)
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
        try:
            _check_against_data(self.cfg, self._ws)
        except BaseException:
            self._stack.close()
            raise
        if not self._ws.has_register and not self._ws.has_survey and not self._ws.has("cases"):
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
            self._plans_with_typology(), ws.frame("departments"), cohorts,
            first_round_years=next(iter(_cohorts(self.cfg, ws).values()), None),
            seed=self.cfg.inference.seed,
        )

    def _plans_with_typology(self) -> pd.DataFrame | None:
        """The plans table with the case study's typologies as plan attributes."""
        plans = self.ws.frame("plans")
        if plans is None or self.cases is None:
            return plans
        from boligeval.cases import plan_typology

        typology = plan_typology(self.cases)
        typology = typology[[c for c in typology.columns
                             if c == "plan_id" or c not in plans.columns]]
        plans = plans.assign(plan_id=plans["plan_id"].astype("string"))
        return plans.merge(typology, on="plan_id", how="left")

    @cached_property
    def cases(self) -> Any:
        """The process evaluation's case material (None without a ``cases`` table)."""
        from boligeval.cases import Cases, load_case_codebook

        ws = self.ws
        cases, sources, codes = (ws.frame(t) for t in ("cases", "case_sources", "case_codes"))
        spec = self.cfg.cases
        if spec.export is not None and spec.export_documents and spec.export_codes:
            from boligeval.cases import read_coded_segments

            codes = read_coded_segments(spec.export, spec.export_tool,
                                        pd.read_csv(spec.export_documents, dtype=str),
                                        pd.read_csv(spec.export_codes, dtype=str))
        if cases is None or sources is None or codes is None:
            return None
        book = ws.frame("case_codebook")
        return Cases(cases, sources, codes, load_case_codebook() if book is None else book,
                     publish_excerpts=self.cfg.cases.publish_excerpts)

    @cached_property
    def results(self) -> Any:
        """Every analysis's records, before disclosure control."""
        from boligeval.analyses import Context, run_analyses
        from boligeval.config import default_analyses
        from boligeval.records import Results

        ctx = Context(cfg=self.cfg, panel=self.panel, survey=self.survey, cases=self.cases)
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

        results = self.results  # the analyses first: their own stages, their own timings
        with self.progress.stage("disclosure control"):
            panel = None if self.panel is None else self.panel.frame
            return protect_results(results, self.cfg.disclosure, panel=panel)

    @cached_property
    def item_labels(self) -> dict[str, dict[str, str]]:
        """Survey item labels from the codebook, for the report."""
        from boligeval.report import codebook_labels

        return codebook_labels(self.codebook) if self.ws.has_survey else {}


def validate_inputs(cfg: EvaluationConfig, *, progress: Progress | None = None) -> Any:
    """Check every input file named by the config against the contract."""
    with workspace(cfg, progress=progress) as ws:
        return ws.inputs


def _files(folder: Path) -> list[str]:
    """Every file under ``folder``, as relative POSIX paths."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _earlier_population(folder: OutputFolder, compare_with: Path | None) -> list[Any]:
    """Populations of earlier manifests: the output replaced and ``compare_with``."""
    import json

    from boligeval.outputs import MANIFEST

    found = []
    if folder.previous is not None:
        found.append(folder.previous.get("population"))
    if compare_with is not None:
        path = compare_with / MANIFEST if compare_with.is_dir() else compare_with
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")).get("population"))
        except (OSError, ValueError, AttributeError):
            raise ConfigError(f"--compare-with {compare_with}: no readable boligeval "
                              "manifest.json there.") from None
    return [p for p in found if isinstance(p, dict)]


def _population_of(accounting: list[dict[str, Any]]) -> dict[str, int]:
    """The published unit counts of a run, keyed, for comparing runs (differencing)."""
    out: dict[str, int] = {}
    for r in accounting:
        if r.get("table") in ("residents", "units", "households") and isinstance(
                r.get("count"), int) and r.get("reason") in ("in_file", "used", "total"):
            key = "/".join(str(r.get(k)) for k in ("table", "population", "outcome", "reason"))
            out[key] = int(r["count"])
    return out


def _difference_warnings(population: dict[str, int], earlier: list[Any],
                         min_persons: int) -> list[str]:
    from boligeval.write.manifest import population_warnings

    found: list[str] = []
    for pop in earlier:
        found += population_warnings(population, pop, min_persons)
    for message in found[:3]:
        warnings.warn(message, BoligevalWarning, stacklevel=3)
    return found


def build_panel_outputs(
    cfg: EvaluationConfig, out_dir: Path, *, progress: Progress | None = None,
    overwrite: bool = False, compare_with: Path | None = None,
) -> tuple[Path, Path]:
    """Build the department-year panel and write panel.parquet and accounting.csv.

    Both files pass disclosure control under ``cfg.disclosure``; a
    ``manifest.json`` says whether they are fit to leave. ``out_dir`` is
    written atomically (see :mod:`boligeval.outputs`).
    """
    from boligeval.config import as_dict
    from boligeval.design import build_design
    from boligeval.disclosure import protect_accounting
    from boligeval.panel import build_panel
    from boligeval.write.manifest import write_plain_manifest

    started = time.perf_counter()
    progress = progress or silent()
    check_out_dir(out_dir, overwrite=overwrite, data_dirs=[cfg.data.dir])
    check_rules(cfg)
    with workspace(cfg, tables=("plans", "departments", "residents"), progress=progress) as ws:
        _check_against_data(cfg, ws)
        with progress.stage("design"):
            design = build_design(ws.con, cfg.design)
        with progress.stage("panel"):
            # Nothing after the panel needs the person rows: no persons table.
            panel = build_panel(ws.con, cfg, design, keep_persons=False)
        with output_folder(out_dir, overwrite=overwrite, data_dirs=[cfg.data.dir]) as folder:
            panel.write(folder.stage, cfg.disclosure)
            accounting = protect_accounting(panel.accounting, cfg.disclosure)
            population = _population_of(
                [{str(k): v for k, v in r.items()} for r in accounting.to_dict("records")])
            found = _difference_warnings(population, _earlier_population(folder, compare_with),
                                         cfg.disclosure.min_persons)
            write_plain_manifest(
                folder.stage / "manifest.json", command="panel", config=as_dict(cfg),
                inputs=ws.inputs.manifest(), outputs=_files(folder.stage),
                rules=cfg.disclosure, population=population, warnings=found,
                timings={**progress.timings, "total": round(time.perf_counter() - started, 3)},
            )
        return folder.final / "panel.parquet", folder.final / "accounting.csv"


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
    overwrite: bool = False,
    registers: bool = False,
    national: bool = False,
) -> str:
    """Write a synthetic world (register, programme, survey) and return a one-line summary.

    ``out_dir`` must be new, empty, or an earlier world (replaced whole only
    with ``overwrite``); it is written atomically. With ``registers`` the
    world is also written as raw registers with ``registers.toml``.
    """
    from boligeval.config import as_dict

    progress = progress or silent()
    with output_folder(out_dir, overwrite=overwrite) as folder:
        summary = _synthesize_into(folder.stage, scale=scale, department_size=department_size,
                                   seed=seed, fmt=fmt, years=years, effects=effects,
                                   dynamic=dynamic, progress=progress)
        if registers:
            from boligeval.synth.registers import write_registers

            with progress.stage("synthetic registers"):
                path = write_registers(folder.stage, seed=seed, national=national,
                                       progress=progress.log)
            path.write_text(folder.relocate(path.read_text(encoding="utf-8")), encoding="utf-8")
            summary += (f"\nRaw registers: {folder.final / 'registers'}; config: "
                        f"{folder.final / path.relative_to(folder.stage)}")
        _write_world_manifest(folder, as_dict)
    return folder.relocate(summary)


def synthesize_pools_world(
    out_dir: Path,
    *,
    scale: float | None = None,
    department_size: float | None = None,
    seed: int = DEFAULT_SEED,
    fmt: str = "parquet",
    effects: dict[str, float] | None = None,
    progress: Progress | None = None,
    overwrite: bool = False,
) -> str:
    """Write a four-pools world (``synth --pools``) with truth.json and config.toml.

    Returns a one-line summary. ``out_dir`` is written atomically, like
    :func:`synthesize_world`'s.
    """
    from boligeval.config import as_dict

    progress = progress or silent()
    with output_folder(out_dir, overwrite=overwrite) as folder:
        summary = _pools_into(folder.stage, scale=scale, department_size=department_size,
                              seed=seed, fmt=fmt, effects=effects, progress=progress)
        _write_world_manifest(folder, as_dict)
    return folder.relocate(summary)


def _pools_into(out_dir: Path, *, scale: float | None, department_size: float | None,
                seed: int, fmt: str, effects: dict[str, float] | None,
                progress: Progress) -> str:
    from boligeval.synth.effects import Effects
    from boligeval.synth.pools import POOLS_EFFECTS, synthesize_pools

    kwargs: dict[str, Any] = {"seed": seed, "fmt": fmt}
    if scale is not None:
        kwargs["scale"] = scale
    if department_size is not None:
        kwargs["department_size"] = department_size
    if effects is not None:
        kwargs["effects"] = (Effects.none() if not effects
                             else Effects.from_mapping({**POOLS_EFFECTS.as_dict(), **effects}))
    with progress.stage("synthetic pools world"):
        truth = synthesize_pools(out_dir, progress=progress.fraction, **kwargs)
    c = truth["counts"]
    return (f"{c['departments']:,} departments in {c['plans']:,} plans of four pools "
            f"({c['departments_with_second_plan']:,} with a second plan, "
            f"{c['departments_demolished']:,} demolished, {c['departments_built']:,} built); "
            f"{c['person_years']:,} person-years 2000-2024; config: {out_dir / 'config.toml'}; "
            f"written to {out_dir} in {truth['seconds']:.1f} s")


def _write_world_manifest(folder: OutputFolder, as_dict: Any) -> None:
    from boligeval.config import EvaluationConfig
    from boligeval.write.manifest import write_plain_manifest

    write_plain_manifest(folder.stage / "manifest.json", command="synth",
                         config={"inference": {}}, inputs=[], outputs=_files(folder.stage),
                         rules=EvaluationConfig().disclosure)


def _synthesize_into(out_dir: Path, *, scale: float, department_size: float, seed: int,
                     fmt: str, years: Sequence[int] | None, effects: dict[str, float] | None,
                     dynamic: bool, progress: Progress) -> str:
    from boligeval.synth import Effects, synthesize

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


def write_outputs(pipeline: Pipeline, out_dir: Path, *, lang: str, started: float,
                  folder: OutputFolder | None = None, compare_with: Path | None = None,
                  command: str = "run") -> RunResult:
    """Write every output of a run into ``out_dir``: results, report, config, manifest.

    With ``folder`` (an :func:`boligeval.outputs.output_folder`), ``out_dir`` is
    its staging folder and paths written into files name the final folder.
    """
    from boligeval.config import as_dict, dump_config
    from boligeval.report import write_report
    from boligeval.write import write_manifest, write_results

    cfg, progress, published = pipeline.cfg, pipeline.progress, pipeline.published
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {"results": write_results(published, out_dir / "results.json")}
    with progress.stage("report"):
        meta: dict[str, Any] = {"labels": pipeline.item_labels}
        if cfg.report.docx_template is not None:
            meta["docx_template"] = str(cfg.report.docx_template)
        report = write_report(published, out_dir, lang=lang, meta=meta)
    paths["report"] = report.html
    config_path = out_dir / "config.toml"
    if cfg.source is None or cfg.source.resolve() != config_path.resolve():
        config_path.write_text(dump_config(cfg), encoding="utf-8")
    paths["config"] = config_path
    from boligeval.records import ACCOUNTING

    population = _population_of(published.section(ACCOUNTING))
    earlier = [] if folder is None else _earlier_population(folder, compare_with)
    found = _difference_warnings(population, earlier, cfg.disclosure.min_persons)
    config = as_dict(cfg)
    if folder is not None:
        import json

        config = json.loads(folder.relocate(json.dumps(config)))
    paths["manifest"] = write_manifest(
        published, out_dir / "manifest.json", config=config,
        config_file=cfg.source if folder is None or cfg.source is None
        else Path(folder.relocate(str(cfg.source))),
        inputs=pipeline.ws.inputs.manifest(),
        outputs=[p for p in _files(out_dir) if p != "manifest.json"],
        timings={**progress.timings, "total": round(time.perf_counter() - started, 3)},
        language=lang, command=command, population=population, warnings=found,
    )
    if folder is not None:
        paths = {k: folder.final / v.relative_to(out_dir) for k, v in paths.items()}
        out_dir = folder.final
    return RunResult(out_dir=out_dir, published=published, paths=paths)


def run_evaluation(
    cfg: EvaluationConfig,
    out_dir: Path,
    *,
    lang: str | None = None,
    progress: Progress | None = None,
    overwrite: bool = False,
    compare_with: Path | None = None,
) -> RunResult:
    """Run the whole evaluation and write every output into ``out_dir``.

    Inputs are validated, the panel built and every analysis estimated
    before anything is written, so a refused run leaves ``out_dir`` untouched.
    The outputs are written into a staging folder beside ``out_dir`` and
    moved into place at the end (:mod:`boligeval.outputs`). A config with a
    ``[registers]`` block first builds ``residents`` from the raw registers,
    in the run's private scratch folder (removed on every exit).

    Parameters
    ----------
    cfg : EvaluationConfig
        The evaluation config.
    out_dir : Path
        Output folder: new, empty, or an earlier boligeval output (replaced
        whole only with ``overwrite``); never the data folder or one holding it.
    lang : {"da", "en"}, optional
        Report language; default ``cfg.report.lang``.
    progress : Progress, optional
        Where to report stages.
    overwrite : bool
        Replace an earlier boligeval output in ``out_dir``.
    compare_with : Path, optional
        An earlier output (or its manifest.json) whose population this run's
        is compared with (the differencing warning).

    Returns
    -------
    RunResult
    """
    started = time.perf_counter()
    lang = lang or cfg.report.lang
    if lang not in ("da", "en"):
        raise ConfigError(f"--lang must be 'da' or 'en', not '{lang}'.")
    check_environment()
    check_out_dir(out_dir, overwrite=overwrite, data_dirs=[cfg.data.dir])
    if cfg.registers is not None:
        from boligeval.config import load_config
        from boligeval.registers import build_residents

        progress = progress or silent()
        with scratch_folder() as tmp:
            prepared = build_residents(cfg, tmp / "prepared", progress=progress)
            progress.log(str(prepared))
            return run_evaluation(load_config(prepared.paths["config"]), out_dir, lang=lang,
                                  progress=progress, overwrite=overwrite,
                                  compare_with=compare_with)
    check_rules(cfg)
    with Pipeline(cfg, progress=progress) as pipeline:
        pipeline.published  # noqa: B018  (every estimate before the first file)
        with output_folder(out_dir, overwrite=overwrite, data_dirs=[cfg.data.dir]) as folder:
            return write_outputs(pipeline, folder.stage, lang=lang, started=started,
                                 folder=folder, compare_with=compare_with)


def run_demo(
    out_dir: Path,
    *,
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    lang: str = "en",
    progress: Progress | None = None,
    overwrite: bool = False,
    pools: bool = False,
) -> RunResult:
    """Build the synthetic world in ``out_dir/world`` and run the full evaluation on it.

    The config used is written to ``out_dir/config.toml``, ready to copy and
    edit. ``out_dir`` is written atomically, like a run's. With ``pools`` the
    world is the four pools on annual years 2000-2024 (``synth --pools``) and
    the config its annual, many-cohort design.
    """
    import tomllib

    from boligeval.config import dump_config, load_config, parse_config

    started = time.perf_counter()
    progress = progress or silent()
    check_environment()
    with output_folder(out_dir, overwrite=overwrite) as folder:
        stage = folder.stage
        if pools:
            from boligeval.synth.pools import pools_config_text

            _pools_into(stage / "world", scale=None if scale == 1.0 else scale,
                        department_size=None, seed=seed, fmt="parquet", effects=None,
                        progress=progress)
            text = pools_config_text("world", seed=seed, lang=lang)
        else:
            _synthesize_into(stage / "world", scale=scale, department_size=1.0, seed=seed,
                             fmt="parquet", years=None, effects=None, dynamic=False,
                             progress=progress)
            text = load_config_text(seed, lang)
        minimal = parse_config(tomllib.loads(text), base=stage)
        cfg_path = stage / "config.toml"
        cfg_path.write_text(dump_config(minimal, data_dir=Path("world")), encoding="utf-8")
        cfg = load_config(cfg_path)
        with Pipeline(cfg, progress=progress) as pipeline:
            pipeline.published  # noqa: B018
            return write_outputs(pipeline, stage, lang=lang, started=started, folder=folder,
                                 command="demo")


def load_config_text(seed: int, lang: str = "da") -> str:
    """The demo's minimal config: the data folder, the seed and the report language.

    Every other setting is the default; the language is written so that the
    saved config reproduces the run (a demo report is English by default).
    """
    return f'[data]\ndir = "world"\n\n[inference]\nseed = {seed}\n\n[report]\nlang = "{lang}"\n'
