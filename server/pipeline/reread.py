"""A page whose text layer is garbled in part: OCR reads those words again where they are drawn.

When one font of a page (a heading font subset with a broken map, a pasted-in quotation)
or one region spells nothing, the rest of the text layer is still exact: its words,
fonts and boxes. Only the doubtful words' bands of the page image are read by OCR;
the words OCR finds over the doubtful words' boxes take their place, in their style,
and the page's lines are built again from the mended words, so reading order is
what the layout makes of the page as a whole. Where OCR reads what the codes spell,
the codes were right and the text layer stands.
"""

from __future__ import annotations

import statistics

from PIL import Image

from server.pipeline.geometry import Box, union_all
from server.pipeline.pdf import garbled
from server.pipeline.pdf.extract import PageContent, Word

_BAND_GAP_EM = 2.0  # doubtful words closer than this (vertically) are read in one crop
_MARGIN_EM = 0.6  # white kept around a crop, so OCR's detector sees whole glyphs
_OVER = 0.3  # an OCR word replaces the doubtful words it overlaps by this share of the narrower, both ways


def _bands(words: list[Word]) -> list[list[Word]]:
    """The doubtful words in horizontal bands of neighbouring lines."""
    bands: list[list[Word]] = []
    for word in sorted(words, key=lambda w: w.box.y0):
        if bands:
            bottom = max(w.box.y1 for w in bands[-1])
            if word.box.y0 - bottom <= _BAND_GAP_EM * max(word.size, 1.0):
                bands[-1].append(word)
                continue
        bands.append([word])
    return bands


def _read_band(image: Image.Image, scale: float, crop: Box) -> list[tuple[str, Box]]:
    """OCR's words in `crop` (page points), with their boxes in page points."""
    from server.pipeline.ocr import engine as ocr_engine  # an optional extra: loaded only where needed

    left, top = int(crop.x0 * scale), int(crop.y0 * scale)
    part = image.crop((left, top, int(crop.x1 * scale) + 1, int(crop.y1 * scale) + 1)).convert("RGB")
    read = ocr_engine.recognise(part)
    factor = 1.0 / (read.scale * scale)
    out: list[tuple[str, Box]] = []
    for line in read.lines:
        pieces = [(w.text, w.box) for w in line.words] or [(line.text, line.box)]
        for text, box in pieces:
            x0, y0, x1, y1 = ocr_engine.unrotate_box(box, read.quarter_turns, read.work_width, read.work_height)
            page_box = Box(crop.x0 + x0 * factor, crop.y0 + y0 * factor, crop.x0 + x1 * factor, crop.y0 + y1 * factor)
            out.extend((token, page_box) for token in _split(text, page_box))
    return [(text, box) for text, box in out if text]


def _split(text: str, box: Box) -> list[str]:
    """A word box OCR read as several words (it read a line without word boxes): their
    texts; the caller keeps the one box, which lies over the same doubtful words."""
    return [text.strip()] if " " not in text.strip() else text.split()


def _over(box: Box, words: list[Word]) -> list[Word]:
    """The words `box` covers a good share of, across and down."""
    return [
        w
        for w in words
        if box.x_overlap(w.box) > _OVER * min(box.width, w.box.width)
        and box.y_overlap(w.box) > _OVER * min(box.height, w.box.height)
    ]


def reread(image: Image.Image, content: PageContent, doubtful: list[Word]) -> list[Word] | None:
    """The page's words with `doubtful` replaced by what OCR reads over them; None where
    OCR reads what they spell (the codes were right) or reads nothing there."""
    scale = image.width / max(content.width, 1.0)
    found: list[tuple[str, Box]] = []
    for band in _bands(doubtful):
        em = statistics.median(w.size for w in band)
        area = union_all(w.box for w in band)
        margin = _MARGIN_EM * max(em, 1.0)
        crop = Box(area.x0 - margin, area.y0 - margin, area.x1 + margin, area.y1 + margin).clip(
            content.width, content.height
        )
        if crop.width > 1 and crop.height > 1:
            found.extend(_read_band(image, scale, crop))
    if not found or garbled.spelled_in(doubtful, " ".join(text for text, _ in found)):
        return None
    mended: list[Word] = []
    for text, box in found:
        under = _over(box, doubtful)
        if not under:
            continue  # a good word beside the doubtful ones, read with them: the text layer has it
        model = max(under, key=lambda w: w.box.x_overlap(box))
        mended.append(
            Word(
                text,
                box,
                model.size,
                model.bold,
                model.italic,
                model.monospace,
                model.rtl,
                model.font,
                model.rotated,
                vertical=model.vertical,
            )
        )
    if not mended:
        return None
    # a doubtful word OCR found nothing over (a mark, a rule's label) is dropped with the rest:
    # its codes are as doubtful as its neighbours'
    doubtful_ids = {id(w) for w in doubtful}
    return [w for w in content.words if id(w) not in doubtful_ids] + mended
