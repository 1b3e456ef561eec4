"""Command line: a thin layer over the public API.

User errors (``BoligevalError``) print one clear message and exit with
status 2; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from boligeval.config import DEFAULT_SEED
from boligeval.errors import BoligevalError

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["main"]


def _user_errors(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        debug = bool(ctx.find_root().params.get("debug"))
        try:
            return func(*args, **kwargs)
        except BoligevalError as exc:
            if debug:
                raise
            click.echo(f"boligeval: error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except Exception as exc:
            # DuckDB's messages quote values (a row, a cast value): a bug that ends in one
            # must not print data. --debug shows it.
            if debug or not type(exc).__module__.lstrip("_").startswith("duckdb"):
                raise
            click.echo(
                f"boligeval: internal error: DuckDB raised {type(exc).__name__}; its message "
                "is not shown because it can quote input data. Run again with --debug to see "
                "it, where showing data is allowed, and report the error.",
                err=True,
            )
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _parse_years(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    from boligeval.errors import ConfigError

    try:
        if "-" in text:
            lo, hi = (int(t) for t in text.split("-", 1))
            if hi < lo:
                raise ValueError
            return tuple(range(lo, hi + 1))
        return tuple(int(t) for t in text.split(","))
    except ValueError:
        raise ConfigError(
            f"--years '{text}' is not understood; write 2000-2012 or 2005,2007,2009."
        ) from None


def _parse_effects(text: str | None) -> dict[str, float] | None:
    if text is None:
        return None
    from boligeval.errors import ConfigError

    if text.strip().lower() in ("none", "zero", "0"):
        return {}
    out: dict[str, float] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep:
            raise ConfigError(f"--effects expects key=value pairs, got '{part}'.")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            raise ConfigError(f"--effects: '{value}' is not a number.") from None
    return out


_OVERWRITE = click.option(
    "--overwrite", is_flag=True,
    help="Replace an earlier boligeval output in --out (recognised by its manifest.json) whole.")
_COMPARE = click.option(
    "--compare-with", "compare_with", type=click.Path(path_type=Path), default=None,
    help="An earlier output (or its manifest.json): warn when this run's population differs "
         "from it by fewer than min_persons units (differencing).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(package_name="boligeval")
def main(debug: bool) -> None:
    """boligeval: evaluate area-based social-housing programmes."""
    if not debug:
        warnings.showwarning = _show_warning


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    click.echo(f"[boligeval] warning: {message}", err=True)


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Folder to write the world into.")
@click.option("--scale", type=float, default=None,
              help="1 = the seed's size (545 departments, the default); 0.05 = a small world "
                   "(--pools: default 0.5).")
@click.option("--department-size", type=float, default=None,
              help="Multiplies every department's dwellings (1 = the seed's sizes, the "
                   "default; --pools: 0.35).")
@click.option("--pools", is_flag=True,
              help="The four pools 2006-26 on annual years 2000-2024: successive plans "
                   "(department_plans), demolitions, plan amounts and reach, truth.json and "
                   "a config.toml that fits.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet",
              show_default=True)
@click.option("--years", default=None, help="Measurement years, e.g. 2000-2012 (annual data).")
@click.option("--effects", default=None,
              help="Effect sizes as key=value,... ('none' sets every effect to zero).")
@click.option("--dynamic", is_flag=True, help="Effects differ by cohort and grow over time.")
@click.option("--registers", "raw_registers", is_flag=True,
              help="Also write the world as raw registers (BEF, AKM, IND, UDDA, KRAF) and "
                   "registers.toml.")
@click.option("--national", is_flag=True,
              help="With --registers: add the rest of the country (5.5 million persons a year).")
@_OVERWRITE
@_user_errors
def synth(out_dir: Path, scale: float | None, department_size: float | None, pools: bool,
          seed: int, fmt: str, years: str | None, effects: str | None, dynamic: bool,
          raw_registers: bool, national: bool, overwrite: bool) -> None:
    """Write a synthetic world in the input-contract shape, with truth.json."""
    from boligeval.errors import ConfigError
    from boligeval.progress import Progress
    from boligeval.run import synthesize_pools_world, synthesize_world

    if national and not raw_registers:
        raise ConfigError("--national needs --registers.")
    progress = Progress()
    if pools:
        if years is not None or dynamic or raw_registers:
            raise ConfigError("--pools sets its own years (2000-2024) and dynamic effects, "
                              "and has no raw registers: drop --years, --dynamic and "
                              "--registers.")
        click.echo(synthesize_pools_world(
            out_dir, scale=scale, department_size=department_size, seed=seed, fmt=fmt,
            effects=_parse_effects(effects), progress=progress, overwrite=overwrite))
        return
    scale = 1.0 if scale is None else scale
    department_size = 1.0 if department_size is None else department_size
    summary = synthesize_world(out_dir, scale=scale, department_size=department_size,
                               seed=seed, fmt=fmt,
                               years=_parse_years(years), effects=_parse_effects(effects),
                               dynamic=dynamic, progress=progress, overwrite=overwrite,
                               registers=raw_registers, national=national)
    click.echo(summary)


@main.command()
@click.argument("config", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Folder for residents.parquet, register_accounting.csv and config.toml.")
@click.option("--overwrite", is_flag=True, help="Replace the files in a non-empty --out.")
@_user_errors
def registers(config: Path, out_dir: Path, overwrite: bool) -> None:
    """Build residents from the raw registers named in CONFIG's [registers] block."""
    from boligeval.config import load_config
    from boligeval.progress import Progress
    from boligeval.registers import build_residents

    cfg = load_config(config)
    result = build_residents(cfg, out_dir, overwrite=overwrite, progress=Progress())
    click.echo(str(result))
    click.echo(f"Next: boligeval validate {result.paths['config']}")


