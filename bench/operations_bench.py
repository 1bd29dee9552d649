"""What the operations interceptors cost a call: a grpc.aio echo server bare,
with the metrics interceptor, and with metrics and rate limiting (a rate no
caller reaches, so every call pays for its bucket), at 1, 8 and 64 concurrent
calls. Each server runs in its own process; rounds alternate between them.
Two more servers have the rate limit as `chunkd serve` now always has it,
resolving the caller's key (a real key in a SQLite database, cached as in
the service): `metrics+keys` for a key with no limits (the default: one
lookup, no bucket) and `metrics+key-rate` for a key with a rate of its own.

    .venv/bin/python -m bench.operations_bench [--seconds 3] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile

import grpc
from sqlalchemy import insert

from bench.load import LoadResult, print_against_floor, run_load
from server.auth import KeyRing, api_keys, hash_key
from server.db import connect
from server.drain import Drain
from server.metrics import ServerInterceptor
from server.models import utcnow
from server.ratelimit import Buckets, RateLimitInterceptor
from tests.harness import free_port

MODES = ("bare", "metrics", "metrics+ratelimit", "metrics+keys", "metrics+key-rate")
KEY = "bench-key"
SERVICE = "bench.Echo"


async def echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return request


async def serve(address: str, mode: str) -> None:
    chain: list[grpc.aio.ServerInterceptor] = []
    if mode != "bare":
        chain.append(ServerInterceptor(Drain()))
    if mode == "metrics+ratelimit":
        chain.append(RateLimitInterceptor(Buckets(1e9, 0), SERVICE))
    if mode in ("metrics+keys", "metrics+key-rate"):
        keys = await key_ring(1e9 if mode == "metrics+key-rate" else None)
        chain.append(RateLimitInterceptor(Buckets(0, 0), SERVICE, keys))
    server = grpc.aio.server(interceptors=chain)
    handler = grpc.method_handlers_generic_handler(SERVICE, {"Echo": grpc.unary_unary_rpc_method_handler(echo)})
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port(address)
    await server.start()
    print("ready", flush=True)
    await server.wait_for_termination()


async def key_ring(rate: float | None) -> KeyRing:
    db = connect(f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/keys.db")
    await db.create_tables()
    row = {"owner": "bench", "name": "bench", "key_hash": hash_key(KEY), "created_at": utcnow(), "revoked": False}
    await db.transaction(lambda connection: connection.execute(insert(api_keys).values(**row, rate_limit_rps=rate)))
    return KeyRing(db)


async def load(address: str, concurrency: int, seconds: float) -> LoadResult:
    async with grpc.aio.insecure_channel(address) as channel:
        call = channel.unary_unary(f"/{SERVICE}/Echo")
        metadata = (("authorization", f"Bearer {KEY}"),)
        return await run_load(lambda: call(b"x" * 64, metadata=metadata), concurrency, seconds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    servers: dict[str, tuple[str, subprocess.Popen[bytes]]] = {}
    try:
        for mode in MODES:
            address = f"127.0.0.1:{free_port()}"
            process = subprocess.Popen(
                [sys.executable, "-m", "bench.operations_bench", "--serve", address, mode], stdout=subprocess.PIPE
            )
            assert process.stdout is not None and process.stdout.readline().strip() == b"ready"
            servers[mode] = (address, process)
        addresses = {mode: address for mode, (address, _) in servers.items()}
        print_against_floor(load, addresses, "bare", args.rounds, args.seconds)
    finally:
        for _, process in servers.values():
            process.terminate()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        asyncio.run(serve(sys.argv[2], sys.argv[3]))
    else:
        main()
