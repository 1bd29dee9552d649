// One task: its page images with a box per segment (colour per type, legend
// with toggles), the selected segment's content, the chunk list (a chunk
// highlights its segments), the whole document as Markdown and as JSON, and
// downloads.

import { api } from "./api.js";
import { announce, download, formatTime, h, replace } from "./dom.js";
import { renderMarkdown } from "./markdown.js";
import { CANCELLABLE, DELETABLE, RERUNNABLE, SEGMENT_COLOURS, TERMINAL, documentHtml, documentMarkdown, fileName, mergeEvent, segmentLabel, segmentsOf } from "./model.js";
import { cancelTask, deleteTask, openRerunDialog, progressCell, statusBadge } from "./tasks.js";

const TABS = ["Segment", "Chunks", "Markdown", "JSON"];

function percent(value, whole) {
  return `${(100 * value) / whole}%`;
}

function preview(text, length = 140) {
  const flat = (text || "").replace(/\s+/g, " ").trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}

/** Segment HTML is the document's: shown in a sandboxed frame, where no script runs and nothing reaches this page. */
function htmlFrame(html, title) {
  const frame = h("iframe", { sandbox: "", title, class: "html-frame" });
  frame.srcdoc = `<!doctype html><meta charset="utf-8"><link rel="stylesheet" href="${new URL("static/frame.css", document.baseURI)}">${html}`;
  return frame;
}

export class TaskView {
  constructor(taskId) {
    this.taskId = taskId;
    this.task = null;
    this.progress = null;
    this.hidden = new Set();
    this.selectedChunk = null;
    this.element = h("section", { class: "task-view", "aria-labelledby": "task-title" }, h("p", {}, "Loading…"));
    this.load();
  }

  async load() {
    try {
      this.task = await api.get(this.taskId);
      this.render();
    } catch (failure) {
      replace(
        this.element,
        h("p", { class: "back" }, h("a", { href: "#/tasks" }, "← All tasks")),
        h("h2", { id: "task-title" }, "Task not available"),
        h("p", { class: "error", role: "alert" }, failure.message),
      );
    }
  }

  render() {
    const task = this.task;
    this.header = this.renderHeader();
    const body = task.status === "Succeeded" && task.output ? this.renderOutput() : this.renderPending();
    replace(this.element, this.header, body);
    document.title = `${fileName(task)} — chunkd`;
  }

  renderHeader() {
    const task = this.task;
    const name = fileName(task);
    const actions = [];
    if (task.output?.chunks?.length) {
      const base = name.replace(/\.[^.]+$/, "");
      actions.push(
        h("button", { type: "button", onclick: () => download(`${base}.json`, "application/json", JSON.stringify(task, null, 2)) }, "Download JSON"),
        h("button", { type: "button", onclick: () => download(`${base}.md`, "text/markdown", documentMarkdown(task)) }, "Download Markdown"),
        h(
          "button",
          {
            type: "button",
            onclick: () =>
              download(`${base}.html`, "text/html", `<!doctype html>\n<meta charset="utf-8">\n<title>${name.replace(/[<&]/g, "")}</title>\n${documentHtml(task)}\n`),
          },
          "Download HTML",
        ),
      );
    }
    if (CANCELLABLE.has(task.status)) actions.push(h("button", { type: "button", onclick: () => cancelTask(task) }, "Cancel"));
    if (RERUNNABLE.has(task.status)) actions.push(h("button", { type: "button", onclick: () => openRerunDialog(task) }, "Re-run…"));
    if (DELETABLE.has(task.status))
      actions.push(
        h(
          "button",
          {
            type: "button",
            class: "danger",
            onclick: async () => {
              if (await deleteTask(task)) location.hash = "#/tasks";
            },
          },
          "Delete",
        ),
      );
    return h(
      "header",
      { class: "task-header" },
      h("p", { class: "back" }, h("a", { href: "#/tasks" }, "← All tasks")),
      h("h2", { id: "task-title" }, fileName(task)),
      h(
        "p",
        { class: "meta" },
        statusBadge(task.status),
        " ",
        progressCell(task.status, this.progress),
        task.message ? h("span", { class: "message" }, task.message) : null,
        h("span", {}, `Created ${formatTime(task.created_at)}`),
        task.finished_at ? h("span", {}, `Finished ${formatTime(task.finished_at)}`) : null,
        task.output?.page_count ? h("span", {}, `${task.output.page_count} page${task.output.page_count === 1 ? "" : "s"}`) : null,
      ),
      h("div", { class: "buttons" }, actions),
    );
  }

  renderPending() {
    const text = TERMINAL.has(this.task.status)
      ? "This task has no output to show."
      : "The pages appear here when the task has succeeded; this view follows it live.";
    return h("p", { class: "pending" }, text);
  }

