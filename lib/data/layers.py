"""Load the built layers of geodata/london.gpkg, and the site filters every view shares.

The layers are read once per process (the UI caches `load_layers`) and treated as read-only.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from lib.vocab.categories import STATUS_LABELS, STATUSES
from lib.vocab.policies import POLICIES
from lib.vocab.schema import LAYERS

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_GPKG = REPO_ROOT / "geodata" / "london.gpkg"
GEO_LAYERS = ["boroughs", "wards", "lsoas", "policy_areas", "sites", "records", "voluntary_points"]
TABLE_LAYERS = ["voluntary_wards", "grants_by_year", "pubs_by_borough", "build_report"]
MOVE_COLUMNS = ["site_id", "year", "from_easting", "from_northing"]

SOURCE_LABELS = {  # source id -> (label, short label for map tooltips)
    "cim_2022": ("GLA Cultural Infrastructure Map 2022", "Culture map 2022"),
    "libraries_2016": ("DCMS libraries list 2016", "Libraries 2016"),
    "epraccur_2019": ("NHS ODS GP practices 2019", "NHS GP list 2019"),
    "mapping_museums": ("Mapping Museums (Birkbeck)", "Mapping Museums"),
    "osm_2020": ("OpenStreetMap 2020", "OSM 2020"),
    "libraries_2021": ("Libraries list, January 2021", "Libraries 2021"),
    "libraries_2023": ("Public libraries list 2023", "Libraries 2023"),
    "pharmacies_2025": ("NHS ODS pharmacies, April 2025", "NHS pharmacies 2025"),
    "dental_2016": ("NHS ODS dental practices 2016", "NHS dental list 2016"),
}


class DataMissing(Exception):
    """The built GeoPackage is not there (or not complete): say how to build it."""


def gpkg_path() -> Path:
    return Path(os.environ.get("JOINED_UP_GPKG", DEFAULT_GPKG))


@dataclass(frozen=True)
class Layers:
    boroughs: gpd.GeoDataFrame
    wards: gpd.GeoDataFrame
    lsoas: gpd.GeoDataFrame
    policy_areas: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    voluntary_points: gpd.GeoDataFrame
    voluntary_wards: pd.DataFrame
    grants_by_year: pd.DataFrame
    pubs_by_borough: pd.DataFrame
    build_report: pd.DataFrame
    # The NHS codes behind the health sites, each with its rule (empty in tests that make
    # their own layers without it).
    records: gpd.GeoDataFrame = field(default_factory=gpd.GeoDataFrame)
    # The events that moved a site from a building a source places: site_id, year,
    # from_easting, from_northing (where it was before; the site's point is where it went).
    moves: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MOVE_COLUMNS))

    @property
    def borough_names(self) -> dict[str, str]:
        return dict(zip(self.boroughs["gss_code"], self.boroughs["name"], strict=True))


def load_layers(path: Path | None = None) -> Layers:
    path = Path(path or gpkg_path())
    if not path.exists():
        raise DataMissing(f"The built data {path} is missing. Build it with `make data`.")
    _check_schema(path)
    frames = {name: gpd.read_file(path, layer=name) for name in GEO_LAYERS}
    frames.update(
        {
            name: pyogrio.read_dataframe(path, layer=name, read_geometry=False)
            for name in TABLE_LAYERS
        }
    )
    sites = frames["sites"]
    for column in ["opened_year", "on_record_since", "closed_year"]:
        sites[column] = sites[column].astype("Int64")
    moves = pyogrio.read_dataframe(
        path,
        layer="events",
        read_geometry=False,
        columns=MOVE_COLUMNS,
        where="event = 'moved' AND from_easting IS NOT NULL",
    )
    moves["year"] = moves["year"].astype("Int64")
    return Layers(**frames, moves=moves)


CHANGE_OF_OWNER_TIGHT_DAYS = 7
# The rules whose records, undone, are facilities of their own from their opening; the host
# site then starts where the record's successor opened (a change of owner, a move). A parallel
# code was open beside its host, so the host keeps its years.
_SUCCEEDED = ("change_of_owner", "moved")


def without_rule(sites: gpd.GeoDataFrame, records: gpd.GeoDataFrame, rule: str) -> gpd.GeoDataFrame:
    """The sites as they would be without one of the build's record rules (lib/vocab/rules.py):
    each record the rule folded away or left out becomes a site of its own (closed and lost
    if it closed), and a site whose earlier code it was starts at its successor's opening; a
    contract end, the site's own last record, is its loss. The change-of-owner rule is
    tightened to a week instead (its successors open a median of one day after the close)."""
    chosen = records[records["rule"] == rule]
    if rule == "change_of_owner":  # tightened, not undone (lib/vocab/rules.py)
        opened_on = pd.to_datetime(records.set_index("code")["opened"], errors="coerce")
        gap = pd.to_datetime(chosen["next_code"].map(opened_on)) - pd.to_datetime(chosen["closed"])
        chosen = chosen[gap.dt.days.abs() > CHANGE_OF_OWNER_TIGHT_DAYS]
    if rule == "contract_end":
        result = sites.copy()
        result.loc[result["site_id"].isin(chosen["site_id"]), "lost"] = True
        return result
    opened = pd.to_datetime(records["opened"], errors="coerce")
    closed = pd.to_datetime(records["closed"].replace("", None), errors="coerce")
    since = records["note"].str.startswith("open date is the file's date")
    extra = gpd.GeoDataFrame(
        {
            "site_id": "record-" + chosen["code"],
            "name": chosen["name"],
            "category": chosen["category"],
            "categories": chosen["category"],
            "sources": chosen["source"],
            "status": closed[chosen.index].notna().map({True: "closed", False: "open"}),
            "opened_year": opened[chosen.index].dt.year.where(~since[chosen.index]).astype("Int64"),
            "closed_year": closed[chosen.index].dt.year.astype("Int64"),
            "lost": closed[chosen.index].notna(),
            "closure": closed[chosen.index].notna().map({True: "closed", False: ""}),
            **{
                c: chosen[c]
                for c in chosen.columns
                if c.startswith("in_") or c.endswith("_code") and c != "next_code"
            },
            "dist_town_centre_m": chosen["dist_town_centre_m"],
            "town_centre_class": chosen["town_centre_class"],
        },
        geometry=chosen.geometry,
        crs=records.crs,
    )
    result = sites.copy()
    if rule in _SUCCEEDED:
        by_code = opened.dt.year.set_axis(records["code"])
        starts = (
            chosen.assign(_start=chosen["next_code"].map(by_code))
            .groupby("site_id")["_start"]
            .max()
        )
        hosts = result["site_id"].isin(starts.index)
        result.loc[hosts, "opened_year"] = result.loc[hosts, "site_id"].map(starts).astype("Int64")
    return pd.concat([result, extra[extra.columns.intersection(result.columns)]], ignore_index=True)


def _check_schema(path: Path) -> None:
    """A GeoPackage from an older build (a layer or column missing, or one more than
    lib/vocab/schema.py describes) is rebuilt, not half read."""
    present = set(pyogrio.list_layers(path)[:, 0])
    missing = [name for name in LAYERS if name not in present]
    if missing:
        raise DataMissing(
            f"{path} lacks the layer(s) {', '.join(missing)}: rebuild it with `make data`."
        )
    for name, layer in LAYERS.items():
        fields = list(pyogrio.read_info(path, layer=name)["fields"])
        if fields != layer.column_names:
            raise DataMissing(
                f"{path} has other columns in {name} than this version of the app "
                "reads (lib/vocab/schema.py): rebuild it with `make data`."
            )


def load_postcodes(path: Path | None = None) -> pd.DataFrame:
    """The build's `postcodes` layer, indexed by postcode without spaces (SE17PB): easting,
    northing (EPSG:27700), gss_code, terminated."""
    path = Path(path or gpkg_path())
    table = pyogrio.read_dataframe(path, layer="postcodes", read_geometry=False)
    return table.set_index("postcode")


@dataclass(frozen=True)
class SiteFilter:
    """What the user asked to see. Hashable, so cached functions can key on it."""

    groups: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    boroughs: tuple[str, ...] = ()  # GSS codes
    closed_from: int | None = None
    closed_to: int | None = None

    def describe(self, borough_names: dict[str, str]) -> str:
        parts = [", ".join(self.groups) or "All facilities"]
        if self.categories:
            parts.append(", ".join(self.categories))
        if self.statuses and set(self.statuses) != set(STATUSES):
            parts.append(" and ".join(STATUS_LABELS[s].lower() for s in self.statuses))
        if self.boroughs:
            parts.append("in " + ", ".join(borough_names.get(c, c) for c in self.boroughs))
        if self.closed_from is not None or self.closed_to is not None:
            parts.append(f"closures {self.closed_from or '…'}–{self.closed_to or '…'}")
        return " · ".join(parts)

    def file_name(self, borough_names: dict[str, str], suffix: str) -> str:
        """A download's name, saying its filter: joined-up-london-sites-health-closed-hackney.csv
        (…-all.csv unfiltered)."""
        parts = [*self.groups, *self.categories]
        if self.statuses and set(self.statuses) != set(STATUSES):
            parts += [STATUS_LABELS[s] for s in self.statuses]
        parts += [borough_names.get(c, c) for c in self.boroughs]
        if self.closed_from is not None or self.closed_to is not None:
            parts.append(f"closed-{self.closed_from or ''}-{self.closed_to or ''}")
        slug = re.sub(r"[^a-z0-9]+", "-", " ".join(parts).lower()).strip("-")[:120] or "all"
        return f"joined-up-london-sites-{slug}.{suffix}"


def filter_sites(sites: gpd.GeoDataFrame, f: SiteFilter) -> gpd.GeoDataFrame:
    """Sites matching every chosen filter; an empty choice means no restriction.

    A category matches any of a merged site's categories (a pub that is also a music venue is
    found under both). The closure-year range restricts closed sites only.
    """
    keep = pd.Series(True, index=sites.index)
    if f.groups:
        keep &= sites["category_group"].isin(f.groups)
    if f.categories:
        wanted = set(f.categories)
        keep &= sites["categories"].str.split("; ").map(lambda cats: bool(wanted & set(cats)))
    if f.statuses:
        keep &= sites["status"].isin(f.statuses)
    if f.boroughs:
        keep &= sites["gss_code"].isin(f.boroughs)
    closed = sites["status"].eq("closed")
    year = sites["closed_year"]
    if f.closed_from is not None:
        keep &= ~closed | year.ge(f.closed_from).fillna(False)
    if f.closed_to is not None:
        keep &= ~closed | year.le(f.closed_to).fillna(False)
    return sites[keep]


def sites_per_10k(sites: gpd.GeoDataFrame, boroughs: gpd.GeoDataFrame) -> pd.DataFrame:
    """Open sites per 10,000 residents by borough (every borough, zero where none)."""
    counts = sites[sites["status"] == "open"].groupby("gss_code").size()
    table = boroughs[["gss_code", "name", "population"]].copy()
    table["sites"] = table["gss_code"].map(counts).fillna(0).astype(int)
    table["per_10k"] = (table["sites"] / table["population"] * 10_000).round(2)
    return table


def source_labels(sources: str, short: bool = False) -> str:
    return "; ".join(
        SOURCE_LABELS[s][short] if s in SOURCE_LABELS else s for s in sources.split("; ")
    )


_NOT_A_LOSS = re.compile(r"[:;,]?\s*not counted as a loss\.?$", re.IGNORECASE)


HISTORY_COLUMNS = [
    "status",
    "closed_year",
    "lost",
    "closure_note",
    "community_run_year",
    "opened_year",
    "changes",
    "on_record_since",
    "status_as_of",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def when(as_of: str) -> str:
    """A source's date in words: '2016-04' -> 'April 2016', '2023' -> '2023'."""
    year, _, month = str(as_of).partition("-")
    return f"{MONTHS[int(month) - 1]} {year}" if month else year


