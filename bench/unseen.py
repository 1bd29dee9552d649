#!/usr/bin/env python3
"""Held-out benchmark: documents generated from a seed, with references made by construction.

Each document is drawn at random from a seed as a list of blocks (title, headings,
paragraphs, lists, tables, captions, footnotes), then typeset by a real producer with
random variations, and its reference Markdown is written from the same blocks, never
from any tool's output:

- `latex`: pdflatex, article class, one or two columns, 10-12 pt, a PostScript font
  package or Computer Modern (ligatures without a Unicode map), random margins,
  fancyhdr running heads or plain page numbers, footnotes, itemize/enumerate, booktabs
  or ruled tabulars with captions, figure boxes with captions, sometimes a pdflscape
  landscape page (/Rotate 90).
- `docx`: python-docx writes a report (Title, Heading 1/2 styles, List Bullet/List
  Number, Caption, tables gridded or not, header and footer with a PAGE field, one or
  two section columns, sometimes a right-to-left Hebrew or Arabic report) and
  LibreOffice converts it to PDF.
- `reportlab`: a platypus newsletter in two or three frames per page (masthead across
  the top), base-14 or DejaVu fonts, bullets, captions, a running header and page
  number, sometimes a sideways page drawn with rotated text matrices, with or
  without /Rotate 90 on the page.

Running heads, page numbers and the masthead's date line are page furniture, left
out of the references; chunkd's PageHeader/PageFooter segments are left out of its
Markdown to match (it labels them; the other tools cannot). Every tool is scored with
`score_markdown.py` (words, order, headings, tables) against the references:
chunkd, the raw pdfium text layer (stream order, no layout) and pymupdf4llm.

Usage: python bench/unseen.py [--count N] [--seed S] [--keep DIR] [--only KIND]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pipeline_bench import load_scorer, pdfium_text, peer_markdown
from protos import tasks_pb2 as pb
from server.configuration import defaults
from server.pipeline import process

FIGURES = ("words", "order", "headings", "tables")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")

VOCABULARY = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "with",
    "as",
    "by",
    "at",
    "from",
    "this",
    "which",
    "be",
    "are",
    "was",
    "it",
    "an",
    "or",
    "not",
    "their",
    "have",
    "has",
    "been",
    "were",
    "these",
    "more",
    "than",
    "can",
    "all",
    "also",
    "its",
    "into",
    "other",
    "such",
    "between",
    "after",
    "over",
    "under",
    "about",
    "while",
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
    "office",
    "efficient",
    "fluid",
    "affine",
    "field",
    "flow",
    "profile",
    "official",
    "difficult",
    "sufficient",
    "effect",
    "offer",
    "final",
    "figure",
    "classification",
    "reflect",
    "conflict",
    "specific",
    "scientific",
    "benefit",
    "traffic",
    "staff",
    "shuffle",
    "baffle",
    "fifty",
    "analysis",
    "measure",
    "sample",
    "committee",
    "report",
    "annual",
    "review",
    "section",
    "model",
    "system",
    "method",
    "result",
    "table",
    "value",
    "change",
    "increase",
    "decrease",
    "period",
    "country",
    "community",
    "council",
    "district",
    "program",
    "project",
    "schedule",
    "network",
    "student",
    "teacher",
    "library",
    "hospital",
    "museum",
    "station",
    "harbour",
    "river",
    "mountain",
    "valley",
    "village",
    "city",
    "estimate",
    "variance",
    "population",
    "density",
    "temperature",
    "pressure",
    "frequency",
    "signal",
    "channel",
    "quality",
]
HEADINGS = [
    "Introduction",
    "Background",
    "Methods",
    "Results",
    "Discussion",
    "Conclusion",
    "Overview",
    "Findings",
    "Recommendations",
    "Outlook",
    "Funding",
    "Governance",
    "Appendix",
    "Summary",
    "Context",
    "Approach",
    "Evaluation",
    "Limitations",
    "Scope",
    "Data",
]
HEBREW = [
    "שלום",
    "עולם",
    "ברוכים",
    "הבאים",
    "לדוח",
    "השנתי",
    "של",
    "הוועדה",
    "אשר",
    "בחנה",
    "את",
    "הנתונים",
    "בשנה",
    "ומצאה",
    "כי",
    "ההוצאות",
    "עלו",
    "במידה",
    "רבה",
    "בתקופה",
    "האחרונה",
    "והמליצה",
    "על",
    "צעדים",
    "חדשים",
    "לשיפור",
    "השירות",
    "לציבור",
]
ARABIC = [
    "مرحبا",
    "بكم",
    "في",
    "التقرير",
    "السنوي",
    "للجنة",
    "التي",
    "درست",
    "البيانات",
    "خلال",
    "العام",
    "ووجدت",
    "أن",
    "النفقات",
    "ارتفعت",
    "بشكل",
    "كبير",
    "في",
    "الفترة",
    "الأخيرة",
    "وأوصت",
    "باتخاذ",
    "خطوات",
    "جديدة",
    "لتحسين",
    "الخدمة",
    "العامة",
    "للمواطنين",
]
NAMES = [
    "Ada Lovelace",
    "Grace Hopper",
    "Alan Turing",
    "Emmy Noether",
    "Carl Gauss",
    "Marie Curie",
    "Niels Bohr",
    "Lise Meitner",
]


@dataclass
class Block:
    """One piece of content: `kind` is title/heading/para/bullets/numbers/table/caption."""

    kind: str
    text: str = ""
    level: int = 1
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    footnote: str = ""


@dataclass
class Document:
    name: str
    kind: str
    pdf: Path
    reference: str


class Words:
    """Sentences drawn from a vocabulary (Latin, Hebrew or Arabic)."""

    def __init__(self, rng: random.Random, vocabulary: list[str]) -> None:
        self.rng, self.vocabulary = rng, vocabulary

    def phrase(self, low: int, high: int) -> str:
        return " ".join(
            self.rng.choice(self.vocabulary) for _ in range(self.rng.randint(low, high))
        )

    def sentence(self) -> str:
        text = self.phrase(6, 16)
        return text[0].upper() + text[1:] + "."

    def paragraph(self, low: int = 2, high: int = 6) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(low, high)))

    def title(self, low: int = 2, high: int = 5) -> str:
        return " ".join(w.capitalize() for w in self.phrase(low, high).split())


def content(
    rng: random.Random, words: Words, *, tables: bool = True, footnotes: bool = False
) -> list[Block]:
    """A document's blocks: a title, 3-6 sections, some with subsections, lists, tables, figures."""
    blocks = [Block("title", words.title(3, 7))]
    table_number = figure_number = 0
    headings = rng.sample(HEADINGS, rng.randint(3, 6))
    for heading in headings:
        blocks.append(Block("heading", heading, level=1))
        for _ in range(rng.randint(1, 3)):
            note = words.sentence() if footnotes and rng.random() < 0.15 else ""
            blocks.append(Block("para", words.paragraph(), footnote=note))
        roll = rng.random()
        if roll < 0.2:
            blocks.append(
                Block(
                    rng.choice(["bullets", "numbers"]),
                    items=[words.phrase(3, 12) for _ in range(rng.randint(2, 5))],
                )
            )
        elif roll < 0.35 and tables:
            table_number += 1
            columns = rng.randint(3, 5)
            header = [words.title(1, 2) for _ in range(columns)]
            body = [
                [words.phrase(1, 2)]
                + [str(rng.randint(1, 9999)) for _ in range(columns - 1)]
                for _ in range(rng.randint(3, 7))
            ]
            blocks.append(
                Block(
                    "table",
                    f"Table {table_number}: {words.phrase(3, 8)}",
                    rows=[header, *body],
                )
            )
        elif roll < 0.45:
            figure_number += 1
            blocks.append(
                Block("figure", f"Figure {figure_number}: {words.phrase(3, 8)}")
            )
        if rng.random() < 0.4:
            blocks.append(Block("heading", words.title(1, 3), level=2))
            blocks.append(Block("para", words.paragraph()))
        blocks.append(Block("para", words.paragraph()))
    return blocks


