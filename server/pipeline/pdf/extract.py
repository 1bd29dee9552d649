"""The text layer of one PDF page as words, lines, ruling lines and image boxes.

Everything downstream (layout, tables, rendering) works from these records, so
this is the only module that talks to pdfium's text and page-object APIs. It
reads pdfium's raw C API through ctypes because the helper classes allocate per
call, and a page has thousands of characters: this loop is the pipeline's
hottest path. Coordinates are PDF points with the origin at the page's top-left.
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import math
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from server.pipeline.geometry import Box, union_all
from server.pipeline.pdf import scripts, stacks

if TYPE_CHECKING:
    from server.pipeline.pdf.lines import Block

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
_SHAPE_SIZE = 36.0  # shapes smaller than this are kept for the check-box test, which judges them in em
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
    rotated: bool = False  # set across the page's reading direction (a sideways label, a margin note)
    unmapped: bool = False  # pdfium found no Unicode for its font's codes and passed the raw codes on
    vertical: bool = False  # upright glyphs set in columns, top to bottom (CJK vertical writing); rotated too
    script: int = 0  # scripts.SUP or scripts.SUB: smaller type on a raised or lowered baseline
    glued: bool = False  # no space before it: a script cut from the token of its base


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
    squares: list[Box] = field(default_factory=list)  # small stroked rectangles: a form's check boxes, maybe
    marks: list[Box] = field(default_factory=list)  # small drawn shapes that are no rectangle (a tick, a cross)
    char_count: int = 0
    bad_char_count: int = 0  # unmapped or private-use glyphs
    invisible_char_count: int = 0
    unmapped_char_count: int = 0  # raw character codes of fonts without a Unicode map (maybe right, maybe not)
    render_rotation: int = 0  # clockwise degrees, on top of /Rotate, that show the page in its reading frame

    @property
    def has_usable_text(self) -> bool:
        """Whether the text layer is worth reading rather than OCRing the page:
        some visible characters, and not mostly glyphs without a Unicode mapping."""
        visible = self.char_count - self.invisible_char_count
        return visible >= 3 and self.bad_char_count <= 0.3 * self.char_count


# pdfium's marker for a hyphen that breaks a word at a line end (0x02 from FPDFText_GetUnicode,
# U+FFFE in its page text); the line joiner rejoins words at it
_LINE_END_HYPHEN = "\ufffe"
# C1 controls are what a single-byte font encoding gives where the producer meant Windows-1252
# (0x93/0x94 quotes, 0x96 dash, 0x95 bullet): map them back; other controls carry no text
_CONTROLS = {
    **{code: None for code in range(0x20) if chr(code) not in "\t\n\r"},
    0x02: _LINE_END_HYPHEN,
    0x7F: None,
    **{code: bytes([code]).decode("cp1252", errors="ignore") or None for code in range(0x80, 0xA0)},
}
# Symbol and Wingdings glyphs that fonts without a Unicode map put in the private use area
_PRIVATE_SYMBOLS = {
    0xF0B7: "\u2022",
    0xF0A7: "\u25aa",
    0xF06C: "\u25cf",
    0xF0D8: "\u27a2",
    0xF0FC: "\u2713",
    0xF0A8: "\u25a1",
    0xF0E0: "\u2192",
    0xF02D: "-",
    0xF0B0: "\u00b0",
    0xF0B1: "\u00b1",
}
# Adobe's Symbol encoding draws tall brackets, braces and integrals from pieces that it names in the
# private use area (parenlefttp = U+F8EB …); Unicode has the same pieces at U+239B-U+23AE
_SYMBOL_PIECES = dict(
    zip(
        range(0xF8E5, 0xF8FF),
        "\u203e\u23d0\u23af\u00ae\u00a9\u2122"
        "\u239b\u239c\u239d\u23a1\u23a2\u23a3\u23a7\u23a8\u23a9\u23aa\u23ae"
        "\u239e\u239f\u23a0\u23a4\u23a5\u23a6\u23ab\u23ac\u23ad",
        strict=True,
    )
)
# TeX's font encodings put the f-ligatures at control codes (OT1 0x0B-0x0F, T1 0x1B-0x1F); a font
# without a ToUnicode map hands them on as such. Python counts them as white space, so they are
# swapped for private-use stand-ins before words are split, and the stand-ins for letters after.
_TEX_LIGATURES = {0x0B: "ff", 0x0C: "fi", 0x0E: "ffi", 0x0F: "ffl", 0x1B: "ff", 0x1C: "fi", 0x1D: "fl", 0x1E: "ffi"}
_TEX_LIGATURES[0x1F] = "ffl"
_LIGATURE_CODE = re.compile(
    "(?<=[A-Za-z])[\x0b\x0c\x0e\x0f\x1b-\x1f]|[\x0b\x0c\x0e\x0f\x1b-\x1f](?=[A-Za-z])"
)  # beside a letter: a font of glyph ids without a Unicode map also yields these codes, among others


def _ligature_stand_ins(text: str) -> str:
    return _LIGATURE_CODE.sub(lambda m: chr(0xE000 + ord(m.group())), text)


_CLEAN = str.maketrans(
    {
        **_CONTROLS,
        **_PRIVATE_SYMBOLS,
        **_SYMBOL_PIECES,
        **{0xE000 + code: text for code, text in _TEX_LIGATURES.items()},
    }
)


def clean_text(token: str) -> str:
    """A token's characters as text: control codes mapped or dropped, symbol-font bullets as bullets."""
    return token.translate(_CLEAN)


