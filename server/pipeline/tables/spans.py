"""Rows of segments → a Table: cells, and the row and column spans the drawing shows."""

from __future__ import annotations

import itertools

from server.pipeline.geometry import Box
from server.pipeline.pdf.extract import Word
from server.pipeline.pdf.lines import build_lines, join_lines
from server.pipeline.tables.model import Cell, Table
from server.pipeline.tables.rows import Row
from server.pipeline.tables.ruling import RuleLine
from server.pipeline.tables.text import Segment, median


def cell_text(segments: list[Segment]) -> str:
    words = [w for s in segments for w in s.words]
    if not words:
        return ""
    return join_lines([line.text for line in sorted(build_lines(words), key=lambda line: (line.box.y0, line.box.x0))])


def to_table(
    box: Box,
    rows: list[Row],
    xs: list[float],
    inner_rules: list[RuleLine],
    v_rules: list[RuleLine],
    words: list[Word],
    group_spans: list[tuple[int, int, int]] | None = None,
) -> Table | None:
    """The table of `rows` split at `xs`; `group_spans` are (first row, last row, column)
    of row-group labels that span rows (see `groups`)."""
    used = sorted({c for row in rows for c in row.filled()})
    if len(used) < 2:
        return None
    index = {c: i for i, c in enumerate(used)}  # drop columns no row uses
    edges = [(xs[c], xs[c + 1]) for c in used]
    owner: list[list[tuple[int, int]]] = []
    texts: dict[tuple[int, int], str] = {}
    centres: dict[tuple[int, int], float] = {}
    for r, row in enumerate(rows):
        line = [(r, c) for c in range(len(used))]
        for segs in row.cells.values():
            c0, c1 = index[min(s.c0 for s in segs)], index[max(s.c1 for s in segs)]
            texts[(r, c0)] = cell_text(segs)
            centres[(r, c0)] = sum(w.box.cy for seg in segs for w in seg.words) / sum(len(seg.words) for seg in segs)
            for c in range(c0, c1 + 1):
                line[c] = (r, c0)
        owner.append(line)
    for r0, r1, column in group_spans or []:
        c = index[column]
        for r in range(r0 + 1, r1 + 1):
            if owner[r][c] == (r, c) and not texts.get((r, c)):
                _merge(owner, texts, owner[r0][c], (r, c))
    _join_over_group_rules(rows, owner, texts, edges, inner_rules, v_rules)
    _join_columns(rows, owner, texts, edges, v_rules)
    _join_rows(rows, owner, texts, centres, edges, inner_rules)
    out: list[list[Cell]] = []
    extent: dict[tuple[int, int], tuple[int, int]] = {}
    for r, line in enumerate(owner):
        for c, key in enumerate(line):
            last_r, last_c = extent.get(key, (r, c))
            extent[key] = (max(last_r, r), max(last_c, c))
    for r, line in enumerate(owner):
        cells: list[Cell] = []
        for c, key in enumerate(line):
            text = texts.get(key, "")
            if key == (r, c):
                end_r, end_c = extent[key]
                cells.append(Cell(text, colspan=end_c - c + 1, rowspan=end_r - r + 1))
            else:
                cells.append(Cell(text, covered=True))
        out.append(cells)
    if sum(1 for row in out if sum(1 for cell in row if cell.text and not cell.covered) >= 2) < 2:
        return None
    return Table(box=box, rows=out, words=words)


def _merge(
    owner: list[list[tuple[int, int]]], texts: dict[tuple[int, int], str], keep: tuple[int, int], drop: tuple[int, int]
) -> None:
    texts[keep] = join_lines([t for t in (texts.get(keep, ""), texts.pop(drop, "")) if t])
    for line in owner:
        for k, key in enumerate(line):
            if key == drop:
                line[k] = keep


def _join_columns(
    rows: list[Row],
    owner: list[list[tuple[int, int]]],
    texts: dict[tuple[int, int], str],
    edges: list[tuple[float, float]],
    v_rules: list[RuleLine],
) -> None:
    """Column spans of ruled grids: where a vertical rule stops short of a row, the
    row's cell runs on across it into an empty neighbour (a group header over the
    columns the rule divides further down)."""
    for r, row in enumerate(rows):
        middle = (row.lines[0].y0 + row.lines[-1].y1) / 2
        for c in range(len(edges) - 1):
            x = edges[c][1]
            ruled_somewhere = [v for v in v_rules if abs(v.pos - x) <= 3]
            if not ruled_somewhere or any(v.start <= middle <= v.end for v in ruled_somewhere):
                continue
            a, b = owner[r][c], owner[r][c + 1]
            if a == b or (texts.get(a) and texts.get(b)) or a[0] != r or b[0] != r:
                continue
            if any(line[c] == a and line[c + 1] != b for line in owner if line is not owner[r]):
                continue
            _merge(owner, texts, a, b)