def history_text(
    status, closed, lost, note, community_since, opened, changes, on_record=None, as_of=""
) -> str:
    """A site's history in a line, for tooltips and tables, with the date its status is known
    at: 'Open in April 2016 (on record since 2006)', 'Closed 2014 (opened 1990)', 'Closed
    2015, not a loss: Replaced by Greenwich Central Library', 'Community-run since 2016, in
    2023', 'Open in April 2025; 2 changes of owner or merger'."""
    note = _NOT_A_LOSS.sub("", note if isinstance(note, str) else "").strip()
    since = (
        f"opened {int(opened)}"
        if pd.notna(opened)
        else f"on record since {int(on_record)}"
        if pd.notna(on_record)
        else ""
    )
    known = f" in {when(as_of)}" if isinstance(as_of, str) and as_of else ""
    if status == "closed":
        text = "Closed" + (f" {int(closed)}" if pd.notna(closed) else "")
        if not bool(lost):
            text += (
                (f" ({since})" if since else "") + ", not a loss" + (f": {note}" if note else "")
            )
        elif since or note:
            text += f" ({'; '.join(p for p in (since, note) if p)})"
    else:
        text = "Open" if status != "community_run" else "Community-run"
        if status == "community_run" and pd.notna(community_since):
            text += f" since {int(community_since)}" + ("," if known else "")
        text += known + (f" ({since})" if since else "")
    changes = int(changes) if pd.notna(changes) else 0
    if changes:
        text += f"; {changes} change{'s' if changes > 1 else ''} of owner or merger"
    return text


