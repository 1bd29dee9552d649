"""What a table is once found: a rectangular grid of cells with spans."""

from __future__ import annotations

from dataclasses import dataclass, field

from server.pipeline.geometry import Box
from server.pipeline.pdf.extract import Word


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
