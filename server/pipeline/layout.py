"""Layout analysis: a page's lines, tables and images → classified regions in reading order.

Tables are found first (they take their words), then pictures (they take the
labels drawn on them), then the remaining lines become blocks that `classify`
names; `order` puts everything in reading order.
"""

from __future__ import annotations

from protos import tasks_pb2 as pb
from server.pipeline.classify import classify
from server.pipeline.extract import PageContent
from server.pipeline.geometry import Box
from server.pipeline.lines import Line, build_blocks, build_lines
from server.pipeline.order import insert_footnote, insert_picture, xy_cut
from server.pipeline.regions import Region
from server.pipeline.stats import DocumentStats
from server.pipeline.tables import find_leader_tables, find_tables


def _overlap_share(a: Box, b: Box) -> float:
    """Intersection area over the smaller box's area."""
    w, h = a.x_overlap(b), a.y_overlap(b)
    if w <= 0 or h <= 0:
        return 0.0
    return w * h / max(min(a.width * a.height, b.width * b.height), 1e-6)


def _merge_boxes(boxes: list[Box]) -> list[Box]:
    """Images that overlap a lot are tiles of one figure; slight overlaps are neighbours."""
    merged: list[Box] = []
    for box in sorted(boxes, key=lambda b: (b.y0, b.x0)):
        for i, other in enumerate(merged):
            if _overlap_share(box, other) >= 0.25:
                merged[i] = other.union(box)
                break
        else:
            merged.append(box)
    return merged


def _pictures(content: PageContent) -> list[Box]:
    """Image objects big enough to matter, overlapping ones merged; a page-sized
    background under text is not a picture."""
    area = content.width * content.height
    boxes = []
    for box in content.images:
        clipped = box.clip(content.width, content.height)
        if clipped.width < 16 or clipped.height < 16 or clipped.width * clipped.height < 0.004 * area:
            continue
        if clipped.width * clipped.height > 0.85 * area and content.char_count > 200:
            continue
        boxes.append(clipped)
    return _merge_boxes(boxes)


def _attach_to_pictures(pictures: list[Box], lines: list[Line], body_size: float) -> tuple[list[Region], list[Line]]:
    """Labels drawn over a figure belong to the figure, not to the text flow; a
    full-size line of body text is never a label, even where an image box reaches."""
    regions = [Region(pb.SEGMENT_TYPE_PICTURE, box, "", confidence=0.85) for box in pictures]
    free: list[Line] = []
    for line in lines:
        small = line.size < body_size * 0.97
        label = small or (len(line.words) <= 6 and not line.bold and line.size <= body_size * 1.05)
        owner = None
        if label:
            owner = next((r for r in regions if r.box.contains_point(line.box.cx, line.box.cy, margin=1.0)), None)
        if owner is None:
            free.append(line)
        else:
            owner.text = f"{owner.text} {line.text}".strip()
    return regions, free


def analyse_page(content: PageContent, lines: list[Line], stats: DocumentStats) -> list[Region]:
    """Classified regions of one page in reading order."""
    regions: list[Region] = []
    tables = find_tables(content.words, content.rules, content.width, content.height)
    taken = {id(w) for table in tables for w in table.words}
    for table in tables:
        regions.append(Region(pb.SEGMENT_TYPE_TABLE, table.box, "", table=table, confidence=0.75))
    if taken:
        lines = build_lines([w for w in content.words if id(w) not in taken])
    pictures, lines = _attach_to_pictures(
        [b for b in _pictures(content) if not any(b.intersects(t.box) for t in tables)], lines, stats.body_size
    )
    regions.extend(pictures)
    for table, leader_lines in find_leader_tables(lines):
        regions.append(Region(pb.SEGMENT_TYPE_TABLE, table.box, "", table=table, confidence=0.7))
        used = {id(line) for line in leader_lines}
        lines = [line for line in lines if id(line) not in used]
    for block in build_blocks(lines):
        regions.append(classify(block, content, stats))
    rtl_chars = sum(len(w.text) for w in content.words if w.rtl)
    rtl = rtl_chars * 2 > sum(len(w.text) for w in content.words)
    margins = [r for r in regions if r.kind in (pb.SEGMENT_TYPE_PAGE_HEADER, pb.SEGMENT_TYPE_PAGE_FOOTER)]
    body = [r for r in regions if r.kind not in (pb.SEGMENT_TYPE_PAGE_HEADER, pb.SEGMENT_TYPE_PAGE_FOOTER)]
    floating = (pb.SEGMENT_TYPE_PICTURE, pb.SEGMENT_TYPE_FOOTNOTE)
    flow = xy_cut([r for r in body if r.kind not in floating], rtl)
    for picture in sorted((r for r in body if r.kind == pb.SEGMENT_TYPE_PICTURE), key=lambda r: r.box.y0):
        insert_picture(flow, picture)
    for footnote in sorted((r for r in body if r.kind == pb.SEGMENT_TYPE_FOOTNOTE), key=lambda r: r.box.y0):
        insert_footnote(flow, footnote)
    headers = sorted((r for r in margins if r.kind == pb.SEGMENT_TYPE_PAGE_HEADER), key=lambda r: (r.box.y0, r.box.x0))
    footers = sorted((r for r in margins if r.kind == pb.SEGMENT_TYPE_PAGE_FOOTER), key=lambda r: (r.box.y0, r.box.x0))
    return headers + flow + footers
