"""Page renders and segment crops: drawing a page, writing it and cutting crops out of it.

Files go under the task's workdir and are referenced by workdir-relative paths. A PDF's
pages are drawn in a process of their own (`server.pipeline.drawing`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from server.pipeline.convert import check_pixels
from server.pipeline.geometry import Box

HIGH_DPI = 144.0  # high_resolution: 2x, what Chunkr's page images use
LOW_DPI = 72.0
CROP_PADDING = 2.0  # points around a segment's box, so glyph edges are not cut
_JPEG_QUALITY = 85


@dataclass(slots=True)
class PageImage:
    image: Image.Image
    dpi: float
    path: str  # workdir-relative


def render_page(
    document: pdfium.PdfDocument, index: int, dpi: float, rotation: int = 0, page: pdfium.PdfPage | None = None
) -> Image.Image:
    """The page as an RGB(X) image at `dpi`, turned `rotation` degrees clockwise beyond /Rotate;
    `page`, when given, is page `index` already loaded (and closed here)."""
    if page is None:
        page = document[index]
    try:
        width, height = page.get_size()
        check_pixels(round(width * dpi / 72.0), round(height * dpi / 72.0), f"Page {index + 1} at {dpi:g} dpi")
        # pdfium draws 4-byte pixels natively: asking for them (RGBX) skips a conversion
        # pass, and JPEG encodes RGBX as it does RGB
        bitmap = page.render(
            scale=dpi / 72.0, rotation=rotation, may_draw_forms=True, prefer_bgrx=True, rev_byteorder=True
        )
        image: Image.Image = bitmap.to_pil()
        return image
    finally:
        page.close()


def is_blank(image: Image.Image) -> bool:
    """Whether the page image is (nearly) empty paper: nothing for OCR to read.
    Looks at a small grayscale thumbnail, so the test costs next to nothing."""
    thumbnail = image.convert("L").reduce(8)
    darkest = thumbnail.getextrema()[0]  # (min, max) of the one band
    return isinstance(darkest, (int, float)) and darkest >= 235


def write_jpeg(image: Image.Image, relative: str, workdir: Path) -> None:
    target = workdir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    image.save(target, "JPEG", quality=_JPEG_QUALITY, optimize=False)


def save_page(image: Image.Image, page_number: int, dpi: float, workdir: Path) -> PageImage:
    relative = page_path(page_number)
    write_jpeg(image, relative, workdir)
    return PageImage(image=image, dpi=dpi, path=relative)


def page_path(page_number: int) -> str:
    return f"pages/{page_number}.jpg"


def crop_path(name: str) -> str:
    return f"segments/{name}.jpg"


def save_crop(page: PageImage, box: Box, name: str, workdir: Path) -> str:
    """Crop `box` (page points) out of the page image; returns the workdir-relative path."""
    scale = page.dpi / 72.0
    width, height = page.image.size
    left = max(0, int((box.x0 - CROP_PADDING) * scale))
    top = max(0, int((box.y0 - CROP_PADDING) * scale))
    right = min(width, int((box.x1 + CROP_PADDING) * scale) + 1)
    bottom = min(height, int((box.y1 + CROP_PADDING) * scale) + 1)
    if right - left < 2 or bottom - top < 2:
        left, top, right, bottom = 0, 0, width, height
    relative = crop_path(name)
    write_jpeg(page.image.crop((left, top, right, bottom)), relative, workdir)
    return relative
