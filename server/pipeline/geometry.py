"""Axis-aligned boxes in page points (origin top-left), shared by every stage."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(slots=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    def union(self, other: Box) -> Box:
        return Box(min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1))

    def x_overlap(self, other: Box) -> float:
        return min(self.x1, other.x1) - max(self.x0, other.x0)

    def y_overlap(self, other: Box) -> float:
        return min(self.y1, other.y1) - max(self.y0, other.y0)

    def contains_point(self, x: float, y: float, margin: float = 0.0) -> bool:
        return self.x0 - margin <= x <= self.x1 + margin and self.y0 - margin <= y <= self.y1 + margin

    def intersects(self, other: Box, margin: float = 0.0) -> bool:
        return self.x_overlap(other) > -margin and self.y_overlap(other) > -margin

    def clip(self, width: float, height: float) -> Box:
        return Box(max(0.0, self.x0), max(0.0, self.y0), min(width, self.x1), min(height, self.y1))


def union_all(boxes: Iterable[Box]) -> Box:
    """The smallest box around `boxes` (which must not be empty)."""
    iterator = iter(boxes)
    first = next(iterator)
    x0, y0, x1, y1 = first.x0, first.y0, first.x1, first.y1
    for box in iterator:  # comparisons, not min()/max(): this runs for every word of every line
        if box.x0 < x0:
            x0 = box.x0
        if box.y0 < y0:
            y0 = box.y0
        if box.x1 > x1:
            x1 = box.x1
        if box.y1 > y1:
            y1 = box.y1
    return Box(x0, y0, x1, y1)
