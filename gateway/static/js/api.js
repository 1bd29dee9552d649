// The REST API as the dashboard uses it. The key lives in sessionStorage (gone
// when the tab closes) and travels only in the Authorization header.

import { readEvents } from "./sse.js";

const KEY = "chunkd.apiKey";
const BASE = new URL("api/v1/", document.baseURI);

export class ApiError extends Error {
  constructor(status, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
  }
}

export const session = {
  get key() {
    return sessionStorage.getItem(KEY) || "";
  },
  set key(value) {
    if (value) sessionStorage.setItem(KEY, value);
    else sessionStorage.removeItem(KEY);
  },
};

function url(path, query = {}) {
  const target = new URL(path.replace(/^\//, ""), BASE);
  for (const [name, value] of Object.entries(query)) {
    for (const item of [value].flat()) {
      if (item !== null && item !== undefined && item !== "") target.searchParams.append(name, item);
    }
  }
  return target;
}

function headers(extra = {}, key = session.key) {
  return { Authorization: key, ...extra };
}

async function failure(response) {
  const text = (await response.text().catch(() => "")).trim();
  return new ApiError(response.status, text || response.statusText);
}

export async function request(method, path, { query, json, key } = {}) {
  const options = { method, headers: headers({}, key) };
  if (json !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(json);
  }
  const response = await fetch(url(path, query), options);
  if (!response.ok) throw await failure(response);
  const type = response.headers.get("content-type") || "";
  return type.includes("json") ? response.json() : response.text();
}

export const api = {
  check: (key) => request("GET", "tasks", { query: { page: 1, limit: 1 }, key }),
  list: (query) => request("GET", "tasks", { query }),
  get: (id, includeChunks = true) => request("GET", `task/${encodeURIComponent(id)}`, { query: { include_chunks: includeChunks } }),
  cancel: (id) => request("POST", `task/${encodeURIComponent(id)}/cancel`),
  remove: (id) => request("DELETE", `task/${encodeURIComponent(id)}`),
  update: (id, configuration) => request("PATCH", `task/${encodeURIComponent(id)}/parse`, { json: configuration }),
  createFromUrl: (fileUrl, configuration) => request("POST", "task/parse", { json: { file: fileUrl, ...configuration } }),
};

/**
 * Uploads one file as multipart/form-data. XMLHttpRequest rather than fetch,
 * because only it reports upload progress: onProgress(fraction).
 */
export function upload(file, configuration, onProgress) {
  const form = new FormData();
  form.append("file", file, file.name);
  for (const [name, value] of Object.entries(configuration)) {
    form.append(name, typeof value === "string" ? value : JSON.stringify(value));
  }
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url("task/parse"));
    xhr.setRequestHeader("Authorization", session.key);
    xhr.responseType = "text";
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(JSON.parse(xhr.responseText));
      else reject(new ApiError(xhr.status, xhr.responseText.trim() || xhr.statusText));
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, "Network error")));
    xhr.send(form);
  });
}

/**
 * Follows every change to the caller's tasks (GET /api/v1/events) and keeps
 * following across dropped connections. onOpen runs each time the stream is
 * (re)opened — the moment to re-read lists, since changes may have been missed.
 * A refused key (401) is final: onDenied. Returns a function that stops it.
 */
export function watchTasks({ onEvent, onOpen, onClosed, onDenied }) {
  const controller = new AbortController();
  let delay = 500;
  (async () => {
    while (!controller.signal.aborted) {
      try {
        const response = await fetch(url("events"), { headers: headers({ Accept: "text/event-stream" }), signal: controller.signal });
        if (response.status === 401) {
          onDenied(await failure(response));
          return;
        }
        if (!response.ok) throw await failure(response);
        delay = 500;
        onOpen();
        await readEvents(response, onEvent, controller.signal);
      } catch (error) {
        if (controller.signal.aborted) return;
        console.warn("task events:", error);
      }
      if (controller.signal.aborted) return;
      onClosed();
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  })();
  return () => controller.abort();
}
