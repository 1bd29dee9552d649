"""Defects found on real documents (package manuals, papers, reports) that nobody tuned
for, each rebuilt here from how such documents are made, with variations."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from protos import tasks_pb2 as pb
from tests.pipeline.pdfs import HEIGHT, WIDTH, build, paragraph, words
from tests.pipeline.support import run_pipeline, segments_of


def _picture(width: int, height: int) -> ImageReader:
    image = Image.new("RGB", (width, height))
    for x in range(width):
        for y in range(height):
            image.putpixel((x, y), (x * 255 // width, y * 255 // height, 128))
    return ImageReader(image)


@pytest.mark.parametrize("subtitle", [False, True])
@pytest.mark.parametrize("picture_width", [220.0, 400.0])
def test_a_title_page_with_a_picture_under_the_title_reads(
    tmp_path: Path, subtitle: bool, picture_width: float
) -> None:
    """A manual's cover: the title, perhaps a subtitle, then a picture centred under it.
    The row under the title holds no text line, so it is no byline, and the page reads."""

    def cover(canvas: Canvas) -> None:
        top = HEIGHT - 110
        canvas.setFont("Helvetica-Bold", 26)
        canvas.drawCentredString(WIDTH / 2, top, "Harbour Records Users Guide")
        if subtitle:
            canvas.setFont("Helvetica", 12)
            canvas.drawCentredString(WIDTH / 2, top - 24, "Typesetting station reports with the records package")
            top -= 24
        height = picture_width * 0.6
        canvas.drawImage(_picture(40, 24), (WIDTH - picture_width) / 2, top - 20 - height, picture_width, height)
        paragraph(canvas, 72, top - 60 - height, words(80), WIDTH - 144)

    segments = segments_of(run_pipeline(build(tmp_path / "cover.pdf", cover), tmp_path / "work"))
    kinds = {s.segment_type for s in segments}
    assert pb.SEGMENT_TYPE_PICTURE in kinds
    assert any("Harbour Records Users Guide" in s.text for s in segments)
    assert any(words(80) in " ".join(s.text.split()) for s in segments)


@pytest.mark.parametrize("picture", [False, True])
@pytest.mark.parametrize("title_font", [("Times-Bold", 22.0), ("Helvetica-Bold", 28.0)])
def test_a_cover_with_blocks_flush_left_and_right_reads_top_to_bottom(
    tmp_path: Path, picture: bool, title_font: tuple[str, float]
) -> None:
    """A manual's cover sets its title flush left, the subtitle and edition flush right
    under it, a tagline beside the logo and the authors at the foot: white runs from top to
    bottom between the title and the subtitle, yet no two of these blocks stand side by
    side, so they are stacked, not columns, and read top to bottom."""
    font, size = title_font
    left, right = 100.0, WIDTH - 90

    def cover(canvas: Canvas) -> None:
        canvas.setFont(font, size)
        canvas.drawString(left, 500, "Harbour Survey")
        subtitle_x = left + canvas.stringWidth("Harbour Survey", font, size) + 14
        canvas.setFont("Times-Roman", 10)
        for offset, text in enumerate(("A field guide to tide and station records", "Edition 3", "March 2024")):
            canvas.drawRightString(right, 480 - 12 * offset, text)
        assert canvas.stringWidth("A field guide to tide and station records", "Times-Roman", 10) < right - subtitle_x
        if picture:
            canvas.drawImage(_picture(30, 30), left, 300, 120, 120)
        canvas.setFont("Times-Bold", 16)
        canvas.drawRightString(right, 350, "Read the Water")
        canvas.setFont("Times-Bold", 12)
        for offset, name in enumerate(("Ann Researcher", "Ben Engineer", "Cleo Surveyor")):
            canvas.drawString(left, 160 - 14 * offset, name)

    segments = segments_of(run_pipeline(build(tmp_path / "cover.pdf", cover), tmp_path / "work"))
    text = " ".join(" ".join(s.text.split()) for s in segments if s.text)
    order = [text.find(p) for p in ("Harbour Survey", "A field guide", "Read the Water", "Ann Researcher")]
    assert -1 not in order and order == sorted(order), text


HEBREW = "שלום עולם ברוכים הבאים לדוח השנתי של הוועדה אשר בחנה את הנתונים ומצאה כי ההוצאות עלו".split()
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.mark.skipif(not DEJAVU.exists(), reason="needs DejaVu Sans (apt-get install fonts-dejavu-core)")
@pytest.mark.parametrize("leader", [". ", "."])
@pytest.mark.parametrize("title_words", [2, 4])
def test_a_right_to_left_contents_line_reads_from_the_right_past_its_leaders(
    tmp_path: Path, leader: str, title_words: int
) -> None:
    """A Hebrew table of contents: section number on the right, the title, dot leaders across
    the page, the page number on the left. Dots have no direction; the letters do, so each
    line still reads from the right even where its leaders outnumber its letters."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVu", str(DEJAVU)))
    entries = [(f"{n}.1", HEBREW[3 * n : 3 * n + title_words], str(3 + 4 * n)) for n in range(4)]
    left, right = 110.0, WIDTH - 110

    def contents(canvas: Canvas) -> None:
        canvas.setFont("DejaVu", 18)
        canvas.drawRightString(right, HEIGHT - 150, HEBREW[0][::-1])
        canvas.setFont("DejaVu", 10)
        for row, (number, title, page) in enumerate(entries):
            y = HEIGHT - 200 - 14 * row
            visual = " ".join(w[::-1] for w in reversed(title))
            canvas.drawRightString(right, y, number)
            title_right = right - canvas.stringWidth(number, "DejaVu", 10) - 8
            canvas.drawRightString(title_right, y, visual)
            start = left + canvas.stringWidth(page, "DejaVu", 10) + 8
            end = title_right - canvas.stringWidth(visual, "DejaVu", 10) - 6
            dots = leader * int((end - start) / canvas.stringWidth(leader, "DejaVu", 10))
            canvas.drawString(start, y, dots.rstrip())
            canvas.drawString(left, y, page)

    segments = segments_of(run_pipeline(build(tmp_path / "contents.pdf", contents), tmp_path / "work"))
    text = " ".join(" ".join(s.text.split()) for s in segments if s.text)
    for _number, title, _page in entries:
        assert " ".join(title) in text, text


