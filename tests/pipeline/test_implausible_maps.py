"""A ToUnicode map that is there, printable and wrong: the words say so, and OCR reads them.

A subset font's map can be offset by a constant (every letter a few code points off,
"Wkh" for "The") or name the wrong letters altogether. Every character is a printable
letter, so no check of code points sees it; the words do: prose in any language is full
of a few common words, and an offset map's words become those words once moved back by
one constant, where a shuffled map's letters have none of a language's letter statistics.
A page mostly in such a font is read by OCR; a page with one such font or region has just
those words read again by OCR and merged with the exact text layer, in reading order.
Where OCR reads what the codes spell (the page really prints those letters), the text
layer stands."""

from __future__ import annotations

import random
import string
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from server.pipeline.pdf import garbled, plausible
from server.pipeline.pdf.extract import extract_page
from server.pipeline.run import open_pdf
from tests.pipeline.rawpdf import remapped_pdf
from tests.pipeline.support import run_pipeline, segments_of, word_recall

PROSE = {
    "en": "The harbour records were kept by the port authority and checked by the town at the end of each "
    "season, so the counts of boats and cargo can be followed over two hundred years without a gap.",
    "fr": "Les registres du port étaient tenus par les autorités et vérifiés par la ville à la fin de chaque "
    "saison, de sorte que le nombre des bateaux peut être suivi sur deux cents ans sans interruption.",
    "de": "Die Hafenbücher wurden von der Behörde geführt und von der Stadt am Ende jeder Saison geprüft, so "
    "dass die Zahl der Boote und die Ladung über zweihundert Jahre ohne Lücke verfolgt werden kann.",
    "es": "Los registros del puerto fueron llevados por la autoridad y revisados por la ciudad al final de "
    "cada temporada, de modo que el número de barcos se puede seguir durante doscientos años.",
    "it": "I registri del porto erano tenuti dalla autorità e controllati dalla città alla fine di ogni "
    "stagione, così che il numero delle barche si può seguire per duecento anni senza una lacuna.",
    "nl": "De havenboeken werden door de autoriteit bijgehouden en door de stad aan het einde van elk seizoen "
    "gecontroleerd, zodat het aantal boten over tweehonderd jaar zonder een gat te volgen is.",
}
TABLE = "Region Total 2019 2020 North 12.5 13.1 South 8.2 9.4 East 4.4 5.0 West 7.7 7.9 Total 32.8 35.4 " * 3
LABELS = "Nut case Threaded nut core Locking shoulder Keyway Boots aircraft nut Flexloc nut Fiber locknut Elastic"


def _offset(text: str, offset: int) -> str:
    return "".join(c if c == " " else chr(ord(c) + offset) for c in text)


def _shuffled(text: str, seed: int) -> str:
    letters = list(string.ascii_lowercase)
    shuffled = letters[:]
    random.Random(seed).shuffle(shuffled)
    table = str.maketrans(
        "".join(letters + [c.upper() for c in letters]), "".join(shuffled + [c.upper() for c in shuffled])
    )
    return text.translate(table)


@pytest.mark.parametrize("language", sorted(PROSE))
def test_prose_in_several_languages_is_plausible(language: str) -> None:
    assert not plausible.implausible((PROSE[language] + " ").split() * 2)


@pytest.mark.parametrize("text", [TABLE, LABELS, "USD EUR GBP CHF JPY SEK NOK DKK PLN CZK HUF RON " * 3])
def test_tables_labels_and_codes_are_not_judged_implausible(text: str) -> None:
    assert not plausible.implausible(text.split())


@pytest.mark.parametrize("language", sorted(PROSE))
@pytest.mark.parametrize("offset", [1, 2, 3, 5, 7, -1, -3])
def test_a_map_offset_by_a_constant_is_implausible(language: str, offset: int) -> None:
    assert plausible.implausible(_offset(PROSE[language] + " " + PROSE[language], offset).split())


def test_a_map_that_shuffles_the_letters_is_implausible_nearly_always() -> None:
    text = " ".join(PROSE.values())
    caught = sum(plausible.implausible(_shuffled(text, seed).split()) for seed in range(50))
    assert caught >= 45


def _caesar(offset: int) -> Callable[[str], str]:
    return lambda c: chr(ord(c) + offset) if 33 <= ord(c) + offset < 127 else c



def _ocr_or_skip() -> None:
    from server.pipeline import ocr

    if not ocr.available():
        pytest.skip("the OCR engine is not installed (pip install 'chunkd[ocr]')")


