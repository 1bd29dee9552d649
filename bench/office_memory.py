#!/usr/bin/env python3
"""Peak memory of reading a large sheet natively: the workbook streams, so reading a
sheet ten times longer should not need ten times the memory.

For each row count a workbook of that many rows x 10 columns (numbers and short
strings) is written with openpyxl's write-only mode, then read in a fresh process,
which reports its peak RSS (`ru_maxrss`):

- **reader**: `read_office` pages consumed block by block and dropped: what the streaming costs;
- **task**: the whole pipeline (`process`), whose output (every cell as segment text,
  HTML and Markdown, and the chunks) necessarily grows with the sheet;
- **openpyxl full load**: `load_workbook()` without read-only mode, for comparison.

Usage: python bench/office_memory.py [--rows 10000 100000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = """
import resource, sys
from pathlib import Path
sys.path.insert(0, {root!r})
mode, path = sys.argv[1], Path(sys.argv[2])
if mode == "reader":
    from server.pipeline import detect
    from server.pipeline.office import read_office
    for page in read_office(path, detect.XLSX).pages:
        for block in page.all_blocks():
            pass
elif mode == "task":
    import tempfile
    from server.configuration import defaults
    from server.pipeline import detect, process
    with tempfile.TemporaryDirectory() as work:
        process(path, detect.XLSX, defaults(), Path(work), lambda *_: None)
else:
    import openpyxl
    openpyxl.load_workbook(path, data_only=True)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def _workbook(path: Path, rows: int) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Data")
    sheet.append([f"column {c}" for c in range(10)])
    for r in range(rows):
        sheet.append([r, r * 1.5, f"item {r}", r % 7, "north" if r % 2 else "south", r * 3, r / 4, "x", r, -r])
    book.save(str(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    code = _CHILD.format(root=str(ROOT))
    print("| rows x 10 columns | file MiB | reader peak RSS MiB | task peak RSS MiB | openpyxl full load MiB |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as folder:
        for rows in args.rows:
            path = Path(folder) / f"rows{rows}.xlsx"
            _workbook(path, rows)
            peaks = [
                subprocess.run(
                    [sys.executable, "-c", code, mode, str(path)], capture_output=True, text=True, check=True
                ).stdout.strip()
                for mode in ("reader", "task", "openpyxl")
            ]
            print(f"| {rows:,} | {path.stat().st_size / 2**20:.1f} | " + " | ".join(peaks) + " |")


if __name__ == "__main__":
    main()
