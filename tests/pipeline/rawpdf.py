"""Hand-written PDFs for what reportlab will not produce: fonts whose ToUnicode map
gives control codes, and fonts without one whose codes are not the letters they
draw, as broken or legacy producers write them; and CJK text set vertically."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import reportlab
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


def type3_pdf(
    path: Path,
    paragraphs: list[list[str]],
    code_of: Callable[[str], int],
    size: float = 12,
    named_as: Callable[[str], str] | None = None,
) -> Path:
    """A letter page whose text is set in a Type 3 font without a ToUnicode map: each glyph
    draws its letter in Helvetica, but the content stream shows the letter as the byte
    `code_of(letter)` and the font's /Differences names its glyphs /g<code>, names no
    Unicode table knows. The page shows the text; the text layer holds only the codes.
    With `named_as`, a ToUnicode map names each letter's code as `named_as(letter)`
    instead: a map that is there but wrong. Paragraphs are lines of text, a blank line apart."""
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
    if named_as is not None:
        pairs = b"\n".join(
            b"<%02X> <%s>" % (code, named_as(char).encode("utf-16-be").hex().upper().encode())
            for char, code in codes.items()
        )
        objects[5] = objects[5][:-2] + b" /ToUnicode %d 0 R >>" % (max(objects) + 1)
        objects[max(objects) + 1] = _stream(
            b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            b"/CMapName /Wrong-UCS def /CMapType 2 def\n1 begincodespacerange <00> <FF> endcodespacerange\n"
            b"%d beginbfchar\n%s\nendbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end"
            % (len(codes), pairs)
        )
    return _write(path, objects)


_VERA = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"


def cjk_pdf(path: Path, runs: list[tuple[float, float, str]], size: float, vertical: bool) -> Path:
    """A letter page of CJK text in a Type 0 font with the Identity-V (or -H) encoding: each
    run (x, y, text) is a column set downward from (x, y) (or a line rightward from it),
    in PDF coordinates. No CJK font is at hand, so the font program is Vera's and its glyph
    ids stand in for the characters, which the ToUnicode map names: the text layer and the
    glyph geometry are those of a real vertical (or horizontal) CJK page."""
    chars = sorted({c for _, _, text in runs for c in text})
    if len(chars) > 200:
        raise ValueError("Vera has about 250 glyphs to stand in for characters")
    cid = {c: 36 + i for i, c in enumerate(chars)}
    ops = [b"BT", b"/C %g Tf" % size]
    for x, y, text in runs:
        ops.append(b"1 0 0 1 %g %g Tm <" % (x, y) + b"".join(b"%04X" % cid[c] for c in text) + b"> Tj")
    ops.append(b"ET")
    pairs = b"\n".join(b"<%04X> <%s>" % (cid[c], c.encode("utf-16-be").hex().upper().encode()) for c in chars)
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        b"/CMapName /Stand-In-UCS def /CMapType 2 def\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        b"%d beginbfchar\n%s\nendbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end"
        % (len(chars), pairs)
    )
    program = _VERA.read_bytes()
    encoding = b"/Identity-V" if vertical else b"/Identity-H"
    return _write(
        path,
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /C 5 0 R >> >> >>",
            4: _stream(b"\n".join(ops)),
            5: b"<< /Type /Font /Subtype /Type0 /BaseFont /StandIn /Encoding %s" % encoding
            + b" /DescendantFonts [6 0 R] /ToUnicode 9 0 R >>",
            6: b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /StandIn"
            b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
            b" /FontDescriptor 7 0 R /CIDToGIDMap /Identity /DW 1000 /DW2 [880 -1000] >>",
            7: b"<< /Type /FontDescriptor /FontName /StandIn /Flags 4 /FontBBox [-183 -236 1287 928] /ItalicAngle 0"
            b" /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 /FontFile2 8 0 R >>",
            8: b"<< /Length %d /Length1 %d >>\nstream\n" % (len(program), len(program)) + program + b"\nendstream",
            9: _stream(cmap),
        },
    )


def remapped_pdf(path: Path, runs: list[tuple[float, float, float, bool, str]], remap: Callable[[str], str]) -> Path:
    """A letter page of runs (x, y, size, wrong, text) in PDF coordinates: Helvetica where
    `wrong` is false, and where it is true Times-Roman whose ToUnicode map names each code's
    character as `remap(character)`: a subset font's map offset (Caesar-shifted, "Wkh" for
    "The") or into wrong but printable characters. The page shows the right text either way."""
    ops = [b"BT"]
    for x, y, size, wrong, text in runs:
        ops.append(b"/%s %g Tf 1 0 0 1 %g %g Tm (" % (b"W" if wrong else b"H", size, x, y))
        ops[-1] += _escape(text.encode("latin-1")) + b") Tj"
    ops.append(b"ET")
    pairs = b"\n".join(
        b"<%02X> <%s>" % (code, remap(chr(code)).encode("utf-16-be").hex().upper().encode()) for code in range(33, 127)
    )
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        b"/CMapName /Remapped-UCS def /CMapType 2 def\n1 begincodespacerange <00> <FF> endcodespacerange\n"
        b"1 beginbfchar\n<20> <0020>\nendbfchar\n"
        b"94 beginbfchar\n%s\nendbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end" % pairs
    )
    return _write(
        path,
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /H 5 0 R /W 6 0 R >> >> >>",
            4: _stream(b"\n".join(ops)),
            5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            6: b"<< /Type /Font /Subtype /Type1 /BaseFont /ABCDEF+Times-Roman /Encoding /WinAnsiEncoding"
            b" /ToUnicode 7 0 R >>",
            7: _stream(cmap),
        },
    )
