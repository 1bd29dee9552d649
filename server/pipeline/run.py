"""The pipeline's stages in order, for one document.

convert (office/image → PDF) → extract every page's text layer (cheap, kept as
small records) → document statistics (body font, heading sizes, running
headers) → per page: render, OCR where needed, layout, segments, crops → chunk.
Page images are drawn and written by a drawing process beside this one
(`server.pipeline.drawing`), which holds a bounded number of bitmaps, or, when the worker
says every core is busy, on threads of this process (`images.InProcessImages`).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image
from pypdfium2 import raw

from protos import tasks_pb2 as pb
from server.errors import PipelineError, UnsupportedFileType
from server.pipeline import PipelineResult, ProgressFn, detect, limits
from server.pipeline.chunking import build_chunks, token_counter
from server.pipeline.convert import (
    check_unpacked_size,
    image_to_pdf,
    office_to_pdf,
    over_page_limit,
    spreadsheet_to_html,
)
from server.pipeline.geometry import Box
from server.pipeline.drawing import PageImages
from server.pipeline.images import HIGH_DPI, LOW_DPI, Drawn, InProcessImages, crop_path, is_blank, page_path
from server.pipeline.office.document import NATIVE, process_office
from server.pipeline.pdf import garbled
from server.pipeline.pdf.extract import PageContent, Word, extract_loaded
from server.pipeline.pdf.layout import analyse_page
from server.pipeline.pdf.lines import Line, build_lines
from server.pipeline.pdf.stats import DocumentStats, StatsBuilder
from server.pipeline.regions import Region
from server.pipeline import reread
from server.pipeline.segments import (
    Placement,
    finish,
    is_ignored,
    join_as_page,
    page_segment,
    segment_id,
    to_segment,
    wants_crop,
)
from server.pipeline.textdoc import (
    PAGE_HEIGHT,
    PAGE_WIDTH,
    html_regions,
    markdown_regions,
    plain_text_regions,
    spreadsheet_regions,
)

log = logging.getLogger(__name__)

OCR_DPI = 200.0  # OCR reads best at 150-200 dpi, whatever the page image resolution
_OFFICE = frozenset({detect.OLE, detect.ODT, detect.ODP})  # through LibreOffice; DOCX/PPTX/XLSX are read natively
_IMAGES = frozenset({detect.PNG, detect.JPEG, detect.WEBP, detect.TIFF})
_ZIPPED = frozenset({detect.DOCX, detect.PPTX, detect.XLSX, detect.ODT, detect.ODS, detect.ODP})
_MARGIN_TYPES = frozenset({pb.SEGMENT_TYPE_PAGE_HEADER, pb.SEGMENT_TYPE_PAGE_FOOTER})


@dataclass
class Notes:
    """What the task message reports besides success."""

    skipped: list[str] = field(default_factory=list)  # "page 3: ..."
    no_text_pages: list[int] = field(default_factory=list)
    ocr_missing: str = ""  # the install hint, when OCR was needed and absent
    ocr_pages: list[int] = field(default_factory=list)  # the pages OCR read
    garbled_pages: list[int] = field(default_factory=list)  # read by OCR: their text layer is not the text drawn
    unchecked_pages: list[int] = field(default_factory=list)  # text layer of raw font codes, OCR absent to check it
    mended_pages: list[int] = field(default_factory=list)  # part of the text layer garbled: OCR read that part
    remarks: list[str] = field(default_factory=list)  # anything else the reader should know

    def message(self) -> str:
        parts = ["Task succeeded"]
        parts.extend(f"skipped {note}" for note in self.skipped)
        parts.extend(self.remarks)
        if self.garbled_pages:
            pages = _page_list(self.garbled_pages)
            parts.append(f"the text layer of {pages} does not match the text drawn, so OCR read it")
        if self.mended_pages:
            pages = _page_list(self.mended_pages)
            parts.append(f"part of the text layer of {pages} does not match the text drawn, so OCR read that part")
        if self.unchecked_pages and self.ocr_missing:
            pages = _page_list(self.unchecked_pages)
            parts.append(
                f"the text layer of {pages} comes from fonts without a Unicode map (or with one whose words read as"
                " no language) and may not match the text drawn;"
                f" OCR, which would check it, is not installed ({self.ocr_missing})"
            )
        if self.no_text_pages and self.ocr_missing:
            pages = _page_list(self.no_text_pages)
            parts.append(f"no text layer was found on {pages} and OCR is not installed ({self.ocr_missing})")
        return "; ".join(parts)


def _page_list(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"pages {numbers[0]}-{numbers[-1]}"
    return "pages " + ", ".join(str(n) for n in numbers)


def _namespace(path: Path) -> uuid.UUID:
    """The document's id space: segment and chunk ids derive from the file's digest,
    so the same file gives the same ids on every run and different files never collide."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return uuid.uuid5(uuid.NAMESPACE_URL, f"chunkd:{digest.hexdigest()}")