def markdown_table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * len(rows[0])]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def reference(
    blocks: list[Block], heading_text: Callable[[Block], str] = lambda b: b.text
) -> str:
    """The Markdown a faithful reader produces: headings as #, text in reading order."""
    out: list[str] = []
    notes = 0
    for block in blocks:
        if block.kind == "title":
            out.append(f"# {block.text}")
        elif block.kind == "heading":
            out.append("#" * (block.level + 1) + " " + heading_text(block))
        elif block.kind == "para":
            notes += bool(block.footnote)
            out.append(
                block.text.rstrip(".") + f"<sup>{notes}</sup>."
                if block.footnote
                else block.text
            )
            if block.footnote:  # where it is read, though typeset at the page's foot
                out.append(f"<sup>{notes}</sup> {block.footnote}")
        elif block.kind in ("bullets", "numbers"):
            out.append("\n".join(f"- {item}" for item in block.items))
        elif block.kind == "table":
            out += [block.text, markdown_table(block.rows)]
        elif block.kind == "figure" or block.kind == "author":
            out.append(block.text)
    return "\n\n".join(out) + "\n"


# ---------------------------------------------------------------- pdflatex

LATEX_FONTS = [
    "",
    "times",
    "mathptmx",
    "helvet",
    "palatino",
    "mathpazo",
    "bookman",
    "newcent",
    "charter",
    "utopia",
    "avant",
]


