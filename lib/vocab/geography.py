"""London's frame: the bounds every map opens on and links are clamped to."""

from __future__ import annotations

LONDON_BOUNDS = ((51.28, -0.51), (51.70, 0.34))
