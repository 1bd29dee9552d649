"""Columns, sentences and formulas as typesetters set them: a gutter as narrow as
one em still separates columns, a loose justified line is still one line, columns
are read one after the other even where their lines do not line up, and the
scattered pieces of a displayed formula are one Formula."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas

from protos import tasks_pb2 as pb
from tests.pipeline import pdfs
from tests.pipeline.support import run_pipeline, segments_of


def _justified(
    canvas: Canvas, x: float, y: float, words: list[str], width: float, size: float, leading: float
) -> float:
    """Words set justified to `width` (the last line ragged); returns the y below."""
    canvas.setFont("Times-Roman", size)
    space = canvas.stringWidth(" ", "Times-Roman", size)
    line: list[str] = []

    def emit(line: list[str], last: bool) -> None:
        natural = sum(canvas.stringWidth(w, "Times-Roman", size) for w in line)
        gap = space if last or len(line) == 1 else (width - natural) / (len(line) - 1)
        cursor = x
        for word in line:
            canvas.drawString(cursor, y, word)
            cursor += canvas.stringWidth(word, "Times-Roman", size) + gap

    for word in words:
        if line and canvas.stringWidth(" ".join([*line, word]), "Times-Roman", size) > width:
            emit(line, False)
            y -= leading
            line = []
        line.append(word)
    emit(line, True)
    return y - leading


_CHOICE = random.Random(7)  # prose without a period: repeating word cycles would line their spaces up
LEFT = [_CHOICE.choice(pdfs.LOREM) for _ in range(140)]
RIGHT = [_CHOICE.choice(pdfs.LOREM).capitalize() for _ in range(140)]


@pytest.mark.parametrize("size", [9.0, 10.0, 11.0])
@pytest.mark.parametrize("gutter_em", [1.0, 1.5, 2.5])
def test_a_gutter_of_one_em_still_separates_columns(tmp_path: Path, size: float, gutter_em: float) -> None:
    column = (pdfs.WIDTH - 144 - gutter_em * size) / 2

    def draw(canvas: Canvas) -> None:
        _justified(canvas, 72, 700, LEFT, column, size, size * 1.2)
        _justified(canvas, 72 + column + gutter_em * size, 700, RIGHT, column, size, size * 1.2)

    segments = segments_of(run_pipeline(pdfs.build(tmp_path / "cols.pdf", draw), tmp_path / "work"))
    assert [s.text for s in segments] == [" ".join(LEFT), " ".join(RIGHT)]


def test_a_loose_justified_line_with_wide_sentence_spaces_stays_one_line(tmp_path: Path) -> None:
    sentences = [f"Sentence {i} ends here." for i in range(30)]

    def draw(canvas: Canvas) -> None:
        canvas.setFont("Times-Roman", 10)
        y, x = 700.0, 72.0
        for i, sentence in enumerate(sentences):
            for j, word in enumerate(sentence.split()):
                width = canvas.stringWidth(word, "Times-Roman", 10)
                if x + width > 72 + 300:
                    x, y = 72.0, y - 12
                canvas.drawString(x, y, word)
                x += width + (11.5 if j == 3 else 5.5)  # a sentence end 1.15 em wide, words 0.55 em
            del i

    [segment] = segments_of(run_pipeline(pdfs.build(tmp_path / "loose.pdf", draw), tmp_path / "work"))
    assert segment.text == " ".join(sentences)


def test_columns_whose_lines_do_not_line_up_are_read_column_after_column(tmp_path: Path) -> None:
    def draw(canvas: Canvas) -> None:
        canvas.setFont("Helvetica-Bold", 18)
        canvas.drawCentredString(pdfs.WIDTH / 2, 730, "A Study of Columns")
        y = _justified(canvas, 72, 690, LEFT[:60], 220, 10, 12)
        canvas.setFont("Helvetica-Bold", 12)
        canvas.drawString(72, y - 6, "2 Second Part")
        _justified(canvas, 72, y - 26, LEFT[60:], 220, 10, 12)
        canvas.setFont("Helvetica-Bold", 12)
        canvas.drawString(320, 684, "3 Third Part")  # offset: the right column's baselines sit between the left's
        _justified(canvas, 320, 664, RIGHT, 220, 10, 12.5)

    segments = segments_of(run_pipeline(pdfs.build(tmp_path / "runs.pdf", draw), tmp_path / "work"))
    assert [s.text for s in segments] == [
        "A Study of Columns",
        " ".join(LEFT[:60]),
        "2 Second Part",
        " ".join(LEFT[60:]),
        "3 Third Part",
        " ".join(RIGHT),
    ]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Table 1: Results per region and year.", pb.SEGMENT_TYPE_CAPTION),
        ("Figure 12. The apparatus as built.", pb.SEGMENT_TYPE_CAPTION),
        ("Fig. 4 Overview", pb.SEGMENT_TYPE_CAPTION),
        ("Table CA7. Campylobacter in fresh pig meat at retail, 2003-2007", pb.SEGMENT_TYPE_CAPTION),
        ("Figure S3: Supplementary results.", pb.SEGMENT_TYPE_CAPTION),
        (" ".join(["Table 1 summarises the estimates for each road class and year."] * 5), pb.SEGMENT_TYPE_TEXT),
    ],
)
def test_a_caption_has_a_label_and_number_a_paragraph_naming_a_table_is_text(
    tmp_path: Path, text: str, kind: int
) -> None:
    def draw(canvas: Canvas) -> None:
        pdfs.paragraph(canvas, 72, 700, pdfs.words(60), 460)
        pdfs.paragraph(canvas, 72, 600, text, 460)

    segments = segments_of(run_pipeline(pdfs.build(tmp_path / "cap.pdf", draw), tmp_path / "work"))
    assert segments[-1].text == text and segments[-1].segment_type == kind


def test_an_initial_before_a_name_is_not_a_list_marker(tmp_path: Path) -> None:
    def draw(canvas: Canvas) -> None:
        canvas.setFont("Helvetica", 10)
        canvas.drawString(72, 700, "J. Smith")
        pdfs.paragraph(canvas, 72, 670, pdfs.words(60), 460)
        for i, item in enumerate(["a. first step to take", "b. second step to take"]):
            canvas.drawString(72, 600 - 14 * i, item)

    segments = segments_of(run_pipeline(pdfs.build(tmp_path / "init.pdf", draw), tmp_path / "work"))
    kinds = {s.text: s.segment_type for s in segments}
    assert kinds["J. Smith"] != pb.SEGMENT_TYPE_LIST_ITEM
    assert kinds["a. first step to take"] == pb.SEGMENT_TYPE_LIST_ITEM


def test_the_pieces_of_a_displayed_formula_and_its_number_are_one_formula(tmp_path: Path) -> None:
    def draw(canvas: Canvas) -> None:
        pdfs.paragraph(canvas, 72, 700, pdfs.words(50), 460)
        canvas.setFont("Times-Italic", 10)
        canvas.drawString(250, 640, "R =")
        canvas.drawString(272, 647, "1")  # numerator
        canvas.line(270, 644, 278, 644)
        canvas.drawString(272, 635, "L")  # denominator
        canvas.drawString(282, 640, "\u222b |a(t)| v(t) dt")
        canvas.setFont("Times-Roman", 7)
        canvas.drawString(290, 650, "T")
        canvas.drawString(288, 633, "0")
        canvas.setFont("Times-Roman", 10)
        canvas.drawRightString(540, 640, "(1)")
        pdfs.paragraph(canvas, 72, 610, pdfs.words(50, 9), 460)

    segments = segments_of(run_pipeline(pdfs.build(tmp_path / "eq.pdf", draw), tmp_path / "work"))
    formulas = [s for s in segments if s.segment_type == pb.SEGMENT_TYPE_FORMULA]
    assert len(formulas) == 1 and len(segments) == 3
    for piece in ("R =", "1", "L", "|a(t)|", "T", "0", "(1)"):
        assert piece in formulas[0].text
    assert segments[1] is formulas[0] or segments[1].segment_type == pb.SEGMENT_TYPE_FORMULA


_HEBREW = ["שלום", "עולם", "ברוכים", "הבאים", "לדוח", "השנתי", "של", "הוועדה", "אשר", "בחנה", "את", "הנתונים", "בשנה", "ומצאה", "כי", "ההוצאות", "עלו"]


def _hebrew_column(canvas: Canvas, right: float, y: float, words: list[str], width: float, size: float) -> None:
    """Hebrew set flush right in visual order, as most producers store it."""
    canvas.setFont("DejaVu", size)
    line: list[str] = []

    def emit(line: list[str]) -> None:
        canvas.drawRightString(right, y, " ".join(w[::-1] for w in reversed(line)))

    for word in words:
        if line and canvas.stringWidth(" ".join([*line, word]), "DejaVu", size) > width:
            emit(line)
            y -= size * 1.3
            line = []
        line.append(word)
    emit(line)


@pytest.mark.parametrize("offset", [0.3, 0.45, 0.5, 0.55])
@pytest.mark.parametrize("columns", [2, 3])
@pytest.mark.parametrize("gutter_em", [1.5, 3.0])
def test_columns_whose_baselines_sit_half_a_line_apart_keep_their_lines_whole(
    tmp_path: Path, offset: float, columns: int, gutter_em: float
) -> None:
    """Each column's lines start a fraction of a line lower than the column before it
    (a heading's space above, a paragraph's space after), and some words are set in
    other fonts (code, emphasis) whose glyph boxes sit a little higher or lower: a line
    is never cut where a neighbouring column's line happens to sit at almost its height."""
    size = 10.0
    column = (pdfs.WIDTH - 144 - (columns - 1) * gutter_em * size) / columns
    choice = random.Random(f"{offset} {columns} {gutter_em}")
    texts = [[choice.choice(pdfs.LOREM) for _ in range(70)] for _ in range(columns)]

    def draw(canvas: Canvas) -> None:
        for index, words in enumerate(texts):
            x = 72 + index * (column + gutter_em * size)
            _ragged(canvas, x, 700 - index * offset * size, words, column, size, size * 1.25)

    segments = segments_of(run_pipeline(pdfs.build(tmp_path / "cols.pdf", draw), tmp_path / "work"))
    assert [s.text for s in segments] == [" ".join(words) for words in texts]


