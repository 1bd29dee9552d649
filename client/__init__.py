"""chunkd's Python client: `TaskClient` (blocking) and `AsyncTaskClient`
(asyncio) over the gRPC task API, and the `chunkctl` CLI (client.cli)."""

from client.aio import AsyncTaskClient
from client.errors import (
    ChunkdError,
    DeadlineExceeded,
    FileNotFound,
    InvalidArgument,
    InvalidTaskState,
    NotFound,
    ResourceExhausted,
    ServerError,
    TaskNotFound,
    Unauthenticated,
    Unavailable,
    WebhookNotFound,
)
from client.listing import AsyncListing, Listing
from client.retry import RetryPolicy
from client.settings import Deadlines, Settings
from client.sync import TaskClient
from client.views import (
    EventKind,
    FileView,
    Progress,
    SignedUrl,
    Status,
    TaskPage,
    TaskView,
    WatchEvent,
    WebhookView,
)

__all__ = [
    "AsyncListing",
    "AsyncTaskClient",
    "ChunkdError",
    "DeadlineExceeded",
    "Deadlines",
    "EventKind",
    "FileNotFound",
    "FileView",
    "InvalidArgument",
    "InvalidTaskState",
    "Listing",
    "NotFound",
    "Progress",
    "ResourceExhausted",
    "RetryPolicy",
    "ServerError",
    "Settings",
    "SignedUrl",
    "Status",
    "TaskClient",
    "TaskNotFound",
    "TaskPage",
    "TaskView",
    "Unauthenticated",
    "Unavailable",
    "WatchEvent",
    "WebhookNotFound",
    "WebhookView",
]
