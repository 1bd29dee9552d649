#!/usr/bin/env python3
"""Held-out forms: filled-in forms drawn from a seed, with references made by construction.

Each document is a form drawn with reportlab's canvas from a list of sections, and its
reference Markdown is written from the same sections (the convention is in
docs/forms.md):

- a title (bold, 14-18 pt), sometimes an instructions paragraph in small type (6.5-8 pt)
  under it, sometimes a form number at the page's foot (furniture: not in the reference);
- sections with a heading (bold text over a rule, or white on a shaded bar), each one of:
  * **inline fields**: "Label:" then the value's box to its right, 1-3 fields a row;
  * **boxed fields**: a grid of ruled boxes, 1-4 a row, the label in small type at the
    box's top-left and the value below it;
  * **check boxes**: a question, then 2-4 options (a box then its label) across or down;
  * **line items**: a ruled table (description, quantity, price, amount);
  * **instructions**: a paragraph in small type;
- the values are filled in one of two ways, drawn per document: as AcroForm fields
  (reportlab's `acroForm`, which writes each widget's /V and its appearance stream: the
  page's own text has only the labels), or flattened (the values drawn as page text, the
  boxes ticked with a drawn cross, as a printed and filled form is).

Scored with `score_markdown.py` (words, order, headings, tables) against the reference,
plus two measures of what a form is for:

- **fields**: the share of the form's (label, value) pairs that come out on one line,
  the value after its label;
- **boxes**: the share of check boxes whose state comes out right before their label
  (☑/☒/[x] ticked, ☐/[ ] not).

Usage: python bench/unseen_forms.py [--count N] [--seed S] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A4, letter
from reportlab.pdfgen.canvas import Canvas

from bench.pipeline_bench import load_scorer
from bench.unseen import TOOLS, VOCABULARY, Words, markdown_table

FIGURES = ("words", "order", "headings", "tables", "fields", "boxes")
TICKED, EMPTY = "\u2611", "\u2610"

LABELS = [
    "Full name",
    "Last name",
    "First name",
    "Middle initial",
    "Date of birth",
    "Place of birth",
    "Street address",
    "City",
    "State",
    "ZIP code",
    "Country",
    "Telephone number",
    "Email address",
    "Employer",
    "Occupation",
    "Social security number",
    "Account number",
    "Tax year",
    "Amount claimed",
    "Case number",
    "Policy number",
    "Date signed",
    "Department",
    "Position title",
    "Vehicle registration",
    "Passport number",
    "Marital status",
    "Number of dependents",
    "Annual income",
    "Bank name",
    "Routing number",
    "Claim reference",
    "Contact person",
    "Fax number",
    "County",
    "Start date",
    "End date",
    "Agency code",
]
SECTIONS = [
    "Applicant information",
    "Contact details",
    "Employment",
    "Household",
    "Payment details",
    "Declaration",
    "Part II Spouse",
    "Section B Residence",
    "Banking information",
    "Certification",
    "Items requested",
    "Representative",
]
QUESTIONS = [
    "Type of application",
    "Filing status",
    "Preferred contact method",
    "Are you a resident of this state?",
    "Check all that apply",
    "Reason for request",
]
OPTIONS = [
    "New",
    "Renewal",
    "Replacement",
    "Single",
    "Married filing jointly",
    "Head of household",
    "Telephone",
    "Email",
    "Mail",
    "Yes",
    "No",
    "Veteran",
    "Student",
    "Disability",
    "Other",
]
FIRST = ["Maria", "James", "Aiko", "Olu", "Sven", "Priya", "Lucia", "Tomasz", "Hannah", "Kwame"]
LAST = ["Gonzalez", "Okafor", "Lindqvist", "Tanaka", "Novak", "Fischer", "Haddad", "Moreau", "Kowalski"]
STREETS = ["Harbour Road", "Elm Street", "Mill Lane", "Station Avenue", "Oak Drive", "Kings Way"]
TOWNS = ["Springfield", "Riverton", "Ashford", "Lakeside", "Fairview", "Greenwood"]
FONTS = [("Helvetica", "Helvetica-Bold"), ("Times-Roman", "Times-Bold"), ("Helvetica", "Helvetica-Bold")]
SHADE = Color(0.25, 0.25, 0.3)


def value_for(rng: random.Random, label: str) -> str:
    """A plausible value for a label."""
    low = label.lower()
    if "date" in low or "birth" in low and "place" not in low:
        return f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.randint(1950, 2025)}"
    if "name" in low and "bank" not in low:
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}" if "full" in low or "contact" in low else rng.choice(LAST)
    if "address" in low and "email" in low:
        return f"{rng.choice(FIRST).lower()}.{rng.choice(LAST).lower()}@example.org"
    if "address" in low:
        return f"{rng.randint(1, 999)} {rng.choice(STREETS)}"
    if low in ("city", "county", "place of birth"):
        return rng.choice(TOWNS)
    if "amount" in low or "income" in low:
        return f"{rng.randint(100, 99999):,}.{rng.randint(0, 99):02d}"
    if any(k in low for k in ("number", "code", "year", "reference", "initial", "registration")):
        return "".join(rng.choice("0123456789") for _ in range(rng.randint(4, 9)))
    return " ".join(w.capitalize() for w in rng.sample(VOCABULARY[45:], rng.randint(1, 2)))


@dataclass
class Field:
    label: str
    value: str


@dataclass
class Box:
    label: str
    ticked: bool


@dataclass
class Section:
    """One part of a form; `kind` is inline/boxed/checks/items/instructions."""

    kind: str
    heading: str = ""
    fields: list[Field] = field(default_factory=list)
    columns: int = 1
    question: str = ""
    boxes: list[Box] = field(default_factory=list)
    across: bool = False
    rows: list[list[str]] = field(default_factory=list)
    text: str = ""


@dataclass
class Form:
    name: str
    pdf: Path
    reference: str
    fields: list[Field]
    boxes: list[Box]


def sections(rng: random.Random, words: Words) -> list[Section]:
    labels = rng.sample(LABELS, len(LABELS))
    out: list[Section] = []
    for heading in rng.sample(SECTIONS, rng.randint(3, 5)):
        kind = rng.choice(["inline", "inline", "boxed", "boxed", "checks", "items", "instructions"])
        if kind in ("inline", "boxed"):
            columns = rng.randint(1, 3) if kind == "inline" else rng.randint(1, 4)
            count = columns * rng.randint(1, 3)
            chosen = [labels.pop() for _ in range(min(count, len(labels)))]
            if not chosen:
                continue
            out.append(Section(kind, heading, [Field(lb, value_for(rng, lb)) for lb in chosen], columns))
        elif kind == "checks":
            options = rng.sample(OPTIONS, rng.randint(2, 4))
            boxes = [Box(o, rng.random() < 0.45) for o in options]
            out.append(Section(kind, heading, question=rng.choice(QUESTIONS), boxes=boxes, across=rng.random() < 0.5))
        elif kind == "items":
            header = ["Description", "Quantity", "Unit price", "Amount"]
            body = []
            for _ in range(rng.randint(2, 5)):
                quantity, price = rng.randint(1, 40), rng.randint(1, 900)
                body.append([words.title(1, 3), str(quantity), f"{price}.00", f"{quantity * price:,}.00"])
            out.append(Section(kind, heading, rows=[header, *body]))
        else:
            out.append(Section(kind, heading, text=words.paragraph(2, 4)))
    return out


class Drawer:
    """Draws sections down the page with reportlab's canvas, starting new pages as needed."""

    def __init__(self, canvas: Canvas, rng: random.Random, acro: bool, page: tuple[float, float]) -> None:
        self.canvas, self.rng, self.acro = canvas, rng, acro
        self.width, self.height = page
        self.margin = rng.uniform(40, 60)
        self.y = self.height - self.margin
        self.font, self.bold = rng.choice(FONTS)
        self.size = rng.choice([9.0, 10.0, 11.0])
        self.value_font = rng.choice(["Helvetica", "Courier", "Times-Roman"])
        self.bar = rng.random() < 0.5
        self.serial = 0

    @property
    def inner(self) -> float:
        return self.width - 2 * self.margin

    def need(self, height: float) -> None:
        if self.y - height < self.margin:
            self.canvas.showPage()
            self.y = self.height - self.margin

    def name(self) -> str:
        self.serial += 1
        return f"f{self.serial}"

    def wrapped(self, text: str, size: float, x: float, width: float) -> None:
        line: list[str] = []
        lines = []
        for word in text.split():
            if line and self.canvas.stringWidth(" ".join([*line, word]), self.font, size) > width:
                lines.append(" ".join(line))
                line = [word]
            else:
                line.append(word)
        lines.append(" ".join(line))
        for text_line in lines:
            self.need(size * 1.3)
            self.canvas.setFont(self.font, size)
            self.canvas.drawString(x, self.y - size, text_line)
            self.y -= size * 1.25
        self.y -= size * 0.8

    def value(self, text: str, x: float, y: float, width: float, height: float) -> None:
        """A value in a box whose bottom-left is (x, y)."""
        size = min(self.size, height * 0.6)
        if self.acro:
            self.canvas.acroForm.textfield(
                name=self.name(),
                value=text,
                x=x,
                y=y,
                width=width,
                height=height,
                fontName=self.value_font,
                fontSize=size,
                borderWidth=0 if self.rng.random() < 0.5 else 1,
                borderColor=black,
                fillColor=white,
                textColor=black,
            )
        else:
            self.canvas.setFont(self.value_font, size)
            self.canvas.drawString(x + 2, y + (height - size) / 2 + size * 0.2, text)

    def check(self, ticked: bool, x: float, y: float, size: float) -> None:
        if self.acro:
            self.canvas.acroForm.checkbox(
                name=self.name(), x=x, y=y, size=size, checked=ticked, buttonStyle=self.rng.choice(["check", "cross"])
            )
        else:
            self.canvas.rect(x, y, size, size)
            if ticked:
                self.canvas.line(x + 2, y + 2, x + size - 2, y + size - 2)
                self.canvas.line(x + 2, y + size - 2, x + size - 2, y + 2)

    def heading(self, text: str) -> None:
        height = self.size * 1.9
        self.need(height * 3)
        if self.bar:
            self.canvas.setFillColor(SHADE)
            self.canvas.rect(self.margin, self.y - height, self.inner, height, stroke=0, fill=1)
            self.canvas.setFillColor(white)
        self.canvas.setFont(self.bold, self.size + 1)
        self.canvas.drawString(self.margin + 3, self.y - height + self.size * 0.55, text)
        self.canvas.setFillColor(black)
        if not self.bar:
            self.canvas.line(self.margin, self.y - height, self.margin + self.inner, self.y - height)
        self.y -= height + self.size

    def inline(self, section: Section) -> None:
        widest = max(
            self.canvas.stringWidth(f.label + ":", self.font, self.size)
            + self.canvas.stringWidth(f.value, self.value_font, self.size)
            + 4 * self.size
            for f in section.fields
        )
        section.columns = max(1, min(section.columns, int(self.inner // widest)))  # each value fits its box
        column = self.inner / section.columns
        row_height = self.size * 2.4
        for start in range(0, len(section.fields), section.columns):
            self.need(row_height)
            for i, item in enumerate(section.fields[start : start + section.columns]):
                x = self.margin + i * column
                label = item.label + ":"
                self.canvas.setFont(self.font, self.size)
                self.canvas.drawString(x, self.y - self.size * 1.2, label)
                gap = self.size * self.rng.uniform(0.5, 1.5)
                box_x = x + self.canvas.stringWidth(label, self.font, self.size) + gap
                box_width = column - (box_x - x) - self.size
                if not self.acro:
                    self.canvas.line(box_x, self.y - self.size * 1.5, box_x + box_width, self.y - self.size * 1.5)
                self.value(item.value, box_x, self.y - self.size * 1.6, box_width, self.size * 1.6)
            self.y -= row_height

    def boxed(self, section: Section) -> None:
        column = self.inner / section.columns
        small = self.rng.uniform(6.0, 7.5)
        box_height = small + self.size * 2.2
        for start in range(0, len(section.fields), section.columns):
            self.need(box_height)
            for i, item in enumerate(section.fields[start : start + section.columns]):
                x = self.margin + i * column
                self.canvas.rect(x, self.y - box_height, column, box_height)
                self.canvas.setFont(self.font, small)
                self.canvas.drawString(x + 2, self.y - small - 1, item.label.upper() if self.bar else item.label)
                self.value(item.value, x + 2, self.y - box_height + 2, column - 4, self.size * 1.6)
            self.y -= box_height
        self.y -= self.size

    def checks(self, section: Section) -> None:
        size = self.size * 1.1
        self.need(self.size * 2 + size * 2)
        self.canvas.setFont(self.font, self.size)
        self.canvas.drawString(self.margin, self.y - self.size, section.question)
        self.y -= self.size * 2
        x = self.margin + self.size
        for box in section.boxes:
            if not section.across:
                self.need(size * 1.8)
            self.check(box.ticked, x, self.y - size, size)
            self.canvas.setFont(self.font, self.size)
            self.canvas.drawString(x + size + self.size * 0.5, self.y - size + self.size * 0.15, box.label)
            if section.across:
                x += size + self.canvas.stringWidth(box.label, self.font, self.size) + self.size * 3
            else:
                self.y -= size * 1.8
        if section.across:
            self.y -= size * 1.8
        self.y -= self.size * 0.5

    def items(self, section: Section) -> None:
        widths = [0.46, 0.14, 0.2, 0.2]
        row_height = self.size * 1.8
        for r, row in enumerate(section.rows):
            self.need(row_height)
            x = self.margin
            for c, (cell, share) in enumerate(zip(row, widths, strict=True)):
                width = self.inner * share
                self.canvas.rect(x, self.y - row_height, width, row_height)
                if r == 0:
                    self.canvas.setFont(self.bold, self.size)
                    self.canvas.drawString(x + 3, self.y - row_height + self.size * 0.55, cell)
                elif c == 0 or not self.acro:
                    self.canvas.setFont(self.font, self.size)
                    self.canvas.drawString(x + 3, self.y - row_height + self.size * 0.55, cell)
                else:
                    self.value(cell, x + 1, self.y - row_height + 1, width - 2, row_height - 2)
                x += width
            self.y -= row_height
        self.y -= self.size

    def draw(self, title: str, number: str, intro: str, parts: list[Section]) -> None:
        self.canvas.setFont(self.bold, self.rng.uniform(14, 18))
        self.canvas.drawString(self.margin, self.y - 16, title)
        self.y -= 24
        if number:  # page furniture at the foot, as real forms print their form number
            self.canvas.setFont(self.font, 7)
            self.canvas.drawString(self.margin, self.margin * 0.6, number)
        if intro:
            self.wrapped(intro, self.rng.uniform(6.5, 8.0), self.margin, self.inner)
        self.y -= self.size
        for section in parts:
            self.heading(section.heading)
            if section.kind == "inline":
                self.inline(section)
            elif section.kind == "boxed":
                self.boxed(section)
            elif section.kind == "checks":
                self.checks(section)
            elif section.kind == "items":
                self.items(section)
            else:
                self.wrapped(section.text, self.rng.uniform(6.5, 8.0), self.margin, self.inner)


def reference(title: str, number: str, intro: str, parts: list[Section]) -> str:
    """The Markdown a reader wants from the form (docs/forms.md)."""
    out = [f"# {title}"]
    if intro:
        out.append(intro)
    for section in parts:
        out.append(f"## {section.heading}")
        if section.kind in ("inline", "boxed"):
            out += [f"{f.label}: {f.value}" for f in section.fields]
        elif section.kind == "checks":
            out.append(section.question)
            marks = [f"{TICKED if b.ticked else EMPTY} {b.label}" for b in section.boxes]
            out += [" ".join(marks)] if section.across else marks
        elif section.kind == "items":
            out.append(markdown_table(section.rows))
        else:
            out.append(section.text)
    return "\n\n".join(out) + "\n"


def form_document(rng: random.Random, directory: Path, name: str) -> Form:
    words = Words(rng, VOCABULARY)
    acro = rng.random() < 0.5
    title = rng.choice(["Application for ", "Request for ", "Claim for ", "Registration of "]) + words.title(1, 3)
    number = f"Form {rng.choice('ABCDW')}-{rng.randint(10, 999)} (Rev. {rng.randint(1, 12)}/{rng.randint(2015, 2026)})"
    number = number if rng.random() < 0.5 else ""
    intro = words.paragraph(1, 3) if rng.random() < 0.6 else ""
    parts = sections(rng, words)
    pdf = directory / f"{name}.pdf"
    canvas = Canvas(str(pdf), pagesize=rng.choice([letter, A4]))
    Drawer(canvas, rng, acro, canvas._pagesize).draw(title, number, intro, parts)
    canvas.save()
    fields = [f for s in parts for f in s.fields]
    boxes = [b for s in parts for b in s.boxes]
    return Form(name + ("-acro" if acro else "-flat"), pdf, reference(title, number, intro, parts), fields, boxes)


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFKC", text).lower()))


def field_pairs(markdown: str, fields: list[Field]) -> tuple[int, int]:
    """How many fields' values follow their label on one output line, of how many."""
    lines = [" " + _words(line) + " " for line in markdown.splitlines()]
    found = 0
    for item in fields:
        label, value = " " + _words(item.label) + " ", " " + _words(item.value) + " "
        found += any(label in line and value in line[line.index(label) + len(label) - 1 :] for line in lines)
    return found, len(fields)


def box_states(markdown: str, boxes: list[Box]) -> tuple[int, int]:
    """How many check boxes' states stand right before their label, of how many (each box
    looked for after the one before it: two groups may offer the same choice)."""
    right = cursor = 0
    for box in boxes:
        found = re.compile(r"(\[[ xX]\]|[\u2610\u2611\u2612])\s*" + re.escape(box.label) + r"\b").search(
            markdown, cursor
        )
        if found:
            cursor = found.end()
            right += (found.group(1) not in ("[ ]", EMPTY)) == box.ticked
    return right, len(boxes)


def _pooled(scores: list[dict[str, float]], figure: str) -> str:
    """The mean of a score_markdown figure; fields and boxes pooled over every document's count."""
    if figure in ("fields", "boxes"):
        total = sum(s[f"{figure} of"] for s in scores)
        return f"{sum(s[figure] for s in scores) / total:.3f}" if total else "—"
    return f"{statistics.mean(s[figure] for s in scores):.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=24)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--tools", type=Path, default=ROOT.parent / "shared" / "tools")
    parser.add_argument("--keep", type=Path, help="write the PDFs, references and every tool's Markdown here")
    parser.add_argument("--worst", type=int, default=6)
    args = parser.parse_args()
    score = load_scorer(args.tools)
    directory = Path(tempfile.mkdtemp(prefix="forms-")) if args.keep is None else args.keep
    directory.mkdir(parents=True, exist_ok=True)
    try:
        forms = [
            form_document(random.Random(f"{args.seed}-{i}"), directory, f"form-{i:03d}") for i in range(args.count)
        ]
        results: dict[str, dict[str, list[dict[str, float]]]] = {}
        per_doc = []
        for form in forms:
            form.pdf.with_suffix(".md").write_text(form.reference, encoding="utf-8")
            row = {}
            for tool, fn in TOOLS.items():
                markdown, _ = fn(form.pdf)
                if args.keep:
                    slug = tool.split()[0].replace("pymupdf4llm", "peer")
                    (directory / f"{form.pdf.stem}.{slug}.md").write_text(markdown, encoding="utf-8")
                figures = score(markdown, form.reference)
                figures["fields"], figures["fields of"] = field_pairs(markdown, form.fields)
                figures["boxes"], figures["boxes of"] = box_states(markdown, form.boxes)
                row[tool] = figures
                kind = form.name.rsplit("-", 1)[1]
                results.setdefault(tool, {}).setdefault(kind, []).append(figures)
            per_doc.append((form.name, row))
        lines = [
            "| filled | docs | tool | " + " | ".join(FIGURES) + " |",
            "| --- | ---: | --- |" + " ---: |" * len(FIGURES),
        ]
        for kind in ("acro", "flat", "all"):
            for tool in TOOLS:
                scores = [s for k, v in results[tool].items() if kind in ("all", k) for s in v]
                if scores:
                    means = " | ".join(_pooled(scores, f) for f in FIGURES)
                    lines.append(f"| {kind} | {len(scores)} | {tool} | {means} |")
        print("\n".join(lines))
        print("\nwhere chunkd reads fields or boxes worst:")
        missed = [
            (r["chunkd"]["fields of"] - r["chunkd"]["fields"]) + (r["chunkd"]["boxes of"] - r["chunkd"]["boxes"])
            for _, r in per_doc
        ]
        for (name, row), _ in sorted(zip(per_doc, missed, strict=True), key=lambda d: -d[1])[: args.worst]:
            print(f"  {name}: " + "/".join(_pooled([row["chunkd"]], f) for f in FIGURES))
    finally:
        if args.keep is None:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
