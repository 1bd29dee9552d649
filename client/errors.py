"""The client's exception hierarchy. Callers catch `TaskNotFound` or
`InvalidTaskState` instead of inspecting `grpc.RpcError.code()`, and the
server's message ("Task cannot be cancelled: status is Processing") travels
unchanged, so what a script prints is what the server said."""

from __future__ import annotations

import grpc


class ChunkdError(Exception):
    """Anything the chunkd client raises for a failed call."""

    code: grpc.StatusCode | None = None
    attempts: int = 1  # how many times the client sent the call

    def __init__(self, message: str, code: grpc.StatusCode | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class NotFound(ChunkdError):
    """The thing asked for is unknown, gone, or another owner's."""


class TaskNotFound(NotFound):
    """The task is unknown, expired, deleted or belongs to another owner."""


class FileNotFound(NotFound):
    """The stored file is unknown, deleted or belongs to another owner."""


class WebhookNotFound(NotFound):
    """The webhook endpoint is unknown, deleted or belongs to another owner."""


class InvalidTaskState(ChunkdError):
    """The task's status does not allow the operation (cancel a Processing task)."""


class InvalidArgument(ChunkdError):
    """The request itself is wrong: a bad id, configuration or file."""


class Unauthenticated(ChunkdError):
    """The API key is missing, unknown or revoked."""


class ResourceExhausted(ChunkdError):
    """Too large or too many: the file exceeds the server's limit."""


class Unavailable(ChunkdError):
    """The server could not be reached, after the retries that were safe."""


class DeadlineExceeded(ChunkdError, TimeoutError):
    """The call's deadline passed; also a TimeoutError, so `wait` reads naturally."""


class ServerError(ChunkdError):
    """Any other status (INTERNAL, UNKNOWN, ...): a bug on the server's side."""


# The one table from gRPC status codes to exceptions.
ERRORS: dict[grpc.StatusCode, type[ChunkdError]] = {
    grpc.StatusCode.NOT_FOUND: TaskNotFound,
    grpc.StatusCode.FAILED_PRECONDITION: InvalidTaskState,
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhausted,
    grpc.StatusCode.UNAVAILABLE: Unavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceeded,
}


def from_rpc_error(error: grpc.RpcError, not_found: type[NotFound] = TaskNotFound) -> ChunkdError:
    """The exception for a failed call, carrying the server's message;
    NOT_FOUND names what the call was about (a task, a file, a webhook)."""
    code: grpc.StatusCode = error.code()
    details: str = error.details() or code.name
    if code == grpc.StatusCode.NOT_FOUND:
        return not_found(details, code)
    return ERRORS.get(code, ServerError)(details, code)
