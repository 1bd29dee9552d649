"""Word documents: paragraphs, lists, tables, pictures, headers, footers and footnotes.

Structure comes from the styles: a style's outline level (or a "Heading N" name)
makes a section header, the Title style a title; numbering definitions make list
items with their depth and their marker (bullet, 1., a., i.) as Word counts them.
Pages break where Word last rendered a page break (`w:lastRenderedPageBreak`) or,
in files never laid out by Word, at explicit page and section breaks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import PartFactory
from docx.package import Package
from docx.parts.document import DocumentPart
from lxml import etree

from protos import tasks_pb2 as pb
from server.pipeline.office import LETTER, Block, OfficeDocument, OfficePage, block
from server.pipeline.office.grid import Placed, grid_table
from server.pipeline.office.numbering import Counters, marker
from server.pipeline.tables import Table

_MAIN_TYPES = (
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {
    "w": W,
    "r": R,
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "v": "urn:schemas-microsoft-com:vml",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
}
_TEXT = etree.XPath(
    ".//w:t[not(ancestor::w:txbxContent) and not(ancestor::mc:Fallback)]"
    " | .//w:tab[not(ancestor::w:txbxContent) and not(ancestor::w:pPr)] | .//w:br | .//w:cr"
    " | .//w:noBreakHyphen",
    namespaces=NS,
)
_BLIPS = etree.XPath(".//a:blip/@r:embed | .//v:imagedata/@r:id[not(ancestor::mc:Fallback)]", namespaces=NS)
_TEXTBOX_PARAGRAPHS = etree.XPath(".//w:txbxContent[not(ancestor::mc:Fallback)]/w:p", namespaces=NS)
_RENDERED_BREAK = etree.XPath(".//w:lastRenderedPageBreak", namespaces=NS)
_PAGE_BREAK = etree.XPath(".//w:br[@w:type='page']", namespaces=NS)
_NOTE_REFERENCES = etree.XPath(".//w:footnoteReference/@w:id | .//w:endnoteReference/@w:id", namespaces=NS)


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _val(element: etree._Element | None, child: str) -> str | None:
    """The w:val of `element`'s child `child` (e.g. pPr → pStyle), or None."""
    if element is None:
        return None
    found = element.find(f"w:{child}", NS)
    return None if found is None else found.get(_w("val"))


@dataclass(slots=True)
class _Style:
    name: str
    based_on: str | None
    outline: int | None  # 0-8, from w:outlineLvl
    num_id: str | None
    ilvl: int


def _styles(document: docx.document.Document) -> tuple[dict[str, _Style], str | None]:
    styles: dict[str, _Style] = {}
    default: str | None = None
    for element in document.styles.element.findall("w:style", NS):
        if element.get(_w("type")) != "paragraph":
            continue
        style_id = element.get(_w("styleId")) or ""
        ppr = element.find("w:pPr", NS)
        numpr = ppr.find("w:numPr", NS) if ppr is not None else None
        outline = _val(ppr, "outlineLvl")
        styles[style_id] = _Style(
            name=(_val(element, "name") or style_id).lower(),
            based_on=_val(element, "basedOn"),
            outline=int(outline) if outline and outline.isdigit() else None,
            num_id=_val(numpr, "numId"),
            ilvl=int(_val(numpr, "ilvl") or 0),
        )
        if element.get(_w("default")) in ("1", "true"):
            default = style_id
    return styles, default


