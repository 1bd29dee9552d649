"""Regions of an OCR'd page: the CDLA layout model's, or paragraphs by geometry.

Everything here works in upright work-image pixels; `ocr.py` maps the result
back to page points. Reading order splits the page into bands at regions that
span it and reads each band column by column, rather than a plain XY-cut,
which interleaves two columns wherever their paragraph gaps line up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from protos import tasks_pb2 as pb
from server.pipeline.ocr import gutter
from server.pipeline.ocr.engine import OcrLine

if TYPE_CHECKING:
    import numpy as np

Box = tuple[float, float, float, float]

# CDLA's ten classes. "reference" is a bibliography entry (参考文献), body text
# rather than a note tied to a mark on the page, so it stays TEXT: calling it a
# footnote would move bibliographies out of the flow in renderers that
# collect footnotes.
CDLA_TYPES: dict[str, int] = {
    "title": pb.SEGMENT_TYPE_TITLE,
    "text": pb.SEGMENT_TYPE_TEXT,
    "figure": pb.SEGMENT_TYPE_PICTURE,
    "figure_caption": pb.SEGMENT_TYPE_CAPTION,
    "table": pb.SEGMENT_TYPE_TABLE,
    "table_caption": pb.SEGMENT_TYPE_CAPTION,
    "header": pb.SEGMENT_TYPE_PAGE_HEADER,
    "footer": pb.SEGMENT_TYPE_PAGE_FOOTER,
    "reference": pb.SEGMENT_TYPE_TEXT,
    "equation": pb.SEGMENT_TYPE_FORMULA,
}
# Regions kept even when no OCR line falls inside them: they stand for an image.
KEEP_EMPTY = {pb.SEGMENT_TYPE_PICTURE, pb.SEGMENT_TYPE_TABLE, pb.SEGMENT_TYPE_FORMULA}
MIN_SHARE = 0.5  # a line belongs to the region holding at least half of its area
GROW_SHARE = 0.8  # a region's box grows to cover lines at least this much inside it
SAME_REGION_IOU = 0.7  # the model's NMS is per class; one box with two labels keeps the likelier


@dataclass
class Region:
    """A future segment: its type, box, detection score and lines in order."""

    segment_type: int
    box: Box
    score: float | None  # the layout model's score; None for geometric paragraphs
    lines: list[OcrLine] = field(default_factory=list)


def area(box: Box) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def intersection(a: Box, b: Box) -> float:
    return area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def union(boxes: Sequence[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def rows(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """Lines grouped into visual rows (top to bottom), each row left to right."""
    grouped: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda l: (l.box[1] + l.box[3]) / 2):
        if grouped:
            last = union([l.box for l in grouped[-1]])
            overlap = min(last[3], line.box[3]) - max(last[1], line.box[1])
            if overlap > 0.5 * min(last[3] - last[1], line.box[3] - line.box[1]):
                grouped[-1].append(line)
                continue
        grouped.append([line])
    return [sorted(row, key=lambda l: l.box[0]) for row in grouped]


def order_lines(lines: list[OcrLine]) -> list[OcrLine]:
    """Reading order inside one region: row by row, each row left to right
    (a table region reads as its rows)."""
    return [line for row in rows(lines) for line in row]


def _continues(block: list[OcrLine], line: OcrLine) -> float | None:
    """How far `line` is below the block it would continue, or None if it
    does not continue it: it must sit just under the block's last line (or
    beside it, close), overlap the block horizontally, and be of like height."""
    last = block[-1]
    h = min(last.box[3] - last.box[1], line.box[3] - line.box[1])
    if max(last.box[3] - last.box[1], line.box[3] - line.box[1]) > 1.3 * h:
        return None
    same_row = min(last.box[3], line.box[3]) - max(last.box[1], line.box[1]) > 0.5 * h
    if same_row:
        gap = line.box[0] - last.box[2]
        return 0.0 if -h < gap < h else None
    gap = line.box[1] - last.box[3]
    span = union([l.box for l in block])
    overlap = min(span[2], line.box[2]) - max(span[0], line.box[0])
    if gap <= 0.6 * h and overlap >= 0.5 * min(span[2] - span[0], line.box[2] - line.box[0]):
        return gap
    return None


def paragraphs(lines: list[OcrLine]) -> list[Region]:
    """Group lines into TEXT regions by geometry: a line joins the paragraph
    whose last line it sits just under, overlapping it, at a like height; a
    wider gap, a column gutter or a jump in height (heading above body text)
    starts a new one."""
    blocks: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda l: (l.box[1], l.box[0])):
        fits = [(gap, i) for i, block in enumerate(blocks) if (gap := _continues(block, line)) is not None]
        if fits:
            blocks[min(fits)[1]].append(line)
        else:
            blocks.append([line])
    return [Region(pb.SEGMENT_TYPE_TEXT, union([l.box for l in block]), None, block) for block in blocks]


def _columns(band: list[Region], slack: float) -> list[Region]:
    """A band of narrow regions read column by column: regions whose x-ranges
    overlap (directly or through others) by more than `slack` form one column.
    The slack, a line height, forgives boxes that reach a little into the
    gutter, which is no narrower than that."""
    columns: list[tuple[float, float, list[Region]]] = []
    for region in sorted(band, key=lambda r: r.box[0]):
        if columns and region.box[0] < columns[-1][1] - slack:
            x0, x1, members = columns[-1]
            columns[-1] = (x0, max(x1, region.box[2]), [*members, region])
        else:
            columns.append((region.box[0], region.box[2], [region]))
    return [r for _, _, members in columns for r in sorted(members, key=lambda r: r.box[1])]


def reading_order(regions: list[Region], gutters: Sequence[gutter.Gutter] = ()) -> list[Region]:
    """Page headers, then the body, then page footers. In the body, regions
    spanning most of the content width or reaching across a column gutter (a
    centred author line over two columns) separate bands; within a band the
    narrower regions are read by columns, so two columns are read one after
    the other even when their paragraph gaps line up."""
    margins = (pb.SEGMENT_TYPE_PAGE_HEADER, pb.SEGMENT_TYPE_PAGE_FOOTER)
    body = [r for r in regions if r.segment_type not in margins]
    ordered = sorted(
        (r for r in regions if r.segment_type == pb.SEGMENT_TYPE_PAGE_HEADER), key=lambda r: (r.box[1], r.box[0])
    )
    if body:
        left, right = min(r.box[0] for r in body), max(r.box[2] for r in body)
        heights = sorted(l.box[3] - l.box[1] for r in body for l in r.lines)
        slack = heights[len(heights) // 2] if heights else 0.0
        band: list[Region] = []
        for region in sorted(body, key=lambda r: (r.box[1], r.box[0])):
            across = any(
                region.box[0] < (a + b) / 2 - slack < (a + b) / 2 + slack < region.box[2] for a, b, _ in gutters
            )
            if across or region.box[2] - region.box[0] >= 0.55 * (right - left):
                ordered += _columns(band, slack) + [region]
                band = []
            else:
                band.append(region)
        ordered += _columns(band, slack)
    return ordered + sorted(
        (r for r in regions if r.segment_type == pb.SEGMENT_TYPE_PAGE_FOOTER), key=lambda r: (r.box[1], r.box[0])
    )


def model_regions(model: Callable[[np.ndarray], Any], image: np.ndarray) -> list[Region]:
    """The layout model's regions on an upright BGR image."""
    result = model(image)
    if result.boxes is None:
        return []
    regions = []
    for box, name, score in zip(result.boxes, result.class_names, result.scores, strict=False):
        kind = CDLA_TYPES.get(str(name).lower())
        if kind is not None:
            regions.append(Region(kind, tuple(float(v) for v in box[:4]), float(score)))  # type: ignore[arg-type]  # four floats
    kept: list[Region] = []
    for region in sorted(regions, key=lambda r: -(r.score or 0.0)):
        if all(_iou(region.box, other.box) < SAME_REGION_IOU for other in kept):
            kept.append(region)
    return kept


