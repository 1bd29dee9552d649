"""PowerPoint decks read natively (LibreOffice switched off): slides are pages, the
slide title is the page's Title, bullets keep their level, tables their spans."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pptx.util import Inches, Pt

from protos import tasks_pb2 as pb
from tests.pipeline.office_files import deck_file, png
from tests.pipeline.support import of_type, run_pipeline, segments_of

TITLE_AND_CONTENT, TITLE_ONLY, BLANK = 1, 5, 6  # layouts of python-pptx's default template


@pytest.fixture(autouse=True)
def no_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHUNKD_SOFFICE", "off")


def test_each_slide_is_a_page_with_its_title_first_and_bullets_nested_by_level(tmp_path: Path) -> None:
    def build(deck) -> None:  # type: ignore[no-untyped-def]
        slide = deck.slides.add_slide(deck.slide_layouts[TITLE_AND_CONTENT])
        slide.shapes.title.text = "Quarterly plan"
        body = slide.placeholders[1].text_frame
        body.text = "Hire"
        for text, level in (("Two engineers", 1), ("One designer", 1), ("Ship", 0)):
            paragraph = body.add_paragraph()
            paragraph.text, paragraph.level = text, level
        second = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
        second.shapes.title.text = "Risks"

    result = run_pipeline(deck_file(tmp_path / "plan.pptx", build), tmp_path / "work")
    assert result.output.page_count == 2
    assert [(s.page_number, s.markdown) for s in of_type(result, pb.SEGMENT_TYPE_TITLE)] == [
        (1, "# Quarterly plan"),
        (2, "# Risks"),
    ]
    assert [s.markdown for s in of_type(result, pb.SEGMENT_TYPE_LIST_ITEM)] == [
        "- Hire",
        "    - Two engineers",
        "    - One designer",
        "- Ship",
    ]
    width, height = 720.0, 540.0  # the default 10 x 7.5 inch slide, in points
    assert all((s.page_width, s.page_height) == (width, height) for s in segments_of(result))


def test_text_boxes_read_in_rows_top_to_bottom_and_left_to_right(tmp_path: Path) -> None:
    def build(deck) -> None:  # type: ignore[no-untyped-def]
        slide = deck.slides.add_slide(deck.slide_layouts[BLANK])
        for text, left, top in (("right column", 5, 1.02), ("left column", 1, 1.0), ("footer note", 1, 5)):
            box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(3), Inches(1))
            box.text_frame.text = text

    result = run_pipeline(deck_file(tmp_path / "columns.pptx", build), tmp_path / "work")
    assert [s.text for s in segments_of(result)] == ["left column", "right column", "footer note"]


def test_a_slide_table_keeps_its_merged_cells_and_a_picture_its_image(tmp_path: Path) -> None:
    def build(deck) -> None:  # type: ignore[no-untyped-def]
        slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
        slide.shapes.title.text = "Results"
        table = slide.shapes.add_table(3, 3, Inches(0.5), Inches(1.5), Inches(6), Inches(2)).table
        for r in range(3):
            for c in range(3):
                table.cell(r, c).text = f"r{r}c{c}"
        table.cell(0, 0).merge(table.cell(0, 1))
        table.cell(0, 0).text = "Both groups"
        table.cell(1, 2).merge(table.cell(2, 2))
        table.cell(1, 2).text = "Pooled"
        slide.shapes.add_picture(io.BytesIO(png()), Inches(7), Inches(5), width=Inches(1))
        note = slide.shapes.add_textbox(Inches(0.5), Inches(6.5), Inches(4), Inches(0.5))
        note.text_frame.text = "Source: survey"
        note.text_frame.paragraphs[0].runs[0].font.size = Pt(10)

    work = tmp_path / "work"
    result = run_pipeline(deck_file(tmp_path / "table.pptx", build), work)
    (table,) = of_type(result, pb.SEGMENT_TYPE_TABLE)
    assert '<th colspan="2">Both groups</th>' in table.html and '<td rowspan="2">Pooled</td>' in table.html
    (figure,) = of_type(result, pb.SEGMENT_TYPE_PICTURE)
    assert figure.image and (work / figure.image).is_file()
    kinds = [s.segment_type for s in segments_of(result)]
    assert kinds == [pb.SEGMENT_TYPE_TITLE, pb.SEGMENT_TYPE_TABLE, pb.SEGMENT_TYPE_PICTURE, pb.SEGMENT_TYPE_TEXT]


def test_a_deck_without_slides_succeeds_empty(tmp_path: Path) -> None:
    result = run_pipeline(deck_file(tmp_path / "empty.pptx", lambda deck: None), tmp_path / "work")
    assert segments_of(result) == [] and result.output.page_count == 0


def test_a_chart_is_a_picture_named_by_its_title_then_its_data_and_hidden_slides_are_skipped(tmp_path: Path) -> None:
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE

    def build(deck) -> None:  # type: ignore[no-untyped-def]
        slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
        slide.shapes.title.text = "Sales"
        data = CategoryChartData()
        data.categories = ["Q1", "Q2"]
        data.add_series("North", (12, 15.5))
        chart = slide.shapes.add_chart(
            XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(2), Inches(6), Inches(4), data
        ).chart
        chart.has_title = True
        chart.chart_title.text_frame.text = "Units sold"
        hidden = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
        hidden.shapes.title.text = "Draft numbers"
        hidden._element.set("show", "0")

    result = run_pipeline(deck_file(tmp_path / "chart.pptx", build), tmp_path / "work")
    assert [s.markdown for s in segments_of(result)] == [
        "# Sales",
        "Bar chart: Units sold",
        "|  | North |\n| --- | --- |\n| Q1 | 12 |\n| Q2 | 15.5 |",
    ]
    assert result.message.startswith("Task succeeded; skipped hidden slide 2")
