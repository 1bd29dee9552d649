"""File type from the bytes, never from the name."""

from __future__ import annotations

import zipfile
from io import BytesIO

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OLE = "application/x-ole-storage"  # .doc, .ppt, .xls
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
HTML = "text/html"
MARKDOWN = "text/markdown"
TEXT = "text/plain"
PNG, JPEG, WEBP, TIFF = "image/png", "image/jpeg", "image/webp", "image/tiff"

SUPPORTED = frozenset({PDF, DOCX, PPTX, XLSX, OLE, ODT, ODS, ODP, HTML, MARKDOWN, TEXT, PNG, JPEG, WEBP, TIFF})


def sniff(data: bytes) -> str:
    """The MIME type of `data`; `application/octet-stream` when unknown."""
    head = data[:2048]
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if head.startswith(b"PK\x03\x04"):
        return _office_type(data)
    return _text_type(head)


def _office_type(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        names = archive.namelist()
        declared = archive.read("mimetype")[:100].decode("ascii", "replace") if "mimetype" in names else ""
    except (zipfile.BadZipFile, KeyError, OSError):
        return _damaged_office_type(data)
    for prefix, mime in (("word/", DOCX), ("ppt/", PPTX), ("xl/", XLSX)):
        if any(name.startswith(prefix) for name in names):
            return mime
    if declared in (ODT, ODS, ODP):  # OpenDocument names its type in a first, stored `mimetype` entry
        return declared
    return "application/zip"


def _damaged_office_type(data: bytes) -> str:
    """A zip whose directory is unreadable (truncated, corrupted) still names its parts in the
    local headers before each part: a damaged DOCX is still a DOCX, and fails as one."""
    for part, mime in ((b"word/document.xml", DOCX), (b"ppt/presentation.xml", PPTX), (b"xl/workbook.xml", XLSX)):
        if part in data:
            return mime
    return "application/zip"


def _text_type(head: bytes) -> str:
    if not head:
        return "application/x-empty"
    if b"\x00" in head:
        return "application/octet-stream"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the sniff boundary
            return "application/octet-stream"
        text = head[: exc.start].decode("utf-8")
    lowered = text.lstrip().lower()
    if lowered.startswith(("<!doctype html", "<html")) or "<html" in lowered[:1024] or "<body" in lowered:
        return HTML
    if any(line.startswith(("# ", "## ", "- ", "* ", "|")) for line in text.splitlines()[:50]):
        return MARKDOWN
    return TEXT


_OLE_STREAMS = (
    ("Workbook".encode("utf-16-le"), ".xls"),
    ("Book".encode("utf-16-le") + b"\x00\x00", ".xls"),
    ("WordDocument".encode("utf-16-le"), ".doc"),
    ("PowerPoint Document".encode("utf-16-le"), ".ppt"),
)


def ole_extension(data: bytes) -> str:
    """ ".xls", ".doc" or ".ppt" for an old binary Office file, from the names of the
    streams in its directory (UTF-16 in the file); ".doc" when none is found."""
    for name, extension in _OLE_STREAMS:
        if name in data:
            return extension
    return ".doc"
