"""Lists among a table candidate's lines: a column of markers of one kind (one bullet
glyph, or numbers, letters or numerals set one way: "1.", "a)", "(iv)"), each followed
by its item's text at one hanging indent, the item's wrapped lines starting at that
indent. Justified items stretch their word spaces, which may line up like gutters, and
a heading or caption in the neighbouring text column may share the list's lines; the
markers and the indent still say it is a list."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from server.pipeline.pdf.lines import LIST_MARKER
from server.pipeline.tables.text import TextLine, is_number, median

_ENUMERATOR = re.compile(r"^(?:\[\d{1,3}\]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)]|\(?[ivxlcIVXLC]{1,5}[.)])$")
_INDENT_EM = 0.3  # markers and item starts line up this closely


def _kind(text: str) -> str | None:
    """A marker's kind: the glyph itself, or an enumerator's shape ("9.", "(a)", "a)", a
    bare "9" when the numbers count up)."""
    if _ENUMERATOR.match(text) or text.isdigit() and len(text) <= 2:
        return re.sub(r"[a-zA-Z]+", "a", re.sub(r"\d+", "9", text))
    return text if LIST_MARKER.match(text) else None


def is_list(rows: Sequence[TextLine]) -> bool:
    """Whether the lines are a list, maybe with lines of the neighbouring column's text
    beside it (one line, or lines that fall beside an item's wrapped lines, where a table's
    label of the item would not stand): two or more markers of one kind on one left edge, their items'
    text on one hanging indent right of them, every other line starting on that indent,
    and hardly a number among the items' words."""
    em = median([w.size for line in rows for w in line.words], 0.0)
    tolerance = _INDENT_EM * em
    marked = [
        (line, i)
        for line in rows
        for i in range(len(line.words) - 1)
        if _kind(line.words[i].text) is not None and (i == 0 or line.words[i].box.x0 - line.words[i - 1].box.x1 > em)
    ]
    if len(marked) < 2:
        return False
    starts = [line.words[i].box.x0 for line, i in marked]
    edge = max(starts, key=lambda x: sum(1 for s in starts if abs(s - x) <= tolerance))
    markers = [(line, i) for line, i in marked if abs(line.words[i].box.x0 - edge) <= tolerance]
    kinds = {_kind(line.words[i].text) for line, i in markers}
    if len(markers) < 2 or len(kinds) != 1 or len({id(line) for line, _ in markers}) < len(markers):
        return False
    numbers = [int(line.words[i].text) for line, i in markers if line.words[i].text.isdigit()]
    if numbers and any(b != a + 1 for a, b in itertools.pairwise(numbers)):
        return False  # bare numbers are markers only when they count up, item by item
    indent = median([line.words[i + 1].box.x0 for line, i in markers], 0.0)
    if indent <= max(line.words[i].box.x1 for line, i in markers) or any(
        abs(line.words[i + 1].box.x0 - indent) > tolerance for line, i in markers
    ):
        return False
    starting = {id(line): i for line, i in markers}
    items = [w for line in rows for w in line.words if w.box.x0 >= indent - tolerance]
    if sum(1 for w in items if is_number(w.text)) * 10 > len(items):
        return False  # numbers after a counting column: a ranked table's cells, not items' text
    beside = 0
    astray = False  # text beside an item's wrapped line, where no label of the item stands
    wrapped = False  # an item's text runs on to a line of its own
    for line in rows:
        right = (i for i, w in enumerate(line.words) if w.box.x0 >= edge - tolerance)
        first = starting.get(id(line), next(right, None))
        if first is None:
            beside += 1  # a line of the neighbouring column only
            continue
        if any(w.box.x1 > edge - em for w in line.words[:first]):
            return False  # text runs into the marker column: cells, not a neighbour's line
        if id(line) not in starting and abs(line.words[first].box.x0 - indent) > tolerance:
            return False
        beside += first > 0
        astray |= first > 0 and id(line) not in starting
        wrapped |= id(line) not in starting
    if not wrapped and any(
        b.box.x0 - a.box.x1 >= em for line, i in markers for a, b in itertools.pairwise(line.words[i + 1 :])
    ):
        return False  # no item wraps, and the text after the numbers stands in cells: a ranked table
    return beside <= 1 or astray