def _font(index: int) -> str:
    """Now and then a word in another font: a code word, an emphasis, a bold term."""
    return "Courier" if index % 7 == 3 else "Times-Italic" if index % 11 == 5 else "Helvetica-Bold" if index % 13 == 8 else "Times-Roman"


def _ragged(canvas: Canvas, x: float, y: float, words: list[str], width: float, size: float, leading: float) -> None:
    """Words set flush left, ragged right, a few of them in other fonts."""
    cursor = x
    for index, word in enumerate(words):
        font = _font(index)
        advance = canvas.stringWidth(word, font, size)
        if cursor > x and cursor + advance > x + width:
            cursor, y = x, y - leading
        canvas.setFont(font, size)
        canvas.drawString(cursor, y, word)
        cursor += advance + canvas.stringWidth(" ", "Times-Roman", size)


@pytest.mark.parametrize("offset", [0.3, 0.4])
def test_hebrew_columns_whose_baselines_do_not_line_up_read_right_column_first(tmp_path: Path, offset: float) -> None:
    fonts = Path("/usr/share/fonts/truetype/dejavu")
    if not (fonts / "DejaVuSans.ttf").exists():
        pytest.skip("needs DejaVu Sans for Hebrew glyphs (apt-get install fonts-dejavu-core)")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    registered = pdfmetrics.getRegisteredFontNames()  # the names test_rtl.py registers
    for name, file in (("DejaVu", "DejaVuSans.ttf"), ("DejaVu-Bold", "DejaVuSans-Bold.ttf")):
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(fonts / file)))
    size, width = 10.0, 200.0
    choice = random.Random(offset)
    right_words = [choice.choice(_HEBREW) for _ in range(60)]
    left_words = [choice.choice(_HEBREW) for _ in range(60)]

    def draw(canvas: Canvas) -> None:
        _hebrew_column(canvas, pdfs.WIDTH - 72, 700, right_words, width, size)
        _hebrew_column(canvas, pdfs.WIDTH - 72 - width - 36, 700 - offset * size, left_words, width, size)

    segments = segments_of(run_pipeline(pdfs.build(tmp_path / "rtl.pdf", draw), tmp_path / "work"))
    assert [s.text for s in segments] == [" ".join(right_words), " ".join(left_words)]


