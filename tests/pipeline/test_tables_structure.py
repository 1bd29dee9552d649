"""Tables with and without rules: where they are, their cells and their spans.

Every document is drawn here with reportlab, in several variations (fonts,
column counts, alignments, header rules), and read through the layout stage."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from reportlab.pdfgen.canvas import Canvas

from protos import tasks_pb2 as pb
from server.pipeline.pdf.extract import extract_page
from server.pipeline.pdf.layout import analyse_page
from server.pipeline.pdf.lines import build_lines
from server.pipeline.pdf.stats import StatsBuilder
from server.pipeline.regions import Region
from server.pipeline.render import render_table
from server.pipeline.tables import Table
from tests.pipeline.pdfs import HEIGHT, build, paragraph, words
from tests.pipeline.support import of_type, run_pipeline, segments_of

STATES = ["Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut"]


def regions_of(path: Path) -> list[Region]:
    document = pdfium.PdfDocument(str(path))
    try:
        content = extract_page(document, 0)
    finally:
        document.close()
    lines = build_lines(content.words)
    builder = StatsBuilder()
    builder.add(content, lines)
    return analyse_page(content, lines, builder.build())


def tables_of(path: Path) -> list[Table]:
    return [r.table for r in regions_of(path) if r.table is not None]


def texts(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row] for row in table.rows]


def draw_rows(
    canvas: Canvas,
    rows: list[list[str]],
    xs: list[float],
    top: float,
    font: str = "Helvetica",
    size: float = 10,
    align: str = "left",
    leading: float = 1.5,
) -> float:
    """Rows of cells at column positions `xs`; numeric columns after the first are set
    `align` (left/right/decimal) against the next column's position. Returns the y below."""
    y = top
    for row in rows:
        canvas.setFont(font, size)
        for c, text in enumerate(row):
            if not text:
                continue
            if c == 0 or align == "left":
                canvas.drawString(xs[c], y, text)
            elif align == "right":
                canvas.drawRightString(xs[c] + 60, y, text)
            else:
                canvas.drawAlignedString(xs[c] + 40, y, text)
        y -= size * leading
    return y


def state_rows(columns: int) -> list[list[str]]:
    header = ["State", *[f"Item {c}" for c in range(1, columns)]]
    body = [
        [state, *[f"{(i + 3) * (c + 7) * 13 % 997}.{c}" for c in range(1, columns)]] for i, state in enumerate(STATES)
    ]
    return [header, *body]


@pytest.mark.parametrize("font", ["Helvetica", "Times-Roman", "Courier"])
@pytest.mark.parametrize("columns", [3, 5])
@pytest.mark.parametrize("align", ["left", "right", "decimal"])
def test_a_borderless_table_has_one_row_per_line_and_one_cell_per_value(
    tmp_path: Path, font: str, columns: int, align: str
) -> None:
    rows = state_rows(columns)
    xs = [72 + 95 * c for c in range(columns)]

    def page(canvas: Canvas) -> None:
        y = paragraph(canvas, 72, HEIGHT - 72, words(40), 460)
        y = draw_rows(canvas, rows, xs, y - 20, font=font, align=align)
        paragraph(canvas, 72, y - 20, words(40, 5), 460)

    tables = tables_of(build(tmp_path / "t.pdf", page))
    assert len(tables) == 1
    assert texts(tables[0]) == rows  # "Alabama Alaska Arizona ..." never fuse into one cell


def test_a_two_level_header_spans_its_group_over_the_columns_below(tmp_path: Path) -> None:
    def page(canvas: Canvas) -> None:
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawCentredString((172 + 232 + 17) / 2, 700, "Population")  # over the 1990 and 2000 columns
        canvas.drawCentredString((312 + 372 + 17) / 2, 700, "Income")
        draw_rows(
            canvas,
            [["State", "1990", "2000", "1990", "2000"]]
            + [[s, f"{i}1.5", f"{i}2.5", f"{i}3.5", f"{i}4.5"] for i, s in enumerate(STATES[:5], start=1)],
            [72, 172, 232, 312, 372],
            685,
        )

    (table,) = tables_of(build(tmp_path / "t.pdf", page))
    header = table.rows[0]
    owners = [(cell.text, cell.colspan) for cell in header if not cell.covered]
    assert owners == [("", 1), ("Population", 2), ("Income", 2)]
    assert texts(table)[1] == ["State", "1990", "2000", "1990", "2000"]
    assert texts(table)[2] == ["Alabama", "11.5", "12.5", "13.5", "14.5"]


