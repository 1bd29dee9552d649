"""HTML, Markdown and plain text: structure read from the markup."""

from __future__ import annotations

from pathlib import Path

from protos import tasks_pb2 as pb
from tests.pipeline.support import of_type, run_pipeline, segments_of


def test_html_elements_map_to_segment_types(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>x</title><style>p{}</style></head><body><h1>Guide</h1><h2>Setup</h2>"
        "<p>Install the   package.</p><ol><li>Download</li><li>Run</li></ol>"
        "<table><tr><th>Key</th><th>Value</th></tr><tr><td colspan='2'>both</td></tr></table>"
        "<figure><img alt='diagram'><figcaption>Figure 1: flow</figcaption></figure>"
        "<script>var a;</script></body></html>"
    )
    result = run_pipeline(path, tmp_path / "work")
    kinds = [s.segment_type for s in segments_of(result)]
    assert kinds == [
        pb.SEGMENT_TYPE_TITLE,
        pb.SEGMENT_TYPE_SECTION_HEADER,
        pb.SEGMENT_TYPE_TEXT,
        pb.SEGMENT_TYPE_LIST_ITEM,
        pb.SEGMENT_TYPE_LIST_ITEM,
        pb.SEGMENT_TYPE_TABLE,
        pb.SEGMENT_TYPE_PICTURE,
        pb.SEGMENT_TYPE_CAPTION,
    ]
    assert of_type(result, pb.SEGMENT_TYPE_TEXT)[0].text == "Install the package."
    assert [s.markdown for s in of_type(result, pb.SEGMENT_TYPE_LIST_ITEM)] == ["1. Download", "2. Run"]
    [table] = of_type(result, pb.SEGMENT_TYPE_TABLE)
    assert table.html == '<table><tr><th>Key</th><th>Value</th></tr><tr><td colspan="2">both</td></tr></table>'
    assert table.markdown.splitlines()[-1] == "| both | both |"  # Markdown has no spans: a column span repeats
    assert result.output.page_count == 1 and not result.output.pages


def test_an_html_image_renders_its_alt_text_never_an_empty_link(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><body><p>Intro</p><img src='chart.png' alt='Sales by [region]'><img src='logo.png'>"
        "<p>Outro</p></body></html>"
    )
    result = run_pipeline(path, tmp_path / "work")
    segments, pictures = segments_of(result), of_type(result, pb.SEGMENT_TYPE_PICTURE)
    assert [p.markdown for p in pictures] == ["Sales by \\[region\\]", ""]
    assert [p.html for p in pictures] == ['<img alt="Sales by [region]">', '<img alt="Picture">']
    assert all("](" not in s.markdown for s in segments)


def test_markdown_headings_lists_tables_and_code(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text(
        "# Notes\n\nIntro line one\nline two.\n\n## Steps\n- first\n- second\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nx = 1\n```\n"
    )
    result = run_pipeline(path, tmp_path / "work")
    assert [(s.segment_type, s.text) for s in segments_of(result)] == [
        (pb.SEGMENT_TYPE_TITLE, "Notes"),
        (pb.SEGMENT_TYPE_TEXT, "Intro line one line two."),
        (pb.SEGMENT_TYPE_SECTION_HEADER, "Steps"),
        (pb.SEGMENT_TYPE_LIST_ITEM, "first"),
        (pb.SEGMENT_TYPE_LIST_ITEM, "second"),
        (pb.SEGMENT_TYPE_TABLE, "a | b\n1 | 2"),
        (pb.SEGMENT_TYPE_TEXT, "x = 1"),
    ]
    assert segments_of(result)[-1].markdown == "```\nx = 1\n```"


def test_plain_text_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("First paragraph\ncontinues here.\n\n\nSecond one.\n")
    result = run_pipeline(path, tmp_path / "work")
    assert [s.text for s in segments_of(result)] == ["First paragraph continues here.", "Second one."]