@pytest.mark.parametrize("font", ["Times-Roman", "Helvetica"])
@pytest.mark.parametrize("number_gap_em", [1.2, 3.0])
def test_a_contents_page_keeps_each_page_number_with_its_entry(tmp_path: Path, font: str, number_gap_em: float) -> None:
    """LaTeX's table of contents: spaced dot leaders stop short of the page number, which is
    set flush right in a box of its own, so a white band runs down the page between them.
    Leaders lead to what ends their line: each number stays with its entry."""
    titles = ["Acknowledgement", "The docstrip modules", "Language definitions", "Right to left support"]
    titles += ["Switching modes and back", "Counters and numerals", "Preserving logos", "Hebrew calendar"]
    pages = [2, 5, 9, 14, 18, 23, 27, 31]
    size = 10.0
    left, right = 110.0, WIDTH - 110

    def contents(canvas: Canvas) -> None:
        canvas.setFont("Helvetica-Bold", 16)
        canvas.drawString(left, HEIGHT - 140, "Contents")
        canvas.setFont(font, size)
        dot_pitch = 4.5
        leaders_end = right - number_gap_em * size
        for row, (title, page) in enumerate(zip(titles, pages, strict=True)):
            y = HEIGHT - 180 - 13 * row
            canvas.drawString(left, y, title)
            x = left + canvas.stringWidth(title, font, size) + 6
            x = math.ceil(x / dot_pitch) * dot_pitch  # leaders sit on a grid, as TeX's do
            while x < leaders_end:
                canvas.drawString(x, y, ".")
                x += dot_pitch
            canvas.drawRightString(right, y, str(page))

    segments = segments_of(run_pipeline(build(tmp_path / "contents.pdf", contents), tmp_path / "work"))
    text = " ".join(" ".join((s.text or s.markdown).split()) for s in segments)
    for index, (title, page) in enumerate(zip(titles, pages, strict=True)):
        start = text.find(title)
        end = text.find(titles[index + 1]) if index + 1 < len(titles) else len(text)
        assert 0 <= start < end, text
        assert str(page) in text[start:end].split(), (title, page, text)


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("note_lines", [1, 2])
def test_margin_notes_are_read_beside_the_text_they_mark(tmp_path: Path, side: str, note_lines: int) -> None:
    """A package manual sets each macro's name in the margin beside its description, a
    report its side headings: a narrow column of short notes, each beside a paragraph. Read
    as a column, every note would come before all the text; each belongs right before the
    paragraph it is set beside."""
    notes = ["alpha@bold", "bravo@roman", "charlie@italic", "delta@mono", "echo@small"]
    body_x, body_width = (210.0, 330.0) if side == "left" else (72.0, 330.0)
    note_edge = body_x - 24 if side == "left" else body_x + body_width + 24

    def manual(canvas: Canvas) -> None:
        y = HEIGHT - 160
        for index, note in enumerate(notes):
            canvas.setFont("Courier", 9)
            for line in range(note_lines):
                text = note if line == 0 else f"see {index}"
                if side == "left":
                    canvas.drawRightString(note_edge, y - 11 * line, text)
                else:
                    canvas.drawString(note_edge, y - 11 * line, text)
            y = paragraph(canvas, body_x, y, words(40 + 5 * index, 9 * index), body_width) - 16

    segments = segments_of(run_pipeline(build(tmp_path / "manual.pdf", manual), tmp_path / "work"))
    text = " ".join(" ".join(s.text.split()) for s in segments if s.text)
    positions = []
    for index, note in enumerate(notes):
        positions += [text.find(note), text.find(words(40 + 5 * index, 9 * index))]
    assert -1 not in positions and positions == sorted(positions), text


