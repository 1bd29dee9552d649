"""The server refuses a configuration value that tasks.proto does not declare: a number
outside its field's bounds (`(Chunkr.minimum)`, `(Chunkr.maximum)`), an enum number the
enum lacks. Each is written once, in the proto, and the OpenAPI document and the
server both read it there."""

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


def enum_fields(message: Any, path: str = "") -> list[tuple[str, Any]]:
    """Each single-valued enum field under `message`, by its dotted path."""
    found = []
    for field in message.fields:
        if field.is_repeated:
            continue
        if field.message_type is not None:
            found += enum_fields(field.message_type, f"{path}{field.name}.")
        elif field.enum_type is not None:
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


ENUMS = enum_fields(pb.Configuration.DESCRIPTOR)


def test_every_enum_of_every_segment_type_is_checked() -> None:
    paths = [path for path, _ in ENUMS]
    assert {"ocr_strategy", "segmentation_strategy", "error_handling"} <= set(paths)
    assert len(paths) == 3 + 5 * len(pb.SegmentProcessing.DESCRIPTOR.fields)


@pytest.mark.parametrize(("path", "field"), ENUMS, ids=lambda item: str(item))
def test_each_declared_enum_value_is_accepted_and_an_undeclared_one_refused(path: str, field: Any) -> None:
    for value in field.enum_type.values_by_number:
        validate(configuration_with(path, value))
    undeclared = max(field.enum_type.values_by_number) + 1
    with pytest.raises(InvalidArgument) as refused:
        validate(configuration_with(path, undeclared))
    assert str(refused.value) == f"Invalid {path}: {undeclared}"


@pytest.mark.parametrize(
    ("configuration", "message"),
    [
        (pb.Configuration(ocr_strategy=99), "Invalid ocr_strategy: 99"),  # type: ignore[arg-type]  # out of the enum on purpose
        (
            pb.Configuration(segment_processing=pb.SegmentProcessing(table=pb.GenerationConfig(crop_image=7))),  # type: ignore[arg-type]
            "Invalid segment_processing.table.crop_image: 7",
        ),
    ],
)
def test_the_enum_messages_name_the_field_as_before(configuration: pb.Configuration, message: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        validate(configuration)
    assert str(refused.value) == message
