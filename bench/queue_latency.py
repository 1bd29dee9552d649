"""Queue latency: CreateTask to Processing (the task's started_at minus its
created_at, both stamped by the database's clients on this machine) with an
idle `chunkd worker` in its own process on PostgreSQL, woken by NOTIFY or by
polling (CHUNKD_QUEUE_NOTIFY=false, the poll of before: 1 s).

N callers each create a one-page task and wait for it to finish, in a closed
loop, pausing a random 0-1 s before each (arrivals in step with the poll would
flatter it); the worker may claim up to 64 at once, so it is never the queue.

    .venv/bin/python -m bench.queue_latency [--tasks-per-caller 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
from pathlib import Path

import grpc

from bench.serving import percentile, postgres_database, small_pdf
from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.harness import start_server
from tests.support import wait_until

CONCURRENCY = (1, 8, 64)


async def latencies(address: str, key: str, document: bytes, concurrency: int, per_caller: int) -> list[float]:
    metadata = (("authorization", key),)
    found: list[float] = []
    async with grpc.aio.insecure_channel(address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)

        async def caller() -> None:
            for _ in range(per_caller):
                await asyncio.sleep(random.uniform(0, 1))
                task = await stub.CreateTask(
                    pb.CreateTaskRequest(file=document, file_name="one.pdf"), metadata=metadata
                )
                last = task
                async for event in stub.WatchTask(pb.WatchTaskRequest(task_id=task.task_id), metadata=metadata):
                    last = event.task
                assert last.status == pb.TASK_STATUS_SUCCEEDED, last
                started = last.started_at.ToNanoseconds() - last.created_at.ToNanoseconds()
                found.append(started / 1e6)

        await asyncio.gather(*(caller() for _ in range(concurrency)))
    return found


def measure(notify: bool, per_caller: int) -> dict[int, list[float]]:
    url, drop = postgres_database()
    data = Path(tempfile.mkdtemp(prefix="chunkd-queue-"))
    server = start_server(data / "api", {"CHUNKD_DATABASE_URL": url}, "--no-worker", "--no-gateway")
    worker = server.spawn_worker(
        {
            "CHUNKD_QUEUE_NOTIFY": str(notify).lower(),
            "CHUNKD_POLL_SECONDS": "1.0",  # the default (the test harness sets 0.2)
            "CHUNKD_WORKER_CONCURRENCY": "64",
            "CHUNKD_WORKER_PROCESSES": "2",
        }
    )
    try:
        wait_until(lambda: "chunkd: ready" in (server.data_dir / "worker.log").read_text(), timeout=60)
        document = small_pdf()
        asyncio.run(latencies(server.grpc_address, server.api_key, document, 2, 2))  # warm the pipeline processes
        return {
            c: asyncio.run(
                latencies(
                    server.grpc_address,
                    server.api_key,
                    document,
                    c,
                    max(1, per_caller * 8 // c) if c > 8 else per_caller,
                )
            )
            for c in CONCURRENCY
        }
    finally:
        worker.terminate()
        worker.wait(30)
        server.stop()
        drop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks-per-caller", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    runs: dict[tuple[str, int], list[tuple[float, float]]] = {}
    for _ in range(args.rounds):
        for mode, notify in (("poll 1 s", False), ("NOTIFY", True)):
            for c, values in measure(notify, args.tasks_per_caller).items():
                runs.setdefault((mode, c), []).append((percentile(values, 0.5), percentile(values, 0.99)))
    print("| wake-up | callers | queue latency p50 ms | p99 ms |")
    print("|---|---:|---:|---:|")
    for (mode, c), rounds in runs.items():
        p50 = statistics.median(r[0] for r in rounds)
        p99 = statistics.median(r[1] for r in rounds)
        print(f"| {mode} | {c} | {p50:.1f} | {p99:.1f} |")


if __name__ == "__main__":
    main()
