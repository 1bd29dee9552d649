"""What a text block is (Chunkr's segment types), from its typography and position.

Rules in order of how certain they are: running headers/footers (position and
repetition), captions ("Figure 3"), footnotes (small type at the foot), list
items (bullets, numbering), code (monospace), formulas (math symbols), then
headings (bigger, bolder or in another font than the body), else Text.
"""

from __future__ import annotations

import re

from protos import tasks_pb2 as pb
from server.pipeline.pdf.extract import FORM_FONT, PageContent
from server.pipeline.pdf.lines import Block
from server.pipeline.pdf.stats import MARGIN_ZONE, DocumentStats, margin_key
from server.pipeline.regions import Region

_CAPTION = re.compile(
    r"^(?:figure|fig\.|table|tab\.|chart|listing|exhibit|image|diagram|scheme|algorithm|그림|표|\[표|\[그림)\s*(?:[A-Z]{1,3}\.?)?[\dIVX]",
    re.IGNORECASE,
)

_PAGE_NUMBER = re.compile(r"^(?:page\s*)?[\divxlc]{1,5}(?:\s*(?:/|of)\s*\d+)?$|^[-–—]\s*\d+\s*[-–—]$", re.IGNORECASE)

_NUMBERED_HEADING = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[A-Z]\.|[IVX]+\.|\(\d+\)|chapter \d+)\s+\S", re.IGNORECASE)

_FOOTNOTE_START = re.compile(r"^(?:\d{1,3}\)?|[*\u2020\u2021\u00a7])\s*\S")

_MATH = frozenset(
    "=+\u2212\u00d7\u00f7\u2211\u220f\u222b\u221a\u2264\u2265\u2248\u221e\u2202\u03b1\u03b2\u03b3\u03b4\u03b8\u03bb\u03bc\u03c0\u03c3\u03c6\u03c9^\u2208\u2200\u2203\u2192"
)


_LABEL_END = re.compile(r"^\S+\s*(?:[A-Z]{1,3}\.?)?[\dIVX]+(?:\.\d+)*\s*[:.\u2013\u2014|-]")  # "Table CA7." too


_ADDRESS = re.compile(r"^(?:(?:[a-z][a-z+.-]*://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)[.,;]?$")  # not code
_NOT_HEADING_START = ("\u2014", "\u2013", "-", "\u201d", "\u2019")
_CLOSING_QUOTES = ("\u201d", "\u2019", '"', "\u00bb")


def _is_caption(text: str, block: Block) -> bool:
    """'Table 3: ...', 'Figure 2. ...', or a short 'Fig. 4 Overview': a label and its number.
    A paragraph that merely starts by naming a table ('Table 1 summarises ...') runs on
    without punctuation after the number, and for more than a few lines."""
    if _CAPTION.match(text) is None:
        return False
    return _LABEL_END.match(text) is not None or len(block.lines) <= 2


def _is_formula(text: str) -> bool:
    if len(text) > 300 and len("".join(text.split())) > 300:  # a paragraph: not counted character by character
        return False
    chars = [c for c in text if not c.isspace()]
    if not chars or len(chars) > 300:
        return False
    math = sum(1 for c in chars if c in _MATH)
    letters_words = sum(1 for w in text.split() if len(w) > 3 and w.isalpha())
    return math >= 2 and math >= 0.08 * len(chars) and letters_words <= 3


def _code_text(block: Block) -> str:
    """Code lines with their indentation rebuilt from x offsets (a monospace glyph is about 0.6 em wide)."""
    left = block.box.x0
    out = []
    for line in block.lines:
        indent = round((line.box.x0 - left) / max(0.6 * line.size, 1.0))
        out.append(" " * indent + line.text)
    return "\n".join(out)


def _title_case(words: list[str]) -> bool:
    """'Elastic Stop Nut', not 'I like to eat leaves': italic alone makes a heading only in title case."""
    long_words = [w for w in words if len(w) > 3]
    return bool(long_words) and sum(1 for w in long_words if w[:1].isupper()) >= 0.6 * len(long_words)


