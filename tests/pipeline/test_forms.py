"""Filled-in forms: the values live in the form's fields, not in the page's text.
A form comes out as its labels with their values, ticked boxes as ballot boxes,
and its page image shows what was filled in."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from protos import tasks_pb2 as pb
from tests.pipeline import pdfs
from tests.pipeline.support import run_pipeline, segments_of

FIELDS = [("Full name", "Maria Gonzalez"), ("Street address", "12 Harbour Road"), ("Vehicle registration", "KX-4471-B")]


def _form(canvas: Canvas, field_x: float, values: list[str], ticked: bool) -> None:
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(72, 740, "Application for a Parking Permit")
    canvas.setFont("Helvetica", 11)
    for i, ((label, _), value) in enumerate(zip(FIELDS, values, strict=True)):
        y = 690 - i * 40
        canvas.drawString(72, y, f"{label}:")
        canvas.acroForm.textfield(name=f"field{i}", value=value, x=field_x, y=y - 6, width=250, height=20)
    canvas.drawString(72, 540, "Resident of the zone:")
    canvas.acroForm.checkbox(name="resident", x=field_x, y=535, size=14, checked=ticked)


@pytest.mark.parametrize("field_x", [200.0, 320.0])
def test_a_filled_form_reads_as_labels_with_their_values(tmp_path: Path, field_x: float) -> None:
    values = [value for _, value in FIELDS]
    path = pdfs.build(tmp_path / "form.pdf", lambda c: _form(c, field_x, values, True))
    result = run_pipeline(path, tmp_path / "work")
    texts = [s.text for s in segments_of(result)]
    assert texts == [
        "Application for a Parking Permit",
        "Full name: Maria Gonzalez",
        "Street address: 12 Harbour Road",
        "Vehicle registration: KX-4471-B",
        "Resident of the zone: \u2611",
    ]
    assert all(s.segment_type == pb.SEGMENT_TYPE_TEXT for s in segments_of(result)[1:])
    # the page image shows the values: the first field's box is no longer blank
    [page] = result.output.pages
    image = Image.open(tmp_path / "work" / page.image).convert("L")
    scale = image.width / page.page_width
    top = (792 - 690 - 14) * scale
    field = image.crop((int((field_x + 4) * scale), int(top), int((field_x + 120) * scale), int(top + 16 * scale)))
    assert field.getextrema()[0] < 100


def test_an_empty_field_adds_nothing_and_an_unticked_box_reads_as_empty(tmp_path: Path) -> None:
    path = pdfs.build(tmp_path / "blank.pdf", lambda c: _form(c, 220.0, ["", "12 Harbour Road", ""], False))
    texts = [s.text for s in segments_of(run_pipeline(path, tmp_path / "work"))]
    assert "Full name:" in texts and "Street address: 12 Harbour Road" in texts
    assert "Resident of the zone: \u2610" in texts


TICKED, EMPTY = "\u2611", "\u2610"
CHOICES = [("Single", False), ("Married filing jointly", True), ("Head of household", False), ("Widowed", True)]


def _drawn_choices(canvas: Canvas, size: float, tick: str, across: bool) -> None:
    """A printed form's check boxes: stroked squares beside their labels, ticked with strokes."""
    canvas.setFont("Helvetica-Bold", size + 3)
    canvas.drawString(72, 740, "Filing status")
    canvas.line(72, 734, 540, 734)
    x, y = 80.0, 710.0
    box = size * 1.1
    for label, ticked in CHOICES:
        canvas.rect(x, y, box, box)
        if ticked and tick == "cross":
            canvas.line(x + 2, y + 2, x + box - 2, y + box - 2)
            canvas.line(x + 2, y + box - 2, x + box - 2, y + 2)
        elif ticked:
            path = canvas.beginPath()
            path.moveTo(x + 2, y + box * 0.5)
            path.lineTo(x + box * 0.4, y + 2)
            path.lineTo(x + box - 2, y + box - 2)
            canvas.drawPath(path, stroke=1, fill=0)
        canvas.setFont("Helvetica", size)
        canvas.drawString(x + box + size * 0.5, y + size * 0.15, label)
        if across:
            x += box + canvas.stringWidth(label, "Helvetica", size) + size * 3
        else:
            y -= box * 1.8
    canvas.line(72, y - 10, 540, y - 10)


@pytest.mark.parametrize("size", [8.0, 11.0])
@pytest.mark.parametrize("tick", ["cross", "check"])
@pytest.mark.parametrize("across", [False, True])
def test_a_printed_forms_drawn_check_boxes_read_as_ballot_boxes_before_their_labels(
    tmp_path: Path, size: float, tick: str, across: bool
) -> None:
    path = pdfs.build(tmp_path / "printed.pdf", lambda c: _drawn_choices(c, size, tick, across))
    result = run_pipeline(path, tmp_path / "work")
    expected = [f"{TICKED if ticked else EMPTY} {label}" for label, ticked in CHOICES]
    texts = [s.text for s in segments_of(result)]
    assert texts[0] == "Filing status"
    assert texts[1:] == ([" ".join(expected)] if across else expected)
    assert not any(s.segment_type == pb.SEGMENT_TYPE_TABLE for s in segments_of(result))


