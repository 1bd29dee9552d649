"""Statistical tables as government offices set them: a stub of row labels with dot
leaders to the values, labels too long for the stub that wrap with a hanging indent
(the values on the label's last line), column heads wrapped over several lines beside
a stub head set on the bottom line, and group labels over their columns marked by a
rule under them that the vertical rules between the groups cut.

Each document is drawn here with reportlab in several variations and read through the
layout stage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas

from server.pipeline.tables import Table
from tests.pipeline.pdfs import HEIGHT, build
from tests.pipeline.test_tables_structure import tables_of, texts

LABELS = [
    ("Burglary", ""),
    ("Larceny and theft", ""),
    ("Murder and nonnegligent", "manslaughter"),
    ("Motor vehicle theft", ""),
    ("Offenses against the family", "and children"),
    ("Arson", ""),
    ("Stolen property; buying,", "receiving, possessing"),
    ("Vandalism", ""),
]
GROUPS = ["Total", "Male", "Female"]
HEADS = [("", "Total"), ("Under 18", "years"), ("18 years", "and over")]


@dataclass
class Style:
    font: str = "Helvetica"
    size: float = 8.0
    leaders: bool = False  # spaced dots from each label to the stub's right edge
    hang: float = 0.0  # a wrapped label's further lines are indented this many ems
    grouped: bool = False  # group labels over the heads, ruled under as one stroke, vertical rules between groups
    rules: bool = True  # top rule and a rule under the head
    leading: float = 1.2  # from row to row, in ems; a label's own lines stand 1.1 em apart


def _values(row: int, columns: int) -> list[str]:
    return [f"{(row * 37 + c * 11) % 900 + 10}.{(row + c) % 10}" for c in range(columns)]


def statistical_page(
    style: Style, labels: list[tuple[str, str]] = LABELS
) -> tuple[list[str], Callable[[Canvas], None]]:
    """A page with one statistical table; returns each body row's full label and the drawer."""
    size, font = style.size, style.font
    leading = size * style.leading
    left, stub_width = 60.0, size * 15
    column = size * 5.5
    columns = 9 if style.grouped else 3
    right = left + stub_width + column * columns
    full = [" ".join(part for part in label if part) for label in labels]

    def draw(canvas: Canvas) -> None:
        y = HEIGHT - 90
        canvas.setFont("Helvetica-Bold", 11)
        canvas.drawString(left, y, "Table 7. Arrests by offense and age")
        y -= 30
        top = y + size * 1.3
        if style.rules:
            canvas.setLineWidth(0.5)
            canvas.line(left, top, right, top)
        canvas.setFont(font, size)
        if style.grouped:
            for g, name in enumerate(GROUPS):
                x0 = left + stub_width + 3 * g * column
                canvas.drawCentredString(x0 + 1.5 * column, y, name)
            group_rule = y - size * 0.4
            canvas.line(left + stub_width, group_rule, right, group_rule)  # one stroke under all groups
            y -= leading * 1.2
        for c in range(columns):
            first, second = HEADS[c % 3]
            x1 = left + stub_width + (c + 1) * column - size * 0.3
            if first:
                canvas.drawRightString(x1, y, first)
            canvas.drawRightString(x1, y - leading, second)
        canvas.drawString(left, y - leading, "Offense charged")  # the stub head on the bottom line
        y -= 2 * leading
        if style.rules:
            canvas.line(left, y + size * 0.9, right, y + size * 0.9)
        y -= size * 0.5
        for r, (first, second) in enumerate(labels):
            lines = [first, second] if second else [first]
            for k, text in enumerate(lines):
                x = left + (style.hang * size if k else 0.0)
                canvas.drawString(x, y, text)
                if k == len(lines) - 1:
                    if style.leaders:
                        dot = x + canvas.stringWidth(text + " ", font, size)
                        while dot < left + stub_width - size:
                            canvas.drawString(dot, y, ".")
                            dot += size * 0.55
                    for c, value in enumerate(_values(r, columns)):
                        canvas.drawRightString(left + stub_width + (c + 1) * column - size * 0.3, y, value)
                    y -= leading
                else:
                    y -= size * 1.1
        if style.rules:
            canvas.line(left, y + size * 0.6, right, y + size * 0.6)
        if style.grouped:  # vertical rules between the stub and the groups, from the group rule down
            for g in range(1, 3):
                x = left + stub_width + 3 * g * column
                canvas.line(x, group_rule, x, y + size * 0.6)
            canvas.line(left + stub_width, top, left + stub_width, y + size * 0.6)

    return full, draw


def _one_table(path: Path) -> Table:
    tables = tables_of(path)
    assert len(tables) == 1, [texts(t) for t in tables]
    return tables[0]


def _stub(table: Table) -> list[str]:
    return [row[0].text for row in table.rows if not row[0].covered]


@pytest.mark.parametrize("font", ["Helvetica", "Times-Roman"])
@pytest.mark.parametrize("size", [7.0, 9.0])
@pytest.mark.parametrize("rules", [True, False])
def test_leader_dots_are_white_space_between_a_label_and_its_values(
    tmp_path: Path, font: str, size: float, rules: bool
) -> None:
    labels = [(label, "") for label, _ in LABELS[:6] if label]
    full, draw = statistical_page(Style(font=font, size=size, leaders=True, rules=rules), labels)
    table = _one_table(build(tmp_path / "leaders.pdf", draw))
    stub = _stub(table)
    assert stub[-len(full) :] == full, texts(table)
    assert all("." not in label for label in stub), stub
    assert table.column_count == 4, texts(table)