  renderOutput() {
    const task = this.task;
    const segments = segmentsOf(task);
    this.segments = new Map(segments.map((s) => [s.segment_id, s]));
    const counts = new Map();
    for (const s of segments) counts.set(s.segment_type, (counts.get(s.segment_type) || 0) + 1);
    this.pagesElement = h("div", { class: "pages", "aria-label": "Pages" }, (task.output.pages || []).map((page) => this.renderPage(page, segments)));
    this.panels = {
      Segment: h("div", { class: "segment-detail" }, h("p", {}, "Select a box on a page (or press Enter on it) to see its segment.")),
      Chunks: this.renderChunks(),
      Markdown: h("div", { class: "markdown" }),
      JSON: h("pre", { class: "json" }),
    };
    const side = h("aside", { class: "side", "aria-label": "Task output" }, this.renderTabs());
    const legend = h(
      "fieldset",
      { class: "legend" },
      h("legend", {}, "Segment types"),
      [...counts.entries()]
        .sort((a, b) => Object.keys(SEGMENT_COLOURS).indexOf(a[0]) - Object.keys(SEGMENT_COLOURS).indexOf(b[0]))
        .map(([type, count]) => {
          const id = `toggle-${type}`;
          const swatch = h("span", { class: "swatch", "aria-hidden": "true" });
          swatch.style.setProperty("--c", SEGMENT_COLOURS[type] || "#334155");
          return h(
            "div",
            { class: "toggle" },
            h("input", {
              id,
              type: "checkbox",
              checked: !this.hidden.has(type),
              onchange: (event) => this.toggleType(type, event.target.checked),
            }),
            h("label", { for: id }, swatch, `${segmentLabel(type)} (${count})`),
          );
        }),
    );
    return h("div", { class: "viewer" }, h("div", { class: "pages-column" }, legend, this.pagesElement), side);
  }

  renderPage(page, segments) {
    const number = page.page_number;
    const boxes = segments
      .filter((s) => s.page_number === number)
      .map((segment, index) => {
        const width = segment.page_width || page.page_width;
        const height = segment.page_height || page.page_height;
        const { left, top, width: w, height: hh } = segment.bbox;
        const label = `${segmentLabel(segment.segment_type)} ${index + 1} on page ${number}: ${preview(segment.text || segment.content, 80)}`;
        const box = h("button", {
          type: "button",
          class: "box",
          title: `${segmentLabel(segment.segment_type)}: ${preview(segment.text || segment.content, 200)}`,
          "aria-label": label,
          hidden: this.hidden.has(segment.segment_type),
          dataset: { segmentId: segment.segment_id, type: segment.segment_type, page: String(number) },
          onclick: () => this.selectSegment(segment.segment_id, true),
        });
        box.style.left = percent(left, width);
        box.style.top = percent(top, height);
        box.style.width = percent(w, width);
        box.style.height = percent(hh, height);
        box.style.setProperty("--c", SEGMENT_COLOURS[segment.segment_type] || "#334155");
        return box;
      });
    const image = h("img", { src: page.image, alt: `Page ${number}`, loading: number <= 2 ? "eager" : "lazy", decoding: "async" });
    const frame = h("div", { class: "page" }, image, boxes);
    frame.style.aspectRatio = `${page.page_width} / ${page.page_height}`;
    return h("figure", { class: "page-figure", dataset: { page: String(number) } }, frame, h("figcaption", {}, `Page ${number} of ${this.task.output.pages.length}`));
  }

