"""Request messages from Python arguments: the part of every call that is the
same in the sync and async clients, kept pure so it is tested without a
server."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO, TypedDict


from chunkr import codec
from chunkr.names import FieldDescriptor, chunkr_enum
from client.errors import InvalidArgument
from client.views import FileView, Status
from protos import tasks_pb2 as pb

# What an upload reads: a path, the bytes themselves or an open binary file.
Content = str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO
# What a task is made from: that, a URL (http:// or https://) the server fetches, or a
# file stored before (a FileView, or its `ch://files/{file_id}` URL).
Source = Content | FileView
STORED_FILE_PREFIX = "ch://files/"
Since = datetime | timedelta


class ConfigOptions(TypedDict, total=False):
    """The configuration knobs as keyword arguments; enums take Chunkr's
    strings in any case ("all", "All", "LayoutAnalysis", "layout_analysis").
    Written out for the type checker: the keys are OPTIONS' (tests/client/test_pure.py
    checks that they are the same)."""

    target_length: int
    tokenizer: str
    ignore_headers_and_footers: bool
    ocr_strategy: str
    segmentation_strategy: str
    error_handling: str
    high_resolution: bool
    expires_in: int


# The options by name: each single-valued field of Configuration (the ones not made of
# messages), and each of ChunkProcessing under `chunk_processing`, with the submessage
# it is set in ("" for Configuration itself).
OPTIONS: dict[str, tuple[str, FieldDescriptor]] = {
    field.name: (parent, field)
    for parent, message in (("", pb.Configuration.DESCRIPTOR), ("chunk_processing", pb.ChunkProcessing.DESCRIPTOR))
    for field in message.fields
    if field.message_type is None and not field.is_repeated
}


def _squash(text: str) -> str:
    return text.replace("_", "").replace("-", "").replace(" ", "").lower()


def enum_value(name: str, enum: codec.ChunkrEnum, value: str | int) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        if value not in enum.strings:
            raise InvalidArgument(f"Invalid {name}: {value}")
        return value
    for number, text in enum.strings.items():
        if _squash(text) == _squash(str(value)):
            return number
    raise InvalidArgument(f"Invalid {name}: {value!r} (expected one of {', '.join(enum.strings.values())})")


def build_configuration(base: pb.Configuration | None = None, **options: object) -> pb.Configuration:
    """A partial Configuration: only what is given is set, so the server fills
    in defaults on create and keeps the rest on update."""
    configuration = pb.Configuration()
    if base is not None:
        configuration.CopyFrom(base)
    for name, value in options.items():
        if value is None:
            continue
        if name not in OPTIONS:
            raise TypeError(f"unknown configuration option {name!r}")
        parent, field = OPTIONS[name]
        if field.enum_type is not None:
            value = enum_value(name, chunkr_enum(field.enum_type), value)  # type: ignore[arg-type]  # an option's str or int
        setattr(getattr(configuration, parent) if parent else configuration, name, value)
    return configuration


def is_url(source: object) -> bool:
    return isinstance(source, str) and source.startswith(("http://", "https://"))


def create_request(
    source: Source, file_name: str | None = None, configuration: pb.Configuration | None = None
) -> pb.CreateTaskRequest:
    """Reads a path or file here, so the server gets bytes; a URL is fetched by
    the server. The file name defaults to the path's name, which is what the
    task's output and the server's type sniffing see."""
    request = pb.CreateTaskRequest(configuration=configuration)
    if isinstance(source, FileView):
        request.file_id = source.file_id
    elif isinstance(source, str) and source.startswith(STORED_FILE_PREFIX):
        request.file_id = source
    elif is_url(source):
        assert isinstance(source, str)
        request.url = source
    else:
        request.file, file_name = read_content(source, file_name)
    # A stored file keeps its own name unless one is given.
    request.file_name = file_name or ("" if request.WhichOneof("source") == "file_id" else "document")
    return request


def read_content(content: Content, file_name: str | None) -> tuple[bytes, str | None]:
    """The bytes, and the name (the given one, else the path's or open file's base name)."""
    if isinstance(content, (str, os.PathLike)):
        path = Path(content)
        return path.read_bytes(), file_name or path.name
    if isinstance(content, (bytes, bytearray, memoryview)):
        return bytes(content), file_name
    if hasattr(content, "read"):
        return content.read(), file_name or Path(str(getattr(content, "name", ""))).name or None
    raise TypeError(f"cannot read a document from {type(content).__name__}")


def upload_request(content: Content, file_name: str | None, metadata: dict[str, object] | None) -> pb.UploadFileRequest:
    data, name = read_content(content, file_name)
    return pb.UploadFileRequest(
        file=data, file_name=name or "document", metadata=json.dumps(metadata) if metadata is not None else ""
    )



def list_request(
    *,
    statuses: tuple[Status, ...] = (),
    since: Since | None = None,
    until: datetime | None = None,
    page_size: int = 100,
    page_token: str = "",
    include_chunks: bool = False,
    now: datetime | None = None,
) -> pb.ListTasksRequest:
    """`since` is a moment or an age ("tasks of the last two days")."""
    if isinstance(since, timedelta):
        since = (now or datetime.now(UTC)) - since
    return pb.ListTasksRequest(
        page_size=page_size,
        page_token=page_token,
        statuses=[s.proto for s in statuses],
        start=codec.timestamp(since) if since else None,
        end=codec.timestamp(until) if until else None,
        include_chunks=include_chunks,
    )
