"""Accessibility the browser can check: every control has a name, the text
meets WCAG AA contrast, focus is visible, and the main flows work from the
keyboard (signing in and selecting a segment are covered by the other tests)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dashboard.browser import new_key, sign_in, succeeded_task
from tests.harness import RunningServer

pytestmark = pytest.mark.timeout(300)

UNNAMED_CONTROLS = """() => [...document.querySelectorAll("input, select, textarea, button, a[href], [role=tab]")]
  .filter((el) => {
    const name = (el.labels && [...el.labels].map((l) => l.textContent).join(" "))
      || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || el.textContent || el.title;
    return !name.trim();
  })
  .map((el) => el.outerHTML.slice(0, 120))"""

# Each visible text element's contrast with the background it sits on (the
# first opaque background among its ancestors), per WCAG 2's formula.
LOW_CONTRAST = """(minimum) => {
  const rgb = (value) => value.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const colour = rgb(getComputedStyle(el).backgroundColor);
      if (colour.length < 4 || colour[3] === 1) return colour;
    }
    return [255, 255, 255];
  };
  const failures = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el.checkVisibility() || el.closest(".page, option")) continue;
    const style = getComputedStyle(el);
    if (style.clip === "rect(0px, 0px, 0px, 0px)" || style.clipPath === "inset(50%)") continue;
    const [a, b] = [luminance(rgb(style.color)), luminance(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const text = node.textContent.trim().slice(0, 40);
    if (ratio < minimum) failures.push(`${ratio.toFixed(2)} ${el.tagName}.${el.className}: ${text}`);
  }
  return failures;
}"""


def check_page(page: Any) -> None:
    assert page.evaluate(UNNAMED_CONTROLS) == []
    assert page.evaluate(LOW_CONTRAST, 4.5) == []


def test_controls_are_named_text_has_contrast_and_focus_shows(page: Any, server: RunningServer) -> None:
    page.goto(server.http_url + "/")
    page.get_by_label("API key").wait_for()
    check_page(page)

    key = new_key(server, "access")
    task = succeeded_task(server, key)
    sign_in(page, server, key)
    page.locator("tr[data-status=Succeeded]").wait_for()
    check_page(page)

    page.get_by_label("Status").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.id, getComputedStyle(document.activeElement).outlineStyle]")
    assert focused == ["filter-from", "solid"]

    page.locator(f"tr[data-task-id='{task['task_id']}'] a").focus()
    page.keyboard.press("Enter")  # opens the task from the keyboard
    page.locator(".box").first.wait_for()
    check_page(page)
    page.get_by_role("tab", name="Markdown").click()
    check_page(page)
