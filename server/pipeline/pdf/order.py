"""Reading order: recursive XY-cut over a page's regions, with pictures and
footnotes placed afterwards because they straddle columns too often to cut by."""

from __future__ import annotations

from server.pipeline.geometry import Box
from server.pipeline.regions import Region

GUTTER = 7.0  # narrowest white band between columns, in points
_EDGE = 1.5  # how far a column's own edge may reach into the white beside it, in points


def _gaps(spans: list[tuple[float, float]], minimum: float) -> list[tuple[float, float]]:
    """White intervals of at least `minimum` between the projections of `spans`."""
    gaps: list[tuple[float, float]] = []
    ordered = sorted(spans)
    reach = ordered[0][1]
    for start, end in ordered[1:]:
        if start - reach >= minimum:
            gaps.append((reach, start))
        reach = max(reach, end)
    return gaps


def _measure(region: Region, regions: list[Region]) -> tuple[float, float]:
    """The horizontal span a region takes in its column. A box set too wide for its column
    (an overfull table) sticks out of it and is printed over the next column's lines; it
    still belongs to the column whose edge it starts at, and takes that column's measure.
    Nothing else overlaps another region: a box across the columns sits clear of both."""
    box = region.box
    over = [o.box for o in regions if o is not region and o.box.x_overlap(box) > 0 and o.box.y_overlap(box) > 0]
    x0, x1 = box.x0, box.x1
    # it reaches into a column that runs on past its end (a word inside a paragraph does not),
    # or covers that column's width while the column runs on above or below it
    if any(o.x0 > box.x0 + GUTTER and (o.x1 > box.x1 + GUTTER or _runs_on(o, box, regions)) for o in over):
        own = [r.box.x1 for r in regions if r is not region and abs(r.box.x0 - box.x0) <= 2 * _EDGE and r.box.x1 < x1]
        x1 = max(own, default=x1)
    if any(o.x1 < box.x1 - GUTTER and o.x0 < box.x0 - GUTTER for o in over):  # a column on its left
        own = [r.box.x0 for r in regions if r is not region and abs(r.box.x1 - box.x1) <= 2 * _EDGE and r.box.x0 > x0]
        x0 = min(own, default=x0)
    return x0, x1


def _runs_on(piece: Box, box: Box, regions: list[Region]) -> bool:
    """Whether the column `piece` is set in (regions sharing both its edges) runs on above or below `box`."""
    return any(
        abs(r.box.x0 - piece.x0) <= 2 * _EDGE
        and abs(r.box.x1 - piece.x1) <= 2 * _EDGE
        and (r.box.y1 <= box.y0 + _EDGE or r.box.y0 >= box.y1 - _EDGE)
        for r in regions
    )


def _spans(regions: list[Region]) -> list[tuple[float, float]]:
    return [_measure(r, regions) for r in regions]


def xy_cut(regions: list[Region], rtl: bool) -> list[Region]:
    """Reading order by recursive XY-cut: split the set at every white band that
    runs through it, vertical bands (columns) first, read left to right (right to
    left on RTL pages); then horizontal bands top to bottom."""
    if len(regions) <= 1:
        return list(regions)
    spans = _spans(regions)
    x_gaps = [gap for gap in _gaps(spans, GUTTER) if _side_by_side(regions, spans, (gap[0] + gap[1]) / 2)]
    y_gaps = _gaps([(r.box.y0, r.box.y1) for r in regions], 0.5)
    if x_gaps:  # a white band from top to bottom is a column gutter: columns first
        cuts = [(a + b) / 2 for a, b in x_gaps]
        groups: list[list[Region]] = [[] for _ in range(len(cuts) + 1)]
        for region, (x0, x1) in zip(regions, spans, strict=True):  # an overfull box goes with its own column
            groups[sum(1 for c in cuts if (x0 + x1) / 2 > c)].append(region)
        if len(groups) == 2:
            for notes, body in (groups, groups[::-1]):
                if _margin_notes(notes, body):
                    return _with_margin_notes(xy_cut(body, rtl), notes)
        if rtl:
            groups.reverse()
    elif y_gaps:
        cuts = [(a + b) / 2 for a, b in y_gaps]
        bands: list[list[Region]] = [[] for _ in range(len(cuts) + 1)]
        for region in regions:
            bands[sum(1 for c in cuts if region.box.cy > c)].append(region)
        groups = _column_runs([band for band in bands if band])
    else:
        return sorted(regions, key=lambda r: (r.box.y0, -r.box.x1 if rtl else r.box.x0))
    ordered: list[Region] = []
    for group in groups:
        if group:
            ordered.extend(
                xy_cut(group, rtl) if len(group) < len(regions) else sorted(group, key=lambda r: (r.box.y0, r.box.x0))
            )
    return ordered


def _side_by_side(regions: list[Region], spans: list[tuple[float, float]], cut: float) -> bool:
    """Columns stand side by side: some region on one side of the white band shares a
    stretch of height with one on the other. Blocks on either side that are only stacked
    (a cover's title flush left, its subtitle flush right below it, the authors at the
    foot) are read top to bottom, not as two columns."""
    left = [r.box for r, (x0, x1) in zip(regions, spans, strict=True) if (x0 + x1) / 2 < cut]
    right = [r.box for r, (x0, x1) in zip(regions, spans, strict=True) if (x0 + x1) / 2 > cut]
    return any(a.y_overlap(b) > _EDGE for a in left for b in right)


