"""Where a table's columns are: vertical rules, and the white-space gutters that run
through its body rows; which columns each segment of text covers."""

from __future__ import annotations

import itertools

from server.pipeline.tables.text import Segment, TextLine, is_number

GUTTER_EM = 0.5  # a gutter narrower than this is not a column boundary


def gutters(lines: list[TextLine], x0: float, x1: float, min_width: float, allowed: int) -> list[tuple[float, float]]:
    """White strips inside (x0, x1) that at most `allowed` segments of `lines` cross."""
    spans = [(s.x0, s.x1) for line in lines for s in line.segments]
    edges = sorted({x for span in spans for x in span})
    out: list[tuple[float, float]] = []
    start: float | None = None
    for left, right in itertools.pairwise(edges):
        middle = (left + right) / 2
        if sum(1 for a, b in spans if a < middle < b) <= allowed:
            start = left if start is None else start
            continue
        if start is not None and left - start >= min_width and start > x0 and left < x1:
            out.append((start, left))
        start = None
    return out


def _split_point(seg: Segment, left: float, right: float) -> int | None:
    """Where a segment that runs over the gutter (left, right) splits into the cells of the
    two columns: at the word space where a word ends on the left column's aligned right
    edge or starts on the right column's aligned left edge."""
    for i in range(1, len(seg.words)):
        before, after = seg.words[i - 1].box.x1, seg.words[i].box.x0
        if abs(after - right) <= 1.0 or abs(before - left) <= 1.0:
            return i
    return None


def overflow_gutters(
    lines: list[TextLine], strict: list[tuple[float, float]], x0: float, x1: float, size: float
) -> list[tuple[float, float]]:
    """Gutters hidden by a few cells that overflow their column (a long label running up to
    the next column): kept, and those cells split, only where every crossing segment
    splits exactly at the gutter's edge."""
    out: list[tuple[float, float]] = []
    for a, b in gutters(lines, x0, x1, GUTTER_EM * size, len(lines) // 4):
        if any(sa < b and a < sb for sa, sb in strict):
            continue
        crossing = [(line, s) for line in lines for s in line.segments if s.x0 < (a + b) / 2 < s.x1]
        points = [_split_point(s, a, b) for _, s in crossing]
        if not crossing or any(p is None for p in points):
            continue
        for (line, seg), point in zip(crossing, points, strict=True):
            assert point is not None
            index = line.segments.index(seg)
            head, tail = seg.words[:point], seg.words[point:]
            line.segments[index : index + 1] = [
                Segment(head, head[0].box.x0, max(w.box.x1 for w in head)),
                Segment(tail, tail[0].box.x0, max(w.box.x1 for w in tail)),
            ]
        out.append((a, b))
    return out


def outer_gutters(lines: list[TextLine], body: list[TextLine], min_width: float) -> list[tuple[float, float]]:
    """A column that only lone lines use, left or right of the body's columns (group
    labels set between rows): the white space that separates it from the body."""
    segments = [s for line in body for s in line.segments]
    if not segments:
        return []
    left, right = min(s.x0 for s in segments), max(s.x1 for s in segments)
    lone = [s for line in lines if line not in body for s in line.segments]
    out: list[tuple[float, float]] = []
    before = [s.x1 for s in lone if s.x0 < left]
    if before and all(x1 <= left - min_width for x1 in before):
        out.append((max(before), left))
    after = [s.x0 for s in lone if s.x1 > right]
    if after and all(x0 >= right + min_width for x0 in after):
        out.append((right, min(after)))
    return out


def header_count(lines: list[TextLine]) -> int:
    """How many lines at the top are header: those above the first full line of
    data (a line with a number that fills the most segments). Without numbers, none."""
    most = max((len(line.segments) for line in lines), default=0)
    for index, line in enumerate(lines[:6]):
        if len(line.segments) == most and any(is_number(s.text) for s in line.segments):
            return index
    # the fullest lines may come later (a row-group label beside a row adds a cell): the
    # first line of a label and numbers that falls one cell short of the fullest
    for index, line in enumerate(lines[:6]):
        texts = [s.text for s in line.segments]
        if len(texts) >= max(2, most - 1) and any(map(is_number, texts)) and not all(map(is_number, texts)):
            return index
    return 0


def assign_columns(lines: list[TextLine], xs: list[float]) -> None:
    """Columns of every segment. A segment that reaches over a boundary spans the
    columns it is centred over (a group header), or else only those whose own text
    it overlaps: a centred header wider than the numbers below it does not reach
    into the labels' column."""
    for line in lines:
        for seg in line.segments:
            inner = [i for i in range(len(xs) - 1) if min(seg.x1, xs[i + 1]) - max(seg.x0, xs[i]) > 0.5]
            if not inner:
                centre = (seg.x0 + seg.x1) / 2
                inner = [next((i for i in range(len(xs) - 1) if centre < xs[i + 1]), len(xs) - 2)]
            seg.c0, seg.c1 = inner[0], inner[-1]
    extent: dict[int, tuple[float, float]] = {}
    for line in lines:
        for seg in line.segments:
            if seg.c0 == seg.c1:
                x0, x1 = extent.get(seg.c0, (seg.x0, seg.x1))
                extent[seg.c0] = (min(x0, seg.x0), max(x1, seg.x1))
    for line in lines:
        for seg in line.segments:
            if seg.c0 == seg.c1:
                continue
            known = [extent[c] for c in range(seg.c0, seg.c1 + 1) if c in extent]
            if known:
                left, right = min(e[0] for e in known), max(e[1] for e in known)
                if abs((seg.x0 + seg.x1) / 2 - (left + right) / 2) <= 0.15 * (right - left):
                    continue
            reached = [
                c
                for c in range(seg.c0, seg.c1 + 1)
                if c in extent and min(seg.x1, extent[c][1]) > max(seg.x0, extent[c][0])
            ]
            if reached:
                seg.c0, seg.c1 = reached[0], reached[-1]
            else:
                centre = (seg.x0 + seg.x1) / 2
                seg.c0 = seg.c1 = next((i for i in range(len(xs) - 1) if centre < xs[i + 1]), len(xs) - 2)
