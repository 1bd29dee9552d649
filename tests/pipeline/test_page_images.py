"""Page images and crops, drawn by a drawing process beside the pipeline: the pages drawn
ahead of their turn (while later pages' text layers are still read) come out exactly as
a page drawn on its own does; a page that cannot be drawn fails readably; the drawing
process outlives a failed document and dies with its pipeline process. Drawn in the
pipeline process instead (when the worker's cores are all busy), every output and file
is the same, byte for byte."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from protos import tasks_pb2 as pb
from server.pipeline.geometry import Box
from server.errors import PipelineError
from server.pipeline import drawing
from server.pipeline.drawing import PageImages
from server.pipeline.images import render_page, save_crop, save_page
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


def test_crops_of_pages_whose_bitmaps_were_not_kept_are_cut_from_a_fresh_drawing_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf = pdfs.build(tmp_path / "tables.pdf", *[pdfs.ruled_table_page] * 4)
    kept = run_pipeline(pdf, tmp_path / "kept")
    monkeypatch.setattr(drawing, "KEEP", 1)  # one bitmap at a time: every other page is drawn again
    drawn_again = run_pipeline(pdf, tmp_path / "again")
    tables = [s for s in segments_of(kept) if s.segment_type == pb.SEGMENT_TYPE_TABLE]
    assert [s.page_number for s in tables] == [1, 2, 3, 4]
    assert [s.SerializeToString() for s in segments_of(drawn_again)] == [
        s.SerializeToString() for s in segments_of(kept)
    ]
    for segment in tables:
        assert (tmp_path / "again" / segment.image).read_bytes() == (tmp_path / "kept" / segment.image).read_bytes()


def test_a_page_drawn_ahead_at_another_resolution_is_drawn_again_at_the_one_asked(tmp_path: Path) -> None:
    pdf = pdfs.build(tmp_path / "one.pdf", pdfs.headings_page)
    images = PageImages(pdf, tmp_path)
    images.prepare(0, 72.0, 0)
    drawing = images.render(0, 144.0, 0, pixels=True)
    image = drawing.result().image
    assert image is not None and image.size == (1224, 1584)  # letter at 144 dpi, not 612 x 792
    images.write(drawing, [])
    images.prepare(0, 144.0, 0)  # drawn ahead and never asked for: dropped on close
    images.close()
    assert Image.open(tmp_path / "pages" / "1.jpg").size == (1224, 1584)


def _poster_page(canvas: Canvas) -> None:
    """A page 200 inches square: at 144 dpi, over the default limit on a page image's pixels
    (the pages after it in `pdfs.build` keep its size)."""
    canvas.setPageSize((14400, 14400))
    canvas.setFont("Helvetica", 400)
    canvas.drawString(1000, 12000, "Poster")


def test_a_page_too_large_to_draw_fails_readably_and_continue_skips_just_that_page(tmp_path: Path) -> None:
    pdf = pdfs.build(tmp_path / "poster.pdf", pdfs.headings_page, pdfs.two_column_page, _poster_page)
    with pytest.raises(PipelineError, match=r"^Page 3 at 144 dpi is 28,800 x 28,800 pixels, over the limit"):
        run_pipeline(pdf, tmp_path / "fail")
    result = run_pipeline(pdf, tmp_path / "continue", pb.Configuration(error_handling=pb.ERROR_HANDLING_CONTINUE))
    assert result.message.startswith("Task succeeded; skipped page 3: Page 3 at 144 dpi is 28,800 x 28,800 pixels")
    assert {s.page_number for s in segments_of(result)} == {1, 2}
    for page in (1, 2):
        image = (tmp_path / "continue" / "pages" / f"{page}.jpg").read_bytes()
        assert image == _reference(pdf, page - 1, 144.0, 0, tmp_path / f"ref{page}")


def test_after_a_failed_document_the_same_drawing_process_draws_the_next_one_right(tmp_path: Path) -> None:
    poster = pdfs.build(tmp_path / "poster.pdf", pdfs.ruled_table_page, _poster_page)
    with pytest.raises(PipelineError, match="^Page 2 at 144 dpi is 28,800 x 28,800"):
        run_pipeline(poster, tmp_path / "fail")
    before = drawing.acquire()
    drawing.release(before)
    pdf = pdfs.build(tmp_path / "two.pdf", pdfs.ruled_table_page, pdfs.headings_page)
    result = run_pipeline(pdf, tmp_path / "work")
    after = drawing.acquire()
    drawing.release(after)
    assert after.process.pid == before.process.pid and after.alive()
    for page in result.output.pages:
        reference = _reference(pdf, page.page_number - 1, 144.0, 0, tmp_path / f"ref{page.page_number}")
        assert (tmp_path / "work" / page.image).read_bytes() == reference


def test_a_drawing_process_that_dies_fails_its_pages_readably_and_a_new_one_takes_over(tmp_path: Path) -> None:
    pdf = pdfs.build(tmp_path / "one.pdf", pdfs.headings_page)
    images = PageImages(pdf, tmp_path / "work")
    dead = images._drawer.process
    dead.kill()
    dead.wait()
    with pytest.raises(PipelineError, match="The page images could not be drawn: the process drawing the page images"):
        images.render(0, 144.0, 0).result(timeout=30)
    images.close()
    result = run_pipeline(pdf, tmp_path / "again")
    assert result.message == "Task succeeded" and (tmp_path / "again" / "pages" / "1.jpg").is_file()
    drawer = drawing.acquire()
    drawing.release(drawer)
    assert drawer.process.pid != dead.pid and drawer.alive()


_PIPELINE_PROCESS = """
import sys, time
from server.pipeline import drawing
drawer = drawing.acquire()
print(drawer.process.pid, flush=True)
time.sleep(120)
"""


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")  # ended, its exit status not yet collected


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_a_killed_pipeline_process_takes_its_drawing_process_with_it() -> None:
    root = Path(__file__).resolve().parents[2]
    pipeline = subprocess.Popen([sys.executable, "-c", _PIPELINE_PROCESS], cwd=root, stdout=subprocess.PIPE, text=True)
    assert pipeline.stdout is not None
    drawer = int(pipeline.stdout.readline())
    assert not _gone(drawer)
    pipeline.kill()  # as the worker kills a pipeline process for a cancelled or stalled task
    pipeline.wait()
    for _ in range(100):
        if _gone(drawer):
            break
        time.sleep(0.1)
    assert _gone(drawer)


def _files(workdir: Path) -> dict[str, bytes]:
    return {str(path.relative_to(workdir)): path.read_bytes() for path in sorted(workdir.rglob("*")) if path.is_file()}


@pytest.mark.parametrize("high_resolution", [True, False])
def test_a_document_drawn_in_process_is_byte_for_byte_the_one_drawn_by_a_drawing_process(
    tmp_path: Path, high_resolution: bool
) -> None:
    pages = [
        _sideways_page,
        pdfs.headings_page,
        _blank_page,
        pdfs.ruled_table_page,
        pdfs.two_column_page,
        pdfs.rotated_page,
        *[pdfs.running_header_page(n) for n in range(1, 4)],
        pdfs.ruled_table_page,
    ]
    pdf = pdfs.build(tmp_path / "mixed.pdf", *pages)
    config = pb.Configuration(high_resolution=high_resolution)
    apart = run_pipeline(pdf, tmp_path / "apart", config, draw_apart=True)
    here = run_pipeline(pdf, tmp_path / "here", config, draw_apart=False)
    assert here.output.SerializeToString() == apart.output.SerializeToString()  # Markdown, HTML, boxes, JSON
    assert here.message == apart.message
    files = _files(tmp_path / "apart")
    assert len([name for name in files if name.startswith("segments/")]) >= 2  # the tables' crops, at least
    assert _files(tmp_path / "here") == files
