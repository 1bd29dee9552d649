"""One office document from file to segments: read natively, and where LibreOffice
is installed also laid out as a PDF, only to place the segments on its pages."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from protos import tasks_pb2 as pb
from server.errors import PipelineError
from server.pipeline import ProgressFn, detect
from server.pipeline.convert import soffice_path
from server.pipeline.office import read_office
from server.pipeline.office.segments import all_segments

log = logging.getLogger(__name__)

NATIVE = frozenset({detect.DOCX, detect.PPTX, detect.XLSX})
WITHOUT_LAYOUT = (
    "read without LibreOffice (not installed): pages are the document's own page breaks or slides, "
    "without page images or bounding boxes"
)
_KIND = {detect.DOCX: "Word document", detect.PPTX: "PowerPoint presentation", detect.XLSX: "Excel workbook"}


@dataclass
class OfficeResult:
    segments: list[pb.Segment]
    page_count: int
    pages: list[pb.Page] = field(default_factory=list)  # page images, when LibreOffice laid the document out
    pdf_path: Path | None = None
    notes: list[str] = field(default_factory=list)  # for the task message


def process_office(
    path: Path, mime_type: str, config: pb.Configuration, workdir: Path, namespace: uuid.UUID, progress: ProgressFn
) -> OfficeResult:
    """Raises PipelineError with a readable message for a damaged file."""
    progress("Reading", 0, 0)
    try:
        document = read_office(path, mime_type)
        segments, count = all_segments(document.pages, config, namespace, workdir, progress)
    except PipelineError:
        raise
    except Exception as exc:  # a bad zip, missing parts, malformed XML: the libraries raise all kinds
        log.info("office document unreadable: %r", exc)
        raise PipelineError(f"The {_KIND[mime_type]} is damaged and cannot be read") from None
    result = OfficeResult(segments, count, notes=[f"skipped {note}" for note in document.notes])
    if mime_type == detect.XLSX:
        return result  # sheets are the pages; a PDF print of a sheet paginates it to no one's benefit
    if soffice_path() is None:
        result.notes.append(WITHOUT_LAYOUT)
        return result
    from server.pipeline.office.layout import place_on_pdf

    place_on_pdf(result, path, mime_type, config, workdir, progress)
    return result
