"""Request messages from Python arguments: the part of every call that is the
same in the sync and async clients, kept pure so it is tested without a
server."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO, TypedDict


from chunkr import codec
from client.errors import InvalidArgument
from client.views import Status
from protos import tasks_pb2 as pb

# A path, a URL (http:// or https://), the bytes themselves or an open binary file.
Source = str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO
Since = datetime | timedelta


class ConfigOptions(TypedDict, total=False):
    """The configuration knobs as keyword arguments; enums take Chunkr's
    strings in any case ("all", "All", "LayoutAnalysis", "layout_analysis")."""

    target_length: int
    tokenizer: str
    ignore_headers_and_footers: bool
    ocr_strategy: str
    segmentation_strategy: str
    error_handling: str
    high_resolution: bool
    expires_in: int


ENUM_OPTIONS: dict[str, codec.ChunkrEnum] = {
    "ocr_strategy": codec.OCR_STRATEGY,
    "segmentation_strategy": codec.SEGMENTATION_STRATEGY,
    "error_handling": codec.ERROR_HANDLING,
}
CHUNKING_OPTIONS = ("target_length", "tokenizer", "ignore_headers_and_footers")
TOP_LEVEL_OPTIONS = ("high_resolution", "expires_in")


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
        if name in ENUM_OPTIONS:
            setattr(configuration, name, enum_value(name, ENUM_OPTIONS[name], value))  # type: ignore[arg-type]  # an option's str or int
        elif name in CHUNKING_OPTIONS:
            setattr(configuration.chunk_processing, name, value)
        elif name in TOP_LEVEL_OPTIONS:
            setattr(configuration, name, value)
        else:
            raise TypeError(f"unknown configuration option {name!r}")
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
    if is_url(source):
        assert isinstance(source, str)
        request.url = source
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        request.file = path.read_bytes()
        file_name = file_name or path.name
    elif isinstance(source, (bytes, bytearray, memoryview)):
        request.file = bytes(source)
    elif hasattr(source, "read"):
        request.file = source.read()
        file_name = file_name or Path(str(getattr(source, "name", ""))).name or None
    else:
        raise TypeError(f"cannot create a task from {type(source).__name__}")
    request.file_name = file_name or "document"
    return request



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
