"""The CDLA layout model on a real page with a title, section headings, a table
and running headers: the page of an arXiv paper, rendered to an image so it
has no text layer to lean on."""

from __future__ import annotations

from pathlib import Path

import pytest

from protos import tasks_pb2 as pb
from tests.harness import CORPUS
from tests.ocr.conftest import markdown, render, score

pytestmark = pytest.mark.usefixtures("engine_installed")

PAPER = CORPUS / "pdf" / "2305.03393v1-pg9.pdf"


@pytest.fixture(scope="module")
def paper_segments() -> list[pb.Segment]:
    pytest.importorskip("rapid_layout", reason="rapid-layout is not installed")
    from server.pipeline.ocr import read_page

    page = render(PAPER)
    return read_page(page.image, 9, page.width, page.height, use_layout=True)


def test_layout_finds_the_regions_of_a_paper_page(paper_segments: list[pb.Segment]) -> None:
    types = {s.segment_type for s in paper_segments}
    assert pb.SEGMENT_TYPE_TABLE in types
    assert pb.SEGMENT_TYPE_TEXT in types
    assert types & {pb.SEGMENT_TYPE_SECTION_HEADER, pb.SEGMENT_TYPE_TITLE}
    table = next(s for s in paper_segments if s.segment_type == pb.SEGMENT_TYPE_TABLE)
    assert table.html.startswith("<table>") and table.html.count("<tr>") >= 4
    assert "enc-layers" in table.content


def test_paper_page_reads_in_order(paper_segments: list[pb.Segment], tmp_path: Path) -> None:
    figures = score(markdown(paper_segments), CORPUS / "expected" / "2305.03393v1-pg9.md", tmp_path)
    assert figures["words"] >= 0.9
    assert figures["order"] >= 0.75
    tops = [s.bbox.top for s in paper_segments if s.segment_type == pb.SEGMENT_TYPE_TEXT]
    assert tops == sorted(tops), "a single-column page reads top to bottom"


def test_geometry_only_groups_lines_into_paragraphs() -> None:
    from server.pipeline.ocr import read_page

    page = render(PAPER)
    segments = read_page(page.image, 9, page.width, page.height, use_layout=False)
    assert {s.segment_type for s in segments} == {pb.SEGMENT_TYPE_TEXT}
    lines = sum(len(s.ocr) for s in segments)
    assert 1 < len(segments) < lines / 2, "lines are grouped, but not all into one block"
