"""Ruling lines merged and grouped: the skeleton that ruled tables hang on.

A table border is often drawn as many short strokes (one per cell edge) or as
the edges of shaded rectangles; merging collinear pieces and grouping crossing
horizontal and vertical lines gives one skeleton per table.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from server.pipeline.pdf.extract import Rule

SNAP = 2.0  # rules this close are one rule / cross each other


@dataclass(slots=True)
class RuleLine:
    """A merged rule: position across its direction, extent along it."""

    pos: float
    start: float
    end: float
    from_fill: bool = False


def merge_rules(rules: list[Rule], horizontal: bool) -> list[RuleLine]:
    segments = sorted(
        (
            RuleLine(r.box.cy, r.box.x0, r.box.x1, r.from_fill)
            if horizontal
            else RuleLine(r.box.cx, r.box.y0, r.box.y1, r.from_fill)
            for r in rules
            if r.horizontal == horizontal
        ),
        key=lambda s: (round(s.pos), s.start),
    )
    merged: list[RuleLine] = []
    for seg in segments:
        last = merged[-1] if merged else None
        if last and abs(last.pos - seg.pos) <= SNAP and seg.start <= last.end + SNAP:
            last.end = max(last.end, seg.end)
            last.from_fill = last.from_fill and seg.from_fill
        else:
            merged.append(RuleLine(seg.pos, seg.start, seg.end, seg.from_fill))
    return merged


def crosses(h: RuleLine, v: RuleLine) -> bool:
    return h.start - SNAP <= v.pos <= h.end + SNAP and v.start - SNAP <= h.pos <= v.end + SNAP


def clusters(hs: list[RuleLine], vs: list[RuleLine]) -> list[tuple[list[RuleLine], list[RuleLine]]]:
    """Connected sets of crossing horizontal and vertical rules."""
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = sorted(range(len(vs)), key=lambda j: vs[j].pos)
    positions = [vs[j].pos for j in order]
    for i, h in enumerate(hs):
        for k in range(bisect_left(positions, h.start - SNAP), bisect_right(positions, h.end + SNAP)):
            j = order[k]
            if crosses(h, vs[j]):
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list[RuleLine], list[RuleLine]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    return list(groups.values())


def distinct(values: list[float], tolerance: float = 3.0) -> list[float]:
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > tolerance:
            out.append(value)
    return out
