"""Page renders and segment crops: drawing a page, writing it and cutting crops out of it.

Files go under the task's workdir and are referenced by workdir-relative paths. A PDF's
pages are drawn in a process of their own (`server.pipeline.drawing`) while a core would
otherwise idle, or here, in the pipeline process (`InProcessImages`), when every core
already runs a task: then a page and its fonts are parsed once, not in both processes.
"""

from __future__ import annotations

import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
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


@dataclass(slots=True)
class Drawn:
    """A page drawn; `image` only when the pipeline asked for the pixels (OCR), or drawn in-process."""

    index: int
    dpi: float
    rotation: int
    image: Image.Image | None
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


class InProcessImages:
    """A document's page images and crops, drawn in this process on one background thread
    and written with their crops on another; the interface of `drawing.PageImages`.

    Drawing (pdfium) and JPEG encoding both release the GIL, so page N+1 is drawn while
    page N is encoded and the main thread lays out a page. pdfium must never be called
    from two threads at once: whoever else calls it holds `pdfium_lock`. The first `depth`
    pages may be drawn ahead of their turn (`prepare`); otherwise at most `depth` pages
    wait to be written, so no more bitmaps than about twice that are ever held."""

    def __init__(self, document: pdfium.PdfDocument, workdir: Path, depth: int = 2) -> None:
        self._document = document
        self._workdir = workdir
        self._depth = depth
        self.pdfium_lock = threading.Lock()
        self._renderer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="page-render")
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="page-write")
        self._pending: deque[Future[None]] = deque()
        self._early: dict[int, tuple[float, int, Future[Drawn]]] = {}
        self._held: dict[int, pdfium.PdfPage] = {}  # pages the text pass loaded, kept to be drawn

    def hold(self, index: int, page: pdfium.PdfPage) -> bool:
        """Keep page `index`, loaded to read its text, to draw it without loading it again
        (pdfium parses the content stream on every load); at most `depth` pages are kept.
        False: the caller closes it. Call with `pdfium_lock` held."""
        if len(self._held) >= self._depth or index in self._held or index in self._early:
            return False
        self._held[index] = page
        return True

    def prepare(self, index: int, dpi: float, rotation: int, pixels: bool = False) -> None:
        """Start drawing page `index` before its turn, if fewer than `depth` pages are drawn ahead."""
        if len(self._early) < self._depth and index not in self._early:
            page = self._held.pop(index, None)
            self._early[index] = (dpi, rotation, self._renderer.submit(self._render, index, dpi, rotation, page))

    def render(self, index: int, dpi: float, rotation: int, pixels: bool = False) -> Future[Drawn]:
        """Start drawing page `index` (0-based), or take the drawing `prepare` started; the
        drawing always holds the bitmap, until the page is written."""
        early = self._early.pop(index, None)
        if early is not None:
            if early[:2] == (dpi, rotation):
                return early[2]
            early[2].add_done_callback(_discard)
        while len(self._pending) >= self._depth:
            self._pending.popleft().result()
        return self._renderer.submit(self._render, index, dpi, rotation, self._held.pop(index, None))

    def _render(self, index: int, dpi: float, rotation: int, page: pdfium.PdfPage | None = None) -> Drawn:
        with self.pdfium_lock:
            bitmap = render_page(self._document, index, dpi, rotation, page)
        return Drawn(index, dpi, rotation, bitmap, page_path(index + 1))

    def write(self, drawing: Future[Drawn], crops: list[tuple[Box, str]]) -> None:
        """Write the page image and each (box, name) crop as `crop_path(name)`, then free the bitmap."""
        self._pending.append(self._writer.submit(self._write, drawing, crops))

    def _write(self, drawing: Future[Drawn], crops: list[tuple[Box, str]]) -> None:
        drawn = drawing.result()
        assert drawn.image is not None  # drawn here: the bitmap is kept until now
        try:
            write_jpeg(drawn.image, drawn.path, self._workdir)
            page = PageImage(image=drawn.image, dpi=drawn.dpi, path=drawn.path)
            for box, name in crops:
                save_crop(page, box, name, self._workdir)
        finally:
            drawn.image.close()

    def close(self) -> None:
        """Wait for every write; raises the first one that failed. Drawings never used are dropped."""
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            for _, _, early in self._early.values():
                early.add_done_callback(_discard)
            self._early.clear()
            self._writer.shutdown(wait=True, cancel_futures=True)
            self._renderer.shutdown(wait=True, cancel_futures=True)
            with self.pdfium_lock:
                for page in self._held.values():
                    page.close()
                self._held.clear()


def _discard(drawing: Future[Drawn]) -> None:
    """Free the bitmap of a drawing nobody will write."""
    if not drawing.cancelled() and drawing.exception() is None:
        image = drawing.result().image
        if image is not None:
            image.close()
