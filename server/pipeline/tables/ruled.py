"""Tables drawn with rules.

Two kinds are found: grids (horizontal and vertical rules that cross) and
"booktabs" tables (only horizontal rules of one width). The rules say where a
table is; its cells come from `grid.build_table`, which splits columns at the
vertical rules and at white-space gutters, so a grid that rules only some of its
columns or rows still gets one cell per value.
"""

from __future__ import annotations

from itertools import pairwise

from server.pipeline.geometry import Box
from server.pipeline.pdf.extract import Rule, Word
from server.pipeline.pdf.lines import build_lines
from server.pipeline.tables.continued import rows_below
from server.pipeline.tables.grid import build_table
from server.pipeline.tables.model import Table
from server.pipeline.tables.overprint import other_column_words, word_runs
from server.pipeline.tables.text import median
from server.pipeline.tables.ruling import RuleLine, clusters, distinct, merge_rules

_MIN_FILLED = 0.35  # share of a table's cells that hold text
_PROSE_WORDS = 6


def _words_in(words: list[Word], box: Box) -> list[Word]:
    return [w for w in words if box.contains_point(w.box.cx, w.box.cy, margin=1.0)]


def _table_words(words: list[Word], box: Box) -> list[Word]:
    """The words inside a table's box, less the lines of a text column it is printed over."""
    inside = _words_in(words, box)
    other = other_column_words(box, inside, words)
    return [w for w in inside if id(w) not in other]


def _grid_table(hs: list[RuleLine], vs: list[RuleLine], words: list[Word]) -> Table | None:
    box = Box(
        min(min(h.start for h in hs), min(v.pos for v in vs)),
        min(min(h.pos for h in hs), min(v.start for v in vs)),
        max(max(h.end for h in hs), max(v.pos for v in vs)),
        max(max(h.pos for h in hs), max(v.end for v in vs)),
    )
    inside = _table_words(words, box)
    if not inside:
        return None
    xs = distinct([box.x0, box.x1, *(v.pos for v in vs)])
    if len(xs) < 3 and all(s.from_fill for s in (*hs, *vs)):
        return None  # a shaded box, not a table
    row_edges = distinct([box.y0, box.y1, *(h.pos for h in hs)])
    if len(xs) >= 3 and len(row_edges) >= 3 and len(inside) < _MIN_FILLED * (len(xs) - 1) * (len(row_edges) - 1):
        return None  # too few words to fill a plausible share of the cells: a drawing's lines
    return build_table(box, inside, vs, hs)