@functools.lru_cache(maxsize=4096)  # asked for every character of every non-ASCII token
def _is_bad_char(char: str) -> bool:
    if _CLEAN.get(ord(char)):
        return False  # a Windows-1252 character, a ligature or the line-end hyphen, mapped by clean_text
    if char == "\ufffd":
        return True
    category = unicodedata.category(char)
    return category in ("Co", "Cn") or (category == "Cc" and char not in "\r\n\t")


def _unmapped_in(textpage: ctypes.c_void_p, start: int, end: int, ascii_only: bool) -> int:
    """How many characters of [start, end) pdfium found no Unicode for. A font maps all its
    codes or none, mostly, so a token whose ends are mapped is taken as mapped throughout;
    an ASCII token by its first character alone (one call per word on the hot path)."""
    flagged = raw.FPDFText_HasUnicodeMapError
    if not flagged(textpage, start) and (ascii_only or not flagged(textpage, end - 1)):
        return 0
    return sum(1 for index in range(start, end) if flagged(textpage, index))


def _mend_surrogates(text: str) -> str:
    """Characters beyond the BMP come from pdfium as two UTF-16 halves: joined, or a lone
    half replaced, since a string with one cannot be encoded."""
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


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
        self._x, self._y = ctypes.c_double(), ctypes.c_double()
        self._x_ref, self._y_ref = ctypes.byref(self._x), ctypes.byref(self._y)

    def at(self, index: int) -> _Glyph | None:
        if not raw.FPDFText_GetLooseCharBox(self._textpage, index, self._rect_ref):
            return None
        rect = self._rect
        top, bottom = self._top0 - rect.top, self._top0 - rect.bottom
        if bottom < top:
            top, bottom = bottom, top
        left, right = rect.left - self._left0, rect.right - self._left0
        if self._turn is not None:  # a rotated page: words are built in the frame it is read in
            turned = self._turn(Box(left, top, right, bottom))
            left, top, right, bottom = turned.x0, turned.y0, turned.x1, turned.y1
        return _Glyph(index, left, top, right, bottom)

    def baseline(self, index: int) -> float | None:
        """The y of the character's origin (its baseline) in the frame words are built in."""
        if not raw.FPDFText_GetCharOrigin(self._textpage, index, self._x_ref, self._y_ref):
            return None
        x, y = self._x.value - self._left0, self._top0 - self._y.value
        if self._turn is not None:
            return self._turn(Box(x, y, x, y)).y0
        return y

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