@pytest.mark.parametrize(("hang", "leading"), [(1.0, 1.2), (0.0, 1.5)])  # hanging indent, or padded rows
@pytest.mark.parametrize("leaders", [False, True])
@pytest.mark.parametrize("size", [7.0, 9.0])
def test_a_wrapped_stub_label_is_one_cell_in_the_row_of_its_values(
    tmp_path: Path, hang: float, leading: float, leaders: bool, size: float
) -> None:
    full, draw = statistical_page(Style(size=size, hang=hang, leaders=leaders, leading=leading))
    table = _one_table(build(tmp_path / "wrapped.pdf", draw))
    body = [row for row in texts(table) if row[1] and row[1][0].isdigit()]
    assert [row[0] for row in body] == full, texts(table)
    assert [row[1] for row in body] == [_values(r, 3)[0] for r in range(len(full))], texts(table)


@pytest.mark.parametrize("hang", [0.0, 1.0])
def test_a_short_section_label_above_indented_members_stays_a_row(tmp_path: Path, hang: float) -> None:
    """A label without values that would have fitted with the next line's first word is
    a section label, not the first line of its member's label."""
    size = 8.0

    def draw(canvas: Canvas) -> None:
        y = HEIGHT - 100
        canvas.setFont("Helvetica", size)
        canvas.drawString(60, y, "Region")
        canvas.drawRightString(260, y, "Persons")
        canvas.drawRightString(320, y, "Households")
        y -= size * 1.6
        rows = [
            ("All regions", 4),
            ("North", None),
            ("Lake County district", 1),
            ("Hill County", 2),
            ("South", None),
            ("Bay County district", 3),
        ]
        for label, k in rows:
            x = 60 + (size * (1 + hang) if k and k < 4 else 0)
            canvas.drawString(x, y, label)
            if k:
                canvas.drawRightString(260, y, f"{k * 1234:,}")
                canvas.drawRightString(320, y, f"{k * 456:,}")
            y -= size * 1.3

    table = _one_table(build(tmp_path / "sections.pdf", draw))
    assert _stub(table) == [
        "Region",
        "All regions",
        "North",
        "Lake County district",
        "Hill County",
        "South",
        "Bay County district",
    ], texts(table)


@pytest.mark.parametrize("font", ["Helvetica", "Times-Roman"])
@pytest.mark.parametrize("size", [7.0, 8.5])
def test_column_heads_wrapped_over_lines_beside_a_bottom_set_stub_head_are_one_header_row(
    tmp_path: Path, font: str, size: float
) -> None:
    full, draw = statistical_page(Style(font=font, size=size, leaders=True, hang=1.0))
    table = _one_table(build(tmp_path / "heads.pdf", draw))
    assert texts(table)[0] == ["Offense charged", "Total", "Under 18 years", "18 years and over"], texts(table)
    assert [row[0].text for row in table.rows[1:]] == full, texts(table)


@pytest.mark.parametrize("size", [7.0, 8.5])
@pytest.mark.parametrize("leaders", [False, True])
def test_a_group_rule_cut_by_vertical_rules_spans_each_label_over_its_columns(
    tmp_path: Path, size: float, leaders: bool
) -> None:
    full, draw = statistical_page(Style(size=size, leaders=leaders, hang=1.0, grouped=True))
    table = _one_table(build(tmp_path / "groups.pdf", draw))
    groups = [(cell.text, cell.colspan) for cell in table.rows[0] if not cell.covered and cell.text in GROUPS]
    assert groups == [(name, 3) for name in GROUPS], texts(table)
    heads = [cell.text for cell in table.rows[1]]
    assert heads[1:4] == ["Total", "Under 18 years", "18 years and over"], texts(table)
    assert [row[0].text for row in table.rows[2:]] == full, texts(table)


@pytest.mark.parametrize("font", ["Helvetica", "Times-Roman"])
def test_a_bold_section_label_over_indented_members_of_alike_length_stays_a_row(tmp_path: Path, font: str) -> None:
    """Short labels all alike "would not have fitted" beside the next one, and members are
    indented as a wrapped label's lines hang; the section label's bold face tells them apart."""
    size = 9.0
    bold = {"Helvetica": "Helvetica-Bold", "Times-Roman": "Times-Bold"}[font]
    rows = [
        ("All districts", 4),
        ("Holpelburg", None),
        ("Galyarford", 1),
        ("Yarcalton", None),
        ("Brotormouth", 2),
        ("Galzanburg", 3),
    ]

    def draw(canvas: Canvas) -> None:
        y = HEIGHT - 100
        canvas.setFont(bold, size)
        canvas.drawString(60, y, "District")
        canvas.drawRightString(200, y, "Employed")
        canvas.drawRightString(260, y, "Exports")
        y -= size * 1.8
        for label, k in rows:
            canvas.setFont(font if k else bold, size)
            canvas.drawString(60 + (size if k and k < 4 else 0), y, label)
            if k:
                canvas.drawRightString(200, y, f"{k * 98765:,}")
                canvas.drawRightString(260, y, f"{k * 4321:,}")
            y -= size * 1.8

    table = _one_table(build(tmp_path / "bold-sections.pdf", draw))
    assert _stub(table) == ["District", *(label for label, _ in rows)], texts(table)