  renderChunks() {
    const chunks = this.task.output.chunks;
    return h(
      "ol",
      { class: "chunks" },
      chunks.map((chunk, index) =>
        h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              class: "chunk",
              "aria-pressed": "false",
              dataset: { chunkId: chunk.chunk_id },
              onclick: () => this.selectChunk(chunk),
            },
            h("strong", {}, `Chunk ${index + 1}`),
            h("span", { class: "chunk-meta" }, ` · ${chunk.chunk_length} tokens · ${chunk.segments.length} segments`),
            h("span", { class: "chunk-preview" }, preview(chunk.content || chunk.segments.map((s) => s.text).join(" "))),
          ),
        ),
      ),
    );
  }

  renderTabs() {
    const list = h("div", { class: "tabs", role: "tablist", "aria-label": "Output views" });
    const panels = [];
    for (const name of TABS) {
      const tab = h(
        "button",
        {
          type: "button",
          role: "tab",
          id: `tab-${name}`,
          "aria-controls": `panel-${name}`,
          "aria-selected": "false",
          tabindex: "-1",
          onclick: () => this.showTab(name),
          onkeydown: (event) => {
            const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
            if (!step) return;
            const next = TABS[(TABS.indexOf(name) + step + TABS.length) % TABS.length];
            this.showTab(next);
            document.getElementById(`tab-${next}`).focus();
          },
        },
        name,
      );
      list.append(tab);
      panels.push(h("div", { role: "tabpanel", id: `panel-${name}`, "aria-labelledby": `tab-${name}`, tabindex: "0", hidden: true }, this.panels[name]));
    }
    this.tabList = list;
    queueMicrotask(() => this.showTab("Chunks"));
    return [list, ...panels];
  }

  showTab(name) {
    for (const tab of this.tabList.querySelectorAll("[role=tab]")) {
      const selected = tab.id === `tab-${name}`;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      document.getElementById(tab.getAttribute("aria-controls")).hidden = !selected;
    }
    // The whole document is rendered only when first asked for.
    if (name === "Markdown" && !this.panels.Markdown.childNodes.length) this.panels.Markdown.append(renderMarkdown(documentMarkdown(this.task)));
    if (name === "JSON" && !this.panels.JSON.textContent) this.panels.JSON.textContent = JSON.stringify(this.task, null, 2);
  }

  toggleType(type, visible) {
    if (visible) this.hidden.delete(type);
    else this.hidden.add(type);
    for (const box of this.pagesElement.querySelectorAll(`.box[data-type="${type}"]`)) box.hidden = !visible;
  }

  selectSegment(segmentId, showTab) {
    const segment = this.segments.get(segmentId);
    for (const box of this.pagesElement.querySelectorAll(".box.selected")) box.classList.remove("selected");
    this.pagesElement.querySelector(`.box[data-segment-id="${segmentId}"]`)?.classList.add("selected");
    const markdown = segment.markdown || segment.content;
    replace(
      this.panels.Segment,
      h("h3", {}, `${segmentLabel(segment.segment_type)} · page ${segment.page_number}`),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Box (points)"),
        h("dd", {}, ["left", "top", "width", "height"].map((k) => `${k} ${segment.bbox[k].toFixed(1)}`).join(", ")),
        segment.confidence != null ? [h("dt", {}, "Confidence"), h("dd", {}, segment.confidence.toFixed(2))] : null,
      ),
      segment.image ? h("img", { class: "crop", src: segment.image, alt: `Crop of the ${segmentLabel(segment.segment_type)} segment` }) : null,
      h("h4", {}, "Markdown"),
      h("div", { class: "markdown" }, renderMarkdown(markdown)),
      h("details", {}, h("summary", {}, "Markdown source"), h("pre", {}, markdown)),
      segment.html ? [h("h4", {}, "HTML"), htmlFrame(segment.html, "The segment's HTML"), h("details", {}, h("summary", {}, "HTML source"), h("pre", {}, segment.html))] : null,
      h("h4", {}, "Text"),
      h("p", { class: "text" }, segment.text || segment.content),
    );
    if (showTab) this.showTab("Segment");
  }

  selectChunk(chunk) {
    const same = this.selectedChunk === chunk.chunk_id;
    this.selectedChunk = same ? null : chunk.chunk_id;
    for (const button of this.panels.Chunks.querySelectorAll(".chunk"))
      button.setAttribute("aria-pressed", String(button.dataset.chunkId === this.selectedChunk));
    const ids = new Set(same ? [] : chunk.segments.map((s) => s.segment_id));
    for (const box of this.pagesElement.querySelectorAll(".box")) box.classList.toggle("in-chunk", ids.has(box.dataset.segmentId));
    this.pagesElement.classList.toggle("chunk-selected", ids.size > 0);
    if (ids.size) {
      const first = this.pagesElement.querySelector(".box.in-chunk");
      first?.scrollIntoView({ block: "center", behavior: "smooth" });
      announce(`Chunk highlighted: ${ids.size} segments`);
    }
  }

  handleEvent(kind, data) {
    if (data.task.task_id !== this.taskId || !this.task) return;
    if (kind === "deleted") {
      replace(this.element, h("p", { class: "back" }, h("a", { href: "#/tasks" }, "← All tasks")), h("h2", { id: "task-title" }, "This task was deleted."));
      return;
    }
    const wasShowingOutput = this.task.status === "Succeeded";
    this.progress = data.progress;
    if (data.task.status === "Succeeded" || wasShowingOutput) {
      // New output (a finished run or a re-run starting): read the task again.
      this.load();
    } else {
      this.task = mergeEvent(this.task, data.task);
      const header = this.renderHeader();
      this.header.replaceWith(header);
      this.header = header;
      if (TERMINAL.has(data.task.status)) this.render();
    }
  }
}
