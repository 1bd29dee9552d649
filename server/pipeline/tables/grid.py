"""A table's words → rows and columns of cells, with spans.

Rows are text lines; a line joins the row above when it continues that row's
cells (a wrapped cell), which is decided from how tables are typeset: a number
is never the second line of a cell, a continued cell sits under a filled one,
and a cell wraps only when its next word would not have fitted on the line above.
Columns are split at vertical rules and at the white-space gutters that run
through the body rows; a header line's text that crosses a gutter spans the
columns it covers (a two-level header's group label → colspan).
"""

from __future__ import annotations

from server.pipeline.geometry import Box
from server.pipeline.pdf.extract import Word
from server.pipeline.tables.columns import (
    GUTTER_EM,
    assign_columns,
    gutters,
    header_count,
    outer_gutters,
    overflow_gutters,
)
from server.pipeline.tables.groups import group_spans
from server.pipeline.tables.leaders import leader_dots
from server.pipeline.tables.model import Table
from server.pipeline.tables.rows import Row, continues, wrapped_labels_down
from server.pipeline.tables.ruling import RuleLine
from server.pipeline.tables.spans import to_table
from server.pipeline.tables.text import Segment, TextLine, is_number, median, split_segments, text_lines

_SEGMENT_GAP_EM = 0.5  # wider than a word space: the next cell starts


def build_table(
    box: Box,
    words: list[Word],
    v_rules: list[RuleLine] | None = None,
    h_rules: list[RuleLine] | None = None,
    taken: list[Word] | None = None,
) -> Table | None:
    """The table made of `words` inside `box`, or None when they do not form one
    (fewer than two columns, or fewer than two rows with two filled cells).
    `taken` are the words the table takes from the page (default: `words`)."""
    taken = words if taken is None else taken
    dots = leader_dots(words)
    words = [w for w in words if id(w) not in dots]
    if not words:
        return None
    size = median([w.size for w in words], 10.0)
    cuts = [v.pos for v in v_rules or [] if box.x0 + 2 < v.pos < box.x1 - 2]
    lines = text_lines(words)
    for line in lines:
        line.segments = split_segments(line, _SEGMENT_GAP_EM * size, cuts)
    header = header_count(lines)
    body = [line for line in lines[header:] if len(line.segments) >= 2] or lines
    panels = _panel_lines(lines, body, box, header)
    first_panel = next((i for i, line in enumerate(lines) if id(line) in panels), len(lines))
    if 0 < first_panel < header:  # a label across the table right under the head starts the body
        header = first_panel
        body = [line for line in lines[header:] if len(line.segments) >= 2] or lines
    xs = sorted(set(cuts))
    ruled_columns = len(xs)
    found = gutters(body, box.x0, box.x1, GUTTER_EM * size, 0)
    found += overflow_gutters(body, found, box.x0, box.x1, size)
    found += outer_gutters(lines, body, GUTTER_EM * size)
    for a, b in found:
        if not any(a - 2 <= x <= b + 2 for x in xs):
            xs.append(_cut(a, b, lines, body))
    xs = [box.x0, *sorted(xs), box.x1]
    if len(xs) < 3:
        return None
    assign_columns(lines, xs)
    for line in lines:
        if id(line) in panels:
            line.segments[0].c0, line.segments[0].c1 = 0, len(xs) - 2
    right_limit: dict[int, float] = {}
    for line in lines:
        for seg in line.segments:
            if seg.c0 == seg.c1:
                right_limit[seg.c0] = max(right_limit.get(seg.c0, 0.0), seg.x1)
    inner_rules = sorted(h.pos for h in h_rules or [] if box.y0 + 2 < h.pos < box.y1 - 2)
    # rules in the head (under group labels, under the head) do not rule the body's rows
    body_top = lines[header].y0 - 1 if header < len(lines) else box.y1
    ruled_rows = sum(1 for y in inner_rules if y >= body_top) >= 2
    closed = ruled_rows and ruled_columns > 0 and len(xs) - 2 == ruled_columns  # no column without its rule
    rows: list[Row] = []
    for index, line in enumerate(lines):
        if rows and id(line) not in panels and id(rows[-1].lines[-1]) not in panels:
            row = rows[-1]
            ruled_between = any(row.lines[-1].y1 - 1 <= y <= line.y0 + 1 for y in inner_rules) or _ruled_off(
                row, line, h_rules or []
            )
            if not ruled_between and continues(row, line, index < header, ruled_rows, right_limit, size, closed):
                row.add(line)
                continue
        rows.append(Row([]))
        rows[-1].add(line)
    if not ruled_rows:
        rows = wrapped_labels_down(rows, right_limit, size)
    rules = [h for h in h_rules or [] if box.y0 + 2 < h.pos < box.y1 - 2]
    spans = group_spans(rows) if not ruled_rows else []
    return to_table(box, rows, xs, rules, v_rules or [], taken, spans)


