"""Borough profiles and the voluntary sector: the figures behind the two local views.

Pure functions over the layers of geodata/london.gpkg (EPSG:27700); no streamlit, no file
reading, no caching (pages cache the results by small keys). Four parts:

- **Borough headline figures** (`borough_stats`, `borough_figures`): one long table, a row per borough
  and measure, with the London figure (London total / London population: population-weighted)
  and the rank among the boroughs (rank 1 = the highest value; `rank_meaning` says what that
  is). Per-resident figures of a borough with under 20,000 residents (the City of London, about
  11,000 people and a huge daytime population) are flagged `unstable` and left out of the
  ranking, so the City is never silently "first".
- **Wards** (`ward_table`): the 2017 wards with sites, closures, charities, grants and IMD
  (population-weighted from LSOAs), for a borough's ward map and the London ward table.
- **Lists** (`closed_facilities`, `voluntary_list`) and **statistics** (`voluntary_correlations`,
  `findings`, `unmatched_report`), each carrying its caveats as data (``attrs["caveats"]``).
- **Maps**: lib/render/page_specs.py (`borough_spec`, `voluntary_spec`) declares them from
  these tables; lib/render/ward_maps.py has the ward shapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from lib.analysis import losses
from lib.analysis.inference import correlation, poisson_rate_interval, rate_trend_test
from lib.analysis.losses import lost_mask
from lib.analysis.pub_trends import pubs_change
from lib.data.layers import history_texts, source_labels
from lib.vocab.categories import (
    CATEGORY_GROUPS,
    PUBS_END,
    PUBS_START,
    RECORDING,
    categories_text,
    count_word,
    recording_text,
)
from lib.vocab.funders import FUNDER_GROUPS, FUNDER_TYPES, VOLUNTARY
from lib.vocab.sources import SITE_KEYS, SOURCES, recording_source_keys

# ---------------------------------------------------------------- constants

#: Per-resident figures of a borough with fewer residents than this are unstable (not ranked).
UNSTABLE_POPULATION = 20_000
#: The same for wards: only the five City of London wards (1,688-3,578 residents) fall below.
UNSTABLE_WARD_POPULATION = 5_000
CLOSURES_SINCE = 2010
GRANT_YEARS = "2013-2018"
OWN_FUNDERS = FUNDER_GROUPS["independent"]
#: What "Add public money" adds: the funders outside the independent group.
PUBLIC_FUNDERS = " and ".join(FUNDER_GROUPS[g] for g in FUNDER_GROUPS if g != "independent")
#: The categories whose sources record closures, with the years each can show since 2010.
CLOSURE_CATEGORIES = {c: r.window_since(CLOSURES_SINCE) for c, r in RECORDING.items()}
#: Sources that record closures only from 2010 on: a closure there with no year still counts.
CLOSURES_ONLY_SINCE_2010 = {c for c, r in RECORDING.items() if r.first_year >= CLOSURES_SINCE}
KIND_LABELS = {"food_bank": "Food bank", "mutual_aid": "Mutual aid group"}
VINTAGES = {"food_bank": "Give Food, about 2022-23", "mutual_aid": "mutualaid.wiki, March-May 2020"}

CAVEATS = {
    "charities_registered": (
        "Charities are counted where they are registered (their registered address), not "
        "where they work: central wards with many head offices look rich in charities, and "
        "a ward served by charities registered elsewhere looks poor."
    ),
    "charities_coverage": (
        "The 2019 extract covers wards unevenly: 88 of London's 634 wards are missing from it "
        "(shown as no data, not 0) and some boroughs have far fewer charities than their size "
        "suggests (Wandsworth 55, Islington 136), so a low figure may be a gap in the extract "
        "rather than a lack of charities. Each borough's figure says how many of its wards "
        "the extract covers."
    ),
    "charities_vintage": (
        "Registered charities from the Charity Commission register as extracted by "
        "CharityBase in January 2019; a ward missing from the extract has no figure."
    ),
    "grants_publishers": (
        "Grants are only those of the 52 funders who published to 360Giving by November 2018 "
        "(2013-2018 awards); many funders, and most public money, are missing. Grants are "
        "placed at the recipient's address, not where the money was spent."
    ),
    "grants_funders": (
        f"Grant figures count the {OWN_FUNDERS} unless public money is added "
        f"({PUBLIC_FUNDERS}): the Department for Transport, the Big Lottery Fund, Sport "
        "England and one council gave seven pounds in eight of all the money, much of it to a "
        "few transport and sports bodies. Research funders (the Wolfson Foundation, the Gatsby "
        "Charitable Foundation, Lloyd's Register Foundation, the Dunhill Medical Trust) are "
        "independent, but their money goes mainly to universities and museums."
    ),
    "grants_unmatched": (
        "Grant rows whose recipient code is not a 2017 London ward (district-level or another "
        "ward vintage) count in borough totals but not in ward figures."
    ),
    "ecological": (
        "Correlations across wards describe places, not people or organisations, and say "
        "nothing about cause."
    ),
    "city_wards": (
        "The five City of London wards have under 5,000 residents and many registered offices: "
        "their per-resident figures are extreme; the second row of each pair leaves them out."
    ),
    "imd": (
        "Ward deprivation is the IMD 2019 score of its LSOAs weighted by mid-2020 "
        "population (higher = more deprived)."
    ),
}

# ---------------------------------------------------------------- measures


@dataclass(frozen=True)
class Measure:
    key: str
    section: str
    label: str  # full label, reads on its own
    short: str  # label of a metric tile
    unit: str
    fmt: str  # format of the value
    per_head: bool  # a per-resident figure: unstable for tiny boroughs
    rank_meaning: str  # what rank 1 is
    note: str = ""

    def show(self, value) -> str:
        return "no data" if value is None or pd.isna(value) else self.fmt.format(value)


def _capital(text: str) -> str:
    """The first letter in capitals, the rest as written ('GP practices' stays)."""
    return text[:1].upper() + text[1:]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _measures() -> list[Measure]:
    out = [
        Measure(
            "sites_all",
            "Facilities",
            "All facilities: open sites per 10,000 residents",
            "All open facilities",
            "per 10,000 residents",
            "{:.1f}",
            True,
            "1 = most per resident",
            "Open sites of every category (culture map 2022, libraries 2016, GP practices "
            "2019, museums, places of worship 2020).",
        )
    ]
    for group in CATEGORY_GROUPS:
        out.append(
            Measure(
                f"sites_{_slug(group)}",
                "Facilities",
                f"{group}: open sites per 10,000 residents",
                group,
                "per 10,000 residents",
                "{:.1f}",
                True,
                "1 = most per resident",
            )
        )
    for category, window in CLOSURE_CATEGORIES.items():
        plural = RECORDING[category].plural
        title = _capital(plural)
        out.append(
            Measure(
                f"closures_{_slug(category)}",
                "Losses",
                f"{title} closed since {CLOSURES_SINCE}: per 100,000 residents",
                f"{title} closed",
                "per 100,000 residents",
                "{:.1f}",
                True,
                "1 = most closures per resident",
                f"Closures recorded {window}.",
            )
        )
    out.append(
        Measure(
            "closures_all",
            "Losses",
            f"{_capital(categories_text(RECORDING))} closed since {CLOSURES_SINCE}: per "
            "100,000 residents",
            "All recorded closures",
            "per 100,000 residents",
            "{:.1f}",
            True,
            "1 = most closures per resident",
            f"Only these {len(RECORDING)} kinds of facility have records of closures; each "
            "source's own window, from the Losses over time page.",
        )
    )
    out.append(
        Measure(
            "pubs_lost",
            "Losses",
            f"Pubs and bars lost {PUBS_START}-{PUBS_END}: % of {PUBS_START}",
            f"Pubs lost {PUBS_START}-{PUBS_END}",
            f"% of {PUBS_START} pubs",
            "{:.0f}%",
            False,
            "1 = largest share lost",
            "ONS counts of pub and bar businesses, rounded to 5; a negative figure "
            "means the borough gained pubs.",
        )
    )
    out.append(
        Measure(
            "charities_per_1k",
            "Voluntary sector",
            "Registered charities per 1,000 residents (2019)",
            "Charities",
            "per 1,000 residents",
            "{:.2f}",
            True,
            "1 = most per resident",
            CAVEATS["charities_registered"],
        )
    )
    out.append(
        Measure(
            "grants_per_head",
            "Voluntary sector",
            f"Grants per head from independent charitable funders, {GRANT_YEARS} (360Giving)",
            "Grants per head",
            "£ per resident",
            "£{:,.0f}",
            True,
            "1 = most per resident",
            CAVEATS["grants_publishers"],
        )
    )
    out.append(
        Measure(
            "regen_share",
            "Deprivation",
            "Share of residents in Areas for Regeneration",
            "In Areas for Regeneration",
            "% of residents",
            "{:.0f}%",
            True,
            "1 = largest share",
            "Areas for Regeneration (London Plan SD10): LSOAs in the 20% most "
            "deprived in England on the IMD 2019.",
        )
    )
    out.append(
        Measure(
            "imd_score",
            "Deprivation",
            "Deprivation: average IMD 2019 score (population-weighted)",
            "Deprivation (IMD score)",
            "IMD 2019 score",
            "{:.1f}",
            False,
            "1 = most deprived",
            "IMD 2019 scores of the borough's LSOAs weighted by mid-2020 population "
            "(higher = more deprived).",
        )
    )
    return out


MEASURES: dict[str, Measure] = {m.key: m for m in _measures()}
#: The figures shown as tiles at the top of a profile (the table has them all).
KEY_MEASURES = [
    "sites_all",
    "sites_community_libraries",
    "closures_all",
    "pubs_lost",
    "charities_per_1k",
    "grants_per_head",
    "regen_share",
    "imd_score",
]
UNIT_SHORT = {
    "per 10,000 residents": "per 10k",
    "per 100,000 residents": "per 100k",
    "per 1,000 residents": "per 1,000",
    "£ per resident": "£ a head",
    "% of residents": "% of residents",
    "IMD 2019 score": "",
}

# ---------------------------------------------------------------- small helpers


def ordinal(n) -> str:
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def with_caveats(frame: pd.DataFrame, keys) -> pd.DataFrame:
    frame.attrs["caveats"] = [CAVEATS[k] for k in dict.fromkeys(keys)]
    return frame


def closures_since(sites: pd.DataFrame, since: int = CLOSURES_SINCE) -> pd.DataFrame:
    """Lost sites of the recording categories closed in or after `since` (a closure that was a
    replacement, a move or a change of owner is not a loss; see ``losses.lost_mask``).

    A closure with no year counts when its source records closures only from 2010 on (one
    library in the 2016 list has none).
    """
    closed = sites[lost_mask(sites) & sites["category"].isin(CLOSURE_CATEGORIES)]
    year = closed["closed_year"]
    keep = year.ge(since).fillna(False) | (
        year.isna() & closed["category"].isin(CLOSURES_ONLY_SINCE_2010)
    )
    return closed[keep.astype(bool)]


def weighted_imd(lsoas: pd.DataFrame, by: str) -> pd.Series:
    weights = lsoas["population"].astype(float)
    total = (lsoas["imd_score"] * weights).groupby(lsoas[by]).sum()
    return total / weights.groupby(lsoas[by]).sum()


# ---------------------------------------------------------------- borough headline figures

STATS_COLUMNS = [
    "gss_code",
    "name",
    "population",
    "measure",
    "section",
    "label",
    "unit",
    "value",
    "count",
    "london",
    "london_count",
    "rank",
    "ranked_of",
    "rank_all",
    "unstable",
    "rank_meaning",
    "note",
]


def borough_counts(
    boroughs: pd.DataFrame,
    lsoas: pd.DataFrame,
    sites: pd.DataFrame,
    wards: pd.DataFrame,
    voluntary_wards: pd.DataFrame,
    grants_by_year: pd.DataFrame,
    pubs_by_borough: pd.DataFrame,
) -> pd.DataFrame:
    """Numerators and denominators per borough (one row per borough, gss_code order).

    Columns: gss_code, name, population, one ``n_<measure>`` count per measure and, for the
    pubs, pubs_start and pubs_end.
    """
    table = pd.DataFrame(boroughs)[["gss_code", "name", "population"]].sort_values(
        "gss_code", ignore_index=True
    )
    codes = table["gss_code"]

    def per_borough(series: pd.Series) -> pd.Series:
        return codes.map(series).fillna(0)

    open_sites = sites[sites["status"] == "open"]
    table["n_sites_all"] = per_borough(open_sites.groupby("gss_code").size())
    for group in CATEGORY_GROUPS:
        in_group = open_sites[open_sites["category_group"] == group]
        table[f"n_sites_{_slug(group)}"] = per_borough(in_group.groupby("gss_code").size())
    closures = closures_since(sites)
    for category in CLOSURE_CATEGORIES:
        table[f"n_closures_{_slug(category)}"] = per_borough(
            closures[closures["category"] == category].groupby("gss_code").size()
        )
    table["n_closures_all"] = per_borough(closures.groupby("gss_code").size())
    pubs = pubs_change(pubs_by_borough, boroughs, PUBS_START, PUBS_END).set_index("gss_code")
    table["pubs_start"] = codes.map(pubs["pubs_start"])
    table["pubs_end"] = codes.map(pubs["pubs_end"])
    table["n_pubs_lost"] = table["pubs_start"] - table["pubs_end"]
    ward_borough = pd.DataFrame(wards).set_index("ward_code")["gss_code"]
    charities = pd.DataFrame(voluntary_wards).assign(
        gss_code=lambda f: f["ward_code"].map(ward_borough)
    )
    table["n_charities_per_1k"] = per_borough(charities.groupby("gss_code")["charities"].sum())
    table["wards_total"] = per_borough(charities.groupby("gss_code").size()).astype(int)
    covered = charities[charities["charities"].notna()]
    table["wards_with_charity"] = per_borough(covered.groupby("gss_code").size()).astype(int)
    # Charities per resident of the wards the extract covers: a missing ward is no data.
    population = pd.DataFrame(wards).set_index("ward_code")["population"]
    table["charity_population"] = per_borough(
        covered["ward_code"].map(population).groupby(covered["gss_code"]).sum()
    )
    own = grants_by_year[grants_by_year["funder_type"].isin(VOLUNTARY)]
    table["n_grants_per_head"] = per_borough(own.groupby("gss_code")["grants_gbp"].sum())
    regen = lsoas[lsoas["regen_area"].astype(bool)]
    table["n_regen_share"] = per_borough(regen.groupby("gss_code")["population"].sum())
    table["lsoa_population"] = per_borough(lsoas.groupby("gss_code")["population"].sum())
    table["imd_score"] = codes.map(weighted_imd(lsoas, "gss_code"))
    return table


def _scale(key: str) -> int:
    """What a per-resident measure's count is multiplied by: sites per 10,000 residents,
    closures per 100,000, charities per 1,000, £ per resident, % of residents."""
    if key.startswith("sites_"):
        return 10_000
    if key.startswith("closures_"):
        return 100_000
    return {"charities_per_1k": 1_000, "grants_per_head": 1, "regen_share": 100}[key]


def borough_stats(
    boroughs: pd.DataFrame,
    lsoas: pd.DataFrame,
    sites: pd.DataFrame,
    wards: pd.DataFrame,
    voluntary_wards: pd.DataFrame,
    grants_by_year: pd.DataFrame,
    pubs_by_borough: pd.DataFrame,
    min_population: int = UNSTABLE_POPULATION,
) -> pd.DataFrame:
    """Every headline figure of every borough, with London's figure and ranks (long form).

    One row per (borough, measure) in MEASURES order; columns STATS_COLUMNS:

    - ``value``: the borough's figure; ``count`` the number behind it (sites, closures, pubs
      lost, charities, £ of grants, residents in Areas for Regeneration);
    - ``london``: London total / London population (population-weighted), or London's own
      share of pubs lost and its population-weighted IMD score;
    - ``rank``: 1 = highest value, among the boroughs whose figure is stable (``ranked_of`` of
      them); ``rank_all``: the rank it would have among all boroughs;
    - ``unstable``: a per-resident figure of a borough with fewer than `min_population`
      residents; such rows have no ``rank``.
    """
    counts = borough_counts(
        boroughs, lsoas, sites, wards, voluntary_wards, grants_by_year, pubs_by_borough
    )
    population = counts["population"].astype(float)
    london_population = float(population.sum())
    small = counts["population"] < min_population
    frames = []
    for m in MEASURES.values():
        frame = counts[["gss_code", "name", "population"]].copy()
        if m.key == "pubs_lost":
            frame["count"] = counts["n_pubs_lost"]
            frame["value"] = (
                100 * counts["n_pubs_lost"] / counts["pubs_start"].where(counts["pubs_start"] > 0)
            )
            frame["london_count"] = counts["n_pubs_lost"].sum()
            frame["london"] = 100 * counts["n_pubs_lost"].sum() / counts["pubs_start"].sum()
        elif m.key == "imd_score":
            frame["count"] = np.nan
            frame["value"] = counts["imd_score"]
            frame["london_count"] = np.nan
            frame["london"] = float(
                (counts["imd_score"] * counts["lsoa_population"]).sum()
                / counts["lsoa_population"].sum()
            )
        else:
            scale = _scale(m.key)
            residents = (
                counts["charity_population"].astype(float)
                if m.key == "charities_per_1k"
                else population
            )
            frame["count"] = counts[f"n_{m.key}"]
            frame["value"] = scale * counts[f"n_{m.key}"] / residents
            frame["london_count"] = counts[f"n_{m.key}"].sum()
            frame["london"] = scale * counts[f"n_{m.key}"].sum() / residents.sum()
        frame["unstable"] = small & m.per_head
        stable = frame["value"].where(~frame["unstable"])
        frame["rank"] = stable.rank(ascending=False, method="min").astype("Int64")
        frame["ranked_of"] = int(stable.notna().sum())
        frame["rank_all"] = frame["value"].rank(ascending=False, method="min").astype("Int64")
        frame["measure"], frame["section"], frame["label"] = m.key, m.section, m.label
        frame["unit"], frame["rank_meaning"], frame["note"] = m.unit, m.rank_meaning, m.note
        if m.key == "charities_per_1k":
            frame["note"] = [
                f"The extract covers {k} of its {n} wards; per 1,000 residents of those. {m.note}"
                for k, n in zip(counts["wards_with_charity"], counts["wards_total"], strict=True)
            ]
        frames.append(frame)
    stats = pd.concat(frames, ignore_index=True)[STATS_COLUMNS]
    stats.attrs["london_population"] = int(london_population)
    stats.attrs["charity_wards"] = {
        code: (int(k), int(n))
        for code, k, n in zip(
            counts["gss_code"], counts["wards_with_charity"], counts["wards_total"], strict=True
        )
    }
    return with_caveats(
        stats,
        [
            "charities_registered",
            "charities_coverage",
            "grants_funders",
            "grants_publishers",
            "grants_unmatched",
        ],
    )


def rank_text(row) -> str:
    """'5th of 32 (1 = most per resident)', or why the figure is not ranked."""
    if row["unstable"]:
        would = f" (would be {ordinal(row['rank_all'])} of 33)" if pd.notna(row["rank_all"]) else ""
        return f"not ranked: too few residents for a stable figure{would}"
    if pd.isna(row["rank"]):
        return "not ranked (no data)"
    return f"{ordinal(row['rank'])} of {row['ranked_of']} ({row['rank_meaning']})"


def borough_figures(stats: pd.DataFrame, gss_code: str) -> pd.DataFrame:
    """One borough's figures in MEASURES order, with display strings.

    Adds ``shown`` (the value formatted), ``london_shown``, ``count_shown`` and ``rank_text``.
    """
    rows = stats[stats["gss_code"] == gss_code].copy()
    if rows.empty:
        raise KeyError(f"No borough with GSS code {gss_code!r}")
    rows["shown"] = [
        MEASURES[k].show(v) for k, v in zip(rows["measure"], rows["value"], strict=True)
    ]
    rows["london_shown"] = [
        MEASURES[k].show(v) for k, v in zip(rows["measure"], rows["london"], strict=True)
    ]
    rows["count_shown"] = [
        _count_text(k, c) for k, c in zip(rows["measure"], rows["count"], strict=True)
    ]
    rows["rank_text"] = [rank_text(r) for _, r in rows.iterrows()]
    rows.attrs = dict(stats.attrs)
    return rows.reset_index(drop=True)


def _count_text(key: str, count) -> str:
    if count is None or pd.isna(count):
        return ""
    count = float(count)
    if key.startswith("sites"):
        return f"{count:,.0f} open sites"
    if key.startswith("closures"):
        return f"{count:,.0f} closed"
    if key == "pubs_lost":
        return f"{count:,.0f} fewer pubs" if count >= 0 else f"{-count:,.0f} more pubs"
    if key == "charities_per_1k":
        return f"{count:,.0f} charities"
    if key == "grants_per_head":
        return f"£{count / 1e6:,.1f} million"
    if key == "regen_share":
        return f"{count:,.0f} residents"
    return f"{count:,.0f}"


def rank_short(row) -> str:
    """'4th of 32', or 'not ranked ⚠' for an unstable figure."""
    if row["unstable"]:
        return "not ranked ⚠"
    if pd.isna(row["rank"]):
        return "-"
    return f"{ordinal(row['rank'])} of {row['ranked_of']}"


def borough_figures_display(rows: pd.DataFrame) -> pd.DataFrame:
    """A compact table of `borough_figures` rows: figure, borough value, London, rank."""
    figures = []
    for key, unit in zip(rows["measure"], rows["unit"], strict=True):
        m = MEASURES[key]
        prefix = "Sites: " if key.startswith("sites_") else ""
        suffix = UNIT_SHORT.get(unit, unit)
        figures.append(f"{prefix}{m.short}" + (f" ({suffix})" if suffix else ""))
    return pd.DataFrame(
        {
            "figure": figures,
            "value": rows["shown"].values,
            "London": rows["london_shown"].values,
            "rank": [rank_short(r) for _, r in rows.iterrows()],
        }
    )


def borough_figures_csv(rows: pd.DataFrame) -> pd.DataFrame:
    """The headline table as a plain CSV-ready frame (figures rounded, labels spelt out)."""
    return pd.DataFrame(
        {
            "borough": rows["name"],
            "gss_code": rows["gss_code"],
            "section": rows["section"],
            "measure": rows["label"],
            "value": rows["value"].round(3),
            "unit": rows["unit"],
            "count": rows["count"],
            "london": rows["london"].round(3),
            "rank": rows["rank"],
            "ranked_of": rows["ranked_of"],
            "rank_meaning": rows["rank_meaning"],
            "unstable": rows["unstable"],
            "residents_mid_2020": rows["population"],
            "note": rows["note"],
        }
    )


# ---------------------------------------------------------------- wards

WARD_COLUMNS = [
    "ward_code",
    "ward",
    "gss_code",
    "borough",
    "population",
    "open_sites",
    "sites_per_10k",
    "closures",
    "charities",
    "charities_per_1k",
    "grants_gbp",
    "grants_count",
    "grants_per_head",
    "imd_score",
    "imd_rank",
    "regen_share",
    "unstable",
]


def ward_table(
    wards: pd.DataFrame,
    lsoas: pd.DataFrame,
    sites: pd.DataFrame,
    voluntary_wards: pd.DataFrame,
    borough_names: dict[str, str],
    gss_code: str | None = None,
    min_population: int = UNSTABLE_WARD_POPULATION,
    government: bool = False,
) -> pd.DataFrame:
    """The 2017 wards (all London, or one borough) with their local figures.

    sites_per_10k: open sites per 10,000 residents; closures: the recorded categories' sites
    lost since 2010 (a count);
    charities_per_1k from the voluntary_wards layer
    (null where the extract has no row for the ward); grants_gbp and grants_per_head: the
    voluntary sector's own funders, with government's added when `government`; imd_score: LSOA IMD 2019 scores weighted by
    mid-2020 population; imd_rank: 1 = the most deprived of London's wards; regen_share: % of
    residents in Areas for Regeneration; unstable: fewer than `min_population` residents.
    """
    table = pd.DataFrame(wards)[["ward_code", "name", "gss_code", "population"]].rename(
        columns={"name": "ward"}
    )
    table["borough"] = table["gss_code"].map(borough_names)
    codes = table["ward_code"]
    population = table["population"].astype(float)
    table["open_sites"] = (
        codes.map(sites[sites["status"] == "open"].groupby("ward_code").size())
        .fillna(0)
        .astype(int)
    )
    table["sites_per_10k"] = 10_000 * table["open_sites"] / population
    table["closures"] = (
        codes.map(closures_since(sites).groupby("ward_code").size()).fillna(0).astype(int)
    )
    vol = pd.DataFrame(voluntary_wards).set_index("ward_code")
    table["charities"] = codes.map(vol["charities"]).astype("Int64")
    table["charities_per_1k"] = 1_000 * table["charities"].astype(float) / population
    for column in ("grants_gbp", "grants_count"):
        value = codes.map(vol[column]).fillna(0)
        if not government:  # the voluntary sector's own funders only
            value = value - codes.map(vol[f"{column}_public"]).fillna(0)
        table[column] = value.astype(int) if column == "grants_count" else value.astype(float)
    table["grants_per_head"] = table["grants_gbp"] / population
    table["imd_score"] = codes.map(weighted_imd(lsoas, "ward_code"))
    table["imd_rank"] = table["imd_score"].rank(ascending=False, method="min").astype("Int64")
    regen = lsoas[lsoas["regen_area"].astype(bool)].groupby("ward_code")["population"].sum()
    table["regen_share"] = 100 * codes.map(regen).fillna(0) / population
    table["unstable"] = table["population"] < min_population
    if gss_code is not None:
        table = table[table["gss_code"] == gss_code]
    table = table[WARD_COLUMNS].sort_values(["borough", "ward"], ignore_index=True)
    return with_caveats(
        table,
        [
            "charities_registered",
            "charities_coverage",
            "charities_vintage",
            "grants_funders",
            "grants_publishers",
            "grants_unmatched",
            "imd",
        ],
    )


def ward_csv(table: pd.DataFrame) -> pd.DataFrame:
    """The ward table rounded for a CSV download."""
    out = table.copy()
    for column, digits in [
        ("sites_per_10k", 2),
        ("charities_per_1k", 3),
        ("grants_gbp", 0),
        ("grants_per_head", 2),
        ("imd_score", 2),
        ("regen_share", 1),
    ]:
        out[column] = out[column].round(digits)
    return out.rename(
        columns={
            "population": "residents_mid_2020",
            "closures": f"closures_since_{CLOSURES_SINCE}",
            "unstable": f"under_{UNSTABLE_WARD_POPULATION}_residents",
        }
    )


# ---------------------------------------------------------------- lists


def closed_facilities(
    sites: pd.DataFrame, gss_code: str, ward_names: dict[str, str]
) -> pd.DataFrame:
    """Every closed facility in a borough (any year), newest closure first."""
    closed = sites[(sites["status"] == "closed") & (sites["gss_code"] == gss_code)]
    table = pd.DataFrame(
        {
            "name": closed["name"],
            "category": closed["category"],
            "closed_year": closed["closed_year"],
            "opened_year": closed["opened_year"],
            "history": history_texts(closed),
            "ward": closed["ward_code"].map(ward_names),
            "source": closed["sources"].map(source_labels),
            "licence": closed["licence"],
            "site_id": closed["site_id"],
            "in_town_centre": closed["in_town_centre"],
            "in_regen_area": closed["in_regen_area"],
        }
    )
    table = table.sort_values(
        ["closed_year", "category", "name"],
        ascending=[False, True, True],
        na_position="last",
        ignore_index=True,
    )
    recorded = ", ".join(f"{RECORDING[c].plural} ({w})" for c, w in CLOSURE_CATEGORIES.items())
    table.attrs["caveats"] = [
        f"Closures are recorded only for {recorded}. Pubs, community centres, venues and "
        "places of worship list open sites only."
    ]
    return table


def voluntary_list(
    points: pd.DataFrame,
    gss_code: str | None,
    ward_names: dict[str, str],
    borough_names: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Food banks and mutual aid groups (a borough's, or London's) with licence and vintage.

    With `borough_names`, a borough column follows the ward."""
    chosen = points if gss_code is None else points[points["gss_code"] == gss_code]
    table = pd.DataFrame(
        {
            "kind": chosen["kind"].map(KIND_LABELS),
            "name": chosen["name"],
            "network": chosen["network"].fillna("").replace("", "-"),
            "status": chosen["status"],
            "ward": chosen["ward_code"].map(ward_names),
        }
    )
    if borough_names is not None:
        table["borough"] = chosen["gss_code"].map(borough_names)
    table["vintage"] = chosen["kind"].map(VINTAGES)
    table["licence"] = chosen["licence"]
    return table.sort_values(
        ["kind", "status", "name"], key=lambda s: s.str.lower(), ignore_index=True
    )


