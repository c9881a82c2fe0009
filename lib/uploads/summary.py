"""Where an upload's features fall: each policy area type and borough, against London.

`annotate` adds to each feature the borough its centre is in and one flag per policy area
type (true when the feature touches an area of that type). `summarise` counts them, beside
London's share of each: the share of London's land (the boroughs, without the Thames) and of
the built sites (every site, open or closed, found the same way). `london_shares` is the part
that depends only on the built data, worth computing once.
"""

from __future__ import annotations

from typing import Protocol

import geopandas as gpd
import pandas as pd
import shapely

from lib.uploads.model import ROW_COLUMN, WGS84
from lib.vocab.policies import POLICIES

BOROUGH_COLUMN = "in_borough"
BOROUGH_CODE_COLUMN = "in_borough_code"
SUMMARY_COLUMNS = [
    "kind",
    "key",
    "name",
    "features",
    "pct_features",
    "pct_london_area",
    "pct_london_sites",
]


class BuiltLayers(Protocol):
    """What the summary needs of the built GeoPackage's layers (lib.data.Layers has it)."""

    @property
    def boroughs(self) -> gpd.GeoDataFrame: ...

    @property
    def policy_areas(self) -> gpd.GeoDataFrame: ...

    @property
    def sites(self) -> gpd.GeoDataFrame: ...


def policy_column(policy: str) -> str:
    return f"in_{policy}"


def policies(layers: BuiltLayers) -> list[str]:
    """The policy area types in the order the build wrote them."""
    return [str(p) for p in pd.unique(layers.policy_areas["policy"])]


