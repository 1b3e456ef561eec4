"""Write a synthetic world in the input-contract shape, with its own truth.

Structure (plans, departments) is drawn first from one child of
``SeedSequence(seed)``; residents are then simulated department by
department, each from its own spawned seed, and streamed to Parquet or CSV,
so the result does not depend on batching and memory stays bounded at any
scale. The counterfactual world (no plan, no rent support) is written to
``truth/residents_counterfactual.parquet`` from the same draws.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from boligeval.config import DEFAULT_SEED
from boligeval.errors import ConfigError
from boligeval.synth.areas import area_reference, area_truth, assign_areas, official_list
from boligeval.synth.costs import plan_amounts
from boligeval.synth.effects import Effects
from boligeval.synth.people import DeptSpec, Residents, cpi_index, simulate_department
from boligeval.synth.structure import GROUPS, build_structure
from boligeval.synth.survey import generate_survey
from boligeval.synth.truth import TruthAccumulator, compute_truth
from boligeval.synth.youth import YOUTH_COLUMNS, YouthDraw, youth_outcomes

__all__ = ["RESIDENTS_SCHEMA", "SynthSummary", "synthesize"]

RESIDENTS_SCHEMA = pa.schema(
    [
        ("person_id", pa.string()),
        ("year", pa.int64()),
        ("department_id", pa.string()),
        ("household_id", pa.string()),
        ("birth_year", pa.int64()),
        ("sex", pa.string()),
        ("origin", pa.string()),
        ("income_source", pa.string()),
        ("disposable_income", pa.float64()),
        ("education", pa.string()),
        ("single_parent", pa.bool_()),
        ("convicted", pa.bool_()),
        ("move_in_year", pa.int64()),
        ("gross_income", pa.float64()),
        ("exam_grade_relative", pa.float64()),
        ("youth_education_started", pa.bool_()),
        ("placed_outside_home", pa.bool_()),
        ("gp_visits", pa.int64()),
        ("dentist_visits", pa.int64()),
    ]
)
#: Ages of the truth's youth effects (the panel's default ``population.youth_ages``).
_YOUTH_TRUTH_AGES = (12, 17)
_FLUSH_ROWS = 250_000
#: The columns the programme moves (the rest are shared by both worlds).
_CF_COLUMNS = ("income_source", "disposable_income", "gross_income")


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`synthesize` wrote.

    Attributes
    ----------
    out_dir : Path
        The world's folder.
    paths : dict of str to Path
        ``plans``, ``departments``, ``residents``, ``prices``, ``truth``,
        ``counterfactual`` (unless ``full_truth`` is off), ``cells``.
    n_plans, n_departments, n_person_years : int
        Record counts.
    departments_by_group : dict of str to int
        Departments found in the register every year, per group (control, g1, g2).
    person_years_by_year : dict of int to int
        Residents per measurement year.
    seconds : float
        Wall time.
    """

    out_dir: Path
    paths: dict[str, Path]
    n_plans: int
    n_departments: int
    n_person_years: int
    departments_by_group: dict[str, int]
    person_years_by_year: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    def __str__(self) -> str:
        """One line for the command line: counts, years, folder and wall time.

        Examples
        --------
        ``545 departments in 172 plans (control 83, g1 272, g2 166 after linking);
        770,984 person-years 2005-2009; written to out in 4.8 s``
        """
        groups = ", ".join(f"{g} {n}" for g, n in self.departments_by_group.items())
        years = sorted(self.person_years_by_year)
        span = f" {years[0]}-{years[-1]}" if len(years) > 1 else "".join(f" {y}" for y in years)
        return (
            f"{self.n_departments:,} departments in {self.n_plans:,} plans ({groups} after "
            f"linking); {self.n_person_years:,} person-years{span}; written to "
            f"{self.out_dir} in {self.seconds:.1f} s"
        )


class _Sink:
    """Streams record batches to one Parquet or CSV file."""

    def __init__(self, path: Path, fmt: str) -> None:
        self.path = path
        self._writer: pq.ParquetWriter | pacsv.CSVWriter
        if fmt == "parquet":
            self._writer = pq.ParquetWriter(path, RESIDENTS_SCHEMA, compression="zstd")
        else:
            self._writer = pacsv.CSVWriter(path, RESIDENTS_SCHEMA)

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)

    def close(self) -> None:
        self._writer.close()


