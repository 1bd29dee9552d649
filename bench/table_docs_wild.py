#!/usr/bin/env python3
"""Unseen table documents from other producers, with ground truth in the ICDAR 2013 format.

`bench/table_docs.py` typesets its tables with reportlab's platypus only. This one
draws one logical table per document, as a statistics office would publish it, and
hands it to one of four producers:

- **gov** (reportlab canvas, set by hand as a statistical yearbook is): no vertical
  rules, at most a top rule, a rule under the header, short rules under group
  labels and a rule above the totals, or no rules at all; numbers right-aligned on
  their column's right edge; tables longer than a page continue on the next with
  the header repeated;
- **latex** (pdflatex): `tabular` with booktabs rules, `\\hline`s or a full grid,
  `\\multicolumn` group headers with `\\cmidrule`, row groups whose label sits on the
  first row or is raised to the middle of its rows (what `multirow` does),
  `longtable` with `\\endhead` over pages, and `sidewaystable` turned 90°;
- **xlsx** (openpyxl → LibreOffice `soffice --headless --convert-to pdf`): all
  borders, outer border and header rule only, no borders, or zebra fills with no
  borders at all; merged cells for group headers and row groups;
- **docx** (python-docx → LibreOffice): "Table Grid" borders, or no borders with
  zebra cell shading; merged cells for group headers and row groups.

The logical tables have one- or two-level headers (group labels over 2-3 columns,
the stub header spanning both header rows), a stub column with hierarchy (section
label rows, indented members) or a row-group column (labels spanning 2-4 rows,
centred on them or on the first), footnote marks on labels, a totals row, numbers
with thousands separators or decimals, negatives in parentheses or with a minus,
empty cells and "—", "..", "x".

Ground truth by construction: the cells (rows, columns, spans, text) are the
logical table's; a table's region on a page is the box of the page's words that
belong to it (their tokens are drawn from vocabularies the prose around does not
use; words read from pdfium's text layer directly, not through chunkd); a table over several pages is
one region per page, each with the header rows and the body rows set on it.

Usage: python bench/table_docs_wild.py OUT_DIR [--count N] [--seed S] [--producers gov,latex,xlsx,docx]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

PROSE = [
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
HEADS = [
    "Persons",
    "Males",
    "Females",
    "Households",
    "Dwellings",
    "Employed",
    "Enrolled",
    "Insured",
    "Exports",
]
GROUPS = [
    "Revenue",
    "Spending",
    "Balance",
    "Population",
    "Employment",
    "Wages",
    "Prices",
    "Volume",
]
SYLLABLES = [
    "bar",
    "cal",
    "den",
    "fir",
    "gal",
    "hol",
    "kin",
    "lor",
    "mar",
    "nor",
    "pel",
    "quin",
    "ros",
    "sal",
    "tor",
    "vel",
    "wen",
    "yar",
    "zan",
    "bro",
]
SUFFIXES = [
    "ton",
    "ville",
    "field",
    "ford",
    "burg",
    "stead",
    "mouth",
    "dale",
    "wick",
    "ham",
]


@dataclass
class Cell:
    r0: int
    c0: int
    r1: int
    c1: int
    text: str
    mark: str = ""  # a footnote mark set after the text (superscript where the producer can)

    @property
    def printed(self) -> str:
        return self.text + self.mark


@dataclass
class Logical:
    """One table: header cells (rows 0..head-1) and body rows (cells with body-relative rows)."""

    columns: int  # all columns, stub and row-group column included
    head: int
    header: list[Cell]
    body: list[list[Cell]]  # per body row, the cells that start on it
    keys: list[str]  # per body row, a token that only it holds (to find its page)
    indent: list[int]  # per body row, the stub's indent level
    bold: list[bool]  # section labels and totals
    group_col: bool
    group_top: bool  # row-group labels on their first row (else centred on their rows)
    footnotes: list[str] = field(default_factory=list)


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = (rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(SUFFIXES)).title()
        if name not in used:
            used.add(name)
            return name


def _value(rng: random.Random, kind: str) -> str:
    roll = rng.random()
    if roll < 0.04:
        return ""
    if roll < 0.08:
        return rng.choice(["—", "..", "x", "–"])
    if kind == "thousands":
        text = f"{rng.randint(1000, 999999):,}"
    elif kind == "decimal":
        value = rng.uniform(0, 999)
        text = f"{value:.1f}"
    else:  # change: negatives
        value = rng.uniform(-99, 99)
        text = f"{abs(value):.1f}"
        if value < 0:
            text = f"({text})" if kind == "parens" else f"-{text}"
    return text


def logical(rng: random.Random, long: bool, max_value_columns: int) -> Logical:
    used: set[str] = set()
    values = rng.randint(2, max_value_columns)
    group_col = not long and rng.random() < 0.35
    two_level = values >= 3 and rng.random() < 0.5
    stub0 = 1 if group_col else 0
    first_value = stub0 + 1
    columns = first_value + values
    kind = rng.choice(["thousands", "decimal", "parens", "minus"])
    mark = rng.random() < 0.4
    header: list[Cell] = []
    head = 2 if two_level else 1
    stub_head = rng.choice(["Area", "District", "County", "Province"])
    header.append(Cell(0, stub0, head - 1, stub0, stub_head))
    if group_col:
        header.append(Cell(0, 0, head - 1, 0, rng.choice(["Zone", "Division", "Band"])))
    years = rng.sample(range(2009, 2024), 3)
    if two_level:
        c = first_value
        names = rng.sample(GROUPS, len(GROUPS))
        while c < columns:
            width = min(rng.choice([2, 3]), columns - c)
            header.append(
                Cell(
                    0,
                    c,
                    0,
                    c + width - 1,
                    names.pop(),
                    "1" if mark and c == first_value else "",
                )
            )
            for k in range(width):
                header.append(Cell(1, c + k, 1, c + k, str(years[k % 3])))
            c += width
    else:
        names = rng.sample(HEADS, len(HEADS))
        for c in range(first_value, columns):
            header.append(Cell(0, c, 0, c, names.pop()))
    body: list[list[Cell]] = []
    keys: list[str] = []
    indent: list[int] = []
    bold: list[bool] = []
    rows = rng.randint(55, 80) if long else rng.randint(5, 16)
    hierarchy = not group_col and rng.random() < 0.5
    r = 0
    while r < rows:
        if group_col:
            size = min(rng.randint(2, 4), rows - r)
            label = f"{rng.choice(['North', 'South', 'East', 'West', 'Inner', 'Outer'])}{_name(rng, used).lower()}"
            for k in range(size):
                key = _name(rng, used)
                cells = [Cell(r + k, stub0, r + k, stub0, key)]
                if k == 0:
                    cells.insert(0, Cell(r, 0, r + size - 1, 0, label))
                cells += [Cell(r + k, c, r + k, c, _value(rng, kind)) for c in range(first_value, columns)]
                body.append(cells)
                keys.append(key)
                indent.append(0)
                bold.append(False)
            r += size
            continue
        if hierarchy and rng.random() < 0.3:
            key = _name(rng, used)
            subtotal = rng.random() < 0.5
            cells = [Cell(r, stub0, r, stub0, key)]
            if subtotal:
                cells += [Cell(r, c, r, c, _value(rng, kind)) for c in range(first_value, columns)]
            body.append(cells)
            keys.append(key)
            indent.append(0)
            bold.append(True)
            r += 1
            continue
        key = _name(rng, used)
        note = "a" if mark and rng.random() < 0.1 else ""
        body.append(
            [
                Cell(r, stub0, r, stub0, key, note),
                *(Cell(r, c, r, c, _value(rng, kind)) for c in range(first_value, columns)),
            ]
        )
        keys.append(key)
        indent.append(1 if hierarchy else 0)
        bold.append(False)
        r += 1
    if rng.random() < 0.5:
        key = rng.choice(["Total", "Overall", "Combined"])
        cells = [
            Cell(r, stub0, r, stub0, key),
            *(
                Cell(
                    r,
                    c,
                    r,
                    c,
                    _value(rng, "thousands" if kind == "thousands" else "decimal"),
                )
                for c in range(first_value, columns)
            ),
        ]
        if group_col:
            cells = [
                Cell(r, 0, r, stub0, key),
                *cells[1:],
            ]  # the total's label spans the zone column
        body.append(cells)
        keys.append(key)
        indent.append(0)
        bold.append(True)
    footnotes = ["Source: statistics office, annual returns."]
    if mark:
        footnotes.append("1 Provisional. a Revised figure.")
    return Logical(
        columns,
        head,
        header,
        body,
        keys,
        indent,
        bold,
        group_col,
        rng.random() < 0.5,
        footnotes,
    )


def _prose(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(PROSE) for _ in range(words))
    return text[0].upper() + text[1:] + "."


# ---------------------------------------------------------------- producers


def _gov(path: Path, rng: random.Random, t: Logical) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas

    font, bold = rng.choice([("Helvetica", "Helvetica-Bold"), ("Times-Roman", "Times-Bold")])
    size = rng.choice([7.5, 8, 9])
    leading = size * rng.choice([1.25, 1.4, 1.6])
    rules = rng.choice(["none", "header", "full", "groups"])
    width, height = A4
    left = 56.0
    widths = [0.0] * t.columns
    for cells in [t.header, *t.body]:
        for cell in cells:
            if cell.c0 == cell.c1:
                w = stringWidth(cell.text, bold, size) + (12 if cell.c0 == (1 if t.group_col else 0) else 0)
                widths[cell.c0] = max(widths[cell.c0], w)
    gap = size * rng.choice([1.5, 2.0, 3.0])
    xs = [left]
    for w in widths:
        xs.append(xs[-1] + w + gap)
    stub = 1 if t.group_col else 0
    canvas = Canvas(str(path), pagesize=A4)

    def text(
        x0: float,
        x1: float,
        y: float,
        s: str,
        right: bool,
        centre: bool = False,
        f: str = font,
        mark: str = "",
    ) -> None:
        canvas.setFont(f, size)
        if centre:
            canvas.drawCentredString((x0 + x1) / 2, y, s)
            end = (x0 + x1 + stringWidth(s, f, size)) / 2
        elif right:
            canvas.drawRightString(x1, y, s)
            end = x1
        else:
            canvas.drawString(x0, y, s)
            end = x0 + stringWidth(s, f, size)
        if mark:
            canvas.setFont(f, size * 0.6)
            canvas.drawString(end + 0.5, y + 0.4 * size, mark)

    def rule(x0: float, x1: float, y: float) -> None:
        canvas.setLineWidth(0.5)
        canvas.line(x0, y, x1, y)

    def header(y: float) -> float:
        top = y + size
        if rules != "none":
            rule(xs[0], xs[-1] - gap, top)
        for cell in t.header:
            x0, x1 = xs[cell.c0], xs[cell.c1 + 1] - gap
            rows = cell.r1 - cell.r0 + 1
            baseline = y - leading * cell.r0 - leading * (rows - 1) / 2
            text(
                x0,
                x1,
                baseline,
                cell.text,
                cell.c0 > stub,
                centre=cell.c1 > cell.c0,
                f=bold,
                mark=cell.mark,
            )
            if rules == "groups" and cell.c1 > cell.c0:
                rule(x0, x1, baseline - 0.3 * size)
        y -= leading * t.head
        if rules != "none":
            rule(xs[0], xs[-1] - gap, y + leading - 0.3 * size - 1)
        return y

    y = height - 72
    canvas.setFont(bold, 10)
    title = f"Table {rng.randint(2, 40)}. {_prose(rng, 5)[:-1]}"
    canvas.drawString(left, y, title)
    y -= 14
    from reportlab.lib.utils import simpleSplit

    for line in simpleSplit(_prose(rng, rng.randint(20, 60)), font, 10, width - 2 * left):
        canvas.setFont(font, 10)
        canvas.drawString(left, y, line)
        y -= 12.5
    y -= 16
    y = header(y)
    spans: dict[int, Cell] = {}
    for i, cells in enumerate(t.body):
        if y < 80:
            canvas.showPage()
            y = height - 72
            canvas.setFont(bold, 10)
            canvas.drawString(left, y, "(continued)")
            y -= 24
            y = header(y)
        if t.bold[i] and cells[0].text in ("Total", "Overall", "Combined") and rules != "none":
            rule(xs[0], xs[-1] - gap, y + size)
        for cell in cells:
            x0, x1 = xs[cell.c0], xs[cell.c1 + 1] - gap
            if cell.c0 == 0 and t.group_col and cell.r1 > cell.r0:
                spans[i] = cell
                rows = cell.r1 - cell.r0 + 1
                baseline = y if t.group_top else y - leading * (rows - 1) / 2
                text(x0, x1, baseline, cell.text, False)
                continue
            if cell.c0 == stub or (cell.c0 == 0 and cell.c1 >= stub):
                text(
                    x0 + 8 * t.indent[i],
                    x1,
                    y,
                    cell.text,
                    False,
                    f=bold if t.bold[i] else font,
                    mark=cell.mark,
                )
            else:
                text(x0, x1, y, cell.text, True)
        y -= leading
    if rules != "none":
        rule(xs[0], xs[-1] - gap, y + leading - 0.3 * size - 1)
    y -= 6
    for note in t.footnotes:
        text(left, left, y, note, False)
        y -= size * 1.3
    canvas.setFont(font, 10)
    y -= 10
    for line in simpleSplit(_prose(rng, rng.randint(10, 40)), font, 10, width - 2 * left):
        if y < 60:
            break
        canvas.drawString(left, y, line)
        y -= 12.5
    canvas.showPage()
    canvas.save()


_TEX_ESCAPE = {
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "—": "---",
    "–": "--",
    "¹": r"\textsuperscript{1}",
    "ᵃ": r"\textsuperscript{a}",
}


def _tex(s: str) -> str:
    return "".join(_TEX_ESCAPE.get(ch, ch) for ch in s).replace(" \\textsuperscript", "\\textsuperscript")


def _latex(path: Path, rng: random.Random, t: Logical, work: Path) -> None:
    style = rng.choice(["booktabs", "hline", "grid"])
    long = len(t.body) > 30
    sideways = not long and rng.random() < 0.2
    stub = 1 if t.group_col else 0
    spec = ("|" if style == "grid" else "") + "".join(
        ("l" if c <= stub else "r") + ("|" if style == "grid" else "") for c in range(t.columns)
    )
    top, mid, bottom = (r"\toprule", r"\midrule", r"\bottomrule") if style == "booktabs" else (r"\hline",) * 3

    def row_tex(cells: list[Cell], r: int, is_head: bool, raise_at: dict[int, tuple[str, int]]) -> str:
        out: list[str] = []
        c = 0
        by_start = {cell.c0: cell for cell in cells if cell.r0 == r}
        while c < t.columns:
            cell = by_start.get(c)
            if c in raise_at:
                label, rows = raise_at[c]
                out.append(
                    label
                    if rows == 0
                    else rf"\raisebox{{-{(rows - 1) / 2:.1f}\normalbaselineskip}}[0pt][0pt]{{{label}}}"
                )
                c += 1
                continue
            if cell is None:
                out.append("")
                c += 1
                continue
            body = _tex(cell.text) + (rf"\textsuperscript{{{cell.mark}}}" if cell.mark else "")
            if is_head and cell.r1 > cell.r0:
                body = rf"\raisebox{{-.5\normalbaselineskip}}[0pt][0pt]{{{body}}}"
            if cell.c1 > cell.c0:
                bar = "|" if style == "grid" else ""
                out.append(rf"\multicolumn{{{cell.c1 - cell.c0 + 1}}}{{{bar if c == 0 else ''}c{bar}}}{{{body}}}")
            else:
                out.append(body)
            c = cell.c1 + 1
        return " & ".join(out) + r" \\"

    head_lines: list[str] = [top]
    for r in range(t.head):
        head_lines.append(row_tex(t.header, r, True, {}))
        if r == 0 and t.head == 2:
            head_lines += [
                rf"\cmidrule(lr){{{c.c0 + 1}-{c.c1 + 1}}}"
                if style == "booktabs"
                else rf"\cline{{{c.c0 + 1}-{c.c1 + 1}}}"
                for c in t.header
                if c.r0 == 0 and c.r1 == 0
            ]
    head_lines.append(mid)
    body_lines: list[str] = []
    for i, cells in enumerate(t.body):
        raise_at: dict[int, tuple[str, int]] = {}
        span = next((c for c in cells if c.c0 == 0 and t.group_col and c.r1 > c.r0), None)
        if span is not None:
            rows = span.r1 - span.r0 + 1
            raise_at[0] = (_tex(span.text), 0 if t.group_top else rows)
            cells = [c for c in cells if c is not span]
        line = row_tex(cells, cells[0].r0, False, raise_at)
        if t.indent[i]:
            line = line.replace(_tex(cells[0].text), r"\quad " + _tex(cells[0].text), 1) if not t.group_col else line
        if t.bold[i]:
            line = r"\bfseries " + line if not t.group_col else line
        if t.keys[i] in ("Total", "Overall", "Combined"):
            body_lines.append(mid)
        body_lines.append(line)
        if style == "grid":
            following = t.body[i + 1] if i + 1 < len(t.body) else []
            inside_group = t.group_col and following and not any(c.c0 == 0 for c in following)
            body_lines.append(rf"\cline{{2-{t.columns}}}" if inside_group else r"\hline")
    if style != "grid":
        body_lines.append(bottom)
    size = rng.choice([r"\small", r"\footnotesize", r"\normalsize"])
    before, after = _prose(rng, rng.randint(40, 90)), _prose(rng, rng.randint(30, 80))
    notes = r"\par ".join(_tex(n) for n in t.footnotes)
    if long:
        table = "\n".join(
            [
                rf"{{{size}\begin{{longtable}}{{{spec}}}",
                *head_lines,
                r"\endhead",
                *body_lines,
                r"\end{longtable}}",
                rf"{{\footnotesize {notes}\par}}",
            ]
        )
    else:
        env = "sidewaystable" if sideways else "table"
        table = "\n".join(
            [
                rf"\begin{{{env}}}[ht]\centering{size}",
                rf"\caption{{{_prose(rng, 5)[:-1]}}}",
                rf"\begin{{tabular}}{{{spec}}}",
                *head_lines,
                *body_lines,
                r"\end{tabular}",
                rf"\par\vspace{{4pt}}{{\footnotesize {notes}\par}}",
                rf"\end{{{env}}}",
            ]
        )
    source = f"\\documentclass[a4paper]{{article}}\n\\usepackage{{booktabs,longtable,rotating}}\n\\usepackage[margin=2.5cm]{{geometry}}\\pagestyle{{empty}}\n\\begin{{document}}\n{before}\n\n{table}\n\n{after}\n\\end{{document}}"
    tex = work / f"{path.stem}.tex"
    tex.write_text(source, encoding="utf-8")
    for _ in range(2):
        subprocess.run(
            [
                "pdflatex",
                "-interaction=batchmode",
                "-halt-on-error",
                f"-output-directory={work}",
                str(tex),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    shutil.copy(work / f"{path.stem}.pdf", path)


def _xlsx(path: Path, rng: random.Random, t: Logical, work: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    style = rng.choice(["grid", "outer", "none", "zebra"])
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    thin = Side(style="thin")
    shade = rng.choice(["DDDDDD", "E8EEF7", "EEEEEE"])
    sheet.cell(row=1, column=1, value=f"Table {rng.randint(2, 40)}. {_prose(rng, 5)[:-1]}").font = Font(bold=True)
    first = 3
    stub = 1 if t.group_col else 0

    def put(cell: Cell, row0: int, bold: bool, head: bool) -> None:
        target = sheet.cell(
            row=row0 + cell.r0,
            column=cell.c0 + 1,
            value=(cell.text + (f" {cell.mark}" if cell.mark else "")) or None,
        )
        target.font = Font(bold=bold, size=rng.choice([9, 10]) if False else 10)
        numeric = cell.c0 > stub and not head
        indent = 0
        target.alignment = Alignment(
            horizontal="center"
            if head and cell.c1 > cell.c0
            else ("right" if numeric or (head and cell.c0 > stub) else "left"),
            vertical="top" if t.group_top else "center",
            indent=indent,
        )
        if cell.r1 > cell.r0 or cell.c1 > cell.c0:
            sheet.merge_cells(
                start_row=row0 + cell.r0,
                start_column=cell.c0 + 1,
                end_row=row0 + cell.r1,
                end_column=cell.c1 + 1,
            )

    for cell in t.header:
        put(cell, first, True, True)
    body0 = first + t.head
    for i, cells in enumerate(t.body):
        for cell in cells:
            put(cell, body0, t.bold[i], False)
            if cell.c0 == stub and t.indent[i]:
                sheet.cell(row=body0 + cell.r0, column=cell.c0 + 1).alignment = Alignment(indent=2)
    last = body0 + len(t.body) - 1
    for r in range(first, last + 1):
        for c in range(1, t.columns + 1):
            target = sheet.cell(row=r, column=c)
            if style == "grid":
                target.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            elif style == "outer":
                target.border = Border(
                    left=thin if c == 1 else None,
                    right=thin if c == t.columns else None,
                    top=thin if r == first else None,
                    bottom=thin if r in (first + t.head - 1, last) else None,
                )
            elif style == "zebra" and r >= body0 and (r - body0) % 2 == 0:
                target.fill = PatternFill("solid", fgColor=shade)
            elif style == "zebra" and r < body0:
                target.fill = PatternFill("solid", fgColor="BBBBBB")
    for c in range(1, t.columns + 1):
        longest = max(
            (len(cell.text) for cells in [t.header, *t.body] for cell in cells if cell.c0 == c - 1 == cell.c1),
            default=6,
        )
        sheet.column_dimensions[chr(64 + c)].width = max(8, longest + 3)
    for k, note in enumerate(t.footnotes):
        sheet.cell(row=last + 2 + k, column=1, value=note).font = Font(size=8)
    sheet.print_options.gridLines = False
    sheet.page_setup.fitToWidth = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToHeight = 0
    source = work / f"{path.stem}.xlsx"
    book.save(str(source))
    return source


def _docx(path: Path, rng: random.Random, t: Logical, work: Path) -> Path:
    from docx import Document
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style = rng.choice(["grid", "zebra", "zebra", "plain"])
    document = Document()
    document.add_paragraph(_prose(rng, rng.randint(40, 90)))
    rows = t.head + len(t.body)
    table = document.add_table(rows=rows, cols=t.columns)
    if style == "grid":
        table.style = "Table Grid"
    stub = 1 if t.group_col else 0
    from docx.shared import Inches

    table.autofit = False
    for c, column in enumerate(table.columns):
        column.width = Inches(1.5 if c <= stub else 0.9)
        for row in table.rows:
            row.cells[c].width = Inches(1.5 if c <= stub else 0.9)

    def put(cell: Cell, row0: int, bold: bool, head: bool, indent: int) -> None:
        target = table.cell(row0 + cell.r0, cell.c0)
        if cell.r1 > cell.r0 or cell.c1 > cell.c0:
            target = target.merge(table.cell(row0 + cell.r1, cell.c1))
        target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP if t.group_top else WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = target.paragraphs[0]
        run = paragraph.add_run(cell.text)
        run.bold = bold
        run.font.size = Pt(9)
        if cell.mark:
            note = paragraph.add_run(cell.mark)
            note.font.superscript = True
            note.font.size = Pt(9)
        if indent:
            paragraph.paragraph_format.left_indent = Pt(10)
        if head and cell.c1 > cell.c0:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif cell.c0 > stub:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    for cell in t.header:
        put(cell, 0, True, True, 0)
    for i, cells in enumerate(t.body):
        for cell in cells:
            put(cell, t.head, t.bold[i], False, t.indent[i] if cell.c0 == stub else 0)
    if style == "zebra":
        colour = rng.choice(["D9D9D9", "DEEAF6", "EDEDED"])
        for r in range(t.head, rows):
            if (r - t.head) % 2 == 0:
                for c in range(t.columns):
                    shading = OxmlElement("w:shd")
                    shading.set(qn("w:val"), "clear")
                    shading.set(qn("w:color"), "auto")
                    shading.set(qn("w:fill"), colour)
                    table.cell(r, c)._tc.get_or_add_tcPr().append(shading)
    for note in t.footnotes:
        document.add_paragraph(note).runs[0].font.size = Pt(8)
    document.add_paragraph(_prose(rng, rng.randint(30, 70)))
    source = work / f"{path.stem}.docx"
    document.save(str(source))
    return source


# ---------------------------------------------------------------- ground truth


def _norm(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", unicodedata.normalize("NFKC", text).lower())  # NFKC: "ﬁ" → "fi"


def _page_words(
    pdf: Path,
) -> tuple[list[list[tuple[tuple[float, float, float, float], str]]], list[float]]:
    """Each page's words (box with a top-left origin, normalised text) from pdfium's text
    layer, character by character (pymupdf drops glyphs such as pdflatex's "fi" ligature)."""
    import pypdfium2 as pdfium

    pages: list[list[tuple[tuple[float, float, float, float], str]]] = []
    heights: list[float] = []
    document = pdfium.PdfDocument(str(pdf))
    try:
        for page in document:
            height = page.get_height()
            text = page.get_textpage()
            words: list[tuple[tuple[float, float, float, float], str]] = []
            chars: list[tuple[tuple[float, float, float, float], str]] = []
            for i in range(text.count_chars()):
                char = text.get_text_range(i, 1)
                if char.strip():
                    left, bottom, right, top = text.get_charbox(i)
                    chars.append(((left, height - top, right, height - bottom), char))
                    continue
                if chars:
                    words.append(_word(chars))
                    chars = []
            if chars:
                words.append(_word(chars))
            pages.append(words)
            heights.append(height)
    finally:
        document.close()
    return pages, heights


def _word(
    chars: list[tuple[tuple[float, float, float, float], str]],
) -> tuple[tuple[float, float, float, float], str]:
    boxes = [b for b, _ in chars]
    box = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    return box, _norm("".join(c for _, c in chars))


def _truth(pdf: Path, t: Logical) -> list[tuple[int, tuple[float, float, float, float], list[Cell]]]:
    """Per page the table is on: (page, region box bottom-left, cells with page-local rows)."""
    tokens = {_norm(w) for cell in [*t.header, *(c for cells in t.body for c in cells)] for w in cell.printed.split()}
    tokens |= {_norm(cell.text) for cells in t.body for cell in cells}
    tokens.discard("")
    head_tokens = {_norm(w) for cell in t.header for w in cell.printed.split()} - set(PROSE)
    head_tokens = {n for n in head_tokens if n and not n.isdigit()}
    out: list[tuple[int, tuple[float, float, float, float], list[Cell]]] = []
    pages, heights = _page_words(pdf)
    row_page: list[int] = []
    for key in t.keys:
        found = [i for i, words in enumerate(pages) if _norm(key) in "".join(n for _, n in words)]
        row_page.append(found[0] if found else -1)
    for number, words in enumerate(pages):
        mine = [i for i, p in enumerate(row_page) if p == number]
        if not mine:
            continue
        first, last = mine[0], mine[-1]
        # a word the producer broke over two lines of a narrow cell ("Populatio" / "n") is the table's too
        prefixes = {token[:k] for token in tokens if not token.isdigit() for k in range(4, len(token))} - set(PROSE)
        boxes = [box for box, n in words if n in tokens or n in prefixes]
        if not boxes:
            continue
        # the region runs from the header to the last body row on the page (a footnote's words are not the table's)
        body_boxes = [box for box, n in words if n == _norm(t.keys[last])]
        bottom = max(b[3] for b in body_boxes) + 1 if body_boxes else max(b[3] for b in boxes)
        # and starts at the header (a title's "Table 24" is not the table's though "2.4" is)
        head_boxes = [box for box, n in words if n in head_tokens]
        top = min(b[1] for b in head_boxes) - 1 if head_boxes else 0.0
        boxes = [b for b in boxes if top <= b[1] < bottom]
        x0, y0, x1, y1 = (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
        cells = [Cell(c.r0, c.c0, c.r1, c.c1, c.printed) for c in t.header]
        for local, i in enumerate(range(first, last + 1)):
            for c in t.body[i]:
                r1 = min(c.r1, last)
                cells.append(
                    Cell(
                        t.head + local,
                        c.c0,
                        t.head + local + r1 - c.r0,
                        c.c1,
                        c.printed,
                    )
                )
        height = heights[number]
        out.append((number + 1, (x0, height - y1, x1, height - y0), cells))
    return out


def _write_truth(
    folder: Path,
    stem: str,
    regions: list[tuple[int, tuple[float, float, float, float], list[Cell]]],
) -> None:
    reg = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<document filename="{stem}-reg.xml">',
    ]
    struct = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<document filename="{stem}-str.xml">',
    ]
    for number, (page, (x0, y0, x1, y1), cells) in enumerate(regions, start=1):
        box = f'<bounding-box x1="{x0:.0f}" y1="{y0:.0f}" x2="{x1:.0f}" y2="{y1:.0f}"/>'
        reg.append(f'<table id="{number}"><region id="1" page="{page}">{box}</region></table>')
        struct.append(f'<table id="{number}"><region id="1" page="{page}">')
        for c in cells:
            struct.append(
                f'<cell start-row="{c.r0}" start-col="{c.c0}" end-row="{c.r1}" end-col="{c.c1}">'
                f"<content>{escape(c.text)}</content></cell>"
            )
        struct.append("</region></table>")
    (folder / f"{stem}-reg.xml").write_text("\n".join([*reg, "</document>"]), encoding="utf-8")
    (folder / f"{stem}-str.xml").write_text("\n".join([*struct, "</document>"]), encoding="utf-8")


