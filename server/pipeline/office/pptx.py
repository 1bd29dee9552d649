"""PowerPoint decks: one page per slide, the slide title as its Title.

Shapes are read in the order a reader's eye takes them: top to bottom, and left
to right among shapes whose tops line up (within a line of text), which is how
slides put columns side by side. Paragraphs are list items when they carry a
bullet or an automatic number, or sit in a body placeholder (whose bullets come
from the master) without `a:buNone`; their level is the nesting depth.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import cast

import pptx
from lxml import etree
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.shapes.autoshape import Shape
from pptx.shapes.base import BaseShape
from pptx.shapes.graphfrm import GraphicFrame
from pptx.shapes.group import GroupShape
from pptx.shapes.picture import Picture
from pptx.slide import Slide

from protos import tasks_pb2 as pb
from server.pipeline.office import Block, OfficeDocument, OfficePage, block
from server.pipeline.office.charts import chart_blocks
from server.pipeline.office.grid import Placed, grid_table
from server.pipeline.tables import Table

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS = {"a": A}
EMU_PER_POINT = 12700
_ROW_TOLERANCE = 18 * EMU_PER_POINT  # tops within one line of body text are one row of shapes
_TITLES = frozenset({PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.VERTICAL_TITLE})
_BODIES = frozenset({PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT, PP_PLACEHOLDER.VERTICAL_BODY})
_MARGINS = {
    PP_PLACEHOLDER.FOOTER: pb.SEGMENT_TYPE_PAGE_FOOTER,
    PP_PLACEHOLDER.SLIDE_NUMBER: pb.SEGMENT_TYPE_PAGE_FOOTER,
    PP_PLACEHOLDER.DATE: pb.SEGMENT_TYPE_PAGE_FOOTER,
    PP_PLACEHOLDER.HEADER: pb.SEGMENT_TYPE_PAGE_HEADER,
}
_AUTONUM = {
    "arabic": lambda n: str(n),
    "alphaLc": lambda n: chr(ord("a") + (n - 1) % 26),
    "alphaUc": lambda n: chr(ord("A") + (n - 1) % 26),
    "romanLc": lambda n: _roman(n).lower(),
    "romanUc": lambda n: _roman(n),
}


def _roman(number: int) -> str:
    out = ""
    for value, digits in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                          (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):  # fmt: skip
        while number >= value:
            out, number = out + digits, number - value
    return out


def _placeholder_type(shape: BaseShape) -> object:
    if not shape.is_placeholder:
        return None
    try:
        return shape.placeholder_format.type
    except ValueError:
        return None


def _reading_order(shapes: Iterable[BaseShape]) -> list[BaseShape]:
    """Titles first, then rows of shapes top to bottom, each row left to right."""
    titles = [s for s in shapes if _placeholder_type(s) in _TITLES]
    rest = sorted((s for s in shapes if s not in titles), key=lambda s: (s.top or 0, s.left or 0))
    ordered: list[BaseShape] = []
    row: list[BaseShape] = []
    for shape in rest:
        if row and (shape.top or 0) - (row[0].top or 0) > _ROW_TOLERANCE:
            ordered.extend(sorted(row, key=lambda s: s.left or 0))
            row = []
        row.append(shape)
    ordered.extend(sorted(row, key=lambda s: s.left or 0))
    return titles + ordered


def _paragraph_text(paragraph: etree._Element) -> str:
    parts = []
    for node in paragraph.iter(f"{{{A}}}t", f"{{{A}}}br"):
        parts.append(node.text or "" if node.tag == f"{{{A}}}t" else " ")
    return " ".join("".join(parts).split())


def _text_blocks(shape: Shape, placeholder: object) -> Iterator[Block]:
    """A text frame's paragraphs as text or list items, numbering as PowerPoint counts."""
    body = shape.text_frame._txBody
    numbers: dict[int, int] = {}  # level → last number; a paragraph that is not numbered restarts the count
    for paragraph in body.findall("a:p", NS):
        text = _paragraph_text(paragraph)
        if not text:
            continue
        ppr = paragraph.find("a:pPr", NS)
        level = int(ppr.get("lvl", "0")) if ppr is not None else 0
        auto = ppr.find("a:buAutoNum", NS) if ppr is not None else None
        if auto is not None:
            number = numbers.get(level, int(auto.get("startAt", "1")) - 1) + 1
            numbers[level] = number
            for deeper in [k for k in numbers if k > level]:
                del numbers[deeper]
            yield block(pb.SEGMENT_TYPE_LIST_ITEM, f"{_autonum(auto.get('type', 'arabicPeriod'), number)} {text}",
                        depth=level)  # fmt: skip
            continue
        numbers.clear()
        bulleted = ppr is not None and ppr.find("a:buChar", NS) is not None
        no_bullet = ppr is not None and ppr.find("a:buNone", NS) is not None
        if bulleted or (placeholder in _BODIES and not no_bullet):
            yield block(pb.SEGMENT_TYPE_LIST_ITEM, f"• {text}", depth=level)
        else:
            yield block(pb.SEGMENT_TYPE_TEXT, text)


