"""Layout analysis: a page's lines, tables and images → classified regions in reading order.

Tables are found first (they take their words), then pictures (they take the
labels drawn on them), then the remaining lines become blocks that `classify`
names; `order` puts everything in reading order.
"""

from __future__ import annotations

import re

from protos import tasks_pb2 as pb
from server.pipeline.geometry import Box
from server.pipeline.pdf.classify import classify
from server.pipeline.pdf.extract import PageContent
from server.pipeline.pdf.fields import (
    boxed_fields,
    checkboxes,
    checklist,
    field_grid,
    field_lines,
    field_rows,
    form_text,
)
from server.pipeline.pdf.lines import Block, Line, build_blocks, build_lines, reads_right_to_left
from server.pipeline.pdf.order import insert_footnote, insert_picture, vertical_xy_cut, xy_cut
from server.pipeline.pdf.stats import DocumentStats
from server.pipeline.regions import Region
from server.pipeline.tables import find_leader_tables, find_tables, find_unruled_tables


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


def _text_over(box: Box, content: PageContent) -> int:
    return sum(len(w.text) for w in content.words if box.contains_point(w.box.cx, w.box.cy))


def _pictures(content: PageContent) -> list[Box]:
    """Image objects big enough to matter, overlapping ones merged; a page-sized
    background under text is not a picture."""
    area = content.width * content.height
    boxes = []
    for box in content.images:
        clipped = box.clip(content.width, content.height)
        if clipped.width < 16 or clipped.height < 16 or clipped.width * clipped.height < 0.004 * area:
            continue
        if clipped.width * clipped.height > 0.85 * area and _text_over(clipped, content) >= 20:
            continue  # a background (a slide's, a scan's under its text layer), not a picture
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


def _row_cells(blocks: list[Block]) -> set[int]:
    """Single-line blocks that stand in a row of three or more same-styled fragments on
    one baseline: cells of a table's header or body row, not headings."""
    singles = sorted((b for b in blocks if len(b.lines) == 1), key=lambda b: b.box.y0)
    found: set[int] = set()
    for i, block in enumerate(singles):
        line = block.lines[0]
        row = [block]
        for other in singles[i + 1 :]:
            if other.box.y0 > line.box.y1:
                break
            o = other.lines[0]
            same_style = o.bold == line.bold and abs(o.size - line.size) <= 0.5
            if same_style and o.box.y_overlap(line.box) > 0.5 * min(o.box.height, line.box.height):
                row.append(other)
        if len(row) >= 3:
            found.update(id(b) for b in row)
    return found


_MATH_MARK = re.compile(r"[=+\u2212\u00d7\u2211\u220f\u222b\u221a\u2264\u2265\u2248\u2202^]|\(\d{1,3}\)$")


_EQUATION_NUMBER = re.compile(r"^\((?:\d{1,3}(?:\.\d{1,3})?[a-z]?|[A-Z]\.?\d{1,3})\)$")


def _formula_piece(region: Region, body: float) -> bool:
    """A small fragment of a display formula: a short, single line of body size or smaller
    (a symbol, a limit, a numerator, an equation number)."""
    # a numerator over its denominator ("1" over "L") can pass for a numbered heading on its own
    tiny_heading = region.kind == pb.SEGMENT_TYPE_SECTION_HEADER and len(region.text.replace(" ", "")) <= 4
    return (
        (region.kind in (pb.SEGMENT_TYPE_TEXT, pb.SEGMENT_TYPE_FORMULA) or tiny_heading)
        and not region.code
        and len(region.lines) <= 2
        and len(region.text) <= 40
        and region.box.height <= 3 * body
    )


