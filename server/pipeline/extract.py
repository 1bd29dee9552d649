"""The text layer of one PDF page as words, lines, ruling lines and image boxes.

Everything downstream (layout, tables, rendering) works from these records, so
this is the only module that talks to pdfium's text and page-object APIs. It
reads pdfium's raw C API through ctypes because the helper classes allocate per
call, and a page has thousands of characters: this loop is the pipeline's
hottest path. Coordinates are PDF points with the origin at the page's top-left.
"""

from __future__ import annotations

import ctypes
import math
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from server.pipeline.geometry import Box

_FONT_BOLD_FLAG = 1 << 18  # PDF font descriptor ForceBold
_FONT_ITALIC_FLAG = 1 << 6
_FONT_FIXED_FLAG = 1
_INVISIBLE_RENDER_MODE = 3
_LOOSE_BOX_EM = 1.15  # loose glyph boxes span ascent to descent, about this many ems
_SURROGATE = re.compile("[\ud800-\udfff]")
_TOKEN = re.compile(r"[^\s\x00]+")
# font names: "Arial-BoldMT", "LMRoman10-Bold", TeX's "CMBX10" / "SFBX1000" (bold extended)
_BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demi|[-,]bd\b|^(?:[a-z]{6}\+)?(?:cm|sf|lm|ec)bx|cmb\d")
_ITALIC_NAME = re.compile(r"italic|oblique|^(?:[a-z]{6}\+)?(?:cm|sf|lm|ec)(?:ti|sl)\d")
_MONO_NAME = re.compile(r"mono|courier|consol|code|menlo|^(?:cm|sf|lm|ec)tt\d")  # TeX typewriter: CMTT10
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
    font: str = ""  # base font name without the subset prefix


@dataclass(slots=True)
class Rule:
    """A horizontal or vertical ruling line (table border, separator)."""

    box: Box
    from_fill: bool = False  # an edge of a filled rectangle (cell shading), not a drawn line

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
        self._flags_ref = ctypes.byref(self._flags)
        self._styles: dict[tuple[bytes, int, int], tuple[bool, bool, bool, str]] = {}

    def style(self, index: int) -> tuple[bool, bool, bool, str]:
        """(bold, italic, monospace, font name) of the character at `index`."""
        raw.FPDFText_GetFontInfo(self._textpage, index, self._buffer, 256, self._flags_ref)
        key = (self._buffer.value, self._flags.value, raw.FPDFText_GetFontWeight(self._textpage, index))
        cached = self._styles.get(key)
        if cached is None:
            cached = self._styles[key] = _style(*key)
        return cached


def _style(raw_name: bytes, flags: int, weight: int) -> tuple[bool, bool, bool, str]:
    font = sys.intern(raw_name.decode("latin-1").split("+", 1)[-1])
    name = font.lower()
    bold = weight >= 600 or bool(flags & _FONT_BOLD_FLAG) or _BOLD_NAME.search(name) is not None
    italic = bool(flags & _FONT_ITALIC_FLAG) or _ITALIC_NAME.search(name) is not None
    monospace = bool(flags & _FONT_FIXED_FLAG) or _MONO_NAME.search(name) is not None
    return bold, italic, monospace, font


@dataclass(slots=True)
class _Glyph:
    """One character's loose box, in the frame words are built in."""

    index: int
    left: float
    top: float
    right: float
    bottom: float


class _Glyphs:
    """Character boxes from pdfium, in page points with the origin top-left."""

    def __init__(
        self, textpage: ctypes.c_void_p, origin: tuple[float, float], turn: Callable[[Box], Box] | None
    ) -> None:
        self._textpage = textpage
        self._left0, self._top0 = origin
        self._turn = turn
        self._rect = raw.FS_RECTF()
        self._rect_ref = ctypes.byref(self._rect)

    def at(self, index: int) -> _Glyph | None:
        if not raw.FPDFText_GetLooseCharBox(self._textpage, index, self._rect_ref):
            return None
        rect = self._rect
        top, bottom = sorted((self._top0 - rect.top, self._top0 - rect.bottom))
        left, right = rect.left - self._left0, rect.right - self._left0
        if self._turn is not None:  # a rotated page: words are built in the frame it is read in
            turned = self._turn(Box(left, top, right, bottom))
            left, top, right, bottom = turned.x0, turned.y0, turned.x1, turned.y1
        return _Glyph(index, left, top, right, bottom)

    def first(self, start: int, end: int) -> _Glyph | None:
        """The first character of [start, end) that has a box."""
        for index in range(start, end):
            glyph = self.at(index)
            if glyph is not None:
                return glyph
        return None

    def last(self, start: int, end: int) -> _Glyph | None:
        """The last character of [start, end) that has a box."""
        for index in range(end - 1, start - 1, -1):
            glyph = self.at(index)
            if glyph is not None:
                return glyph
        return None


