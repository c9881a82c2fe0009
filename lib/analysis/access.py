"""Access: who lost a facility within walking distance (issue 18, part 1).

Pure functions over the built layers (EPSG:27700 metres); nothing here imports streamlit,
reads files or caches. The UI computes `compute_access` once per process
(`lib/ui/cache.access`) and asks the small table functions for what a page shows.

How residents are placed (`resident_points`)
    Each LSOA's mid-2020 population (`lsoas.population`) is shared equally among the live
    postcode centroids (Code-Point Open 2025, `terminated` false) that lie inside the LSOA's
    polygon: one spatial join of points to polygons (a point on a shared edge goes to the
    first polygon the index returns). Code-Point Open does not say how many homes a postcode
    has, so a business postcode gets the same share as a residential street. An LSOA with
    no live postcode inside is placed at one representative point inside its polygon
    (`Residents.fallback_lsoas` names them); a postcode in no LSOA polygon (on the Thames
    edge) carries nobody (`Residents.postcodes_outside` counts them). Each point keeps its
    LSOA's ward and borough, so ward and borough sums equal their populations.

Which facilities were open (`category_sites`, `open_then`, `open_now`)
    "Now" is each site's status at its latest source (open or community-run counts as
    open; a community-run library is open to residents); its date is the latest of the
    category's sources (`CategoryAccess.now.label`). "Then" is the window start (default
    1 January 2010), or the first date the category's source records closures from if later
    (GP practices: July 2013), read from the sites' opening and closure years as
    `lib.analysis.losses.exposure` reads them: open then when it has no opening year or one
    before the start, and no closure or one in or after the start's year. Only the sites the
    recording source lists count, then and now, so both dates compare like with like (a
    culture-map-only library is left out). Where: each site's point (where it is now), except
    "then" for a site that moved since (`Layers.moves`: a library's `moved` event keeps the
    building it left), measured there (`placed_at`). A category no source records closures
    for (community centres: the 2022 culture map) has "now" only: its `then` is None, and
    every "then", lost and gained figure is missing (NaN), never 0.

Distances
    Straight lines in metres from each resident point to the nearest open facility of the
    category in London (a shapely STRtree's `query_nearest`), not routes; a facility just
    outside London is not counted, so distances near the edge are overstated.

The API
    ``compute_access(layers, postcodes, start=2010) -> Access``: every category of
    ``ACCESS_CATEGORIES`` at both dates, a few seconds once per process.
    ``walking_access(access, category, threshold_m=800, by="borough") -> DataFrame``: per
    borough, ward or London: residents, residents beyond the threshold then and now, residents
    who lost walking access (within then, beyond now) and who gained it (beyond then, within
    now), side by side. ``THRESHOLDS`` lists each category's offered thresholds.
    ``lost_facilities(access, category, threshold_m=800) -> DataFrame``: per facility lost
    in the window (the build's `lost`: a move, parallel code, change of owner or replacement
    is not a loss), the residents who had it as their nearest then and how much further their
    nearest open facility is now (population-weighted mean and median, metres).
    ``resident_distances(access, category) -> DataFrame``: per LSOA, the population-weighted
    mean distance then and now (for maps and checks).
    Point level, for a map of where access was lost: ``access.residents`` (x, y, population,
    postcode, ``code("ward_code")``...) and, per category, ``access.categories[c].then`` /
    ``.now`` (a `Snapshot`: open site_ids, each point's distance and nearest), and ``.lost``
    (the lost facilities with their eastings and northings).
    Every table carries ``attrs["then"]``, ``attrs["now"]`` (dates in words, "then" None
    without a history), ``attrs["threshold_m"]`` and ``attrs["caveats"]`` (plain sentences a
    page shows).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lib.analysis.losses import recorded_sites
from lib.data.layers import Layers, when
from lib.vocab.categories import RECORDING
from lib.vocab.sources import SITE_SOURCE_KEYS, SOURCES

#: The categories measured, as lib/vocab/categories.py names them.
ACCESS_CATEGORIES: tuple[str, ...] = ("Library", "GP practice", "Pharmacy", "Community centre")
DEFAULT_START = 2010
WALK_M = 800.0  # about ten minutes' walk, in a straight line
MILE_M = 1609.344  # the old Public Library Service Standards' measure for libraries
THRESHOLDS: dict[str, tuple[float, ...]] = {
    c: (WALK_M, MILE_M) if c == "Library" else (WALK_M,) for c in ACCESS_CATEGORIES
}
LEVELS = ("london", "borough", "ward")

STRAIGHT_LINE = (
    "Distances are straight lines from where residents live (their postcodes) to the nearest "
    "open facility, not walking routes; a facility outside London is not counted."
)
PLACED = (
    "Residents are each LSOA's mid-2020 population shared equally among its postcodes "
    "(Code-Point Open 2025), not counted at their homes."
)


@dataclass(frozen=True, eq=False)
class Residents:
    """Resident points: arrays of the same length, one row per live postcode (or fallback)."""

    x: np.ndarray
    y: np.ndarray
    population: np.ndarray  # residents at the point (an LSOA's share, fractional)
    postcode: np.ndarray  # without spaces; "" at a fallback point
    lsoa_index: np.ndarray  # the point's row in `areas` (the grouping key: no string sorts)
    areas: pd.DataFrame  # one row per LSOA, in the layer's order: lsoa_code, ward_code, gss_code
    fallback_lsoas: tuple[str, ...]  # LSOAs with no live postcode: one representative point
    postcodes_outside: int  # live postcodes in no LSOA polygon (nobody placed there)

    @property
    def geometry(self) -> np.ndarray:
        return shapely.points(self.x, self.y)

    def code(self, column: str) -> np.ndarray:
        """Each point's lsoa_code, ward_code or gss_code."""
        return self.areas[column].to_numpy()[self.lsoa_index]


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The open facilities of a category at one date and each resident point's nearest."""

    label: str  # the date in words: "2010", "July 2013", "April 2025"
    year: float  # 2013.5 = 1 July 2013
    site_ids: np.ndarray  # the open facilities
    distance: np.ndarray  # metres from each resident point to its nearest open facility
    nearest: np.ndarray  # index into site_ids of that facility


