#!/usr/bin/env python3
"""Real-world text conservation: chunkd against the raw text layer, without references.

Over a folder of real PDFs (papers, reports, manuals, right-to-left, landscape pages),
chunkd's pipeline (`server.pipeline.process`, default configuration except that running
heads and page numbers are kept, so that every word of the layer has somewhere to be)
is compared with pdfium's raw text layer, page by page:

- recall: the layer's words (a multiset, NFKC, case-folded, hyphens inside words and at
  line ends joined, each ideograph or kana a word)
  found in chunkd's segments' text on the same page, and over the whole document;
- excess: the share of chunkd's words beyond the layer's count (duplicated text);
- order: on pages whose layer order can be trusted (no two text runs side by side,
  so one column and no table), the longest matching of chunkd's word sequence with the
  layer's, over the words both have;
- pages chunkd read by OCR (a scan under an old OCR layer) are left out of these;
- defect flags: letter-by-letter runs (4+ one-letter words in a row where the layer
  has none), control or private-use characters in chunkd's text, chunks under 3 words or
  over twice the target length, SectionHeaders that are bare numbers or repeat on 3+
  pages.

pymupdf4llm's Markdown is scored the same way (document recall and excess) for
comparison. `--root DIR` imports chunkd from another checkout (a baseline), and
`--baseline DIR` runs that checkout in a subprocess too and prints before and after.

Usage: python bench/realworld.py [--pdfs DIR] [--baseline DIR] [--no-peer] [--json FILE]
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import statistics
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Chinese and Japanese set no spaces between words: each ideograph or kana is a token
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD = re.compile(f"[{_CJK}]|[^\\W{_CJK}]+")
HYPHEN_BREAK = re.compile(r"(\w)[-\u00ad\u2010]\s*[\r\n]+\s*(\w)")
COMPOUND = re.compile(r"(\w)[-\u2010](?=\w)")
NUMBERISH = re.compile(r"^[\W\d_ivxlcdm]*$", re.IGNORECASE)
ALLOWED_CONTROL = {"\n", "\t", "\r"}


def words(text: str) -> list[str]:
    # pdfium marks a hyphen it took for a line-end break as U+FFFE (or U+0002) and drops the break
    text = unicodedata.normalize("NFKC", text).replace("\u0002", "").replace("\ufffe", "")
    text = HYPHEN_BREAK.sub(r"\1\2", text)
    # a compound's hyphen counts as no break: whether a tool keeps it at a line end is no loss of text
    text = COMPOUND.sub(r"\1", text)
    return [w.casefold() for w in WORD.findall(text)]


def letter_runs(text: str) -> int:
    """Runs of 4+ one-letter words in a row on one line: a word spelled out as letters."""
    runs = 0
    for line in text.splitlines():
        streak = 0
        for token in line.split():
            streak = streak + 1 if len(token) == 1 and token.isalpha() else 0
            if streak == 4:
                runs += 1
    return runs


def odd_chars(text: str) -> int:
    return sum(
        1 for c in text if (unicodedata.category(c) in ("Cc", "Co", "Cs") and c not in ALLOWED_CONTROL) or c == "\ufffd"
    )


def recall(layer: Counter[str], out: Counter[str]) -> float | None:
    total = sum(layer.values())
    return None if total == 0 else sum((layer & out).values()) / total


def excess(layer: Counter[str], out: Counter[str]) -> float:
    total = sum(out.values())
    return 0.0 if total == 0 else sum((out - layer).values()) / total


def order_agreement(layer: list[str], out: list[str]) -> float | None:
    common = Counter(layer) & Counter(out)
    keep_layer = [w for w in layer if w in common]
    keep_out = [w for w in out if w in common]
    if len(keep_layer) < 20:
        return None
    matcher = difflib.SequenceMatcher(None, keep_layer, keep_out, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matched / min(len(keep_layer), len(keep_out))


@dataclass
class PageLayer:
    text: str
    single_column: bool


def layer_pages(path: Path) -> list[PageLayer]:
    """pdfium's text per page, and whether no two of its text runs sit side by side."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    pages = []
    try:
        for page in document:
            textpage = page.get_textpage()
            rects = [textpage.get_rect(i) for i in range(textpage.count_rects())]
            pages.append(PageLayer(textpage.get_text_range(), not _side_by_side(rects)))
    finally:
        document.close()
    return pages


