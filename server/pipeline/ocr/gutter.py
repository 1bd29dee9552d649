"""Lines that detection ran across a column gutter, cut at the gutter.

Text detection joins two lines of neighbouring columns into one box where the
gutter is narrow (LaTeX's two-column default is 10 pt, under one line height),
and the recogniser prints the gap as an ordinary space. One such line spans
the page and splits the reading order there. A gutter shows on the page as a
vertical strip that no word covers although many lines end just left of it
and many start just right of it; a line whose words leave a gap exactly over
that strip is two lines.
"""

from __future__ import annotations

import statistics

from server.pipeline.ocr.engine import OcrLine, OcrWord

MAX_INKED = 0.1  # share of the page's lines whose words may cover a gutter (a title across both columns)
MIN_SIDE = 0.2  # share of the lines that must end just left of it, and start just right of it
NEAR = 2.0  # line heights: "just" left or right
MIN_WIDTH = 0.2  # line heights: the narrowest gutter
# Word boxes come from the recogniser's character positions and reach about
# a fifth of a line height past the ink either side (engine.words_of); a
# word's ink is its box less that much.
TRIM = 0.2
ALIGN = 0.35  # line heights: how near a column's left edge a piece cut off at its gutter must start


def _boxes(line: OcrLine) -> list[tuple[float, float, float, float]]:
    return [w.box for w in line.words] or [line.box]


Gutter = tuple[float, float, float]  # x0, x1 of the ink-free strip; x where the next column's lines start


def gutters(lines: list[OcrLine]) -> list[Gutter]:
    """The page's column gutters, left to right."""
    if len(lines) < 6:
        return []
    height = statistics.median(l.box[3] - l.box[1] for l in lines)
    left = int(min(l.box[0] for l in lines))
    right = int(max(l.box[2] for l in lines)) + 1
    inked = [0] * (right - left)
    for line in lines:
        trim = TRIM * (line.box[3] - line.box[1])
        for box in _boxes(line):
            for x in range(int(box[0] + trim) - left, int(box[2] - trim) - left):
                inked[x] += 1
    limit = MAX_INKED * len(lines)
    found: list[Gutter] = []
    x = 0
    while x < len(inked):
        if inked[x] > limit:
            x += 1
            continue
        start = x
        while x < len(inked) and inked[x] <= limit:
            x += 1
        x0, x1 = float(start + left), float(x + left)
        if x1 - x0 < MIN_WIDTH * height or start == 0 or x == len(inked):
            continue
        ending = sum(1 for l in lines if x0 - NEAR * height <= _end_before(l, x0) <= x0 + 1)
        starts = [s for l in lines if x1 - 1 <= (s := _start_after(l, x1)) <= x1 + NEAR * height]
        if min(ending, len(starts)) >= MIN_SIDE * len(lines):
            found.append((x0, x1, statistics.median(starts)))
    return found


def _end_before(line: OcrLine, x: float) -> float:
    """Where the ink of the line's last word left of `x` ends (-inf when none is)."""
    trim = TRIM * (line.box[3] - line.box[1])
    ends = [b[2] - trim for b in _boxes(line) if b[2] - trim <= x + 1]
    return max(ends, default=float("-inf"))


def _start_after(line: OcrLine, x: float) -> float:
    """Where the ink of the line's first word right of `x` starts (inf when none is)."""
    trim = TRIM * (line.box[3] - line.box[1])
    starts = [b[0] + trim for b in _boxes(line) if b[0] + trim >= x - 1]
    return min(starts, default=float("inf"))


def _bridged(start: float, end: float, found: list[Gutter], trim: float) -> bool:
    """Whether a gap between two words' ink, from `start` to `end`, is a
    gutter: it spans most of one, and the next word starts where the next
    column's lines start. A word space that merely falls on a gutter (in a
    byline centred over both columns) does neither."""
    return any(
        min(end, b) - max(start, a) >= 0.5 * (b - a) and abs(end - edge) <= ALIGN / TRIM * trim for a, b, edge in found
    )


def _part(line: OcrLine, words: list[OcrWord]) -> OcrLine:
    import numpy as np

    y0, y1 = line.box[1], line.box[3]
    x0, x1 = words[0].box[0], words[-1].box[2]
    quad = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)
    confidence = sum(w.confidence for w in words) / len(words)
    return OcrLine(" ".join(w.text for w in words), confidence, quad, (x0, y0, x1, y1), tuple(words))


def split(lines: list[OcrLine], found: list[Gutter]) -> list[OcrLine]:
    """`lines` with every line that bridges one of the gutters `found` cut in two there."""
    if not found:
        return lines
    out: list[OcrLine] = []
    for line in lines:
        trim = TRIM * (line.box[3] - line.box[1])
        pieces: list[list[OcrWord]] = [[]]
        for word in line.words:
            previous = pieces[-1][-1] if pieces[-1] else None
            if previous is not None and _bridged(previous.box[2] - trim, word.box[0] + trim, found, trim):
                pieces.append([])
            pieces[-1].append(word)
        if len(pieces) == 1:
            out.append(line)
        else:
            out.extend(_part(line, words) for words in pieces)
    return out
