"""Which text lines make one table row: a line joins the row above when it continues
that row's cells, decided from how tables are typeset (a number is never the second
line of a cell, a continued cell sits under a filled one, a cell wraps only when its
next word would not have fitted on the line above)."""

from __future__ import annotations

from dataclasses import dataclass, field

from server.pipeline.tables.text import Segment, TextLine, is_number


@dataclass(slots=True)
class Row:
    lines: list[TextLine]
    cells: dict[int, list[Segment]] = field(default_factory=dict)  # first column → segments

    def filled(self) -> set[int]:
        return {c for segs in self.cells.values() for s in segs for c in range(s.c0, s.c1 + 1)}

    def add(self, line: TextLine) -> None:
        """Add a line's segments; a segment that shares a column with a cell joins it (and
        cells it bridges join each other)."""
        self.lines.append(line)
        for seg in line.segments:
            hits = [
                c
                for c, segs in self.cells.items()
                if min(s.c0 for s in segs) <= seg.c1 and seg.c0 <= max(s.c1 for s in segs)
            ]
            merged: list[Segment] = []
            for c in hits:
                merged.extend(self.cells.pop(c))
            merged.append(seg)
            self.cells[min(s.c0 for s in merged)] = merged

    def last_in(self, column: int) -> Segment | None:
        found = [s for segs in self.cells.values() for s in segs if s.c0 <= column <= s.c1]
        return found[-1] if found else None


def _wrapped_heads(row: Row, line: TextLine, under_filled: list[Segment]) -> bool:
    """Whether a header line goes on with the column heads above it: each of its cells
    under a filled column lies under a head of the same columns (a head wrapped in its
    column, not the heads of a group label's columns), and it holds more words than
    numbers (a head may end in one, "rate per / 1,000"; a row of values is numbers). Its
    other cells are heads set on the header's bottom line, beside taller heads."""
    numbers = sum(1 for s in line.segments if is_number(s.text))
    if not under_filled or 2 * numbers >= len(line.segments):
        return False
    for seg in under_filled:
        above = row.last_in(seg.c0)
        if above is None or (above.c0, above.c1) != (seg.c0, seg.c1):
            return False
    return True


def continues(
    row: Row,
    line: TextLine,
    in_header: bool,
    ruled_band: bool,
    right_limit: dict[int, float],
    size: float,
    closed: bool = False,
) -> bool:
    """Whether `line` is a further line of `row`'s cells rather than a new row."""
    filled = row.filled()
    numbers = [s for s in line.segments if is_number(s.text)]
    if closed:
        # a grid rules every cell: what one ruled box holds is one cell, unless the line
        # is a whole further row of values (a rule the drawing left out)
        repeats = any(s.c0 in filled for s in numbers) and line.columns() >= filled
        return in_header or not repeats
    if ruled_band:
        # between two rules everything is one row, unless the line repeats a row of values
        return in_header or not any(s.c0 in filled for s in numbers)
    last = row.lines[-1]
    height = max(last.y1 - last.y0, line.y1 - line.y0, 1.0)
    if line.y0 - last.y1 > 0.6 * height:
        return False

    valued = any(is_number(s.text) for segs in row.cells.values() for s in segs)

    def wraps(seg: Segment) -> bool:
        """Whether the cell above ran out of room: its next word would not have fitted."""
        above = row.last_in(seg.c0)
        if above is None or above.text.rstrip().endswith((".", "!", "?", ":")):
            return False
        if above.words[-1].bold != seg.words[0].bold:
            return False  # a wrapped cell keeps its face: a bold label and a plain one are two rows
        start = min(s.x0 for segs in row.cells.values() for s in segs if s.c0 <= seg.c0 <= s.c1)
        if len(line.segments) == 1 and valued and seg.x0 < start - 0.75 * size:
            return False  # a lone label set out left of a row of values' label starts a row (a section's)
        limit = max(right_limit.get(c, 0.0) for c in range(seg.c0, seg.c1 + 1))
        return above.x1 + 0.3 * size + seg.words[0].box.width > limit + 1.0

    under_filled = [s for s in line.segments if all(c in filled for c in range(s.c0, s.c1 + 1))]
    under_empty = [s for s in line.segments if not any(c in filled for c in range(s.c0, s.c1 + 1))]
    if len(under_filled) + len(under_empty) < len(line.segments):
        return False
    if under_empty and not under_filled:
        # a label set between two rows (over both, vertically centred) overlaps the row above
        return line.y0 < last.y1 - 0.15 * height
    if in_header and _wrapped_heads(row, line, under_filled):
        return True
    if under_empty and in_header:
        return False  # a header line under a group header is a row of its own
    if under_empty:
        # a line that fills the row's empty cells while a long cell wraps on: labels set
        # beside the middle of a wrapped description
        return all(wraps(s) and not is_number(s.text) for s in under_filled)
    if numbers:
        return False
    if in_header:
        return True
    wrapped = sum(1 for s in line.segments if wraps(s))
    return wrapped == len(line.segments) or (wrapped > 0 and len(line.columns()) < len(filled))


