"""A real Chromium (Debian's, driven by Playwright) against real chunkd
servers: one with its worker, one without (tasks stay queued). Each test signs
in with an API key of its own owner, so tests do not see each other's tasks.
Screenshots go to build/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness import ROOT, RunningServer, start_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "build" / "screenshots"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Per module: while Playwright's sync API is open it holds a running event
    loop in this thread, which the suite's asyncio tests elsewhere cannot share."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium; .ci/run does)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def idle_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """No worker: uploaded tasks stay Starting, so they can be cancelled."""
    env = {"CHUNKD_ALLOW_PRIVATE_URLS": "true"}  # documents by URL from a loopback file server
    running = start_server(tmp_path_factory.mktemp("dashboard-idle"), env, "--no-worker")
    yield running
    running.stop()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def page(chromium: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context (its own session storage) at a laptop's size;
    a failing test leaves a screenshot of where it was."""
    failure = SCREENSHOTS / f"failed-{request.node.name}.png"
    failure.unlink(missing_ok=True)  # a passing run leaves no stale one behind
    context = chromium.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(failure), full_page=True)
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)
