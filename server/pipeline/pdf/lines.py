"""Words → line fragments → text blocks (paragraph candidates).

A line fragment is a run of words on one baseline without a column-sized gap;
a block is a stack of fragments in one column with one style. Both are pure
geometry and typography: deciding what a block *is* happens in layout.py.
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field

from server.pipeline.geometry import Box, union_all
from server.pipeline.pdf import scripts
from server.pipeline.pdf.extract import BALLOT_BOXES, FORM_FONT, Word

LIST_MARKER = re.compile(
    r"^(?:[\u2022\u2023\u25aa\u25cf\u25e6\u2043\u2219\u25a0\u25a1\u2013\u2014\-\*\u00b7\uf0b7\uf0a7\u27a2\u2713\u2714\u25ba\u25b8o]"
    r"|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)]|\(?[ivxIVX]{1,4}[.)])$"
)
_CAPTION_LABEL = re.compile(r"^(?:figure|fig\.|table|tab\.|listing|algorithm)\s*[\dIVX]+[.:]?$", re.IGNORECASE)
_INITIAL = re.compile(r"^[A-Z]\.$")
_NUMBER_LABEL = re.compile(r"^\(?\d{1,2}(?:\.\d{1,2})*[.)]?$")  # "1", "2.3", "(4)": a heading's number
_COLUMN_GAP_EM = 1.1  # a horizontal gap wider than this many font sizes separates fragments


@dataclass(slots=True)
class Line:
    """Words on one baseline, in reading order (right to left for RTL lines)."""

    words: list[Word]
    box: Box
    size: float
    bold: bool
    italic: bool
    monospace: bool
    rtl: bool
    font: str = ""
    mixed_fonts: bool = False  # no font sets most of its characters: it has no font of its own
    # a line's words are final once it is made, and layout asks for its text many times
    _text: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self._join()
        return self._text

    def _join(self) -> str:
        words = self.words
        if all(word.text[0].isascii() and not word.script for word in words):  # the common case
            return " ".join(word.text for word in words)
        if any(word.script for word in words):
            return scripts.plain(self.marked)
        out = words[0].text
        for word in words[1:]:
            # a combining mark (Arabic harakat, Hebrew points) set apart from its letter joins it
            out += word.text if unicodedata.category(word.text[0]) == "Mn" else f" {word.text}"
        return out

    @property
    def marked(self) -> str:
        """The line's text with its superscripts and subscripts between `scripts` marks,
        glued to what they follow where they were: for HTML and Markdown."""
        words = self.words
        if not any(word.script for word in words):
            return self.text
        out = ""
        for i, word in enumerate(words):
            text = f"{scripts.OPEN[word.script]}{word.text}{scripts.CLOSE[word.script]}" if word.script else word.text
            out += text if not out or word.glued or self._touches_script(i) else f" {text}"
        return out

    def _touches_script(self, i: int) -> bool:
        """Whether word `i` starts where the script before it ends: glued to it, though pdfium
        (seeing a baseline move) put a break between them ("H₂" and "O")."""
        before, word = self.words[i - 1], self.words[i]
        if not before.script or self.rtl:
            return False
        return -0.1 * word.size <= word.box.x0 - before.box.x1 <= 0.1 * word.size

    @property
    def rotated(self) -> bool:
        """Set across the page's reading direction: a block of sideways text, kept whole."""
        return self.words[0].rotated

    @property
    def vertical(self) -> bool:
        """A block of vertical writing (columns read top to bottom), kept whole."""
        return self.words[0].vertical

    @property
    def starts_list_item(self) -> bool:
        first = self.words[0].text
        if len(self.words) > 1 and LIST_MARKER.match(first):
            # "A. Researcher", "J. Smith": an initial before a name is no item marker
            return not (_INITIAL.match(first) and len(self.words) <= 3 and self.words[1].text[:1].isupper())
        return first[:1] in "\u2022\u25aa\u25cf\u25e6\u25a0\uf0b7\uf0a7\u27a2\u25ba\u25b8" and len(first) > 1


