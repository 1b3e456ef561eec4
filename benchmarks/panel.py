"""Benchmark: building the department-year panel, against one DuckDB scan of the residents file.

Builds the synthetic world at the scales given (default 1 and 20; worlds are
cached under ``--cache``), then, each in a fresh subprocess so peak memory is
measured per task:

* ``scan``: one full DuckDB scan of residents.parquet (every column read);
* ``panel``: ``boligeval panel`` (validation, design, derivations, aggregation).

Prints wall time, peak resident memory and the ratio panel / scan.
Target: ratio <= 6 and peak memory under 4 GB at scale 20 (the build validates every
row, joins each person-year to the next measurement year and aggregates: several passes).

Usage::

    .venv/bin/python benchmarks/panel.py [--scales 1 20] [--cache .bench-worlds]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _measure import measured  # benchmarks/ is on the path when run as a script

SCAN = """
import duckdb, sys
con = duckdb.connect()
con.execute("SET preserve_insertion_order = false")
path = sys.argv[1]
row = con.execute(
    f"SELECT count(*), max(COLUMNS(*)) FROM read_parquet('{path}')"
).fetchone()
print(row[0])
"""

PANEL = """
import sys
from pathlib import Path
from boligeval.config import load_config
from boligeval.run import build_panel_outputs

cfg = load_config(Path(sys.argv[1]))
build_panel_outputs(cfg, Path(sys.argv[2]))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 20.0])
    parser.add_argument("--cache", type=Path, default=Path(".bench-worlds"))
    parser.add_argument("--repeat", type=int, default=3, help="runs per task (median)")
    args = parser.parse_args()
    rows = []
    for scale in args.scales:
        world = args.cache / f"scale-{scale:g}"
        if not (world / "residents.parquet").exists():
            print(f"building the synthetic world at scale {scale:g} ...", flush=True)
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "boligeval.cli", "synth", "--out", str(world),
                            "--scale", str(scale)], check=True, capture_output=True)
            print(f"  built in {time.perf_counter() - t:.1f} s", flush=True)
        residents = world / "residents.parquet"
        with tempfile.TemporaryDirectory() as tmp:
            cfg = Path(tmp) / "config.toml"
            cfg.write_text(f'[data]\ndir = "{world.resolve().as_posix()}"\n', encoding="utf-8")
            scans = [measured(SCAN, str(residents)) for _ in range(args.repeat)]
            panels = [measured(PANEL, str(cfg), str(Path(tmp) / f"out{i}"))
                      for i in range(args.repeat)]
        scan_t = sorted(s for s, _ in scans)[len(scans) // 2]
        panel_t = sorted(s for s, _ in panels)[len(panels) // 2]
        rows.append({
            "scale": scale,
            "residents_mb": round(residents.stat().st_size / 1e6, 1),
            "scan_s": round(scan_t, 2),
            "panel_s": round(panel_t, 2),
            "ratio": round(panel_t / scan_t, 2),
            "scan_peak_gb": round(max(m for _, m in scans), 2),
            "panel_peak_gb": round(max(m for _, m in panels), 2),
        })
        print(json.dumps(rows[-1]), flush=True)
    print()
    print(f"{'scale':>6} {'scan s':>8} {'panel s':>8} {'ratio':>6} {'panel peak GB':>14}")
    for r in rows:
        print(f"{r['scale']:>6g} {r['scan_s']:>8} {r['panel_s']:>8} {r['ratio']:>6} "
              f"{r['panel_peak_gb']:>14}")
    print("target: ratio <= 6, panel peak < 4 GB at scale 20")


if __name__ == "__main__":
    main()