def _runs(paragraphs: list[tuple[str, float, bool]]) -> list[tuple[float, float, float, bool, str]]:
    runs: list[tuple[float, float, float, bool, str]] = []
    y = 720.0
    for text, size, wrong in paragraphs:
        for line in textwrap.wrap(text, int(900 / size)):
            runs.append((72.0, y, size, wrong, line))
            y -= size * 1.3
        y -= size
    return runs


@pytest.mark.parametrize("offset", [3, 1, -2])
@pytest.mark.parametrize("size", [11.0, 14.0])
def test_a_page_in_an_offset_font_is_read_by_ocr(tmp_path: Path, offset: int, size: float) -> None:
    _ocr_or_skip()
    text = PROSE["en"] + " " + PROSE["en"].replace("harbour", "river")
    path = remapped_pdf(tmp_path / "offset.pdf", _runs([(text, size, True)]), _caesar(offset))
    with open_pdf(path) as pdf:
        assert garbled.suspect(extract_page(pdf, 0))
    result = run_pipeline(path, tmp_path / "work")
    assert result.ocr_pages == 1
    assert word_recall(text, " ".join(s.text for s in segments_of(result))) >= 0.9


GOOD = (
    "The inspection of the northern bridges began in early spring. Engineers measured every span and found "
    "cracks in two older supports, and repairs will start next month."
)
LATER = (
    "Traffic will move to the western crossing while the work continues, and the ferry will run every hour. "
    "The council thanks the residents of both banks for their patience during the closure of the old bridge, "
    "which carried more than ten thousand vehicles a day before the cracks were found."
)


@pytest.mark.parametrize("offset", [3, -1])
@pytest.mark.parametrize(("size", "bad_size"), [(10.0, 11.0), (11.0, 14.0)])
def test_one_garbled_font_is_read_again_by_ocr_and_merged_in_order(
    tmp_path: Path, offset: int, size: float, bad_size: float
) -> None:
    _ocr_or_skip()
    paragraphs = [(GOOD, size, False), (LATER, size, False), (PROSE["en"], bad_size, True), (LATER, size, False)]
    path = remapped_pdf(tmp_path / "part.pdf", _runs(paragraphs), _caesar(offset))
    with open_pdf(path) as pdf:
        content = extract_page(pdf, 0)
    assert not garbled.suspect(content) and garbled.partly(content)
    result = run_pipeline(path, tmp_path / "work")
    texts = [s.text for s in segments_of(result)]
    # the good text layer, exact, around the part OCR read
    assert texts[0] == f"{GOOD} {LATER}" or texts[:2] == [GOOD, LATER]
    assert texts[-1] == LATER
    assert word_recall(PROSE["en"], texts[-2]) >= 0.9
    assert "part of the text layer of page 1 does not match the text drawn" in result.message


def test_letters_that_really_are_printed_keep_their_text_layer(tmp_path: Path) -> None:
    """A page that prints a cipher: its words read as no language, but OCR reads the same letters."""
    _ocr_or_skip()
    cipher = _offset(PROSE["en"], 3).replace("|", "y").replace("/", ",")
    paragraphs = [(GOOD, 11.0, False), (LATER, 11.0, False), (cipher, 11.0, True), (LATER, 11.0, False)]
    path = remapped_pdf(tmp_path / "cipher.pdf", _runs(paragraphs), lambda c: c)  # a right map, in its own font
    with open_pdf(path) as pdf:
        assert garbled.partly(extract_page(pdf, 0))  # doubtful by its words
    result = run_pipeline(path, tmp_path / "work")
    assert " ".join(s.text for s in segments_of(result)) == " ".join([GOOD, LATER, cipher, LATER])
    assert "does not match" not in result.message


def test_without_ocr_a_partly_garbled_page_keeps_its_text_layer_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.pipeline import ocr

    monkeypatch.setattr(ocr, "available", lambda: False)
    paragraphs = [(GOOD, 10.0, False), (LATER, 10.0, False), (PROSE["en"], 11.0, True), (LATER, 10.0, False)]
    result = run_pipeline(remapped_pdf(tmp_path / "part.pdf", _runs(paragraphs), _caesar(3)), tmp_path / "work")
    assert "Wkh kduerxu" in " ".join(s.text for s in segments_of(result))  # the codes, as the file has them
    assert "or with one whose words read as no language" in result.message
    assert "OCR, which would check it, is not installed" in result.message