def _runs(glyphs: list[_Glyph], em: float) -> list[tuple[int, int]]:
    """(start, end) offsets of the runs of `glyphs` that sit together on one line,
    for the rare token whose ends are far apart: a word broken without a space."""
    runs: list[tuple[int, int]] = []
    begin = 0
    for i in range(1, len(glyphs)):
        a, b = glyphs[i - 1], glyphs[i]
        height = max(a.bottom - a.top, 1.0)
        jump = abs((a.top + a.bottom) / 2 - (b.top + b.bottom) / 2) >= height / 2
        gap = max(b.left - a.right, a.left - b.right)
        if jump or gap > 0.35 * em:
            runs.append((begin, i))
            begin = i
    runs.append((begin, len(glyphs)))
    return runs


def extract_words(
    page: pdfium.PdfPage, content: PageContent, origin: tuple[float, float], turn: Callable[[Box], Box] | None = None
) -> None:
    """Fill `content.words` and the character counts from the page's text layer.

    pdfium's text already separates words and lines with (generated) spaces and
    line breaks, so a word is a whitespace-free token and its box spans its first
    and last glyph: two box look-ups per word instead of one per character. Size,
    style and render mode belong to the text object, read once per object. A
    token whose ends do not sit on one line at a plausible width is split glyph
    by glyph, and one that turns writing direction is split where it turns."""
    textpage = page.get_textpage()
    tp = textpage.raw
    count = raw.FPDFText_CountChars(tp)
    text = textpage.get_text_range() if count > 0 else ""
    if len(text) != count:  # characters beyond the BMP: one code unit per character index
        text = "".join(chr(raw.FPDFText_GetUnicode(tp, i) or 32) for i in range(max(count, 0)))
    glyphs = _Glyphs(tp, origin, turn)
    styles = _ObjectStyles(tp, _FontCache(tp))
    words = content.words
    bad = invisible = real = 0

    def add(token: str, start: int, first: _Glyph, last: _Glyph) -> None:
        size, (bold, italic, monospace, font), _ = styles.at(start)  # cached: same object as the check below
        if size <= 0:
            size = (first.bottom - first.top) / _LOOSE_BOX_EM  # a degenerate matrix: estimate from the glyph
        rtl = not token.isascii() and any(_is_rtl(c) for c in token)
        if rtl and _needs_reversal(token):
            token = token[::-1]
        box = Box(
            min(first.left, last.left),
            min(first.top, last.top),
            max(first.right, last.right),
            max(first.bottom, last.bottom),
        )
        words.append(Word(token, box, size, bold, italic, monospace, rtl, font))

    for match in _TOKEN.finditer(text):
        start, end = match.span()
        token = match.group()
        real += end - start
        if not token.isascii():
            bad += sum(1 for c in token if _is_bad_char(c))
            if _SURROGATE.search(token):
                token = token.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
            token = _fix_lam_alef(token, start, glyphs)
            pieces = _direction_runs(token)
            if len(pieces) > 1:  # "وPython": pdfium puts no space where the writing direction turns
                for a, b in pieces:
                    first, last = glyphs.first(start + a, start + b), glyphs.last(start + a, start + b)
                    if first is not None and last is not None:
                        add(token[a:b], start + a, first, last)
                invisible += (end - start) if styles.at(start)[2] else 0
                continue
        if styles.at(start)[2]:
            invisible += end - start
        first = glyphs.first(start, end)
        last = glyphs.last(start, end) if first is not None else None
        if first is None or last is None:
            continue
        height = first.bottom - first.top
        em = max(height / _LOOSE_BOX_EM, 1.0)
        same_line = abs(first.top + first.bottom - last.top - last.bottom) < height
        spread = max(last.right, first.right) - min(first.left, last.left)
        if same_line and spread <= (len(token) * 1.2 + 1) * em:
            add(token, start, first, last)
            continue
        located = [g for g in map(glyphs.at, range(start, end)) if g is not None]
        for a, b in _runs(located, em):
            piece_start, piece_end = located[a].index, located[b - 1].index + 1
            add(text[piece_start:piece_end], piece_start, located[a], located[b - 1])
    content.char_count = real
    content.bad_char_count = bad
    content.invisible_char_count = invisible
    textpage.close()


