#!/usr/bin/env python3
"""Held-out government-style tables printed by Chromium, with ground truth in the ICDAR 2013 format.

A sibling of `bench/table_docs_wild.py` (same logical tables, same ground truth by
construction, same `-reg.xml` / `-str.xml` files for `bench/tables.py --corpus`), for
the producer none of its four covers: an HTML table as a statistics office or a
spreadsheet's "save as web page" writes it, printed with `chromium --headless
--print-to-pdf`. The browser lays it out itself (automatic column widths, wrapping),
so cells take shapes set by hand do not:

- rules: none, horizontal only (top, under the header, above the totals, bottom),
  a full grid, or zebra shading with no rules at all;
- two-level headers (`colspan` group labels, the stub header `rowspan=2`), column
  heads of two to four words that wrap in narrow columns;
- a stub whose members are indented (padding) and whose labels may be long enough to
  wrap onto a second line with a hanging indent, or end in dotted leaders;
- footnote marks as `<sup>`, a totals row, a row-group column (`rowspan`, top or
  middle aligned); a row's numbers set middle, bottom or on the first line's baseline
  beside a wrapped label;
- long tables over pages (the browser repeats `<thead>` on each page) and landscape
  pages with more columns.

Usage: python bench/table_docs_html.py OUT_DIR [--count N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import tempfile
from dataclasses import replace
from html import escape
from pathlib import Path

from bench.table_docs_wild import Cell, Logical, _name, _prose, _truth, _write_truth, logical

QUALIFIERS = [
    "under 18 years",
    "18 years and over",
    "per household",
    "full time",
    "part time",
    "in thousands",
    "per cent",
    "rate per 1,000",
]
CHROMIUM = "/usr/bin/chromium"


def _reshape(rng: random.Random, t: Logical, wrap_heads: bool, wrap_stub: bool) -> Logical:
    """Longer column heads and stub labels, so that the browser wraps them in their cells."""
    stub = 1 if t.group_col else 0
    header = [
        replace(cell, text=f"{cell.text} {rng.choice(QUALIFIERS)}")
        if wrap_heads and cell.c0 == cell.c1 and cell.c0 > stub and cell.r1 == t.head - 1
        else cell
        for cell in t.header
    ]
    used: set[str] = set(t.keys)
    body = [
        [
            replace(cell, text=f"{cell.text} {_name(rng, used).lower()} {_name(rng, used).lower()}")
            if wrap_stub and cell.c0 == stub and cell.c1 == stub and not t.bold[i] and rng.random() < 0.4
            else cell
            for cell in cells
        ]
        for i, cells in enumerate(t.body)
    ]
    return replace(t, header=header, body=body)


def _html(rng: random.Random, t: Logical, landscape: bool) -> tuple[str, dict[str, str]]:
    rules = rng.choice(["none", "hrules", "grid", "zebra"])
    leaders = rng.random() < 0.3
    font = rng.choice(["Liberation Sans, Arial, sans-serif", "Liberation Serif, Times, serif", "DejaVu Sans"])
    size = rng.choice([8, 8.5, 9, 10])
    stub = 1 if t.group_col else 0
    stub_width = rng.choice([9, 11, 14])
    css = [
        f"@page {{ size: A4{' landscape' if landscape else ''}; margin: 2cm; }}",
        f"body {{ font-family: {font}; font-size: {size}pt; }}",
        "table { border-collapse: collapse; margin: 1em 0; }",
        f"th, td {{ padding: 0.15em {rng.choice([0.4, 0.6, 1.0])}em; }}",
        "td.n { text-align: right; } th { font-weight: bold; vertical-align: bottom; }",
        f"td {{ vertical-align: {rng.choice(['middle', 'bottom', 'baseline'])}; }}",
        "th.g { text-align: center; } th.n { text-align: right; }",
        f"td.s {{ text-align: left; max-width: {stub_width}em; padding-left: calc(1.2em * var(--i) + 1em);"
        " text-indent: -1em; }",
        "td.z { vertical-align: " + ("top" if t.group_top else "middle") + "; }",
        "tr.b td { font-weight: bold; } p.note { font-size: 80%; margin: 0.2em 0; }",
        f"th.n, td.n {{ max-width: {rng.choice([5, 6, 8])}em; }}",
    ]
    if leaders:
        css.append(
            "td.s { white-space: nowrap; overflow: hidden; max-width: none; }"
            ' td.s::after { content: " . . . . . . . . . . . . . . . . . . . . . . . ."; }'
        )
    if rules == "grid":
        css.append("th, td { border: 0.5pt solid black; }")
    elif rules == "hrules":
        css.append("thead tr:first-child th { border-top: 1pt solid black; }")
        css.append("thead tr:last-child th { border-bottom: 0.5pt solid black; }")
        css.append("tbody tr:last-child td { border-bottom: 1pt solid black; }")
        css.append("tr.t td { border-top: 0.5pt solid black; }")
        css.append("th.g { border-bottom: 0.5pt solid black; }")
    elif rules == "zebra":
        shade = rng.choice(["#e8e8e8", "#dde6f0", "#eeeeee"])
        css.append(f"tbody tr:nth-child(odd) td {{ background: {shade}; }} thead th {{ background: #c8c8c8; }}")

    def cell_html(cell: Cell, tag: str, cls: str, attrs: str = "") -> str:
        span = ""
        if cell.c1 > cell.c0:
            span += f' colspan="{cell.c1 - cell.c0 + 1}"'
        if cell.r1 > cell.r0:
            span += f' rowspan="{cell.r1 - cell.r0 + 1}"'
        mark = f"<sup>{escape(cell.mark)}</sup>" if cell.mark else ""
        return f'<{tag} class="{cls}"{span}{attrs}>{escape(cell.text)}{mark}</{tag}>'

    head_rows: list[str] = []
    for r in range(t.head):
        cells = sorted((c for c in t.header if c.r0 == r), key=lambda c: c.c0)
        head_rows.append(
            "<tr>"
            + "".join(cell_html(c, "th", "g" if c.c1 > c.c0 else ("n" if c.c0 > stub else "")) for c in cells)
            + "</tr>"
        )
    body_rows: list[str] = []
    for i, cells in enumerate(t.body):
        total = t.bold[i] and cells[0].text in ("Total", "Overall", "Combined")
        cls = " ".join(k for k, on in (("b", t.bold[i]), ("t", total)) if on)
        parts = []
        for cell in sorted(cells, key=lambda c: c.c0):
            if cell.c0 == 0 and t.group_col and cell.c1 == 0:
                parts.append(cell_html(cell, "td", "z"))
            elif cell.c0 <= stub <= cell.c1:
                parts.append(cell_html(cell, "td", "s", f' style="--i: {t.indent[i]}"'))
            else:
                parts.append(cell_html(cell, "td", "n"))
        body_rows.append(f'<tr class="{cls}">' + "".join(parts) + "</tr>")
    title = f"Table {rng.randint(2, 40)}. {_prose(rng, 5)[:-1]}"
    notes = "".join(f'<p class="note">{escape(n)}</p>' for n in t.footnotes)
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>"
        + "\n".join(css)
        + "</style></head><body>"
        + f"<p><b>{escape(title)}</b></p><p>{escape(_prose(rng, rng.randint(20, 60)))}</p>"
        + "<table><thead>"
        + "".join(head_rows)
        + "</thead><tbody>"
        + "".join(body_rows)
        + "</tbody></table>"
        + notes
        + f"<p>{escape(_prose(rng, rng.randint(10, 40)))}</p></body></html>"
    )
    return page, {"rules": rules, "leaders": str(leaders)}


def _print(html_path: Path, pdf: Path, work: Path) -> None:
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-pdf-header-footer",
            f"--user-data-dir={work / 'chromium'}",
            f"--print-to-pdf={pdf}",
            html_path.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def generate(folder: Path, count: int, seed: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for index in range(1, count + 1):
            stem = f"html-{index:03d}"
            long = rng.random() < 0.25
            landscape = rng.random() < 0.25
            t = logical(rng, long, 9 if landscape else 6)
            t = _reshape(rng, t, wrap_heads=rng.random() < 0.4, wrap_stub=rng.random() < 0.4)
            page, _ = _html(rng, t, landscape)
            source = work / f"{stem}.html"
            source.write_text(page, encoding="utf-8")
            pdf = folder / f"{stem}.pdf"
            _print(source, pdf, work)
            _write_truth(folder, stem, _truth(pdf, t))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=24)
    parser.add_argument("--seed", type=int, default=29)
    args = parser.parse_args()
    generate(args.out, args.count, args.seed)


if __name__ == "__main__":
    main()
