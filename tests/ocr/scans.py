"""Scans generated in the test: text typeset with reportlab, rasterised with
pdfium, and wrapped back into a PDF that holds only the picture, as a scanner
makes it. Fonts, sizes and layouts vary so no rule fits one rendering."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

SCAN_DPI = 200

SENTENCES = [
    "Every morning the harbour master walks along the quay and counts the boats",
    "Ships from the northern ports bring timber while the southern ones carry grain",
    "When the weather turns the fishermen stay home and mend their nets by the fire",
    "The museum keeps a record of every vessel that entered the harbour since 1850",
    "Visitors often ask why the lighthouse was painted red and white in stripes",
]
LEFT_COLUMN = [
    "Apples grow well in cool valleys where frost",
    "arrives late and summers stay mild and dry",
    "Farmers prune the trees each winter so that",
    "light reaches the fruit on every branch",
]
RIGHT_COLUMN = [
    "Bridges across wide rivers need deep piers",
    "which engineers sink through soft mud until",
    "they rest on rock far below the water line",
    "before any steel is lifted into its place",
]

Draw = Callable[[canvas.Canvas], None]


def typeset(path: Path, draw: Draw) -> Path:
    pdf = canvas.Canvas(str(path), pagesize=A4)
    draw(pdf)
    pdf.showPage()
    pdf.save()
    return path


def rasterise(pdf_path: Path, dpi: int = SCAN_DPI) -> Image.Image:
    document = pdfium.PdfDocument(str(pdf_path))
    try:
        image = document[0].render(scale=dpi / 72).to_pil().convert("RGB")
        image.load()
        return image
    finally:
        document.close()


def image_only_pdf(path: Path, image: Image.Image, dpi: int = SCAN_DPI) -> Path:
    """A PDF whose page is `image` and nothing else: no text layer."""
    width, height = image.width * 72 / dpi, image.height * 72 / dpi
    pdf = canvas.Canvas(str(path), pagesize=(width, height))
    pdf.drawImage(ImageReader(image), 0, 0, width, height)
    pdf.showPage()
    pdf.save()
    return path


def scan(tmp_path: Path, draw: Draw, name: str = "scan") -> Path:
    """An image-only PDF of the page `draw` typesets."""
    image = rasterise(typeset(tmp_path / f"{name}-typeset.pdf", draw))
    return image_only_pdf(tmp_path / f"{name}.pdf", image)


def paragraph(sentences: list[str], font: str, size: float, x: float = 72, top: float = 760) -> Draw:
    """The sentences set as one ragged-right paragraph within A4's margins."""

    def draw(pdf: canvas.Canvas) -> None:
        pdf.setFont(font, size)
        lines: list[str] = []
        for word in " ".join(sentences).split():
            candidate = f"{lines[-1]} {word}" if lines else word
            if lines and pdf.stringWidth(candidate, font, size) <= A4[0] - 2 * x:
                lines[-1] = candidate
            else:
                lines.append(word)
        for i, line in enumerate(lines):
            pdf.drawString(x, top - i * size * 1.4, line)

    return draw


def two_columns(font: str, size: float, gutter: float = 24, byline: str = "") -> Draw:
    """Two columns whose lines sit on the same baselines, `gutter` points
    apart, under a `byline` centred across both when one is given."""

    def draw(pdf: canvas.Canvas) -> None:
        pdf.setFont(font, size)
        gutter_x = 72 + max(pdf.stringWidth(line, font, size) for line in LEFT_COLUMN) + gutter
        if byline:
            right_end = gutter_x + max(pdf.stringWidth(line, font, size) for line in RIGHT_COLUMN)
            pdf.drawCentredString((72 + right_end) / 2, 740, byline)
        for i, (left, right) in enumerate(zip(LEFT_COLUMN, RIGHT_COLUMN, strict=True)):
            y = 700 - i * size * 1.4
            pdf.drawString(72, y, left)
            pdf.drawString(gutter_x, y, right)

    return draw


def degrade(image: Image.Image, rng: random.Random, skew: float, mode: str) -> Image.Image:
    """`image` as a scanner delivers it: turned `skew` degrees, some noise,
    then gray with JPEG artefacts or thresholded to black and white."""
    import numpy as np

    page = image.convert("RGB").rotate(skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white")
    pixels = np.asarray(page, dtype=np.float32)
    pixels += np.random.default_rng(rng.randrange(2**32)).normal(0, rng.uniform(3, 10), pixels.shape)
    page = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).convert("L")
    if mode == "bilevel":
        return page.point(lambda v: 255 if v > 150 else 0).convert("RGB")
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=rng.randint(30, 70))
    return Image.open(buffer).convert("RGB")


def degraded_scan(tmp_path: Path, draw: Draw, rng: random.Random, skew: float, mode: str, dpi: int = SCAN_DPI) -> Path:
    """An image-only PDF of the page `draw` typesets, scanned badly at `dpi`."""
    image = degrade(rasterise(typeset(tmp_path / "typeset.pdf", draw), dpi), rng, skew, mode)
    return image_only_pdf(tmp_path / "scan.pdf", image, dpi)
