"""Defects found on real documents (package manuals, papers, reports) that nobody tuned
for, each rebuilt here from how such documents are made, with variations."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from protos import tasks_pb2 as pb
from tests.pipeline.pdfs import HEIGHT, WIDTH, build, paragraph, words
from tests.pipeline.support import run_pipeline, segments_of


def _picture(width: int, height: int) -> ImageReader:
    image = Image.new("RGB", (width, height))
    for x in range(width):
        for y in range(height):
            image.putpixel((x, y), (x * 255 // width, y * 255 // height, 128))
    return ImageReader(image)


@pytest.mark.parametrize("subtitle", [False, True])
@pytest.mark.parametrize("picture_width", [220.0, 400.0])
def test_a_title_page_with_a_picture_under_the_title_reads(
    tmp_path: Path, subtitle: bool, picture_width: float
) -> None:
    """A manual's cover: the title, perhaps a subtitle, then a picture centred under it.
    The row under the title holds no text line, so it is no byline, and the page reads."""

    def cover(canvas: Canvas) -> None:
        top = HEIGHT - 110
        canvas.setFont("Helvetica-Bold", 26)
        canvas.drawCentredString(WIDTH / 2, top, "Harbour Records Users Guide")
        if subtitle:
            canvas.setFont("Helvetica", 12)
            canvas.drawCentredString(WIDTH / 2, top - 24, "Typesetting station reports with the records package")
            top -= 24
        height = picture_width * 0.6
        canvas.drawImage(_picture(40, 24), (WIDTH - picture_width) / 2, top - 20 - height, picture_width, height)
        paragraph(canvas, 72, top - 60 - height, words(80), WIDTH - 144)

    segments = segments_of(run_pipeline(build(tmp_path / "cover.pdf", cover), tmp_path / "work"))
    kinds = {s.segment_type for s in segments}
    assert pb.SEGMENT_TYPE_PICTURE in kinds
    assert any("Harbour Records Users Guide" in s.text for s in segments)
    assert any(words(80) in " ".join(s.text.split()) for s in segments)
