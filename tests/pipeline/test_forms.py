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
