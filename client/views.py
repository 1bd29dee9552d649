"""Thin typed views over the generated messages: Chunkr SDK conveniences
(`.markdown()`, `.html()`, `.content()`) and Python types (enums, datetimes)
instead of proto enum numbers and Timestamps. The message itself stays at
`.proto` for anything the view does not cover."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from chunkr import codec
from chunkr.vocabulary import EventKind, Status
from protos import tasks_pb2 as pb

TIMESTAMP = Timestamp.DESCRIPTOR.full_name
VOCABULARIES: dict[str, type[Status] | type[EventKind]] = {
    pb.TaskStatus.DESCRIPTOR.full_name: Status,
    pb.TaskEvent.Kind.DESCRIPTOR.full_name: EventKind,
}


def _datetime(message: Message, field: str) -> datetime | None:
    if not message.HasField(field):
        return None
    moment: datetime = getattr(message, field).ToDatetime(tzinfo=UTC)
    return moment


def field_value(message: Message, name: str) -> Any:
    """A field of `message` as Python has it, by the field's descriptor: a Timestamp as an
    aware datetime (None when unset), a status or event kind as its enum (None when unset),
    a repeated field as a list, anything else as the message holds it."""
    field = message.DESCRIPTOR.fields_by_name.get(name)
    if field is None:
        raise AttributeError(f"{type(message).__name__} has no field {name!r}")
    if field.is_repeated:
        return list(getattr(message, name))
    if field.message_type is not None and field.message_type.full_name == TIMESTAMP:
        return _datetime(message, name)
    vocabulary = VOCABULARIES.get(field.enum_type.full_name) if field.enum_type is not None else None
    if vocabulary is not None:
        number = getattr(message, name)
        return vocabulary.from_proto(number) if number else None
    return getattr(message, name)


class MessageView:
    """A view over the message at `.proto`. The fields a view does not spell out are read from
    the message (field_value), so that a field added to the proto reaches the client without
    a change here; mypy sees only the typed properties."""

    if not TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any:
            if name.startswith("_") or name == "proto":  # not a field; `proto` before __init__ sets it
                raise AttributeError(name)
            try:
                return field_value(self.proto, name)
            except AttributeError:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}") from None


@dataclass(frozen=True)
class Progress:
    stage: str
    pages_done: int
    pages_total: int


@dataclass(frozen=True)
class TaskView(MessageView):
    """One task as the server returned it."""

    proto: pb.Task

    @property
    def task_id(self) -> str:
        return self.proto.task_id

    @property
    def status(self) -> Status:
        return Status.from_proto(self.proto.status)

    @property
    def message(self) -> str:
        return self.proto.message

    @property
    def terminal(self) -> bool:
        return self.status.terminal

    @property
    def progress(self) -> Progress:
        p = self.proto.progress
        return Progress(stage=p.stage, pages_done=p.pages_done, pages_total=p.pages_total)

    @property
    def created_at(self) -> datetime:
        created = _datetime(self.proto, "created_at")
        assert created is not None, "the server always sets created_at"
        return created

    @property
    def started_at(self) -> datetime | None:
        return _datetime(self.proto, "started_at")

    @property
    def finished_at(self) -> datetime | None:
        return _datetime(self.proto, "finished_at")

    @property
    def expires_at(self) -> datetime | None:
        return _datetime(self.proto, "expires_at")

    @property
    def file_name(self) -> str:
        return self.proto.output.file_name

    @property
    def page_count(self) -> int:
        return self.proto.output.page_count

    @property
    def chunks(self) -> list[pb.Chunk]:
        return list(self.proto.output.chunks)

    def segments(self) -> Iterator[pb.Segment]:
        for chunk in self.proto.output.chunks:
            yield from chunk.segments

    def _join(self, field: str, separator: str, output_file: str | Path | None) -> str:
        """Chunkr's `_get_content`: every non-empty segment field in order."""
        text = separator.join(value for segment in self.segments() if (value := getattr(segment, field)))
        if output_file is not None:
            path = Path(output_file)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return text

    def html(self, output_file: str | Path | None = None) -> str:
        return self._join("html", "\n", output_file)

    def markdown(self, output_file: str | Path | None = None) -> str:
        return self._join("markdown", "\n\n", output_file)

    def content(self, output_file: str | Path | None = None) -> str:
        return self._join("content", "\n", output_file)

    def json(self) -> dict[str, Any]:
        """Chunkr's TaskResponse JSON, exactly as the REST gateway sends it."""
        return codec.task_to_json(self.proto)


@dataclass(frozen=True)
class WatchEvent(MessageView):
    """One event of a watch. `reconnected` marks the snapshot that follows a
    dropped stream, so a progress display can say so."""

    proto: pb.TaskEvent
    reconnected: bool = False

    @property
    def kind(self) -> EventKind:
        return EventKind.from_proto(self.proto.kind)

    @property
    def task(self) -> TaskView:
        return TaskView(self.proto.task)

    @property
    def time(self) -> datetime | None:
        return _datetime(self.proto, "time")

    @property
    def final(self) -> bool:
        """The last event of a watch: the task is terminal or gone."""
        return self.kind is EventKind.DELETED or self.task.terminal


@dataclass(frozen=True)
class TaskPage:
    """One ListTasks page; `next_page_token` is empty on the last page."""

    tasks: list[TaskView]
    next_page_token: str


@dataclass(frozen=True)
class FileView(MessageView):
    """A stored file (FileService); pass it, or its `url`, to `create` as the source."""

    proto: pb.File

    @property
    def file_id(self) -> str:
        return self.proto.file_id

    @property
    def file_name(self) -> str:
        return self.proto.file_name

    @property
    def content_type(self) -> str:
        return self.proto.content_type

    @property
    def file_size(self) -> int:
        return self.proto.file_size

    @property
    def metadata(self) -> dict[str, Any]:
        return json.loads(self.proto.metadata or "{}")  # type: ignore[no-any-return]

    @property
    def created_at(self) -> datetime:
        created = _datetime(self.proto, "created_at")
        assert created is not None, "the server always sets created_at"
        return created

    @property
    def url(self) -> str:
        """`ch://files/{file_id}`: a task's `file`, in place of a second upload."""
        return self.proto.url


@dataclass(frozen=True)
class SignedUrl:
    """A download URL that needs no API key, until `expires_at`."""

    url: str
    expires_at: datetime | None


@dataclass(frozen=True)
class WebhookView(MessageView):
    """A webhook endpoint; verify its messages with `svix.webhooks.Webhook(secret)`."""

    proto: pb.Webhook

    @property
    def webhook_id(self) -> str:
        return self.proto.webhook_id

    @property
    def url(self) -> str:
        return self.proto.url

    @property
    def event_types(self) -> list[str]:
        return list(self.proto.event_types)

    @property
    def secret(self) -> str:
        return self.proto.secret

    @property
    def created_at(self) -> datetime:
        created = _datetime(self.proto, "created_at")
        assert created is not None, "the server always sets created_at"
        return created
