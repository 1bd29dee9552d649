"""Row-group labels of tables without rules: a label in a column that most rows leave
empty, set vertically centred on the rows of its group (on the middle row's baseline,
or between two rows' baselines), spans those rows.

Nothing but the position says which rows a label covers, so the groups are read the
way a reader does: top to bottom, each group starting where the one before ended,
and running down as far as its label is in its middle. A label that sits on the
first row of its group (top-aligned) is centred on no group of two or more rows and
stays a cell of its row; once one label is, the table's labels are set that way, and
none spans (only a label after the last group, a total's, may be centred on nothing).
"""

from __future__ import annotations

import itertools

from server.pipeline.tables.rows import Row
from server.pipeline.tables.text import Segment, is_number, median

_TOLERANCE = 0.25  # of a row pitch: how far a label may sit from its group's middle


def _centre(row: Row) -> float:
    fullest = max(row.lines, key=lambda line: len(line.segments))
    return median([w.box.cy for w in fullest.words], 0.0)


def _segment_centre(segs: list[Segment]) -> float:
    words = [w for s in segs for w in s.words]
    return sum(w.box.cy for w in words) / len(words)


def _is_data(row: Row) -> bool:
    """A row of data: a label and a number (header rows hold labels, or years only)."""
    texts = [" ".join(s.text for s in segs) for segs in row.cells.values()]
    return any(is_number(t) for t in texts) and any(t and not is_number(t) for t in texts)


def group_spans(rows: list[Row]) -> list[tuple[int, int, int]]:
    """Finds the row-group labels among the body rows (from the first row of data on),
    moves each into the first
    row of its group (a label on a line of its own leaves an empty row, which is
    dropped from `rows`), and returns (first row, last row, column) of each span."""
    body = rows[next((r for r, row in enumerate(rows) if _is_data(row)), 0) :]
    # a lone cell across columns labels a part of the table ("Panel A"), not a group of rows
    lone = [
        row for row in body if len(row.cells) == 1 and all(s.c0 == s.c1 for segs in row.cells.values() for s in segs)
    ]
    full = [row for row in body if len(row.cells) >= 2]
    if len(full) < 3 or not lone and not any(0 in row.cells for row in full):
        return []
    columns = {next(iter(row.cells)) for row in lone} or {min(c for row in full for c in row.cells)}
    if len(columns) != 1:
        return []
    (column,) = columns
    labels = [row for row in body if column in row.cells and all(s.c1 == s.c0 for s in row.cells[column])]
    if len(labels) * 2 > len(full) or any(len(row.cells) == 1 and row not in labels for row in lone):
        return []
    centres = {id(row): _centre(row) for row in full}
    pitch = median([centres[id(b)] - centres[id(a)] for a, b in itertools.pairwise(full)], 0.0)
    if pitch <= 0:
        return []
    found: list[tuple[Row, Row, Row]] = []  # label's row, first and last row of the group
    start = 0  # index into `full` where the next group may begin
    failed = False  # a label before this one was centred on no group (a totals row may follow the groups)
    for label in labels:
        y = _segment_centre(label.cells[column])
        best: int | None = None
        for end in range(start + 1, len(full)):
            middle = (centres[id(full[start])] + centres[id(full[end])]) / 2
            members = full[start : end + 1]
            if any(column in row.cells and row is not label for row in members):
                break
            if abs(middle - y) <= _TOLERANCE * pitch:
                best = end
                break
            if middle > y:
                break
        if best is None:
            if label in full:
                start = max(start, full.index(label) + 1)
            failed = True
            continue
        if failed:
            return []  # labels set on their groups' first rows, and one that happens to fall mid-way
        found.append((label, full[start], full[best]))
        start = best + 1
    spans: list[tuple[Row, Row]] = []
    for label, first, last in found:
        if label is not first:
            first.cells[column] = label.cells.pop(column)
            first.cells = dict(sorted(first.cells.items()))
        spans.append((first, last))
    rows[:] = [row for row in rows if row.cells]
    position = {id(row): r for r, row in enumerate(rows)}
    return [(position[id(first)], position[id(last)], column) for first, last in spans]
