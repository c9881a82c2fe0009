"""Losses against the London Plan's locational policies: the statistics behind the analysis views.

Pure functions over the layers of geodata/london.gpkg (plain DataFrames and GeoDataFrames in
EPSG:27700); nothing here imports streamlit, reads files or caches. Callers cache by small
hashable keys (a policy key, a tuple of categories, a borough code).

Every table this module returns carries its caveats as data: ``frame.attrs["caveats"]`` is a
list of plain-language strings (pandas keeps ``attrs`` through pickling, so through
``st.cache_data``), and tables with one row per finding also have a ``caveat`` column.
``caveats_for(policy, categories)`` gives the same list without computing anything.

Rates are fractions (0.25 means 25%); intervals are 95% unless ``z`` says otherwise.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd

from lib.analysis.geometry import lsoa_overlap
from lib.analysis.inference import (
    fisher_exact,
    fisher_exact_stratified,
    mh_rate_ratio,
    rate_ratio,
    wilson_interval,
)
from lib.vocab.categories import RECORDING, RECORDING_CATEGORIES
from lib.vocab.policies import parse_policy, policy_flag, policy_label

#: Label of the row that adds the chosen categories together.
ALL_THREE = "All three"
ALL_SELECTED = "All selected"


def inside_mask(sites: pd.DataFrame, policy: str) -> pd.Series:
    """Boolean Series: is each site inside the policy's areas (from the build's site flags)."""
    _, town_centre_class = parse_policy(policy)
    flag = policy_flag(policy)
    if town_centre_class:
        return sites[flag].eq(town_centre_class).fillna(False).astype(bool)
    return sites[flag].fillna(False).astype(bool)


# ---------------------------------------------------------------- caveats

CAVEATS: dict[str, str] = {
    "opportunity_area_incomplete": (
        "The Opportunity Area layer holds 27 of the 47 Opportunity Areas named in the London "
        "Plan 2021: sites in the other 20 are counted as outside."
    ),
    "library_window": (
        "Library closures are recorded from 2010 to 2023 (the DCMS / Arts Council England "
        "lists of 2016, 2021 and 2023); a library closed and replaced, moved, reopened or "
        "handed to a community group is not counted as a loss."
    ),
    "gp_window": (
        "GP practice closures are recorded only from July 2013 to July 2019 (NHS Digital "
        "epraccur, December 2019); a code that closed at the postcode of a practice still "
        "active is counted as a merger, not a loss, and services that are not GP surgeries "
        "are left out."
    ),
    "museum_ranges": (
        "Museum closure years are ranges (the earliest year is used) and go back decades, to "
        "1945: a museum's closure rate covers its whole recorded history, not a recent period."
    ),
    "no_closure_records": (
        "Only libraries, GP practices and museums have sources that record closures; other "
        "categories (pubs, community centres, music venues and the rest of the culture map) "
        "cannot show losses here."
    ),
    "culture_map_only": (
        "Libraries and museums known only from the 2022 Cultural Infrastructure Map are left out "
        "of closure rates: no source records whether they closed, so counting them would dilute "
        "the rate."
    ),
    "boundaries_indicative": (
        "Policy boundaries are indicative (they belong to the planning authorities) and are "
        "today's: many closures happened before a boundary was drawn, and a site on an edge can "
        "fall either side."
    ),
    "regeneration_definition": (
        "Areas for Regeneration are the London LSOAs in the 20% most deprived in England on the "
        "IMD 2019 (London Plan policy SD10), derived here; the Plan has no map of them."
    ),
    "town_centre_class": (
        "A site in overlapping town centres counts in the highest class only; 'elsewhere' "
        "includes sites in town centres of other classes."
    ),
    "local_centres": (
        "Local centres are borough designations and mostly absent from the GLA town-centre "
        "layer (7 of several hundred)."
    ),
    "straight_line": (
        "Distance is straight-line to the edge of the nearest town centre in the London Plan "
        "network, not walking distance; 400 m is about a five-minute walk."
    ),
    "area_weighted_population": (
        "Residents inside are estimated by area weighting: each LSOA's mid-2020 population times "
        "the share of its area inside the policy areas (as if people were spread evenly over "
        "the LSOA)."
    ),
    "regeneration_population": (
        "Residents inside Areas for Regeneration are the mid-2020 populations of the "
        "regeneration LSOAs themselves."
    ),
    "gp_postcodes": (
        "GP practices are placed at their postcode's centroid (closed practices often at a "
        "terminated 2014 postcode), which can be 100 m or more from the building."
    ),
    "pubs_rounded": (
        "ONS pub counts are rounded to the nearest 5 per borough, so the sum of boroughs differs "
        "from ONS's own London total by a few pubs (4,840 against 4,835 in 2001; 3,535 against "
        "3,540 in 2018)."
    ),
    "pubs_units": (
        "Pubs are counted by ONS as business units (public houses and bars) per borough, not as "
        "buildings; a change of count is not a list of closed pubs."
    ),
    "pubs_population": (
        "Change per 10,000 residents uses ONS mid-2020 borough population estimates; the City of "
        "London has about 10,000 residents and many workers, so its per-resident figure is "
        "extreme."
    ),
    "ecological": (
        "A correlation across 33 boroughs describes boroughs, not places within them, and is "
        "not evidence that a policy caused the change."
    ),
}

_CATEGORY_CAVEATS = {
    "Library": "library_window",
    "GP practice": "gp_window",
    "Museum or public gallery": "museum_ranges",
}


def _policy_caveat_keys(policy: str | None) -> list[str]:
    if policy is None:
        return []
    keys = ["boundaries_indicative"]
    if policy == "opportunity_area":
        keys.insert(0, "opportunity_area_incomplete")
    if policy == "regeneration_area":
        keys.append("regeneration_definition")
    if policy.startswith("town_centre:"):
        keys.append("town_centre_class")
    if policy == "town_centre:Local":
        keys.append("local_centres")
    return keys


def caveats_for(policy: str | None = None, categories=RECORDING_CATEGORIES) -> list[str]:
    """The caveats that apply to a result about ``policy`` (or none) and ``categories``."""
    categories = list(categories)
    keys = _policy_caveat_keys(policy)
    keys += [_CATEGORY_CAVEATS[c] for c in RECORDING_CATEGORIES if c in categories]
    if "GP practice" in categories:
        keys.append("gp_postcodes")
    if any(c in ("Library", "Museum or public gallery") for c in categories):
        keys.append("culture_map_only")
    keys.append("no_closure_records")
    return [CAVEATS[k] for k in keys]


def with_caveats(frame: pd.DataFrame, caveats: list[str]) -> pd.DataFrame:
    frame.attrs["caveats"] = list(dict.fromkeys(caveats))  # de-duplicated, in order
    return frame


# ---------------------------------------------------------------- statistics


def _fmt_ratio(*values: float) -> str:
    """Ratios to one decimal, or two where one decimal would read as 1.0 or below 1;
    several values (an interval) share the same number of decimals."""
    two = any(r < 0.95 or f"{r:.1f}" in ("1.0", "1.1") for r in values)
    return "-".join(f"{r:.2f}" if two else f"{r:.1f}" for r in values)


def _fmt_pct(p: float) -> str:
    return f"{100 * p:.1f}%"


def _reading(ratio: float, lo: float, hi: float, p_exact: float | None = None) -> str:
    """'none' (no ratio), 'unclear' (interval spans 1), 'few' (interval excludes 1 but the
    exact test does not agree), 'higher' or 'lower'."""
    if any(pd.isna(x) for x in (ratio, lo, hi)):
        return "none"
    if lo <= 1 <= hi:
        return "unclear"
    if p_exact is not None and not pd.isna(p_exact) and p_exact >= 0.05:
        return "few"
    return "higher" if lo > 1 else "lower"


def verdict(
    ratio: float,
    lo: float,
    hi: float,
    policy_label: str | None,
    note: str = "",
    p_exact: float | None = None,
    qualifier: str = "",
) -> str:
    """Plain-language reading of a rate ratio and its interval.

    "no clear difference" when the interval includes 1, and also when the exact test does not
    back it up (``p_exact`` >= 0.05: with a handful of sites the Katz interval is too narrow).
    Otherwise "closures were X times as likely inside <policy_label> (95% CI ..)" or "closures
    were less likely inside <policy_label>: X times the rate elsewhere (95% CI ..)". With
    ``policy_label`` None the policy is not named (for a sentence that has named it already);
    ``qualifier`` (e.g. "once the mix of categories is allowed for") goes before the interval.
    """
    reading = _reading(ratio, lo, hi, p_exact)
    q = f" {qualifier}" if qualifier else ""
    if reading == "none":
        return f"cannot compare: {note}" if note else "cannot compare"
    if reading == "unclear":
        return f"no clear difference{q}"
    if reading == "few":
        return f"no clear difference{q} (too few sites to tell: exact test p = {p_exact:.2f})"
    where = f"inside {policy_label}" if policy_label else "inside"
    ci = f"95% CI {_fmt_ratio(lo, hi)}"
    if reading == "higher":
        return f"closures were {_fmt_ratio(ratio)} times as likely {where}{q} (rate ratio {ci})"
    return (
        f"closures were less likely {where}{q}: {_fmt_ratio(ratio)} times the rate elsewhere "
        f"(rate ratio {ci})"
    )


# ---------------------------------------------------------------- which sites count


def lost_mask(sites: pd.DataFrame) -> pd.Series:
    """Which sites are losses: closed, and not closed and replaced, moved, changed owner or at
    an NHS contract end (the build's `lost`, derived from each site's events). A layer built
    before the events existed has no `lost`: there every closed site counts."""
    if "lost" in sites.columns:
        return sites["lost"].fillna(False).astype(bool)
    return sites["status"].eq("closed")


def recorded_sites(sites: pd.DataFrame, categories=RECORDING_CATEGORIES) -> pd.DataFrame:
    """The sites whose closure can be known: categories with a closure-recording source, and
    only the sites listed by that source (a culture-map-only library is left out)."""
    keep = pd.Series(False, index=sites.index)
    sources = sites["sources"].astype(str)
    for category in categories:
        source = RECORDING[category].source if category in RECORDING else None
        if source is None:
            continue
        listed = sources.str.contains(rf"(?:^|;\s*){source}(?:\s*;|$)", regex=True)
        keep |= sites["category"].eq(category) & listed
    return sites[keep]


def _left_out_notes(sites: pd.DataFrame, categories) -> list[str]:
    """Data-dependent notes: culture-map-only sites and categories without closure records."""
    notes = []
    kept = recorded_sites(sites, categories)
    for category in categories:
        if category not in RECORDING:
            notes.append(
                f"{category}: no source records closures, so it cannot show losses and is left out."
            )
            continue
        total = int((sites["category"] == category).sum())
        left = total - int((kept["category"] == category).sum())
        if left:
            notes.append(
                f"{left} {RECORDING[category].plural} known only from the 2022 culture "
                "map are left out (no closure record)."
            )
    return notes


def _total_label(categories) -> str:
    return ALL_THREE if set(categories) == set(RECORDING_CATEGORIES) else ALL_SELECTED


# ---------------------------------------------------------------- closure rate in/out

CLOSURE_COLUMNS = [
    "category",
    "sites_in",
    "closed_in",
    "rate_in",
    "rate_in_lo",
    "rate_in_hi",
    "sites_out",
    "closed_out",
    "rate_out",
    "rate_out_lo",
    "rate_out_hi",
    "ratio",
    "ratio_lo",
    "ratio_hi",
    "ratio_note",
    "p_exact",
    "ratio_adj",
    "ratio_adj_lo",
    "ratio_adj_hi",
    "p_exact_adj",
    "verdict",
    "caveat",
]


ADJUSTED = "once the mix of categories is allowed for"


def _row_verdict(row: dict, policy_label: str | None) -> str:
    """The verdict of a closure_table row. A total row reads the category-adjusted ratio and
    says so, and says when the crude ratio would read differently."""
    if row.get("category") not in (ALL_THREE, ALL_SELECTED) or pd.isna(row.get("ratio_adj")):
        return verdict(
            row["ratio"],
            row["ratio_lo"],
            row["ratio_hi"],
            policy_label,
            row.get("ratio_note", ""),
            row.get("p_exact"),
        )
    crude = _reading(row["ratio"], row["ratio_lo"], row["ratio_hi"], row.get("p_exact"))
    adjusted = _reading(
        row["ratio_adj"], row["ratio_adj_lo"], row["ratio_adj_hi"], row.get("p_exact_adj")
    )
    said = adjusted in ("higher", "lower") or adjusted != crude
    text = verdict(
        row["ratio_adj"],
        row["ratio_adj_lo"],
        row["ratio_adj_hi"],
        policy_label,
        "",
        row.get("p_exact_adj"),
        qualifier=ADJUSTED if said else "",
    )
    if crude in ("higher", "lower") and adjusted != crude:
        text += (
            f"; the crude ratio of {_fmt_ratio(row['ratio'])} (95% CI "
            f"{_fmt_ratio(row['ratio_lo'], row['ratio_hi'])}) comes from which kinds of "
            "facility lie on each side (see the rows per category)"
        )
    return text


def closure_table(
    sites: pd.DataFrame, policy: str, categories=RECORDING_CATEGORIES
) -> pd.DataFrame:
    """Closure rate inside against outside a policy's areas, per category and all together.

    One row per chosen category that records closures (in RECORDING_CATEGORIES order) and, when
    more than one is chosen, a total row ("All three" or "All selected"). Columns:
    CLOSURE_COLUMNS. rate_* are closed / sites on each side with Wilson intervals; ratio is
    rate_in / rate_out with a Katz interval (see ``rate_ratio``) and p_exact Fisher's exact
    test. ratio_adj is the Mantel-Haenszel ratio stratified by category (Greenland-Robins
    interval) and p_exact_adj the exact test within categories: on a category row they equal
    the crude figures; on the total row they allow for the categories' different closure rates
    and locations (museums close most often and cluster in central London). The total row's
    verdict reads the adjusted ratio. caveat joins the caveats for that row;
    ``attrs["caveats"]`` has them all plus what was left out.
    """
    parse_policy(policy)  # KeyError for an unknown key
    label = policy_label(policy)
    categories = list(categories)
    chosen = [c for c in RECORDING_CATEGORIES if c in categories]
    kept = recorded_sites(sites, chosen)
    inside = inside_mask(kept, policy).to_numpy()
    closed = lost_mask(kept).to_numpy()
    category = kept["category"].to_numpy()
    policy_notes = [CAVEATS[k] for k in _policy_caveat_keys(policy)]
    counts = {}
    for name in chosen:
        members = category == name
        counts[name] = (
            int((members & inside & closed).sum()),
            int((members & inside).sum()),
            int((members & ~inside & closed).sum()),
            int((members & ~inside).sum()),
        )
    groups = [(name, [counts[name]]) for name in chosen]
    if len(chosen) > 1:
        groups.append((_total_label(chosen), [counts[name] for name in chosen]))
    rows = []
    for name, strata in groups:
        a, n1, b, n2 = (sum(st[i] for st in strata) for i in range(4))
        rr = rate_ratio(a, n1, b, n2)
        p = fisher_exact(a, n1, b, n2)
        if len(strata) > 1:
            adj, p_adj = mh_rate_ratio(strata), fisher_exact_stratified(strata)
        else:
            adj, p_adj = rr, p
        row_categories = chosen if len(strata) > 1 else [name]
        notes = [CAVEATS[_CATEGORY_CAVEATS[c]] for c in row_categories] + policy_notes
        if n1 < 30 or a < 5:
            notes.append(
                f"Only {n1} site{'' if n1 == 1 else 's'} and {a} closure"
                f"{'' if a == 1 else 's'} inside: the interval is wide."
            )
        row = dict(
            category=name,
            sites_in=n1,
            closed_in=a,
            sites_out=n2,
            closed_out=b,
            ratio=rr.ratio,
            ratio_lo=rr.lo,
            ratio_hi=rr.hi,
            ratio_note=rr.note,
            p_exact=p,
            ratio_adj=adj.ratio,
            ratio_adj_lo=adj.lo,
            ratio_adj_hi=adj.hi,
            p_exact_adj=p_adj,
        )
        row["verdict"] = _row_verdict(row, label)
        row["caveat"] = " ".join(notes)
        rows.append(row)
    table = pd.DataFrame(rows, columns=[c for c in CLOSURE_COLUMNS if not c.startswith("rate_")])
    for side in ("in", "out"):
        k, n = table[f"closed_{side}"].to_numpy(), table[f"sites_{side}"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            table[f"rate_{side}"] = np.where(n > 0, k / np.maximum(n, 1), np.nan)
        lo, hi = wilson_interval(k, n)
        table[f"rate_{side}_lo"], table[f"rate_{side}_hi"] = lo, hi
    table = table[CLOSURE_COLUMNS]
    return with_caveats(table, caveats_for(policy, categories) + _left_out_notes(sites, categories))


def verdict_sentence(table_row, policy_label: str) -> str:
    """One quotable sentence from a closure_table row (a Series or a dict)."""
    row = dict(table_row)
    category = row.get("category", getattr(table_row, "name", None))  # or the index label
    if category == ALL_THREE:
        who = "Across libraries, GP practices and museums, the closure rate"
    elif category == ALL_SELECTED:
        who = "Across the selected categories, the closure rate"
    else:
        who = f"For {(RECORDING[category].plural if category in RECORDING else category)}, the closure rate"
    if not row["sites_in"] or not row["sites_out"]:
        side = "inside" if not row["sites_in"] else "outside"
        return f"{who} cannot be compared: there are no recorded sites {side} {policy_label}."

    def rate(side: str) -> tuple[str, str]:
        return (
            f"{_fmt_pct(row[f'rate_{side}'])}",
            f"{100 * row[f'rate_{side}_lo']:.1f}-{_fmt_pct(row[f'rate_{side}_hi'])}",
        )

    (r_in, ci_in), (r_out, ci_out) = rate("in"), rate("out")
    answer = _row_verdict({**row, "category": category}, None)
    return (
        f"{who} inside {policy_label} was {r_in} (95% CI {ci_in}) against {r_out} "
        f"({ci_out}) elsewhere: {answer}."
    )


# ---------------------------------------------------------------- shares of closures, area, people


SHARE_COLUMNS = ["measure", "inside", "total", "share", "share_lo", "share_hi", "unit", "caveat"]


def share_table(
    sites: pd.DataFrame,
    lsoas: gpd.GeoDataFrame,
    policy_areas: gpd.GeoDataFrame,
    boroughs: gpd.GeoDataFrame | None,
    policy: str,
    categories=RECORDING_CATEGORIES,
) -> pd.DataFrame:
    """Share of closures inside a policy's areas against its share of sites, land and people.

    Rows (``measure``): "Closures", "Sites", "Land area", "Residents"; columns SHARE_COLUMNS.
    Closures and sites count the recorded sites of the chosen categories (Wilson interval on
    the share). Land area is the policy's polygons (overlaps counted once) intersected with
    London, over London's area, in hectares; London is measured as the LSOAs, which tile the 33
    boroughs without the Thames (their total differs from the borough polygons' by under
    0.01%), so ``boroughs`` is not needed and may be None. Residents: for Areas for
    Regeneration the regeneration LSOAs' population; for other policies each LSOA's population
    times the share of its area inside (area weighting). If losses fell evenly, the share of
    closures would match the share of sites.
    """
    parse_policy(policy)  # KeyError for an unknown key
    chosen = [c for c in RECORDING_CATEGORIES if c in categories]
    kept = recorded_sites(sites, chosen)
    inside = inside_mask(kept, policy)
    closed = lost_mask(kept)
    lsoa_area = lsoas.geometry.area.to_numpy()
    overlap = lsoa_overlap(lsoas, policy_areas, policy)
    london_ha = float(lsoa_area.sum()) / 1e4
    land_ha = float(overlap.sum()) / 1e4
    population = lsoas["population"].to_numpy(dtype=float)
    if policy == "regeneration_area":
        residents = float(population[lsoas["regen_area"].to_numpy(dtype=bool)].sum())
        people_note = CAVEATS["regeneration_population"]
    else:
        residents = float((population * np.clip(overlap / lsoa_area, 0, 1)).sum())
        people_note = CAVEATS["area_weighted_population"]
    total_people = float(population.sum())

    closures_in, closures = int((inside & closed).sum()), int(closed.sum())
    sites_in, n_sites = int(inside.sum()), len(kept)
    what = ", ".join(RECORDING[c].plural for c in chosen) or "no categories"
    rows = [
        ("Closures", closures_in, closures, "closed sites", f"Closed {what} (recorded sites)."),
        ("Sites", sites_in, n_sites, "sites", f"All recorded {what}, open and closed."),
        (
            "Land area",
            land_ha,
            london_ha,
            "hectares",
            "Policy areas within London's LSOAs (the 33 boroughs without the Thames), overlaps "
            "counted once.",
        ),
        ("Residents", residents, total_people, "people (mid-2020)", people_note),
    ]
    table = pd.DataFrame(rows, columns=["measure", "inside", "total", "unit", "caveat"])
    with np.errstate(divide="ignore", invalid="ignore"):
        table["share"] = table["inside"] / table["total"].where(table["total"] > 0)
    lo, hi = wilson_interval([closures_in, sites_in], [closures, n_sites])
    table["share_lo"] = [lo[0], lo[1], np.nan, np.nan]
    table["share_hi"] = [hi[0], hi[1], np.nan, np.nan]
    table = table[SHARE_COLUMNS]
    caveats = caveats_for(policy, categories) + [people_note] + _left_out_notes(sites, categories)
    return with_caveats(table, caveats)


# ---------------------------------------------------------------- distance to a town centre

#: (label, lower bound inclusive, upper bound exclusive) in metres, for sites outside a centre.
#: A site exactly 400 m away is in "400-800 m"; exactly 1,600 m is "1,600 m or more".
DISTANCE_BANDS = [
    ("Under 400 m", 0.0, 400.0),
    ("400-800 m", 400.0, 800.0),
    ("800-1,600 m", 800.0, 1600.0),
    ("1,600 m or more", 1600.0, math.inf),
]
INSIDE_BAND = "Inside a town centre"


def distance_band(in_town_centre, dist_m) -> pd.Series:
    """The band label of each site (vectorised over Series/arrays)."""
    dist = pd.Series(np.asarray(dist_m, dtype=float))
    inside = pd.Series(np.asarray(in_town_centre, dtype=bool))
    edges = [b[1] for b in DISTANCE_BANDS] + [math.inf]
    labels = [b[0] for b in DISTANCE_BANDS]
    band = pd.cut(dist, bins=edges, right=False, labels=labels).astype(object)
    band[inside.to_numpy()] = INSIDE_BAND
    return band


def distance_bands(sites: pd.DataFrame, categories=RECORDING_CATEGORIES) -> pd.DataFrame:
    """Closure rate by straight-line distance to the nearest town centre.

    Rows in order: inside a town centre, under 400 m, 400-800 m, 800-1,600 m, 1,600 m or more
    (lower bounds inclusive). Columns: band, min_m, max_m, sites, closed, rate, rate_lo, rate_hi.
    """
    chosen = [c for c in RECORDING_CATEGORIES if c in categories]
    kept = recorded_sites(sites, chosen)
    band = distance_band(kept["in_town_centre"], kept["dist_town_centre_m"])
    band.index = kept.index
    closed = lost_mask(kept)
    specs = [(INSIDE_BAND, 0.0, 0.0)] + DISTANCE_BANDS
    rows = []
    for label, low, high in specs:
        members = band.eq(label)
        rows.append(
            dict(
                band=label,
                min_m=low,
                max_m=high,
                sites=int(members.sum()),
                closed=int((members & closed).sum()),
            )
        )
    table = pd.DataFrame(rows)
    n = table["sites"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["rate"] = np.where(n > 0, table["closed"] / np.maximum(n, 1), np.nan)
    table["rate_lo"], table["rate_hi"] = wilson_interval(table["closed"], n)
    caveats = (
        [CAVEATS["straight_line"], CAVEATS["boundaries_indicative"]]
        + caveats_for(None, categories)
        + _left_out_notes(sites, categories)
    )
    return with_caveats(table, caveats)


# ---------------------------------------------------------------- closures over time


def closures_by_year(
    sites: pd.DataFrame, categories=RECORDING_CATEGORIES, gss_code: str | None = None
) -> pd.DataFrame:
    """Closures per year and category, London-wide or for one borough (``gss_code``).

    Long form: year (int), category, closures; only (year, category) pairs with at least one
    closure, sorted by year then category. Closed sites with no recorded year are not in the
    rows: ``attrs["undated"]`` counts them per category and a caveat says so.
    """
    chosen = [c for c in RECORDING_CATEGORIES if c in categories]
    kept = recorded_sites(sites, chosen)
    if gss_code is not None:
        kept = kept[kept["gss_code"] == gss_code]
    closed = kept[lost_mask(kept)]
    years = pd.to_numeric(closed["closed_year"], errors="coerce")
    dated = closed[years.notna()].assign(year=years[years.notna()].astype(int))
    table = (
        dated.groupby(["year", "category"])
        .size()
        .rename("closures")
        .reset_index()
        .sort_values(["year", "category"], ignore_index=True)
    )
    table["closures"] = table["closures"].astype(int)
    undated = closed[years.isna()]["category"].value_counts().to_dict()
    table.attrs["undated"] = {k: int(v) for k, v in undated.items()}
    notes = caveats_for(None, categories) + _left_out_notes(sites, categories)
    for category, count in undated.items():
        if count == 1:
            notes.append(
                f"1 closed {RECORDING[category].singular} has no closure year and is "
                "not shown by year."
            )
        else:
            notes.append(
                f"{count} closed {RECORDING[category].plural} have no closure year and "
                "are not shown by year."
            )
    return with_caveats(table, notes)


# ---------------------------------------------------------------- pubs by borough


# ---------------------------------------------------------------- definitions

DEFINITIONS = """\
**Which sites count.** Only libraries, GP practices and museums (with public galleries) have
sources that record closures as well as open sites: the DCMS Libraries Taskforce list (2016;
closures 2010-2016), NHS Digital's GP practice file (December 2019; closures July 2013 - July
2019) and Mapping Museums (Birkbeck; closure years are ranges, we use the earliest, back to
1945). A site counts only if one of these sources lists it; libraries and museums known only
from the 2022 Cultural Infrastructure Map are left out, because nobody records whether they
closed. Pubs, community centres, music venues and the rest cannot show losses as points.