def test_a_wrapped_cell_stays_one_cell_and_a_short_label_row_stays_a_row(tmp_path: Path) -> None:
    def page(canvas: Canvas) -> None:
        draw_rows(canvas, [["Indicator", "Weight"]], [72, 330], 700)
        draw_rows(canvas, [["Employment", "40"]], [72, 330], 685)
        draw_rows(canvas, [["Share of qualified holders of a certificate", "13"]], [72, 330], 670)
        draw_rows(canvas, [["among all the entrants of the year"]], [72, 330], 658)
        draw_rows(canvas, [["Staff"]], [72, 330], 643)
        draw_rows(canvas, [["Formal teaching", "11"], ["Staff development", "6"]], [72, 330], 628)

    (table,) = tables_of(build(tmp_path / "t.pdf", page))
    assert texts(table) == [
        ["Indicator", "Weight"],
        ["Employment", "40"],
        ["Share of qualified holders of a certificate among all the entrants of the year", "13"],
        ["Staff", ""],
        ["Formal teaching", "11"],
        ["Staff development", "6"],
    ]


def ruled_grid(
    canvas: Canvas, x0: float, top: float, widths: list[float], height: float, rows: int, open_below: tuple = ()
) -> None:
    """A grid of rules; no rule under the cells (row, column) listed in `open_below`."""
    xs = [x0]
    for w in widths:
        xs.append(xs[-1] + w)
    for r in range(rows + 1):
        for c in range(len(widths)):
            if (r - 1, c) not in open_below:
                canvas.line(xs[c], top - r * height, xs[c + 1], top - r * height)
    for x in xs:
        canvas.line(x, top, x, top - rows * height)


@pytest.mark.parametrize("header_rule", [True, False])
def test_booktabs_rules_with_or_without_a_header_rule(tmp_path: Path, header_rule: bool) -> None:
    rows = state_rows(4)

    def page(canvas: Canvas) -> None:
        canvas.line(72, 712, 480, 712)
        if header_rule:
            canvas.line(72, 697, 480, 697)
        bottom = draw_rows(canvas, rows, [76, 180, 280, 380], 700, align="right")
        canvas.line(72, bottom + 8, 480, bottom + 8)

    (table,) = tables_of(build(tmp_path / "t.pdf", page))
    assert texts(table) == rows


def test_a_ruled_cell_without_a_rule_below_it_spans_the_rows(tmp_path: Path) -> None:
    def page(canvas: Canvas) -> None:
        ruled_grid(canvas, 72, 700, [120, 100, 100], 20, 4, open_below=((1, 0),))
        canvas.setFont("Helvetica", 10)
        for r, row in enumerate([["Region", "Year", "Sales"], ["North", "2020", "10"], ["", "2021", "12"]]):
            for c, text in enumerate(row):
                canvas.drawString([76, 196, 296][c], 700 - 20 * r - 14, text)
        for c, text in enumerate(["South", "2020", "9"]):
            canvas.drawString([76, 196, 296][c], 700 - 60 - 14, text)

    (table,) = tables_of(build(tmp_path / "t.pdf", page))
    assert table.rows[1][0].text == "North" and table.rows[1][0].rowspan == 2
    assert table.rows[2][0].covered
    assert texts(table)[3] == ["South", "2020", "9"]
    markdown = render_table(table).markdown.splitlines()
    assert markdown[2] == "| North | 2020 | 10 |"
    assert markdown[3] == "|  | 2021 | 12 |"  # Markdown has no spans: "North" once, not in every spanned row
    assert 'rowspan="2"' in render_table(table).html


