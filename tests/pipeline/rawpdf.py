"""Hand-written PDFs for what reportlab will not produce: fonts whose ToUnicode map
gives control codes, and fonts without one whose codes are not the letters they
draw, as broken or legacy producers write them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reportlab.pdfbase.pdfmetrics import stringWidth

_IDENTITY_CMAP = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Identity-Latin1 def /CMapType 2 def
1 begincodespacerange <00> <FF> endcodespacerange
1 beginbfrange <00> <FF> <0000> endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end"""


def _escape(data: bytes) -> bytes:
    return data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def latin1_identity_pdf(path: Path, lines: list[bytes], size: float = 12) -> Path:
    """A letter page of Helvetica lines whose ToUnicode maps every byte to the code point
    of the same number, so bytes 0x80-0x9F come out as C1 control characters."""
    ops = [b"BT", b"/F1 %d Tf" % size, b"72 700 Td", b"%d TL" % (size * 1.3)]
    for line in lines:
        ops.append(b"(" + _escape(line) + b") Tj T*")
    ops.append(b"ET")
    stream = b"\n".join(ops)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(_IDENTITY_CMAP) + _IDENTITY_CMAP + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def _write(path: Path, objects: dict[int, bytes]) -> Path:
    out = bytearray(b"%PDF-1.4\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref, total = len(out), max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % total
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, total))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (total, xref)
    path.write_bytes(bytes(out))
    return path


def _stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def type3_pdf(path: Path, paragraphs: list[list[str]], code_of: Callable[[str], int], size: float = 12) -> Path:
    """A letter page whose text is set in a Type 3 font without a ToUnicode map: each glyph
    draws its letter in Helvetica, but the content stream shows the letter as the byte
    `code_of(letter)` and the font's /Differences names its glyphs /g<code>, names no
    Unicode table knows. The page shows the text; the text layer holds only the codes.
    Paragraphs are lines of text, a blank line apart."""
    chars = sorted({c for lines in paragraphs for line in lines for c in line if c != " "})
    codes = {c: code_of(c) for c in chars}
    if len(set(codes.values())) != len(codes) or 32 in codes.values():
        raise ValueError("every character needs its own code, and 32 is the space")
    ops = [b"BT", b"/T3 %g Tf" % size, b"72 720 Td", b"%g TL" % (size * 1.3)]
    for lines in paragraphs:
        for line in lines:
            shown = bytes(32 if c == " " else codes[c] for c in line)
            ops.append(b"(" + _escape(shown) + b") Tj T*")
        ops.append(b"T*")
    ops.append(b"ET")
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /T3 5 0 R >> >> >>",
        4: _stream(b"\n".join(ops)),
        6: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    widths = {32: round(stringWidth(" ", "Helvetica", 1000))}
    procs = [b"/space 7 0 R"]
    objects[7] = _stream(b"%d 0 d0" % widths[32])
    differences = [b"32 /space"]
    for number, (char, code) in enumerate(sorted(codes.items(), key=lambda item: item[1]), start=8):
        widths[code] = round(stringWidth(char, "Helvetica", 1000))
        drawn = char.encode("latin-1")
        objects[number] = _stream(b"%d 0 d0 BT /H 1000 Tf 0 0 Td (" % widths[code] + _escape(drawn) + b") Tj ET")
        procs.append(b"/g%d %d 0 R" % (code, number))
        differences.append(b"%d /g%d" % (code, code))
    first, last = min(widths), max(widths)
    advances = b" ".join(b"%d" % widths.get(code, 0) for code in range(first, last + 1))
    objects[5] = b" ".join(
        [
            b"<< /Type /Font /Subtype /Type3 /FontBBox [0 -250 1000 1000] /FontMatrix [0.001 0 0 0.001 0 0]",
            b"/CharProcs << " + b" ".join(procs) + b" >>",
            b"/Encoding << /Type /Encoding /Differences [" + b" ".join(differences) + b"] >>",
            b"/FirstChar %d /LastChar %d /Widths [%s]" % (first, last, advances),
            b"/Resources << /Font << /H 6 0 R >> >> >>",
        ]
    )
    return _write(path, objects)