**Inside a policy area.** A site is inside when its point lies within the policy's polygons
(GLA Planning Data Map; boundaries are indicative). A site in overlapping town centres takes
the highest class. Areas for Regeneration are the LSOAs in the 20% most deprived in England on
the IMD 2019 (London Plan policy SD10). The Opportunity Area layer has 27 of the 47 areas.

**Closure rate** = closed sites / all recorded sites (open and closed), on each side of the
boundary. The 95% interval is the Wilson score interval:
centre = (p + z²/2n) / (1 + z²/n), half-width = z / (1 + z²/n) · √(p(1-p)/n + z²/4n²), z = 1.96.

**Rate ratio** = rate inside / rate outside. Its 95% interval is the Katz log interval:
exp(ln RR ± 1.96 · √(1/a - 1/n₁ + 1/b - 1/n₂)), with a closures among n₁ sites inside and b
among n₂ outside. When a cell of the 2x2 table is zero (no closures on a side, or every site
on a side closed), 0.5 is added to every cell (Haldane-Anscombe correction) and the ratio and
its interval come from the corrected counts; the table says so in `ratio_note`. With no sites
on a side, or no closures at all, there is no ratio. **"No clear difference"** means the
interval includes 1: the data cannot tell the two rates apart. With a handful of sites the
Katz interval is too narrow, so a difference is claimed only if Fisher's exact test agrees
(two-sided p < 0.05, column `p_exact`); otherwise the verdict says there are too few sites
to tell.

