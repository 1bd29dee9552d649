"""A paper made the way papers are made: pdflatex, two columns, Type 3 fonts without
a Unicode map (ligatures arrive as control codes), a footnote, a booktabs table, a
displayed equation and a table set sideways on its own page."""

from __future__ import annotations

import random
import shutil

import pytest

from protos import tasks_pb2 as pb
from tests.documents import typeset
from tests.pipeline.support import run_pipeline, segments_of

pytestmark = pytest.mark.skipif(
    shutil.which("pdflatex") is None,
    reason="needs pdflatex (apt-get install texlive-latex-base texlive-latex-recommended)",
)

PAPER = r"""
\documentclass[10pt,twocolumn]{article}
\usepackage[T1]{fontenc}
\usepackage{booktabs,rotating,amsmath}
\title{Measuring Road Surface Wear with Low-Cost Sensors}
\author{Ann Researcher \and Ben Engineer}
\date{}
\begin{document}
\maketitle
\section{Introduction}
Road maintenance budgets depend on accurate knowledge of surface condition. Traditional surveys use
specialised vehicles equipped with laser profilometers, which are expensive to operate and therefore
visit each road only every few years\footnote{In the region we studied, the average interval was 3.4 years.}.
Between surveys, deterioration goes unnoticed until residents complain about the state of the roads.
In this paper we show that inexpensive accelerometers mounted in delivery vans provide a continuous
estimate of the roughness index. Our contributions are a calibration procedure that removes the influence
of vehicle suspension, a filtering scheme robust to speed changes, and a field evaluation.
\section{Related Work}
Several authors have proposed smartphone-based roughness estimation. Early systems classified potholes
with fixed thresholds, whereas later work applied supervised learning to spectral features. None of these
studies examined fleets of commercial vehicles over long periods, which is the setting we address here.
\subsection{Profilometry}
Laser profilometers measure the longitudinal profile directly and compute the roughness index from a
quarter-car model. They remain the reference standard, and we use them as ground truth throughout.
\section{Method}
Let $a(t)$ denote the vertical acceleration and $v(t)$ the vehicle speed. We estimate the roughness as
\begin{equation}
R = \frac{1}{L}\int_0^T |a(t)|\, v(t)\, dt
\end{equation}
where $L$ is the length of the segment. Calibration fits a linear model per vehicle against reference runs.
\begin{table}[b]
\centering
\caption{Roughness estimates per road class.}
\begin{tabular}{lrrr}
\toprule
Road class & Segments & Mean error & Correlation \\
\midrule
Motorway & 412 & 0.21 & 0.94 \\
Arterial & 1038 & 0.34 & 0.91 \\
Residential & 2210 & 0.52 & 0.86 \\
\bottomrule
\end{tabular}
\end{table}
\section{Results}
The estimates for each road class are summarised below. Errors grow on residential streets, where low speeds
and frequent stops reduce the signal. The correlation with the reference nevertheless stays above 0.85 for every
class, which is sufficient for planning maintenance. Vehicles of different makes required separate calibration,
but once calibrated their estimates agreed within five percent. Seasonal effects were small.
\section{Conclusion}
Commercial fleets can monitor road surfaces continuously and cheaply. Future work will extend the calibration
to buses and examine the detection of individual defects such as potholes and cracks.
\begin{sidewaystable*}
\centering
\caption{Monthly segment counts by district.}
\begin{tabular}{lrrrrrr}
\toprule
District & January & February & March & April & May & June \\
\midrule
North & 120 & 131 & 128 & 140 & 152 & 149 \\
South & 98 & 102 & 110 & 115 & 109 & 121 \\
\bottomrule
\end{tabular}
\end{sidewaystable*}
\end{document}
"""


@pytest.fixture(scope="module")
def paper(tmp_path_factory: pytest.TempPathFactory) -> list[pb.Segment]:
    folder = tmp_path_factory.mktemp("latex")
    typeset(folder, "paper", PAPER, runs=2)  # the second run settles references
    config = pb.Configuration(chunk_processing=pb.ChunkProcessing(ignore_headers_and_footers=False))
    return segments_of(run_pipeline(folder / "paper.pdf", folder / "work", config))


def test_ligatures_of_fonts_without_a_unicode_map_are_read_as_letters(paper: list[pb.Segment]) -> None:
    text = " ".join(s.text for s in paper)
    for word in ("profilometers", "specialised", "classified", "fits", "sufficient", "effects", "fleets"):
        assert word in text
    assert not any((ord(c) < 0x20 and c != "\n") or 0xE000 <= ord(c) < 0xF900 for c in text)


