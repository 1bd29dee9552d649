"""A closed-loop load generator: N concurrent callers for a fixed time, each
call timed. Shared by the benchmarks."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def qps(self) -> float:
        return self.requests / self.seconds


async def run_load(
    call: Callable[[], Awaitable[object]],
    concurrency: int,
    seconds: float,
    warmup: float = 1.0,
    until: Callable[[], bool] | None = None,
) -> LoadResult:
    """`until`, when given, also ends the run early once it returns True (a
    pool of tasks to cancel that has run dry)."""
    latencies: list[float] = []
    errors = 0
    measuring = False
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
        nonlocal measuring
        await asyncio.sleep(warmup)
        measuring = True
        return time.monotonic()

    start_task = asyncio.create_task(switch()) if warmup > 0 else None
    if start_task is None:
        measuring = True
    began = time.monotonic()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    started = await start_task if start_task is not None else began
    elapsed = time.monotonic() - started
    latencies.sort()
    return LoadResult(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=statistics.median(latencies) * 1000 if latencies else float("nan"),
        p99_ms=latencies[int(len(latencies) * 0.99)] * 1000 if latencies else float("nan"),
        errors=errors,
    )


def median_result(results: list[LoadResult]) -> LoadResult:
    ordered = sorted(results, key=lambda r: r.qps)
    return ordered[len(ordered) // 2]