@pytest.mark.parametrize("stretch_em", [1.5, 2.5, 4.0])
@pytest.mark.parametrize("columns", [1, 2, 3])
@pytest.mark.parametrize("short_lines", [1, 2])
def test_a_short_justified_line_stretched_across_a_narrow_column_stays_one_line(
    tmp_path: Path, stretch_em: float, columns: int, short_lines: int
) -> None:
    """A justified column sets a line of two long words to the full measure: its one
    space is wider than a column gap, but the lines above and below run through that
    white with words, so it is a stretched space, not a gutter (one such line, or two
    in a row; one to three columns side by side)."""
    size, leading, gutter = 10.0, 12.5, 24.0
    choice = random.Random(f"{stretch_em} {columns} {short_lines}")
    long_words = ["internationalisation", "responsibilities", "characterisation", "telecommunications"]
    texts: list[list[str]] = []

    def draw(canvas: Canvas) -> None:
        canvas.setFont("Times-Roman", size)
        x = 72.0
        for _ in range(columns):
            first, second = choice.choice(long_words), choice.choice(long_words)
            width = canvas.stringWidth(f"{first}{second}", "Times-Roman", size) + stretch_em * size
            width = max(width, canvas.stringWidth(f"{second}{first}", "Times-Roman", size) + stretch_em * size)
            lines: list[list[str]] = []
            words = [choice.choice(pdfs.LOREM) for _ in range(40)]
            while words:  # lines of ordinary words set to the measure
                line = [words.pop()]
                while words and canvas.stringWidth(" ".join([*line, words[-1]]), "Times-Roman", size) <= width:
                    line.append(words.pop())
                lines.append(line)
            for k in range(short_lines):
                lines.insert(2 + k, [first, second] if k == 0 else [second, first])
            y = 700.0
            for n, line in enumerate(lines):
                natural = sum(canvas.stringWidth(w, "Times-Roman", size) for w in line)
                last = n == len(lines) - 1
                gap = canvas.stringWidth(" ", "Times-Roman", size) if last or len(line) == 1 else (width - natural) / (len(line) - 1)
                cursor = x
                for word in line:
                    canvas.drawString(cursor, y, word)
                    cursor += canvas.stringWidth(word, "Times-Roman", size) + gap
                y -= leading
            texts.append([w for line in lines for w in line])
            x += width + gutter

    segments = segments_of(run_pipeline(pdfs.build(tmp_path / "narrow.pdf", draw), tmp_path / "work"))
    assert [s.text for s in segments] == [" ".join(words) for words in texts]


