"""chunkd's Python client: `TaskClient` (blocking) and `AsyncTaskClient`
(asyncio) over the gRPC task API, and the `chunkctl` CLI (client.cli)."""

from client.aio import AsyncTaskClient
from client.errors import (
    ChunkdError,
    DeadlineExceeded,
    InvalidArgument,
    InvalidTaskState,
    ResourceExhausted,
    ServerError,
    TaskNotFound,
    Unauthenticated,
    Unavailable,
)
from client.listing import AsyncListing, Listing
from client.retry import RetryPolicy
from client.settings import Deadlines, Settings
from client.sync import TaskClient
from client.views import EventKind, Progress, Status, TaskPage, TaskView, WatchEvent

__all__ = [
    "AsyncListing",
    "AsyncTaskClient",
    "ChunkdError",
    "DeadlineExceeded",
    "Deadlines",
    "EventKind",
    "InvalidArgument",
    "InvalidTaskState",
    "Listing",
    "Progress",
    "ResourceExhausted",
    "RetryPolicy",
    "ServerError",
    "Settings",
    "Status",
    "TaskClient",
    "TaskNotFound",
    "TaskPage",
    "TaskView",
    "Unauthenticated",
    "Unavailable",
    "WatchEvent",
]
