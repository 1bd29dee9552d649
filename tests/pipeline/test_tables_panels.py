"""A label across a table's columns that heads a part of its rows ("Panel A: Households"),
set centred on a row of its own, is one cell spanning every column: it neither joins the
head above it nor the row below, and a short one does not stay in the middle column."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from protos import tasks_pb2 as pb
from tests.documents import typeset
from tests.pipeline.support import run_pipeline, segments_of

_PANELS = ["Panel A: Households", "Panel B: Firms", "Panel C: Public sector bodies", "Rural areas", "Total economy"]


def _rows(html: str) -> list[list[tuple[str, int]]]:
    return [
        [(text, int(span or 1)) for span, text in re.findall(r'<t[hd](?: colspan="(\d+)")?[^>]*>(.*?)</t[hd]>', row)]
        for row in re.findall(r"<tr>(.*?)</tr>", html)
    ]


def _expected(columns: int, rng: random.Random, panels: int) -> tuple[list[str], list[list[str] | str]]:
    header = ["Category", *[f"Year {2010 + i}" for i in range(1, columns)]]
    body: list[list[str] | str] = []
    for panel in rng.sample(_PANELS, panels):
        body.append(panel)
        for _ in range(rng.randint(3, 5)):
            body.append(
                [f"Item {len(body)}", *[f"{rng.randint(10, 999)}.{rng.randint(0, 9)}" for _ in range(1, columns)]]
            )
    return header, body


def _check(html: str, header: list[str], body: list[list[str] | str], columns: int) -> None:
    rows = _rows(html)
    assert rows[0] == [(cell, 1) for cell in header]
    for got, want in zip(rows[1:], body, strict=True):
        assert got == ([(want, columns)] if isinstance(want, str) else [(cell, 1) for cell in want])


@pytest.mark.parametrize(
    ("columns", "font", "rules"),
    [
        (3, "Helvetica", "none"),
        (4, "Helvetica", "none"),
        (5, "Times-Roman", "lines"),
        (6, "Times-Roman", "none"),
        (4, "Courier", "lines"),
        (5, "Helvetica", "grid"),
    ],
)
def test_a_panel_label_centred_across_a_reportlab_table_spans_its_row(
    tmp_path: Path, columns: int, font: str, rules: str
) -> None:
    rng = random.Random(f"{columns}{font}{rules}")
    header, body = _expected(columns, rng, rng.choice([2, 3]))
    size = rng.choice([8, 9, 10])
    style: list[tuple[object, ...]] = [("FONT", (0, 0), (-1, -1), font, size), ("ALIGN", (1, 0), (-1, -1), "RIGHT")]
    data: list[list[str]] = [header]
    for row in body:
        if isinstance(row, str):
            r = len(data)
            style += [("SPAN", (0, r), (-1, r)), ("ALIGN", (0, r), (-1, r), "CENTER")]
            data.append([row] + [""] * (columns - 1))
        else:
            data.append(row)
    if rules == "lines":
        style += [("LINEABOVE", (0, 0), (-1, 0), 1, "black"), ("LINEBELOW", (0, 0), (-1, 0), 0.5, "black")]
        style += [("LINEBELOW", (0, -1), (-1, -1), 1, "black")]
    elif rules == "grid":
        style.append(("GRID", (0, 0), (-1, -1), 0.5, "black"))
    normal = getSampleStyleSheet()["Normal"]
    SimpleDocTemplate(str(tmp_path / "panels.pdf"), pagesize=A4).build(
        [
            Paragraph("The table below sets out the figures for each part of the economy in turn. " * 3, normal),
            Spacer(1, 12),
            Table(data, style=TableStyle(style)),
            Spacer(1, 12),
            Paragraph("The figures are provisional and will be revised next year. " * 3, normal),
        ]
    )
    segments = segments_of(run_pipeline(tmp_path / "panels.pdf", tmp_path / "work"))
    tables = [s for s in segments if s.segment_type == pb.SEGMENT_TYPE_TABLE]
    assert len(tables) == 1
    _check(tables[0].html, header, body, columns)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs pdflatex")
@pytest.mark.parametrize(("columns", "rules"), [(4, "booktabs"), (5, "none"), (6, "booktabs")])
def test_a_multicolumn_panel_label_in_a_latex_table_spans_its_row(tmp_path: Path, columns: int, rules: str) -> None:
    rng = random.Random(f"{columns}{rules}")
    header, body = _expected(columns, rng, 2)
    top, mid, bottom = (r"\toprule", r"\midrule", r"\bottomrule") if rules == "booktabs" else ("", "", "")
    lines = [
        rf"\multicolumn{{{columns}}}{{c}}{{{row}}} \\" if isinstance(row, str) else " & ".join(row) + r" \\"
        for row in body
    ]
    source = "\n".join(
        [
            r"\documentclass{article}",
            r"\usepackage{booktabs}",
            r"\begin{document}",
            "The table below sets out the figures for each part of the economy in turn.",
            r"\begin{table}[h]\centering",
            rf"\begin{{tabular}}{{l{'r' * (columns - 1)}}}{top}",
            " & ".join(header) + rf" \\ {mid}",
            *lines,
            rf"{bottom}\end{{tabular}}\end{{table}}",
            "The figures are provisional and will be revised next year.",
            r"\end{document}",
        ]
    )
    typeset(tmp_path, "panels", source)
    segments = segments_of(run_pipeline(tmp_path / "panels.pdf", tmp_path / "work"))
    tables = [s for s in segments if s.segment_type == pb.SEGMENT_TYPE_TABLE]
    assert len(tables) == 1
    _check(tables[0].html, header, body, columns)


@pytest.mark.parametrize("font", ["Helvetica", "Times-Roman"])
@pytest.mark.parametrize("wrapped", [0, 1, 2])
def test_a_wrapped_cells_next_line_centred_on_the_table_by_chance_stays_in_its_cell(
    tmp_path: Path, font: str, wrapped: int
) -> None:
    """A description that wraps: its next line starts where the cell does, and here it also
    happens to be centred on the table. It is that cell's text, not a label across the table."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    size, pitch, left = 9.0, 11.0, 60.0
    labels = ["CURRENT_USER", "JOB_NAME", "SERVER_MODE", "USER_NAME"]
    lines = [
        ["The effective user of the thread including adopted authority. When no adopted"],
        ["The name of the job that runs the request."],
        ["Whether the server runs in single or multiple mode."],
        ["The user profile that started the thread."],
    ]
    tail = "authority is present, this has the same value as USER."
    lines[wrapped] = ["The effective user of the thread including adopted authority. When no adopted", tail]
    canvas = Canvas(str(tmp_path / "wrapped.pdf"), pagesize=A4)
    height = A4[1]
    canvas.setFont(font, size)
    longest = max(canvas.stringWidth(t, font, size) for cell in lines for t in cell)
    # the description column starts where the wrapped line's centre falls on the table's centre
    column = left + longest - canvas.stringWidth(tail, font, size)
    canvas.drawString(left, height - 100, "The functions return these special registers.")
    y, right = 130.0, column + longest  # a grid round every cell, as manuals draw it
    rules = [y - pitch]
    canvas.drawString(left, height - y, "Register")
    canvas.drawString(column, height - y, "Description")
    for label, cell in zip(labels, lines, strict=True):
        rules.append(y + 0.6 * pitch)
        y += pitch * 1.5
        canvas.drawString(left, height - y, label)
        for n, text in enumerate(cell):
            canvas.drawString(column, height - y - n * pitch, text)
        y += pitch * (len(cell) - 1)
    rules.append(y + 0.6 * pitch)
    for r in rules:
        canvas.line(left - 4, height - r, right + 4, height - r)
    for x in (left - 4, column - 4, right + 4):
        canvas.line(x, height - rules[0], x, height - rules[-1])
    canvas.drawString(left, height - y - 40, "The registers are read at the start of each statement.")
    canvas.save()
    segments = segments_of(run_pipeline(tmp_path / "wrapped.pdf", tmp_path / "work"))
    tables = [s for s in segments if s.segment_type == pb.SEGMENT_TYPE_TABLE]
    assert len(tables) == 1
    rows = _rows(tables[0].html)
    assert rows[1 + wrapped] == [(labels[wrapped], 1), (" ".join(lines[wrapped]), 1)]
    assert len(rows) == 1 + len(labels)
