"""A borough's evidence pack from the needs page's figures (lib/render/evidence.py lays out
the PDF), and the downloads of every indicator per ward and LSOA (CSV, GeoPackage).
No streamlit here: the page passes the tables it shows, already computed.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from lib.analysis import access as walking
from lib.analysis import needs
from lib.data.layers import Layers, geopackage_bytes
from lib.render import card_layout, cards, needs_maps, needs_tables
from lib.render.card_layout import Headline
from lib.render.evidence import EvidencePack, PackMap, evidence_pdf
from lib.render.mapspec import MapSpec
from lib.vocab import sources

METHOD = [
    needs.EXPLANATION,
    "Each indicator becomes a ward's percentile among the wards that have it, (rank - 0.5) / n, "
    "turned so that 1 = most need; a domain's score is the percentile of the mean of its "
    "indicators' percentiles; the index is the weighted mean of the domain scores over the "
    "domains the ward has data for.",
    f"Stability: {needs.DRAWS:,} random weightings near the chosen ones (a Dirichlet "
    f"distribution, concentration {needs.CONCENTRATION:g}, fixed seed); an area of defined need "
    f"is stable when it stays in the top fifth under at least {needs.STABLE:.0%} of them.",
    walking.PLACED,
]


def ward_indicators_frame(table: pd.DataFrame, gss_code: str | None = None) -> pd.DataFrame:
    """Every indicator, domain score and result per ward (the needs table), of one borough or
    of London, for the CSV."""
    rows = table if gss_code is None else table[table["gss_code"] == gss_code]
    return rows.reset_index(drop=True)


def lsoa_indicators(layers: Layers, access: walking.Access) -> pd.DataFrame:
    """Per LSOA: residents, IMD 2019, and the mean straight-line distance to the nearest open
    facility of each category then and now (metres; then NaN without a history)."""
    lsoas = layers.lsoas
    out = pd.DataFrame(
        {
            "lsoa_code": lsoas["lsoa_code"].to_numpy(),
            "ward_code": lsoas["ward_code"].to_numpy(),
            "gss_code": lsoas["gss_code"].to_numpy(),
            "population": lsoas["population"].to_numpy(),
            "imd_score": lsoas["imd_score"].to_numpy(),
        }
    )
    for category in access.categories:
        key = needs.access_key(category).removeprefix("access_")
        distances = walking.resident_distances(access, category).set_index("lsoa_code")
        for when in ("then", "now"):
            out[f"{key}_{when}_mean_m"] = out["lsoa_code"].map(distances[f"{when}_mean_m"]).round()
    return out


def indicators_geopackage(
    layers: Layers, table: pd.DataFrame, lsoa: pd.DataFrame, gss_code: str | None = None
) -> bytes:
    """The ward indicators (`table`) and LSOA indicators (`lsoa`) on their shapes, EPSG:27700,
    as one GeoPackage with two layers: needs_wards and needs_lsoas."""
    wards = ward_indicators_frame(table, gss_code)
    shapes = layers.wards.set_index("ward_code").geometry
    lsoa_rows = lsoa if gss_code is None else lsoa[lsoa["gss_code"] == gss_code]
    lsoa_shapes = layers.lsoas.set_index("lsoa_code").geometry
    return geopackage_bytes(
        {
            "needs_wards": gpd.GeoDataFrame(
                wards, geometry=wards["ward_code"].map(shapes).to_numpy(), crs=layers.wards.crs
            ),
            "needs_lsoas": gpd.GeoDataFrame(
                lsoa_rows,
                geometry=lsoa_rows["lsoa_code"].map(lsoa_shapes).to_numpy(),
                crs=layers.lsoas.crs,
            ),
        }
    )


def community_rows(
    reports: pd.DataFrame | None, ward_names: dict[str, str], gss_code: str
) -> pd.DataFrame:
    """Approved "What this area needs" reports in the borough (the public read path's rows):
    ward, theme, text."""
    columns = ["Ward", "Theme", "What they said"]
    if reports is None or reports.empty:
        return pd.DataFrame(columns=columns)
    mine = reports[(reports["kind"] == "area_need") & (reports["gss_code"] == gss_code)]
    return pd.DataFrame(
        {
            "Ward": mine["ward_code"].map(ward_names).fillna(""),
            "Theme": mine["category"].fillna(""),
            "What they said": mine["description"].fillna(""),
        }
    ).reset_index(drop=True)


def summary(
    borough: str,
    wards: pd.DataFrame,
    top: int,
    total: int,
    access_rows: list[pd.DataFrame],
    comparison: needs.ImdComparison,
) -> list[str]:
    """The pack's headline sentences: the borough's areas of defined need, how stable, and
    its walking access per category (lost and gained side by side, or "now only")."""
    need = wards[wards["defined_need"] != ""]
    stable = int((need["defined_need"] == "stable").sum())
    lines = [
        f"{len(need)} of {borough}'s {len(wards)} wards are areas of defined need (in London's "
        f"top fifth, {top} of {total} wards, under these "
        f"weights); {stable} of them stay there under at least {needs.STABLE:.0%} of random "
        "weightings near these (stable), the rest depend on the weights.",
    ]
    for row in access_rows:
        attrs = row.attrs
        threshold = f"{attrs['threshold_m']:,.0f} m"
        one = row.iloc[0]
        category = needs_maps.singular(attrs["category"])
        if attrs["then"] is None:
            lines.append(
                f"{one['beyond_now']:,.0f} residents ({one['share_beyond_now']:.0%}) live more "
                f"than {threshold} in a straight line from a {category} ({attrs['now']}); with "
                "one list, nothing lost or gained can be measured."
            )
        else:
            lines.append(
                f"{needs_maps.capital(category)}: {one['lost_access']:,.0f} residents lost walking "
                f"access ({threshold}, straight line) between {attrs['then']} and "
                f"{attrs['now']}, and {one['gained_access']:,.0f} gained it; "
                f"{one['share_beyond_now']:.0%} now live beyond {threshold}."
            )
    lines.append("Across London: " + comparison.sentence())
    return lines


def pack_pdf(
    borough: str,
    gss_code: str,
    made: str,
    link: str,
    table: pd.DataFrame,
    access_rows: list[pd.DataFrame],
    comparison: needs.ImdComparison,
    weights_text: str,
    maps: list[PackMap],
    reports: pd.DataFrame | None,
    ward_names: dict[str, str],
    borough_names: dict[str, str],
    caveats: list[str],
    source_keys: list[str],
) -> bytes:
    """The borough's evidence pack as A4 PDF bytes."""
    wards = ward_indicators_frame(table, gss_code)
    display = needs_tables.wards_display(wards, borough_names)
    display["Rank"] = wards["rank"].map(lambda r: f"{int(r)} of {len(table)}")
    display = display.drop(columns=["Borough"])
    top = int(table["top_fifth"].sum())
    pack = EvidencePack(
        borough=borough,
        made=made,
        link=link,
        summary=summary(borough, wards, top, len(table), access_rows, comparison),
        weights=weights_text
        + f"; {needs.DRAWS:,} random weightings near these tested how stable the result is.",
        maps=maps,
        wards=display,
        community=community_rows(reports, ward_names, gss_code),
        method=METHOD,
        caveats=caveats,
        sources=list(sources.attribution_lines(source_keys)),
        notes=[
            "Rank among London's wards, 1 = most need. Domain scores from 0 to 1, 1 = most "
            "need; 'no data' where a ward has no figure for a domain (left out of its index)."
        ],
    )
    return evidence_pdf(pack)


def map_png(layers: Layers, spec: MapSpec, title: str, headline: Headline, link: str) -> PackMap:
    """A map of the pack drawn by the share cards' renderer from the screen's spec (the same
    layers, symbols, legend and sources), as a 1200x675 PNG."""
    figure = cards.card_from_spec(layers, spec, title, "", headline, link, "social")
    size = card_layout.SIZES["social"]
    aspect = size.height_pt / size.width_pt
    return PackMap(title, card_layout.render(figure, "social"), spec.vintage(), aspect)