@dataclass
class _Reader:
    document: docx.document.Document
    styles: dict[str, _Style]
    default_style: str | None
    counters: Counters
    notes: dict[str, str]  # footnote/endnote id → text
    use_rendered_breaks: bool
    width: float = LETTER[0]
    height: float = LETTER[1]
    pages: list[OfficePage] = field(default_factory=list)
    page_sections: list[int] = field(default_factory=list)  # per page, the index of the section it starts in
    section: int = 0
    pending_notes: list[str] = field(default_factory=list)

    @property
    def page(self) -> OfficePage:
        if not self.pages:
            self.pages.append(OfficePage(1, self.width, self.height))
            self.page_sections.append(self.section)
        return self.pages[-1]

    def new_page(self) -> None:
        self.flush_notes()
        if self.page.blocks:
            self.pages.append(OfficePage(self.page.number + 1, self.width, self.height))
            self.page_sections.append(self.section)

    def flush_notes(self) -> None:
        for text in self.pending_notes:
            self.page.blocks.append(block(pb.SEGMENT_TYPE_FOOTNOTE, text))
        self.pending_notes.clear()

    def add(self, item: Block) -> None:
        self.page.blocks.append(item)

    # --- styles -------------------------------------------------------------

    def _chain(self, style_id: str | None) -> Iterator[_Style]:
        seen: set[str] = set()
        while style_id and style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            style = self.styles[style_id]
            yield style
            style_id = style.based_on

    def heading(self, style_id: str | None, ppr: etree._Element | None) -> tuple[int, int] | None:
        """(segment type, level) when the paragraph is a title or a heading."""
        own = _val(ppr, "outlineLvl")
        if own and own.isdigit() and int(own) < 9:
            return pb.SEGMENT_TYPE_SECTION_HEADER, int(own) + 2
        for style in self._chain(style_id):
            if style.name == "title":
                return pb.SEGMENT_TYPE_TITLE, 1
            if style.outline is not None and style.outline < 9:
                return pb.SEGMENT_TYPE_SECTION_HEADER, style.outline + 2
            if style.name.startswith("heading ") and style.name[8:].isdigit():
                return pb.SEGMENT_TYPE_SECTION_HEADER, int(style.name[8:]) + 1
        return None

    def caption(self, style_id: str | None) -> bool:
        return any(style.name == "caption" for style in self._chain(style_id))

    def numbering(self, style_id: str | None, ppr: etree._Element | None) -> tuple[str, int, int] | None:
        """(numId, level in the numbering, nesting depth) of a numbered or bulleted paragraph;
        numId 0 switches numbering off."""
        numpr = ppr.find("w:numPr", NS) if ppr is not None else None
        num_id = _val(numpr, "numId")
        ilvl = _val(numpr, "ilvl")
        if num_id is None:
            for style in self._chain(style_id):
                if style.num_id is not None:
                    num_id, ilvl = style.num_id, ilvl or str(style.ilvl)
                    break
        if num_id is None or num_id == "0":
            return None
        level = depth = int(ilvl or 0)
        # Word's built-in "List Bullet 2", "List Number 3", ... nest by style, each its own list at level 0
        for style in self._chain(style_id):
            suffix = style.name.rpartition(" ")[2]
            if style.name.startswith(("list bullet ", "list number ")) and suffix.isdigit():
                depth = max(depth, int(suffix) - 1)
                break
        return num_id, level, depth

    # --- content ------------------------------------------------------------

    def paragraph(self, p: etree._Element) -> None:
        ppr = p.find("w:pPr", NS)
        if self.use_rendered_breaks:
            if _RENDERED_BREAK(p):
                self.new_page()
        elif (ppr is not None and ppr.find("w:pageBreakBefore", NS) is not None) or _PAGE_BREAK(p):
            self.new_page()
        style_id = _val(ppr, "pStyle") or self.default_style
        text = paragraph_text(p)
        for r_id in _BLIPS(p):
            image = self._image(str(r_id))
            if image is not None:
                self.add(block(pb.SEGMENT_TYPE_PICTURE, "", image=image))
        if text:
            heading = self.heading(style_id, ppr)
            numbered = self.numbering(style_id, ppr)
            if heading is not None:
                self.add(block(heading[0], text, level=heading[1]))
            elif numbered is not None:
                number_format = self.counters.next(numbered[0], numbered[1])
                self.add(block(pb.SEGMENT_TYPE_LIST_ITEM, f"{marker(number_format)} {text}", depth=numbered[2]))
            elif self.caption(style_id):
                self.add(block(pb.SEGMENT_TYPE_CAPTION, text))
            else:
                self.add(block(pb.SEGMENT_TYPE_TEXT, text))
        for inner in _TEXTBOX_PARAGRAPHS(p):
            inner_text = paragraph_text(inner)
            if inner_text:
                self.add(block(pb.SEGMENT_TYPE_TEXT, inner_text))
        self.pending_notes.extend(self.notes[i] for i in _NOTE_REFERENCES(p) if self.notes.get(str(i)))
        sect = ppr.find("w:sectPr", NS) if ppr is not None else None
        if sect is not None:
            self.section += 1
            if _val(sect, "type") != "continuous" and not self.use_rendered_breaks:
                self.new_page()

    def _image(self, r_id: str) -> bytes | None:
        part = self.document.part.related_parts.get(r_id)
        blob = getattr(part, "blob", None)
        return blob if isinstance(blob, bytes) and blob else None

    def table(self, tbl: etree._Element) -> None:
        if self.use_rendered_breaks and _RENDERED_BREAK(tbl):
            self.new_page()
        built = word_table(tbl)
        if built is not None:
            self.add(block(pb.SEGMENT_TYPE_TABLE, "", table=built))

    def body(self, parent: etree._Element) -> None:
        for child in parent:
            if child.tag == _w("p"):
                self.paragraph(child)
            elif child.tag == _w("tbl"):
                self.table(child)
            elif child.tag == _w("sdt"):
                content = child.find("w:sdtContent", NS)
                if content is not None:
                    self.body(content)
            elif child.tag in (_w("customXml"), _w("ins"), _w("smartTag")):
                self.body(child)
        self.flush_notes()