def _script_pieces(
    tp: ctypes.c_void_p, token: str, start: int, obj: Any, glyphs: _Glyphs, styles: _ObjectStyles
) -> list[tuple[int, int, int]] | None:
    """(start, end, script) offsets of a token's pieces where it holds a superscript or a
    subscript (see `scripts`), or None. A script is a text object of its own: a token
    whose last character is in its first character's object has none (one call to know),
    and a token of letters alone is a word (scripts hold a digit or a mark: "an²", "1st", "H₂O")."""
    text_object = raw.FPDFText_GetTextObject
    length = len(token)
    if length < 2 or not obj or token.isalpha():
        return None
    if bytes(text_object(tp, start + length - 1) or b"") == bytes(obj):
        return None
    runs: list[list[Any]] = []  # [begin, end, size, baseline]
    key = bytes(obj or b"")
    begin = 0
    for offset in range(1, length + 1):
        current = bytes(text_object(tp, start + offset) or b"") if offset < length else None
        if current != key:
            size = styles.at(start + begin)[0]
            runs.append([begin, offset, size, glyphs.baseline(start + begin)])
            begin = offset
            key = current or b""
    base = max(runs, key=lambda r: r[2])
    if base[3] is None:
        return None
    pieces: list[tuple[int, int, int]] = []
    for begin, end, size, baseline in runs:
        script = 0 if baseline is None else scripts.script_of(base[2], size, base[3] - baseline)
        if pieces and pieces[-1][2] == script:
            pieces[-1] = (pieces[-1][0], end, script)
        else:
            pieces.append((begin, end, script))
    return pieces if any(p[2] for p in pieces) else None


_Style = tuple[float, tuple[bool, bool, bool, str], bool, int]
"""(em size, (bold, italic, monospace, font), invisible, quarter turns) of a text object."""


@dataclass(slots=True)
class _Sideways:
    """A character set across the page's reading direction, kept until its lines are rebuilt."""

    char: str
    glyph: _Glyph
    turns: int  # quarter turns counter-clockwise from the page's reading direction
    style: _Style
    upright: bool = False  # an upright glyph in a column read top to bottom: vertical writing


_STACK_OFFSET = 0.3  # the glyphs of a column share their centre line to within this share of their width


def _stacked(glyphs: list[_Glyph]) -> bool:
    """Whether the glyphs form one column read top to bottom: each sits right below the
    one before it (at most a glyph's height of white between), centred on the same x.
    That is vertical writing (Japanese, Chinese), which pdfium hands on as one line."""
    steps = 0
    for a, b in itertools.pairwise(glyphs):
        if (a.left, a.top, a.right, a.bottom) == (b.left, b.top, b.right, b.bottom):
            continue  # two UTF-16 halves of one character beyond the BMP share its box
        steps += 1
        height = max(a.bottom - a.top, b.bottom - b.top, 1.0)
        width = max(a.right - a.left, b.right - b.left, 1.0)
        below = b.top >= a.top + 0.5 * height and b.top - a.bottom <= height
        if not below or abs((a.left + a.right) - (b.left + b.right)) / 2 > _STACK_OFFSET * width:
            return False
    return steps > 0


def _quarter_turns(a: float, b: float) -> int:
    """The text direction of a glyph matrix as quarter turns counter-clockwise (0-3)."""
    return round(math.degrees(math.atan2(b, a)) / 90) % 4


_DIRECTION_SAMPLE = 300