def classify(block: Block, content: PageContent, stats: DocumentStats, in_row: bool = False) -> Region:
    """The segment type of one text block, from its typography and position. `in_row`:
    the block is one of several fragments set side by side on one baseline in the same
    style (a table's header row, a form's labels), which a heading never is."""
    text = block.text
    box = block.box
    size = round(block.size * 2) / 2
    body = stats.body_size
    words = text.split()
    in_top = box.y1 <= MARGIN_ZONE * content.height
    in_bottom = box.y0 >= (1 - MARGIN_ZONE) * content.height
    region = Region(pb.SEGMENT_TYPE_TEXT, box, text, lines=block.lines)
    if block.rotated and not block.vertical:  # sideways: a note in the side margin, or a label; never a heading
        side = box.x1 <= MARGIN_ZONE * content.width or box.x0 >= (1 - MARGIN_ZONE) * content.width
        if side:
            region.kind = pb.SEGMENT_TYPE_PAGE_HEADER
        return region
    caption = _is_caption(text, block)
    if (in_top or in_bottom) and len(block.lines) <= 4:
        repeated = all(margin_key(line.text) in stats.repeated_margin_text for line in block.lines)
        lone = size < body and len(words) <= 8 and not caption and not _FOOTNOTE_START.match(text)
        if repeated or (len(block.lines) <= 2 and (_PAGE_NUMBER.match(text) or lone)):
            region.kind = pb.SEGMENT_TYPE_PAGE_HEADER if in_top else pb.SEGMENT_TYPE_PAGE_FOOTER
            region.confidence = 0.9 if repeated else 0.7
            return region
    if caption:
        region.kind = pb.SEGMENT_TYPE_CAPTION
        return region
    if size <= body * 0.88 and box.y0 > 0.6 * content.height and _FOOTNOTE_START.match(text):
        region.kind = pb.SEGMENT_TYPE_FOOTNOTE
        region.confidence = 0.65
        return region
    list_item = block.lines[0].starts_list_item
    if list_item and (size < body * 1.04 or block.font == stats.body_font):
        region.kind = pb.SEGMENT_TYPE_LIST_ITEM
        return region
    addresses = len(block.lines) <= 2 and any(_ADDRESS.match(word) for word in words)  # a URL set in typewriter
    if block.monospace and not stats.monospace_body and not addresses:
        region.code = True
        region.text = _code_text(block)
        return region
    if _is_formula(text):
        region.kind = pb.SEGMENT_TYPE_FORMULA
        region.confidence = 0.6
        return region
    in_row = in_row or any(w.font == FORM_FONT for line in block.lines for w in line.words)  # filled in, not set
    short = len(block.lines) <= 3 and len(words) <= 20 and any(c.isalpha() for c in text) and not in_row
    plain_end = not text.rstrip().endswith((".", ",", ";")) or _NUMBERED_HEADING.match(text) is not None
    # a heading starts a thought: not a lower-case run of words (the end of a sentence), not an
    # attribution's dash, not inside a quotation
    heading_start = not (text[:1].islower() and " " in text) and not text.startswith(_NOT_HEADING_START)
    plain_end = plain_end and heading_start and not text.rstrip().endswith(_CLOSING_QUOTES)
    if short and plain_end:
        if stats.title_size and size >= stats.title_size and content.number == 1:
            region.kind, region.level = pb.SEGMENT_TYPE_TITLE, 1
            return region
        if size >= body * 1.12:
            region.kind = pb.SEGMENT_TYPE_SECTION_HEADER
            region.level = stats.heading_levels.get(size, stats.emphasis_level)
            return region
        emphasised = block.bold or (block.italic and len(block.lines) == 1 and len(words) <= 8 and _title_case(words))
        if emphasised and size >= body * 0.92 and len(words) <= 14 and not text.endswith(":"):
            region.kind = pb.SEGMENT_TYPE_SECTION_HEADER
            region.level = stats.emphasis_level
            region.confidence = 0.65
            return region
        numbered = _NUMBERED_HEADING.match(text) is not None
        other_font = bool(stats.body_font) and block.font != stats.body_font and len(block.lines) <= 2
        if other_font and size >= body * 0.98 and (numbered or size >= body * 1.05) and not text.endswith(":"):
            region.kind = pb.SEGMENT_TYPE_SECTION_HEADER
            region.level = stats.emphasis_level
            region.confidence = 0.6
            return region
    if list_item:
        region.kind = pb.SEGMENT_TYPE_LIST_ITEM
    return region