def _autonum(scheme: str, number: int) -> str:
    """ "3." for arabicPeriod, "c)" for alphaLcParenR, "(iv)" for romanLcParenBoth."""
    style = next((fn for prefix, fn in _AUTONUM.items() if scheme.startswith(prefix)), _AUTONUM["arabic"])
    if scheme.endswith("ParenBoth"):
        return f"({style(number)})"
    return f"{style(number)}{')' if scheme.endswith('ParenR') else '.'}"


def _table(shape: BaseShape) -> Table | None:
    """a:tbl: a cell with gridSpan/rowSpan owns the positions marked hMerge/vMerge."""
    tbl = shape._element.graphic.graphicData.tbl
    if tbl is None:
        return None
    rows = tbl.findall("a:tr", NS)
    placed: list[Placed] = []
    cols = len(tbl.findall("a:tblGrid/a:gridCol", NS))
    for r, tr in enumerate(rows):
        cells = tr.findall("a:tc", NS)
        cols = max(cols, len(cells))
        for c, tc in enumerate(cells):
            if tc.get("hMerge") in ("1", "true") or tc.get("vMerge") in ("1", "true"):
                continue
            texts = [_paragraph_text(p) for p in tc.iterfind("a:txBody/a:p", NS)]
            placed.append(
                Placed(r, c, " ".join(t for t in texts if t), int(tc.get("gridSpan", "1")), int(tc.get("rowSpan", "1")))
            )
    return grid_table(placed, len(rows), cols)


def _shape_blocks(shape: BaseShape) -> Iterator[Block]:
    placeholder = _placeholder_type(shape)
    if isinstance(shape, GroupShape):
        for inner in _reading_order(list(shape.shapes)):
            yield from _shape_blocks(inner)
        return
    if getattr(shape, "has_table", False) and shape.has_table:
        table = _table(shape)
        if table is not None:
            yield block(pb.SEGMENT_TYPE_TABLE, "", table=table)
        return
    if getattr(shape, "has_chart", False) and shape.has_chart:
        yield from chart_blocks(cast(GraphicFrame, shape).chart._chartSpace, _description(shape))
        return
    if _is_picture(shape, placeholder):
        try:
            blob: bytes | None = cast(Picture, shape).image.blob
        except (AttributeError, KeyError, ValueError):  # an empty picture placeholder, a linked image
            blob = None
        yield block(pb.SEGMENT_TYPE_PICTURE, _description(shape), image=blob)
        return
    if not getattr(shape, "has_text_frame", False) or not shape.has_text_frame:
        return
    shape = cast(Shape, shape)  # has_text_frame: an autoshape or placeholder
    if placeholder in _TITLES:
        text = " ".join(shape.text_frame.text.split())
        if text:
            yield block(pb.SEGMENT_TYPE_TITLE, text, level=1)
        return
    if placeholder in _MARGINS:
        text = " ".join(shape.text_frame.text.split())
        if text:
            yield block(_MARGINS[placeholder], text)  # type: ignore[index]  # a key: tested above
        return
    yield from _text_blocks(shape, placeholder)


def _is_picture(shape: BaseShape, placeholder: object) -> bool:
    try:
        return shape.shape_type == MSO_SHAPE_TYPE.PICTURE or placeholder == PP_PLACEHOLDER.PICTURE
    except NotImplementedError:  # python-pptx has no type for some shapes; they are not pictures
        return False


def _description(shape: BaseShape) -> str:
    found = shape._element.xpath("./*[1]/p:cNvPr/@descr")
    return " ".join(str(found[0]).split()) if found else ""


def _slide_page(slide: Slide, number: int, width: float, height: float) -> OfficePage:
    page = OfficePage(number, width, height)
    for shape in _reading_order(list(slide.shapes)):
        page.blocks.extend(_shape_blocks(shape))
    return page


def read(path: Path) -> OfficeDocument:
    presentation = pptx.Presentation(str(path))
    width = (presentation.slide_width or 9144000) / EMU_PER_POINT
    height = (presentation.slide_height or 6858000) / EMU_PER_POINT
    document = OfficeDocument(iter(()))
    pages = []
    for number, slide in enumerate(presentation.slides, start=1):
        if slide._element.get("show") in ("0", "false"):
            document.notes.append(f"hidden slide {number}")
            continue
        pages.append(_slide_page(slide, number, width, height))
    document.pages = iter(pages)
    return document
