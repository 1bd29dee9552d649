// Server-Sent Events read from a fetch() body. EventSource cannot send an
// Authorization header, and the key must never go in a URL.

/** Splits a text stream into {event, data} records as the SSE format defines them. */
export class SseParser {
  constructor() {
    this.buffer = "";
    this.event = "";
    this.data = [];
  }

  /** Feeds a piece of text; returns the events it completed. */
  feed(text) {
    this.buffer += text;
    const events = [];
    let end;
    while ((end = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      // A CR that ends the piece may be the first half of a CRLF split across pieces.
      if (end === this.buffer.length - 1 && this.buffer[end] === "\r") break;
      const line = this.buffer.slice(0, end);
      const newline = this.buffer.startsWith("\r\n", end) ? 2 : 1;
      this.buffer = this.buffer.slice(end + newline);
      if (line === "") {
        if (this.data.length) events.push({ event: this.event || "message", data: this.data.join("\n") });
        this.event = "";
        this.data = [];
      } else if (!line.startsWith(":")) {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "event") this.event = value;
        else if (field === "data") this.data.push(value);
      }
    }
    return events;
  }
}

/**
 * Reads an SSE response until it ends or `signal` aborts, calling onEvent for
 * each event with its JSON data parsed.
 */
export async function readEvents(response, onEvent, signal) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  const abort = () => reader.cancel().catch(() => {});
  signal?.addEventListener("abort", abort);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const { event, data } of parser.feed(value)) onEvent(event, JSON.parse(data));
    }
  } finally {
    signal?.removeEventListener("abort", abort);
  }
}
