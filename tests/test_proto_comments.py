"""The proto is the contract: every message, field, enum, enum value, service
and RPC in protos/tasks.proto carries a leading comment saying what it is."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

from google.protobuf import descriptor_pb2

from protos.generate import PROTO, protoc_command
from tests.harness import ROOT

# Paths into FileDescriptorProto (descriptor.proto's field numbers), as SourceCodeInfo counts them.
MESSAGE_TYPE, ENUM_TYPE, SERVICE = 4, 5, 6
FIELD, NESTED_TYPE, NESTED_ENUM = 2, 3, 4
ENUM_VALUE = 2
METHOD = 2


def _descriptor_set(tmp_path: Path) -> descriptor_pb2.FileDescriptorSet:
    out = tmp_path / "tasks.pb"
    subprocess.run(
        protoc_command("--include_source_info", f"--descriptor_set_out={out}"),
        cwd=ROOT,
        check=True,
    )
    return descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())


def _enum(
    enum: descriptor_pb2.EnumDescriptorProto, path: tuple[int, ...], scope: str
) -> Iterator[tuple[str, tuple[int, ...]]]:
    name = f"{scope}.{enum.name}"
    yield name, path
    for j, value in enumerate(enum.value):
        # Enum values are scoped to the enum's parent in protobuf, but naming the enum reads better here.
        yield f"{name}.{value.name}", (*path, ENUM_VALUE, j)


def _message(
    message: descriptor_pb2.DescriptorProto, path: tuple[int, ...], scope: str
) -> Iterator[tuple[str, tuple[int, ...]]]:
    name = f"{scope}.{message.name}"
    yield name, path
    for j, field in enumerate(message.field):
        yield f"{name}.{field.name}", (*path, FIELD, j)
    for j, nested in enumerate(message.nested_type):
        yield from _message(nested, (*path, NESTED_TYPE, j), name)
    for j, enum in enumerate(message.enum_type):
        yield from _enum(enum, (*path, NESTED_ENUM, j), name)


def _elements(file: descriptor_pb2.FileDescriptorProto) -> Iterator[tuple[str, tuple[int, ...]]]:
    """(full name, source path) of every message, field, enum, enum value, service and method."""
    scope = file.package
    for i, message in enumerate(file.message_type):
        yield from _message(message, (MESSAGE_TYPE, i), scope)
    for i, enum in enumerate(file.enum_type):
        yield from _enum(enum, (ENUM_TYPE, i), scope)
    for i, service in enumerate(file.service):
        name = f"{scope}.{service.name}"
        yield name, (SERVICE, i)
        for j, method in enumerate(service.method):
            yield f"{name}.{method.name}", (SERVICE, i, METHOD, j)


def test_every_element_of_the_proto_has_a_leading_comment(tmp_path: Path) -> None:
    (file,) = [f for f in _descriptor_set(tmp_path).file if f.name == PROTO]
    comments = {tuple(location.path): location.leading_comments for location in file.source_code_info.location}
    elements = list(_elements(file))
    missing = [name for name, path in elements if not comments.get(path, "").strip()]
    assert len(elements) > 200  # the walk reached every kind of element
    header = f"{len(missing)} of {len(elements)} proto elements have no leading comment:"
    assert not missing, "\n".join([header, *missing])
