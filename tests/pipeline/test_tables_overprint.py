"""Tables too wide for their column in a two-column pdflatex paper: the tabular is printed
over the next column's lines (by 50 to 250 pt, up to covering that column whole). The
table's cells hold the table's words only; the next column's lines, which continue as
paragraphs above and below the table and do not line up with its columns, stay text, and
the table is read in the column it starts in."""

from __future__ import annotations

import random
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from protos import tasks_pb2 as pb
from tests.documents import typeset
from tests.pipeline.support import run_pipeline, segments_of

pytestmark = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs pdflatex")

PAPER = r"""
\documentclass[%(size)s,twocolumn,letterpaper]{article}
\usepackage[margin=2cm]{geometry}
\usepackage{caption,booktabs}
%(font)s
\begin{document}
\section{Rivers}
%(before)s
\begin{center}\captionof{table}{Boats per station}
\begin{tabular}{l%(spec)s}%(top)s
%(header)s \\ %(mid)s
%(rows)s
%(bottom)s\end{tabular}\end{center}
Afterwards %(after)s
\newpage
\section{Counts}
%(right)s
\end{document}
"""

_WORDS = (
    "river valley harbour boat town bank trade spring flood water level station survey record season market".split()
)


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(
        " ".join(rng.choice(_WORDS) for _ in range(rng.randint(6, 14))).capitalize() + "." for _ in range(sentences)
    )


def _cells(html: str) -> list[list[str]]:
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", html)]


@pytest.mark.parametrize(
    ("columns", "size", "font", "rules"),
    [
        (4, "10pt", "", "booktabs"),
        (5, "10pt", r"\usepackage{times}", "booktabs"),
        (6, "10pt", "", "booktabs"),
        (7, "10pt", r"\usepackage{times}", "hline"),
        (5, "11pt", "", "hline"),
        (6, "11pt", r"\usepackage{times}", "booktabs"),
        (4, "12pt", r"\usepackage{palatino}", "booktabs"),
        (5, "12pt", "", "hline"),
    ],
)
def test_the_next_columns_lines_under_an_overfull_table_are_not_its_cells(
    tmp_path: Path, columns: int, size: str, font: str, rules: str
) -> None:
    rng = random.Random(f"{columns}-{size}-{font}-{rules}")
    header = ["Station Name", *[f"Boats Counted {i}" for i in range(1, columns)]]
    body = [[f"harbour {r}", *[str(1000 + 37 * r + i) for i in range(1, columns)]] for r in range(1, 6)]
    top, mid, bottom = (
        (r"\toprule", r"\midrule", r"\bottomrule") if rules == "booktabs" else (r"\hline", r"\hline", r"\hline")
    )
    prose = [_paragraph(rng, 4), _paragraph(rng, 4), "\n\n".join(_paragraph(rng, 6) for _ in range(3))]
    source = PAPER % {
        "size": size,
        "font": font,
        "before": prose[0],
        "spec": "r" * (columns - 1),
        "top": top,
        "mid": mid,
        "bottom": bottom,
        "header": " & ".join(header),
        "rows": "\n".join(" & ".join(row) + r" \\" for row in body),
        "after": prose[1],
        "right": prose[2],
    }
    segments = segments_of(run_pipeline(typeset(tmp_path, "paper", source), tmp_path / "work"))
    tables = [s for s in segments if s.segment_type == pb.SEGMENT_TYPE_TABLE]
    assert len(tables) == 1
    assert _cells(tables[0].html) == [header, *body]
    # read in its own column: the table, the rest of its column, then the next column
    table = next(i for i, s in enumerate(segments) if s.segment_type == pb.SEGMENT_TYPE_TABLE)
    afterwards = next(i for i, s in enumerate(segments) if s.text.startswith("Afterwards"))
    assert table < afterwards < next(i for i, s in enumerate(segments) if s.text == "2 Counts")
    text = " ".join(s.text for s in segments if s.segment_type != pb.SEGMENT_TYPE_TABLE)
    # every word of the prose, the next column's included, is read as text, once
    assert _vocabulary(text) == _vocabulary(" ".join([*prose, "Boats per station"]))


def _vocabulary(text: str) -> Counter[str]:
    return Counter(w for w in re.findall(r"[a-z]+", text.lower()) if w in _WORDS)


