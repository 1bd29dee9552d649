"""Tables from ruling lines and column alignment.

Two kinds are found: grids (horizontal and vertical rules that cross; cells are
the spaces between them, a missing inner rule makes a column span) and
"booktabs" tables (only horizontal rules of one width, columns taken from the
white space between words). Tables of contents with dot leaders are tables too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from server.pipeline.extract import Rule, Word
from server.pipeline.geometry import Box, union_all
from server.pipeline.lines import Line, build_lines, join_lines
from server.pipeline.ruling import RuleLine, clusters, distinct, merge_rules

_MIN_FILLED = 0.35  # share of a table's cells that hold text
_LEADER = re.compile(r"^(?P<title>.*?\S)\s*(?:\.\s*){4,}\s*(?P<page>[0-9ivxlcdmIVXLCDM]{1,5})$")


@dataclass(slots=True)
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1
    covered: bool = False  # inside another cell's span; `text` repeats that cell's text


@dataclass(slots=True)
class Table:
    """A rectangular grid of cells (spanned positions are `covered` cells)."""

    box: Box
    rows: list[list[Cell]]
    words: list[Word] = field(default_factory=list)  # the words the table took from the page

    @property
    def column_count(self) -> int:
        return max((len(row) for row in self.rows), default=0)


def _rows_from_lines(words: list[Word]) -> list[tuple[float, float]]:
    """Row bands from text lines; a line whose first column is empty continues the row above."""
    bands: list[list[float]] = []
    for word in sorted(words, key=lambda w: w.box.cy):
        if bands and word.box.cy <= bands[-1][1] - 0.2 * word.box.height:
            bands[-1][1] = max(bands[-1][1], word.box.y1)
            bands[-1][0] = min(bands[-1][0], word.box.y0)
        else:
            bands.append([word.box.y0, word.box.y1])
    return [(b[0], b[1]) for b in bands]


def _columns_from_gaps(words: list[Word], x0: float, x1: float) -> list[float]:
    """Column boundaries at the white space that runs through every line of the region."""
    if not words:
        return [x0, x1]
    size = sorted(w.size for w in words)[len(words) // 2]
    intervals = sorted((w.box.x0, w.box.x1) for w in words)
    bounds = [x0]
    reach = intervals[0][1]
    for start, end in intervals[1:]:
        if start - reach >= 0.6 * size:
            bounds.append((start + reach) / 2)
        reach = max(reach, end)
    bounds.append(x1)
    return bounds


SpanTest = Callable[[int, int], bool]


def _assign(words: list[Word], xs: list[float], ys: list[tuple[float, float]]) -> list[list[list[Word]]]:
    grid: list[list[list[Word]]] = [[[] for _ in range(len(xs) - 1)] for _ in ys]
    for word in words:
        col = next((i for i in range(len(xs) - 1) if word.box.cx < xs[i + 1]), len(xs) - 2)
        row = next((i for i, (top, bottom) in enumerate(ys) if word.box.cy <= bottom), len(ys) - 1)
        grid[row][col].append(word)
    return grid


def _merge_continuation_rows(grid: list[list[list[Word]]], ys: list[tuple[float, float]]) -> list[list[list[Word]]]:
    """Rows from text lines: a line continues the row above (a cell wrapped onto a
    second line) when its first column is empty under a filled one, or when it
    sits tight under the row above with fewer cells filled."""
    merged: list[list[list[Word]]] = []
    previous_band: tuple[float, float] | None = None
    for row, band in zip(grid, ys, strict=True):
        if not any(row):
            continue
        if merged and previous_band is not None:
            above = merged[-1]
            tight = band[0] - previous_band[1] < 0.35 * (band[1] - band[0])
            fewer = sum(1 for c in row if c) < sum(1 for c in above if c)
            if (not row[0] and above[0]) or (tight and fewer):
                for col, cell in enumerate(row):
                    above[col].extend(cell)
                previous_band = (previous_band[0], band[1])
                continue
        merged.append(row)
        previous_band = band
    return merged


def _cell_text(words: list[Word]) -> str:
    """A cell's words in reading order: rebuilt into lines, lines joined."""
    if not words:
        return ""
    return join_lines([line.text for line in sorted(build_lines(words), key=lambda line: (line.box.y0, line.box.x0))])


