"""Documents built to exhaust a worker fail their own task with a message naming the
limit, and the worker goes on serving: zip bombs in DOCX/XLSX, 10,000 pages, an image
of 50,000 x 50,000 pixels, nested and cyclic PDF objects, a page that takes minutes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests import hostile
from tests.harness import CORPUS, RunningServer, start_server
from tests.support import auth, create, open_channel, wait_terminal

PDF = CORPUS / "pdf" / "multi_page.pdf"
PAGE_TIMEOUT = 10  # seconds; a text page takes well under one, the slow page minutes


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {
        "CHUNKD_PAGE_TIMEOUT": str(PAGE_TIMEOUT),
        # the default is 1 GiB; a smaller limit keeps the bombs small on disk and quick to build
        "CHUNKD_MAX_UNPACKED_BYTES": str(64 << 20),
        # the default is 8 GiB; text pages need far less than this, a 14,000-pixel-square render more
        "CHUNKD_MAX_PROCESS_MEMORY": str(768 << 20),
    }
    running = start_server(tmp_path_factory.mktemp("hostile"), env, "--no-gateway")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def stub(server: RunningServer) -> Iterator[tasks_pb2_grpc.TaskServiceStub]:
    with open_channel(server.grpc_address) as channel:
        yield tasks_pb2_grpc.TaskServiceStub(channel)


def outcome(stub: tasks_pb2_grpc.TaskServiceStub, server: RunningServer, path: Path) -> pb.Task:
    task = create(stub, server.api_key, path)
    return wait_terminal(stub, server.api_key, task.task_id, timeout=300)


def still_serving(stub: tasks_pb2_grpc.TaskServiceStub, server: RunningServer) -> None:
    assert server.process is not None and server.process.poll() is None
    done = outcome(stub, server, PDF)
    assert done.status == pb.TASK_STATUS_SUCCEEDED, done.message


BOMBS = [
    (
        "docx zip bomb",
        lambda d: hostile.zip_bomb_office(d / "bomb.docx", "word/", 200 << 20),
        "The document unpacks to more than 64 MiB (the limit, CHUNKD_MAX_UNPACKED_BYTES)",
    ),
    (
        "xlsx zip bomb",
        lambda d: hostile.zip_bomb_office(d / "bomb.xlsx", "xl/", 200 << 20),
        "The document unpacks to more than 64 MiB (the limit, CHUNKD_MAX_UNPACKED_BYTES)",
    ),
    (
        "docx zip bomb that lies about its size",
        lambda d: hostile.forged_zip_bomb(d / "forged.docx", 200 << 20),
        "The document is a damaged archive: Bad CRC-32 for file 'word/media/bomb.bin'",
    ),
    (
        "pdf of 10,000 pages",
        lambda d: hostile.many_pages_pdf(d / "pages.pdf", 10_000),
        "The document has 10,000 pages, over the limit of 5,000 (CHUNKD_MAX_PAGES)",
    ),
    (
        "png of 50,000 x 50,000 pixels",
        lambda d: hostile.huge_png(d / "huge.png", 50_000, 50_000),
        "The image is over the limit of 200,000,000 pixels (CHUNKD_MAX_IMAGE_PIXELS)",
    ),
    (
        "png just over the pixel limit",
        lambda d: hostile.huge_png(d / "big.png", 15_000, 15_000),
        "The image is 15,000 x 15,000 pixels, over the limit of 200,000,000 pixels (CHUNKD_MAX_IMAGE_PIXELS)",
    ),
    (
        "page too large to render",
        lambda d: hostile.big_page_pdf(d / "wide.pdf", 20_000),
        "Page 1 at 144 dpi is 40,000 x 40,000 pixels, over the limit of 200,000,000 pixels (CHUNKD_MAX_IMAGE_PIXELS)",
    ),
    (
        "page whose render needs more memory than a process may use",
        lambda d: hostile.big_page_pdf(d / "large.pdf", 7_000),
        "Page 1 could not be processed: it needs more memory than a pipeline process may use "
        "(CHUNKD_MAX_PROCESS_MEMORY)",
    ),
    (
        "page that takes minutes to render",
        lambda d: hostile.slow_page_pdf(d / "slow.pdf"),
        f"Page 1 took longer than {PAGE_TIMEOUT} seconds (CHUNKD_PAGE_TIMEOUT) to process",
    ),
]


@pytest.mark.parametrize(("name", "make", "message"), BOMBS, ids=[b[0] for b in BOMBS])
def test_a_resource_bomb_fails_its_task_with_the_limit_and_the_worker_keeps_serving(
    stub: tasks_pb2_grpc.TaskServiceStub, server: RunningServer, tmp_path: Path, name: str, make, message: str  # type: ignore[no-untyped-def]
) -> None:
    bomb = make(tmp_path)
    assert bomb.stat().st_size < 2 << 20  # small on disk
    done = outcome(stub, server, bomb)
    assert (done.status, done.message) == (pb.TASK_STATUS_FAILED, message)
    still_serving(stub, server)


@pytest.mark.parametrize(
    ("make", "limit"),
    [
        (lambda d: hostile.slow_page_pdf(d / "odd.pdf"), "CHUNKD_PAGE_TIMEOUT"),
        (lambda d: hostile.big_page_pdf(d / "odd.pdf", 20_000), "CHUNKD_MAX_IMAGE_PIXELS"),
    ],
    ids=["killed after minutes", "refused at once"],
)
def test_a_task_that_fails_after_counting_its_pages_keeps_the_count(
    stub: tasks_pb2_grpc.TaskServiceStub, server: RunningServer, tmp_path: Path, make, limit: str  # type: ignore[no-untyped-def]
) -> None:
    """Its page was counted before the page failed: the failed task still says 1 page."""
    done = outcome(stub, server, make(tmp_path))
    assert done.status == pb.TASK_STATUS_FAILED and limit in done.message
    assert (done.output.file_name, done.output.page_count) == ("odd.pdf", 1)
    assert (done.input_file.name, done.input_file.page_count) == ("odd.pdf", 1)


@pytest.mark.parametrize(
    "make", [hostile.nested_pdf, hostile.cyclic_pdf], ids=["nested arrays and a self-drawing form", "cyclic page tree"]
)
def test_nested_or_cyclic_pdf_objects_end_the_task_readably(
    stub: tasks_pb2_grpc.TaskServiceStub, server: RunningServer, tmp_path: Path, make  # type: ignore[no-untyped-def]
) -> None:
    done = outcome(stub, server, make(tmp_path / "odd.pdf"))
    assert done.status in (pb.TASK_STATUS_SUCCEEDED, pb.TASK_STATUS_FAILED)
    assert "Traceback" not in done.message and "Error" not in done.message and "attempt" not in done.message
    still_serving(stub, server)


def test_a_stalled_page_costs_its_neighbours_nothing(
    stub: tasks_pb2_grpc.TaskServiceStub, server: RunningServer, tmp_path: Path
) -> None:
    """The slow page's process is killed; the task running beside it in the other process finishes."""
    slow = create(stub, server.api_key, hostile.slow_page_pdf(tmp_path / "slow.pdf"))
    neighbour = create(stub, server.api_key, PDF)
    assert wait_terminal(stub, server.api_key, neighbour.task_id).status == pb.TASK_STATUS_SUCCEEDED
    killed = wait_terminal(stub, server.api_key, slow.task_id, timeout=300)
    assert killed.status == pb.TASK_STATUS_FAILED and "CHUNKD_PAGE_TIMEOUT" in killed.message
    neighbour_again = stub.GetTask(pb.GetTaskRequest(task_id=neighbour.task_id), metadata=auth(server.api_key))
    assert neighbour_again.status == pb.TASK_STATUS_SUCCEEDED
