// Names the API uses, and how the dashboard shows them.

export const STATUSES = ["Starting", "Processing", "Succeeded", "Failed", "Cancelled"];
export const TERMINAL = new Set(["Succeeded", "Failed", "Cancelled"]);
export const CANCELLABLE = new Set(["Starting"]);
export const DELETABLE = TERMINAL;
export const RERUNNABLE = new Set(["Succeeded", "Failed"]);

// Each colour has at least 4.5:1 contrast on white, as a box outline on a page
// image and as legend text both need.
export const SEGMENT_COLOURS = {
  Title: "#b91c1c",
  SectionHeader: "#c2410c",
  Text: "#0369a1",
  ListItem: "#0f766e",
  Table: "#a21caf",
  Picture: "#15803d",
  Caption: "#92400e",
  Formula: "#6d28d9",
  Footnote: "#57534e",
  PageHeader: "#9f1239",
  PageFooter: "#831843",
  Page: "#334155",
};
export const SEGMENT_TYPES = Object.keys(SEGMENT_COLOURS);

export function segmentLabel(type) {
  return type.replace(/([a-z])([A-Z])/g, "$1 $2");
}

/** The uploaded file's name: the output has it once processing began; before, the input URL's last part. */
export function fileName(task) {
  if (task.output?.file_name) return task.output.file_name;
  const input = task.configuration?.input_file_url;
  if (input) {
    try {
      return decodeURIComponent(new URL(input).pathname.split("/").pop());
    } catch {
      /* not a URL: fall through */
    }
  }
  return "(unnamed)";
}

/**
 * A task from an event merged over the one shown: events carry no output and
 * no input file URL, so those (and with them the file's name) are kept.
 */
export function mergeEvent(shown, incoming) {
  const inputUrl = incoming.configuration?.input_file_url || shown.configuration?.input_file_url;
  return {
    ...incoming,
    output: incoming.output || shown.output,
    configuration: { ...incoming.configuration, input_file_url: inputUrl },
  };
}

export function segmentsOf(task) {
  return (task.output?.chunks || []).flatMap((chunk) => chunk.segments);
}

export function documentMarkdown(task) {
  return segmentsOf(task).map((s) => s.markdown || s.content).filter(Boolean).join("\n\n");
}

export function documentHtml(task) {
  return segmentsOf(task).map((s) => s.html).filter(Boolean).join("\n");
}
