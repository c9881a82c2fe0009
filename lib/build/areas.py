"""Areas: LSOAs (with deprivation and population), wards dissolved from them, boroughs, and
every point's LSOA, ward and borough."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from lib.build.inputs import BNG, InputError, Report, read_csv, read_layer, repair, source_path

# England-wide IMD 2019 ranks run 1..32,844; the 20% most deprived are rank <= 6,568.
REGEN_MAX_RANK = 6568
# A point this close outside every LSOA (on the Thames edge, a pier) is placed in the nearest one.
SNAP_METRES = 250


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


def attach_areas(
    sites: gpd.GeoDataFrame, lsoas: gpd.GeoDataFrame, report: Report, name: str = "sites"
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
        name,
        len(sites),
        len(joined),
        repaired=snapped,
        dropped=len(dropped),
        note=f"{snapped} sites just outside every LSOA (river edge) placed in the nearest "
        f"within {SNAP_METRES} m; dropped as outside London: {by_source or 'none'}",
    )
    return joined
