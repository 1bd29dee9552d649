#!/usr/bin/env python3
"""Table benchmark: ICDAR 2013 Table Competition measures for chunkd and a peer.

For every `eu-NNN.pdf` under the corpus folder, chunkd's pipeline functions
(text layer → lines → document statistics → `analyse_page`) are run directly,
and in the same run the peer, pymupdf's `Page.find_tables()` (benchmark-only:
`pip install -e '.[bench]'`) with its default strategy (ruling lines) and with
`strategy="text"` (word alignment, its option for tables without rules). Both are scored against `eu-NNN-reg.xml`
(table regions) and `eu-NNN-str.xml` (cells):

- **detection**: a detected table matches a ground-truth region on the same page
  when their boxes overlap at IoU >= 0.5 (one-to-one, best IoU first);
  precision, recall and F1 over all regions of all documents.
- **completeness / purity** (the competition's region measures, on words): a
  ground-truth region is *complete* when the detected table that shares most of
  its words holds all of them, *pure* when that table holds no word from outside
  the region. Reported as the share of ground-truth regions that are complete and
  pure; also word-level precision/recall of table regions. Words are pdfium's
  words of the page, the same for both tools.
- **adjacency relations** (the competition's structure measure): for every
  non-empty cell, its nearest non-empty neighbour to the right in the same row
  and below in the same column (a spanning cell has a neighbour in every row or
  column it spans); a relation is (text, text, direction), text normalised to
  lower-case letters and digits. Compared as multisets per document over all its
  tables (so a missed table costs recall, a false one precision); precision and
  recall are computed per document and averaged over documents (the competition's
  way), F1 is the harmonic mean of those averages. The sum over all documents
  ("micro") is printed too.

`eu-009a` and `eu-009b` are two ground truths for one PDF (`eu-009a.pdf`); the
competition scored the better of the two, and so does this script.

Usage: python bench/tables.py [--corpus DIR] [--no-peer] [--per-file]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pypdfium2 as pdfium

from server.pipeline.pdf.extract import PageContent, Word, extract_page
from server.pipeline.pdf.layout import analyse_page
from server.pipeline.pdf.lines import build_lines
from server.pipeline.pdf.stats import StatsBuilder
from server.pipeline.tables import Table

BoxT = tuple[float, float, float, float]  # x0, y0, x1, y1, top-left origin, display frame
Relation = tuple[str, str, str]


@dataclass
class GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


@dataclass
class FoundTable:
    page: int  # 1-based
    box: BoxT
    cells: list[GridCell] = field(default_factory=list)


@dataclass
class Page:
    width: float
    height: float
    words: list[Word]


# ---------------------------------------------------------------- geometry


def iou(a: BoxT, b: BoxT) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def inside(word: Word, box: BoxT) -> bool:
    return box[0] - 1 <= word.box.cx <= box[2] + 1 and box[1] - 1 <= word.box.cy <= box[3] + 1


# ---------------------------------------------------------------- ground truth


def _bbox(element: ET.Element) -> tuple[float, float, float, float]:
    bb = element.find("bounding-box")
    assert bb is not None
    return tuple(float(bb.get(k, 0)) for k in ("x1", "y1", "x2", "y2"))  # type: ignore[return-value]


def _to_display(bl_box: tuple[float, float, float, float], page: Page) -> BoxT:
    """A region box (PDF points, bottom-left origin) with a top-left origin. The regions of the
    one rotated document (eu-015, /Rotate 90) are given in the displayed page's frame, as
    chunkd's and pymupdf's boxes are."""
    x1, y1, x2, y2 = bl_box
    return (x1, page.height - y2, x2, page.height - y1)


def ground_truth(stem: str, folder: Path, pages: list[Page]) -> tuple[list[FoundTable], list[FoundTable]]:
    """(regions, tables with cells) of a ground-truth file pair; one FoundTable per page-region."""
    regions: list[FoundTable] = []
    for region in ET.parse(folder / f"{stem}-reg.xml").getroot().iter("region"):
        page = int(region.get("page", "1"))
        regions.append(FoundTable(page, _to_display(_bbox(region), pages[page - 1])))
    structured: list[FoundTable] = []
    for region in ET.parse(folder / f"{stem}-str.xml").getroot().iter("region"):
        page = int(region.get("page", "1"))
        table = FoundTable(page, (0, 0, 0, 0))
        for cell in region.iter("cell"):
            r0, c0 = int(cell.get("start-row", 0)), int(cell.get("start-col", 0))
            r1, c1 = int(cell.get("end-row", r0)), int(cell.get("end-col", c0))
            content = cell.find("content")
            text = content.text if content is not None and content.text else ""
            table.cells.append(GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, text))
        structured.append(table)
    return regions, structured


# ---------------------------------------------------------------- measures


def normalise(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def relations(table: FoundTable) -> Counter[Relation]:
    """Adjacency relations of one table's non-empty cells."""
    owner: dict[tuple[int, int], int] = {}
    texts = [normalise(cell.text) for cell in table.cells]
    for index, cell in enumerate(table.cells):
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                owner.setdefault((r, c), index)
    if not owner:
        return Counter()
    rows = max(r for r, _ in owner) + 1
    cols = max(c for _, c in owner) + 1
    found: set[tuple[int, int, str]] = set()
    for index, cell in enumerate(table.cells):
        if not texts[index]:
            continue
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col + cell.colspan, cols):
                other = owner.get((r, c))
                if other is not None and other != index and texts[other]:
                    found.add((index, other, "h"))
                    break
        for c in range(cell.col, cell.col + cell.colspan):
            for r in range(cell.row + cell.rowspan, rows):
                other = owner.get((r, c))
                if other is not None and other != index and texts[other]:
                    found.add((index, other, "v"))
                    break
    return Counter((texts[a], texts[b], d) for a, b, d in found)


