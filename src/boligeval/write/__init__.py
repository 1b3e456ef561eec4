"""Writers: every output file of a run, one module per format.

Each writer takes published results (``boligeval.disclosure.Published``) or
a report document built from them, and refuses anything else.

The writers are imported on first use, so a command that writes only a
manifest (``boligeval panel``) does not load python-docx, openpyxl or
matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

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
    """Import an exported writer on first access."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'boligeval.write' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
