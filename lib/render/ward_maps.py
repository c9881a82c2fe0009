"""Ward maps of the borough profile and the voluntary sector: choropleths, food banks and
mutual aid groups, the chosen ward, on the builders and legend of lib/render/maps.py.
"""

from __future__ import annotations

import html
import json

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lib.analysis import profiles
from lib.analysis.profiles import WARD_MEASURES
from lib.render import maps, symbols
from lib.render.legend import LegendSection
from lib.vocab import geography
from lib.vocab.sources import LAYER_SOURCES

SITE_SOURCES = ("cim", "libraries", "gp_practices", "museums", "worship")


def without_slivers(geom, min_area: float = 100.0):
    """A ward dissolved from LSOAs keeps thousands of hairline holes and slivers where LSOA
    edges did not quite meet (23,000 in all, most under 1 cm²): drawn, they read as stray
    lines. Holes and parts under `min_area` m² are dropped."""
    parts = []
    for polygon in getattr(geom, "geoms", [geom]):
        if polygon.geom_type != "Polygon" or polygon.area < min_area:
            continue
        holes = [ring for ring in polygon.interiors if shapely.Polygon(ring).area >= min_area]
        parts.append(shapely.Polygon(polygon.exterior, holes))
    return shapely.MultiPolygon(parts) if parts else geom


def ward_geometry(wards: gpd.GeoDataFrame, borough_names: dict[str, str]) -> gpd.GeoDataFrame:
    """Ward polygons for the browser (WGS84, ~1 m grid, no slivers), with escaped names."""
    frame = wards[["ward_code", "name", "gss_code", "geometry"]].copy()
    frame["geometry"] = frame.geometry.map(without_slivers).simplify(10)
    frame["name"] = frame["name"].map(html.escape)
    frame["borough"] = frame["gss_code"].map(borough_names).fillna("").map(html.escape)
    return maps.to_browser(frame)


def add_ward_choropleth(
    m: folium.Map,
    geometry: gpd.GeoDataFrame,
    table: pd.DataFrame,
    measure: str,
    attribution: str,
    opacity: float = 0.75,
) -> list[tuple[str, str]]:
    """Shade wards by `measure` of `table` (ward_table rows); returns the legend rows.

    Wards flagged unstable get a note in their tooltip (figures per head of under 5,000
    residents)."""
    spec = WARD_MEASURES[measure]
    data = table.set_index("ward_code")
    frame = geometry[geometry["ward_code"].isin(data.index)].copy()
    values = frame["ward_code"].map(data[measure]).astype(float)
    frame["fill"], legend = ward_fills(values, measure)
    frame["shown"] = [spec.fmt.format(v) if pd.notna(v) else "no data" for v in values]
    unstable = frame["ward_code"].map(data["unstable"]).fillna(False).astype(bool)
    frame["note"] = np.where(
        unstable & spec.per_head,
        f"under {profiles.UNSTABLE_WARD_POPULATION:,} residents: unstable",
        "",
    )
    features = json.loads(
        frame[["name", "borough", "shown", "note", "fill", "geometry"]].to_json(drop_id=True)
    )
    folium.GeoJson(
        features,
        name=html.escape(spec.label),
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "fillOpacity": opacity,
            "color": "#444444",
            "weight": 0.7,
        },
        highlight_function=lambda f: {"weight": 2.5},
        tooltip=folium.GeoJsonTooltip(
            ["name", "borough", "shown", "note"],
            aliases=["Ward", "Borough", html.escape(spec.label), ""],
        ),
        attribution=attribution,
    ).add_to(m)
    return legend


