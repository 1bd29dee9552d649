"""The server refuses a configuration number outside the bounds tasks.proto declares on
its field (`(Chunkr.minimum)`, `(Chunkr.maximum)`): the bound is written once, in the
proto, and the OpenAPI document and the server both read it there."""

from __future__ import annotations

from typing import Any

import pytest

from chunkr.names import maximum, minimum
from protos import tasks_pb2 as pb
from server.configuration import validate
from server.errors import InvalidArgument


def bounded(message: Any, path: str = "") -> list[tuple[str, Any]]:
    """Each bounded number field under `message`, by its dotted path."""
    found = []
    for field in message.fields:
        if field.message_type is not None and not field.is_repeated:
            found += bounded(field.message_type, f"{path}{field.name}.")
        elif minimum(field) is not None or maximum(field) is not None:
            found.append((path + field.name, field))
    return found


def configuration_with(path: str, value: int) -> pb.Configuration:
    configuration = pb.Configuration()
    *parents, name = path.split(".")
    message: Any = configuration
    for parent in parents:
        message = getattr(message, parent)
    setattr(message, name, value)
    return configuration


def test_the_bounded_fields_are_target_length_and_expires_in() -> None:
    assert [path for path, _ in bounded(pb.Configuration.DESCRIPTOR)] == [
        "chunk_processing.target_length",
        "expires_in",
    ]


@pytest.mark.parametrize(("path", "field"), bounded(pb.Configuration.DESCRIPTOR), ids=lambda item: str(item))
def test_a_bound_itself_is_accepted_and_one_past_it_is_refused_naming_the_field(path: str, field: Any) -> None:
    for bound, past in ((minimum(field), -1), (maximum(field), 1)):
        if bound is None:
            continue
        validate(configuration_with(path, bound))
        with pytest.raises(InvalidArgument, match=f"^Invalid {path}: {bound + past} "):
            validate(configuration_with(path, bound + past))


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            "chunk_processing.target_length",
            -1,
            "Invalid chunk_processing.target_length: -1 (must be between 0 and 1000000)",
        ),
        (
            "chunk_processing.target_length",
            1_000_001,
            "Invalid chunk_processing.target_length: 1000001 (must be between 0 and 1000000)",
        ),
        ("expires_in", -1, "Invalid expires_in: -1 (must be >= 0)"),
    ],
)
def test_the_messages_say_the_bounds_as_before(path: str, value: int, message: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        validate(configuration_with(path, value))
    assert str(refused.value) == message