def open_pdf(path: Path) -> pdfium.PdfDocument:
    """The document, or a PipelineError saying in plain words why it cannot be read."""
    if path.stat().st_size == 0:
        raise PipelineError("The file is empty")
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == raw.FPDF_ERR_PASSWORD:
            raise PipelineError("The PDF is password-protected") from None
        if code == raw.FPDF_ERR_SECURITY:
            raise PipelineError("The PDF uses an unsupported security handler") from None
        raise PipelineError("The PDF is damaged or truncated and cannot be read") from None
    if len(document) == 0:
        document.close()
        raise PipelineError("The PDF has no pages")
    if len(document) > limits.current().max_pages:
        count = len(document)
        document.close()
        raise PipelineError(over_page_limit(count))
    if document.get_formtype() != raw.FORMTYPE_NONE:
        document.init_forms()  # before any page loads: field values are read, and drawn on page images
    return document


def _page_failure(number: int, exc: Exception, config: pb.Configuration, notes: Notes) -> None:
    """Under error_handling Continue a broken page is skipped and noted; otherwise the task fails."""
    reason = exc.message if isinstance(exc, PipelineError) else "the page could not be read"
    if isinstance(exc, MemoryError):
        reason = "it needs more memory than a pipeline process may use (CHUNKD_MAX_PROCESS_MEMORY)"
    if not isinstance(exc, PipelineError):
        log.warning("page %d failed: %r", number, exc)
    if config.error_handling == pb.ERROR_HANDLING_CONTINUE:
        notes.skipped.append(f"page {number}: {reason}")
        return
    raise PipelineError(f"Page {number} could not be processed: {reason}") from None


@dataclass
class _Document:
    """Per-run state of a paged document, so the stage functions stay small."""

    pdf: pdfium.PdfDocument
    config: pb.Configuration
    workdir: Path
    namespace: uuid.UUID
    notes: Notes
    progress: ProgressFn
    images: PageImages | InProcessImages
    pages: list[pb.Page] = field(default_factory=list)
    # page number → garbled.judge: the page suspect, or its words to read again; asked several times a page
    judged: dict[int, tuple[bool, list[Word]]] = field(default_factory=dict)


def _ocr_segments(doc: _Document, image: Image.Image, content: PageContent) -> list[pb.Segment] | None:
    """OCR's segments for the page, or None when OCR is not installed."""
    try:
        from server.pipeline import ocr
    except ImportError:
        doc.notes.ocr_missing = "install the `chunkd[ocr]` extra"
        return None
    try:
        if not ocr.available():
            raise ocr.OcrUnavailable()
        use_layout = doc.config.segmentation_strategy != pb.SEGMENTATION_STRATEGY_PAGE
        rgb = image.convert("RGB")
        return ocr.read_page(rgb, content.number, content.width, content.height, use_layout=use_layout)
    except ocr.OcrUnavailable as exc:
        if doc.config.ocr_strategy == pb.OCR_STRATEGY_ALL:
            raise
        doc.notes.ocr_missing = exc.message
        return None


def _read_by_ocr(doc: _Document, image: Image.Image, content: PageContent, suspect: bool) -> list[pb.Segment] | None:
    """OCR's segments; where OCR only checks a text layer that may well be right, an OCR
    failure leaves that text layer in place instead of failing the page."""
    try:
        return _ocr_segments(doc, image, content)
    except Exception as exc:
        if not suspect or type(exc).__name__ == "OcrUnavailable":
            raise
        log.warning("page %d: OCR failed (%r), its text layer is kept unchecked", content.number, exc)
        return None


def _place(doc: _Document, content: PageContent, index: int) -> Placement:
    return Placement(segment_id(doc.namespace, content.number, index), content.number, content.width, content.height)


def _text_layer_segments(
    doc: _Document, content: PageContent, lines: list[Line], stats: DocumentStats
) -> list[pb.Segment]:
    regions = analyse_page(content, lines, stats)
    if doc.config.segmentation_strategy == pb.SEGMENTATION_STRATEGY_PAGE:
        body = [r for r in regions if r.kind not in _MARGIN_TYPES]
        return [page_segment(body, _place(doc, content, 0), doc.config)]
    return [to_segment(region, _place(doc, content, index), doc.config) for index, region in enumerate(regions)]