@dataclass(slots=True)
class Block:
    """Consecutive lines of one paragraph, heading, list item or cell group."""

    lines: list[Line] = field(default_factory=list)
    box: Box = field(default_factory=lambda: Box(0, 0, 0, 0))

    def add(self, line: Line) -> None:
        self.box = line.box if not self.lines else self.box.union(line.box)
        self.lines.append(line)

    @property
    def text(self) -> str:
        return join_lines([line.text for line in self.lines])

    @property
    def marked(self) -> str:
        """`text` with its scripts marked (see `Line.marked`)."""
        return join_lines([line.marked for line in self.lines])

    @property
    def size(self) -> float:
        return max(line.size for line in self.lines)

    @property
    def bold(self) -> bool:
        chars = sum(len(line.text) for line in self.lines)
        return sum(len(line.text) for line in self.lines if line.bold) >= 0.6 * max(chars, 1)

    @property
    def italic(self) -> bool:
        return all(line.italic for line in self.lines)

    @property
    def monospace(self) -> bool:
        return all(line.monospace for line in self.lines)

    @property
    def font(self) -> str:
        return self.lines[0].font

    @property
    def rtl(self) -> bool:
        return sum(1 for line in self.lines if line.rtl) > len(self.lines) / 2

    @property
    def rotated(self) -> bool:
        return self.lines[0].rotated

    @property
    def vertical(self) -> bool:
        return self.lines[0].vertical


_URL_START = re.compile(r"^(?:[a-z][a-z+.-]*://|www\.)")
_SOFT_HYPHENS = ("\u00ad", "\ufffe", "\u2010")
# Chinese and Japanese put no space between words, so none where a line breaks either (Korean does)
_UNSPACED = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60]")


def _compound_break(before: str, after: str) -> bool:
    """A line-end hyphen before a capital (Addison-Wesley, non-English) or between digits
    (85254-1781) is the compound's own: hyphenation never splits a word there. Words set in
    capitals are hyphenated like any other, and so are words with a capital inside
    (La-TeX, Bib-TeX), which hyphenation does split at that capital."""
    head, word = before[-2:-1], after.split(" ", 1)[0]
    if word[:1].isdigit():
        return head.isdigit()
    camel = any(a.islower() and b.isupper() for a, b in itertools.pairwise(word))
    return word[:1].isupper() and head.isalnum() and not head.isupper() and not camel


def join_lines(texts: list[str]) -> str:
    """Lines of a paragraph as one string, joining words hyphenated at a line end.
    A line-end hyphen mark that joins nothing is shown as a hyphen; soft hyphens inside
    a line are invisible."""
    out = ""
    for text in texts:
        if not out:
            out = text
        elif out.endswith(("\ufffe", "\u2010", "-")) and _compound_break(out, text):
            out = out[:-1] + "-" + text
        elif out.endswith(_SOFT_HYPHENS) or (
            out.endswith("-") and len(out) > 1 and out[-2].isalpha() and text[:1].islower()
        ):
            out = out[:-1] + text
        elif out.endswith(("/", ".", "-", "_")) and _URL_START.search(out.rsplit(" ", 1)[-1]):
            out += text  # a web address broken across lines
        elif _UNSPACED.match(out[-1]) and _UNSPACED.match(text[:1]):
            out += text
        else:
            out = f"{out} {text}"
    if "\ufffe" in out or "\u00ad" in out:
        out = out.replace("\ufffe", "-").replace("\u00ad", "")
    return out


def _make_line(words: list[Word], rtl: bool) -> Line:
    """A line's style is what most of its characters are set in."""
    chars = bold = italic = mono = 0
    weighted_size = 0.0
    fonts: dict[str, int] = {}
    for word in words:
        n = len(word.text)
        chars += n
        weighted_size += word.size * n
        bold += n if word.bold else 0
        italic += n if word.italic else 0
        mono += n if word.monospace else 0
        fonts[word.font] = fonts.get(word.font, 0) + n
    return Line(
        words=words,
        box=_line_box(words),
        size=round(weighted_size / max(chars, 1), 1),
        bold=bold * 2 > chars,
        italic=italic * 2 > chars,
        monospace=mono * 2 > chars,
        rtl=rtl,
        font=max(fonts, key=fonts.__getitem__),
        mixed_fonts=max(fonts.values()) * 2 <= chars,
    )


def _line_box(words: list[Word]) -> Box:
    """The words' box; a script's height is left out, since it hangs above or below the
    line as far as its producer moved it, into the next line's white."""
    box = union_all(w.box for w in words)
    if not any(w.script for w in words) or all(w.script for w in words):
        return box
    band = union_all(w.box for w in words if not w.script)
    return Box(box.x0, band.y0, box.x1, band.y1)