def test_the_columns_are_read_one_after_the_other(paper: list[pb.Segment]) -> None:
    headings = [s.text for s in paper if s.segment_type == pb.SEGMENT_TYPE_SECTION_HEADER]
    numbered = [h for h in headings if h[:1].isdigit()]
    assert numbered == ["1 Introduction", "2 Related Work", "2.1 Profilometry", "3 Method", "4 Results", "5 Conclusion"]
    body = [s.text for s in paper if s.segment_type == pb.SEGMENT_TYPE_TEXT]
    first = next(t for t in body if t.startswith("Road maintenance"))
    assert "until residents complain about the state of the roads" in first
    assert "Several authors" not in first and "Laser" not in first  # no line of the other column


def test_the_footnote_the_equation_and_the_tables(paper: list[pb.Segment]) -> None:
    footnotes = [s.text for s in paper if s.segment_type == pb.SEGMENT_TYPE_FOOTNOTE]
    assert any("average interval was 3.4 years" in f for f in footnotes)
    formulas = [s.text for s in paper if s.segment_type == pb.SEGMENT_TYPE_FORMULA]
    assert len(formulas) == 1 and "R =" in formulas[0] and "(1)" in formulas[0]
    tables = [s for s in paper if s.segment_type == pb.SEGMENT_TYPE_TABLE]
    assert len(tables) == 2
    assert "<td>Residential</td><td>2210</td><td>0.52</td><td>0.86</td>" in tables[0].html
    sideways = tables[1]
    assert sideways.page_width > sideways.page_height  # read in its own, landscape, frame
    assert "<td>North</td><td>120</td><td>131</td>" in sideways.html


def test_captions_are_captions(paper: list[pb.Segment]) -> None:
    captions = [s.text for s in paper if s.segment_type == pb.SEGMENT_TYPE_CAPTION]
    assert captions == ["Table 1: Roughness estimates per road class.", "Table 2: Monthly segment counts by district."]


BYLINE_PAPER = r"""
\documentclass[%s]{article}
%s
\title{A Survey of Harbour Traffic}
\author{%s}
\date{%s}
\begin{document}
\maketitle
\section{Introduction}
Harbour traffic grew in every region we studied, and the growth was fastest where the rail links were new.
\section{Methods}
We counted vessels at each berth for a year and compared the counts with the port authority's records.
\end{document}
"""


@pytest.mark.parametrize(
    ("author", "names"),
    [
        ("Ada Lovelace", ["Ada Lovelace"]),
        (r"Ann Researcher \and Ben Engineer", ["Ann Researcher", "Ben Engineer"]),
        (r"Grace Hopper\\ Harbour Institute", ["Grace Hopper", "Harbour Institute"]),
    ],
)
@pytest.mark.parametrize("options", ["11pt", "10pt,twocolumn"])
@pytest.mark.parametrize("font", ["", r"\usepackage{times}"])
def test_the_byline_under_the_title_is_text_not_a_heading(
    tmp_path, author: str, names: list[str], options: str, font: str  # type: ignore[no-untyped-def]
) -> None:
    date = "" if "twocolumn" in options else "March 2024"
    typeset(tmp_path, "byline", BYLINE_PAPER % (options, font, author, date))
    segments = segments_of(run_pipeline(tmp_path / "byline.pdf", tmp_path / "work"))
    headings = [s.text for s in segments if s.segment_type == pb.SEGMENT_TYPE_SECTION_HEADER]
    assert headings == ["1 Introduction", "2 Methods"]
    text = " ".join(s.text for s in segments if s.segment_type == pb.SEGMENT_TYPE_TEXT)
    assert all(name in text for name in names)



WIDE_TABLE_PAPER = r"""
\documentclass[%s,twocolumn,%s]{article}
\usepackage[margin=2.5cm]{geometry}
\usepackage{caption}
\begin{document}
\section{Rivers}
%s
\newpage
\section{Counts}
%s
\begin{center}\captionof{table}{Boats per station}
\begin{tabular}{|l|%s}\hline
%s \\ \hline
%s
\hline\end{tabular}\end{center}
The counts were checked against the harbour records at the end of the year.
\end{document}
"""