def _picture_of_page(doc: _Document, content: PageContent) -> pb.Segment:
    """A page without text and without OCR: the whole page as a picture (or a Page segment)."""
    page_strategy = doc.config.segmentation_strategy == pb.SEGMENTATION_STRATEGY_PAGE
    kind = pb.SEGMENT_TYPE_PAGE if page_strategy else pb.SEGMENT_TYPE_PICTURE
    region = Region(kind, Box(0, 0, content.width, content.height), "", confidence=1.0)
    return to_segment(region, _place(doc, content, 0), doc.config)


def _judged(doc: _Document, content: PageContent) -> tuple[bool, list[Word]]:
    if doc.config.ocr_strategy == pb.OCR_STRATEGY_ALL:
        return False, []
    known = doc.judged.get(content.number)
    if known is None:
        known = doc.judged[content.number] = garbled.judge(content)
    return known


def _suspect(doc: _Document, content: PageContent) -> bool:
    """Raw font codes on the page: OCR tells whether they are the text."""
    return _judged(doc, content)[0]


def _doubtful_part(doc: _Document, content: PageContent) -> list[Word]:
    """Words of a page garbled in part (one font, one region): OCR reads just those again."""
    return _judged(doc, content)[1]


def _needs_ocr(doc: _Document, content: PageContent) -> bool:
    everything = doc.config.ocr_strategy == pb.OCR_STRATEGY_ALL
    return everything or not content.has_usable_text or _suspect(doc, content)


def _image_dpi(config: pb.Configuration) -> float:
    return HIGH_DPI if config.high_resolution else LOW_DPI


def _dpi(doc: _Document, content: PageContent) -> float:
    """The page image's resolution: OCR's when OCR will read it, or a part of it."""
    dpi = _image_dpi(doc.config)
    return max(dpi, OCR_DPI) if _wants_pixels(doc, content) else dpi


def _wants_pixels(doc: _Document, content: PageContent) -> bool:
    """Whether OCR may read the page, or a part of it: the drawing process then sends its pixels back."""
    return _needs_ocr(doc, content) or bool(_doubtful_part(doc, content))


def _mend(doc: _Document, pixels: Image.Image | None, content: PageContent, lines: list[Line]) -> list[Line]:
    """The page's lines, with the words of a garbled part read again by OCR where OCR is at hand."""
    doubtful = _doubtful_part(doc, content)
    if not doubtful or pixels is None:
        return lines
    try:
        from server.pipeline import ocr

        if not ocr.available():
            raise ocr.OcrUnavailable()
        words = reread.reread(pixels, content, doubtful)
    except ImportError:
        doc.notes.ocr_missing = doc.notes.ocr_missing or "install the `chunkd[ocr]` extra"
        doc.notes.unchecked_pages.append(content.number)
        return lines
    except Exception as exc:  # OCR only checks a text layer here: its failure leaves the layer as it is
        if type(exc).__name__ == "OcrUnavailable":
            doc.notes.ocr_missing = getattr(exc, "message", "") or doc.notes.ocr_missing
        else:
            log.warning("page %d: OCR of its garbled part failed (%r), its text layer is kept", content.number, exc)
        doc.notes.unchecked_pages.append(content.number)
        return lines
    if words is None:
        return lines
    content.words = words
    doc.notes.mended_pages.append(content.number)
    return build_lines(words)


def _render(doc: _Document, content: PageContent) -> Future[Drawn]:
    """Start drawing the page image (or take the drawing `_process_pdf` started early); it
    is written with its crops once the page's segments are known."""
    dpi = _dpi(doc, content)
    image = doc.images.render(content.number - 1, dpi, content.render_rotation, pixels=_wants_pixels(doc, content))
    doc.pages.append(
        pb.Page(
            image=page_path(content.number),
            page_number=content.number,
            page_width=content.width,
            page_height=content.height,
            dpi=dpi,
        )
    )
    return image


def _from_ocr(doc: _Document, content: PageContent, segments: list[pb.Segment]) -> list[pb.Segment]:
    """OCR's segments placed on our page with stable ids, or joined into one Page
    segment under segmentation strategy Page."""
    if doc.config.segmentation_strategy == pb.SEGMENTATION_STRATEGY_PAGE:
        return [join_as_page(segments, _place(doc, content, 0), doc.config)]
    for index, segment in enumerate(segments):
        place = _place(doc, content, index)
        segment.segment_id = place.segment_id
        segment.page_number, segment.page_width, segment.page_height = place.page_number, content.width, content.height
        finish(segment, doc.config)
    return segments


