"""Forms read as a person fills them in: each field's label with its value, each check box's
state before its label.

Two things a form's drawing says that its text does not:

- a printed (flattened) form draws its check boxes as small squares beside their labels,
  ticked with strokes (a cross, a check mark) or a glyph inside; they become ballot-box
  words (☐ empty, ☑ ticked) where the square is, as a fillable form's boxes do;
- a grid of ruled boxes, each with its label in small type at the top and the value
  written below it, is a set of fields, not a table whose rows alternate labels and
  values: each box reads as "Label: value", row by row (a box on its own too);
- fields set two or three a row ("Label: [value]  Label: [value]") are read across the
  row, a line each, not down the columns they happen to line up in, and not as a table;
- a column of check boxes is a list of choices, not a table; "Label: value" lines and
  the question over a set of check boxes are the form's text, not headings.

Sizes are judged against the text beside them (em), never in points. The reference
convention is docs/forms.md.
"""

from __future__ import annotations

import dataclasses
import re
import statistics
from dataclasses import dataclass

from protos import tasks_pb2 as pb
from server.pipeline.geometry import Box, union_all
from server.pipeline.pdf.extract import BALLOT_BOXES, FORM_FONT, PageContent, Rule, Word
from server.pipeline.pdf.lines import Line, build_lines
from server.pipeline.regions import Region
from server.pipeline.tables.model import Table

TICKED, EMPTY = "\u2611", "\u2610"
_TICK_GLYPHS = frozenset("xX\u2713\u2714\u2715\u2716\u2717\u2718\u25a0\u25cf4" + "8")  # ZapfDingbats '4' ✔, '8' ✘
_SQUARE = 0.8  # a check box's sides differ by less than this share of the longer
_BOX_EM = (0.55, 2.2)  # ... and it is this many of its label's font sizes tall
_LABEL_GAP_EM = 1.6  # its label starts (or ends) within this many font sizes of it
_SMALLER = 0.88  # a field's label is set at most this share of its value's size
_FILLED = re.compile(r"^(?:\S+ ){0,5}\S*[^\s:]: +\S")  # "Label: value", the label a few words


def checkboxes(content: PageContent) -> bool:
    """Small squares drawn beside a label become ☐/☑ words; the square's edges stop being rules.
    Whether any did."""
    if not content.squares:
        return False
    found: list[Box] = []
    taken: set[int] = set()
    for square in sorted(content.squares, key=lambda b: (b.y0, b.x0)):
        if any(square.intersects(other) for other in found):
            continue  # the same box drawn twice (a border over a fill)
        label = _label_beside(square, content.words)
        if label is None:
            continue
        if any(w.text in BALLOT_BOXES and w.box.intersects(square) for w in content.words):
            continue  # a form field's own box, already read from its widget
        inside = [w for w in content.words if _within(w.box, square) and len(w.text) == 1]
        ticked = any(w.text in _TICK_GLYPHS for w in inside) or any(
            _within(mark, square) and mark.width * mark.height >= 0.1 * square.width * square.height
            for mark in content.marks
        )
        taken.update(id(w) for w in inside)
        found.append(square)
        text = TICKED if ticked else EMPTY
        content.words.append(Word(text, square, label.size, False, False, False, False, FORM_FONT))
    if taken:
        content.words = [w for w in content.words if id(w) not in taken]
    if found:
        content.rules = [r for r in content.rules if not any(_within(r.box, box) for box in found)]
    return bool(found)


def _within(inner: Box, outer: Box, slack: float = 1.0) -> bool:
    return (
        inner.x0 >= outer.x0 - slack
        and inner.x1 <= outer.x1 + slack
        and inner.y0 >= outer.y0 - slack
        and inner.y1 <= outer.y1 + slack
    )


def _label_beside(square: Box, words: list[Word]) -> Word | None:
    """The word a check box labels: on the box's line, right after it (or right before it)."""
    side = max(square.width, square.height)
    if min(square.width, square.height) < _SQUARE * side:
        return None
    best: tuple[float, Word] | None = None
    for word in words:
        if word.text in BALLOT_BOXES or abs(word.box.cy - square.cy) > 0.5 * max(side, word.box.height):
            continue
        if not _BOX_EM[0] * word.size <= side <= _BOX_EM[1] * word.size:
            continue
        gap = word.box.x0 - square.x1 if word.box.x0 >= square.cx else square.x0 - word.box.x1
        if -0.1 * side <= gap <= _LABEL_GAP_EM * word.size and (best is None or gap < best[0]):
            best = (gap, word)
    return best[1] if best else None


def checklist(table: Table) -> bool:
    """A column of check boxes with their labels beside them is a list of choices, not a table."""
    first = [row[0] for row in table.rows if row and row[0].text and not row[0].covered and row[0].colspan == 1]
    return bool(first) and sum(1 for cell in first if cell.text in BALLOT_BOXES) * 2 >= len(first)