def _dominant_turns(tokens: list[re.Match[str]], objects: list[Any], styles: _ObjectStyles, rotation: int) -> int:
    """The quarter turns (counter-clockwise, in the stored page frame) most of the page's
    visible characters are set at: the direction the page is read in. /Rotate decides
    only for a page without text. `objects` holds each token's first character's text object."""
    weights = [0, 0, 0, 0]
    step = max(1, len(tokens) // _DIRECTION_SAMPLE)  # a few hundred tokens decide the majority
    for match, obj in zip(tokens[::step], objects[::step], strict=True):
        _, _, invisible, turns = styles.of(match.start(), obj)
        if not invisible:
            weights[turns] += match.end() - match.start()
    default = rotation // 90
    return max(range(4), key=lambda t: (weights[t], t == default))


def extract_words(page: pdfium.PdfPage, content: PageContent, origin: tuple[float, float], rotation: int) -> int:
    """Fill `content.words` and the character counts from the page's text layer,
    in the frame most of its text reads in; returns that frame's clockwise turn
    from the stored page (degrees), which the caller applies to rules and images.

    pdfium's text already separates words and lines with (generated) spaces and
    line breaks, so a word is a whitespace-free token and its box spans its first
    and last glyph: two box look-ups per word instead of one per character. Size,
    style, render mode and direction belong to the text object, read once per
    object. A token whose ends do not sit on one line at a plausible width is split
    glyph by glyph, and one that turns writing direction is split where it turns.
    Text set across the reading direction (a sideways table header, a vertical
    margin note) is read glyph by glyph in its own frame, see `_sideways_words`."""
    textpage = page.get_textpage()
    tp = textpage.raw
    count = raw.FPDFText_CountChars(tp)
    text = textpage.get_text_range() if count > 0 else ""
    if len(text) != count:  # characters beyond the BMP: one code unit per character index
        text = "".join(chr(raw.FPDFText_GetUnicode(tp, i) or 32) for i in range(max(count, 0)))
        text = text.replace("\x02", _LINE_END_HYPHEN)
    if not text.isprintable():
        text = _ligature_stand_ins(text)
    styles = _ObjectStyles(tp, _FontCache(tp))
    tokens = list(_TOKEN.finditer(text))
    # each token's text object, asked of pdfium once for the direction vote and the words both
    text_object = raw.FPDFText_GetTextObject
    objects = [text_object(tp, match.start()) for match in tokens]
    reading = _dominant_turns(tokens, objects, styles, rotation)
    turn = _turner(reading * 90, content.width, content.height) if reading else None  # content: still stored frame
    glyphs = _Glyphs(tp, origin, turn)
    words = content.words
    sideways: list[_Sideways] = []
    bad = invisible = real = unmapped = 0
    token_flagged = False  # whether the token being read has unmapped characters (most have none)

    def add(
        token: str,
        start: int,
        first: _Glyph,
        last: _Glyph,
        style: _Style | None = None,
        script: int = 0,
        glued: bool = False,
    ) -> None:
        if not token.isascii() or not token.isprintable():
            token = clean_text(_mend_surrogates(token))  # a piece cut glyph by glyph may hold half a pair
        if not token:
            return
        size, (bold, italic, monospace, font), _, _ = style or styles.at(start)
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
        raw_codes = token_flagged and 2 * _unmapped_in(tp, start, start + len(token), False) > len(token)
        words.append(
            Word(token, box, size, bold, italic, monospace, rtl, font, unmapped=raw_codes, script=script, glued=glued)
        )

    def add_marked(token: str, start: int, first: _Glyph, last: _Glyph, style: _Style | None, obj: Any) -> None:
        pieces = _script_pieces(tp, token, start, obj, glyphs, styles)
        if pieces is None:
            add(token, start, first, last, style)
            return
        # "10⁻³", "an²", "H₂O": each script a word of its own, glued to what it follows
        for a, b, script in pieces:
            piece_first, piece_last = glyphs.first(start + a, start + b), glyphs.last(start + a, start + b)
            if piece_first is not None and piece_last is not None:
                add(token[a:b], start + a, piece_first, piece_last, None, script, a > 0)

    for match, obj in zip(tokens, objects, strict=True):
        start, end = match.span()
        token = match.group()
        real += end - start
        style = styles.of(start, obj)
        if not token.isascii() or not token.isprintable():
            bad += sum(1 for c in token if _is_bad_char(c))
        if style[2]:
            invisible += end - start
        flagged = _unmapped_in(tp, start, end, token.isascii())
        unmapped += flagged
        token_flagged = flagged > 0
        if style[3] != reading:
            relative = (style[3] - reading) % 4
            for index in range(start, end):
                glyph = glyphs.at(index)
                if glyph is not None:
                    sideways.append(_Sideways(text[index], glyph, relative, styles.at(index)))
            continue
        if not token.isascii():
            token = _mend_surrogates(token)
            token = _fix_lam_alef(token, start, glyphs)
            pieces = _direction_runs(token)
            if len(pieces) > 1:  # "وPython": pdfium puts no space where the writing direction turns
                for a, b in pieces:
                    first, last = glyphs.first(start + a, start + b), glyphs.last(start + a, start + b)
                    if first is not None and last is not None:
                        add(token[a:b], start + a, first, last)
                continue
        first = glyphs.first(start, end)
        last = glyphs.last(start, end) if first is not None else None
        if first is None or last is None:
            continue
        height = first.bottom - first.top
        em = max(height / _LOOSE_BOX_EM, 1.0)
        same_line = abs(first.top + first.bottom - last.top - last.bottom) < height
        spread = max(last.right, first.right) - min(first.left, last.left)
        if same_line and spread <= (len(token) * 1.2 + 1) * em:
            add_marked(token, start, first, last, style, obj if len(token) == end - start else None)
            continue
        located = [g for g in map(glyphs.at, range(start, end)) if g is not None]
        if _stacked(located):  # read in the frame where its columns are lines, with the sideways text
            sideways.extend(_Sideways(text[g.index], g, 3, style, upright=True) for g in located)
            continue
        for a, b in _runs(located, em):
            piece_start, piece_end = located[a].index, located[b - 1].index + 1
            piece_object = text_object(tp, piece_start)
            add_marked(text[piece_start:piece_end], piece_start, located[a], located[b - 1], None, piece_object)
    _take_stacks(words, sideways)
    words.extend(_sideways_words(sideways))
    content.char_count = real
    content.bad_char_count = bad
    content.invisible_char_count = invisible
    content.unmapped_char_count = unmapped
    textpage.close()
    return reading * 90


_CJK = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff01-\uff60]")


