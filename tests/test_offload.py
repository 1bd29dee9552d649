"""Blocking calls handed to a thread together run in one hand-over, each answering its own caller."""

from __future__ import annotations

import asyncio
import threading

import pytest

from server.offload import Offload


def test_calls_arriving_together_share_a_thread_and_each_gets_its_own_result_or_error() -> None:
    threads: list[str] = []

    def call(n: int) -> int:
        threads.append(threading.current_thread().name)
        if n == 7:
            raise ValueError("seven")
        return n * n

    async def scenario() -> list[int | BaseException]:
        offload = Offload("test-offload", threads=2)
        try:
            return await asyncio.gather(*(offload.run(lambda n=n: call(n)) for n in range(40)), return_exceptions=True)
        finally:
            offload.close()

    outcomes = asyncio.run(scenario())
    assert [o for i, o in enumerate(outcomes) if i != 7] == [n * n for n in range(40) if n != 7]
    assert isinstance(outcomes[7], ValueError)
    assert len(threads) == 40 and all(name.startswith("test-offload") for name in threads)
    assert len(set(threads)) <= 2


def test_a_call_whose_caller_stopped_waiting_still_runs() -> None:
    ran: list[str] = []

    async def scenario() -> None:
        offload = Offload("test-offload", threads=1)
        release = threading.Event()
        first = asyncio.ensure_future(offload.run(lambda: release.wait(5)))
        second = asyncio.ensure_future(offload.run(lambda: ran.append("second")))
        await asyncio.sleep(0.05)  # the first holds the one thread; the second waits its turn
        second.cancel()
        with pytest.raises(asyncio.CancelledError):
            await second
        release.set()
        await first
        await offload.run(lambda: None)  # after the second, in order
        offload.close()

    asyncio.run(scenario())
    assert ran == ["second"]
