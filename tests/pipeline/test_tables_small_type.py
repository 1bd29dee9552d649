"""Tables set in small type inside a newsletter of justified prose in narrow columns.

An editor shrinks a table until it fits its column (5-8 pt on a page of 9-11 pt text);
its cells stand apart by the cell padding, which is narrow next to the page's em but
wide next to the table's own. The prose beside it, justified in a column too narrow
for many words a line, is still prose: its lines run the full measure with one width
of word space between words. Documents drawn with reportlab's platypus in variations."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle

from tests.pipeline.test_tables_structure import tables_of, texts

VOCABULARY = (
    "river housing council market station village teacher museum signal budget export policy "
    "sample profile annual density traffic harbour quality income report labour variance "
    "channel method effect sector region transport network system output period growth"
).split()
PROSE = (
    "readers meeting garden autumn spring weather library volunteers evening committee plans "
    "members journey harvest picnic concert parish festival minutes treasurer orchard bakery "
    "lantern bridge meadow cottage workshop kitchen school chapel market fair"
).split()


def _prose(rng: random.Random, count: int) -> str:
    words = [rng.choice(PROSE) for _ in range(count)]
    sentences = [" ".join(words[i : i + 9]).capitalize() + "." for i in range(0, count, 9)]
    return " ".join(sentences)


def _rows(rng: random.Random, columns: int) -> list[list[str]]:
    header = ["Item", *[rng.choice(VOCABULARY).capitalize() for _ in range(columns - 1)]]
    body = [
        [
            " ".join(rng.sample(VOCABULARY, rng.choice([1, 1, 2]))),
            *[str(rng.randint(10, 9999)) for _ in range(columns - 1)],
        ]
        for _ in range(6)
    ]
    return [header, *body]


def _newsletter(path: Path, seed: int, frames: int, body_size: float, table_size: float) -> list[list[str]]:
    """A page of `frames` columns of justified prose at `body_size`, with an unruled table
    (a rule under its header only) at `table_size` in the second column; its rows."""
    rng = random.Random(seed)
    margin, gutter = 50.0, 12.0
    width = (A4[0] - 2 * margin - (frames - 1) * gutter) / frames
    page = PageTemplate(
        frames=[
            Frame(margin + i * (width + gutter), margin, width, A4[1] - 2 * margin, showBoundary=0)
            for i in range(frames)
        ]
    )
    document = BaseDocTemplate(str(path), pagesize=A4, pageTemplates=[page])
    body = ParagraphStyle(
        "body", fontName="Helvetica", fontSize=body_size, leading=body_size * 1.25, alignment=TA_JUSTIFY
    )
    rows = _rows(rng, 4 if frames == 2 else 3)
    table = Table(rows)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", table_size),
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", table_size),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, "black"),
            ]
        )
    )
    heading = ParagraphStyle("heading", fontName="Helvetica-Bold", fontSize=body_size + 2, leading=body_size * 1.6)
    story = []
    for section in range(4):
        story += [Paragraph(rng.choice(PROSE).capitalize(), heading)]
        story += [Paragraph(_prose(rng, rng.randint(40, 90)), body) for _ in range(2)]
        if section == 1:
            story += [table, Spacer(1, 6)]
    document.build(story)
    return rows


CASES = [
    (seed, frames, body, small)
    for seed, (frames, body, small) in enumerate(
        [(2, 9, 5), (2, 10, 6), (2, 11, 7), (2, 9, 8), (3, 9, 5), (3, 10, 6), (3, 11, 5), (3, 10, 7)]
    )
]


@pytest.mark.parametrize(("seed", "frames", "body_size", "table_size"), CASES)
def test_a_small_type_table_in_a_newsletter_is_one_table_of_its_own_cells(
    tmp_path: Path, seed: int, frames: int, body_size: float, table_size: float
) -> None:
    rows = _newsletter(tmp_path / "n.pdf", seed, frames, body_size, table_size)
    tables = tables_of(tmp_path / "n.pdf")
    assert [texts(t) for t in tables] == [rows]


@pytest.mark.parametrize(("seed", "frames", "body_size", "table_size"), [*CASES, (33, 3, 9, 6), (17, 3, 11, 6)])
def test_justified_prose_in_narrow_columns_beside_a_small_table_is_not_a_table(
    tmp_path: Path, seed: int, frames: int, body_size: float, table_size: float
) -> None:
    rows = _newsletter(tmp_path / "n.pdf", seed, frames, body_size, table_size)
    cells = {word for row in rows for cell in row for word in cell.split()}
    for table in tables_of(tmp_path / "n.pdf"):
        taken = {w.text for w in table.words}
        assert taken <= cells, f"prose read as table cells: {sorted(taken - cells)[:8]}"


@pytest.mark.parametrize(
    ("seed", "frames", "body_size", "table_size"),
    [(2, 3, 9, 7), (4, 3, 11, 8), (5, 3, 11, 8), (8, 3, 11, 8), (10, 3, 9, 8), (11, 3, 10, 8), (11, 2, 10, 8)],
)
def test_a_heading_or_paragraph_of_the_next_column_in_larger_type_is_not_a_small_tables_cell(
    tmp_path: Path, seed: int, frames: int, body_size: float, table_size: float
) -> None:
    """A heading or a paragraph's last lines in the neighbouring column, or the paragraph
    right above the table, may share the rows' height; their type is not the table's."""
    rows = _newsletter(tmp_path / "n.pdf", seed, frames, body_size, table_size)
    cells = {word for row in rows for cell in row for word in cell.split()}
    tables = tables_of(tmp_path / "n.pdf")
    assert tables
    for table in tables:
        taken = {w.text for w in table.words}
        assert taken <= cells, f"neighbouring text read as table cells: {sorted(taken - cells)[:8]}"


LONG_WORDS = (
    "classification agriculture temperature population frequency scientific community efficient "
    "transport variance hospital mountain district committee program affine baffle index"
).split()


@pytest.mark.parametrize("seed", [16, 25, 27, 3, 8])
def test_narrow_justified_columns_whose_word_spaces_outgrow_the_gutter_are_not_a_table(
    tmp_path: Path, seed: int
) -> None:
    """Justified in three columns a few long words wide, prose stretches its word spaces
    wider than the gutters between the columns; side by side, its lines are still prose,
    whichever gap is widest."""
    rng = random.Random(seed)
    size, gutter, margin = rng.choice([10, 11]), rng.choice([10, 12, 14]), 36.0
    width = (letter[0] - 2 * margin - 2 * gutter) / 3
    frames = [Frame(margin + i * (width + gutter), margin, width, letter[1] - 2 * margin, 0, 0, 0, 0) for i in range(3)]
    document = BaseDocTemplate(str(tmp_path / "p.pdf"), pagesize=letter, pageTemplates=[PageTemplate(frames=frames)])
    body = ParagraphStyle(
        "body", fontName="Helvetica", fontSize=size, leading=size * 1.25, alignment=TA_JUSTIFY, spaceAfter=size * 0.6
    )
    heading = ParagraphStyle("heading", fontName="Helvetica-Bold", fontSize=size + 3, leading=size * 1.8)
    story = []
    for _ in range(8):
        story.append(Paragraph(rng.choice(PROSE).capitalize(), heading))
        for _ in range(rng.randint(1, 3)):
            text = " ".join(rng.choice([*PROSE, *LONG_WORDS]) for _ in range(rng.randint(10, 40)))
            story.append(Paragraph(text.capitalize() + ".", body))
    document.build(story)
    found = [texts(t) for t in tables_of(tmp_path / "p.pdf")]
    assert found == [], f"prose read as a table: {found[:1]}"


@pytest.mark.parametrize(("seed", "offset"), [(0, 0.0), (1, 0.3), (2, 0.5), (3, 0.7)])
def test_a_small_table_keeps_its_header_and_not_its_caption_beside_the_next_columns_heading_and_prose(
    tmp_path: Path, seed: int, offset: float
) -> None:
    """On a two-column page, a caption and a small table in the left column; in the right
    one, a heading on the caption's line and prose whose lines fall between the table's
    header and its rows. The table is its header and rows: the heading beside its caption
    and the prose line beside its header are the other column's."""
    rng = random.Random(seed)
    rows = _rows(rng, 4)
    canvas = Canvas(str(tmp_path / "t.pdf"), pagesize=letter)
    left, right, top = 50.0, 320.0, 650.0
    canvas.setFont("Helvetica", 8)
    canvas.drawString(left, top, f"Table 1: {' '.join(rng.sample(VOCABULARY, 4))}")
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(right, top - offset * 10, rng.choice(PROSE).capitalize())
    y = top - 18
    for r, row in enumerate(rows):
        canvas.setFont("Helvetica-Bold" if r == 0 else "Helvetica", 7.5)
        for c, text in enumerate(row):
            canvas.drawString(left + [0, 75, 120, 165][c], y, text)
        y -= 15
    y = top - 22 - offset * 6
    for _ in range(16):
        canvas.setFont("Helvetica", 10)
        canvas.drawString(right, y, " ".join(rng.choice(PROSE) for _ in range(6)))
        y -= 12.5
    canvas.save()
    assert [texts(t) for t in tables_of(tmp_path / "t.pdf")] == [rows]
