"""Cancel against claim, 200 times at once: every task ends either Cancelled
and never processed, or claimed with the cancel refused — never both."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from server.db import connect
from server.store import TaskStore
from tests.harness import CORPUS, start_server
from tests.support import auth, server_settings

N = 200


def test_200_concurrent_cancel_vs_claim(tmp_path: Path) -> None:
    server = start_server(tmp_path / "race", None, "--no-worker", "--no-gateway")
    try:
        outcome = asyncio.run(_race(server))
    finally:
        server.stop()
    cancelled, refused, claimed, final = outcome
    assert len(final) == N
    assert cancelled.isdisjoint(claimed), "a task was both cancelled and claimed"
    assert cancelled | claimed == set(final)
    assert refused == claimed  # every refused cancel was of a claimed task
    for task_id, status in final.items():
        expected = pb.TASK_STATUS_CANCELLED if task_id in cancelled else pb.TASK_STATUS_PROCESSING
        assert status == expected
    # the race really raced: both sides won some
    assert cancelled and claimed


async def _race(server) -> tuple[set[str], set[str], set[str], dict[str, int]]:  # type: ignore[no-untyped-def]
    data = (CORPUS / "pdf" / "multi_page.pdf").read_bytes()
    key = auth(server.api_key)
    async with grpc.aio.insecure_channel(server.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        ids = [
            (await stub.CreateTask(pb.CreateTaskRequest(file=data, file_name="d.pdf"), metadata=key)).task_id
            for _ in range(N)
        ]
        db = connect(server_settings(server).sqlalchemy_url)
        store = TaskStore(db)
        claimed: set[str] = set()
        cancelled: set[str] = set()
        refused: set[str] = set()

        async def claimer() -> None:
            while len(claimed) + len(cancelled) < N:
                for c in await store.claim(1, 3600):
                    claimed.add(c.task.id)
                await asyncio.sleep(0)

        # The claimer takes the oldest tasks first and the cancels go newest
        # first, so the two sides meet somewhere in the middle: each wins some,
        # and the tasks where they meet are fought over by both at once.
        in_flight = asyncio.Semaphore(8)

        async def cancel(task_id: str) -> None:
            async with in_flight:
                await cancel_one(task_id)

        async def cancel_one(task_id: str) -> None:
            try:
                await stub.CancelTask(pb.CancelTaskRequest(task_id=task_id), metadata=key)
                cancelled.add(task_id)
            except grpc.aio.AioRpcError as exc:
                assert exc.code() == grpc.StatusCode.FAILED_PRECONDITION, exc.details()
                assert exc.details() == "Task cannot be cancelled: status is Processing"
                refused.add(task_id)

        claiming = asyncio.create_task(claimer())
        await asyncio.gather(*(cancel(i) for i in reversed(ids)))
        await asyncio.wait_for(claiming, timeout=120)
        await db.dispose()
        final = {}
        for task_id in ids:
            final[task_id] = (await stub.GetTask(pb.GetTaskRequest(task_id=task_id), metadata=key)).status
    return cancelled, refused, claimed, final
