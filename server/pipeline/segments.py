"""Regions → pb.Segment, applying the task's per-type `segment_processing`.

This is where Chunkr's options take effect: Ignore leaves a type out, `format`
decides whether `content` carries the HTML or the Markdown, `embed_sources`
decides what `embed` (and so the chunk length) is made of, and `crop_image`
which types get an image.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from protos import tasks_pb2 as pb
from server.configuration import generation_for
from server.pipeline.geometry import Box
from server.pipeline.pdf.lines import join_lines
from server.pipeline.regions import Region
from server.pipeline.render import Rendered, render

_CROPPED_BY_DEFAULT = frozenset({pb.SEGMENT_TYPE_PICTURE, pb.SEGMENT_TYPE_TABLE})
_IGNORE = pb.GENERATION_STRATEGY_IGNORE


def is_ignored(config: pb.Configuration, segment_type: int) -> bool:
    """Whether segments of this type are left out of the output."""
    generation = generation_for(config, segment_type)
    return _IGNORE in (generation.strategy, generation.html, generation.markdown)


def wants_crop(config: pb.Configuration, segment_type: int) -> bool:
    crop = generation_for(config, segment_type).crop_image
    if crop == pb.CROPPING_STRATEGY_ALL:
        return True
    return crop == pb.CROPPING_STRATEGY_AUTO and segment_type in _CROPPED_BY_DEFAULT


def segment_id(namespace: uuid.UUID, page_number: int, index: int) -> str:
    """Stable across runs of the same file and configuration: derived from the
    document's digest, the page and the position in reading order."""
    return str(uuid.uuid5(namespace, f"{page_number}:{index}"))


def finish(segment: pb.Segment, config: pb.Configuration) -> pb.Segment:
    """Fill content/embed from html/markdown per the type's options (html/markdown
    already set, by our renderer or by OCR)."""
    if (not segment.html or not segment.markdown) and (segment.text or segment.content):
        rendered = render(segment.segment_type, segment.text or segment.content)
        segment.html = segment.html or rendered.html
        segment.markdown = segment.markdown or rendered.markdown
        segment.text = segment.text or rendered.content
    generation = generation_for(config, segment.segment_type)
    segment.content = segment.html if generation.format == pb.SEGMENT_FORMAT_HTML else segment.markdown
    parts: list[str] = []
    for source in generation.embed_sources:
        value = {
            pb.EMBED_SOURCE_CONTENT: segment.content,
            pb.EMBED_SOURCE_HTML: segment.html,
            pb.EMBED_SOURCE_MARKDOWN: segment.markdown,
            pb.EMBED_SOURCE_LLM: segment.llm,
        }.get(source, "")
        if value and value not in parts:
            parts.append(value)
    segment.embed = "\n".join(parts) or segment.text
    return segment


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a segment sits: its id and its page."""

    segment_id: str
    page_number: int
    page_width: float
    page_height: float


def _build(
    kind: int, box: Box, place: Placement, rendered: Rendered, confidence: float, config: pb.Configuration
) -> pb.Segment:
    segment = pb.Segment(
        segment_id=place.segment_id,
        segment_type=pb.SegmentType.ValueType(kind),
        bbox=pb.BoundingBox(left=box.x0, top=box.y0, width=box.width, height=box.height),
        page_number=place.page_number,
        page_width=place.page_width,
        page_height=place.page_height,
        text=rendered.content,
        html=rendered.html,
        markdown=rendered.markdown,
        confidence=confidence,
    )
    return finish(segment, config)


def _marked(region: Region) -> str:
    """The region's text with its superscripts and subscripts marked, where it has any."""
    if not any(word.script for line in region.lines for word in line.words):
        return ""
    return join_lines([line.marked for line in region.lines])


def to_segment(region: Region, place: Placement, config: pb.Configuration) -> pb.Segment:
    rendered = render(
        region.kind, region.text, level=region.level, code=region.code, table=region.table, marked=_marked(region)
    )
    return _build(region.kind, region.box, place, rendered, region.confidence, config)


def page_segment(regions: list[Region], place: Placement, config: pb.Configuration) -> pb.Segment:
    """Segmentation strategy Page: the page's analysed regions joined into one segment,
    so even one-segment-per-page output keeps its headings and tables."""
    parts = [render(r.kind, r.text, level=r.level, code=r.code, table=r.table, marked=_marked(r)) for r in regions]
    joined = Rendered(
        content="\n\n".join(r.content for r in parts if r.content),
        html="".join(r.html for r in parts),
        markdown="\n\n".join(r.markdown for r in parts if r.markdown),
    )
    return _build(pb.SEGMENT_TYPE_PAGE, Box(0, 0, place.page_width, place.page_height), place, joined, 1.0, config)


def join_as_page(segments: list[pb.Segment], place: Placement, config: pb.Configuration) -> pb.Segment:
    """Segments someone else made (OCR) as one Page segment, in their order."""
    for segment in segments:
        finish(segment, config)
    joined = Rendered(
        content="\n\n".join(s.text for s in segments if s.text),
        html="".join(s.html for s in segments),
        markdown="\n\n".join(s.markdown for s in segments if s.markdown),
    )
    page = _build(pb.SEGMENT_TYPE_PAGE, Box(0, 0, place.page_width, place.page_height), place, joined, 1.0, config)
    for segment in segments:
        page.ocr.extend(segment.ocr)
    return page
