"""Where LibreOffice is installed: the document laid out as a PDF gives the natively
read segments their page numbers, bounding boxes and page images.

The segments keep their text and structure; only their place changes. Each one is
found in the PDF's word stream by its first words, searching forward from where
the previous one ended, so the reading order the file states is kept; a picture
takes the next image box on or after the current page. A segment not found keeps
the page of the segment before it, with no box.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pypdfium2 as pdfium

from protos import tasks_pb2 as pb
from server.errors import PipelineError
from server.pipeline import ProgressFn
from server.pipeline.convert import office_to_pdf
from server.pipeline.geometry import Box, union_all
from server.pipeline.images import HIGH_DPI, LOW_DPI, render_page, save_crop, save_page
from server.pipeline.pdf.extract import extract_page
from server.pipeline.segments import wants_crop

if TYPE_CHECKING:
    from server.pipeline.office.document import OfficeResult

log = logging.getLogger(__name__)
LAID_OUT = "pages, boxes and page images from LibreOffice's layout of the document"
_TOKEN = re.compile(r"\w+", re.UNICODE)
_ANCHOR_WORDS = 4  # a segment is found where its first words are, in order
_SEARCH_WINDOW = 20_000  # words searched past the cursor before a segment counts as not found


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).lower())


@dataclass(slots=True)
class _Token:
    text: str
    page: int  # 0-based
    box: Box


@dataclass
class _Pdf:
    stream: list[_Token]
    sizes: list[tuple[float, float]]
    images: list[list[Box]]  # per page, image boxes in reading order


def _read(pdf: pdfium.PdfDocument) -> _Pdf:
    stream: list[_Token] = []
    sizes: list[tuple[float, float]] = []
    images: list[list[Box]] = []
    for index in range(len(pdf)):
        content = extract_page(pdf, index)
        sizes.append((content.width, content.height))
        images.append(sorted(content.images, key=lambda b: (b.y0, b.x0)))
        for word in content.words:
            stream.extend(_Token(t, index, word.box) for t in tokens(word.text))
    return _Pdf(stream, sizes, images)


def _find(wanted: list[str], pdf: _Pdf, begin: int, used: set[int]) -> int | None:
    """Where `wanted`'s first words start, at or after `begin`, in words not yet taken."""
    anchor = wanted[:_ANCHOR_WORDS]
    stream = pdf.stream
    end = min(len(stream) - len(anchor) + 1, begin + _SEARCH_WINDOW)
    for start in range(begin, end):
        if start not in used and all(stream[start + i].text == anchor[i] for i in range(len(anchor))):
            return start
    # the PDF may split a word where the file has none ("l1" drawn as "l" and "1"): compare letters only
    letters = "".join(anchor)
    for start in range(begin, min(len(stream), begin + _SEARCH_WINDOW)):
        if start in used or not letters.startswith(stream[start].text):
            continue
        joined, i = "", start
        while i < len(stream) and len(joined) < len(letters) and letters.startswith(joined + stream[i].text):
            joined += stream[i].text
            i += 1
        if joined == letters:
            return start
    return None


@dataclass(slots=True)
class _Place:
    segment: pb.Segment
    page: int  # 0-based
    box: Box | None  # None: not found, on the page of the segment before it


