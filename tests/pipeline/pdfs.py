"""Small born-digital PDFs drawn with reportlab, each built to exercise one
layout decision. Coordinates here are reportlab's (origin bottom-left)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

WIDTH, HEIGHT = letter
LOREM = (
    "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa "
    "quebec romeo sierra tango uniform victor whiskey xray yankee zulu"
).split()


def words(count: int, offset: int = 0) -> str:
    return " ".join(LOREM[(offset + i) % len(LOREM)] for i in range(count))


def paragraph(
    canvas: Canvas, x: float, y: float, text: str, width: float, size: float = 10, font: str = "Helvetica"
) -> float:
    """Draw `text` wrapped to `width`; returns the y below the last line."""
    canvas.setFont(font, size)
    line: list[str] = []
    for word in text.split():
        candidate = " ".join([*line, word])
        if line and canvas.stringWidth(candidate, font, size) > width:
            canvas.drawString(x, y, " ".join(line))
            y -= size * 1.25
            line = [word]
        else:
            line.append(word)
    if line:
        canvas.drawString(x, y, " ".join(line))
        y -= size * 1.25
    return y


def build(path: Path, *pages: Callable[[Canvas], None]) -> Path:
    canvas = Canvas(str(path), pagesize=letter)
    for draw in pages:
        draw(canvas)
        canvas.showPage()
    canvas.save()
    return path


def headings_page(canvas: Canvas) -> None:
    canvas.setFont("Helvetica-Bold", 22)
    canvas.drawString(72, 700, "Annual Garden Survey")
    y = 660.0
    for number, name in enumerate(("Soil Quality", "Water Supply"), start=1):
        canvas.setFont("Helvetica-Bold", 14)
        canvas.drawString(72, y, f"{number} {name}")
        y = paragraph(canvas, 72, y - 22, words(60, number * 7), 460) - 16


def two_column_page(canvas: Canvas) -> None:
    """Left column about apples, right column about rivers; lines on one baseline grid."""
    y_left = paragraph(canvas, 72, 700, " ".join(["apple"] * 90), 210)
    paragraph(canvas, 72, y_left - 12, " ".join(["pear"] * 40), 210)
    y_right = paragraph(canvas, 330, 700, " ".join(["river"] * 90), 210)
    paragraph(canvas, 330, y_right - 12, " ".join(["lake"] * 40), 210)


TABLE_ROWS = [
    ["Metal", "Density", "Melting point"],
    ["Iron", "7.87", "1538"],
    ["Copper", "8.96", "1085"],
    ["Zinc", "7.14", "420"],
]


def ruled_table_page(canvas: Canvas) -> None:
    paragraph(canvas, 72, 720, "Some metals and their properties are listed in the table below for reference.", 460)
    xs = [72, 200, 320, 460]
    top, row_height = 680, 22
    ys = [top - i * row_height for i in range(len(TABLE_ROWS) + 1)]
    canvas.setLineWidth(0.8)
    for x in xs:
        canvas.line(x, ys[0], x, ys[-1])
    for y in ys:
        canvas.line(xs[0], y, xs[-1], y)
    for r, row in enumerate(TABLE_ROWS):
        canvas.setFont("Helvetica-Bold" if r == 0 else "Helvetica", 10)
        for c, text in enumerate(row):
            canvas.drawString(xs[c] + 6, ys[r] - 15, text)
    paragraph(canvas, 72, ys[-1] - 30, words(40), 460)


def running_header_page(number: int) -> Callable[[Canvas], None]:
    def draw(canvas: Canvas) -> None:
        canvas.setFont("Helvetica", 8)
        canvas.drawString(72, HEIGHT - 40, "Quarterly Lighthouse Bulletin")
        canvas.drawRightString(WIDTH - 72, 36, f"Page {number}")
        paragraph(canvas, 72, 680, words(120, number), 460)

    return draw


def rotated_page(canvas: Canvas) -> None:
    """A page stored landscape with /Rotate 90 (reportlab swaps the media box) and
    its text drawn turned, so that it reads upright as displayed: portrait."""
    canvas.setPageRotation(90)
    canvas.saveState()
    canvas.translate(HEIGHT, 0)
    canvas.rotate(90)  # from here on, ordinary coordinates of the displayed portrait page
    canvas.setFont("Helvetica-Bold", 18)
    canvas.drawString(72, 700, "Sideways Report")
    paragraph(canvas, 72, 660, words(50), 460)
    canvas.restoreState()