class BoroughTables(NamedTuple):
    """The borough profile's tables of one borough (lib/ui/cache.py keeps them per borough)."""

    figures: pd.DataFrame  # borough_figures
    figures_display: pd.DataFrame
    figures_csv: pd.DataFrame
    closed: pd.DataFrame  # closed_facilities
    helpers: pd.DataFrame  # voluntary_list
    wards_csv: pd.DataFrame  # ward_csv


def borough_tables(
    stats: pd.DataFrame,
    wards: pd.DataFrame,
    sites: pd.DataFrame,
    points: pd.DataFrame,
    gss_code: str,
    ward_names: dict[str, str],
) -> BoroughTables:
    figures = borough_figures(stats, gss_code)
    return BoroughTables(
        figures,
        borough_figures_display(figures),
        borough_figures_csv(figures),
        closed_facilities(sites, gss_code, ward_names),
        voluntary_list(points, gss_code, ward_names),
        ward_csv(wards),
    )


class VoluntaryTables(NamedTuple):
    """The voluntary page's London-wide tables (lib/ui/cache.py keeps them per funder choice)."""

    wards_csv: pd.DataFrame  # ward_csv of London's wards
    helpers: pd.DataFrame  # voluntary_list of London, with boroughs
    funder_groups: pd.DataFrame  # grants_by_group