def _crops(doc: _Document, segments: list[pb.Segment]) -> list[tuple[Box, str]]:
    """The crops the configuration asks for, each segment pointing at its file to be."""
    crops: list[tuple[Box, str]] = []
    for segment in segments:
        if wants_crop(doc.config, segment.segment_type):
            b = segment.bbox
            crops.append((Box(b.left, b.top, b.left + b.width, b.top + b.height), segment.segment_id))
            segment.image = crop_path(segment.segment_id)
    return crops


def _process_page(doc: _Document, content: PageContent, lines: list[Line], stats: DocumentStats) -> list[pb.Segment]:
    """Render, OCR if needed, lay out, crop: one page's segments in reading order."""
    suspect = _suspect(doc, content)
    needs_ocr = _needs_ocr(doc, content)
    image = _render(doc, content)
    segments: list[pb.Segment] | None = None
    pixels = image.result().image if needs_ocr else None  # asked for when OCR may read the page
    if pixels is not None and not content.has_usable_text and not content.images and is_blank(pixels):
        segments = []  # an empty page: nothing to read, and OCR would spend seconds finding that out
    elif pixels is not None:
        read = _read_by_ocr(doc, pixels, content, suspect)
        if read is not None and suspect and garbled.agrees(content, " ".join(s.text for s in read)):
            read = None  # the codes spell what is drawn: the text layer stands, with its fonts and exact boxes
        elif read is not None and suspect:
            doc.notes.garbled_pages.append(content.number)
        elif read is None and suspect:
            doc.notes.unchecked_pages.append(content.number)
        if read is not None:
            doc.notes.ocr_pages.append(content.number)
            segments = _from_ocr(doc, content, read)
        elif not content.has_usable_text:
            doc.notes.no_text_pages.append(content.number)
            segments = [_picture_of_page(doc, content)]
    if segments is None:
        segments = _text_layer_segments(doc, content, _mend(doc, image.result().image, content, lines), stats)
    kept = [s for s in segments if not is_ignored(doc.config, s.segment_type)]
    image.result()  # drawn meanwhile; a page pdfium cannot draw fails here, as that page's failure
    doc.images.write(image, _crops(doc, kept))
    return kept


KEEP_PAGES = 150  # up to this many pages keep their extracted text between the passes; longer ones re-read it


def _read(doc: _Document, index: int) -> tuple[PageContent, list[Line]] | None:
    """Page `index`'s text layer, or None when the page is broken and Continue skips it."""
    try:
        with doc.images.pdfium_lock:  # in-process, the page-image thread may be drawing
            page = doc.pdf[index]
            try:
                content = extract_loaded(doc.pdf, page, index)
            except BaseException:
                page.close()
                raise
            if not doc.images.hold(index, page):  # in-process, drawn soon: not loaded twice
                page.close()
        return content, build_lines(content.words)
    except Exception as exc:  # pdfium or a hostile page: Fail or Continue decides
        _page_failure(index + 1, exc, doc.config, doc.notes)
        return None


def _process_pdf(doc: _Document) -> list[pb.Segment]:
    """Two passes: document statistics from every page, then layout page by page.
    Short documents keep pass one's records; long ones read each page again, so
    memory stays flat however long the document is."""
    total = len(doc.pdf)
    keep = total <= KEEP_PAGES
    kept: dict[int, tuple[PageContent, list[Line]]] = {}
    readable: list[int] = []
    builder = StatsBuilder()
    if doc.config.ocr_strategy != pb.OCR_STRATEGY_ALL:
        # the first page is drawn while its text is read, as most pages are: upright, no OCR
        doc.images.prepare(0, _image_dpi(doc.config), 0)
    for index in range(total):
        page = _read(doc, index)
        if page is not None:
            readable.append(index)
            # drawn (by the drawing process) while the later pages' text is read; a page
            # OCR will read is drawn in its turn, so its pixels are not held for long
            if not _needs_ocr(doc, page[0]):
                doc.images.prepare(index, _dpi(doc, page[0]), page[0].render_rotation)
            if page[0].has_usable_text:
                builder.add(*page)
            if keep:
                kept[index] = page
        doc.progress("Extracting", index + 1, total)
    if not readable:
        raise PipelineError("No page of the document could be read")
    stats = builder.build()
    segments: list[pb.Segment] = []
    for done, index in enumerate(readable, start=1):
        page = kept.pop(index, None) or _read(doc, index)
        if page is None:
            continue
        try:
            segments.extend(_process_page(doc, page[0], page[1], stats))
        except PipelineError as exc:
            if doc.config.error_handling != pb.ERROR_HANDLING_CONTINUE or type(exc).__name__ == "OcrUnavailable":
                raise
            _page_failure(index + 1, exc, doc.config, doc.notes)
        except Exception as exc:
            _page_failure(index + 1, exc, doc.config, doc.notes)
        doc.progress("Segmenting", done, total)
    return segments


