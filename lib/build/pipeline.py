"""Build geodata/london.gpkg from the raw inputs.

    python -m lib.build --source DIR --out geodata/london.gpkg

Deterministic: the same inputs give the same rows in the same order. Every step records what it
read, kept, repaired and dropped in the `build_report` layer. A missing or malformed input stops
the build with a message naming the file; the output is written to a temporary file and only
renamed into place when every layer is written.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer
from shapely import make_valid

from lib.build import geopackage, integrity, summary
from lib.build import gp as gp_rules
from lib.build import merge as merging
from lib.build.history import EVENT_COLUMNS, event, events_frame, site_states
from lib.build.lost_more import read_dental, read_library_history, read_pharmacies
from lib.vocab.categories import SITE_CATEGORIES
from lib.vocab.funders import FUNDER_TYPES, VOLUNTARY, funder_type
from lib.vocab.policies import POLICIES, TOWN_CENTRE_CLASSES
from lib.vocab.sources import SOURCES

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"
# England-wide IMD 2019 ranks run 1..32,844; the 20% most deprived are rank <= 6,568.
REGEN_MAX_RANK = 6568
# A point this close outside every LSOA (on the Thames edge, a pier) is placed in the nearest one.
SNAP_METRES = 250

CIM_CATEGORIES = {  # file stem -> (category, category group)
    "Arts_centres": ("Arts centre", "Culture & heritage"),
    "Cinemas": ("Cinema", "Culture & heritage"),
    "Commercial_galleries": ("Commercial gallery", "Culture & heritage"),
    "Community_centres": ("Community centre", "Community & libraries"),
    "Dance_performance_venues": ("Dance performance venue", "Culture & heritage"),
    "LGBT_night_time_venues": ("LGBTQ+ night-time venue", "Music & nightlife"),
    "Libraries": ("Library", "Community & libraries"),
    "Museums_and_public_galleries": ("Museum or public gallery", "Culture & heritage"),
    "Music_venues_all": ("Music venue", "Music & nightlife"),
    "Music_venues_grassroots": ("Grassroots music venue", "Music & nightlife"),
    "Outdoor_spaces_for_cultural_use": ("Outdoor cultural space", "Culture & heritage"),
    "Pubs": ("Pub", "Pubs"),
    "Skate_Parks": ("Skate park", "Community & libraries"),
    "Theatres": ("Theatre", "Culture & heritage"),
}
# When one venue is in several culture-map files, its main category is the most specific one.
CATEGORY_PRIORITY = list(SITE_CATEGORIES[: SITE_CATEGORIES.index("Pub") + 1])
# How each culture-map file's coordinates are repaired (see MANIFEST.md, measured in tests).
CIM_COORD_FIX = {
    "Arts_centres": "latlon",
    "Dance_performance_venues": "latlon",
    "LGBT_night_time_venues": "latlon_double_shift_undone",
    "Theatres": "latlon_double_shift_undone",
}
CIM_DEFAULT_FIX = "bng"
CIM_EXPECTED_FILES = len(CIM_CATEGORIES)

# Site flags joined from policy polygons; in_regen_area comes from the site's LSOA instead.
POLICY_FLAGS = {k: p.flag for k, p in POLICIES.items() if p.flag and k != "regeneration_area"}
TOWN_CENTRE_ORDER = [*TOWN_CENTRE_CLASSES, "Unclassified"]
SITE_COLUMNS = [
    "site_id",
    "name",
    "category",
    "category_group",
    "categories",
    "status",
    "opened_year",
    "closed_year",
    "sources",
    "licence",
    "gss_code",
    "ward_code",
    "lsoa_code",
    "in_town_centre",
    "town_centre_class",
    "in_caz",
    "in_opportunity_area",
    "in_sil",
    "in_creative_enterprise_zone",
    "in_regen_area",
    "dist_town_centre_m",
    "coord_fix",
    # from the events (lib/build/history.py): how the closure in force happened, whether it is
    # a loss, since when the site is community-run, changes of owner, the source's note
    "closure",
    "lost",
    "community_run_year",
    "changes",
    "closure_note",
    "geometry",
]
# New categories of issue 9 and the window over which each source records closures.
RECORDING_WINDOWS = {  # category -> (first year, last year) of recorded closures
    "Library": (2010, 2023),
    "GP practice": (2013, 2019),
    "Museum or public gallery": (1945, 2022),
    "Pharmacy": (2004, 2025),
    "Dental practice": (2006, 2016),
}


class InputError(Exception):
    """A raw input is missing or not in the expected form."""


@dataclass
class Report:
    rows: list[dict] = field(default_factory=list)

    def add(self, step, source, rows_in, rows_out, repaired=0, dropped=0, note=""):
        self.rows.append(
            dict(
                step=step,
                source=source,
                rows_in=int(rows_in),
                rows_out=int(rows_out),
                repaired=int(repaired),
                dropped=int(dropped),
                note=note,
            )
        )

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            self.rows,
            columns=["step", "source", "rows_in", "rows_out", "repaired", "dropped", "note"],
        )


# ---------------------------------------------------------------- reading inputs


def source_path(source_dir: Path, key: str) -> Path:
    src = SOURCES[key]
    path = source_dir / src.path
    if not path.exists():
        raise InputError(
            f"Missing input {path}: expected {src.title} ({src.publisher}). "
            f"Download it from {src.upstream} or point --source / GEODATA_SOURCE at the folder "
            "that holds it."
        )
    return path


def require_columns(frame: pd.DataFrame, columns, path: Path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"Malformed input {path}: missing column(s) {', '.join(map(str, missing))}"
        )


def read_csv(source_dir: Path, key: str, columns, **kwargs) -> pd.DataFrame:
    path = source_path(source_dir, key)
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig", **kwargs)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"Malformed input {path}: not a readable CSV ({exc})") from exc
    require_columns(frame, columns, path)
    return frame


def read_layer(source_dir: Path, key: str, columns, path: Path | None = None) -> gpd.GeoDataFrame:
    path = path or source_path(source_dir, key)
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputError(f"Malformed input {path}: not a readable vector file ({exc})") from exc
    require_columns(frame, columns, path)
    if frame.empty:
        raise InputError(f"Malformed input {path}: no features")
    # A truncated shapefile still opens, with the features past the cut left without geometry.
    missing = int((frame.geometry.isna() | frame.geometry.is_empty).sum())
    if missing:
        raise InputError(
            f"Malformed input {path}: {missing} of {len(frame)} features have no "
            "geometry (truncated or damaged file?)"
        )
    return frame


def repair(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, int]:
    invalid = ~frame.geometry.is_valid
    if invalid.any():
        frame = frame.copy()
        frame.loc[invalid, "geometry"] = make_valid(frame.geometry[invalid].values)
    return frame, int(invalid.sum())


def stable_id(prefix: str, *parts) -> str:
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:10]
    return f"{prefix}-{digest}"


MOJIBAKE = re.compile("Ã|â€|Â")


def repair_text(text: str) -> str:
    """Undo UTF-8 read as Windows-1252 ("CafÃ©" -> "Café"); other text is left as it is."""
    if not MOJIBAKE.search(text):
        return text
    try:
        return text.encode("cp1252").decode("utf-8")
    except UnicodeError:
        return text


def normalise_name(name: str) -> str:
    name = re.sub(r"[^a-z0-9 ]", " ", str(name).lower().replace("&", " and "))
    return " ".join(name.split())


# ---------------------------------------------------------------- areas


def build_lsoas(src: Path, report: Report) -> gpd.GeoDataFrame:
    path = source_path(src, "lsoas")
    raw = read_layer(src, "lsoas", ["LSOA11CD", "LSOA11NM", "LAD11CD"], path)
    # The .prj is ESRI WKT that pyproj cannot map to an EPSG code.
    raw = raw.set_crs(BNG, allow_override=True)
    raw, fixed = repair(raw)
    imd_columns = {
        "geography code": "lsoa_code",
        "Index of Multiple Deprivation (IMD) Score": "imd_score",
        "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)": "imd_rank",
        "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)": "imd_decile",
    }
    # Check the columns as the file names them, so a message names what is missing from the file.
    imd = read_csv(src, "imd", list(imd_columns)).rename(columns=imd_columns)
    pop = read_csv(src, "lsoa_population", ["LSOA11CD", "Persons_All-Ages"])
    lookup = read_csv(src, "ward_lookup", ["LSOA11CD", "WD17CD", "WD17NM", "LAD17CD"])
    lsoas = (
        raw.rename(columns={"LSOA11CD": "lsoa_code", "LSOA11NM": "name", "LAD11CD": "gss_code"})
        .merge(
            imd[["lsoa_code", "imd_score", "imd_rank", "imd_decile"]], on="lsoa_code", how="left"
        )
        .merge(
            pop.rename(columns={"LSOA11CD": "lsoa_code", "Persons_All-Ages": "population"})[
                ["lsoa_code", "population"]
            ],
            on="lsoa_code",
            how="left",
        )
        .merge(
            lookup.rename(columns={"LSOA11CD": "lsoa_code", "WD17CD": "ward_code"})[
                ["lsoa_code", "ward_code"]
            ],
            on="lsoa_code",
            how="left",
        )
    )
    for column, what in [
        ("imd_rank", "IMD 2019"),
        ("population", "mid-2020 population"),
        ("ward_code", "a 2017 ward in the lookup"),
    ]:
        if lsoas[column].isna().any():
            codes = ", ".join(lsoas.loc[lsoas[column].isna(), "lsoa_code"].head(5))
            raise InputError(f"LSOAs without {what}: {codes}")
    lsoas["population"] = lsoas["population"].astype(int)
    lsoas["imd_rank"] = lsoas["imd_rank"].astype(int)
    lsoas["imd_decile"] = lsoas["imd_decile"].astype(int)
    lsoas["regen_area"] = lsoas["imd_rank"] <= REGEN_MAX_RANK
    report.add(
        "lsoas",
        "lsoas",
        len(raw),
        len(lsoas),
        repaired=fixed,
        note=f"{fixed} invalid geometries repaired with make_valid; "
        f"{int(lsoas.regen_area.sum())} LSOAs in the 20% most deprived in England "
        "(Areas for Regeneration)",
    )
    columns = [
        "lsoa_code",
        "name",
        "gss_code",
        "ward_code",
        "population",
        "imd_score",
        "imd_rank",
        "imd_decile",
        "regen_area",
        "geometry",
    ]
    return lsoas[columns].sort_values("lsoa_code", ignore_index=True)


def build_wards(src: Path, lsoas: gpd.GeoDataFrame, report: Report) -> gpd.GeoDataFrame:
    lookup = read_csv(src, "ward_lookup", ["WD17CD", "WD17NM", "LAD17CD"])
    names = lookup.drop_duplicates("WD17CD").set_index("WD17CD")
    wards = lsoas.dissolve(by="ward_code", aggfunc={"population": "sum"}).reset_index()
    wards["name"] = wards["ward_code"].map(names["WD17NM"])
    wards["gss_code"] = wards["ward_code"].map(names["LAD17CD"])
    report.add(
        "wards",
        "ward_lookup",
        lsoas["ward_code"].nunique(),
        len(wards),
        note="2017 wards dissolved from LSOAs on the best-fit lookup",
    )
    columns = ["ward_code", "name", "gss_code", "population", "geometry"]
    return wards[columns].sort_values("ward_code", ignore_index=True)


def build_boroughs(src: Path, lsoas: gpd.GeoDataFrame, report: Report) -> gpd.GeoDataFrame:
    raw = read_layer(src, "boroughs", ["NAME", "GSS_CODE", "HECTARES", "ONS_INNER"])
    if raw.crs is None:
        raise InputError(f"Malformed input {source_path(src, 'boroughs')}: no CRS declared")
    raw = raw.to_crs(BNG)
    pop = read_csv(src, "borough_population", ["gss_code", "year", "Persons_All-Ages"])
    pop = pop[pop["year"] == 2020].set_index("gss_code")["Persons_All-Ages"]
    boroughs = raw.rename(columns={"NAME": "name", "GSS_CODE": "gss_code", "HECTARES": "area_ha"})
    boroughs["inner"] = boroughs["ONS_INNER"].eq("T")
    boroughs["population"] = boroughs["gss_code"].map(pop)
    if boroughs["population"].isna().any():
        missing = ", ".join(boroughs.loc[boroughs.population.isna(), "name"])
        raise InputError(f"No mid-2020 population for borough(s): {missing}")
    boroughs["population"] = boroughs["population"].astype(int)
    lsoa_total = lsoas.groupby("gss_code")["population"].sum()
    gap = int((boroughs.set_index("gss_code")["population"] - lsoa_total).abs().max())
    report.add(
        "boroughs",
        "boroughs",
        len(raw),
        len(boroughs),
        note=f"mid-2020 population; largest borough-vs-LSOA population gap {gap}",
    )
    columns = ["gss_code", "name", "inner", "area_ha", "population", "geometry"]
    return boroughs[columns].sort_values("gss_code", ignore_index=True)


# ---------------------------------------------------------------- London Plan layers


# When each policy's areas were designated, and where the date comes from (checked per file).
# policy -> (year, date, source of the date); None = per row, from the file. A year is left
# null where the file's only date is when the record was added or the Plan that restated the
# place, not when the place was designated (the CAZ, SILs and town centres all predate it).
POLICY_VINTAGE = {
    "town_centre": (
        None,
        "",
        "no designation date: the London Plan 2021 (Annex 1) restated a network of centres "
        "designated in earlier plans",
    ),
    "caz": (
        None,
        "",
        "no designation date: the file's firstaddeddate (2018-06-04) is when the record was "
        "added, and the CAZ predates it",
    ),
    "opportunity_area": None,  # extrainfo3 "Adopted date:YYYY[MMDD]" per area
    "sil": (
        None,
        "",
        "no designation date: the file's firstaddeddate (2017-01-01) is when the record was "
        "added, and SILs predate it",
    ),
    "creative_enterprise_zone": (
        2018,
        "2018-12-14",
        "first six Creative Enterprise Zones "
        "announced by the Mayor on 14 December 2018 (the file has no "
        "date)",
    ),
    "area_of_intensification_2015": (
        2015,
        "2015-03-10",
        "Further Alterations to the London Plan, March 2015 (the file's source 'FALP March 2015')",
    ),
    "regeneration_area": (
        2019,
        "2019-09-26",
        "English Indices of Deprivation 2019, published "
        "26 September 2019 (London Plan 2021 policy SD10)",
    ),
}
ADOPTED = re.compile(r"Adopted date:\s*(\d{4})(\d{2})?(\d{2})?")


def designation_dates(policy: str, raw: pd.DataFrame) -> pd.DataFrame:
    """designated_year, designated_date and designated_source for one policy's rows."""
    vintage = POLICY_VINTAGE[policy]
    if vintage is not None:
        year, date, source = vintage
        return pd.DataFrame(
            {"designated_year": year, "designated_date": date, "designated_source": source},
            index=raw.index,
        )
    found = (
        raw.get("extrainfo3", pd.Series("", index=raw.index))
        .fillna("")
        .astype(str)
        .str.extract(ADOPTED)
    )
    date = found[0].where(found[0].notna(), "") + np.where(
        found[1].notna(), "-" + found[1].fillna("") + "-" + found[2].fillna("01"), ""
    )
    return pd.DataFrame(
        {
            "designated_year": pd.to_numeric(found[0], errors="coerce").astype("Int64"),
            "designated_date": date,
            "designated_source": np.where(
                found[0].notna(),
                "the file's extrainfo3 'Adopted date' "
                "(the boundary's adoption by the planning authority)",
                "no adoption date in the file",
            ),
        },
        index=raw.index,
    )