def _iou(a: Box, b: Box) -> float:
    shared = intersection(a, b)
    return shared / max(area(a) + area(b) - shared, 1e-9)


def assign(regions: list[Region], lines: list[OcrLine]) -> list[OcrLine]:
    """Put each line into the region that covers most of it (the smaller region
    on a tie, so a caption inside a figure box stays a caption); return the
    lines no region covers enough."""
    leftover = []
    for line in lines:
        own = max(area(line.box), 1.0)
        best = max(
            regions,
            key=lambda r: (round(intersection(r.box, line.box) / own, 2), -area(r.box)),
            default=None,
        )
        if best is not None and intersection(best.box, line.box) / own >= MIN_SHARE:
            best.lines.append(line)
        else:
            leftover.append(line)
    return leftover


def analyse(lines: list[OcrLine], image: np.ndarray, model: Callable[[np.ndarray], Any] | None) -> list[Region]:
    """Regions of the page in reading order, each with its lines in order.

    The layout model (a third of the time of a short page) runs only where it
    can change the result: a page whose lines form a single paragraph by
    geometry has nothing for it to separate or name but that paragraph."""
    gutters = gutter.gutters(lines)
    lines = gutter.split(lines, gutters)
    regions = paragraphs(lines)
    if model is not None and len(regions) > 1:
        found = model_regions(model, image)
        leftover = assign(found, lines)
        for region in found:
            # grow a box to the lines it clips, but not to a line that
            # detection merged across a column gutter: that would make the
            # region span both columns and break the reading order
            inside = [l.box for l in region.lines if intersection(region.box, l.box) >= GROW_SHARE * area(l.box)]
            region.box = union([region.box, *inside])
        regions = [r for r in found if r.lines or r.segment_type in KEEP_EMPTY] + paragraphs(leftover)
    for region in regions:
        region.lines = order_lines(region.lines)
    return reading_order(regions, gutters)
