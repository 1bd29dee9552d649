"""Shared helpers for the OCR tests: real corpus pages rendered with pdfium and
the corpus's own scorer, run as a subprocess so its figures are the ones the
acceptance criteria name."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from protos import tasks_pb2 as pb
from tests.harness import CORPUS

SCORER = CORPUS.parent / "tools" / "score_markdown.py"
DPI = 200


@dataclass
class RenderedPage:
    image: Image.Image
    width: float  # points
    height: float


def render(pdf: Path, index: int = 0, dpi: int = DPI) -> RenderedPage:
    document = pdfium.PdfDocument(str(pdf))
    try:
        page = document[index]
        width, height = page.get_size()
        image = page.render(scale=dpi / 72).to_pil()
        image.load()
        return RenderedPage(image, width, height)
    finally:
        document.close()


def markdown(segments: list[pb.Segment]) -> str:
    """The page as the pipeline would join it: each segment's markdown, or its
    content where OCR left the rendering to the pipeline."""
    return "\n\n".join(s.markdown or s.content for s in segments)


def score(text: str, reference: Path, tmp_path: Path) -> dict[str, float]:
    out = tmp_path / "out.md"
    out.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(SCORER), str(out), str(reference), "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout)


@pytest.fixture(scope="session")
def engine_installed() -> None:
    pytest.importorskip("rapidocr", reason="the [ocr] extra is not installed")
