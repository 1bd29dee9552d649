"""Excel workbooks: one page per visible sheet, its name as the page's header, one
table per used range; charts and pictures after the tables.

Rows stream from the sheet XML through openpyxl's read-only parser, so a large
sheet is never held as cell objects: a run of consecutive non-empty rows is
gathered, split into used ranges (cells connected side by side or one above the
other, merged ranges included), emitted as tables and dropped, and runs longer
than `_BAND_ROWS` rows are emitted in pieces (each piece repeats the table's
first row, so every piece reads on its own). Formulas give the value Excel
cached when it last saved the file; a formula never calculated has none and
comes out empty. Hidden sheets are skipped and named in the task message.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from lxml import etree
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet._reader import WorkSheetParser

from protos import tasks_pb2 as pb
from server.pipeline.office import LETTER, Block, OfficeDocument, OfficePage, block
from server.pipeline.office.charts import chart_blocks
from server.pipeline.office.grid import Placed, grid_table
from server.pipeline.office.values import cell_text

_BAND_ROWS = 500  # rows gathered before a used range is emitted: bounds memory on long sheets
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
NS = {
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}


def _merges(archive: zipfile.ZipFile, member: str) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of every merged range. They follow the cells
    in the sheet XML, so they are found first by a byte scan that keeps nothing else."""
    found: list[tuple[int, int, int, int]] = []
    tail = b""
    with archive.open(member) as source:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            data = tail + chunk
            end = 0
            for match in _MERGE.finditer(data):
                bounds = range_boundaries(match.group(1).decode())
                found.append(tuple(int(b or 1) for b in bounds))  # type: ignore[arg-type]  # four bounds
                end = match.end()
            tail = data[max(end, len(data) - 200) :]
    return [m for m in found if m[2] > m[0] or m[3] > m[1]]


@dataclass
class _Band:
    """Consecutive non-empty rows: (row, col) → text."""

    cells: dict[tuple[int, int], str] = field(default_factory=dict)
    rows: int = 0


def _ranges(cells: dict[tuple[int, int], str], merges: list[tuple[int, int, int, int]]) -> list[set[tuple[int, int]]]:
    """Used ranges: groups of cells that touch side by side or one above the other; a merged
    range ties every cell it covers together."""
    parent: dict[tuple[int, int], tuple[int, int]] = {key: key for key in cells}

    def find(key: tuple[int, int]) -> tuple[int, int]:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def union(a: tuple[int, int], b: tuple[int, int]) -> None:
        if a in parent and b in parent:
            parent[find(a)] = find(b)

    for row, col in cells:
        union((row, col), (row, col + 1))
        union((row, col), (row + 1, col))
    for min_col, min_row, max_col, max_row in merges:
        anchor = (min_row, min_col)
        if anchor in parent:
            for r in range(min_row, max_row + 1):
                for c in range(min_col, max_col + 1):
                    union(anchor, (r, c))
    groups: dict[tuple[int, int], set[tuple[int, int]]] = {}
    for key in cells:
        groups.setdefault(find(key), set()).add(key)
    return sorted(groups.values(), key=lambda g: min(g))


def _tables(band: _Band, merges: list[tuple[int, int, int, int]]) -> Iterator[tuple[int, Block]]:
    """The band's used ranges as tables, top to bottom, each with its first row's number."""
    for group in _ranges(band.cells, merges):
        top = min(r for r, _ in group)
        bottom = max(r for r, _ in group)
        left = min(c for _, c in group)
        right = max(c for _, c in group)
        placed = [Placed(r - top, c - left, band.cells[(r, c)]) for r, c in group]
        for min_col, min_row, max_col, max_row in merges:
            if (min_row, min_col) in group:
                owner = next(p for p in placed if (p.row, p.col) == (min_row - top, min_col - left))
                owner.colspan, owner.rowspan = max_col - min_col + 1, max_row - min_row + 1
        table = grid_table(placed, bottom - top + 1, right - left + 1)
        if table is not None:
            yield top, block(pb.SEGMENT_TYPE_TABLE, "", table=table)