def test_a_vertical_rule_that_stops_short_of_the_header_makes_a_group_header_span(tmp_path: Path) -> None:
    def page(canvas: Canvas) -> None:
        xs, top, pitch = [72, 192, 272, 352], 700, 20
        for r in range(5):
            canvas.line(xs[0], top - r * pitch, xs[-1], top - r * pitch)
        canvas.line(xs[1], top - pitch, xs[-1], top - pitch)
        for c, x in enumerate(xs):
            canvas.line(x, top if c in (0, 1, 3) else top - pitch, x, top - 4 * pitch)  # no rule inside "Sales"
        canvas.setFont("Helvetica", 10)
        canvas.drawString(76, top - 14, "Region")
        canvas.drawCentredString(272, top - 14, "Sales")
        for r, row in enumerate([["", "2020", "2021"], ["North", "10.5", "12.0"], ["South", "9.5", "11.25"]], start=1):
            for c, text in enumerate(row):
                canvas.drawString(xs[c] + 4, top - r * pitch - 14, text)

    (table,) = tables_of(build(tmp_path / "t.pdf", page))
    assert [(cell.text, cell.colspan) for cell in table.rows[0] if not cell.covered] == [("Region", 1), ("Sales", 2)]
    assert texts(table)[1:] == [["", "2020", "2021"], ["North", "10.5", "12.0"], ["South", "9.5", "11.25"]]


def test_a_label_set_between_two_unruled_rows_spans_them(tmp_path: Path) -> None:
    def page(canvas: Canvas) -> None:
        rows = [["", "Name", "Value"], ["", "Alabama", "12.5"], ["", "Alaska", "7.25"], ["", "Arizona", "3.5"]]
        draw_rows(canvas, rows, [72, 160, 300], 700)
        canvas.drawString(72, 700 - 22.5, "Group A")  # halfway between the Alabama and Alaska rows

    (table,) = tables_of(build(tmp_path / "t.pdf", page))
    label = table.rows[1][0]
    assert (label.text, label.rowspan) == ("Group A", 2)
    assert table.rows[2][0].covered
    assert texts(table)[3] == ["", "Arizona", "3.5"]


def test_a_table_nested_in_a_cell_is_emitted_once(tmp_path: Path) -> None:
    def page(canvas: Canvas) -> None:
        ruled_grid(canvas, 72, 700, [150, 250], 80, 2)
        canvas.setFont("Helvetica", 10)
        canvas.drawString(76, 686, "Outer A")
        canvas.drawString(226, 686, "Outer B")
        canvas.drawString(76, 606, "Outer C")
        ruled_grid(canvas, 230, 610, [100, 100], 16, 3)  # inside the cell right of "Outer C"
        for r, row in enumerate([["in 1", "in 2"], ["in 3", "in 4"], ["in 5", "in 6"]]):
            for c, text in enumerate(row):
                canvas.drawString(234 + 100 * c, 610 - 16 * r - 12, text)

    regions = regions_of(build(tmp_path / "t.pdf", page))
    tables = [r for r in regions if r.kind == pb.SEGMENT_TYPE_TABLE]
    assert len(tables) == 1
    assert sum(cell.text.count("in 4") for row in tables[0].table.rows for cell in row if not cell.covered) == 1


def test_a_typewriter_table_with_dot_leaders_is_a_table_not_code(tmp_path: Path) -> None:
    items = [("Rent", "450.00"), ("Heating", "62.50"), ("Water", "18.20"), ("Telephone", "31.75"), ("Total", "562.45")]

    def page(canvas: Canvas) -> None:
        canvas.setFont("Courier", 10)
        for i, (label, amount) in enumerate(items):
            canvas.drawString(72, 700 - 13 * i, f"{label} {'.' * (24 - len(label))} {amount:>8}")

    regions = regions_of(build(tmp_path / "t.pdf", page))
    (table,) = [r.table for r in regions if r.table is not None]
    assert texts(table) == [[label, amount] for label, amount in items]
    assert not any(r.code for r in regions)


def _two_column_prose(canvas: Canvas) -> None:
    for column in range(2):
        y = HEIGHT - 72.0
        for p in range(4):
            y = paragraph(canvas, 72 + 250 * column, y, words(70, p * 5 + column), 220) - 10


def _reference_list(canvas: Canvas) -> None:
    y = HEIGHT - 72.0
    for n in range(1, 8):
        canvas.setFont("Helvetica", 10)
        canvas.drawString(72, y, f"[{n}]")
        y = paragraph(canvas, 100, y, f"Author {n}. {words(24, n)}. Journal {n}, 2020.", 420) - 4


