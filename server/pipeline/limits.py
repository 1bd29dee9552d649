"""What one document may cost: pages, unpacked size, pixels. A document over a
limit fails its task with a message naming the limit and its setting.

The worker sets the limits once per pipeline process (`apply`); the pipeline
reads them with `current()`, so tests and tools that call it directly get the
defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

DEFAULT_MAX_PAGES = 5000
DEFAULT_MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
DEFAULT_MAX_IMAGE_PIXELS = 200_000_000  # e.g. 14,000 x 14,000; a page render at 144 dpi of an A0 sheet is ~50 M


@dataclass(frozen=True)
class Limits:
    max_pages: int = DEFAULT_MAX_PAGES
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES  # the members of an office (zip) file, together
    max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS  # an input image, or one page rendered


_current = Limits()


def apply(limits: Limits) -> None:
    global _current
    _current = limits
    # PIL refuses larger images itself (DecompressionBombError) before decoding them; we
    # check the size first for a clearer message, this is the backstop.
    Image.MAX_IMAGE_PIXELS = limits.max_image_pixels


def current() -> Limits:
    return _current


def size_text(count: int) -> str:
    """1 GiB, 64 MiB, 512 KiB: limits are set in round binary units."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:g} {unit}"
    return f"{count} bytes"


apply(_current)
