"""The interceptors wrap each method's handler once, when it is registered, and serve every call of it."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest

from server.interceptors import WrappingInterceptor, WrappingServer, wrapped


class Counting(WrappingInterceptor):
    def __init__(self, name: str, log: list[str]) -> None:
        self.name = name
        self.log = log
        self.wraps: list[str] = []

    def wrap(self, handler: grpc.RpcMethodHandler, method: str) -> grpc.RpcMethodHandler:
        self.wraps.append(method)

        def unary(behaviour: Any) -> Any:
            async def call(request: Any, context: grpc.aio.ServicerContext) -> Any:
                self.log.append(self.name)
                return await behaviour(request, context)

            return call

        return wrapped(handler, unary, lambda behaviour: behaviour)


async def echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return request


def test_each_method_is_wrapped_once_outermost_first_and_an_unknown_method_is_unimplemented() -> None:
    log: list[str] = []
    outer, inner = Counting("outer", log), Counting("inner", log)

    async def scenario() -> None:
        server = grpc.aio.server()
        handler = grpc.method_handlers_generic_handler("t.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(echo)})
        WrappingServer(server, [outer, inner]).add_generic_rpc_handlers((handler,))
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        try:
            async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
                call = channel.unary_unary("/t.Echo/Echo")
                assert [await call(b"x") for _ in range(3)] == [b"x"] * 3
                with pytest.raises(grpc.aio.AioRpcError) as refused:
                    await channel.unary_unary("/t.Echo/Nothing")(b"x")
                assert refused.value.code() == grpc.StatusCode.UNIMPLEMENTED
        finally:
            await server.stop(None)

    asyncio.run(scenario())
    assert outer.wraps == inner.wraps == ["/t.Echo/Echo"]
    assert log == ["outer", "inner"] * 3
