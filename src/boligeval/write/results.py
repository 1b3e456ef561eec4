"""results.json: every published record, byte-identical for identical inputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from boligeval.disclosure import Published, require_published

__all__ = ["results_json", "write_results"]


def _round_floats(obj: Any, digits: int = 10) -> Any:
    """Round floats to ``digits`` significant digits, so parallel sums do not leak into bytes."""
    if isinstance(obj, float):
        if obj != obj or obj in (float("inf"), float("-inf")):
            return None
        return float(f"{obj:.{digits}g}")
    if isinstance(obj, dict):
        return {k: _round_floats(v, digits) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_round_floats(v, digits) for v in obj]
    return obj


def results_json(published: Published) -> dict[str, Any]:
    """What results.json holds: the published sections and notes, floats rounded."""
    require_published(published)
    out = _round_floats(published.as_json())
    assert isinstance(out, dict)
    return out


def write_results(published: Published, path: Path) -> Path:
    """Write results.json (sorted keys, UTF-8)."""
    path.write_text(json.dumps(results_json(published), indent=1, sort_keys=True,
                               ensure_ascii=False), encoding="utf-8")
    return path
