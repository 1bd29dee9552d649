#!/usr/bin/env python3
"""Text conservation: does every word of a PDF's text layer reach the output?

For each PDF it compares the words of pdfium's raw text (no layout at all) with
the words of every segment chunkd produced, page headers and footers included:

- recall: share of the text layer's words (as a multiset) found in the segments;
- extra: share of the segments' words that the text layer does not have;
- order: similarity of the two word sequences (difflib ratio), a rough check
  that the layout stage does not scramble what pdfium reads in stream order.

It needs no reference and so runs on any PDF: `python bench/fidelity.py DIR_OR_PDF...`.
Pages that need OCR (no usable text layer) are left out of both sides.
"""

from __future__ import annotations

import argparse
import difflib
import re
import statistics
import sys
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from protos import tasks_pb2 as pb  # noqa: E402
from server.configuration import defaults  # noqa: E402
from server.pipeline import process  # noqa: E402

_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


def text_layer_words(path: Path) -> list[str]:
    document = pdfium.PdfDocument(str(path))
    out: list[str] = []
    try:
        for page in document:
            textpage = page.get_textpage()
            out.extend(words(textpage.get_text_range()))
            textpage.close()
            page.close()
    finally:
        document.close()
    return out


def chunkd_words(path: Path) -> tuple[list[str], int]:
    config = defaults()
    config.chunk_processing.ignore_headers_and_footers = False
    config.ocr_strategy = pb.OCR_STRATEGY_AUTO
    config.high_resolution = False
    with tempfile.TemporaryDirectory() as workdir:
        result = process(path, "application/pdf", config, Path(workdir), lambda *_: None)
    segments = [s for chunk in result.output.chunks for s in chunk.segments]
    return [w for s in segments for w in words(s.text)], len(segments)


def measure(path: Path) -> dict[str, float]:
    reference = text_layer_words(path)
    produced, segments = chunkd_words(path)
    common = sum((Counter(produced) & Counter(reference)).values())
    recall = common / len(reference) if reference else 1.0
    extra = 1 - common / len(produced) if produced else 0.0
    order = difflib.SequenceMatcher(None, produced, reference, autojunk=False).ratio() if reference else 1.0
    return {"words": len(reference), "segments": segments, "recall": recall, "extra": extra, "order": order}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--worst", type=int, default=0, help="list only the N files with the lowest recall")
    args = parser.parse_args()
    pdfs = sorted(p for path in args.paths for p in ([path] if path.is_file() else path.rglob("*.pdf")))
    rows = []
    for pdf in pdfs:
        try:
            rows.append((pdf, measure(pdf)))
        except Exception as exc:  # a file the pipeline refuses is reported, not fatal
            print(f"{pdf}: {type(exc).__name__}: {exc}", file=sys.stderr)
    shown = sorted(rows, key=lambda r: r[1]["recall"])[: args.worst] if args.worst else rows
    print("| file | words | segments | recall | extra | order |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for pdf, m in shown:
        print(
            f"| {pdf.name} | {m['words']:.0f} | {m['segments']:.0f} | {m['recall']:.3f} | {m['extra']:.3f} |"
            f" {m['order']:.3f} |"
        )
    if rows:
        for key in ("recall", "extra", "order"):
            values = [m[key] for _, m in rows]
            mean, median = statistics.mean(values), statistics.median(values)
            print(f"{key}: mean {mean:.3f} median {median:.3f} min {min(values):.3f}")


if __name__ == "__main__":
    main()
