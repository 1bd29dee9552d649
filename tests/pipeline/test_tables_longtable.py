"""A table continued over pages, as LaTeX's longtable sets it: on the first page the head
stands between two rules and the body runs on under the second to the page's foot with no
closing rule; each later page repeats the head. Every page holds one table: its head and
that page's rows, never the head alone and the rows apart."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest

from protos import tasks_pb2 as pb
from tests.documents import typeset
from tests.pipeline.support import run_pipeline, segments_of

pytestmark = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs pdflatex")

_WORDS = "river valley harbour boat town bank trade spring flood water level station survey record".split()
_PLACES = "Ashford Brampton Carlow Dunmore Elstree Fenwick Garston Hexham Ilford Jarrow Kelso Ludlow".split()


def _cells(html: str) -> list[list[str]]:
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", html)]


@pytest.mark.parametrize(
    ("rules", "size", "columns", "levels", "rows"),
    [
        ("booktabs", r"\normalsize", 4, 1, 70),
        ("booktabs", r"\small", 6, 2, 110),
        ("booktabs", r"\footnotesize", 5, 2, 90),
        ("hline", r"\normalsize", 5, 1, 80),
        ("hline", r"\small", 4, 2, 120),
        ("booktabs", r"\normalsize", 7, 1, 130),
    ],
)
def test_a_longtable_is_one_table_on_each_page_with_its_head(
    tmp_path: Path, rules: str, size: str, columns: int, levels: int, rows: int
) -> None:
    rng = random.Random(f"{rules}{size}{columns}{levels}{rows}")
    top, mid, bottom = (r"\toprule", r"\midrule", r"\bottomrule") if rules == "booktabs" else (r"\hline",) * 3
    leaf = ["Place", *[str(2000 + 3 * c) for c in range(1, columns)]]
    head = [top]
    if levels == 2:
        half = (columns - 1) // 2
        head.append(
            rf"& \multicolumn{{{half}}}{{c}}{{Arrivals}} & \multicolumn{{{columns - 1 - half}}}{{c}}{{Departures}} \\"
        )
        rule = r"\cmidrule(lr)" if rules == "booktabs" else r"\cline"
        head.append(rf"{rule}{{2-{1 + half}}} {rule}{{{2 + half}-{columns}}}")
    head += [" & ".join(leaf) + r" \\", mid]
    body = [
        [f"{rng.choice(_PLACES)} {r}", *[f"{rng.randint(10, 9999):,}" for _ in range(1, columns)]]
        for r in range(1, rows + 1)
    ]
    prose = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(120, 260))).capitalize() + "."
    source = "\n".join(
        [
            r"\documentclass[a4paper]{article}",
            r"\usepackage{booktabs,longtable}",
            r"\begin{document}",
            prose,
            "",
            rf"{{{size}\begin{{longtable}}{{l{'r' * (columns - 1)}}}",
            *head,
            r"\endhead",
            *[" & ".join(row) + r" \\" for row in body],
            bottom,
            r"\end{longtable}}",
            "",
            prose,
            r"\end{document}",
        ]
    )
    typeset(tmp_path, "long", source, runs=2)  # longtable settles its column widths on the second run
    segments = segments_of(run_pipeline(tmp_path / "long.pdf", tmp_path / "work"))
    tables = [s for s in segments if s.segment_type == pb.SEGMENT_TYPE_TABLE]
    pages = sorted({t.page_number for t in tables})
    assert len(pages) >= 2
    assert len(tables) == len(pages)  # one table per page
    found: list[list[str]] = []
    for table in tables:
        grid = _cells(table.html)
        assert grid[levels - 1] == leaf  # each page's table starts with the head
        found += grid[levels:]
    assert found == body