def _tex(text: str) -> str:
    return (
        text.replace("&", r"\&")
        .replace("%", r"\%")
        .replace("_", r"\_")
        .replace("#", r"\#")
    )


def latex_document(rng: random.Random, directory: Path, name: str) -> Document:
    words = Words(rng, VOCABULARY)
    blocks = content(rng, words, footnotes=True)
    author = rng.choice(NAMES)
    font = rng.choice(LATEX_FONTS)
    twocolumn = rng.random() < 0.5
    size = rng.choice(["10pt", "11pt", "12pt"])
    margin = rng.choice([2.0, 2.5, 3.0])
    heads = rng.random() < 0.5
    landscape = rng.random() < 0.25
    preamble = [
        rf"\documentclass[{size},{'twocolumn,' if twocolumn else ''}{rng.choice(['a4paper', 'letterpaper'])}]{{article}}",
        rf"\usepackage[margin={margin}cm]{{geometry}}",
        r"\usepackage{caption,booktabs,pdflscape}",
    ]
    if font:
        preamble.append(r"\usepackage[T1]{fontenc}" if rng.random() < 0.5 else "")
        preamble.append(rf"\usepackage{{{font}}}")
        if font in ("helvet", "avant"):
            preamble.append(r"\renewcommand{\familydefault}{\sfdefault}")
    if heads:
        preamble += [
            r"\usepackage{fancyhdr}\pagestyle{fancy}\fancyhf{}",
            rf"\lhead{{{_tex(blocks[0].text[:30])}}}\rhead{{\thepage}}",
        ]
    body = [
        r"\begin{document}",
        rf"\title{{{_tex(blocks[0].text)}}}\author{{{author}}}\date{{}}\maketitle",
    ]
    section = subsection = 0
    numbered: dict[int, str] = {}
    level_one = [
        i for i, b in enumerate(blocks) if b.kind == "heading" and b.level == 1
    ][1:]
    rotated_at = rng.choice(level_one) if landscape and level_one else -1
    in_landscape = False
    for index, block in enumerate(blocks[1:], start=1):
        if index == rotated_at and block.kind == "heading" and block.level == 1:
            body.append(r"\begin{landscape}")
            in_landscape = True
        elif in_landscape and block.kind == "heading" and block.level == 1:
            body.append(r"\end{landscape}")
            in_landscape = False
        if block.kind == "heading":
            if block.level == 1:
                section, subsection = section + 1, 0
                numbered[id(block)] = f"{section} {block.text}"
                body.append(rf"\section{{{_tex(block.text)}}}")
            else:
                subsection += 1
                numbered[id(block)] = f"{section}.{subsection} {block.text}"
                body.append(rf"\subsection{{{_tex(block.text)}}}")
        elif block.kind == "para":
            text = _tex(block.text)
            if block.footnote:
                text = text.rstrip(".") + rf"\footnote{{{_tex(block.footnote)}}}."
            body.append(text + "\n")
        elif block.kind in ("bullets", "numbers"):
            env = "itemize" if block.kind == "bullets" else "enumerate"
            body.append(
                rf"\begin{{{env}}}"
                + "".join(rf"\item {_tex(i)} " for i in block.items)
                + rf"\end{{{env}}}"
            )
        elif block.kind == "table":
            columns = len(block.rows[0])
            booktabs = rng.random() < 0.5
            spec = (
                "l" + "r" * (columns - 1) if booktabs else "|l|" + "r|" * (columns - 1)
            )
            top, mid, bottom = (
                (r"\toprule", r"\midrule", r"\bottomrule")
                if booktabs
                else (r"\hline",) * 3
            )
            lines = [" & ".join(_tex(c) for c in row) + r" \\" for row in block.rows]
            caption = block.text.split(": ", 1)[1]
            body.append(
                r"\begin{center}\captionof{table}{"
                + _tex(caption)
                + r"}"
                + rf"\begin{{tabular}}{{{spec}}}{top} {lines[0]} {mid} "
                + " ".join(lines[1:])
                + rf" {bottom}\end{{tabular}}\end{{center}}"
            )
        elif block.kind == "figure":
            caption = block.text.split(": ", 1)[1]
            body.append(
                r"\begin{center}\rule{0.6\columnwidth}{2cm}\captionof{figure}{"
                + _tex(caption)
                + r"}\end{center}"
            )
    if in_landscape:
        body.append(r"\end{landscape}")
    body.append(r"\end{document}")
    source = directory / f"{name}.tex"
    source.write_text("\n".join(preamble + body) + "\n", encoding="utf-8")
    for _ in range(2):
        subprocess.run(
            ["pdflatex", "-interaction=batchmode", "-halt-on-error", source.name],
            cwd=directory,
            capture_output=True,
            timeout=120,
            check=False,
        )
    pdf = directory / f"{name}.pdf"
    if not pdf.exists():
        raise RuntimeError(f"pdflatex failed on {source}")
    ref_blocks = [blocks[0], Block("author", author), *blocks[1:]]
    text = reference(ref_blocks, lambda b: numbered.get(id(b), b.text))
    return Document(name, "latex", pdf, text)


