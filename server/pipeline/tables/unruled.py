"""Tables without rules: stacks of text lines whose cells line up in columns.

What makes text a table is how it is typeset: three or more consecutive lines
split by the same white-space gutters, cells short next to paragraph lines, and
columns aligned on their left edge, right edge or centre (numbers on the right or
the decimal point). Paragraphs (in one column or several), lists and reference
lists have long lines or a marker column and are left alone. Dot leaders between
a label and its value (typewriter tables, price lists) count as white space.
"""

from __future__ import annotations

import dataclasses
import itertools
from bisect import bisect_left, bisect_right
import re
from collections import Counter
from collections.abc import Sequence

from server.pipeline.geometry import Box, union_all
from server.pipeline.pdf.extract import BALLOT_BOXES, Word
from server.pipeline.pdf.lines import LIST_MARKER, Line, build_blocks
from server.pipeline.tables.columns import gutters
from server.pipeline.tables.grid import build_table
from server.pipeline.tables.leaders import leader_dots
from server.pipeline.tables.lists import is_list
from server.pipeline.tables.model import Table
from server.pipeline.tables.ruled import has_columns
from server.pipeline.tables.text import Segment, TextLine, is_number, median, text_lines

_LEADER_RUN = re.compile(r"(?:[.\u00b7\u2026_]\s?){3,}")
_REFERENCE = re.compile(r"^(?:\[\d{1,3}\]|\d{1,3}\.|\(\d{1,3}\))$")
_CAPTION = re.compile(r"^(?:table|tab\.|figure|fig\.)\s*[\dIVX]", re.IGNORECASE)
_CODE = re.compile(r"[=;{}]|\(\)|->|::")
_CELL_GAP_EM = 1.0  # a gap this wide between words on a line separates cells
_PROSE_WORDS = 6  # lines of paragraphs hold more words than table cells
_SENTENCE_END = (".", ",", ";", ":", "!", "?")
_MAX_CELL_WORDS = 8
_ROW_GAP_EM = 1.6  # rows of a table stand closer than this (the white space between lines)
_LOOSE_ROW_GAP_EM = 2.5  # evenly spaced rows may stand this far apart
_TYPE_RATIO = 1.2  # text this much larger or smaller than a table's own type is not its cells


def _without_leaders(word: Word) -> list[Word]:
    """The word's pieces around runs of leader dots, each with its share of the box
    (monospace-exact, close enough otherwise); nothing when it is all leader."""
    text = word.text
    if _LEADER_RUN.search(text) is None:
        return [word]
    share = word.box.width / max(len(text), 1)
    pieces: list[Word] = []
    start = 0
    for match in [*_LEADER_RUN.finditer(text), None]:
        end = match.start() if match is not None else len(text)
        piece = text[start:end].strip()
        if piece:
            box = Box(word.box.x0 + share * start, word.box.y0, word.box.x0 + share * end, word.box.y1)
            pieces.append(dataclasses.replace(word, text=piece, box=box))
        if match is not None:
            start = match.end()
    return pieces


def _one_word_space(words: Sequence[Word], least: int = 4) -> bool:
    """`least` or more words, mostly letters, one width of word space between each two (a
    justified line stretches every space alike; a table row's gaps between cells are as
    wide as its columns make them, wider than the spaces inside its cells). Spaces after
    punctuation may be wider (sentence spacing)."""
    if len(words) < least or sum(1 for w in words if any(ch.isalpha() for ch in w.text)) * 4 < len(words) * 3:
        return False
    gaps = [b.box.x0 - a.box.x1 for a, b in itertools.pairwise(words) if not a.text.endswith(_SENTENCE_END)]
    if len(gaps) < 2:
        gaps = [b.box.x0 - a.box.x1 for a, b in itertools.pairwise(words)]
    mid = median(gaps, 0.0)
    return mid > 0 and all(abs(g - mid) <= max(0.3, 0.12 * mid) for g in gaps)


