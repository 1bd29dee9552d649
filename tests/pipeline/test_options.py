"""Chunkr's per-type options and strategies as the pipeline applies them."""

from __future__ import annotations

from pathlib import Path

import pytest

from protos import tasks_pb2 as pb
from tests.pipeline import pdfs
from tests.pipeline.support import of_type, run_pipeline, segments_of


@pytest.fixture
def table_pdf(tmp_path: Path) -> Path:
    return pdfs.build(tmp_path / "table.pdf", pdfs.ruled_table_page)


def test_ignore_leaves_a_segment_type_out(table_pdf: Path, tmp_path: Path) -> None:
    config = pb.Configuration()
    config.segment_processing.table.strategy = pb.GENERATION_STRATEGY_IGNORE
    result = run_pipeline(table_pdf, tmp_path / "work", config)
    assert not of_type(result, pb.SEGMENT_TYPE_TABLE)
    assert of_type(result, pb.SEGMENT_TYPE_TEXT)


def test_format_markdown_puts_markdown_in_content(table_pdf: Path, tmp_path: Path) -> None:
    config = pb.Configuration()
    config.segment_processing.table.format = pb.SEGMENT_FORMAT_MARKDOWN
    [table] = of_type(run_pipeline(table_pdf, tmp_path / "work", config), pb.SEGMENT_TYPE_TABLE)
    assert table.content == table.markdown and table.content.startswith("| Metal |")


def test_crop_all_crops_text_segments_and_auto_does_not(table_pdf: Path, tmp_path: Path) -> None:
    default = run_pipeline(table_pdf, tmp_path / "auto")
    assert all(not s.image for s in of_type(default, pb.SEGMENT_TYPE_TEXT))
    config = pb.Configuration()
    config.segment_processing.text.crop_image = pb.CROPPING_STRATEGY_ALL
    cropped = run_pipeline(table_pdf, tmp_path / "all", config)
    texts = of_type(cropped, pb.SEGMENT_TYPE_TEXT)
    assert texts and all(s.image.startswith("segments/") and (tmp_path / "all" / s.image).is_file() for s in texts)


def test_high_resolution_false_renders_pages_at_72_dpi(table_pdf: Path, tmp_path: Path) -> None:
    result = run_pipeline(table_pdf, tmp_path / "work", pb.Configuration(high_resolution=False))
    assert [p.dpi for p in result.output.pages] == [72]


def test_page_strategy_gives_one_segment_per_page_with_structure(table_pdf: Path, tmp_path: Path) -> None:
    config = pb.Configuration(segmentation_strategy=pb.SEGMENTATION_STRATEGY_PAGE)
    segments = segments_of(run_pipeline(table_pdf, tmp_path / "work", config))
    assert [s.segment_type for s in segments] == [pb.SEGMENT_TYPE_PAGE]
    assert "| Copper | 8.96 | 1085 |" in segments[0].markdown
    assert segments[0].bbox.width == 612 and segments[0].bbox.height == 792


def test_images_become_one_page_pdfs(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "blank.png"
    Image.new("RGB", (300, 200), "white").save(path)
    result = run_pipeline(path, tmp_path / "work")
    assert result.output.page_count == 1 and result.pdf_path is not None and result.pdf_path.suffix == ".pdf"
    assert result.output.mime_type == "image/png"