def voluntary_tables(
    wards: pd.DataFrame,
    points: pd.DataFrame,
    grants_by_year: pd.DataFrame,
    ward_names: dict[str, str],
    borough_names: dict[str, str],
) -> VoluntaryTables:
    return VoluntaryTables(
        ward_csv(wards),
        voluntary_list(points, None, ward_names, borough_names),
        grants_by_group(grants_by_year),
    )


# ---------------------------------------------------------------- statistics

CORRELATION_MEASURES = {
    "charities_per_1k": "Registered charities per 1,000 residents (2019)",
    "grants_per_head": f"Grants per head, {GRANT_YEARS} (independent charitable funders)",
}


def grants_by_group(grants_by_year: pd.DataFrame) -> pd.DataFrame:
    """The grants of 2013-2018 by funder group and type: group (a FUNDER_GROUPS label), type
    (a FUNDER_TYPES label), grants_gbp, share (of all the money), voluntary (counted by
    default), in FUNDER_GROUPS then FUNDER_TYPES order."""
    sums = grants_by_year.groupby("funder_type")["grants_gbp"].sum()
    total = float(sums.sum())
    rows = [
        dict(
            group=FUNDER_GROUPS[t.group],
            type=t.label,
            grants_gbp=float(sums.get(t.key, 0.0)),
            share=float(sums.get(t.key, 0.0)) / total if total else float("nan"),
            voluntary=t.voluntary,
        )
        for g in FUNDER_GROUPS
        for t in FUNDER_TYPES.values()
        if t.group == g
    ]
    return pd.DataFrame(rows, columns=["group", "type", "grants_gbp", "share", "voluntary"])


