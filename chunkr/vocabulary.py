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

    @property
    def proto(self) -> int:
        number: int = _NUMBERS[type(self), self.name]
        return number

    @classmethod
    def from_proto(cls: type[Vocabulary], number: int) -> Vocabulary:
        """ValueError for 0 (unset) and numbers the proto does not declare."""
        for member in cls:
            if member.proto == number:
                return member
        raise ValueError(f"no {cls.__name__} {number}")


def _spelling(chunkr: codec.ChunkrEnum, number: int) -> str:
    text = chunkr.to_json(number)
    assert text is not None, f"enum value {number} has no Chunkr spelling"
    return text


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
        number: pb.TaskStatus = _NUMBERS[Status, self.name]
        return number


class EventKind(Spelled):
    """What a watch event says happened (TaskEvent.Kind)."""

    SNAPSHOT = _spelling(codec.EVENT_KIND, pb.TaskEvent.KIND_SNAPSHOT)
    CHANGED = _spelling(codec.EVENT_KIND, pb.TaskEvent.KIND_CHANGED)
    DELETED = _spelling(codec.EVENT_KIND, pb.TaskEvent.KIND_DELETED)

    @property
    def proto(self) -> pb.TaskEvent.Kind:
        number: pb.TaskEvent.Kind = _NUMBERS[EventKind, self.name]
        return number


# Each member's proto number, by the proto name it spells (STARTING → TASK_STATUS_STARTING).
_NUMBERS: dict[tuple[type[Spelled], str], Any] = {
    **{(Status, name): pb.TaskStatus.Value("TASK_STATUS_" + name) for name in Status.__members__},
    **{(EventKind, name): pb.TaskEvent.Kind.Value("KIND_" + name) for name in EventKind.__members__},
}

# The statuses tasks.proto marks `(Chunkr.terminal)`, as the codec reads them.
TERMINAL = tuple(status for status in Status if status.proto in codec.TERMINAL_STATUSES)
ACTIVE = tuple(status for status in Status if status not in TERMINAL)
