"""Vertical writing: Japanese set in columns read top to bottom, right to left.

pdfium hands a column on as one line of upright glyphs stacked downward. The
reader must take each column as a line (not as a character per line), join a
paragraph's columns without spaces, and read paragraphs from the rightmost
column leftwards, tier by tier down the page. Horizontal CJK must read as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pipeline.rawpdf import cjk_pdf
from tests.pipeline.support import run_pipeline, segments_of

PARAGRAPHS = [
    "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。",
    "吾輩はここで始めて人間というものを見た。しかもあとで聞くとそれは書生という人間中で一番獰悪な種族であったそうだ。",
    "この書生というのは時々我々を捕えて煮て食うという話である。しかしその当時は何という考もなかったから別段恐しいとも思わなかった。",
]
TOP, BOTTOM, LEFT, RIGHT = 740.0, 60.0, 60.0, 550.0


def _break(text: str, room: int) -> int:
    """How many characters of `text` the next line takes: `room`, or one more where the
    next is a full stop or comma, which Japanese line breaking never puts first in a line
    (it hangs below the last character instead)."""
    return room + 1 if text[room : room + 1] in ("\u3002", "\u3001") else room


def _vertical_runs(per_column: int, size: float, pitch: float) -> list[tuple[float, float, str]]:
    """Columns of `per_column` characters from the top right, `pitch` ems apart; a paragraph
    starts a new column one character down; a tier that is full continues in a tier below."""
    runs: list[tuple[float, float, str]] = []
    x, top = RIGHT, TOP
    tier_height = (per_column + 1) * size
    for paragraph in PARAGRAPHS:
        rest, indent = paragraph, 1
        while rest:
            take = _break(rest, per_column - indent)
            runs.append((x, top - indent * size, rest[:take]))
            rest, indent = rest[take:], 0
            x -= pitch * size
            if x < LEFT:
                x, top = RIGHT, top - tier_height - 2 * size
                assert top - tier_height > BOTTOM, "the text does not fit the page"
    return runs


def _horizontal_runs(per_line: int, size: float, leading: float) -> list[tuple[float, float, str]]:
    runs: list[tuple[float, float, str]] = []
    y = TOP
    for paragraph in PARAGRAPHS:
        rest, indent = paragraph, 1
        while rest:
            take = _break(rest, per_line - indent)
            runs.append((LEFT + indent * size, y, rest[:take]))
            rest, indent = rest[take:], 0
            y -= leading * size
    return runs


@pytest.mark.parametrize(
    ("per_column", "size", "pitch"),
    [(20, 14, 1.6), (30, 12, 1.5), (12, 20, 1.8), (16, 10, 2.0), (40, 9, 1.7), (8, 16, 1.6)],
)
def test_vertical_columns_are_read_as_lines_right_to_left(
    tmp_path: Path, per_column: int, size: float, pitch: float
) -> None:
    runs = _vertical_runs(per_column, size, pitch)
    path = cjk_pdf(tmp_path / "tategaki.pdf", runs, size, vertical=True)
    texts = [s.text for s in segments_of(run_pipeline(path, tmp_path / "work"))]
    assert "".join(texts) == "".join(PARAGRAPHS)  # in reading order, columns joined without spaces
    # a segment ends where a paragraph ends (its last column full or not) or a tier does
    ends = {sum(map(len, PARAGRAPHS[: i + 1])) for i in range(len(PARAGRAPHS))}
    tier_ends, done = set(), 0
    for (x, _, text), following in zip(runs, [*runs[1:], None], strict=True):
        done += len(text)
        if following is not None and following[0] > x:
            tier_ends.add(done)
    assert ends <= {sum(map(len, texts[: i + 1])) for i in range(len(texts))} <= ends | tier_ends, texts


def test_a_vertical_paragraph_segment_spans_its_columns(tmp_path: Path) -> None:
    size, pitch = 14.0, 1.6
    runs = _vertical_runs(20, size, pitch)
    path = cjk_pdf(tmp_path / "tategaki.pdf", runs, size, vertical=True)
    first = segments_of(run_pipeline(path, tmp_path / "work"))[0]
    columns = [x for x, _, text in runs if PARAGRAPHS[0].find(text) >= 0]
    box = first.bbox
    # from the first column at the right to the last one on the left, a column's width each side
    assert box.left <= min(columns) - size / 2 + 1 and box.left + box.width >= max(columns) + size / 2 - 1
    assert box.left >= min(columns) - size and box.left + box.width <= max(columns) + size


@pytest.mark.parametrize(("per_line", "size", "leading"), [(30, 12, 1.4), (20, 16, 1.6), (40, 10, 1.3)])
def test_horizontal_cjk_lines_join_without_spaces(tmp_path: Path, per_line: int, size: float, leading: float) -> None:
    path = cjk_pdf(tmp_path / "yokogaki.pdf", _horizontal_runs(per_line, size, leading), size, vertical=False)
    segments = segments_of(run_pipeline(path, tmp_path / "work"))
    assert [s.text for s in segments] == PARAGRAPHS


@pytest.mark.parametrize("vertical", [True, False])
def test_characters_beyond_the_basic_plane_come_out_whole(tmp_path: Path, vertical: bool) -> None:
    """pdfium gives such a character as two UTF-16 halves, one per character index."""
    formula = "\U0001d465\U0001d466\u306f\U0001d467\u3068\u7b49\u3057\u3044"  # 𝑥𝑦は𝑧と等しい
    runs = [(RIGHT, TOP, formula)] if vertical else [(LEFT, TOP, formula)]
    path = cjk_pdf(tmp_path / "math.pdf", runs, 14, vertical=vertical)
    assert [s.text for s in segments_of(run_pipeline(path, tmp_path / "work"))] == [formula]
