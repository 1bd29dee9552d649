#!/usr/bin/env python3
"""Pipeline benchmark: pages per second and Markdown quality over corpus/pdf/.

For every PDF it runs chunkd's pipeline (`server.pipeline.process`, the same
call the worker makes) and the peer, pymupdf4llm 0.0.24 (a benchmark-only
dependency: `pip install 'chunkd[bench]'`), in the same process and run, and
scores both Markdown outputs with `score_markdown.py` against corpus/expected/.

chunkd's Markdown is what a user reads: the segments' markdown joined in
reading order across chunks. chunkd is timed doing all its work: page images
and crops written to disk, chunking included. Each tool gets one untimed warm-up
pass (imports, font caches), then the best of `--repeat` timed passes per file.

Usage: python bench/pipeline_bench.py [--corpus DIR] [--tools DIR] [--repeat N] [--out FILE]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from protos import tasks_pb2 as pb  # noqa: E402
from server.configuration import defaults  # noqa: E402
from server.pipeline import process  # noqa: E402

FIGURES = ("words", "order", "headings", "tables")


@dataclass
class Run:
    """One tool on one file: its Markdown, pages and best time."""

    name: str
    pages: int
    seconds: float
    scores: dict[str, float]


def load_scorer(tools: Path) -> Callable[[str, str], dict[str, float]]:
    """`score(output_md, reference_md)` from the shared tools folder's score_markdown.py."""
    spec = importlib.util.spec_from_file_location("score_markdown", tools / "score_markdown.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"score_markdown.py not found in {tools}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.score  # type: ignore[no-any-return]


def chunkd_markdown(path: Path, config: pb.Configuration) -> tuple[str, int]:
    with tempfile.TemporaryDirectory() as workdir:
        result = process(path, "application/pdf", config, Path(workdir), lambda *_: None)
    parts = [s.markdown for chunk in result.output.chunks for s in chunk.segments if s.markdown]
    return "\n\n".join(parts), result.output.page_count


def peer_markdown(path: Path) -> tuple[str, int]:
    import pymupdf
    import pymupdf4llm

    with pymupdf.open(str(path)) as document:
        pages = len(document)
    return pymupdf4llm.to_markdown(str(path), show_progress=False), pages


def pdfium_text(path: Path) -> tuple[str, int]:
    """The raw text layer, in pdfium's stream order: what a pipeline without layout gets."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document), len(document)
    finally:
        document.close()


def _timed(fn: Callable[[Path], tuple[str, int]], pdf: Path) -> tuple[str, int, float]:
    start = time.perf_counter()
    markdown, pages = fn(pdf)
    return markdown, pages, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--tools", type=Path, default=ROOT.parent / "shared" / "tools")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, help="also write the Markdown table here")
    args = parser.parse_args()
    score = load_scorer(args.tools)
    pdfs = sorted((args.corpus / "pdf").glob("*.pdf"))
    low_res = defaults()
    low_res.high_resolution = False
    tools: dict[str, Callable[[Path], tuple[str, int]]] = {
        "chunkd (defaults: 144 dpi page images, crops)": lambda p: chunkd_markdown(p, defaults()),
        "chunkd (high_resolution=false: 72 dpi images)": lambda p: chunkd_markdown(p, low_res),
        "pymupdf4llm 0.0.24": peer_markdown,
        "raw pdfium text (no layout)": pdfium_text,
    }
    runs: dict[str, list[Run]] = {name: [] for name in tools}
    for fn in tools.values():
        fn(pdfs[0])  # warm-up: imports and caches
    for pdf in pdfs:
        reference = (args.corpus / "expected" / f"{pdf.stem}.md").read_text(encoding="utf-8")
        best: dict[str, tuple[str, int, float]] = {}
        for _ in range(args.repeat):  # tools interleaved, so a busy moment on the machine hits all of them
            for name, fn in tools.items():
                markdown, pages, seconds = _timed(fn, pdf)
                if name not in best or seconds < best[name][2]:
                    best[name] = (markdown, pages, seconds)
        for name, (markdown, pages, seconds) in best.items():
            runs[name].append(Run(pdf.stem, pages, seconds, score(markdown, reference)))
    lines = ["| tool | pages/s | words | order | headings | tables |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, results in runs.items():
        rate = sum(r.pages for r in results) / sum(r.seconds for r in results)
        means = [statistics.mean(r.scores[f] for r in results) for f in FIGURES]
        lines.append(f"| {name} | {rate:.1f} | " + " | ".join(f"{m:.3f}" for m in means) + " |")
    lines += ["", "Per file (words / order / headings / tables, pages/s):", ""]
    lines += ["| file | pages | " + " | ".join(tools) + " |", "| --- | ---: |" + " --- |" * len(tools)]
    for index, pdf in enumerate(pdfs):
        cells = []
        for name in tools:
            run = runs[name][index]
            figures = " / ".join(f"{run.scores[f]:.2f}" for f in FIGURES)
            cells.append(f"{figures}, {run.pages / run.seconds:.1f}")
        lines.append(f"| {pdf.stem} | {runs[next(iter(tools))][index].pages} | " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
