"""Right-to-left pages (Hebrew, drawn in visual order as most producers store it):
lines read right to left, columns right first, list markers stay with their item."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from protos import tasks_pb2 as pb
from tests.pipeline import pdfs
from tests.pipeline.support import run_pipeline, segments_of

FONTS = Path("/usr/share/fonts/truetype/dejavu")
pytestmark = pytest.mark.skipif(
    not (FONTS / "DejaVuSans.ttf").exists(),
    reason="needs DejaVu Sans for Hebrew glyphs (apt-get install fonts-dejavu-core)",
)

WORDS = "שלום עולם ברוכים הבאים לדוח השנתי של הוועדה אשר בחנה את הנתונים בשנת 2023 ומצאה כי ההוצאות עלו".split()


def _register() -> None:
    registered = pdfmetrics.getRegisteredFontNames()
    for name, file in (("DejaVu", "DejaVuSans.ttf"), ("DejaVu-Bold", "DejaVuSans-Bold.ttf")):
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(FONTS / file)))


def _visual(words: list[str]) -> str:
    """A line in visual order, left to right as drawn: words reversed, letters of
    Hebrew words reversed, numbers left as they are."""
    return " ".join(w if w.isdigit() else w[::-1] for w in reversed(words))


def _wrap(canvas: Canvas, words: list[str], width: float) -> list[list[str]]:
    lines: list[list[str]] = [[]]
    for word in words:
        if lines[-1] and canvas.stringWidth(" ".join([*lines[-1], word]), "DejaVu", 10) > width:
            lines.append([])
        lines[-1].append(word)
    return lines


def _column(canvas: Canvas, right: float, top: float, words: list[str], width: float) -> float:
    canvas.setFont("DejaVu", 10)
    y = top
    for line in _wrap(canvas, words, width):
        canvas.drawRightString(right, y, _visual(line))
        y -= 13
    return y


@pytest.mark.parametrize("marker_gap", [6.0, 18.0])
def test_a_hebrew_page_reads_right_to_left_with_its_list_markers(tmp_path: Path, marker_gap: float) -> None:
    _register()
    body = WORDS * 3
    items = [WORDS[i * 3 : i * 3 + 5] for i in range(3)]

    def draw(canvas: Canvas) -> None:
        canvas.setFont("DejaVu-Bold", 16)
        canvas.drawRightString(pdfs.WIDTH - 72, 720, _visual(["דוח", "שנתי"]))
        y = _column(canvas, pdfs.WIDTH - 72, 690, body, 440) - 10
        for item in items:
            canvas.setFont("DejaVu", 10)
            canvas.drawRightString(pdfs.WIDTH - 72, y, "-")
            canvas.drawRightString(pdfs.WIDTH - 72 - marker_gap, y, _visual(item))
            y -= 13

    segments = segments_of(run_pipeline(pdfs.build(tmp_path / "he.pdf", draw), tmp_path / "work"))
    assert [s.text for s in segments] == ["דוח שנתי", " ".join(body)] + [f"- {' '.join(i)}" for i in items]
    assert [s.segment_type for s in segments] == [pb.SEGMENT_TYPE_TITLE, pb.SEGMENT_TYPE_TEXT] + [
        pb.SEGMENT_TYPE_LIST_ITEM
    ] * 3


def test_hebrew_columns_read_right_column_first(tmp_path: Path) -> None:
    _register()
    right, left = WORDS * 4, list(reversed(WORDS)) * 4

    def draw(canvas: Canvas) -> None:
        _column(canvas, pdfs.WIDTH - 72, 700, right, 210)
        _column(canvas, pdfs.WIDTH - 72 - 250, 700, left, 210)

    segments = segments_of(run_pipeline(pdfs.build(tmp_path / "cols.pdf", draw), tmp_path / "work"))
    assert [s.text for s in segments] == [" ".join(right), " ".join(left)]
    boxes = [s.bbox for s in segments]
    assert boxes[0].left > boxes[1].left + boxes[1].width  # no overlapping segments