def _two_prose_lines(words: Sequence[Word]) -> int | None:
    """Where a row splits into lines of prose side by side (two or three text columns on
    shared baselines): the first cut of a split into pieces of three or more words with
    one word space throughout each, at the widest gaps that allow it (in narrow justified
    columns the word spaces may be wider than the gutter); None if there is no such split."""
    if len(words) < 6:
        return None
    gaps = [b.box.x0 - a.box.x1 for a, b in itertools.pairwise(words)]
    known: dict[int, int | None] = {}

    def split(start: int) -> int | None:
        """The first cut after `start` of a split of words[start:] into prose pieces."""
        if start not in known:
            known[start] = next(
                (
                    cut
                    for cut in sorted(range(start + 3, len(words) - 2), key=lambda cut: -gaps[cut - 1])
                    if _one_word_space(words[start:cut], 3)
                    and (_one_word_space(words[cut:], 3) or (len(words) - cut >= 6 and split(cut) is not None))
                ),
                None,
            )
        return known[start]

    return split(0)


def _prose_row(words: Sequence[Word]) -> bool:
    """A line of prose, or two side by side."""
    return _one_word_space(words, 3) or _two_prose_lines(words) is not None


def _evenly_spaced(line: Line, measure: float) -> bool:
    """A line of running text in a narrow column: it fills most of the column's measure
    with one width of word space between its words (three words fill a narrow column)."""
    return line.box.width >= 0.75 * measure and _one_word_space(line.words, 3)


def _worded(line: Line, dots: set[int]) -> int:
    """How many of a line's words are words: not a leader's dots, not numbers (a row of
    figures is not a line of prose)."""
    return sum(1 for w in line.words if id(w) not in dots and (w.text[:1].isalpha() or not is_number(w.text)))


def _prose_lines(lines: list[Line], gutter: float | None, dots: set[int]) -> set[int]:
    """Lines of paragraphs: blocks in which three or more lines, and most lines, hold many
    words (a leader's dots are not words) or run evenly spaced across the column (prose
    set in narrow columns)."""
    prose: set[int] = set()
    blocks = build_blocks(lines)
    running: list[bool] = []
    for block in blocks:
        long_lines = sum(
            1
            for line in block.lines
            if _worded(line, dots) >= _PROSE_WORDS or _evenly_spaced(line, block.box.width)
        )
        running.append(long_lines >= 3 and long_lines * 3 >= 2 * len(block.lines))
    in_running = {id(line) for block, run in zip(blocks, running, strict=True) if run for line in block.lines}
    short = [line for line in lines if len(line.words) <= 3 and id(line) not in in_running]
    for block, run in zip(blocks, running, strict=True):
        if not run:
            continue
        mine = {id(line) for line in block.lines}
        # a table's long description has short cells beside it, on its rows and in its type;
        # the other columns' paragraph ends and list items, and a small table there, are not its cells
        beside = sum(
            1
            for line in block.lines
            if any(
                id(other) not in mine
                and abs(other.size - line.size) <= 0.1 * line.size
                and other.box.y_overlap(line.box) > 0.5 * line.box.height
                and not _across(other.box, line.box, gutter)
                for other in short
            )
        )
        if beside * 10 < len(block.lines) * 3:
            # a table's header set in smaller type right under a paragraph is not that paragraph's
            size = median([line.size for line in block.lines], 0.0)
            prose.update(id(line) for line in block.lines if line.size >= 0.9 * size)
    return prose


def _cells(line: TextLine) -> list[Segment]:
    """The line split at gaps of an em or more, the em of the words either side of the
    gap: a table set in small type on a page of larger text keeps its own narrow gaps."""
    out: list[Segment] = []
    for word in line.words:
        em = max(word.size, out[-1].words[-1].size) if out else word.size
        if out and word.box.x0 - out[-1].x1 < _CELL_GAP_EM * em:
            out[-1].words.append(word)
            out[-1].x1 = max(out[-1].x1, word.box.x1)
        else:
            out.append(Segment([word], word.box.x0, word.box.x1))
    return out


