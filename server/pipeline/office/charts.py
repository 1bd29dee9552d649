"""Charts, in a workbook or on a slide: the chart's title and kind, and the data it
caches (every chart part keeps a copy of the values it plots, so no sheet is needed)."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from protos import tasks_pb2 as pb
from server.pipeline.office import Block, block
from server.pipeline.office.grid import Placed, grid_table
from server.pipeline.office.values import cell_text

NS = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
}
_CHART_KINDS = {
    "lineChart": "Line chart", "line3DChart": "Line chart", "barChart": "Bar chart", "bar3DChart": "Bar chart",
    "pieChart": "Pie chart", "pie3DChart": "Pie chart", "doughnutChart": "Doughnut chart", "areaChart": "Area chart",
    "area3DChart": "Area chart", "scatterChart": "Scatter chart", "bubbleChart": "Bubble chart",
    "radarChart": "Radar chart", "stockChart": "Stock chart", "surfaceChart": "Surface chart",
}  # fmt: skip


def chart_blocks(root: etree._Element, description: str = "") -> Iterator[Block]:
    """A chart (its c:chartSpace) as a picture named by its title and kind, then its data
    as the chart caches it: a table of categories by series."""
    title = " ".join("".join(t.text or "" for t in root.iterfind("c:chart/c:title//a:t", NS)).split())
    plot = root.find("c:chart/c:plotArea", NS)
    kinds = [etree.QName(el).localname for el in plot] if plot is not None else []
    kind = next((_CHART_KINDS[k] for k in kinds if k in _CHART_KINDS), "Chart")
    yield block(pb.SEGMENT_TYPE_PICTURE, f"{kind}: {title}" if title else (description or kind))
    series = root.findall("c:chart/c:plotArea/*/c:ser", NS)
    columns: list[tuple[str, list[str]]] = []
    categories: list[str] = []
    for ser in series:
        name = " ".join(v.text or "" for v in ser.iterfind("c:tx//c:v", NS))
        values = _cache(_first(ser, "c:val", "c:yVal"))
        categories = categories or _cache(_first(ser, "c:cat", "c:xVal"))
        columns.append((name, values))
    length = max((len(v) for _, v in columns), default=0)
    if not length:
        return
    labels = categories if len(categories) == length else [str(i + 1) for i in range(length)]
    placed = [Placed(0, 0, "")] + [Placed(0, i + 1, name) for i, (name, _) in enumerate(columns)]
    for r in range(length):
        placed.append(Placed(r + 1, 0, labels[r]))
        placed.extend(Placed(r + 1, i + 1, v[r] if r < len(v) else "") for i, (_, v) in enumerate(columns))
    table = grid_table(placed, length + 1, len(columns) + 1)
    if table is not None:
        yield block(pb.SEGMENT_TYPE_TABLE, "", table=table)


def _first(parent: etree._Element, *paths: str) -> etree._Element | None:
    return next((found for path in paths if (found := parent.find(path, NS)) is not None), None)


def _cache(element: etree._Element | None) -> list[str]:
    if element is None:
        return []
    points: dict[int, str] = {}
    for pt in element.iterfind(".//c:pt", NS):
        value = pt.findtext("c:v", "", NS)
        try:
            value = cell_text(float(value))
        except ValueError:
            pass
        points[int(pt.get("idx", "0"))] = value
    return [points.get(i, "") for i in range(max(points) + 1)] if points else []
