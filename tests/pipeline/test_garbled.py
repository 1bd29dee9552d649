"""A text layer that does not say what the page draws is read by OCR instead.

Fonts without a ToUnicode map whose glyph names mean nothing to a Unicode table
leave only their character codes in the text layer. Where those codes are glyph
numbers (a subset's order, a legacy font's private layout) the text layer is
gibberish although the page reads perfectly; where they happen to be the letters
(as in old TeX bitmap fonts) the text layer is right. OCR's reading of the page
tells the two apart; an ordinary PDF is never sent to OCR."""

from __future__ import annotations

import string
from collections.abc import Callable
from pathlib import Path

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from server.pipeline.pdf import garbled
from server.pipeline.pdf.extract import extract_page
from server.pipeline.run import OCR_DPI, open_pdf
from tests.pipeline import pdfs
from tests.pipeline.rawpdf import type3_pdf
from tests.pipeline.support import run_pipeline, segments_of, word_recall

REPORT = (
    "The inspection of the northern bridges began in early spring. Engineers measured every "
    "span and found cracks in two older supports. Repairs will start next month and should "
    "finish before the winter storms arrive. Traffic will move to the western crossing while "
    "the work continues."
)
NOTICE = (
    "Water supply to the valley will stop on Monday morning. Residents should fill containers "
    "the night before and report any leaks to the council office."
)


def _lines(text: str, size: float, width: float = 460) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and stringWidth(f"{lines[-1]} {word}", "Helvetica", size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines



def _shifted(char: str) -> int:
    """A legacy font's layout: every letter at the code of the letter after the next."""
    if char in string.ascii_lowercase:
        return ord("a") + (ord(char) - ord("a") + 2) % 26
    if char in string.ascii_uppercase:
        return ord("A") + (ord(char) - ord("A") + 2) % 26
    return ord(char)


def _subset_order(texts: list[str]) -> Callable[[str], int]:
    """A subset font's layout: glyphs numbered from 33 in the order the text first uses them."""
    order: dict[str, int] = {}
    for char in "".join(texts):
        if char != " " and char not in order:
            order[char] = 33 + len(order)
    return order.__getitem__


def _control_codes(texts: list[str]) -> Callable[[str], int]:
    """A subset numbered from 1: most glyphs land on control codes, which are no text at all."""
    order: dict[str, int] = {}
    for char in "".join(texts):
        if char != " " and char not in order:
            order[char] = 1 + len(order) + (len(order) >= 31)  # 32 stays the space
    return order.__getitem__


_WRONG_SCRIPTS = (0x0915, 0x0531, 0x0A15, 0x0C15, 0x0E01)  # Devanagari, Armenian, Gurmukhi, Telugu, Thai


def _wrong_script(char: str) -> str:
    """A ToUnicode map that names glyph numbers as if they were code points of whatever
    script they land in: each letter in another script."""
    if not char.isalpha():
        return char
    index = ord(char.lower()) - ord("a")
    return chr(_WRONG_SCRIPTS[index % len(_WRONG_SCRIPTS)] + index // len(_WRONG_SCRIPTS) + (char.isupper() * 6))


def _ocr_or_skip() -> None:
    from server.pipeline import ocr

    if not ocr.available():
        pytest.skip("the OCR engine is not installed (pip install 'chunkd[ocr]')")


@pytest.mark.parametrize(
    ("layout", "size"),
    [("shifted", 12), ("shifted", 16), ("subset", 11), ("subset", 14), ("controls", 12)],
)
def test_a_text_layer_of_wrong_codes_is_read_from_the_page_by_ocr(tmp_path: Path, layout: str, size: float) -> None:
    _ocr_or_skip()
    layouts = {
        "shifted": _shifted,
        "subset": _subset_order([REPORT, NOTICE]),
        "controls": _control_codes([REPORT, NOTICE]),
    }
    code_of = layouts[layout]
    path = type3_pdf(tmp_path / "legacy.pdf", [_lines(REPORT, size), _lines(NOTICE, size)], code_of, size)
    with open_pdf(path) as pdf:
        layer = " ".join(w.text for w in extract_page(pdf, 0).words)
    assert word_recall(REPORT + NOTICE, layer) < 0.3  # the premise: the text layer is gibberish
    result = run_pipeline(path, tmp_path / "work")
    text = " ".join(s.text for s in segments_of(result))
    assert word_recall(REPORT + " " + NOTICE, text) >= 0.9, text
    assert result.ocr_pages == 1
    if layout != "controls":  # control codes are plainly no text: no witness needed, nothing to explain
        assert "the text layer of page 1 does not match the text drawn, so OCR read it" in result.message


def test_raw_codes_that_are_the_letters_drawn_keep_the_text_layer(tmp_path: Path) -> None:
    _ocr_or_skip()
    path = type3_pdf(tmp_path / "tex.pdf", [_lines(REPORT, 12)], ord, 12)
    with open_pdf(path) as pdf:
        assert garbled.suspect(extract_page(pdf, 0))  # the font maps nothing: only the drawing can tell
    result = run_pipeline(path, tmp_path / "work")
    [segment] = segments_of(result)
    assert segment.text == REPORT  # exactly the text layer's words, not OCR's reading of them
    assert result.ocr_pages == 0 and not segment.ocr
    assert result.message == "Task succeeded"


def test_an_ordinary_pdf_is_never_sent_to_ocr(tmp_path: Path) -> None:
    path = pdfs.build(tmp_path / "plain.pdf", pdfs.headings_page, pdfs.two_column_page, pdfs.ruled_table_page)
    with open_pdf(path) as pdf:
        contents = [extract_page(pdf, i) for i in range(len(pdf))]
    assert all(c.unmapped_char_count == 0 and not garbled.suspect(c) for c in contents)
    result = run_pipeline(path, tmp_path / "work")
    assert result.ocr_pages == 0
    assert not any(s.ocr for s in segments_of(result))
    assert all(page.dpi < OCR_DPI for page in result.output.pages)  # not even drawn for OCR to read


def test_without_ocr_the_text_layer_is_kept_and_the_message_says_it_is_unchecked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.pipeline import ocr

    monkeypatch.setattr(ocr, "available", lambda: False)
    path = type3_pdf(tmp_path / "legacy.pdf", [_lines(REPORT, 12)], _shifted, 12)
    result = run_pipeline(path, tmp_path / "work")
    [segment] = segments_of(result)
    assert segment.text == "".join(chr(_shifted(c)) for c in REPORT)  # the codes, as the file has them
    assert result.ocr_pages == 0
    assert "the text layer of page 1 comes from fonts without a Unicode map" in result.message
    assert "OCR, which would check it, is not installed" in result.message


def test_a_tounicode_map_into_a_mix_of_scripts_is_read_from_the_page_by_ocr(tmp_path: Path) -> None:
    _ocr_or_skip()
    path = type3_pdf(tmp_path / "wrong.pdf", [_lines(REPORT, 12), _lines(NOTICE, 12)], ord, 12, _wrong_script)
    with open_pdf(path) as pdf:
        content = extract_page(pdf, 0)
    assert content.unmapped_char_count == 0 and garbled.suspect(content)  # mapped, but into no language
    result = run_pipeline(path, tmp_path / "work")
    assert word_recall(REPORT + " " + NOTICE, " ".join(s.text for s in segments_of(result))) >= 0.9
    assert result.ocr_pages == 1