@dataclass
class DocScore:
    gt_regions: int = 0
    found_regions: int = 0
    matched: int = 0
    complete: int = 0
    pure: int = 0
    words_gt: int = 0
    words_found: int = 0
    words_both: int = 0
    rel_gt: int = 0
    rel_found: int = 0
    rel_both: int = 0
    seconds: float = 0.0

    @property
    def rel_precision(self) -> float:
        return self.rel_both / self.rel_found if self.rel_found else (1.0 if not self.rel_gt else 0.0)

    @property
    def rel_recall(self) -> float:
        return self.rel_both / self.rel_gt if self.rel_gt else 1.0


def score_document(
    pages: list[Page],
    gt_regions: list[FoundTable],
    gt_tables: list[FoundTable],
    found: list[FoundTable],
) -> DocScore:
    score = DocScore(gt_regions=len(gt_regions), found_regions=len(found))
    by_page: dict[int, tuple[list[FoundTable], list[FoundTable]]] = {}
    for region in gt_regions:
        by_page.setdefault(region.page, ([], []))[0].append(region)
    for table in found:
        by_page.setdefault(table.page, ([], []))[1].append(table)
    for number, (truth, detected) in by_page.items():
        pairs = sorted(
            ((iou(t.box, d.box), i, j) for i, t in enumerate(truth) for j, d in enumerate(detected)),
            reverse=True,
        )
        used_t: set[int] = set()
        used_d: set[int] = set()
        for value, i, j in pairs:
            if value >= 0.5 and i not in used_t and j not in used_d:
                used_t.add(i)
                used_d.add(j)
                score.matched += 1
        words = pages[number - 1].words
        in_found = [{id(w) for w in words if inside(w, d.box)} for d in detected]
        any_found = set().union(*in_found) if in_found else set()
        in_truth_all: set[int] = set()
        for region in truth:
            mine = {id(w) for w in words if inside(w, region.box)}
            in_truth_all |= mine
            if not mine:
                continue
            best = max(in_found, key=lambda s: len(s & mine), default=set())
            if best & mine:
                score.complete += mine <= best
                score.pure += best <= mine
        score.words_gt += len(in_truth_all)
        score.words_found += len(any_found)
        score.words_both += len(in_truth_all & any_found)
    truth_rel: Counter[Relation] = Counter()
    for table in gt_tables:
        truth_rel += relations(table)
    found_rel: Counter[Relation] = Counter()
    for table in found:
        found_rel += relations(table)
    score.rel_gt = sum(truth_rel.values())
    score.rel_found = sum(found_rel.values())
    score.rel_both = sum((truth_rel & found_rel).values())
    return score