def build_policy_areas(src: Path, lsoas: gpd.GeoDataFrame, report: Report) -> gpd.GeoDataFrame:
    layers = []
    for key, policy in [
        ("town_centres", "town_centre"),
        ("caz", "caz"),
        ("opportunity_areas", "opportunity_area"),
        ("sil", "sil"),
        ("creative_enterprise_zones", "creative_enterprise_zone"),
        ("intensification_2015", "area_of_intensification_2015"),
    ]:
        raw = read_layer(src, key, ["sitename", "borough"])
        frame = raw.to_crs(BNG)
        frame, fixed = repair(frame)
        classification = frame.get("classification", pd.Series("", index=frame.index))
        dates = designation_dates(policy, frame)
        frame = gpd.GeoDataFrame(
            {
                "policy": policy,
                "name": frame["sitename"].fillna("").astype(str).str.strip(),
                "classification": classification.fillna("").astype(str).str.strip(),
                "borough": frame["borough"].fillna("").astype(str).str.strip(),
                **{column: dates[column] for column in dates.columns},
            },
            geometry=frame.geometry,
            crs=BNG,
        )
        dropped, note = 0, ""
        if policy == "opportunity_area":
            olspg = frame["name"].eq("OLSPG boundary")
            dropped, note = int(olspg.sum()), "OLSPG boundary row is not an Opportunity Area"
            frame = frame[~olspg]
        if policy == "town_centre":
            frame["classification"] = frame["classification"].replace(
                {"District Centre": "District", "Local Centre": "Local"}
            )
        if policy == "caz":
            frame["name"] = "Central Activities Zone (" + frame["borough"] + ")"
        years = frame["designated_year"].dropna().astype(int)
        span = (
            (f"{years.min()}" if years.min() == years.max() else f"{years.min()}-{years.max()}")
            if len(years)
            else "unknown"
        )
        note = "; ".join(
            filter(None, [note, f"designated {span} ({frame['designated_source'].iloc[0]})"])
        )
        report.add(
            "policy_areas", key, len(raw), len(frame), repaired=fixed, dropped=dropped, note=note
        )
        layers.append(frame)
    regen = lsoas[lsoas["regen_area"]].dissolve(by="gss_code").reset_index()
    vintage = POLICY_VINTAGE["regeneration_area"]
    assert vintage is not None
    year, date, source = vintage
    layers.append(
        gpd.GeoDataFrame(
            {
                "policy": "regeneration_area",
                "name": "Area for Regeneration",
                "classification": "LSOAs in the 20% most deprived in England (IMD 2019)",
                "borough": regen["gss_code"],
                "designated_year": year,
                "designated_date": date,
                "designated_source": source,
            },
            geometry=regen.geometry,
            crs=BNG,
        )
    )
    report.add(
        "policy_areas",
        "imd",
        int(lsoas["regen_area"].sum()),
        len(regen),
        note="Areas for Regeneration: regeneration LSOAs dissolved per borough",
    )
    areas = pd.concat(layers, ignore_index=True)
    areas["designated_year"] = areas["designated_year"].astype("Int64")
    return areas


