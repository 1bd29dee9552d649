"""The text layer of one PDF page as words, lines, ruling lines and image boxes.

Everything downstream (layout, tables, rendering) works from these records, so
this is the only module that talks to pdfium's text and page-object APIs. It
reads pdfium's raw C API through ctypes because the helper classes allocate per
call, and a page has thousands of characters: this loop is the pipeline's
hottest path. Coordinates are PDF points with the origin at the page's top-left.
"""

from __future__ import annotations

import ctypes
import unicodedata
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from server.pipeline.geometry import Box

_FONT_BOLD_FLAG = 1 << 18  # PDF font descriptor ForceBold
_FONT_ITALIC_FLAG = 1 << 6
_FONT_FIXED_FLAG = 1
_INVISIBLE_RENDER_MODE = 3
_ALEFS = frozenset("\u0627\u0623\u0625\u0622")
_RULE_THICKNESS = 3.0  # thicker than this a filled path is a shape, not a line
_MIN_RULE_LENGTH = 6.0
_MAX_PATH_OBJECTS = 4000  # vector drawings: past this, only thin bounds count as rules


@dataclass(slots=True)
class Word:
    """A run of characters without whitespace, in one font and on one baseline."""

    text: str
    box: Box
    size: float
    bold: bool
    italic: bool
    monospace: bool
    rtl: bool


@dataclass(slots=True)
class Rule:
    """A horizontal or vertical ruling line (table border, separator)."""

    box: Box

    @property
    def horizontal(self) -> bool:
        return self.box.width >= self.box.height


@dataclass(slots=True)
class PageContent:
    """What one page holds, before any layout decision."""

    number: int  # 1-based
    width: float
    height: float
    words: list[Word] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    images: list[Box] = field(default_factory=list)
    char_count: int = 0
    bad_char_count: int = 0  # unmapped or private-use glyphs
    invisible_char_count: int = 0

    @property
    def has_usable_text(self) -> bool:
        """Whether the text layer is worth reading rather than OCRing the page:
        some visible characters, and not mostly glyphs without a Unicode mapping."""
        visible = self.char_count - self.invisible_char_count
        return visible >= 3 and self.bad_char_count <= 0.3 * self.char_count


def _is_bad_char(char: str) -> bool:
    if char == "\ufffd":
        return True
    category = unicodedata.category(char)
    return category in ("Co", "Cn") or (category == "Cc" and char not in "\r\n\t")


def _is_rtl(char: str) -> bool:
    return unicodedata.bidirectional(char) in ("R", "AL")


class _FontCache:
    """Font name and flags per pdfium text object: many words share one object."""

    def __init__(self, textpage: ctypes.c_void_p) -> None:
        self._textpage = textpage
        self._buffer = ctypes.create_string_buffer(256)
        self._flags = ctypes.c_int(0)

    def style(self, index: int) -> tuple[bool, bool, bool]:
        """(bold, italic, monospace) of the character at `index`."""
        length = raw.FPDFText_GetFontInfo(self._textpage, index, self._buffer, 256, ctypes.byref(self._flags))
        name = self._buffer.raw[: max(0, min(length, 256) - 1)].decode("latin-1").lower() if length else ""
        flags = self._flags.value
        weight = raw.FPDFText_GetFontWeight(self._textpage, index)
        bold = weight >= 600 or bool(flags & _FONT_BOLD_FLAG) or any(
            key in name for key in ("bold", "black", "heavy", "semibold", "demi")
        )
        italic = bool(flags & _FONT_ITALIC_FLAG) or "italic" in name or "oblique" in name
        monospace = bool(flags & _FONT_FIXED_FLAG) or any(
            key in name for key in ("mono", "courier", "consol", "code")
        )
        return bold, italic, monospace


def _render_mode(textpage: ctypes.c_void_p, index: int) -> int:
    obj = raw.FPDFText_GetTextObject(textpage, index)
    return raw.FPDFTextObj_GetTextRenderMode(obj) if obj else 0


def extract_words(page: pdfium.PdfPage, content: PageContent, origin: tuple[float, float]) -> None:
    """Fill `content.words` and the character counts from the page's text layer.

    A word ends at whitespace, at a jump in position (a new line or a column
    gap) or at a change of font size; its style is read at its first character.
    """
    textpage = page.get_textpage()
    tp = textpage.raw
    count = raw.FPDFText_CountChars(tp)
    text = textpage.get_text_range() if count > 0 else ""
    aligned = len(text) == count
    left0, top0 = origin
    rect = raw.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    fonts = _FontCache(tp)
    words = content.words
    chars: list[str] = []
    x0 = y0 = x1 = y1 = 0.0
    size = 0.0
    style = (False, False, False)
    rtl = False
    bad = invisible = real = 0
    last_invisible_check = -1
    invisible_now = False

    def flush() -> None:
        if chars:
            word_text = "".join(chars)
            if rtl:
                word_text = word_text[::-1] if _needs_reversal(word_text) else word_text
            words.append(Word(word_text, Box(x0, y0, x1, y1), size, style[0], style[1], style[2], rtl))
            chars.clear()

    prev_left = prev_right = -1.0
    for index in range(count):
        char = text[index] if aligned else chr(raw.FPDFText_GetUnicode(tp, index) or 32)
        if char.isspace() or char == "\x00":
            flush()
            continue
        real += 1
        wide = char > "\u007e"
        if wide and _is_bad_char(char):
            bad += 1
        if not raw.FPDFText_GetLooseCharBox(tp, index, rect_ref):
            continue
        cl, cr = rect.left - left0, rect.right - left0
        ct, cb = top0 - rect.top, top0 - rect.bottom
        if ct > cb:
            ct, cb = cb, ct
        if chars:
            height = max(y1 - y0, 1.0)
            same_line = abs((ct + cb) / 2 - (y0 + y1) / 2) < 0.5 * height
            gap = cl - x1 if not rtl else x0 - cr
            if not same_line or gap > 0.35 * max(size, 1.0) or gap < -2 * max(size, 1.0):
                flush()
        if not chars:
            x0, y0, x1, y1 = cl, ct, cr, cb
            size = raw.FPDFText_GetFontSize(tp, index)
            style = fonts.style(index)
            rtl = wide and _is_rtl(char)
            if index - last_invisible_check > 40:  # text objects are long; sample the render mode
                invisible_now = _render_mode(tp, index) == _INVISIBLE_RENDER_MODE
                last_invisible_check = index
        else:
            x0, y0, x1, y1 = min(x0, cl), min(y0, ct), max(x1, cr), max(y1, cb)
            if wide and not rtl and _is_rtl(char):
                rtl = True
            if char == "\u0644" and chars[-1] in _ALEFS and cl == prev_left and cr == prev_right:
                # pdfium splits the lam-alef ligature glyph into alef, lam: put it back in logical order
                chars[-1], char = char, chars[-1]
        if invisible_now:
            invisible += 1
        chars.append(char)
        prev_left, prev_right = cl, cr
    flush()
    content.char_count = real
    content.bad_char_count = bad
    content.invisible_char_count = invisible
    textpage.close()