def history_texts(sites: pd.DataFrame) -> list[str]:
    """history_text of every row of a sites frame, in order."""
    return [history_text(*row) for row in zip(*(sites[c] for c in HISTORY_COLUMNS), strict=True)]


def sites_table(sites: gpd.GeoDataFrame, borough_names: dict[str, str]) -> pd.DataFrame:
    """The filtered sites as a plain table for display and CSV download."""
    return pd.DataFrame(
        {
            "site_id": sites["site_id"],
            "name": sites["name"],
            "category": sites["categories"],
            "group": sites["category_group"],
            "status": sites["status"],
            "status_as_of": sites["status_as_of"],
            "lost": sites["lost"],
            "history": history_texts(sites),
            "opened_year": sites["opened_year"],
            "on_record_since": sites["on_record_since"],
            "closed_year": sites["closed_year"],
            "borough": sites["gss_code"].map(borough_names),
            "ward_code": sites["ward_code"],
            "lsoa_code": sites["lsoa_code"],
            **{p.flag: sites[p.flag] for p in POLICIES.values() if p.flag},
            "dist_town_centre_m": sites["dist_town_centre_m"],
            "source": sites["sources"].map(source_labels),
            "licence": sites["licence"],
            "easting": sites.geometry.x.round(1),
            "northing": sites.geometry.y.round(1),
        }
    ).reset_index(drop=True)


