"""Straightening a page fed into the scanner at a slant.

A page scanned a few degrees off square still reads line by line (each line
crop is cut along its own slanted box), but every later step works on
axis-aligned boxes: lines of one row no longer overlap, a paragraph's box
swallows its neighbour column, the layout model sees slanted regions. So the
upright page is turned by the lines' own slant, measured from the detected
line boxes, and their boxes are turned with it: no second detection.

The slant is the length-weighted median of the long lines' top edges; the page
is turned only where that slant lifts the end of a typical line by a fair part
of a line height (MAX_LIFT), which is where row grouping starts to fail.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

LINE_ASPECT = 4.0  # a box at least this many heights long is a line whose slant can be measured
MAX_LIFT = 0.2  # line heights one end of a median line may stand above the other before the page is turned
MAX_SLANT = 15.0  # degrees; more is not a slanted scan but text set at an angle


def slant(quads: list[np.ndarray]) -> float:
    """The page's slant in degrees (positive: lines rise to the right in
    image coordinates, y down), or 0.0 when it is too small to matter."""
    measured: list[tuple[float, float]] = []
    lengths, heights = [], []
    for quad in quads:
        dx, dy = float(quad[1][0] - quad[0][0]), float(quad[1][1] - quad[0][1])
        length = math.hypot(dx, dy)
        height = math.hypot(float(quad[2][0] - quad[1][0]), float(quad[2][1] - quad[1][1]))
        if dx <= 0 or length < LINE_ASPECT * max(height, 1.0):
            continue
        angle = math.degrees(math.atan2(-dy, dx))
        if abs(angle) <= MAX_SLANT:
            measured.append((angle, length))
            lengths.append(length)
            heights.append(height)
    if not measured:
        return 0.0
    measured.sort()
    half, running = sum(w for _, w in measured) / 2, 0.0
    angle = measured[-1][0]
    for value, weight in measured:
        running += weight
        if running >= half:
            angle = value
            break
    lengths.sort()
    heights.sort()
    lift = lengths[len(lengths) // 2] * math.tan(math.radians(abs(angle)))
    return angle if lift > MAX_LIFT * heights[len(heights) // 2] else 0.0


def straighten(image: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`image` turned by `angle` degrees so its lines run level, on a canvas
    grown to keep the corners, with the forward and inverse 2x3 affine maps
    (turned pixels = forward @ [x, y, 1])."""
    import cv2
    import numpy as np

    height, width = image.shape[:2]
    forward = cv2.getRotationMatrix2D((width / 2, height / 2), -angle, 1.0)
    cos, sin = abs(forward[0, 0]), abs(forward[0, 1])
    new_w, new_h = math.ceil(width * cos + height * sin), math.ceil(width * sin + height * cos)
    forward[0, 2] += new_w / 2 - width / 2
    forward[1, 2] += new_h / 2 - height / 2
    turned = cv2.warpAffine(image, forward, (new_w, new_h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))
    return np.ascontiguousarray(turned), forward, cv2.invertAffineTransform(forward)


def apply(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """2x3 affine `matrix` applied to an (..., 2) array of points."""
    import numpy as np

    turned: np.ndarray = (points @ matrix[:, :2].T + matrix[:, 2]).astype(np.float32)
    return turned
