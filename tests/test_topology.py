"""Past one machine, with real processes: PostgreSQL, an S3-compatible server
(moto_server), two `chunkd serve --no-worker` API replicas (each with its gateway)
and two `chunkd worker` processes, each with a data directory of its own, so
nothing but the database and the object store is shared. Tasks go in through both
replicas; a worker is killed with SIGKILL mid-task and restarted, one API replica
too. Every task ends Succeeded exactly once, watchers on one replica see what the
other did, and every output and file URL is readable through either replica."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.documents import long_pdf
from tests.harness import RunningServer, start_server
from tests.s3server import S3Server, running_s3_server
from tests.support import auth, create, open_channel, wait_until
from tests.test_postgres import database  # noqa: F401  the fixture: a fresh PostgreSQL database
from tests.test_workers import busy, events_of, statuses

pytest.importorskip("obstore", reason="needs obstore (the [s3] extra)")

TASKS = 10
TOPOLOGY_ENV = {
    "CHUNKD_LEASE_SECONDS": "3",
    "CHUNKD_HEARTBEAT_SECONDS": "0.5",
    "CHUNKD_WORKER_PROCESSES": "1",
    "CHUNKD_MAX_ATTEMPTS": "4",
    "CHUNKD_SECRET_KEY": "one-installation-one-key",
}


@pytest.fixture
def s3_server(tmp_path: Path) -> Iterator[S3Server]:
    with running_s3_server(tmp_path) as server:
        yield server


class Worker:
    """A `chunkd worker` with its own data directory, on the shared database and store."""

    def __init__(self, api: RunningServer, root: Path, name: str) -> None:
        self.api, self.name = api, name
        self.data_dir = root / name
        self.process: subprocess.Popen[bytes] = self.start()

    def start(self) -> subprocess.Popen[bytes]:
        return self.api.spawn_worker({"CHUNKD_DATA_DIR": str(self.data_dir), "CHUNKD_WORKER_ID": self.name})

    @property
    def busy(self) -> bool:
        return busy(self.data_dir / "work" / self.name)

    def kill_and_restart(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process = self.start()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def watch_to_the_end(api: RunningServer, task_id: str, seen: list[pb.Task]) -> None:
    with open_channel(api.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        for event in stub.WatchTask(pb.WatchTaskRequest(task_id=task_id), metadata=auth(api.api_key), timeout=120):
            seen.append(event.task)


def test_two_replicas_two_workers_on_postgres_and_s3_survive_kill_9(
    database: str,  # noqa: F811
    s3_server: S3Server,
    tmp_path: Path,
) -> None:
    env = {**TOPOLOGY_ENV, **s3_server.env(), "CHUNKD_DATABASE_URL": database}
    apis = [start_server(tmp_path / f"api{n}", env, "--no-worker") for n in range(2)]
    workers = [Worker(apis[0], tmp_path, f"w{n}") for n in range(2)]
    document = long_pdf(tmp_path / "eight.pdf", pages=8)
    channels = [open_channel(api.grpc_address) for api in apis]
    try:
        stubs = [tasks_pb2_grpc.TaskServiceStub(channel) for channel in channels]
        ids = [create(stubs[n % 2], apis[n % 2].api_key, document).task_id for n in range(TASKS)]
        watched: list[pb.Task] = []  # a task made through replica 0, watched on replica 1
        watcher = threading.Thread(target=watch_to_the_end, args=(apis[1], ids[0], watched), daemon=True)
        watcher.start()

        wait_until(lambda: workers[0].busy, timeout=60, interval=0.05)
        workers[0].kill_and_restart()
        apis[0].stop(signal.SIGKILL)  # the replica the watched task came through
        apis[0].start("--no-worker")
        wait_until(lambda: workers[1].busy, timeout=60, interval=0.05)
        workers[1].kill_and_restart()

        final = wait_until(
            lambda: (
                (s := statuses(stubs[1], apis[1].api_key, ids))
                and all(t.status in (pb.TASK_STATUS_SUCCEEDED, pb.TASK_STATUS_FAILED) for t in s.values())
                and s
            ),
            timeout=240,
            interval=0.5,
        )
        assert {t.task_id: t.message for t in final.values() if t.status != pb.TASK_STATUS_SUCCEEDED} == {}
        watcher.join(30)
        assert watched and watched[-1].status == pb.TASK_STATUS_SUCCEEDED

        for task_id in ids:
            outputs = [
                stub.GetTask(pb.GetTaskRequest(task_id=task_id), metadata=auth(api.api_key), timeout=30)
                for stub, api in zip(stubs, apis, strict=True)
            ]
            assert outputs[0].output.page_count == 8
            assert [c.content for c in outputs[0].output.chunks] == [c.content for c in outputs[1].output.chunks]
            for task in outputs:  # each replica's own presigned URLs, straight from the store
                for url in (task.input_file_url, task.output.pdf_url):
                    assert url.startswith(s3_server.endpoint), url
                    assert urllib.request.urlopen(url, timeout=10).read()[:5] == b"%PDF-"
        rest = urllib.request.Request(
            f"{apis[1].http_url}/api/v1/task/{ids[0]}", headers={"Authorization": apis[1].api_key}
        )
        assert json.loads(urllib.request.urlopen(rest, timeout=30).read())["status"] == "Succeeded"

        snapshots = events_of(apis[1])
        succeeded = Counter(s["id"] for s in snapshots if s["status"] == "Succeeded")
        assert succeeded == Counter({task_id: 1 for task_id in ids}), "every task Succeeded exactly once"
        requeued = [s for s in snapshots if s["status"] == "Starting" and "again" in str(s["message"])]
        assert requeued, "the kills hit tasks in flight"
        for task_id in ids:  # every object of every task goes, a killed worker's half-uploaded run too
            stubs[0].DeleteTask(pb.DeleteTaskRequest(task_id=task_id), metadata=auth(apis[0].api_key), timeout=30)
        assert s3_server.keys("chunkd/") == []
    finally:
        for channel in channels:
            channel.close()
        for worker in workers:
            worker.stop()
        for api in apis:
            api.stop()
