"""The one markdown-table helper: every table the UI or a report shows goes through it.

Cells are escaped once, here: ``|`` would end the cell, ``[`` / ``]`` would turn tagged text
such as ``[prada](BRAND)`` into a link, and a newline would end the row.
"""

from __future__ import annotations

from typing import Iterable, Sequence

_ESCAPES = str.maketrans({"|": "\\|", "[": "\\[", "]": "\\]", "\n": " ", "\r": " "})


def cell(value: object) -> str:
    """``value`` as the text of one cell: None as an en dash, floats to 3 decimals (1 from 10)."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value).translate(_ESCAPES)


def markdown_table(header: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    """A GitHub-flavoured markdown table of ``rows`` under ``header``."""

    def line(cells: Iterable[object]) -> str:
        return "| " + " | ".join(cell(c) for c in cells) + " |"

    return "\n".join([line(header), "|" + "---|" * len(header), *(line(r) for r in rows)])