def sites_download(table: pd.DataFrame, selection: str) -> pd.DataFrame:
    """The filtered table for a CSV download. Each row's `filter` column names the view that
    made the file, so a forwarded or renamed file still says what it holds."""
    return table.assign(filter=selection)


def sites_geojson(
    sites: gpd.GeoDataFrame, borough_names: dict[str, str], selection: str = "", name: str = ""
) -> str:
    """GeoJSON (WGS84, as RFC 7946 asks) of the filtered sites, with the table's columns. The
    view that made it is the collection's `name` and `description` (foreign members GDAL reads
    as the layer's name and description)."""
    table = sites_table(sites, borough_names).drop(columns=["easting", "northing"])
    frame = gpd.GeoDataFrame(table, geometry=sites.geometry.to_crs(4326).values, crs=4326)
    for column in ["opened_year", "on_record_since", "closed_year"]:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    collection = {"type": "FeatureCollection", "name": name, "description": selection}
    collection["features"] = json.loads(frame.to_json(drop_id=True))["features"]
    return json.dumps(collection, ensure_ascii=False)


def geopackage_bytes(frames: dict[str, gpd.GeoDataFrame]) -> bytes:
    """Several layers as one GeoPackage file's bytes (a download for QGIS), in their CRS."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "download.gpkg"
        for name, frame in frames.items():
            frame.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
        return path.read_bytes()