def _take_stacks(words: list[Word], sideways: list[_Sideways]) -> None:
    """Upright glyphs stacked one per line (see `stacks`) leave `words`: a stack of Latin
    letters becomes one word set downwards; a stack of CJK characters is vertical writing,
    read with the page's other vertical columns."""
    singles = [i for i, w in enumerate(words) if len(w.text) == 1 and w.text.isalnum() and not w.rotated]
    if len(singles) < 3:
        return
    glyphs = [stacks.Glyph(words[i].text, words[i].box, words[i].size) for i in singles]
    single = set(singles)
    found = stacks.stacks(glyphs, [w.box for i, w in enumerate(words) if i not in single])
    if not found:
        return
    taken: set[int] = set()
    for chain in found:
        members = [words[singles[k]] for k in chain]
        taken.update(singles[k] for k in chain)
        if sum(1 for w in members if _CJK.match(w.text)) * 2 > len(members):
            sideways.extend(
                _Sideways(
                    w.text,
                    _Glyph(-1, w.box.x0, w.box.y0, w.box.x1, w.box.y1),
                    3,
                    (w.size, (w.bold, w.italic, w.monospace, w.font), False, 0),
                    upright=True,
                )
                for w in members
            )
            continue
        first = members[0]
        words.append(
            Word(
                stacks.text_of([glyphs[k] for k in chain]),
                union_all(w.box for w in members),
                first.size,
                first.bold,
                first.italic,
                first.monospace,
                False,
                first.font,
                True,
            )
        )
    words[:] = [w for i, w in enumerate(words) if i not in taken]