@pytest.mark.parametrize("size", [9.0, 12.0])
def test_a_column_of_fillable_check_boxes_under_ruled_headings_is_a_list_of_choices_not_a_table(
    tmp_path: Path, size: float
) -> None:
    def page(canvas: Canvas) -> None:
        y = 740.0
        for heading, question in (("Household", "Filing status"), ("Contact", "Preferred contact method")):
            canvas.setFont("Helvetica-Bold", size + 1)
            canvas.drawString(72, y, heading)
            canvas.line(72, y - 6, 540, y - 6)
            canvas.setFont("Helvetica", size)
            canvas.drawString(72, y - 6 - size * 2, question)
            y -= 6 + size * 4
            for i, (label, ticked) in enumerate(CHOICES[:3]):
                canvas.acroForm.checkbox(name=f"{heading}{i}", x=84, y=y, size=size * 1.1, checked=ticked)
                canvas.drawString(84 + size * 1.6, y + size * 0.15, label)
                y -= size * 2
            y -= size * 2

    result = run_pipeline(pdfs.build(tmp_path / "choices.pdf", page), tmp_path / "work")
    texts = [s.text for s in segments_of(result)]
    assert not any(s.segment_type == pb.SEGMENT_TYPE_TABLE for s in segments_of(result))
    assert texts[2:5] == [f"{TICKED if ticked else EMPTY} {label}" for label, ticked in CHOICES[:3]]
    assert texts.index("Contact") > texts.index("\u2610 Head of household")


GRID = [
    ("Last name", "Okafor"),
    ("First name", "Maria"),
    ("Date of birth", "03/11/1984"),
    ("Street address", "12 Harbour Road"),
    ("City", "Riverton"),
    ("ZIP code", "40213"),
]