def generate(folder: Path, count: int, seed: int, producers: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    office: list[tuple[Path, Path, Logical]] = []
    made: list[tuple[Path, Logical]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for index in range(1, count + 1):
            producer = producers[(index - 1) % len(producers)]
            stem = f"{producer}-{index:03d}"
            pdf = folder / f"{stem}.pdf"
            long = producer in ("gov", "latex") and rng.random() < 0.25
            t = logical(rng, long, 5 if producer in ("xlsx", "docx") else 6)
            if producer == "gov":
                _gov(pdf, rng, t)
                made.append((pdf, t))
            elif producer == "latex":
                _latex(pdf, rng, t, work)
                made.append((pdf, t))
            else:
                source = (_xlsx if producer == "xlsx" else _docx)(pdf, rng, t, work)
                office.append((source, pdf, t))
        if office:
            out = work / "out"
            subprocess.run(
                [
                    "soffice",
                    f"-env:UserInstallation=file://{work}/profile",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(out),
                    *(str(s) for s, _, _ in office),
                ],
                check=True,
                capture_output=True,
                timeout=900,
            )
            for source, pdf, t in office:
                shutil.copy(out / f"{source.stem}.pdf", pdf)
                made.append((pdf, t))
    for pdf, t in made:
        _write_truth(folder, pdf.stem, _truth(pdf, t))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--producers", default="gov,latex,xlsx,docx")
    args = parser.parse_args()
    generate(args.out, args.count, args.seed, args.producers.split(","))


if __name__ == "__main__":
    main()
