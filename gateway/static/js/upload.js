// Upload: drag and drop (or choose) one or many files, or give a URL; each
// gets a row with its upload progress, then its task's live status.

import { api, upload } from "./api.js";
import { configurationFields, readConfiguration } from "./config.js";
import { announce, h, replace } from "./dom.js";
import { TERMINAL } from "./model.js";
import { progressCell, statusBadge } from "./tasks.js";

export class UploadPanel {
  constructor() {
    this.items = new Map(); // task id → row state
    // Events can arrive before the upload's own response names its task.
    this.early = new Map();
    this.element = this.build();
  }

  build() {
    this.fields = configurationFields();
    this.list = h("ul", { class: "uploads", "aria-label": "Uploads", "aria-live": "polite" });
    const input = h("input", {
      id: "upload-files",
      type: "file",
      multiple: true,
      class: "visually-hidden",
      onchange: () => {
        this.send([...input.files]);
        input.value = "";
      },
    });
    const zone = h(
      "div",
      { class: "dropzone", id: "dropzone" },
      h("p", {}, "Drop documents here (PDF, images, Office files), or "),
      input,
      h("label", { for: "upload-files", class: "button primary" }, "Choose files…"),
    );
    zone.addEventListener("dragover", (event) => {
      event.preventDefault();
      zone.classList.add("over");
    });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("over");
      this.send([...event.dataTransfer.files]);
    });
    const url = h("input", { id: "upload-url", type: "url", placeholder: "https://example.com/report.pdf", required: true });
    const urlForm = h(
      "form",
      {
        class: "url-form",
        onsubmit: (event) => {
          event.preventDefault();
          this.sendUrl(url.value.trim());
          url.value = "";
        },
      },
      h("label", { for: "upload-url" }, "Or a document's URL"),
      h("div", { class: "inline" }, url, h("button", { type: "submit" }, "Add URL")),
    );
    return h(
      "section",
      { class: "upload", "aria-labelledby": "upload-title" },
      h("h2", { id: "upload-title" }, "Upload"),
      this.fields,
      zone,
      urlForm,
      this.list,
    );
  }

  configuration() {
    try {
      return readConfiguration(this.fields);
    } catch (failure) {
      announce(failure.message, "error");
      return null;
    }
  }

  item(name) {
    const bar = h("progress", { max: "1", value: "0", "aria-label": `Uploading ${name}` });
    const state = h("span", { class: "state" }, "Uploading");
    const row = h("li", {}, h("span", { class: "name" }, name), bar, state);
    this.list.prepend(row);
    return { row, bar, state, name };
  }

  send(files) {
    const configuration = this.configuration();
    if (!configuration || !files.length) return;
    for (const file of files) {
      const item = this.item(file.name);
      upload(file, configuration, (fraction) => {
        item.bar.value = fraction;
        item.state.textContent = `Uploading ${Math.round(fraction * 100)}%`;
      }).then(
        (task) => this.created(item, task),
        (failure) => this.failed(item, failure),
      );
    }
  }

  sendUrl(url) {
    const configuration = this.configuration();
    if (!configuration || !url) return;
    const item = this.item(url);
    item.bar.removeAttribute("value"); // indeterminate: the server fetches it
    api.createFromUrl(url, configuration).then(
      (task) => this.created(item, task),
      (failure) => this.failed(item, failure),
    );
  }

  created(item, task) {
    item.bar.value = 1;
    item.row.dataset.taskId = task.task_id;
    this.items.set(task.task_id, item);
    const early = this.early.get(task.task_id);
    this.early.delete(task.task_id);
    if (early?.kind === "deleted") item.row.remove();
    else if (early) this.show(item, early.data.task, early.data.progress);
    else this.show(item, task, null);
  }

  failed(item, failure) {
    item.row.classList.add("failed");
    item.bar.value = 0;
    replace(item.state, h("span", { class: "error" }, `Not uploaded: ${failure.message}`));
    announce(`${item.name} was not uploaded: ${failure.message}`, "error");
  }

  show(item, task, progress) {
    const parts = [statusBadge(task.status), progressCell(task.status, progress)];
    if (task.status === "Failed" && task.message) parts.push(h("small", { class: "message" }, task.message));
    if (task.status === "Succeeded") parts.push(h("a", { href: `#/task/${task.task_id}` }, `Open ${item.name}`));
    replace(item.state, parts);
    item.bar.hidden = true;
    if (TERMINAL.has(task.status)) announce(`${item.name}: ${task.status}`);
  }

  handleEvent(kind, data) {
    const item = this.items.get(data.task.task_id);
    if (!item) {
      this.early.set(data.task.task_id, { kind, data });
      if (this.early.size > 500) this.early.delete(this.early.keys().next().value);
      return;
    }
    if (kind === "deleted") {
      item.row.remove();
      this.items.delete(data.task.task_id);
    } else {
      this.show(item, data.task, data.progress);
    }
  }
}