@pytest.mark.parametrize(
    ("first", "second", "joined"),
    [
        ("published by Addison-", "Wesley in Boston", "Addison-Wesley"),
        ("the office at Scottsdale AZ 85254-", "1781 in the United States", "85254-1781"),
        ("the whole docu-", "mentation of the class", "documentation"),
        ("SECTION ON THE INTRO-", "DUCTION OF RULES", "INTRODUCTION"),
        ("typeset with La-", "TeX and its friends", "LaTeX"),
        ("a summary in non-", "English languages", "non-English"),
    ],
)
@pytest.mark.parametrize("font", ["Times-Roman", "Helvetica"])
def test_a_hyphen_at_a_line_end_joins_a_word_but_keeps_a_compound(
    tmp_path: Path, first: str, second: str, joined: str, font: str
) -> None:
    """A word hyphenated at a line end is one word again; a hyphen before a capital or
    between digits is the compound's own (hyphenation never breaks a word there) and stays,
    unless the capital is inside a word (La-TeX), where hyphenation does break."""

    def page(canvas: Canvas) -> None:
        y = paragraph(canvas, 72, HEIGHT - 200, words(30), 400, font=font)
        canvas.setFont(font, 10)
        canvas.drawString(72, y, first)
        y = paragraph(canvas, 72, y - 12.5, f"{second} {words(40, 5)}", 400, font=font)

    segments = segments_of(run_pipeline(build(tmp_path / "hyphen.pdf", page), tmp_path / "work"))
    text = " ".join(" ".join(s.text.split()) for s in segments if s.text)
    assert f" {joined} " in f" {text} ", text
