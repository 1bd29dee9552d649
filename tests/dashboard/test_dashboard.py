"""The dashboard in a real browser, against real servers: sign in, upload a
corpus PDF and watch it go to Succeeded live, open it and check the segment
boxes against their bboxes, select a chunk and a segment, cancel a queued task
and delete it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.dashboard.browser import PDF, RECORD_STATUSES, api, new_key, sign_in, succeeded_task, upload
from tests.harness import CORPUS, RunningServer, start_server

pytestmark = pytest.mark.timeout(300)
PAPER = CORPUS / "pdf" / "2305.03393v1-pg9.pdf"



def test_sign_in_refuses_a_wrong_key_keeps_the_right_one_in_session_storage_never_in_a_url(
    page: Any, server: RunningServer, screenshots: Path
) -> None:
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(server.http_url + "/")
    page.get_by_label("API key").fill("not-a-key")
    page.keyboard.press("Enter")
    assert page.get_by_role("alert").filter(has_text="refused").inner_text() == "That API key was refused."

    key = new_key(server, "signin")
    page.get_by_label("API key").fill(key)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Tasks").wait_for()
    page.locator("#live[data-state=live]").wait_for()
    assert page.evaluate("sessionStorage.getItem('chunkd.apiKey')") == key
    assert urls and not [url for url in urls if key in url]
    assert [url for url in urls if not url.startswith(server.http_url + "/")] == []  # nothing from elsewhere (no CDN)

    page.reload()  # the session survives a reload of the tab
    page.get_by_role("heading", name="Tasks").wait_for()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("API key").wait_for()
    assert page.evaluate("sessionStorage.getItem('chunkd.apiKey')") is None


@pytest.fixture
def workerless(tmp_path: Path) -> Iterator[RunningServer]:
    """A server of its own whose worker the test starts, so that it sees its task queued first."""
    running = start_server(tmp_path / "chunkd", None, "--no-worker")
    yield running
    running.stop()


def test_an_uploaded_pdf_goes_live_to_succeeded_and_its_page_shows_one_box_per_segment_at_its_bbox(
    page: Any, workerless: RunningServer, screenshots: Path
) -> None:
    server = workerless
    key = server.api_key
    sign_in(page, server, key)
    page.evaluate(RECORD_STATUSES)
    page.evaluate("window.__notReloaded = true")
    upload(page, PDF)

    row = page.locator("tr[data-task-id]", has_text=PDF.name)
    page.locator("tr[data-status=Starting]", has_text=PDF.name).wait_for()
    worker = server.spawn_worker()
    try:
        page.locator("tr[data-status=Succeeded]", has_text=PDF.name).wait_for(timeout=180_000)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert page.evaluate("window.__notReloaded") is True
    statuses = page.evaluate("window.__statuses")
    assert statuses[0] == "Starting" and statuses[-1] == "Succeeded", statuses
    assert page.evaluate("window.__names") == [PDF.name]  # while processing too
    assert row.locator("td").nth(2).inner_text() == "5"  # pages
    assert page.locator(".uploads li", has_text=PDF.name).get_by_role("link", name=f"Open {PDF.name}").is_visible()
    page.screenshot(path=str(screenshots / "tasks.png"))

    task_id = row.get_attribute("data-task-id")
    row.get_by_role("link", name=PDF.name).click()
    page.wait_for_url(re.compile(f"#/task/{task_id}$"))
    first_page = page.locator("figure[data-page='1'] .page")
    first_page.locator("img").wait_for()
    page.wait_for_function("() => document.querySelector(\"figure[data-page='1'] img\").complete")

    with api(server, key) as client:
        task = client.get(f"/task/{task_id}").raise_for_status().json()
    segments = {s["segment_id"]: s for c in task["output"]["chunks"] for s in c["segments"] if s["page_number"] == 1}
    boxes = first_page.locator(".box")
    assert segments and boxes.count() == len(segments)
    image = first_page.locator("img").bounding_box()
    for index in range(boxes.count()):
        box = boxes.nth(index)
        segment = segments[box.get_attribute("data-segment-id")]
        scale_x, scale_y = image["width"] / segment["page_width"], image["height"] / segment["page_height"]
        expected = {
            "x": image["x"] + segment["bbox"]["left"] * scale_x,
            "y": image["y"] + segment["bbox"]["top"] * scale_y,
            "width": segment["bbox"]["width"] * scale_x,
            "height": segment["bbox"]["height"] * scale_y,
        }
        actual = box.bounding_box()
        assert box.get_attribute("data-type") == segment["segment_type"]
        assert all(abs(actual[k] - expected[k]) <= 1.0 for k in expected), (segment["bbox"], actual, expected)
    page.screenshot(path=str(screenshots / "task-view.png"))


def test_a_chunk_highlights_its_segments_and_a_box_shows_its_segment_by_mouse_or_keyboard(
    page: Any, server: RunningServer, screenshots: Path
) -> None:
    key = new_key(server, "chunks")
    task = succeeded_task(server, key, PAPER)  # a page of a paper: headings, text, a table and its caption
    sign_in(page, server, key)
    page.goto(f"{server.http_url}/#/task/{task['task_id']}")
    page.locator(".box").first.wait_for()

    chunks = task["output"]["chunks"]
    index, chunk = next((i, c) for i, c in enumerate(chunks) if len(c["segments"]) >= 2)
    button = page.locator(".chunk").nth(index)
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    highlighted = page.locator(".box.in-chunk")
    assert {highlighted.nth(i).get_attribute("data-segment-id") for i in range(highlighted.count())} == {
        s["segment_id"] for s in chunk["segments"]
    }
    page.wait_for_timeout(600)  # the smooth scroll to the chunk's first box
    page.screenshot(path=str(screenshots / "chunk.png"))
    button.click()  # a second click clears the highlight
    assert page.locator(".box.in-chunk").count() == 0 and button.get_attribute("aria-pressed") == "false"

    segments = [s for c in chunks for s in c["segments"]]
    segment = next((s for s in segments if s["segment_type"] == "Table"), segments[0])
    page.locator(f".box[data-segment-id='{segment['segment_id']}']").focus()
    page.keyboard.press("Enter")
    assert page.get_by_role("tab", name="Segment").get_attribute("aria-selected") == "true"
    detail = page.locator("#panel-Segment")
    type_label = re.sub(r"([a-z])([A-Z])", r"\1 \2", segment["segment_type"])  # SectionHeader → Section Header
    assert detail.get_by_role("heading", level=3).first.inner_text().startswith(type_label)
    assert (segment["text"] or segment["content"])[:40] in detail.locator(".text").inner_text()
    if segment["html"]:  # shown in a sandboxed frame: no script of the document's can run
        frame = detail.locator("iframe.html-frame")
        assert frame.get_attribute("sandbox") == ""
        assert frame.content_frame.locator("body").inner_text().strip()
    page.screenshot(path=str(screenshots / "segment.png"))

    with page.expect_download() as markdown:
        page.get_by_role("button", name="Download Markdown").click()
    assert markdown.value.suggested_filename == PAPER.with_suffix(".md").name
    expected = "\n\n".join(s["markdown"] or s["content"] for s in segments if s["markdown"] or s["content"])
    assert Path(markdown.value.path()).read_text() == expected
    with page.expect_download() as json_file:
        page.get_by_role("button", name="Download JSON").click()
    downloaded = json.loads(Path(json_file.value.path()).read_text())["output"]["chunks"]
    assert [[s["segment_id"] for s in c["segments"]] for c in downloaded] == [
        [s["segment_id"] for s in c["segments"]] for c in chunks
    ]

    page.get_by_role("tab", name="Segment").press("ArrowRight")  # tabs follow the arrow keys
    assert page.get_by_role("tab", name="Chunks").get_attribute("aria-selected") == "true"
    page.get_by_role("tab", name="Markdown").click()
    assert page.locator("#panel-Markdown h3, #panel-Markdown h2").count() > 0

    page.get_by_label(re.compile(r"^Text \(\d+\)$")).uncheck()  # the legend hides a type's boxes
    assert page.locator(".box[data-type=Text]:visible").count() == 0
    assert page.locator(".box[data-type=SectionHeader]:visible").count() > 0


def test_a_queued_task_is_cancelled_live_then_deleted_from_the_list(
    page: Any, idle_server: RunningServer, screenshots: Path
) -> None:
    key = new_key(idle_server, "cancel")
    sign_in(page, idle_server, key)
    upload(page, PDF)
    row = page.locator("tr[data-task-id]", has_text=PDF.name)
    page.locator("tr[data-status=Starting]", has_text=PDF.name).wait_for()
    task_id = row.get_attribute("data-task-id")
    assert row.get_by_role("button", name=f"Delete {PDF.name}").count() == 0  # not while queued

    row.get_by_role("button", name=f"Cancel {PDF.name}").click()
    page.locator("tr[data-status=Cancelled]", has_text=PDF.name).wait_for()
    with api(idle_server, key) as client:
        assert client.get(f"/task/{task_id}").json()["status"] == "Cancelled"

    page.get_by_label("Status").select_option("Starting")  # the filter: no queued task is left
    page.get_by_text("No tasks match.").wait_for()
    page.get_by_label("Status").select_option("Cancelled")
    page.locator("tr[data-status=Cancelled]").wait_for()

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=f"Delete {PDF.name}").click()
    page.get_by_text("No tasks match.").wait_for()
    with api(idle_server, key) as client:
        assert client.get(f"/task/{task_id}").status_code == 404