def _check(scale: float, department_size: float, years: Sequence[int], fmt: str) -> list[int]:
    for name, value in (("scale", scale), ("department_size", department_size)):
        if not (isinstance(value, int | float) and np.isfinite(value) and value > 0):
            raise ConfigError(f"{name} must be a positive number, got {value!r}.")
    if fmt not in ("parquet", "csv"):
        raise ConfigError(f"format must be 'parquet' or 'csv', got {fmt!r}.")
    ys = sorted({int(y) for y in years})
    if not ys:
        raise ConfigError("years must name at least one measurement year.")
    if ys[0] < 1950 or ys[-1] > 2100:
        raise ConfigError(f"years must lie in 1950-2100, got {ys[0]}-{ys[-1]}.")
    return ys


def _tables(parts: list[tuple[str, Residents, YouthDraw]]) -> tuple[pa.Table, pa.Table]:
    """The observed and the counterfactual residents of whole departments."""
    cols: dict[str, list[np.ndarray]] = {name: [] for name in RESIDENTS_SCHEMA.names}
    cf: dict[str, list[np.ndarray]] = {name: [] for name in (*_CF_COLUMNS, *YOUTH_COLUMNS)}
    for dept_id, res, youth in parts:
        c = dict(res.columns)
        c["department_id"] = np.full(res.n_rows, dept_id, dtype=object)
        for name in RESIDENTS_SCHEMA.names:
            cols[name].append(c[name])
        cf["income_source"].append(res.income_source_cf)
        cf["disposable_income"].append(res.disposable_income_cf)
        cf["gross_income"].append(res.gross_income_cf)
        for name in YOUTH_COLUMNS:
            cf[name].append(youth.counterfactual[name])
    arrays = [pa.array(np.concatenate(cols[f.name]), type=f.type) for f in RESIDENTS_SCHEMA]
    observed = pa.Table.from_arrays(arrays, schema=RESIDENTS_SCHEMA)
    counterfactual = observed
    for name, parts_cf in cf.items():
        i = RESIDENTS_SCHEMA.get_field_index(name)
        column = pa.array(np.concatenate(parts_cf), type=RESIDENTS_SCHEMA.field(name).type)
        counterfactual = counterfactual.set_column(i, RESIDENTS_SCHEMA.field(name), column)
    return observed, counterfactual


def _add_youth_truth(sums: dict[str, list[float]], columns: dict[str, np.ndarray],
                     youth: YouthDraw, start: int) -> None:
    """Add one department's observed-minus-counterfactual youth outcomes to ``sums``."""
    year = np.asarray(columns["year"], dtype=np.int64)
    age = year - np.asarray(columns["birth_year"], dtype=np.int64)
    keep = ((start > 0) & (year >= start) & (age >= _YOUTH_TRUTH_AGES[0])
            & (age <= _YOUTH_TRUTH_AGES[1]))
    for name in YOUTH_COLUMNS:
        obs, cf = youth.observed[name][keep], youth.counterfactual[name][keep]
        given = np.array([v is not None for v in obs], dtype=bool)
        if not given.any():
            continue
        scale = 100.0 if name in ("youth_education_started", "placed_outside_home") else 1.0
        diff = (obs[given].astype(float) - cf[given].astype(float)) * scale
        sums[name][0] += float(diff.sum())
        sums[name][1] += int(given.sum())


def _write_frame(df: pd.DataFrame, path: Path, fmt: str) -> None:
    table = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)
    if fmt == "parquet":
        pq.write_table(table, path, compression="zstd")
    else:
        pacsv.write_csv(table, path)


