"""Lists, captions and headings on pages of two or three text columns are not tables.

A list is typeset as a column of markers of one kind (bullets, dashes, numbers or letters
counting up) each followed by its item's text at a hanging indent, the item's wrapped
lines starting at that indent. Beside it, in the neighbouring text column, a figure
caption wraps and a heading stands on its own line: on shared baselines with the list,
they are still not a table's first column. Documents drawn with reportlab's platypus,
one story per text column, in variations of fonts, sizes, markers and column counts."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, ListFlowable, ListItem, Paragraph, Spacer

from tests.pipeline.pdfs import HEIGHT, build, words

from tests.pipeline.pdfs import paragraph
from tests.pipeline.test_tables_structure import STATES, draw_rows, tables_of, texts

VOCABULARY = (
    "river housing council market station village teacher museum signal budget export policy "
    "sample profile annual density traffic harbour quality income report labour variance "
    "channel method effect sector region transport network system output period growth "
    "capital share flow industry benefit schedule pressure office research review"
).split()

# (bulletType, start, bulletFormat): the markers a list is set with
MARKERS = [
    ("bullet", "\u2022", None),
    ("bullet", "\u2013", None),
    ("1", None, "%s."),
    ("a", None, "%s)"),
    ("i", None, "(%s)"),
    ("1", None, "%s"),
]


def _phrase(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(low, high)))


def _prose(rng: random.Random, sentences: int) -> str:
    return " ".join(_phrase(rng, 7, 14).capitalize() + "." for _ in range(sentences))


def _page(path: Path, seed: int, frames: int, marker: int) -> list[str]:
    """A page of `frames` text columns: the list in the last column, a wrapped figure
    caption and a heading in the column before it (above the list on a page of one
    column) at about the list's height. Returns the list's items."""
    rng = random.Random(seed)
    font = rng.choice(["Helvetica", "Times-Roman"])
    size = rng.choice([9.0, 10.0, 11.0])
    body = ParagraphStyle(
        "body", fontName=font, fontSize=size, leading=size * 1.25, alignment=rng.choice([TA_JUSTIFY, TA_LEFT])
    )
    caption = ParagraphStyle("caption", parent=body, fontSize=size - 1, leading=(size - 1) * 1.25, alignment=TA_LEFT)
    heading = ParagraphStyle("heading", fontName=font + ("-Bold" if font == "Helvetica" else ""), fontSize=size + 1)
    margin, gutter = 40.0, rng.choice([12.0, 18.0])
    width = (A4[0] - 2 * margin - (frames - 1) * gutter) / frames
    kind, start, form = MARKERS[marker]
    items = [_phrase(rng, 3, 16) for _ in range(rng.randint(4, 6))]
    options = {"bulletType": kind, "bulletFontName": font, "bulletFontSize": size}
    if start is not None:
        options["start"] = start
    if form is not None:
        options["bulletFormat"] = form
    body.spaceAfter = size * 0.6
    stories = [[Paragraph(_prose(rng, rng.randint(2, 3)), body) for _ in range(5)] for _ in range(frames)]
    stories[max(frames - 2, 0)][2:2] = [
        Paragraph(f"Figure {seed % 7 + 1}: {_phrase(rng, 6, 10)}", caption),
        Paragraph(rng.choice(VOCABULARY).capitalize(), heading),
    ]
    # the list starts anywhere from a few lines above the caption to a few lines below it
    stories[-1][2:2] = [
        Spacer(1, rng.uniform(0, 6) * size),
        ListFlowable([ListItem(Paragraph(item, body)) for item in items], **options),
        Spacer(1, size),
    ]
    canvas = Canvas(str(path), pagesize=A4)
    for column, story in enumerate(stories):
        frame = Frame(margin + column * (width + gutter), margin, width, A4[1] - 2 * margin, showBoundary=0)
        frame.addFromList(story, canvas)
    canvas.save()
    return items


CASES = [(seed, frames, seed % len(MARKERS)) for seed in range(30) for frames in (1, 2, 3)]


@pytest.mark.parametrize(("seed", "frames", "marker"), CASES)
def test_a_list_beside_a_caption_and_a_heading_or_beside_nothing_is_a_list_not_a_table(
    tmp_path: Path, seed: int, frames: int, marker: int
) -> None:
    _page(tmp_path / "l.pdf", seed, frames, marker)
    found = [[cell.text for cell in row] for table in tables_of(tmp_path / "l.pdf") for row in table.rows]
    assert found == [], f"read as a table: {found[:4]}"


def _beside(path: Path, seed: int, frames: int, marker: str, offset: float) -> None:
    """Prose in every column; in the last, a list of wrapped items with hanging indent; in
    the one before it, a heading `offset` of a line below the list's first item's baseline
    (their lines overlap), prose around both."""
    rng = random.Random(seed)
    font, size = rng.choice(["Helvetica", "Times-Roman"]), rng.choice([9.0, 10.0, 11.0])
    leading, margin, gutter = size * 1.25, 40.0, 14.0
    width = (A4[0] - 2 * margin - (frames - 1) * gutter) / frames
    canvas = Canvas(str(path), pagesize=A4)
    top = A4[1] - margin
    for column in range(frames):
        x = margin + column * (width + gutter)
        y = paragraph(canvas, x, top, _prose(rng, 2), width, size, font) - leading
        if column == frames - 1:
            heading_y = y - offset * leading
            indent = 1.6 * size
            for number in range(rng.randint(4, 6)):
                label = marker if not marker[0].isdigit() else f"{number + 1}."
                canvas.setFont(font, size)
                canvas.drawString(x, y, label)
                y = paragraph(canvas, x + indent, y, _phrase(rng, 4, 14), width - indent, size, font)
            y -= leading
        if column == frames - 2:
            y = paragraph(canvas, x, y, f"Figure 1: {_phrase(rng, 6, 10)}", width, size - 1, font) - leading
        paragraph(canvas, x, y - leading, _prose(rng, 6), width, size, font)
    if frames >= 2:
        canvas.setFont(font + "-Bold" if font == "Helvetica" else "Times-Bold", size + 1)
        canvas.drawString(margin + (frames - 2) * (width + gutter), heading_y, rng.choice(VOCABULARY).capitalize())
    canvas.save()


@pytest.mark.parametrize("marker", ["\u2022", "\u2013", "1."])
@pytest.mark.parametrize(("seed", "frames", "offset"), [(1, 2, 0.3), (2, 3, 0.4), (3, 3, 0.5), (4, 2, 0.2)])
def test_a_heading_in_the_next_column_on_a_list_item_line_is_not_a_table_cell(
    tmp_path: Path, seed: int, frames: int, offset: float, marker: str
) -> None:
    _beside(tmp_path / "b.pdf", seed, frames, marker, offset)
    found = [[cell.text for cell in row] for table in tables_of(tmp_path / "b.pdf") for row in table.rows]
    assert found == [], f"read as a table: {found[:4]}"


@pytest.mark.parametrize("font", ["Helvetica", "Times-Roman"])
@pytest.mark.parametrize("marker", ["{}", "{}."])
def test_a_ranked_table_numbers_counting_up_then_cells_is_still_a_table(tmp_path: Path, font: str, marker: str) -> None:
    rows = [
        [marker.format(i + 1), state, f"{state[:3].upper()} county", VOCABULARY[i]] for i, state in enumerate(STATES)
    ]

    def page(canvas: Canvas) -> None:
        y = paragraph(canvas, 72, HEIGHT - 72, words(40), 460)
        y = draw_rows(canvas, rows, [72, 100, 200, 320], y - 20, font=font)
        paragraph(canvas, 72, y - 20, words(40, 5), 460)

    build(tmp_path / "r.pdf", page)
    assert [texts(t) for t in tables_of(tmp_path / "r.pdf")] == [rows]
