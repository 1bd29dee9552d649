"""Whether a page's text layer says what its glyphs draw.

A font without a ToUnicode map whose encoding names no standard glyphs (a Type 3
font with glyphs /g1, /g2 ..., a symbolic TrueType subset, a legacy font that
puts its letters at other letters' codes) leaves pdfium only the character codes,
and it passes them on as the text. Sometimes the codes are the letters (old TeX
bitmap fonts number their glyphs as ASCII); often they are glyph numbers in the
order a subset was made, and the text layer is gibberish. Nothing in the file says
which, so a page whose text is mostly such codes is also read by OCR, and what OCR
reads decides: where it finds the words the codes spell, the text layer stands.
A ToUnicode map can be wrong too (glyph numbers mapped as if they were characters):
words whose letters come from two non-Latin scripts at once are as doubtful. Codes that
are not text at all (control codes, private-use code points) need no witness:
`PageContent.has_usable_text` sends those pages to OCR already.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

from server.pipeline.pdf.extract import PageContent, Word

_SUSPECT_SHARE = 0.3  # as for unmappable glyphs: most of the page, not a symbol or two
_MIN_WORD = 2  # shorter tokens match by chance


# Scripts as the first word of a letter's Unicode name; Chinese, Japanese and Korean mix
# theirs in one word by nature, so they count as one
_SCRIPTS = {
    name: "CJK" if name in ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO") else name
    for name in (
        "GREEK CYRILLIC ARMENIAN HEBREW ARABIC SYRIAC THAANA DEVANAGARI BENGALI GURMUKHI GUJARATI ORIYA TAMIL"
        " TELUGU KANNADA MALAYALAM SINHALA THAI LAO TIBETAN MYANMAR GEORGIAN ETHIOPIC CHEROKEE KHMER MONGOLIAN"
        " CJK HIRAGANA KATAKANA HANGUL BOPOMOFO"
    ).split()
}


def _mixes_scripts(word: str) -> bool:
    """A word whose letters come from two scripts other than Latin: no language writes
    that ("ऐਣ", "ռసਨ"); it is what codes mapped to the wrong characters look like."""
    if word.isascii():
        return False
    seen: set[str] = set()
    for char in word:
        if char.isalpha():
            script = _SCRIPTS.get(unicodedata.name(char, "").split(" ", 1)[0])
            if script is not None:
                seen.add(script)
    return len(seen) > 1


def _doubtful(word: Word) -> bool:
    return word.unmapped or _mixes_scripts(word.text)


def suspect(content: PageContent) -> bool:
    """Whether most of the page's text is raw character codes, or characters that no
    language puts together, whose meaning only the drawn glyphs can confirm. A page that
    is unusable anyway is OCR's already."""
    if not content.has_usable_text:
        return False
    limit = _SUSPECT_SHARE * content.char_count
    if content.unmapped_char_count > limit:
        return True
    mixed = sum(
        len(w.text) for w in content.words if not w.unmapped and not w.text.isascii() and _mixes_scripts(w.text)
    )
    return content.unmapped_char_count + mixed > limit


def _normal(token: str) -> str:
    return "".join(c for c in token.casefold() if c.isalnum())


def agrees(content: PageContent, ocr_text: str) -> bool:
    """Whether OCR's reading of the page (`ocr_text`) contains at least half of the
    words the raw codes spell. OCR that read nothing is no evidence against them."""
    read = Counter(t for t in map(_normal, ocr_text.split()) if t)
    if not read:
        return True
    spelled = [t for t in (_normal(w.text) for w in content.words if _doubtful(w)) if len(t) >= _MIN_WORD]
    if not spelled:
        return True
    found = 0
    for token in spelled:
        if read[token] > 0:
            read[token] -= 1
            found += 1
    return 2 * found >= len(spelled)