def _margin_notes(notes: list[Region], body: list[Region]) -> bool:
    """A narrow column of one- or two-line notes, each set beside the body's text (a
    manual's macro names in the margin, a report's side headings): no column of its own.
    Columns of a page share one measure; a margin is far narrower than the text beside it."""
    if not notes or not body or any(r.table is not None or not r.lines or len(r.lines) > 2 for r in notes):
        return False
    width = max(r.box.x1 for r in notes) - min(r.box.x0 for r in notes)
    measure = max(r.box.x1 for r in body) - min(r.box.x0 for r in body)
    return width < 0.6 * measure and all(any(n.box.y_overlap(b.box) > 0 for b in body) for n in notes)


def _with_margin_notes(flow: list[Region], notes: list[Region]) -> list[Region]:
    """Each note read right before the text it is set beside."""
    flow = list(flow)
    for note in sorted(notes, key=lambda r: r.box.y0):
        beside = next((i for i, r in enumerate(flow) if r.box.y_overlap(note.box) > 0 and r not in notes), None)
        if beside is None:
            flow.append(note)
        else:
            flow.insert(beside, note)
    return flow


def vertical_xy_cut(regions: list[Region]) -> list[Region]:
    """Reading order of vertical writing: tiers top to bottom, and in a tier the columns
    right to left. That is the XY-cut of the page turned a quarter turn clockwise, where
    tiers stand side by side as columns do and a tier's columns run down as lines do."""
    turned = [Region(r.kind, Box(r.box.y0, -r.box.x1, r.box.y1, -r.box.x0), r.text) for r in regions]
    back = {id(t): r for t, r in zip(turned, regions, strict=True)}
    return [back[id(t)] for t in xy_cut(turned, False)]


def _has_gutter(regions: list[Region]) -> bool:
    return len(regions) > 1 and bool(_gaps(_spans(regions), GUTTER))


def _column_runs(bands: list[list[Region]]) -> list[list[Region]]:
    """Horizontal bands joined back into runs that share a column gutter. Where the columns'
        lines do not line up, white bands cross the page between them everywhere; cutting at all
        of them would read the columns' pieces side by side, band after band. Bands that keep a
        common gutter belong to one multi-column stretch, read column by column; a band without
        one that crosses the gutter (a title, a figure across the columns) stands alone; a heading
    within one column joins the run it sits in."""
    runs: list[list[Region]] = []
    for band in bands:
        if runs and _continues_run(runs[-1], band):
            runs[-1] = runs[-1] + band
        else:
            runs.append(band)
    return runs


def _continues_run(run: list[Region], band: list[Region]) -> bool:
    """Both have a gutter that they keep together; or one has and the other sits within
    one of its columns. A line across the gutter (an author line under a title) is
    neither, even where it leaves a gap beside a short heading of the first column."""
    run_gutter, band_gutter = _has_gutter(run), _has_gutter(band)
    if run_gutter and band_gutter:
        return _has_gutter(run + band)
    if run_gutter or band_gutter:
        columns, piece = (run, band) if run_gutter else (band, run)
        gaps = _gaps(_spans(columns), GUTTER)
        # an overfull piece is measured against the columns it is printed over
        measured = _spans(columns + piece)[len(columns) :]
        return not any(_crosses(x0, x1, a, b) for x0, x1 in measured for a, b in gaps)
    return False


def _crosses(x0: float, x1: float, a: float, b: float) -> bool:
    """Whether a piece spanning x0..x1 crosses the white band a..b between columns. Measured
    on ragged lines the band is wider than the gutter, and only the far column's aligned
    left edge `b` is sure: a line of the left column may end inside the band, and crosses it
    only within a gutter's width of that edge; a piece reaching past it crosses unless it
    starts there (a title centred over a short heading of the first column starts in the band)."""
    if x0 < a:
        return x1 > b - GUTTER
    if x1 > b:
        return x0 < b - GUTTER
    return min(x1, b) - max(x0, a) > _EDGE


def insert_footnote(flow: list[Region], footnote: Region) -> None:
    """Footnotes often run across the column gutter at the foot of the page; they
    follow the last region above them in the column they start in."""
    above = [
        i
        for i, r in enumerate(flow)
        if r.box.y1 <= footnote.box.y0 + 1
        and r.box.x_overlap(footnote.box) > 0.3 * min(r.box.width, footnote.box.width)
    ]
    flow.insert(max(above) + 1 if above else len(flow), footnote)


def insert_picture(flow: list[Region], picture: Region) -> None:
    """Pictures straddle columns too often to take part in the XY-cut: each goes
    right before the first region below it that shares its horizontal span
    (usually its caption), or after the last region above it."""
    below = [
        (r.box.y0, i)
        for i, r in enumerate(flow)
        if r.box.y0 >= picture.box.cy and r.box.x_overlap(picture.box) > 0.3 * min(r.box.width, picture.box.width)
    ]
    if below:
        flow.insert(min(below)[1], picture)
        return
    above = [i for i, r in enumerate(flow) if r.box.y1 <= picture.box.cy]
    flow.insert(max(above) + 1 if above else len(flow), picture)
