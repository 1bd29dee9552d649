"""The gateway's listening socket: connections accepted from it send small
responses at once (TCP_NODELAY), as asyncio does only for IPPROTO_TCP sockets."""

from __future__ import annotations

import asyncio
import socket

from gateway.app import _listen
from tests.harness import free_port


async def _nodelay_of_accepted_connection(sock: socket.socket) -> int:
    """Serves `sock` the way uvicorn serves a socket it is handed
    (loop.create_server(sock=...)) and reads the option on the accepted side."""
    seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted_socket = writer.get_extra_info("socket")
        seen.set_result(accepted_socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(accepted, sock=sock)
    async with server:
        _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
        try:
            return await asyncio.wait_for(seen, 10)
        finally:
            writer.close()


async def test_keep_alive_connections_are_accepted_with_nodelay() -> None:
    sock = _listen(f"127.0.0.1:{free_port()}")
    assert sock.proto == socket.IPPROTO_TCP
    assert await _nodelay_of_accepted_connection(sock) != 0