def synthesize(
    out_dir: Path,
    *,
    scale: float = 1.0,
    department_size: float = 1.0,
    seed: int = DEFAULT_SEED,
    fmt: Literal["parquet", "csv"] = "parquet",
    years: Sequence[int] = (2005, 2007, 2009),
    effects: Effects | None = None,
    dynamic: bool = False,
    full_truth: bool = True,
    survey: bool = True,
    progress: Callable[[str, float], None] | None = None,
    cases: bool = True,
) -> SynthSummary:
    """Write a synthetic world (contract files, counterfactual and truth) to ``out_dir``.

    Parameters
    ----------
    out_dir : Path
        Folder to write; created if needed.
    scale : float
        Multiplies the numbers of plans and departments (1 = the seed's size).
    department_size : float
        Multiplies every department's number of dwellings (1 = the seed's
        sizes). Monte Carlo studies of the estimators use smaller departments
        to simulate many worlds with the seed's number of clusters quickly.
    seed : int
        Seed of ``numpy.random.SeedSequence``; same seed, same bytes.
    fmt : {"parquet", "csv"}
        File format of the contract tables.
    years : sequence of int
        Measurement years (``range(2000, 2013)`` gives annual data).
    effects : Effects, optional
        Effect sizes; default :class:`Effects` (``Effects.none()`` for none).
    dynamic : bool
        Plan effects grow with time since start and differ by cohort.
    full_truth : bool
        Also write the counterfactual residents and the true mover
        decomposition; Monte Carlo studies that need only the truth cells
        and ``truth.json``'s effects turn this off.
    survey : bool
        Also write both waves of the actor surveys (respondents, answers,
        dispatch) for the world's plans.
    cases : bool
        Also write the process evaluation's case material (13 case areas,
        two rounds: cases, case_sources, case_codes).
    progress : callable, optional
        Called as ``progress(stage, fraction)``.

    Returns
    -------
    SynthSummary
    """
    t_start = time.perf_counter()
    ys = _check(scale, department_size, years, fmt)
    eff = effects if effects is not None else Effects()
    report = progress or (lambda stage, frac: None)
    out_dir = Path(out_dir)
    (out_dir / "truth").mkdir(parents=True, exist_ok=True)
    ext = "parquet" if fmt == "parquet" else "csv"

    # A third child for the areas: the first two are those of spawn(2), so residents
    # do not change with areas.
    ss_struct, ss_people, ss_areas = np.random.SeedSequence(seed).spawn(3)
    structure = build_structure(np.random.default_rng(ss_struct), scale,
                                department_size=department_size)
    rng_areas = np.random.default_rng(ss_areas)
    structure.departments["area_id"] = assign_areas(structure.departments, rng_areas)
    params = structure.params
    n_dept = len(params)
    child_seeds = ss_people.spawn(n_dept)
    year_arr = np.array(ys, dtype=np.int64)

    paths = {
        "plans": out_dir / f"plans.{ext}",
        "departments": out_dir / f"departments.{ext}",
        "residents": out_dir / f"residents.{ext}",
        "prices": out_dir / f"prices.{ext}",
        "counterfactual": out_dir / "truth" / "residents_counterfactual.parquet",
        "truth": out_dir / "truth.json",
        "cells": out_dir / "truth" / "cells.parquet",
    }
    if not full_truth:
        del paths["counterfactual"]
    # Plan amounts and reach from a stream of their own: every other draw is unchanged.
    amounts = plan_amounts(structure.plans, structure.departments, seed)
    plans_out = structure.plans.merge(amounts, on="plan_id", how="left", validate="1:1")
    _write_frame(plans_out, paths["plans"], fmt)
    _write_frame(structure.departments, paths["departments"], fmt)
    # Through 2016: the years the 2006-10 pool's plans spend their amounts in (plans granted
    # up to 2011, four years each), so the amounts can be put in base-year prices.
    price_years = range(min(ys[0], 2000), max(ys[-1], 2016) + 1)
    prices = pd.DataFrame(
        {
            "year": np.array(price_years, dtype=np.int64),
            "index": [cpi_index(y) for y in price_years],
        }
    )
    _write_frame(prices, paths["prices"], fmt)

    truth = TruthAccumulator(prices, ys, decomposition=full_truth)
    obs_sink = _Sink(paths["residents"], fmt)
    cf_sink = _Sink(paths["counterfactual"], "parquet") if full_truth else None
    per_year = dict.fromkeys(ys, 0)
    pending: list[tuple[str, Residents, YouthDraw]] = []
    youth_sums = {name: [0.0, 0] for name in YOUTH_COLUMNS}
    rows_pending = 0
    try:
        records: list[dict[Any, Any]] = params.to_dict("records")
        for i, row in enumerate(records):
            spec = DeptSpec(
                number=i + 1,
                dwellings=int(row["dwellings"]),
                hh_rooms=float(row["hh_rooms"]),
                nonwestern=float(row["nonwestern"]),
                rs_nonwestern=float(row["rs_nonwestern"]),
                emp_fe=float(row["emp_fe"]),
                inc_fe=float(row["inc_fe"]),
                x=float(row["x"]),
                start=int(row["start"]),
                grant_year=int(row["grant_year"]),
                rs_year=int(row["rs_year"]),
                register_from=int(row["register_from"]),
            )
            res = simulate_department(
                np.random.default_rng(child_seeds[i]), spec, year_arr, eff, dynamic=dynamic
            )
            youth = youth_outcomes(np.random.default_rng([int(seed), 14, i]), res.columns,
                                   spec.start, spec.x, eff)
            res.columns.update(youth.observed)
            _add_youth_truth(youth_sums, res.columns, youth, spec.start)
            if res.n_rows:
                cnt = np.bincount(np.searchsorted(year_arr, res.columns["year"]),
                                  minlength=len(year_arr))
                for y, c in zip(year_arr, cnt, strict=True):
                    per_year[int(y)] += int(c)
                pending.append((str(row["department_id"]), res, youth))
                rows_pending += res.n_rows
            if rows_pending >= _FLUSH_ROWS or (i == n_dept - 1 and pending):
                observed, counterfactual = _tables(pending)
                obs_sink.write(observed)
                if cf_sink is not None:
                    cf_sink.write(counterfactual)
                truth.add(observed, counterfactual)
                pending, rows_pending = [], 0
            if i % 50 == 0 or i == n_dept - 1:
                report("residents", (i + 1) / n_dept)
    finally:
        obs_sink.close()
        if cf_sink is not None:
            cf_sink.close()

    linked = params[params["register_from"] == 0]
    by_group = {g: int((linked["group"] == g).sum()) for g in GROUPS}
    header: dict[str, object] = {
        "seed": int(seed),
        "scale": float(scale),
        "department_size": float(department_size),
        "years": ys,
        "dynamic": bool(dynamic),
        "effects": eff.as_dict(),
        "counts": {
            "plans": len(structure.plans),
            "departments": n_dept,
            "departments_linked_by_group": by_group,
            "departments_not_found_every_year": int((params["register_from"] != 0).sum()),
            "person_years": int(sum(per_year.values())),
            "person_years_by_year": {str(y): c for y, c in per_year.items()},
        },
    }
    header["youth"] = {
        "ages": list(_YOUTH_TRUTH_AGES),
        "note": "observed minus counterfactual over youth person-years in active-plan "
                "department-years (shares in points)",
        "att": {name: {"overall": (total / count if count else None), "n_person_years": count}
                for name, (total, count) in youth_sums.items()},
    }
    reference = area_reference(paths["residents"], structure.plans, structure.departments)
    area_years = area_truth(paths["residents"], structure.plans, structure.departments,
                            reference)
    official, changed = official_list(area_years, rng_areas)
    for name, frame in (("reference", reference), ("official_list", official)):
        if frame.empty:  # no area-year is decided and listed: no list to reconcile with
            continue
        paths[name] = out_dir / f"{name}.{ext}"
        _write_frame(frame, paths[name], fmt)
    header["areas"] = {"ruleset": "current", "area_years": area_years,
                       "official_list_changed": changed}
    report("truth", 0.0)
    compute_truth(out_dir, truth, structure.plans, structure.departments, header,
                  amounts=plans_out, prices=prices)
    report("truth", 1.0)
    tables: dict[str, pd.DataFrame] = {}
    if survey:
        report("survey", 0.0)
        tables = generate_survey(structure.plans, structure.departments, seed=seed)
        for name, frame in tables.items():
            path = out_dir / f"{name}.{ext}"
            _write_frame(frame, path, fmt)
            paths[name] = path
        report("survey", 1.0)
    if cases:
        from boligeval.synth.cases import generate_cases

        for name, frame in generate_cases(structure.plans, structure.departments, seed=seed,
                                          survey=tables if survey else None).items():
            path = out_dir / f"{name}.{ext}"
            _write_frame(frame, path, fmt)
            paths[name] = path
    return SynthSummary(
        out_dir=out_dir,
        paths=paths,
        n_plans=len(structure.plans),
        n_departments=n_dept,
        n_person_years=int(sum(per_year.values())),
        departments_by_group=by_group,
        person_years_by_year=per_year,
        seconds=time.perf_counter() - t_start,
    )