# Boxes into the frame of text turned 1-3 quarter turns counter-clockwise (where it reads
# left to right), and back: (x, y) -> (-y, x), (-x, -y), (y, -x) in top-left-origin coordinates.
_INTO: dict[int, Callable[[Box], Box]] = {
    1: lambda b: Box(-b.y1, b.x0, -b.y0, b.x1),
    2: lambda b: Box(-b.x1, -b.y1, -b.x0, -b.y0),
    3: lambda b: Box(b.y0, -b.x1, b.y1, -b.x0),
}
_BACK: dict[int, Callable[[Box], Box]] = {
    1: lambda b: Box(b.y0, -b.x1, b.y1, -b.x0),
    2: _INTO[2],
    3: lambda b: Box(-b.y1, b.x0, -b.y0, b.x1),
}
_WORD_GAP_EM = 0.15  # between glyphs of one word there is at most kerning; a space is 0.25 em or more


def _sideways_words(chars: list[_Sideways]) -> list[Word]:
    """Sideways text as words of the page: per direction, the glyphs are turned into
    their own reading frame, joined into words at white gaps, words into lines and
    lines into blocks as on an upright page, and each block comes back as one word
    (its text in reading order, its box on the page), so it is never read a letter
    at a time across the page's lines."""
    from server.pipeline.pdf.lines import build_blocks, build_lines  # lines builds on this module's records

    out: list[Word] = []
    # vertical writing reads like text turned a quarter clockwise (columns top to bottom, right
    # to left) but is kept apart from it: its blocks are the page's text, not labels
    for turns, upright in ((1, False), (2, False), (3, False), (3, True)):
        into, back = _INTO[turns], _BACK[turns]
        placed = sorted(
            (
                (into(Box(c.glyph.left, c.glyph.top, c.glyph.right, c.glyph.bottom)), c)
                for c in chars
                if c.turns == turns and c.upright == upright
            ),
            key=lambda item: (item[0].cy, item[0].x0),
        )
        rows: list[list[tuple[Box, _Sideways]]] = []
        for box, char in placed:
            last = rows[-1][-1][0] if rows else None
            if last is not None and abs(box.cy - last.cy) <= 0.45 * min(max(box.height, 1.0), max(last.height, 1.0)):
                rows[-1].append((box, char))
            else:
                rows.append([(box, char)])
        words: list[Word] = []
        for row in rows:
            row.sort(key=lambda item: item[0].x0)
            run: list[tuple[Box, _Sideways]] = []
            for item in row:
                size = item[1].style[0] or max(item[0].height / _LOOSE_BOX_EM, 1.0)
                if run and item[0].x0 - run[-1][0].x1 > _WORD_GAP_EM * size:
                    words.append(_word_of(run))
                    run = []
                run.append(item)
            if run:
                words.append(_word_of(run))
        blocks = build_blocks(build_lines(words))
        for block in _indents_part(blocks) if upright else blocks:
            first = block.lines[0].words[0]
            box = back(block.box)
            out.append(
                Word(
                    _mend_surrogates(block.text),
                    box,
                    block.size,
                    block.bold,
                    block.italic,
                    block.monospace,
                    False,
                    first.font,
                    True,
                    vertical=upright,
                )
            )
    return out


def _indents_part(blocks: list[Block]) -> list[Block]:
    """Vertical writing is set on a grid of whole characters, every column filled to the
    foot but a paragraph's last: a column that starts lower than the one before it is a
    paragraph's indented first, even after a full column."""
    from server.pipeline.pdf.lines import Block  # lines builds on this module's records

    out: list[Block] = []
    for block in blocks:
        part = Block()
        for line in block.lines:
            if part.lines and line.box.x0 > part.lines[-1].box.x0 + 0.5 * max(line.size, 1.0):
                out.append(part)
                part = Block()
            part.add(line)
        out.append(part)
    return out


def _word_of(run: list[tuple[Box, _Sideways]]) -> Word:
    size, (bold, italic, monospace, font), _, _ = run[0][1].style
    box = union_all(item[0] for item in run)
    return Word(
        "".join(item[1].char for item in run),
        box,
        size or box.height / _LOOSE_BOX_EM,
        bold,
        italic,
        monospace,
        False,
        font,
    )


