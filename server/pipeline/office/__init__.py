"""DOCX, PPTX and XLSX read from their own XML: what the file states (heading
levels, list nesting, cell spans, slide titles, sheet names) is read, not guessed
back from a PDF rendering.

Each reader yields `OfficePage`s of `Block`s in reading order; `segments.py`
turns them into the same segments a PDF gives.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from server.pipeline.geometry import Box
from server.pipeline.regions import Region

NO_BOX = Box(0.0, 0.0, 0.0, 0.0)
LETTER = (612.0, 792.0)


@dataclass(slots=True)
class Block:
    """One future segment: its region, plus what a Region has no field for."""

    region: Region
    depth: int = 0  # list nesting, 0 for a top-level item
    image: bytes | None = None  # an embedded picture, as stored in the file


@dataclass(slots=True)
class OfficePage:
    """A page as the document defines it: a Word page between its breaks, a slide, a sheet."""

    number: int
    width: float
    height: float
    blocks: list[Block] = field(default_factory=list)
    stream: Iterable[Block] = ()  # further blocks, read only as they are consumed (a sheet's tables)

    def all_blocks(self) -> Iterator[Block]:
        yield from self.blocks
        yield from self.stream


@dataclass
class OfficeDocument:
    """Pages, produced one at a time (a workbook streams sheet by sheet); `notes` fills as they are read."""

    pages: Iterator[OfficePage]
    notes: list[str] = field(default_factory=list)  # "hidden sheet 'Costs'", for the task message


def block(kind: int, text: str, **extra: object) -> Block:
    depth = int(extra.pop("depth", 0))  # type: ignore[call-overload]  # depth is an int
    image = extra.pop("image", None)
    return Block(Region(kind, NO_BOX, text, confidence=1.0, **extra), depth, image)  # type: ignore[arg-type]  # Region's fields; image: bytes


def read_office(path: Path, mime_type: str) -> OfficeDocument:
    """The document's pages; raises PipelineError when the file cannot be read."""
    from server.pipeline import detect

    if mime_type == detect.DOCX:
        from server.pipeline.office import docx

        return docx.read(path)
    if mime_type == detect.PPTX:
        from server.pipeline.office import pptx

        return pptx.read(path)
    from server.pipeline.office import xlsx

    return xlsx.read(path)
