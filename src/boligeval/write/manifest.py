"""manifest.json: what a run read, how it ran, what it wrote and whether it may leave.

Every command that writes an output folder (``run``, ``demo``, ``panel``,
``synth``) writes a manifest; it is also how a later command recognises the
folder as a boligeval output that ``--overwrite`` may replace.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from boligeval.disclosure import DisclosureRules, Published, require_published

__all__ = ["disclosure_statement", "package_versions", "population_warnings",
           "write_manifest", "write_plain_manifest"]

_PACKAGES = ("boligeval", "duckdb", "numpy", "scipy", "pandas", "pyarrow", "pyreadstat",
             "openpyxl", "jinja2", "matplotlib", "click")

#: Outputs that hold person-level rows (the demo's and synth's synthetic world): never
#: fit to leave a research environment, whatever the rules.
_MICRODATA_PREFIXES = ("world/", "truth/", "registers/")
_MICRODATA_SUFFIXES = (".parquet", ".csv", ".dta", ".sas7bdat", ".sav", ".xlsx")
_PROTECTED = ("panel.parquet", "accounting.csv")


def package_versions() -> dict[str, str]:
    """Python's and the packages' versions."""
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _microdata(name: str) -> bool:
    if name.startswith(_MICRODATA_PREFIXES):
        return True
    return name.endswith(_MICRODATA_SUFFIXES) and name not in _PROTECTED \
        and not name.startswith("tables.")


def disclosure_statement(rules: DisclosureRules, outputs: Sequence[str]) -> dict[str, Any]:
    """Which outputs are fit to leave the research environment under ``rules``, and why."""
    reasons = rules.weaker_than_profile()
    fit = [o for o in outputs if not reasons and not _microdata(o)]
    unfit = [o for o in outputs if o not in fit]
    notes = list(reasons)
    if any(_microdata(o) for o in outputs):
        notes.append("files with person-level rows (a synthetic world) never leave")
    return {
        "profile": rules.profile,
        "rules": asdict(rules),
        "fit_to_leave": not reasons,
        "why_not": notes,
        "outputs_fit_to_leave": sorted(fit),
        "outputs_not_fit_to_leave": sorted(unfit),
        "protects_against_differencing_between_runs": False,
    }


def population_warnings(population: Mapping[str, Any], earlier: Mapping[str, Any] | None,
                        min_persons: int) -> list[str]:
    """Warnings when a population differs from an earlier run's by 1 to min_persons - 1 units.

    Two runs whose populations differ by a few persons let their published
    numbers be differenced to describe those persons (docs/disclosure.md).
    """
    if not earlier:
        return []
    out = []
    for key, value in sorted(population.items()):
        old = earlier.get(key)
        if isinstance(value, int) and isinstance(old, int) and 0 < abs(value - old) < min_persons:
            out.append(
                f"{key}: this run's population differs from the earlier run's by fewer than "
                f"min_persons = {min_persons} units; comparing the two runs' outputs can "
                "describe those units (differencing). Do not release both."
            )
    return out


def _base(config: Mapping[str, Any], inputs: Any, outputs: Sequence[str],
          timings: Mapping[str, float], command: str) -> dict[str, Any]:
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "boligeval": package_versions(),
        "config": dict(config),
        "seed": config.get("inference", {}).get("seed"),
        "inputs": inputs,
        "outputs": sorted(outputs),
        "timings_seconds": dict(timings),
    }


def _dump(manifest: Mapping[str, Any], path: Path) -> Path:
    path.write_text(json.dumps(manifest, indent=1, sort_keys=True, default=str),
                    encoding="utf-8")
    return path


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
    command: str = "run",
    population: Mapping[str, Any] | None = None,
    warnings: Sequence[str] = (),
) -> Path:
    """Write the run's manifest: input hashes, config, versions, seed, timings, suppressions.

    Only the creation time differs between two runs on the same inputs.
    """
    require_published(published)
    manifest = _base(config, inputs, outputs, timings, command)
    manifest.update({
        "config_file": None if config_file is None else str(config_file),
        "suppression_log": list(published.log),
        "language": language,
        "disclosure": disclosure_statement(published.rules, [*outputs, path.name]),
        "population": dict(population or {}),
        "warnings": list(warnings),
    })
    return _dump(manifest, path)


def write_plain_manifest(
    path: Path,
    *,
    command: str,
    config: Mapping[str, Any],
    inputs: Any,
    outputs: Sequence[str],
    rules: DisclosureRules,
    timings: Mapping[str, float] | None = None,
    population: Mapping[str, Any] | None = None,
    warnings: Sequence[str] = (),
) -> Path:
    """Write the manifest of a command without published results (``panel``, ``synth``)."""
    manifest = _base(config, inputs, outputs, timings or {}, command)
    manifest.update({
        "disclosure": disclosure_statement(rules, [*outputs, path.name]),
        "population": dict(population or {}),
        "warnings": list(warnings),
    })
    return _dump(manifest, path)
