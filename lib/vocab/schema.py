"""Every layer and column of geodata/london.gpkg, described once.

The build writes these descriptions into the GeoPackage (lib/build/geopackage.py) and refuses a
column that is not here; `make docs` writes them to `docs/DATA.md`; the loader and the tests
check the built file against them. To add a column: one line in its layer, then `make docs`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from lib.vocab.categories import RECORDING, categories_text
from lib.vocab.policies import POLICIES

# A column's type as the GeoPackage stores it (what QGIS shows as the field type).
TYPES = {
    "text": "text (UTF-8)",
    "integer": "integer (empty where unknown)",
    "real": "real number",
    "boolean": "boolean (0/1)",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a key of TYPES
    description: str


@dataclass(frozen=True)
class Layer:
    name: str
    geometry: str | None  # the geometry type, in EPSG:27700; None for a table
    description: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _layer(name: str, geometry: str | None, description: str, *columns: tuple[str, str, str]):
    return Layer(name, geometry, description, tuple(Column(*c) for c in columns))


GSS = (
    "gss_code",
    "text",
    "the borough's ONS code (E09000001 City of London ... E09000033 Westminster)",
)
WARD = ("ward_code", "text", "the 2017 ward's ONS code (E05...), as in the `wards` layer")
LICENCE = ("licence", "text", "the licence of the source(s) the row comes from")
REGEN = ("in_regen_area", "boolean", "its LSOA is an Area for Regeneration")
# Where a point lies against the London Plan's layers (sites and records alike).
PLACES = (
    ("in_town_centre", "boolean", "inside a town centre boundary"),
    (
        "town_centre_class",
        "text",
        "the town centre's class where inside one (the highest where two overlap)",
    ),
    ("in_caz", "boolean", "inside the Central Activities Zone"),
    ("in_opportunity_area", "boolean", "inside an Opportunity Area with a boundary"),
    ("in_sil", "boolean", "inside a Strategic Industrial Location"),
    ("in_creative_enterprise_zone", "boolean", "inside a Creative Enterprise Zone"),
    (
        "dist_town_centre_m",
        "real",
        "straight-line distance in metres to the nearest town centre (0 inside one)",
    ),
)

LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in [
        _layer(
            "boroughs",
            "MultiPolygon",
            "London's 33 boroughs (32 and the City of London), from the GLA's boundary file.",
            GSS,
            ("name", "text", "the borough's name"),
            ("inner", "boolean", "in Inner London (ONS definition)"),
            ("area_ha", "real", "area in hectares (from the boundary file)"),
            ("population", "integer", "residents, ONS mid-2020 estimate"),
        ),
        _layer(
            "wards",
            "MultiPolygon",
            "London's 634 wards of 2017, dissolved from the LSOAs that lie in each.",
            WARD,
            ("name", "text", "the ward's name"),
            GSS,
            ("population", "integer", "residents, ONS mid-2020 estimate (the sum of its LSOAs)"),
        ),
        _layer(
            "lsoas",
            "MultiPolygon",
            "London's 4,835 Lower Layer Super Output Areas (2011), with deprivation.",
            ("lsoa_code", "text", "the LSOA's ONS code (E01...)"),
            ("name", "text", "the LSOA's name"),
            GSS,
            WARD,
            ("population", "integer", "residents, ONS mid-2020 estimate"),
            ("imd_score", "real", "English Indices of Deprivation 2019: overall score"),
            (
                "imd_rank",
                "integer",
                "IMD 2019 rank in England, 1 = most deprived of 32,844",
            ),
            ("imd_decile", "integer", "IMD 2019 decile in England, 1 = most deprived 10%"),
            (
                "regen_area",
                "boolean",
                "an Area for Regeneration: in the 20% most deprived in England (rank <= 6,568;"
                " London Plan 2021 policy SD10)",
            ),
        ),
        _layer(
            "policy_areas",
            "MultiPolygon",
            "The London Plan's places: one row per area of a policy layer (indicative boundaries).",
            (
                "policy",
                "text",
                f"the policy layer: {', '.join(POLICIES)}",
            ),
            ("name", "text", "the area's name (empty where the file has none)"),
            (
                "classification",
                "text",
                "the file's class: a town centre's (International, Metropolitan, Major, "
                "District, Local, CAZ retail cluster), a SIL's (SIL, PIL, IBP...), or the rule"
                " that made an Area for Regeneration",
            ),
            (
                "borough",
                "text",
                "the borough the file names: a name for most layers, a GSS code for Areas for "
                "Regeneration (one per borough), empty for a cross-borough area",
            ),
            (
                "designated_year",
                "integer",
                "the year the area was designated (empty where the source has no date: CAZ, "
                "SIL and town centres)",
            ),
            ("designated_date", "text", "the designation date, YYYY-MM-DD or YYYY where known"),
            (
                "designated_source",
                "text",
                "where the designation date comes from, or why there is none",
            ),
        ),
        _layer(
            "sites",
            "Point",
            "One row per physical community facility, open or closed, from every facility "
            "source; a facility listed by several sources is one site.",
            (
                "site_id",
                "text",
                "stable identifier, prefixed by its first source (cim-, lib16-, lib21-, lib23-, gp-,"
                " mm-, pharm-, dent-, osm-)",
            ),
            ("name", "text", "the facility's name"),
            ("category", "text", "its main category (Library, GP practice, Pub...)"),
            (
                "category_group",
                "text",
                "its group: Community & libraries, Health, Culture & heritage, Music & "
                "nightlife, Pubs, Faith",
            ),
            (
                "categories",
                "text",
                "every category it is listed under, separated by '; ' (a pub that is also a "
                "music venue)",
            ),
            (
                "status",
                "text",
                "open, closed or community_run: its state at the latest date of its sources",
            ),
            (
                "status_as_of",
                "text",
                "the date its status is known at, its latest source's (2016-04 for dental "
                "practices, 2019-12 for GP practices, 2025-04 for pharmacies): open means open "
                "then",
            ),
            (
                "opened_year",
                "integer",
                "the year it opened, where a source records an opening (a file's own date is "
                "on_record_since instead)",
            ),
            (
                "on_record_since",
                "integer",
                "the year of a date a file gives records older than it (1948 for pharmacies, "
                "1974 for GP practices, 2006 for dental practices): on record since, not an "
                "opening",
            ),
            ("closed_year", "integer", "the year of the closure in force (status closed)"),
            (
                "sources",
                "text",
                "the sources listing it, separated by '; ' (cim_2022, libraries_2016, "
                "libraries_2021, libraries_2023, epraccur_2019, pharmacies_2025, dental_2016, "
                "mapping_museums, osm_2020; see the app's Data & sources page)",
            ),
            LICENCE,
            GSS,
            WARD,
            (
                "lsoa_code",
                "text",
                "the LSOA it lies in (a point just off the river edge is "
                "placed in the nearest within 250 m)",
            ),
            *PLACES[:-1],
            REGEN,
            PLACES[-1],
            (
                "coord_fix",
                "text",
                "how its point was placed: none (the source's own), bng (the culture map's "
                "British National Grid pair), latlon (its latitude/longitude, the easting "
                "pair being wrong), latlon_double_shift_undone (a known double shift in the "
                "file undone), postcode_centroid (the source has no coordinates, or the 2016 "
                "list's point is not the library's latest building: its postcode's Code-Point "
                "Open centroid)",
            ),
            (
                "closure",
                "text",
                "how the closure in force happened: closed, closed_replaced (a new facility "
                "took over, or a museum merged into one at the same place), empty when open",
            ),
            (
                "lost",
                "boolean",
                "the closure is a loss; a replacement, move, change of owner, merger or NHS "
                "contract-end record (31 March) is not (closed is not lost)",
            ),
            (
                "community_run_year",
                "integer",
                "the year a library passed from the council to the community",
            ),
            ("changes", "integer", "changes of owner and mergers in its history"),
            ("closure_note", "text", "the source's note on the closing event, where any"),
        ),
        _layer(
            "voluntary_points",
            "Point",
            "Food banks (Give Food) and COVID-19 mutual aid groups (mutualaid.wiki, 2020).",
            ("kind", "text", "food_bank or mutual_aid"),
            ("name", "text", "its name"),
            ("status", "text", "open or closed (food banks); 'active in 2020' (mutual aid)"),
            (
                "network",
                "text",
                "a food bank's network: Trussell Trust, IFAN or Independent (empty for mutual aid)",
            ),
            LICENCE,
            GSS,
            WARD,
        ),
        _layer(
            "voluntary_wards",
            None,
            "Charities and grants per 2017 ward (join to `wards` on ward_code).",
            WARD,
            (
                "charities",
                "integer",
                "registered charities in 2019 (Charity Commission via CharityBase); empty for the"
                " 88 wards missing from the extract (no data, not 0)",
            ),
            ("charities_per_1k", "real", "charities per 1,000 residents"),
            ("grants_gbp", "real", "360Giving grants 2013-2018 to recipients in the ward, £"),
            ("grants_count", "integer", "the number of those grants"),
            (
                "grants_gbp_public",
                "real",
                "the part of grants_gbp that is public money: government departments, councils, "
                "public bodies and the lottery distributors (Big Lottery Fund, Sport England), £",
            ),
            ("grants_count_public", "integer", "the number of those grants"),
            ("grants_gbp_per_head", "real", "grants_gbp per resident, £"),
        ),
        _layer(
            "grants_by_year",
            None,
            "360Giving grants per borough, award year (2013-2018) and funder type.",
            GSS,
            ("year", "integer", "the award year"),
            (
                "funder_type",
                "text",
                "charitable, lottery or government (lib/vocab/funders.py names each funder's)",
            ),
            ("grants_gbp", "real", "the amount awarded, £"),
            ("grants_count", "integer", "the number of grants"),
        ),
        _layer(
            "pubs_by_borough",
            None,
            "Pubs and bars per borough and year, 2001-2018 (ONS).",
            GSS,
            ("year", "integer", "the year (counts at March)"),
            ("pubs", "integer", "pubs and bars"),
        ),
        _layer(
            "events",
            None,
            f"The history of each site whose source records one ({categories_text(RECORDING)}):"
            " a site's status is the state its events leave it in. Join to `sites` on site_id.",
            ("site_id", "text", "the site, as in `sites`"),
            (
                "event",
                "text",
                "on_record (a file's date: on record since, not an opening), opened, closed, "
                "closed_replaced, moved, temporarily_closed, reopened, merged (a second code or a "
                "merger folded into the site), changed_owner, community_run or independent",
            ),
            ("year", "integer", "the year of the event"),
            ("date", "text", "its date, YYYY-MM-DD, where the source gives one"),
            ("source", "text", "the source that records it (as in sites.sources)"),
            ("source_record", "text", "the record's identifier in that source"),
            ("note", "text", "the source's note, or the rule that made the event"),
            ("loss", "boolean", "a closure that counts as a loss"),
            (
                "from_easting",
                "real",
                "a library's move: the easting of the building it left (EPSG:27700), where a "
                "list places it; the site's point is the building it moved to (empty otherwise)",
            ),
            ("from_northing", "real", "the northing of that building"),
        ),
        _layer(
            "records",
            "Point",
            "Every NHS pharmacy and dental practice code the build read, with the site it is "
            "part of and the rule that made it no facility of its own or its end no loss "
            "(lib/build/nhs.py). Join to `sites` on site_id.",
            ("code", "text", "the NHS ODS organisation code"),
            ("site_id", "text", "the site it is part of, as in `sites` (empty: no facility)"),
            ("category", "text", "Pharmacy or Dental practice"),
            ("source", "text", "pharmacies_2025 or dental_2016 (as in sites.sources)"),
            ("name", "text", "the code's name"),
            ("address", "text", "its first two address lines"),
            ("postcode", "text", "its postcode, without spaces"),
            ("opened", "text", "its open date, YYYY-MM-DD (a file's date: see note)"),
            ("closed", "text", "its close date, YYYY-MM-DD, empty while open"),
            (
                "rule",
                "text",
                "empty, or why it is not a facility or its end not a loss: change_of_owner, "
                "parallel_code, short_lived, moved, not_community, not_a_practice, "
                "contract_end (lib/vocab/rules.py)",
            ),
            (
                "next_code",
                "text",
                "the code that carried it on: its successor, the pharmacy it moved to, or the "
                "code of the same name that stayed open",
            ),
            ("note", "text", "whether its open date is the file's date (on record since)"),
            (
                "lsoa_code",
                "text",
                "the LSOA its postcode lies in",
            ),
            WARD,
            GSS,
            REGEN,
            *PLACES,
        ),
        _layer(
            "postcodes",
            None,
            "London postcode centroids (Ordnance Survey Code-Point Open 2025, and 2014 postcodes"
            " since terminated): what the app places a report or an uploaded CSV by.",
            ("postcode", "text", "the postcode without spaces (SE17PB)"),
            ("easting", "integer", "the centroid's easting, EPSG:27700"),
            ("northing", "integer", "the centroid's northing, EPSG:27700"),
            GSS,
            ("terminated", "boolean", "no longer in use (only in the 2014 list)"),
        ),
        _layer(
            "build_report",
            None,
            "What each step of the build read, kept, repaired and dropped.",
            ("step", "text", "the build step (rule:* rows are the history rules)"),
            ("source", "text", "the input or layer it worked on"),
            ("rows_in", "integer", "rows read"),
            ("rows_out", "integer", "rows kept"),
            ("repaired", "integer", "rows repaired"),
            ("dropped", "integer", "rows dropped"),
            ("note", "text", "what was done and why"),
        ),
    ]
}


def markdown() -> str:
    """docs/DATA.md: the data dictionary."""
    lines = [
        "# The data: geodata/london.gpkg",
        "",
        "<!-- Made by `make docs` from lib/vocab/schema.py: edit that, not this file. -->",
        "",
        "One GeoPackage (version 1.3, readable by QGIS 3.x and GDAL 2.2 or later), built from the",
        "open inputs by `make data`. Every spatial layer is in EPSG:27700 (British National",
        "Grid). The same descriptions are in the file itself: each layer's description (QGIS:",
        "Layer Properties > Information) and each column's (the `gpkg_data_columns` table and",
        "the layer's metadata items `column.<name>`).",
        "",
        "| layer | geometry | what a row is |",
        "|---|---|---|",
    ]
    lines += [
        f"| [`{lay.name}`](#{lay.name}) | {lay.geometry or 'none (a table)'} | {lay.description} |"
        for lay in LAYERS.values()
    ]
    for lay in LAYERS.values():
        lines += ["", f"## {lay.name}", "", lay.description, "", "| column | type | meaning |"]
        lines += ["|---|---|---|"]
        lines += [f"| `{c.name}` | {c.type} | {c.description} |" for c in lay.columns]
        if lay.geometry:
            lines.append(f"| `geom` | {lay.geometry} | the geometry, EPSG:27700 |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())
