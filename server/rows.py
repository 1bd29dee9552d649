"""A stored row → the message callers see, by the message's descriptor: every field that
the row has under the same name is copied (a datetime as a Timestamp, a status as its
proto number), so that a column added to a table and a field of the same name added to
the proto reach callers without a list of fields here. What differs in name or form
(ids, JSON text, URLs, nested messages) the caller passes as keywords."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from chunkr import codec
from chunkr.vocabulary import Spelled

M = TypeVar("M", bound=Message)
TIMESTAMP = Timestamp.DESCRIPTOR.full_name


def _timestamp(value: Any) -> Timestamp | None:
    return codec.timestamp(value) if isinstance(value, datetime) else None


def _number(value: Any) -> Any:
    return value.proto if isinstance(value, Spelled) else value


Copied = tuple[tuple[str, Callable[[Any], Any] | None], ...]  # None: copied as it is
_COPIED: dict[tuple[str, type], Copied] = {}


def _copied(message_type: type[Message], row_type: type) -> Copied:
    """The fields of the message that the row has (its model's fields), each with how the
    row's value becomes the field's; worked out once per pair."""
    descriptor = message_type.DESCRIPTOR
    copied = _COPIED.get((descriptor.full_name, row_type))
    if copied is None:
        columns = getattr(row_type, "model_fields", {})
        fields: list[tuple[str, Callable[[Any], Any] | None]] = []
        for field in descriptor.fields:
            if field.name not in columns:
                continue
            if field.enum_type is not None:
                fields.append((field.name, _number))
            elif field.message_type is None:
                fields.append((field.name, None))
            elif field.message_type.full_name == TIMESTAMP and not field.is_repeated:
                fields.append((field.name, _timestamp))
        copied = _COPIED[descriptor.full_name, row_type] = tuple(fields)
    return copied


def message_from_row(message_type: type[M], row: object, **given: Any) -> M:
    """`message_type` with the row's same-named values, then `given` (which wins)."""
    values = {}
    for name, convert in _copied(message_type, type(row)):
        if name not in given and (value := getattr(row, name)) is not None:
            values[name] = value if convert is None else convert(value)
    message: M = message_type(**values, **given)
    return message
