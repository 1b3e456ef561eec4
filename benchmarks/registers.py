"""Benchmark: `boligeval registers` on the national synthetic registers, then panel and run.

Builds (or reuses, under ``--world``) the synthetic world with 13 annual
years and the rest of the country as filler
(``boligeval synth --years 2000-2012 --registers --national``: about 5.5
million persons a year, 70 million person-years per register), then, each
in a fresh subprocess so peak memory is measured per task:

* ``scan``: one DuckDB scan of every column ``registers`` reads (BEF, AKM,
  IND, UDDA, KRAF and the address key);
* ``registers``: ``boligeval registers`` (raw registers -> residents.parquet);
* ``panel``: ``boligeval panel`` on its output;
* ``run``: ``boligeval run`` on its output (the whole evaluation).

Prints wall time, peak resident memory and the ratio registers / scan.
Targets (2 cores, 24 GB): ratio <= 3, registers peak < 8 GB, and registers ->
panel -> run under 10 minutes.

Usage::

    .venv/bin/python benchmarks/registers.py [--world /work/bench-data/national]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _measure import measured  # benchmarks/ is on the path when run as a script

SCAN = """
import duckdb, sys
root = sys.argv[1]
con = duckdb.connect()
con.execute("SET preserve_insertion_order = false")
reads = {
    "bef": "PNR, FOED_DAG, KOEN, IE_TYPE, OPR_LAND, FAMILIE_ID, PLADS, BOP_VFRA, ADRESSE_ID",
    "akm": "PNR, SOCIO13",
    "ind": "PNR, DISPON_13, PERINDKIALT_13",
    "udda": "PNR, HFAUDD",
    "kraf": "PNR, AFG_DATO, AFG_AFGTYP, AFG_GER7",
}
for name, cols in reads.items():
    exprs = ", ".join(f"max({c})" for c in cols.split(", "))
    con.execute(f"SELECT count(*), {exprs} FROM read_parquet('{root}/{name}/*/*.parquet')"
                ).fetchone()
con.execute(f"SELECT count(*), max(COLUMNS(*)) FROM read_parquet('{root}/adresse_afdeling.parquet')"
            ).fetchone()
"""

REGISTERS = """
import sys
from pathlib import Path
from boligeval.config import load_config
from boligeval.registers import build_residents
build_residents(load_config(Path(sys.argv[1])), Path(sys.argv[2]))
"""

PANEL = """
import sys
from pathlib import Path
from boligeval.config import load_config
from boligeval.run import build_panel_outputs
build_panel_outputs(load_config(Path(sys.argv[1])), Path(sys.argv[2]))
"""

RUN = """
import sys
from pathlib import Path
from boligeval.config import load_config
from boligeval.run import run_evaluation

run_evaluation(load_config(Path(sys.argv[1])), Path(sys.argv[2]))
"""


def _size(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=Path, default=Path("/work/bench-data/national"))
    parser.add_argument("--seed", type=int, default=20130604)
    parser.add_argument("--repeat", type=int, default=1, help="runs of scan and registers")
    parser.add_argument("--no-run", action="store_true", help="skip the panel and run stages")
    args = parser.parse_args()
    world = args.world
    if not (world / "registers.toml").exists():
        print(f"building the national synthetic registers in {world} ...", flush=True)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "boligeval.cli", "synth", "--out", str(world),
                        "--years", "2000-2012", "--seed", str(args.seed), "--registers",
                        "--national"], check=True, capture_output=True)
        print(f"  built in {time.perf_counter() - t:.1f} s", flush=True)
    root = world / "registers"
    rows = {}
    with tempfile.TemporaryDirectory(dir=world.parent) as tmp:
        scans = [measured(SCAN, str(root)) for _ in range(args.repeat)]
        regs = []
        for i in range(args.repeat):
            out = Path(tmp) / f"out{i}"
            regs.append(measured(REGISTERS, str(world / "registers.toml"), str(out)))
            if i + 1 < args.repeat:
                shutil.rmtree(out)
        out = Path(tmp) / f"out{args.repeat - 1}"
        scan_t = sorted(s for s, _ in scans)[len(scans) // 2]
        reg_t = sorted(s for s, _ in regs)[len(regs) // 2]
        rows["registers"] = {
            "raw_gb": round(_size(root), 2),
            "scan_s": round(scan_t, 1),
            "scan_peak_gb": round(max(m for _, m in scans), 2),
            "registers_s": round(reg_t, 1),
            "registers_peak_gb": round(max(m for _, m in regs), 2),
            "ratio": round(reg_t / scan_t, 2),
        }
        print(json.dumps(rows["registers"]), flush=True)
        if not args.no_run:
            cfg = str(out / "config.toml")
            panel_t, panel_m = measured(PANEL, cfg, str(Path(tmp) / "panel"))
            run_t, run_m = measured(RUN, cfg, str(Path(tmp) / "run"))
            rows["chain"] = {
                "panel_s": round(panel_t, 1), "panel_peak_gb": round(panel_m, 2),
                "run_s": round(run_t, 1), "run_peak_gb": round(run_m, 2),
                "registers_panel_run_s": round(reg_t + panel_t + run_t, 1),
            }
            print(json.dumps(rows["chain"]), flush=True)
    r = rows["registers"]
    print()
    print(f"registers: {r['registers_s']} s, peak {r['registers_peak_gb']} GB; one scan of the "
          f"columns it reads: {r['scan_s']} s; ratio {r['ratio']}")
    if "chain" in rows:
        c = rows["chain"]
        print(f"panel {c['panel_s']} s (peak {c['panel_peak_gb']} GB), run {c['run_s']} s "
              f"(peak {c['run_peak_gb']} GB); registers -> panel -> run "
              f"{c['registers_panel_run_s']} s")
    print("targets: ratio <= 3, registers peak < 8 GB, registers -> panel -> run < 600 s")


if __name__ == "__main__":
    main()