def _locate(segments: list[pb.Segment], pdf: _Pdf) -> list[_Place]:
    """Where each segment is in the PDF.
    The search starts at the top of the current page, not at the last match: slides and
    floating frames are drawn in an order of their own, so a page's words may come in any order."""
    page_start = [len(pdf.stream)] * (len(pdf.sizes) + 1)  # first word of each page; a page without words: the next's
    for index in range(len(pdf.stream) - 1, -1, -1):
        page_start[pdf.stream[index].page] = index
    for page_index in range(len(pdf.sizes) - 1, -1, -1):
        page_start[page_index] = min(page_start[page_index], page_start[page_index + 1])
    places: list[_Place] = []
    page = 0
    used: set[int] = set()
    used_images: set[tuple[int, int]] = set()
    for segment in segments:
        wanted = tokens(segment.text)
        box: Box | None = None
        if wanted:
            start = _find(wanted, pdf, page_start[page], used)
            if start is not None:
                page = pdf.stream[start].page
                span = range(start, min(start + len(wanted), len(pdf.stream)))
                used.update(span)
                box = union_all(pdf.stream[i].box for i in span if pdf.stream[i].page == page)
        elif segment.segment_type == pb.SEGMENT_TYPE_PICTURE:
            found = next(
                ((p, i) for p in range(page, len(pdf.images)) for i in range(len(pdf.images[p]))
                 if (p, i) not in used_images),
                None,
            )  # fmt: skip
            if found is not None:
                used_images.add(found)
                page = found[0]
                box = pdf.images[page][found[1]]
        places.append(_Place(segment, page, box))
    return places


def _apply(places: list[_Place], pdf: _Pdf) -> None:
    for place in places:
        segment, box = place.segment, place.box
        segment.page_number = place.page + 1
        segment.page_width, segment.page_height = pdf.sizes[place.page]
        if box is not None:
            segment.bbox.CopyFrom(pb.BoundingBox(left=box.x0, top=box.y0, width=box.width, height=box.height))


def place_on_pdf(
    result: OfficeResult, path: Path, mime_type: str, config: pb.Configuration, workdir: Path, progress: ProgressFn
) -> None:
    """Page numbers, boxes, page images and crops from LibreOffice's PDF of the document.
    A conversion that fails leaves the natively read segments as they are, and says so."""
    progress("Converting", 0, 0)
    try:
        pdf_path = office_to_pdf(path, mime_type, workdir)
        pdf = pdfium.PdfDocument(str(pdf_path))
    except (PipelineError, pdfium.PdfiumError) as exc:
        reason = exc.message if isinstance(exc, PipelineError) else "its PDF could not be read"
        result.notes.append(f"LibreOffice could not lay the document out ({reason}): no page images or boxes")
        return
    try:
        laid_out = _read(pdf)
        if not laid_out.sizes:
            raise PipelineError("the PDF has no pages")
        places = _locate(result.segments, laid_out)
        pages = _render(pdf, laid_out, places, config, workdir, progress)
    except Exception as exc:  # pdfium on LibreOffice's output: the native segments stand without it
        log.warning("placing office segments on LibreOffice's PDF failed: %r", exc)
        result.notes.append("LibreOffice's layout of the document could not be read: no page images or boxes")
        return
    finally:
        pdf.close()
    _apply(places, laid_out)
    result.pages.extend(pages)
    result.page_count = len(pages)
    result.pdf_path = pdf_path
    result.notes.append(LAID_OUT)


def _render(
    pdf: pdfium.PdfDocument,
    laid_out: _Pdf,
    places: list[_Place],
    config: pb.Configuration,
    workdir: Path,
    progress: ProgressFn,
) -> list[pb.Page]:
    """Every page image, and the crops of the segments found on it (pictures keep their own image)."""
    dpi = HIGH_DPI if config.high_resolution else LOW_DPI
    by_page: dict[int, list[_Place]] = {}
    for place in places:
        if place.box is not None:
            by_page.setdefault(place.page, []).append(place)
    pages: list[pb.Page] = []
    for index in range(len(pdf)):
        image = save_page(render_page(pdf, index, dpi), index + 1, dpi, workdir)
        width, height = laid_out.sizes[index]
        pages.append(pb.Page(image=image.path, page_number=index + 1, page_width=width, page_height=height, dpi=dpi))
        for place in by_page.get(index, []):
            segment = place.segment
            if place.box is not None and not segment.image and wants_crop(config, segment.segment_type):
                segment.image = save_crop(image, place.box, segment.segment_id, workdir)
        image.image.close()
        progress("Rendering", index + 1, len(pdf))
    return pages