def gbp_text(gbp: float) -> str:
    """'£423 m' or '£3.21 bn', the unit held to its number (a no-break space)."""
    if abs(gbp) >= 1e9:
        return f"£{gbp / 1e9:,.2f}\u00a0bn"
    return f"£{gbp / 1e6:,.0f}\u00a0m"


def grants_sentence(groups: pd.DataFrame) -> str:
    """'Of the £3.21 bn published to 360Giving for 2013-2018: government departments and
    councils £1,661 m; ...' from ``grants_by_group``."""
    by_group = groups.groupby("group", sort=False)["grants_gbp"].sum()
    research = groups.loc[groups["type"] == FUNDER_TYPES["research"].label, "grants_gbp"].sum()
    parts = [f"{group} {gbp_text(gbp)}" for group, gbp in by_group.items()]
    return (
        f"Of the {gbp_text(groups['grants_gbp'].sum())} published to 360Giving for "
        f"{GRANT_YEARS}: " + "; ".join(parts) + ". Of the independent funders' money, "
        f"{gbp_text(research)} came from research funders, whose money goes mainly to "
        "universities and museums."
    )


def _strength(value: float) -> str:
    if pd.isna(value):
        return "cannot tell"
    size = abs(value)
    word = (
        "negligible"
        if size < 0.1
        else "weak"
        if size < 0.3
        else "moderate"
        if size < 0.5
        else "strong"
    )
    return word if word == "negligible" else f"{word} {'positive' if value > 0 else 'negative'}"


