"""Rivers are not gutters. A justified paragraph in a narrow measure stretches its
spaces; where the spaces of a few lines in a row happen to line up they make a white
channel (a river) through the paragraph. A column gutter has a straight edge: the
next column's lines start at one x, and a justified column's lines end at one x.
A river is ragged on both sides, so the paragraph stays one paragraph."""

from __future__ import annotations

import itertools
import math
import random
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from tests.pipeline import pdfs
from tests.pipeline.support import run_pipeline, segments_of

VOCABULARY = (
    "quality result while is also agriculture density and staff value this for office hospital estimate "
    "reflect final frequency which or water trade change scientific be with were services river benefit "
    "council health research baffle fluid affine income classification region over growth district of "
    "shuffle city policy about such sector population harbour measure not country profile table village "
    "has figure traffic its effect library share industry section community budget housing offer an "
    "other it market temperature system field"
).split()
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _font(name: str) -> str:
    if name == "DejaVuSans":
        if not _DEJAVU.exists():
            pytest.skip("DejaVu Sans is not installed")
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(_DEJAVU)))
    return name


def _set(canvas: Canvas, x: float, y: float, line: list[str], width: float, font: str, size: float) -> None:
    natural = sum(canvas.stringWidth(w, font, size) for w in line)
    gap = (width - natural) / (len(line) - 1) if len(line) > 1 else 0.0
    cursor = x
    for word in line:
        canvas.drawString(cursor, y, word)
        cursor += canvas.stringWidth(word, font, size) + gap


def _fill(canvas: Canvas, choice: random.Random, width: float, font: str, size: float) -> list[str]:
    """An ordinary justified line: three or more words, as many as fit."""
    while True:
        line = [choice.choice(VOCABULARY)]
        while True:
            word = choice.choice(VOCABULARY)
            if canvas.stringWidth(" ".join([*line, word]), font, size) > width:
                break
            line.append(word)
        if len(line) >= 3:
            return line


def _river_line(
    canvas: Canvas,
    choice: random.Random,
    x: float,
    width: float,
    font: str,
    size: float,
    target: float,
    spaces: tuple[float, float],
    flanks: list[tuple[float, ...]],
) -> list[str]:
    """Three words set to the measure whose first space covers `target`; the edges of
    both its spaces stand at least 1 pt away from those of the river's other lines, so
    the white is ragged on both sides."""
    widths = {w: canvas.stringWidth(w, font, size) for w in VOCABULARY}
    fits = []
    for first, second, third in itertools.product(VOCABULARY, repeat=3):
        gap = (width - widths[first] - widths[second] - widths[third]) / 2
        start = x + widths[first]
        edges = (start, start + gap, start + gap + widths[second], start + 2 * gap + widths[second])
        if (
            spaces[0] * size <= gap <= spaces[1] * size
            and start + 1.5 < target < start + gap - 1.5
            and not any(abs(a - b) < 1 for other in flanks for a, b in zip(edges, other, strict=True))
        ):
            fits.append(((first, second, third), edges))
    assert fits, "no line of three words fits the river"
    line, edges = choice.choice(fits)
    flanks.append(edges)
    return list(line)


def _paragraph_with_river(
    canvas: Canvas,
    choice: random.Random,
    x: float,
    y: float,
    width: float,
    font: str,
    size: float,
    spaces: tuple[float, float],
    river: int,
) -> list[str]:
    canvas.setFont(font, size)
    leading = size * 1.25
    lines = [_fill(canvas, choice, width, font, size) for _ in range(3)]
    target = x + width * choice.uniform(0.2, 0.4)
    flanks: list[tuple[float, ...]] = []
    for _ in range(river):
        lines.append(_river_line(canvas, choice, x, width, font, size, target, spaces, flanks))
        target += choice.uniform(-1.5, 1.5)  # a river wanders
    lines.extend(_fill(canvas, choice, width, font, size) for _ in range(3))
    for n, line in enumerate(lines):
        if n == len(lines) - 1:
            canvas.drawString(x, y, " ".join(line))
        else:
            _set(canvas, x, y, line, width, font, size)
        y -= leading
    return [w for line in lines for w in line]


@pytest.mark.parametrize("font", ["Times-Roman", "Helvetica", "DejaVuSans"])
@pytest.mark.parametrize("size", [9.0, 10.5])
@pytest.mark.parametrize(("spaces", "river"), [((0.8, 1.05), 4), ((1.2, 2.4), 4), ((0.8, 2.4), 6)])
def test_a_river_through_a_justified_paragraph_is_not_a_gutter(
    tmp_path: Path, font: str, size: float, spaces: tuple[float, float], river: int
) -> None:
    """One narrow justified frame: a river of 4 or 6 lines, spaces just under the
    column-gap width (only a gutter finder could take them for one) or well over it."""
    choice = random.Random(f"{font} {size} {spaces} {river}")
    name = _font(font)
    texts: list[list[str]] = []

    def draw(canvas: Canvas) -> None:
        width = (7.8 + spaces[0] + spaces[1]) * size  # three words of the vocabulary and two such spaces
        texts.append(_paragraph_with_river(canvas, choice, 72, 700, width, name, size, spaces, river))

    segments = segments_of(run_pipeline(pdfs.build(tmp_path / "river.pdf", draw), tmp_path / "work"))
    assert [s.text for s in segments] == [" ".join(words) for words in texts]