def _label_line(line: TextLine) -> Segment | None:
    """The line's one cell when it holds a single label (no number), else None."""
    if len(line.segments) != 1 or is_number(line.segments[0].text):
        return None
    return line.segments[0]


def _label_run(row: Row, column: int) -> list[TextLine]:
    """The row's last lines that hold only a label in `column`."""
    run: list[TextLine] = []
    for line in reversed(row.lines):
        seg = _label_line(line)
        if seg is None or seg.c0 != column or seg.c1 != column:
            break
        run.insert(0, line)
    return run


def wrapped_labels_down(rows: list[Row], right_limit: dict[int, float], size: float) -> list[Row]:
    """Moves the first lines of a wrapped row label down to the row whose values they
    label. A label too long for its column wraps; where the row's values sit on the
    label's last line (or its middle), the lines above them read as a row of their own
    or as the end of the row above. They are the next row's when the label wrapped
    (its next word would not have fitted on the line), in the same face (a bold section
    label over its members is not a wrapped label), and the lines hang together: the
    continuation is indented (a hanging indent), or the label's lines stand closer to
    each other than to the row above (cell padding). A label of its own row, short labels
    all alike, would "not have fitted" as well: a row without values stays a row."""
    out: list[Row] = []
    for row in rows:
        first = row.lines[0]
        numbers = any(is_number(s.text) for s in first.segments)
        seg = first.segments[0] if first.segments and not is_number(first.segments[0].text) else None
        previous = out[-1] if out else None
        if previous is None or seg is None or not numbers:
            out.append(row)
            continue
        run = _label_run(previous, seg.c0)
        if not run or seg.c1 != seg.c0:
            out.append(row)
            continue
        last = _label_line(run[-1])
        top = _label_line(run[0])
        assert last is not None and top is not None
        wrapped = last.x1 + 0.3 * size + seg.words[0].box.width > right_limit.get(seg.c0, last.x1) + 1.0
        alone = len(run) == len(previous.lines)
        hangs = seg.x0 >= top.x0 + 0.3 * size
        if alone:
            above = out[-2].lines[-1] if len(out) >= 2 else None
        else:
            above = previous.lines[len(previous.lines) - len(run) - 1]
        height = max(first.y1 - first.y0, 1.0)
        closer = above is not None and first.y0 - run[-1].y1 < run[0].y0 - above.y1 - 0.15 * height
        tail, head = last.words[-1], seg.words[0]
        same_face = (tail.bold, tail.italic) == (head.bold, head.italic) and abs(tail.size - head.size) <= 0.1 * size
        if not wrapped or not same_face or not (hangs or closer):
            out.append(row)
            continue
        moved = Row([])
        for line in [*run, *row.lines]:
            moved.add(line)
        if alone:
            out[-1] = moved
        else:
            kept = Row([])
            for line in previous.lines[: len(previous.lines) - len(run)]:
                kept.add(line)
            out[-1] = kept
            out.append(moved)
    return out
