"""Chunkr's names for the proto's elements, read from its descriptors.

tasks.proto says how each element looks in Chunkr's JSON: a field's key is its
name, or its `json_name` where one is declared; an enum value's string is its
`(Chunkr.name)` option; `(Chunkr.null_when_empty)` and `(Chunkr.file_url)` mark the
fields Chunkr sends as null when empty and the URLs of stored files;
`(Chunkr.unset_as)` names an enum field's unset value where Chunkr never sends
null, `(Chunkr.minimum)` and `(Chunkr.maximum)` bound a number field, and
`(Chunkr.terminal)` marks the statuses a task never leaves. Nothing
here lists a field or a value, so a field or value added to the proto is in
Chunkr's JSON (and the gateway's OpenAPI document) without another edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from protos import tasks_pb2 as pb

FieldDescriptor = Any  # upb's descriptor classes carry no type information
EnumDescriptor = Any
MessageDescriptor = Any
TIMESTAMP = "google.protobuf.Timestamp"


class InvalidChunkrJson(ValueError):
    """Chunkr JSON the codec refuses; the message names the field, for the caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ChunkrEnum:
    """One proto enum and Chunkr's strings for it; 0 ("unset") has none."""

    name: str
    strings: Mapping[int, str]

    def to_json(self, number: int) -> str | None:
        return self.strings.get(number)

    def from_json(self, value: object, path: str) -> int:
        """A Chunkr enum string → its number; None → 0 (not given)."""
        if value is None:
            return 0
        if not isinstance(value, str):
            raise InvalidChunkrJson(f"Invalid {path}: expected a string, got {json_type(value)}")
        for number, text in self.strings.items():
            if text == value:
                return number
        raise InvalidChunkrJson(f"Invalid {path}: {value!r} (expected one of {', '.join(self.strings.values())})")


@cache
def chunkr_enum(enum: EnumDescriptor) -> ChunkrEnum:
    options = {value.number: value.GetOptions().Extensions[pb.Chunkr.name] for value in enum.values}
    return ChunkrEnum(enum.name, {number: text for number, text in options.items() if text})


def json_type(value: object) -> str:
    """The JSON name of a decoded value's type, for error messages."""
    if value is None:
        return "null"
    names = {dict: "object", list: "array", str: "string", bool: "boolean"}
    return names.get(type(value), "number" if isinstance(value, (int, float)) else type(value).__name__)


def _camel(name: str) -> str:
    """protoc's default json_name: lowerCamelCase of the field's name."""
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def json_key(field: FieldDescriptor) -> str:
    """Chunkr's key for a field: its declared `json_name`, else its proto name
    (Chunkr's JSON is snake_case, not proto3 JSON's lowerCamelCase)."""
    return field.json_name if field.json_name != _camel(field.name) else field.name  # type: ignore[no-any-return]


def keyed_by_json_name(message: MessageDescriptor) -> bool:
    """A message whose every field declares its key (SegmentProcessing: one key per segment type)."""
    return all(json_key(field) != field.name for field in message.fields)


def null_when_empty(field: FieldDescriptor) -> bool:
    return bool(field.GetOptions().Extensions[pb.Chunkr.null_when_empty])


def null_when_unset(field: FieldDescriptor) -> bool:
    """A proto3 `optional` scalar, or a message (a timestamp too) marked null_when_empty: null when not set."""
    if not field.has_presence or field.is_repeated:
        return False
    return field.message_type is None or null_when_empty(field)


def may_be_null(field: FieldDescriptor) -> bool:
    """Whether Chunkr's JSON of the field can be null: only where the proto says so (an `optional`
    scalar, or `(Chunkr.null_when_empty)`); any other value is always written."""
    return null_when_unset(field) or null_when_empty(field)


def unset_as(field: FieldDescriptor) -> str | None:
    """Chunkr's string for an enum field's 0, where the proto declares one (`(Chunkr.unset_as)`)."""
    return field.GetOptions().Extensions[pb.Chunkr.unset_as] or None


def minimum(field: FieldDescriptor) -> int | None:
    """The least value of a number field, where the proto declares one (`(Chunkr.minimum)`)."""
    options = field.GetOptions()
    return options.Extensions[pb.Chunkr.minimum] if options.HasExtension(pb.Chunkr.minimum) else None


def maximum(field: FieldDescriptor) -> int | None:
    """The greatest value of a number field, where the proto declares one (`(Chunkr.maximum)`)."""
    options = field.GetOptions()
    return options.Extensions[pb.Chunkr.maximum] if options.HasExtension(pb.Chunkr.maximum) else None


def terminal_values(enum: EnumDescriptor) -> frozenset[int]:
    """The numbers of the enum's values marked `(Chunkr.terminal)`."""
    return frozenset(value.number for value in enum.values if value.GetOptions().Extensions[pb.Chunkr.terminal])


def file_url(field: FieldDescriptor) -> bool:
    return bool(field.GetOptions().Extensions[pb.Chunkr.file_url])


def is_timestamp(field: FieldDescriptor) -> bool:
    return field.message_type is not None and field.message_type.full_name == TIMESTAMP