def _side_by_side(rects: list[tuple[float, float, float, float]]) -> bool:
    """Two runs on one baseline band, more than three of their line heights apart."""
    rects = sorted(rects, key=lambda r: -r[3])
    pairs = 0
    for i, (left, bottom, right, top) in enumerate(rects):
        height = top - bottom
        for other in rects[i + 1 : i + 40]:
            o_left, o_bottom, o_right, o_top = other
            if o_top < bottom:
                break
            overlap = min(top, o_top) - max(bottom, o_bottom)
            gap = max(o_left - right, left - o_right)
            if overlap > 0.6 * min(height, o_top - o_bottom) and gap > 3 * max(height, o_top - o_bottom):
                pairs += 1
    return pairs > max(2, len(rects) // 20)


@dataclass
class Document:
    name: str
    pages: int
    ocr_pages: int
    recall: float | None
    page_recall_min: float | None
    excess: float
    order: float | None
    order_pages: int
    letter_runs: int
    odd_chars: int
    short_chunks: int
    long_chunks: int
    number_headers: int
    repeated_headers: int
    peer_recall: float | None = None
    peer_excess: float | None = None
    worst_pages: list[int] = field(default_factory=list)


def measure(path: Path, peer: bool) -> Document:
    from protos import tasks_pb2 as pb
    from server.configuration import defaults
    from server.pipeline import process

    config = defaults()
    config.chunk_processing.ignore_headers_and_footers = False
    with tempfile.TemporaryDirectory() as workdir:
        result = process(path, "application/pdf", config, Path(workdir), lambda *_: None)
    layer = layer_pages(path)
    by_page: dict[int, list[str]] = {}
    ocr_pages: set[int] = set()
    chunk_words: list[int] = []
    headers: dict[str, set[int]] = {}
    number_headers = 0
    for chunk in result.output.chunks:
        count = 0
        for segment in chunk.segments:
            text = segment.text or segment.markdown
            by_page.setdefault(segment.page_number, []).append(text)
            if len(segment.ocr):
                ocr_pages.add(segment.page_number)
            count += len(words(text))
            if segment.segment_type == pb.SEGMENT_TYPE_SECTION_HEADER:
                key = " ".join(words(text))
                headers.setdefault(key, set()).add(segment.page_number)
                if NUMBERISH.match(text.strip()):
                    number_headers += 1
        chunk_words.append(count)
    target = config.chunk_processing.target_length
    all_layer: Counter[str] = Counter()
    all_out: Counter[str] = Counter()
    page_recalls: list[tuple[float, int]] = []
    orders: list[float] = []
    runs = odd = 0
    for number, page in enumerate(layer, start=1):
        if number in ocr_pages:  # a scan read again by OCR: its old layer is no reference
            continue
        out_text = "\n".join(by_page.get(number, []))
        layer_words, out_words = words(page.text), words(out_text)
        all_layer.update(layer_words)
        all_out.update(out_words)
        page_recall = recall(Counter(layer_words), Counter(out_words))
        if page_recall is not None and len(layer_words) >= 20:
            page_recalls.append((page_recall, number))
        if page.single_column:
            agreement = order_agreement(layer_words, out_words)
            if agreement is not None:
                orders.append(agreement)
        runs += max(0, letter_runs(out_text) - letter_runs(page.text))
        odd += odd_chars(out_text)
    doc = Document(
        name=path.stem,
        pages=len(layer),
        ocr_pages=len(ocr_pages),
        recall=recall(all_layer, all_out),
        page_recall_min=min((r for r, _ in page_recalls), default=None),
        excess=excess(all_layer, all_out),
        order=statistics.mean(orders) if orders else None,
        order_pages=len(orders),
        letter_runs=runs,
        odd_chars=odd,
        short_chunks=sum(1 for n in chunk_words if 0 < n < 3),
        long_chunks=sum(1 for n in chunk_words if n > 2 * target),
        number_headers=number_headers,
        repeated_headers=sum(1 for pages in headers.values() if len(pages) >= 3),
        worst_pages=[n for r, n in sorted(page_recalls)[:3] if r < 0.95],
    )
    if peer:
        import pymupdf4llm

        markdown = pymupdf4llm.to_markdown(str(path), show_progress=False)
        peer_words = Counter(words(markdown))
        doc.peer_recall = recall(all_layer, peer_words)
        doc.peer_excess = excess(all_layer, peer_words)
    return doc


def run_all(pdfs: list[Path], peer: bool) -> list[Document]:
    docs = []
    for pdf in pdfs:
        try:
            docs.append(measure(pdf, peer))
            print(f"{pdf.name}: recall {_fmt(docs[-1].recall)}", file=sys.stderr, flush=True)
        except Exception as error:  # noqa: BLE001 - one bad file must not end the run
            print(f"{pdf.name}: {type(error).__name__}: {error}", file=sys.stderr)
    return docs


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def table(docs: list[Document], before: dict[str, Document] | None) -> str:
    head = "| document | pages | recall | min page | excess | order (pages) | letters | odd | short/long | num/rep hdr | pymupdf4llm recall |"
    if before:
        head = "| document | pages | recall before → after | order before → after | excess before → after | letters | odd | short/long | num/rep hdr | pymupdf4llm recall |"
    lines = [head, "| --- " * head.count("|") + "|"]
    lines[1] = "|" + " --- |" * (head.count("|") - 1)
    for d in docs:
        pages = f"{d.pages} ({d.ocr_pages} OCR)" if d.ocr_pages else str(d.pages)
        flags = f"{d.letter_runs} | {d.odd_chars} | {d.short_chunks}/{d.long_chunks} | {d.number_headers}/{d.repeated_headers}"
        if before and d.name in before:
            b = before[d.name]
            lines.append(
                f"| {d.name} | {pages} | {_fmt(b.recall)} → {_fmt(d.recall)} | {_fmt(b.order)} → {_fmt(d.order)} "
                f"| {_fmt(b.excess)} → {_fmt(d.excess)} | {flags} | {_fmt(d.peer_recall)} |"
            )
        else:
            lines.append(
                f"| {d.name} | {pages} | {_fmt(d.recall)} | {_fmt(d.page_recall_min)} | {_fmt(d.excess)} "
                f"| {_fmt(d.order)} ({d.order_pages}) | {flags} | {_fmt(d.peer_recall)} |"
            )
    lines.append("")
    if before:
        failed = [d.name for d in docs if d.name not in before]
        if failed:
            lines.append(f"failed before, left out of the figures below: {', '.join(failed)}")
        docs = [d for d in docs if d.name in before]
    summary = [
        ("recall", [d.recall for d in docs]),
        ("min page recall", [d.page_recall_min for d in docs]),
        ("excess", [d.excess for d in docs]),
        ("order", [d.order for d in docs]),
        ("pymupdf4llm recall", [d.peer_recall for d in docs]),
        ("pymupdf4llm excess", [d.peer_excess for d in docs]),
    ]
    for label, values in summary:
        present = [v for v in values if v is not None]
        if not present:
            continue
        text = f"{label}: median {_fmt(_median(values))}, mean {statistics.mean(present):.3f}"
        if before:
            old = [getattr(before[d.name], _field(label)) for d in docs if d.name in before]
            old_present = [v for v in old if v is not None]
            if old_present:
                text += f" (before: median {_fmt(_median(old))}, mean {statistics.mean(old_present):.3f})"
        lines.append(text)
    for label in ("letter_runs", "odd_chars", "short_chunks", "long_chunks", "number_headers", "repeated_headers"):
        total = sum(getattr(d, label) for d in docs)
        flagged = sum(1 for d in docs if getattr(d, label))
        text = f"{label}: {total} in {flagged} documents"
        if before:
            old_total = sum(getattr(before[d.name], label) for d in docs if d.name in before)
            old_flagged = sum(1 for d in docs if d.name in before and getattr(before[d.name], label))
            text += f" (before: {old_total} in {old_flagged})"
        lines.append(text)
    return "\n".join(lines)


def _field(label: str) -> str:
    return {
        "recall": "recall",
        "min page recall": "page_recall_min",
        "excess": "excess",
        "order": "order",
        "pymupdf4llm recall": "peer_recall",
        "pymupdf4llm excess": "peer_excess",
    }[label]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdfs", type=Path, default=Path("/work/realpdf/pdfs-text"))
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose chunkd is measured")
    parser.add_argument("--baseline", type=Path, help="another checkout, measured first in a subprocess")
    parser.add_argument("--no-peer", action="store_true", help="skip pymupdf4llm")
    parser.add_argument("--only", help="substring of the file names to keep")
    parser.add_argument("--json", type=Path, help="write the per-document figures here")
    args = parser.parse_args()
    sys.path.insert(0, str(args.root.resolve()))
    pdfs = sorted(p for p in args.pdfs.glob("*.pdf") if not args.only or args.only in p.name)
    before = None
    if args.baseline:
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            command = [sys.executable, __file__, "--pdfs", str(args.pdfs), "--root", str(args.baseline), "--no-peer"]
            command += ["--json", out.name] + (["--only", args.only] if args.only else [])
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            before = {d["name"]: Document(**d) for d in json.loads(Path(out.name).read_text())}
    docs = run_all(pdfs, peer=not args.no_peer)
    if args.json:
        args.json.write_text(json.dumps([asdict(d) for d in docs], indent=1), encoding="utf-8")
    print(table(docs, before))


if __name__ == "__main__":
    main()
