"""Page images and crops: the pages drawn ahead of their turn (while later pages' text
layers are still read) come out exactly as the pages drawn in turn do."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from protos import tasks_pb2 as pb
from server.pipeline.geometry import Box
from server.pipeline.images import PageImages, render_page, save_crop, save_page
from tests.pipeline import pdfs
from tests.pipeline.support import run_pipeline, segments_of


def _sideways_page(canvas: Canvas) -> None:
    """A portrait page without /Rotate whose text is all set turned a quarter: its image
    is drawn turned so that the text reads upright."""
    canvas.saveState()
    canvas.translate(pdfs.WIDTH, 0)
    canvas.rotate(90)
    canvas.setFont("Helvetica-Bold", 18)
    canvas.drawString(72, 500, "Sideways Ledger")
    pdfs.paragraph(canvas, 72, 470, pdfs.words(80), 620)
    canvas.restoreState()


def _blank_page(canvas: Canvas) -> None:
    canvas.setFont("Helvetica", 10)  # nothing drawn: no text layer, so it is drawn at OCR resolution


def _reference(pdf: Path, index: int, dpi: float, rotation: int, workdir: Path) -> bytes:
    """The page image written straight from a fresh drawing of page `index`."""
    document = pdfium.PdfDocument(str(pdf))
    try:
        image = render_page(document, index, dpi, rotation)
    finally:
        document.close()
    return (workdir / save_page(image, index + 1, dpi, workdir).path).read_bytes()


def test_pages_drawn_ahead_and_in_turn_are_the_pages_drawn_on_their_own(tmp_path: Path) -> None:
    pdf = pdfs.build(
        tmp_path / "mixed.pdf",
        _sideways_page,
        _blank_page,
        pdfs.ruled_table_page,
        pdfs.headings_page,
        pdfs.two_column_page,
    )
    result = run_pipeline(pdf, tmp_path / "work")
    pages = list(result.output.pages)
    assert [p.dpi for p in pages] == [144, 200, 144, 144, 144]
    sideways = Image.open(tmp_path / "work" / pages[0].image)
    assert sideways.width > sideways.height  # drawn turned: the stored page is portrait
    for index, page in enumerate(pages):
        rotation = 90 if index == 0 else 0  # a quarter turn clockwise brings the text upright
        reference = _reference(pdf, index, page.dpi, rotation, tmp_path / f"ref{index}")
        assert (tmp_path / "work" / page.image).read_bytes() == reference, f"page {index + 1}"


def test_a_table_crop_is_cut_from_the_page_image_it_belongs_to(tmp_path: Path) -> None:
    pdf = pdfs.build(tmp_path / "tables.pdf", pdfs.headings_page, pdfs.headings_page, pdfs.ruled_table_page)
    result = run_pipeline(pdf, tmp_path / "work")
    (table,) = [s for s in segments_of(result) if s.segment_type == pb.SEGMENT_TYPE_TABLE]
    assert table.page_number == 3  # drawn in turn, after the two pages drawn ahead
    document = pdfium.PdfDocument(str(pdf))
    try:
        page = save_page(render_page(document, 2, 144.0), 3, 144.0, tmp_path / "ref")
    finally:
        document.close()
    b = table.bbox
    save_crop(page, Box(b.left, b.top, b.left + b.width, b.top + b.height), "table", tmp_path / "ref")
    assert (tmp_path / "work" / table.image).read_bytes() == (tmp_path / "ref" / "segments" / "table.jpg").read_bytes()


def test_a_page_drawn_ahead_at_another_resolution_is_drawn_again_at_the_one_asked(tmp_path: Path) -> None:
    pdf = pdfs.build(tmp_path / "one.pdf", pdfs.headings_page)
    document = pdfium.PdfDocument(str(pdf))
    try:
        images = PageImages(document, tmp_path)
        images.prepare(0, 72.0, 0)
        drawing = images.render(0, 144.0, 0)
        assert drawing.result().image.size == (1224, 1584)  # letter at 144 dpi, not 612 x 792
        images.write(drawing, [])
        images.prepare(0, 144.0, 0)  # drawn ahead and never asked for: freed on close
        images.close()
    finally:
        document.close()
    assert Image.open(tmp_path / "pages" / "1.jpg").size == (1224, 1584)


def test_pages_kept_from_the_text_pass_are_at_most_depth_and_closed_when_never_drawn(tmp_path: Path) -> None:
    pdf = pdfs.build(tmp_path / "three.pdf", pdfs.headings_page, pdfs.headings_page, pdfs.two_column_page)
    document = pdfium.PdfDocument(str(pdf))
    try:
        images = PageImages(document, tmp_path / "work", depth=2)
        pages = [document[index] for index in range(3)]
        with images.pdfium_lock:
            kept = [images.hold(index, page) for index, page in enumerate(pages)]
        assert kept == [True, True, False]  # the third is the caller's to close
        pages[2].close()
        images.close()
        assert [page.raw for page in pages[:2]] == [None, None]
    finally:
        document.close()


def test_a_kept_page_is_drawn_as_a_freshly_loaded_one(tmp_path: Path) -> None:
    pdf = pdfs.build(tmp_path / "one.pdf", pdfs.two_column_page)
    document = pdfium.PdfDocument(str(pdf))
    try:
        images = PageImages(document, tmp_path / "work", depth=2)
        with images.pdfium_lock:
            assert images.hold(0, document[0])
        drawing = images.render(0, 144.0, 0)
        images.write(drawing, [])
        images.close()
    finally:
        document.close()
    assert (tmp_path / "work" / "pages" / "1.jpg").read_bytes() == _reference(pdf, 0, 144.0, 0, tmp_path / "ref")
