"""GetTask QPS and p50/p99 at 64 concurrent calls, beside a bare grpc.aio echo
server measured in the same run on the same machine.

    .venv/bin/python -m bench.grpc_get_task [--seconds 5] [--rounds 3]

Both servers run in their own process; the client runs here. Rounds
alternate between the two so that drift in the machine's load hits both.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
from pathlib import Path

import grpc

from bench.load import LoadResult, median_result, run_load
from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.harness import CORPUS, free_port, start_server
from tests.support import auth, create, open_channel, wait_terminal

CONCURRENCY = 64


async def load_get_task(address: str, key: str, task_id: str, seconds: float, include_chunks: bool) -> LoadResult:
    async with grpc.aio.insecure_channel(address, options=[("grpc.max_receive_message_length", 512 << 20)]) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        request = pb.GetTaskRequest(task_id=task_id, include_chunks=include_chunks)
        metadata = auth(key)
        return await run_load(lambda: stub.GetTask(request, metadata=metadata), CONCURRENCY, seconds)


async def load_echo(address: str, payload: bytes, seconds: float) -> LoadResult:
    async with grpc.aio.insecure_channel(address) as channel:
        echo = channel.unary_unary("/bench.Echo/Echo")
        return await run_load(lambda: echo(payload), CONCURRENCY, seconds)


def row(name: str, result: LoadResult, floor: LoadResult) -> str:
    return (
        f"| {name} | {result.qps:,.0f} | {result.p50_ms:.1f} | {result.p99_ms:.1f} | "
        f"{result.qps / floor.qps:.2f} | {result.errors} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp) / "chunkd", {"CHUNKD_LOG_LEVEL": "WARNING"}, "--no-gateway")
        echo_address = f"127.0.0.1:{free_port()}"
        echo = subprocess.Popen([sys.executable, "-m", "bench.echo_server", echo_address], stdout=subprocess.PIPE)
        assert echo.stdout is not None and echo.stdout.readline().strip() == b"ready"
        try:
            with open_channel(server.grpc_address) as channel:
                stub = tasks_pb2_grpc.TaskServiceStub(channel)
                task = create(stub, server.api_key, CORPUS / "pdf" / "multi_page.pdf")
                done = wait_terminal(stub, server.api_key, task.task_id)
                bare = stub.GetTask(pb.GetTaskRequest(task_id=task.task_id, include_chunks=False), metadata=auth(server.api_key))
            payload = pb.GetTaskRequest(task_id=task.task_id).SerializeToString()
            results: dict[str, list[LoadResult]] = {"echo": [], "meta": [], "chunks": []}
            for _ in range(args.rounds):
                results["echo"].append(asyncio.run(load_echo(echo_address, payload, args.seconds)))
                results["meta"].append(
                    asyncio.run(load_get_task(server.grpc_address, server.api_key, task.task_id, args.seconds, False))
                )
                results["chunks"].append(
                    asyncio.run(load_get_task(server.grpc_address, server.api_key, task.task_id, args.seconds, True))
                )
        finally:
            echo.terminate()
            server.stop()
    floor = median_result(results["echo"])
    print(f"GetTask at {CONCURRENCY} concurrent calls, median of {args.rounds} rounds of {args.seconds:.0f}s")
    print(f"(response sizes: {bare.ByteSize()} bytes without chunks, {done.ByteSize()} bytes with chunks)")
    print("| call | req/s | p50 ms | p99 ms | vs echo | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(row("bare grpc.aio echo", floor, floor))
    print(row("GetTask, include_chunks=false", median_result(results["meta"]), floor))
    print(row("GetTask, include_chunks=true", median_result(results["chunks"]), floor))


if __name__ == "__main__":
    main()