def paragraph_text(p: etree._Element) -> str:
    parts: list[str] = []
    for node in _TEXT(p):
        tag = etree.QName(node).localname
        if tag == "t":
            parts.append(node.text or "")
        elif tag == "noBreakHyphen":
            parts.append("-")
        else:
            parts.append(" ")
    return " ".join("".join(parts).split())


def word_table(tbl: etree._Element) -> Table | None:
    """A w:tbl as a Table: w:gridSpan spans columns, w:vMerge continues the cell above."""
    placed: list[Placed] = []
    owner_in_column: dict[int, Placed] = {}
    rows = tbl.findall("w:tr", NS)
    cols = 0
    for r, tr in enumerate(rows):
        trpr = tr.find("w:trPr", NS)
        c = int(_val(trpr, "gridBefore") or 0)
        for tc in tr.findall("w:tc", NS):
            tcpr = tc.find("w:tcPr", NS)
            span = int(_val(tcpr, "gridSpan") or 1)
            vmerge = tcpr.find("w:vMerge", NS) if tcpr is not None else None
            continues = vmerge is not None and vmerge.get(_w("val")) in (None, "continue")
            above = owner_in_column.get(c)
            if continues and above is not None and above.row + above.rowspan == r:
                above.rowspan += 1
            else:
                cell = Placed(r, c, _cell_text(tc), colspan=span)
                placed.append(cell)
                owner_in_column[c] = cell
            c += span
        cols = max(cols, c)
    return grid_table(placed, len(rows), cols)


def _cell_text(tc: etree._Element) -> str:
    texts = [paragraph_text(p) for p in tc.iter(_w("p"))]
    return " ".join(t for t in texts if t)


def _notes(document: docx.document.Document) -> dict[str, str]:
    """Footnote and endnote texts by id (the separator notes have no text and drop out)."""
    found: dict[str, str] = {}
    for rel in document.part.rels.values():
        if rel.reltype in (RT.FOOTNOTES, RT.ENDNOTES) and not rel.is_external:
            root = etree.fromstring(rel.target_part.blob)
            for note in root:
                text = " ".join(t for t in (paragraph_text(p) for p in note.iter(_w("p"))) if t)
                if text and note.get(_w("id")):
                    found[note.get(_w("id"))] = text
    return found


def _margins(reader: _Reader, sections: list[docx.section.Section]) -> None:
    """Each page's header and footer, from the section the page starts in (its first-page
    ones on a section's first page when the section has them)."""
    previous = -1
    for page, index in zip(reader.pages, reader.page_sections, strict=True):
        section = sections[min(index, len(sections) - 1)]
        first = index != previous and section.different_first_page_header_footer
        previous = index
        header = section.first_page_header if first else section.header
        footer = section.first_page_footer if first else section.footer
        for part, kind in ((header, pb.SEGMENT_TYPE_PAGE_HEADER), (footer, pb.SEGMENT_TYPE_PAGE_FOOTER)):
            text = " ".join(t for t in (paragraph_text(p._p) for p in part.paragraphs) if t)
            if not text:
                continue
            if kind == pb.SEGMENT_TYPE_PAGE_HEADER:
                page.blocks.insert(0, block(kind, text))
            else:
                page.blocks.append(block(kind, text))


def _open(path: Path) -> docx.document.Document:
    """The document, macro-enabled (.docm) and template (.dotx) ones included, which
    python-docx's `Document()` refuses although their body is the same XML."""
    for content_type in _MAIN_TYPES:
        PartFactory.part_type_for.setdefault(content_type, DocumentPart)
    part = Package.open(str(path)).main_document_part
    if not isinstance(part, DocumentPart):
        raise TypeError(f"not a Word document: {part.content_type}")
    document: docx.document.Document = part.document
    return document


def read(path: Path) -> OfficeDocument:
    document = _open(path)
    styles, default_style = _styles(document)
    counters = Counters.from_part(_numbering(document))
    body = document.element.body
    reader = _Reader(document, styles, default_style, counters, _notes(document), bool(_RENDERED_BREAK(body)))
    sections = document.sections
    if len(sections):
        first = sections[0]
        if first.page_width and first.page_height:
            reader.width, reader.height = first.page_width.pt, first.page_height.pt
    reader.body(body)
    if not reader.pages:
        reader.new_page()  # an empty document still has its one, empty, page
    if len(sections):
        _margins(reader, list(sections))
    return OfficeDocument(iter(reader.pages))


def _numbering(document: docx.document.Document) -> etree._Element | None:
    """numbering.xml's root; python-docx raises when the document has none."""
    try:
        return document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return None
