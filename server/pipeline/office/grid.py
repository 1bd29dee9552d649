"""Tables from cells placed on a grid with their spans, as Word, PowerPoint and Excel state them."""

from __future__ import annotations

from dataclasses import dataclass

from server.pipeline.office import NO_BOX
from server.pipeline.tables import Cell, Table


@dataclass(slots=True)
class Placed:
    """A cell that owns its grid position and `colspan` x `rowspan` positions from there."""

    row: int
    col: int
    text: str
    colspan: int = 1
    rowspan: int = 1


def grid_table(cells: list[Placed], rows: int, cols: int) -> Table | None:
    """A rectangular Table; positions no cell covers are empty cells. None when nothing holds text."""
    if rows == 0 or cols == 0 or not any(c.text for c in cells):
        return None
    grid: list[list[Cell]] = [[Cell("") for _ in range(cols)] for _ in range(rows)]
    for cell in cells:
        colspan = max(1, min(cell.colspan, cols - cell.col))
        rowspan = max(1, min(cell.rowspan, rows - cell.row))
        for dr in range(rowspan):
            for dc in range(colspan):
                covered = dr > 0 or dc > 0
                grid[cell.row + dr][cell.col + dc] = (
                    Cell(cell.text, covered=True) if covered else Cell(cell.text, colspan, rowspan)
                )
    return Table(box=NO_BOX, rows=grid)
