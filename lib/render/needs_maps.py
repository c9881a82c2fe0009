"""The "Where need is greatest" maps as MapSpecs (lib/render/mapspec.py): the needs map (wards by
the index, areas of defined need outlined by how stable they are) and the access map (where
walking access was lost, with the lost facilities). The page, the workshop wall and the
evidence pack's pictures draw these same specs. No streamlit here; the figures come decided
from lib/analysis (needs.defined_need, access.walking_access / lost_facilities).
"""

from __future__ import annotations

import html

import geopandas as gpd
import pandas as pd
import shapely
import shapely.geometry

from lib.data import crs
from lib.render.mapspec import Boundaries, Choropleth, Labels, MapSpec, Overlay, View
from lib.render.own_data import COORD_GRID, OwnDataLayer
from lib.vocab.categories import RECORDING

NEEDS_LABEL = "Needs index (0-1; darkest fifth: most need)"
STABLE_LABEL = "Area of defined need, stable"
DEPENDS_LABEL = "Area of defined need, depends on the weights"


def plural(category: str) -> str:
    """'Library' -> 'libraries' (the recording vocabulary's word), else a plain plural."""
    recording = RECORDING.get(category)
    return recording.plural if recording is not None else f"{category.lower()}s"


def singular(category: str) -> str:
    """'GP practice' -> 'GP practice', 'Community centre' -> 'community centre'."""
    recording = RECORDING.get(category)
    return recording.singular if recording is not None else category.lower()


def capital(text: str) -> str:
    """The first letter capital, the rest as it is ('GP practices' stays)."""
    return text[:1].upper() + text[1:]


def need_notes(frame: pd.DataFrame) -> pd.Series:
    """Each ward's tooltip note: its rank and, in the top fifth, how stable that is."""
    n = len(frame)
    notes = []
    for rank, stability, defined in zip(
        frame["rank"], frame["stability"], frame["defined_need"].astype(str), strict=True
    ):
        note = "" if pd.isna(rank) else f"rank {int(rank)} of {n}"
        if defined:
            note += (
                f"; area of defined need, {defined} (in the top fifth under "
                f"{round(100 * stability)}% of weightings near these)"
            )
        notes.append(note)
    return pd.Series(notes, index=frame.index, dtype=object)


def needs_map(
    result: pd.DataFrame,
    sources: tuple[str, ...],
    focus: str | None = None,
    view: View | None = None,
    basemap: str = "none",
) -> MapSpec:
    """Wards by the index (`result`: needs.defined_need's rows: ward_code, score, rank,
    stability, defined_need), the areas of defined need outlined: solid when stable, dashed
    when they depend on the weights; `focus` (a borough's gss_code) outlined heavily."""
    frame = result.set_index("ward_code")
    notes = need_notes(frame)
    stable = tuple(frame.index[frame["defined_need"].eq("stable")])
    depends = tuple(frame.index[frame["defined_need"].eq("depends on the weights")])
    layers: list = [
        Choropleth(
            "wards",
            frame["score"],
            NEEDS_LABEL,
            "quantile",
            "{:.2f}",
            sources=sources,
            notes=notes,
        ),
        Boundaries("wards", stable, f"{STABLE_LABEL} ({len(stable)})"),
        Boundaries("wards", depends, f"{DEPENDS_LABEL} ({len(depends)})", focus_dash=True),
        Boundaries("boroughs", (focus,) if focus else ()),
        Labels("boroughs", (focus,) if focus else ()),
    ]
    return MapSpec(tuple(layers), view or View(), basemap)


