"""Dot leaders: tables of contents (lines that end in leaders and a page number), and
leaders set as spaced dots, one word per dot, between a table's labels and its values."""

from __future__ import annotations

import re
from collections.abc import Sequence

from server.pipeline.geometry import union_all
from server.pipeline.pdf.extract import Word
from server.pipeline.pdf.lines import Line
from server.pipeline.tables.model import Cell, Table

_DOTS = frozenset(".\u00b7\u2026_")
_RUN = 3  # dots in a row make a leader
_DOT_GAP_EM = 1.5  # a leader's dots stand closer than this to each other


def leader_dots(words: Sequence[Word]) -> set[int]:
    """Ids of the words that are dots of a leader: three or more words of leader dots in
    a row on one line, each within an em and a half of the next (how a browser, a word
    processor's tab leader or a typesetter's dot fill set a leader: a dot, a space,
    a dot). A leader is white space between a label and its value, not a word of either."""
    # one dot per word: ".." alone is a value ("not available" in statistical tables)
    dots = sorted(
        (w for w in words if w.text in _DOTS),
        key=lambda w: (w.box.cy, w.box.x0),
    )
    lines: list[list[Word]] = []
    for word in dots:
        line = next(
            (ln for ln in reversed(lines[-4:]) if abs(ln[-1].box.cy - word.box.cy) <= 0.3 * max(word.size, 1.0)),
            None,
        )
        if line is None:
            lines.append([word])
        else:
            line.append(word)
    found: set[int] = set()
    for line in lines:
        line.sort(key=lambda w: w.box.x0)
        run = [line[0]]
        for word in line[1:]:
            if word.box.x0 - run[-1].box.x1 > _DOT_GAP_EM * max(word.size, 1.0):
                if len(run) >= _RUN:
                    found.update(id(w) for w in run)
                run = []
            run.append(word)
        if len(run) >= _RUN:
            found.update(id(w) for w in run)
    return found


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