_TEXT_READERS: dict[str, Callable[[str], list[Region]]] = {
    detect.HTML: html_regions,
    detect.MARKDOWN: markdown_regions,
    detect.TEXT: plain_text_regions,
}


def _is_workbook(path: Path, mime_type: str) -> bool:
    return mime_type == detect.ODS or (mime_type == detect.OLE and detect.ole_extension(path.read_bytes()) == ".xls")


def _text_document(
    path: Path, reader: Callable[[str], list[Region]], config: pb.Configuration, namespace: uuid.UUID
) -> list[pb.Segment]:
    """Segments of a document without pages: everything on page 1."""
    regions = reader(path.read_bytes().decode("utf-8", errors="replace"))

    def place(index: int) -> Placement:
        return Placement(segment_id(namespace, 1, index), 1, PAGE_WIDTH, PAGE_HEIGHT)

    if config.segmentation_strategy == pb.SEGMENTATION_STRATEGY_PAGE:
        segments = [page_segment(regions, place(0), config)]
    else:
        segments = [to_segment(r, place(i), config) for i, r in enumerate(regions)]
    return [s for s in segments if not is_ignored(config, s.segment_type)]


def run(
    input_path: Path,
    mime_type: str,
    config: pb.Configuration,
    workdir: Path,
    progress: ProgressFn,
    draw_apart: bool = True,
) -> PipelineResult:
    """See `server.pipeline.process`."""
    if mime_type not in detect.SUPPORTED:
        if mime_type == "application/x-empty":
            raise PipelineError("The file is empty")
        raise UnsupportedFileType(mime_type)
    if input_path.stat().st_size == 0:
        raise PipelineError("The file is empty")
    if mime_type in _ZIPPED:
        check_unpacked_size(input_path)  # before any reader, native or LibreOffice, inflates a member
    # fail on a bad tokenizer before the work
    count = token_counter(config.chunk_processing.tokenizer)
    workdir.mkdir(parents=True, exist_ok=True)
    namespace = _namespace(input_path)
    notes = Notes()
    output = pb.Output(mime_type=mime_type)
    pdf_path: Path | None = None
    if mime_type in _TEXT_READERS:
        segments = _text_document(input_path, _TEXT_READERS[mime_type], config, namespace)
        output.page_count = 1
    elif mime_type in NATIVE:
        office = process_office(input_path, mime_type, config, workdir, namespace, progress)
        segments, output.page_count, pdf_path = office.segments, office.page_count, office.pdf_path
        output.pages.extend(office.pages)
        notes.remarks.extend(office.notes)
    elif _is_workbook(input_path, mime_type):
        progress("Converting", 0, 0)
        html = spreadsheet_to_html(input_path, mime_type, workdir)
        segments = _text_document(html, spreadsheet_regions, config, namespace)
        output.page_count = 1
    else:
        if mime_type in _OFFICE:
            progress("Converting", 0, 0)
            pdf_path = office_to_pdf(input_path, mime_type, workdir)
        elif mime_type in _IMAGES:
            progress("Converting", 0, 0)
            pdf_path = image_to_pdf(input_path, workdir)
        else:
            pdf_path = input_path
        pdf = open_pdf(pdf_path)
        try:
            images = PageImages(pdf_path, workdir) if draw_apart else InProcessImages(pdf, workdir)
            doc = _Document(pdf, config, workdir, namespace, notes, progress, images)
            try:
                segments = _process_pdf(doc)
            finally:
                doc.images.close()
            output.page_count = len(pdf)
            output.pages.extend(doc.pages)
        finally:
            pdf.close()
    if config.chunk_processing.ignore_headers_and_footers:
        segments = [s for s in segments if s.segment_type not in _MARGIN_TYPES]
    progress("Chunking", output.page_count, output.page_count)
    output.chunks.extend(build_chunks(segments, config.chunk_processing.target_length, count, namespace))
    return PipelineResult(output=output, pdf_path=pdf_path, message=notes.message(), ocr_pages=len(notes.ocr_pages))