def _bullet_list(canvas: Canvas) -> None:
    y = HEIGHT - 72.0
    for n in range(1, 8):
        canvas.setFont("Helvetica", 10)
        canvas.drawString(80, y, f"{n}.")
        y = paragraph(canvas, 100, y, words(12 + n, n), 420) - 2


@pytest.mark.parametrize("draw", [_two_column_prose, _reference_list, _bullet_list])
def test_prose_columns_and_lists_are_not_tables(tmp_path: Path, draw: Callable[[Canvas], None]) -> None:
    assert tables_of(build(tmp_path / "t.pdf", draw)) == []


def test_a_borderless_table_is_one_table_segment_with_its_spans_in_html(tmp_path: Path) -> None:
    rows = state_rows(5)

    def page(canvas: Canvas) -> None:
        y = paragraph(canvas, 72, HEIGHT - 72, words(50), 460)
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawCentredString((167 + 262) / 2 + 45, y - 20, "First half")  # over the right-aligned columns
        canvas.drawCentredString((357 + 452) / 2 + 45, y - 20, "Second half")
        y = draw_rows(canvas, rows, [72, 167, 262, 357, 452], y - 35, align="right")
        paragraph(canvas, 72, y - 20, words(50, 9), 460)

    result = run_pipeline(build(tmp_path / "t.pdf", page), tmp_path / "work")
    (table,) = of_type(result, pb.SEGMENT_TYPE_TABLE)
    assert '<th colspan="2">First half</th><th colspan="2">Second half</th>' in table.html
    assert all(f"<td>{state}</td>" in table.html for state in STATES)
    others = " ".join(s.content for s in segments_of(result) if s.segment_type != pb.SEGMENT_TYPE_TABLE)
    assert not any(state in others for state in STATES)  # no cell leaks out as a loose Text segment


def _page_with_tables(canvas: Canvas) -> None:
    y = paragraph(canvas, 72, HEIGHT - 72, words(60), 460)
    y = draw_rows(canvas, state_rows(4), [72, 172, 272, 372], y - 20, align="decimal")
    y = paragraph(canvas, 72, y - 10, words(40, 3), 460)
    canvas.setFont("Courier", 10)
    for i, (label, amount) in enumerate([("Rent", "450.00"), ("Heating", "62.50"), ("Water", "18.20")]):
        canvas.drawString(72, y - 20 - 13 * i, f"{label} {'.' * (20 - len(label))} {amount:>8}")


def test_every_word_of_a_page_with_tables_is_in_exactly_one_segment(tmp_path: Path) -> None:
    path = build(tmp_path / "t.pdf", _page_with_tables)
    document = pdfium.PdfDocument(str(path))
    try:
        page_words = Counter(w.text for w in extract_page(document, 0).words)
    finally:
        document.close()
    result = run_pipeline(path, tmp_path / "work")
    found = Counter(t for s in segments_of(result) for t in s.text.split() if t != "|")
    leaders = re.compile(r"^\.{3,}$")
    assert found == Counter({t: n for t, n in page_words.items() if not leaders.match(t)})


def test_markdown_repeats_header_labels_and_column_spans_but_never_a_body_row_span() -> None:
    from server.pipeline.geometry import Box
    from server.pipeline.render import render_table
    from server.pipeline.tables import Cell, Table

    rows = [
        [Cell("State", rowspan=2), Cell("Population", colspan=2), Cell("", covered=True)],
        [Cell("", covered=True), Cell("2020"), Cell("2021")],
        [Cell("Alabama", rowspan=2), Cell("5.0"), Cell("5.1")],
        [Cell("", covered=True), Cell("4.9"), Cell("5.0")],
    ]
    markdown = render_table(Table(box=Box(0, 0, 1, 1), rows=rows)).markdown.splitlines()
    assert markdown == [
        "| State | Population | Population |",
        "| --- | --- | --- |",
        "| State | 2020 | 2021 |",
        "| Alabama | 5.0 | 5.1 |",
        "|  | 4.9 | 5.0 |",
    ]