def _grid(canvas: Canvas, columns: int, fillable: bool, label_size: float) -> None:
    """Ruled boxes, `columns` a row, each with its label in small type at the top-left
    and the value below it (filled in as a form field, or printed)."""
    width, height = 468 / columns, label_size + 22
    for i, (label, value) in enumerate(GRID):
        x, top = 72 + (i % columns) * width, 720 - (i // columns) * height
        canvas.rect(x, top - height, width, height)
        canvas.setFont("Helvetica", label_size)
        canvas.drawString(x + 2, top - label_size - 1, label.upper())
        if fillable:
            canvas.acroForm.textfield(
                name=f"g{i}",
                value=value,
                x=x + 2,
                y=top - height + 2,
                width=width - 4,
                height=16,
                borderWidth=0,
                fontSize=10,
            )
        else:
            canvas.setFont("Courier", 10)
            canvas.drawString(x + 4, top - height + 6, value)


@pytest.mark.parametrize("columns", [2, 3])
@pytest.mark.parametrize("fillable", [True, False])
@pytest.mark.parametrize("label_size", [6.0, 7.5])
def test_a_grid_of_labelled_boxes_reads_as_label_value_lines_row_by_row(
    tmp_path: Path, columns: int, fillable: bool, label_size: float
) -> None:
    path = pdfs.build(tmp_path / "grid.pdf", lambda c: _grid(c, columns, fillable, label_size))
    [segment] = segments_of(run_pipeline(path, tmp_path / "work"))
    assert segment.segment_type == pb.SEGMENT_TYPE_TEXT
    assert segment.text.splitlines() == [f"{label.upper()}: {value}" for label, value in GRID]


def test_a_ruled_table_with_a_small_type_header_over_its_rows_stays_a_table(tmp_path: Path) -> None:
    rows = [
        ["ITEM", "QUANTITY", "AMOUNT"],
        ["Paper", "12", "30.00"],
        ["Toner", "2", "140.00"],
        ["Folders", "40", "22.00"],
        ["Stamps", "100", "65.00"],
    ]

    def page(canvas: Canvas) -> None:
        for r, row in enumerate(rows):
            top = 720 - r * 20
            for c, text in enumerate(row):
                canvas.rect(72 + c * 150, top - 20, 150, 20)
                canvas.setFont("Helvetica", 6.5 if r == 0 else 10)
                canvas.drawString(76 + c * 150, top - 14, text)

    [segment] = segments_of(run_pipeline(pdfs.build(tmp_path / "table.pdf", page), tmp_path / "work"))
    assert segment.segment_type == pb.SEGMENT_TYPE_TABLE


SIDE_BY_SIDE = [
    ("Position title", "Clerk"),
    ("City", "Lakeside"),
    ("ZIP code", "4711"),
    ("County", "Riverton"),
    ("Passport number", "593346983"),
    ("End date", "03/16/2014"),
]


def _inline_rows(canvas: Canvas, columns: int, fillable: bool) -> None:
    """A form's title, its instructions in small type, then fields two or three a row:
    "Label:" and the value's box after it."""
    canvas.setFont("Times-Bold", 16)
    canvas.drawString(60, 740, "Application for a Housing Grant")
    pdfs.paragraph(canvas, 60, 722, pdfs.words(40), 480, size=7)
    canvas.setFont("Times-Bold", 11)
    canvas.drawString(60, 680, "Applicant")
    canvas.line(60, 676, 540, 676)
    column = 480 / columns
    for i, (label, value) in enumerate(SIDE_BY_SIDE):
        x, y = 60 + (i % columns) * column, 655 - (i // columns) * 26
        canvas.setFont("Times-Roman", 10)
        canvas.drawString(x, y, f"{label}:")
        box_x = x + canvas.stringWidth(f"{label}:", "Times-Roman", 10) + 8
        if fillable:
            canvas.acroForm.textfield(
                name=f"s{i}", value=value, x=box_x, y=y - 5, width=x + column - box_x - 10, height=17, fontSize=10
            )
        else:
            canvas.setFont("Courier", 10)
            canvas.drawString(box_x + 2, y, value)


@pytest.mark.parametrize("columns", [2, 3])
@pytest.mark.parametrize("fillable", [True, False])
def test_fields_side_by_side_read_across_each_row_and_none_is_a_heading(
    tmp_path: Path, columns: int, fillable: bool
) -> None:
    path = pdfs.build(tmp_path / "rows.pdf", lambda c: _inline_rows(c, columns, fillable))
    segments = segments_of(run_pipeline(path, tmp_path / "work"))
    assert [s.text for s in segments[:2]] == ["Application for a Housing Grant", pdfs.words(40)]
    fields = [line for s in segments[3:] for line in s.text.splitlines()]
    assert fields == [f"{label}: {value}" for label, value in SIDE_BY_SIDE]
    assert all(s.segment_type == pb.SEGMENT_TYPE_TEXT for s in segments[3:])


@pytest.mark.parametrize("label_size", [6.0, 7.5])
@pytest.mark.parametrize("fillable", [True, False])
def test_a_box_on_its_own_reads_its_small_label_with_its_value(
    tmp_path: Path, label_size: float, fillable: bool
) -> None:
    def page(canvas: Canvas) -> None:
        y = 720.0
        for i, (label, value) in enumerate(GRID[:3]):
            height = label_size + 22
            canvas.rect(72, y - height, 300, height)
            canvas.setFont("Helvetica", label_size)
            canvas.drawString(74, y - label_size - 1, label.upper())
            if fillable:
                canvas.acroForm.textfield(
                    name=f"b{i}", value=value, x=74, y=y - height + 2, width=290, height=16, borderWidth=0, fontSize=10
                )
            else:
                canvas.setFont("Helvetica", 10)
                canvas.drawString(76, y - height + 6, value)
            y -= height + 14

    texts = [s.text for s in segments_of(run_pipeline(pdfs.build(tmp_path / "box.pdf", page), tmp_path / "work"))]
    assert texts == [f"{label.upper()}: {value}" for label, value in GRID[:3]]


def test_a_sentence_with_a_colon_in_a_paragraph_stays_the_paragraphs(tmp_path: Path) -> None:
    lines = [
        "The office answers letters in the order they arrive.",
        "ATTN: Office of Military Personnel handles",
        "the requests from veterans and their families.",
    ]

    def page(canvas: Canvas) -> None:
        canvas.setFont("Helvetica", 10)
        for i, line in enumerate(lines):
            canvas.drawString(72, 700 - i * 12.5, line)

    texts = [s.text for s in segments_of(run_pipeline(pdfs.build(tmp_path / "prose.pdf", page), tmp_path / "work"))]
    assert texts == [" ".join(lines)]


def test_a_charts_legend_keys_beside_their_labels_are_no_check_boxes(tmp_path: Path) -> None:
    def page(canvas: Canvas) -> None:
        canvas.setFont("Helvetica", 9)
        for i, (label, grey) in enumerate([("0 to 24 years", 0.2), ("25 to 59 years", 0.5), ("60 and over", 0.8)]):
            x = 100 + i * 140
            canvas.setFillGray(grey)
            canvas.rect(x, 600, 9, 9, stroke=1, fill=1)
            canvas.setFillGray(0)
            canvas.drawString(x + 14, 601, label)

    text = " ".join(
        s.text for s in segments_of(run_pipeline(pdfs.build(tmp_path / "legend.pdf", page), tmp_path / "work"))
    )
    assert "0 to 24 years" in text and not any(box in text for box in (TICKED, EMPTY))
