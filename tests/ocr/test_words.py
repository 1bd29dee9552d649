"""Words from the recogniser's character positions: each character of a line
sits at a CTC frame, and the frames span the line's box. No engine needed:
the positions are given as the recogniser reports them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from server.pipeline.ocr.engine import words_of

FRAME = 40.0 / 4.8  # a frame's width in pixels on a 40-pixel-high line box


def info(text: str, frames: list[int], total: int) -> SimpleNamespace:
    """What the recogniser reports: frames of the visible characters grouped by
    printed spaces, one confidence per character (spaces too)."""
    groups, current = [], []
    visible = iter(frames)
    for char in text:
        if char == " ":
            groups.append(current)
            current = []
        else:
            current.append(next(visible))
    groups.append(current)
    return SimpleNamespace(word_cols=[g for g in groups if g], confs=[0.9] * len(text), line_txt_len=float(total))


def test_printed_spaces_make_words_with_boxes_in_order() -> None:
    text = "read every page"
    frames = [1, 2, 3, 4, 7, 8, 9, 10, 11, 14, 15, 16, 17]
    right_edge = 100.0 + 20 * FRAME
    runs = words_of(text, info(text, frames, 20), 100.0, right_edge, 40.0)
    assert len(runs) == 1
    assert [w[0] for w in runs[0]] == ["read", "every", "page"]
    lefts = [w[2] for w in runs[0]]
    assert lefts == sorted(lefts) and lefts[0] >= 100.0 and runs[0][-1][3] <= right_edge


def test_a_wide_space_the_recogniser_did_not_print_is_found_in_the_gap() -> None:
    # "wordspacing": letters 1-2 frames apart, 7 frames between the two words
    text = "wordspacing"
    frames = [1, 2, 4, 5, 12, 13, 15, 16, 17, 19, 20]
    runs = words_of(text, info(text, frames, 24), 0.0, 24 * FRAME, 40.0)
    assert [[w[0] for w in run] for run in runs] == [["word", "spacing"]]


@pytest.mark.parametrize("steps", [[1, 2, 3], [2, 3, 2], [5, 1, 5]], ids=["tight", "loose", "wide-m"])
def test_letters_of_a_word_stay_together(steps: list[int]) -> None:
    frames = [1]
    for step in steps:
        frames.append(frames[-1] + step)
    text = "mama"
    total = frames[-1] + 2
    runs = words_of(text, info(text, frames, total), 0.0, total * FRAME, 40.0)
    assert [w[0] for w in runs[0]] == ["mama"]


def test_a_line_bridging_a_column_gutter_is_two_lines() -> None:
    # detection merged two columns: a gap of many line heights between "left" and "right"
    text = "the left column the right column"
    left = [1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15]
    right = [f + 60 for f in [1, 2, 3, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16]]
    runs = words_of(text, info(text, left + right, 80), 0.0, 80 * FRAME, 40.0)
    assert [[w[0] for w in run] for run in runs] == [["the", "left", "column"], ["the", "right", "column"]]
    assert runs[0][-1][3] < runs[1][0][2], "the first run ends before the second begins"