@pytest.mark.parametrize("author", ["Ada Lovelace", "Emmy Noether and Lise Meitner"])
@pytest.mark.parametrize("left_heading", ["1 Intro", "1 Overview of Results"])
def test_an_author_line_across_the_gutter_stays_above_both_columns(
    tmp_path: Path, author: str, left_heading: str
) -> None:
    """A two-column paper: a centred title and author line over columns whose first
    headings share a baseline. The author line crosses the gutter, so it is no part of
    the columns below, even where it clears a short heading of the first column."""
    column, gutter = 230.0, 14.0
    choice = random.Random(f"{author} {left_heading}")
    left = [choice.choice(pdfs.LOREM) for _ in range(120)]
    right = [choice.choice(pdfs.LOREM) for _ in range(120)]

    def draw(canvas: Canvas) -> None:
        middle = 72 + column + gutter / 2
        canvas.setFont("Helvetica-Bold", 17)
        canvas.drawCentredString(middle, 720, "A Study of Things")
        canvas.setFont("Helvetica", 12)
        canvas.drawCentredString(middle, 694, author)
        canvas.setFont("Helvetica-Bold", 12)
        canvas.drawString(72, 660, left_heading)
        canvas.drawString(72 + column + gutter, 660, "2 Conclusion")
        _justified(canvas, 72, 640, left, column, 10, 12)
        _justified(canvas, 72 + column + gutter, 640, right, column, 10, 12)

    segments = segments_of(run_pipeline(pdfs.build(tmp_path / "paper.pdf", draw), tmp_path / "work"))
    assert [s.text for s in segments] == [
        "A Study of Things", author, left_heading, " ".join(left), "2 Conclusion", " ".join(right)
    ]


