"""Benchmark: ``boligeval monitor`` on the demo world, against ``boligeval panel``.

Builds the synthetic world at the scales given (default 1; worlds are cached
under ``--cache``), then, each in a fresh subprocess: ``panel`` (validation,
design, derivations, aggregation) and ``monitor`` (the same plus every
profile). Prints wall time, peak memory, the number of profiles and the ratio
monitor / panel. Target: under a minute at scale 1.

Usage::

    .venv/bin/python benchmarks/monitor.py [--scales 1] [--cache .bench-worlds]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from _measure import measured  # benchmarks/ is on the path when run as a script

PANEL = """
import sys
from pathlib import Path
from boligeval.config import load_config
from boligeval.run import build_panel_outputs

build_panel_outputs(load_config(Path(sys.argv[1])), Path(sys.argv[2]))
"""

MONITOR = """
import sys
from pathlib import Path
from boligeval.config import load_config
from boligeval.monitor import run_monitor

print(run_monitor(load_config(Path(sys.argv[1])), Path(sys.argv[2])).summary())
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0])
    parser.add_argument("--cache", type=Path, default=Path(".bench-worlds"))
    parser.add_argument("--repeat", type=int, default=3, help="runs per task (median)")
    args = parser.parse_args()
    from boligeval.synth.world import synthesize

    for scale in args.scales:
        world = args.cache / f"monitor-scale-{scale:g}"
        if not (world / "residents.parquet").is_file():
            synthesize(world, scale=scale, survey=False)
        with tempfile.TemporaryDirectory() as tmp:
            cfg = Path(tmp) / "config.toml"
            cfg.write_text(f'[data]\ndir = "{world.resolve().as_posix()}"\n', encoding="utf-8")
            times = {}
            for name, code in (("panel", PANEL), ("monitor", MONITOR)):
                runs = [measured(code, str(cfg), str(Path(tmp) / f"{name}-{i}"))
                        for i in range(args.repeat)]
                times[name] = (statistics.median(r[0] for r in runs),
                               max(r[1] for r in runs))
            profiles = sum(1 for _ in (Path(tmp) / "monitor-0" / "profiles").rglob("*.html"))
        print(f"scale {scale:g}: panel {times['panel'][0]:.1f} s, monitor "
              f"{times['monitor'][0]:.1f} s ({profiles} profiles, peak "
              f"{times['monitor'][1]:.2f} GB), ratio {times['monitor'][0] / times['panel'][0]:.2f}")


if __name__ == "__main__":
    main()
