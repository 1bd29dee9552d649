"""The official Chunkr SDK (chunkr-ai 0.3.7) driving chunkd, one flow per run.

Run as `python -m tests.gateway.sdk_flows FLOW URL KEY FILE`; prints what it
observed as JSON. It runs in its own process because the SDK applies
nest_asyncio to the whole interpreter, which must not leak into the test
process's own event loops.
"""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Callable
from typing import Any

import httpx
from chunkr_ai import Chunkr
from chunkr_ai.models import ChunkProcessing, Configuration

Flow = Callable[[Chunkr, str], dict[str, Any]]


def upload(chunkr: Chunkr, file: str) -> dict[str, Any]:
    task = chunkr.upload(file)
    return {"status": task.status.value, "markdown": task.markdown(), "task_url": task.task_url, "task_id": task.task_id}


def create_and_cancel(chunkr: Chunkr, file: str) -> dict[str, Any]:
    first = chunkr.create_task(file)
    chunkr.cancel_task(first.task_id)
    created = first.status.value
    second = chunkr.create_task(file)
    # GET {task_url}/cancel. (0.3.7's TaskResponse.cancel then returns its
    # poll() un-awaited, an SDK bug; the cancel itself has been sent.)
    pending = second.cancel()
    if inspect.iscoroutine(pending):
        pending.close()
    return {
        "created": created,
        "after_cancel_task": chunkr.get_task(first.task_id).status.value,
        "after_task_cancel": chunkr.get_task(second.task_id).status.value,
    }


def update(chunkr: Chunkr, file: str) -> dict[str, Any]:
    task = chunkr.upload(file)
    before = task.configuration.chunk_processing.target_length  # type: ignore[union-attr]
    config = Configuration(chunk_processing=ChunkProcessing(target_length=77))
    started = chunkr.update_task(task.task_id, config)
    started_status = started.status.value  # poll() below updates `started` in place
    done = started.poll()
    again = chunkr.update(task.task_id, Configuration(chunk_processing=ChunkProcessing(target_length=99)))
    return {
        "before": before,
        "started": started_status,
        "after": done.configuration.chunk_processing.target_length,  # type: ignore[union-attr]
        "status": done.status.value,
        "again": again.configuration.chunk_processing.target_length,  # type: ignore[union-attr]
        "chunks": len(done.output.chunks) if done.output else 0,
    }


def get_and_delete(chunkr: Chunkr, file: str) -> dict[str, Any]:
    task = chunkr.upload(file)
    full = chunkr.get_task(task.task_id)
    light = chunkr.get_task(task.task_id, include_chunks=False)
    inline = chunkr.get_task(task.task_id, base64_urls=True)
    chunkr.delete_task(task.task_id)
    try:
        chunkr.get_task(task.task_id)
        after_delete: Any = "still there"
    except httpx.HTTPStatusError as exc:
        after_delete = [exc.response.status_code, exc.response.text]
    return {
        "chunks": len(full.output.chunks) if full.output else -1,
        "light_chunks": len(light.output.chunks) if light.output else -1,
        "file_name": full.output.file_name if full.output else None,
        "input_file_url": inline.configuration.input_file_url,
        "after_delete": after_delete,
    }


FLOWS: dict[str, Flow] = {
    "upload": upload,
    "create_and_cancel": create_and_cancel,
    "update": update,
    "get_and_delete": get_and_delete,
}


def main() -> None:
    flow, url, key, file = sys.argv[1:5]
    chunkr = Chunkr(url=url, api_key=key)
    try:
        print(json.dumps(FLOWS[flow](chunkr, file)))
    finally:
        chunkr.close()


if __name__ == "__main__":
    main()
