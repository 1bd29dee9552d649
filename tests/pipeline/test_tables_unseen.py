"""Tables as other producers set them: office suites (padded cells, zebra shading with
no rules), statistical offices (row groups, indented stubs, totals), LaTeX.

Each document is drawn here with reportlab in several variations, the way the
producer lays the table out, and read through the layout stage."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas

from tests.pipeline.pdfs import HEIGHT, build, paragraph, words
from tests.pipeline.test_tables_structure import tables_of, texts

PLACES = ["Lorholham", "Lornorstead", "Kinbrostead", "Callorville", "Pelrosfield", "Kinkinmouth", "Calpelwick"]


def _rows(columns: int) -> list[list[str]]:
    header = ["District", *["Dwellings", "Males", "Insured", "Females"][: columns - 1]]
    body = [
        [place, *[f"({(i + 3) * (c + 7) * 13 % 97}.{c})" if (i + c) % 3 == 0 else f"{(i + 5) * (c + 3) % 89}.{c}" for c in range(1, columns)]]
        for i, place in enumerate(PLACES)
    ]
    return [header, *body]


def _office_table(
    canvas: Canvas, rows: list[list[str]], top: float, gap_em: float, size: float = 9, zebra: bool = False
) -> float:
    """Rows set as a word processor does: cells padded, so the white space between two
    rows is `gap_em` ems; numbers right-aligned; shaded every other body row when `zebra`."""
    pitch = size * (1 + gap_em)
    xs = [72, 200, 270, 340, 410]
    y = top
    for r, row in enumerate(rows):
        if zebra and r % 2 == 1:
            canvas.setFillColor(Color(0.85, 0.88, 0.95))
            canvas.rect(66, y - 0.4 * pitch, xs[len(row) - 1] + 6, pitch, stroke=0, fill=1)
            canvas.setFillColor(Color(0, 0, 0))
        canvas.setFont("Helvetica-Bold" if r == 0 else "Helvetica", size)
        for c, text in enumerate(row):
            if c == 0:
                canvas.drawString(xs[0], y, text)
            else:
                canvas.drawRightString(xs[c] + 60, y, text)
        y -= pitch
    return y


@pytest.mark.parametrize("gap_em", [1.55, 1.7, 2.0, 2.3])
@pytest.mark.parametrize("columns", [3, 5])
@pytest.mark.parametrize("zebra", [False, True])
def test_rows_spaced_evenly_wider_than_prose_are_still_one_table(
    tmp_path: Path, gap_em: float, columns: int, zebra: bool
) -> None:
    rows = _rows(columns)

    def page(canvas: Canvas) -> None:
        y = paragraph(canvas, 72, HEIGHT - 72, words(60), 440, size=11)
        y = _office_table(canvas, rows, y - 20, gap_em, zebra=zebra)
        paragraph(canvas, 72, y - 10, words(50, 4), 440, size=11)

    tables = tables_of(build(tmp_path / "t.pdf", page))
    assert [texts(t) for t in tables] == [rows]  # not split into pieces where one gap is a little wider


def test_evenly_spaced_rows_end_at_the_footnote_below_them(tmp_path: Path) -> None:
    rows = _rows(4)

    def page(canvas: Canvas) -> None:
        y = _office_table(canvas, rows, HEIGHT - 90, 1.8)
        canvas.setFont("Helvetica", 9)
        canvas.drawString(72, y - 12, "Source: statistics office, annual returns.")

    (table,) = tables_of(build(tmp_path / "t.pdf", page))
    assert texts(table) == rows
