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
words whose letters come from two non-Latin scripts at once are as doubtful, and so are
the words of a font that read as no language but as one moved by a constant offset, or
as none at all (see `plausible`). Codes that
are not text at all (control codes, private-use code points) need no witness:
`PageContent.has_usable_text` sends those pages to OCR already.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict

from server.pipeline.pdf import plausible
from server.pipeline.pdf.extract import PageContent, Word

_SUSPECT_SHARE = 0.3  # as for unmappable glyphs: most of the page, not a symbol or two
_MIN_WORD = 2  # shorter tokens match by chance
_MIN_PART_WORDS = 4  # fewer doubtful words than this are a symbol or two, not a region to read again


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


def implausible_fonts(content: PageContent) -> frozenset[str]:
    """The page's fonts whose words read as no language (see `plausible`)."""
    by_font: dict[str, list[str]] = defaultdict(list)
    for word in content.words:
        if not word.unmapped and not word.rotated:
            tokens = by_font[word.font]
            if len(tokens) < plausible.SAMPLE:
                tokens.append(word.text)
    return frozenset(font for font, tokens in by_font.items() if plausible.implausible(tokens))


def doubtful_words(content: PageContent) -> list[Word]:
    """The page's words whose text only the drawn glyphs can confirm."""
    fonts = implausible_fonts(content)
    return [
        w for w in content.words if w.unmapped or w.font in fonts or (not w.text.isascii() and _mixes_scripts(w.text))
    ]


def judge(content: PageContent) -> tuple[bool, list[Word]]:
    """(whether the page is `suspect`, the words of it to read again where it is not: see `partly`)."""
    if not content.has_usable_text:
        return False, []
    limit = _SUSPECT_SHARE * content.char_count
    if content.unmapped_char_count > limit:
        return True, []
    doubtful = doubtful_words(content)
    if content.unmapped_char_count + sum(len(w.text) for w in doubtful if not w.unmapped) > limit:
        return True, []
    # words, not marks: a symbol font's bullets and arrows without a Unicode map are no text to read again
    wordlike = sum(1 for w in doubtful if sum(1 for c in w.text if c.isalnum()) >= _MIN_WORD)
    return False, doubtful if wordlike >= _MIN_PART_WORDS else []


def suspect(content: PageContent) -> bool:
    """Whether most of the page's text is raw character codes, characters that no language
    puts together, or a font's words that read as no language, whose meaning only the
    drawn glyphs can confirm. A page that is unusable anyway is OCR's already."""
    return judge(content)[0]


def partly(content: PageContent) -> list[Word]:
    """The doubtful words of a page that is not `suspect` as a whole but has a font or a
    region of them worth reading again (a few words at least): OCR reads just those."""
    return judge(content)[1]


def _normal(token: str) -> str:
    return "".join(c for c in token.casefold() if c.isalnum())


def agrees(content: PageContent, ocr_text: str) -> bool:
    """Whether OCR's reading of the page (`ocr_text`) contains at least half of the
    words the raw codes spell. OCR that read nothing is no evidence against them."""
    return spelled_in(doubtful_words(content), ocr_text)


def spelled_in(words: list[Word], ocr_text: str) -> bool:
    """Whether `ocr_text` contains at least half of the words that `words` spell."""
    read = Counter(t for t in map(_normal, ocr_text.split()) if t)
    if not read:
        return True
    spelled = [t for t in (_normal(w.text) for w in words) if len(t) >= _MIN_WORD]
    if not spelled:
        return True
    found = 0
    for token in spelled:
        if read[token] > 0:
            read[token] -= 1
            found += 1
    return 2 * found >= len(spelled)
