"""Hostile documents, made small on disk in the test: bombs that unpack, multiply
or loop into something no worker can afford."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF of the given object bodies, numbered from 1; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _page(contents: bytes, resources: bytes = b"<< >>") -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources " + resources + b" >>",
        _stream(zlib.compress(contents, 9), b"/Filter /FlateDecode"),
    ]


def big_page_pdf(path: Path, side: float) -> Path:
    """One page of `side` x `side` points with a line of text: its render is one large bitmap."""
    path.write_bytes(raw_pdf(_page(b"BT /F1 12 Tf 72 72 Td (big) Tj ET")).replace(b"0 0 612 792", b"0 0 %g %g" % (side, side)))
    return path


def many_pages_pdf(path: Path, pages: int) -> Path:
    """`pages` empty pages (about 60 bytes each)."""
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"] * pages
    path.write_bytes(raw_pdf(objects))
    return path


def slow_page_pdf(path: Path, strokes: int = 50_000) -> Path:
    """One page whose render takes minutes: `strokes` diagonals dashed every 0.05 pt
    (a file of a few hundred bytes)."""
    path.write_bytes(raw_pdf(_page(b"1 w [0.05 0.05] 0 d " + b"0 0 m 612 792 l " * strokes + b"S")))
    return path


def nested_pdf(path: Path, depth: int = 100_000) -> Path:
    """A page whose resources hold an array nested `depth` deep, and whose text
    is drawn inside a Form that draws itself."""
    nested = b"[" * depth + b"]" * depth
    objects = _page(b"BT /F1 12 Tf 72 720 Td (nested) Tj ET /X1 Do", b"<< /XObject << /X1 5 0 R >> /Deep 6 0 R >>")
    objects.append(_stream(b"/X1 Do", b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /XObject << /X1 5 0 R >> >>"))
    objects.append(nested)
    path.write_bytes(raw_pdf(objects))
    return path


def cyclic_pdf(path: Path) -> Path:
    """A page tree whose Pages node is its own grandchild."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
        b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R >>",
        _stream(zlib.compress(b"BT /F1 12 Tf 72 720 Td (cycle) Tj ET", 9), b"/Filter /FlateDecode"),
    ]
    path.write_bytes(raw_pdf(objects))
    return path


def huge_png(path: Path, width: int, height: int) -> Path:
    """A 1-bit PNG of `width` x `height` white pixels, written row by row (never held in memory)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    rows = row * 1000
    idat = b"".join(packer.compress(rows) for _ in range(height // 1000)) + packer.compress(row * (height % 1000))
    idat += packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


def zip_bomb_office(path: Path, part: str, unpacked: int) -> Path:
    """A DOCX (`part` "word/") or XLSX ("xl/") whose one media member inflates to `unpacked` bytes of zeros."""
    main = {"word/": "word/document.xml", "xl/": "xl/workbook.xml"}[part]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(main, '<?xml version="1.0"?><document/>')
        with archive.open(f"{part}media/bomb.bin", "w", force_zip64=unpacked >= zipfile.ZIP64_LIMIT) as member:
            block = bytes(1 << 20)
            for _ in range(unpacked >> 20):
                member.write(block)
    return path


def forged_zip_bomb(path: Path, unpacked: int) -> Path:
    """A DOCX whose bomb member declares 1 KiB in its headers while inflating to `unpacked` bytes (< 2 GiB)."""
    zip_bomb_office(path, "word/", unpacked)
    data = bytearray(path.read_bytes())
    name = b"word/media/bomb.bin"
    local = data.find(name) - 30  # a local header is 30 bytes before its name
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    struct.pack_into("<I", data, local + 22, 1024)  # uncompressed size, local header
    struct.pack_into("<I", data, central + 24, 1024)  # uncompressed size, central directory
    path.write_bytes(bytes(data))
    return path
