"""The dashboard's own modules run in the browser: the SSE parser reads events
split anywhere across network chunks, and the Markdown renderer builds the
document's structure while keeping a document's markup and script URLs inert."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import RunningServer

pytestmark = pytest.mark.timeout(120)

SSE_IN_PIECES = """async (text) => {
  const { SseParser } = await import("./static/js/sse.js");
  const results = [];
  for (const size of [1, 2, 3, 7, 1000]) {
    const parser = new SseParser();
    const events = [];
    for (let i = 0; i < text.length; i += size) events.push(...parser.feed(text.slice(i, i + size)));
    results.push(events);
  }
  return results;
}"""

RENDER = """async (markdown) => {
  const { renderMarkdown } = await import("./static/js/markdown.js");
  const box = document.createElement("div");
  box.append(renderMarkdown(markdown));
  return {
    html: box.innerHTML,
    tags: [...box.querySelectorAll("*")].map((el) => el.tagName.toLowerCase()),
    links: [...box.querySelectorAll("a")].map((a) => a.getAttribute("href")),
    images: [...box.querySelectorAll("img")].map((a) => a.getAttribute("src")),
    cells: [...box.querySelectorAll("td")].map((td) => td.textContent),
  };
}"""


def test_sse_events_split_anywhere_are_read_whole(page: Any, server: RunningServer) -> None:
    page.goto(server.http_url + "/")
    stream = ': keep-alive\n\nevent: changed\ndata: {"a": 1}\n\r\nevent: deleted\r\ndata: {"b":\r\ndata: 2}\r\n\r\n'
    for events in page.evaluate(SSE_IN_PIECES, stream):
        assert events == [{"event": "changed", "data": '{"a": 1}'}, {"event": "deleted", "data": '{"b":\n2}'}]


def test_markdown_renders_structure_and_keeps_markup_inert(page: Any, server: RunningServer) -> None:
    page.goto(server.http_url + "/")
    markdown = "\n".join(
        [
            "## Results <script>alert(1)</script>",
            "",
            "Some **bold** and *italic* text with `code` and a [link](https://example.com).",
            "",
            "- one",
            "- two <img src=x onerror=alert(1)>",
            "",
            "| Model | Score |",
            "| --- | ---: |",
            "| A | 0.91 |",
            "",
            "[click](javascript:alert(1)) ![pic](javascript:alert(2)) ![ok](data:image/png;base64,AAAA)",
        ]
    )
    result = page.evaluate(RENDER, markdown)
    assert result["tags"][:1] == ["h2"]
    assert {"strong", "em", "code", "ul", "li", "table", "th", "td"} <= set(result["tags"])
    assert "script" not in result["tags"] and result["tags"].count("img") == 1
    assert "&lt;script&gt;" in result["html"] and "&lt;img src=x" in result["html"]
    assert result["links"] == ["https://example.com"]
    assert result["images"] == ["data:image/png;base64,AAAA"]
    assert result["cells"] == ["A", "0.91"]