class _ObjectStyles:
    """(size, style, invisible, direction) of the text object a character belongs to,
    cached while consecutive words stay in one object (a line or a paragraph, usually)."""

    def __init__(self, textpage: ctypes.c_void_p, fonts: _FontCache) -> None:
        self._textpage = textpage
        self._fonts = fonts
        self._matrix = raw.FS_MATRIX()
        self._matrix_ref = ctypes.byref(self._matrix)
        self._key: bytes | None = b""
        self._value: _Style = (0.0, (False, False, False, ""), False, 0)

    def at(self, index: int) -> _Style:
        return self.of(index, raw.FPDFText_GetTextObject(self._textpage, index))

    def of(self, index: int, obj: Any) -> _Style:
        """`at(index)` where the caller already asked pdfium for the character's text object `obj`."""
        key = bytes(obj) if obj else None  # the pointer's value: bytes() is ten times cheaper than a cast
        if key != self._key or key is None:
            self._key = key
            # the em size as drawn: the font size (Tf) scaled by the character's matrix
            size = raw.FPDFText_GetFontSize(self._textpage, index)
            turns = 0
            if raw.FPDFText_GetMatrix(self._textpage, index, self._matrix_ref):
                m = self._matrix
                size *= math.hypot(m.c, m.d)
                turns = _quarter_turns(m.a, m.b)
            invisible = bool(obj) and raw.FPDFTextObj_GetTextRenderMode(obj) == _INVISIBLE_RENDER_MODE
            self._value = (size if 0.5 < size < 500 else 0.0, self._fonts.style(index), invisible, turns)
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
        rectangle = 4 <= raw.FPDFPath_CountSegments(obj) <= 6
        if max(box.width, box.height) < _SHAPE_SIZE:
            # a check box is drawn empty (or white); a square filled in colour is a chart legend's key
            empty = stroked and (not self._fill.value or _fill_is_white(obj))
            (self.content.squares if rectangle and empty else self.content.marks).append(box)
        if rectangle:
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


def _fill_is_white(obj: ctypes.c_void_p) -> bool:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not raw.FPDFPageObj_GetFillColor(obj, *(ctypes.byref(v) for v in (r, g, b, a))):
        return False
    return min(r.value, g.value, b.value) >= 230 or a.value == 0


def _compose(inner: tuple[float, ...], outer: tuple[float, ...]) -> tuple[float, ...]:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def extract_page(document: pdfium.PdfDocument, index: int) -> PageContent:
    """Words, rules and image boxes of page `index` (0-based), in the frame the page
    is read in: as displayed (/Rotate), or turned further where most text is set sideways."""
    page = document[index]
    try:
        return extract_loaded(document, page, index)
    finally:
        page.close()


def extract_loaded(document: pdfium.PdfDocument, page: pdfium.PdfPage, index: int) -> PageContent:
    """`extract_page` of a page the caller loaded (and closes)."""
    left, bottom, right, top = page.get_cropbox()
    rotation = page.get_rotation() % 360
    # in the stored frame until the words are read; turned into the reading frame below
    content = PageContent(number=index + 1, width=right - left, height=top - bottom)
    origin = (left, top)
    reading = extract_words(page, content, origin, rotation)
    _ObjectWalker(content, origin).walk(page.raw, False, None, 0)
    stored_width, stored_height = right - left, top - bottom
    turn = _turner(reading, stored_width, stored_height) if reading else None
    if document.formenv is not None:
        content.words.extend(_form_values(page, document.formenv.raw, origin, turn))
    if turn is not None:
        content.rules = [Rule(turn(rule.box), rule.from_fill) for rule in content.rules]
        content.images = [turn(box) for box in content.images]
        content.squares = [turn(box) for box in content.squares]
        content.marks = [turn(box) for box in content.marks]
    content.width, content.height = (
        (stored_height, stored_width)
        if reading in (90, 270)
        else (
            stored_width,
            stored_height,
        )
    )
    content.render_rotation = (reading - rotation) % 360
    return content


