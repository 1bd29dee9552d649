"""Words → line fragments → text blocks (paragraph candidates).

A line fragment is a run of words on one baseline without a column-sized gap;
a block is a stack of fragments in one column with one style. Both are pure
geometry and typography: deciding what a block *is* happens in layout.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from server.pipeline.extract import Word
from server.pipeline.geometry import Box, union_all

LIST_MARKER = re.compile(
    r"^(?:[\u2022\u2023\u25aa\u25cf\u25e6\u2043\u2219\u25a0\u25a1\u2013\u2014\-\*\u00b7\uf0b7\uf0a7\u27a2\u2713\u2714\u25ba\u25b8o]"
    r"|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)]|\(?[ivxIVX]{1,4}[.)])$"
)
_CAPTION_LABEL = re.compile(r"^(?:figure|fig\.|table|tab\.|listing|algorithm)\s*[\dIVX]+[.:]?$", re.IGNORECASE)
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

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @property
    def starts_list_item(self) -> bool:
        first = self.words[0].text
        if len(self.words) > 1 and LIST_MARKER.match(first):
            return True
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


_SOFT_HYPHENS = ("\u00ad", "\ufffe", "\u2010")


def join_lines(texts: list[str]) -> str:
    """Lines of a paragraph as one string, joining words hyphenated at a line end."""
    out = ""
    for text in texts:
        if not out:
            out = text
        elif out.endswith(_SOFT_HYPHENS):
            out = out[:-1] + text
        elif out.endswith("-") and len(out) > 1 and out[-2].isalpha() and text[:1].islower():
            out = out[:-1] + text
        else:
            out = f"{out} {text}"
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
        box=union_all(w.box for w in words),
        size=round(weighted_size / max(chars, 1), 1),
        bold=bold * 2 > chars,
        italic=italic * 2 > chars,
        monospace=mono * 2 > chars,
        rtl=rtl,
        font=max(fonts, key=fonts.__getitem__),
    )


def _top_left(line: Line) -> tuple[float, float]:
    return line.box.y0, line.box.x0


def build_lines(words: list[Word]) -> list[Line]:
    """Group words into rows by vertical position, then split rows at column gaps."""
    if not words:
        return []
    ordered = sorted(words, key=lambda w: (w.box.cy, w.box.x0))
    rows: list[list[Word]] = []
    row_cy = row_h = 0.0
    for word in ordered:
        height = max(word.box.height, 1.0)
        if rows and abs(word.box.cy - row_cy) <= 0.45 * min(height, row_h):
            rows[-1].append(word)
            continue
        rows.append([word])
        row_cy, row_h = word.box.cy, height
    lines: list[Line] = []
    for row in rows:
        rtl_chars = sum(len(w.text) for w in row if w.rtl)
        rtl = rtl_chars * 2 > sum(len(w.text) for w in row)
        row.sort(key=lambda w: -w.box.x1 if rtl else w.box.x0)
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
            if gap > _COLUMN_GAP_EM * em and not bullet and not label:
                lines.append(_make_line(current, rtl))
                current = []
            current.append(word)
        lines.append(_make_line(current, rtl))
    return lines


def _continues(block: Block, line: Line, leading_gap: float) -> bool:
    """Whether `line` is the next line of `block`'s paragraph. `leading_gap` is the
    page's usual white space between consecutive lines of a paragraph."""
    last = block.lines[-1]
    size = max(last.size, line.size, 1.0)
    gap = line.box.y0 - last.box.y1
    if gap < -0.4 * size or gap > max(0.55 * size, leading_gap * 1.3 + 0.5):
        return False
    if abs(last.size - line.size) > 0.12 * size or last.bold != line.bold or last.italic != line.italic:
        return False
    if last.monospace != line.monospace or (last.font != line.font and len(last.words) + len(line.words) > 2):
        return False
    if line.starts_list_item:
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
