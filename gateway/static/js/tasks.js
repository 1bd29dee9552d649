// The task list: filters, paging, live rows, and cancel / re-run / delete.

import { api } from "./api.js";
import { configurationFields, readConfiguration } from "./config.js";
import { announce, formatTime, h, replace } from "./dom.js";
import { CANCELLABLE, DELETABLE, RERUNNABLE, STATUSES, TERMINAL, fileName, mergeEvent } from "./model.js";

export function statusBadge(status) {
  return h("span", { class: `badge status-${(status || "").toLowerCase()}` }, status);
}

export function progressCell(status, progress) {
  if (status !== "Processing" || !progress) return "";
  const { stage, pages_done: done, pages_total: total } = progress;
  const label = total ? `${stage || "Processing"} ${done}/${total}` : stage || "Processing";
  return h(
    "div",
    { class: "progress" },
    h("progress", { max: String(total || 1), value: total ? String(done) : null, "aria-label": label }),
    h("span", {}, label),
  );
}

function dayStart(date) {
  return date ? new Date(`${date}T00:00:00`).toISOString() : null;
}

function dayEnd(date) {
  return date ? new Date(`${date}T23:59:59.999`).toISOString() : null;
}

/** Re-run a finished task with a changed configuration, from a modal dialog. */
export function openRerunDialog(task, onDone) {
  const fields = configurationFields(task.configuration);
  const error = h("p", { class: "error", role: "alert" });
  const dialog = h(
    "dialog",
    { class: "rerun", "aria-labelledby": "rerun-title" },
    h(
      "form",
      {
        method: "dialog",
        onsubmit: async (event) => {
          event.preventDefault();
          try {
            const configuration = readConfiguration(fields);
            await api.update(task.task_id, configuration);
            dialog.close();
            announce(`Re-running ${fileName(task)}`);
            onDone?.();
          } catch (failure) {
            error.textContent = failure.message;
          }
        },
      },
      h("h2", { id: "rerun-title" }, `Re-run ${fileName(task)}`),
      h("p", {}, "Change the configuration; the task is processed again with it."),
      fields,
      error,
      h(
        "div",
        { class: "buttons" },
        h("button", { type: "submit", class: "primary" }, "Re-run"),
        h("button", { type: "button", onclick: () => dialog.close() }, "Close"),
      ),
    ),
  );
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

export async function cancelTask(task) {
  try {
    await api.cancel(task.task_id);
    announce(`Cancelled ${fileName(task)}`);
  } catch (failure) {
    announce(`Could not cancel ${fileName(task)}: ${failure.message}`, "error");
  }
}

export async function deleteTask(task) {
  if (!window.confirm(`Delete ${fileName(task)} and its output?`)) return false;
  try {
    await api.remove(task.task_id);
    announce(`Deleted ${fileName(task)}`);
    return true;
  } catch (failure) {
    announce(`Could not delete ${fileName(task)}: ${failure.message}`, "error");
    return false;
  }
}

export class TaskList {
  constructor() {
    this.query = { status: "", from: "", to: "", page: 1, limit: 20 };
    this.tasks = [];
    this.progress = new Map();
    this.pending = null;
    this.element = this.build();
  }

  build() {
    const statusField = h(
      "select",
      { id: "filter-status", name: "status" },
      h("option", { value: "" }, "Any"),
      STATUSES.map((s) => h("option", { value: s }, s)),
    );
    const from = h("input", { id: "filter-from", type: "date", name: "from" });
    const to = h("input", { id: "filter-to", type: "date", name: "to" });
    const limit = h(
      "select",
      { id: "filter-limit", name: "limit" },
      [10, 20, 50, 100].map((n) => h("option", { value: String(n), selected: n === this.query.limit }, String(n))),
    );
    const onFilter = () => {
      Object.assign(this.query, { status: statusField.value, from: from.value, to: to.value, limit: Number(limit.value), page: 1 });
      this.refresh();
    };
    for (const input of [statusField, from, to, limit]) input.addEventListener("change", onFilter);
    this.body = h("tbody");
    this.pageLabel = h("span", { class: "page-label", "aria-live": "polite" });
    this.previous = h("button", { type: "button", onclick: () => this.turn(-1) }, "Previous page");
    this.next = h("button", { type: "button", onclick: () => this.turn(1) }, "Next page");
    return h(
      "section",
      { class: "tasks", "aria-labelledby": "tasks-title" },
      h("h2", { id: "tasks-title" }, "Tasks"),
      h(
        "form",
        { class: "filters", role: "search", "aria-label": "Filter tasks", onsubmit: (e) => e.preventDefault() },
        h("div", { class: "field" }, h("label", { for: "filter-status" }, "Status"), statusField),
        h("div", { class: "field" }, h("label", { for: "filter-from" }, "Created from"), from),
        h("div", { class: "field" }, h("label", { for: "filter-to" }, "Created to"), to),
        h("div", { class: "field" }, h("label", { for: "filter-limit" }, "Per page"), limit),
      ),
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "task-table" },
          h("caption", { class: "visually-hidden" }, "Your tasks, newest first"),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["File", "Status", "Pages", "Progress", "Created", "Finished", "Actions"].map((c) => h("th", { scope: "col" }, c)),
            ),
          ),
          this.body,
        ),
      ),
      h("nav", { class: "pager", "aria-label": "Task pages" }, this.previous, this.pageLabel, this.next),
    );
  }

  turn(step) {
    this.query.page = Math.max(1, this.query.page + step);
    this.refresh();
  }

  async refresh() {
    if (!this.element.isConnected) return; // re-read when shown again
    const { status, from, to, page, limit } = this.query;
    try {
      const tasks = await api.list({ page, limit, status, start: dayStart(from), end: dayEnd(to) });
      if (!tasks.length && page > 1) {
        this.query.page = page - 1;
        return this.refresh();
      }
      this.tasks = tasks;
      this.render();
      if (this.failed) announce("");
      this.failed = false;
    } catch (failure) {
      this.failed = true;
      announce(`Could not list tasks: ${failure.message}`, "error");
    }
  }

  /** Coalesces the re-reads that a burst of events asks for. */
  refreshSoon() {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => this.refresh(), 150);
  }

  render() {
    const focus = this.focusedControl();
    const rows = this.tasks.map((task) => this.row(task));
    replace(this.body, rows.length ? rows : h("tr", {}, h("td", { colspan: "7", class: "empty" }, "No tasks match.")));
    this.restoreFocus(focus);
    this.pageLabel.textContent = `Page ${this.query.page}`;
    this.previous.disabled = this.query.page <= 1;
    this.next.disabled = this.tasks.length < this.query.limit;
  }

  row(task) {
    const name = fileName(task);
    const progress = this.progress.get(task.task_id);
    const pages = task.output?.page_count || progress?.pages_total || "";
    const actions = [];
    if (CANCELLABLE.has(task.status))
      actions.push(h("button", { type: "button", "aria-label": `Cancel ${name}`, onclick: () => cancelTask(task) }, "Cancel"));
    if (RERUNNABLE.has(task.status))
      actions.push(
        h("button", { type: "button", "aria-label": `Re-run ${name}`, onclick: () => openRerunDialog(task, () => this.refreshSoon()) }, "Re-run"),
      );
    if (DELETABLE.has(task.status))
      actions.push(
        h(
          "button",
          {
            type: "button",
            class: "danger",
            "aria-label": `Delete ${name}`,
            onclick: async () => {
              if (await deleteTask(task)) this.refreshSoon();
            },
          },
          "Delete",
        ),
      );
    return h(
      "tr",
      { dataset: { taskId: task.task_id, status: task.status } },
      h("td", { class: "file" }, h("a", { href: `#/task/${task.task_id}` }, name)),
      h("td", {}, statusBadge(task.status), task.status === "Failed" && task.message ? h("small", { class: "message" }, task.message) : null),
      h("td", { class: "number" }, String(pages)),
      h("td", {}, progressCell(task.status, progress)),
      h("td", {}, h("time", { datetime: task.created_at }, formatTime(task.created_at))),
      h("td", {}, task.finished_at ? h("time", { datetime: task.finished_at }, formatTime(task.finished_at)) : ""),
      h("td", { class: "actions" }, actions),
    );
  }

  /** A live event: a listed task changes in place; anything that may change the page's membership re-reads it. */
  handleEvent(kind, data) {
    const id = data.task.task_id;
    const index = this.tasks.findIndex((t) => t.task_id === id);
    if (kind === "deleted") {
      this.progress.delete(id);
      if (index >= 0) this.refreshSoon();
      return;
    }
    this.progress.set(id, data.progress);
    if (index < 0 || TERMINAL.has(data.task.status) || (this.query.status && data.task.status !== this.query.status)) {
      this.refreshSoon();
      if (index < 0) return;
    }
    this.tasks[index] = mergeEvent(this.tasks[index], data.task);
    const focus = this.focusedControl();
    this.body.querySelector(`tr[data-task-id="${id}"]`)?.replaceWith(this.row(this.tasks[index]));
    this.restoreFocus(focus);
  }

  /** Rows are rebuilt as tasks change; keyboard focus stays with the same task (its button, else its link). */
  focusedControl() {
    const row = document.activeElement?.closest?.("tr[data-task-id]");
    if (!row || !this.body.contains(row)) return null;
    return { id: row.dataset.taskId, label: document.activeElement.getAttribute("aria-label") };
  }

  restoreFocus(focus) {
    if (!focus) return;
    const row = this.body.querySelector(`tr[data-task-id="${focus.id}"]`);
    if (!row) return;
    const control = focus.label ? row.querySelector(`[aria-label="${CSS.escape(focus.label)}"]`) : null;
    (control || row.querySelector("a"))?.focus();
  }
}
