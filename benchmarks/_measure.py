"""Wall time and peak memory of code run in a fresh interpreter (shared by the benchmarks)."""

from __future__ import annotations

import subprocess
import sys

__all__ = ["measured"]


def measured(code: str, *args: str) -> tuple[float, float]:
    """Run code in a fresh interpreter; return wall seconds and its peak RSS in GB."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run([sys.executable, '-c', sys.argv[1], *sys.argv[2:]])\n"
        "if p.returncode: sys.exit(p.returncode)\n"
        "print('RESULT', time.perf_counter() - t, "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024)\n"
    )
    proc = subprocess.run([sys.executable, "-c", wrapper, code, *args], capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    _, seconds, gigabytes = line.split()
    return float(seconds), float(gigabytes)
