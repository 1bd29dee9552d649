"""The series that follow the work itself, scraped from real processes: pages
read by OCR, webhook deliveries by outcome, the database's write wait, and a
worker that loses its lease (stopped past it, its task requeued) counting
the loss when it wakes."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.documents import long_pdf
from tests.harness import CORPUS, RunningServer, free_port, start_server
from tests.operations.scrape import scrape, total, value
from tests.support import auth, create, open_channel, wait_terminal, wait_until
from tests.test_webhooks import Receiver, receiver  # noqa: F401  (fixture: a webhook endpoint on loopback)

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scraped_until(url: str, predicate: Callable[[Samples], bool], timeout: float = 60) -> Samples:
    def attempt() -> Samples | None:
        samples = scrape(url)
        return samples if predicate(samples) else None

    return wait_until(attempt, timeout=timeout, interval=0.1)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, str]]:
    metrics_port = free_port()
    server = start_server(
        tmp_path_factory.mktemp("work-metrics"),
        {
            "CHUNKD_METRICS_ADDRESS": f"127.0.0.1:{metrics_port}",
            "CHUNKD_WORKER_PROCESSES": "1",
            "CHUNKD_ALLOW_PRIVATE_URLS": "true",
            "CHUNKD_WEBHOOK_RETRY_SECONDS": "0.2",
            "CHUNKD_WEBHOOK_RETRY_WINDOW": "3",
        },
    )
    yield server, f"http://127.0.0.1:{metrics_port}/metrics"
    server.stop()


def test_ocr_pages_count_the_pages_ocr_read_and_not_those_with_a_text_layer(
    served: tuple[RunningServer, str], tmp_path: Path
) -> None:
    from server.pipeline import ocr

    if not ocr.available():
        pytest.skip("the OCR engine is not installed (the `chunkd[ocr]` extra)")
    server, url = served
    before = scrape(url)
    with open_channel(server.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        for document in (CORPUS / "ocr" / "ocr_test.pdf", long_pdf(tmp_path / "text.pdf", 2)):
            task = create(stub, server.api_key, document)
            assert wait_terminal(stub, server.api_key, task.task_id).status == pb.TASK_STATUS_SUCCEEDED
    after = scraped_until(
        url, lambda s: total(s, "chunkd_pages_processed_total") - total(before, "chunkd_pages_processed_total") >= 3
    )
    ocr_pages = total(after, "chunkd_ocr_pages_total", file_type="pdf") - total(
        before, "chunkd_ocr_pages_total", file_type="pdf"
    )
    assert ocr_pages == 1  # the scan's one page; the two text pages needed no OCR


def test_webhook_deliveries_are_counted_by_outcome(
    served: tuple[RunningServer, str], receiver: Receiver, tmp_path: Path  # noqa: F811
) -> None:
    server, url = served
    before = scrape(url)
    receiver.failures = 1  # one 500, then 204s
    key, doomed = server.create_api_key("hooked"), server.create_api_key("doomed")
    nowhere = f"http://127.0.0.1:{free_port()}/hook"  # nothing listens: every attempt fails until the window ends
    for owner_key, endpoint in ((key, receiver.url), (doomed, nowhere)):
        reply = httpx.post(
            f"{server.http_url}/api/v1/webhooks", json={"url": endpoint}, headers={"Authorization": owner_key}
        )
        assert reply.status_code == 200, reply.text
    with open_channel(server.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        for owner_key in (key, doomed):
            task = create(stub, owner_key, long_pdf(tmp_path / "hooked.pdf", 1))
            wait_terminal(stub, owner_key, task.task_id)

    def moved(samples: Samples, outcome: str) -> float:
        return value(samples, "chunkd_webhook_deliveries_total", outcome=outcome) - value(
            before, "chunkd_webhook_deliveries_total", outcome=outcome
        )

    after = scraped_until(url, lambda s: moved(s, "gave up") >= 1 and moved(s, "delivered") >= 1)
    with receiver.lock:
        answered = [status for _, _, status in receiver.attempts]
    wait_until(lambda: moved(scrape(url), "delivered") == answered.count(204))
    assert moved(after, "failed") >= 1 + 1  # the receiver's 500, and the dead endpoint's first try at least


def test_each_write_reports_how_long_it_waited_for_the_sqlite_writer(served: tuple[RunningServer, str]) -> None:
    server, url = served
    before = scrape(url)
    server.create_api_key("writer")  # another process: its writes are not this server's
    with open_channel(server.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        task = create(stub, server.api_key, CORPUS / "pdf" / "multi_page.pdf")
        wait_terminal(stub, server.api_key, task.task_id)
    after = scrape(url)
    writes = total(after, "chunkd_db_write_wait_seconds_count", database="sqlite") - total(
        before, "chunkd_db_write_wait_seconds_count", database="sqlite"
    )
    assert writes >= 3  # the create, the worker's claim and its success at least
    assert total(after, "chunkd_db_write_wait_seconds_sum", database="sqlite") > 0


def test_a_worker_stopped_past_its_lease_counts_a_lease_loss_when_it_wakes(tmp_path: Path) -> None:
    api = start_server(tmp_path / "lease", None, "--no-worker", "--no-gateway")  # the sweeper requeues lost leases
    metrics_port = free_port()
    worker = api.spawn_worker(
        {
            "CHUNKD_METRICS_ADDRESS": f"127.0.0.1:{metrics_port}",
            "CHUNKD_LEASE_SECONDS": "1",
            "CHUNKD_HEARTBEAT_SECONDS": "0.2",
            "CHUNKD_WORKER_PROCESSES": "1",
            "CHUNKD_DRAIN_SECONDS": "2",  # on stop, hand back at once whatever it still holds
        }
    )
    url = f"http://127.0.0.1:{metrics_port}/metrics"
    try:
        wait_until(lambda: _answers(url), timeout=60)
        assert value(scrape(url), "chunkd_lease_losses_total") == 0
        with open_channel(api.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            task = create(stub, api.api_key, long_pdf(tmp_path / "long.pdf", 400))

            def status() -> int:
                return stub.GetTask(pb.GetTaskRequest(task_id=task.task_id), metadata=auth(api.api_key)).status

            wait_until(lambda: status() == pb.TASK_STATUS_PROCESSING, timeout=60)
            worker.send_signal(signal.SIGSTOP)  # a worker frozen (a long GC pause, a stopped VM) past its lease
            try:
                wait_until(lambda: status() == pb.TASK_STATUS_STARTING, timeout=60)  # requeued by the sweeper
                # Cancelled before the worker wakes, so it cannot claim the task again: its one lease loss is the only one.
                stub.CancelTask(pb.CancelTaskRequest(task_id=task.task_id), metadata=auth(api.api_key))
            finally:
                worker.send_signal(signal.SIGCONT)
        samples = scraped_until(url, lambda s: value(s, "chunkd_lease_losses_total") >= 1)
        assert value(samples, "chunkd_lease_losses_total") == 1
    finally:
        worker.send_signal(signal.SIGCONT)
        worker.terminate()
        worker.wait(timeout=60)
        api.stop()


def _answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return False
    return True