class _ObjectStyles:
    """(size, style, invisible) of the text object a character belongs to, cached
    while consecutive words stay in one object (a line or a paragraph, usually)."""

    def __init__(self, textpage: ctypes.c_void_p, fonts: _FontCache) -> None:
        self._textpage = textpage
        self._fonts = fonts
        self._matrix = raw.FS_MATRIX()
        self._matrix_ref = ctypes.byref(self._matrix)
        self._key: int | None = -1
        self._value: tuple[float, tuple[bool, bool, bool, str], bool] = (0.0, (False, False, False, ""), False)

    def at(self, index: int) -> tuple[float, tuple[bool, bool, bool, str], bool]:
        obj = raw.FPDFText_GetTextObject(self._textpage, index)
        key = ctypes.cast(obj, ctypes.c_void_p).value if obj else None
        if key != self._key or key is None:
            self._key = key
            # the em size as drawn: the font size (Tf) scaled by the character's matrix
            size = raw.FPDFText_GetFontSize(self._textpage, index)
            if raw.FPDFText_GetMatrix(self._textpage, index, self._matrix_ref):
                size *= math.hypot(self._matrix.c, self._matrix.d)
            invisible = bool(obj) and raw.FPDFTextObj_GetTextRenderMode(obj) == _INVISIBLE_RENDER_MODE
            self._value = (size if 0.5 < size < 500 else 0.0, self._fonts.style(index), invisible)
        return self._value


def _direction_runs(token: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the runs of one writing direction in `token`;
    characters without a strong direction stay with the run before them."""
    runs: list[tuple[int, int]] = []
    begin, current = 0, ""
    for i, char in enumerate(token):
        direction = unicodedata.bidirectional(char)
        strong = "R" if direction in ("R", "AL") else "L" if direction == "L" else ""
        if strong and current and strong != current:
            runs.append((begin, i))
            begin = i
        current = strong or current
    runs.append((begin, len(token)))
    return runs


def _fix_lam_alef(token: str, start: int, glyphs: _Glyphs) -> str:
    """pdfium splits the lam-alef ligature glyph into alef, lam (two characters on one
    box); put them back in logical order, lam first."""
    if "\u0644" not in token:
        return token
    chars = list(token)
    for i in range(1, len(chars)):
        if chars[i] == "\u0644" and chars[i - 1] in _ALEFS:
            a, b = glyphs.at(start + i - 1), glyphs.at(start + i)
            if a is not None and b is not None and (a.left, a.right) == (b.left, b.right):
                chars[i - 1], chars[i] = chars[i], chars[i - 1]
    return "".join(chars)


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
        self._max_fill_area = 0.2 * content.width * content.height  # bigger fills are backgrounds
        self._l, self._b, self._r, self._t = (ctypes.c_float() for _ in range(4))
        self._fill = ctypes.c_int()
        self._stroke = ctypes.c_int()

    def bounds(self, obj: ctypes.c_void_p, matrix: tuple[float, ...] | None) -> Box | None:
        if not raw.FPDFPageObj_GetBounds(obj, *(ctypes.byref(v) for v in (self._l, self._b, self._r, self._t))):
            return None
        left, bottom, right, top = self._l.value, self._b.value, self._r.value, self._t.value
        if matrix is not None:
            xs, ys = [], []
            for x, y in ((left, bottom), (left, top), (right, bottom), (right, top)):
                xs.append(matrix[0] * x + matrix[2] * y + matrix[4])
                ys.append(matrix[1] * x + matrix[3] * y + matrix[5])
            left, right, bottom, top = min(xs), max(xs), min(ys), max(ys)
        return Box(left - self.left0, self.top0 - top, right - self.left0, self.top0 - bottom)

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
        stroked = bool(self._stroke.value)
        if not stroked and (not self._fill.value or box.width * box.height > self._max_fill_area):
            return
        if 4 <= raw.FPDFPath_CountSegments(obj) <= 6:
            # a rectangle: its edges are rules (cell borders, or the edges of cell shading)
            rules.extend(
                Rule(edge, from_fill=not stroked)
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
        rotation = page.get_rotation() % 360
        turn = _turner(rotation, content.width, content.height) if rotation in (90, 180, 270) else None
        extract_words(page, content, origin, turn)
        _ObjectWalker(content, origin).walk(page.raw, False, None, 0)
        if turn is not None:
            content.rules = [Rule(turn(rule.box), rule.from_fill) for rule in content.rules]
            content.images = [turn(box) for box in content.images]
            if rotation != 180:
                content.width, content.height = content.height, content.width
        return content
    finally:
        page.close()


def _turner(rotation: int, width: float, height: float) -> Callable[[Box], Box]:
    """Boxes from the stored page frame (`width` × `height`, top-left origin) into
    the frame the page is displayed and rendered in: /Rotate turns it clockwise."""
    if rotation == 90:
        return lambda b: Box(height - b.y1, b.x0, height - b.y0, b.x1)
    if rotation == 180:
        return lambda b: Box(width - b.x1, height - b.y1, width - b.x0, height - b.y0)
    return lambda b: Box(b.y0, width - b.x1, b.y1, width - b.x0)  # 270
