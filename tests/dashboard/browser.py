"""Steps the dashboard tests share: keys, signing in, uploading, the REST API beside the browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.harness import CORPUS, RunningServer

PDF = CORPUS / "pdf" / "multi_page.pdf"
# Every status the task list shows, in order, as the page sees them (for one task's row at a
# time), and every file name it shows.
RECORD_STATUSES = """() => {
  window.__statuses = [];
  window.__names = [];
  const seen = () => {
    for (const row of document.querySelectorAll("tr[data-task-id]")) {
      const last = window.__statuses.at(-1);
      if (last !== row.dataset.status) window.__statuses.push(row.dataset.status);
      const name = row.querySelector("td.file").textContent;
      if (!window.__names.includes(name)) window.__names.push(name);
    }
  };
  new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, attributes: true });
}"""


def new_key(server: RunningServer, owner: str) -> str:
    return server.create_api_key(owner)


def sign_in(page: Any, server: RunningServer, key: str) -> None:
    page.goto(server.http_url + "/")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Tasks").wait_for()
    page.locator("#live[data-state=live]").wait_for()


def api(server: RunningServer, key: str) -> httpx.Client:
    return httpx.Client(base_url=server.http_url + "/api/v1", headers={"Authorization": key}, timeout=60)


def upload(page: Any, path: Path) -> None:
    page.locator("#upload-files").set_input_files(str(path))


def succeeded_task(server: RunningServer, key: str, path: Path = PDF) -> dict[str, Any]:
    """A task created over REST and followed over SSE to its end."""
    with api(server, key) as client:
        with path.open("rb") as file:
            task_id = client.post("/task/parse", files={"file": file}).raise_for_status().json()["task_id"]
        with client.stream("GET", f"/task/{task_id}/events") as events:
            for _ in events.iter_lines():
                pass  # the stream ends at the terminal event
        task = client.get(f"/task/{task_id}").raise_for_status().json()
    assert task["status"] == "Succeeded", task["message"]
    return task