def _span_owners(rows: int, cols: int, joins_right: SpanTest, joins_down: SpanTest) -> list[list[tuple[int, int]]]:
    """For every grid position, the top-left position of the merged cell it belongs to."""
    parent = {(r, c): (r, c) for r in range(rows) for c in range(cols)}

    def find(key: tuple[int, int]) -> tuple[int, int]:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def union(a: tuple[int, int], b: tuple[int, int]) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols and joins_right(r, c):
                union((r, c), (r, c + 1))
            if r + 1 < rows and joins_down(r, c):
                union((r, c), (r + 1, c))
    return [[find((r, c)) for c in range(cols)] for r in range(rows)]


def _make_table(
    box: Box,
    words: list[Word],
    xs: list[float],
    ys: list[tuple[float, float]],
    joins_right: SpanTest | None = None,
    joins_down: SpanTest | None = None,
) -> Table | None:
    """Cells from words placed on the grid `xs` × `ys`; without span tests the
    rows are text lines and wrapped cells are merged into their row."""
    if len(xs) < 3 or len(ys) < 2:
        return None
    if len(words) < _MIN_FILLED * (len(xs) - 1) * len(ys):
        return None  # too few words to fill a plausible share of the cells: a drawing's lines
    grid = _assign(words, xs, ys)
    if joins_right is None or joins_down is None:
        grid = _merge_continuation_rows(grid, ys)
        owners = [[(r, c) for c in range(len(xs) - 1)] for r in range(len(grid))]
    else:
        owners = _span_owners(len(grid), len(xs) - 1, joins_right, joins_down)
    if sum(1 for row in grid if sum(1 for cell in row if cell) >= 2) < 2:
        return None
    texts: dict[tuple[int, int], list[Word]] = {}
    extent: dict[tuple[int, int], tuple[int, int]] = {}
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            owner = owners[r][c]
            texts.setdefault(owner, []).extend(cell)
            last_r, last_c = extent.get(owner, owner)
            extent[owner] = (max(last_r, r), max(last_c, c))
    rows: list[list[Cell]] = []
    for r in range(len(grid)):
        cells: list[Cell] = []
        for c in range(len(grid[r])):
            owner = owners[r][c]
            text = _cell_text(texts[owner])
            if owner == (r, c):
                end_r, end_c = extent[owner]
                cells.append(Cell(text, colspan=end_c - c + 1, rowspan=end_r - r + 1))
            else:
                cells.append(Cell(text, covered=True))
        rows.append(cells)
    return Table(box=box, rows=rows, words=words)


def _words_in(words: list[Word], box: Box) -> list[Word]:
    return [w for w in words if box.contains_point(w.box.cx, w.box.cy, margin=1.0)]


def _grid_table(hs: list[RuleLine], vs: list[RuleLine], words: list[Word]) -> Table | None:
    box = Box(
        min(min(h.start for h in hs), min(v.pos for v in vs)),
        min(min(h.pos for h in hs), min(v.start for v in vs)),
        max(max(h.end for h in hs), max(v.pos for v in vs)),
        max(max(h.pos for h in hs), max(v.end for v in vs)),
    )
    inside = _words_in(words, box)
    if not inside:
        return None
    xs = distinct([box.x0, box.x1, *(v.pos for v in vs)])
    if len(xs) < 3 and all(s.from_fill for s in (*hs, *vs)):
        return None  # a shaded box, not a table
    if len(xs) < 3:  # only an outer frame: columns from white space
        xs = _columns_from_gaps(inside, box.x0, box.x1)
        return _make_table(box, inside, xs, _rows_from_lines(inside))
    row_edges = distinct([box.y0, box.y1, *(h.pos for h in hs)])
    if len(row_edges) < 3:  # columns ruled, rows not
        return _make_table(box, inside, xs, _rows_from_lines(inside))
    ys = list(zip(row_edges, row_edges[1:], strict=False))

    def joins_right(r: int, c: int) -> bool:
        top, bottom = ys[r]
        x = xs[c + 1]
        return not any(abs(v.pos - x) <= 3 and v.start <= top + 3 and v.end >= bottom - 3 for v in vs)

    def joins_down(r: int, c: int) -> bool:
        y = ys[r][1]
        left, right = xs[c], xs[c + 1]
        return not any(abs(h.pos - y) <= 3 and h.start <= left + 3 and h.end >= right - 3 for h in hs)

    return _make_table(box, inside, xs, ys, joins_right, joins_down)