@dataclass(frozen=True, eq=False)
class CategoryAccess:
    category: str
    then: Snapshot | None  # None: no history in the sources ("now" only)
    now: Snapshot
    lost: pd.DataFrame  # facilities lost in the window: site_id, name, closed_year, gss_code
    caveats: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Access:
    start: int
    residents: Residents
    categories: dict[str, CategoryAccess]
    ward_names: dict[str, str]
    borough_names: dict[str, str]


# ---------------------------------------------------------------- residents


def resident_points(lsoas: gpd.GeoDataFrame, postcodes: pd.DataFrame) -> Residents:
    """Each LSOA's population spread equally over the live postcodes inside its polygon (see
    the module's docstring); an LSOA without one, at a representative point."""
    live = postcodes[~postcodes["terminated"].astype(bool)]
    px = live["easting"].to_numpy(dtype=float)
    py = live["northing"].to_numpy(dtype=float)
    polygons = lsoas.geometry.values
    point_i, polygon_i = shapely.STRtree(polygons).query(
        shapely.points(px, py), predicate="intersects"
    )
    point_i, first = np.unique(point_i, return_index=True)  # a point on an edge: once
    polygon_i = polygon_i[first]
    count = np.bincount(polygon_i, minlength=len(lsoas))
    empty = np.flatnonzero(count == 0)
    inside = shapely.point_on_surface(polygons[empty])
    lsoa_i = np.concatenate([polygon_i, empty])
    population = lsoas["population"].to_numpy(dtype=float)
    share = population / np.maximum(count, 1)
    order = np.argsort(lsoa_i, kind="stable")  # grouped by LSOA
    lsoa_i = lsoa_i[order]
    return Residents(
        x=np.concatenate([px[point_i], shapely.get_x(inside)])[order],
        y=np.concatenate([py[point_i], shapely.get_y(inside)])[order],
        population=share[lsoa_i],
        postcode=np.concatenate([live.index.to_numpy()[point_i], np.full(len(empty), "")])[order],
        lsoa_index=lsoa_i,
        areas=lsoas[["lsoa_code", "ward_code", "gss_code"]].reset_index(drop=True),
        fallback_lsoas=tuple(lsoas["lsoa_code"].iloc[empty]),
        postcodes_outside=len(live) - len(point_i),
    )


