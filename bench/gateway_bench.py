"""REST gateway GetTask vs direct gRPC GetTask, at 64 concurrent connections,
in the same run against the same server.

    .venv/bin/python -m bench.gateway_bench [--seconds 5] [--rounds 5]

One `chunkd serve` (gRPC, worker, gateway in one process, as `make run`)
starts via tests/harness.py; one task on a corpus PDF is processed, then each
round measures, in turn: gRPC GetTask and `GET /api/v1/task/{id}`, each
without chunks (what a poller sees) and with chunks (the finished result).
Rounds alternate so drift in the machine's load hits all four alike; the
median round (by req/s) of each is reported.

The HTTP side uses a minimal keep-alive HTTP/1.1 client (64 connections) so the
load generator costs about what grpc.aio's C core does, and the ratio measures
the gateway, not httpx.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from bench.grpc_get_task import CONCURRENCY, load_get_task
from bench.load import LoadResult, median_result, run_load
from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.harness import CORPUS, RunningServer, start_server
from tests.support import auth, create, open_channel, wait_terminal


class HttpConnection:
    """One keep-alive HTTP/1.1 connection that sends a fixed GET."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def get(self, request: bytes) -> bytes:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        if head[9:12] != b"200":
            raise RuntimeError(head[:64].decode(errors="replace"))
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        return await self.reader.readexactly(length)


async def load_http(
    host: str,
    port: int,
    path: str,
    key: str,
    seconds: float,
    concurrency: int = CONCURRENCY,
    cpu: Callable[[], float] | None = None,
) -> tuple[LoadResult, int]:
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: {key}\r\n\r\n".encode()
    pool: asyncio.Queue[HttpConnection] = asyncio.Queue()
    for _ in range(concurrency):
        pool.put_nowait(HttpConnection(*await asyncio.open_connection(host, port)))
    first = pool.get_nowait()
    size = len(await first.get(request))
    pool.put_nowait(first)

    async def call() -> None:
        connection = await pool.get()
        try:
            await connection.get(request)
        finally:
            pool.put_nowait(connection)

    result = await run_load(call, concurrency, seconds, cpu=cpu)
    while not pool.empty():
        pool.get_nowait().writer.close()
    return result, size


def prepare(server: RunningServer) -> str:
    with open_channel(server.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        task = create(stub, server.api_key, CORPUS / "pdf" / "multi_page.pdf")
        done = wait_terminal(stub, server.api_key, task.task_id)
        assert done.status == pb.TASK_STATUS_SUCCEEDED, done.message
        assert stub.GetTask(pb.GetTaskRequest(task_id=task.task_id), metadata=auth(server.api_key)).output.chunks
    return task.task_id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    results: dict[str, list[LoadResult]] = {}
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp) / "chunkd", {"CHUNKD_LOG_LEVEL": "WARNING"})
        try:
            task_id = prepare(server)
            host, port = "127.0.0.1", server.http_port
            cases: dict[str, Callable[[], Coroutine[Any, Any, LoadResult]]] = {}
            for chunks in (False, True):
                flag = str(chunks).lower()

                async def grpc_case(chunks: bool = chunks) -> LoadResult:
                    return await load_get_task(server.grpc_address, server.api_key, task_id, args.seconds, chunks)

                async def rest_case(flag: str = flag) -> LoadResult:
                    path = f"/api/v1/task/{task_id}?include_chunks={flag}"
                    result, sizes[f"rest chunks={flag}"] = await load_http(host, port, path, server.api_key, args.seconds)
                    return result

                cases[f"grpc chunks={flag}"] = grpc_case
                cases[f"rest chunks={flag}"] = rest_case
            for _ in range(args.rounds):
                for name, case in cases.items():
                    results.setdefault(name, []).append(asyncio.run(case()))
        finally:
            server.stop()

    median = {name: median_result(runs) for name, runs in results.items()}
    print(f"GetTask at {CONCURRENCY} concurrent connections, median of {args.rounds} rounds of {args.seconds:g}s")
    print(f"(JSON body sizes: {sizes})")
    print("| call | req/s | p50 ms | p99 ms | errors | REST/gRPC req/s | REST/gRPC p99 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, result in median.items():
        base = median["grpc " + name.split(" ", 1)[1]]
        ratio = f"{result.qps / base.qps:.2f} | {result.p99_ms / base.p99_ms:.2f}" if name.startswith("rest") else "— | —"
        print(f"| {name} | {result.qps:,.0f} | {result.p50_ms:.1f} | {result.p99_ms:.1f} | {result.errors} | {ratio} |")
    print(json.dumps({name: [round(r.qps) for r in runs] for name, runs in results.items()}))


if __name__ == "__main__":
    main()