def _extend_by_rows(box: Box, group: list[RuleLine], words: list[Word]) -> Box:
    """Rules drawn only between rows leave the first rows (header included) and the
    last row outside the ruled span: extend it by one row pitch at a time while
    the band above (below) holds short cell-like lines, not a paragraph."""
    if len(group) < 3:
        return box
    gaps = sorted(b.pos - a.pos for a, b in zip(group, group[1:], strict=False))
    pitch = gaps[len(gaps) // 2]

    def cells_only(band: Box) -> bool:
        inside = _words_in(words, band)
        if not inside or any(w.box.x0 < band.x0 - 2 or w.box.x1 > band.x1 + 2 for w in inside):
            return False
        lines = build_lines(inside)
        # cells: several fragments side by side, none as wide as a paragraph line
        return len(lines) >= 2 and all(line.box.width < 0.6 * band.width for line in lines)

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
        inside = _words_in(words, box)
        if len(inside) < 4:
            continue
        header_end = group[1].pos if len(group) >= 3 else box.y1
        body = [w for w in inside if w.box.cy > header_end] or inside
        xs = _columns_from_gaps(body, box.x0, box.x1)
        table = _make_table(box, inside, xs, _rows_from_lines(inside))
        if table is not None and table.column_count >= 2 and plausible(table, page_width):
            tables.append(table)
    return tables


def plausible(table: Table, page_width: float) -> bool:
    """Rules also draw figures, framed code listings and page backgrounds. A table
    has mostly filled cells, cells that are not one big span, text that is not
    all monospace (code), and does not run from page edge to page edge."""
    positions = [cell for row in table.rows for cell in row]
    if not positions or table.box.x0 <= 1.0 or table.box.x1 >= page_width - 1.0:
        return False
    chars = sum(len(w.text) for w in table.words)
    if sum(len(w.text) for w in table.words if w.monospace) >= 0.8 * chars:
        return False
    filled = sum(1 for cell in positions if cell.text) / len(positions)
    owners = sum(1 for cell in positions if not cell.covered) / len(positions)
    return filled >= _MIN_FILLED and owners >= 0.4 and table.column_count <= 30


def find_tables(words: list[Word], rules: list[Rule], page_width: float, page_height: float) -> list[Table]:
    """Every ruled table on the page."""
    hs = merge_rules(rules, horizontal=True)
    vs = merge_rules(rules, horizontal=False)
    tables: list[Table] = []
    loose: list[RuleLine] = []
    for cluster_h, cluster_v in clusters(hs, vs):
        if len(cluster_h) >= 2 and len(cluster_v) >= 2:
            table = _grid_table(cluster_h, cluster_v, words)
            if table is not None and plausible(table, page_width):
                tables.append(table)
                continue
        loose.extend(cluster_h)
    for table in _booktabs_tables([h for h in loose if not h.from_fill], words, page_width, page_height):
        if not any(table.box.intersects(other.box) for other in tables):
            tables.append(table)
    return tables


def find_leader_tables(lines: list[Line]) -> list[tuple[Table, list[Line]]]:
    """Tables of contents: three or more stacked lines ending in dot leaders and a page number."""
    matches = [(line, _LEADER.match(line.text)) for line in sorted(lines, key=lambda line: (line.box.y0, line.box.x0))]
    found: list[tuple[Table, list[Line]]] = []
    run: list[tuple[Line, re.Match[str]]] = []

    def close() -> None:
        if len(run) >= 3:
            rows = [[Cell(m.group("title")), Cell(m.group("page"))] for _, m in run]
            taken = [line for line, _ in run]
            box = union_all(line.box for line in taken)
            words = [w for line in taken for w in line.words]
            found.append((Table(box=box, rows=rows, words=words), taken))
        run.clear()

    for line, match in matches:
        if match is None:
            continue
        if run and (
            line.box.y0 - run[-1][0].box.y1 > 3 * max(line.size, 1.0) or line.box.x_overlap(run[-1][0].box) <= 0
        ):
            close()
        run.append((line, match))
    close()
    return found
