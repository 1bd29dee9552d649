"""A ruled table whose body runs on below its last rule: a table continued over pages
(LaTeX's longtable, a report's table broken at the page's foot) draws its head between
two rules on the first page and sets its rows under the second, with no closing rule
until its last page.

A rule with a row of cells right under it, at the spacing a rule has inside a table,
does not end the table: the rows below are its body as long as they stay within the
rules' width, follow one another at row spacing and are not lines of a paragraph.
"""

from __future__ import annotations

from server.pipeline.geometry import Box
from server.pipeline.pdf.extract import Word
from server.pipeline.tables.overprint import word_runs
from server.pipeline.tables.text import Segment, median, split_segments, text_lines

_UNDER_RULE_EM = 0.8  # a row sits this close under a rule inside a table; text after a table stands further off
_ROW_GAP_EM = 1.6
_CELL_GAP_EM = 1.0
_PROSE_WORDS = 6


def rows_below(box: Box, words: list[Word]) -> Box:
    """`box` (a table ending at a rule) extended over the rows of cells that run on
    right under that rule; `box` itself when none do."""
    inside = [w for w in words if box.contains_point(w.box.cx, w.box.cy, margin=1.0)]
    size = median([w.size for w in inside], 10.0)
    below = [w for w in words if w.box.y0 >= box.y1 - 1 and w.box.x1 > box.x0 and w.box.x0 < box.x1]
    head = [s for line in text_lines(inside) for s in split_segments(line, _CELL_GAP_EM * size, [])]
    bottom, last = box.y1, box.y1
    accepted: list[Segment] = []
    for line in text_lines(below):
        gap = line.y0 - last
        if gap > (_UNDER_RULE_EM if last == box.y1 else _ROW_GAP_EM) * size:
            break
        if any(w.box.x0 < box.x0 - 2 or w.box.x1 > box.x1 + 2 for w in line.words):
            break
        if any(len(run) >= _PROSE_WORDS for run in word_runs(line.words)):
            break
        cells = split_segments(line, _CELL_GAP_EM * size, [])
        if len(cells) < 2:
            if not accepted:
                break
            last = line.y1  # a label or a wrapped cell between rows, or a note after them
            continue
        if accepted and not all(_aligned(cell, head + accepted, 0.3 * size) for cell in cells):
            break  # cells that line up with no column of the rows above: the table has ended
        accepted.extend(cells)
        bottom = last = line.y1
    return Box(box.x0, box.y0, box.x1, bottom + 1.0) if len(accepted) >= 4 else box


def _aligned(cell: Segment, cells: list[Segment], tolerance: float) -> bool:
    """Whether a cell starts, ends or is centred where one of `cells` does: it is in their column."""
    return any(
        abs(cell.x0 - c.x0) <= tolerance
        or abs(cell.x1 - c.x1) <= tolerance
        or abs(cell.x0 + cell.x1 - c.x0 - c.x1) <= 2 * tolerance
        for c in cells
    )
