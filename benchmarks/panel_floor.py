"""Benchmark: the hash operations any exact panel build needs, each alone, against one scan.

What ``benchmarks/panel.py``'s target (the build at most 6 scans) leaves room
for. Each operation is written as lean as DuckDB allows and reads
residents.parquet itself; together they are a lower bound for the panel's
DuckDB work when the statements are separate (they share no read):

* person-year uniqueness (the contract's key: a hash aggregate over persons);
* the out-mover join (each person-year against the next year, same department);
* household totals (a GROUP BY of household-years: the equivalised income);
* youth families (a GROUP BY of the adults' household-years);
* strata (department, year, working age, in-mover: the cells' sums).

Then the five again in one statement that reads the file once and streams it
to all five (a common table expression): whether sharing the read pays.

Usage::

    .venv/bin/python benchmarks/panel_floor.py [--world .bench-worlds/scale-20]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from pathlib import Path

import duckdb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=Path, default=Path(".bench-worlds/scale-20"),
                        help="a synthetic world (benchmarks/panel.py builds and caches them)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per task (median)")
    args = parser.parse_args()
    path = (args.world / "residents.parquet").as_posix()
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    years = [int(r[0]) for r in con.execute(
        f"SELECT DISTINCT year FROM '{path}' ORDER BY year").fetchall()]
    later = " ".join(f"WHEN {a} THEN {b}" for a, b in itertools.pairwise(years))
    next_years = ", ".join(str(y) for y in years[1:]) or "NULL"
    scan = f"SELECT count(*), max(COLUMNS(*)) FROM '{path}'"
    tasks = operations(f"'{path}'", later, next_years)

    def timed(sql: str) -> float:
        runs = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            con.execute(sql).fetchall()
            runs.append(time.perf_counter() - start)
        return statistics.median(runs)

    scan_s = timed(scan)
    print(f"{'scan: count(*), max(COLUMNS(*))':34s} {scan_s:6.2f} s", flush=True)
    total = 0.0
    for name, sql in tasks.items():
        seconds = timed(sql)
        total += seconds
        print(f"{name:34s} {seconds:6.2f} s", flush=True)
    print(f"{'the five, one after another':34s} {total:6.2f} s = {total / scan_s:.1f} scans")
    # One statement: the five read one common table expression, which DuckDB streams to all.
    shared = operations("t", later, next_years)
    one = (f"WITH t AS (SELECT * FROM '{path}') SELECT "
           + ", ".join(f"({sql}) AS op_{i}" for i, sql in enumerate(shared.values())))
    together = timed(one)
    print(f"{'the five in one statement':34s} {together:6.2f} s = {together / scan_s:.1f} scans"
          " (one read, shared)")


def operations(source: str, later: str, next_years: str) -> dict[str, str]:
    """The five operations on ``source`` (a file or a relation), each a one-value query."""
    return {
        "person-year uniqueness": (
            "SELECT count(*) FROM (SELECT person_id, count(*) AS n, "
            "bit_or(CAST(1 AS UBIGINT) << CAST(year % 64 AS UBIGINT)) AS b "
            f"FROM {source} GROUP BY person_id) WHERE n > bit_count(b)"),
        "out-mover join": (
            "SELECT count(*) FILTER (WHERE l.year IS NULL) FROM (SELECT person_id, "
            f"department_id, CASE year {later} END AS nx FROM {source}) AS b LEFT JOIN "
            f"(SELECT person_id, year, department_id FROM {source} WHERE year IN ({next_years})) "
            "AS l "
            "ON l.person_id = b.person_id AND l.year = b.nx AND l.department_id = b.department_id"),
        "household totals": (
            "SELECT sum(n) + sum(s) + sum(a) FROM (SELECT count(*) AS n, "
            "sum(disposable_income) AS s, count(*) FILTER (WHERE year - birth_year >= 15) AS a, "
            f"min(department_id) AS d FROM {source} GROUP BY household_id, year)"),
        "youth families": (
            "SELECT count(*) FROM (SELECT household_id, year, "
            f"bool_or(income_source = 'employed') FROM {source} WHERE year - birth_year >= 18 "
            "GROUP BY ALL)"),
        "strata": (
            "SELECT count(*) FROM (SELECT department_id, year, "
            "year - birth_year BETWEEN 16 AND 64, move_in_year = year, count(*), "
            "sum(disposable_income), sum(CASE WHEN income_source = 'employed' THEN 100 END), "
            f"max(abs(disposable_income)), count(education) FROM {source} GROUP BY ALL)"),
    }


if __name__ == "__main__":
    main()