def ward_fills(values: pd.Series, measure: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The fill colour of each ward's value of `measure` and the legend rows (colour, label),
    by symbols.classify ("counts" for a count, else "quantile"): the web maps and the share
    cards (lib/render/cards.py) shade wards alike."""
    spec = WARD_MEASURES[measure]
    classes = symbols.classify(values, "counts" if spec.integer else "quantile", spec.fmt)
    return list(classes.fills), list(classes.rows)


def voluntary_features(points: gpd.GeoDataFrame, ward_names: dict[str, str]) -> pd.DataFrame:
    """Food banks and mutual aid groups as lon/lat with escaped tooltip fields."""
    lonlat = points.geometry.to_crs(4326)
    return pd.DataFrame(
        {
            "lon": lonlat.x.round(5),
            "lat": lonlat.y.round(5),
            "name": points["name"].astype(str).map(html.escape),
            "kind": points["kind"],
            "what": points["kind"].map(profiles.KIND_LABELS),
            "network": points["network"].fillna("").astype(str).map(html.escape),
            "status": points["status"].astype(str).map(html.escape),
            "ward": points["ward_code"].map(ward_names).fillna("").map(html.escape),
            "vintage": points["kind"].map(profiles.VINTAGES),
            "licence": points["licence"].astype(str).map(html.escape),
        },
        index=points.index,
    )


def _point_collection(frame: pd.DataFrame) -> dict:
    props = ["name", "what", "network", "status", "ward", "vintage", "licence"]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {p: getattr(r, p) for p in props},
                "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
            }
            for r in frame.itertuples(index=False)
        ],
    }


def add_voluntary_layers(
    m: folium.Map, features: pd.DataFrame, show: bool = True, credited: bool = False
) -> list[tuple[str, str, str]]:
    """Mutual aid groups (small white dots) under food banks by network (closed ones hollow
    and black-ringed).

    `credited`: another layer already carries their credit. Returns legend rows (kind 'dot',
    'ring' or 'mutual', colour, label)."""
    legend = []
    tooltip_fields = ["name", "what", "network", "status", "ward", "vintage", "licence"]
    aliases = ["", "", "Network", "Status", "Ward", "Data", "Licence"]
    groups = features[features["kind"] == "mutual_aid"]
    if not groups.empty:
        folium.GeoJson(
            _point_collection(groups),
            name=f"Mutual aid groups 2020 ({len(groups)}, CC BY-NC-SA)",
            show=show,
            marker=folium.CircleMarker(radius=2.5, fill=True),
            style_function=lambda f: {
                "radius": 2.5,
                "color": "#000000",
                "weight": 0.8,
                "fillColor": MUTUAL_AID_COLOUR,
                "fillOpacity": 1,
            },
            tooltip=folium.GeoJsonTooltip(tooltip_fields, aliases=aliases),
            attribution="" if credited else maps.layer_attribution("mutual_aid"),
        ).add_to(m)
    banks = features[features["kind"] == "food_bank"]
    for network, colour in NETWORK_COLOURS.items():
        subset = banks[banks["network"] == network]
        if subset.empty:
            continue
        is_closed = subset["status"] == "closed"
        folium.GeoJson(
            _point_collection(subset),
            name=f"Food banks: {network} ({len(subset)})",
            show=show,
            marker=folium.CircleMarker(radius=6, fill=True),
            style_function=lambda f, c=colour: (
                {"radius": 7, "color": "#000000", "weight": 2.5, "fillColor": c, "fillOpacity": 0.2}
                if f["properties"]["status"] == "closed"
                else {
                    "radius": 6,
                    "color": "#222222",
                    "weight": 1.2,
                    "fillColor": c,
                    "fillOpacity": 0.95,
                }
            ),
            tooltip=folium.GeoJsonTooltip(tooltip_fields, aliases=aliases),
            attribution="" if credited else maps.layer_attribution("food_bank"),
        ).add_to(m)
        if (~is_closed).any():
            legend.append(("dot", colour, f"Food bank, {network} ({int((~is_closed).sum())})"))
    closed = int((banks["status"] == "closed").sum())
    if closed:
        legend.append(("ring", "#ffffff", f"Food bank, closed ({closed})"))
    if not groups.empty:
        legend.append(
            (
                "mutual",
                MUTUAL_AID_COLOUR,
                f"Mutual aid group 2020 ({len(groups)}; CC BY-NC-SA, non-commercial)",
            )
        )
    return legend


def _voluntary_sections(rows) -> list:
    """Legend sections for the rows of add_voluntary_layers, bar the mutual aid groups."""
    dots = [(c, label) for kind, c, label in rows if kind == "dot"]
    rings = [(c, label) for kind, c, label in rows if kind == "ring"]
    title = "Food banks (Give Food, 2022-23)"
    return [
        LegendSection(title, "edged", tuple(dots)),
        LegendSection("" if dots else title, "ring", tuple(rings)),
    ]


def _mutual_aid_section(rows) -> list[LegendSection]:
    """A row for mutual aid groups (small white dots ringed black), if the map shows any."""
    mutual = [label for kind, _, label in rows if kind == "mutual"]
    return (
        [LegendSection("Mutual aid groups (mutualaid.wiki)", "mini", (("#ffffff", mutual[0]),))]
        if mutual
        else []
    )


def borough_map(
    map_layers: maps.MapLayers,
    ward_geo: gpd.GeoDataFrame,
    wards: pd.DataFrame,
    gss_code: str,
    measure: str,
    policies: tuple[str, ...],
    basemap: str,
    site_index: pd.Index,
    volunteers: pd.DataFrame | None = None,
    community_reports=None,
) -> folium.Map:
    """A borough's wards shaded by `measure`, its sites, chosen London Plan layers, legend.

    ``wards`` is ``ward_table(..., gss_code)``; ``site_index`` the borough's rows of the
    sites layer; ``volunteers`` optional voluntary_features rows (food banks, mutual aid).
    """
    spec = WARD_MEASURES[measure]
    outline = map_layers.boroughs[map_layers.boroughs["gss_code"] == gss_code]
    west, south, east, north = outline.total_bounds
    # A margin to the west: the legend sits bottom left, a little wider than the map leaves it.
    west -= 0.08 * (east - west)
    m = maps.new_map(basemap, bounds=((south, west), (north, east)))
    # One credit line for the whole map (Leaflet only merges identical strings).
    credit = maps.layer_attribution(
        "boroughs",
        "wards",
        *spec.sources,
        *SITE_SOURCES,
        *(("food_bank", "mutual_aid") if volunteers is not None else ()),
    )
    class_rows = add_ward_choropleth(
        m, ward_geo[ward_geo["gss_code"] == gss_code], wards, measure, credit, opacity=0.6
    )
    maps.add_outlines(m, outline, "Borough boundary", colour="#111111", weight=2.2)
    near = map_layers.policy_areas[map_layers.policy_areas.intersects(outline.union_all())]
    policy_rows = maps.add_policy_layers(m, near, policies)
    points = map_layers.sites.loc[site_index]
    group_rows = maps.add_site_layers(m, points, "")
    closed = int((points["status"] == "closed").sum())
    voluntary_rows = (
        add_voluntary_layers(m, volunteers, credited=True) if volunteers is not None else []
    )
    need_rows: tuple = ()
    if community_reports is not None:  # what the community says its wards need
        from lib.render import community

        need_rows = tuple(
            community.add_area_needs_layer(
                m, ward_geo[ward_geo["gss_code"] == gss_code], community_reports, names_escaped=True
            )
        )
    maps.add_legend(
        m,
        [
            LegendSection(spec.label, "swatch", tuple(class_rows)),
            LegendSection("Sites (open)", "dot", tuple(group_rows)),
            LegendSection(
                "Closed sites", "ring", (("#ffffff", f"Closed ({closed:,})"),) if closed else ()
            ),
            maps.community_section(m, community_reports),
            LegendSection("", "line", need_rows),
            *_voluntary_sections(voluntary_rows),
            *_mutual_aid_section(voluntary_rows),
            LegendSection("London Plan", "line", tuple(policy_rows)),
        ],
    )
    return maps.finish(m)


def voluntary_map(
    map_layers: maps.MapLayers,
    ward_geo: gpd.GeoDataFrame,
    wards: pd.DataFrame,
    measure: str,
    volunteers: pd.DataFrame,
    basemap: str,
    highlight: str | None = None,
) -> folium.Map:
    """London's wards shaded by a voluntary-sector measure, food banks and mutual aid groups,
    borough outlines and names, the chosen ward outlined and named on top."""
    spec = WARD_MEASURES[measure]
    (south, west), (north, east) = geography.LONDON_BOUNDS
    # A margin to the west: the legend (bottom left) is a little wider than the map leaves it.
    m = maps.new_map(basemap, bounds=((south, west - 0.07), (north, east)))
    credit = maps.layer_attribution("boroughs", "wards", *spec.sources, "food_bank", "mutual_aid")
    class_rows = add_ward_choropleth(m, ward_geo, wards, measure, credit)
    maps.add_outlines(m, map_layers.boroughs, "Borough boundaries", "")
    maps.add_area_labels(m, map_layers.labels)
    voluntary_rows = add_voluntary_layers(m, volunteers, credited=True)
    chosen_rows = []
    chosen = ward_geo[ward_geo["ward_code"] == highlight] if highlight else ward_geo.iloc[0:0]
    if not chosen.empty:
        maps.add_outlines(m, chosen, "Chosen ward", colour=HIGHLIGHT_COLOUR, weight=4)
        name = chosen["name"].iloc[0]  # escaped by ward_geometry
        point = chosen.geometry.iloc[0].representative_point()
        folium.Marker(
            [point.y, point.x],
            interactive=False,
            icon=folium.DivIcon(
                html=f'<div class="jul-chosen">{name}</div>',
                icon_size=(160, 18),
                icon_anchor=(-8, 22),
            ),
        ).add_to(m)
        maps.add_to_header(
            m,
            folium.Element(
                "<style>.jul-chosen{font:700 13px/1.2 sans-serif;color:#b30000;white-space:nowrap;"
                "text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff;pointer-events:none}</style>"
            ),
        )
        chosen_rows = [(HIGHLIGHT_COLOUR, html.unescape(name))]
    maps.add_legend(
        m,
        [
            LegendSection(spec.label, "swatch", tuple(class_rows)),
            *_voluntary_sections(voluntary_rows),
            *_mutual_aid_section(voluntary_rows),
            LegendSection("Chosen ward", "line", tuple(chosen_rows)),
        ],
    )
    return maps.finish(m)


def map_sources(
    measure: str, with_sites: bool = False, policies=(), volunteers: bool = False
) -> list[str]:
    """Source keys of what a map shows, for the attribution under it."""
    keys = ["boroughs", *LAYER_SOURCES["wards"], *WARD_MEASURES[measure].sources]
    if with_sites:
        keys += list(SITE_SOURCES)
    keys += [k for p in policies for k in LAYER_SOURCES.get(p, ())]
    if volunteers:
        keys += ["food_banks", "mutual_aid"]
    return list(dict.fromkeys(keys))


def ward_labels(wards: pd.DataFrame) -> dict[str, str]:
    """ward_code -> 'Ward (Borough)', unique across London (the code is added if not)."""
    labels = wards["ward"] + " (" + wards["borough"].fillna("?") + ")"
    dup = labels.duplicated(keep=False)
    labels = labels.where(~dup, labels + " " + wards["ward_code"])
    return dict(zip(wards["ward_code"], labels, strict=True))


#: Food-bank network colours: drawn over the facility groups' Okabe-Ito colours, so none of
#: theirs (Pubs' vermillion, Culture & heritage's pink were); Paul Tol's wine and olive, and
#: yellow, readable on the YlGnBu ward ramp. Mutual aid groups are small white dots ringed in
#: black, closed food banks hollow black rings.
NETWORK_COLOURS = symbols.NETWORK_COLOURS


MUTUAL_AID_COLOUR = symbols.MUTUAL_AID_COLOUR


HIGHLIGHT_COLOUR = "#d7191c"


NO_DATA_COLOUR = symbols.NO_DATA_COLOUR
