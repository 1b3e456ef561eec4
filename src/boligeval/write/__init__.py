"""Writers: every output file of a run, one module per format.

Each writer takes published results (``boligeval.disclosure.Published``) or
a report document built from them, and refuses anything else.

The writers are imported on first use, so a command that writes only a
manifest (``boligeval panel``) does not load python-docx, openpyxl or
matplotlib.
"""

from __future__ import annotations

from typing import Any

from boligeval._lazy import lazy_attribute

#: Exported name -> the module that defines it.
_LAZY = {
    "tex_escape": "boligeval.write.tex",
    "write_docx": "boligeval.write.docx",
    "write_figures": "boligeval.write.figures",
    "write_html": "boligeval.write.html",
    "write_manifest": "boligeval.write.manifest",
    "write_results": "boligeval.write.results",
    "write_tex": "boligeval.write.tex",
    "write_xlsx": "boligeval.write.xlsx",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    """Import an exported name on first access."""
    return lazy_attribute(__name__, _LAZY, globals(), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
