#!/usr/bin/env python3
"""Unseen table documents with ground truth, in the ICDAR 2013 format.

Writes `gen-NNN.pdf` with `gen-NNN-reg.xml` (table regions) and `gen-NNN-str.xml`
(cells with start/end row and column, text) into a folder, so `bench/tables.py
--corpus FOLDER` scores chunkd and the peer on documents neither was tuned on.

The documents are typeset by reportlab's platypus (its own table layout, not
the canvas code the tests draw with), drawn at random from a seed: rule styles
(full grid, box with row rules, booktabs, header rule only, zebra shading, no
rules at all), fonts and sizes, 3-7 columns, 4-20 rows, numbers aligned right,
on the decimal point or centred, text tables with a wrapped description column,
one- and two-level headers (group headers spanning columns), row groups whose
label spans rows, one or two text columns per page, prose before and after; and
pages with no table at all (two-column prose, reference lists, numbered lists).

Usage: python bench/table_docs.py OUT_DIR [--count N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import BaseDocTemplate, Frame, KeepTogether, PageTemplate, Paragraph, Spacer, Table, TableStyle

WORDS = [
    "market",
    "share",
    "growth",
    "region",
    "sector",
    "output",
    "policy",
    "budget",
    "survey",
    "index",
    "rate",
    "trade",
    "energy",
    "water",
    "health",
    "transport",
    "labour",
    "income",
    "capital",
    "export",
    "import",
    "services",
    "industry",
    "agriculture",
    "research",
    "housing",
]
PLACES = [
    "Alabama",
    "Alaska",
    "Arizona",
    "Arkansas",
    "California",
    "Colorado",
    "Connecticut",
    "Delaware",
    "Florida",
    "Georgia",
    "Hawaii",
    "Idaho",
    "Illinois",
    "Indiana",
    "Iowa",
    "Kansas",
    "Kentucky",
    "Louisiana",
    "Maine",
    "Maryland",
    "Austria",
    "Belgium",
    "Denmark",
    "Finland",
    "France",
    "Germany",
    "Greece",
    "Ireland",
    "Italy",
    "Netherlands",
    "Portugal",
    "Spain",
    "Sweden",
]
FONTS = [("Helvetica", "Helvetica-Bold"), ("Times-Roman", "Times-Bold"), ("Courier", "Courier-Bold")]


class _Recorded(Table):
    """A platypus Table that remembers where it was drawn."""

    where: tuple[int, float, float, float, float] | None = None

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        left = self._hAlignAdjust(x, _sW)  # where platypus puts it: centred in the frame by default
        self.where = (canvas.getPageNumber(), left, y, left + self._width, y + self._height)
        super().drawOn(canvas, x, y, _sW)


def _prose(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _number(rng: random.Random, kind: str) -> str:
    value = rng.uniform(-50, 5000) if kind == "signed" else rng.uniform(0, 100000)
    if kind == "percent":
        return f"{rng.uniform(0, 100):.1f}%"
    if rng.random() < 0.05:
        return "n.a."
    if kind == "thousands":
        return f"{value:,.0f}"
    return f"{value:.{rng.choice([1, 2])}f}"


def _table(rng: random.Random, width: float, cell_style: ParagraphStyle) -> tuple[_Recorded, list[dict[str, Any]]]:
    """A table and its ground-truth cells."""
    text_table = rng.random() < 0.25
    columns = rng.randint(3, (5 if text_table else 7) if width > 400 else (3 if text_table else 4))
    rows = rng.randint(4, 12 if text_table else 20)
    two_level = not text_table and columns >= 4 and rng.random() < 0.4
    groups = not text_table and rng.random() < 0.2
    kind = rng.choice(["plain", "thousands", "percent", "signed"])
    places = rng.sample(PLACES, rows)
    data: list[list[Any]] = []
    truth: list[dict[str, Any]] = []
    spans: list[tuple[tuple[int, int], tuple[int, int]]] = []

    def cell(r: int, c: int, text: str, r1: int | None = None, c1: int | None = None) -> None:
        truth.append({"r0": r, "c0": c, "r1": r if r1 is None else r1, "c1": c if c1 is None else c1, "text": text})

    header = ["Name", *(f"{rng.choice(WORDS).title()} {2000 + i}" for i in range(1, columns))]
    if text_table:
        header = ["Item", "Category", "Description", *(f"{rng.choice(WORDS).title()}" for _ in range(columns - 3))]
    if two_level:
        group_row = [""] * columns
        group_row[0] = "Name"
        c = 1
        while c < columns:
            size = min(rng.choice([2, 3]), columns - c)
            label = f"{rng.choice(WORDS).title()} group"
            group_row[c] = label
            if size > 1:
                spans.append(((c, 0), (c + size - 1, 0)))
            cell(0, c, label, 0, c + size - 1)
            c += size
        spans.append(((0, 0), (0, 1)))
        cell(0, 0, "Name", 1, 0)
        sub = [""] + [str(2000 + (i % 3) * 5) for i in range(1, columns)]
        data += [group_row, sub]
        for c in range(1, columns):
            cell(1, c, sub[c])
    else:
        data.append(header)
        for c in range(columns):
            cell(0, c, header[c])
    first = len(data)
    group_size = rng.choice([2, 3])
    for i in range(rows):
        r = first + i
        if text_table:
            desc = _prose(rng, rng.randint(4, 14))
            row: list[Any] = [places[i], rng.choice(WORDS).title(), Paragraph(escape(desc), cell_style)]
            row += [_number(rng, kind) for _ in range(columns - 3)]
            texts = [places[i], row[1], desc, *row[3:]]
        else:
            row = [places[i], *(_number(rng, kind) for _ in range(columns - 1))]
            texts = list(row)
        if groups:
            if i % group_size == 0:
                label = f"Group {i // group_size + 1}"
                end = min(r + group_size - 1, first + rows - 1)
                row = [label, *row]
                texts = [label, *texts]
                if end > r:
                    spans.append(((0, r), (0, end)))
                cell(r, 0, label, end, 0)
            else:
                row = ["", *row]
                texts = ["", *texts]
        offset = 1 if groups else 0
        for c in range(offset, len(texts)):
            cell(r, c, texts[c])
        data.append(row)
    if groups:
        for r in range(first):
            data[r] = ["", *data[r]]
        for item in truth:
            if item["r0"] < first:
                item["c0"] += 1
                item["c1"] += 1
        if not two_level:
            truth.append({"r0": 0, "c0": 0, "r1": 0, "c1": 0, "text": ""})
        spans = [((a[0] + 1, a[1]), (b[0] + 1, b[1])) if a[1] < first else (a, b) for a, b in spans]
    ncols = len(data[0])
    font, bold = rng.choice(FONTS)
    size = rng.choice([8, 9, 10])

    def _text_width(text: str, points: float) -> float:
        return max(stringWidth(text, font, points), stringWidth(text, bold, points))

    widths = None
    if text_table:
        rest = 50.0
        # the label columns as wide as their longest text (plain strings do not wrap), the
        # description column takes what is left
        first_two = [max(_text_width(str(row[c]), size) for row in data) + 12 for c in (0, 1)]
        desc = min(220.0, width - sum(first_two) - rest * (ncols - 3) - 10)
        widths = [*first_two, desc, *([rest] * (ncols - 3))]
    table = _Recorded(data, colWidths=widths, repeatRows=0)
    align = rng.choice(["RIGHT", "DECIMAL", "CENTER"])
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), font, size),
        ("FONT", (0, 0), (-1, first - 1), bold, size),
        ("ALIGN", (3 if text_table else 2 if groups else 1, first), (-1, -1), align),
        ("ALIGN", (0, 0), (-1, first - 1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    style += [("SPAN", a, b) for a, b in spans]
    rules = rng.choice(["grid", "box-rows", "booktabs", "header", "zebra", "none"])
    if rules == "grid":
        style.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
    elif rules == "box-rows":
        style += [("BOX", (0, 0), (-1, -1), 0.8, colors.black), ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.grey)]
    elif rules == "booktabs":
        style += [
            ("LINEABOVE", (0, 0), (-1, 0), 1.0, colors.black),
            ("LINEBELOW", (0, first - 1), (-1, first - 1), 0.5, colors.black),
            ("LINEBELOW", (0, -1), (-1, -1), 1.0, colors.black),
        ]
    elif rules == "header":
        style.append(("LINEBELOW", (0, first - 1), (-1, first - 1), 0.5, colors.black))
    elif rules == "zebra":
        style.append(("ROWBACKGROUNDS", (0, first), (-1, -1), [colors.whitesmoke, colors.lightgrey]))
    table.setStyle(TableStyle(style))
    return table, truth


def _negative(rng: random.Random, body: ParagraphStyle) -> list[Any]:
    kind = rng.choice(["prose", "references", "numbered"])
    story: list[Any] = []
    for n in range(1, rng.randint(8, 16)):
        if kind == "prose":
            story.append(Paragraph(_prose(rng, rng.randint(40, 90)), body))
        elif kind == "references":
            text = f"[{n}] {rng.choice(PLACES)}, A. {_prose(rng, rng.randint(8, 20))} Journal {n}, {2000 + n}."
            story.append(
                Paragraph(escape(text), ParagraphStyle("ref", parent=body, leftIndent=22, firstLineIndent=-22))
            )
        else:
            story.append(Paragraph(f"{n}. {_prose(rng, rng.randint(6, 30))}", body))
        story.append(Spacer(1, 4))
    return story


def generate(folder: Path, count: int, seed: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for index in range(1, count + 1):
        stem = f"gen-{index:03d}"
        columns = rng.choice([1, 1, 2])
        margin = 56.0
        gap = 18.0
        frame_width = (A4[0] - 2 * margin - (columns - 1) * gap) / columns
        frames = [
            Frame(margin + i * (frame_width + gap), margin, frame_width, A4[1] - 2 * margin, id=f"c{i}")
            for i in range(columns)
        ]
        doc = BaseDocTemplate(str(folder / f"{stem}.pdf"), pagesize=A4, pageTemplates=[PageTemplate("p", frames)])
        body = ParagraphStyle("body", fontName=rng.choice(FONTS)[0], fontSize=10, leading=12.5)
        cell_style = ParagraphStyle("cell", fontName="Helvetica", fontSize=8, leading=9.5)
        story: list[Any] = []
        tables: list[tuple[_Recorded, list[dict[str, Any]]]] = []
        if index % 6 == 0:
            story = _negative(rng, body)
        else:
            for _ in range(rng.choice([1, 1, 2])):
                story.append(Paragraph(_prose(rng, rng.randint(30, 120)), body))
                story.append(Spacer(1, 10))
                for _ in range(20):  # a table as wide as the frame at most, as a typesetter would make it
                    table, truth = _table(rng, frame_width, cell_style)
                    if table.wrap(frame_width, A4[1])[0] <= frame_width:
                        break
                tables.append((table, truth))
                story += [KeepTogether([table]), Spacer(1, 10)]
                story.append(Paragraph(_prose(rng, rng.randint(20, 80)), body))
        doc.build(story)
        _write_truth(folder, stem, tables)


def _write_truth(folder: Path, stem: str, tables: list[tuple[_Recorded, list[dict[str, Any]]]]) -> None:
    reg = ['<?xml version="1.0" encoding="UTF-8"?>', f'<document filename="{stem}-reg.xml">']
    struct = ['<?xml version="1.0" encoding="UTF-8"?>', f'<document filename="{stem}-str.xml">']
    for number, (table, truth) in enumerate(tables, start=1):
        if table.where is None:
            continue
        page, x0, y0, x1, y1 = table.where
        box = f'<bounding-box x1="{x0:.0f}" y1="{y0:.0f}" x2="{x1:.0f}" y2="{y1:.0f}"/>'
        reg.append(f'<table id="{number}"><region id="1" page="{page}">{box}</region></table>')
        struct.append(f'<table id="{number}"><region id="1" page="{page}">')
        for item in truth:
            struct.append(
                f'<cell start-row="{item["r0"]}" start-col="{item["c0"]}" end-row="{item["r1"]}" '
                f'end-col="{item["c1"]}"><content>{escape(item["text"])}</content></cell>'
            )
        struct.append("</region></table>")
    (folder / f"{stem}-reg.xml").write_text("\n".join([*reg, "</document>"]), encoding="utf-8")
    (folder / f"{stem}-str.xml").write_text("\n".join([*struct, "</document>"]), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2013)
    args = parser.parse_args()
    generate(args.out, args.count, args.seed)


if __name__ == "__main__":
    main()
