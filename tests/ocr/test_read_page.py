"""read_page on the corpus's scans: text against the reference, orientation,
layout types, and the geometry every segment promises."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from protos import tasks_pb2 as pb
from tests.harness import CORPUS
from tests.ocr.conftest import RenderedPage, markdown, render, score

pytestmark = pytest.mark.usefixtures("engine_installed")

OCR_DIR = CORPUS / "ocr"
REFERENCE = CORPUS / "expected" / "ocr_test.md"


def read(page: RenderedPage, use_layout: bool = True, number: int = 1) -> list[pb.Segment]:
    from server.pipeline.ocr import read_page

    return read_page(page.image, number, page.width, page.height, use_layout=use_layout)


def words(segments: list[pb.Segment]) -> list[str]:
    return " ".join(s.content for s in segments).lower().split()


@pytest.fixture(scope="module")
def upright() -> RenderedPage:
    return render(OCR_DIR / "ocr_test.pdf")


@pytest.mark.parametrize("use_layout", [True, False], ids=["layout", "geometry"])
def test_scan_reads_as_its_reference(upright: RenderedPage, use_layout: bool, tmp_path: Path) -> None:
    segments = read(upright, use_layout)
    assert score(markdown(segments), REFERENCE, tmp_path)["words"] >= 0.9
    assert all(s.segment_type == pb.SEGMENT_TYPE_TEXT for s in segments)


def test_upside_down_copy_gives_the_same_text(upright: RenderedPage, tmp_path: Path) -> None:
    rotated = render(OCR_DIR / "ocr_test_rotated_180.pdf")
    turned, straight = read(rotated), read(upright)
    assert score(markdown(turned), REFERENCE, tmp_path)["order"] >= 0.9
    assert words(turned) == words(straight)
    # boxes stay in the frame of the image passed in: the text that is at the
    # top of the upright page is at the bottom of the upside-down one
    assert straight[0].bbox.top < upright.height / 3
    assert turned[0].bbox.top + turned[0].bbox.height > 2 * rotated.height / 3


@pytest.mark.parametrize("transpose", [Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_270], ids=["90", "270"])
def test_page_on_its_side_is_read_upright(upright: RenderedPage, transpose: Image.Transpose, tmp_path: Path) -> None:
    side = RenderedPage(upright.image.transpose(transpose), upright.height, upright.width)
    segments = read(side)
    assert score(markdown(segments), REFERENCE, tmp_path)["order"] >= 0.9
    assert words(segments) == words(read(upright))
    box = segments[0].bbox
    # the text block of a portrait page, turned, is taller than it is wide
    assert box.height > box.width
    assert box.left >= 0 and box.left + box.width <= side.width + 1


def test_webp_image_yields_text_segments(tmp_path: Path) -> None:
    from server.pipeline.ocr import read_page

    image = Image.open(OCR_DIR / "webp-test.webp")
    width, height = image.width * 72 / 200, image.height * 72 / 200
    segments = read_page(image, 3, width, height)
    assert segments and all(s.segment_type == pb.SEGMENT_TYPE_TEXT for s in segments)
    # the WebP is a photo of the same sentence as the PDF scan
    assert score(markdown(segments), REFERENCE, tmp_path)["words"] >= 0.9
    assert {s.page_number for s in segments} == {3}


def test_segments_keep_their_promises(upright: RenderedPage) -> None:
    first, again = read(upright), read(upright)
    assert [s.segment_id for s in first] == [s.segment_id for s in again]
    assert len({s.segment_id for s in first}) == len(first)
    for segment in first:
        box = segment.bbox
        assert (segment.page_width, segment.page_height) == pytest.approx((upright.width, upright.height))
        assert box.left >= 0 and box.left + box.width <= upright.width + 1
        assert box.top >= 0 and box.top + box.height <= upright.height + 1
        assert segment.text == segment.content
        assert 0 < segment.confidence <= 1
        assert segment.ocr, "a text segment carries its OCR lines"
        for line in segment.ocr:
            assert line.text and line.text in segment.content
            assert 0.5 <= line.confidence <= 1
            # line boxes are page-relative and lie inside their segment
            assert box.left - 1 <= line.bbox.left and line.bbox.left + line.bbox.width <= box.left + box.width + 1
            assert box.top - 1 <= line.bbox.top and line.bbox.top + line.bbox.height <= box.top + box.height + 1


def test_resolution_does_not_change_what_is_read() -> None:
    """Boxes are in points whatever the DPI the pipeline renders at."""
    low, high = render(OCR_DIR / "ocr_test.pdf", dpi=100), render(OCR_DIR / "ocr_test.pdf", dpi=300)
    a, b = read(low), read(high)
    assert words(a) == words(b)
    assert a[0].bbox.left == pytest.approx(b[0].bbox.left, abs=6)
    assert a[0].bbox.top == pytest.approx(b[0].bbox.top, abs=6)


@pytest.mark.parametrize("use_layout", [True, False], ids=["layout", "geometry"])
def test_blank_page_has_no_segments(use_layout: bool) -> None:
    blank = RenderedPage(Image.new("L", (1240, 1754), 255), 595.0, 842.0)
    assert read(blank, use_layout) == []
