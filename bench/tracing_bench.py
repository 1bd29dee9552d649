"""What tracing costs a call: a grpc.aio echo server with the metrics interceptor (as `chunkd
serve` has it with tracing off) against the same with the tracing interceptor in front, exporting
every span over OTLP to a collector stand-in that discards them (its own process), at 1, 8 and 64
concurrent calls; the traced calls carry a caller's `traceparent`. Rounds alternate between the
servers; each runs in its own process.

    .venv/bin/python -m bench.tracing_bench [--seconds 3] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
from concurrent import futures

import grpc

from bench.load import LoadResult, print_against_floor, run_load
from server import tracing
from server.config import Settings
from server.drain import Drain
from server.metrics import ServerInterceptor
from tests.harness import free_port

MODES = ("metrics", "metrics+tracing")
SERVICE = "bench.Echo"
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


async def echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return request


async def serve(address: str, mode: str, collector: str) -> None:
    chain: list[grpc.aio.ServerInterceptor] = [ServerInterceptor(Drain())]
    if mode == "metrics+tracing":
        tracing.configure(Settings(otel_endpoint=f"http://{collector}"))
        from server.trace_grpc import ServerInterceptor as TracingInterceptor

        chain.insert(0, TracingInterceptor())
    server = grpc.aio.server(interceptors=chain)
    handler = grpc.method_handlers_generic_handler(SERVICE, {"Echo": grpc.unary_unary_rpc_method_handler(echo)})
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port(address)
    await server.start()
    print("ready", flush=True)
    await server.wait_for_termination()


def collect(address: str) -> None:
    """An OTLP trace collector that answers every export and keeps nothing."""
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

    class Discard(trace_service_pb2_grpc.TraceServiceServicer):
        def Export(self, request: object, context: object) -> trace_service_pb2.ExportTraceServiceResponse:  # noqa: N802
            return trace_service_pb2.ExportTraceServiceResponse()

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(Discard(), server)
    server.add_insecure_port(address)
    server.start()
    print("ready", flush=True)
    server.wait_for_termination()


async def load(address: str, concurrency: int, seconds: float) -> LoadResult:
    async with grpc.aio.insecure_channel(address) as channel:
        call = channel.unary_unary(f"/{SERVICE}/Echo")
        metadata = (("traceparent", TRACEPARENT),)
        return await run_load(lambda: call(b"x" * 64, metadata=metadata), concurrency, seconds)


def start(*args: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-m", "bench.tracing_bench", *args], stdout=subprocess.PIPE)
    assert process.stdout is not None and process.stdout.readline().strip() == b"ready"
    return process


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    collector = f"127.0.0.1:{free_port()}"
    processes = [start("--collect", collector)]
    addresses: dict[str, str] = {}
    try:
        for mode in MODES:
            addresses[mode] = f"127.0.0.1:{free_port()}"
            processes.append(start("--serve", addresses[mode], mode, collector))
        print_against_floor(load, addresses, "metrics", args.rounds, args.seconds)
    finally:
        for process in processes:
            process.terminate()


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--serve":
        asyncio.run(serve(sys.argv[2], sys.argv[3], sys.argv[4]))
    elif len(sys.argv) == 3 and sys.argv[1] == "--collect":
        collect(sys.argv[2])
    else:
        main()