def voluntary_correlations(wards: pd.DataFrame) -> pd.DataFrame:
    """Pearson and Spearman correlation of charities / grants per head with ward IMD score.

    ``wards`` is ``ward_table(...)`` for London. For each measure two rows: every ward, and
    wards with at least UNSTABLE_WARD_POPULATION residents (without the City's five tiny wards).
    Columns: measure, label, wards (which sample), n, r, r_lo, r_hi, rho, rho_lo, rho_hi,
    reading (the rank correlation in words; positive = more in more deprived wards), caveat.
    """
    rows = []
    stable = wards[~wards["unstable"]]
    covered = fully_covered(wards)
    fifths = deprivation_fifths(wards)
    samples = {
        "all wards": wards,
        f"wards with {UNSTABLE_WARD_POPULATION:,}+ residents": stable,
    }
    for measure, label in CORRELATION_MEASURES.items():
        extra = {}
        if measure == "charities_per_1k":  # is a low count a gap in the extract?
            extra = {
                f"wards of the {len(covered)} borough{'' if len(covered) == 1 else 's'} the extract covers fully": stable[
                    stable["gss_code"].isin(covered)
                ]
            }
        for sample, frame in {**samples, **extra}.items():
            stats = correlation(frame["imd_score"], frame[measure])
            reading = _strength(stats["rho"])
            if sample in extra:  # the complete boroughs hold few of the most deprived wards
                most = int(fifths.reindex(frame.index).eq(5).sum())
                reading += (
                    f", but only {most} of these {len(frame)} wards are in London's most "
                    "deprived fifth: too few to say there is no link"
                )
            rows.append(dict(measure=measure, label=label, wards=sample, **stats, reading=reading))
    table = pd.DataFrame(rows)
    caveat_keys = [
        "charities_registered",
        "grants_publishers",
        "ecological",
        "charities_coverage",
        "city_wards",
        "imd",
    ]
    table["caveat"] = " ".join(CAVEATS[k] for k in caveat_keys[:3])
    return with_caveats(table, caveat_keys)


