"""OCR throughput and memory on this machine, with and without the layout model.

    .venv/bin/python bench/ocr_bench.py [--runs 3] [--dpi 200] [--out bench/ocr.md]

Pages are the corpus scans plus born-digital corpus pages rendered to images
(so they have text density of real documents and no text layer to lean on).
Each mode runs in fresh worker processes, started with `spawn` as a pool
would start them, so model loading and peak RSS are those of one worker:

- one worker: seconds per page (median over runs of each page), as CPU time
  of the worker process and as wall time. With one ONNX Runtime thread the
  CPU time is what the page costs on an idle core, and it stays true when
  other work shares the machine, which wall time does not;
- two workers on the machine's cores (the worker's default pool): pages/s
  for the whole set by the wall clock, what a queue of scans actually sees.

Peak RSS is `ru_maxrss` of the worker process after its last page. Pages
with a reference in `corpus/expected/` are scored with the corpus's own
`tools/score_markdown.py` (words and order), on the Markdown of the segments.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT))

SCORER = CORPUS.parent / "tools" / "score_markdown.py"

# (label, file, page index, reference in corpus/expected or ""); images other than PDFs are read as they are
PAGES = [
    ("ocr_test.pdf p1 (scan, 3 lines)", "ocr/ocr_test.pdf", 0, "ocr_test.md"),
    ("ocr_test_rotated_180.pdf p1 (scan, upside down)", "ocr/ocr_test_rotated_180.pdf", 0, "ocr_test.md"),
    ("webp-test.webp (photo of text)", "ocr/webp-test.webp", 0, "ocr_test.md"),
    ("2305.03393v1-pg9.pdf (paper page, table)", "pdf/2305.03393v1-pg9.pdf", 0, "2305.03393v1-pg9.md"),
    ("amt_handbook_sample.pdf (handbook, figures)", "pdf/amt_handbook_sample.pdf", 0, "amt_handbook_sample.md"),
    ("multi_page.pdf p1 (article page)", "pdf/multi_page.pdf", 0, ""),
]


@dataclass
class Page:
    label: str
    image: object  # PIL.Image.Image; pickled to the worker
    width: float
    height: float
    reference: str = ""  # file name in corpus/expected, "" when the page has none


@dataclass
class WorkerReport:
    load_s: float  # first page including model load and warm-up
    seconds: dict[str, list[float]] = field(default_factory=dict)  # label -> per-run wall seconds
    cpu: dict[str, list[float]] = field(default_factory=dict)  # label -> per-run CPU seconds
    max_rss_mib: float = 0.0
    segments: dict[str, int] = field(default_factory=dict)
    markdown: dict[str, str] = field(default_factory=dict)  # label -> the page's Markdown, last run


def load_pages(dpi: int) -> list[Page]:
    import pypdfium2 as pdfium
    from PIL import Image

    pages = []
    for label, relative, index, reference in PAGES:
        path = CORPUS / relative
        if path.suffix.lower() == ".pdf":
            document = pdfium.PdfDocument(str(path))
            page = document[index]
            width, height = page.get_size()
            image = page.render(scale=dpi / 72).to_pil()
            document.close()
        else:
            image = Image.open(path)
            image.load()
            width, height = image.width * 72 / dpi, image.height * 72 / dpi
        pages.append(Page(label, image, width, height, reference))
    return pages


def _max_rss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if platform.system() == "Darwin" else rss / 1024


@dataclass
class Timing:
    wall: float
    cpu: float  # this process's CPU time: with one ORT thread, what the page costs on an idle core
    segments: int
    markdown: str


def _read(page: Page, use_layout: bool) -> Timing:
    from server.pipeline.ocr import read_page

    start, start_cpu = time.perf_counter(), time.process_time()
    segments = read_page(page.image, 1, page.width, page.height, use_layout=use_layout)  # type: ignore[arg-type]
    markdown = "\n\n".join(s.markdown or s.content for s in segments)
    return Timing(time.perf_counter() - start, time.process_time() - start_cpu, len(segments), markdown)


def single_worker(pages: list[Page], use_layout: bool, runs: int) -> WorkerReport:
    """Runs inside a fresh worker: cold first page, then `runs` warm passes."""
    report = WorkerReport(_read(pages[0], use_layout).wall)
    for _ in range(runs):
        for page in pages:
            timing = _read(page, use_layout)
            report.seconds.setdefault(page.label, []).append(timing.wall)
            report.cpu.setdefault(page.label, []).append(timing.cpu)
            report.segments[page.label] = timing.segments
            report.markdown[page.label] = timing.markdown
    report.max_rss_mib = _max_rss_mib()
    return report


def _warm(use_layout: bool) -> None:
    from server.pipeline import ocr
    from server.pipeline.ocr import engine as ocr_engine

    ocr_engine.engine()
    if use_layout:
        ocr_engine.layout_model()
    assert ocr.available()


def _pool_page(page: Page, use_layout: bool) -> tuple[int, float]:
    _read(page, use_layout)
    return os.getpid(), _max_rss_mib()


def pool_throughput(pages: list[Page], use_layout: bool, runs: int, workers: int) -> tuple[float, dict[int, float]]:
    """Pages per second through a pool of `workers` warmed-up processes."""
    rates = []
    rss: dict[int, float] = {}
    with ProcessPoolExecutor(
        workers, mp_context=get_context("spawn"), initializer=_warm, initargs=(use_layout,)
    ) as pool:
        list(pool.map(_pool_page, pages[:workers], [use_layout] * workers))  # every worker loaded and warm
        for _ in range(runs):
            start = time.perf_counter()
            for pid, peak in pool.map(_pool_page, pages, [use_layout] * len(pages)):
                rss[pid] = max(rss.get(pid, 0.0), peak)
            rates.append(len(pages) / (time.perf_counter() - start))
    return statistics.median(rates), rss


def scores(page: Page, markdown: str) -> dict[str, float] | None:
    """words/order of the page's Markdown against its reference, by the corpus's scorer."""
    if not page.reference:
        return None
    import importlib.util

    spec = importlib.util.spec_from_file_location("score_markdown", SCORER)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.score(markdown, (CORPUS / "expected" / page.reference).read_text(encoding="utf-8"))


def table(
    pages: list[Page], reports: dict[str, WorkerReport], pools: dict[str, tuple[float, dict[int, float]]], workers: int
) -> str:
    modes = list(reports)
    heads = [f"{kind}, {m}" for m in modes for kind in ("CPU s", "wall s", "words / order")]
    lines = ["| page (segments with layout / without) | " + " | ".join(heads) + " |", "|---|" + "---:|" * len(heads)]
    for page in pages:
        cells = []
        for m in modes:
            cells += [f"{statistics.median(getattr(reports[m], kind)[page.label]):.2f}" for kind in ("cpu", "seconds")]
            figures = scores(page, reports[m].markdown[page.label])
            cells.append(f"{figures['words']:.3f} / {figures['order']:.3f}" if figures else "—")
        counts = " / ".join(str(reports[m].segments[page.label]) for m in modes)
        lines.append(f"| {page.label} ({counts}) | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("| figure | " + " | ".join(modes) + " |")
    lines.append("|---|" + "---:|" * len(modes))

    def row(name: str, values: list[str]) -> None:
        lines.append(f"| {name} | " + " | ".join(values) + " |")

    cpu = {m: statistics.mean(statistics.median(v) for v in reports[m].cpu.values()) for m in modes}
    wall = {m: statistics.mean(statistics.median(v) for v in reports[m].seconds.values()) for m in modes}
    row("CPU seconds/page (mean over the pages of their medians)", [f"{cpu[m]:.2f}" for m in modes])
    scans = [p for p in pages if p.reference == "ocr_test.md"]
    scan_cpu = {m: statistics.mean(statistics.median(reports[m].cpu[p.label]) for p in scans) for m in modes}
    row("CPU seconds/page, the corpus/ocr scans", [f"{scan_cpu[m]:.2f}" for m in modes])
    for name, chosen in (("corpus/ocr scans", scans), ("all scored pages", [p for p in pages if p.reference])):
        for measure in ("words", "order"):
            values = {
                m: statistics.mean(scores(p, reports[m].markdown[p.label])[measure] for p in chosen) for m in modes
            }  # type: ignore[index]
            row(f"{measure}, mean over the {name}", [f"{values[m]:.3f}" for m in modes])
    row("pages/s, 1 worker, from CPU time (idle core)", [f"{1 / cpu[m]:.3f}" for m in modes])
    row(f"pages/s, {workers} workers on {workers} cores, from CPU time", [f"{workers / cpu[m]:.3f}" for m in modes])
    row("wall seconds/page, 1 worker", [f"{wall[m]:.2f}" for m in modes])
    row(f"pages/s, pool of {workers} workers, wall clock", [f"{pools[m][0]:.3f}" for m in modes])
    row("first page incl. model load, s", [f"{reports[m].load_s:.2f}" for m in modes])
    row("peak RSS of one worker, MiB", [f"{reports[m].max_rss_mib:.0f}" for m in modes])
    row("peak RSS per pool worker, MiB", [" / ".join(f"{v:.0f}" for v in pools[m][1].values()) for m in modes])
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "ocr.md")
    args = parser.parse_args()

    pages = load_pages(args.dpi)
    reports: dict[str, WorkerReport] = {}
    pools: dict[str, tuple[float, dict[int, float]]] = {}
    load_before = os.getloadavg()[0]
    for mode, use_layout in (("layout model", True), ("geometry only", False)):
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as one:
            reports[mode] = one.submit(single_worker, pages, use_layout, args.runs).result()
        pools[mode] = pool_throughput(pages, use_layout, args.runs, args.workers)
        print(f"{mode}: done", file=sys.stderr)
    from importlib.metadata import version

    from server.pipeline.ocr.engine import backend

    body = table(pages, reports, pools, args.workers)
    header = (
        f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, runtime {backend()} {version(backend())}; "
        f"CHUNKD_OCR_THREADS={os.environ.get('CHUNKD_OCR_THREADS', '1')}; pages rendered at {args.dpi} dpi; "
        f"median of {args.runs} runs; 1-min load average {load_before:.1f} at start, "
        f"{os.getloadavg()[0]:.1f} at end."
    )
    print(header + "\n\n" + body)
    if args.out:
        text = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        marker = "<!-- results -->"
        intro = text.split(marker)[0] if marker in text else (text or "# OCR benchmark\n\n")
        args.out.write_text(f"{intro}{marker}\n\n{header}\n\n{body}\n", encoding="utf-8")


if __name__ == "__main__":
    main()
