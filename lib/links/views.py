"""A view's link: joining a page's address and parameters, and reading the map position
(`lat`, `lon`, `z`) and `present` from an allow-list of typed values. Nothing is unpickled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from lib.vocab import geography


def build_link(base: str, params: Mapping[str, str | Sequence[str]]) -> str:
    """`base` (the page's address, no query) with `params` as a query string.

    Repeated parameters (a multiselect's values) are written once per value, as Streamlit's
    widget binding reads them; empty values are left out.
    """
    if not urlsplit(base).path:
        base += "/"  # http://host:port -> http://host:port/
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        values = [value] if isinstance(value, str) else list(value)
        pairs.extend((key, v) for v in values if v != "")
    query = urlencode(pairs)
    return f"{base}?{query}" if query else base


@dataclass(frozen=True)
class MapView:
    """A map's centre (WGS84) and Leaflet zoom, as kept in the link (`lat`, `lon`, `z`)."""

    lat: float
    lon: float
    zoom: float

    def params(self) -> dict[str, str]:
        return {"lat": f"{self.lat:.5f}", "lon": f"{self.lon:.5f}", "z": f"{self.zoom:g}"}


VIEW_PARAMS = ("lat", "lon", "z")


# London's frame (geography.LONDON_BOUNDS) and the zooms at which the maps make sense.
LAT_RANGE = (geography.LONDON_BOUNDS[0][0], geography.LONDON_BOUNDS[1][0])


LON_RANGE = (geography.LONDON_BOUNDS[0][1], geography.LONDON_BOUNDS[1][1])


ZOOM_RANGE = (9.0, 18.0)


def _finite_float(text: str) -> float | None:
    text = text.strip()
    # Plain decimal numbers only: no "nan", "inf", hex or underscores.
    if not text or len(text) > 20 or not all(c in "0123456789.-+eE" for c in text):
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(max(value, bounds[0]), bounds[1])


def parse_view(params: Mapping[str, str | None]) -> tuple[MapView | None, str | None]:
    """The map view in `lat`, `lon` and `z`, clamped to London, and a note when the link's
    view was unusable (and ignored) or had to be moved. No view parameter: (None, None)."""
    given = {k: params.get(k) for k in VIEW_PARAMS if params.get(k) is not None}
    if not given:
        return None, None
    if len(given) < len(VIEW_PARAMS):
        missing = ", ".join(k for k in VIEW_PARAMS if k not in given)
        return None, f"The link's map position lacks {missing}, so the map shows all of London."
    parsed = {k: _finite_float(str(v)) for k, v in given.items()}
    bad = [k for k, v in parsed.items() if v is None]
    values = {k: v for k, v in parsed.items() if v is not None}
    if bad:
        return None, (
            f"The link's map position ({', '.join(bad)}) is not a number, so the map "
            "shows all of London."
        )
    view = MapView(
        round(_clamp(values["lat"], LAT_RANGE), 5),
        round(_clamp(values["lon"], LON_RANGE), 5),
        round(_clamp(values["z"], ZOOM_RANGE), 2),
    )
    moved = (
        view.lat != round(values["lat"], 5)
        or view.lon != round(values["lon"], 5)
        or view.zoom != round(values["z"], 2)
    )
    note = "The link's map position was outside London, so it was moved inside." if moved else None
    return view, note


def view_from_map(returned: Mapping | None) -> MapView | None:
    """The view the browser map's "Save view to link" button sent back, clamped like a
    link's."""
    if not returned:
        return None
    center, zoom = returned.get("center"), returned.get("zoom")
    if not isinstance(center, Mapping) or not isinstance(zoom, (int, float)):
        return None
    lat, lon = center.get("lat"), center.get("lng")
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (lat, lon, zoom)):
        return None
    view, _ = parse_view({"lat": str(lat), "lon": str(lon), "z": str(zoom)})
    return view


def parse_present(params: Mapping[str, str]) -> bool:
    """`present=1` (or `true`) turns presentation mode on; anything else leaves it off."""
    return str(params.get("present", "")).strip().lower() in {"1", "true", "yes", "on"}