def _r(value: float) -> str:
    return f"{round(float(value), 2) + 0.0:.2f}"  # + 0.0: no "-0.00"


def correlation_sentence(row) -> str:
    """One plain sentence for a correlation row."""
    return (
        f"{row['label']} against ward deprivation ({row['wards']}, n = {row['n']}): "
        f"Spearman ρ = {_r(row['rho'])} (95% CI {_r(row['rho_lo'])} to "
        f"{_r(row['rho_hi'])}), Pearson r = {_r(row['r'])} ({_r(row['r_lo'])} to "
        f"{_r(row['r_hi'])}): {row['reading']}."
    )


def _and(words) -> str:
    words = list(words)
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def fully_covered(wards: pd.DataFrame) -> pd.Series:
    """The boroughs (gss_code) every one of whose wards is in the charity extract."""
    complete = wards["charities"].notna().groupby(wards["gss_code"]).all()
    return pd.Series(complete.index[complete], name="gss_code")


def deprivation_fifths(wards: pd.DataFrame) -> pd.Series:
    """Each stable ward's fifth of London by IMD score: 1 = least deprived, 5 = most."""
    stable = wards[~wards["unstable"]]
    return pd.qcut(stable["imd_score"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5]).astype(int)


def findings(
    stats: pd.DataFrame,
    wards: pd.DataFrame,
    points: pd.DataFrame,
    sites: pd.DataFrame,
    deprived_boroughs: int = 10,
) -> list[dict]:
    """Measured findings a local group can use: each a dict(title, text, figures).

    ``stats`` is ``borough_stats(...)``, ``wards`` is ``ward_table(...)`` for London and
    ``points`` the voluntary_points layer (with ward_code). Boroughs and wards with unstable
    per-resident figures (the City) are left out.
    """
    out = []
    wide = stats.pivot(index="gss_code", columns="measure", values="value")
    names = stats.drop_duplicates("gss_code").set_index("gss_code")["name"]
    london = stats.drop_duplicates("measure").set_index("measure")["london"]
    charity_rows = stats[stats["measure"] == "charities_per_1k"].set_index("gss_code")
    grant_rows = stats[stats["measure"] == "grants_per_head"].set_index("gss_code")
    stable = charity_rows.index[~charity_rows["unstable"]]

    # 1. Among the most deprived boroughs, the fewest charities (and grants) per resident.
    deprived = wide.loc[stable, "imd_score"].nlargest(deprived_boroughs).index
    ordered = wide.loc[deprived, "charities_per_1k"].sort_values()
    fewest, nxt = ordered.index[0], ordered.index[1:3]
    fewest_grants = wide.loc[deprived, "grants_per_head"].idxmin()
    covered, total = stats.attrs.get("charity_wards", {}).get(fewest, ("?", "?"))
    out.append(
        dict(
            title="Fewest charities and grants among the most deprived boroughs",
            text=(
                f"Of the {deprived_boroughs} most deprived boroughs (average IMD 2019 score), "
                f"{names[fewest]} has the fewest registered charities per resident: "
                f"{ordered.iloc[0]:.2f} per 1,000 against {london['charities_per_1k']:.2f} for "
                f"London (the 2019 extract covers only {covered} of its {total} wards, and "
                "these figures are per resident of the wards it covers), then "
                + " and ".join(f"{names[c]} ({ordered[c]:.2f})" for c in nxt)
                + ". "
                f"{names[fewest_grants]} received the least from independent charitable funders among them: "
                f"£{wide.loc[fewest_grants, 'grants_per_head']:,.0f} a head in {GRANT_YEARS} "
                f"({ordinal(grant_rows.loc[fewest_grants, 'rank'])} of "
                f"{grant_rows.loc[fewest_grants, 'ranked_of']} boroughs; London "
                f"£{london['grants_per_head']:,.0f}, a figure pulled up by a few central wards)."
            ),
            figures=dict(
                borough=names[fewest],
                charities_per_1k=float(ordered.iloc[0]),
                london_charities_per_1k=float(london["charities_per_1k"]),
                fewest_grants=names[fewest_grants],
                grants_per_head=float(wide.loc[fewest_grants, "grants_per_head"]),
            ),
        )
    )

    # 2. Grants and charities by the deprivation fifth of the ward.
    stable_wards = wards[~wards["unstable"]].copy()
    stable_wards["fifth"] = deprivation_fifths(wards)
    most, least = stable_wards[stable_wards["fifth"] == 5], stable_wards[stable_wards["fifth"] == 1]
    top = stable_wards.nlargest(1, "grants_gbp").iloc[0]
    covered = fully_covered(wards)
    complete = stable_wards[stable_wards["gss_code"].isin(covered)]
    check = correlation(complete["imd_score"], complete["charities_per_1k"])
    complete_most = int((complete["fifth"] == 5).sum())
    out.append(
        dict(
            title="Deprived wards get more grant money per head; fewer charities, in an extract "
            "with gaps",
            text=(
                f"In the most deprived fifth of London's wards the median ward received "
                f"£{most['grants_per_head'].median():,.0f} a head from independent charitable "
                f"funders in {GRANT_YEARS}, against £{least['grants_per_head'].median():,.0f} in "
                "the least deprived fifth. Totals mislead: one ward "
                f"({top['ward']}, {top['borough']}) received £{top['grants_gbp'] / 1e6:,.0f} "
                f"million, {100 * top['grants_gbp'] / stable_wards['grants_gbp'].sum():.0f}% of "
                "these grants placed in wards, so compare medians, not averages. The median ward "
                f"of the most deprived fifth had {most['charities_per_1k'].median():.2f} "
                f"registered charities per 1,000 residents against "
                f"{least['charities_per_1k'].median():.2f} in the least deprived "
                f"({int(most['charities'].notna().sum())} and "
                f"{int(least['charities'].notna().sum())} of {len(most)} wards have data). In the "
                f"{len(covered)} boroughs whose every ward is in the extract ({len(complete)} "
                f"wards) Spearman ρ = {_r(check['rho'])} ({_r(check['rho_lo'])} to "
                f"{_r(check['rho_hi'])}) with deprivation, but only {complete_most} of those "
                "wards are in London's most deprived fifth: too few to tell whether the gap is "
                "the extract's or the wards'."
            ),
            figures=dict(
                grants_median_most=float(most["grants_per_head"].median()),
                grants_median_least=float(least["grants_per_head"].median()),
                charities_median_most=float(most["charities_per_1k"].median()),
                charities_median_least=float(least["charities_per_1k"].median()),
                complete_boroughs=len(covered),
                complete_rho=float(check["rho"]),
                complete_wards=len(complete),
                complete_most_deprived=complete_most,
                top_ward=top["ward"],
                top_ward_gbp=float(top["grants_gbp"]),
            ),
        )
    )

    # 3. Losses per site-year across the five deprivation fifths (a trend within categories),
    # and food banks.
    years = losses.exposure(sites, start=CLOSURES_SINCE)
    fifth = sites.loc[years.index, "ward_code"].map(stable_wards.set_index("ward_code")["fifth"])
    fifths = [1, 2, 3, 4, 5]
    closed = years.assign(fifth=fifth).pivot_table(
        index="category", columns="fifth", values="closed_out", aggfunc="sum", fill_value=0
    )
    at_risk = years.assign(fifth=fifth).pivot_table(
        index="category", columns="fifth", values="years_out", aggfunc="sum", fill_value=0.0
    )
    closed, at_risk = (
        closed.reindex(columns=fifths, fill_value=0),
        at_risk.reindex(columns=fifths, fill_value=0.0),
    )
    trend = rate_trend_test(closed.to_numpy(), at_risk.to_numpy(), fifths)
    k_fifth, t_fifth = closed.sum().to_numpy(), at_risk.sum().to_numpy()
    rates = ", ".join(f"{100 * k / t:.2f}" for k, t in zip(k_fifth, t_fifth, strict=True))
    sides = {
        "most": (int(k_fifth[4]), float(t_fifth[4])),
        "least": (int(k_fifth[0]), float(t_fifth[0])),
    }

    def per_100(side: str) -> str:
        k, t = sides[side]
        lo, hi = poisson_rate_interval([k], [t])
        return (
            f"{k} losses in {t:,.0f} site-years, {100 * k / t:.2f} per 100 "
            f"({100 * float(lo[0]):.2f}-{100 * float(hi[0]):.2f})"
        )

    verdict = (
        "no clear trend" if trend.lo <= 1 <= trend.hi else "more" if trend.ratio > 1 else "fewer"
    )

    banks = points[(points["kind"] == "food_bank") & (points["status"] == "open")]
    groups = points[points["kind"] == "mutual_aid"]
    most_codes, least_codes = set(most["ward_code"]), set(least["ward_code"])
    pop_share = 100 * most["population"].sum() / stable_wards["population"].sum()
    out.append(
        dict(
            title="More food banks in the most deprived wards; losses per site-year "
            + (
                "show no clear trend with deprivation"
                if verdict == "no clear trend"
                else f"{verdict} where deprivation is higher"
            ),
            text=(
                f"Since {CLOSURES_SINCE}, the {_and(r.plural for r in RECORDING.values())} of "
                f"the most deprived fifth of wards had {per_100('most')}; "
                f"the least deprived fifth {per_100('least')}. Across all five fifths, from the "
                f"least deprived to the most, losses ran at {rates} per 100 site-years: a trend "
                f"of {trend.ratio:.2f} times per fifth ({trend.lo:.2f}-{trend.hi:.2f}; test for "
                f"trend p = {trend.p:.2f}) once the mix of categories is allowed for, "
                f"{verdict}. The most deprived fifth holds {pop_share:.0f}% of Londoners and "
                f"{int(banks['ward_code'].isin(most_codes).sum())} of the {len(banks)} open food "
                f"banks (Give Food, 2022-23; {int(banks['ward_code'].isin(least_codes).sum())} in "
                f"the least deprived fifth), and {int(groups['ward_code'].isin(most_codes).sum())}"
                f" of the {len(groups)} mutual aid groups of spring 2020 "
                f"({int(groups['ward_code'].isin(least_codes).sum())} in the least deprived)."
            ),
            figures=dict(
                closures_most=sides["most"][0],
                closures_least=sides["least"][0],
                years_most=sides["most"][1],
                years_least=sides["least"][1],
                trend=trend.ratio,
                trend_lo=trend.lo,
                trend_hi=trend.hi,
                trend_p=trend.p,
                rates_per_100=[float(100 * k / t) for k, t in zip(k_fifth, t_fifth, strict=True)],
                food_banks_most=int(banks["ward_code"].isin(most_codes).sum()),
                food_banks_least=int(banks["ward_code"].isin(least_codes).sum()),
            ),
        )
    )
    return out


