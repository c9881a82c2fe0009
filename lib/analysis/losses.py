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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from lib.analysis import inference
from lib.analysis.geometry import (
    designation_years,
    has_designation,
    lsoa_overlap,
    near_outline,
    policy_layer,
)
from lib.analysis.inference import wilson_interval
from lib.vocab.categories import (
    RECORDING,
    RECORDING_CATEGORIES,
    categories_text,
    count_word,
    recording_text,
)
from lib.vocab.policies import MAIN_ANALYSED, parse_policy, policy_flag, policy_label
from lib.vocab.rules import RECORD_RULES

#: Label of the row that pools the chosen categories.
ALL_RECORDED = "All categories"
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
        f"Library closures are recorded from {RECORDING['Library'].first_year} to "
        f"{RECORDING['Library'].last_year} (the "
        f"{RECORDING['Library'].described}); a library closed and replaced, moved, reopened or "
        "handed to a community group is not counted as a loss."
    ),
    "gp_window": (
        f"GP practice closures are recorded only {RECORDING['GP practice'].window} "
        f"({RECORDING['GP practice'].described}); a code that closed at the postcode of a practice still "
        "active is counted as a merger, not a loss, and services that are not GP surgeries "
        "are left out."
    ),
    "museum_ranges": (
        "Museum closure years are ranges (the earliest year is used); the source records "
        "closures back to 1945 and up to 2021, and only those in the chosen window count."
    ),
    "pharmacy_window": (
        "Pharmacy closures are recorded from 2004 to April 2025 (NHS ODS dispensary codes). A "
        "code is not a pharmacy: a change of owner, a second code of one shop, a code that "
        "lived days and a move nearby are one pharmacy's history, not losses; distance-selling "
        "and hub contractors nobody walks into are left out."
    ),
    "dental_window": (
        "Dental practice closures are recorded from 2006 to March 2016 (NHS ODS, frozen about "
        "April 2016). Each closure is an NHS dental contract ending (the practice may have gone "
        "private); those dated 31 March, the NHS year end, are contract-end records, not "
        "losses. 1 April 2006, when the contracts began, is 'on record since', not an opening."
    ),
    "vintage": (
        "Only closures after designation: a site counts as inside only from its area's "
        "designation year; its years before then count as elsewhere."
    ),
    "no_closure_records": (
        f"Only {categories_text(RECORDING)} have sources that record closures; other "
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
    "Pharmacy": "pharmacy_window",
    "Dental practice": "dental_window",
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


def fmt_ratio(*values: float) -> str:
    """Ratios to one decimal, or two where one decimal would read as 1.0 or below 1;
    several values (an interval) share the same number of decimals. An interval with no
    upper end reads '0.35-no upper limit'."""
    finite = [r for r in values if math.isfinite(r)]
    two = any(r < 0.95 or f"{r:.1f}" in ("1.0", "1.1") for r in finite)
    return "-".join(
        ("no upper limit" if not math.isfinite(r) else f"{r:.2f}" if two else f"{r:.1f}")
        for r in values
    )


def _fmt_pct(p: float) -> str:
    return f"{100 * p:.1f}%"


def _fmt_rate(rate: float) -> str:
    """Closures per 100 site-years, to two decimals."""
    return f"{rate:.2f}"


#: A verdict needs at least this many closures expected inside at the rate elsewhere (with
#: fewer, one closure more or less changes the answer). Only the expected count decides, never
#: the observed: a gate on the outcome would give a small area a verdict only when it had
#: many losses, which can only read "higher".
MIN_CLOSURES = 10
#: The user's window starts (the page's choice) and the default.
DEFAULT_START = 2010
WINDOW_STARTS = (2000, 2005, 2010, 2015)
#: The robustness panel leaves out the sites this close to the policy's outline, either side.
BOUNDARY_EDGE_M = 50.0


@dataclass(frozen=True)
class Choices:
    """The analyst's choices behind one comparison (hashable: a cache key)."""

    start: int = DEFAULT_START  # the window's first year (each source's own end)
    vintage: bool = False  # inside only from the area's designation year
    by_borough: bool = False  # Mantel-Haenszel strata are categories by borough
    all_closures: bool = False  # replacements, moves and contract ends count as losses
    edge_m: float = 0.0  # sites this close to the policy's outline (either side) left out


DEFAULT_CHOICES = Choices()


#: The readings a comparison with enough expected closures can give.
VERDICT_READINGS = ("higher", "lower", "unclear")


def _reading(test: inference.RateRatioTest) -> str:
    """'none' (no ratio), 'few' (too few closures to tell), 'unclear' (the mid-p test's
    p >= 0.05: the interval includes 1), 'higher' or 'lower'."""
    if pd.isna(test.ratio) or pd.isna(test.p):
        return "none"
    if test.expected_in < MIN_CLOSURES:
        return "few"
    if test.p >= 0.05:
        return "unclear"
    return "higher" if test.ratio > 1 else "lower"


def few_text(closed_in: int, expected_in: float, closed_out: int) -> str:
    """'too few closures to tell: 5 inside (4.2 expected at the rate elsewhere), 310 elsewhere'"""
    return (
        f"too few closures to tell: {closed_in:,} inside ({expected_in:.1f} expected at the "
        f"rate elsewhere), {closed_out:,} elsewhere"
    )


def verdict(
    reading: str,
    ratio: float,
    lo: float,
    hi: float,
    policy_label: str | None,
    closed_in: int = 0,
    expected_in: float = float("nan"),
    closed_out: int = 0,
    note: str = "",
    qualifier: str = "",
) -> str:
    """Plain-language reading of a rate ratio of closures per site-year and its interval.

    With ``policy_label`` None the policy is not named (for a sentence that has named it
    already); ``qualifier`` (e.g. "across categories") goes before the interval.
    """
    q = f" {qualifier}" if qualifier else ""
    if reading == "none":
        return f"cannot compare: {note}" if note else "cannot compare"
    if reading == "few":
        return few_text(closed_in, expected_in, closed_out)
    point, low, high = fmt_ratio(ratio, lo, hi).split("-", 2)
    ci = f"95% CI {low}-{high}"
    if reading == "unclear":
        return f"no clear difference{q} (rate ratio {point}, {ci})"
    where = f"inside {policy_label}" if policy_label else "inside"
    if reading == "higher":
        return f"closures per site-year were {point} times as frequent {where}{q} ({ci})"
    return (
        f"closures per site-year were less frequent {where}{q}: {point} times the rate "
        f"elsewhere ({ci})"
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
    keep = np.zeros(len(sites), dtype=bool)
    category_of = sites["category"].to_numpy()
    for category in categories:
        source = RECORDING[category].source if category in RECORDING else None
        if source is None:
            continue
        members = np.flatnonzero(category_of == category)
        sources = sites["sources"].iloc[members].astype(str)
        listed = sources.str.contains(rf"(?:^|;\s*){source}(?:\s*;|$)", regex=True)
        keep[members[listed.to_numpy(dtype=bool)]] = True
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
    return ALL_RECORDED if set(categories) == set(RECORDING_CATEGORIES) else ALL_SELECTED


# ---------------------------------------------------------------- site-years at risk


def _year_point(year: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """When in a calendar year an event dated only by its year is placed: the middle of the
    part of that year inside the window [start, end)."""
    return (np.maximum(year, start) + np.minimum(year + 1, end)) / 2


def exposure(
    sites: pd.DataFrame,
    categories=RECORDING_CATEGORIES,
    start: int = DEFAULT_START,
    inside_from=None,
    all_closures: bool = False,
) -> pd.DataFrame:
    """Each recorded site's years at risk and closure in the window, split by side.

    The window runs from 1 January of ``start`` (or the source's first date, if later) to the
    source's end (RECORDING: libraries to 2023, GP practices to July 2019, museums to 2021,
    pharmacies to April 2025, dental practices to March 2016). A site is at risk from the
    window start or its opening, to its closure or the window's end; an opening or closure
    known by its year is placed in the middle of that year (of the part of it in the window).
    A closure counts if it is a loss (``lost_mask``; with ``all_closures`` any closure: a
    replacement, move or contract end too) inside the window; a site closed otherwise stops
    being at risk then without a loss. A closed site with no closure year is left out.

    ``inside_from``: per site, the year from which it counts as inside (-inf: always; NaN:
    never), so a policy's designation year splits a site's years between the sides; by
    default none is inside. Returns one row per recorded site of the chosen categories with
    site_id, category, gss_code, years_in, years_out, closed_in, closed_out (0 or 1).
    """
    chosen = [c for c in RECORDING_CATEGORIES if c in categories]
    kept = recorded_sites(sites, chosen)
    n = len(kept)
    category = kept["category"].to_numpy()
    w_start = np.array([max(float(start), RECORDING[c].window_start) for c in category])
    w_end = np.array([RECORDING[c].window_end for c in category])
    opened = (
        pd.to_numeric(kept["opened_year"], errors="coerce").to_numpy(dtype=float)
        if "opened_year" in kept.columns
        else np.full(n, np.nan)
    )
    closed_year = pd.to_numeric(kept["closed_year"], errors="coerce").to_numpy(dtype=float)
    is_closed = kept["status"].eq("closed").to_numpy()
    loss = is_closed if all_closures else (lost_mask(kept).to_numpy() & is_closed)
    entry = np.where(
        np.isnan(opened) | (opened < w_start), w_start, _year_point(opened, w_start, w_end)
    )
    closes_in_window = is_closed & (closed_year + 1 > w_start) & (closed_year < w_end)
    exit_ = np.where(closes_in_window, _year_point(closed_year, w_start, w_end), w_end)
    at_risk = ~(is_closed & np.isnan(closed_year)) & ~(is_closed & (closed_year + 1 <= w_start))
    at_risk &= (np.isnan(opened) | (opened < w_end)) & (w_start < w_end)
    years = np.where(at_risk, np.maximum(exit_ - entry, 0.0), 0.0)
    event = at_risk & closes_in_window & loss & (exit_ >= entry)
    if inside_from is None:
        inside_from = np.full(n, np.nan)
    inside_from = np.asarray(inside_from, dtype=float)
    split = np.where(np.isnan(inside_from), np.inf, inside_from)  # the time inside begins
    years_in = np.where(at_risk, np.clip(exit_ - np.maximum(entry, split), 0.0, None), 0.0)
    event_in = event & (exit_ >= split)
    return pd.DataFrame(
        {
            "site_id": kept["site_id"].to_numpy(),
            "category": category,
            "gss_code": kept["gss_code"].fillna("unknown").to_numpy(),
            "years_in": years_in,
            "years_out": years - years_in,
            "closed_in": event_in.astype(int),
            "closed_out": (event & ~event_in).astype(int),
        },
        index=kept.index,
    )


def inside_from(
    sites: pd.DataFrame,
    policy: str,
    policy_areas: gpd.GeoDataFrame | None = None,
    vintage: bool = False,
) -> np.ndarray:
    """The year from which each site counts as inside the policy: -inf (always) for a site
    inside (the build's flag), NaN outside; with ``vintage`` the designation year of the
    earliest designated area holding it (``policy_areas`` needed)."""
    flag = inside_mask(sites, policy).to_numpy()
    if vintage and (policy_areas is None or not has_designation(policy_areas, policy)):
        vintage = False  # no designation dates: the option does not apply (the page says so)
    if not vintage:
        return np.where(flag, -np.inf, np.nan)
    assert policy_areas is not None
    years = designation_years(sites.geometry.values, policy_areas, policy)
    # The build's flag decides; a flagged point on an edge takes the latest year.
    latest = float(policy_layer(policy_areas, policy)["designated_year"].max())
    return np.where(flag, np.where(np.isnan(years), latest, years), np.nan)


def site_exposure(
    kept: pd.DataFrame,
    policy: str,
    chosen: list[str],
    choices: Choices,
    policy_areas: gpd.GeoDataFrame | None,
) -> pd.DataFrame:
    """``exposure`` of recorded sites on each side of a policy's boundary under ``choices``:
    designation years with ``choices.vintage``, and with ``choices.edge_m`` the sites that
    close to the outline left out (``policy_areas`` needed for either)."""
    if choices.edge_m:
        if policy_areas is None:
            raise ValueError("leaving out sites near the boundary needs the policy areas")
        near = near_outline(kept.geometry.values, policy_areas, policy, choices.edge_m)
        kept = kept[~near]
    start = inside_from(kept, policy, policy_areas, choices.vintage)
    return exposure(kept, chosen, choices.start, start, choices.all_closures)


def loss_sides(frame: pd.DataFrame) -> pd.Series:
    """The losses an ``exposure`` frame counts, by site index: True inside the policy's areas,
    False elsewhere (what the losses map draws; the table's closed_in and closed_out)."""
    counted = frame[frame["closed_in"].eq(1) | frame["closed_out"].eq(1)]
    return counted["closed_in"].eq(1).rename("inside")


def closure_sides(
    sites: pd.DataFrame,
    policy: str,
    categories=RECORDING_CATEGORIES,
    choices: Choices = DEFAULT_CHOICES,
    policy_areas: gpd.GeoDataFrame | None = None,
) -> pd.Series:
    """``loss_sides`` of the losses ``closure_table`` counts under ``choices``. The page reads
    them from ``comparisons(...).attrs["sides"]`` instead: the same exposure, computed once."""
    chosen = [c for c in RECORDING_CATEGORIES if c in categories]
    kept = recorded_sites(sites, chosen)
    return loss_sides(site_exposure(kept, policy, chosen, choices, policy_areas))


def strata(frame: pd.DataFrame, by_borough: bool) -> list[tuple[int, float, int, float]]:
    """The Mantel-Haenszel strata of an ``exposure`` frame: (closures inside, site-years inside,
    closures elsewhere, site-years elsewhere) per category, or per category and borough."""
    keys = ["category", "gss_code"] if by_borough else ["category"]
    sums = frame.groupby(keys)[["closed_in", "years_in", "closed_out", "years_out"]].sum()
    return [
        (int(a), float(t1), int(b), float(t2))
        for a, t1, b, t2 in sums.itertuples(index=False, name=None)
    ]


# ---------------------------------------------------------------- closure rate in/out

CLOSURE_COLUMNS = [
    "category",
    "window",
    "sites_in",
    "years_in",
    "closed_in",
    "rate_in",
    "rate_in_lo",
    "rate_in_hi",
    "sites_out",
    "years_out",
    "closed_out",
    "rate_out",
    "rate_out_lo",
    "rate_out_hi",
    "expected_in",
    "ratio",
    "ratio_lo",
    "ratio_hi",
    "p_value",
    "p_holm",
    "comparisons",
    "pooled_over",
    "reading",
    "exploratory",
    "verdict",
    "ratio_note",
    "caveat",
]


def _pooled_over(pooled: bool, by_borough: bool) -> str:
    """What the Mantel-Haenszel ratio pools over: 'categories', 'categories and boroughs',
    'boroughs' or '' (a plain comparison)."""
    if pooled:
        return "categories and boroughs" if by_borough else "categories"
    return "boroughs" if by_borough else ""


def _qualifier(pooled_over: str) -> str:
    if not pooled_over:
        return ""
    return "within boroughs" if pooled_over == "boroughs" else f"across {pooled_over}"


def _row_verdict(row: dict, policy_label: str | None) -> str:
    text = verdict(
        row["reading"],
        row["ratio"],
        row["ratio_lo"],
        row["ratio_hi"],
        policy_label,
        int(row["closed_in"]),
        row["expected_in"],
        int(row["closed_out"]),
        row.get("ratio_note", ""),
        qualifier=_qualifier(row.get("pooled_over", "")),
    )
    if row.get("exploratory"):
        text += (
            f"; exploratory: it would not survive a Holm correction for the "
            f"{int(row['comparisons'])} comparisons that can give a verdict (adjusted p = "
            f"{row['p_holm']:.2f})"
        )
    return text


def closure_table(
    sites: pd.DataFrame,
    policy: str,
    categories=RECORDING_CATEGORIES,
    choices: Choices = DEFAULT_CHOICES,
    policy_areas: gpd.GeoDataFrame | None = None,
    pooled_only: bool = False,
    intervals: bool = True,
) -> pd.DataFrame:
    """Closures per 100 site-years inside against elsewhere, per category and pooled.

    One row per chosen category that records closures (in RECORDING_CATEGORIES order) and,
    when more than one is chosen, a pooled row ("All categories" or "All selected"). Each
    source's own window from ``choices.start`` (see ``exposure``). Columns CLOSURE_COLUMNS:
    sites_* the sites with any years at risk on a side, years_* the site-years, rate_* the
    closures per 100 site-years with mid-p exact Poisson intervals, ratio the rate ratio
    (Mantel-Haenszel over categories on the pooled row, over boroughs too with
    ``choices.by_borough``) with its mid-p exact conditional interval and p_value, reading
    ('none', 'few', 'unclear', 'higher', 'lower'). p_holm, comparisons and exploratory are
    filled by ``mark_comparisons`` (here the row alone is the family). ``policy_areas`` is
    needed for ``choices.vintage`` or ``choices.edge_m``. ``pooled_only``: only the last
    row; ``intervals`` False: no intervals on the ratio (NaN), only its test.
    """
    parse_policy(policy)  # KeyError for an unknown key
    categories = list(categories)
    chosen = [c for c in RECORDING_CATEGORIES if c in categories]
    table = _closure_rows(
        recorded_sites(sites, chosen), policy, chosen, choices, policy_areas, pooled_only, intervals
    )
    return with_caveats(table, _table_caveats(sites, policy, categories, choices))


def _table_caveats(sites: pd.DataFrame, policy: str, categories, choices: Choices) -> list[str]:
    caveats = caveats_for(policy, categories) + _left_out_notes(sites, categories)
    if choices.vintage:
        caveats.append(CAVEATS["vintage"])
    return caveats


def _closure_rows(
    kept: pd.DataFrame,
    policy: str,
    chosen: list[str],
    choices: Choices,
    policy_areas: gpd.GeoDataFrame | None,
    pooled_only: bool = False,
    intervals: bool = True,
    frame: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``closure_table`` of sites already narrowed to the recorded ones of ``chosen``
    categories (``recorded_sites``), without the table's caveats: what the family of
    comparisons and the robustness panel compute many times over. ``frame``: their
    ``site_exposure``, when the caller has it."""
    parse_policy(policy)
    label = policy_label(policy)
    if frame is None:
        frame = site_exposure(kept, policy, chosen, choices, policy_areas)
    policy_notes = [CAVEATS[k] for k in _policy_caveat_keys(policy)]
    groups = [(name, [name]) for name in chosen]
    if len(chosen) > 1:
        groups.append((_total_label(chosen), chosen))
    if pooled_only:
        groups = groups[-1:]
    rows = []
    for name, members in groups:
        part = frame[frame["category"].isin(members)]
        test = inference.rate_ratio_test(strata(part, choices.by_borough), interval=intervals)
        notes = [CAVEATS[_CATEGORY_CAVEATS[c]] for c in members] + policy_notes
        row = dict(
            category=name,
            window="; ".join(
                f"{RECORDING[c].plural} {_window_text(c, choices.start)}" for c in members
            ),
            sites_in=int((part["years_in"] > 0).sum()),
            years_in=float(part["years_in"].sum()),
            closed_in=test.closed_in,
            sites_out=int((part["years_out"] > 0).sum()),
            years_out=float(part["years_out"].sum()),
            closed_out=test.closed_out,
            expected_in=test.expected_in,
            ratio=test.ratio,
            ratio_lo=test.lo,
            ratio_hi=test.hi,
            p_value=test.p,
            p_holm=test.p,
            comparisons=1,
            reading=_reading(test),
            exploratory=False,
            ratio_note=test.note,
            pooled_over=_pooled_over(len(members) > 1, choices.by_borough),
        )
        row["verdict"] = _row_verdict(row, label)
        row["caveat"] = " ".join(notes)
        rows.append(row)
    table = pd.DataFrame(rows, columns=[c for c in CLOSURE_COLUMNS if not c.startswith("rate_")])
    for side in ("in", "out"):
        k, t = table[f"closed_{side}"].to_numpy(), table[f"years_{side}"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            table[f"rate_{side}"] = np.where(t > 0, 100 * k / np.maximum(t, 1e-9), np.nan)
        lo, hi = inference.poisson_rate_interval(k, t)
        table[f"rate_{side}_lo"], table[f"rate_{side}_hi"] = 100 * lo, 100 * hi
    return table[CLOSURE_COLUMNS]


def _window_text(category: str, start: int) -> str:
    recording = RECORDING[category]
    if start <= recording.first_year:
        return recording.window
    if start >= recording.window_end:
        return f"none from {start} (the source ends {recording.window.split(' - ')[-1]})"
    return f"{start} - {recording.window.split('-')[-1].strip()}"


def mark_comparisons(table: pd.DataFrame, p_holm, comparisons: int, policy: str) -> pd.DataFrame:
    """``table`` with each row's Holm-adjusted p-value (``p_holm``, in the table's order) for
    a family of ``comparisons``: a difference is exploratory when its adjusted p-value is 0.05
    or more (it would not survive the correction)."""
    table = table.copy()
    table["p_holm"] = np.asarray(p_holm, dtype=float)
    table["comparisons"] = int(comparisons)
    table["exploratory"] = table["reading"].isin(["higher", "lower"]) & ~(table["p_holm"] < 0.05)
    label = policy_label(policy)
    table["verdict"] = [_row_verdict(row, label) for row in table.to_dict("records")]
    return table


def comparisons(
    sites: pd.DataFrame,
    policy_areas: gpd.GeoDataFrame,
    policy: str,
    categories=RECORDING_CATEGORIES,
    choices: Choices = DEFAULT_CHOICES,
) -> pd.DataFrame:
    """The page's table for ``policy`` with every finding marked exploratory or not.

    The page offers each main policy (and the town-centre class chosen, if one is) times each
    row (the categories and the pooled row). Holm's correction runs over those that can give a
    verdict: a p-value and at least MIN_CLOSURES closures expected inside. A comparison with
    fewer is "too few to tell" whatever its outcome (the gate reads the expected count alone),
    so it can never add a false finding and does not belong in the family; keeping it would
    only spend the error rate on comparisons that cannot be called. ``attrs['family']`` is
    every offered comparison (policy, category, reading, p_value, p_holm: NaN outside the
    family); ``attrs['offered']`` counts those with a p-value; ``attrs['sides']`` is
    ``loss_sides``: each loss counted, inside or not (the map draws it)."""
    family_policies = list(MAIN_ANALYSED) + ([policy] if policy not in MAIN_ANALYSED else [])
    chosen = [c for c in RECORDING_CATEGORIES if c in categories]
    kept = recorded_sites(sites, chosen)
    exposed = site_exposure(kept, policy, chosen, choices, policy_areas)
    tables = {
        key: _closure_rows(
            kept,
            key,
            chosen,
            choices,
            policy_areas,
            intervals=key == policy,
            frame=exposed if key == policy else None,
        )
        for key in family_policies
    }
    with_caveats(tables[policy], _table_caveats(sites, policy, list(categories), choices))
    family = pd.concat(
        [t[["category", "reading", "p_value"]].assign(policy=key) for key, t in tables.items()],
        ignore_index=True,
    )
    in_family = family["reading"].isin(VERDICT_READINGS)
    family["p_holm"] = inference.holm(family["p_value"].where(in_family))
    mine = family[family["policy"] == policy]["p_holm"].to_numpy()
    marked = mark_comparisons(tables[policy], mine, int(in_family.sum()), policy)
    marked.attrs["family"] = family[["policy", "category", "reading", "p_value", "p_holm"]]
    marked.attrs["offered"] = int(family["p_value"].notna().sum())
    marked.attrs["sides"] = loss_sides(exposed)  # the losses counted, inside or not: the map's
    return marked


def family_text(table: pd.DataFrame) -> str:
    """Which comparisons Holm's correction runs over, and why, from ``comparisons``."""
    family = int(table["comparisons"].iloc[-1])
    offered = int(table.attrs.get("offered", family))
    few = offered - family
    return (
        f"The page offers {offered} comparisons (each main policy against each category shown "
        f"and the pooled row); {few} of them have under {MIN_CLOSURES} closures expected "
        "inside, so they read “too few to tell” whatever happened, and cannot add a false "
        f"finding. Holm's correction runs over the other {family}: a difference that would not "
        "survive it is marked exploratory."
    )


def verdict_sentence(table_row, policy_label: str) -> str:
    """One quotable sentence from a closure_table row (a Series or a dict)."""
    row = dict(table_row)
    category = row.get("category", getattr(table_row, "name", None))  # or the index label
    if category in (ALL_RECORDED, ALL_SELECTED):
        who = "Across the " + (
            "recorded categories" if category == ALL_RECORDED else "selected categories"
        )
        who += ", closures"
    else:
        plural = RECORDING[category].plural if category in RECORDING else category
        who = f"For {plural}, closures"
    if not row["years_in"] or not row["years_out"]:
        side = "inside" if not row["years_in"] else "outside"
        return f"{who} cannot be compared: there are no recorded sites {side} {policy_label}."
    rates = (
        f"{who} inside {policy_label} ran at {_fmt_rate(row['rate_in'])} per 100 site-years "
        f"({row['closed_in']:,} in {row['years_in']:,.0f} site-years) against "
        f"{_fmt_rate(row['rate_out'])} elsewhere ({row['closed_out']:,} in "
        f"{row['years_out']:,.0f})"
    )
    answer = _row_verdict({**row, "category": category}, None)
    return f"{rates}: {answer}."


# ---------------------------------------------------------------- robustness


def robustness(
    sites: pd.DataFrame,
    policy_areas: gpd.GeoDataFrame,
    policy: str,
    categories=RECORDING_CATEGORIES,
    choices: Choices = DEFAULT_CHOICES,
    undone: Mapping[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """The headline (the table's last row) under other reasonable choices: other window
    starts, the sites within 50 m of the policy's outline left out, replacements, moves and
    contract ends counted as losses, each of the build's record rules undone, designation
    dates respected or not, borough strata or not, each category alone and each left out.

    ``undone``: for a build record rule (a ``RECORD_RULES`` key), the sites as they would be
    without it (``lib.data.layers.without_rule``); each gives a row, in RECORD_RULES order.

    Columns: choice, closed_in, years_in, closed_out, years_out, ratio, ratio_lo, ratio_hi,
    reading, verdict, subset (a part of the data: a category alone or left out), flips,
    judgement. A choice is judged on its estimate, not on crossing p = 0.05: it flips the
    finding when it reverses the direction (higher against lower, each interval excluding 1)
    or, over all the chosen data, when its interval excludes the headline's ratio. A part of
    the data flips it only by reversing the direction: a category differing from the pool is
    what drives the finding (``drivers``), not fragility. Choices with too few closures to
    tell are not judged. ``attrs['fragile']``: True when any choice flips the finding, False
    when none does, None when the headline itself has too few closures to tell.
    """
    chosen = [c for c in RECORDING_CATEGORIES if c in categories]
    label = policy_label(policy)
    kept = recorded_sites(sites, chosen)
    variants: list[tuple[str, pd.DataFrame, Sequence[str], Choices]] = [
        ("As chosen", kept, chosen, choices)
    ]
    for year in (2000, 2010, 2015):
        if year != choices.start:
            variants.append((f"Window from {year}", kept, chosen, replace(choices, start=year)))
    edge = BOUNDARY_EDGE_M
    variants += [
        (
            f"Sites within {edge:.0f} m of the boundary left out",
            kept,
            chosen,
            replace(choices, edge_m=edge),
        ),
        (
            "Replacements, moves and contract ends counted as losses"
            if not choices.all_closures
            else "Only losses counted",
            kept,
            chosen,
            replace(choices, all_closures=not choices.all_closures),
        ),
    ]
    for key, rule in RECORD_RULES.items():
        if undone and key in undone:
            variants.append((rule.variant, recorded_sites(undone[key], chosen), chosen, choices))
    if has_designation(policy_areas, policy):
        variants.append(
            (
                "Only closures after designation"
                if not choices.vintage
                else "Designation dates ignored",
                kept,
                chosen,
                replace(choices, vintage=not choices.vintage),
            )
        )
    variants.append(
        (
            "Stratified by borough too" if not choices.by_borough else "Not stratified by borough",
            kept,
            chosen,
            replace(choices, by_borough=not choices.by_borough),
        )
    )
    if len(chosen) > 1:
        for c in chosen:
            variants.append((f"{c} alone", kept, [c], choices))
            others = [o for o in chosen if o != c]
            variants.append((f"Without {RECORDING[c].plural}", kept, others, choices))
    rows = []
    for name, frame, cats, variant in variants:
        part = frame[frame["category"].isin(cats)]
        row = _closure_rows(part, policy, list(cats), variant, policy_areas, True).iloc[-1]
        rows.append(
            dict(
                choice=name,
                closed_in=int(row["closed_in"]),
                years_in=float(row["years_in"]),
                closed_out=int(row["closed_out"]),
                years_out=float(row["years_out"]),
                ratio=row["ratio"],
                ratio_lo=row["ratio_lo"],
                ratio_hi=row["ratio_hi"],
                reading=row["reading"],
                verdict=row["verdict"].replace(f" inside {label}", " inside"),
                subset=list(cats) != chosen,
            )
        )
    return judge(pd.DataFrame(rows))


def judge(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (the headline first, then the variants: reading, ratio, ratio_lo, ratio_hi,
    subset) with ``flips`` and ``judgement``, judged on the estimate (see ``robustness``);
    ``attrs['fragile']``."""
    table = table.copy()
    head = table.iloc[0]
    judged = head["reading"] in VERDICT_READINGS
    decided = table["reading"].isin(VERDICT_READINGS)
    opposite = (
        table["reading"].isin(("higher", "lower"))
        & (head["reading"] in ("higher", "lower"))
        & (table["reading"] != head["reading"])
    )
    holds = (table["ratio_lo"] <= head["ratio"]) & (head["ratio"] <= table["ratio_hi"])
    moved = decided & ~holds & ~table["subset"]
    table["flips"] = (opposite | moved) & judged
    table["judgement"] = np.select(
        [
            np.arange(len(table)) == 0,
            ~decided,
            np.full(len(table), not judged),
            opposite,
            moved,
            table["subset"] & ~holds,
            table["subset"],
        ],
        [
            "the headline",
            "too few to tell",
            "not judged",
            "reverses the direction",
            f"interval excludes the headline's {head['ratio']:.2f}",
            "differs from the pool: a part of the data",
            "a part of the data",
        ],
        default="same finding",
    )
    table.attrs["fragile"] = bool(table["flips"].any()) if judged else None
    return table


def robustness_note(table: pd.DataFrame) -> str:
    """'Robust: ...' or 'Fragile: ...' for the page, from ``robustness``."""
    fragile = table.attrs.get("fragile")
    if fragile is None:
        return "Robustness: not judged, since the headline has too few closures to tell."
    others = len(table) - 1
    point = f"{float(table['ratio'].iloc[0]):.2f}"
    if not fragile:
        return (
            f"Robust: under all {others} other choices below, the estimate stays with the "
            f"headline: no interval excludes its {point} and none reverses its direction "
            "(choices with too few closures to tell aside; a category alone or left out counts "
            "against it only if it reverses the direction)."
        )
    flips = table[table["flips"]]
    moved = "; ".join(
        "{}: {} ({}-{})".format(
            row.choice, *fmt_ratio(row.ratio, row.ratio_lo, row.ratio_hi).split("-", 2)
        )
        for row in flips.itertuples()
    )
    return (
        f"Fragile: under {len(flips)} of {others} other reasonable choices the estimate "
        f"moves away from the headline's {point} (its interval excludes it, or the direction "
        f"reverses): {moved}."
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
    start: int = DEFAULT_START,
) -> pd.DataFrame:
    """Share of closures inside a policy's areas against its share of site-years, land and
    people.

    Rows (``measure``): "Closures", "Site-years", "Land area", "Residents"; columns
    SHARE_COLUMNS. Closures and site-years are those of the chosen categories in each
    source's window from ``start`` (``exposure``; Wilson interval on the closures' share). Land area is the policy's polygons (overlaps counted once) intersected with
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
    frame = exposure(kept, chosen, start, inside_from(kept, policy))
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

    closures_in = int(frame["closed_in"].sum())
    closures = closures_in + int(frame["closed_out"].sum())
    years_in = float(frame["years_in"].sum())
    years = years_in + float(frame["years_out"].sum())
    what = ", ".join(RECORDING[c].plural for c in chosen) or "no categories"
    rows = [
        ("Closures", closures_in, closures, "losses", f"Losses of {what} in the window."),
        (
            "Site-years",
            years_in,
            years,
            "site-years at risk",
            f"Years each recorded {what} was open in the window, summed.",
        ),
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
    lo, hi = wilson_interval(closures_in, closures)
    table["share_lo"] = [lo, np.nan, np.nan, np.nan]
    table["share_hi"] = [hi, np.nan, np.nan, np.nan]
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


def distance_bands(
    sites: pd.DataFrame, categories=RECORDING_CATEGORIES, start: int = DEFAULT_START
) -> pd.DataFrame:
    """Closures per 100 site-years by straight-line distance to the nearest town centre, in
    each source's window from ``start`` (``exposure``).

    Rows in order: inside a town centre, under 400 m, 400-800 m, 800-1,600 m, 1,600 m or more
    (lower bounds inclusive). Columns: band, min_m, max_m, sites, years, closed, rate,
    rate_lo, rate_hi (mid-p exact Poisson interval).
    """
    chosen = [c for c in RECORDING_CATEGORIES if c in categories]
    kept = recorded_sites(sites, chosen)
    band = distance_band(kept["in_town_centre"], kept["dist_town_centre_m"])
    band.index = kept.index
    frame = exposure(kept, chosen, start)
    specs = [(INSIDE_BAND, 0.0, 0.0)] + DISTANCE_BANDS
    rows = []
    for label, low, high in specs:
        members = frame[band.eq(label)]
        rows.append(
            dict(
                band=label,
                min_m=low,
                max_m=high,
                sites=int((members["years_out"] > 0).sum()),
                years=float(members["years_out"].sum()),
                closed=int(members["closed_out"].sum()),
            )
        )
    table = pd.DataFrame(rows)
    t = table["years"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["rate"] = np.where(t > 0, 100 * table["closed"] / np.maximum(t, 1e-9), np.nan)
    lo, hi = inference.poisson_rate_interval(table["closed"], t)
    table["rate_lo"], table["rate_hi"] = 100 * lo, 100 * hi
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

_COUNT = count_word(len(RECORDING))
DEFINITIONS = f"""\
**Which sites count.** {_COUNT.capitalize()} categories have sources that record closures as
well as open sites: {recording_text()}. A site counts
only if one of these sources lists it; libraries and museums known only from the 2022 Cultural
Infrastructure Map are left out, because nobody records whether they closed. Pubs, community
centres, music venues and the rest cannot show losses as points. All {_COUNT} are compared by
default: counted per site-year and pooled within categories (below), sources recorded over
different years no longer bias the comparison, and more closures give a firmer answer; the
robustness panel shows each category alone, and the sidebar can choose fewer.

**Only losses count, and a record is not a facility.** A closure counts when it is a loss: a
library closed and replaced (the lists' own notes, on the old library's row or the new one's),
a move, a museum merged into another at the same place, a GP practice's merger at the same
surgery, a pharmacy's change of owner (a code that closed where another opened in the same
building within about three months), a second NHS code of one shop ending, a code that lived
under 31 days and a dental contract-end record on 31 March are not losses; distance-selling
and hub pharmacies, community dental services, school libraries and pop-up museums are not
community facilities. The robustness panel undoes each of these rules in turn.

**One window, closures per site-year.** You choose the first year (2010 by default); each
source's own end closes the window. A site is at risk from the window start, or its opening if
later, to its closure, or the source's end: those are its site-years. An opening or closure
known only by its year is placed in the middle of that year (of the part of it inside the
window). **Rate** = losses in the window / site-years, shown per 100 site-years, with a mid-p
exact Poisson interval.

**Inside a policy area.** A site is inside when its point lies within the policy's polygons
(GLA Planning Data Map; boundaries are indicative). A site in overlapping town centres takes
the highest class. Areas for Regeneration are the LSOAs in the 20% most deprived in England on
the IMD 2019 (London Plan policy SD10). The Opportunity Area layer has 27 of the 47 areas.

**Rate ratio** = rate inside / rate elsewhere. For one category it is the plain ratio; for
several it is the Mantel-Haenszel rate ratio over categories (each category compared with
itself, inside against elsewhere, then pooled), and with "stratify by borough" over categories
within boroughs, so neither the mix of facilities nor of boroughs on each side makes the
difference. Its 95% interval and p-value are exact and conditional (mid-p): given the closures
in each stratum, those inside follow a binomial whose probability depends only on the ratio
and the stratum's share of site-years inside; no 0.5 is added to empty cells.

**No verdict on a handful.** A verdict needs at least {MIN_CLOSURES} losses expected inside at the rate
elsewhere; below that the page says "too few closures to tell" and gives the counts. Only the
expected count decides, never the losses observed, so whether a comparison gets a verdict does
not depend on its outcome (a gate on the observed count would let a small area be called only
when it had many losses, which can only read "higher"). **"No clear difference"** means the
interval includes 1.

**How many comparisons.** The page offers each main policy (and a town-centre class when one
is chosen) against each category shown and the pooled row; it says how many. Holm's correction
runs over those that can give a verdict ({MIN_CLOSURES} or more losses expected inside): one that reads
"too few to tell" whatever happens cannot add a false finding, and counting it would only
spend the error rate on comparisons that cannot be called. Where a difference would not
survive the correction (Holm-adjusted p ≥ 0.05) it is marked **exploratory**: worth a look,
not a finding to post.

**What drives a finding.** For every row that reads higher or lower the page says which
categories the losses inside come from (each against those expected at the rate elsewhere,
and the ratio without the largest contributor), in which years (by five-year period), and how
concentrated they are among operators. The operator is read from the site's name: a name
(less words such as Pharmacy, Chemist, Ltd, UK) shared by 5 or more sites of a category is a
chain's, and a name beginning with a chain's words is that chain's; a library's operator is its
borough's library service; any other site is its own. One chain's closures are not independent,
so the page also gives a 95% interval from a bootstrap over operators (2,000 draws, fixed seed).

**Policy designation.** Boundaries are today's, and most were designated (adopted) between
2004 and 2021. Only Opportunity Areas (their adopted dates) and Creative Enterprise Zones
(2018) have designation dates: the CAZ's and SILs' files carry only the date their records
were added, the 2021 Plan restated the town centres, and Areas for Regeneration were in the
2011 and 2016 Plans (the IMD 2019 dates this layer's drawing, not a designation). With "only
closures after designation" a site in a dated area counts as inside only from its area's
designation year and its earlier years as elsewhere. An association with a designation shows where closures happened more or less often,
not that the designation caused them: places are designated because of what is already there
(deprivation, industry, a town centre), closures before a designation cannot be its effect, and
those soon after may have been under way before it.

**Robustness.** The headline is recomputed under other reasonable choices: the window from
2000, 2010 or 2015, the sites within {BOUNDARY_EDGE_M:.0f} m of the policy's outline (the areas dissolved, either
side) left out (site points and boundaries are both approximate), replacements, moves and
contract ends counted as losses, each of the build's record rules undone (parallel codes,
short-lived codes, moves, changes of owner, pharmacies nobody walks into, dental contract
ends) where the build provides its records, designation dates respected or not, borough strata
or not, and each category alone and left out. It is judged on the estimate, not on crossing
p = 0.05: the verdict is **fragile** when a choice over all the data gives an interval that
excludes the headline's ratio, or any choice reverses its direction (higher against lower);
otherwise **robust**. A ratio of 1.91 (1.00-3.34) against a headline of 2.70 is the same
finding. A category alone or left out is a part of the data: it counts against the verdict only
if it reverses the direction, and shows what drives the finding.

**Shares.** Share of losses inside against share of site-years inside: if losses fell evenly,
the two would match. Land area is the policy's polygons (overlaps counted once) within the 33
boroughs over London's area (excluding the Thames). Residents inside are mid-2020 LSOA
populations: for Areas for Regeneration the regeneration LSOAs themselves, for other policies
each LSOA's population times the share of its area inside (area weighting).

**Distance to a town centre** is straight-line to the edge of the nearest centre in the London
Plan network, in bands: inside, under 400 m, 400-800 m, 800-1,600 m, 1,600 m or more (a site
exactly 400 m away is in 400-800 m); losses per 100 site-years in the same window.

**Pubs** are ONS counts of public houses and bars per borough and year (business units,
rounded to 5). Change is end minus start year; per 10,000 residents uses mid-2020 population.
Boroughs are compared with the share of their area in Opportunity Areas, the CAZ and Areas for
Regeneration by Pearson correlation (Fisher-z interval) and Spearman rank correlation, across
33 boroughs: an association, not a cause.
"""
