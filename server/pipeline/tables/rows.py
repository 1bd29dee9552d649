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

    def wraps(seg: Segment) -> bool:
        """Whether the cell above ran out of room: its next word would not have fitted."""
        above = row.last_in(seg.c0)
        if above is None or above.text.rstrip().endswith((".", "!", "?", ":")):
            return False
        limit = max(right_limit.get(c, 0.0) for c in range(seg.c0, seg.c1 + 1))
        return above.x1 + 0.3 * size + seg.words[0].box.width > limit + 1.0

    under_filled = [s for s in line.segments if all(c in filled for c in range(s.c0, s.c1 + 1))]
    under_empty = [s for s in line.segments if not any(c in filled for c in range(s.c0, s.c1 + 1))]
    if len(under_filled) + len(under_empty) < len(line.segments):
        return False
    if under_empty and not under_filled:
        # a label set between two rows (over both, vertically centred) overlaps the row above
        return line.y0 < last.y1 - 0.15 * height
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