def _join_formula_pieces(regions: list[Region], stats: DocumentStats) -> list[Region]:
    """A displayed formula is set as scattered pieces (fraction bars split it into lines,
    limits sit above and below, the number far right); pieces that touch each other, three
    or more with an operator among them, are one Formula read left to right."""
    body = stats.body_size
    pieces = [r for r in regions if _formula_piece(r, body)]
    groups: list[list[Region]] = []
    for piece in sorted(pieces, key=lambda r: (r.box.y0, r.box.x0)):
        near = [g for g in groups if any(piece.box.intersects(other.box, margin=body) for other in g)]
        if not near:
            groups.append([piece])
            continue
        merged = [piece] + [r for g in near for r in g]
        groups = [g for g in groups if g not in near] + [merged]
    taken: set[int] = set()
    formulas: list[Region] = []
    for group in groups:
        if len(group) < 3 or not any(_MATH_MARK.search(r.text) for r in group):
            continue
        if sum(len(r.text.split()) for r in group) > 4 * len(group):
            continue  # prose lines beside each other, not the pieces of one formula
        ordered = sorted(group, key=lambda r: (r.box.x0, r.box.y0))
        box = ordered[0].box
        for r in ordered[1:]:
            box = box.union(r.box)
        text = " ".join(r.text for r in ordered)
        formulas.append(
            Region(pb.SEGMENT_TYPE_FORMULA, box, text, [line for r in ordered for line in r.lines], confidence=0.6)
        )
        taken.update(id(r) for r in group)
    for number in (r for r in pieces if id(r) not in taken and _EQUATION_NUMBER.match(r.text)):
        beside = [f for f in formulas if f.box.y_overlap(number.box) > 0 and f.box.x1 <= number.box.x0]
        if beside:  # "(3)" flush right on the formula's line
            formula = max(beside, key=lambda f: f.box.x1)
            formula.text, formula.box = f"{formula.text} {number.text}", formula.box.union(number.box)
            formula.lines.extend(number.lines)
            taken.add(id(number))
    return [r for r in regions if id(r) not in taken] + formulas


def _bylines_are_text(regions: list[Region], width: float) -> None:
    """A title's byline (authors, affiliations, a date) is set centred right under it, larger
    than the body but lighter than the title, before the first section: it is no heading.
    Section headings are set flush with the text or in the title's weight."""
    titles = [r for r in regions if r.kind == pb.SEGMENT_TYPE_TITLE]
    if not titles:
        return
    title = max(titles, key=lambda r: r.box.y1)
    title_bold = sum(1 for line in title.lines if line.bold) * 2 > len(title.lines)
    below = sorted((r for r in regions if r.box.y0 >= title.box.y1 - 1), key=lambda r: r.box.y0)
    title_size = max((line.size for line in title.lines), default=0.0)
    bottom = title.box.y1
    while below:  # row by row: names set side by side ("Ann Researcher \and Ben Engineer") centre as one
        row = [r for r in below if r.box.y_overlap(below[0].box) > 0.5 * min(r.box.height, below[0].box.height)]
        box = row[0].box
        for region in row[1:]:
            box = box.union(region.box)
        lines = [line for r in row for line in r.lines]
        if not lines:  # a row of pictures or rules: no byline, and nothing below it is one
            break
        centred = abs(box.cx - title.box.cx) <= 0.02 * width and box.width < 0.8 * width
        near = box.y0 - bottom <= 3 * max(title.box.height / max(len(title.lines), 1), 1.0)
        smaller = max(line.size for line in lines) < 0.95 * title_size
        light = not any(line.bold for line in lines) and (title_bold or smaller)
        headings = all(r.kind == pb.SEGMENT_TYPE_SECTION_HEADER and len(r.lines) <= 3 for r in row)
        if not (headings and centred and near and light):
            break
        for region in row:
            region.kind, region.level = pb.SEGMENT_TYPE_TEXT, 0
        bottom = box.y1
        below = [r for r in below if all(r is not x for x in row)]