def _gutters(lines: Sequence[TextLine], min_width: float) -> list[tuple[float, float]]:
    """White strips between columns that at most a quarter of the lines cross (a long
    label or a cell that overflows its column does not hide a gutter)."""
    return gutters(list(lines), -1e9, 1e9, min_width, len(lines) // 4)


def _aligned_columns(rows: Sequence[TextLine], gutters: list[tuple[float, float]], tolerance: float) -> int:
    """How many columns have their cells aligned left, right or on the centre in most rows."""
    edges = [-1e9, *(g[0] for g in gutters), 1e9]
    aligned = 0
    for c in range(len(edges) - 1):
        cells = [s for line in rows for s in line.segments if edges[c] <= s.x0 and s.x1 <= edges[c + 1] + 1]
        if len(cells) < 3:
            continue
        for key in (lambda s: s.x0, lambda s: s.x1, lambda s: (s.x0 + s.x1) / 2):
            values = sorted(key(s) for s in cells)
            mid = values[len(values) // 2]
            if sum(1 for v in values if abs(v - mid) <= tolerance) * 3 >= len(values) * 2:
                aligned += 1
                break
    return aligned


def _prose_columns(rows: Sequence[TextLine], gutters: list[tuple[float, float]]) -> int:
    """Columns whose lines mostly fill the column's width with several words: running text."""
    edges = [-1e9, *(g[0] for g in gutters), 1e9]
    prose = 0
    for c in range(len(edges) - 1):
        cells = [s for line in rows for s in line.segments if edges[c] <= s.x0 and s.x1 <= edges[c + 1] + 1]
        if len(cells) < 3:
            continue
        width = max(s.x1 for s in cells) - min(s.x0 for s in cells)
        fill = median([(s.x1 - s.x0) / max(width, 1.0) for s in cells], 0.0)
        prose += fill >= 0.75 and median([float(len(s.words)) for s in cells], 0.0) >= 3
    return prose


def _counting(first: list[str]) -> bool:
    """Whether most lines start with numbers counting up by one: a numbered list's markers
    (the lines between them are its items' wrapped text)."""
    numbers = [int(t) for t in first if t.isdigit() and len(t) <= 3]
    return (
        len(numbers) >= 2 and len(numbers) * 2 >= len(first) and all(b == a + 1 for a, b in itertools.pairwise(numbers))
    )


def _looks_like_table(rows: Sequence[TextLine], size: float) -> bool:
    if sum(1 for line in rows if len(line.segments) >= 2) < 3:
        return False
    multi = [line for line in rows if len(line.segments) >= 2]
    gutters = _gutters(multi, 0.5 * size)
    if not gutters:
        return False
    cells = [s for line in multi for s in line.segments]
    if median([float(len(s.words)) for s in cells], 0.0) > 4 or max(len(s.words) for s in cells) > 3 * _MAX_CELL_WORDS:
        return False
    worded = [line for line in multi if len(line.words) >= 3]
    if worded and sum(1 for line in worded if _prose_row(line.words)) * 2 >= len(worded):
        return False  # justified prose whose stretched word spaces happen to line up
    if _prose_columns(multi, gutters) >= 2:
        return False  # text set in columns: lines fill their column and hold several words
    first = [line.segments[0].text for line in multi]
    markers = sum(1 for t in first if LIST_MARKER.match(t) or _REFERENCE.match(t) or t in BALLOT_BOXES)
    if (markers * 2 >= len(first) or _counting(first)) and len(gutters) == 1:
        return False  # a list or a reference list: markers (or bare numbers counting up), then text
    if is_list(rows):
        return False  # markers of one kind before items on a hanging indent, maybe a neighbour's line beside
    words = [w for line in rows for w in line.words]
    if sum(1 for w in words if len(w.text) == 1 and w.text.islower()) * 5 >= len(words):
        return False  # text read a letter at a time (a chart's turned axis title), not cells
    monospace = sum(1 for w in words if w.monospace) * 2 > len(words)
    if monospace and sum(1 for s in cells if _CODE.search(s.text)) * 5 > len(cells):
        return False  # code, aligned by indentation and comments
    numeric = sum(1 for s in cells if is_number(s.text))
    needed = 1 if numeric * 4 >= len(cells) else 2
    return _aligned_columns(multi, gutters, 0.5 * size) >= needed + (len(gutters) == 1 and numeric == 0)


def find_unruled_tables(lines: list[Line], page_width: float) -> list[tuple[Table, list[Line]]]:
    """Tables set in aligned columns of text, with the line fragments each one took.
    On a page set in two columns of text, each column is searched on its own, so two
    tables side by side stay two tables; a table whose rows run across the column
    gutter on shared baselines stays one."""
    gutter = _page_gutter(lines, page_width)
    dots = leader_dots([w for line in lines for w in line.words])
    prose = _prose_lines(lines, gutter, dots)
    candidates = [line for line in lines if id(line) not in prose and not line.rtl]
    originals: dict[int, Word] = {}
    cleaned: list[Word] = []
    for line in candidates:
        for word in line.words:
            for piece in _without_leaders(word) if id(word) not in dots else []:
                originals[id(piece)] = word
                cleaned.append(piece)
    if not cleaned:
        return []
    size = median([w.size for w in cleaned], 10.0)
    whole = _detect(cleaned, size, originals, candidates)
    whole = [(table, used) for table, used in whole if not _prose_side_by_side(table)]
    if gutter is None:
        return whole
    found: list[tuple[Table, list[Line]]] = []
    sides = [
        *_detect([w for w in cleaned if w.box.cx < gutter], size, originals, candidates),
        *_detect([w for w in cleaned if w.box.cx >= gutter], size, originals, candidates),
    ]
    for table, used in whole:
        # a table on one side is found there too, without the other column's lines between
        # its header and its rows; the larger of the two is the whole of it
        wider = any(_encloses(other.box, table.box) for other, _ in sides)
        if not (table.box.x0 < gutter < table.box.x1) and not wider or _rows_cross(table, gutter):
            found.append((table, used))
    for table, used in sides:
        if not _prose_side_by_side(table) and not any(table.box.intersects(other.box) for other, _ in found):
            found.append((table, used))
    return found


class _SpanCounts:
    """For upright positions x: how many spans x0 < x < x1 cross it and how many end at or
    before it (x1 <= x), by bisection rather than a pass over every span."""

    def __init__(self, spans: list[tuple[float, float]]) -> None:
        self._spans = spans
        self._ordered = all(x0 <= x1 for x0, x1 in spans)
        self._starts = sorted(x0 for x0, _ in spans)
        self._ends = sorted(x1 for _, x1 in spans)
        self._points = Counter(x0 for x0, x1 in spans if x0 == x1)  # an empty span at x crosses nothing

    def at(self, x: float) -> tuple[int, int]:
        if not self._ordered:
            return sum(1 for x0, x1 in self._spans if x0 < x < x1), sum(1 for _, x1 in self._spans if x1 <= x)
        left = bisect_right(self._ends, x)
        # every span with x0 < x either crosses x or ends at or before it (all but the empty ones at x)
        return bisect_left(self._starts, x) - left + self._points.get(x, 0), left


def _encloses(outer: Box, inner: Box) -> bool:
    """Whether `outer` holds `inner` and more (a table found with rows `inner` lacks)."""
    return (
        outer.x0 <= inner.x0 + 0.5
        and outer.y0 <= inner.y0 + 0.5
        and outer.x1 >= inner.x1 - 0.5
        and outer.y1 >= inner.y1 - 0.5
        and outer.width * outer.height > inner.width * inner.height + 1.0
    )


def _across(a: Box, b: Box, gutter: float | None) -> bool:
    """Whether the page's column gutter runs between the two boxes."""
    return gutter is not None and (a.x1 <= gutter <= b.x0 or b.x1 <= gutter <= a.x0)


def _page_gutter(lines: list[Line], page_width: float) -> float | None:
    """The white space between a page's text columns: an upright strip that (almost) no
    line fragment crosses, with a good share of the fragments on either side."""
    if len(lines) < 10:
        return None
    spans = [(line.box.x0, line.box.x1) for line in lines]
    allowed = max(1, len(spans) // 30)  # a title or a wide figure caption may cross it
    best: tuple[int, float, float] | None = None
    counts = _SpanCounts(spans)
    x = 0.25 * page_width
    while x <= 0.75 * page_width:
        crossing, left = counts.at(x)
        if crossing <= allowed and min(left, len(spans) - left - crossing) >= max(5, len(spans) // 10):
            key = (crossing, -abs(x - page_width / 2), x)
            if best is None or key[:2] < best[:2]:
                best = key
        x += 2.0
    return best[2] if best is not None else None


def _rows_cross(table: Table, gutter: float) -> bool:
    """Whether most of a table's text lines have words on both sides of `gutter`."""
    rows = text_lines(table.words)
    both = sum(1 for line in rows if min(w.box.x0 for w in line.words) < gutter < max(w.box.x1 for w in line.words))
    return both * 5 >= len(rows) * 3


def _prose_side_by_side(table: Table) -> bool:
    """Whether most of a table's rows are two lines of justified prose side by side, split at
    the row's widest gap: one word space on either side, the left ones ending at one edge
    (two columns of running text whose stretched spaces happened to line up)."""
    rows = text_lines(table.words)
    edges: list[float] = []
    for line in rows:
        cut = _two_prose_lines(line.words)
        if cut is not None:
            edges.append(line.words[cut - 1].box.x1)
    edge = median(edges, 0.0)
    return sum(1 for x in edges if abs(x - edge) <= 1.0) * 2 >= len(rows)


def _detect(
    words: list[Word], size: float, originals: dict[int, Word], candidates: list[Line]
) -> list[tuple[Table, list[Line]]]:
    if not words:
        return []
    physical = text_lines(words)
    for line in physical:
        line.segments = _cells(line)
    found: list[tuple[Table, list[Line]]] = []
    run: list[TextLine] = []

    def close() -> None:
        while run and len(run[-1].segments) < 2:
            run.pop()
        # a table is judged in its own type size, which may be smaller than the page's
        own = min(size, median([w.size for line in run for w in line.words], size)) if run else size
        _drop_neighbours(run, own)
        if run and _looks_like_table(run, own):
            table = _make(run, physical, own, originals, candidates)
            if table is not None:
                found.append(table)
        run.clear()

    singles = 0
    for index, line in enumerate(physical):
        if _one_word_space(line.words) and (len(line.segments) >= 2 or _sticks_out(line, run)):
            close()  # a line of prose (its stretched spaces maybe wide as cell gaps) ends the rows
            continue
        multi = len(line.segments) >= 2 and max(len(s.words) for s in line.segments) <= _MAX_CELL_WORDS
        near = bool(run) and _near(physical, index, run, size)
        if multi and (near or not run):
            run.append(line)
            singles = 0
        elif run and near and _continues_cell(run, line, singles, size):
            run.append(line)
            singles += 1
        else:
            close()
            if multi:
                run.append(line)
                singles = 0
    close()
    return found


def _drop_neighbours(run: list[TextLine], own: float) -> None:
    """Takes out of the rows the segments at their left or right edge, and the lines above
    or below them, set in another type size than the table's own: a heading or prose of
    the neighbouring text column whose lines share the rows' height, or the paragraph
    before the table, are not its cells (a table's cells share its type)."""

    def foreign(seg: Segment) -> bool:
        ratio = median([w.size for w in seg.words], own) / own
        return ratio > _TYPE_RATIO or ratio < 1 / _TYPE_RATIO

    inside = [seg for line in run for seg in line.segments if not foreign(seg)]
    if not inside:
        return
    left, right = min(seg.x0 for seg in inside), max(seg.x1 for seg in inside)
    for line in run:
        kept = [seg for seg in line.segments if not (foreign(seg) and (seg.x1 <= left or seg.x0 >= right))]
        if len(kept) < len(line.segments):
            line.segments = kept
            line.words = [w for seg in kept for w in seg.words]
    run[:] = [line for line in run if line.segments]
    # lines above or below the rows all in another type: the neighbouring paragraph's
    while run and (len(run[-1].segments) < 2 or all(foreign(seg) for seg in run[-1].segments)):
        run.pop()
    # a run starts on a row of cells, as it did before the neighbour's text was taken out
    while run and (len(run[0].segments) < 2 or all(foreign(seg) for seg in run[0].segments)):
        run.pop(0)


def _sticks_out(line: TextLine, run: list[TextLine]) -> bool:
    """Whether a line reaches an em or more past either side of the rows so far."""
    if not run:
        return False
    em = median([w.size for w in line.words], 0.0)
    x0 = min(s.x0 for r in run for s in r.segments)
    x1 = max(s.x1 for r in run for s in r.segments)
    return line.words[0].box.x0 < x0 - em or line.words[-1].box.x1 > x1 + em


def _near(physical: list[TextLine], index: int, run: list[TextLine], size: float) -> bool:
    """Whether line `index` is close enough to the run's last line to be its next row:
    within 1.6 em, or a little further when the rows are spaced the same (office tables
    pad their cells and space their paragraphs, so rows stand 1.5-2.5 em apart, evenly;
    a group label set between two rows halves the gaps around it, not the row pitch)."""
    line = physical[index]
    gap = line.y0 - run[-1].y1
    if gap <= _ROW_GAP_EM * size:
        return True
    if gap > _LOOSE_ROW_GAP_EM * size:
        return False
    around = [physical[j].y0 - physical[j - 1].y1 for j in (index - 1, index + 1) if 1 <= j < len(physical)]
    if any(abs(other - gap) <= 0.2 * gap for other in around):
        return True
    rows = [r for r in run if len(r.segments) >= 2]
    return line.y1 - rows[-1].y1 <= 1.15 * _row_pitch(run)


def _row_pitch(run: list[TextLine]) -> float:
    """The typical distance between the baselines of a run's consecutive rows of cells."""
    rows = [r for r in run if len(r.segments) >= 2]
    return median([b.y1 - a.y1 for a, b in itertools.pairwise(rows)], 0.0)


def _continues_cell(run: list[TextLine], line: TextLine, singles: int, size: float) -> bool:
    """Whether a line of one cell (a wrapped description, a label set between rows, a
    section label) belongs to the rows around it: short, and starting where a column
    of the rows above starts; a line that starts elsewhere may only be one."""
    if len(line.segments) != 1 or len(line.words) > _MAX_CELL_WORDS or _CAPTION.match(line.words[0].text):
        return False
    if min(w.size for w in line.words) > 1.2 * median([w.size for r in run for w in r.words], 0.0):
        return False  # a heading or text in larger type than the rows is not one of their cells
    starts = [s.x0 for r in run if len(r.segments) >= 2 for s in r.segments]
    right = max(s.x1 for r in run for s in r.segments)
    aligned = any(abs(line.segments[0].x0 - x) <= size for x in starts) and line.segments[0].x1 <= right + size
    return singles < (5 if aligned else 1)


def _make(
    run: list[TextLine], physical: list[TextLine], size: float, originals: dict[int, Word], fragments: list[Line]
) -> tuple[Table, list[Line]] | None:
    box = union_all(w.box for line in run for w in line.words)
    rows = list(run)
    above = [line for line in physical if line.y1 <= run[0].y0 + 0.5]
    pitch = _row_pitch(run)
    # a header of a row or three right above the first row; its cells may wrap, and labels
    # centred on several header lines stand between them, so it may have more lines
    reach = 3.5 * max(pitch, 2 * size)
    for line in reversed(above[-6:]):
        text = " ".join(w.text for w in line.words)
        gap = rows[0].y0 - line.y1
        if (
            run[0].y0 - line.y0 > reach
            or (len(rows) - len(run) >= 3 and gap > 0.5 * size)
            or (gap > _ROW_GAP_EM * size and (gap > _LOOSE_ROW_GAP_EM * size or rows[0].y1 - line.y1 > 1.15 * pitch))
            or _CAPTION.match(text)
            or len(line.words) > 4 * max(len(r.segments) for r in run)
            or any(len(s.words) > _MAX_CELL_WORDS for s in line.segments)
            or line.words[0].box.x0 < box.x0 - 2 * size
            or line.words[-1].box.x1 > box.x1 + 2 * size
            or median([w.size for w in line.words], size) > _TYPE_RATIO * size
            or text.rstrip().endswith(".")
        ):
            break
        rows.insert(0, line)
    words = [w for line in rows for w in line.words]
    box = union_all(w.box for w in words)
    taken_ids = {id(originals.get(id(w), w)) for w in words}
    used = [f for f in fragments if any(id(w) in taken_ids for w in f.words)]
    taken = [w for f in used for w in f.words]
    # every word of a fragment the table takes is in a cell, even one that text_lines set
    # on another line than build_lines did
    taken_set = {id(w) for w in taken}
    words = [p for line in physical for p in line.words if id(originals.get(id(p), p)) in taken_set]
    box = union_all([box, *(f.box for f in used)])
    table = build_table(box, words, taken=taken)
    if table is None or not has_columns(table):
        return None
    full_rows = sum(1 for row in table.rows if sum(1 for cell in row if cell.text and not cell.covered) >= 2)
    if full_rows * 5 < len(table.rows) * 3:
        return None  # mostly lone labels (a chart's axis and legend), not rows of cells
    return table, used
