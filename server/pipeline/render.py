"""Plain text, HTML and Markdown for one segment, chosen by its type.

Rendering is separate from layout so OCR segments (which arrive with a type and
text but maybe no HTML/Markdown) go through the same code as text-layer ones.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass

from protos import tasks_pb2 as pb
from server.pipeline.pdf import scripts
from server.pipeline.pdf.lines import LIST_MARKER
from server.pipeline.tables import Table

# Markdown specials; an underscore inside a word (SESSION_USER) is literal in CommonMark
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|]|(?<!\w)_|_(?!\w))")
_MARGIN_TAGS: dict[int, str] = {pb.SEGMENT_TYPE_PAGE_HEADER: "header", pb.SEGMENT_TYPE_PAGE_FOOTER: "footer"}
_ORDERED = re.compile(r"^\(?(\d{1,2}|[a-zA-Z]|[ivxIVX]{1,4})[.)]$")


@dataclass(slots=True)
class Rendered:
    content: str
    html: str
    markdown: str


def _tags(text: str) -> str:
    """Script marks (see `scripts`) as the inline HTML tags both HTML and Markdown use."""
    return "".join(scripts.TAGS.get(char, char) for char in text) if scripts.has_marks(text) else text


def _escape_md(text: str) -> str:
    return _tags(_MD_SPECIAL.sub(r"\\\1", text))


def _esc(text: str) -> str:
    return _tags(html_lib.escape(text, quote=False))


def _split_marker(text: str) -> tuple[str, str]:
    """('•', 'rest') or ('3.', 'rest') for a list item; ('', text) when no marker."""
    head, _, rest = text.partition(" ")
    if rest and LIST_MARKER.match(head):
        return head, rest
    if head[:1] in "\u2022\u25aa\u25cf\u25e6\u25a0\uf0b7\uf0a7\u27a2\u25ba\u25b8":
        return head[:1], text[1:].lstrip()
    return "", text


def _with_plain_content(rendered: Rendered, plain: str) -> Rendered:
    return Rendered(plain, rendered.html, rendered.markdown)


def render_table(table: Table) -> Rendered:
    """An HTML table with row and column spans, and a Markdown pipe table (which has
    no spans): a cell spanning columns repeats its text across them, as a group header
    reads over each column it heads; a header label spanning the header's rows repeats
    down them; any other cell spanning rows gives its text to its first row only, so no
    value is read again in the rows below."""
    html_rows = []
    md_rows = []
    header_labels: dict[int, tuple[str, int]] = {}  # column -> (text, rows) of a first-row cell spanning rows
    for r, row in enumerate(table.rows):
        tag = "th" if r == 0 else "td"
        cells = []
        for cell in row:
            if cell.covered:
                continue
            spans = (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "") + (
                f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else ""
            )
            cells.append(f"<{tag}{spans}>{_esc(cell.text)}</{tag}>")
        html_rows.append(f"<tr>{''.join(cells)}</tr>")
        md_cells: list[str] = []
        reach = 0  # the columns the last owning cell of this row spans to
        for c, cell in enumerate(row):
            if not cell.covered:
                reach = c + cell.colspan
                text = cell.text.replace("|", "\\|").replace("\n", " ")
                md_cells.append(text)
                if r == 0 and cell.rowspan > 1:
                    for k in range(c, c + cell.colspan):
                        header_labels[k] = (text, cell.rowspan)
            elif c < reach and md_cells:
                md_cells.append(md_cells[-1])
            elif c in header_labels and r < header_labels[c][1]:
                md_cells.append(header_labels[c][0])  # a label of a header two rows deep
            else:
                md_cells.append("")
        md_rows.append("| " + " | ".join(md_cells) + " |")
    if md_rows:
        md_rows.insert(1, "| " + " | ".join(["---"] * table.column_count) + " |")
    content = "\n".join(" | ".join(cell.text for cell in row if not cell.covered) for row in table.rows)
    return Rendered(content=content, html=f"<table>{''.join(html_rows)}</table>", markdown="\n".join(md_rows))


def render(
    kind: int, text: str, *, level: int = 2, code: bool = False, table: Table | None = None, marked: str = ""
) -> Rendered:
    """content/html/markdown for a segment of type `kind` holding `text`; `marked` is the
    same text with its superscripts and subscripts marked, for HTML and Markdown."""
    if table is not None:
        return render_table(table)
    plain = text.strip()
    if marked and not code and kind != pb.SEGMENT_TYPE_FORMULA and scripts.plain(marked).strip() == plain:
        return _with_plain_content(render(kind, marked, level=level), plain)
    text = plain
    if kind == pb.SEGMENT_TYPE_TITLE:
        return Rendered(text, f"<h1>{_esc(text)}</h1>", f"# {_escape_md(text)}")
    if kind == pb.SEGMENT_TYPE_SECTION_HEADER:
        level = min(max(level, 2), 6)
        return Rendered(text, f"<h{level}>{_esc(text)}</h{level}>", f"{'#' * level} {_escape_md(text)}")
    if kind == pb.SEGMENT_TYPE_LIST_ITEM:
        marker, rest = _split_marker(text)
        ordered = _ORDERED.match(marker)
        if ordered:
            number = ordered.group(1)
            start = f' start="{number}"' if number.isdigit() else ""
            return Rendered(
                text,
                f"<ol{start}><li>{_esc(rest)}</li></ol>",
                f"{number if number.isdigit() else marker[:-1]}. {_escape_md(rest)}",
            )
        return Rendered(text, f"<ul><li>{_esc(rest)}</li></ul>", f"- {_escape_md(rest)}")
    if kind == pb.SEGMENT_TYPE_PICTURE:
        # A picture has no URL in the stored text (its crop is signed when read), and an
        # image with an empty link, `![Picture]()`, is a broken image: its alt text or nothing.
        alt = _esc(text) if text else "Picture"
        return Rendered(text, f'<img alt="{alt}">', _escape_md(text))
    if kind == pb.SEGMENT_TYPE_FORMULA:
        return Rendered(text, f'<div class="formula">{_esc(text)}</div>', f"$$\n{text}\n$$")
    if kind == pb.SEGMENT_TYPE_CAPTION:
        return Rendered(text, f"<figcaption>{_esc(text)}</figcaption>", _escape_md(text))
    if kind in (pb.SEGMENT_TYPE_PAGE_HEADER, pb.SEGMENT_TYPE_PAGE_FOOTER, pb.SEGMENT_TYPE_FOOTNOTE):
        tag = _MARGIN_TAGS.get(kind, "aside")
        return Rendered(text, f"<{tag}>{_esc(text)}</{tag}>", _escape_md(text))
    if code:
        return Rendered(text, f"<pre><code>{_esc(text)}</code></pre>", f"```\n{text}\n```")
    if kind == pb.SEGMENT_TYPE_PAGE:
        paragraphs = [p for p in text.split("\n\n") if p.strip()]
        return Rendered(
            text, "".join(f"<p>{_esc(p)}</p>" for p in paragraphs), "\n\n".join(_escape_md(p) for p in paragraphs)
        )
    return Rendered(text, f"<p>{_esc(text)}</p>", _escape_md(text))