def _needs_reversal(word: str) -> bool:
    """pdfium returns right-to-left words in logical order already; a word made
    only of presentation forms came out visually and is flipped back."""
    return all("\ufb50" <= c <= "\ufeff" for c in word if _is_rtl(c)) and any(_is_rtl(c) for c in word)


class _ObjectWalker:
    """Page objects with page-space bounds, descending into form XObjects."""

    def __init__(self, content: PageContent, origin: tuple[float, float]) -> None:
        self.content = content
        self.left0, self.top0 = origin
        self.paths = 0
        self._l, self._b, self._r, self._t = (ctypes.c_float() for _ in range(4))
        self._fill = ctypes.c_int()
        self._stroke = ctypes.c_int()

    def bounds(self, obj: ctypes.c_void_p, matrix: tuple[float, ...] | None) -> Box | None:
        if not raw.FPDFPageObj_GetBounds(obj, *(ctypes.byref(v) for v in (self._l, self._b, self._r, self._t))):
            return None
        l, b, r, t = self._l.value, self._b.value, self._r.value, self._t.value
        if matrix is not None:
            xs, ys = [], []
            for x, y in ((l, b), (l, t), (r, b), (r, t)):
                xs.append(matrix[0] * x + matrix[2] * y + matrix[4])
                ys.append(matrix[1] * x + matrix[3] * y + matrix[5])
            l, r, b, t = min(xs), max(xs), min(ys), max(ys)
        return Box(l - self.left0, self.top0 - t, r - self.left0, self.top0 - b)

    def walk(self, container: ctypes.c_void_p, is_form: bool, matrix: tuple[float, ...] | None, depth: int) -> None:
        count = raw.FPDFFormObj_CountObjects(container) if is_form else raw.FPDFPage_CountObjects(container)
        for i in range(count):
            obj = raw.FPDFFormObj_GetObject(container, i) if is_form else raw.FPDFPage_GetObject(container, i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_PATH:
                self.paths += 1
                box = self.bounds(obj, matrix)
                if box is not None:
                    self._path(obj, box)
            elif kind == raw.FPDF_PAGEOBJ_IMAGE:
                box = self.bounds(obj, matrix)
                if box is not None and box.width > 4 and box.height > 4:
                    self.content.images.append(box)
            elif kind == raw.FPDF_PAGEOBJ_FORM and depth < 4:
                m = raw.FS_MATRIX()
                raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(m))
                own = (m.a, m.b, m.c, m.d, m.e, m.f)
                self.walk(obj, True, _compose(own, matrix) if matrix else own, depth + 1)

    def _path(self, obj: ctypes.c_void_p, box: Box) -> None:
        rules = self.content.rules
        thin_h = box.height <= _RULE_THICKNESS and box.width >= _MIN_RULE_LENGTH
        thin_v = box.width <= _RULE_THICKNESS and box.height >= _MIN_RULE_LENGTH
        if thin_h or thin_v:
            rules.append(Rule(box))
            return
        if self.paths > _MAX_PATH_OBJECTS:
            return
        raw.FPDFPath_GetDrawMode(obj, ctypes.byref(self._fill), ctypes.byref(self._stroke))
        if not self._stroke.value:
            return
        segments = raw.FPDFPath_CountSegments(obj)
        if 4 <= segments <= 6:  # a stroked rectangle: its four edges are rules (table cell borders)
            rules.extend(
                Rule(edge)
                for edge in (
                    Box(box.x0, box.y0, box.x1, box.y0 + 0.5),
                    Box(box.x0, box.y1 - 0.5, box.x1, box.y1),
                    Box(box.x0, box.y0, box.x0 + 0.5, box.y1),
                    Box(box.x1 - 0.5, box.y0, box.x1, box.y1),
                )
            )


def _compose(inner: tuple[float, ...], outer: tuple[float, ...]) -> tuple[float, ...]:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def extract_page(document: pdfium.PdfDocument, index: int) -> PageContent:
    """Words, rules and image boxes of page `index` (0-based)."""
    page = document[index]
    try:
        left, bottom, right, top = page.get_cropbox()
        content = PageContent(number=index + 1, width=right - left, height=top - bottom)
        origin = (left, top)
        extract_words(page, content, origin)
        _ObjectWalker(content, origin).walk(page.raw, False, None, 0)
        return content
    finally:
        page.close()
