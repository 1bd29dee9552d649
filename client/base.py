"""What TaskClient and AsyncTaskClient share: settings, the channel and stub,
and the request each method sends. The twins differ only in how they wait."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, UTC
from typing import Generic, TypeVar

from client.errors import InvalidTaskState, NotFound
from client.requests import ConfigOptions, Since, build_configuration, list_request
from client.retry import RetryPolicy
from client.settings import Deadlines, Settings
from client.views import SignedUrl, Status, TaskView
from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc

ChannelT = TypeVar("ChannelT")
StatusFilter = Status | str | Iterable[Status | str] | None


def statuses_of(status: StatusFilter) -> tuple[Status, ...]:
    if status is None:
        return ()
    if isinstance(status, str):
        return (Status.parse(status),)
    return tuple(Status.parse(s) for s in status)


class ClientBase(Generic[ChannelT]):
    """Connection settings come from the arguments, else CHUNKD_ADDRESS,
    CHUNKD_API_KEY, CHUNKD_TLS and CHUNKD_CA_CERT. Pass `channel` to share a
    channel you manage (the client then leaves it open)."""

    def __init__(
        self,
        address: str | None = None,
        api_key: str | None = None,
        *,
        tls: bool | None = None,
        root_certificates: bytes | None = None,
        client_certificate: tuple[bytes, bytes] | None = None,
        deadlines: Deadlines | None = None,
        retry: RetryPolicy | None = None,
        channel: ChannelT | None = None,
    ) -> None:
        self.settings = Settings.resolve(
            address,
            api_key,
            tls=tls,
            root_certificates=root_certificates,
            client_certificate=client_certificate,
            deadlines=deadlines,
            retry=retry,
        )
        self._owns_channel = channel is None
        self._channel: ChannelT = channel if channel is not None else self._open_channel()
        self._stub = tasks_pb2_grpc.TaskServiceStub(self._channel)
        self._files = tasks_pb2_grpc.FileServiceStub(self._channel)
        self._webhooks = tasks_pb2_grpc.WebhookServiceStub(self._channel)

    def _open_channel(self) -> ChannelT:
        raise NotImplementedError

    @staticmethod
    def _get_request(task_id: str, include_chunks: bool, base64_urls: bool) -> pb.GetTaskRequest:
        return pb.GetTaskRequest(task_id=task_id, include_chunks=include_chunks, base64_urls=base64_urls)

    @staticmethod
    def _list_request(
        status: StatusFilter, since: Since | None, until: datetime | None, page_size: int, include_chunks: bool
    ) -> pb.ListTasksRequest:
        return list_request(
            statuses=statuses_of(status), since=since, until=until, page_size=page_size, include_chunks=include_chunks
        )

    @staticmethod
    def _update_request(
        task_id: str, configuration: pb.Configuration | None, options: ConfigOptions
    ) -> pb.UpdateTaskRequest:
        return pb.UpdateTaskRequest(task_id=task_id, configuration=build_configuration(configuration, **options))

    @staticmethod
    def _cancel_was_ours(error: InvalidTaskState, current: TaskView | None) -> TaskView:
        """A retried cancel that finds the task Cancelled: an earlier attempt
        (whose answer was lost) did it. Anything else is the caller's error."""
        if current is not None and current.status is Status.CANCELLED:
            return current
        raise error

    @staticmethod
    def _signed_url(reply: pb.FileUrl) -> SignedUrl:
        expires = reply.expires_at.ToDatetime(tzinfo=UTC) if reply.HasField("expires_at") else None
        return SignedUrl(reply.url, expires)

    @staticmethod
    def _delete_was_ours(error: NotFound) -> None:
        """A retried delete that finds nothing: an earlier attempt deleted it."""
        if error.attempts == 1:
            raise error
