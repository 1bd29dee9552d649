"""HTML, Markdown and plain text straight to regions, without a detour through PDF.

These inputs already say what their parts are (<h2>, "- item", "| a | b |"),
so the structure is read, not guessed. They have no pages: everything is page 1
with a nominal Letter-sized page and a zero box.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from protos import tasks_pb2 as pb
from server.pipeline.geometry import Box
from server.pipeline.regions import Region
from server.pipeline.tables import Cell, Table

PAGE_WIDTH, PAGE_HEIGHT = 612.0, 792.0
_NO_BOX = Box(0.0, 0.0, 0.0, 0.0)
_SKIPPED_TAGS = frozenset(
    {"script", "style", "head", "title", "noscript", "template", "svg", "nav", "footer", "iframe"}
)
_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "blockquote", "dd", "dt", "address", "main", "header", "aside", "form", "center"}
)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _region(kind: int, text: str, **extra: object) -> Region:
    return Region(kind, _NO_BOX, text, confidence=1.0, **extra)  # type: ignore[arg-type]  # extra: Region's keyword fields


@dataclass
class _TableBuilder:
    rows: list[list[Cell]] = field(default_factory=list)
    cell: list[str] | None = None
    colspan: int = 1
    rowspan: int = 1


class _HtmlRegions(HTMLParser):
    """A streaming walk over the HTML that emits one region per block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.regions: list[Region] = []
        self._buffer: list[str] = []
        self._kind = pb.SEGMENT_TYPE_TEXT
        self._level = 0
        self._skip = 0
        self._pre = 0
        self._list_depth = 0
        self._ordered: list[int] = []  # per open list: -1 for <ul>, else the last item number
        self._tables: list[_TableBuilder] = []

    def _flush(self) -> None:
        text = "".join(self._buffer) if self._pre else _clean("".join(self._buffer))
        self._buffer.clear()
        if text.strip():
            if self._kind == pb.SEGMENT_TYPE_LIST_ITEM and self._ordered and self._ordered[-1] > 0:  # <ol>
                text = f"{self._ordered[-1]}. {text}"
            self.regions.append(_region(self._kind, text.strip("\n"), level=self._level, code=bool(self._pre)))
        self._kind, self._level = pb.SEGMENT_TYPE_TEXT, 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip += 1
            return
        if self._skip:
            return
        attributes = dict(attrs)
        if self._tables:
            table = self._tables[-1]
            if tag == "tr":
                table.rows.append([])
            elif tag in ("td", "th"):
                table.cell = []
                table.colspan = _int(attributes.get("colspan"))
                table.rowspan = _int(attributes.get("rowspan"))
            elif tag == "table":
                self._tables.append(_TableBuilder())
            elif tag == "br" and table.cell is not None:
                table.cell.append(" ")
            return
        if tag == "table":
            self._flush()
            self._tables.append(_TableBuilder())
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._flush()
            level = int(tag[1])
            self._kind = pb.SEGMENT_TYPE_TITLE if level == 1 else pb.SEGMENT_TYPE_SECTION_HEADER
            self._level = level
        elif tag in ("ul", "ol"):
            self._flush()
            self._ordered.append(-1 if tag == "ul" else _int(attributes.get("start")) - 1)
        elif tag == "li":
            self._flush()
            if self._ordered and self._ordered[-1] >= 0:
                self._ordered[-1] += 1
            self._kind = pb.SEGMENT_TYPE_LIST_ITEM
        elif tag == "pre":
            self._flush()
            self._pre += 1
        elif tag == "figcaption" or tag == "caption":
            self._flush()
            self._kind = pb.SEGMENT_TYPE_CAPTION
        elif tag == "img":
            alt = _clean(attributes.get("alt") or "")
            self._flush()
            self.regions.append(_region(pb.SEGMENT_TYPE_PICTURE, alt))
        elif tag == "br":
            self._buffer.append(" " if not self._pre else "\n")
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip:
            return
        if self._tables:
            table = self._tables[-1]
            if tag in ("td", "th") and table.cell is not None:
                if not table.rows:
                    table.rows.append([])
                table.rows[-1].append(Cell(_clean("".join(table.cell)), table.colspan, table.rowspan))
                table.cell = None
            elif tag == "table":
                self._tables.pop()
                rows = _drop_empty(_expand_spans([row for row in table.rows if row]))
                if self._tables and self._tables[-1].cell is not None:  # nested table: flatten into the cell
                    self._tables[-1].cell.append(" ".join(c.text for row in rows for c in row if not c.covered))
                elif rows:
                    self.regions.append(_region(pb.SEGMENT_TYPE_TABLE, "", table=Table(box=_NO_BOX, rows=rows)))
            return
        if tag in ("ul", "ol"):
            self._flush()
            if self._ordered:
                self._ordered.pop()
        elif tag == "pre":
            self._flush()
            self._pre = max(0, self._pre - 1)
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6", "li", "figcaption", "caption") or tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._tables:
            if self._tables[-1].cell is not None:
                self._tables[-1].cell.append(data)
            return
        self._buffer.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def _int(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 100))
    except ValueError:
        return 1


