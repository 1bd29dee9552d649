"""A table printed over the lines of a neighbouring text column (a tabular too wide for
its column in a two-column layout): which of the words inside its box are that
column's, not the table's.

A column's line is a run of words on one baseline, in one size, set with word spaces
(justified, so never a cell gap); the column's lines above and below the table share
its left and right edges. A table's row breaks at every cell gap and stays within its
rules. So a run inside the box belongs to the other column when it runs on past the
table's side, or when it starts on the left edge or ends on the right edge of a
column whose lines continue above or below the table, and that column starts inside
the table (the table's own column starts where the table does).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

from server.pipeline.geometry import Box
from server.pipeline.pdf.extract import Word
from server.pipeline.tables.text import median

_WORD_SPACE_EM = 0.8  # a stretched word space stays under this; cells stand at least 1 em apart
_MIN_SPACE_EM = 0.1  # a space shrunk to justify a line is still this wide
_BASELINE_EM = 0.03  # one font on one baseline: the same loose box bottom, to rounding
_EDGE = 1.5  # how closely a column's lines share its edges, in points


def word_runs(words: Iterable[Word]) -> list[list[Word]]:
    """Runs of words on one baseline, in one size, each word a word space after the one
    before. Where a table is printed over a line, its words overlap the line's or stand
    at gaps no word space has, so the longest such chain in a band is taken first."""
    ordered = sorted(words, key=lambda w: (w.box.y1, w.box.x0))
    bands: list[list[Word]] = []
    for word in ordered:
        if bands and abs(word.box.y1 - bands[-1][0].box.y1) <= _BASELINE_EM * bands[-1][0].size:
            bands[-1].append(word)
        else:
            bands.append([word])
    runs: list[list[Word]] = []
    for band in bands:
        left = sorted(band, key=lambda w: w.box.x0)
        if all(b.box.x0 - a.box.x1 >= _MIN_SPACE_EM * b.size for a, b in pairwise(left)):
            runs.extend(_split(left))  # nothing printed over anything: the runs are the gaps' pieces
            continue
        while left:
            chain = _longest_chain(left)
            runs.append(chain)
            chosen = {id(w) for w in chain}
            left = [w for w in left if id(w) not in chosen]
    runs.sort(key=lambda r: (r[0].box.y1, r[0].box.x0))
    return runs


def _split(words: list[Word]) -> list[list[Word]]:
    runs: list[list[Word]] = []
    for word in words:
        if runs and _spaced(runs[-1][-1], word):
            runs[-1].append(word)
        else:
            runs.append([word])
    return runs


def _spaced(a: Word, b: Word) -> bool:
    gap = b.box.x0 - a.box.x1
    return (
        _MIN_SPACE_EM * b.size <= gap <= _WORD_SPACE_EM * b.size
        and abs(a.size - b.size) <= 0.1 * b.size
        and not (a.rotated or b.rotated)
    )


def _longest_chain(words: list[Word]) -> list[Word]:
    """The longest sequence of `words` (sorted by x0) in which each follows the one before at a word space."""
    length = [1] * len(words)
    before: list[int | None] = [None] * len(words)
    for i, word in enumerate(words):
        for j in range(i):
            if length[j] + 1 > length[i] and _spaced(words[j], word):
                length[i], before[i] = length[j] + 1, j
    index: int | None = max(range(len(words)), key=lambda i: (length[i], -i))
    chain: list[Word] = []
    while index is not None:
        chain.append(words[index])
        index = before[index]
    return chain[::-1]


def _columns_around(box: Box, runs: list[list[Word]], size: float) -> list[tuple[float, float, list[float]]]:
    """Text columns that start inside the box and whose lines stand right above or below
    it: a left edge where two or more of those lines start and a right edge where two or
    more of the runs from there on end (a justified column; a sentence's wide space may
    cut a line in two runs); with the baselines of the lines that start on the edge."""
    reach = 4 * size
    around = [
        r
        for r in runs
        if len(r) >= 2 and (box.y0 - reach <= r[-1].box.y1 <= box.y0 + 1 or box.y1 - 1 <= r[0].box.y0 <= box.y1 + reach)
    ]
    outside = [r for r in around if box.x0 + 2 * size < r[0].box.x0 < box.x1]
    columns: list[tuple[float, float, list[float]]] = []
    for run in outside:
        left = run[0].box.x0
        if any(abs(left - a) <= _EDGE for a, _, _ in columns):
            continue
        starting = [r for r in outside if abs(r[0].box.x0 - left) <= _EDGE]
        ends = [r[-1].box.x1 for r in around if r[0].box.x0 >= left - _EDGE]
        right = max(ends, key=lambda x: (sum(1 for e in ends if abs(e - x) <= _EDGE), x))
        if len(starting) >= 2 and sum(1 for e in ends if abs(e - right) <= _EDGE) >= 2:
            columns.append((left, right, sorted(r[0].box.y1 for r in starting)))
    return columns


def _on_grid(y: float, baselines: list[float], size: float) -> bool:
    """Whether baseline `y` continues the line pitch of a column's nearest lines above or below."""
    pitch = median([b - a for a, b in pairwise(baselines) if b - a < 3 * size], 0.0)
    if pitch <= 0:
        return False
    above = max((b for b in baselines if b <= y), default=None)
    below = min((b for b in baselines if b >= y), default=None)
    for ref in (above, below):
        if ref is not None:
            steps = (y - ref) / pitch
            if abs(steps - round(steps)) * pitch <= 0.2 * size:
                return True
    return False


def other_column_words(box: Box, inside: list[Word], words: list[Word]) -> set[int]:
    """Ids of the words of `inside` (a table's words, inside `box`) that are lines of a
    text column the table is printed over."""
    if not inside:
        return set()
    size = median([w.size for w in inside], 10.0)
    mine = {id(w) for w in inside}
    near = [w for w in words if box.y0 - 5 * size <= w.box.cy <= box.y1 + 5 * size]
    runs = word_runs(near)
    columns = _columns_around(box, runs, size)
    out: set[int] = set()
    for run in runs:
        held = [w for w in run if id(w) in mine]
        if not held:
            continue
        x0, x1 = run[0].box.x0, max(w.box.x1 for w in run)
        beyond = x1 > box.x1 + 1 or x0 < box.x0 - 1  # a table's words stay within its rules
        # a paragraph's last line may be a single word, flush with the column's left edge
        flush = any(
            (abs(x0 - a) <= _EDGE or (len(run) >= 2 and abs(x1 - b) <= _EDGE)) and _on_grid(run[0].box.y1, ys, size)
            for a, b, ys in columns
            if a - _EDGE <= x0
        )
        if flush:
            out.update(id(w) for w in held)
        elif beyond:  # the table's own cells may stand a word space short of the next column's line
            out.update(id(w) for w in held if any(w.box.x0 >= a - _EDGE for a, _, _ in columns))
    return out