def _join_over_group_rules(
    rows: list[Row],
    owner: list[list[tuple[int, int]]],
    texts: dict[tuple[int, int], str],
    edges: list[tuple[float, float]],
    rules: list[RuleLine],
    v_rules: list[RuleLine],
) -> None:
    """Column spans drawn by group rules: a rule under a label that runs over some of the
    table's columns but not all (a spanner rule, booktabs' `cmidrule`) says the label
    heads the columns it covers, however short the label; the label's row leaves those
    columns empty but for it, and the row below heads each of them. A vertical rule that
    meets the rule from below ends one group's rule and starts the next's (one stroke)."""
    width = edges[-1][1] - edges[0][0]
    for r in range(len(rows) - 1):
        top, bottom = rows[r].lines[-1].y1, rows[r + 1].lines[0].y0
        for whole in rules:
            if not top - 1 <= whole.pos <= bottom + 1 or whole.end - whole.start >= 0.9 * width:
                continue
            cuts = sorted(
                v.pos for v in v_rules if whole.start + 2 < v.pos < whole.end - 2 and v.start - 2 <= whole.pos < v.end
            )
            for start, end in itertools.pairwise([whole.start, *cuts, whole.end]):
                _join_group(r, start, end, owner, texts, edges)


def _join_group(
    r: int,
    start: float,
    end: float,
    owner: list[list[tuple[int, int]]],
    texts: dict[tuple[int, int], str],
    edges: list[tuple[float, float]],
) -> None:
    """Merges the empty cells of row `r` under the rule from `start` to `end` into its one label."""
    covered = [c for c, (left, right) in enumerate(edges) if start - 1 <= (left + right) / 2 <= end + 1]
    keys = list(dict.fromkeys(owner[r][c] for c in covered))
    if len(covered) < 2 or len(keys) < 2 or any(key[0] != r for key in keys):
        return
    named = [key for key in keys if texts.get(key)]
    if len(named) != 1 or any(owner[r][c] in keys for c in range(len(edges)) if c not in covered):
        return
    below = [owner[r + 1][c] for c in covered]
    if len(set(below)) < len(covered) or not all(texts.get(key) for key in below):
        return  # a group heads columns of their own below it; a rule between body rows groups nothing
    for key in keys[1:]:
        _merge(owner, texts, keys[0], key)  # a cell is keyed by its first column


def _join_rows(
    rows: list[Row],
    owner: list[list[tuple[int, int]]],
    texts: dict[tuple[int, int], str],
    centres: dict[tuple[int, int], float],
    edges: list[tuple[float, float]],
    rules: list[RuleLine],
) -> None:
    """Row spans. Where a rule separates two rows but not in one column, that
    column's cell runs on into the row below. Without a rule, a cell whose text is
    set between its row and the next, over an empty cell, spans both."""
    # a row's own line is its fullest one, not a label set beside it
    row_centre = [
        median([w.box.cy for w in max(row.lines, key=lambda line: len(line.segments)).words], 0.0) for row in rows
    ]
    for r in range(len(rows) - 1):
        top, bottom = rows[r].lines[-1].y1, rows[r + 1].lines[0].y0
        # rules that divide the two rows in some column (a stray short stroke divides nothing)
        between = [
            h
            for h in rules
            if top - 1 <= h.pos <= bottom + 1 and any(h.start <= e[0] + 3 and h.end >= e[1] - 3 for e in edges)
        ]
        pitch = row_centre[r + 1] - row_centre[r]
        for c, (left, right) in enumerate(edges):
            if any(h.start <= left + 3 and h.end >= right - 3 for h in between):
                continue
            a, b = owner[r][c], owner[r + 1][c]
            if a == b or [k for k, key in enumerate(owner[r]) if key == a] != [
                k for k, key in enumerate(owner[r + 1]) if key == b
            ]:
                continue
            lower = (
                bool(texts.get(a)) and not texts.get(b) and centres.get(a, row_centre[r]) > row_centre[r] + 0.25 * pitch
            )
            higher = (
                bool(texts.get(b))
                and not texts.get(a)
                and centres.get(b, row_centre[r + 1]) < row_centre[r + 1] - 0.25 * pitch
            )
            if between or lower or higher:
                _merge(owner, texts, a, b)
