"""Where need is greatest: a ward needs index the user, and the room, can weigh (issue 18, 2).

Pure functions over plain frames (no streamlit, no plotting, no caching). The page calls them
in this order, each step's result is a table it can show and download:

1. ``ward_indicators(wards, lsoas, sites, voluntary_wards, access, contributions)``: one row per
   2017 ward (634) with every indicator's raw value; NaN is **no data**, never 0.
   ``indicator_catalogue(access)`` says, per indicator, its domain, unit, direction and its
   sources and vintage (from lib/vocab/sources.py).
2. ``domain_scores(indicators)``: each indicator standardised by rank, then combined into the
   five domains of ``DOMAINS`` (a score in (0, 1), 1 = most need; NaN = no data).
3. ``needs_index(domains, weights)``: the weighted index, its rank (1 = most need) and the top
   fifth; ``stability(domains, weights)`` how often each ward stays in the top fifth under
   random weightings near the chosen one; ``defined_need`` joins the two (the "areas of
   defined need" of London Plan policy S1 F).
4. ``compare_with_imd(index, indicators)``: what the index adds to deprivation alone;
   ``needs_table(indicators, result)`` every figure per ward, for the table and its download.
5. ``parse_weights`` / ``encode_weights``: the weights in a link, ``access:2,losses:1,...``;
   a bad string raises ``WeightsError`` whose message the page shows as a note.

``EXPLANATION`` says in six sentences, for a resident, what the index is and is not.

**Inputs.** ``access`` is a plain frame (ward_code, category, share_beyond: the share, 0-1, of
the ward's residents whose nearest open facility of that category is over 800 m in a straight
line now), made by the access analysis; each category is one indicator of the access domain, and
a ward or category it lacks is no data. ``contributions`` is what the one public read path
(``lib.store.public_contributions``) returns: approved rows only; its area needs
(kind ``area_need``) are counted per ward, their categories are the ward's themes.

**Indicators** (direction: a higher value means more need, or less):

- access: residents beyond 800 m of the nearest open facility, per category (higher = more
  need);
- losses: facilities lost since the window start (default 2010) per 10,000 residents, the
  recording categories pooled, as ``losses.lost_mask`` counts them (a move, a replacement, a
  change of owner or a contract end is no loss), each in its source's years. Per resident, not
  per site: the index is about residents, and a rate per site needs sites at risk, which most
  wards have none or two of (a ward's one lost library would read as 100%). Higher = more need;
- voluntary sector: registered charities per 1,000 residents (January 2019; **no data** for the
  88 wards the extract lacks) and grants per head from the voluntary sector's own funders
  (360Giving 2013-2018; every ward has a figure, 0 where no grant was published). Lower = more
  need;
- deprivation: the IMD 2019 score of the ward's LSOAs weighted by mid-2020 residents (higher =
  more need);
- what communities say: approved "What this area needs" reports per ward (a count: a report is a
  voice, not a rate). With no approved area need anywhere the domain is **no reports yet** for
  every ward and takes no part in the index.

**Standardised by rank.** Each indicator becomes its percentile among the wards that have it,
(rank - 0.5) / n with tied values sharing their mean rank, turned so that 1 = most need. Ranks,
not z-scores, because grants per head and charities per resident are heavy-tailed (the City's
wards and a few central ones would swamp a z-score). A domain's score is the percentile of the
mean of its indicators' percentiles (over those the ward has), so every domain spreads the same
and a weight means the same whatever the domain's number of indicators. Tied values share a rank:
while few wards have community reports, a ward without one sits near the middle of that domain,
not at its bottom.

**No data.** A ward missing an indicator is scored on the domain's other indicators (its
``no_data`` column names what is missing); a ward with no indicator of a domain leaves that
domain out of its weighted mean and the other weights are renormalised. Every ward has
deprivation and losses; the 88 wards without charities data have the voluntary domain from
grants alone.

**The index** is the weighted mean of a ward's domain scores (weights: a dict domain -> weight
from 0 to MAX_WEIGHT, checked by lib/vocab/needs.py, whose DOMAINS and DEFAULT_WEIGHTS, equal,
this module uses; only the weights' ratios matter). Rank 1 = most need; the **top fifth** is
the wards ranked 1-127 of 634 (ties at the edge all in). Wards of under 5,000 residents (the City's five)
are ranked but flagged ``small_population``: their per-resident figures are extreme.

**Stability.** ``DRAWS`` weightings from a Dirichlet distribution centred on the chosen weights
(concentration ``CONCENTRATION``: with five equal weights each draw's weight has a standard
deviation of about 0.056 around 0.2), a fixed seed; a domain weighted 0 stays 0. A ward's
stability is the share of draws in which it is in the top fifth. An area of defined need is in
the top fifth under the chosen weights; it is **stable** when its stability is at least
``STABLE`` (0.8), else it **depends on the weights**.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.analysis.inference import correlation
from lib.analysis.profiles import UNSTABLE_WARD_POPULATION, closures_since, weighted_imd
from lib.store.public import LABEL as COMMUNITY_LABEL
from lib.vocab.categories import RECORDING, categories_text
from lib.vocab.needs import DEFAULT_WEIGHTS, DOMAINS, MAX_WEIGHT, WeightsError, check_weights
from lib.vocab.sources import SOURCES, site_source_keys, vintage_line

WINDOW_START = 2010
THRESHOLD_M = 800
TOP_SHARE = 0.2
DRAWS = 1000
CONCENTRATION = 50.0
SEED = 2021  # the London Plan's year: any fixed seed makes the draws reproducible
STABLE = 0.8
NO_REPORTS = "no reports yet"


@dataclass(frozen=True)
class Indicator:
    key: str  # its column in ward_indicators
    domain: str
    label: str
    unit: str
    direction: int  # +1: a higher value is more need; -1: a lower one is
    sources: tuple[str, ...]  # keys of lib/vocab/sources.py

    @property
    def vintage(self) -> str:
        return vintage_line(self.sources) if self.sources else ""

    @property
    def source_titles(self) -> str:
        return "; ".join(SOURCES[k].title for k in self.sources)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]  # 'GP practices' keeps its capitals


def _singular(category: str) -> str:
    """'GP practice', 'library', 'community centre': a category as a sentence says it."""
    return RECORDING[category].singular if category in RECORDING else category.lower()


def access_key(category: str) -> str:
    return f"access_{_slug(category)}"


def _fixed_indicators(since: int, loss_sources: tuple[str, ...] = ()) -> list[Indicator]:
    return [
        Indicator(
            "losses_per_10k",
            "losses",
            f"{_capital(categories_text(RECORDING))} lost since {since}, per 10,000 residents",
            "per 10,000 residents",
            +1,
            (*loss_sources, "lsoa_population"),
        ),
        Indicator(
            "charities_per_1k",
            "voluntary",
            "Registered charities per 1,000 residents",
            "per 1,000 residents",
            -1,
            ("charities", "lsoa_population"),
        ),
        Indicator(
            "grants_per_head",
            "voluntary",
            "Grants per head from the voluntary sector's own funders (360Giving)",
            "£ per resident",
            -1,
            ("grants", "lsoa_population"),
        ),
        Indicator(
            "imd_score",
            "deprivation",
            "IMD 2019 score, population-weighted (higher = more deprived)",
            "IMD 2019 score",
            +1,
            ("imd", "lsoa_population"),
        ),
        Indicator(
            "community_reports",
            "community",
            "Approved 'What this area needs' reports",
            "reports",
            +1,
            (),
        ),
    ]


def indicator_catalogue(
    access: pd.DataFrame, sites: pd.DataFrame, since: int = WINDOW_START
) -> pd.DataFrame:
    """One row per indicator: key, domain, label, unit, direction, sources (catalogue keys),
    source_titles, vintage. The access indicators are the categories in `access`, each
    credited with the sources of that category's sites and the residents' postcodes."""
    rows = [
        Indicator(
            access_key(category),
            "access",
            f"Residents beyond {THRESHOLD_M} m of an open {_singular(category)} (now)",
            "share of residents",
            +1,
            tuple(
                dict.fromkeys(
                    [
                        *site_source_keys(sites[sites["category"] == category]),
                        "lsoa_population",
                        "postcodes",
                    ]
                )
            ),
        )
        for category in sorted(access["category"].unique())
    ] + _fixed_indicators(since, tuple(site_source_keys(closures_since(sites, since))))
    return pd.DataFrame(
        [
            dict(
                key=i.key,
                domain=i.domain,
                label=i.label,
                unit=i.unit,
                direction=i.direction,
                sources=", ".join(i.sources),
                source_titles=i.source_titles or COMMUNITY_LABEL,
                vintage=i.vintage or "approved reports in the store when read",
            )
            for i in rows
        ]
    )


# ---------------------------------------------------------------- indicators


def _check_access(access: pd.DataFrame, ward_codes: set[str]) -> pd.DataFrame:
    missing = {"ward_code", "category", "share_beyond"} - set(access.columns)
    if missing:
        raise ValueError(f"The access table lacks {', '.join(sorted(missing))}.")
    share = access["share_beyond"].astype(float)
    if ((share < 0) | (share > 1)).any():
        raise ValueError("share_beyond is a share of residents: it must lie between 0 and 1.")
    if access.duplicated(["ward_code", "category"]).any():
        raise ValueError("The access table has two rows for one ward and category.")
    unknown = set(access["ward_code"]) - ward_codes
    if unknown:
        raise ValueError(f"The access table names {len(unknown)} wards not in the 2017 wards.")
    return access


def area_needs(contributions: pd.DataFrame | None) -> pd.DataFrame:
    """Approved area needs per ward: ward_code, reports, themes ('Community centre 2; Library
    1', the reports' categories, most first). Empty when there are none."""
    columns = ["ward_code", "reports", "themes"]
    if contributions is None or contributions.empty:
        return pd.DataFrame(columns=columns)
    needs = contributions[contributions["kind"] == "area_need"]
    rows = []
    for ward_code, group in needs.groupby("ward_code", sort=True):
        counts = group["category"].fillna("other").value_counts()
        counts = counts.sort_index().sort_values(ascending=False, kind="stable")
        themes = "; ".join(f"{theme} {n}" for theme, n in counts.items())
        rows.append(dict(ward_code=ward_code, reports=len(group), themes=themes))
    return pd.DataFrame(rows, columns=columns)


def ward_indicators(
    wards: pd.DataFrame,
    lsoas: pd.DataFrame,
    sites: pd.DataFrame,
    voluntary_wards: pd.DataFrame,
    access: pd.DataFrame,
    contributions: pd.DataFrame | None = None,
    since: int = WINDOW_START,
) -> pd.DataFrame:
    """Every indicator's raw value per 2017 ward (ward_code order), NaN = no data.

    Columns: ward_code, ward, gss_code, population, small_population, one ``access_<category>``
    per category of `access`, losses (a count), losses_per_10k, charities, charities_per_1k,
    grants_gbp, grants_per_head, imd_score, community_reports (NaN for every ward when no area
    need is approved anywhere), community_themes, community_status.
    """
    table = (
        pd.DataFrame(wards)[["ward_code", "name", "gss_code", "population"]]
        .rename(columns={"name": "ward"})
        .sort_values("ward_code", ignore_index=True)
    )
    codes = table["ward_code"]
    population = table["population"].astype(float)
    table["small_population"] = table["population"] < UNSTABLE_WARD_POPULATION
    access = _check_access(access, set(codes))
    for category, rows in access.groupby("category", sort=True):
        share = rows.set_index("ward_code")["share_beyond"].astype(float)
        table[access_key(str(category))] = codes.map(share)
    lost = closures_since(sites, since)
    table["losses"] = codes.map(lost.groupby("ward_code").size()).fillna(0).astype(int)
    table["losses_per_10k"] = 10_000 * table["losses"] / population
    vol = pd.DataFrame(voluntary_wards).set_index("ward_code")
    table["charities"] = codes.map(vol["charities"]).astype("Int64")
    table["charities_per_1k"] = 1_000 * table["charities"].astype(float) / population
    own = vol["grants_gbp"] - vol["grants_gbp_public"]  # the voluntary sector's own funders
    table["grants_gbp"] = codes.map(own)
    table["grants_per_head"] = table["grants_gbp"] / population
    table["imd_score"] = codes.map(weighted_imd(lsoas, "ward_code"))
    needs = area_needs(contributions).set_index("ward_code")
    if needs.empty:
        table["community_reports"] = np.nan
        table["community_themes"] = ""
        table["community_status"] = NO_REPORTS
    else:
        reports = codes.map(needs["reports"]).fillna(0)
        table["community_reports"] = reports.astype(float)
        table["community_themes"] = codes.map(needs["themes"]).fillna("")
        table["community_status"] = [
            f"{int(n)} report{'' if n == 1 else 's'}" if n else "none" for n in reports
        ]
    table.attrs["since"] = since
    return table


def indicator_columns(indicators: pd.DataFrame) -> dict[str, tuple[str, int]]:
    """Each indicator column of a `ward_indicators` table -> (domain, direction)."""
    fixed = {i.key: (i.domain, i.direction) for i in _fixed_indicators(WINDOW_START)}
    access = {c: ("access", +1) for c in indicators.columns if c.startswith("access_")}
    return access | fixed


# ---------------------------------------------------------------- standardised domains


def percentile(values: pd.Series, direction: int = +1) -> pd.Series:
    """(rank - 0.5) / n among the non-missing values, ties sharing their mean rank, turned so
    that 1 = most need; NaN stays NaN."""
    ranks = (direction * values.astype(float)).rank(method="average")
    return (ranks - 0.5) / values.notna().sum()


def domain_scores(indicators: pd.DataFrame) -> pd.DataFrame:
    """Per ward (the indicators' order): ward_code, one score in (0, 1) per domain (1 = most
    need, NaN = no data), and no_data: the indicators the ward lacks, comma-separated."""
    out = pd.DataFrame({"ward_code": indicators["ward_code"]})
    columns = indicator_columns(indicators)
    standard = pd.DataFrame(
        {c: percentile(indicators[c], d) for c, (_, d) in columns.items()},
        index=indicators.index,
    )
    for domain in DOMAINS:
        mine = [c for c, (d, _) in columns.items() if d == domain]
        mean = standard[mine].mean(axis=1) if mine else pd.Series(np.nan, index=out.index)
        out[domain] = percentile(mean) if mean.notna().any() else np.nan
    out["no_data"] = [
        ", ".join(c for c in columns if pd.isna(indicators.at[i, c])) for i in indicators.index
    ]
    return out


# ---------------------------------------------------------------- the index


def normalised(weights: Mapping[str, float] | None) -> np.ndarray:
    """The weights (lib/vocab/needs.py's check: 0 to MAX_WEIGHT, a missing domain 0, one at
    least above 0; None: the default, equal) as a vector over DOMAINS summing to 1."""
    checked = check_weights(dict(DEFAULT_WEIGHTS if weights is None else weights))
    vector = np.array([checked[d] for d in DOMAINS])
    return vector / vector.sum()


def _matrix(domains: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    scores = domains[list(DOMAINS)].to_numpy(dtype=float)
    present = ~np.isnan(scores)
    return np.where(present, scores, 0.0), present.astype(float)


def top_count(n: int) -> int:
    """How many wards are the top fifth of n (127 of 634)."""
    return math.ceil(TOP_SHARE * n)


def _scores(domains: pd.DataFrame, weight_rows: np.ndarray) -> np.ndarray:
    """Index per ward (rows) and weighting (columns): weighted mean over the domains the ward
    has, NaN where it has none with a weight."""
    filled, present = _matrix(domains)
    used = present @ weight_rows.T
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(used > 0, (filled @ weight_rows.T) / used, np.nan)


def _in_top(scores: np.ndarray) -> np.ndarray:
    """Per column, which rows are in the top fifth of the rows with a score (ties all in)."""
    ranked = np.where(np.isnan(scores), -np.inf, scores)
    k = top_count(int(np.isfinite(ranked[:, 0]).sum()))
    if k == 0:
        return np.zeros(scores.shape, dtype=bool)
    edge = -np.partition(-ranked, k - 1, axis=0)[k - 1]
    return ranked >= edge


def needs_index(domains: pd.DataFrame, weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """The weighted index per ward: ward_code, the domain scores, score (0-1, 1 = most need),
    rank (1 = most need; ties share the best), top_fifth, domains_used (the weighted domains
    the ward has) and domains_missing (weighted domains it has no data for)."""
    vector = normalised(weights)
    out = domains[["ward_code", *DOMAINS]].copy()
    score = _scores(domains, vector[None, :])[:, 0]
    if np.isnan(score).all():
        raise WeightsError(
            "No ward has data for the domains given a weight: give another domain a weight."
        )
    out["score"] = score
    out["rank"] = pd.Series(score, index=out.index).rank(ascending=False, method="min")
    out["rank"] = out["rank"].astype("Int64")
    out["top_fifth"] = _in_top(score[:, None])[:, 0] & ~np.isnan(score)
    weighted = [d for d, w in zip(DOMAINS, vector, strict=True) if w > 0]
    has = out[weighted].notna().to_numpy()
    out["domains_used"] = [", ".join(np.array(weighted)[row]) for row in has]
    out["domains_missing"] = [", ".join(np.array(weighted)[~row]) for row in has]
    out.attrs["weights"] = dict(zip(DOMAINS, vector.tolist(), strict=True))
    out.attrs["top"] = int(out["top_fifth"].sum())
    return out


def random_weights(
    weights: Mapping[str, float] | None,
    draws: int = DRAWS,
    concentration: float = CONCENTRATION,
    seed: int = SEED,
) -> np.ndarray:
    """`draws` weightings (rows, over DOMAINS) from a Dirichlet centred on `weights`; a domain
    weighted 0 stays 0."""
    vector = normalised(weights)
    on = vector > 0
    out = np.zeros((draws, len(vector)))
    out[:, on] = np.random.default_rng(seed).dirichlet(concentration * vector[on], size=draws)
    return out


def stability(
    domains: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    draws: int = DRAWS,
    concentration: float = CONCENTRATION,
    seed: int = SEED,
) -> pd.Series:
    """Per ward (the domains' index), the share of random weightings near `weights` under which
    it is in the top fifth (0-1)."""
    rows = random_weights(weights, draws, concentration, seed)
    share = _in_top(_scores(domains, rows)).mean(axis=1)
    return pd.Series(share, index=domains.index, name="stability")


def defined_need(
    domains: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    draws: int = DRAWS,
    concentration: float = CONCENTRATION,
    seed: int = SEED,
) -> pd.DataFrame:
    """`needs_index` with stability and defined_need: 'stable' (top fifth, stability >= STABLE),
    'depends on the weights' (top fifth, less stable) or '' (not in the top fifth)."""
    out = needs_index(domains, weights)
    out["stability"] = stability(domains, weights, draws, concentration, seed)
    out["defined_need"] = np.where(
        out["top_fifth"],
        np.where(out["stability"] >= STABLE, "stable", "depends on the weights"),
        "",
    )
    out.attrs |= dict(draws=draws, concentration=concentration, seed=seed)
    return out


def needs_table(indicators: pd.DataFrame, result: pd.DataFrame) -> pd.DataFrame:
    """One row per ward, rank order, for the table beside the map and its download: the ward,
    its raw indicators (the losses count as losses_count), domain scores, score, rank, top
    fifth, stability and defined need where
    `result` has them (from `needs_index` or `defined_need`), and its rank on IMD alone."""
    # The losses indicator (a count) is named like its domain: in the table it is losses_count.
    counts = indicators.rename(columns={"losses": "losses_count"})
    table = counts.merge(result, on="ward_code", validate="one_to_one")
    table["imd_rank"] = table["imd_score"].rank(ascending=False, method="min").astype("Int64")
    table = table.sort_values(["rank", "ward_code"], ignore_index=True)
    table.attrs = dict(result.attrs)
    return table


# ---------------------------------------------------------------- against IMD alone


@dataclass(frozen=True)
class ImdComparison:
    top: int  # wards in each top fifth
    overlap: int  # wards in both
    rho: float  # Spearman's rank correlation of index and IMD score
    rho_lo: float
    rho_hi: float
    added: pd.DataFrame  # in the index's top fifth, not IMD's (ward_code, ward, rank, imd_rank)
    dropped: pd.DataFrame  # in IMD's top fifth, not the index's

    @property
    def overlap_share(self) -> float:
        return self.overlap / self.top

    def sentence(self) -> str:
        return (
            f"{self.overlap} of the {self.top} wards in the index's top fifth are also in the "
            f"top fifth by deprivation alone (IMD 2019); the index adds {len(self.added)} and "
            f"leaves out {len(self.dropped)}. Rank correlation with IMD: {self.rho:.2f} "
            f"({self.rho_lo:.2f}-{self.rho_hi:.2f})."
        )


def compare_with_imd(index: pd.DataFrame, indicators: pd.DataFrame) -> ImdComparison:
    """The index's ranking against IMD 2019 alone (the population-weighted ward score): the
    overlap of the two top fifths, Spearman's rho, and the wards the index adds and drops."""
    frame = index[["ward_code", "score", "rank", "top_fifth"]].merge(
        indicators[["ward_code", "ward", "imd_score"]], on="ward_code"
    )
    frame["imd_rank"] = frame["imd_score"].rank(ascending=False, method="min").astype("Int64")
    frame["imd_top"] = _in_top(frame["imd_score"].to_numpy(dtype=float)[:, None])[:, 0]
    both = frame["top_fifth"] & frame["imd_top"]
    stats = correlation(frame["score"], frame["imd_score"])
    columns = ["ward_code", "ward", "rank", "imd_rank"]
    return ImdComparison(
        top=int(frame["top_fifth"].sum()),
        overlap=int(both.sum()),
        rho=stats["rho"],
        rho_lo=stats["rho_lo"],
        rho_hi=stats["rho_hi"],
        added=frame.loc[frame["top_fifth"] & ~frame["imd_top"], columns]
        .sort_values("rank")
        .reset_index(drop=True),
        dropped=frame.loc[frame["imd_top"] & ~frame["top_fifth"], columns]
        .sort_values("imd_rank")
        .reset_index(drop=True),
    )


# ---------------------------------------------------------------- weights in a link

_NUMBER = re.compile(r"\d{1,3}(?:\.\d{1,2})?")


def parse_weights(text: str | None) -> dict[str, float]:
    """'access:2,losses:1,...' -> {domain: weight}. Empty or None: the default (equal). A
    domain left out weighs 0. Raises WeightsError naming the first problem."""
    if text is None or not text.strip():
        return dict(DEFAULT_WEIGHTS)
    weights: dict[str, float] = {}
    for part in text.split(","):
        name, colon, number = part.strip().partition(":")
        name, number = name.strip().lower(), number.strip()
        if not colon:
            raise WeightsError(f"{part.strip()!r} is not domain:weight (e.g. access:2).")
        if name in weights:
            raise WeightsError(f"{name} is given twice.")
        if not _NUMBER.fullmatch(number):
            raise WeightsError(
                f"{name}'s weight {number!r} is not a number from 0 to {MAX_WEIGHT} "
                "(at most two decimals)."
            )
        weights[name] = float(number)
    return check_weights(weights)


def encode_weights(weights: Mapping[str, float]) -> str:
    """{domain: weight} -> 'access:2,losses:1,...' in DOMAINS order (what parse_weights reads)."""
    checked = check_weights(dict(weights))
    return ",".join(f"{d}:{checked[d]:g}" for d in DOMAINS)


EXPLANATION = (
    "The needs index ranks London's 634 wards on five kinds of evidence: how many residents "
    f"live more than {THRESHOLD_M} m in a straight line from their nearest library, GP "
    "practice, pharmacy or community centre; how many facilities with a record of closures ("
    f"{categories_text(RECORDING)}) have been lost since {WINDOW_START}; how few charities and "
    "grants the area has; how deprived it is (IMD 2019); and what residents have said it needs. "
    "Each figure becomes the ward's position among all wards, so no single large number "
    "dominates, and the five are averaged with weights you choose (equal unless you change "
    "them). "
    "The fifth of wards ranked highest are marked as areas of defined need, with how often each "
    "stays in that fifth when the weights are nudged at random, so you can see which results "
    "hang on the weights. "
    "Beside it, the ranking is compared with deprivation alone, to show what the other evidence "
    "adds. "
    "It rests on the data we hold: some facilities and charities are missing (a ward the "
    "charities list lacks is scored on grants alone), distances are not walking routes, and a "
    "ward without residents' reports is not a ward without needs. "
    "It is a starting point for discussion, not a verdict: check it against what people who "
    "live there know."
)
