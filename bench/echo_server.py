"""A bare grpc.aio echo server: the floor GetTask is measured against."""

from __future__ import annotations

import asyncio
import sys

import grpc


async def echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return request


async def main(address: str) -> None:
    server = grpc.aio.server()
    handler = grpc.method_handlers_generic_handler("bench.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(echo)})
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port(address)
    await server.start()
    print("ready", flush=True)
    await server.wait_for_termination()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