@pytest.mark.parametrize("label", ["Coastal stations", "Part Two", "Group B: inland stations"])
@pytest.mark.parametrize(("font", "size"), [("Times-Italic", 10.0), ("Helvetica-Bold", 12.0), ("Times-Roman", 14.0)])
@pytest.mark.parametrize("gutter", [10.0, 18.0])
def test_a_label_centred_over_the_gutter_is_read_whole_between_the_column_runs(
    tmp_path: Path, label: str, font: str, size: float, gutter: float
) -> None:
    """Two columns, a label centred over both (set so that a word space of it falls in
    the gutter), two columns again: the label is one line, read after the columns above
    it and before the columns below it, never cut at the gutter into two pieces."""
    column = (pdfs.WIDTH - 144 - gutter) / 2
    choice = random.Random(f"{label} {font} {size} {gutter}")
    texts = [[choice.choice(pdfs.LOREM) for _ in range(60)] for _ in range(4)]
    words = label.split()
    split = len(words) // 2 if len(words) > 2 else 1

    def draw(canvas: Canvas) -> None:
        y = _justified(canvas, 72, 700, texts[0], column, 10, 12)
        _justified(canvas, 72 + column + gutter, 700, texts[1], column, 10, 12)
        middle = 72 + column + gutter / 2
        canvas.setFont(font, size)
        space = canvas.stringWidth(" ", font, size)
        left, right = " ".join(words[:split]), " ".join(words[split:])
        canvas.drawString(middle - space / 2 - canvas.stringWidth(left, font, size), y - 10, left)
        canvas.drawString(middle + space / 2, y - 10, right)
        _justified(canvas, 72, y - 34, texts[2], column, 10, 12)
        _justified(canvas, 72 + column + gutter, y - 34, texts[3], column, 10, 12)

    segments = segments_of(run_pipeline(pdfs.build(tmp_path / "label.pdf", draw), tmp_path / "work"))
    assert [s.text for s in segments] == [
        " ".join(texts[0]),
        " ".join(texts[1]),
        label,
        " ".join(texts[2]),
        " ".join(texts[3]),
    ]


def _flush_left(canvas: Canvas, x: float, y: float, words: list[str], width: float, font: str, size: float) -> float:
    """Words set flush left and ragged right within `width`; returns the y below."""
    canvas.setFont(font, size)
    line: list[str] = []
    for word in words:
        if line and canvas.stringWidth(" ".join([*line, word]), font, size) > width:
            canvas.drawString(x, y, " ".join(line))
            y -= 1.2 * size
            line = []
        line.append(word)
    canvas.drawString(x, y, " ".join(line))
    return y - 1.2 * size


@pytest.mark.parametrize(("font", "size"), [("Times-Roman", 9.0), ("Helvetica", 10.0), ("Times-Roman", 11.0)])
@pytest.mark.parametrize("gutter", [14.0, 28.0])
def test_a_ragged_right_column_is_read_whole_before_the_short_run_on_beside_it(
    tmp_path: Path, font: str, size: float, gutter: float
) -> None:
    """A newsletter page under a title across both columns: the left column set ragged right, its first paragraph's lines
    short of the measure, and the right column holding only the few lines the text ran
    on with. White bands cross the page under the run-on; the later paragraphs of the
    left column end inside the gutter's white as measured above them, short of the right
    column's edge, so they still belong to the left column and are read before the run-on."""
    column = (pdfs.WIDTH - 144 - gutter) / 2
    choice = random.Random(f"{font} {size} {gutter}")
    paragraphs = [[choice.choice(pdfs.LOREM) for _ in range(n)] for n in (40, 45, 40, 50)]
    run_on = [choice.choice(pdfs.LOREM) for _ in range(12)]

    def draw(canvas: Canvas) -> None:
        canvas.setFont("Helvetica-Bold", 20)
        canvas.drawCentredString(pdfs.WIDTH / 2, 720, "Notes From The Valley And The Hills Beyond")
        y = _flush_left(canvas, 72, 680, paragraphs[0], 0.8 * column, font, size)
        for words in paragraphs[1:]:
            y = _flush_left(canvas, 72, y - 0.6 * size, words, column, font, size)
        _flush_left(canvas, 72 + column + gutter, 680, run_on, column, font, size)

    segments = segments_of(run_pipeline(pdfs.build(tmp_path / "ragged.pdf", draw), tmp_path / "work"))
    read = " ".join(s.text for s in segments).split()
    assert read == [*"Notes From The Valley And The Hills Beyond".split(), *(w for p in paragraphs for w in p), *run_on]
