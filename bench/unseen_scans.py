#!/usr/bin/env python3
"""Held-out scans: the documents `bench/unseen.py` generates, printed and scanned badly.

Each generated document (references by construction, see unseen.py) is rendered
page by page with pypdfium2 and degraded the way scanners and copiers degrade
pages, drawn at random per document and per page:

- resolution 150-300 dpi, sometimes 400 (one per document, as a scanner is set);
- the page fed in turned by 0/90/180/270 degrees, and skewed ±0.5-4 degrees;
- colour, grayscale or bilevel (thresholded, stored CCITT G4);
- gaussian noise, a little blur, JPEG quality 30-90 (colour and gray);
- a gray scanner-lid margin and a shadow darkening one edge.

The images are wrapped as an image-only PDF (Pillow's PDF writer: DCT for colour
and gray, CCITT G4 for bilevel) and every tool's Markdown is scored with
`score_markdown.py` against the references: chunkd (OCR path, default settings;
page furniture left out as in unseen.py), and, when installed, tesseract's plain
text in its own reading order as a peer. CPU seconds per page are the tool's own
(process and children), rendering and degrading excluded.

Usage: python bench/unseen_scans.py [--count N] [--seed S] [--keep DIR] [--only KIND]
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pipeline_bench import load_scorer
from bench.unseen import FIGURES, GENERATORS, chunkd_content, generate

from PIL import Image, ImageDraw, ImageFilter


@dataclass
class Scan:
    """How one page was scanned (for the listing of the worst pages)."""

    turn: int
    skew: float
    mode: str
    quality: int
    noise: float
    blur: float

    def __str__(self) -> str:
        return f"{self.turn}° skew {self.skew:+.1f} {self.mode} q{self.quality} n{self.noise:.0f} b{self.blur:.1f}"


def degrade(image: Image.Image, rng: random.Random, dpi: int) -> tuple[Image.Image, Scan]:
    """One page as a scanner might deliver it."""
    import numpy as np

    turn = rng.choice([0, 0, 90, 180, 270])
    skew = rng.choice([-1, 1]) * rng.uniform(0.5, 4.0) if rng.random() < 0.7 else 0.0
    mode = rng.choice(["rgb", "gray", "gray", "bilevel"])
    noise = rng.choice([0.0, rng.uniform(4, 18)])
    blur = rng.choice([0.0, 0.0, rng.uniform(0.3, 0.9) * dpi / 200])
    quality = rng.randint(30, 90)
    page = image.convert("RGB")
    # the scanner bed is larger than the page: a gray margin, the page's shadow on one side
    pad = round(dpi * rng.uniform(0.05, 0.4))
    bed = Image.new("RGB", (page.width + 2 * pad, page.height + 2 * pad), (rng.randint(90, 200),) * 3)
    bed.paste(page, (pad, pad))
    if rng.random() < 0.5:
        shade = Image.new("L", bed.size, 0)
        draw = ImageDraw.Draw(shade)
        depth = round(dpi * rng.uniform(0.2, 0.8))
        for i in range(depth):
            draw.line([(i, 0), (i, bed.height)], fill=round(110 * (1 - i / depth)))
        if rng.random() < 0.5:
            shade = shade.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        bed = Image.composite(Image.new("RGB", bed.size, (40, 40, 40)), bed, shade)
    if skew:
        bed = bed.rotate(skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(255, 255, 255))
    if turn:
        bed = bed.rotate(turn, expand=True)
    if blur:
        bed = bed.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        pixels = np.asarray(bed, dtype=np.float32)
        pixels += np.random.default_rng(rng.randrange(2**32)).normal(0, noise, pixels.shape).astype(np.float32)
        bed = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    if mode == "gray":
        bed = bed.convert("L")
    elif mode == "bilevel":
        bed = bed.convert("L").point(lambda v: 255 if v > 150 else 0).convert("1", dither=Image.Dither.NONE)
    return bed, Scan(turn, skew, mode, quality, noise, blur)


def scan_pdf(pdf: Path, out: Path, rng: random.Random) -> list[Scan]:
    """`pdf` rendered, degraded page by page and wrapped as an image-only PDF at `out`."""
    import pypdfium2 as pdfium

    dpi = rng.choice([150, 200, 240, 300, 400])
    document = pdfium.PdfDocument(str(pdf))
    try:
        rendered = [page.render(scale=dpi / 72).to_pil() for page in document]
    finally:
        document.close()
    scans = [degrade(image, rng, dpi) for image in rendered]
    merged = pdfium.PdfDocument.new()
    try:
        for image, scan in scans:
            with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
                options = {} if image.mode == "1" else {"quality": scan.quality}
                image.save(file.name, "PDF", resolution=dpi, **options)
                merged.import_pages(pdfium.PdfDocument(file.name))
        merged.save(str(out))
    finally:
        merged.close()
    return [scan for _, scan in scans]


def tesseract_text(path: Path) -> tuple[str, int]:
    """tesseract's text of each page image (its own orientation detection on), in its reading order."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    texts = []
    try:
        for page in document:
            with tempfile.NamedTemporaryFile(suffix=".png") as file:
                page.render(scale=300 / 72).to_pil().save(file.name)
                run = subprocess.run(
                    ["tesseract", file.name, "-", "--psm", "1"], capture_output=True, text=True, check=False
                )
                texts.append(run.stdout)
        return "\n\n".join(texts), len(document)
    finally:
        document.close()


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def tools() -> dict[str, Callable[[Path], tuple[str, int]]]:
    found: dict[str, Callable[[Path], tuple[str, int]]] = {"chunkd": chunkd_content}
    if shutil.which("tesseract"):
        found["tesseract --psm 1"] = tesseract_text
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=12)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--only", choices=list(GENERATORS))
    parser.add_argument("--tools", type=Path, default=ROOT.parent / "shared" / "tools")
    parser.add_argument("--keep", type=Path, help="write the scans, references and every tool's Markdown here")
    parser.add_argument("--no-peer", action="store_true", help="score chunkd alone")
    parser.add_argument("--worst", type=int, default=8)
    args = parser.parse_args()
    score = load_scorer(args.tools)
    directory = Path(tempfile.mkdtemp(prefix="unseen-scans-")) if args.keep is None else args.keep
    directory.mkdir(parents=True, exist_ok=True)
    runners = tools()
    if args.no_peer:
        runners = {"chunkd": runners["chunkd"]}
    chunkd_content(ROOT.parent / "shared" / "corpus" / "ocr" / "ocr_test.pdf")  # models loaded before timing
    try:
        documents = generate(directory, args.count, args.seed, args.only)
        scores: dict[str, list[dict[str, float]]] = {t: [] for t in runners}
        cpu: dict[str, list[float]] = {t: [] for t in runners}
        rows = []
        for document in documents:
            rng = random.Random(f"scan-{args.seed}-{document.name}")
            scanned = directory / f"{document.name}.scan.pdf"
            scans = scan_pdf(document.pdf, scanned, rng)
            row = {}
            for tool, fn in runners.items():
                start = cpu_seconds()
                markdown, pages = fn(scanned)
                cpu[tool].append((cpu_seconds() - start) / max(pages, 1))
                if args.keep:
                    (directory / f"{document.name}.{tool.split()[0]}.md").write_text(markdown, encoding="utf-8")
                row[tool] = score(markdown, document.reference)
                scores[tool].append(row[tool])
            rows.append((document.name, scans, row))
        print(f"{len(documents)} documents, {sum(len(s) for _, s, _ in rows)} scanned pages, seed {args.seed}\n")
        print("| tool | words | order | headings | tables | CPU-s/page (median) |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for tool in runners:
            means = " | ".join(f"{statistics.mean(s[f] for s in scores[tool]):.3f}" for f in FIGURES)
            print(f"| {tool} | {means} | {statistics.median(cpu[tool]):.2f} |")
        print("\nwhere chunkd reads worst (words+order):")
        for name, scans, row in sorted(rows, key=lambda r: r[2]["chunkd"]["words"] + r[2]["chunkd"]["order"])[
            : args.worst
        ]:
            figures = "  ".join(f"{t.split()[0]} " + "/".join(f"{row[t][f]:.2f}" for f in FIGURES) for t in runners)
            print(f"  {name}: {figures}  [{'; '.join(map(str, scans))}]")
    finally:
        if args.keep is None:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
