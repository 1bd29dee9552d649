"""The comments of tasks.proto, by element, for the OpenAPI document's descriptions.

Runtime descriptors carry no comments; `python -m protos.generate` writes them,
as SourceCodeInfo, into tasks_descriptor.binpb beside the stubs, and this
module reads them from there (beside whichever `tasks_pb2` is imported).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from google.protobuf import descriptor_pb2

from protos import tasks_pb2 as pb

# Paths into FileDescriptorProto (descriptor.proto's field numbers), as SourceCodeInfo counts them.
MESSAGE_TYPE, ENUM_TYPE, SERVICE = 4, 5, 6
FIELD, NESTED_TYPE, NESTED_ENUM = 2, 3, 4
ENUM_VALUE = 2
METHOD = 2

SourcePath = tuple[int, ...]


def _enum(enum: descriptor_pb2.EnumDescriptorProto, path: SourcePath, scope: str) -> Iterator[tuple[str, SourcePath]]:
    yield f"{scope}.{enum.name}", path
    for j, value in enumerate(enum.value):
        yield f"{scope}.{value.name}", (*path, ENUM_VALUE, j)  # values are scoped beside their enum


def _message(message: descriptor_pb2.DescriptorProto, path: SourcePath, scope: str) -> Iterator[tuple[str, SourcePath]]:
    name = f"{scope}.{message.name}"
    yield name, path
    for j, field in enumerate(message.field):
        yield f"{name}.{field.name}", (*path, FIELD, j)
    for j, nested in enumerate(message.nested_type):
        yield from _message(nested, (*path, NESTED_TYPE, j), name)
    for j, enum in enumerate(message.enum_type):
        yield from _enum(enum, (*path, NESTED_ENUM, j), name)


def elements(file: descriptor_pb2.FileDescriptorProto) -> Iterator[tuple[str, SourcePath]]:
    """(full name, source path) of every message, field, enum, enum value, service and method."""
    for i, message in enumerate(file.message_type):
        yield from _message(message, (MESSAGE_TYPE, i), file.package)
    for i, enum in enumerate(file.enum_type):
        yield from _enum(enum, (ENUM_TYPE, i), file.package)
    for i, service in enumerate(file.service):
        name = f"{file.package}.{service.name}"
        yield name, (SERVICE, i)
        for j, method in enumerate(service.method):
            yield f"{name}.{method.name}", (SERVICE, i, METHOD, j)


def leading_comments(file: descriptor_pb2.FileDescriptorProto) -> dict[str, str]:
    """Each element's leading comment as protoc gives it, by full name."""
    located = {tuple(location.path): location.leading_comments for location in file.source_code_info.location}
    return {name: located.get(path, "") for name, path in elements(file)}


def as_text(comment: str) -> str:
    """A `//` comment as prose: its lines joined, blank lines kept as paragraph breaks."""
    paragraphs = re.split(r"\n\s*\n", comment.strip())
    return "\n\n".join(" ".join(line.strip() for line in paragraph.splitlines()) for paragraph in paragraphs)


@cache
def comments() -> dict[str, str]:
    """The comment of every element of tasks.proto, as prose, by full name."""
    path = Path(pb.__file__).with_name("tasks_descriptor.binpb")
    files = descriptor_pb2.FileDescriptorSet.FromString(path.read_bytes()).file
    (file,) = [each for each in files if each.name == pb.DESCRIPTOR.name]
    return {name: as_text(text) for name, text in leading_comments(file).items()}


def comment(full_name: str) -> str:
    """The comment of one element (a message, field, enum or RPC), "" where it has none."""
    return comments().get(full_name, "")
