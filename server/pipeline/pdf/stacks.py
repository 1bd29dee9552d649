"""Upright glyphs stacked one per line: a word written downwards.

A margin note, a sign or a narrow table's column header is sometimes set as upright
letters, one under the other, each glyph drawn at its own position. pdfium sees a
line per glyph, so without this the page reads "P R O P O S A L S" or a letter per
paragraph. A stack is found from geometry alone: single glyphs of one size, each
right under the one before (set solid: at most a small share of an em of white
between their boxes), sharing their centre line or their left edge. One blank
glyph's height of white inside a stack is a word space (the stack goes on below).
A column of single letters in a table's rows is no stack: its glyphs share their
baselines with the row's other cells, where a stack's glyphs keep their own pitch.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.pipeline.geometry import Box

_SOLID_EM = 0.4  # white between the boxes of consecutive letters of one stacked word
_WORD_SPACE_EM = 1.6  # ... and between two stacked words: a blank line, one glyph high
_ALIGN_EM = 0.3  # the glyphs of a stack share a centre line or a left edge to within this
_SIZE_RATIO = 0.85  # one stack, one type size
_MIN_GLYPHS = 3  # two letters one above the other happen by chance
_ROW_EM = 0.15  # centres closer than this (vertically) share a baseline


@dataclass(slots=True)
class Glyph:
    """A single-character word as the stack finder sees it."""

    char: str
    box: Box
    size: float


def stacks(glyphs: list[Glyph], others: list[Box]) -> list[list[int]]:
    """Indices into `glyphs` of each stack found, top to bottom. `others` are the boxes
    of the page's other upright words: a glyph on one baseline with one of them is a
    table cell or a line's character, and a stack of mostly such glyphs is none."""
    if sum(1 for g in glyphs if g.char.isalpha()) < _MIN_GLYPHS - 1:
        return []  # a stack is mostly letters
    order = sorted(range(len(glyphs)), key=lambda i: glyphs[i].box.y0)
    chains: list[list[int]] = []
    open_chains: list[list[int]] = []
    for i in order:
        g = glyphs[i]
        reach = g.box.y0 - 2 * _WORD_SPACE_EM * max(g.size, 1.0)
        open_chains = [chain for chain in open_chains if glyphs[chain[-1]].box.y1 >= reach]
        best: list[int] | None = None
        near = max(g.size, 1.0)
        for chain in open_chains:
            if abs(glyphs[chain[-1]].box.x0 - g.box.x0) > near and abs(glyphs[chain[-1]].box.cx - g.box.cx) > near:
                continue  # in another column (most single glyphs of a page are a table's digits)
            if _follows(glyphs[chain[-1]], g) and (best is None or glyphs[chain[-1]].box.y1 > glyphs[best[-1]].box.y1):
                best = chain
        if best is None:
            chains.append([i])
            open_chains.append(chains[-1])
        else:
            best.append(i)
    found = [chain for chain in chains if _is_stack([glyphs[i] for i in chain])]
    members = {i for chain in found for i in chain}
    return [chain for chain in found if not _in_rows([glyphs[i] for i in chain], others, glyphs, members)]


def _follows(a: Glyph, b: Glyph) -> bool:
    em = max(a.size, b.size, 1.0)
    if min(a.size, b.size) < _SIZE_RATIO * em:
        return False
    gap = b.box.y0 - a.box.y1
    if b.box.cy <= a.box.y1 or gap > _WORD_SPACE_EM * em:
        return False
    centred = abs(a.box.cx - b.box.cx) <= _ALIGN_EM * em
    flush = abs(a.box.x0 - b.box.x0) <= _ALIGN_EM * em / 2
    return centred or flush


def _is_stack(chain: list[Glyph]) -> bool:
    """Enough glyphs, mostly letters, in runs set solid: a blank line between two
    glyphs is a word space only between words of two letters or more."""
    if len(chain) < _MIN_GLYPHS or sum(g.char.isalpha() for g in chain) * 3 < 2 * len(chain):
        return False
    runs = [len(word) for word in text_of(chain).split(" ")]
    return min(runs) >= 2 if len(runs) > 1 else True


def text_of(chain: list[Glyph]) -> str:
    """A stack's text: its letters read downwards, a space where a blank line parts two words."""
    out = chain[0].char
    for a, b in zip(chain, chain[1:], strict=False):
        out += b.char if b.box.y0 - a.box.y1 <= _SOLID_EM * max(a.size, b.size, 1.0) else f" {b.char}"
    return out


def _in_rows(chain: list[Glyph], others: list[Box], glyphs: list[Glyph], members: set[int]) -> bool:
    """Whether most of the stack's glyphs share a baseline with a word that is no stack's."""
    loose = [g.box for i, g in enumerate(glyphs) if i not in members]
    boxes = others + loose
    shared = 0
    for g in chain:
        reach = _ROW_EM * max(g.size, 1.0)
        if any(abs(b.cy - g.box.cy) <= reach and (b.x1 < g.box.x0 or b.x0 > g.box.x1) for b in boxes):
            shared += 1
    return shared * 2 > len(chain)