# ---------------------------------------------------------------- facilities


def category_sites(sites: gpd.GeoDataFrame, category: str) -> gpd.GeoDataFrame:
    """The sites measured for a category: those its recording source lists, or (no
    recording source) every site listed under the category."""
    if category in RECORDING:
        return recorded_sites(sites, [category])
    listed = sites["categories"].str.split("; ").map(lambda cats: category in cats)
    return sites[listed.to_numpy(dtype=bool)]


def then_year(category: str, start: int) -> float | None:
    """When "then" is for a category: the window start, or its source's first recorded date
    if later; None without a history, or if the source ends before the start."""
    recording = RECORDING.get(category)
    if recording is None or start >= recording.window_end:
        return None
    return max(float(start), recording.window_start)


def year_text(year: float) -> str:
    """2010.0 -> '2010'; 2013.5 -> 'July 2013'."""
    whole = int(year)
    month = round((year - whole) * 12) + 1
    return str(whole) if month == 1 else when(f"{whole}-{month:02d}")


def open_then(sites: pd.DataFrame, year: float) -> np.ndarray:
    """Which sites were open at `year` (fractional), from their opening and closure years as
    `losses.exposure` reads them: no opening year or one before `year`, and no closure or one
    whose year ends after `year`."""
    opened = pd.to_numeric(sites["opened_year"], errors="coerce").to_numpy(dtype=float)
    closed = pd.to_numeric(sites["closed_year"], errors="coerce").to_numpy(dtype=float)
    is_closed = sites["status"].eq("closed").to_numpy()
    started = np.isnan(opened) | (opened < year)
    gone = is_closed & (np.isnan(closed) | (closed + 1 <= year))
    return started & ~gone


def open_now(sites: pd.DataFrame) -> np.ndarray:
    return sites["status"].ne("closed").to_numpy()


def now_date(sites: pd.DataFrame, category: str) -> str:
    """The latest date of the category's own source ('2025-04'): its sites' latest status
    date, read from the sites whose main category it is (a library the culture map also lists
    as a community centre does not date the culture map's community centres)."""
    main = sites[sites["category"] == category]
    dates = (main if len(main) else sites)["status_as_of"]
    return str(dates.max()) if len(dates) else ""


def date_year(as_of: str) -> float:
    """'2025-04' -> 2025.25 (1 April), '2023' -> 2023.0; '' -> NaN."""
    year, _, month = as_of.partition("-")
    return int(year) + (int(month) - 1) / 12 if month else float(year or "nan")


# ---------------------------------------------------------------- distances