def _top_left(line: Line) -> tuple[float, float]:
    return line.box.y0, line.box.x0


def build_lines(words: list[Word]) -> list[Line]:
    """Group words into rows by vertical position, then split rows at column gaps."""
    if not words:
        return []
    # sideways text arrives as whole blocks, already in reading order: a line each
    lines: list[Line] = [_make_line([w], False) for w in words if w.rotated]
    rows = _attach_scripts(_rows([w for w in words if not w.rotated]))
    gutters = _gutters(rows)
    for index, (row, row_gutters) in enumerate(zip(rows, gutters, strict=True)):
        rtl = reads_right_to_left(row)
        row.sort(key=lambda w: -w.box.x1 if rtl else w.box.x0)
        typical = _typical_space(row, rtl)
        current: list[Word] = [row[0]]
        for word in row[1:]:
            previous = current[-1]
            gap = previous.box.x0 - word.box.x1 if rtl else word.box.x0 - previous.box.x1
            em = max(previous.size, word.size, 1.0)
            bullet = (
                len(current) == 1
                and gap < 4 * em
                and (LIST_MARKER.match(previous.text) is not None or _NUMBER_LABEL.match(previous.text) is not None)
            )
            label = len(current) <= 3 and gap < 3 * em and _CAPTION_LABEL.match(" ".join(w.text for w in current))
            left, right = (word, previous) if rtl else (previous, word)
            at_gutter = any(left.box.x1 <= g + 0.5 and right.box.x0 >= g - 0.5 for g in row_gutters)
            # a justified line stretches its spaces alike (a sentence end up to 2-3 times):
            # a gap is a column gap only when it is also far wider than the line's own spaces
            wide = gap > _COLUMN_GAP_EM * em and (typical is None or gap > 2.5 * typical or gap > 2.5 * em)
            field = word.font == FORM_FONT and previous.font != FORM_FONT  # a form's label and its value
            # a value ends at its field; what is set after it, apart, begins the next field
            wide = wide or (previous.font == FORM_FONT and word.font != FORM_FONT and gap > 0.5 * em)
            # dot leaders lead the eye to what ends their line (a contents page's number): no gap after them
            field = field or _ends_in_leaders(current)
            if wide and not at_gutter and _stretched(rows, index, left, right):
                wide = False
            if (wide or at_gutter) and not bullet and not label and not field:
                lines.append(_make_line(current, rtl))
                current = []
            current.append(word)
        lines.append(_make_line(current, rtl))
    return lines


_LEADER_DOTS = re.compile(r"^[.\u00b7\u2024\u2026]+$")


def _ends_in_leaders(words: list[Word]) -> bool:
    """Whether a line so far ends in dot leaders: two spaced dots, or a run of three."""
    last = words[-1].text
    if _LEADER_DOTS.match(last) is None:
        return False
    return len(last) >= 3 or (len(words) >= 2 and _LEADER_DOTS.match(words[-2].text) is not None)


def reads_right_to_left(words: list[Word]) -> bool:
    """Text reads right to left when its letters do (Unicode's strong characters): dot
    leaders, digits and punctuation have no direction, so a right-to-left contents line, its
    leaders longer than its title, still reads from the right."""
    balance = 0
    for word in words:
        for char in word.text:
            kind = unicodedata.bidirectional(char)
            balance += (kind in ("R", "AL")) - (kind == "L")
    return balance > 0


_SAME_LINE = 0.45  # words whose centres differ by less than this share of their height can share a row
_ON_BASELINE = 0.25  # ... and below this share they sit on one baseline whatever lies between them
_NEIGHBOUR_EM = 1.0  # a word this close beside a row's word continues that row's line


@dataclass(slots=True)
class _Row:
    words: list[Word]
    cy: float  # the row's baseline is its tallest word's, not a subscript's
    height: float


