"""Rotated pages and rotated text: read in lines, in order, whatever turned them.

A page can be turned by /Rotate, by drawing its content through a rotated
matrix (a landscape table set sideways on a portrait page), or both; a few
lines can be set across the page (a margin note, an arXiv stamp). The reader
takes the direction most text runs in as the page's reading frame and reads the
rest in its own frame."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from protos import tasks_pb2 as pb
from tests.pipeline import pdfs
from tests.pipeline.support import run_pipeline, segments_of

TITLE = "Annual Report on Bridges"
BODY = pdfs.words(60, 3)


def _content(canvas: Canvas, width: float, height: float) -> None:
    """A title and a paragraph in the ordinary coordinates of a `width` x `height` page."""
    canvas.setFont("Helvetica-Bold", 18)
    canvas.drawString(72, height - 72, TITLE)
    pdfs.paragraph(canvas, 72, height - 110, BODY, width - 144)


def _turned_page(path: Path, rotate: int, text_turn: int) -> Path:
    """A letter page with /Rotate `rotate` whose text is drawn turned `text_turn`
    degrees counter-clockwise in the stored frame. Displayed, the text reads at
    `text_turn - rotate`; the reader must find it either way."""
    canvas = Canvas(str(path), pagesize=(pdfs.WIDTH, pdfs.HEIGHT))
    if rotate:
        canvas.setPageRotation(rotate)
    stored_w, stored_h = (pdfs.HEIGHT, pdfs.WIDTH) if rotate in (90, 270) else (pdfs.WIDTH, pdfs.HEIGHT)
    # the content frame: text upright in it; its size is the stored page turned by text_turn
    frame_w, frame_h = (stored_h, stored_w) if text_turn in (90, 270) else (stored_w, stored_h)
    origin = {0: (0, 0), 90: (stored_w, 0), 180: (stored_w, stored_h), 270: (0, stored_h)}[text_turn]
    canvas.translate(*origin)
    canvas.rotate(text_turn)
    _content(canvas, frame_w, frame_h)
    canvas.showPage()
    canvas.save()
    return path


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
@pytest.mark.parametrize("text_turn", [0, 90, 180, 270])
def test_turned_text_is_read_as_lines_in_order(tmp_path: Path, rotate: int, text_turn: int) -> None:
    path = _turned_page(tmp_path / "turned.pdf", rotate, text_turn)
    result = run_pipeline(path, tmp_path / "work")
    segments = segments_of(result)
    assert [s.text for s in segments] == [TITLE, BODY]
    assert segments[0].segment_type == pb.SEGMENT_TYPE_TITLE


@pytest.mark.parametrize("text_turn", [90, 270])
def test_a_sideways_page_gets_an_upright_image_and_boxes_that_match_it(tmp_path: Path, text_turn: int) -> None:
    path = _turned_page(tmp_path / "sideways.pdf", 0, text_turn)
    result = run_pipeline(path, tmp_path / "work")
    [page] = result.output.pages
    assert (page.page_width, page.page_height) == (792, 612)  # the reading frame: landscape
    image = Image.open(tmp_path / "work" / page.image)
    assert image.width > image.height
    title = segments_of(result)[0]
    assert abs(title.bbox.left - 72) < 2 and title.bbox.top < 72 < title.bbox.top + title.bbox.height
    # the title's box covers dark pixels (glyphs) in the page image
    scale = image.width / page.page_width
    b = title.bbox
    crop = image.convert("L").crop(
        (int(b.left * scale), int(b.top * scale), int((b.left + b.width) * scale), int((b.top + b.height) * scale))
    )
    assert crop.getextrema()[0] < 100


def _margin_note_page(canvas: Canvas, turn: int, note: str) -> None:
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(72, 720, TITLE)
    pdfs.paragraph(canvas, 72, 690, pdfs.words(200, 5), 460)
    canvas.saveState()
    x = 36 if turn == 90 else pdfs.WIDTH - 36
    canvas.translate(x, 250 if turn == 90 else 600)
    canvas.rotate(turn)
    canvas.setFont("Times-Roman", 20)
    canvas.drawString(0, 0, note)
    canvas.restoreState()


@pytest.mark.parametrize("turn", [90, 270])
@pytest.mark.parametrize("note", ["arXiv:2305.03393v1 [cs.CV] 5 May 2023", "PROPOSALS"])
def test_a_vertical_margin_note_is_one_page_header_not_letters(tmp_path: Path, turn: int, note: str) -> None:
    path = pdfs.build(tmp_path / "note.pdf", lambda c: _margin_note_page(c, turn, note))
    config = pb.Configuration(chunk_processing=pb.ChunkProcessing(ignore_headers_and_footers=False))
    segments = segments_of(run_pipeline(path, tmp_path / "work", config))
    notes = [s for s in segments if s.segment_type == pb.SEGMENT_TYPE_PAGE_HEADER]
    assert [s.text for s in notes] == [note]
    assert [s.text for s in segments if s.segment_type == pb.SEGMENT_TYPE_SECTION_HEADER] == [TITLE]
    assert all(len(s.text) > 2 for s in segments)  # no letter on its own


def _table_with_sideways_headers(canvas: Canvas) -> None:
    """Column headers turned 90 degrees, as in statistical tables with narrow columns."""
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(72, 720, "Results by Region")
    columns = ["Northern", "Southern", "Eastern"]
    for i, name in enumerate(columns):
        canvas.saveState()
        canvas.translate(250 + i * 60, 600)
        canvas.rotate(90)
        canvas.setFont("Helvetica", 10)
        canvas.drawString(0, 0, name)
        canvas.restoreState()
    canvas.setFont("Helvetica", 10)
    for r, label in enumerate(["Wheat", "Barley", "Oats"]):
        y = 580 - r * 16
        canvas.drawString(72, y, label)
        for i in range(3):
            canvas.drawRightString(260 + i * 60, y, str((r + 1) * (i + 2) * 11))


def test_sideways_column_headers_are_whole_words(tmp_path: Path) -> None:
    path = pdfs.build(tmp_path / "headers.pdf", _table_with_sideways_headers)
    text = " ".join(s.text for s in segments_of(run_pipeline(path, tmp_path / "work")))
    for name in ("Northern", "Southern", "Eastern"):
        assert name in text
    assert "N o r" not in text