@dataclass(slots=True)
class _Piece:
    """The words of one line inside one box of a grid."""

    words: list[Word]
    box: Box
    size: float
    filled: bool  # a form field's value

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def field_grid(words: list[Word], rules: list[Rule]) -> list[str] | None:
    """The fields of a grid of boxes (what a ruled table found `words` in) as
    "Label: value" lines in reading order; None when the grid is a table.

    A grid is a set of fields when each line of value sits right under a label set
    smaller than it (or the value is a filled-in field and the label is not), with no
    rule between them, and every other line is such a label or a value's next line."""
    pieces = _pieces(build_lines(words), rules)
    if len(pieces) < 4:
        return None
    pieces.sort(key=lambda p: (p.box.y0, p.box.x0))
    value_of: dict[int, list[_Piece]] = {}
    used: set[int] = set()
    for label in pieces:
        if label.filled:
            continue
        below = [
            v
            for v in pieces
            if id(v) not in used
            and v is not label
            and v.words[0].text not in BALLOT_BOXES
            and v.box.x_overlap(label.box) > 0
            and label.box.y1 - 0.3 * label.size <= v.box.y0 <= label.box.y1 + 1.5 * v.size
            and (label.size <= _SMALLER * v.size or v.filled)
            and not _rule_between(label.box, v.box, rules)
        ]
        if below:
            value = min(below, key=lambda v: v.box.y0)
            value_of[id(label)] = [value]
            used.add(id(value))
    if len(value_of) < 2:
        return None
    values = [v for vs in value_of.values() for v in vs]
    value_size = statistics.median(v.size for v in values)
    for piece in pieces:  # a value's next lines
        if id(piece) in used or id(piece) in value_of:
            continue
        for vs in value_of.values():
            last = vs[-1]
            if (
                piece.box.x_overlap(last.box) > 0
                and 0 <= piece.box.y0 - last.box.y1 <= 0.8 * last.size
                and abs(piece.size - last.size) <= 0.1 * last.size
            ):
                vs.append(piece)
                used.add(id(piece))
                break
    labels = [p for p in pieces if id(p) not in used]
    if any(p.filled or p.size > _SMALLER * value_size for p in labels if id(p) not in value_of):
        return None  # a line that is neither a label nor a value: a table's body
    if len(labels) > 2 * len(value_of):
        return None
    out: list[str] = []
    for row in _rows(labels):
        for label in sorted(row, key=lambda p: p.box.x0):
            text = label.text if label.text.endswith(":") else label.text + ":"
            out.append(" ".join([text, *(v.text for v in value_of.get(id(label), []))]))
    return out


def _pieces(lines: list[Line], rules: list[Rule]) -> list[_Piece]:
    """Each line cut where a vertical rule crosses it (the boxes' sides)."""
    out: list[_Piece] = []
    for line in lines:
        cuts = sorted(
            r.box.cx
            for r in rules
            if not r.horizontal and r.box.y0 <= line.box.cy <= r.box.y1 and line.box.x0 < r.box.cx < line.box.x1
        )
        groups: list[list[Word]] = [[] for _ in range(len(cuts) + 1)]
        for word in line.words:
            groups[sum(1 for c in cuts if c <= word.box.cx)].append(word)
        for group in groups:
            if group:
                out.append(
                    _Piece(
                        group,
                        union_all([w.box for w in group]),
                        statistics.median(w.size for w in group),
                        any(w.font == FORM_FONT for w in group),
                    )
                )
    return out


def _rule_between(upper: Box, lower: Box, rules: list[Rule]) -> bool:
    return any(
        r.horizontal and upper.cy < r.box.cy < lower.cy and r.box.x_overlap(upper) > 0 and r.box.x_overlap(lower) > 0
        for r in rules
    )


def _rows(labels: list[_Piece]) -> list[list[_Piece]]:
    """Labels grouped into rows by their tops, top to bottom."""
    rows: list[list[_Piece]] = []
    for piece in sorted(labels, key=lambda p: p.box.y0):
        if rows and piece.box.y0 - rows[-1][0].box.y0 <= 0.6 * piece.size:
            rows[-1].append(piece)
        else:
            rows.append([piece])
    return rows


def field_rows(table: Table) -> bool:
    """Fields set side by side ("Label: value", two or three a row) line up like a
    table's columns; a form's fields are read as its lines, not as a table."""
    own = [cell.text for row in table.rows for cell in row if cell.text and not cell.covered]
    filled = sum(1 for text in own if _FILLED.match(text))
    return filled >= 2 and filled * 2 >= len(own)


