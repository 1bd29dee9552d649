"""OCR of scans generated in the test: English word spaces kept, pages turned
a quarter, half or three quarters read upright, two columns read one after the
other. Each is an image-only PDF, read as the pipeline reads it: rendered by
pdfium and handed to `read_page`."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from protos import tasks_pb2 as pb
from tests.ocr.conftest import RenderedPage, render
from tests.ocr.scans import LEFT_COLUMN, RIGHT_COLUMN, SENTENCES, paragraph, scan, two_columns

pytestmark = pytest.mark.usefixtures("engine_installed")

FONTS = [("Helvetica", 11), ("Times-Roman", 12), ("Courier", 10), ("Helvetica-Bold", 14)]


def read(page: RenderedPage, use_layout: bool = True) -> list[pb.Segment]:
    from server.pipeline.ocr import read_page

    return read_page(page.image, 1, page.width, page.height, use_layout=use_layout)


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def word_f1(found: list[str], expected: list[str]) -> float:
    common = sum((Counter(found) & Counter(expected)).values())
    if not common:
        return 0.0
    precision, recall = common / len(found), common / len(expected)
    return 2 * precision * recall / (precision + recall)


@pytest.mark.parametrize("font, size", FONTS, ids=[f"{f}-{s}" for f, s in FONTS])
def test_english_words_keep_their_spaces(font: str, size: int, tmp_path: Path) -> None:
    page = render(scan(tmp_path, paragraph(SENTENCES, font, size)))
    segments = read(page)
    found = tokens(" ".join(s.content for s in segments))
    expected = tokens(" ".join(SENTENCES))
    # a dropped space fuses two words into one that matches neither
    assert word_f1(found, expected) >= 0.95, found
    assert max(len(t) for t in found) <= max(len(t) for t in expected) + 2, "words run together"
    for segment in segments:
        for line in segment.ocr:
            assert "  " not in line.text


@pytest.mark.parametrize(
    "transpose",
    [Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180, Image.Transpose.ROTATE_270],
    ids=["90", "180", "270"],
)
def test_turned_scan_reads_as_the_upright_one(transpose: Image.Transpose, tmp_path: Path) -> None:
    upright = render(scan(tmp_path, paragraph(SENTENCES, "Times-Roman", 12)))
    turned_image = upright.image.transpose(transpose)
    sideways = transpose != Image.Transpose.ROTATE_180
    size = (upright.height, upright.width) if sideways else (upright.width, upright.height)
    turned = RenderedPage(turned_image, *size)
    straight_words, turned_words = tokens(" ".join(s.content for s in read(upright))), None
    segments = read(turned)
    turned_words = tokens(" ".join(s.content for s in segments))
    assert word_f1(turned_words, tokens(" ".join(SENTENCES))) >= 0.95
    assert turned_words == straight_words, "the same words in the same order"
    for segment in segments:
        box = segment.bbox
        assert box.left >= 0 and box.left + box.width <= turned.width + 1
        assert box.top >= 0 and box.top + box.height <= turned.height + 1
        if sideways:
            assert box.height > box.width, "a block of lines on its side is taller than wide"


@pytest.mark.parametrize("use_layout", [True, False], ids=["layout", "geometry"])
@pytest.mark.parametrize("font, size", [("Helvetica", 11), ("Times-Roman", 13)], ids=["helvetica", "times"])
def test_two_column_scan_reads_column_by_column(font: str, size: int, use_layout: bool, tmp_path: Path) -> None:
    page = render(scan(tmp_path, two_columns(font, size)))
    found = tokens(" ".join(s.content for s in read(page, use_layout)))
    left, right = tokens(" ".join(LEFT_COLUMN)), tokens(" ".join(RIGHT_COLUMN))
    assert word_f1(found, left + right) >= 0.95
    # the columns' lines share baselines: reading across would interleave them
    left_last = max(i for i, t in enumerate(found) if t in set(left) - set(right))
    right_first = min(i for i, t in enumerate(found) if t in set(right) - set(left))
    assert left_last < right_first, found


def test_scanned_pdf_task_output_keeps_word_spaces(tmp_path: Path) -> None:
    """Through the pipeline a task runs: the image-only PDF has no text layer,
    so its page is OCR'd and the chunks carry the sentences word for word."""
    from server.configuration import defaults
    from server.pipeline import detect, process

    path = scan(tmp_path, paragraph(SENTENCES, "Times-Roman", 11))
    result = process(path, detect.PDF, defaults(), tmp_path / "work", lambda *_: None)
    segments = [s for chunk in result.output.chunks for s in chunk.segments]
    assert segments and all(s.ocr for s in segments), "the text comes from OCR"
    found = tokens(" ".join(s.content for s in segments))
    assert word_f1(found, tokens(" ".join(SENTENCES))) >= 0.95, found
