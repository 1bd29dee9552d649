"""How lines are fed to the recogniser: padded to a few widths (each input
shape costs the runtime a compilation the first time it is seen), several
lines of one width at a time, and read the same as one line at a time."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import numpy as np
import pytest

from server.pipeline.ocr import engine as ocr_engine
from server.pipeline.ocr.engine import REC_BATCH, REC_FINE, REC_GROWTH, REC_MIN_WIDTH, REC_STEP, batches, padded_width
from tests.ocr.conftest import render
from tests.ocr.scans import SENTENCES, paragraph, scan


def test_a_line_is_padded_never_cut() -> None:
    for width in range(1, 9000):
        padded = padded_width(width)
        assert padded >= width and padded >= REC_MIN_WIDTH
        assert padded % REC_STEP == 0 or padded == REC_MIN_WIDTH


def test_lines_of_every_width_share_a_few_dozen_shapes_and_little_padding() -> None:
    shapes = {padded_width(width) for width in range(1, 6000)}
    assert len(shapes) <= 40
    for width in range(REC_FINE + 1, 6000):
        assert padded_width(width) <= REC_GROWTH * width + REC_STEP, "padding stays a small share of a long line"


def test_each_line_is_read_once_in_a_batch_of_its_own_width() -> None:
    rng = random.Random(9)
    widths = [padded_width(rng.uniform(10, 3000)) for _ in range(300)]
    groups = batches(widths, REC_BATCH)
    assert sorted(i for group in groups for i in group) == list(range(len(widths)))
    for group in groups:
        assert 1 <= len(group) <= REC_BATCH
        assert len({widths[i] for i in group}) == 1


@pytest.mark.usefixtures("engine_installed")
@pytest.mark.parametrize("font, size", [("Helvetica", 10), ("Times-Roman", 12), ("Courier", 9)])
def test_lines_read_in_batches_read_as_one_at_a_time(
    font: str, size: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = render(scan(tmp_path, paragraph(SENTENCES * 2, font, size)))
    ocr = dataclasses.replace(ocr_engine.engine(), ladder=True)  # as on OpenVINO, whichever runtime runs
    work, _ = ocr_engine.to_work_image(page.image)
    quads = ocr_engine._detect(ocr.det, work)
    # short pieces too, so that several lines share a padded width
    crops = [ocr_engine._narrow(ocr_engine._crop(work, q)) for q in quads]
    crops += [np.ascontiguousarray(c[:, : c.shape[1] // k]) for c in crops for k in (3, 4)]
    batched = ocr_engine._read(ocr, crops, word_boxes=True)
    widths = [padded_width(48 * c.shape[1] / c.shape[0]) for c in crops]
    assert max(len(g) for g in batches(widths, REC_BATCH)) > 1
    monkeypatch.setattr(ocr_engine, "REC_BATCH", 1)
    alone = ocr_engine._read(ocr, crops, word_boxes=True)
    assert batched.txts == alone.txts
    assert np.allclose(batched.scores, alone.scores, atol=0.02)
    assert [i.line_txt_len for i in batched.word_results] == pytest.approx([i.line_txt_len for i in alone.word_results])