# ---------------------------------------------------------------- tools


def read_pages(pdf: Path) -> tuple[list[Page], list[PageContent]]:
    document = pdfium.PdfDocument(str(pdf))
    try:
        contents = [extract_page(document, i) for i in range(len(document))]
    finally:
        document.close()
    pages = [Page(c.width, c.height, c.words) for c in contents]
    return pages, contents


def _cells_of(table: Table) -> list[GridCell]:
    return [
        GridCell(r, c, cell.rowspan, cell.colspan, cell.text)
        for r, row in enumerate(table.rows)
        for c, cell in enumerate(row)
        if not cell.covered
    ]


def chunkd_tables(pdf: Path) -> list[FoundTable]:
    """chunkd's pipeline functions, as the worker runs them, without rendering."""
    document = pdfium.PdfDocument(str(pdf))
    try:
        pages = []
        builder = StatsBuilder()
        for index in range(len(document)):
            content = extract_page(document, index)
            lines = build_lines(content.words)
            if content.has_usable_text:
                builder.add(content, lines)
            pages.append((content, lines))
    finally:
        document.close()
    stats = builder.build()
    found: list[FoundTable] = []
    for content, lines in pages:
        for region in analyse_page(content, lines, stats):
            if region.table is not None:
                b = region.box
                found.append(
                    FoundTable(
                        content.number,
                        (b.x0, b.y0, b.x1, b.y1),
                        _cells_of(region.table),
                    )
                )
    return found


def pymupdf_tables(pdf: Path, strategy: str = "lines") -> list[FoundTable]:
    """pymupdf's `Page.find_tables()`; its default strategy follows ruling lines,
    "text" builds the grid from word alignment (for tables without rules)."""
    import pymupdf

    found: list[FoundTable] = []
    with pymupdf.open(str(pdf)) as document:
        for page in document:
            for tab in page.find_tables(strategy=strategy).tables:
                rows = tab.extract()
                xs = sorted({round(c[0], 1) for c in tab.cells if c})
                ys = sorted({round(c[1], 1) for c in tab.cells if c})
                cells: list[GridCell] = []
                for r, row in enumerate(tab.rows):
                    for c, bbox in enumerate(row.cells):
                        if bbox is None:
                            continue
                        col = next((i for i, x in enumerate(xs) if abs(x - bbox[0]) < 0.5), c)
                        row_i = next((i for i, y in enumerate(ys) if abs(y - bbox[1]) < 0.5), r)
                        colspan = max(1, sum(1 for x in xs if bbox[0] - 0.5 <= x < bbox[2] - 0.5))
                        rowspan = max(1, sum(1 for y in ys if bbox[1] - 0.5 <= y < bbox[3] - 0.5))
                        text = rows[r][c] if r < len(rows) and c < len(rows[r]) else ""
                        cells.append(GridCell(row_i, col, rowspan, colspan, text or ""))
                found.append(FoundTable(page.number + 1, tuple(tab.bbox), cells))  # type: ignore[arg-type]
    return found