def _rows(words: list[Word]) -> list[list[Word]]:
    """Words grouped into rows by vertical position. Columns set side by side need not
    share baselines (a heading's space above shifts one column's lines against the
    other's), so a word that is near a row's height but a column gap away from all its
    words starts a row of its own; only a word on the row's baseline, or one beside a
    word of the row, joins it at a distance."""
    rows: list[_Row] = []
    for word in sorted(words, key=lambda w: (w.box.cy, w.box.x0)):
        box = word.box
        cy, x0, x1 = box.cy, box.x0, box.x1
        height = max(box.height, 1.0)
        em = max(word.size, 1.0)
        best: _Row | None = None
        for row in reversed(rows[-4:]):  # the rows a word can still belong to are the last few
            offset = abs(cy - row.cy)
            limit = height if height <= row.height else row.height
            if offset > _SAME_LINE * limit or (best is not None and offset >= abs(cy - best.cy)):
                continue
            # on the baseline, or beside one of the row's words (most likely the last one)
            if offset <= _ON_BASELINE * limit or any(
                max(x0, w.box.x0) - min(x1, w.box.x1) <= _NEIGHBOUR_EM * max(em, w.size) for w in reversed(row.words)
            ):
                best = row
        if best is None:
            rows.append(_Row([word], cy, height))
            continue
        best.words.append(word)
        if height > best.height:
            best.cy, best.height = cy, height
    rows.sort(key=lambda r: r.cy)
    merged: list[_Row] = []
    for row in rows:  # a line's words that arrived before their neighbour did: join them now
        host = next((m for m in reversed(merged[-4:]) if _one_line(m, row)), None)
        if host is None:
            merged.append(row)
            continue
        host.words.extend(row.words)
        if row.height > host.height:
            host.cy, host.height = row.cy, row.height
    return [row.words for row in merged]


def _one_line(a: _Row, b: _Row) -> bool:
    if abs(a.cy - b.cy) > _SAME_LINE * min(a.height, b.height):
        return False
    return any(
        max(v.box.x0, w.box.x0) - min(v.box.x1, w.box.x1) <= _NEIGHBOUR_EM * max(v.size, w.size, 1.0)
        for v in a.words
        for w in b.words
    )


_STRETCH_EM = 5.0  # the widest space justification stretches: two long words on a narrow column's line


def _stretched(rows: list[list[Word]], index: int, left: Word, right: Word) -> bool:
    """Whether the gap between `left` and `right` in row `index` is a space that justification
    stretched: a short line set to the full measure of a narrow column has one or two
    very wide spaces, but the paragraph's lines right above and right below fill that
    white with words and spaces less than half as wide, where a column gutter stays
    white in them too. Where their white there is a space of their own, its edges ragged
    against this one's, it is a river of stretched spaces, not a gutter. A paragraph's
    first line has no line above to say, nor does a short last line below."""
    row = rows[index]
    start, end = left.box.x1, right.box.x0
    if end - start > _STRETCH_EM * max(min(left.size, right.size), 1.0):
        return False  # wider than two words' worth of white: a column's width, not a space
    cy = statistics.median(w.box.cy for w in row)
    height = max(max(w.box.height for w in row), 1.0)

    def crossed(step: int) -> bool | None:
        """True where the nearest line that way runs words or a space of its own through
        the white, False where lines keep it with a straight edge, None where none says."""
        j, kept = index + step, False
        while 0 <= j < len(rows):
            other = rows[j]
            if abs(statistics.median(w.box.cy for w in other) - cy) > 2.6 * height:
                break  # two lines away: a stretched line's neighbour may be stretched too
            inside = sorted((w for w in other if w.box.x0 < end and w.box.x1 > start), key=lambda w: w.box.x0)
            if inside and _widest_white(inside, start, end) < 0.5 * (end - start):
                return True
            flanked = _flanks(other, start, end)
            if not flanked and _own_space(other, start, end):
                return True  # its white there is its own space, ragged against this one: a river
            kept = kept or flanked
            j += step
        return False if kept else None

    above, below = crossed(-1), crossed(1)
    return (above or below) is True and False not in (above, below)


def _own_space(row: list[Word], start: float, end: float) -> bool:
    """Whether two neighbouring words of `row` leave a space, no wider than a stretched
    one, that overlaps the white from `start` to `end`."""
    ordered = sorted(row, key=lambda w: w.box.x0)
    return any(
        a.box.x1 < end and b.box.x0 > start and b.box.x0 - a.box.x1 <= _STRETCH_EM * max(min(a.size, b.size), 1.0)
        for a, b in itertools.pairwise(ordered)
    )


# One neighbouring line is one sample, where an OCR'd edge's jitter and a river's chance
# alignment overlap: only born-digital type's exact edge counts there (an OCR'd gutter
# is found over its whole run of lines, by _straight_edge).
_FLUSH_PT = 0.5


