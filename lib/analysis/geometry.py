"""Policy polygons as areas: one policy's layer, its parts dissolved, and its overlap with LSOAs."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lib.vocab.policies import parse_policy


def dissolve_parts(geometries) -> np.ndarray:
    """Non-overlapping polygons covering the same ground as ``geometries``.

    Only polygons whose interiors overlap are unioned (a full union of London's town centres
    takes a quarter of a second; almost none of them overlap), so overlaps count once.
    """
    geoms = np.asarray(geometries, dtype=object)
    geoms = geoms[~shapely.is_empty(geoms) & ~shapely.is_missing(geoms)]
    if len(geoms) == 0:
        return np.empty(0, dtype=object)
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        geoms = geoms.copy()
        geoms[bad] = shapely.make_valid(geoms[bad])
    tree = shapely.STRtree(geoms)
    i, j = tree.query(geoms, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    overlapping = ~shapely.touches(geoms[i], geoms[j])
    parent = list(range(len(geoms)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(i[overlapping], j[overlapping], strict=True):
        ra, rb = find(int(a)), find(int(b))
        if ra != rb:
            parent[rb] = ra
    roots = np.array([find(x) for x in range(len(geoms))])
    out = []
    for root in np.unique(roots):
        members = geoms[roots == root]
        out.append(members[0] if len(members) == 1 else shapely.union_all(members))
    parts = shapely.get_parts(np.asarray(out, dtype=object))
    return parts[shapely.get_type_id(parts) == 3]  # polygons only (drop slivers of lines)


def _overlap_areas(zones: gpd.GeoDataFrame, parts: np.ndarray) -> np.ndarray:
    """Area of each zone (row of ``zones``) inside the non-overlapping polygons ``parts``."""
    out = np.zeros(len(zones))
    if len(parts) == 0:
        return out
    zone_idx, part_idx = zones.sindex.query(parts, predicate="intersects")[::-1]
    if len(zone_idx) == 0:
        return out
    zone_geoms = zones.geometry.values[zone_idx]
    part_geoms = parts[part_idx]
    # No clipping needed where the zone lies wholly in the part, or the part in the zone.
    covered = shapely.covers(part_geoms, zone_geoms)
    contained = ~covered & shapely.covers(zone_geoms, part_geoms)
    areas = np.empty(len(zone_idx))
    areas[covered] = shapely.area(zone_geoms[covered])
    areas[contained] = shapely.area(part_geoms[contained])
    clip = ~covered & ~contained
    areas[clip] = shapely.area(shapely.intersection(zone_geoms[clip], part_geoms[clip]))
    np.add.at(out, zone_idx, areas)
    return out


def lsoa_overlap(
    lsoas: gpd.GeoDataFrame, policy_areas: gpd.GeoDataFrame, policy: str
) -> np.ndarray:
    """Area (m²) of each LSOA inside the policy's areas, one value per row of ``lsoas``.

    LSOAs tile London (Thames excluded), so these areas summed are the policy's land in London.
    Areas for Regeneration are whole LSOAs: their overlap is their own area, no geometry needed.
    """
    if policy == "regeneration_area":
        return np.where(
            lsoas["regen_area"].to_numpy(dtype=bool), lsoas.geometry.area.to_numpy(), 0.0
        )
    return _overlap_areas(lsoas, dissolve_parts(policy_layer(policy_areas, policy).geometry))


def policy_layer(policy_areas: gpd.GeoDataFrame, policy: str) -> gpd.GeoDataFrame:
    """The polygons of one policy (a town-centre class selects by ``classification``)."""
    base, cls = parse_policy(policy)
    layer = policy_areas[policy_areas["policy"] == base.key]
    if cls:
        layer = layer[layer["classification"] == cls]
    return layer


def has_designation(policy_areas: gpd.GeoDataFrame, policy: str) -> bool:
    """Whether the policy's source dates its designations (the Opportunity Areas' adoption,
    the Creative Enterprise Zones' announcement); the CAZ, SILs and town centres have only the
    date their records were added, and the Areas for Regeneration only the IMD 2019 that this
    layer was drawn from (they were in the 2011 and 2016 Plans)."""
    return bool(policy_layer(policy_areas, policy)["designated_year"].notna().any())


def designation_years(points, policy_areas: gpd.GeoDataFrame, policy: str) -> np.ndarray:
    """For each point, the earliest ``designated_year`` of the policy's areas that contain it
    (-inf for an area with no date); NaN outside. A town-centre class takes that class's
    centres only."""
    layer = policy_layer(policy_areas, policy)
    out = np.full(len(points), np.nan)
    if len(layer) == 0 or len(points) == 0:
        return out
    geoms = np.asarray(layer.geometry.values)
    # An area with no designation date holds its points from the start (-inf), not never.
    years = layer["designated_year"].astype(float).fillna(-np.inf).to_numpy()
    point_idx, area_idx = shapely.STRtree(geoms).query(np.asarray(points), predicate="within")
    if len(point_idx):
        found = pd.DataFrame({"p": point_idx, "y": years[area_idx]}).groupby("p")["y"].min()
        out[found.index.to_numpy()] = found.to_numpy()
    return out


def near_outline(points, policy_areas: gpd.GeoDataFrame, policy: str, distance_m: float):
    """Whether each point lies within ``distance_m`` metres of the policy's outline, on either
    side. The outline is that of the areas dissolved: the joins between touching pieces (the
    CAZ's borough pieces, neighbouring centres) are not edges. Only the few areas near a point
    are unioned (a union of all London's town centres takes a quarter of a second)."""
    points = np.asarray(points)
    out = np.zeros(len(points), dtype=bool)
    geoms = np.asarray(policy_layer(policy_areas, policy).geometry.values)
    if len(geoms) == 0 or len(points) == 0:
        return out
    point_idx, area_idx = shapely.STRtree(geoms).query(
        points, predicate="dwithin", distance=distance_m
    )
    pairs = pd.DataFrame({"p": point_idx, "a": area_idx})
    counts = pairs.groupby("p")["a"].transform("size").to_numpy()
    single = counts == 1  # near one area only: its own edge is the outline
    one_p, one_a = point_idx[single], area_idx[single]
    edges = shapely.boundary(geoms)
    shapely.prepare(edges)
    out[one_p] = shapely.dwithin(edges[one_a], points[one_p], distance_m)
    # Near several: their union, clipped to a square around the point twice the distance
    # wide each way (the square's own sides are too far to count), so a borough's whole
    # Area for Regeneration is never unioned for one point.
    reach = 2 * distance_m
    for p, areas in pairs[~single].groupby("p")["a"]:
        x, y = shapely.get_x(points[p]), shapely.get_y(points[p])
        local = shapely.clip_by_rect(
            geoms[areas.to_numpy()], x - reach, y - reach, x + reach, y + reach
        )
        outline = shapely.boundary(shapely.union_all(local))
        out[p] = shapely.dwithin(outline, points[p], distance_m)
    return out