@main.command()
@click.argument("config", type=click.Path(path_type=Path))
@_user_errors
def validate(config: Path) -> None:
    """Check the inputs named by CONFIG against the input contract."""
    from boligeval.config import load_config
    from boligeval.progress import Progress
    from boligeval.run import validate_inputs

    cfg = load_config(config)
    inputs = validate_inputs(cfg, progress=Progress())
    tables = ", ".join(f"{t.name} ({t.n_rows:,} rows, {t.format})" for t in inputs.tables)
    click.echo(f"OK: {tables}")


@main.command()
@click.argument("config", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True)
@_OVERWRITE
@_COMPARE
@_user_errors
def panel(config: Path, out_dir: Path, overwrite: bool, compare_with: Path | None) -> None:
    """Write the department-year panel (panel.parquet) and accounting.csv."""
    from boligeval.config import load_config
    from boligeval.progress import Progress
    from boligeval.run import build_panel_outputs

    cfg = load_config(config)
    paths = build_panel_outputs(cfg, out_dir, progress=Progress(), overwrite=overwrite,
                                compare_with=compare_with)
    for path in paths:
        click.echo(f"wrote {path}")


@main.command()
@click.argument("config", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True)
@click.option("--lang", type=click.Choice(["da", "en"]), default=None,
              help="Report language (default: [report] lang of the config).")
@_OVERWRITE
@_COMPARE
@_user_errors
def run(config: Path, out_dir: Path, lang: str | None, overwrite: bool,
        compare_with: Path | None) -> None:
    """Run the whole evaluation: validate, panel, analyses, disclosure control, outputs."""
    from boligeval.config import load_config
    from boligeval.progress import Progress
    from boligeval.run import run_evaluation

    cfg = load_config(config)
    result = run_evaluation(cfg, out_dir, lang=lang, progress=Progress(), overwrite=overwrite,
                            compare_with=compare_with)
    click.echo(result.screen_summary())


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("demo-out"),
              show_default=True)
@click.option("--scale", type=float, default=1.0, show_default=True)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True)
@click.option("--lang", type=click.Choice(["da", "en"]), default="en", show_default=True)
@click.option("--pools", is_flag=True,
              help="The four pools world (synth --pools) and its annual, many-cohort design.")
@_OVERWRITE
@_user_errors
def demo(out_dir: Path, scale: float, seed: int, lang: str, pools: bool,
         overwrite: bool) -> None:
    """Build the synthetic world and run the full evaluation on it."""
    from boligeval.progress import Progress
    from boligeval.run import run_demo

    result = run_demo(out_dir, scale=scale, seed=seed, lang=lang, progress=Progress(),
                      overwrite=overwrite, pools=pools)
    click.echo(result.screen_summary())


@main.command()
@click.argument("config", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True)
@click.option("--lang", type=click.Choice(["da", "en"]), default=None,
              help="Profile language (default: [report] lang of the config).")
@_OVERWRITE
@_user_errors
def monitor(config: Path, out_dir: Path, lang: str | None, overwrite: bool) -> None:
    """Write a yearly profile of every area, plan and municipality (docs/areas.md)."""
    from boligeval.config import load_config
    from boligeval.monitor import run_monitor
    from boligeval.progress import Progress

    result = run_monitor(load_config(config), out_dir, lang=lang, overwrite=overwrite,
                         progress=Progress())
    click.echo(result.summary())


if __name__ == "__main__":  # pragma: no cover
    main()