def _flanks(row: list[Word], start: float, end: float) -> bool:
    """Whether a word of `row` ends flush with `start` or starts flush with `end`: the
    white beside a column keeps its straight edge from line to line."""
    return any(abs(w.box.x1 - start) <= _FLUSH_PT or abs(w.box.x0 - end) <= _FLUSH_PT for w in row)


def _widest_white(words: list[Word], start: float, end: float) -> float:
    """The widest stretch of [start, end] that none of `words` (sorted by x0) covers."""
    widest, cursor = 0.0, start
    for word in words:
        widest = max(widest, word.box.x0 - cursor)
        cursor = max(cursor, word.box.x1)
    return max(widest, end - cursor)


_SCRIPT_SIZE = 0.85  # a superscript or subscript is set at this share of its line's size or smaller


def _attach_scripts(rows: list[list[Word]]) -> list[list[Word]]:
    """Rows of small type that are superscripts or subscripts of a neighbouring row (a
    footnote mark, an index): each word sits inside that row's band and touches one of
    its words. A small label beside a heading, at a distance, stays a row of its own."""

    bands: dict[int, tuple[int, tuple[float, float, float, float]]] = {}  # id(row) → (len, its band)

    def band(row: list[Word]) -> tuple[float, float, float, float]:
        # a row is asked about twice (by the rows above and below) and only grows: remeasured when it has
        known = bands.get(id(row))
        if known is not None and known[0] == len(row):
            return known[1]
        first = row[0].box
        top, bottom, tall, size = first.y0, first.y1, first.height, row[0].size
        for w in row:
            box = w.box
            if box.y0 < top:
                top = box.y0
            if box.y1 > bottom:
                bottom = box.y1
            if box.height > tall:
                tall = box.height
            if w.size > size:
                size = w.size
        bands[id(row)] = (len(row), (top, bottom, tall, size))
        return top, bottom, tall, size

    def attaches(small: list[Word], row: list[Word]) -> bool:
        top, bottom, tall, size = band(row)
        for word in small:
            # a script is set smaller than its line: by glyph size (a mark at 80 % of it), or by box;
            # one cut from its base's token (see scripts) hangs as far as its producer dropped it
            if word.box.height >= 0.8 * tall and word.size > _SCRIPT_SIZE * size:
                return False
            inside = min(word.box.y1, bottom) - max(word.box.y0, top)
            if inside < (0.3 if word.glued and word.script else 0.6) * word.box.height:
                return False
            reach = 0.6 * max(word.size, 1.0)
            if not any(word.box.x0 - reach <= w.box.x1 and w.box.x0 - reach <= word.box.x1 for w in row):
                return False
        return True

    out: list[list[Word]] = []
    pending = list(rows)
    for i, row in enumerate(pending):
        neighbours = [pending[j] for j in (i - 1, i + 1) if 0 <= j < len(pending) and pending[j]]
        host = next((n for n in neighbours if attaches(row, n)), None)
        if host is not None:
            host.extend(row)
            pending[i] = []
        elif row:
            out.append(row)
    return [row for row in out if row]


