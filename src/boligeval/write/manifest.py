"""manifest.json: what a run read, how it ran and what it wrote."""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from boligeval.disclosure import Published, require_published

__all__ = ["package_versions", "write_manifest"]

_PACKAGES = ("boligeval", "duckdb", "numpy", "scipy", "pandas", "pyarrow", "pyreadstat",
             "openpyxl", "jinja2", "matplotlib", "click")


def package_versions() -> dict[str, str]:
    """Python's and the packages' versions."""
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def write_manifest(
    published: Published,
    path: Path,
    *,
    config: Mapping[str, Any],
    config_file: Path | None,
    inputs: Any,
    outputs: Sequence[str],
    timings: Mapping[str, float],
    language: str,
) -> Path:
    """Write the run's manifest: input hashes, config, versions, seed, timings, suppressions.

    Only the creation time differs between two runs on the same inputs.
    """
    require_published(published)
    manifest = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "boligeval": package_versions(),
        "config": dict(config),
        "config_file": None if config_file is None else str(config_file),
        "seed": config.get("inference", {}).get("seed"),
        "inputs": inputs,
        "outputs": sorted(outputs),
        "timings_seconds": dict(timings),
        "suppression_log": list(published.log),
        "language": language,
    }
    path.write_text(json.dumps(manifest, indent=1, sort_keys=True, default=str),
                    encoding="utf-8")
    return path
