"""Writers: every output file of a run, one module per format.

Each writer takes published results (``boligeval.disclosure.Published``) or
a report document built from them, and refuses anything else.
"""

from __future__ import annotations

from boligeval.write.docx import write_docx
from boligeval.write.figures import write_figures
from boligeval.write.html import write_html
from boligeval.write.manifest import write_manifest
from boligeval.write.results import write_results
from boligeval.write.tex import tex_escape, write_tex
from boligeval.write.xlsx import write_xlsx

__all__ = [
    "tex_escape",
    "write_docx",
    "write_figures",
    "write_html",
    "write_manifest",
    "write_results",
    "write_tex",
    "write_xlsx",
]
