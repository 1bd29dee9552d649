"""Layout analysis on small generated PDFs: headings, columns, tables, running headers."""

from __future__ import annotations

from pathlib import Path

from protos import tasks_pb2 as pb
from tests.pipeline import pdfs
from tests.pipeline.support import markdown_of, of_type, run_pipeline, segments_of


def test_title_and_section_headers_are_detected_from_font_size_and_weight(tmp_path: Path) -> None:
    path = pdfs.build(tmp_path / "headings.pdf", pdfs.headings_page)
    result = run_pipeline(path, tmp_path / "work")
    titles = of_type(result, pb.SEGMENT_TYPE_TITLE)
    headers = of_type(result, pb.SEGMENT_TYPE_SECTION_HEADER)
    assert [t.content for t in titles] == ["# Annual Garden Survey"]
    assert [h.text for h in headers] == ["1 Soil Quality", "2 Water Supply"]
    assert all(h.markdown.startswith("## ") for h in headers)
    assert all(h.html.startswith("<h2>") for h in headers)
    body = of_type(result, pb.SEGMENT_TYPE_TEXT)
    assert len(body) == 2 and all(len(s.text.split()) == 60 for s in body)


def test_two_columns_are_read_column_by_column(tmp_path: Path) -> None:
    path = pdfs.build(tmp_path / "columns.pdf", pdfs.two_column_page)
    words = markdown_of(run_pipeline(path, tmp_path / "work")).split()
    firsts = [words.index(w) for w in ("apple", "pear", "river", "lake")]
    lasts = [len(words) - 1 - words[::-1].index(w) for w in ("apple", "pear", "river", "lake")]
    assert firsts == sorted(firsts)
    assert lasts[0] < firsts[1] and lasts[1] < firsts[2] and lasts[2] < firsts[3]
    assert words.count("apple") == 90 and words.count("river") == 90


def test_ruled_grid_becomes_an_html_and_markdown_table(tmp_path: Path) -> None:
    path = pdfs.build(tmp_path / "table.pdf", pdfs.ruled_table_page)
    result = run_pipeline(path, tmp_path / "work")
    tables = of_type(result, pb.SEGMENT_TYPE_TABLE)
    assert len(tables) == 1
    table = tables[0]
    expected_html = (
        "<table>"
        + "".join(
            "<tr>" + "".join(f"<{'th' if r == 0 else 'td'}>{c}</{'th' if r == 0 else 'td'}>" for c in row) + "</tr>"
            for r, row in enumerate(pdfs.TABLE_ROWS)
        )
        + "</table>"
    )
    assert table.html == expected_html
    assert table.content == table.html  # Table defaults to format HTML
    assert table.markdown.splitlines()[0] == "| Metal | Density | Melting point |"
    assert table.markdown.splitlines()[3] == "| Copper | 8.96 | 1085 |"
    assert table.image and (tmp_path / "work" / table.image).is_file()  # crop_image Auto crops tables
    # the table's words are not repeated as text
    assert not any("Copper" in s.text for s in segments_of(result) if s.segment_type != pb.SEGMENT_TYPE_TABLE)


def test_running_headers_and_footers_repeat_across_pages(tmp_path: Path) -> None:
    path = pdfs.build(tmp_path / "bulletin.pdf", *(pdfs.running_header_page(n) for n in range(1, 4)))
    kept = pb.Configuration(chunk_processing=pb.ChunkProcessing(ignore_headers_and_footers=False))
    result = run_pipeline(path, tmp_path / "kept", kept)
    headers = of_type(result, pb.SEGMENT_TYPE_PAGE_HEADER)
    footers = of_type(result, pb.SEGMENT_TYPE_PAGE_FOOTER)
    assert [(h.page_number, h.text) for h in headers] == [(n, "Quarterly Lighthouse Bulletin") for n in (1, 2, 3)]
    assert [(f.page_number, f.text) for f in footers] == [(n, f"Page {n}") for n in (1, 2, 3)]
    default = run_pipeline(path, tmp_path / "default")
    types = {s.segment_type for s in segments_of(default)}
    assert types == {pb.SEGMENT_TYPE_TEXT}
    assert "Lighthouse" not in markdown_of(default)


def test_segments_carry_geometry_ids_and_page_images(tmp_path: Path) -> None:
    path = pdfs.build(tmp_path / "headings.pdf", pdfs.headings_page)
    first = run_pipeline(path, tmp_path / "one")
    second = run_pipeline(path, tmp_path / "two")
    ids = [s.segment_id for s in segments_of(first)]
    assert ids == [s.segment_id for s in segments_of(second)]  # stable across runs
    assert len(set(ids)) == len(ids)
    for segment in segments_of(first):
        assert segment.page_number == 1 and segment.page_width == 612 and segment.page_height == 792
        assert 0 <= segment.bbox.left < segment.bbox.left + segment.bbox.width <= 612
        assert 0 <= segment.bbox.top < segment.bbox.top + segment.bbox.height <= 792
        assert 0 < segment.confidence <= 1
    title = of_type(first, pb.SEGMENT_TYPE_TITLE)[0]
    assert title.bbox.top < 792 - 700 < title.bbox.top + title.bbox.height  # the baseline, 700 pt up, lies inside
    [page] = first.output.pages
    assert page.page_number == 1 and page.dpi == 144 and (tmp_path / "one" / page.image).is_file()
    assert first.pdf_path == path and first.message == "Task succeeded"
    assert ("Segmenting", 1, 1) in first.stages  # type: ignore[attr-defined]


def test_rotated_pages_are_read_in_their_displayed_frame(tmp_path: Path) -> None:
    path = pdfs.build(tmp_path / "rotated.pdf", pdfs.rotated_page)
    result = run_pipeline(path, tmp_path / "work")
    [page] = result.output.pages
    assert (page.page_width, page.page_height) == (612, 792)
    segments = segments_of(result)
    assert [s.text for s in segments] == ["Sideways Report", pdfs.words(50)]
    assert segments[0].segment_type == pb.SEGMENT_TYPE_TITLE
    heading = segments[0].bbox
    assert abs(heading.left - 72) < 2 and heading.top < 792 - 700 < heading.top + heading.height