def _sheet_tables(
    archive: zipfile.ZipFile, member: str, shared_strings: list[str], workbook: openpyxl.Workbook
) -> Iterator[tuple[int, Block]]:
    """The sheet's tables with their first rows, streamed band by band."""
    merges = _merges(archive, member)
    band = _Band()
    last_row = 0
    first_row: dict[int, str] = {}  # the first row of the current run of rows, repeated atop its later pieces
    with archive.open(member) as source:
        parser = WorkSheetParser(
            source,
            shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for index, row in parser.parse():
            texts = {cell["column"]: cell_text(cell["value"]) for cell in row}
            texts = {c: t for c, t in texts.items() if t}
            if not texts:
                continue
            if band.cells and index != last_row + 1:
                yield from _tables(band, merges)
                band = _Band()
            elif band.rows >= _BAND_ROWS:
                yield from _tables(band, merges)
                band = _Band({(index - 1, col): text for col, text in first_row.items()})
            if not band.cells:
                first_row = texts
            for col, text in texts.items():
                band.cells[(index, col)] = text
            band.rows += 1
            last_row = index
    if band.cells:
        yield from _tables(band, merges)


def _related(archive: zipfile.ZipFile, member: str) -> dict[str, str]:
    """The part's relationships: id → member name in the archive."""
    folder, name = posixpath.split(member)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in archive.namelist():
        return {}
    root = etree.fromstring(archive.read(rels))
    return {
        rel.get("Id", ""): _resolve(folder, rel.get("Target", ""))
        for rel in root.iter(_REL)
        if rel.get("TargetMode") != "External"
    }


def _resolve(folder: str, target: str) -> str:
    """A relationship target as an archive member: relative to the part's folder, or from the root ("/xl/...")."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))


def _in_sheet_order(tables: Iterator[tuple[int, Block]], drawings: list[tuple[int, list[Block]]]) -> Iterator[Block]:
    """Tables and drawings interleaved by the row they start at: a chart anchored beside a
    range's first rows comes after that range and before the ranges below it."""
    waiting = iter(drawings)
    upcoming = next(waiting, None)
    for top, table in tables:
        while upcoming is not None and upcoming[0] < top:
            yield from upcoming[1]
            upcoming = next(waiting, None)
        yield table
    while upcoming is not None:
        yield from upcoming[1]
        upcoming = next(waiting, None)


def _drawings(archive: zipfile.ZipFile, member: str) -> list[tuple[int, list[Block]]]:
    """The sheet's charts and pictures, each with the (1-based) row it is anchored to, in sheet order."""
    found: list[tuple[int, int, list[Block]]] = []
    for target in (t for t in _related(archive, member).values() if "/drawings/" in t and t.endswith(".xml")):
        if target not in archive.namelist():
            continue
        targets = _related(archive, target)
        root = etree.fromstring(archive.read(target))
        for anchor in root:
            row = int(anchor.findtext("xdr:from/xdr:row", "0", NS)) + 1
            col = int(anchor.findtext("xdr:from/xdr:col", "0", NS)) + 1
            description = " ".join((anchor.xpath("string(.//xdr:cNvPr/@descr)", namespaces=NS) or "").split())
            chart = anchor.xpath(".//c:chart/@r:id", namespaces=NS)
            blip = anchor.xpath(".//a:blip/@r:embed", namespaces=NS)
            if chart and targets.get(str(chart[0])) in archive.namelist():
                chart_root = etree.fromstring(archive.read(targets[str(chart[0])]))
                found.append((row, col, list(chart_blocks(chart_root, description))))
            elif blip and targets.get(str(blip[0])) in archive.namelist():
                image = archive.read(targets[str(blip[0])])
                found.append((row, col, [block(pb.SEGMENT_TYPE_PICTURE, description, image=image)]))
    return [(row, blocks) for row, _, blocks in sorted(found, key=lambda f: f[:2])]


def _pages(path: Path, notes: list[str]) -> Iterator[OfficePage]:
    workbook = openpyxl.load_workbook(str(path), read_only=True, data_only=True, keep_links=False)
    try:
        archive: zipfile.ZipFile = workbook._archive
        number = 0
        for sheet in workbook.worksheets:
            if sheet.sheet_state != "visible":
                notes.append(f"hidden sheet '{sheet.title}'")
                continue
            number += 1
            member = sheet._worksheet_path.lstrip("/")
            heading = block(pb.SEGMENT_TYPE_SECTION_HEADER, sheet.title, level=2)
            tables = _sheet_tables(archive, member, sheet._shared_strings, workbook)
            yield OfficePage(number, *LETTER, [heading], _in_sheet_order(tables, _drawings(archive, member)))
    finally:
        workbook.close()


def read(path: Path) -> OfficeDocument:
    document = OfficeDocument(iter(()))
    document.pages = _pages(path, document.notes)
    return document