def unmatched_report(
    build_report: pd.DataFrame,
    wards: pd.DataFrame,
    lsoas: pd.DataFrame,
    voluntary_wards: pd.DataFrame,
    points: pd.DataFrame,
) -> pd.DataFrame:
    """What the joins could not match, from the build report and from the layers themselves.

    Columns: check, matched, not_matched, note. Nothing is dropped silently: the build's
    voluntary-sector rows (with their notes) come first, then checks on the built layers.
    """
    rows = []
    steps = build_report[build_report["step"].isin(["voluntary_wards", "voluntary_points"])]
    for row in steps.itertuples():
        rows.append(
            dict(
                check=f"build: {row.step} / {row.source}",
                matched=int(row.rows_out),
                not_matched=int(row.dropped),
                note=row.note,
            )
        )
    ward_codes = set(wards["ward_code"])
    lsoa_missing = lsoas["ward_code"].isna() | ~lsoas["ward_code"].isin(ward_codes)
    rows.append(
        dict(
            check="LSOAs with a 2017 ward",
            matched=int((~lsoa_missing).sum()),
            not_matched=int(lsoa_missing.sum()),
            note=", ".join(lsoas.loc[lsoa_missing, "lsoa_code"].head(5)),
        )
    )
    vol_missing = ~voluntary_wards["ward_code"].isin(ward_codes)
    rows.append(
        dict(
            check="ward figures (voluntary_wards) on a ward polygon",
            matched=int((~vol_missing).sum()),
            not_matched=int(vol_missing.sum()),
            note=", ".join(voluntary_wards.loc[vol_missing, "ward_code"].head(5)),
        )
    )
    no_row = ~wards["ward_code"].isin(set(voluntary_wards["ward_code"]))
    rows.append(
        dict(
            check="ward polygons with ward figures",
            matched=int((~no_row).sum()),
            not_matched=int(no_row.sum()),
            note=", ".join(wards.loc[no_row, "ward_code"].head(5)),
        )
    )
    point_missing = ~points["ward_code"].isin(ward_codes)
    rows.append(
        dict(
            check="food banks and mutual aid groups in a ward",
            matched=int((~point_missing).sum()),
            not_matched=int(point_missing.sum()),
            note="",
        )
    )
    return pd.DataFrame(rows, columns=["check", "matched", "not_matched", "note"])