def _expand_spans(rows: list[list[Cell]]) -> list[list[Cell]]:
    """A rectangular grid in which positions covered by a colspan/rowspan hold covered cells."""
    grid: list[list[Cell | None]] = []
    for r, row in enumerate(rows):
        while len(grid) <= r:
            grid.append([])
        c = 0
        for cell in row:
            while c < len(grid[r]) and grid[r][c] is not None:
                c += 1
            for dr in range(cell.rowspan):
                while len(grid) <= r + dr:
                    grid.append([])
                target = grid[r + dr]
                while len(target) < c + cell.colspan:
                    target.append(None)
                for dc in range(cell.colspan):
                    target[c + dc] = cell if dr == 0 and dc == 0 else Cell(cell.text, covered=True)
            c += cell.colspan
    width = max((len(row) for row in grid), default=0)
    return [[cell if cell is not None else Cell("") for cell in row] + [Cell("")] * (width - len(row)) for row in grid]


def _drop_empty(rows: list[list[Cell]]) -> list[list[Cell]]:
    """Without rows and columns that hold nothing (spreadsheet exports pad with them)."""
    rows = [row for row in rows if any(cell.text for cell in row)]
    if not rows:
        return rows
    keep = [c for c in range(len(rows[0])) if any(row[c].text for row in rows)]
    return [[row[c] for c in keep] for row in rows]


def html_regions(text: str) -> list[Region]:
    parser = _HtmlRegions()
    parser.feed(text)
    parser.close()
    return parser.regions


_SHEET_HEADING = re.compile(r"^Sheet \d+: (?P<name>.+)$")


def spreadsheet_regions(text: str) -> list[Region]:
    """LibreOffice's HTML export of a workbook: an "Overview" of links, then per sheet
    a "Sheet N: name" heading and its table. The overview is dropped and each
    heading becomes the sheet's name."""
    regions = html_regions(text)
    start = next((i for i, r in enumerate(regions) if _SHEET_HEADING.match(r.text)), 0)
    out = regions[start:]
    for region in out:
        match = _SHEET_HEADING.match(region.text)
        if match and region.kind in (pb.SEGMENT_TYPE_TITLE, pb.SEGMENT_TYPE_SECTION_HEADER):
            region.kind, region.level, region.text = pb.SEGMENT_TYPE_SECTION_HEADER, 2, match.group("name")
    return out


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LIST = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{1,}:?\s*(?:\|\s*:?-{1,}:?\s*)*\|?\s*$")


def _md_table(lines: list[str]) -> Table:
    rows = []
    for line in lines:
        if _MD_TABLE_RULE.match(line):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        rows.append([Cell(c.replace("\\|", "|")) for c in cells])
    width = max(len(r) for r in rows)
    return Table(box=_NO_BOX, rows=[r + [Cell("")] * (width - len(r)) for r in rows])


def markdown_regions(text: str) -> list[Region]:
    """Headings, list items, tables, code fences and paragraphs of a Markdown text."""
    regions: list[Region] = []
    paragraph: list[str] = []
    lines = text.splitlines()

    def flush() -> None:
        if paragraph:
            regions.append(_region(pb.SEGMENT_TYPE_TEXT, " ".join(p.strip() for p in paragraph)))
            paragraph.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```") or stripped.startswith("~~~"):
            flush()
            fence = stripped[:3]
            body = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence):
                body.append(lines[i])
                i += 1
            regions.append(_region(pb.SEGMENT_TYPE_TEXT, "\n".join(body), code=True))
        elif (heading := _MD_HEADING.match(line)) is not None:
            flush()
            level = len(heading.group(1))
            kind = pb.SEGMENT_TYPE_TITLE if level == 1 else pb.SEGMENT_TYPE_SECTION_HEADER
            regions.append(_region(kind, heading.group(2), level=level))
        elif stripped.startswith("|"):
            flush()
            block = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                block.append(lines[i])
                i += 1
            regions.append(_region(pb.SEGMENT_TYPE_TABLE, "", table=_md_table(block)))
            continue
        elif _MD_LIST.match(line):
            flush()
            regions.append(
                _region(
                    pb.SEGMENT_TYPE_LIST_ITEM,
                    stripped if re.match(r"^\d", stripped) else _MD_LIST.sub("", line, count=1),
                )
            )
        elif stripped.startswith("![") and stripped.endswith(")"):
            flush()
            regions.append(_region(pb.SEGMENT_TYPE_PICTURE, stripped[2 : stripped.find("]")]))
        elif not stripped:
            flush()
        else:
            paragraph.append(line)
        i += 1
    flush()
    return regions


def plain_text_regions(text: str) -> list[Region]:
    """Paragraphs separated by blank lines."""
    return [_region(pb.SEGMENT_TYPE_TEXT, _clean(p)) for p in re.split(r"\n\s*\n", text) if p.strip()]
