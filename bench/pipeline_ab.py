#!/usr/bin/env python3
"""Before/after timing of the pipeline alone, pass by pass, for two or more checkouts.

One long-lived process per checkout (so each imports its own `server`) runs
`server.pipeline.process` over every PDF of corpus/pdf once per pass; the processes
take turns in a fresh random order every round, so a busy moment on a shared machine
lands on all of them alike. Prints the best and median wall time of a pass, pages/s
from them, and the median CPU time of a pass (all threads, and the processes the
pipeline started: its page-drawing process, read from /proc).

With `--concurrent N`, N processes per checkout run their pass at once (as the worker's
pipeline slots do), and a pass is timed until the last of them is done: throughput. Each
draws its page images where the worker would have a task draw them with N tasks running
(`server.worker.draws_apart`), in a checkout that makes that choice.

Usage: python bench/pipeline_ab.py [--rounds N] [--low-res] [--concurrent N] NAME=CHECKOUT NAME=CHECKOUT ...
(a checkout is a directory with this repository's tree and a .venv; e.g. a
`git worktree add /tmp/base <commit>` beside this one).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs inside each checkout's own interpreter: a pass per line read, "wall cpu" per pass written.
_WORKER = """
import os, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, ".")
from server.configuration import defaults
from server.pipeline import process
try:  # the worker's choice for a task that starts while argv[2] tasks run (itself included)
    from server.worker import draws_apart
    options = {"draw_apart": draws_apart(int(sys.argv[2]))}
except ImportError:  # a checkout from before the choice
    options = {}
pdfs = sorted(Path(sys.argv[1]).glob("*.pdf"))
def children_cpu():
    # CPU seconds of the live child processes (a page-drawing process), from /proc
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for task in os.listdir("/proc/self/task"):
        try:
            children = open(f"/proc/self/task/{task}/children").read().split()
        except OSError:
            continue
        for pid in children:
            try:
                fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick
    return total
def run(high):
    pages = 0
    for pdf in pdfs:
        config = defaults()
        config.high_resolution = high
        with tempfile.TemporaryDirectory() as workdir:
            pages += process(pdf, "application/pdf", config, Path(workdir), lambda *_: None, **options).output.page_count
    return pages
print(run(True), flush=True)
for line in sys.stdin:
    wall, cpu = time.perf_counter(), time.process_time() + children_cpu()
    run(line.strip() == "high")
    print(f"{time.perf_counter() - wall} {time.process_time() + children_cpu() - cpu}", flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs="+", help="NAME=DIR")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--low-res", action="store_true", help="high_resolution=false (72 dpi page images)")
    parser.add_argument(
        "--concurrent", type=int, default=1, help="processes per checkout running a pass at once (as worker slots do)"
    )
    args = parser.parse_args()
    workers: dict[str, list[subprocess.Popen[str]]] = {}
    for spec in args.checkouts:
        name, _, directory = spec.partition("=")
        workers[name] = [
            subprocess.Popen(
                [
                    str(Path(directory) / ".venv" / "bin" / "python"),
                    "-c",
                    _WORKER,
                    str(args.corpus / "pdf"),
                    str(args.concurrent),
                ],
                cwd=directory,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(args.concurrent)
        ]
    pages = {  # warm-up pass
        name: sum(int(worker.stdout.readline()) for worker in group if worker.stdout) for name, group in workers.items()
    }
    passes: dict[str, list[tuple[float, float]]] = {name: [] for name in workers}
    for _ in range(args.rounds):
        order = list(workers)
        random.shuffle(order)
        for name in order:
            began = time.perf_counter()
            for worker in workers[name]:
                assert worker.stdin is not None
                worker.stdin.write("low\n" if args.low_res else "high\n")
                worker.stdin.flush()
            cpu = 0.0
            for worker in workers[name]:
                assert worker.stdout is not None
                cpu += float(worker.stdout.readline().split()[1])
            passes[name].append((time.perf_counter() - began, cpu))
    for group in workers.values():
        for worker in group:
            if worker.stdin:
                worker.stdin.close()
            worker.wait()
    print("| checkout | pages | best pass s | median pass s | pages/s best / median | median CPU s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, timings in passes.items():
        walls = [wall for wall, _ in timings]
        best, median = min(walls), statistics.median(walls)
        cpu = statistics.median(c for _, c in timings)
        print(
            f"| {name} | {pages[name]} | {best:.3f} | {median:.3f} | "
            f"{pages[name] / best:.1f} / {pages[name] / median:.1f} | {cpu:.3f} |"
        )
    print(f"load average after: {' / '.join(f'{v:.1f}' for v in os.getloadavg())}", file=sys.stderr)


if __name__ == "__main__":
    main()