def _typical_space(row: list[Word], rtl: bool) -> float | None:
    """The median white gap between neighbouring words of a row in reading order, when
    the row has enough gaps for a median to mean something."""
    gaps = sorted((a.box.x0 - b.box.x1 if rtl else b.box.x0 - a.box.x1) for a, b in itertools.pairwise(row))
    gaps = [g for g in gaps if g > 0]
    return gaps[len(gaps) // 2] if len(gaps) >= 3 else None


_GUTTER_GAP_EM = 0.75  # narrower than a column gap can be (LaTeX sets 1 em), wider than most word spaces
_GUTTER_ROWS = 3  # rows in a vertical run that share the gap: word spaces do not line up that often


def _gutters(rows: list[list[Word]]) -> list[list[float]]:
    """Per row, the x of column gutters too narrow for the per-line gap rule: a white gap
    of at least 0.75 em, and half as wide again as the row's word spaces, that lines up
    with gaps in the rows above and below through a run of rows that no word crosses.
    A justified line stretches all its spaces alike, so none of them stands out."""
    candidates: list[list[tuple[float, float]]] = []
    spans: list[tuple[list[float], list[float]]] = []  # per row: word starts, and the reach of words so far
    for row in rows:
        ordered = sorted(row, key=lambda w: w.box.x0)
        typical = _typical_space(ordered, False) or 0.0
        candidates.append(
            [
                (a.box.x1, b.box.x0)
                for a, b in itertools.pairwise(ordered)
                if b.box.x0 - a.box.x1 >= max(_GUTTER_GAP_EM * max(min(a.size, b.size), 1.0), 1.5 * typical)
                and b.box.x0 - a.box.x1 <= _COLUMN_GAP_EM * 4 * max(a.size, b.size, 1.0)
            ]
        )
        reach: list[float] = []
        for word in ordered:
            reach.append(max(word.box.x1, reach[-1]) if reach else word.box.x1)
        spans.append(([w.box.x0 for w in ordered], reach))
    found: list[list[float]] = [[] for _ in rows]
    if not any(candidates):
        return found

    def crossed(j: int, x: float) -> bool:
        starts, reach = spans[j]
        k = bisect_left(starts, x) - 1  # the words starting left of x: does any reach past it?
        return k >= 0 and reach[k] > x

    for i, gaps in enumerate(candidates):
        for a, b in gaps:
            if any(a <= x <= b for x in found[i]):
                continue
            lo, hi, support = a, b, 1
            run = [i]
            for step in (-1, 1):
                j = i + step
                while 0 <= j < len(rows):
                    if crossed(j, (lo + hi) / 2):
                        break  # a word crosses: the run ends
                    run.append(j)
                    match = next((g for g in candidates[j] if min(hi, g[1]) - max(lo, g[0]) > 0), None)
                    if match is not None:
                        lo, hi, support = max(lo, match[0]), min(hi, match[1]), support + 1
                    j += step
            if support < _GUTTER_ROWS:
                continue
            middle = (lo + hi) / 2
            if not _straight_edge([rows[j] for j in sorted(run)], middle):
                continue  # a river: stretched spaces that happen to line up
            for j in run:  # the gutter holds for every row of the run, loose lines too
                if middle not in found[j] and not crossed(j, middle) and _white_at(rows[j], middle) >= (hi - lo) / 2:
                    found[j].append(middle)
    return found


def _white_at(row: list[Word], x: float) -> float:
    """The white around `x` in `row`, from the word before it to the word after it. A
    label centred over the gutter may have a word space right there: a space, narrower
    than the gutter by far, that no column's line leaves."""
    before = max((w.box.x1 for w in row if w.box.x1 <= x), default=-math.inf)
    after = min((w.box.x0 for w in row if w.box.x0 >= x), default=math.inf)
    return after - before


# Lines set flush to one edge start (or end) within this many ems of the line before:
# the x of a born-digital edge is exact; an OCR'd text layer over a scan places each
# box to a pixel or two (at 300 dpi a 10 pt em is 42 px, so +-2 px is +-0.05 em, 0.1 em
# between two lines), and a scan skewed by 1 deg moves the edge tan(1 deg) x 1.2 em =
# 0.02 em a line. A river's flanks are placed by the words before them, anywhere within
# a stretched space (a gutter candidate is 0.75 em wide or more), so from one line to the
# next they jump by a good share of that: rarely as little as 0.1 em, never line after line.
_FLUSH_EM = 0.1


def _straight_edge(rows: list[list[Word]], middle: float) -> bool:
    """Whether the white at `middle` has a straight edge on one side: a column's lines
    start at one x (its left edge; the right edge of an RTL column) or end at one x
    (a justified column beside it). A river, spaces of a justified paragraph lining up,
    is ragged on both sides: the words flanking it start and end where they happen to.
    Among the rows with words on both sides, most steps from one to the next, and at
    least two, must keep the edge flush (a skewed scan's edge drifts a little a line,
    which the steps absorb where one x for all could not); a line's
    first word ending at the white (the same short word opening three lines) is no
    column's end."""
    ends: list[tuple[float, float]] = []
    starts: list[tuple[float, float]] = []
    for row in rows:
        # only the words beside the white: another column's words further along are no edge of it
        reach = _COLUMN_GAP_EM * 4 * max(statistics.median(w.size for w in row), 1.0)
        left = sorted((w for w in row if w.box.x1 <= middle), key=lambda w: w.box.x1)
        start = min((w for w in row if w.box.x0 >= middle), key=lambda w: w.box.x0, default=None)
        if not left or start is None or middle - left[-1].box.x1 > reach or start.box.x0 - middle > reach:
            continue  # the row has no words on both sides of the white: it shows neither edge
        if len(left) >= 2 and left[-1].box.x0 - left[-2].box.x1 <= reach:
            ends.append((left[-1].box.x1, max(left[-1].size, 1.0)))
        starts.append((start.box.x0, max(start.size, 1.0)))
    sides = [edges for edges in (ends, starts) if len(edges) >= _GUTTER_ROWS]
    return not sides or any(_flush(edges) for edges in sides)


def _flush(edges: list[tuple[float, float]]) -> bool:
    """Whether the edges (x, em), row after row down the page, keep flush from each line
    to the next: a skewed column's edge drifts, but only a little a line."""
    steps = [abs(b[0] - a[0]) <= _FLUSH_EM * min(a[1], b[1]) for a, b in itertools.pairwise(edges)]
    return sum(steps) >= _GUTTER_ROWS - 1 and sum(steps) * 2 >= len(steps)


def _continues(block: Block, line: Line, leading_gap: float) -> bool:
    """Whether `line` is the next line of `block`'s paragraph. `leading_gap` is the
    page's usual white space between consecutive lines of a paragraph."""
    last = block.lines[-1]
    if last.rotated or line.rotated:
        return False
    size = max(last.size, line.size, 1.0)
    gap = line.box.y0 - last.box.y1
    if gap < -0.4 * size or gap > max(0.55 * size, leading_gap * 1.3 + 0.5):
        return False
    if abs(last.size - line.size) > 0.12 * size or last.bold != line.bold or last.italic != line.italic:
        return False
    other_font = last.font != line.font and not (last.mixed_fonts or line.mixed_fonts)
    if last.monospace != line.monospace or (other_font and len(last.words) + len(line.words) > 2):
        return False
    if line.starts_list_item or line.words[0].text in BALLOT_BOXES:  # a check box begins a choice of its own
        return False
    first = block.lines[0]
    if first.starts_list_item and len(first.words) > 1 and line.box.x0 < first.words[1].box.x0 - 0.5 * size:
        return False  # a list item continues at its text's indent; back at the bullet it is a new paragraph
    overlap = block.box.x_overlap(line.box)
    if overlap <= 0:
        return False
    if len(block.lines) >= 1 and last.box.x1 < block.box.x1 - 2 * size and line.box.x0 > block.box.x0 + 0.6 * size:
        return False  # the line above ended short and this one is indented: a new paragraph
    aligned = abs(block.box.x0 - line.box.x0) < 2.5 * size or abs(block.box.x1 - line.box.x1) < 2.5 * size
    return aligned or overlap >= 0.6 * min(block.box.width, line.box.width)


def leading_gap(lines: list[Line]) -> float:
    """The most common white gap between a line and the next one below it in the
    same column and size: the page's line spacing."""
    ordered = sorted(lines, key=lambda line: line.box.y0)
    counts: dict[float, int] = {}
    for i, line in enumerate(ordered):
        for below in ordered[i + 1 : i + 6]:
            gap = below.box.y0 - line.box.y1
            if gap < -1 or gap > 2 * line.size:
                continue
            if (
                below.box.x_overlap(line.box) > 0.5 * min(line.box.width, below.box.width)
                and abs(below.size - line.size) < 0.5
            ):
                key = round(max(gap, 0.0) * 2) / 2
                counts[key] = counts.get(key, 0) + 1
                break
    return max(counts, key=counts.__getitem__) if counts else 0.0


def build_blocks(lines: list[Line]) -> list[Block]:
    """Stack lines into blocks: each line joins the open block right above it
    in the same column and style, or starts a new one."""
    blocks: list[Block] = []
    open_blocks: list[Block] = []
    spacing = leading_gap(lines)
    for line in sorted(lines, key=_top_left):
        target = None
        for block in reversed(open_blocks):
            if _continues(block, line, spacing):
                target = block
                break
        if target is None:
            target = Block()
            blocks.append(target)
            open_blocks.append(target)
        target.add(line)
        # blocks far above can take no more lines
        open_blocks = [b for b in open_blocks if line.box.y0 - b.box.y1 < 2 * max(line.size, 1.0) + spacing]
    return blocks