**All three together.** Museums close far more often in this data (23% of those recorded,
against 14% of GP practices and 10% of libraries) and cluster in central London, so adding the
categories together can make a policy area look worse or better only because of which kinds
of facility lie inside it. The "All three" row therefore also gives a Mantel-Haenszel rate
ratio stratified by category (Greenland-Robins interval; `ratio_adj`) and an exact test within
categories (`p_exact_adj`), and its verdict reads those. Its rates are the plain totals.

**Shares.** Share of closures inside against share of sites inside: if closures fell evenly,
the two would match. Land area is the policy's polygons (overlaps counted once) within the 33
boroughs over London's area (excluding the Thames). Residents inside are mid-2020 LSOA
populations: for Areas for Regeneration the regeneration LSOAs themselves, for other policies
each LSOA's population times the share of its area inside (area weighting).

**Distance to a town centre** is straight-line to the edge of the nearest centre in the London
Plan network, in bands: inside, under 400 m, 400-800 m, 800-1,600 m, 1,600 m or more (a site
exactly 400 m away is in 400-800 m).

**Pubs** are ONS counts of public houses and bars per borough and year (business units,
rounded to 5). Change is end minus start year; per 10,000 residents uses mid-2020 population.
Boroughs are compared with the share of their area in Opportunity Areas, the CAZ and Areas for
Regeneration by Pearson correlation (Fisher-z interval) and Spearman rank correlation, across
33 boroughs: an association, not a cause.
"""
