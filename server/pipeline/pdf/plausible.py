"""Whether a font's words read as a language, or as the codes of a wrong ToUnicode map.

A subset font with a custom encoding can carry a ToUnicode map that is offset (every
character a constant number of code points off: "Wkh" for "The") or that names other,
printable characters. The text is all letters and looks like text to every check of
code points; only its words say otherwise. Running prose in any language is mostly
made of a few hundred short function words, so:

- a font whose words hit the common words of several languages far more often once
  every character is moved back by one constant offset than as they stand is offset;
- a font with plenty of words, none of them common words, and letters whose vowels
  are far from any alphabetic language's share is mapped to the wrong characters.

Either way only the drawn glyphs can say what the text is: the caller asks OCR.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable

# the most frequent words of English, French, German, Spanish, Italian, Portuguese and Dutch
_COMMON = frozenset(
    """
    the of and to in is that for it as was with be by on not he this are or his from at which but have an
    they you were her she there been one all we their has would when if so no will more can who its out
    into than them only some could these two may then do first any my now such like our over also did
    after most made between other where must through back years much your way well down should because
    each just those people how too very even many before same last while here against under new used
    de la et le les des en du un une est que qui dans pour pas par sur au plus ne se ce il sont avec ou
    mais der die und den das von zu mit sich auf für ist im dem nicht ein eine als auch es an werden aus
    er hat dass nach wird bei einer um am sind noch wie einem über einen zum war haben nur oder aber vor
    zur bis mehr durch man el los del las por para con una su al lo como más pero sus le ya este si
    porque esta entre cuando muy sin sobre también hasta hay donde di che per non sono della da ma
    anche dei nel os do da em um não uma no na mais dos foi ao ele das tem à seu sua ser nos já
    está eu só pelo pela até isso ela het een van op te zijn voor met niet aan er om ook dan bij uit
    maar nog wordt door
    """.split()
)
_PUNCTUATION = ".,;:!?()[]\"'\u201c\u201d\u2018\u2019"
_WORD = re.compile(r"[^\W\d_]{2,}")
_VOWELS = frozenset("aeiouyàáâãäåèéêëìíîïòóôõöùúûüýÿæœ")
SAMPLE = 300  # words of a font enough to judge it
_MIN_WORDS = 8  # fewer say nothing (a heading, a table's labels)
_HIT_SHARE = 0.12  # running prose: at least one word in eight is a common word (usually a third)
_CHANCE_HIT_SHARE = 0.08  # shuffled letters make a common two-letter word now and then, not more
_LONG_HIT_SHARE = 0.06  # ... and one in sixteen different words a common one of three letters or more
_VOWEL_SHARE = (0.25, 0.62)  # the vowels' share of letters in alphabetic languages lies between these
# the most frequent letters of every alphabetic European language are among these eleven
# (English e t a o i n, Polish a i o e z n, Finnish a i t n e s): a letter map shuffled at random
# puts two or three of them in the top six
_FREQUENT = frozenset("eaionrstlud")
_LATIN_END = "\u024f"  # Latin script, accents and extensions included, ends here
_BARE_SHARE = 0.2  # words of three letters or more without a vowel: rare in any of them ("vlk", "prst")


def _hits(words: Iterable[str]) -> int:
    return sum(1 for word in words if word in _COMMON)


def _shape(word: str) -> tuple[int, ...]:
    """The steps between a word's neighbouring code points: what a constant offset keeps."""
    return tuple(ord(b) - ord(a) for a, b in itertools.pairwise(word))


_BY_SHAPE: dict[tuple[int, ...], list[str]] = {}
for _word in _COMMON:
    if len(_word) >= 3:
        _BY_SHAPE.setdefault(_shape(_word), []).append(_word)


def _best_offset_kinds(words: set[str]) -> tuple[int, int]:
    """(offset, how many different common words of three letters or more it makes of
    `words`) for the offset other than 0 that makes most. Two-letter words match by chance
    among a hundred offsets, and a label repeated down a table is one word however often."""
    found: dict[int, set[str]] = {}
    for word in words:
        if len(word) >= 3:
            for common in _BY_SHAPE.get(_shape(word), ()):
                offset = ord(word[0]) - ord(common[0])
                if offset:
                    found.setdefault(offset, set()).add(common)
    if not found:
        return 0, 0
    offset = max(found, key=lambda k: len(found[k]))
    return offset, len(found[offset])


def implausible(tokens: list[str]) -> bool:
    """Whether the words `tokens` (one font's, in order) are not a language's words but
    the codes of a map that is offset or names the wrong characters."""
    sample = tokens[:SAMPLE]
    if sum(1 for token in sample if token.lower().strip(_PUNCTUATION) in _COMMON) >= _HIT_SHARE * len(sample):
        return False  # running prose, told at a glance (most fonts of most pages)
    cased = [w for token in sample for w in _WORD.findall(token)]
    words = [w.lower() for w in cased]
    latin = [w for w in words if max(w) <= _LATIN_END]
    if len(latin) < _MIN_WORDS or len(latin) * 2 < len(words):
        return False  # too few words to judge, or another script: not judged by Latin statistics
    hits = _hits(latin)
    if hits >= _HIT_SHARE * len(latin):
        return False
    distinct = set(latin)
    _, best = _best_offset_kinds(distinct)  # one constant offset turns the codes into a language
    own = sum(1 for word in distinct if len(word) >= 3 and word in _COMMON)
    if best >= max(3.0, _LONG_HIT_SHARE * len(distinct)) and best >= 3 * own + 2:
        return True
    running = [w.lower() for w in cased if max(w) <= _LATIN_END and not w.isupper()]  # not acronyms, codes, labels
    if hits >= _CHANCE_HIT_SHARE * len(latin) or len(running) < 3 * _MIN_WORDS:
        return False
    letters = "".join(running)
    vowels = sum(1 for c in letters if c in _VOWELS) / max(len(letters), 1)
    longer = [w for w in running if len(w) >= 3]
    bare = sum(1 for w in longer if not _VOWELS.intersection(w)) / max(len(longer), 1)
    top = [letter for letter, _ in Counter(letters).most_common(6)]
    frequent = sum(1 for letter in top if letter in _FREQUENT)
    return not _VOWEL_SHARE[0] <= vowels <= _VOWEL_SHARE[1] or bare > _BARE_SHARE or frequent <= 3
