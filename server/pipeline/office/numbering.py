"""Word's list numbering: which marker ("•", "3.", "b)", "iv.") a numbered paragraph gets.

Counters run per abstract numbering definition, so two w:num instances of one
list continue each other, as Word shows them, unless a w:startOverride restarts it.
A level's counter restarts whenever a shallower level advances.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
_PLACEHOLDER = re.compile(r"%([1-9])")
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))  # fmt: skip


@dataclass(slots=True)
class Level:
    number_format: str = "decimal"  # w:numFmt: decimal, bullet, lowerLetter, upperRoman, ...
    text: str = "%1."  # w:lvlText
    start: int = 1


@dataclass
class Counters:
    abstract_of: dict[str, str] = field(default_factory=dict)  # numId → abstractNumId
    levels: dict[str, dict[int, Level]] = field(default_factory=dict)  # abstractNumId → ilvl → Level
    restarts: dict[str, dict[int, int]] = field(default_factory=dict)  # numId → ilvl → start override
    counts: dict[str, list[int]] = field(default_factory=dict)  # abstractNumId → count per level
    started: set[str] = field(default_factory=set)  # numIds whose start overrides were applied

    @classmethod
    def from_part(cls, root: etree._Element | None) -> Counters:
        counters = cls()
        if root is None:
            return counters
        val = f"{{{W}}}val"
        for abstract in root.findall("w:abstractNum", NS):
            levels: dict[int, Level] = {}
            for lvl in abstract.findall("w:lvl", NS):
                fmt, text, start = lvl.find("w:numFmt", NS), lvl.find("w:lvlText", NS), lvl.find("w:start", NS)
                levels[int(lvl.get(f"{{{W}}}ilvl") or 0)] = Level(
                    number_format=fmt.get(val, "decimal") if fmt is not None else "decimal",
                    text=text.get(val, "") if text is not None else "",
                    start=_int(start.get(val) if start is not None else None, 1),
                )
            counters.levels[abstract.get(f"{{{W}}}abstractNumId") or ""] = levels
        for num in root.findall("w:num", NS):
            num_id = num.get(f"{{{W}}}numId") or ""
            ref = num.find("w:abstractNumId", NS)
            counters.abstract_of[num_id] = ref.get(val, "") if ref is not None else ""
            for override in num.findall("w:lvlOverride", NS):
                start = override.find("w:startOverride", NS)
                if start is not None:
                    level = _int(override.get(f"{{{W}}}ilvl"), 0)
                    counters.restarts.setdefault(num_id, {})[level] = _int(start.get(val), 1)
        return counters

    def next(self, num_id: str, ilvl: int) -> str:
        """Advance the list at level `ilvl` and return the paragraph's marker."""
        abstract = self.abstract_of.get(num_id, num_id)
        levels = self.levels.get(abstract, {})
        ilvl = max(0, min(ilvl, 8))
        counts = self.counts.setdefault(abstract, [levels.get(i, Level()).start - 1 for i in range(9)])
        if num_id not in self.started:
            self.started.add(num_id)
            for restarted, start in self.restarts.get(num_id, {}).items():
                counts[restarted] = start - 1
        counts[ilvl] += 1
        for deeper in range(ilvl + 1, 9):
            counts[deeper] = levels.get(deeper, Level()).start - 1
        level = levels.get(ilvl, Level())
        if level.number_format == "bullet":
            return "•"
        if level.number_format == "none":
            return ""

        def substitute(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            return _format(counts[index], levels.get(index, Level()).number_format)

        return _PLACEHOLDER.sub(substitute, level.text).strip() or f"{counts[ilvl]}."


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _format(number: int, number_format: str) -> str:
    if number_format in ("lowerLetter", "upperLetter"):
        letters = ""
        n = max(number, 1)
        while n:
            n, rest = divmod(n - 1, 26)
            letters = chr(ord("a") + rest) + letters
        return letters if number_format == "lowerLetter" else letters.upper()
    if number_format in ("lowerRoman", "upperRoman"):
        roman, n = "", max(number, 1)
        for value, digits in _ROMAN:
            while n >= value:
                roman, n = roman + digits, n - value
        return roman if number_format == "lowerRoman" else roman.upper()
    return str(number)


def marker(text: str) -> str:
    """The marker as the renderer reads it: a bullet when Word shows none."""
    return text or "•"
