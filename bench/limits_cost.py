"""What the document limits cost (issue 17): the zip-bomb check inflates every member of
an office file before any reader opens it; this compares its time with the whole
pipeline on the corpus's office files, in the same run, as medians.

    .venv/bin/python -m bench.limits_cost --repeat 7
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from server.configuration import defaults
from server.pipeline import detect, process
from server.pipeline.convert import check_unpacked_size

OFFICE = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "office"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print("| file | size KiB | check ms (median) | whole pipeline ms (median) | check / pipeline |")
    print("|---|---:|---:|---:|---:|")
    for path in sorted(OFFICE.glob("*.*x")):
        mime = detect.sniff(path.read_bytes())
        checks: list[float] = []
        wholes: list[float] = []
        for _ in range(args.repeat):  # alternating, so drift in the machine's load hits both alike
            start = time.perf_counter()
            check_unpacked_size(path)
            checks.append(time.perf_counter() - start)
            with tempfile.TemporaryDirectory() as work:
                start = time.perf_counter()
                process(path, mime, defaults(), Path(work), lambda *_: None)
                wholes.append(time.perf_counter() - start)
        check, whole = statistics.median(checks), statistics.median(wholes)
        size = path.stat().st_size // 1024
        print(f"| {path.name} | {size} | {check * 1000:.1f} | {whole * 1000:.0f} | {check / whole:.1%} |")


if __name__ == "__main__":
    main()