# ---------------------------------------------------------------- report


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def summary(scores: list[DocScore]) -> dict[str, float]:
    matched = sum(s.matched for s in scores)
    gt = sum(s.gt_regions for s in scores)
    det = sum(s.found_regions for s in scores)
    p, r = matched / det if det else 0.0, matched / gt if gt else 0.0
    ap = sum(s.rel_precision for s in scores) / len(scores)
    ar = sum(s.rel_recall for s in scores) / len(scores)
    mp = sum(s.rel_both for s in scores) / max(sum(s.rel_found for s in scores), 1)
    mr = sum(s.rel_both for s in scores) / max(sum(s.rel_gt for s in scores), 1)
    return {
        "det P": p,
        "det R": r,
        "det F1": _f1(p, r),
        "complete": sum(s.complete for s in scores) / gt,
        "pure": sum(s.pure for s in scores) / gt,
        "word P": sum(s.words_both for s in scores) / max(sum(s.words_found for s in scores), 1),
        "word R": sum(s.words_both for s in scores) / max(sum(s.words_gt for s in scores), 1),
        "adj P": ap,
        "adj R": ar,
        "adj F1": _f1(ap, ar),
        "adj F1 micro": _f1(mp, mr),
        "s/doc": sum(s.seconds for s in scores) / len(scores),
    }


def documents(folder: Path) -> Iterable[tuple[Path, list[str]]]:
    """(pdf, ground-truth stems): eu-009a.pdf has two alternative ground truths."""
    for pdf in sorted(folder.glob("*.pdf")):
        if not (folder / f"{pdf.stem}-reg.xml").exists():
            continue
        stems = [pdf.stem]
        if pdf.stem.endswith("a") and (folder / f"{pdf.stem[:-1]}b-reg.xml").exists():
            stems.append(pdf.stem[:-1] + "b")
        yield pdf, stems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shared = next(
        (p / "shared" for p in ROOT.parents if (p / "shared" / "corpus").is_dir()),
        ROOT.parent / "shared",
    )
    parser.add_argument("--corpus", type=Path, default=shared / "corpus" / "tables-icdar2013")
    parser.add_argument("--no-peer", action="store_true", help="chunkd only")
    parser.add_argument("--per-file", action="store_true", help="also print each document's figures")
    args = parser.parse_args()
    tools: dict[str, Callable[[Path], list[FoundTable]]] = {"chunkd": chunkd_tables}
    if not args.no_peer:
        tools["pymupdf find_tables()"] = pymupdf_tables
        tools["pymupdf find_tables(strategy='text')"] = lambda pdf: pymupdf_tables(pdf, "text")
    scores: dict[str, list[DocScore]] = {name: [] for name in tools}
    per_file: list[str] = []
    for pdf, stems in documents(args.corpus):
        pages, _ = read_pages(pdf)
        truths = [ground_truth(stem, args.corpus, pages) for stem in stems]
        cells = []
        for name, fn in tools.items():
            start = time.perf_counter()
            found = fn(pdf)
            seconds = time.perf_counter() - start
            options = [score_document(pages, regions, tables, found) for regions, tables in truths]
            best = max(options, key=lambda s: (s.matched, _f1(s.rel_precision, s.rel_recall)))
            best.seconds = seconds
            scores[name].append(best)
            cells.append(
                f"{best.matched}/{best.gt_regions}/{best.found_regions} {_f1(best.rel_precision, best.rel_recall):.2f}"
            )
        per_file.append(f"| {pdf.stem} | " + " | ".join(cells) + " |")
    keys = list(summary(next(iter(scores.values()))).keys())
    print("| tool | " + " | ".join(keys) + " |")
    print("| --- |" + " ---: |" * len(keys))
    for name, results in scores.items():
        figures = summary(results)
        print(f"| {name} | " + " | ".join(f"{figures[k]:.3f}" for k in keys) + " |")
    if args.per_file:
        print("\nPer document (matched/ground-truth/detected regions, adjacency F1):\n")
        print("| document | " + " | ".join(tools) + " |")
        print("| --- |" + " --- |" * len(tools))
        print("\n".join(per_file))


if __name__ == "__main__":
    main()
