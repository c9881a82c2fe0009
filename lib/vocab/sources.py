"""Catalogue of the raw inputs: where each file comes from, its licence and what to credit.

Paths are relative to the source folder (`GEODATA_SOURCE`). The build reads every file through
this catalogue, so a missing file is reported with its publisher and upstream page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from lib.vocab.categories import RECORDING, RECORDING_CATEGORIES
from lib.vocab.policies import POLICIES

OGL = "Open Government Licence v3.0"
ONS_ATTR = "Contains National Statistics data © Crown copyright and database right"
OS_ATTR = "Contains Ordnance Survey data © Crown copyright and database right"
GLA_ATTR = "Greater London Authority, London Datastore (Open Government Licence v3.0)"
OSM_ATTR = "© OpenStreetMap contributors (ODbL)"

NHS_ATTR = (
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(NHS England, Organisation Data Service)",
)
LIB_ATTR = (
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(DCMS / Arts Council England)",
)


@dataclass(frozen=True)
class Source:
    key: str
    path: str
    title: str
    publisher: str
    licence: str
    attribution: tuple[str, ...]  # statements to credit, each shown once wherever used
    vintage: str
    upstream: str
    gaps: str = ""
    credit: str = ""  # short form for a map's attribution control
    # A site source's date: what it says is open was open then (sites.status_as_of).
    as_of: str = ""
    # A date the file gives records older than it (the NHS's start, a reorganisation, a new
    # contract regime): "on record since", never an opening.
    on_record_since: str = ""


SOURCES: dict[str, Source] = {
    s.key: s
    for s in [
        Source(
            "boroughs",
            "boundaries/London_Borough_Excluding_MHW.geojson",
            "London borough boundaries (excluding the Thames below mean high water)",
            "GLA / ONS",
            OGL,
            (ONS_ATTR, OS_ATTR),
            "2011 boundaries",
            "https://data.london.gov.uk/dataset/statistical-gis-boundary-files-london",
            credit="ONS/OS © Crown copyright (OGL)",
        ),
        Source(
            "lsoas",
            "boundaries/LSOA_2011_London_gen_MHW.shp",
            "Lower Super Output Areas 2011",
            "GLA / ONS",
            OGL,
            (ONS_ATTR, OS_ATTR),
            "2011",
            "https://data.london.gov.uk/dataset/statistical-gis-boundary-files-london",
            "8 geometries are invalid in the source and are repaired.",
            credit="ONS/OS © Crown copyright (OGL)",
        ),
        Source(
            "ward_lookup",
            "boundaries/LSOA11_to_WD17_lookup_England_Wales.csv",
            "LSOA 2011 to ward 2017 best-fit lookup",
            "ONS",
            OGL,
            (ONS_ATTR,),
            "2017",
            "https://geoportal.statistics.gov.uk/",
            "No ward polygons are published with it: wards are LSOAs dissolved by the lookup, "
            "so ward edges follow LSOA edges.",
            credit="ONS (OGL)",
        ),
        Source(
            "imd",
            "deprivation/IMD2019_London_LSOA.csv",
            "English Indices of Deprivation 2019 (London LSOAs)",
            "MHCLG",
            OGL,
            (
                "Contains public sector information licensed under the Open Government Licence v3.0 (MHCLG)",
            ),
            "2019",
            "https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019",
            credit="MHCLG IMD 2019 (OGL)",
        ),
        Source(
            "borough_population",
            "population/london_borough_population_mid2019_mid2020.csv",
            "Mid-year population estimates by borough",
            "ONS",
            OGL,
            (ONS_ATTR,),
            "mid-2020",
            "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates",
            credit="ONS (OGL)",
        ),
        Source(
            "lsoa_population",
            "population/london-lsoa11-pop-mid2020.csv",
            "Mid-year population estimates by 2011 LSOA",
            "ONS",
            OGL,
            (ONS_ATTR,),
            "mid-2020",
            "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates",
            credit="ONS (OGL)",
        ),
        Source(
            "cim",
            "facilities/cim_2022",
            "Cultural Infrastructure Map (14 categories)",
            "Greater London Authority",
            OGL,
            (GLA_ATTR,),
            "audit of November 2022",
            "https://data.london.gov.uk/dataset/cultural-infrastructure-map",
            "Open venues only (no closures). Coordinates are faulty in the source and repaired per "
            "file; Community centres' contact names are never shown or exported.",
            credit="GLA Cultural Infrastructure Map (OGL)",
            as_of="2022-11",
        ),
        Source(
            "worship",
            "facilities/osm_places_of_worship_london_2020-12-18.geojson",
            "Places of worship (OpenStreetMap, Geofabrik Greater London extract)",
            "OpenStreetMap contributors",
            "Open Database Licence 1.0",
            (OSM_ATTR,),
            "2020-12-18",
            "https://download.geofabrik.de/europe/united-kingdom/england/greater-london.html",
            "Open places only; OSM coverage varies by area.",
            credit="© OpenStreetMap contributors (ODbL)",
            as_of="2020-12",
        ),
        Source(
            "libraries",
            "lost/libraries_england_2016.csv",
            "Public libraries in England, 2016 (basic dataset)",
            "DCMS Libraries Taskforce, formatted by Libraries Hacked",
            OGL,
            (
                "Contains public sector information licensed under the Open Government Licence v3.0 (DCMS)",
            ),
            "2016 (closures 2010-2016)",
            "https://www.librarieshacked.org/",
            "Closures recorded only from 2010 to 2016.",
            credit="DCMS/Libraries Hacked (OGL)",
            as_of="2016",
        ),
        Source(
            "library_authorities",
            "lost/library_authorities_england_2016.csv",
            "Library authorities in England, 2016",
            "DCMS Libraries Taskforce, formatted by Libraries Hacked",
            OGL,
            (
                "Contains public sector information licensed under the Open Government Licence v3.0 (DCMS)",
            ),
            "2016",
            "https://www.librarieshacked.org/",
            credit="DCMS/Libraries Hacked (OGL)",
        ),
        Source(
            "gp_practices",
            "lost/epraccur_2019-12.csv",
            "GP practices (ODS epraccur)",
            "NHS Digital (Organisation Data Service)",
            OGL,
            (
                "Contains public sector information licensed under the Open Government Licence v3.0 (NHS Digital)",
            ),
            "December 2019 (closures 2013-2019)",
            "https://digital.nhs.uk/services/organisation-data-service",
            "Closures recorded only from July 2013. Dormant practices are left out (no close "
            "date: when they stopped is unknown). Placed at their postcode's centroid.",
            credit="NHS Digital (OGL)",
            as_of="2019-12",
            on_record_since="1974-04-01",
        ),
        Source(
            "museums",
            "lost/mapping_museums_uk.csv",
            "Mapping Museums database",
            "Mapping Museums Lab, Birkbeck, University of London",
            "CC BY 4.0",
            ("Museum data from the Mapping Museums Lab (Birkbeck), CC BY 4.0",),
            "1960-2022",
            "https://museweb.dcs.bbk.ac.uk/",
            "Closure years are ranges; the earliest year is used.",
            credit="Mapping Museums, Birkbeck (CC BY 4.0)",
            as_of="2022",
        ),
        Source(
            "pubs",
            "lost/ons_pubs_and_bars_london_boroughs_2001_2018.csv",
            "Public houses and bars by local authority",
            "ONS",
            OGL,
            (ONS_ATTR,),
            "2001-2018",
            "https://www.ons.gov.uk/economy/grossdomesticproductgdp/datasets/publichousesandbarsbylocalauthority",
            "Borough counts only (no points), rounded to 5.",
            credit="ONS (OGL)",
        ),
        Source(
            "town_centres",
            "london_plan/town_centres.geojson",
            "London Plan town centre network",
            "Greater London Authority (Planning Data Map)",
            OGL,
            (GLA_ATTR, OS_ATTR),
            "London Plan 2021 (Annex 1)",
            "https://data.london.gov.uk/dataset/town-centre-locations",
            "Local centres are borough designations and mostly absent. Boundaries are indicative.",
            credit="GLA (OGL), OS © Crown copyright",
        ),
        Source(
            "caz",
            "london_plan/central_activities_zone.geojson",
            "Central Activities Zone",
            "Greater London Authority (Planning Data Map)",
            OGL,
            (GLA_ATTR, OS_ATTR),
            "2018",
            "https://data.london.gov.uk/dataset/central_activities_zone",
            "Boundaries are indicative.",
            credit="GLA (OGL), OS © Crown copyright",
        ),
        Source(
            "opportunity_areas",
            "london_plan/opportunity_areas.geojson",
            "Opportunity Areas",
            "Greater London Authority (Planning Data Map)",
            OGL,
            (GLA_ATTR, OS_ATTR),
            "2019",
            "https://data.london.gov.uk/dataset/opportunity-areas",
            "Incomplete: only 27 of the London Plan's 47 Opportunity Areas have boundaries here.",
            credit="GLA (OGL), OS © Crown copyright",
        ),
        Source(
            "sil",
            "london_plan/strategic_industrial_locations.geojson",
            "Strategic Industrial Locations",
            "Greater London Authority (Planning Data Map)",
            OGL,
            (GLA_ATTR, OS_ATTR),
            "2018 (pre-2021 classes)",
            "https://data.london.gov.uk/dataset/strategic-industrial-locations",
            "Boundaries are indicative.",
            credit="GLA (OGL), OS © Crown copyright",
        ),
        Source(
            "creative_enterprise_zones",
            "london_plan/creative_enterprise_zones.geojson",
            "Creative Enterprise Zones",
            "Greater London Authority",
            OGL,
            (GLA_ATTR, OS_ATTR),
            "first round (2018)",
            "https://data.london.gov.uk/dataset/creative-enterprise-zones",
            "First-round zones only.",
            credit="GLA (OGL), OS © Crown copyright",
        ),
        Source(
            "intensification_2015",
            "london_plan/areas_of_intensification_2015.geojson",
            "Areas of Intensification (2015)",
            "Greater London Authority (Planning Data Map)",
            OGL,
            (GLA_ATTR, OS_ATTR),
            "2015 (dropped by the 2021 Plan)",
            "https://data.london.gov.uk/",
            "Historic designation.",
            credit="GLA (OGL), OS © Crown copyright",
        ),
        Source(
            "charities",
            "voluntary/charitybase_2019_charity_counts_london_wards2017.csv",
            "Registered charities per ward (CharityBase)",
            "Charity Commission register via CharityBase",
            OGL,
            (
                "Contains public sector information licensed under the Open Government Licence v3.0 (Charity Commission)",
            ),
            "January 2019",
            "https://charitybase.uk/",
            "Charities are counted where they are registered, not where they work.",
            credit="Charity Commission via CharityBase (OGL)",
        ),
        Source(
            "grants",
            "voluntary/360giving_grants_london_by_ward_funder_year.csv",
            "Grants to London recipients (360Giving)",
            "360Giving publishers (52 funders)",
            "Publishers' own licences (mostly CC BY 4.0 / OGL)",
            ("Grants data published to the 360Giving Data Standard",),
            "2013-2018",
            "https://www.threesixtygiving.org/",
            "Only funders that published to 360Giving by November 2018.",
            credit="360Giving publishers",
        ),
        Source(
            "mutual_aid",
            "voluntary/covid_mutual_aid_groups_london_2020.csv",
            "COVID-19 mutual aid groups",
            "mutualaid.wiki",
            "CC BY-NC-SA 4.0 (non-commercial, share-alike)",
            ("Mutual aid groups from mutualaid.wiki, CC BY-NC-SA 4.0 (non-commercial)",),
            "March-May 2020",
            "https://mutualaid.wiki/",
            "Non-commercial licence. Points are coarse geocodes of a free-text place.",
            credit="mutualaid.wiki (CC BY-NC-SA 4.0)",
        ),
        Source(
            "food_banks",
            "voluntary/givefood_foodbanks_london.csv",
            "Food banks",
            "Give Food",
            "Give Food terms (attribution)",
            ("Food bank data from Give Food",),
            "2022-23",
            "https://www.givefood.org.uk/",
            credit="Give Food",
        ),
        Source(
            "postcodes",
            "postcodes/london_postcodes_codepoint_open_2025.csv",
            "Code-Point Open postcodes (London)",
            "Ordnance Survey",
            OGL,
            (
                "Contains OS data © Crown copyright and database right 2025",
                "Contains Royal Mail data © Royal Mail copyright and database right 2025",
                "Contains National Statistics data © Crown copyright and database right 2025",
            ),
            "October 2025",
            "https://osdatahub.os.uk/downloads/open/CodePointOpen",
            credit="OS Code-Point Open (OGL)",
        ),
        Source(
            "postcodes_2014",
            "postcodes/london_postcodes_codepoint_open_2014_not_in_2025.csv",
            "Code-Point Open postcodes of 2014 no longer current (London)",
            "Ordnance Survey",
            OGL,
            (
                "Contains OS data © Crown copyright and database right",
                "Contains Royal Mail data © Royal Mail copyright and database right",
            ),
            "2014",
            "https://osdatahub.os.uk/downloads/open/CodePointOpen",
            "Used to place closed GP practices whose postcodes have been terminated.",
            credit="OS Code-Point Open (OGL)",
        ),
        Source(
            "libraries_2021",
            "lost_more/libraries_london_2021-01.csv",
            "Public libraries in London, January 2021 (basic dataset)",
            "DCMS, compiled by Libraries Hacked",
            OGL,
            LIB_ATTR,
            "January 2021 (closures 2010-2019)",
            "https://www.librarieshacked.org/",
            "Notes say what many closed buildings became.",
            credit="DCMS/Libraries Hacked (OGL)",
            as_of="2021-01",
        ),
        Source(
            "libraries_2023",
            "lost_more/libraries_london_2023.csv",
            "Public libraries in London, 2023 (basic dataset)",
            "DCMS / Arts Council England, compiled by Libraries Hacked",
            OGL,
            LIB_ATTR,
            "2023 (closures 2010-2023; how each library was run in 2016, 2019, 2021-2023)",
            "https://www.librarieshacked.org/",
            "Placed at their postcode's centroid where the 2016 list has no point.",
            credit="DCMS/ACE/Libraries Hacked (OGL)",
            as_of="2023",
        ),
        Source(
            "pharmacies",
            "lost_more/pharmacies_london_2025-04.csv",
            "Community pharmacies (ODS dispensary codes)",
            "NHS England (Organisation Data Service)",
            OGL,
            NHS_ATTR,
            "April 2025 (closures 2004-2025)",
            "https://digital.nhs.uk/services/organisation-data-service",
            "An ODS code is not a pharmacy: a code closes on every change of owner, a shop can "
            "hold two codes at once, a code can live a day, and a move gets a new code; the "
            "build folds these into one history (the records layer names each code's rule). "
            "Appliance contractors and distance-selling or hub contractors nobody walks into are "
            "left out. 1 January 1948 is the file's date for older codes: on record since, not "
            "an opening. Placed at their postcode's centroid.",
            credit="NHS England ODS (OGL)",
            as_of="2025-04",
            on_record_since="1948-01-01",
        ),
        Source(
            "dental",
            "lost_more/dental_practices_london_2016.csv",
            "NHS dental practices (ODS)",
            "NHS Digital (Organisation Data Service)",
            OGL,
            NHS_ATTR,
            "April 2016 (closures April 2006 - March 2016)",
            "https://digital.nhs.uk/services/organisation-data-service",
            "Every closure is an NHS dental contract ending: the practice may have carried on "
            "privately. Closures dated 31 March, the NHS year end, are contract-end records, "
            "not losses; community, hospital and prison dental services are not practices. "
            "1 April 2006, when the 2006 contracts began, is on record since, not an opening. "
            "Open means open in April 2016. Placed at their postcode's centroid.",
            credit="NHS Digital ODS (OGL)",
            as_of="2016-04",
            on_record_since="2006-04-01",
        ),
    ]
}

# Which sources each map layer draws on, so maps credit exactly what they show.
LAYER_SOURCES: dict[str, tuple[str, ...]] = {
    "boroughs": ("boroughs", "borough_population"),
    "wards": ("lsoas", "ward_lookup", "lsoa_population"),
    "lsoas": ("lsoas", "imd", "lsoa_population"),
    "food_bank": ("food_banks",),
    "mutual_aid": ("mutual_aid",),
    "voluntary_wards": ("charities", "grants", "lsoa_population"),
    "pubs_by_borough": ("boroughs", "pubs"),
    **{key: policy.sources for key, policy in POLICIES.items()},
}


def credits(keys) -> list[str]:
    """Unique short credits for the given source keys, in first-seen order."""
    return list(dict.fromkeys(SOURCES[k].credit for k in keys))


def attributions(keys) -> list[str]:
    """Unique attribution statements for the given source keys, in first-seen order."""
    return list(dict.fromkeys(line for k in keys for line in SOURCES[k].attribution))


# Which catalogue entries each value of the sites' `sources` column rests on (GP practices
# are placed at their postcode's centroid, so Code-Point Open is credited with them).
SITE_SOURCE_KEYS = {
    "cim_2022": ("cim",),
    "libraries_2016": ("libraries",),
    "libraries_2021": ("libraries_2021", "postcodes"),
    "libraries_2023": ("libraries_2023", "postcodes"),
    "epraccur_2019": ("gp_practices", "postcodes"),
    "pharmacies_2025": ("pharmacies", "postcodes"),
    "dental_2016": ("dental", "postcodes"),
    "mapping_museums": ("museums",),
    "osm_2020": ("worship",),
}


VINTAGE_LABELS = {
    "boroughs": "boroughs",
    "borough_population": "population",
    "lsoa_population": "population",
    "cim": "culture map",
    "libraries": "libraries",
    "gp_practices": "GP practices",
    "museums": "museums",
    "worship": "places of worship (OSM)",
    "town_centres": "town centres",
    "caz": "CAZ",
    "opportunity_areas": "Opportunity Areas",
    "sil": "industrial locations",
    "creative_enterprise_zones": "Creative Enterprise Zones",
    "intensification_2015": "Areas of Intensification",
    "imd": "deprivation (IMD)",
    "lsoas": "LSOAs",
    "pubs": "pubs (ONS)",
    "charities": "charities",
    "grants": "grants",
    "food_banks": "food banks",
    "mutual_aid": "mutual aid groups",
    "libraries_2021": "libraries (2021)",
    "libraries_2023": "libraries (2023)",
    "pharmacies": "pharmacies",
    "dental": "dental practices",
}


NOT_DATED = {"postcodes", "postcodes_2014", "ward_lookup", "library_authorities", "lsoas"}


def status_as_of(sources: str) -> str:
    """The date a site's status is known at: its latest source's ('2016-04', '2023')."""
    dates = [SOURCES[SITE_SOURCE_KEYS[i][0]].as_of for i in sources.split("; ")]
    return max(dates)


def recording_source_keys(categories: Iterable[str] = RECORDING_CATEGORIES) -> list[str]:
    """Catalogue keys of the sources that record these categories' closures (and place them)."""
    ids = [i for i in SITE_SOURCE_KEYS for c in categories if re.fullmatch(RECORDING[c].source, i)]
    return list(dict.fromkeys(k for i in ids for k in SITE_SOURCE_KEYS[i]))


