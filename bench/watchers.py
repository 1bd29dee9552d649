"""One process of WatchTask watchers for bench/serving.py: opens N streams on
one task, prints "ready" once every snapshot is in, then prints the monotonic
time (CLOCK_MONOTONIC, shared by all processes on Linux) at which each stream
saw its next event, as JSON.

    python -m bench.watchers ADDRESS KEY TASK_ID N
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import grpc

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc

STREAMS_PER_CHANNEL = 100


async def main(address: str, key: str, task_id: str, count: int) -> None:
    # Each channel its own connection: on a server of several processes they land on different ones.
    options = [("grpc.use_local_subchannel_pool", 1)]
    channels = [
        grpc.aio.insecure_channel(address, options=options)
        for _ in range((count + STREAMS_PER_CHANNEL - 1) // STREAMS_PER_CHANNEL)
    ]
    request = pb.WatchTaskRequest(task_id=task_id)
    metadata = (("authorization", key),)
    calls = [
        tasks_pb2_grpc.TaskServiceStub(channels[i // STREAMS_PER_CHANNEL]).WatchTask(request, metadata=metadata)
        for i in range(count)
    ]
    snapshots = await asyncio.gather(*(call.read() for call in calls))
    assert all(s.kind == pb.TaskEvent.KIND_SNAPSHOT for s in snapshots)
    print("ready", flush=True)

    async def next_event(call: grpc.aio.UnaryStreamCall) -> float:
        event = await call.read()
        seen = time.monotonic()
        assert event.kind == pb.TaskEvent.KIND_CHANGED, event
        return seen

    times = await asyncio.gather(*(next_event(call) for call in calls))
    print(json.dumps(times), flush=True)
    for channel in channels:
        await channel.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
