"""Uploading from the dashboard: several files at once (chosen or dropped)
and a URL, each with the configuration chosen in the form and a row of its
own; a refused upload says why; a finished task re-runs with a changed
configuration."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from tests.dashboard.browser import PDF, RECORD_STATUSES, api, new_key, sign_in, succeeded_task
from tests.gateway.http_files import FileServer, serve_files
from tests.harness import CORPUS, RunningServer

pytestmark = pytest.mark.timeout(300)
PAPER = CORPUS / "pdf" / "2305.03393v1-pg9.pdf"
SCAN = CORPUS / "pdf" / "right_to_left_01.pdf"
# Drops a file on the drop zone as a browser does when one is dragged from the desktop.
DROP = """({ name, data }) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: "application/pdf" }));
  const zone = document.getElementById("dropzone");
  zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
  zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
}"""


@pytest.fixture(scope="module")
def files() -> Iterator[FileServer]:
    with serve_files(CORPUS) as server:
        yield server


def test_many_files_and_a_url_are_uploaded_with_the_chosen_configuration(
    page: Any, idle_server: RunningServer, files: FileServer
) -> None:
    key = new_key(idle_server, "many")
    sign_in(page, idle_server, key)
    page.get_by_label("Target chunk length (tokens)").fill("128")
    page.get_by_label("OCR").select_option("All")
    page.get_by_text("Format per segment type").click()
    page.get_by_label("Table", exact=True).select_option("Html")

    page.locator("#upload-files").set_input_files([str(PDF), str(PAPER)])
    page.evaluate(DROP, {"name": SCAN.name, "data": base64.b64encode(SCAN.read_bytes()).decode()})
    page.get_by_label("Or a document's URL").fill(files / "pdf/code_and_formula.pdf")
    page.get_by_role("button", name="Add URL").click()
    uploads = page.locator(".uploads li")
    for name in (PDF.name, PAPER.name, SCAN.name, files / "pdf/code_and_formula.pdf"):
        uploads.filter(has_text=name).locator(".badge", has_text="Starting").wait_for()
    assert uploads.count() == 4

    with api(idle_server, key) as client:
        tasks = client.get("/tasks").raise_for_status().json()
    assert len(tasks) == 4
    for task in tasks:
        configuration = task["configuration"]
        assert configuration["chunk_processing"]["target_length"] == 128
        assert configuration["ocr_strategy"] == "All"
        assert configuration["segment_processing"]["Table"]["format"] == "Html"
        assert configuration["segment_processing"]["Text"]["format"] == "Markdown"  # the default, untouched
    page.wait_for_function("() => document.querySelectorAll('tr[data-status=Starting]').length === 4")


def test_a_refused_upload_says_why_in_its_row(page: Any, idle_server: RunningServer, files: FileServer) -> None:
    sign_in(page, idle_server, new_key(idle_server, "refused"))
    page.get_by_label("Or a document's URL").fill(files / "pdf/no-such-file.pdf")
    page.get_by_role("button", name="Add URL").click()
    row = page.locator(".uploads li.failed")
    row.wait_for()
    assert row.locator(".error").inner_text().startswith("Not uploaded: ")
    assert "404" in row.inner_text() or "not" in row.inner_text().lower()

    page.get_by_label("Target chunk length (tokens)").fill("-3")
    page.locator("#upload-files").set_input_files(str(PDF))
    assert page.locator("#notice").inner_text() == "Target chunk length must be a whole number, 0 or more"
    assert page.locator(".uploads li").count() == 1


def test_a_finished_task_re_runs_from_the_list_with_a_changed_configuration(page: Any, server: RunningServer) -> None:
    key = new_key(server, "rerun")
    task = succeeded_task(server, key)
    sign_in(page, server, key)
    page.evaluate("window.__notReloaded = true")
    row = page.locator(f"tr[data-task-id='{task['task_id']}']")
    row.get_by_role("button", name=f"Re-run {PDF.name}").click()
    dialog = page.get_by_role("dialog", name=f"Re-run {PDF.name}")
    assert dialog.get_by_label("Target chunk length (tokens)").input_value() == "512"  # the task's own

    dialog.get_by_role("button", name="Re-run").click()  # unchanged: the server's refusal is shown
    assert dialog.get_by_role("alert").inner_text() == "Updated configuration must be different from the current one"

    page.evaluate(RECORD_STATUSES)
    dialog.get_by_label("Target chunk length (tokens)").fill("64")
    dialog.get_by_role("button", name="Re-run").click()
    dialog.wait_for(state="detached")
    # Live: the row leaves Succeeded, then comes back to it with the new run's output.
    page.wait_for_function(
        "() => window.__statuses.length > 1 && window.__statuses.at(-1) === 'Succeeded'", timeout=180_000
    )
    with api(server, key) as client:
        rerun = client.get(f"/task/{task['task_id']}").raise_for_status().json()
    assert rerun["configuration"]["chunk_processing"]["target_length"] == 64
    assert len(rerun["output"]["chunks"]) > len(task["output"]["chunks"])
    assert page.evaluate("window.__notReloaded") is True