def _extend_by_rows(box: Box, group: list[RuleLine], words: list[Word]) -> Box:
    """Rules drawn only between rows leave the first rows (header included) and the
    last row outside the ruled span: extend it by one row pitch at a time while
    the band above (below) holds short cell-like lines, not a paragraph."""
    if len(group) < 3:
        return box
    gaps = sorted(b.pos - a.pos for a, b in pairwise(group))
    pitch = gaps[len(gaps) // 2]

    def cells_only(band: Box) -> bool:
        inside = _words_in(words, band)
        if not inside or any(w.box.x0 < band.x0 - 2 or w.box.x1 > band.x1 + 2 for w in inside):
            return False
        lines = build_lines(inside)
        # cells: several fragments side by side, none as wide as a paragraph line, and none the
        # line of a column the table is printed over (many words set with word spaces only,
        # starting inside the table rather than at its edge as a note under it does)
        em = median([w.size for w in inside], 10.0)
        return (
            len(lines) >= 2
            and all(line.box.width < 0.6 * band.width for line in lines)
            and not any(len(run) >= _PROSE_WORDS and run[0].box.x0 > band.x0 + 2 * em for run in word_runs(inside))
        )

    for _ in range(3):  # a header of a row or two; more would be guessing
        band = Box(box.x0, box.y0 - pitch, box.x1, box.y0)
        if not cells_only(band):
            break
        box = Box(box.x0, band.y0, box.x1, box.y1)
    band = Box(box.x0, box.y1, box.x1, box.y1 + pitch)
    if cells_only(band):
        box = Box(box.x0, box.y0, box.x1, band.y1)
    return box


def _booktabs_tables(hs: list[RuleLine], words: list[Word], page_width: float, page_height: float) -> list[Table]:
    """Tables drawn with horizontal rules only, each at least two rules of one width."""
    tables: list[Table] = []
    remaining = sorted(hs, key=lambda h: h.pos)
    used: set[int] = set()
    for i, first in enumerate(remaining):
        if i in used or first.end - first.start < 60:
            continue
        group = [first]
        for j in range(i + 1, len(remaining)):
            other = remaining[j]
            if abs(other.start - first.start) <= 6 and abs(other.end - first.end) <= 6:
                if other.pos - group[-1].pos > 0.45 * page_height:
                    break
                group.append(other)
                used.add(j)
        if len(group) < 2:
            continue
        box = _extend_by_rows(Box(first.start, group[0].pos, first.end, group[-1].pos), group, words)
        if box.y1 <= group[-1].pos + 0.5:
            box = rows_below(box, words)
        inside = _table_words(words, box)
        if len(inside) < 4:
            continue
        table = build_table(box, inside, [], group)
        if table is not None and table.column_count >= 2 and plausible(table, page_width):
            tables.append(table)
    return tables


def plausible(table: Table, page_width: float) -> bool:
    """Rules also draw figures, framed code listings and page backgrounds. A table
    has mostly filled cells, cells that are not one big span, text that is not
    all monospace (code), and does not run from page edge to page edge."""
    positions = [cell for row in table.rows for cell in row]
    # one edge is not enough: a table set too wide for its column runs off the page's side
    if not positions or (table.box.x0 <= 1.0 and table.box.x1 >= page_width - 1.0):
        return False
    chars = sum(len(w.text) for w in table.words)
    if sum(len(w.text) for w in table.words if w.monospace) >= 0.8 * chars:
        return False
    filled = sum(1 for cell in positions if cell.text) / len(positions)
    owners = sum(1 for cell in positions if not cell.covered) / len(positions)
    return filled >= _MIN_FILLED and owners >= 0.4 and table.column_count <= 30 and has_columns(table)


def has_columns(table: Table) -> bool:
    """A table's columns run through it: at least two columns hold a cell of their
    own in half of the rows (a diagram's labels scatter over many sparse columns)."""
    rows = len(table.rows)
    steady = 0
    for c in range(table.column_count):
        own = sum(1 for row in table.rows if c < len(row) and row[c].text and not row[c].covered)
        steady += own * 2 >= rows
    return steady >= 2


def find_tables(words: list[Word], rules: list[Rule], page_width: float, page_height: float) -> list[Table]:
    """Every ruled table on the page; a table drawn inside another's cell is part of
    that cell, not a second table."""
    hs = merge_rules(rules, horizontal=True)
    vs = merge_rules(rules, horizontal=False)
    tables: list[Table] = []
    loose: list[RuleLine] = []
    for cluster_h, cluster_v in clusters(hs, vs):
        if len(cluster_h) >= 2 and len(cluster_v) >= 2 and not all(r.from_fill for r in (*cluster_h, *cluster_v)):
            table = _grid_table(cluster_h, cluster_v, words)
            if table is not None and plausible(table, page_width):
                tables.append(table)
                continue
        loose.extend(cluster_h)
    for table in _booktabs_tables([h for h in loose if not h.from_fill], words, page_width, page_height):
        if not any(table.box.intersects(other.box) for other in tables):
            tables.append(table)
    outermost: list[Table] = []
    for table in sorted(tables, key=lambda t: -t.box.width * t.box.height):
        if not any(_inside(table.box, other.box) for other in outermost):
            outermost.append(table)
    return sorted(outermost, key=lambda t: (t.box.y0, t.box.x0))


def _inside(inner: Box, outer: Box) -> bool:
    w, h = inner.x_overlap(outer), inner.y_overlap(outer)
    return w > 0 and h > 0 and w * h >= 0.8 * inner.width * inner.height