def _panel_lines(lines: list[TextLine], body: list[TextLine], box: Box, header: int) -> set[int]:
    """Lines that label a part of the table across all its columns ("Panel A", a section of
    the rows): one cell of text, not a number, centred on the table (on its body's text or
    its box), not starting where a body's text cell right above it starts (that cell's next line),
    and standing between rows of several cells, so it is no title above the table."""
    cells = [s for line in body for s in line.segments]
    if len(body) < 2 or not cells:
        return set()
    left, right = min(s.x0 for s in cells), max(s.x1 for s in cells)
    tolerance = max(2.0, 0.02 * (right - left))
    out: set[int] = set()
    for index, line in enumerate(lines):
        if len(line.segments) != 1 or index == 0 or is_number(line.segments[0].text):
            continue
        seg = line.segments[0]
        centre = (seg.x0 + seg.x1) / 2
        if min(abs(centre - (left + right) / 2), abs(centre - box.cx)) > tolerance:
            continue
        above = lines[index - 1].segments if index > header else []
        if any(abs(seg.x0 - s.x0) <= 1.0 and not is_number(s.text) for s in above):
            continue  # it starts where a body's text cell right above does: that cell's next line
        if any(len(other.segments) >= 2 for other in lines[index + 1 :]):
            out.add(id(line))
    return out


def _cut(a: float, b: float, lines: list[TextLine], body: list[TextLine]) -> float:
    """Where to split columns in the body's gutter (a, b): its middle, unless a header
    cell reaches over the middle while it lines up with the body cells of one side (flush
    left with the left's, flush right with the right's), as a header wider than its
    right-aligned numbers does; then in the
    middle of the widest stretch of the gutter that no cell crosses. A group label centred
    over both columns lines up with neither and spans them."""
    middle = (a + b) / 2
    crossing = [s for line in lines for s in line.segments if s.x0 < middle < s.x1]
    if not crossing:
        return middle
    cells = [s for line in body for s in line.segments]
    left = [s for s in cells if s.x1 <= a + 1]
    right = [s for s in cells if s.x0 >= b - 1]

    def lined_up(seg: Segment) -> bool:
        return any(abs(seg.x0 - c.x0) <= 1.5 for c in left) or any(abs(seg.x1 - c.x1) <= 1.5 for c in right)

    if not all(lined_up(seg) for seg in crossing):
        return middle
    covered = sorted((max(s.x0, a), min(s.x1, b)) for line in lines for s in line.segments if s.x0 < b and a < s.x1)
    free: list[tuple[float, float]] = []
    edge = a
    for x0, x1 in covered:
        if x0 > edge:
            free.append((edge, x0))
        edge = max(edge, x1)
    if edge < b:
        free.append((edge, b))
    if not free:
        return middle
    start, end = max(free, key=lambda f: f[1] - f[0])
    return (start + end) / 2


def _ruled_off(row: Row, line: TextLine, rules: list[RuleLine]) -> bool:
    """Whether a rule runs between `line` and the row above in a column they share: a
    rule under a group header that stops at the group's columns (LaTeX's \\cline), while
    a label beside them, set across both lines, joins the two. Shading is no rule: some
    producers shade each line of a wrapped cell on its own."""
    for seg in line.segments:
        above = [s for segs in row.cells.values() for s in segs if s.c0 <= seg.c1 and seg.c0 <= s.c1]
        if not above:
            continue
        bottom = max(w.box.y1 for s in above for w in s.words)
        top = min(w.box.y0 for w in seg.words)
        if any(
            not h.from_fill and bottom - 1 <= h.pos <= top + 1 and h.start <= seg.x0 + 1 and h.end >= seg.x1 - 1
            for h in rules
        ):
            return True
    return False
