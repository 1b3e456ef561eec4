"""figures/: every figure of the report as SVG and PNG."""

from __future__ import annotations

from pathlib import Path

from boligeval.report.document import Document, require_document

__all__ = ["write_figures"]


def write_figures(document: Document, folder: Path) -> tuple[Path, ...]:
    """Write each figure as ``<key>.svg`` and ``<key>.png`` into ``folder``."""
    require_document(document)
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for figure in document.figures:
        for ext, data in (("svg", figure.svg), ("png", figure.png)):
            path = folder / f"{figure.key}.{ext}"
            path.write_bytes(data)
            paths.append(path)
    return tuple(paths)
