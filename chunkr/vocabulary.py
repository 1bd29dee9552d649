"""The task vocabulary the server and the client share: a task's status and a watch
event's kind. Each is the proto enum (protos/tasks.proto) less its unset 0, valued by
Chunkr's spelling as the codec derives it ("Starting", "Changed"): what the database
stores, the REST API sends and the client prints. A member's proto number follows from
its name, so no table maps one to the other; tests/test_vocabulary.py checks that the
members are exactly the proto's values."""

from __future__ import annotations

import enum
from typing import Any, TypeVar

from chunkr import codec
from protos import tasks_pb2 as pb

Vocabulary = TypeVar("Vocabulary", bound="Spelled")


class Spelled(str, enum.Enum):
    """A proto enum value as Chunkr spells it; parsed without regard to case, so that
    `--status failed` works on the command line."""

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def parse(cls: type[Vocabulary], text: str) -> Vocabulary:
        wanted = text.strip().lower()
        for member in cls:
            if member.value.lower() == wanted:
                return member
        raise ValueError(f"unknown {cls.__name__.lower()} {text!r} (expected one of {', '.join(m.value for m in cls)})")


def _spelling(chunkr: codec.ChunkrEnum, number: int) -> str:
    text = chunkr.to_json(number)
    assert text is not None, f"enum value {number} has no Chunkr spelling"
    return text


def _numbers(members: Any, enum_type: Any, prefix: str) -> dict[Any, Any]:
    """Each member's proto number, by the proto name it spells (STARTING → TASK_STATUS_STARTING)."""
    return {member: enum_type.Value(prefix + member.name) for member in members}


class Status(Spelled):
    """A task's status (TaskStatus)."""

    STARTING = _spelling(codec.TASK_STATUS, pb.TASK_STATUS_STARTING)
    PROCESSING = _spelling(codec.TASK_STATUS, pb.TASK_STATUS_PROCESSING)
    SUCCEEDED = _spelling(codec.TASK_STATUS, pb.TASK_STATUS_SUCCEEDED)
    FAILED = _spelling(codec.TASK_STATUS, pb.TASK_STATUS_FAILED)
    CANCELLED = _spelling(codec.TASK_STATUS, pb.TASK_STATUS_CANCELLED)

    @property
    def terminal(self) -> bool:
        return self in TERMINAL

    @property
    def proto(self) -> pb.TaskStatus:
        return _STATUS_NUMBERS[self]

    @classmethod
    def from_proto(cls, number: int) -> Status:
        """ValueError for 0 (unset) and numbers the proto does not declare."""
        if number not in _STATUSES:
            raise ValueError(f"no status {number}")
        return _STATUSES[number]


class EventKind(Spelled):
    """What a watch event says happened (TaskEvent.Kind)."""

    SNAPSHOT = _spelling(codec.EVENT_KIND, pb.TaskEvent.KIND_SNAPSHOT)
    CHANGED = _spelling(codec.EVENT_KIND, pb.TaskEvent.KIND_CHANGED)
    DELETED = _spelling(codec.EVENT_KIND, pb.TaskEvent.KIND_DELETED)

    @property
    def proto(self) -> pb.TaskEvent.Kind:
        return _KIND_NUMBERS[self]

    @classmethod
    def from_proto(cls, number: int) -> EventKind:
        """ValueError for 0 (unset) and numbers the proto does not declare."""
        if number not in _KINDS:
            raise ValueError(f"no event kind {number}")
        return _KINDS[number]


TERMINAL = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)
ACTIVE = tuple(status for status in Status if status not in TERMINAL)

_STATUS_NUMBERS: dict[Status, pb.TaskStatus] = _numbers(Status, pb.TaskStatus, "TASK_STATUS_")
_STATUSES: dict[int, Status] = {number: status for status, number in _STATUS_NUMBERS.items()}
_KIND_NUMBERS: dict[EventKind, pb.TaskEvent.Kind] = _numbers(EventKind, pb.TaskEvent.Kind, "KIND_")
_KINDS: dict[int, EventKind] = {number: kind for kind, number in _KIND_NUMBERS.items()}