# ---------------------------------------------------------------- python-docx + LibreOffice

DOCX_FONTS = [
    "DejaVu Sans",
    "DejaVu Serif",
    "Bitstream Charter",
    "Utopia",
    "Latin Modern Roman",
    "Latin Modern Sans",
]


def _field(paragraph, instruction: str) -> None:  # type: ignore[no-untyped-def]
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    paragraph._p.append(
        parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr="{instruction}"><w:r><w:t>1</w:t></w:r></w:fldSimple>'
        )
    )


def _rtl(paragraph) -> None:  # type: ignore[no-untyped-def]
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    paragraph._p.get_or_add_pPr().append(parse_xml(f"<w:bidi {nsdecls('w')}/>"))
    for run in paragraph.runs:
        run._r.get_or_add_rPr().append(parse_xml(f"<w:rtl {nsdecls('w')}/>"))


def docx_document(rng: random.Random, directory: Path, name: str) -> Document:
    from docx import Document as Docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Cm, Pt

    script = rng.choices(["latin", "hebrew", "arabic"], weights=[6, 1, 1])[0]
    rtl = script != "latin"
    words = Words(
        rng, {"latin": VOCABULARY, "hebrew": HEBREW, "arabic": ARABIC}[script]
    )
    blocks = content(rng, words, tables=not rtl)
    if rtl:  # headings from the script's own words
        for block in blocks:
            if block.kind == "heading":
                block.text = words.phrase(1, 3)
    document = Docx()
    normal = document.styles["Normal"]
    normal.font.name = "DejaVu Sans" if rtl else rng.choice(DOCX_FONTS)
    normal.font.size = Pt(rng.choice([9, 10, 11, 12]))
    if rtl:
        for style in (
            "Title",
            "Heading 1",
            "Heading 2",
            "List Bullet",
            "List Number",
            "Caption",
        ):
            document.styles[style].font.name = "DejaVu Sans"
            document.styles[style].element.rPr.append(
                parse_xml(
                    f'<w:rFonts {nsdecls("w")} w:cs="DejaVu Sans" w:ascii="DejaVu Sans" w:hAnsi="DejaVu Sans"/>'
                )
            )
        normal.element.rPr.append(
            parse_xml(f'<w:rFonts {nsdecls("w")} w:cs="DejaVu Sans"/>')
        )
    section = document.sections[0]
    margin = Cm(rng.choice([1.5, 2.0, 2.5, 3.0]))
    section.left_margin = section.right_margin = section.top_margin = (
        section.bottom_margin
    ) = margin
    if rng.random() < 0.2:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = (
            section.page_height,
            section.page_width,
        )
    if rng.random() < 0.3:
        section._sectPr.append(
            parse_xml(f'<w:cols {nsdecls("w")} w:num="2" w:space="720"/>')
        )
    if rtl:  # an RTL section, as Word writes for a Hebrew or Arabic document: its columns run right to left
        section._sectPr.append(parse_xml(f"<w:bidi {nsdecls('w')}/>"))
    header = section.header.paragraphs[0]
    header.text = words.phrase(2, 4)
    footer = section.footer.paragraphs[0]
    footer.text = "Page " if not rtl else ""
    _field(footer, "PAGE")

    def add(text: str, style: str | None = None):  # type: ignore[no-untyped-def]
        paragraph = document.add_paragraph(text, style=style)
        if rtl:
            _rtl(paragraph)
        return paragraph

    for block in blocks:
        if block.kind == "title":
            add(block.text, "Title")
        elif block.kind == "heading":
            add(block.text, f"Heading {block.level}")
        elif block.kind == "para":
            add(block.text)
        elif block.kind in ("bullets", "numbers"):
            for item in block.items:
                add(item, "List Bullet" if block.kind == "bullets" else "List Number")
        elif block.kind == "table":
            add(block.text, "Caption")
            table = document.add_table(rows=len(block.rows), cols=len(block.rows[0]))
            if rng.random() < 0.6:
                table.style = "Table Grid"
            for r, row in enumerate(block.rows):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
        elif block.kind == "figure":
            add("", None).add_run().add_picture(str(_picture(directory)), width=Cm(6))
            add(block.text, "Caption")
    source = directory / f"{name}.docx"
    document.save(str(source))
    return Document(name, "docx", directory / f"{name}.pdf", reference(blocks))


