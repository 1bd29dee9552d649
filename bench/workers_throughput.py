"""End-to-end tasks/s with 1 vs 2 `chunkd worker` processes on this machine, on
PostgreSQL beside one `chunkd serve --no-worker`, blobs in the local directory or
in S3 (moto_server): N one-page tasks submitted at once, timed from the first
CreateTask to the last Succeeded. Rounds alternate the cases; medians.

    .venv/bin/python -m bench.workers_throughput [--tasks 32] [--rounds 3] [--s3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import grpc

from bench.serving import postgres_database, small_pdf
from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.harness import start_server
from tests.s3server import running_s3_server


async def burst(address: str, key: str, document: bytes, tasks: int) -> float:
    metadata = (("authorization", key),)
    async with grpc.aio.insecure_channel(address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)

        async def one() -> None:
            task = await stub.CreateTask(pb.CreateTaskRequest(file=document, file_name="one.pdf"), metadata=metadata)
            last = task
            async for event in stub.WatchTask(pb.WatchTaskRequest(task_id=task.task_id), metadata=metadata):
                last = event.task
            assert last.status == pb.TASK_STATUS_SUCCEEDED, last

        began = time.monotonic()
        await asyncio.gather(*(one() for _ in range(tasks)))
        return tasks / (time.monotonic() - began)


def measure(workers: int, tasks: int, s3: bool) -> float:
    url, drop = postgres_database()
    data = Path(tempfile.mkdtemp(prefix="chunkd-workers-"))
    with ExitStack() as stack:
        env = {"CHUNKD_DATABASE_URL": url, "CHUNKD_POLL_SECONDS": "1.0"}
        if s3:
            env.update(stack.enter_context(running_s3_server(data)).env())
        server = start_server(data / "api", env, "--no-worker", "--no-gateway")
        procs = [
            server.spawn_worker({"CHUNKD_WORKER_PROCESSES": "1", "CHUNKD_DATA_DIR": str(data / f"w{n}")})
            for n in range(workers)
        ]
        try:
            document = small_pdf()
            asyncio.run(burst(server.grpc_address, server.api_key, document, 2 * workers))  # warm up
            return asyncio.run(burst(server.grpc_address, server.api_key, document, tasks))
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(30)
            server.stop()
            drop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--s3", action="store_true", help="blobs in moto_server instead of the local directory")
    args = parser.parse_args()
    rates: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(args.rounds):
        for workers in rates:
            rates[workers].append(measure(workers, args.tasks, args.s3))
    blobs = "S3 (moto_server)" if args.s3 else "local directory"
    print(f"| workers | tasks/s, median ({blobs}) | rounds |")
    print("|---:|---:|---|")
    for workers, values in rates.items():
        print(f"| {workers} | {statistics.median(values):.2f} | {', '.join(f'{v:.2f}' for v in values)} |")


if __name__ == "__main__":
    main()