def _under_a_heading_is_body(regions: list[Region]) -> None:
    """A page's running head sits above its body: a short line in small type that the
    margin test took for one, but that is set under the page's title or a heading (a
    form's instructions under its name), is the body's text."""
    headings = [r for r in regions if r.kind in (pb.SEGMENT_TYPE_TITLE, pb.SEGMENT_TYPE_SECTION_HEADER)]
    for region in regions:
        lone = region.kind == pb.SEGMENT_TYPE_PAGE_HEADER and region.confidence < 0.9
        if lone and any(h.box.y1 <= region.box.y0 and h.box.x_overlap(region.box) > 0 for h in headings):
            region.kind = pb.SEGMENT_TYPE_TEXT


def analyse_page(content: PageContent, lines: list[Line], stats: DocumentStats) -> list[Region]:
    """Classified regions of one page in reading order."""
    regions: list[Region] = []
    if checkboxes(content):
        lines = build_lines(content.words)
    tables = [
        t
        for t in find_tables(content.words, content.rules, content.width, content.height)
        if not checklist(t) and not field_rows(t)
    ]
    taken = {id(w) for table in tables for w in table.words}
    for table in tables:
        fields = field_grid(table.words, content.rules)
        if fields is None:
            regions.append(Region(pb.SEGMENT_TYPE_TABLE, table.box, "", table=table, confidence=0.75))
        else:  # a grid of labelled boxes: a "Label: value" line each, row by row
            regions.append(Region(pb.SEGMENT_TYPE_TEXT, table.box, "\n".join(fields), build_lines(table.words)))
    if taken:
        lines = build_lines([w for w in content.words if id(w) not in taken])
    rows, lines = field_lines(*boxed_fields(lines, content.rules))
    regions.extend(Region(pb.SEGMENT_TYPE_TEXT, box, text, row) for box, text, row in rows)
    pictures, lines = _attach_to_pictures(
        [b for b in _pictures(content) if not any(b.intersects(t.box) for t in tables)], lines, stats.body_size
    )
    regions.extend(pictures)
    for finder in (find_leader_tables, lambda free: find_unruled_tables(free, content.width)):
        for table, table_lines in finder(lines):
            if field_rows(table):
                continue
            regions.append(Region(pb.SEGMENT_TYPE_TABLE, table.box, "", table=table, confidence=0.7))
            used = {id(line) for line in table_lines}
            lines = [line for line in lines if id(line) not in used]
    blocks = build_blocks(lines)
    in_rows = _row_cells(blocks)
    regions.extend(_join_formula_pieces([classify(b, content, stats, id(b) in in_rows) for b in blocks], stats))
    _bylines_are_text(regions, content.width)
    _under_a_heading_is_body(regions)
    form_text(regions)
    chars = sum(len(w.text) for w in content.words)
    rtl = reads_right_to_left(content.words)
    vertical = sum(len(w.text) for w in content.words if w.vertical) * 2 > chars
    margins = [r for r in regions if r.kind in (pb.SEGMENT_TYPE_PAGE_HEADER, pb.SEGMENT_TYPE_PAGE_FOOTER)]
    body = [r for r in regions if r.kind not in (pb.SEGMENT_TYPE_PAGE_HEADER, pb.SEGMENT_TYPE_PAGE_FOOTER)]
    floating = (pb.SEGMENT_TYPE_PICTURE, pb.SEGMENT_TYPE_FOOTNOTE)
    flowing = [r for r in body if r.kind not in floating]
    flow = vertical_xy_cut(flowing) if vertical else xy_cut(flowing, rtl)
    for picture in sorted((r for r in body if r.kind == pb.SEGMENT_TYPE_PICTURE), key=lambda r: r.box.y0):
        insert_picture(flow, picture)
    for footnote in sorted((r for r in body if r.kind == pb.SEGMENT_TYPE_FOOTNOTE), key=lambda r: r.box.y0):
        insert_footnote(flow, footnote)
    headers = sorted((r for r in margins if r.kind == pb.SEGMENT_TYPE_PAGE_HEADER), key=lambda r: (r.box.y0, r.box.x0))
    footers = sorted((r for r in margins if r.kind == pb.SEGMENT_TYPE_PAGE_FOOTER), key=lambda r: (r.box.y0, r.box.x0))
    return headers + flow + footers