@pytest.mark.parametrize("font", ["Times-Roman", "Helvetica"])
@pytest.mark.parametrize("gap", [1.5, 2.5, 4.0])
def test_a_table_ending_a_word_space_short_of_the_next_columns_lines_keeps_its_cells(
    tmp_path: Path, font: str, gap: float
) -> None:
    """Its rules reach a little into the next column, and its rows share that column's
    baselines: the last cell of each row stands a word space from the next column's line,
    yet it is the table's (it starts left of where that column's lines start)."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen.canvas import Canvas

    rng = random.Random(f"{font}{gap}")
    size, pitch, left, right, middle = 10.0, 12.0, 50.0, 560.0, 300.0
    column = middle + gap  # the next column starts a `gap` after the table's last cell
    canvas = Canvas(str(tmp_path / "near.pdf"), pagesize=letter)
    height = letter[1]

    def justified(x0: float, x1: float, y: float) -> list[str]:
        words: list[str] = []
        while canvas.stringWidth(" ".join([*words, "market"]), font, size) < x1 - x0 - 20:
            words.append(rng.choice(_WORDS))
        natural = sum(canvas.stringWidth(w, font, size) for w in words)
        space, x = (x1 - x0 - natural) / (len(words) - 1), x0
        for word in words:
            canvas.drawString(x, height - y, word)
            x += canvas.stringWidth(word, font, size) + space
        return words

    canvas.setFont(font, size)
    right_words: list[str] = []
    for k in range(40):
        right_words += justified(column, right, 80 + pitch * k)
    left_words: list[str] = []
    for k in range(8):
        left_words += justified(left, middle - 10, 80 + pitch * k)
    header = ["Station", "Boats", "Water Rate"]
    body = [[f"harbour {r}", str(1000 + 37 * r), str(2000 + 41 * r)] for r in range(1, 6)]
    top = 80 + pitch * 8  # the rows sit on the next column's baselines
    for y in (top + 3, top + pitch + 3, top + pitch * (len(body) + 1) + 3):
        canvas.line(left, height - y, column + 4, height - y)  # the rules run 4 pt into the next column
    for i, row in enumerate([header, *body]):
        y = height - (top + pitch * (1 + i))
        canvas.drawString(left + 2, y, row[0])
        canvas.drawRightString(left + 150, y, row[1])
        canvas.drawRightString(middle, y, row[2])
    for k in range(len(body) + 11, 40):
        left_words += justified(left, middle - 10, 80 + pitch * k)
    canvas.save()
    segments = segments_of(run_pipeline(tmp_path / "near.pdf", tmp_path / "work"))
    tables = [s for s in segments if s.segment_type == pb.SEGMENT_TYPE_TABLE]
    assert len(tables) == 1
    assert _cells(tables[0].html) == [header, *body]
    text = " ".join(s.text for s in segments if s.segment_type != pb.SEGMENT_TYPE_TABLE)
    assert _vocabulary(text) == _vocabulary(" ".join(left_words + right_words))


@pytest.mark.parametrize("font", ["Times-Roman", "Helvetica"])
@pytest.mark.parametrize("over", [60.0, 120.0])
def test_the_next_columns_lines_with_wide_sentence_spaces_are_not_the_tables(
    tmp_path: Path, font: str, over: float
) -> None:
    """The next column's justified lines each hold a sentence end, whose space the
    typesetter widens (here to about 1 em): they are still whole lines of that column,
    so their words under the overfull table are not its cells."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen.canvas import Canvas

    rng = random.Random(f"{font}{over}")
    size, pitch, left, right, middle, column = 10.0, 12.0, 50.0, 560.0, 300.0, 310.0
    canvas = Canvas(str(tmp_path / "wide.pdf"), pagesize=letter)
    height = letter[1]
    canvas.setFont(font, size)

    def justified(x0: float, x1: float, y: float, sentence: bool) -> list[str]:
        # a loose line: spaces of 0.4-0.6 em; a sentence's space stretches three times as much
        # as a word space does (TeX's space factor), to about 1-1.2 em
        while True:
            words: list[str] = []
            while canvas.stringWidth(" ".join(words), font, size) < x1 - x0 - 25:
                words.append(rng.choice(_WORDS))
            natural = sum(canvas.stringWidth(w, font, size) for w in words) + canvas.stringWidth(".", font, size)
            space = (x1 - x0 - natural - (0.6 * size if sentence else 0)) / (len(words) - 1)
            if 0.4 * size <= space <= 0.6 * size:
                break
        end = rng.randint(1, len(words) - 3) if sentence else -1
        words[end] += "."
        x = x0
        for i, word in enumerate(words):
            canvas.drawString(x, height - y, word)
            x += canvas.stringWidth(word, font, size) + space + (0.6 * size if i == end and sentence else 0)
        return words

    right_words: list[str] = []
    for k in range(40):
        right_words += justified(column, right, 80 + pitch * k, True)
    left_words: list[str] = []
    for k in range(8):
        left_words += justified(left, middle, 80 + pitch * k, False)
    header = ["Station Name", "Boats Counted", "Water Level", "Flood Record"]
    body = [[f"harbour {r}", str(1000 + 37 * r), str(2000 + 41 * r), str(3000 + 43 * r)] for r in range(1, 6)]
    top, x1 = 80 + pitch * 8 + 5, middle + over  # rows between the next column's baselines
    for y in (top - pitch + 3, top + 3, top + pitch * len(body) + 3):
        canvas.line(left, height - y, x1, height - y)
    edges = [left + 2, left + 0.45 * (x1 - left), left + 0.72 * (x1 - left), x1 - 2]
    for i, row in enumerate([header, *body]):
        y = height - (top + pitch * i)
        canvas.drawString(edges[0], y, row[0])
        for edge, cell in zip(edges[1:], row[1:], strict=True):
            canvas.drawRightString(edge, y, cell)
    for k in range(len(body) + 11, 40):
        left_words += justified(left, middle, 80 + pitch * k, False)
    canvas.save()
    segments = segments_of(run_pipeline(tmp_path / "wide.pdf", tmp_path / "work"))
    tables = [s for s in segments if s.segment_type == pb.SEGMENT_TYPE_TABLE]
    assert len(tables) == 1
    assert _cells(tables[0].html) == [header, *body]
    text = " ".join(s.text for s in segments if s.segment_type != pb.SEGMENT_TYPE_TABLE)
    assert _vocabulary(text) == _vocabulary(" ".join(left_words + right_words))
