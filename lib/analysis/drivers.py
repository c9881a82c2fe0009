"""What drives a finding: which categories, which years and which operators the losses inside
come from, and an interval that allows for one operator's closures not being independent.

A chain closing a dozen branches in one review is one decision, not a dozen: the exact
interval treats them as independent, so the interval here resamples whole operators.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd

from lib.analysis import inference, losses
from lib.vocab.categories import RECORDING, RECORDING_CATEGORIES

#: A name (less the generic words below) shared by at least this many sites of a category is a
#: chain's: Boots, Day Lewis, Lloyds, Superdrug, Tesco, Well and the like.
CHAIN_MIN_SITES = 5
_GENERIC = re.compile(
    r"\b(THE|PHARMACY|PHARMACIES|CHEMIST|CHEMISTS|LTD|LIMITED|PLC|UK|YOUR|LOCAL|INSTORE|"
    r"DISPENSING|CO|AND|DENTAL|SURGERY|SURGERIES|PRACTICE|CLINIC|CENTRE|MEDICAL|HEALTH|GROUP)\b"
)
#: The bootstrap's draws and seed (fixed, so the page and the tests read the same interval).
BOOTSTRAP_DRAWS = 2000
BOOTSTRAP_SEED = 17
#: Closures are counted by periods of this many years from the window's start.
PERIOD_YEARS = 5


def _name_key(names: pd.Series) -> pd.Series:
    text = names.fillna("").astype(str).str.upper()
    text = text.str.replace(r"(\w)PHARMACY\b", r"\1", regex=True)  # LLOYDSPHARMACY
    text = text.str.replace(r"[^A-Z0-9 ]+", " ", regex=True).str.replace(_GENERIC, " ", regex=True)
    return text.str.split().str.join(" ")


def operators(sites: pd.DataFrame) -> pd.DataFrame:
    """Each site's operator, derived from its name: ``operator`` (a label) and ``cluster`` (the
    bootstrap's unit). A public library's operator is its borough's library service. Otherwise
    the name, upper-cased, without punctuation and generic words (Pharmacy, Chemist, The, Ltd,
    UK...), is a chain's when CHAIN_MIN_SITES or more sites of the category share it, and a site
    whose name begins with a chain's words belongs to it ("Boots UK Limited" and "Your Local
    Boots Pharmacy" are Boots, "Superdrug Marble Arch" Superdrug); any other site is its own
    operator."""
    key = _name_key(sites["name"])
    category = sites["category"].astype(str)
    operator = sites["name"].fillna("").astype(str).copy()
    cluster = "site:" + sites["site_id"].astype(str)
    for cat in category.unique():
        mine = category == cat
        counts = key[mine].value_counts()
        chains = {k for k in counts[counts >= CHAIN_MIN_SITES].index if k}
        if not chains:
            continue
        # Each distinct name's chain: its longest leading run of words that is a chain's name.
        chain_of = {}
        for name in counts.index:
            words = name.split()
            found = next(
                (p for p in (" ".join(words[:n]) for n in range(len(words), 0, -1)) if p in chains),
                None,
            )
            if found:
                chain_of[name] = found
        chain = key[mine].map(chain_of)
        member = chain.notna()
        index = chain.index[member]
        operator[index] = chain[member].str.title()
        cluster[index] = f"{cat}:" + chain[member]
    library = category.eq("Library")
    operator[library] = sites.loc[library, "gss_code"].fillna("unknown").astype(str)
    cluster[library] = "library:" + operator[library]
    return pd.DataFrame({"operator": operator, "cluster": cluster}, index=sites.index)


DRIVER_COLUMNS = [
    "category",
    "reading",
    "categories",
    "years",
    "operators",
    "top_operator",
    "top_operator_losses",
    "operators_inside",
    "boot_lo",
    "boot_hi",
    "text",
]


def drivers(
    sites: pd.DataFrame,
    policy_areas: gpd.GeoDataFrame,
    policy: str,
    table: pd.DataFrame,
    choices: losses.Choices = losses.DEFAULT_CHOICES,
    borough_names: dict[str, str] | None = None,
) -> pd.DataFrame:
    """For each row of ``table`` (the page's closure table) that reads higher or lower: which
    categories (the pooled row: each category's losses inside against those expected at the
    rate elsewhere, and the ratio without the largest contributor), which years (losses by
    period of PERIOD_YEARS), how concentrated among operators (``operators``), and a 95%
    interval from a bootstrap over operators (BOOTSTRAP_DRAWS draws, seed BOOTSTRAP_SEED).
    Columns DRIVER_COLUMNS; ``text`` says it all in a sentence or three."""
    chosen = [c for c in RECORDING_CATEGORIES if c in set(table["category"])]
    kept = losses.recorded_sites(sites, chosen)
    frame = losses.site_exposure(kept, policy, chosen, choices, policy_areas)
    frame = frame.join(operators(kept.loc[frame.index]))
    frame["closed_year"] = pd.to_numeric(kept.loc[frame.index, "closed_year"], errors="coerce")
    names = borough_names or {}
    rows = []
    for row in table.itertuples():
        if row.reading not in ("higher", "lower"):
            continue
        members = [row.category] if row.category in RECORDING else chosen
        part = frame[frame["category"].isin(members)]
        stratum = part["category"] + ("|" + part["gss_code"] if choices.by_borough else "")
        boot_lo, boot_hi = inference.cluster_bootstrap_mh(
            part["cluster"],
            stratum,
            part[["closed_in", "years_in", "closed_out", "years_out"]].to_numpy(),
            BOOTSTRAP_DRAWS,
            BOOTSTRAP_SEED,
        )
        inside = part[part["closed_in"] > 0]
        # Counted by cluster: eight independent practices all called "Dental Surgery" are eight.
        counts = inside["cluster"].value_counts()
        label = inside.drop_duplicates("cluster").set_index("cluster")["operator"]
        shown = [
            f"{names.get(label[c], label[c])} libraries" if c.startswith("library:") else label[c]
            for c in counts.index
        ]
        by_operator = pd.Series(counts.to_numpy(), index=shown)
        top = by_operator.index[0] if len(by_operator) else ""
        text_parts = []
        categories = _categories_text(part, members, choices.by_borough) if len(members) > 1 else ""
        if categories:
            text_parts.append(categories)
        years = _years_text(part, choices.start)
        operators_text = _operators_text(inside, by_operator)
        interval, exact = f"{boot_lo:.2f}-{boot_hi:.2f}", f"{row.ratio_lo:.2f}-{row.ratio_hi:.2f}"
        text_parts += [
            years,
            operators_text,
            f"Allowing for one operator's closures going together (a bootstrap over "
            f"operators), the 95% interval is {interval}, against {exact} treating every "
            "closure as independent.",
        ]
        rows.append(
            dict(
                category=row.category,
                reading=row.reading,
                categories=categories,
                years=years,
                operators=operators_text,
                top_operator=top,
                top_operator_losses=int(by_operator.iloc[0]) if len(by_operator) else 0,
                operators_inside=len(by_operator),
                boot_lo=boot_lo,
                boot_hi=boot_hi,
                text=" ".join(text_parts),
            )
        )
    return pd.DataFrame(rows, columns=DRIVER_COLUMNS)


def _categories_text(part: pd.DataFrame, members: list[str], by_borough: bool) -> str:
    """'Categories: pharmacies 42 losses inside against 21.1 expected at the rate elsewhere,
    ...; without pharmacies the ratio is 1.10 (0.69-1.72).'"""
    found = []
    for category in members:
        mine = part[part["category"] == category]
        test = inference.rate_ratio_test(losses.strata(mine, False), interval=False)
        if test.closed_in or test.expected_in > 0:
            found.append((category, test.closed_in, test.expected_in))
    if not found:
        return ""
    found.sort(key=lambda f: abs(f[1] - f[2]), reverse=True)
    listed = ", ".join(f"{RECORDING[c].plural} {k:,} against {e:.1f} expected" for c, k, e in found)
    text = f"Categories (losses inside against those expected at the rate elsewhere): {listed}."
    top = found[0][0]
    rest = part[part["category"] != top]
    if rest["category"].nunique() >= 1:
        test = inference.rate_ratio_test(losses.strata(rest, by_borough))
        if not pd.isna(test.ratio):
            ratio, lo, hi = losses.fmt_ratio(test.ratio, test.lo, test.hi).split("-", 2)
            text += f" Without {RECORDING[top].plural} the ratio is {ratio} ({lo}-{hi})."
    return text


def _years_text(part: pd.DataFrame, start: int) -> str:
    """'Years: 2010-2014 12, 2015-2019 15, 2020 on 38 of the 65 losses inside (elsewhere ...).'"""
    lost = part[(part["closed_in"] + part["closed_out"]) > 0]
    if lost.empty:
        return ""
    inside_years = lost[lost["closed_in"] > 0]["closed_year"]
    if not len(inside_years):
        return ""
    last = int(lost["closed_year"].max())
    bands = max(1, round((last + 1 - start) / PERIOD_YEARS))  # a stub joins the last band
    edges = [start + PERIOD_YEARS * i for i in range(bands)]
    labels = [f"{a}-{a + PERIOD_YEARS - 1}" for a in edges[:-1]] + [f"{edges[-1]} on"]
    period = np.searchsorted(np.asarray(edges), lost["closed_year"].to_numpy(), side="right") - 1
    inside = np.bincount(period, weights=lost["closed_in"].to_numpy(), minlength=len(edges))
    outside = np.bincount(period, weights=lost["closed_out"].to_numpy(), minlength=len(edges))
    ins = ", ".join(f"{label} {int(k):,}" for label, k in zip(labels, inside, strict=True))
    outs = ", ".join(f"{int(k):,}" for k in outside)
    if bands == 1:
        first, final = int(inside_years.min()), int(inside_years.max())
        span = f"{first}-{final}" if final > first else f"{first}"
        return f"Years: the {len(inside_years):,} losses inside fell in {span}."
    return (
        f"Years: {ins} of the {int(inside.sum()):,} losses inside "
        f"({outs} of the {int(outside.sum()):,} elsewhere)."
    )


def _operators_text(inside: pd.DataFrame, by_operator: pd.Series) -> str:
    """'Operators: the 65 losses inside were at 44 operators; Boots had 18, Lloyds 4.'"""
    if by_operator.empty:
        return ""
    repeated = by_operator[by_operator > 1].head(3)
    text = f"Operators: the {len(inside):,} losses inside were at {len(by_operator):,} operators"
    if repeated.empty:
        return text + ", none with more than one."
    listed = [
        f"{name} had {n:,}" if i == 0 else f"{name} {n:,}"
        for i, (name, n) in enumerate(repeated.items())
    ]
    return text + "; " + ", ".join(listed) + "."
