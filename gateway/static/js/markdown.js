// A small Markdown renderer for what the pipeline writes: headings,
// paragraphs, lists, pipe tables, code, quotes, emphasis, links and images.
// It builds DOM nodes from text (never HTML strings), so a document's text
// cannot inject markup; links and images keep only http(s) and data:image URLs.

import { h } from "./dom.js";

const SAFE_LINK = /^(https?:|mailto:|#)/i;
const SAFE_IMAGE = /^(https?:|data:image\/(png|jpe?g|gif|webp);)/i;
const INLINE = /(`+)([\s\S]*?)\1|!\[([^\]]*)\]\(([^)\s]+)(?:\s+"[^"]*")?\)|\[([^\]]+)\]\(([^)\s]+)(?:\s+"[^"]*")?\)|(\*\*|__)(?=\S)([\s\S]*?\S)\7|(\*|_)(?=\S)([\s\S]*?\S)\9|<br\s*\/?>/;

export function inline(text) {
  const nodes = [];
  let rest = text;
  while (rest) {
    const match = INLINE.exec(rest);
    if (!match) {
      nodes.push(rest);
      break;
    }
    if (match.index) nodes.push(rest.slice(0, match.index));
    const [whole, , code, alt, src, label, href, , strong, , emphasis] = match;
    if (code !== undefined) nodes.push(h("code", {}, code.trim()));
    else if (src !== undefined) nodes.push(SAFE_IMAGE.test(src) ? h("img", { src, alt, loading: "lazy" }) : `[image: ${alt}]`);
    else if (label !== undefined)
      nodes.push(SAFE_LINK.test(href) ? h("a", { href, rel: "noopener noreferrer", target: "_blank" }, inline(label)) : label);
    else if (strong !== undefined) nodes.push(h("strong", {}, inline(strong)));
    else if (emphasis !== undefined) nodes.push(h("em", {}, inline(emphasis)));
    else nodes.push(h("br"));
    rest = rest.slice(match.index + whole.length);
  }
  return nodes;
}

const cells = (line) => line.trim().replace(/^\|/, "").replace(/\|$/, "").split(/(?<!\\)\|/).map((c) => c.trim());
const isRule = (line) => /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(line);
const LIST_ITEM = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/;

function renderTable(lines) {
  const [head, , ...body] = lines;
  const table = h(
    "table",
    {},
    h("thead", {}, h("tr", {}, cells(head).map((c) => h("th", { scope: "col" }, inline(c))))),
    h("tbody", {}, body.map((row) => h("tr", {}, cells(row).map((c) => h("td", {}, inline(c)))))),
  );
  return h("div", { class: "table-scroll" }, table);
}

function list(lines) {
  const ordered = /^\s*\d/.test(lines[0]);
  const start = ordered ? parseInt(lines[0], 10) : null;
  const items = [];
  for (const line of lines) {
    const match = LIST_ITEM.exec(line);
    if (match) items.push([match[3]]);
    else items[items.length - 1].push(line.trim());
  }
  return h(ordered ? "ol" : "ul", { start: ordered && start !== 1 ? String(start) : null }, items.map((parts) => h("li", {}, inline(parts.join(" ")))));
}

/** Markdown text → a DocumentFragment. */
export function renderMarkdown(text) {
  const fragment = document.createDocumentFragment();
  const lines = (text || "").replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i++;
      continue;
    }
    const fence = /^\s*(```+|~~~+)/.exec(line);
    if (fence) {
      const body = [];
      for (i++; i < lines.length && !lines[i].trim().startsWith(fence[1]); i++) body.push(lines[i]);
      i++;
      fragment.append(h("pre", {}, h("code", {}, body.join("\n"))));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      fragment.append(h(`h${heading[1].length}`, {}, inline(heading[2])));
      i++;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      fragment.append(h("hr"));
      i++;
      continue;
    }
    if (line.includes("|") && i + 1 < lines.length && isRule(lines[i + 1])) {
      const rows = [line, lines[i + 1]];
      for (i += 2; i < lines.length && lines[i].includes("|") && lines[i].trim(); i++) rows.push(lines[i]);
      fragment.append(renderTable(rows));
      continue;
    }
    if (/^\s*\$\$/.test(line)) {
      const body = [line];
      if (!/\$\$.*\$\$/.test(line)) for (i++; i < lines.length && (body.push(lines[i]), !lines[i].includes("$$")); i++);
      i++;
      fragment.append(h("pre", { class: "formula" }, body.join("\n")));
      continue;
    }
    if (/^\s*>/.test(line)) {
      const body = [];
      for (; i < lines.length && /^\s*>/.test(lines[i]); i++) body.push(lines[i].replace(/^\s*>\s?/, ""));
      fragment.append(h("blockquote", {}, renderMarkdown(body.join("\n"))));
      continue;
    }
    if (LIST_ITEM.test(line)) {
      const items = [];
      for (; i < lines.length && lines[i].trim() && (LIST_ITEM.test(lines[i]) || /^\s+\S/.test(lines[i])); i++) items.push(lines[i]);
      fragment.append(list(items));
      continue;
    }
    const paragraph = [];
    for (; i < lines.length && lines[i].trim() && !/^(#{1,6}\s|\s*```|\s*>)/.test(lines[i]) && !LIST_ITEM.test(lines[i]); i++) {
      paragraph.push(lines[i].trim());
    }
    if (!paragraph.length) paragraph.push(lines[i++].trim());
    fragment.append(h("p", {}, inline(paragraph.join("\n")).flatMap((n) => (typeof n === "string" ? n.split("\n").flatMap((t, k) => (k ? [h("br"), t] : [t])) : [n]))));
  }
  return fragment;
}