# ---------------------------------------------------------------- maps


# Every source of the sites layer but the postcodes that only place some of them.
_SITE_SOURCES = "; ".join(
    f"{SOURCES[k].title}, {SOURCES[k].publisher}" for k in SITE_KEYS if k != "postcodes"
)
PROFILE_METHOD = f"""\
**Residents** are ONS mid-2020 estimates (boroughs, and LSOAs added up into 2017 wards).
**London's figure** is London's total over London's residents (population-weighted), not an
average of borough figures. **Ranks** run from 1 = the highest value among the boroughs (the
label says what that means); boroughs with fewer than {UNSTABLE_POPULATION:,} residents (the
City of London, about 11,000 people and many more workers) have unstable per-resident figures:
they are shown and flagged, and left out of the ranking, which then runs over 32 boroughs.

**Sites per 10,000 residents** count open sites: {_SITE_SOURCES}. A facility listed by two
sources is one site.

**Closures since {CLOSURES_SINCE}** are only for the {count_word(len(RECORDING))} kinds of
facility whose sources record closures: {recording_text(CLOSURES_SINCE)}. Per 100,000 residents. A site missing from a
later list is not counted as lost. **Pubs lost** compare ONS counts of pub and bar businesses
in {PUBS_START} and {PUBS_END} (rounded to 5), as a share of {PUBS_START}.

**Charities per 1,000 residents**: registered charities counted by the ward of their registered
address (CharityBase extract of the Charity Commission register, January 2019); the extract
has no row for 88 of the 634 wards, and the figure says how many of the borough's wards it
covers. **Grants per head**: what the {OWN_FUNDERS} publishing to 360Giving awarded to
recipients in the borough in {GRANT_YEARS}, over mid-2020 residents; public money
({PUBLIC_FUNDERS}) is left out. **Areas for Regeneration** are the LSOAs in the 20% most deprived in England
on the IMD 2019 (London Plan policy SD10). **IMD score** is the population-weighted mean of the
LSOA scores (higher = more deprived).

**Ward map.** 2017 wards are built by dissolving 2011 LSOAs on the ONS best-fit lookup, so ward
edges follow LSOA edges. Wards with fewer than {UNSTABLE_WARD_POPULATION:,} residents (the City's
five) are marked unstable in tooltips and tables.
"""

VOLUNTARY_METHOD = f"""\
**Ward figures.** Registered charities per ward come from the CharityBase extract of the Charity
Commission register (January 2019), counted where each charity is registered. The extract has
a row only for wards with at least one charity and lacks 88 of the 634 wards (all Wandsworth
has 55 charities in it): that is a gap in its coverage, so those wards show **no data**, not 0,
and are left out of the correlations. Grants are those published to 360Giving by 52 funders
(awards {GRANT_YEARS}), placed in the recipient's 2017 ward; rows with no 2017 London ward code
count in borough totals only. By default they are the voluntary sector's own money, from
{OWN_FUNDERS}; "Add public money" adds {PUBLIC_FUNDERS}: the Department for Transport, one
council, the Big Lottery Fund and Sport England (both distribute National Lottery money as
public bodies, so they are typed alike). Research funders, whose money goes mainly to
universities and museums, are counted with the independent funders and flagged in the table
of funders. Both are divided by
mid-2020 residents (LSOA estimates added up into wards).

**Deprivation** is the IMD 2019 score of the ward's LSOAs weighted by residents (higher = more
deprived); rank 1 = the most deprived of London's 634 wards.

**Correlation.** Pearson's r (on the values) and Spearman's ρ (on the ranks), each with a 95%
interval (Fisher's z; Bonett-Wright for ρ), across wards, with and without the City's five
wards of under {UNSTABLE_WARD_POPULATION:,} residents. A few central wards with huge grant totals
dominate r; ρ is the more telling figure. Correlation across places is not a statement about
people, and not a cause.

**Food banks** are Give Food's London list (about 2022-23), coloured by network, closed ones
hollow. **Mutual aid groups** are the COVID-19 groups listed on mutualaid.wiki in March-May 2020,
placed from a free-text place name (coarse); their licence, CC BY-NC-SA 4.0, allows
non-commercial use only and asks for the same licence on anything made from them.
"""


@dataclass(frozen=True)
class WardMeasure:
    label: str  # legend and tooltip
    short: str  # option of a picker (it appears in the page's URL)
    fmt: str
    per_head: bool
    integer: bool = False
    sources: tuple[str, ...] = ()


WARD_MEASURES: dict[str, WardMeasure] = {
    "sites_per_10k": WardMeasure(
        "Open sites per 10,000 residents",
        "Sites per 10,000 residents",
        "{:.1f}",
        True,
        sources=(*SITE_KEYS, "lsoa_population"),
    ),
    "closures": WardMeasure(
        f"Closures since {CLOSURES_SINCE} ({categories_text(RECORDING)})",
        f"Closures since {CLOSURES_SINCE}",
        "{:.0f}",
        False,
        integer=True,
        sources=tuple(recording_source_keys()),
    ),
    "charities_per_1k": WardMeasure(
        "Registered charities per 1,000 residents (2019)",
        "Charities per 1,000 residents",
        "{:.2f}",
        True,
        sources=("charities", "lsoa_population"),
    ),
    "grants_per_head": WardMeasure(
        f"Grants per head {GRANT_YEARS} (360Giving)",
        "Grants per head",
        "£{:,.0f}",
        True,
        sources=("grants", "lsoa_population"),
    ),
    "imd_score": WardMeasure(
        "Deprivation: IMD 2019 score (higher = more deprived)",
        "Deprivation (IMD 2019)",
        "{:.1f}",
        False,
        sources=("imd", "lsoa_population"),
    ),
}