# ---------------------------------------------------------------- sites


def cim_points(frame: pd.DataFrame, fix: str) -> gpd.GeoSeries:
    if fix == "bng":
        return gpd.GeoSeries(gpd.points_from_xy(frame.easting, frame.northing), crs=BNG)
    lon, lat = frame.longitude.to_numpy(), frame.latitude.to_numpy()
    if fix == "latlon_double_shift_undone":
        # The WGS84 -> OSGB36 datum shift was applied twice; undo one of them.
        lon, lat = Transformer.from_crs(WGS84, "EPSG:4277", always_xy=True).transform(lon, lat)
    return gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=WGS84).to_crs(BNG)


def read_cim(src: Path, report: Report) -> gpd.GeoDataFrame:
    folder = source_path(src, "cim")
    frames = []
    for stem, (category, group) in CIM_CATEGORIES.items():
        path = folder / f"{stem}.csv"
        if not path.exists():
            raise InputError(
                f"Missing input {path}: expected the Cultural Infrastructure Map "
                f"'{stem}' file ({SOURCES['cim'].upstream})"
            )
        fix = CIM_COORD_FIX.get(stem, CIM_DEFAULT_FIX)
        coords = ["easting", "northing"] if fix == "bng" else ["longitude", "latitude"]
        try:
            raw = pd.read_csv(path, encoding="utf-8-sig")
        except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise InputError(f"Malformed input {path}: not a readable CSV ({exc})") from exc
        require_columns(raw, ["name", "address1", *coords], path)
        usable = raw.dropna(subset=coords)
        usable = usable[usable["name"].notna()]
        try:
            geometry = cim_points(usable, fix)
        except (ValueError, TypeError) as exc:
            raise InputError(
                f"Malformed input {path}: coordinates {', '.join(coords)} are not "
                f"all numbers ({exc})"
            ) from exc
        frame = gpd.GeoDataFrame(
            {
                "site_id": [
                    stable_id("cim", stem, n, a, round(x), round(y))
                    for n, a, x, y in zip(
                        usable["name"], usable["address1"], geometry.x, geometry.y, strict=True
                    )
                ],
                "name": usable["name"].astype(str).str.strip().map(repair_text),
                "category": category,
                "category_group": group,
                "status": "open",
                "opened_year": pd.NA,
                "closed_year": pd.NA,
                "sources": "cim_2022",
                "licence": SOURCES["cim"].licence,
                "coord_fix": fix,
            },
            geometry=geometry.values,
            crs=BNG,
        )
        renamed = int((frame["name"] != usable["name"].astype(str).str.strip().values).sum())
        report.add(
            "sites",
            f"cim:{stem}",
            len(raw),
            len(frame),
            repaired=len(frame) if fix != "bng" else 0,
            dropped=len(raw) - len(frame),
            note=f"coordinates from {fix}"
            + ("" if fix == "bng" else " (repaired)")
            + (f"; {renamed} names with garbled accents repaired" if renamed else ""),
        )
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def merge_cim_duplicates(cim: gpd.GeoDataFrame, report: Report) -> gpd.GeoDataFrame:
    """One venue listed in several culture-map files (same name within 100 m) becomes one site."""
    # "The British Museum" and "British Museum" are one venue: a leading "the" is not compared.
    cim = cim.assign(_key=cim["name"].map(normalise_name).str.replace(r"^the ", "", regex=True))
    cim["_rank"] = cim["category"].map(CATEGORY_PRIORITY.index)
    cim = cim.sort_values(["_key", "_rank", "site_id"], ignore_index=True)
    cluster = np.arange(len(cim))
    x, y = cim.geometry.x.to_numpy(), cim.geometry.y.to_numpy()
    for _, idx in cim.groupby("_key").indices.items():
        for i_pos, i in enumerate(idx):
            for j in idx[i_pos + 1 :]:
                if cluster[j] == j and np.hypot(x[i] - x[j], y[i] - y[j]) <= 100:
                    cluster[j] = cluster[i]
    cim["_cluster"] = cluster
    categories = cim.groupby("_cluster")["category"].agg(lambda c: "; ".join(dict.fromkeys(c)))
    merged = cim.drop_duplicates("_cluster").copy()
    merged["categories"] = merged["_cluster"].map(categories)
    report.add(
        "sites",
        "cim_2022",
        len(cim),
        len(merged),
        note=f"{len(cim) - len(merged)} rows are the same venue in another culture-map "
        "file (same name within 100 m) and were merged",
    )
    return merged.drop(columns=["_key", "_rank", "_cluster"])


