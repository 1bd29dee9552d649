"""chunkd's one error hierarchy. Each error knows its gRPC code; the gateway
maps gRPC codes to HTTP statuses in one table of its own."""

from __future__ import annotations

import grpc


class ChunkdError(Exception):
    code: grpc.StatusCode = grpc.StatusCode.INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(ChunkdError):
    code = grpc.StatusCode.INVALID_ARGUMENT


class UnsupportedFileType(InvalidArgument):
    def __init__(self, mime: str) -> None:
        super().__init__(f"Unsupported file type: {mime}")


class InvalidState(ChunkdError):
    """The task's status does not allow the operation."""

    code = grpc.StatusCode.FAILED_PRECONDITION


class TaskNotFound(ChunkdError):
    code = grpc.StatusCode.NOT_FOUND

    def __init__(self, message: str = "Task not found") -> None:
        super().__init__(message)


class Unauthenticated(ChunkdError):
    code = grpc.StatusCode.UNAUTHENTICATED


class ResourceExhausted(ChunkdError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class PipelineError(ChunkdError):
    """A document could not be processed; the message is shown to the caller
    as the task's message, so it must be readable and free of internals."""