def _picture(directory: Path) -> Path:
    path = directory / "picture.png"
    if not path.exists():
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (300, 150), "white")
        ImageDraw.Draw(image).rectangle((10, 10, 290, 140), fill=(90, 120, 200))
        image.save(path)
    return path


def convert_docx(directory: Path) -> None:
    sources = sorted(str(p) for p in directory.glob("*.docx"))
    if sources:
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run(
                [
                    "soffice",
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(directory),
                    *sources,
                ],
                capture_output=True,
                timeout=600,
                check=False,
            )


# ---------------------------------------------------------------- reportlab newsletter


def reportlab_document(rng: random.Random, directory: Path, name: str) -> Document:
    from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT
    from reportlab.lib.pagesizes import A4, letter
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        ListFlowable,
        ListItem,
        NextPageTemplate,
        PageBreak,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    words = Words(rng, VOCABULARY)
    blocks = content(rng, words)
    if rng.random() < 0.5 and (DEJAVU / "DejaVuSerif.ttf").exists():
        family = rng.choice(["DejaVuSans", "DejaVuSerif"])
        for suffix in ("", "-Bold"):
            if family + suffix not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(
                    TTFont(family + suffix, str(DEJAVU / f"{family}{suffix}.ttf"))
                )
        regular, bold = family, family + "-Bold"
    else:
        regular, bold = rng.choice(
            [("Helvetica", "Helvetica-Bold"), ("Times-Roman", "Times-Bold")]
        )
    size = rng.choice([8.5, 9, 10, 11])
    body = ParagraphStyle(
        "body",
        fontName=regular,
        fontSize=size,
        leading=size * 1.25,
        alignment=rng.choice([TA_JUSTIFY, TA_LEFT]),
        spaceAfter=size * 0.6,
    )
    caption = ParagraphStyle(
        "caption", parent=body, fontSize=size - 1, fontName=regular, alignment=TA_LEFT
    )
    h1 = ParagraphStyle(
        "h1",
        fontName=bold,
        fontSize=size + rng.choice([3, 4, 6]),
        leading=size * 1.8,
        spaceBefore=6,
        spaceAfter=4,
    )
    h2 = ParagraphStyle(
        "h2",
        fontName=bold,
        fontSize=size + rng.choice([1, 2]),
        leading=size * 1.5,
        spaceBefore=4,
        spaceAfter=2,
    )
    title = ParagraphStyle("title", fontName=bold, fontSize=24, leading=28)
    page = rng.choice([A4, letter])
    width, height = page
    margin = rng.choice([36, 50, 64])
    columns = rng.choice([2, 2, 3])
    gutter = rng.choice([12, 18, 24])
    column_width = (width - 2 * margin - (columns - 1) * gutter) / columns
    masthead = 70
    running = words.title(2, 3)

    def frames(top: float) -> list[Frame]:
        return [
            Frame(
                margin + i * (column_width + gutter),
                margin,
                column_width,
                top - margin,
                id=f"c{i}",
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
            )
            for i in range(columns)
        ]

    def furniture(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.drawString(margin, height - margin / 2, running)
        canvas.drawRightString(width - margin, margin / 2, str(doc.page))
        canvas.restoreState()

    sideways: list[Block] = []
    if rng.random() < 0.35:
        sideways = [
            Block("heading", words.title(1, 3), level=1),
            Block("para", words.paragraph(3, 6)),
            Block("para", words.paragraph(3, 6)),
        ]
    page_rotation = rng.choice([0, 90])

    def sideways_page(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        if page_rotation:
            canvas.setPageRotation(page_rotation)
        canvas.translate(width, 0)
        canvas.rotate(
            90
        )  # the frame is now height wide and width tall, text runs up the page
        y = width - margin
        for block in sideways:
            flowable = Paragraph(
                escape(block.text), h1 if block.kind == "heading" else body
            )
            _, used = flowable.wrapOn(canvas, height - 2 * margin, width)
            y -= used
            flowable.drawOn(canvas, margin, y)
            y -= 8
        canvas.restoreState()

    first = frames(height - margin - masthead)
    first.insert(
        0,
        Frame(
            margin,
            height - margin - masthead,
            width - 2 * margin,
            masthead,
            id="mast",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        ),
    )
    templates = [
        PageTemplate("first", first, onPage=furniture, autoNextPageTemplate="later"),
        PageTemplate("later", frames(height - margin), onPage=furniture),
        PageTemplate(
            "sideways",
            [
                Frame(
                    0,
                    0,
                    20,
                    20,
                    leftPadding=0,
                    rightPadding=0,
                    topPadding=0,
                    bottomPadding=0,
                )
            ],
            onPage=sideways_page,
        ),
    ]
    story: list = []  # type: ignore[type-arg]
    from reportlab.platypus import FrameBreak

    for block in blocks:
        if block.kind == "title":
            story += [Paragraph(escape(block.text), title), FrameBreak()]
        elif block.kind == "heading":
            story.append(Paragraph(escape(block.text), h1 if block.level == 1 else h2))
        elif block.kind == "para":
            story.append(Paragraph(escape(block.text), body))
        elif block.kind in ("bullets", "numbers"):
            story.append(
                ListFlowable(
                    [ListItem(Paragraph(escape(i), body)) for i in block.items],
                    bulletType="bullet" if block.kind == "bullets" else "1",
                    bulletFontName=regular,
                    bulletFontSize=size,
                )
            )
        elif block.kind == "table":
            story.append(Paragraph(escape(block.text), caption))
            font_size = size - 1
            while (
                font_size > 5
                and max(
                    sum(
                        max(
                            stringWidth(row[c], bold if r == 0 else regular, font_size)
                            for r, row in enumerate(block.rows)
                        )
                        + 8
                        for c in range(len(block.rows[0]))
                    )
                    for _ in [0]
                )
                > column_width
            ):
                font_size -= 0.5  # a table set to fit its column, as an editor would
            table = Table(block.rows)
            style = [
                ("FONT", (0, 0), (-1, -1), regular, font_size),
                ("FONT", (0, 0), (-1, 0), bold, font_size),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
            if rng.random() < 0.5:
                style.append(("GRID", (0, 0), (-1, -1), 0.5, "black"))
            else:
                style.append(("LINEBELOW", (0, 0), (-1, 0), 0.5, "black"))
            table.setStyle(TableStyle(style))
            story += [table, Spacer(1, 6)]
        elif block.kind == "figure":
            from reportlab.graphics.shapes import Drawing, Rect

            drawing = Drawing(column_width, 60)
            drawing.add(
                Rect(0, 0, column_width, 60, fillColor="lightblue", strokeColor=None)
            )
            story += [drawing, Paragraph(escape(block.text), caption)]
    if sideways:
        story += [NextPageTemplate("sideways"), PageBreak(), Spacer(1, 1)]
    pdf = directory / f"{name}.pdf"
    doc = BaseDocTemplate(
        str(pdf),
        pagesize=page,
        pageTemplates=templates,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
    )
    doc.build(story)
    return Document(name, "reportlab", pdf, reference(blocks + sideways))


GENERATORS: dict[str, Callable[[random.Random, Path, str], Document]] = {
    "latex": latex_document,
    "docx": docx_document,
    "reportlab": reportlab_document,
}


def generate(
    directory: Path, count: int, seed: int, only: str | None = None
) -> list[Document]:
    """`count` documents, the producers taking turns, each from its own seeded generator."""
    kinds = [only] if only else list(GENERATORS)
    documents = []
    for index in range(count):
        kind = kinds[index % len(kinds)]
        rng = random.Random(f"{seed}-{index}")
        documents.append(GENERATORS[kind](rng, directory, f"{kind}-{index:03d}"))
    convert_docx(directory)
    for document in documents:
        document.pdf.with_suffix(".md").write_text(document.reference, encoding="utf-8")
    return [d for d in documents if d.pdf.exists()]


def chunkd_content(path: Path) -> tuple[str, int]:
    """chunkd's Markdown without the segments it labels as page furniture."""
    furniture = {pb.SEGMENT_TYPE_PAGE_HEADER, pb.SEGMENT_TYPE_PAGE_FOOTER}
    with tempfile.TemporaryDirectory() as workdir:
        result = process(
            path, "application/pdf", defaults(), Path(workdir), lambda *_: None
        )
    parts = [
        s.markdown
        for chunk in result.output.chunks
        for s in chunk.segments
        if s.markdown and s.segment_type not in furniture
    ]
    return "\n\n".join(parts), result.output.page_count


TOOLS: dict[str, Callable[[Path], tuple[str, int]]] = {
    "chunkd": chunkd_content,
    "raw pdfium text": pdfium_text,
    "pymupdf4llm 0.0.24": peer_markdown,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=42)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--only", choices=list(GENERATORS))
    parser.add_argument("--tools", type=Path, default=ROOT.parent / "shared" / "tools")
    parser.add_argument(
        "--keep",
        type=Path,
        help="write the PDFs, references and every tool's Markdown here",
    )
    parser.add_argument(
        "--worst",
        type=int,
        default=8,
        help="list this many documents where chunkd trails most",
    )
    args = parser.parse_args()
    score = load_scorer(args.tools)
    directory = (
        Path(tempfile.mkdtemp(prefix="unseen-")) if args.keep is None else args.keep
    )
    directory.mkdir(parents=True, exist_ok=True)
    try:
        documents = generate(directory, args.count, args.seed, args.only)
        results: dict[str, dict[str, list[dict[str, float]]]] = {}
        per_doc: list[tuple[str, dict[str, dict[str, float]]]] = []
        for document in documents:
            row = {}
            for tool, fn in TOOLS.items():
                markdown, _ = fn(document.pdf)
                if args.keep:
                    slug = tool.split()[0].replace("pymupdf4llm", "peer")
                    (directory / f"{document.name}.{slug}.md").write_text(
                        markdown, encoding="utf-8"
                    )
                row[tool] = score(markdown, document.reference)
                results.setdefault(tool, {}).setdefault(document.kind, []).append(
                    row[tool]
                )
            per_doc.append((document.name, row))
        lines = [
            "| producer | docs | tool | words | order | headings | tables |",
            "| --- | ---: | --- | ---: | ---: | ---: | ---: |",
        ]
        for kind in [*GENERATORS, "all"]:
            for tool in TOOLS:
                scores = [
                    s for k, v in results[tool].items() if kind in ("all", k) for s in v
                ]
                if not scores:
                    continue
                means = " | ".join(
                    f"{statistics.mean(s[f] for s in scores):.3f}" for f in FIGURES
                )
                lines.append(f"| {kind} | {len(scores)} | {tool} | {means} |")
        print("\n".join(lines))
        print("\nwhere chunkd trails raw pdfium or the reference most (words+order):")
        gap = sorted(
            per_doc, key=lambda d: d[1]["chunkd"]["words"] + d[1]["chunkd"]["order"]
        )
        for name, row in gap[: args.worst]:
            print(
                f"  {name}: "
                + "  ".join(
                    f"{t.split()[0]} " + "/".join(f"{row[t][f]:.2f}" for f in FIGURES)
                    for t in TOOLS
                )
            )
    finally:
        if args.keep is None:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
