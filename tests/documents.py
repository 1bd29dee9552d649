"""Documents generated in the test, for cases the corpus has no file for."""

from __future__ import annotations

import subprocess
from pathlib import Path

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

WORDS = "the quick brown fox jumps over the lazy dog while chunkd reads every page of it".split()


def long_pdf(path: Path, pages: int, lines_per_page: int = 40) -> Path:
    """A born-digital PDF of `pages` pages of running text, slow enough to
    process that a test can act while it is being processed."""
    pdf = canvas.Canvas(str(path), pagesize=letter)
    for page in range(pages):
        pdf.setFont("Helvetica-Bold", 16)
        pdf.drawString(72, 740, f"Section {page + 1}")
        pdf.setFont("Helvetica", 10)
        for line in range(lines_per_page):
            words = [WORDS[(page + line + i) % len(WORDS)] for i in range(14)]
            pdf.drawString(72, 715 - line * 15, " ".join(words))
        pdf.showPage()
    pdf.save()
    return path


def typeset(folder: Path, name: str, source: str, runs: int = 1) -> Path:
    """`source` typeset by pdflatex in `folder` as `name`.pdf; `runs` > 1 settles references and longtable widths."""
    (folder / f"{name}.tex").write_text(source, encoding="utf-8")
    for _ in range(runs):
        subprocess.run(
            ["pdflatex", "-interaction=batchmode", "-halt-on-error", f"{name}.tex"],
            cwd=folder,
            capture_output=True,
            timeout=120,
            check=True,
        )
    return folder / f"{name}.pdf"