_WORDS = "river valley harbour boat town bank trade spring flood water level station survey record season market".split()


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(
        " ".join(rng.choice(_WORDS) for _ in range(rng.randint(6, 14))).capitalize() + "." for _ in range(sentences)
    )


@pytest.mark.parametrize("paper", ["letterpaper", "a4paper"])
@pytest.mark.parametrize("size", ["10pt", "12pt"])
@pytest.mark.parametrize("columns", [4, 5])
def test_a_ruled_table_too_wide_for_its_column_stays_the_table_its_rules_draw(
    tmp_path, paper: str, size: str, columns: int  # type: ignore[no-untyped-def]
) -> None:
    """An overfull table in the right column runs off the page's edge: it is still the ruled
    table, and the justified lines of the left column beside it stay prose."""
    rng = random.Random(f"{paper}-{size}-{columns}")
    header = " & ".join(["Station Name", *[f"Boats Counted {i}" for i in range(1, columns)]])
    rows = "\n".join(
        " & ".join([f"harbour {r}", *[str(1000 + 37 * r + i) for i in range(1, columns)]]) + r" \\"
        for r in range(1, 7)
    )
    left = "\n\n".join(_paragraph(rng, 5) for _ in range(5))
    right = "\n\n".join(_paragraph(rng, 4) for _ in range(2))
    source = WIDE_TABLE_PAPER % (size, paper, left, right, "r|" * (columns - 1), header, rows)
    typeset(tmp_path, "wide", source)
    segments = segments_of(run_pipeline(tmp_path / "wide.pdf", tmp_path / "work"))
    tables = [s for s in segments if s.segment_type == pb.SEGMENT_TYPE_TABLE]
    assert len(tables) == 1
    assert tables[0].bbox.left > tables[0].page_width / 2  # in the right column, the left one not taken in
    assert "<td>harbour 3</td><td>1112</td>" in tables[0].html
    prose = (pb.SEGMENT_TYPE_TEXT, pb.SEGMENT_TYPE_SECTION_HEADER)
    text = " ".join(s.text for s in segments if s.segment_type in prose)
    assert all(word in text for word in left.replace(".", "").split())  # every word of the left column read as prose


OVERPRINT_PAPER = r"""
\documentclass[%s,twocolumn,%s]{article}
\usepackage[margin=2cm]{geometry}
\usepackage{caption,booktabs}
%s
\begin{document}
\section{Rivers}
%s
\begin{center}\captionof{table}{Boats per station}
\begin{tabular}{l%s}\toprule
%s \\ \midrule
%s
\bottomrule\end{tabular}\end{center}
%s
\newpage
\section{Counts}
%s
\end{document}
"""


@pytest.mark.parametrize("paper", ["letterpaper", "a4paper"])
@pytest.mark.parametrize("size", ["10pt", "11pt"])
@pytest.mark.parametrize("font", ["", r"\usepackage{times}"])
def test_a_table_printed_over_the_next_column_is_read_in_its_own(
    tmp_path, paper: str, size: str, font: str  # type: ignore[no-untyped-def]
) -> None:
    """A table too wide for the left column is printed over the right column's lines. It
    belongs to the column it starts in: the left column is read through, table included,
    before the right one."""
    rng, columns = random.Random(f"{paper}-{size}-{font}"), 4  # 80-120 pt too wide: over the next column's lines
    header = " & ".join(["Station Name", *[f"Boats Counted {i}" for i in range(1, columns)]])
    rows = "\n".join(
        " & ".join([f"harbour {r}", *[str(1000 + 37 * r + i) for i in range(1, columns)]]) + r" \\" for r in range(1, 5)
    )
    before, after = _paragraph(rng, 4), "Afterwards " + _paragraph(rng, 4)
    right = "\n\n".join(_paragraph(rng, 6) for _ in range(3))
    source = OVERPRINT_PAPER % (size, paper, font, before, "r" * (columns - 1), header, rows, after, right)
    typeset(tmp_path, "over", source)
    segments = segments_of(run_pipeline(tmp_path / "over.pdf", tmp_path / "work"))
    kinds = [s.segment_type for s in segments]
    table = kinds.index(pb.SEGMENT_TYPE_TABLE)
    afterwards = next(i for i, s in enumerate(segments) if s.text.startswith("Afterwards"))
    counts = next(i for i, s in enumerate(segments) if s.text == "2 Counts")
    assert table < afterwards < counts
