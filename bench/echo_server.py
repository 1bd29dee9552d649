"""A bare grpc.aio server: the floor chunkd is measured against.

`bench.Echo/Echo` echoes its request (the floor of GetTask). The TaskService's
WatchTask, GetTask and CancelTask are the floor of a watch fan-out: WatchTask
sends a snapshot, waits until CancelTask names its task, sends one CHANGED
event and ends, as chunkd's does, with nothing between (no database, no
interceptor); the event is one message object shared by every stream.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator

import grpc

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc


async def echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return request


def _task(task_id: str, status: int) -> pb.Task:
    # About the size of chunkd's chunkless Task reply.
    return pb.Task(task_id=task_id, status=status, message="x" * 400, task_url=f"http://127.0.0.1/api/v1/task/{task_id}")


class BareWatch(tasks_pb2_grpc.TaskServiceServicer):
    def __init__(self) -> None:
        self._cancelled: dict[str, asyncio.Event] = {}

    async def WatchTask(  # noqa: N802  (the RPC's name)
        self, request: pb.WatchTaskRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.TaskEvent]:
        cancelled = self._cancelled.setdefault(request.task_id, asyncio.Event())
        yield pb.TaskEvent(kind=pb.TaskEvent.KIND_SNAPSHOT, task=_task(request.task_id, pb.TASK_STATUS_STARTING))
        await cancelled.wait()
        yield self._changed

    async def GetTask(self, request: pb.GetTaskRequest, context: grpc.aio.ServicerContext) -> pb.Task:  # noqa: N802
        return _task(request.task_id, pb.TASK_STATUS_STARTING)

    async def CancelTask(self, request: pb.CancelTaskRequest, context: grpc.aio.ServicerContext) -> pb.Task:  # noqa: N802
        task = _task(request.task_id, pb.TASK_STATUS_CANCELLED)
        self._changed = pb.TaskEvent(kind=pb.TaskEvent.KIND_CHANGED, task=task)
        self._cancelled.pop(request.task_id, asyncio.Event()).set()
        return task


async def main(address: str) -> None:
    server = grpc.aio.server()
    handler = grpc.method_handlers_generic_handler("bench.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(echo)})
    server.add_generic_rpc_handlers((handler,))
    tasks_pb2_grpc.add_TaskServiceServicer_to_server(BareWatch(), server)
    server.add_insecure_port(address)
    await server.start()
    print("ready", flush=True)
    await server.wait_for_termination()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
