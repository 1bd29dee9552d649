// The main configuration options as a form, for uploads and re-runs. Empty
// fields are left out, so the server's defaults (or, on a re-run, the task's
// current values) apply.

import { h } from "./dom.js";
import { SEGMENT_TYPES, segmentLabel } from "./model.js";

let counter = 0;

function select(id, label, options, value = "") {
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    h(
      "select",
      { id, name: id },
      options.map(([optionValue, text]) => h("option", { value: optionValue, selected: optionValue === value }, text)),
    ),
  );
}

/** A fieldset of configuration inputs; `current` (a task's configuration) pre-fills it. */
export function configurationFields(current = null) {
  const prefix = `cfg${++counter}`;
  const formats = current?.segment_processing || {};
  const fields = h(
    "fieldset",
    { class: "configuration" },
    h("legend", {}, "Configuration"),
    h(
      "div",
      { class: "field" },
      h("label", { for: `${prefix}-target` }, "Target chunk length (tokens)"),
      h("input", {
        id: `${prefix}-target`,
        type: "number",
        min: "0",
        step: "1",
        inputmode: "numeric",
        placeholder: "default",
        "aria-describedby": `${prefix}-target-help`,
        value: current?.chunk_processing?.target_length ?? "",
      }),
      h("small", { id: `${prefix}-target-help` }, "0 = one segment per chunk"),
    ),
    select(`${prefix}-ocr`, "OCR", [["", "Default (Auto)"], ["Auto", "Auto: pages without text"], ["All", "All pages"]], current?.ocr_strategy || ""),
    select(
      `${prefix}-segmentation`,
      "Segmentation",
      [["", "Default (layout analysis)"], ["LayoutAnalysis", "Layout analysis"], ["Page", "One segment per page"]],
      current?.segmentation_strategy || "",
    ),
    h(
      "details",
      { class: "formats" },
      h("summary", {}, "Format per segment type"),
      h(
        "div",
        { class: "format-grid" },
        SEGMENT_TYPES.map((type) =>
          select(
            `${prefix}-format-${type}`,
            segmentLabel(type),
            [["", "Default"], ["Markdown", "Markdown"], ["Html", "HTML"]],
            current ? formats[type]?.format || "" : "",
          ),
        ),
      ),
    ),
  );
  fields.dataset.prefix = prefix;
  return fields;
}

/** The fieldset's values as Chunkr's configuration keys (only those set). */
export function readConfiguration(fields) {
  const prefix = fields.dataset.prefix;
  const value = (suffix) => fields.querySelector(`#${prefix}-${suffix}`).value.trim();
  const configuration = {};
  const target = value("target");
  if (target !== "") {
    const number = Number(target);
    if (!Number.isInteger(number) || number < 0) throw new Error("Target chunk length must be a whole number, 0 or more");
    configuration.chunk_processing = { target_length: number };
  }
  if (value("ocr")) configuration.ocr_strategy = value("ocr");
  if (value("segmentation")) configuration.segmentation_strategy = value("segmentation");
  const formats = {};
  for (const type of SEGMENT_TYPES) {
    const format = value(`format-${type}`);
    if (format) formats[type] = { format };
  }
  if (Object.keys(formats).length) configuration.segment_processing = formats;
  return configuration;
}