def form_text(regions: list[Region]) -> None:
    """A form's lines that stand alone but are no headings: a filled-in "Label: value",
    and a line set like the choices right under it, which asks what they answer
    ("Filing status" over its check boxes). A heading is set apart by weight, not by this."""
    choices = [r for r in regions if r.lines and r.lines[0].words[0].text in BALLOT_BOXES]
    for region in regions:
        if region.kind != pb.SEGMENT_TYPE_SECTION_HEADER or any(line.bold for line in region.lines):
            continue
        if len(region.lines) == 1 and _field_line(region.lines[0]):
            region.kind, region.level = pb.SEGMENT_TYPE_TEXT, 0
            continue
        size = max((line.size for line in region.lines), default=0.0)
        if any(
            0 <= c.box.y0 - region.box.y1 <= 2.5 * size
            and c.box.x0 >= region.box.x0 - size
            and abs(c.lines[0].size - size) <= 0.15 * size
            for c in choices
        ):
            region.kind, region.level = pb.SEGMENT_TYPE_TEXT, 0


def boxed_fields(lines: list[Line], rules: list[Rule]) -> tuple[list[Line], set[int]]:
    """A box on its own (no grid of them made a table) with a label in small type at its
    top and a value below: the two lines become one, "Label: value". The lines, and
    which of them are such fields."""
    horizontal = [r for r in rules if r.horizontal]
    merged: dict[int, Line] = {}
    used: set[int] = set()
    for label in sorted(lines, key=lambda line: line.box.y0):
        if id(label) in used or len(label.words) > 8 or any(w.font == FORM_FONT for w in label.words):
            continue
        below = [
            v
            for v in lines
            if v is not label
            and id(v) not in used
            and not v.bold
            and len(v.words) <= 12
            and v.words[0].text not in BALLOT_BOXES  # choices under their question
            and v.box.x_overlap(label.box) > 0
            and label.box.y1 - 0.3 * label.size <= v.box.y0 <= label.box.y1 + 1.5 * v.size
            and (label.size <= _SMALLER * v.size or any(w.font == FORM_FONT for w in v.words))
        ]
        if not below:
            continue
        value = min(below, key=lambda v: v.box.y0)
        boxed = any(
            label.box.y0 - 1.5 * label.size <= r.box.cy <= label.box.y0 and r.box.x_overlap(label.box) > 0
            for r in horizontal
        ) and any(
            value.box.y1 <= r.box.cy <= value.box.y1 + 1.5 * value.size and r.box.x_overlap(value.box) > 0
            for r in horizontal
        )
        if not boxed or _rule_between(label.box, value.box, rules):
            continue
        last = label.words[-1]
        words = label.words[:-1] + [
            last if last.text.endswith(":") else dataclasses.replace(last, text=last.text + ":")
        ]
        merged[id(label)] = dataclasses.replace(value, words=words + value.words, box=label.box.union(value.box))
        used.update((id(label), id(value)))
    if not merged:
        return lines, set()
    out = [merged.get(id(line), line) for line in lines if id(line) not in used or id(line) in merged]
    return out, {id(line) for line in merged.values()}


def _field_line(line: Line) -> bool:
    """A filled-in field on its line: a label, then its value (a form field's, or printed)."""
    words = line.words
    filled = any(w.font == FORM_FONT and w.text not in BALLOT_BOXES for w in words[1:])
    if filled and words[0].font != FORM_FONT:
        return True
    if len(words) > 8 or _FILLED.match(line.text) is None:
        return False
    colon = next((i for i, w in enumerate(words[:-1]) if w.text.endswith(":")), None)
    if colon is None:  # the colon inside a word the text layer gave with its space ("12: 30")
        return False
    label, value = words[colon], words[colon + 1]
    # written into a box after its label, not set on as the label's sentence ("ATTN: Office of ...")
    return value.font != label.font or value.box.x0 - label.box.x1 >= 0.5 * label.size


def field_lines(lines: list[Line], boxed: set[int]) -> tuple[list[tuple[Box, str, list[Line]]], list[Line]]:
    """Rows of fields set side by side, each row as (box, its fields a line each, its lines),
    read across before down as a form is filled in; and the lines left. A filled-in form
    field or a box's field (`boxed`) alone on its row stands alone too, not run into a
    paragraph with the next."""
    candidates = sorted(
        (line for line in lines if id(line) in boxed or _field_line(line)), key=lambda line: line.box.y0
    )
    rows: list[list[Line]] = []
    for line in candidates:
        row = next(
            (r for r in rows if r[0].box.y_overlap(line.box) > 0.5 * min(r[0].box.height, line.box.height)), None
        )
        if row is None:
            rows.append([line])
        else:
            row.append(line)
    out: list[tuple[Box, str, list[Line]]] = []
    taken: set[int] = set()
    for row in rows:
        form = any(w.font == FORM_FONT for line in row for w in line.words) or any(id(line) in boxed for line in row)
        if len(row) < 2 and not form:
            continue
        row.sort(key=lambda line: line.box.x0)
        out.append((union_all([line.box for line in row]), "\n".join(line.text for line in row), row))
        taken.update(id(line) for line in row)
    return out, [line for line in lines if id(line) not in taken]
