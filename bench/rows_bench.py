"""A TaskRow → the Task message's row fields, written out field by field (as the presenter
did before issue 14) against server/rows.py's message_from_row (by the descriptor),
interleaved in one process; best of each.

    .venv/bin/python -m bench.rows_bench [--calls 20000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import timeit
from collections.abc import Callable
from datetime import UTC, datetime

from chunkr import codec
from chunkr.vocabulary import Status
from protos import tasks_pb2 as pb
from server.models import TaskRow
from server.rows import message_from_row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    now = datetime.now(UTC)
    row = TaskRow(id="t" * 36, owner="o", status=Status.SUCCEEDED, configuration="{}", input_key="k",
                  created_at=now, started_at=now, finished_at=now, deadline_at=now)

    def written_out() -> pb.Task:
        return pb.Task(
            task_id=row.id, status=row.status.proto, message=row.message,
            created_at=codec.timestamp(row.created_at) if row.created_at else None,
            started_at=codec.timestamp(row.started_at) if row.started_at else None,
            finished_at=codec.timestamp(row.finished_at) if row.finished_at else None,
            expires_at=codec.timestamp(row.expires_at) if row.expires_at else None,
        )

    def derived() -> pb.Task:
        return message_from_row(pb.Task, row, task_id=row.id)

    assert written_out() == derived()
    ways: dict[str, Callable[[], pb.Task]] = {"written out": written_out, "derived": derived}
    best = dict.fromkeys(ways, float("inf"))
    for _ in range(args.rounds):
        for name, way in ways.items():
            best[name] = min(best[name], min(timeit.repeat(way, number=args.calls, repeat=3)) / args.calls)
    for name, seconds in best.items():
        print(f"{name:12} {seconds * 1e6:6.1f} µs")
    print(f"derived / written out: {best['derived'] / best['written out']:.2f}")


if __name__ == "__main__":
    main()
