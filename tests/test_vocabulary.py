"""The status and event vocabulary is the proto's: one Python enum each, shared by the
server and the client, whose members are exactly the proto enum's values (less the
unset 0) and whose spellings are the Chunkr codec's. Likewise the segment types'
options fields follow from the SegmentType names."""

from __future__ import annotations

import pytest

from chunkr import codec
from chunkr.vocabulary import ACTIVE, TERMINAL, EventKind, Status
from protos import tasks_pb2 as pb
from server.configuration import SEGMENT_TYPE_FIELDS


@pytest.mark.parametrize(
    ("vocabulary", "proto_enum", "chunkr"),
    [(Status, pb.TaskStatus, codec.TASK_STATUS), (EventKind, pb.TaskEvent.Kind, codec.EVENT_KIND)],
)
def test_each_proto_value_is_one_member_spelled_as_chunkr_spells_it(
    vocabulary: type[Status] | type[EventKind], proto_enum: object, chunkr: codec.ChunkrEnum
) -> None:
    declared = {number for number in proto_enum.values() if number}  # type: ignore[attr-defined]
    assert {member.proto for member in vocabulary} == declared
    for number in declared:
        member = vocabulary.from_proto(number)
        assert member.proto == number
        assert member.value == str(member) == chunkr.to_json(number)


@pytest.mark.parametrize("number", [0, 99])
def test_an_unset_or_undeclared_number_is_no_status(number: int) -> None:
    with pytest.raises(ValueError):
        Status.from_proto(number)


def test_a_status_parses_from_any_case_and_a_typo_names_the_choices() -> None:
    assert Status.parse(" failed ") is Status.FAILED
    assert EventKind.parse("DELETED") is EventKind.DELETED
    with pytest.raises(ValueError, match="Starting, Processing, Succeeded, Failed, Cancelled"):
        Status.parse("done")


def test_every_status_is_either_active_or_terminal() -> None:
    assert set(ACTIVE) | set(TERMINAL) == set(Status) and not set(ACTIVE) & set(TERMINAL)
    assert [status for status in Status if status.terminal] == [Status.SUCCEEDED, Status.FAILED, Status.CANCELLED]


def test_the_server_and_the_client_share_one_enum() -> None:
    import client
    from server import models

    assert client.Status is models.Status is Status
    assert client.EventKind is models.EventKind is EventKind


def test_each_segment_type_has_its_options_field_and_each_field_its_type() -> None:
    fields = [field.name for field in pb.SegmentProcessing.DESCRIPTOR.fields]
    assert sorted(SEGMENT_TYPE_FIELDS.values()) == sorted(fields)
    assert SEGMENT_TYPE_FIELDS[pb.SEGMENT_TYPE_LIST_ITEM] == "list_item"


def test_the_terminal_statuses_are_those_the_proto_marks_and_every_layer_reads_them() -> None:
    marked = {
        value.number for value in pb.TaskStatus.DESCRIPTOR.values if value.GetOptions().Extensions[pb.Chunkr.terminal]
    }
    assert marked == {pb.TASK_STATUS_SUCCEEDED, pb.TASK_STATUS_FAILED, pb.TASK_STATUS_CANCELLED}
    assert codec.TERMINAL_STATUSES == marked == {status.proto for status in TERMINAL}


@pytest.mark.parametrize("status", list(Status))
def test_chunkr_2x_calls_a_task_completed_exactly_when_its_status_is_terminal(status: Status) -> None:
    task = pb.Task(task_id="t", status=status.proto)
    assert codec.task_to_json_v2(task, server_version="0")["completed"] is status.terminal


def test_the_openapi_status_enum_has_the_vocabulary_s_members() -> None:
    from gateway import schemas

    assert [member.value for member in schemas.Status] == [status.value for status in Status]