def read_worship(src: Path, report: Report) -> gpd.GeoDataFrame:
    raw = read_layer(src, "worship", ["osm_id", "fclass", "name"])
    raw = raw.to_crs(BNG)
    frame = gpd.GeoDataFrame(
        {
            "site_id": "osm-" + raw["osm_id"].astype(str),
            "name": raw["name"].fillna("Place of worship (unnamed)").astype(str),
            "category": "Place of worship",
            "category_group": "Faith",
            "status": "open",
            "opened_year": pd.NA,
            "closed_year": pd.NA,
            "sources": "osm_2020",
            "licence": SOURCES["worship"].licence,
            "coord_fix": "none",
        },
        geometry=raw.geometry.values,
        crs=BNG,
    )
    report.add("sites", "worship", len(raw), len(frame), note="places of worship from OSM")
    return frame


def read_libraries(
    src: Path, postcodes: pd.DataFrame, report: Report
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Libraries as one history each across the 2016, 2021 and 2023 lists (lost_more.py)."""
    raw = read_csv(
        src,
        "libraries",
        [
            "name",
            "id",
            "authority_id",
            "lat",
            "lng",
            "closed",
            "closed_year",
            "opened_year",
            "postcode",
        ],
    )
    authorities = read_csv(src, "library_authorities", ["authority_id", "code", "name"])
    london_auth = authorities[authorities["code"].astype(str).str.startswith("E09")]
    london = raw[raw["authority_id"].isin(london_auth["authority_id"])]
    london = london.dropna(subset=["lat", "lng"])
    london = london.assign(
        borough=london["authority_id"].map(london_auth.set_index("authority_id")["name"])
    )
    closed = london["closed"].isin(["XL", "XLR", "XLT"])
    report.add(
        "sites",
        "libraries",
        len(raw),
        len(london),
        dropped=len(raw) - len(london),
        note=f"London authorities only; {int(closed.sum())} closed in the 2016 list ("
        + ", ".join(f"{code} {int((london.closed == code).sum())}" for code in ("XL", "XLR", "XLT"))
        + ")",
    )
    lib21 = read_csv(
        src,
        "libraries_2021",
        [
            "Local authority",
            "Library name",
            "Postcode",
            "Type of library",
            "Year opened",
            "Year closed",
            "Notes",
        ],
        dtype={"Year closed": str},
    )
    lib23 = read_csv(
        src,
        "libraries_2023",
        [
            "reporting",
            "name",
            "postcode",
            "type",
            "closed",
            "opened",
            *["operation_16", "operation_19", "operation_21", "operation_22", "operation_23"],
        ],
    )
    return read_library_history(
        london, lib21, lib23, postcodes, SOURCES["libraries"].licence, report
    )


def read_museums(src: Path, report: Report) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    raw = read_csv(
        src,
        "museums",
        [
            "museum_id",
            "museum_name",
            "latitude",
            "longitude",
            "admin_area_2",
            "year_opened_low",
            "year_closed_low",
        ],
        dtype={"year_closed_low": str, "year_opened_low": str, "year_closed_high": str},
    )
    london = raw[raw["admin_area_2"] == "London"].dropna(subset=["latitude", "longitude"])
    closed_year = pd.to_numeric(london["year_closed_low"], errors="coerce")
    closed_year = closed_year.where(closed_year != 9999)
    geometry = gpd.GeoSeries(
        gpd.points_from_xy(london.longitude, london.latitude), crs=WGS84
    ).to_crs(BNG)
    frame = gpd.GeoDataFrame(
        {
            "site_id": "mm-" + london["museum_id"].astype(str),
            "name": london["museum_name"].astype(str).str.strip(),
            "category": "Museum or public gallery",
            "category_group": "Culture & heritage",
            "status": np.where(closed_year.notna(), "closed", "open"),
            "opened_year": pd.to_numeric(london["year_opened_low"], errors="coerce").astype(
                "Int64"
            ),
            "closed_year": closed_year.astype("Int64"),
            "sources": "mapping_museums",
            "licence": SOURCES["museums"].licence,
            "coord_fix": "none",
        },
        geometry=geometry.values,
        crs=BNG,
    )
    report.add(
        "sites",
        "museums",
        len(raw),
        len(frame),
        dropped=len(raw) - len(frame),
        note=f"admin_area_2 == London; {int(closed_year.notna().sum())} closed "
        "(earliest year of the closure range)",
    )
    high = pd.to_numeric(
        london.get("year_closed_high", london["year_closed_low"]), errors="coerce"
    ).where(closed_year.notna())
    events = []
    for site_id, opened, low, hi, museum_id in zip(
        frame["site_id"], frame["opened_year"], closed_year, high, london["museum_id"], strict=True
    ):
        events.append(event(site_id, "opened", opened, "mapping_museums", museum_id))
        if pd.notna(low):
            span = "" if pd.isna(hi) or hi == low else f"closed between {int(low)} and {int(hi)}"
            events.append(event(site_id, "closed", low, "mapping_museums", museum_id, span))
    return frame, events_frame(events)


def read_postcodes(src: Path) -> pd.DataFrame:
    """Code-Point Open, current and terminated: the one reader of these files (the app reads
    the `postcodes` layer the build writes from this)."""
    columns = ["postcode_nospace", "easting", "northing", "admin_district_code"]
    current = read_csv(src, "postcodes", columns, usecols=columns).assign(terminated=False)
    old = read_csv(src, "postcodes_2014", columns, usecols=columns).assign(terminated=True)
    # Current postcodes win where a postcode is in both.
    return (
        pd.concat([current, old])
        .drop_duplicates("postcode_nospace")
        .rename(columns={"postcode_nospace": "postcode", "admin_district_code": "gss_code"})
        .set_index("postcode")
    )


def read_gp_practices(
    src: Path, postcodes: pd.DataFrame, report: Report
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    path = source_path(src, "gp_practices")
    raw = read_csv(src, "gp_practices", [], header=None, dtype=str, keep_default_na=False)
    if raw.shape[1] < 26:
        raise InputError(
            f"Malformed input {path}: expected the 27-column epraccur layout with no "
            f"header row, found {raw.shape[1]} columns"
        )
    practices = raw[raw[25] == "4"]
    key = practices[9].str.replace(" ", "").str.upper()
    known = set(postcodes.index)
    london = practices[key.map(known.__contains__).astype(bool)]
    status = london[12]
    dormant = int((~status.isin(["A", "C"])).sum())
    kept = london[status.isin(["A", "C"])]
    report.add(
        "sites",
        "gp_practices",
        len(raw),
        len(kept),
        dropped=len(raw) - len(kept),
        note=f"prescribing setting 4 with a London postcode: {len(london)}; "
        f"{dormant} dormant or proposed practices left out; "
        f"{int((kept[12] == 'C').sum())} closed codes",
    )
    return gp_rules.gp_history(
        kept, key[kept.index], postcodes, "epraccur_2019", SOURCES["gp_practices"].licence, report
    )


def read_lost_more_ods(src: Path, postcodes: pd.DataFrame, report: Report) -> tuple:
    columns = [
        "organisation_code",
        "name",
        "postcode",
        "open_date",
        "close_date",
        "status_code",
        "organisation_sub_type_code",
    ]
    pharmacies = read_csv(src, "pharmacies", columns, dtype=str, keep_default_na=False)
    dental = read_csv(src, "dental", columns, dtype=str, keep_default_na=False)
    return (
        read_pharmacies(pharmacies, postcodes, SOURCES["pharmacies"].licence, report),
        read_dental(dental, postcodes, SOURCES["dental"].licence, report),
    )


def match_same_facility(
    lost: gpd.GeoDataFrame,
    cim: gpd.GeoDataFrame,
    category: str,
    decisions: pd.DataFrame | None = None,
) -> dict[str, str]:
    """{record site_id: culture-map venue site_id} (see `facility_pairs`)."""
    pairs = facility_pairs(lost, cim, category, decisions)
    return dict(zip(pairs["site_id"], pairs["other_site_id"], strict=True))


def facility_pairs(
    lost: gpd.GeoDataFrame,
    cim: gpd.GeoDataFrame,
    category: str,
    decisions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Pair records of a source with histories with culture-map venues of one category.

    The evidence rules are in lib/build/merge.py (name within 300 m, or the same name within
    1,500 m; never distance alone, never another category; a closed record only by a reviewed
    decision). Returns the pairs (site_id, other_site_id, why).
    """
    decisions = merging.read_decisions() if decisions is None else decisions
    records = lost.assign(category=category)
    candidates = merging.candidate_pairs(records, cim[cim["category"] == category])
    known = set(records["site_id"]) | set(cim["site_id"])
    decisions = decisions[decisions["site_id"].isin(known) & decisions["other_site_id"].isin(known)]
    return merging.choose_pairs(candidates, decisions)


def merge_cross_source(
    lost: gpd.GeoDataFrame,
    cim: gpd.GeoDataFrame,
    category: str,
    report: Report,
    source_name: str,
    decisions: pd.DataFrame | None = None,
) -> tuple:
    """Fold culture-map venues that are the same facility as `lost` records into them."""
    detail = facility_pairs(lost, cim, category, decisions)
    pairs = dict(zip(detail["site_id"], detail["other_site_id"], strict=True))
    cim_by_id = cim.set_index("site_id")
    matched = lost["site_id"].isin(pairs)
    lost = lost.copy()
    partner = lost.loc[matched, "site_id"].map(pairs)
    lost.loc[matched, "sources"] = lost.loc[matched, "sources"] + "; cim_2022"
    lost.loc[matched, "licence"] = lost.loc[matched, "licence"].where(
        lost.loc[matched, "licence"].eq(SOURCES["cim"].licence),
        lost.loc[matched, "licence"] + "; " + SOURCES["cim"].licence,
    )
    lost.loc[matched, "categories"] = partner.map(cim_by_id["categories"])
    why = detail["why"].str.extract(r"^(\w+)")[0].value_counts().to_dict() if len(detail) else {}
    report.add(
        "dedupe",
        source_name,
        len(lost),
        len(lost),
        note=f"{int(matched.sum())} of {len(lost)} records are the same facility as a "
        f"2022 culture-map {category.lower()} and were merged into one site "
        f"(by evidence: {why or 'none'}; rules in lib/build/merge.py)",
    )
    return lost, set(pairs.values())


def attach_areas(
    sites: gpd.GeoDataFrame, lsoas: gpd.GeoDataFrame, report: Report
) -> gpd.GeoDataFrame:
    """Give every site its LSOA (so ward, borough, Area for Regeneration) by spatial join."""
    areas = lsoas[["lsoa_code", "ward_code", "gss_code", "regen_area", "geometry"]]
    joined = gpd.sjoin(sites, areas, how="left", predicate="within").drop(columns="index_right")
    joined = joined[~joined.index.duplicated(keep="first")]
    outside = joined["lsoa_code"].isna()
    snapped = 0
    if outside.any():
        near = gpd.sjoin_nearest(
            sites[outside], areas, max_distance=SNAP_METRES, distance_col="_d"
        ).drop(columns=["index_right", "_d"])
        near = near[~near.index.duplicated(keep="first")]
        for column in ["lsoa_code", "ward_code", "gss_code", "regen_area"]:
            joined.loc[near.index, column] = near[column]
        snapped = len(near)
    dropped = joined[joined["lsoa_code"].isna()]
    joined = joined[joined["lsoa_code"].notna()].copy()
    joined["in_regen_area"] = joined.pop("regen_area").astype(bool)
    by_source = dropped["sources"].str.split(";").str[0].value_counts().to_dict()
    report.add(
        "join_areas",
        "sites",
        len(sites),
        len(joined),
        repaired=snapped,
        dropped=len(dropped),
        note=f"{snapped} sites just outside every LSOA (river edge) placed in the nearest "
        f"within {SNAP_METRES} m; dropped as outside London: {by_source or 'none'}",
    )
    return joined


def attach_policies(
    sites: gpd.GeoDataFrame, policy_areas: gpd.GeoDataFrame, report: Report
) -> gpd.GeoDataFrame:
    sites = sites.copy()
    for policy, flag in POLICY_FLAGS.items():
        layer = policy_areas[policy_areas["policy"] == policy]
        hits = gpd.sjoin(
            sites[["geometry"]], layer[["classification", "geometry"]], predicate="within"
        )
        sites[flag] = sites.index.isin(hits.index)
        if policy == "town_centre":
            rank = hits["classification"].map(
                lambda c: (
                    TOWN_CENTRE_ORDER.index(c) if c in TOWN_CENTRE_ORDER else len(TOWN_CENTRE_ORDER)
                )
            )
            best = hits.assign(_rank=rank).sort_values("_rank")
            best = best[~best.index.duplicated(keep="first")]
            sites["town_centre_class"] = best["classification"].reindex(sites.index)
    centres = policy_areas[policy_areas["policy"] == "town_centre"][["geometry"]]
    nearest = gpd.sjoin_nearest(sites[["geometry"]], centres, distance_col="dist")
    nearest = nearest[~nearest.index.duplicated(keep="first")]
    sites["dist_town_centre_m"] = nearest["dist"].reindex(sites.index).round(1)
    report.add(
        "join_policies",
        "sites",
        len(sites),
        len(sites),
        note="; ".join(f"{flag} {int(sites[flag].sum())}" for flag in POLICY_FLAGS.values())
        + f"; in_regen_area {int(sites['in_regen_area'].sum())}",
    )
    return sites


def build_sites(
    src: Path, lsoas, policy_areas, postcodes, report: Report
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    cim = merge_cim_duplicates(read_cim(src, report), report)
    libraries, lib_events = read_libraries(src, postcodes, report)
    museums, mus_events = read_museums(src, report)
    gp_sites, gp_events = read_gp_practices(src, postcodes, report)
    (pharmacies, ph_events), (dental, dent_events) = read_lost_more_ods(src, postcodes, report)
    events = pd.concat(
        [lib_events, mus_events, gp_events, ph_events, dent_events], ignore_index=True
    )
    decisions = merging.read_decisions()
    events, folded = merging.merge_histories(events, decisions, report)
    states = site_states(events).set_index("site_id")
    history_sites = []
    for frame in (libraries, museums, gp_sites, pharmacies, dental):
        frame = frame.drop(columns=[c for c in states.columns if c in frame.columns])
        history_sites.append(frame.join(states, on="site_id"))
    libraries, museums, gp_sites, pharmacies, dental = (
        frame[~frame["site_id"].isin(folded)] for frame in history_sites
    )

    libraries, lib_used = merge_cross_source(
        libraries, cim, "Library", report, "libraries", decisions
    )
    museums, mus_used = merge_cross_source(
        museums, cim, "Museum or public gallery", report, "museums", decisions
    )
    cim = cim[~cim["site_id"].isin(lib_used | mus_used)]
    cim = cim.assign(status="open", closure="", lost=False, changes=0, closure_note="")
    sites = pd.concat(
        [
            cim,
            libraries,
            museums,
            gp_sites,
            pharmacies,
            dental,
            read_worship(src, report).assign(
                status="open", closure="", lost=False, changes=0, closure_note=""
            ),
        ],
        ignore_index=True,
    )
    sites["categories"] = sites["categories"].fillna(sites["category"])
    sites["changes"] = sites["changes"].fillna(0).astype(int)
    sites["lost"] = sites["lost"].fillna(False).astype(bool)
    for column in ["closure", "closure_note"]:
        sites[column] = sites[column].fillna("")
    if sites["site_id"].duplicated().any():
        dupes = ", ".join(sites.loc[sites.site_id.duplicated(), "site_id"].head(5))
        raise InputError(f"Duplicate site ids after merging: {dupes}")
    sites = attach_areas(gpd.GeoDataFrame(sites, crs=BNG), lsoas, report)
    sites = attach_policies(sites, policy_areas, report)
    for column in ["opened_year", "closed_year", "community_run_year"]:
        sites[column] = sites[column].astype("Int64")
    events = events[events["site_id"].isin(sites["site_id"])]
    closed = sites["status"] == "closed"
    report.add(
        "sites",
        "all",
        len(sites),
        len(sites),
        note=f"{int(closed.sum())} closed sites, {int(sites['lost'].sum())} of them losses; "
        + "; ".join(
            f"{c}: {int(n)} closed, {int(m)} lost"
            for c, n, m in sites[sites.category.isin(list(RECORDING_WINDOWS))]
            .groupby("category")
            .agg(n=("status", lambda x: (x == "closed").sum()), m=("lost", "sum"))
            .itertuples()
        ),
    )
    events = events.sort_values(
        ["site_id", "year", "date", "event"], na_position="first", kind="stable", ignore_index=True
    )
    return sites[SITE_COLUMNS].sort_values("site_id", ignore_index=True), events[EVENT_COLUMNS]


# ---------------------------------------------------------------- voluntary sector and pubs


def build_voluntary_points(src: Path, lsoas: gpd.GeoDataFrame, report: Report) -> gpd.GeoDataFrame:
    banks = read_csv(src, "food_banks", ["name", "closed", "network", "latitude", "longitude"])
    groups = read_csv(src, "mutual_aid", ["name", "latitude", "longitude"])
    frames = []
    for raw, kind, key in [
        (banks, "food_bank", "food_banks"),
        (groups, "mutual_aid", "mutual_aid"),
    ]:
        usable = raw.dropna(subset=["latitude", "longitude"])
        if kind == "food_bank":
            status = np.where(usable["closed"].astype(str).str.lower() == "true", "closed", "open")
            network = usable["network"].fillna("Independent")
        else:
            status, network = np.full(len(usable), "active in 2020"), ""
        frame = gpd.GeoDataFrame(
            {
                "kind": kind,
                "name": usable["name"].astype(str).str.strip(),
                "status": status,
                "network": network,
                "licence": SOURCES[key].licence,
            },
            geometry=gpd.points_from_xy(usable.longitude, usable.latitude),
            crs=WGS84,
        ).to_crs(BNG)
        joined = gpd.sjoin(
            frame, lsoas[["ward_code", "gss_code", "geometry"]], how="inner", predicate="within"
        ).drop(columns="index_right")
        joined = joined[~joined.index.duplicated(keep="first")]
        report.add(
            "voluntary_points",
            key,
            len(raw),
            len(joined),
            dropped=len(raw) - len(joined),
            note="dropped: no coordinates or outside London",
        )
        frames.append(joined)
    columns = ["kind", "name", "status", "network", "licence", "gss_code", "ward_code", "geometry"]
    points = pd.concat(frames, ignore_index=True)[columns]
    return points.sort_values(["kind", "name", "ward_code"], ignore_index=True)


def read_grants(src: Path, report: Report) -> pd.DataFrame:
    """The 360Giving rows with each funder's type (lib/vocab/funders.py), reported by type."""
    grants = read_csv(
        src,
        "grants",
        [
            "Funding Org:Name",
            "Award Year",
            "Recipient District Geographic Code",
            "Recipient Ward Geographic Code",
            "Amount Awarded",
            "grant_count",
        ],
    )
    grants["funder_type"] = grants["Funding Org:Name"].map(funder_type)
    for key, rows in grants.groupby("funder_type"):
        funders = rows.groupby("Funding Org:Name")["Amount Awarded"].sum().sort_values()
        report.add(
            "grants_by_year",
            f"grants ({key})",
            len(rows),
            len(rows),
            note=f"£{rows['Amount Awarded'].sum():,.0f} from {len(funders)} "
            + ("funder" if len(funders) == 1 else "funders")
            + (
                ": " + ", ".join(f"{name} £{gbp:,.0f}" for name, gbp in funders[::-1].items())
                if not FUNDER_TYPES[str(key)].voluntary
                else ""
            ),
        )
    return grants


def build_voluntary_wards(
    src: Path, grants: pd.DataFrame, wards: gpd.GeoDataFrame, report: Report
) -> pd.DataFrame:
    """Charities and grants per 2017 ward.

    The extract lists only wards with at least one charity, and 88 wards are missing (55
    charities in all Wandsworth): a gap in its coverage, so a missing ward is null, not 0.
    Grants are those of every funder; the ``_government`` columns are the part from
    government departments, councils and public bodies (lib/vocab/funders.py).
    """
    charities = read_csv(src, "charities", ["WD17CD", "n_charities"])
    known = set(wards["ward_code"])
    unmatched_charities = charities[~charities["WD17CD"].isin(known)]
    grant_ward = grants["Recipient Ward Geographic Code"]
    unmatched_grants = grants[~grant_ward.isin(known)]
    table = pd.DataFrame({"ward_code": wards["ward_code"], "population": wards["population"]})
    table["charities"] = (
        table["ward_code"].map(charities.groupby("WD17CD")["n_charities"].sum()).astype("Int64")
    )
    table["charities_per_1k"] = (table["charities"] / table["population"] * 1000).round(3)
    placed = grants[grant_ward.isin(known)]
    government = placed[~placed["funder_type"].isin(VOLUNTARY)]
    for suffix, rows in (("", placed), ("_government", government)):
        by_ward = rows.groupby("Recipient Ward Geographic Code")
        table[f"grants_gbp{suffix}"] = (
            table["ward_code"].map(by_ward["Amount Awarded"].sum()).fillna(0.0)
        )
        table[f"grants_count{suffix}"] = (
            table["ward_code"].map(by_ward["grant_count"].sum()).fillna(0).astype(int)
        )
    table["grants_gbp_per_head"] = (table["grants_gbp"] / table["population"]).round(2)
    missing = table["charities"].isna()
    report.add(
        "voluntary_wards",
        "charities",
        len(charities),
        len(charities) - len(unmatched_charities),
        dropped=len(unmatched_charities),
        note=f"{int(charities.n_charities.sum())} charities; "
        f"{int(unmatched_charities.n_charities.sum())} in wards not in the 2017 ward "
        f"set ({', '.join(unmatched_charities.WD17CD.head(5)) or 'none'}); "
        f"{int(missing.sum())} of {len(table)} wards are not in the extract (no data)",
    )
    report.add(
        "voluntary_wards",
        "grants",
        len(grants),
        len(grants) - len(unmatched_grants),
        dropped=len(unmatched_grants),
        note=f"£{grants['Amount Awarded'].sum():,.0f} in all; £"
        f"{unmatched_grants['Amount Awarded'].sum():,.0f} in "
        f"{len(unmatched_grants)} rows whose recipient code is not a 2017 London ward "
        "(district-level or another ward vintage) is not mapped to wards",
    )
    return table.drop(columns="population")


def build_grants_by_year(grants: pd.DataFrame) -> pd.DataFrame:
    """Grants per borough, award year and funder type."""
    table = grants.groupby(
        ["Recipient District Geographic Code", "Award Year", "funder_type"], as_index=False
    )[["Amount Awarded", "grant_count"]].sum()
    return table.rename(
        columns={
            "Recipient District Geographic Code": "gss_code",
            "Award Year": "year",
            "Amount Awarded": "grants_gbp",
            "grant_count": "grants_count",
        }
    )


def build_pubs(src: Path, boroughs: gpd.GeoDataFrame, report: Report) -> pd.DataFrame:
    raw = read_csv(src, "pubs", ["area_code", "size_band", "year", "pubs_and_bars"])
    total = raw[
        (raw["size_band"] == "Any number of employees")
        & raw["area_code"].isin(boroughs["gss_code"])
    ]
    pubs = total.rename(columns={"area_code": "gss_code", "pubs_and_bars": "pubs"})[
        ["gss_code", "year", "pubs"]
    ]
    pubs["pubs"] = pubs["pubs"].astype(int)
    report.add(
        "pubs_by_borough",
        "pubs",
        len(raw),
        len(pubs),
        note="'Any number of employees' band, 33 boroughs",
    )
    return pubs.sort_values(["gss_code", "year"], ignore_index=True)


# ---------------------------------------------------------------- the whole build


def build(source_dir: Path, out: Path) -> pd.DataFrame:
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        raise InputError(
            f"Source folder {source_dir} does not exist: set --source or "
            "GEODATA_SOURCE to the folder holding the raw inputs (see MANIFEST.md)"
        )
    report = Report()
    try:  # a truncated or altered input stops the build, named (lib/build/integrity.py)
        checked = integrity.check_inputs(source_dir)
    except integrity.IntegrityError as exc:
        raise InputError(str(exc)) from None
    report.add("inputs", "all", checked.counted, checked.counted, note=checked.note())
    lsoas = build_lsoas(source_dir, report)
    wards = build_wards(source_dir, lsoas, report)
    boroughs = build_boroughs(source_dir, lsoas, report)
    policy_areas = build_policy_areas(source_dir, lsoas, report)
    postcodes = read_postcodes(source_dir)
    sites, events = build_sites(source_dir, lsoas, policy_areas, postcodes, report)
    voluntary_points = build_voluntary_points(source_dir, lsoas, report)
    grants = read_grants(source_dir, report)
    voluntary_wards = build_voluntary_wards(source_dir, grants, wards, report)
    grants_by_year = build_grants_by_year(grants)
    pubs = build_pubs(source_dir, boroughs, report)

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(suffix=".gpkg", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        for name, layer in [
            ("boroughs", boroughs),
            ("wards", wards),
            ("lsoas", lsoas),
            ("policy_areas", policy_areas),
            ("sites", sites),
            ("voluntary_points", voluntary_points),
        ]:
            geopackage.write_layer(tmp, name, layer)
        for name, table in [
            ("voluntary_wards", voluntary_wards),
            ("grants_by_year", grants_by_year),
            ("pubs_by_borough", pubs),
            ("events", events),
            ("postcodes", postcodes.reset_index()),
            ("build_report", report.frame()),
        ]:
            geopackage.write_layer(tmp, name, pd.DataFrame(table))
        geopackage.describe_columns(tmp)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return report.frame()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source",
        default=os.environ.get("GEODATA_SOURCE"),
        help="folder of raw inputs (default: $GEODATA_SOURCE)",
    )
    parser.add_argument("--out", default="geodata/london.gpkg")
    args = parser.parse_args(argv)
    if not args.source:
        parser.error(
            "no --source given and GEODATA_SOURCE is not set "
            "(export GEODATA_SOURCE=/path/to/shared/geodata)"
        )
    started = time.perf_counter()
    try:
        report = build(Path(args.source), Path(args.out))
    except InputError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 2
    print(summary.write(report, Path(args.out), time.perf_counter() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
