"""`--since 2d` for the CLI: an age ("90s", "15m", "2h", "2d", "1w",
"1h30m") or a moment ("2026-11-20", "2026-11-20T08:00:00Z")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

UNITS: dict[str, timedelta] = {
    "s": timedelta(seconds=1),
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}
PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")


def parse_duration(text: str) -> timedelta:
    """ "1h30m" → 90 minutes. Units are required: a bare "2" is ambiguous."""
    compact = text.strip().lower().replace(" ", "")
    parts = PART.findall(compact)
    if not compact or "".join(number + unit for number, unit in parts) != compact:
        raise ValueError(f"invalid duration {text!r} (use e.g. 90s, 15m, 2h, 2d, 1w or 1h30m)")
    return sum((float(number) * UNITS[unit] for number, unit in parts), timedelta())


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """The moment `text` names: an age before `now`, or an ISO date/time
    (UTC unless it carries an offset)."""
    try:
        return (now or datetime.now(UTC)) - parse_duration(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"invalid time {text!r} (use an age such as 2d or 1h30m, or a date such as 2026-11-20)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
