"""Text written downwards reads as words, not as letters with spaces between.

Producers draw vertical text three ways: a run through a turned matrix, each glyph
on its own through a turned matrix, or upright glyphs stacked one per line (a sign,
a margin note, a narrow column's header; CJK vertical writing drawn a character at
a time). pdfium sees the stacked glyphs as a line each. Whatever the way, the
reader builds the line along the text's direction and joins its glyphs into words
by the white between them along it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas

from protos import tasks_pb2 as pb
from tests.pipeline import pdfs
from tests.pipeline.rawpdf import cjk_pdf
from tests.pipeline.support import run_pipeline, segments_of

_KEEP_MARGINS = pb.Configuration(chunk_processing=pb.ChunkProcessing(ignore_headers_and_footers=False))


def _body(canvas: Canvas) -> None:
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(72, 720, "Annual Report on Bridges")
    pdfs.paragraph(canvas, 72, 690, pdfs.words(200, 5), 400)


def _texts(path: Path, work: Path) -> list[str]:
    return [s.text for s in segments_of(run_pipeline(path, work, _KEEP_MARGINS))]


@pytest.mark.parametrize("note", ["PROPOSALS", "DRAFT ONLY", "Confidential", "Not for sale"])
@pytest.mark.parametrize(
    ("font", "size", "pitch"), [("Helvetica", 14, 1.1), ("Times-Bold", 18, 1.0), ("Courier", 11, 1.25)]
)
@pytest.mark.parametrize("centred", [True, False])
def test_letters_stacked_one_per_line_read_as_words(
    tmp_path: Path, note: str, font: str, size: float, pitch: float, centred: bool
) -> None:
    def draw(canvas: Canvas) -> None:
        _body(canvas)
        canvas.setFont(font, size)
        y = 640.0
        for char in note:
            if char != " ":
                (canvas.drawCentredString if centred else canvas.drawString)(530, y, char)
            y -= size * pitch

    texts = _texts(pdfs.build(tmp_path / "stacked.pdf", draw), tmp_path / "work")
    assert note in texts
    assert all(len(text) > 1 for text in texts)  # no letter on its own


@pytest.mark.parametrize("turn", [90, 270])
@pytest.mark.parametrize("note", ["PROPOSALS", "Draft copy not for circulation"])
def test_glyphs_drawn_one_at_a_time_through_a_turned_matrix_read_as_words(tmp_path: Path, turn: int, note: str) -> None:
    def draw(canvas: Canvas) -> None:
        _body(canvas)
        x, y = (540.0, 200.0) if turn == 90 else (560.0, 650.0)
        for char in note:
            if char != " ":
                canvas.saveState()
                canvas.translate(x, y)
                canvas.rotate(turn)
                canvas.setFont("Times-Roman", 14)
                canvas.drawString(0, 0, char)
                canvas.restoreState()
            advance = canvas.stringWidth(char, "Times-Roman", 14)
            y += advance if turn == 90 else -advance

    assert note in _texts(pdfs.build(tmp_path / "turned.pdf", draw), tmp_path / "work")


def _table(canvas: Canvas, headers: list[str], stacked: bool) -> None:
    """A small table whose column headers run downwards: turned, glyph by glyph, or stacked."""
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(72, 720, "Results by Region")
    for i, name in enumerate(headers):
        x = 250.0 + i * 60
        y = 596.0 + 11 * len(name) if stacked else 600.0
        for char in name:
            canvas.setFont("Helvetica", 10)
            if stacked:
                canvas.drawCentredString(x, y, char)
                y -= 11
            else:
                canvas.saveState()
                canvas.translate(x, y)
                canvas.rotate(90)
                canvas.drawString(0, 0, char)
                canvas.restoreState()
                y += canvas.stringWidth(char, "Helvetica", 10)
    canvas.setFont("Helvetica", 10)
    for r, label in enumerate(["Wheat", "Barley", "Oats"]):
        y = 580 - r * 16
        canvas.drawString(72, y, label)
        for i in range(len(headers)):
            canvas.drawCentredString(250 + i * 60, y, str((r + 1) * (i + 2) * 11))


@pytest.mark.parametrize("stacked", [True, False])
def test_column_headers_written_downwards_head_their_columns_whole(tmp_path: Path, stacked: bool) -> None:
    headers = ["North", "South", "East"]
    path = pdfs.build(tmp_path / "table.pdf", lambda c: _table(c, headers, stacked))
    [table] = [s for s in segments_of(run_pipeline(path, tmp_path / "work")) if s.segment_type == pb.SEGMENT_TYPE_TABLE]
    first_row = table.html.split("</tr>")[0]
    for name in headers:
        assert f">{name}<" in first_row


def test_a_table_column_of_single_letters_stays_in_its_rows(tmp_path: Path) -> None:
    """Y/N cells one under the other are a column of values, each on its row's baseline: no word."""

    def draw(canvas: Canvas) -> None:
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawString(72, 700, "Item")
        canvas.drawString(250, 700, "Stocked")
        canvas.setFont("Helvetica", 10)
        for r, (label, flag) in enumerate(zip(["Wheat", "Barley", "Oats", "Rye", "Maize"], "YNYYN", strict=True)):
            canvas.drawString(72, 686 - r * 12, label)
            canvas.drawString(250, 686 - r * 12, flag)

    tokens = re.sub(r"[|\s]+", " ", " ".join(_texts(pdfs.build(tmp_path / "flags.pdf", draw), tmp_path / "work")))
    assert [t for t in tokens.split() if len(t) == 1] == list("YNYYN")  # each flag a value of its own


_CJK = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所で"


@pytest.mark.parametrize(("per_column", "size"), [(11, 14), (16, 10), (8, 18)])
def test_vertical_cjk_drawn_a_character_at_a_time_reads_in_columns(
    tmp_path: Path, per_column: int, size: float
) -> None:
    runs = []
    for column in range(0, len(_CJK), per_column):
        x = 500 - (column // per_column) * 1.6 * size
        runs.extend((x, 720 - k * size, char) for k, char in enumerate(_CJK[column : column + per_column]))
    path = cjk_pdf(tmp_path / "tategaki.pdf", runs, size, vertical=False)
    assert "".join(_texts(path, tmp_path / "work")) == _CJK
