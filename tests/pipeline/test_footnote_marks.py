"""A footnote mark is set right after its word, smaller and on a raised baseline, with
no space between: pdfium hands "an2" as one token. The mark is a word of its own
("an 2"), as the references write it (`an<sup>2</sup>`); digits set in the word's own
size on its baseline ("H2O", "COVID-19", "2019") stay in the word."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate

from protos import tasks_pb2 as pb
from tests.pipeline import pdfs
from tests.documents import typeset
from tests.pipeline.support import run_pipeline, segments_of


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text)


@pytest.mark.parametrize("font", ["Times-Roman", "Helvetica", "Courier"])
@pytest.mark.parametrize("size", [9.0, 11.0, 14.0])
@pytest.mark.parametrize("mark", ["1", "12", "*", "\u2020"])
def test_a_raised_smaller_mark_after_a_word_is_a_word_of_its_own(
    tmp_path: Path, font: str, size: float, mark: str
) -> None:
    """Drawn as typesetters draw it: the word, then the mark at 60-70 % of the size,
    its baseline raised by a third of the word's size, no space between."""
    before, after = "the harbour records were kept by the", "and checked at the end of the year"
    words_before = before.split()

    def draw(canvas: Canvas) -> None:
        canvas.setFont(font, size)
        x = 72.0
        canvas.drawString(x, 700, before)
        x += canvas.stringWidth(before, font, size)
        small = round(size * 0.65, 1)
        canvas.setFont(font, small)
        canvas.drawString(x, 700 + size * 0.35, mark)
        x += canvas.stringWidth(mark, font, small)
        canvas.setFont(font, size)
        canvas.drawString(x, 700, " " + after)

    [segment] = segments_of(run_pipeline(pdfs.build(tmp_path / "mark.pdf", draw), tmp_path / "work"))
    assert segment.text == " ".join([*words_before, mark, *after.split()])


@pytest.mark.parametrize("text", ["H2O", "COVID-19", "the 2019 survey", "clause 4*"])
def test_digits_in_the_words_own_size_and_baseline_stay_in_the_word(tmp_path: Path, text: str) -> None:
    line = f"The report on {text} was read aloud"

    def draw(canvas: Canvas) -> None:
        canvas.setFont("Times-Roman", 11)
        canvas.drawString(72, 700, line)

    [segment] = segments_of(run_pipeline(pdfs.build(tmp_path / "digits.pdf", draw), tmp_path / "work"))
    assert segment.text == line


@pytest.mark.parametrize("font", ["Times-Roman", "Helvetica"])
@pytest.mark.parametrize("size", [9, 11])
def test_platypus_superscripts_in_a_justified_paragraph_are_words_of_their_own(
    tmp_path: Path, font: str, size: int
) -> None:
    """reportlab's <super> tag: a smaller mark with a text rise, inside a justified paragraph."""
    sentences = [
        ("The survey covered every station on the river", "1"),
        ("counts were made in spring and autumn", "2"),
        ("and the records were checked against the harbour books", "3"),
    ]
    markup = " ".join(f"{text}<super>{mark}</super>." for text, mark in sentences)
    path = tmp_path / "platypus.pdf"
    style = ParagraphStyle("body", fontName=font, fontSize=size, leading=size * 1.25, alignment=TA_JUSTIFY)
    SimpleDocTemplate(str(path), pagesize=A4).build([Paragraph(markup, style)])
    [segment] = [
        s for s in segments_of(run_pipeline(path, tmp_path / "work")) if s.segment_type == pb.SEGMENT_TYPE_TEXT
    ]
    # the full stop after a mark may come back as a word of its own: the words are what count
    assert _tokens(segment.text) == _tokens(" ".join(f"{text} {mark}." for text, mark in sentences))
    assert all(f"{text.split()[-1]} {mark}" in segment.text for text, mark in sentences)


LATEX = r"""
\documentclass[%s]{article}
%s
\begin{document}
The harbour records were kept by the port authority\footnote{Since the charter of 1820.} and
checked by the town at the end of each season\footnote{Spring and autumn.}, so the counts of
boats and cargo can be followed over two hundred years without a gap in the series.
\end{document}
"""


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs pdflatex")
@pytest.mark.parametrize("options", ["10pt", "12pt,twocolumn"])
@pytest.mark.parametrize("font", ["", r"\usepackage{times}"])
def test_latex_footnote_marks_are_words_of_their_own(tmp_path: Path, options: str, font: str) -> None:
    typeset(tmp_path, "notes", LATEX % (options, font))
    segments = segments_of(run_pipeline(tmp_path / "notes.pdf", tmp_path / "work"))
    text = " ".join(s.text for s in segments if s.segment_type == pb.SEGMENT_TYPE_TEXT)
    assert "port authority 1 and" in text
    assert _tokens(text).count("season") == 1 and "season 2" in text
