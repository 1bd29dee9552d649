#!/usr/bin/env python3
"""Office benchmark: DOCX/PPTX/XLSX read natively vs through LibreOffice, on corpus/office/.

Three paths, each timed doing all of a task's pipeline work (chunking included), in
the same process and run, taking turns on every file:

- **native** (`CHUNKD_SOFFICE=off`): what a machine without LibreOffice does now.
- **native + LibreOffice layout**: what a machine with LibreOffice does now: the native
  segments, placed on the pages of LibreOffice's PDF (page numbers, boxes, page images).
- **LibreOffice path (before)**: what chunkd did before native reading: DOCX/PPTX converted
  to PDF and analysed as a PDF, XLSX converted to HTML and read as sheets of tables.

Each file's Markdown (segments in reading order, headers and footers left out as by
default) is scored with `score_markdown.py` against corpus/expected/.

Usage: python bench/office_bench.py [--soffice PATH] [--repeat N] [--out FILE]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pipeline_bench import load_scorer  # noqa: E402
from protos import tasks_pb2 as pb  # noqa: E402
from server.configuration import defaults  # noqa: E402
from server.pipeline import detect, process  # noqa: E402
from server.pipeline.convert import office_to_pdf, soffice_path, spreadsheet_to_html  # noqa: E402
from server.pipeline.run import _namespace, _text_document  # noqa: E402
from server.pipeline.textdoc import spreadsheet_regions  # noqa: E402

FIGURES = ("words", "order", "headings", "tables")
Result = tuple[str, int]  # Markdown, pages


def _markdown(segments: list[pb.Segment]) -> str:
    return "\n\n".join(s.markdown for s in segments if s.markdown)


def native(path: Path, soffice: str) -> Result:
    os.environ["CHUNKD_SOFFICE"] = soffice
    with tempfile.TemporaryDirectory() as workdir:
        result = process(path, detect.sniff(path.read_bytes()), defaults(), Path(workdir), lambda *_: None)
    return _markdown([s for c in result.output.chunks for s in c.segments]), result.output.page_count


def libreoffice_before(path: Path, soffice: str) -> Result:
    """The path chunkd took before native reading, with the same helpers it used."""
    os.environ["CHUNKD_SOFFICE"] = soffice
    mime = detect.sniff(path.read_bytes())
    config = defaults()
    with tempfile.TemporaryDirectory() as workdir:
        if mime == detect.XLSX:
            html = spreadsheet_to_html(path, mime, Path(workdir))
            segments = _text_document(html, spreadsheet_regions, config, _namespace(path))
            segments = [s for s in segments if s.segment_type not in _MARGINS]
            return _markdown(segments), 1
        pdf = office_to_pdf(path, mime, Path(workdir))
        result = process(pdf, detect.PDF, config, Path(workdir) / "work", lambda *_: None)
    return _markdown([s for c in result.output.chunks for s in c.segments]), result.output.page_count


_MARGINS = {pb.SEGMENT_TYPE_PAGE_HEADER, pb.SEGMENT_TYPE_PAGE_FOOTER}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--tools", type=Path, default=ROOT.parent / "shared" / "tools")
    parser.add_argument("--soffice", default=soffice_path(), help="the LibreOffice binary (default: from PATH)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, help="also write the Markdown tables here")
    args = parser.parse_args()
    if not args.soffice:
        raise SystemExit("LibreOffice is needed to compare against: install it or pass --soffice PATH")
    score = load_scorer(args.tools)
    files = sorted((args.corpus / "office").iterdir())
    paths: dict[str, Callable[[Path], Result]] = {
        "native, no LibreOffice": lambda p: native(p, "off"),
        "native + LibreOffice layout": lambda p: native(p, args.soffice),
        "LibreOffice path (before)": lambda p: libreoffice_before(p, args.soffice),
    }
    for fn in paths.values():
        fn(files[0])  # warm-up: imports, LibreOffice's first start
    times: dict[str, dict[str, list[float]]] = {name: {f.name: [] for f in files} for name in paths}
    outputs: dict[str, dict[str, Result]] = {name: {} for name in paths}
    for _ in range(args.repeat):
        for file in files:
            for name, fn in paths.items():  # paths take turns, so the machine's load hits all of them
                start = time.perf_counter()
                outputs[name][file.name] = fn(file)
                times[name][file.name].append(time.perf_counter() - start)
    scores = {
        name: {
            f.name: score(outputs[name][f.name][0], (args.corpus / "expected" / f"{f.name}.md").read_text("utf-8"))
            for f in files
        }
        for name in paths
    }
    lines = [
        "| path | files/s | pages/s | median s/file | words | order | headings | tables |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in paths:
        medians = [statistics.median(times[name][f.name]) for f in files]
        pages = sum(outputs[name][f.name][1] for f in files)
        means = [statistics.mean(scores[name][f.name][k] for f in files) for k in FIGURES]
        lines.append(
            f"| {name} | {len(files) / sum(medians):.2f} | {pages / sum(medians):.1f} | "
            f"{statistics.median(medians):.3f} | " + " | ".join(f"{m:.3f}" for m in means) + " |"
        )
    lines += ["", "Per file (words / order / headings / tables; pages; median seconds):", ""]
    lines += ["| file | " + " | ".join(paths) + " |", "| --- |" + " --- |" * len(paths)]
    for f in files:
        cells = []
        for name in paths:
            figures = " / ".join(f"{scores[name][f.name][k]:.2f}" for k in FIGURES)
            cells.append(f"{figures}; {outputs[name][f.name][1]} p; {statistics.median(times[name][f.name]):.3f} s")
        lines.append(f"| {f.name} | " + " | ".join(cells) + " |")
    speedups = [
        statistics.median(times["LibreOffice path (before)"][f.name]) / statistics.median(times[name][f.name])
        for name in ("native, no LibreOffice",)
        for f in files
    ]
    lines += ["", f"Native vs LibreOffice path, per file: {', '.join(f'{s:.0f}x' for s in speedups)}."]
    table = "\n".join(lines)
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
