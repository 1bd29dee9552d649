"""Scans as they come off a scanner: fed in at a slant, turned on the glass,
gray with JPEG artefacts or thresholded to black and white, at 150 to 300 dpi.
Each is an image-only PDF generated in the test, rendered by pdfium and handed
to `read_page`, as the pipeline does."""

from __future__ import annotations

import random
from difflib import SequenceMatcher
from pathlib import Path

import pytest
from PIL import Image

from protos import tasks_pb2 as pb
from tests.ocr.conftest import RenderedPage, render
from tests.ocr.scans import LEFT_COLUMN, RIGHT_COLUMN, SENTENCES, degraded_scan, paragraph, two_columns
from tests.ocr.test_generated_scans import tokens, word_f1

pytestmark = pytest.mark.usefixtures("engine_installed")

# (skew in degrees, colour mode, dpi, font, size): both directions, both modes, low and high resolution
SLANTS = [
    (2.5, "gray", 200, "Times-Roman", 12),
    (-3.5, "bilevel", 300, "Helvetica", 11),
    (1.2, "bilevel", 150, "Courier", 11),
    (-4.0, "gray", 150, "Times-Roman", 13),
]


def read(page: RenderedPage) -> list[pb.Segment]:
    from server.pipeline.ocr import read_page

    return read_page(page.image, 1, page.width, page.height)


def lines_of(segments: list[pb.Segment]) -> list[str]:
    return [line.text for segment in segments for line in segment.ocr]


@pytest.mark.parametrize(
    "skew, mode, dpi, font, size", SLANTS, ids=[f"{s:+}deg-{m}-{d}dpi" for s, m, d, _, _ in SLANTS]
)
def test_a_page_scanned_at_a_slant_reads_line_by_line(
    skew: float, mode: str, dpi: int, font: str, size: int, tmp_path: Path
) -> None:
    rng = random.Random(f"{skew}{mode}")
    page = render(degraded_scan(tmp_path, paragraph(SENTENCES, font, size), rng, skew, mode, dpi))
    segments = read(page)
    found, expected = tokens(" ".join(s.content for s in segments)), tokens(" ".join(SENTENCES))
    assert word_f1(found, expected) >= 0.9, found
    # a slanted line stays one line, read in its place: lines are not cut in
    # pieces that sort among their neighbours' words
    assert SequenceMatcher(None, found, expected, autojunk=False).ratio() >= 0.9, found
    # boxes stay in the frame of the image passed in
    for segment in segments:
        assert segment.bbox.left >= 0 and segment.bbox.left + segment.bbox.width <= page.width + 1
        assert segment.bbox.top >= 0 and segment.bbox.top + segment.bbox.height <= page.height + 1


@pytest.mark.parametrize("turn", [Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_270], ids=["90", "270"])
def test_a_slanted_page_scanned_on_its_side_reads_upright(turn: Image.Transpose, tmp_path: Path) -> None:
    rng = random.Random(str(turn))
    page = render(degraded_scan(tmp_path, paragraph(SENTENCES, "Helvetica", 11), rng, -2.0, "gray"))
    side = RenderedPage(page.image.transpose(turn), page.height, page.width)
    found = tokens(" ".join(s.content for s in read(side)))
    assert word_f1(found, tokens(" ".join(SENTENCES))) >= 0.9, found
    assert found[:4] == tokens(SENTENCES[0])[:4], "read from the top of the upright page"


def _column_by_column(found: list[str]) -> bool:
    left, right = set(tokens(" ".join(LEFT_COLUMN))), set(tokens(" ".join(RIGHT_COLUMN)))
    left_last = max(i for i, t in enumerate(found) if t in left - right)
    right_first = min(i for i, t in enumerate(found) if t in right - left)
    return left_last < right_first


@pytest.mark.parametrize("skew", [0.0, 1.5, -3.0])
@pytest.mark.parametrize("font, size", [("Times-Roman", 12), ("Helvetica", 11)], ids=["times", "helvetica"])
def test_two_slanted_columns_read_one_after_the_other(skew: float, font: str, size: int, tmp_path: Path) -> None:
    rng = random.Random(f"{skew}{font}")
    page = render(degraded_scan(tmp_path, two_columns(font, size), rng, skew, "gray"))
    found = tokens(" ".join(s.content for s in read(page)))
    assert word_f1(found, tokens(" ".join(LEFT_COLUMN + RIGHT_COLUMN))) >= 0.9, found
    assert _column_by_column(found), found


@pytest.mark.parametrize("font, size", [("Times-Roman", 10), ("Helvetica", 10), ("Times-Roman", 12)])
def test_columns_under_a_centred_byline_a_narrow_gutter_apart_read_one_after_the_other(
    font: str, size: int, tmp_path: Path
) -> None:
    """LaTeX sets two columns 10 pt apart, under a line height: detection runs
    lines of both columns together, and a byline centred over the page
    reaches into both. Neither may make the page read across."""
    rng = random.Random(f"{font}{size}")
    draw = two_columns(font, size, gutter=size, byline="Ada Lovelace and Niels Bohr")
    page = render(degraded_scan(tmp_path, draw, rng, 0.0, "gray"))
    segments = read(page)
    found = tokens(" ".join(s.content for s in segments))
    assert found[:3] == ["ada", "lovelace", "and"], found
    assert _column_by_column(found[6:]), found
    assert all("frost bridges" not in line.lower() for line in lines_of(segments)), "a line runs across the gutter"
