"""Whether a page's text layer says what its glyphs draw.

A font without a ToUnicode map whose encoding names no standard glyphs (a Type 3
font with glyphs /g1, /g2 ..., a symbolic TrueType subset, a legacy font that
puts its letters at other letters' codes) leaves pdfium only the character codes,
and it passes them on as the text. Sometimes the codes are the letters (old TeX
bitmap fonts number their glyphs as ASCII); often they are glyph numbers in the
order a subset was made, and the text layer is gibberish. Nothing in the file says
which, so a page whose text is mostly such codes is also read by OCR, and what OCR
reads decides: where it finds the words the codes spell, the text layer stands.
Codes that are not text at all (control codes, private-use code points) need no
witness: `PageContent.has_usable_text` sends those pages to OCR already.
"""

from __future__ import annotations

from collections import Counter

from server.pipeline.pdf.extract import PageContent

_SUSPECT_SHARE = 0.3  # as for unmappable glyphs: most of the page, not a symbol or two
_MIN_WORD = 2  # shorter tokens match by chance


def suspect(content: PageContent) -> bool:
    """Whether most of the page's text is raw character codes whose meaning only the
    drawn glyphs can confirm. A page that is unusable anyway is OCR's already."""
    return content.has_usable_text and content.unmapped_char_count > _SUSPECT_SHARE * content.char_count


def _normal(token: str) -> str:
    return "".join(c for c in token.casefold() if c.isalnum())


def agrees(content: PageContent, ocr_text: str) -> bool:
    """Whether OCR's reading of the page (`ocr_text`) contains at least half of the
    words the raw codes spell. OCR that read nothing is no evidence against them."""
    read = Counter(t for t in map(_normal, ocr_text.split()) if t)
    if not read:
        return True
    spelled = [t for t in (_normal(w.text) for w in content.words if w.unmapped) if len(t) >= _MIN_WORD]
    if not spelled:
        return True
    found = 0
    for token in spelled:
        if read[token] > 0:
            read[token] -= 1
            found += 1
    return 2 * found >= len(spelled)
