"""The first, simple processing: one segment per PDF page from its text layer,
plain text as one segment, chunked by words. Replaced by layout analysis."""

from __future__ import annotations

import uuid
from pathlib import Path

import pypdfium2 as pdfium

from protos import tasks_pb2 as pb
from server.errors import PipelineError
from server.pipeline import PipelineResult, ProgressFn
from server.pipeline import detect


def _segment(text: str, page_number: int, width: float, height: float) -> pb.Segment:
    markdown = text.strip()
    return pb.Segment(
        segment_id=str(uuid.uuid4()),
        segment_type=pb.SEGMENT_TYPE_PAGE,
        bbox=pb.BoundingBox(left=0, top=0, width=width, height=height),
        page_number=page_number,
        page_width=width,
        page_height=height,
        content=markdown,
        text=markdown,
        markdown=markdown,
        html="".join(f"<p>{p}</p>" for p in markdown.split("\n\n") if p),
        confidence=1.0,
    )


def _chunks(segments: list[pb.Segment], target_length: int) -> list[pb.Chunk]:
    chunks: list[pb.Chunk] = []
    current: list[pb.Segment] = []
    length = 0
    for segment in segments:
        words = len(segment.content.split())
        if current and (target_length == 0 or length + words > target_length):
            chunks.append(pb.Chunk(chunk_id=str(uuid.uuid4()), chunk_length=length, segments=current))
            current, length = [], 0
        current.append(segment)
        length += words
    if current:
        chunks.append(pb.Chunk(chunk_id=str(uuid.uuid4()), chunk_length=length, segments=current))
    for chunk in chunks:
        chunk.content = chunk.embed = "\n\n".join(s.markdown for s in chunk.segments)
    return chunks


def process_simple(
    input_path: Path, mime_type: str, config: pb.Configuration, workdir: Path, progress: ProgressFn
) -> PipelineResult:
    segments: list[pb.Segment] = []
    pdf_path: Path | None = None
    if mime_type == detect.PDF:
        try:
            document = pdfium.PdfDocument(str(input_path))
        except pdfium.PdfiumError as exc:
            raise PipelineError(f"Could not open the PDF: {exc}") from None
        total = len(document)
        for index in range(total):
            page = document[index]
            width, height = page.get_size()
            text = page.get_textpage().get_text_range()
            segments.append(_segment(text, index + 1, width, height))
            progress("Extracting", index + 1, total)
        pdf_path = input_path
    elif mime_type in (detect.TEXT, detect.MARKDOWN):
        text = input_path.read_text("utf-8", errors="replace")
        segments.append(_segment(text, 1, 612, 792))
    else:
        raise PipelineError(f"Unsupported file type: {mime_type}")
    output = pb.Output(
        chunks=_chunks(segments, config.chunk_processing.target_length),
        mime_type=mime_type,
        page_count=max((s.page_number for s in segments), default=0),
    )
    return PipelineResult(output=output, pdf_path=pdf_path, message="Task succeeded")
