"""The record every layout stage hands on: one classified element of a page."""

from __future__ import annotations

from dataclasses import dataclass, field

from server.pipeline.geometry import Box
from server.pipeline.pdf.lines import Line
from server.pipeline.tables import Table


@dataclass(slots=True)
class Region:
    """One classified element of a page, the future segment."""

    kind: int  # pb.SEGMENT_TYPE_*
    box: Box
    text: str
    lines: list[Line] = field(default_factory=list)
    table: Table | None = None
    level: int = 0  # heading depth for Title / SectionHeader
    code: bool = False  # monospace text, rendered as a code block
    confidence: float = 0.8
