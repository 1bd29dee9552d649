"""Tables of contents: lines that end in dot leaders and a page number."""

from __future__ import annotations

import re

from server.pipeline.geometry import union_all
from server.pipeline.pdf.lines import Line
from server.pipeline.tables.model import Cell, Table

_LEADER = re.compile(r"^(?P<title>.*?\S)\s*(?:\.\s*){4,}\s*(?P<page>[0-9ivxlcdmIVXLCDM]{1,5})$")


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