@pytest.mark.parametrize("font", ["Times-Roman", "DejaVuSans"])
@pytest.mark.parametrize("columns", [2, 3])
@pytest.mark.parametrize("gutter_em", [1.5, 2.5])
def test_columns_with_a_river_in_one_are_read_column_after_column(
    tmp_path: Path, font: str, columns: int, gutter_em: float
) -> None:
    """Narrow justified columns side by side, a river in the first: the gutters (one
    straight edge each) still part the columns, the river parts nothing."""
    size = 10.0
    choice = random.Random(f"{font} {columns} {gutter_em}")
    name = _font(font)
    width, wide = 10.6 * size, 16 * size  # the other columns set four or more words a line
    texts: list[list[str]] = []

    def draw(canvas: Canvas) -> None:
        x = 50.0
        for n in range(columns):
            if n == 0:
                texts.append(_paragraph_with_river(canvas, choice, x, 700, width, name, size, (0.8, 1.4), 5))
            else:
                canvas.setFont(name, size)
                lines = [_fill(canvas, choice, wide, name, size) for _ in range(12)]
                y = 700.0 - n * 0.4 * size  # the columns' baselines need not line up
                for line in lines:
                    _set(canvas, x, y, line, wide, name, size)
                    y -= size * 1.25
                texts.append([w for line in lines for w in line])
            x += (width if n == 0 else wide) + gutter_em * size

    segments = segments_of(run_pipeline(pdfs.build(tmp_path / "river-columns.pdf", draw), tmp_path / "work"))
    assert [s.text for s in segments] == [" ".join(words) for words in texts]


def _scanned_column(
    canvas: Canvas,
    choice: random.Random,
    x: float,
    y: float,
    width: float,
    size: float,
    lines: int,
    jitter: float,
    skew: float,
) -> list[str]:
    """A justified column as an OCR engine hands its invisible text layer over a scan:
    every line's box off by up to `jitter` pt either way, and the column's edge drifting
    across the page as a scan skewed by `skew` degrees does (the x of a line moves by
    tan(skew) for each point down the page)."""
    canvas.setFont("Times-Roman", size)
    drift = math.tan(math.radians(skew))
    text: list[list[str]] = []
    for n in range(lines):
        line = _fill(canvas, choice, width, "Times-Roman", size)
        natural = sum(canvas.stringWidth(w, "Times-Roman", size) for w in line)
        gap = (width - natural) / (len(line) - 1)
        cursor = x + drift * n * size * 1.25 + choice.uniform(-jitter, jitter)
        for word in line:
            canvas.drawString(cursor, y, word)
            cursor += canvas.stringWidth(word, "Times-Roman", size) + gap
        text.append(line)
        y -= size * 1.25
    return [w for line in text for w in line]


@pytest.mark.parametrize("size", [9.0, 10.5, 12.0])
@pytest.mark.parametrize("columns", [2, 3])
@pytest.mark.parametrize(("jitter", "skew"), [(1.0, 0.0), (0.0, 0.5), (0.0, 1.0), (1.0, 1.0), (1.0, -0.5)])
@pytest.mark.parametrize("seed", [1, 2])
def test_the_columns_of_an_ocr_text_layer_are_read_column_after_column(
    tmp_path: Path, size: float, columns: int, jitter: float, skew: float, seed: int
) -> None:
    """A scan's OCR'd text layer: the word boxes jitter by up to 1 pt and a skewed scan
    makes each column's edge drift several points down the page. The gutters are still
    straight edges from line to line, not rivers, so the columns are read one after the
    other."""
    choice = random.Random(f"{seed} {size} {columns} {jitter} {skew}")
    gutter = 1.5 * size
    width = min(16 * size, (pdfs.WIDTH - 80 - (columns - 1) * gutter) / columns)
    texts: list[list[str]] = []

    def draw(canvas: Canvas) -> None:
        x = 40.0
        for _ in range(columns):
            texts.append(_scanned_column(canvas, choice, x, 720, width, size, 14, jitter, skew))
            x += width + gutter

    segments = segments_of(run_pipeline(pdfs.build(tmp_path / "ocr-columns.pdf", draw), tmp_path / "work"))
    assert [s.text for s in segments] == [" ".join(words) for words in texts]