def nearest(points: np.ndarray, fx: np.ndarray, fy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each point's straight-line distance to the nearest of the facilities at (fx, fy), and
    that facility's index: one STRtree query, no loop. No facility: inf and -1."""
    distance = np.full(len(points), np.inf)
    index = np.full(len(points), -1, dtype=np.int64)
    if len(fx):
        tree = shapely.STRtree(shapely.points(fx, fy))
        (src, hit), dist = tree.query_nearest(points, return_distance=True, all_matches=False)
        distance[src] = dist
        index[src] = hit
    return distance, index


def placed_at(
    sites: gpd.GeoDataFrame, moves: pd.DataFrame | None = None, year: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Each site's easting and northing at `year`: its point (where it is now), or, for a site
    that moved after `year`, the building it left (`Layers.moves`: its first move after then).
    A move in year M is after `year` unless M + 1 <= year, as a closure is read; a move
    without a year (between two lists, all after 2016) is after any "then"."""
    x, y = sites.geometry.x.to_numpy().copy(), sites.geometry.y.to_numpy().copy()
    if moves is None or year is None or moves.empty:
        return x, y
    moved_year = pd.to_numeric(moves["year"], errors="coerce").astype(float)
    later = moves[moved_year.isna() | (moved_year + 1 > year)]
    first = (
        later.assign(_order=moved_year[later.index].fillna(np.inf))
        .sort_values("_order", kind="stable")
        .drop_duplicates("site_id")
    )
    row = pd.Index(sites["site_id"]).get_indexer(first["site_id"])
    found = row >= 0
    x[row[found]] = first["from_easting"].to_numpy(dtype=float)[found]
    y[row[found]] = first["from_northing"].to_numpy(dtype=float)[found]
    return x, y


def _snapshot(points, sites, mask: np.ndarray, xy, label: str, year: float) -> Snapshot:
    distance, index = nearest(points, xy[0][mask], xy[1][mask])
    return Snapshot(label, year, sites["site_id"].to_numpy()[mask], distance, index)


def category_access(
    points: np.ndarray,
    sites: gpd.GeoDataFrame,
    category: str,
    start: int,
    moves: pd.DataFrame | None = None,
) -> CategoryAccess:
    """One category's snapshots then and now, its losses in the window and its caveats. A site
    that moved since then (`moves`) is measured at the building it left then."""
    chosen = category_sites(sites, category)
    as_of = now_date(chosen, category)
    label = when(as_of) if as_of else ""
    now_xy = placed_at(chosen)
    now = _snapshot(points, chosen, open_now(chosen), now_xy, label, date_year(as_of))
    caveats = [f"{category}: 'now' is {label}, the latest date of its source."]
    year = then_year(category, start)
    if year is None:
        why = (
            f"its records end before {start}"
            if category in RECORDING
            else "no source here records openings and closures"
        )
        caveats.append(
            f"{category}: {why}, so only access {'in ' + label if label else 'now'} is known, "
            "not what was lost or gained."
        )
        return CategoryAccess(category, None, now, _lost(chosen.iloc[:0]), tuple(caveats))
    then_xy = placed_at(chosen, moves, year)
    then_open = open_then(chosen, year)
    then = _snapshot(points, chosen, then_open, then_xy, year_text(year), year)
    if year > start:
        caveats.append(
            f"{category}: records start in {then.label}, so 'then' is {then.label}, not {start}."
        )
    unsure = _later_list_only(chosen) & open_then(chosen, year)
    if unsure.any():
        caveats.append(
            f"{int(unsure.sum())} {RECORDING[category].plural} only on later lists, with no "
            f"opening date, count as open in {then.label}, as the loss rates read them."
        )
    if category == "Library":
        moved = then_open & ((then_xy[0] != now_xy[0]) | (then_xy[1] != now_xy[1]))
        caveats.append(
            "Community-run libraries count as open; a library closed and replaced, or moved, "
            "is not a loss: its replacement is measured instead. "
            f"{int(moved.sum())} libraries that moved since {then.label} are measured at the "
            "building they left then and at the one they moved to now, so a move can take "
            "residents beyond walking distance or bring them within it."
        )
    if category == "GP practice":
        caveats.append(
            "Dormant practices are left out: the file gives them no close date, so whether "
            f"they were still open in {then.label} is unknown."
        )
    if category == "Pharmacy":
        caveats.append(
            "A pharmacy that moved nearby is one pharmacy at its latest address, then "
            "and now; distance-selling, hub and appliance contractors nobody walks into are "
            "left out."
        )
    lost = chosen[chosen["lost"].fillna(False).astype(bool) & open_then(chosen, year)]
    return CategoryAccess(category, then, now, _lost(lost), tuple(caveats))


def _later_list_only(sites: pd.DataFrame) -> np.ndarray:
    """Sites with no opening year missing from the category's first list (a library only on
    the 2021 or 2023 list): open since when is not known."""
    first = sites["sources"].map(
        lambda ids: min(SOURCES[SITE_SOURCE_KEYS[i][0]].as_of for i in ids.split("; "))
    )
    opened = pd.to_numeric(sites["opened_year"], errors="coerce")
    return (opened.isna() & (first > first.min())).to_numpy()


def _lost(sites: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site_id": sites["site_id"].to_numpy(),
            "name": sites["name"].to_numpy(),
            "closed_year": sites["closed_year"].astype("Int64").to_numpy(),
            "gss_code": sites["gss_code"].to_numpy(),
            "easting": sites.geometry.x.to_numpy(),
            "northing": sites.geometry.y.to_numpy(),
        }
    )


def compute_access(
    layers: Layers,
    postcodes: pd.DataFrame,
    start: int = DEFAULT_START,
    categories: tuple[str, ...] = ACCESS_CATEGORIES,
) -> Access:
    """Every category's nearest-facility distances for every resident point, then and now."""
    residents = resident_points(layers.lsoas, postcodes)
    points = residents.geometry
    return Access(
        start=start,
        residents=residents,
        categories={
            c: category_access(points, layers.sites, c, start, layers.moves) for c in categories
        },
        ward_names=dict(zip(layers.wards["ward_code"], layers.wards["name"], strict=True)),
        borough_names=layers.borough_names,
    )


# ---------------------------------------------------------------- tables


def _caveats(access: Access, category: str) -> list[str]:
    residents = access.residents
    notes = [STRAIGHT_LINE, PLACED, *access.categories[category].caveats]
    if residents.fallback_lsoas:
        notes.append(
            f"{len(residents.fallback_lsoas)} LSOA(s) with no live postcode inside are placed "
            f"at one point inside the area ({', '.join(residents.fallback_lsoas)})."
        )
    return notes


def _attrs(frame: pd.DataFrame, access: Access, category: str, threshold_m=None) -> pd.DataFrame:
    result = access.categories[category]
    frame.attrs.update(
        category=category,
        then=result.then.label if result.then is not None else None,
        now=result.now.label,
        threshold_m=threshold_m,
        caveats=_caveats(access, category),
    )
    return frame


def _area_keys(access: Access, by: str) -> tuple[np.ndarray, list[str], list[str]]:
    residents = access.residents
    if by == "london":
        return np.zeros(len(residents.x), dtype=np.int64), ["E12000007"], ["London"]
    if by not in LEVELS:
        raise ValueError(f"by must be one of {LEVELS}, not {by!r}")
    column = "ward_code" if by == "ward" else "gss_code"
    keys, inverse = np.unique(residents.areas[column].to_numpy(), return_inverse=True)
    names = access.ward_names if by == "ward" else access.borough_names
    return inverse[residents.lsoa_index], list(keys), [names.get(k, k) for k in keys]


def walking_access(
    access: Access, category: str, threshold_m: float = WALK_M, by: str = "borough"
) -> pd.DataFrame:
    """Residents beyond `threshold_m` of the nearest open facility then and now, and those who
    lost and gained walking access, per `by` ("london", "borough" or "ward").

    Columns: code, name (ward rows also gss_code), residents, beyond_then, beyond_now,
    lost_access (within then, beyond now), gained_access (beyond then, within now), then as
    shares of residents: share_beyond_then, share_beyond_now. Counts are rounded to whole
    residents after summing; without a history the "then", lost and gained columns are NaN."""
    residents = access.residents
    result = access.categories[category]
    key, codes, names = _area_keys(access, by)
    n = len(codes)
    weight = residents.population

    def total(mask: np.ndarray | None) -> np.ndarray:
        return np.bincount(key, weights=weight if mask is None else weight * mask, minlength=n)

    beyond_now = result.now.distance > threshold_m
    people = total(None)
    frame = pd.DataFrame({"code": codes, "name": names})
    if by == "ward":
        frame["gss_code"] = frame["code"].map(
            residents.areas.drop_duplicates("ward_code").set_index("ward_code")["gss_code"]
        )
    frame["residents"] = people.round()
    if result.then is not None:
        beyond_then = result.then.distance > threshold_m
        frame["beyond_then"] = total(beyond_then).round()
        frame["beyond_now"] = total(beyond_now).round()
        frame["lost_access"] = total(~beyond_then & beyond_now).round()
        frame["gained_access"] = total(beyond_then & ~beyond_now).round()
        frame["share_beyond_then"] = total(beyond_then) / people
    else:
        frame["beyond_then"] = np.nan
        frame["beyond_now"] = total(beyond_now).round()
        frame["lost_access"] = np.nan
        frame["gained_access"] = np.nan
        frame["share_beyond_then"] = np.nan
    frame["share_beyond_now"] = total(beyond_now) / people
    return _attrs(frame, access, category, threshold_m)


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The value at which half the weight lies below (the lower one on an exact half)."""
    if not len(values):
        return float("nan")
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def lost_facilities(access: Access, category: str, threshold_m: float = WALK_M) -> pd.DataFrame:
    """Each facility lost in the window: the residents who had it as their nearest then, their
    population-weighted mean and median distance to it then, and how much further their
    nearest open facility is now (extra_mean_m, extra_median_m; negative where a new one is
    nearer), and how many of them lost walking access (within `threshold_m` then, beyond it
    now). Sorted by residents, most first. Empty without a history (attrs say so)."""
    result = access.categories[category]
    lost = result.lost.copy()
    columns = ["residents_nearest", "then_mean_m", "extra_mean_m", "extra_median_m"]
    if result.then is None or lost.empty:
        for column in [*columns, "lost_access"]:
            lost[column] = pd.Series(dtype=float)
        return _attrs(lost, access, category, threshold_m)
    then, now = result.then, result.now
    position = pd.Series(np.arange(len(then.site_ids)), index=then.site_ids)
    had = np.isin(then.nearest, position[lost["site_id"]].to_numpy())  # nearest was lost
    w = access.residents.population[had]
    extra = now.distance[had] - then.distance[had]
    lost_walk = (then.distance[had] <= threshold_m) & (now.distance[had] > threshold_m)
    near = pd.DataFrame(
        {
            "site": then.site_ids[then.nearest[had]],
            "w": w,
            "w_then": w * then.distance[had],
            "w_extra": w * extra,
            "w_lost": w * lost_walk,
            "extra": extra,
        }
    )
    sums = near.groupby("site")[["w", "w_then", "w_extra", "w_lost"]].sum()
    median = near.groupby("site")[["extra", "w"]].apply(
        lambda g: weighted_median(g["extra"].to_numpy(), g["w"].to_numpy())
    )
    figures = pd.DataFrame(
        {
            "residents_nearest": sums["w"],
            "then_mean_m": sums["w_then"] / sums["w"],
            "extra_mean_m": sums["w_extra"] / sums["w"],
            "extra_median_m": median,
            "lost_access": sums["w_lost"],
        }
    )
    figures = figures.reindex(lost["site_id"]).set_axis(lost.index)
    figures[["residents_nearest", "lost_access"]] = figures[
        ["residents_nearest", "lost_access"]
    ].fillna(0.0)  # nobody had it as their nearest
    lost = pd.concat([lost, figures.round(0)], axis=1)
    lost = lost.sort_values("residents_nearest", ascending=False, kind="stable")
    return _attrs(lost.reset_index(drop=True), access, category, threshold_m)


def resident_distances(access: Access, category: str) -> pd.DataFrame:
    """Per LSOA: residents and their population-weighted mean straight-line distance to the
    nearest open facility then (NaN without a history) and now, in metres."""
    residents = access.residents
    result = access.categories[category]
    key, weight = residents.lsoa_index, residents.population
    n = len(residents.areas)
    people = np.bincount(key, weights=weight, minlength=n)
    frame = pd.DataFrame({"lsoa_code": residents.areas["lsoa_code"], "residents": people.round()})
    for name, snap in (("then", result.then), ("now", result.now)):
        frame[f"{name}_mean_m"] = (
            np.bincount(key, weights=weight * snap.distance, minlength=n) / people
            if snap is not None
            else np.nan
        )
    return _attrs(frame, access, category)


def ward_shares(access: Access, threshold_m: float = WALK_M) -> pd.DataFrame:
    """The needs index's access input: per ward and category, the share of residents beyond
    `threshold_m` of the nearest open facility now (ward_code, category, share_beyond)."""
    frames = []
    for category in access.categories:
        table = walking_access(access, category, threshold_m, by="ward")
        frames.append(
            pd.DataFrame(
                {
                    "ward_code": table["code"].to_numpy(),
                    "category": category,
                    "share_beyond": table["share_beyond_now"].to_numpy(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
