"""chunkctl as a script sees it: a real process against a real server,
results on stdout, errors on stderr, and exit codes that tell outcomes apart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import entry_points

import pytest

from client import Status, TaskClient
from tests.client.conftest import TASKS, Owner
from tests.harness import CORPUS, ROOT, RunningServer, free_port

PDF = CORPUS / "pdf" / "multi_page.pdf"


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


def chunkctl(server: RunningServer, key: str, *args: str, timeout: float = 240) -> Result:
    """Runs chunkctl with its connection in the environment, as a user would."""
    env = {**os.environ, "CHUNKD_ADDRESS": server.grpc_address, "CHUNKD_API_KEY": key}
    done = subprocess.run(
        [sys.executable, "-m", "client.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    return Result(done.returncode, done.stdout, done.stderr)


def test_the_console_script_is_chunkctl() -> None:
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "chunkctl"]
    assert script.value == "client.cli:main"


def test_create_wait_processes_many_files_and_prints_their_ids(server: RunningServer, client: TaskClient) -> None:
    files = [PDF, CORPUS / "pdf" / "normal_4pages.pdf", CORPUS / "office" / "word_sample.docx"]
    result = chunkctl(server, server.api_key, "create", "--wait", "--target-length", "256", *map(str, files))
    assert result.code == 0, result.err
    ids = result.out.split()
    assert len(ids) == 3
    tasks = [client.get(task_id, include_chunks=False) for task_id in ids]
    assert [t.status for t in tasks] == [Status.SUCCEEDED] * 3
    assert [t.file_name for t in tasks] == [f.name for f in files]  # ids in the order of the files
    assert all(t.proto.configuration.chunk_processing.target_length == 256 for t in tasks)
    # concurrently: every file was queued before the first one finished
    assert max(t.created_at for t in tasks) < min(t.finished_at for t in tasks if t.finished_at)
    # the progress display: each file, its final status and its pages done
    assert "multi_page.pdf" in result.err and "Succeeded" in result.err and "5/5" in result.err


def test_create_wait_exits_1_when_a_task_fails_and_names_the_file(server: RunningServer) -> None:
    result = chunkctl(server, server.api_key, "create", "--wait", str(PDF), str(CORPUS / "bad" / "truncated.pdf"))
    assert result.code == 1
    assert len(result.out.split()) == 2  # both were created
    assert "chunkctl: truncated.pdf: Failed: " in result.err


def test_create_reports_an_unreadable_file_and_still_creates_the_others(idle: RunningServer) -> None:
    key = idle.create_api_key("cli-missing")
    result = chunkctl(idle, key, "create", "/nonexistent/a.pdf", str(PDF))
    assert result.code == 2
    assert "chunkctl: a.pdf: " in result.err and "No such file" in result.err
    assert len(result.out.split()) == 1


def test_create_passes_configuration_flags(idle: RunningServer) -> None:
    key = idle.create_api_key("cli-config")
    flags = ["--target-length", "64", "--ocr", "all", "--segmentation", "page", "--no-high-resolution", "--expires-in", "60"]
    result = chunkctl(idle, key, "create", *flags, str(PDF))
    assert result.code == 0, result.err
    with TaskClient(idle.grpc_address, key) as client:
        configuration = client.get(result.out.strip()).proto.configuration
    assert configuration.chunk_processing.target_length == 64
    assert (configuration.ocr_strategy, configuration.segmentation_strategy) == (2, 2)  # All, Page
    assert configuration.high_resolution is False and configuration.expires_in == 60


def test_get_prints_a_summary_json_markdown_and_html(server: RunningServer, client: TaskClient) -> None:
    task = client.wait(client.create(PDF).task_id, timeout=120)
    summary = chunkctl(server, server.api_key, "get", task.task_id)
    assert summary.code == 0 and "status: Succeeded" in summary.out and "pages: 5" in summary.out
    as_json = json.loads(chunkctl(server, server.api_key, "get", task.task_id, "--json").out)
    assert as_json == task.json() | {k: as_json[k] for k in ("output", "configuration")}
    assert as_json["status"] == "Succeeded"
    assert len(as_json["output"]["chunks"]) == len(task.chunks)
    assert chunkctl(server, server.api_key, "get", task.task_id, "--markdown").out == task.markdown() + "\n"
    assert chunkctl(server, server.api_key, "get", task.task_id, "--html").out == task.html() + "\n"
    assert chunkctl(server, server.api_key, "get", task.task_id, "--content").out == task.content() + "\n"


def test_list_pages_through_250_tasks(idle: RunningServer, owner: Owner) -> None:
    listed = chunkctl(idle, owner.key, "list", "--json")
    assert listed.code == 0, listed.err
    ids = [json.loads(line)["task_id"] for line in listed.out.splitlines()]
    assert sorted(ids) == sorted(owner.task_ids)  # all 250, each once: three pages of 100
    assert set(ids[:50]) == set(owner.task_ids[-50:])  # newest first
    assert len(chunkctl(idle, owner.key, "list", "--json", "--since", "1h").out.splitlines()) == TASKS
    assert len(chunkctl(idle, owner.key, "list", "--json", "--limit", "5").out.splitlines()) == 5


def test_list_prints_a_table_filtered_by_status(idle: RunningServer, owner: Owner) -> None:
    result = chunkctl(idle, owner.key, "list", "--status", "cancelled")
    assert result.code == 0, result.err
    assert "10 tasks" in result.out
    assert all(task_id in result.out for task_id in owner.cancelled)
    assert result.out.count("Cancelled") == 10


def test_watch_shows_progress_and_exits_by_the_final_status(server: RunningServer, client: TaskClient) -> None:
    task = client.create(PDF)
    result = chunkctl(server, server.api_key, "watch", task.task_id)
    assert (result.code, result.out.strip()) == (0, "Succeeded")
    assert "5/5" in result.err and "pages" in result.err


def test_cancel_delete_and_their_errors(idle: RunningServer) -> None:
    key = idle.create_api_key("cli-cancel")
    task_id = chunkctl(idle, key, "create", str(PDF)).out.strip()
    stuck = chunkctl(idle, key, "delete", task_id)
    assert (stuck.code, stuck.err) == (4, "chunkctl: Task cannot be deleted: status is Starting\n")
    assert chunkctl(idle, key, "cancel", task_id) == Result(0, "Cancelled\n", "")
    again = chunkctl(idle, key, "cancel", task_id)
    assert (again.code, again.err) == (4, "chunkctl: Task cannot be cancelled: status is Cancelled\n")
    watched = chunkctl(idle, key, "watch", task_id)
    assert (watched.code, watched.out) == (1, "Cancelled\n")
    assert chunkctl(idle, key, "delete", task_id).code == 0
    gone = chunkctl(idle, key, "get", task_id)
    assert (gone.code, gone.out, gone.err) == (3, "", "chunkctl: Task not found\n")


def test_update_wait_reprocesses(server: RunningServer, client: TaskClient) -> None:
    task = client.wait(client.create(PDF).task_id, timeout=120)
    result = chunkctl(server, server.api_key, "update", task.task_id, "--target-length", "0", "--wait")
    assert (result.code, result.out) == (0, "Succeeded\n"), result.err
    assert client.get(task.task_id).proto.configuration.chunk_processing.target_length == 0
    nothing = chunkctl(server, server.api_key, "update", task.task_id)
    assert nothing.code == 5 and "Nothing to update" in nothing.err


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("get", "not-an-id"), 5, "chunkctl: Invalid task id: 'not-an-id'"),
        (("--api-key", "wrong", "list"), 6, "chunkctl: Invalid API key"),
    ],
)
def test_errors_go_to_stderr_with_their_exit_code(
    idle: RunningServer, args: tuple[str, ...], code: int, message: str
) -> None:
    result = chunkctl(idle, idle.api_key, *args)
    assert (result.code, result.out, result.err.strip()) == (code, "", message)


def test_an_unreachable_server_exits_7(idle: RunningServer) -> None:
    result = chunkctl(idle, idle.api_key, "--address", f"127.0.0.1:{free_port()}", "list")
    assert result.code == 7 and result.err.startswith("chunkctl: ")


def test_watch_timeout_exits_8(idle: RunningServer) -> None:
    key = idle.create_api_key("cli-timeout")
    task_id = chunkctl(idle, key, "create", str(PDF)).out.strip()
    result = chunkctl(idle, key, "--timeout", "0.5", "watch", task_id)
    assert result.code == 8 and f"Task {task_id} did not finish within 0.5s" in result.err
