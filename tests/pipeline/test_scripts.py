"""Superscripts and subscripts come out as <sup>/<sub> in HTML and Markdown, and as plain
text that cannot be misread: an exponent never fuses into its number ("10-3" is not
10⁻³), a chemical index stays in its formula (H₂O), an ordinal's letters stay with
their number (1st), a footnote mark is a word of its own. A script is told from its
glyphs: smaller than its line, its baseline raised or lowered by a share of the em."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate

from protos import tasks_pb2 as pb
from tests.documents import typeset
from tests.pipeline import pdfs
from tests.pipeline.support import run_pipeline, segments_of

# (the parts of a sentence, each with its script: 1 raised, -1 lowered), plain text, Markdown
CASES = [
    (
        [("the loss is 10", 0), ("-3", 1), (" of the volume", 0)],
        "the loss is 10⁻³ of the volume",
        "the loss is 10<sup>-3</sup> of the volume",
    ),
    (
        [("water is H", 0), ("2", -1), ("O in the tank", 0)],
        "water is H₂O in the tank",
        "water is H<sub>2</sub>O in the tank",
    ),
    (
        [("she came 1", 0), ("st", 1), (" in the race", 0)],
        "she came 1st in the race",
        "she came 1<sup>st</sup> in the race",
    ),
    (
        [("kept by the port", 0), ("3", 1), (" and checked", 0)],
        "kept by the port 3 and checked",
        "kept by the port<sup>3</sup> and checked",
    ),
    ([("a plot of 40 m", 0), ("2", 1), (" in all", 0)], "a plot of 40 m 2 in all", "a plot of 40 m<sup>2</sup> in all"),
]


@pytest.mark.parametrize(("parts", "text", "markdown"), CASES)
@pytest.mark.parametrize(("font", "size"), [("Times-Roman", 11.0), ("Helvetica", 9.0), ("Courier", 14.0)])
@pytest.mark.parametrize(("scale", "rise", "drop"), [(0.65, 0.35, 0.15), (0.7, 0.3, 0.2), (0.58, 0.45, 0.12)])
def test_a_script_drawn_smaller_on_a_moved_baseline_is_tagged_and_reads_plainly(
    tmp_path: Path,
    parts: list[tuple[str, int]],
    text: str,
    markdown: str,
    font: str,
    size: float,
    scale: float,
    rise: float,
    drop: float,
) -> None:
    def draw(canvas: Canvas) -> None:
        x = 72.0
        for piece, script in parts:
            piece_size = size * scale if script else size
            canvas.setFont(font, piece_size)
            shift = rise * size if script > 0 else -drop * size if script < 0 else 0.0
            canvas.drawString(x, 700 + shift, piece)
            x += canvas.stringWidth(piece, font, piece_size)

    [segment] = segments_of(run_pipeline(pdfs.build(tmp_path / "s.pdf", draw), tmp_path / "work"))
    assert segment.text == text
    assert segment.markdown == markdown
    assert segment.html == f"<p>{markdown}</p>"


@pytest.mark.parametrize("text", ["H2O", "COVID-19", "the 10-3 draw", "the 2019 survey"])
def test_digits_in_the_lines_own_size_and_baseline_are_no_script(tmp_path: Path, text: str) -> None:
    def draw(canvas: Canvas) -> None:
        canvas.setFont("Times-Roman", 11)
        canvas.drawString(72, 700, f"The report on {text} was read aloud")

    [segment] = segments_of(run_pipeline(pdfs.build(tmp_path / "d.pdf", draw), tmp_path / "work"))
    assert "<su" not in segment.markdown and "<su" not in segment.html


@pytest.mark.parametrize("size", [9, 11])
def test_platypus_super_and_sub_tags_in_a_justified_paragraph(tmp_path: Path, size: int) -> None:
    """reportlab drops a subscript half an em: pdfium breaks the line there, the reader does not."""
    markup = (
        "The survey covered every station on the river<super>1</super>. The rate is 10<super>-3</super> per hour, "
        "the water is H<sub>2</sub>O, she came 1<super>st</super> and the counts were made in spring and autumn"
        "<super>2</super> and the records were checked against the harbour books of the port."
    )
    path = tmp_path / "platypus.pdf"
    style = ParagraphStyle("body", fontName="Times-Roman", fontSize=size, leading=size * 1.25)
    SimpleDocTemplate(str(path), pagesize=A4).build([Paragraph(markup, style)])
    [segment] = segments_of(run_pipeline(path, tmp_path / "work"))
    for expected in (
        "river<sup>1</sup>.",
        "10<sup>-3</sup> per",
        "H<sub>2</sub>O,",
        "1<sup>st</sup> and",
        "autumn<sup>2</sup>",
    ):
        assert expected in segment.markdown
    assert "river 1. The rate is 10⁻³ per hour, the water is H₂O, she came 1st and" in segment.text


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs pdflatex")
@pytest.mark.parametrize("font", ["", r"\usepackage{times}"])
def test_latex_exponents_indices_ordinals_and_footnote_marks(tmp_path: Path, font: str) -> None:
    typeset(
        tmp_path,
        "s",
        r"\documentclass{article}" + font + r"\begin{document}"
        r"The tank loses $10^{-3}$ of its water a day. Water is H$_2$O and the air holds CO$_2$."
        r" She came 1\textsuperscript{st} in the race. The records were kept by the port\footnote{Since 1820.}"
        r" and checked.\end{document}",
    )
    config = pb.Configuration(chunk_processing=pb.ChunkProcessing(ignore_headers_and_footers=False))
    segments = segments_of(run_pipeline(tmp_path / "s.pdf", tmp_path / "work", config))
    body = next(s for s in segments if "tank" in s.text)
    assert "loses 10⁻³ of" in body.text and "H₂O and" in body.text and "CO₂." in body.text
    assert "1st in" in body.text and "port 1 and" in body.text
    for expected in ("10<sup>−3</sup>", "H<sub>2</sub>O", "CO<sub>2</sub>", "1<sup>st</sup>", "port<sup>1</sup>"):
        assert expected in body.markdown
    note = next(s for s in segments if "Since" in s.text)
    assert note.text.startswith("1 Since") and note.markdown.startswith("<sup>1</sup>Since")
