"""Office pages → pb.Segment, through the same rendering as PDF regions.

Two things a Region cannot say are added here: a list item's nesting (indented
Markdown, nested HTML lists) and an embedded picture's own image, stored as the
segment's crop the way PDF crops are stored (`segments/{segment_id}.jpg`).
"""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from PIL import Image

from protos import tasks_pb2 as pb
from server.pipeline.office import OfficePage
from server.pipeline.segments import Placement, finish, is_ignored, page_segment, segment_id, to_segment, wants_crop

log = logging.getLogger(__name__)

MARGIN_TYPES = frozenset({pb.SEGMENT_TYPE_PAGE_HEADER, pb.SEGMENT_TYPE_PAGE_FOOTER})
_MAX_PICTURE_SIDE = 2048  # pixels; a 6000-pixel photo in a report is stored at a size a page render would have
_JPEG_QUALITY = 85


def page_segments(page: OfficePage, config: pb.Configuration, namespace: uuid.UUID, workdir: Path) -> list[pb.Segment]:
    """One page's segments in reading order, without the types the configuration ignores."""

    def place(index: int) -> Placement:
        return Placement(segment_id(namespace, page.number, index), page.number, page.width, page.height)

    if config.segmentation_strategy == pb.SEGMENTATION_STRATEGY_PAGE:
        body = [b.region for b in page.all_blocks() if b.region.kind not in MARGIN_TYPES]
        segments = [page_segment(body, place(0), config)] if body else []
    else:
        segments = []
        previous_depth = -1  # depth of the list item just before, -1 after anything else
        for index, item in enumerate(page.all_blocks()):
            segment = to_segment(item.region, place(index), config)
            if item.region.kind == pb.SEGMENT_TYPE_LIST_ITEM:
                # Markdown nests an item only under an item one level up; deeper jumps are flattened.
                depth = min(item.depth, previous_depth + 1)
                _nest(segment, depth, config)
                previous_depth = depth
            else:
                previous_depth = -1
            if item.image is not None and wants_crop(config, segment.segment_type):
                segment.image = save_picture(item.image, segment.segment_id, workdir) or ""
            segments.append(segment)
    return [s for s in segments if not is_ignored(config, s.segment_type)]


def _nest(segment: pb.Segment, depth: int, config: pb.Configuration) -> None:
    if depth <= 0:
        return
    segment.markdown = "    " * depth + segment.markdown
    tag = "ol" if segment.html.startswith("<ol") else "ul"
    segment.html = f"<{tag}><li>" * depth + segment.html + f"</li></{tag}>" * depth
    finish(segment, config)


def save_picture(data: bytes, name: str, workdir: Path) -> str | None:
    """The embedded image as a JPEG crop; None for formats Pillow cannot draw (EMF, WMF, SVG)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image.thumbnail((_MAX_PICTURE_SIDE, _MAX_PICTURE_SIDE))
            flat = _flatten(image)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        log.info("picture %s not stored: %s", name, exc)
        return None
    relative = f"segments/{name}.jpg"
    target = workdir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    flat.save(target, "JPEG", quality=_JPEG_QUALITY)
    return relative


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.split()[-1])
        return background
    return image if image.mode in ("RGB", "L") else image.convert("RGB")


def all_segments(
    pages: Iterable[OfficePage],
    config: pb.Configuration,
    namespace: uuid.UUID,
    workdir: Path,
    progress: Callable[[str, int, int], None],
) -> tuple[list[pb.Segment], int]:
    """Every page's segments, and how many pages there were."""
    segments: list[pb.Segment] = []
    count = 0
    for page in pages:
        count += 1
        segments.extend(page_segments(page, config, namespace, workdir))
        progress("Segmenting", count, 0)
    return segments, count