_FIELD_KINDS = {raw.FPDF_FORMFIELD_TEXTFIELD, raw.FPDF_FORMFIELD_COMBOBOX, raw.FPDF_FORMFIELD_LISTBOX}
_BOXES = {raw.FPDF_FORMFIELD_CHECKBOX, raw.FPDF_FORMFIELD_RADIOBUTTON}
_CHECKED, _UNCHECKED = "\u2611", "\u2610"
BALLOT_BOXES = frozenset((_CHECKED, _UNCHECKED, "\u2612"))  # a check box's state, read or seen
FORM_FONT = "(form field)"  # the font of words that are field values


def _form_values(
    page: pdfium.PdfPage, form: ctypes.c_void_p, origin: tuple[float, float], turn: Callable[[Box], Box] | None
) -> list[Word]:
    """What a filled form says: the values of its fields (and ticked boxes as ballot boxes),
    as words where the fields sit. They live in the form's widgets, not in the page's text,
    so without this a filled form would come out as its blank labels."""
    words: list[Word] = []
    rect = raw.FS_RECTF()
    buffer = (ctypes.c_ushort * 2048)()
    for i in range(raw.FPDFPage_GetAnnotCount(page.raw)):
        annot = raw.FPDFPage_GetAnnot(page.raw, i)
        if not annot:
            continue
        try:
            if raw.FPDFAnnot_GetSubtype(annot) != raw.FPDF_ANNOT_WIDGET or not raw.FPDFAnnot_GetRect(annot, rect):
                continue
            kind = raw.FPDFAnnot_GetFormFieldType(form, annot)
            if kind in _BOXES:
                value = _CHECKED if raw.FPDFAnnot_IsChecked(form, annot) else _UNCHECKED
            elif kind in _FIELD_KINDS:
                length = raw.FPDFAnnot_GetFormFieldValue(form, annot, buffer, ctypes.sizeof(buffer))
                value = bytes(buffer)[: max(min(length, ctypes.sizeof(buffer)) - 2, 0)].decode("utf-16-le", "replace")
            else:
                continue
        finally:
            raw.FPDFPage_CloseAnnot(annot)
        tokens = clean_text(value).split()
        if not tokens:
            continue
        left0, top0 = origin
        field = Box(
            rect.left - left0, top0 - max(rect.top, rect.bottom), rect.right - left0, top0 - min(rect.top, rect.bottom)
        )
        if turn is not None:
            field = turn(field)
        spread = _spread(tokens, field)
        if kind in _BOXES:  # the ballot box reaches the widget's right side, so its label sits a space beside it
            spread[0].box = Box(spread[0].box.x0, spread[0].box.y0, max(field.x1, spread[0].box.x1), spread[0].box.y1)
        words.extend(spread)
    return words


def _spread(tokens: list[str], field: Box) -> list[Word]:
    """A field's value as words across its box, each as wide as its share of the characters."""
    size = min(field.height * 0.7, 12.0) or 10.0
    total = sum(len(t) + 1 for t in tokens)
    width = min(field.width, total * size * 0.55)
    out: list[Word] = []
    x = field.x0 + 2.0
    for token in tokens:
        w = width * len(token) / total
        out.append(
            Word(
                token,
                Box(x, field.cy - size / 2, x + w, field.cy + size / 2),
                size,
                False,
                False,
                False,
                any(_is_rtl(c) for c in token),
                FORM_FONT,
            )
        )
        x += w + width / total
    return out


def _turner(rotation: int, width: float, height: float) -> Callable[[Box], Box]:
    """Boxes from the stored page frame (`width` × `height`, top-left origin) into
    the frame the page is displayed and rendered in: /Rotate turns it clockwise."""
    if rotation == 90:
        return lambda b: Box(height - b.y1, b.x0, height - b.y0, b.x1)
    if rotation == 180:
        return lambda b: Box(width - b.x1, height - b.y1, width - b.x0, height - b.y0)
    return lambda b: Box(b.y0, width - b.x1, b.y1, width - b.x0)  # 270
