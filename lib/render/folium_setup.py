"""The one global patch of folium: GeoJson layer data written without spaces.

folium writes layer data with Jinja's tojson; dropping the spaces after separators saves 12% of
the bytes of 11,800 site points. It is a policy of folium's template environment, so it
applies to every GeoJson layer once `compact_geojson()` has run (lib/render/maps.py runs it).
tests/render/test_folium_setup.py fails if folium stops honouring it.
"""

import folium

COMPACT_JSON = {"sort_keys": True, "separators": (",", ":")}


def compact_geojson() -> None:
    folium.features.GeoJson._template.environment.policies["json.dumps_kwargs"] = COMPACT_JSON
