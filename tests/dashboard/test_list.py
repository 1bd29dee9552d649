"""The task list pages through tasks and filters them by creation date."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dashboard.browser import PDF, api, new_key, sign_in
from tests.harness import RunningServer

pytestmark = pytest.mark.timeout(300)
ROWS = "(count) => document.querySelectorAll('tr[data-task-id]').length === count"


def test_pages_of_ten_and_a_date_filter(page: Any, idle_server: RunningServer) -> None:
    key = new_key(idle_server, "paging")
    with api(idle_server, key) as client:
        for _ in range(11):
            with PDF.open("rb") as file:
                client.post("/task/parse", files={"file": file}).raise_for_status()
    sign_in(page, idle_server, key)
    rows = page.locator("tr[data-task-id]")
    rows.nth(10).wait_for()  # 20 a page at first
    page.get_by_label("Per page").select_option("10")
    page.wait_for_function(ROWS, arg=10)
    first_page = {rows.nth(i).get_attribute("data-task-id") for i in range(10)}

    page.get_by_role("button", name="Next page").click()
    page.get_by_text("Page 2").wait_for()
    page.wait_for_function(ROWS, arg=1)
    assert rows.first.get_attribute("data-task-id") not in first_page
    assert page.get_by_role("button", name="Next page").is_disabled()
    page.get_by_role("button", name="Previous page").click()
    page.get_by_text("Page 1").wait_for()

    day = "(offset) => new Date(Date.now() + offset * 86400000).toLocaleDateString('en-CA')"  # YYYY-MM-DD, local
    yesterday, today, tomorrow = (page.evaluate(day, offset) for offset in (-1, 0, 1))
    page.get_by_label("Created to").fill(yesterday)
    page.get_by_text("No tasks match.").wait_for()
    page.get_by_label("Created from").fill(today)
    page.get_by_label("Created to").fill(today)
    page.wait_for_function(ROWS, arg=10)
    page.get_by_label("Created from").fill(tomorrow)  # after "Created to": the server's refusal is shown
    page.locator("#notice", has_text="Could not list tasks: start must not be after end").wait_for()
    page.get_by_label("Created to").fill("")
    page.get_by_text("No tasks match.").wait_for()
