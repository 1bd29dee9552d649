"""Text as the document states it: no control codes, no code fences around a
typewriter document, no headings made of table header cells or running footers,
and every word of the text layer in exactly one segment."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from reportlab.pdfgen.canvas import Canvas

from protos import tasks_pb2 as pb
from server.pipeline.pdf.extract import clean_text
from tests.pipeline import pdfs
from tests.pipeline.rawpdf import latin1_identity_pdf
from tests.pipeline.support import run_pipeline, segments_of

KEEP_MARGINS = pb.Configuration(chunk_processing=pb.ChunkProcessing(ignore_headers_and_footers=False))
_WORD = re.compile(r"\w+")


def test_windows_1252_codes_read_as_c1_controls_become_the_quotes_and_dashes_meant(tmp_path: Path) -> None:
    path = latin1_identity_pdf(tmp_path / "c1.pdf", [b"He said \x93hello\x94 and \x84bye\x93 \x96 twice \x95 done"])
    [segment] = segments_of(run_pipeline(path, tmp_path / "work"))
    assert segment.text == "He said \u201chello\u201d and \u201ebye\u201c \u2013 twice \u2022 done"
    assert not any(0x80 <= ord(c) < 0xA0 or ord(c) < 0x20 for c in segment.text)


def test_a_symbol_fonts_bracket_pieces_read_as_unicodes_not_as_private_use_codes(tmp_path: Path) -> None:
    path = tmp_path / "pieces.pdf"
    canvas = Canvas(str(path))
    for line, pieces in enumerate(("\uf8eb\uf8ec\uf8ed", "\uf8ee\uf8ef\uf8f0", "\uf8f1\uf8f2\uf8f3", "\uf8fc\uf8fd\uf8fe")):
        text = canvas.beginText(72, 700 - 30 * line)
        text.setFont("Helvetica", 12)
        text.textOut("matrix ")
        text.setFont("Symbol", 12)
        text.textOut(pieces)
        canvas.drawText(text)
    canvas.save()
    text = " ".join(s.content for s in segments_of(run_pipeline(path, tmp_path / "work")))
    assert not [c for c in text if unicodedata.category(c) == "Co"], text
    for pieces in ("\u239b\u239c\u239d", "\u23a1\u23a2\u23a3", "\u23a7\u23a8\u23a9", "\u23ab\u23ac\u23ad"):
        assert pieces in text, text


def test_pdfiums_line_end_hyphen_mark_rejoins_the_word_or_shows_as_a_hyphen() -> None:
    assert clean_text("commit\x02") == "commit\ufffe"  # FPDFText_GetUnicode's 0x02, read as pdfium's own mark
    assert clean_text("a\x01b\x7fc") == "abc"
    assert clean_text("\uf0b7") == "\u2022"  # a Symbol-font bullet


def test_a_word_hyphenated_at_a_line_end_is_joined(tmp_path: Path) -> None:
    def page(canvas: Canvas) -> None:
        canvas.setFont("Helvetica", 12)
        canvas.drawString(72, 700, "The joint commit-")
        canvas.drawString(72, 685, "tee met on the")
        canvas.drawString(72, 670, "first Monday.")

    [segment] = segments_of(run_pipeline(pdfs.build(tmp_path / "h.pdf", page), tmp_path / "work"))
    assert segment.text == "The joint committee met on the first Monday."


def _typewriter_page(canvas: Canvas) -> None:
    canvas.setFont("Courier", 10)
    y = 700.0
    for paragraph in range(4):
        y = pdfs.paragraph(canvas, 72, y, pdfs.words(50, paragraph * 9), 460, font="Courier") - 12


def test_a_document_typed_in_courier_is_text_not_code(tmp_path: Path) -> None:
    result = run_pipeline(pdfs.build(tmp_path / "typed.pdf", _typewriter_page, _typewriter_page), tmp_path / "work")
    segments = segments_of(result)
    assert segments and all("```" not in s.markdown and "<pre>" not in s.html for s in segments)
    assert all(s.segment_type == pb.SEGMENT_TYPE_TEXT for s in segments)


def test_a_code_listing_in_a_proportional_document_stays_code(tmp_path: Path) -> None:
    def page(canvas: Canvas) -> None:
        pdfs.paragraph(canvas, 72, 700, pdfs.words(80), 460)
        canvas.setFont("Courier", 9)
        for i, line in enumerate(["def total(xs):", "    return sum(xs)"]):
            canvas.drawString(72, 600 - 11 * i, line)

    segments = segments_of(run_pipeline(pdfs.build(tmp_path / "code.pdf", page), tmp_path / "work"))
    assert any(s.markdown.startswith("```") for s in segments)


@pytest.mark.parametrize("bold", [True, False])
def test_a_header_row_of_short_bold_cells_is_not_a_run_of_headings(tmp_path: Path, bold: bool) -> None:
    def page(canvas: Canvas) -> None:
        pdfs.paragraph(canvas, 72, 720, pdfs.words(40), 460)
        canvas.setFont("Helvetica-Bold" if bold else "Helvetica", 12 if not bold else 10)
        for i, name in enumerate(["County", "Population", "Area", "Density"]):
            canvas.drawString(72 + i * 120, 640, name)
        canvas.setFont("Helvetica", 10)
        for r in range(5):
            for i in range(4):
                canvas.drawString(72 + i * 120, 620 - r * 14, f"{(r + 3) * (i + 7) * 13}")
        pdfs.paragraph(canvas, 72, 520, pdfs.words(40, 5), 460)

    segments = segments_of(run_pipeline(pdfs.build(tmp_path / "t.pdf", page), tmp_path / "work"))
    headings = [s.text for s in segments if s.segment_type == pb.SEGMENT_TYPE_SECTION_HEADER]
    assert not {"County", "Population", "Area", "Density"} & set(headings)


def test_a_running_footer_of_two_lines_is_a_footer_on_every_page(tmp_path: Path) -> None:
    def page(number: int) -> pdfs.Callable[[Canvas], None]:
        def draw(canvas: Canvas) -> None:
            pdfs.paragraph(canvas, 72, 700, pdfs.words(120, number), 460)
            canvas.setFont("Helvetica-Bold", 9)
            canvas.drawString(72, 60, "Department of Roads and Bridges")
            canvas.drawString(72, 49, f"Annual Statement {2020 + number}")

        return draw

    result = run_pipeline(pdfs.build(tmp_path / "f.pdf", page(1), page(2), page(3)), tmp_path / "work", KEEP_MARGINS)
    segments = segments_of(result)
    footers = [s for s in segments if s.segment_type == pb.SEGMENT_TYPE_PAGE_FOOTER]
    assert len(footers) == 3
    assert not [s for s in segments if s.segment_type == pb.SEGMENT_TYPE_SECTION_HEADER]


def _letters(text: str) -> Counter[str]:
    """Word characters as a multiset: the same whatever order a word's letters were stored in
    (pdfium stores Arabic lam-alef as alef, lam), wherever a word was split, and whether an
    exponent is written as its digits or as superscript digits (10⁻³)."""
    return Counter(c for word in _WORD.findall(unicodedata.normalize("NFKC", text).lower()) for c in word)


def _text_layer_letters(path: Path) -> Counter[str]:
    document = pdfium.PdfDocument(str(path))
    found: Counter[str] = Counter()
    for page in document:
        found.update(_letters(page.get_textpage().get_text_range()))
    return found


CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
GENERATED = {
    "headings": (pdfs.headings_page,),
    "two columns": (pdfs.two_column_page,),
    "ruled table": (pdfs.ruled_table_page,),
    "rotated": (pdfs.rotated_page,),
    "running headers": tuple(pdfs.running_header_page(n) for n in range(1, 4)),
    "typewriter": (_typewriter_page,),
}


def _conserved(path: Path, workdir: Path) -> tuple[float, float]:
    """(share of the text layer's characters found in the segments, share of the segments'
    characters not in it)."""
    produced: Counter[str] = Counter()
    for segment in segments_of(run_pipeline(path, workdir, KEEP_MARGINS)):
        produced.update(_letters(segment.text))
    reference = _text_layer_letters(path)
    common = sum((produced & reference).values())
    return common / max(sum(reference.values()), 1), 1 - common / max(sum(produced.values()), 1)


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_every_character_of_a_generated_page_lands_in_exactly_one_segment(tmp_path: Path, name: str) -> None:
    path = pdfs.build(tmp_path / "doc.pdf", *GENERATED[name])
    recall, extra = _conserved(path, tmp_path / "work")
    assert recall == 1.0 and extra == 0.0


@pytest.mark.parametrize(
    "path",
    sorted((CORPUS / "pdf").glob("*.pdf")) + sorted((CORPUS / "tables-icdar2013").glob("*.pdf")),
    ids=lambda p: p.name,
)
def test_every_character_of_a_real_document_lands_in_exactly_one_segment(tmp_path: Path, path: Path) -> None:
    if not path.exists():
        pytest.skip("the shared corpus is not beside this checkout")
    recall, extra = _conserved(path, tmp_path / "work")
    assert (recall, extra) == (1.0, 0.0)


@pytest.mark.parametrize("line", ["\u2014The Birmingham News", "and then some more.\u201d", "and then some more"])
def test_an_attribution_or_the_end_of_a_quotation_is_not_a_heading(tmp_path: Path, line: str) -> None:
    def page(canvas: Canvas) -> None:
        pdfs.paragraph(canvas, 72, 700, pdfs.words(60), 460)
        canvas.setFont("Helvetica-Bold", 11)
        canvas.drawString(200, 640, line)
        pdfs.paragraph(canvas, 72, 610, pdfs.words(60, 4), 460)

    segments = segments_of(run_pipeline(pdfs.build(tmp_path / "q.pdf", page), tmp_path / "work"))
    assert not [s for s in segments if s.segment_type == pb.SEGMENT_TYPE_SECTION_HEADER]


def test_a_page_sized_background_image_under_text_is_not_a_picture(tmp_path: Path) -> None:
    from PIL import Image

    background = tmp_path / "bg.png"
    Image.new("RGB", (200, 260), (235, 240, 250)).save(background)

    def page(canvas: Canvas) -> None:
        canvas.drawImage(str(background), 0, 0, pdfs.WIDTH, pdfs.HEIGHT)
        canvas.setFont("Helvetica-Bold", 28)
        canvas.drawString(72, 600, "Quarterly Review")
        canvas.setFont("Helvetica", 18)
        canvas.drawString(72, 560, "Results of the third quarter")

    segments = segments_of(run_pipeline(pdfs.build(tmp_path / "slide.pdf", page), tmp_path / "work"))
    assert not [s for s in segments if s.segment_type == pb.SEGMENT_TYPE_PICTURE]
    assert [s.text for s in segments] == ["Quarterly Review", "Results of the third quarter"]


@pytest.mark.parametrize(
    ("lines", "text"),
    [
        (
            ["http://mirror.ctan.org/macros/latex/", "contrib/supported/psnfss."],
            "http://mirror.ctan.org/macros/latex/contrib/supported/psnfss.",
        ),
        (
            ["via ftp://ftp.ams.org/pub/tex/ or", "www.ams.org/tex/"],
            "via ftp://ftp.ams.org/pub/tex/ or www.ams.org/tex/",
        ),
    ],
)
def test_a_web_address_in_typewriter_type_is_text_and_joined_across_lines(
    tmp_path: Path, lines: list[str], text: str
) -> None:
    def page(canvas: Canvas) -> None:
        pdfs.paragraph(canvas, 72, 700, pdfs.words(60), 460)
        canvas.setFont("Courier", 9)
        for i, line in enumerate(lines):
            canvas.drawString(72, 640 - 11 * i, line)
        pdfs.paragraph(canvas, 72, 600, pdfs.words(60, 3), 460)

    segments = segments_of(run_pipeline(pdfs.build(tmp_path / "url.pdf", page), tmp_path / "work"))
    [address] = [s for s in segments if "ams.org" in s.text or "ctan" in s.text]
    assert address.text == text and address.segment_type == pb.SEGMENT_TYPE_TEXT and "```" not in address.markdown
