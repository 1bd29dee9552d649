"""Which calls may be repeated after UNAVAILABLE, and how long to wait in
between. Shared by the sync and async clients, which differ only in how they
sleep.

UNAVAILABLE usually means the request never reached the server, but a
connection can also drop after the server acted. So only calls whose repetition
leaves the same state are retried:

- GetTask, ListTasks: reads.
- DeleteTask: a repeat finds the task gone; NOT_FOUND on a *retried* attempt
  therefore counts as success.
- CancelTask: a repeat finds the task already Cancelled (FAILED_PRECONDITION);
  on a retried attempt the client then reads the task and returns it if it is
  Cancelled.
- CreateTask and UpdateTask are never retried: a repeat would process the
  document a second time.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

import grpc

from client.errors import NotFound, TaskNotFound, from_rpc_error

RETRIED_CODES = frozenset({grpc.StatusCode.UNAVAILABLE})


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter. `attempts` counts the first try;
    attempts=1 turns retries off."""

    attempts: int = 5
    initial_backoff: float = 0.1
    max_backoff: float = 2.0
    multiplier: float = 2.0

    def delays(self) -> Iterator[float]:
        """The sleep before each retry: attempts - 1 values."""
        ceiling = self.initial_backoff
        for _ in range(self.attempts - 1):
            yield random.uniform(0, ceiling)
            ceiling = min(ceiling * self.multiplier, self.max_backoff)

    def reconnect_delays(self) -> Iterator[float]:
        """Endless backoff for a watch stream, which keeps trying until its
        own deadline (or `Watch.reconnect_for`) runs out."""
        ceiling = self.initial_backoff
        while True:
            yield random.uniform(ceiling / 2, ceiling)
            ceiling = min(ceiling * self.multiplier, self.max_backoff)


def is_retryable(error: grpc.RpcError) -> bool:
    return error.code() in RETRIED_CODES


class Attempts:
    """The retry loop's decisions for one call, shared by both clients:

        attempts = Attempts(policy, retry=True)
        while True:
            try:
                return call()
            except grpc.RpcError as error:
                time.sleep(attempts.failed(error))  # or raises
    """

    def __init__(self, policy: RetryPolicy, *, retry: bool, not_found: type[NotFound] = TaskNotFound) -> None:
        self._delays = policy.delays() if retry else iter(())
        self._not_found = not_found
        self.count = 1

    def failed(self, error: grpc.RpcError) -> float:
        """The sleep before the next attempt, or the call's exception (which
        records how many attempts were made)."""
        delay = next(self._delays, None) if is_retryable(error) else None
        if delay is None:
            failure = from_rpc_error(error, self._not_found)
            failure.attempts = self.count
            raise failure from None
        self.count += 1
        return delay
