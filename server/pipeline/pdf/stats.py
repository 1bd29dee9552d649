"""Document-wide typography and repetition, gathered one page at a time.

A heading is only "big" relative to the body text, and a running header only
"running" when it recurs, so these are measured over every page before any page
is classified.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from server.pipeline.pdf.extract import PageContent
from server.pipeline.pdf.lines import Line

MARGIN_ZONE = 0.14  # top and bottom share of the page where running headers and footers live


@dataclass(slots=True)
class DocumentStats:
    """Typography and repetition measured over the whole document."""

    body_size: float = 10.0
    heading_levels: dict[float, int] = field(default_factory=dict)  # font size → heading depth (2..)
    repeated_margin_text: frozenset[str] = frozenset()
    page_count: int = 1
    title_size: float = 0.0  # the largest font on the first page, when it stands out
    body_font: str = ""
    monospace_body: bool = False  # typewriter documents: monospace is the body, not code

    @property
    def emphasis_level(self) -> int:
        """The depth of headings set in body-size bold or another font: below every sized heading."""
        return min(max(self.heading_levels.values(), default=1) + 1, 6)


def margin_key(text: str) -> str:
    """Margin text with digits folded, so 'Page 3' and 'Page 4' repeat."""
    return re.sub(r"\d+", "#", text.strip().lower())


_HEADING_BANDS = (1.6, 1.3, 1.12)  # size over body size: level 2, 3, 4 (before shifting to the top band)


def _band(size: float, body: float) -> int:
    return next((i for i, ratio in enumerate(_HEADING_BANDS) if size >= body * ratio), len(_HEADING_BANDS))


class StatsBuilder:
    """Document statistics gathered one page at a time, so pages need not be kept.

    Body size = the font size carrying most characters; heading sizes = larger
    sizes on short lines; margin texts seen on several pages are running headers."""

    def __init__(self) -> None:
        self.sizes: Counter[float] = Counter()  # characters per font size
        self.short_line_sizes: Counter[float] = Counter()  # lines short enough to be headings
        self.fonts: Counter[str] = Counter()
        self.monospace_chars = 0
        self.margins: Counter[str] = Counter()  # pages each margin text appears on
        self.pages = 0
        self.first_page_largest = 0.0

    def add(self, content: PageContent, lines: list[Line]) -> None:
        seen: set[str] = set()
        largest = 0.0
        for line in lines:
            size = round(line.size * 2) / 2
            self.sizes[size] += len(line.text)
            self.fonts[line.font] += len(line.text)
            if line.monospace:
                self.monospace_chars += len(line.text)
            largest = max(largest, size)
            if len(line.words) <= 20:
                self.short_line_sizes[size] += 1
            if line.box.y1 < MARGIN_ZONE * content.height or line.box.y0 > (1 - MARGIN_ZONE) * content.height:
                seen.add(margin_key(line.text))
        self.margins.update(seen)
        if self.pages == 0:
            self.first_page_largest = largest
        self.pages += 1

    def build(self) -> DocumentStats:
        body = self.sizes.most_common(1)[0][0] if self.sizes else 10.0
        ranked = sorted((size for size in self.short_line_sizes if size >= body * 1.12), reverse=True)
        title_size = 0.0
        if ranked and self.first_page_largest >= body * 1.5 and self.first_page_largest == ranked[0]:
            title_size = ranked.pop(0)
        # depth by how much bigger than the body a heading is, so one-off cover-page sizes
        # do not push the document's real section sizes down the levels
        bands = sorted({_band(size, body) for size in ranked})
        levels = {size: 2 + bands.index(_band(size, body)) for size in ranked}
        repeated = frozenset(key for key, count in self.margins.items() if count >= 2 and self.pages >= 2)
        body_font = self.fonts.most_common(1)[0][0] if self.fonts else ""
        monospace_body = self.monospace_chars * 2 > sum(self.sizes.values())
        return DocumentStats(body, levels, repeated, self.pages, title_size, body_font, monospace_body)
