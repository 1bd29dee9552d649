"""Word documents read natively (LibreOffice switched off): structure from styles,
numbering, table grids, embedded pictures, page breaks, headers and footers."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx.enum.style import WD_STYLE_TYPE
from PIL import Image

from protos import tasks_pb2 as pb
from tests.pipeline.office_files import footnote, picture, word_file
from tests.pipeline.support import markdown_of, of_type, run_pipeline, segments_of


@pytest.fixture(autouse=True)
def no_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHUNKD_SOFFICE", "off")


def test_title_and_heading_styles_give_title_and_section_headers_by_outline_level(tmp_path: Path) -> None:
    def build(document) -> None:  # type: ignore[no-untyped-def]
        document.add_heading("Annual report", level=0)  # the Title style
        document.add_paragraph("A subtitle is not a heading", style="Subtitle")
        document.add_heading("Revenue", level=1)
        document.add_paragraph("Body text under revenue.")
        document.add_heading("By region", level=3)
        custom = document.styles.add_style("Chapter Heading", WD_STYLE_TYPE.PARAGRAPH)
        custom.base_style = document.styles["Heading 2"]
        document.add_paragraph("Styled after heading two", style="Chapter Heading")

    result = run_pipeline(word_file(tmp_path / "headings.docx", build), tmp_path / "work")
    assert [s.markdown for s in of_type(result, pb.SEGMENT_TYPE_TITLE)] == ["# Annual report"]
    assert [s.markdown for s in of_type(result, pb.SEGMENT_TYPE_SECTION_HEADER)] == [
        "## Revenue",
        "#### By region",
        "### Styled after heading two",
    ]
    assert "A subtitle is not a heading" in [s.text for s in of_type(result, pb.SEGMENT_TYPE_TEXT)]


def test_nested_bullets_and_numbers_keep_their_depth_and_count(tmp_path: Path) -> None:
    def build(document) -> None:  # type: ignore[no-untyped-def]
        document.add_paragraph("Fruit", style="List Bullet")
        document.add_paragraph("Apple", style="List Bullet 2")
        document.add_paragraph("Cox", style="List Bullet 3")
        document.add_paragraph("Pear", style="List Bullet 2")
        document.add_paragraph("Vegetables", style="List Bullet")
        document.add_paragraph("Steps follow.")
        for step in ("Wash", "Cut", "Cook"):
            document.add_paragraph(step, style="List Number")

    result = run_pipeline(word_file(tmp_path / "lists.docx", build), tmp_path / "work")
    items = [s.markdown for s in of_type(result, pb.SEGMENT_TYPE_LIST_ITEM)]
    assert items == [
        "- Fruit",
        "    - Apple",
        "        - Cox",
        "    - Pear",
        "- Vegetables",
        "1. Wash",
        "2. Cut",
        "3. Cook",
    ]
    apple = of_type(result, pb.SEGMENT_TYPE_LIST_ITEM)[1]
    assert apple.html == "<ul><li><ul><li>Apple</li></ul></li></ul>"


def test_merged_cells_become_colspan_and_rowspan(tmp_path: Path) -> None:
    def build(document) -> None:  # type: ignore[no-untyped-def]
        table = document.add_table(rows=3, cols=3)
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row.cells):
                cell.text = f"r{r}c{c}"
        table.cell(0, 0).merge(table.cell(0, 1)).text = "wide"
        table.cell(1, 2).merge(table.cell(2, 2)).text = "tall"

    result = run_pipeline(word_file(tmp_path / "merged.docx", build), tmp_path / "work")
    (table,) = of_type(result, pb.SEGMENT_TYPE_TABLE)
    assert '<th colspan="2">wide</th>' in table.html
    assert '<td rowspan="2">tall</td>' in table.html
    assert table.markdown.splitlines()[0] == "| wide | wide | r0c2 |"
    assert table.markdown.splitlines()[-1] == "| r2c0 | r2c1 |  |"  # a row span gives its text to its first row


def test_an_embedded_picture_is_a_picture_segment_with_its_image_stored(tmp_path: Path) -> None:
    def build(document) -> None:  # type: ignore[no-untyped-def]
        document.add_paragraph("Before the figure.")
        picture(document)
        document.add_paragraph("Figure 1: a blue rectangle", style="Caption")

    work = tmp_path / "work"
    result = run_pipeline(word_file(tmp_path / "picture.docx", build), work)
    kinds = [s.segment_type for s in segments_of(result)]
    assert kinds == [pb.SEGMENT_TYPE_TEXT, pb.SEGMENT_TYPE_PICTURE, pb.SEGMENT_TYPE_CAPTION]
    (figure,) = of_type(result, pb.SEGMENT_TYPE_PICTURE)
    assert figure.image == f"segments/{figure.segment_id}.jpg"
    with Image.open(work / figure.image) as stored:
        assert stored.size == (120, 80) and stored.format == "JPEG"


def test_page_breaks_number_the_pages_and_headers_and_footers_frame_each_page(tmp_path: Path) -> None:
    def build(document) -> None:  # type: ignore[no-untyped-def]
        section = document.sections[0]
        section.header.paragraphs[0].text = "ACME confidential"
        section.footer.paragraphs[0].text = "Printed for review"
        document.add_paragraph("First page text.")
        document.add_page_break()
        document.add_paragraph("Second page text.")

    config = pb.Configuration(chunk_processing=pb.ChunkProcessing(ignore_headers_and_footers=False))
    result = run_pipeline(word_file(tmp_path / "pages.docx", build), tmp_path / "work", config)
    assert result.output.page_count == 2
    placed = [(s.page_number, pb.SegmentType.Name(s.segment_type), s.text) for s in segments_of(result)]
    assert placed == [
        (1, "SEGMENT_TYPE_PAGE_HEADER", "ACME confidential"),
        (1, "SEGMENT_TYPE_TEXT", "First page text."),
        (1, "SEGMENT_TYPE_PAGE_FOOTER", "Printed for review"),
        (2, "SEGMENT_TYPE_PAGE_HEADER", "ACME confidential"),
        (2, "SEGMENT_TYPE_TEXT", "Second page text."),
        (2, "SEGMENT_TYPE_PAGE_FOOTER", "Printed for review"),
    ]
    assert all(s.page_width == pytest.approx(612) and s.page_height == pytest.approx(792) for s in segments_of(result))
    default = run_pipeline(tmp_path / "pages.docx", tmp_path / "work2")
    assert "ACME" not in markdown_of(default)  # headers and footers are left out by default


def test_an_empty_document_succeeds_with_one_empty_page(tmp_path: Path) -> None:
    result = run_pipeline(word_file(tmp_path / "empty.docx", lambda document: None), tmp_path / "work")
    assert result.output.page_count == 1
    assert segments_of(result) == []
    assert result.message.startswith("Task succeeded; read without LibreOffice")


def test_numbering_levels_nest_and_a_deeper_level_does_not_advance_the_outer_count(tmp_path: Path) -> None:
    def build(document) -> None:  # type: ignore[no-untyped-def]
        numbered_list = document.styles["List Number"].element.pPr.numPr.numId.val
        for text, level in (("Prepare", 0), ("Gather tools", 1), ("Clear the bench", 1), ("Assemble", 0)):
            paragraph = document.add_paragraph(text)
            numbering = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            numbering.get_or_add_ilvl().val = level
            numbering.get_or_add_numId().val = numbered_list

    result = run_pipeline(word_file(tmp_path / "levels.docx", build), tmp_path / "work")
    items = [s.markdown for s in of_type(result, pb.SEGMENT_TYPE_LIST_ITEM)]
    assert items[0] == "1. Prepare" and items[3] == "2. Assemble"
    assert all(item.startswith("    ") and not item.startswith("     ") for item in items[1:3])
    assert items[1].endswith("Gather tools") and items[2].endswith("Clear the bench")


def test_a_footnote_comes_at_the_end_of_the_page_that_refers_to_it(tmp_path: Path) -> None:
    def build(document) -> None:  # type: ignore[no-untyped-def]
        cited = document.add_paragraph("Revenue grew by a third.")
        document.add_paragraph("More text on the same page.")
        footnote(document, cited, "Audited figures, 2024.")
        document.add_page_break()
        document.add_paragraph("The next page.")

    result = run_pipeline(word_file(tmp_path / "notes.docx", build), tmp_path / "work")
    placed = [(s.page_number, pb.SegmentType.Name(s.segment_type), s.text) for s in segments_of(result)]
    assert placed == [
        (1, "SEGMENT_TYPE_TEXT", "Revenue grew by a third."),
        (1, "SEGMENT_TYPE_TEXT", "More text on the same page."),
        (1, "SEGMENT_TYPE_FOOTNOTE", "Audited figures, 2024."),
        (2, "SEGMENT_TYPE_TEXT", "The next page."),
    ]


def test_a_word_template_reads_like_a_document(tmp_path: Path) -> None:
    source = word_file(tmp_path / "letter.docx", lambda document: document.add_heading("Dear reader", level=1))
    template = tmp_path / "letter.dotx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(template, "w") as target:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"wordprocessingml.document.main+xml", b"wordprocessingml.template.main+xml")
            target.writestr(item, data)
    result = run_pipeline(template, tmp_path / "work")
    assert [s.markdown for s in segments_of(result)] == ["## Dear reader"]
