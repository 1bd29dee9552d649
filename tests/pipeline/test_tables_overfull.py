"""Tables that cross the column gutter of a two-column page.

A table wider than its text column ("overfull": typesetters let it run on into the
gutter and the next column) has rows whose aligned cells stand on both sides of the
page's column gutter. It is one table, not cut at the gutter into two. Documents
typeset by pdflatex in variations of fonts, sizes and table shapes."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import pypdfium2 as pdfium

from server.pipeline.pdf.extract import extract_page
from server.pipeline.pdf.layout import analyse_page
from server.pipeline.pdf.lines import build_lines
from server.pipeline.pdf.stats import StatsBuilder
from server.pipeline.tables import Table
from tests.documents import typeset
from tests.pipeline.test_tables_structure import texts

VOCABULARY = (
    "river housing council market station village teacher museum signal budget export policy "
    "sample profile annual density traffic harbour quality income report labour variance "
    "channel method effect sector region transport network system output period growth"
).split()
FONTS = ["", r"\usepackage{mathptmx}", r"\usepackage[scaled]{helvet}\renewcommand{\familydefault}{\sfdefault}"]


def _prose(rng: random.Random, sentences: int) -> str:
    return " ".join(
        " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(8, 16))).capitalize() + "." for _ in range(sentences)
    )


def _rows(rng: random.Random, columns: int) -> list[list[str]]:
    header = ["Region", "Sector", *[str(2015 + i) for i in range(columns - 2)]]
    body = [
        [
            f"{rng.choice(VOCABULARY).capitalize()} {rng.choice(VOCABULARY)}",
            rng.choice(VOCABULARY).capitalize(),
            *[f"{rng.randint(100, 9999):,}" for _ in range(columns - 2)],
        ]
        for _ in range(rng.randint(5, 7))
    ]
    return [header, *body]


def _overfull(folder: Path, seed: int, size: int, font: int, columns: int) -> list[list[str]]:
    """A two-column article with an unruled table set wider than its column, across the
    page (spread to the full width or centred at its natural width); its rows."""
    rng = random.Random(seed)
    rows = _rows(rng, columns)
    spec = "ll" + "r" * (columns - 2)
    body = "\n".join(" & ".join(row) + r" \\" for row in rows)
    if seed % 2:
        tabular = f"\\begin{{tabular*}}{{\\textwidth}}{{@{{\\extracolsep{{\\fill}}}}{spec}}}\n{body}\n\\end{{tabular*}}"
    else:
        tabular = f"\\centering\\begin{{tabular}}{{{spec}}}\n{body}\n\\end{{tabular}}"
    source = (
        rf"\documentclass[twocolumn,{size}pt]{{article}}"
        "\n\\usepackage[margin=2cm]{geometry}\n"
        f"{FONTS[font]}\n\\pagestyle{{empty}}\n\\begin{{document}}\n"
        + "\n\n".join(_prose(rng, 5) for _ in range(rng.randint(1, 3)))
        + f"\n\n\\begin{{table*}}[{'tb'[seed % 3 == 0]}]\n{tabular}\n\\end{{table*}}\n\n"
        + "\n\n".join(_prose(rng, 6) for _ in range(8))
        + "\n\\end{document}\n"
    )
    typeset(folder, "overfull", source)
    return rows


def _tables(path: Path) -> list[Table]:
    """The tables of every page (a float across the page goes to the top or bottom of one)."""
    document = pdfium.PdfDocument(str(path))
    try:
        contents = [extract_page(document, page) for page in range(len(document))]
    finally:
        document.close()
    found: list[Table] = []
    for content in contents:
        lines = build_lines(content.words)
        builder = StatsBuilder()
        builder.add(content, lines)
        found += [r.table for r in analyse_page(content, lines, builder.build()) if r.table is not None]
    return found


@pytest.mark.parametrize(
    ("seed", "size", "font", "columns"),
    [(0, 10, 0, 7), (1, 11, 1, 7), (2, 9, 2, 8), (3, 10, 1, 8), (4, 11, 2, 7), (5, 10, 2, 9)],
)
def test_a_table_wider_than_its_column_is_one_table_across_the_gutter(
    tmp_path: Path, seed: int, size: int, font: int, columns: int
) -> None:
    rows = _overfull(tmp_path, seed, size, font, columns)
    tables = _tables(tmp_path / "overfull.pdf")
    assert [texts(t) for t in tables] == [rows]
