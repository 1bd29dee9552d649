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
    def monospace(self) -> bool:
        return all(line.monospace for line in self.lines)

    @property
    def rtl(self) -> bool:
        return sum(1 for line in self.lines if line.rtl) > len(self.lines) / 2


def join_lines(texts: list[str]) -> str:
    """Lines of a paragraph as one string, joining words hyphenated at a line end."""
    out = ""
    for text in texts:
        if not out:
            out = text
        elif out.endswith("-") and len(out) > 1 and out[-2].isalpha() and text[:1].islower():
            out = out[:-1] + text
        else:
            out = f"{out} {text}"
    return out


def _majority(words: list[Word], attribute: str) -> bool:
    total = sum(len(w.text) for w in words)
    return sum(len(w.text) for w in words if getattr(w, attribute)) * 2 > total


def _make_line(words: list[Word], rtl: bool) -> Line:
    chars = sum(len(w.text) for w in words)
    size = sum(w.size * len(w.text) for w in words) / max(chars, 1)
    return Line(
        words=words,
        box=union_all(w.box for w in words),
        size=round(size, 1),
        bold=_majority(words, "bold"),
        italic=_majority(words, "italic"),
        monospace=_majority(words, "monospace"),
        rtl=rtl,
    )


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
            bullet = len(current) == 1 and LIST_MARKER.match(previous.text) is not None and gap < 4 * em
            if gap > _COLUMN_GAP_EM * em and not bullet:
                lines.append(_make_line(current, rtl))
                current = []
            current.append(word)
        lines.append(_make_line(current, rtl))
    return lines


def _continues(block: Block, line: Line) -> bool:
    """Whether `line` is the next line of `block`'s paragraph."""
    last = block.lines[-1]
    size = max(last.size, line.size, 1.0)
    gap = line.box.y0 - last.box.y1
    if gap < -0.4 * size or gap > 0.55 * size:
        return False
    if abs(last.size - line.size) > 0.12 * size or last.bold != line.bold or last.monospace != line.monospace:
        return False
    if line.starts_list_item:
        return False
    overlap = block.box.x_overlap(line.box)
    if overlap <= 0:
        return False
    aligned = abs(block.box.x0 - line.box.x0) < 2.5 * size or abs(block.box.x1 - line.box.x1) < 2.5 * size
    return aligned or overlap >= 0.6 * min(block.box.width, line.box.width)


def build_blocks(lines: list[Line]) -> list[Block]:
    """Stack lines into blocks: each line joins the open block right above it
    in the same column and style, or starts a new one."""
    blocks: list[Block] = []
    open_blocks: list[Block] = []
    for line in sorted(lines, key=lambda l: (l.box.y0, l.box.x0)):
        target = None
        for block in reversed(open_blocks):
            if _continues(block, line):
                target = block
                break
        if target is None:
            target = Block()
            blocks.append(target)
            open_blocks.append(target)
        target.add(line)
        # blocks far above can take no more lines
        open_blocks = [b for b in open_blocks if line.box.y0 - b.box.y1 < 2 * max(line.size, 1.0)]
    return blocks
