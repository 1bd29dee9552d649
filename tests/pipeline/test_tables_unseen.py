"""Tables as other producers set them: office suites (padded cells, zebra shading with
no rules), statistical offices (row groups, indented stubs, totals), LaTeX.

Each document is drawn here with reportlab in several variations, the way the
producer lays the table out, and read through the layout stage."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas

from server.pipeline.render import render_table
from tests.pipeline.pdfs import HEIGHT, build, paragraph, words
from tests.pipeline.test_tables_structure import tables_of, texts

PLACES = [
    "Lorholham",
    "Lornorstead",
    "Kinbrostead",
    "Callorville",
    "Pelrosfield",
    "Kinkinmouth",
    "Calpelwick",
]


def _rows(columns: int) -> list[list[str]]:
    header = ["District", *["Dwellings", "Males", "Insured", "Females"][: columns - 1]]
    body = [
        [
            place,
            *[
                f"({(i + 3) * (c + 7) * 13 % 97}.{c})" if (i + c) % 3 == 0 else f"{(i + 5) * (c + 3) % 89}.{c}"
                for c in range(1, columns)
            ],
        ]
        for i, place in enumerate(PLACES)
    ]
    return [header, *body]


def _office_table(
    canvas: Canvas,
    rows: list[list[str]],
    top: float,
    gap_em: float,
    size: float = 9,
    zebra: bool = False,
) -> float:
    """Rows set as a word processor does: cells padded, so the white space between two
    rows is `gap_em` ems; numbers right-aligned; shaded every other body row when `zebra`."""
    pitch = size * (1 + gap_em)
    xs = [72, 200, 270, 340, 410]
    y = top
    for r, row in enumerate(rows):
        if zebra and r % 2 == 1:
            canvas.setFillColor(Color(0.85, 0.88, 0.95))
            canvas.rect(66, y - 0.4 * pitch, xs[len(row) - 1] + 6, pitch, stroke=0, fill=1)
            canvas.setFillColor(Color(0, 0, 0))
        canvas.setFont("Helvetica-Bold" if r == 0 else "Helvetica", size)
        for c, text in enumerate(row):
            if c == 0:
                canvas.drawString(xs[0], y, text)
            else:
                canvas.drawRightString(xs[c] + 60, y, text)
        y -= pitch
    return y


@pytest.mark.parametrize("gap_em", [1.55, 1.7, 2.0, 2.3])
@pytest.mark.parametrize("columns", [3, 5])
@pytest.mark.parametrize("zebra", [False, True])
def test_rows_spaced_evenly_wider_than_prose_are_still_one_table(
    tmp_path: Path, gap_em: float, columns: int, zebra: bool
) -> None:
    rows = _rows(columns)

    def page(canvas: Canvas) -> None:
        y = paragraph(canvas, 72, HEIGHT - 72, words(60), 440, size=11)
        y = _office_table(canvas, rows, y - 20, gap_em, zebra=zebra)
        paragraph(canvas, 72, y - 10, words(50, 4), 440, size=11)

    tables = tables_of(build(tmp_path / "t.pdf", page))
    assert [texts(t) for t in tables] == [rows]  # not split into pieces where one gap is a little wider


def test_evenly_spaced_rows_end_at_the_footnote_below_them(tmp_path: Path) -> None:
    rows = _rows(4)

    def page(canvas: Canvas) -> None:
        y = _office_table(canvas, rows, HEIGHT - 90, 1.8)
        canvas.setFont("Helvetica", 9)
        canvas.drawString(72, y - 12, "Source: statistics office, annual returns.")

    (table,) = tables_of(build(tmp_path / "t.pdf", page))
    assert texts(table) == rows


def _grouped_table(canvas: Canvas, groups: list[int], pitch_em: float, placement: str, size: float = 9) -> float:
    """A statistical table without rules: a zone column whose labels each stand for a
    group of rows, set centred on the group (the middle row's baseline, or between
    two baselines) or on its first row."""
    pitch = size * pitch_em
    xs = [72, 170, 270, 340, 410]
    canvas.setFont("Helvetica-Bold", size)
    for x, text in zip(xs, ["Zone", "Area", "Males", "Females", "Persons"], strict=True):
        canvas.drawString(x, HEIGHT - 120, text)
    y = HEIGHT - 120 - pitch
    canvas.setFont("Helvetica", size)
    r = 0
    for g, count in enumerate(groups):
        centre = y - pitch * (count - 1) / 2 if placement == "centre" else y
        canvas.drawString(xs[0], centre, f"Zone{'ABCDEFG'[g]}")
        for _ in range(count):
            canvas.drawString(xs[1], y, PLACES[r % len(PLACES)] + str(r))
            for c in range(2, 5):
                canvas.drawRightString(xs[c] + 40, y, f"{(r + 2) * (c + 5) % 97}.{c}")
            y -= pitch
            r += 1
    return y


@pytest.mark.parametrize("groups", [[2, 3, 2], [3, 3], [2, 4, 2], [4, 2]])
@pytest.mark.parametrize("pitch_em", [1.3, 2.6])
@pytest.mark.parametrize("placement", ["centre", "top"])
def test_a_group_label_centred_on_its_rows_spans_them(
    tmp_path: Path, groups: list[int], pitch_em: float, placement: str
) -> None:
    def page(canvas: Canvas) -> None:
        y = _grouped_table(canvas, groups, pitch_em, placement)
        paragraph(canvas, 72, y - 20, words(50, 2), 440, size=11)

    (table,) = tables_of(build(tmp_path / "t.pdf", page))
    assert texts(table)[0] == ["Zone", "Area", "Males", "Females", "Persons"]
    body = table.rows[1:]
    assert len(body) == sum(groups)  # a label set between two rows is not a row of its own
    r = 0
    for g, count in enumerate(groups):
        label = body[r][0]
        assert label.text == f"Zone{'ABCDEFG'[g]}"
        # centred: the label spans its group (HTML keeps the span); on the first row it
        # says nothing about the rows below and stays the first row's cell
        assert label.rowspan == (count if placement == "centre" else 1)
        for k in range(count):
            assert body[r + k][1].text == PLACES[(r + k) % len(PLACES)] + str(r + k)
            assert body[r + k][0].covered == (placement == "centre" and k > 0)
        r += count
    rendered = render_table(table)
    for g, count in enumerate(groups):
        name = f"Zone{'ABCDEFG'[g]}"
        assert rendered.markdown.count(name) == 1  # Markdown never repeats a body row span
        assert f'<td rowspan="{count}">{name}</td>' in rendered.html or placement == "top"


def test_a_wrapped_header_in_smaller_type_under_a_paragraph_is_the_tables(
    tmp_path: Path,
) -> None:
    """Header cells that wrap ("Employ" / "ment") and group labels centred on the header's
    lines stack five lines above the first row; right under a paragraph they are still the
    table's header, not the paragraph's last lines."""

    def page(canvas: Canvas) -> None:
        y = paragraph(canvas, 72, HEIGHT - 72, words(70), 440, size=11) - 6
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawRightString(450, y, "Employ")
        canvas.drawCentredString(330, y - 6, "Spending")
        canvas.drawRightString(450, y - 12, "ment")
        canvas.drawString(72, y - 17, "Area")
        for x, year in zip([290, 340, 390, 450], ["2014", "2012", "2018", "2016"], strict=True):
            canvas.drawRightString(x, y - 34, year)
        _office_rows = [[p, f"{i}1.5", f"{i}2.5", f"{i}3.5", f"{i}4.5"] for i, p in enumerate(PLACES[:5])]
        canvas.setFont("Helvetica", 9)
        for r, row in enumerate(_office_rows):
            canvas.drawString(72, y - 56 - 22 * r, row[0])
            for x, value in zip([290, 340, 390, 450], row[1:], strict=True):
                canvas.drawRightString(x, y - 56 - 22 * r, value)

    (table,) = tables_of(build(tmp_path / "t.pdf", page))
    words_in = " ".join(cell.text for row in table.rows for cell in row if not cell.covered)
    assert "Spending" in words_in and "Employ" in words_in and "ment" in words_in
    assert texts(table)[-1] == [PLACES[4], "41.5", "42.5", "43.5", "44.5"]


@pytest.mark.parametrize("group", [2, 3])
@pytest.mark.parametrize("size", [9, 10])
def test_a_rule_under_a_group_header_only_splits_the_header_rows_in_its_columns(
    tmp_path: Path, group: int, size: float
) -> None:
    """A LaTeX grid with a two-level header: `\\cline` under the group label only, and the
    stub label lowered across both header lines (what `\\raisebox`/`multirow` do)."""
    pitch = size * 1.35
    xs = [72.0 + 80 * c for c in range(group + 2)]
    top = HEIGHT - 120
    years = [str(2010 + c) for c in range(group)]
    body = [[p, *[f"{(r + 3) * (c + 2) % 89}.{c}" for c in range(group)]] for r, p in enumerate(PLACES[:4])]

    def page(canvas: Canvas) -> None:
        canvas.setLineWidth(0.4)
        rows_y = [top - pitch * k for k in range(len(body) + 3)]
        for k, y in enumerate(rows_y):
            if k == 1:
                canvas.line(xs[1], y, xs[-1], y)  # \cline under the group only
            else:
                canvas.line(xs[0], y, xs[-1], y)
        for c, x in enumerate(xs):
            inside_group = 1 < c < len(xs) - 1
            canvas.line(x, rows_y[1] if inside_group else rows_y[0], x, rows_y[-1])
        canvas.setFont("Times-Roman", size)
        canvas.drawString(xs[0] + 3, rows_y[1] - 0.3 * size, "Province")  # lowered across both lines
        canvas.drawCentredString((xs[1] + xs[-1]) / 2, rows_y[1] + 0.3 * size, "Revenue")
        for c, year in enumerate(years):
            canvas.drawRightString(xs[c + 2] - 3, rows_y[2] + 0.3 * size, year)
        for r, row in enumerate(body):
            y = rows_y[r + 3] + 0.3 * size
            canvas.drawString(xs[0] + 3, y, row[0])
            for c, value in enumerate(row[1:]):
                canvas.drawRightString(xs[c + 2] - 3, y, value)
        paragraph(canvas, 72, rows_y[-1] - 30, words(40, 3), 440)

    (table,) = tables_of(build(tmp_path / "t.pdf", page))
    first = [(cell.text, cell.rowspan, cell.colspan) for cell in table.rows[0] if not cell.covered]
    assert first == [("Province", 2, 1), ("Revenue", 1, group)]
    assert texts(table)[1][1:] == years
    assert texts(table)[2:] == body


@pytest.mark.parametrize("groups", [[2, 3, 2], [2, 2, 3]])
@pytest.mark.parametrize("label", ["Persons counted", "Numbers of persons"])
def test_a_group_header_over_two_columns_does_not_fuse_them_when_row_labels_stand_beside_rows(
    tmp_path: Path, groups: list[int], label: str
) -> None:
    """The body's fullest lines are those a row-group label shares; they may come late, and
    the header above (a group label centred over a gutter) is still the header."""

    def page(canvas: Canvas) -> None:
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawCentredString((270 + 380) / 2, HEIGHT - 120 + 11, label)  # over Males and Females
        canvas.drawRightString(450, HEIGHT - 120 + 11, "All")  # over Persons
        y = _grouped_table(canvas, groups, 1.3, "centre")
        paragraph(canvas, 72, y - 20, words(50, 2), 440, size=11)

    (table,) = tables_of(build(tmp_path / "t.pdf", page))
    body = [row for row in texts(table) if any(cell.startswith(tuple(PLACES)) for cell in row)]
    assert len(body) == sum(groups)
    for r, row in enumerate(body):
        assert row[1:] == [
            PLACES[r % len(PLACES)] + str(r),
            *[f"{(r + 2) * (c + 5) % 97}.{c}" for c in range(2, 5)],
        ]


@pytest.mark.parametrize("columns", [3, 5])
@pytest.mark.parametrize("gap_em", [0.5, 1.0])
def test_a_spreadsheet_shading_every_other_row_cell_by_cell_is_one_table_not_a_grid_per_band(
    tmp_path: Path, columns: int, gap_em: float
) -> None:
    """Spreadsheets fill each shaded cell on its own: the fills' edges line up like the
    rules of a grid over the bands that touch (the header and the first row), but draw
    no rule."""
    rows = _rows(columns)
    size = 9.0
    pitch = size * (1 + gap_em)
    xs = [66.0, 194.0, 274.0, 344.0, 414.0, 484.0][: columns + 1]

    def page(canvas: Canvas) -> None:
        y = paragraph(canvas, 72, HEIGHT - 72, words(50), 440, size=11) - 20
        for r, row in enumerate(rows):
            if r == 0 or r % 2 == 1:  # the header, and every other body row from the first
                canvas.setFillColor(Color(0.7, 0.7, 0.7) if r == 0 else Color(0.88, 0.9, 0.95))
                for x0, x1 in itertools.pairwise(xs):
                    canvas.rect(x0, y - 0.3 * pitch, x1 - x0, pitch, stroke=0, fill=1)
                canvas.setFillColor(Color(0, 0, 0))
            canvas.setFont("Helvetica-Bold" if r == 0 else "Helvetica", size)
            canvas.drawString(72, y, row[0])
            for c, text in enumerate(row[1:], start=1):
                canvas.drawRightString(xs[c + 1] - 6, y, text)
            y -= pitch
        paragraph(canvas, 72, y - 16, words(40, 6), 440, size=11)

    tables = tables_of(build(tmp_path / "t.pdf", page))
    assert [texts(t) for t in tables] == [rows]
