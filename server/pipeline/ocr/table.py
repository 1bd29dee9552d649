"""A cell grid for a table region from its OCR lines alone.

Scans have no ruling lines we can trust, so columns are the x-ranges that no
gap crosses: the union of all lines' horizontal extents, merged where they
overlap. Good enough for the regular tables of reports; spanning cells land in
the first column they touch.
"""

from __future__ import annotations

from server.pipeline.ocr.engine import OcrLine


def columns(lines: list[OcrLine]) -> list[tuple[float, float]]:
    """Merged horizontal extents of the lines, left to right."""
    merged: list[tuple[float, float]] = []
    for x0, x1 in sorted((l.box[0], l.box[2]) for l in lines):
        if merged and x0 <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], x1))
        else:
            merged.append((x0, x1))
    return merged


def table_grid(rows: list[list[OcrLine]]) -> list[list[str]]:
    """Rows × columns of cell texts (rectangular; empty cells are "")."""
    spans = columns([l for row in rows for l in row])
    grid = []
    for row in rows:
        cells = [""] * len(spans)
        for line in row:
            index = next(i for i, (x0, x1) in enumerate(spans) if x0 <= line.box[0] <= x1)
            cells[index] = f"{cells[index]} {line.text}".strip()
        grid.append(cells)
    return grid
