"""The state of one watch across reconnects, kept apart from I/O so that the
sync and async clients share it: when to give up, and when a stream that
ended was complete.

A WatchTask stream always begins with a snapshot of the current state, so a
watch that lost its stream (server restart, dropped connection) simply opens
a new one: if the task finished meanwhile, the new snapshot *is* the terminal
event, and nothing is lost."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import grpc

from client.errors import DeadlineExceeded, Unavailable, from_rpc_error
from client.retry import RetryPolicy
from client.views import WatchEvent
from protos import tasks_pb2 as pb

# A server that shuts down cancels its open streams; either code means
# "the stream is gone, the task is not".
RECONNECT_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED})


@dataclass
class WatchSession:
    task_id: str
    retry: RetryPolicy
    timeout: float | None  # the whole watch, across reconnects
    reconnect_for: float  # how long to keep trying without any stream
    started: float = field(default_factory=time.monotonic)
    dropped_at: float | None = None
    finished: bool = False
    _delays: Iterator[float] | None = None

    @property
    def request(self) -> pb.WatchTaskRequest:
        return pb.WatchTaskRequest(task_id=self.task_id)

    def remaining(self) -> float | None:
        """The deadline for the next stream."""
        if self.timeout is None:
            return None
        left = self.timeout - (time.monotonic() - self.started)
        if left <= 0:
            raise self.timed_out()
        return left

    def received(self, event: pb.TaskEvent) -> WatchEvent:
        view = WatchEvent(event, reconnected=self._delays is not None)
        self.dropped_at = None
        self._delays = None
        self.finished = view.final
        return view

    def lost(self, error: grpc.RpcError) -> str:
        """A failed stream: why, if it is worth reopening; else the watch's
        exception (its own timeout named as such, not as gRPC's "Deadline
        Exceeded")."""
        code: grpc.StatusCode = error.code()
        if code in RECONNECT_CODES:
            reason: str = error.details() or code.name
            return reason
        if code == grpc.StatusCode.DEADLINE_EXCEEDED and self.timeout is not None:
            raise self.timed_out() from None
        raise from_rpc_error(error) from None

    def timed_out(self) -> DeadlineExceeded:
        assert self.timeout is not None
        return DeadlineExceeded(f"Task {self.task_id} did not finish within {self.timeout:g}s")

    def next_delay(self, reason: str) -> float:
        """How long to sleep before the next stream, or Unavailable once the
        server has been gone for longer than `reconnect_for`."""
        now = time.monotonic()
        if self.dropped_at is None:
            self.dropped_at = now
        if now - self.dropped_at > self.reconnect_for:
            raise Unavailable(f"Lost the watch on task {self.task_id} for {self.reconnect_for:g}s: {reason}")
        if self._delays is None:
            self._delays = self.retry.reconnect_delays()
        delay = next(self._delays)
        remaining = self.remaining()
        return delay if remaining is None else min(delay, remaining)
