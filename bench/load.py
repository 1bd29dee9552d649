"""A closed-loop load generator: N concurrent callers for a fixed time, each
call timed. Shared by the benchmarks."""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_seconds: float = float("nan")  # the server's CPU time (user + system) while measuring

    @property
    def qps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_us(self) -> float:
        """The server's CPU per call, µs: what a call costs it, whatever else shares the cores."""
        return self.cpu_seconds / self.requests * 1e6 if self.requests else float("nan")


def process_cpu(pid: int) -> Callable[[], float]:
    """A reader of the CPU seconds that process `pid` and its children have used so far (all threads)."""
    tick = os.sysconf("SC_CLK_TCK")

    def used(process: int) -> float:
        fields = Path(f"/proc/{process}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / tick

    def read() -> float:
        total = used(pid)
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                try:
                    total += used(int(child))
                except FileNotFoundError:
                    pass
        return total

    return read


async def run_load(
    call: Callable[[], Awaitable[object]],
    concurrency: int,
    seconds: float,
    warmup: float = 1.0,
    until: Callable[[], bool] | None = None,
    cpu: Callable[[], float] | None = None,
) -> LoadResult:
    """`until`, when given, also ends the run early once it returns True (a
    pool of tasks to cancel that has run dry); `cpu`, when given, reads the
    server's CPU seconds, taken while measuring."""
    latencies: list[float] = []
    errors = 0
    measuring = False
    cpu_started = 0.0
    stop_at = time.monotonic() + warmup + seconds

    async def caller() -> None:
        nonlocal errors
        while (now := time.monotonic()) < stop_at and not (until and until()):
            try:
                await call()
            except Exception:
                errors += 1
                continue
            if measuring:
                latencies.append(time.monotonic() - now)

    async def switch() -> float:
        nonlocal measuring, cpu_started
        await asyncio.sleep(warmup)
        measuring = True
        cpu_started = cpu() if cpu is not None else 0.0
        return time.monotonic()

    start_task = asyncio.create_task(switch()) if warmup > 0 else None
    if start_task is None:
        measuring = True
        cpu_started = cpu() if cpu is not None else 0.0
    began = time.monotonic()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    started = await start_task if start_task is not None else began
    elapsed = time.monotonic() - started
    cpu_seconds = cpu() - cpu_started if cpu is not None else float("nan")
    latencies.sort()
    return LoadResult(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=statistics.median(latencies) * 1000 if latencies else float("nan"),
        p99_ms=latencies[int(len(latencies) * 0.99)] * 1000 if latencies else float("nan"),
        errors=errors,
        cpu_seconds=cpu_seconds,
    )


def median_result(results: list[LoadResult]) -> LoadResult:
    ordered = sorted(results, key=lambda r: r.qps)
    return ordered[len(ordered) // 2]


def print_against_floor(
    load: Callable[[str, int, float], Awaitable[LoadResult]],
    addresses: dict[str, str],
    floor: str,
    rounds: int,
    seconds: float,
) -> None:
    """At 1, 8 and 64 callers, the servers take turns for `rounds` rounds; prints each
    one's median as a Markdown table, with its req/s over the `floor` server's."""
    print(f"echo calls, median of {rounds} rounds of {seconds:g}s; ratio = req/s vs {floor}, same run")
    print(f"| concurrency | server | req/s | p50 ms | p99 ms | vs {floor} |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for concurrency in (1, 8, 64):
        results: dict[str, list[LoadResult]] = {mode: [] for mode in addresses}
        for _ in range(rounds):
            for mode, address in addresses.items():
                results[mode].append(asyncio.run(load(address, concurrency, seconds)))
        base = median_result(results[floor])
        for mode in addresses:
            r = median_result(results[mode])
            print(f"| {concurrency} | {mode} | {r.qps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.qps / base.qps:.2f} |")
