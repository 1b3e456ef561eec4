"""tables.tex: every table of the report as a LaTeX document (booktabs)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from boligeval.report.document import Document, require_document
from boligeval.report.tables import Table

__all__ = ["tex_escape", "write_tex"]


_TEX_MAP = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "−": "$-$",
    "·": r"$\cdot$",
    "ψ": r"$\psi$",
    "τ": r"$\tau$",
    "ω": r"$\omega$",
    "²": r"\textsuperscript{2}",
    "≥": r"$\geq$",
    "<": r"$<$",
    ">": r"$>$",
}


def tex_escape(s: str) -> str:
    """Escape text for LaTeX (special characters and the report's symbols)."""
    return "".join(_TEX_MAP.get(ch, ch) for ch in s)


def _tex(tables: Sequence[tuple[str, Table]], lang: str) -> str:
    lines = [
        "% Tables of the boligeval report; compile with pdflatex or lualatex.",
        r"\documentclass[a4paper,10pt]{article}",
        r"\usepackage[utf8]{inputenc}",
        r"\usepackage[T1]{fontenc}",
        r"\usepackage[" + ("danish" if lang == "da" else "english") + "]{babel}",
        r"\usepackage{booktabs}",
        r"\usepackage[margin=2cm,landscape]{geometry}",
        r"\begin{document}",
    ]
    for cap, t in tables:
        n = len(t.columns) + 1
        lines += [
            r"\begin{table}[htbp]",
            r"\centering",
            r"\footnotesize",
            r"\caption*{" + tex_escape(cap) + "}",
            r"\begin{tabular}{l" + "r" * (n - 1) + "}",
            r"\toprule",
        ]
        lines.append(" & ".join(tex_escape(c) for c in [t.corner, *t.columns]) + r" \\")
        lines.append(r"\midrule")
        for row in t.rows:
            lines.append(" & ".join(tex_escape(c) for c in [row.label, *row.cells]) + r" \\")
        lines += [r"\bottomrule", r"\end{tabular}"]
        for note in t.notes:
            lines.append(r"\par\smallskip{\scriptsize " + tex_escape(note) + "}")
        lines += [r"\end{table}", ""]
    lines += [r"\end{document}", ""]
    return "\n".join(lines)


def write_tex(document: Document, path: Path) -> Path:
    """Write the document's tables as a LaTeX file."""
    require_document(document)
    path.write_text(_tex(document.tables, document.lang), encoding="utf-8", newline="\n")
    return path