def lost_points(lost: pd.DataFrame, category: str, start_label: str) -> OwnDataLayer:
    """The lost facilities (access.lost_facilities rows, metres in EPSG:27700) as points whose
    tooltips say who had each as their nearest and how much further their next one is."""
    frame = crs.to_crs(
        gpd.GeoDataFrame(
            lost, geometry=gpd.points_from_xy(lost["easting"], lost["northing"]), crs=27700
        ),
        4326,
    )
    geoms = shapely.set_precision(frame.geometry.values, COORD_GRID)
    labels = [
        "Row",
        "Name",
        "Closed",
        "Residents who had it nearest",
        "Their next one: further by (median)",
        "Of them, lost walking access",
    ]
    features = []
    for i, (geom, row) in enumerate(zip(geoms, frame.itertuples(), strict=True)):
        extra = row.extra_median_m
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "row": i + 1,
                    "c0": html.escape(str(row.name)),
                    "c1": "" if pd.isna(row.closed_year) else str(int(row.closed_year)),
                    "c2": f"{row.residents_nearest:,.0f}",
                    "c3": "" if pd.isna(extra) else f"{extra:,.0f} m",
                    "c4": f"{row.lost_access:,.0f}",
                },
                "geometry": shapely.geometry.mapping(geom),
            }
        )
    name = f"{capital(plural(category))} lost since {start_label}"
    return OwnDataLayer(
        {"type": "FeatureCollection", "features": features, "labels": labels}, name, len(lost)
    )


def access_values(wards: pd.DataFrame) -> tuple[pd.Series, str, str]:
    """What the access map shades: residents who lost walking access per ward, or (a category
    with no history) the share beyond the threshold now. Returns values, label, format."""
    table = wards.set_index("code")
    threshold = f"{table.attrs['threshold_m']:,.0f} m"
    category = singular(table.attrs["category"])
    if table.attrs["then"] is None:
        return (
            100 * table["share_beyond_now"],
            f"% of residents beyond {threshold} of a {category} ({table.attrs['now']})",
            "{:.0f}%",
        )
    return (
        table["lost_access"],
        f"Residents who lost walking access ({threshold}) to a {category}, "
        f"{table.attrs['then']} to {table.attrs['now']}",
        "{:,.0f}",
    )


def _counts(values: pd.Series) -> pd.Series:
    return values.map("{:,.0f}".format)


def access_notes(table: pd.DataFrame) -> pd.Series:
    """Each ward's tooltip note: lost and gained side by side, beyond then and now; or, with no
    history, beyond now only."""
    if table["lost_access"].isna().all():
        return _counts(table["beyond_now"]) + " beyond now; nothing lost or gained can be measured"
    return (
        "lost "
        + _counts(table["lost_access"])
        + ", gained "
        + _counts(table["gained_access"])
        + "; beyond "
        + _counts(table["beyond_then"])
        + " then, "
        + _counts(table["beyond_now"])
        + " now"
    )


def access_map(
    wards: pd.DataFrame,
    lost: pd.DataFrame,
    sources: tuple[str, ...],
    focus: str | None = None,
    view: View | None = None,
    basemap: str = "none",
    points: OwnDataLayer | None = None,
) -> MapSpec:
    """Where walking access was lost: wards shaded by residents who lost it (walking_access
    by ward), the lost facilities over them with their figures in the tooltips
    (lost_facilities; `points`: lost_points of them, made already); a category with no history
    shades the share beyond now, no points."""
    values, label, fmt = access_values(wards)
    notes = access_notes(wards.set_index("code"))
    layers: list = [
        Choropleth(
            "wards",
            values,
            label,
            "counts" if wards.attrs["then"] is not None else "quantile",
            fmt,
            sources=sources,
            notes=notes,
        ),
        Boundaries("boroughs", (focus,) if focus else ()),
        Labels("boroughs", (focus,) if focus else ()),
    ]
    if len(lost):
        layers.append(
            Overlay(
                "lost",
                points or lost_points(lost, wards.attrs["category"], str(wards.attrs["then"])),
                sources,
            )
        )
    return MapSpec(tuple(layers), view or View(), basemap)


def sources_of(catalogue: pd.DataFrame, keys: list[str] | None = None) -> tuple[str, ...]:
    """The catalogue keys the index's indicators name (needs.indicator_catalogue's `sources`),
    of the indicators `keys` (default: all of them)."""
    rows = catalogue if keys is None else catalogue[catalogue["key"].isin(keys)]
    found = [k.strip() for cell in rows["sources"] for k in cell.split(",") if k.strip()]
    return tuple(dict.fromkeys(found))


__all__ = ["access_map", "lost_points", "needs_map", "sources_of"]
