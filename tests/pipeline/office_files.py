"""Office documents written in the test with python-docx, python-pptx and openpyxl,
each holding the structure one test reads back."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import openpyxl
import pptx
from docx.shared import Inches
from PIL import Image


def png(width: int = 120, height: int = 80, color: str = "steelblue") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def word_file(path: Path, build) -> Path:  # type: ignore[no-untyped-def]
    document = docx.Document()
    build(document)
    document.save(str(path))
    return path


def deck_file(path: Path, build) -> Path:  # type: ignore[no-untyped-def]
    presentation = pptx.Presentation()
    build(presentation)
    presentation.save(str(path))
    return path


def workbook_file(path: Path, build) -> Path:  # type: ignore[no-untyped-def]
    workbook = openpyxl.Workbook()
    build(workbook)
    workbook.save(str(path))
    return path


def picture(document: docx.document.Document, width_inches: float = 1.5) -> None:
    document.add_picture(io.BytesIO(png()), width=Inches(width_inches))


def with_cached_value(path: Path, sheet: str, cell: str, value: str) -> None:
    """Give formula `cell` the value Excel would have cached on saving (openpyxl writes none)."""
    member = f"xl/worksheets/{sheet}.xml"
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    xml = parts[member].decode()
    xml = re.sub(rf'(<c r="{cell}"[^>]*>)(<f>[^<]*</f>)(<v\s*/>|<v></v>)?', rf"\1\2<v>{value}</v>", xml)
    parts[member] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def footnote(document: docx.document.Document, paragraph: docx.text.paragraph.Paragraph, text: str) -> None:
    """A footnote `text` referenced at the end of `paragraph` (python-docx writes no footnotes)."""
    from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    notes = (
        f'<w:footnotes xmlns:w="{w}"><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r>'
        f'</w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:footnote></w:footnotes>'
    )
    part = Part(PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES, notes.encode(), document.part.package)
    document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
    paragraph._p.append(parse_xml(f'<w:r xmlns:w="{w}"><w:footnoteReference w:id="1"/></w:r>'))
