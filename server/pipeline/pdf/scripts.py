"""Superscripts and subscripts: type set smaller than its line, on a raised or lowered baseline.

A footnote mark, an exponent (m², 10⁻³), an ordinal's suffix (1st) or a chemical
index (H₂O) is drawn as its own text object: smaller type, its baseline moved by a
share of the line's em. pdfium puts no space between it and its base, so it arrives
inside the base's token ("10-3"), where it would read as another number. The token is
cut where the type and the baseline change; each script piece is a word that knows
it is one, and the text says it without ambiguity:

- HTML and Markdown wrap it in <sup>/<sub> (Chunkr's Markdown uses inline HTML for this);
- the plain text writes an exponent after a number or a subscript with the Unicode
  superscript and subscript characters where every character has one ("10⁻³", "H₂O"),
  joins an ordinal's letters to their number ("1st"), and keeps any other script a word
  of its own ("the harbour²" reads "the harbour 2", as references write footnote marks).
"""

from __future__ import annotations

import re

SCRIPT_SIZE = 0.85  # a script is set at this share of its base's size, or smaller
RAISE_EM = 0.15  # a superscript's baseline is raised by this share of the base's em, or more
LOWER_EM = 0.08  # a subscript's is lowered by this share, or more (subscripts drop less)

SUP, SUB = 1, -1

_SUPERSCRIPTS = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUBSCRIPTS = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_HAS_SUPERSCRIPT = re.compile(r"^[0-9+\-=()n\u2212]+$")
_HAS_SUBSCRIPT = re.compile(r"^[0-9+\-=()\u2212]+$")
_ORDINAL = re.compile(r"^(?:st|nd|rd|th|er|re|e|o|a|ème|eme)$", re.IGNORECASE)

# Private-use marks around a script in a line's marked text, turned into tags by the renderer
OPEN = {SUP: "\ue100", SUB: "\ue102"}
CLOSE = {SUP: "\ue101", SUB: "\ue103"}
_MARKS = re.compile("[\ue100-\ue103]")
TAGS = {"\ue100": "<sup>", "\ue101": "</sup>", "\ue102": "<sub>", "\ue103": "</sub>"}


def script_of(base_size: float, size: float, rise: float) -> int:
    """SUP, SUB or 0 for a piece of `size` whose baseline sits `rise` points above its base's."""
    if base_size <= 0 or not 0 < size <= SCRIPT_SIZE * base_size:
        return 0
    if rise >= RAISE_EM * base_size:
        return SUP
    if rise <= -LOWER_EM * base_size:
        return SUB
    return 0


def plain_join(before: str, script_text: str, script: int) -> str | None:
    """How a script glued to `before` reads in plain text, joined to it; None where it
    is to read as a word of its own."""
    if not before:
        return None
    text = script_text.replace("\u2212", "-")
    if script == SUB and _HAS_SUBSCRIPT.match(text):
        return text.translate(_SUBSCRIPTS)
    if script == SUP and before[-1].isdigit():
        if _HAS_SUPERSCRIPT.match(text):
            return text.translate(_SUPERSCRIPTS)
        if _ORDINAL.match(text):
            return text
    return None


_SPAN = re.compile("(\ue100|\ue102)([^\ue100-\ue103]*)[\ue101\ue103]")


def plain(marked: str) -> str:
    """The plain text of a marked text: each script as `plain_join` says, or a word of its own."""
    if not has_marks(marked):
        return marked
    out, cursor = "", 0
    for match in _SPAN.finditer(marked):
        out += marked[cursor : match.start()]
        cursor = match.end()
        script = SUP if match.group(1) == OPEN[SUP] else SUB
        glued = bool(out) and not out[-1].isspace()
        joined = plain_join(out, match.group(2), script) if glued else None
        out += joined if joined is not None else (f" {match.group(2)}" if glued else match.group(2))
        if joined is None and marked[cursor : cursor + 1].isalnum():
            out += " "  # a word of its own ends before the word glued to it ("¹Since" reads "1 Since")
    return strip_marks(out + marked[cursor:])


def strip_marks(text: str) -> str:
    return _MARKS.sub("", text)


def has_marks(text: str) -> bool:
    return _MARKS.search(text) is not None
