"""Text geometry a table is built from: lines of words, and the segments (runs of
words closer than a cell gap) each line splits into."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from server.pipeline.pdf.extract import Word

_NUMBER = re.compile(
    r"^[(\[]?[-+\u2212\u2013]?[$\u20ac\u00a3]?\s?\d[\d.,'\s]*(?:%|\u2030|[a-z]{1,2}\b)?[)\]]?[*\u2020\u2021]*$"
    r"|^(?:n\.?a\.?|n/a|-|\u2013|\u2014|\.\.|x|:)$",
    re.IGNORECASE,
)


def is_number(text: str) -> bool:
    return _NUMBER.match(text.strip()) is not None


@dataclass(slots=True)
class Segment:
    words: list[Word]
    x0: float
    x1: float
    c0: int = 0
    c1: int = 0

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(slots=True)
class TextLine:
    words: list[Word]
    y0: float
    y1: float
    segments: list[Segment] = field(default_factory=list)

    def columns(self) -> set[int]:
        return {c for s in self.segments for c in range(s.c0, s.c1 + 1)}


def median(values: list[float], default: float) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else default


def text_lines(words: list[Word]) -> list[TextLine]:
    """Words grouped into lines by vertical overlap, top to bottom."""
    lines: list[TextLine] = []
    for word in sorted(words, key=lambda w: (w.box.cy, w.box.x0)):
        y0, y1 = word.box.y0, word.box.y1
        height = max(y1 - y0, 0.5)
        for line in reversed(lines[-4:]):
            # min()/max() spelled out: this runs for every word against up to four lines
            top, bottom = line.y0, line.y1
            overlap = (bottom if bottom <= y1 else y1) - (top if top >= y0 else y0)
            extent = bottom - top
            if overlap >= 0.5 * (height if height <= extent else extent):
                line.words.append(word)
                break
        else:
            lines.append(TextLine([word], y0, y1))
    for line in lines:
        line.words.sort(key=lambda w: w.box.x0)
        # the line's extent is its typical word's, so a tall or raised word does not swallow neighbours
        line.y0 = median([w.box.y0 for w in line.words], line.y0)
        line.y1 = median([w.box.y1 for w in line.words], line.y1)
    lines.sort(key=lambda line: line.y0)
    return lines


def split_segments(line: TextLine, gap: float, cuts: list[float]) -> list[Segment]:
    """Runs of words closer than `gap`; a vertical rule at x in `cuts` always separates."""
    out: list[Segment] = []
    for word in line.words:
        last = out[-1] if out else None
        ruled = last is not None and any(last.x1 - 1 <= x <= word.box.x0 + 1 for x in cuts)
        # a monospace space is 0.6 em wide: there a new cell needs about two spaces
        wide = gap * 1.5 if last is not None and word.monospace and last.words[-1].monospace else gap
        if last is None or word.box.x0 - last.x1 >= wide or ruled:
            out.append(Segment([word], word.box.x0, word.box.x1))
        else:
            last.words.append(word)
            last.x1 = max(last.x1, word.box.x1)
    return out
