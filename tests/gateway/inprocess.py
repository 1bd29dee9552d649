"""The real gateway app served by `gateway.app.serve` inside the test's own
event loop, over loopback, for tests that need to look at or adjust the app
(its count of open watches, its keep-alive interval) or point it at a gRPC
address of their choosing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from gateway.app import create_app, serve
from server.config import Settings


@asynccontextmanager
async def running_gateway(settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_app(settings)
    serving = asyncio.create_task(serve(settings, app))
    try:
        await _wait_healthy(f"http://{settings.http_address}/health", serving)
        yield app
    finally:
        serving.cancel()
        await asyncio.gather(serving, return_exceptions=True)


async def _wait_healthy(url: str, serving: asyncio.Task[None]) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(400):
            if serving.done():
                serving.result()  # raises why it stopped
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.TransportError:
                await asyncio.sleep(0.05)
    raise TimeoutError("in-process gateway did not start")