#: Every source of the sites layer (what a count of all sites rests on), in catalogue order.
SITE_KEYS = tuple(k for k in SOURCES if any(k in keys for keys in SITE_SOURCE_KEYS.values()))


def site_source_keys(sites: pd.DataFrame) -> list[str]:
    """Catalogue keys of the sources behind these sites, in catalogue order."""
    ids = {s for value in sites["sources"].unique() for s in value.split("; ")}
    keys = {k for i in ids for k in SITE_SOURCE_KEYS.get(i, ())}
    return [k for k in SOURCES if k in keys]


def vintage_line(keys: Iterable[str]) -> str:
    parts = []
    for key in dict.fromkeys(keys):
        if key in NOT_DATED or key not in SOURCES:
            continue
        part = f"{VINTAGE_LABELS.get(key, SOURCES[key].title)}: {SOURCES[key].vintage}"
        if part not in parts:
            parts.append(part)
    return "Data vintage: " + "; ".join(parts) + "."


def attribution_lines(keys: Iterable[str]) -> tuple[str, ...]:
    """lib.sources.attributions, with statements that say the same thing twice (one with a
    year, or "OS" for "Ordnance Survey") given once."""

    def same(line: str) -> str:
        line = line.lower().replace("ordnance survey", "os").rstrip(". ")
        return line[:-5] if line[-4:].isdigit() and line[-5] == " " else line

    seen: dict[str, str] = {}
    for line in attributions(keys):
        seen.setdefault(same(line), line)
    return tuple(seen.values())


def policy_source_keys(policies: Iterable[str]) -> list[str]:
    return [k for p in policies for k in LAYER_SOURCES.get(p, ())]


def view_source_keys(
    layers: Iterable[str] = (),
    sites: Iterable[pd.DataFrame] = (),
    policies: Iterable[str] = (),
    keys: Iterable[str] = (),
) -> list[str]:
    """The sources of what a view shows, each once: its map layers (`LAYER_SOURCES` names),
    the sources of the sites it draws or counts (each frame's `sources` column), its London
    Plan layers, and any other catalogue keys; so an attribution names every source shown."""
    return list(
        dict.fromkeys(
            [
                *(k for layer in layers for k in LAYER_SOURCES[layer]),
                *(k for frame in sites for k in site_source_keys(frame)),
                *policy_source_keys(policies),
                *keys,
            ]
        )
    )
