"""boligeval.report: the bilingual, self-contained evaluation report.

``write_report(results, out_dir, lang=..., meta=...)`` writes report.html,
tables.xlsx, tables.tex and figures/ from results that have passed
``boligeval.disclosure.protect_results``.
"""

from __future__ import annotations

from boligeval.report.writer import (
    ReportPaths,
    check_protected,
    codebook_labels,
    tex_escape,
    write_report,
)

__all__ = ["ReportPaths", "check_protected", "codebook_labels", "tex_escape", "write_report"]