def _touching(frame: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> pd.Series:
    """For each row of `frame`, does it touch (intersect) any of `areas`?"""
    if frame.empty or areas.empty:
        return pd.Series(False, index=frame.index)
    hits = gpd.sjoin(
        frame[[frame.geometry.name]],
        areas[[areas.geometry.name]],
        predicate="intersects",
        how="inner",
    ).index.unique()
    return pd.Series(frame.index.isin(hits), index=frame.index)


def annotate(features: gpd.GeoDataFrame, layers: BuiltLayers) -> gpd.GeoDataFrame:
    """The features with in_borough, in_borough_code and in_<policy> columns added.

    A column of the user's with one of those names is kept, renamed with '_original'."""
    out = features.copy()
    added = [BOROUGH_COLUMN, BOROUGH_CODE_COLUMN] + [policy_column(p) for p in policies(layers)]
    out = out.rename(columns={c: f"{c}_original" for c in added if c in out.columns})
    boroughs = layers.boroughs[["gss_code", "name", "geometry"]].to_crs(out.crs)
    centres = gpd.GeoDataFrame(geometry=out.geometry.representative_point(), crs=out.crs)
    joined = gpd.sjoin(centres, boroughs, predicate="within", how="left")
    joined = joined[~joined.index.duplicated()]
    lost = joined["gss_code"].isna()
    if lost.any():  # on the Thames, between boroughs: the nearest borough
        nearest = gpd.sjoin_nearest(centres[lost], boroughs, how="left")
        nearest = nearest[~nearest.index.duplicated()]
        joined.loc[lost, ["gss_code", "name"]] = nearest[["gss_code", "name"]]
    out[BOROUGH_COLUMN] = joined["name"]
    out[BOROUGH_CODE_COLUMN] = joined["gss_code"]
    areas = layers.policy_areas.to_crs(out.crs)
    for policy in policies(layers):
        out[policy_column(policy)] = _touching(out, areas[areas["policy"] == policy])
    columns = [c for c in out.columns if c != out.geometry.name] + [out.geometry.name]
    return out[columns]


def london_shares(layers: BuiltLayers) -> pd.DataFrame:
    """London's share of land and of built sites in each policy area type and borough (%)."""
    boroughs = layers.boroughs
    london = shapely.union_all(boroughs.geometry.values)
    land = london.area
    sites = layers.sites
    rows = []
    for policy in policies(layers):
        areas = layers.policy_areas[layers.policy_areas["policy"] == policy]
        shape = shapely.union_all(areas.geometry.values).intersection(london)
        rows.append(
            dict(
                kind="policy",
                key=policy,
                name=POLICIES[policy].legend if policy in POLICIES else policy,
                pct_london_area=100 * shape.area / land,
                pct_london_sites=100 * _touching(sites, areas).mean(),
            )
        )
    site_counts = sites["gss_code"].value_counts()
    for code, name, geom in zip(
        boroughs["gss_code"], boroughs["name"], boroughs.geometry, strict=True
    ):
        rows.append(
            dict(
                kind="borough",
                key=code,
                name=name,
                pct_london_area=100 * geom.area / land,
                pct_london_sites=100 * site_counts.get(code, 0) / len(sites),
            )
        )
    return pd.DataFrame(rows)


def summarise(
    features: gpd.GeoDataFrame, layers: BuiltLayers, shares: pd.DataFrame | None = None
) -> pd.DataFrame:
    """How many features fall in each policy area type and borough, against London's shares.

    One row per policy area type (in the build's order), then one per borough (most features
    first): kind, key (policy or GSS code), name, features, pct_features (% of the upload's
    features), pct_london_area, pct_london_sites. A feature can be in several policy types.
    """
    if shares is None:
        shares = london_shares(layers)
    annotated = features if BOROUGH_CODE_COLUMN in features.columns else annotate(features, layers)
    total = len(annotated)
    counts = {("policy", p): int(annotated[policy_column(p)].sum()) for p in policies(layers)}
    by_borough = annotated[BOROUGH_CODE_COLUMN].value_counts()
    table = shares.copy()
    table["features"] = [
        counts.get((kind, key), 0) if kind == "policy" else int(by_borough.get(key, 0))
        for kind, key in zip(table["kind"], table["key"], strict=True)
    ]
    table["pct_features"] = 100 * table["features"] / total if total else 0.0
    table["_order"] = range(len(table))
    is_borough = table["kind"] == "borough"
    policies_part = table[~is_borough]
    boroughs_part = table[is_borough].sort_values(["features", "name"], ascending=[False, True])
    table = pd.concat([policies_part, boroughs_part]).drop(columns="_order")
    for column in ["pct_features", "pct_london_area", "pct_london_sites"]:
        table[column] = table[column].astype(float).round(1)
    return table[SUMMARY_COLUMNS].reset_index(drop=True)


PLACED_COLUMNS = ["placed_easting", "placed_northing", "placed_longitude", "placed_latitude"]


def download_table(annotated: gpd.GeoDataFrame) -> pd.DataFrame:
    """The annotated features as a table. Points get where they were placed (British National
    Grid and WGS84: placed_easting ... placed_latitude), other shapes placed_wkt_bng. The
    user's own columns are kept as they were (a row read with its coordinates swapped keeps
    them swapped there)."""
    geometry = annotated.geometry
    table = pd.DataFrame(annotated.drop(columns=annotated.geometry.name))
    added = PLACED_COLUMNS + ["placed_wkt_bng"]
    table = table.rename(columns={c: f"{c}_original" for c in added if c in table.columns})
    if (geometry.geom_type == "Point").all():
        wgs = geometry.to_crs(WGS84)
        table["placed_easting"] = geometry.x.round(1)
        table["placed_northing"] = geometry.y.round(1)
        table["placed_longitude"] = wgs.x.round(6)
        table["placed_latitude"] = wgs.y.round(6)
    else:
        table["placed_wkt_bng"] = geometry.to_wkt(rounding_precision=1)
    return table.sort_values(ROW_COLUMN).reset_index(drop=True)


def download_geojson(annotated: gpd.GeoDataFrame) -> str:
    """GeoJSON in WGS84, as RFC 7946 asks, with every column of the table."""
    frame = annotated.to_crs(WGS84)
    for column in frame.columns:
        if column != frame.geometry.name and frame[column].dtype != bool:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame.to_json(drop_id=True)
