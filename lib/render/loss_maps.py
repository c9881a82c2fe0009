"""Maps, charts and display tables of the two loss pages ("Losses vs policy", "Losses over time").

No streamlit here: the pages cache and render what these functions return.

- **Maps** (folium, on the builders of lib/render/maps.py and its conventions: circle markers in
  GeoJson layers on a canvas, escaped properties, a legend inside the frame, each layer's
  attribution, local Leaflet): `losses_map` (closed sites over one policy layer, inside drawn
  filled and elsewhere hollow) and `pubs_change_map` (a diverging borough choropleth).
- **Charts**: Vega-Lite specs as plain dicts with their data inline, for
  ``st.vega_lite_chart`` (Streamlit bundles Vega: nothing is fetched from a CDN).
- **Display tables**: the analysis tables with readable column names and formatted figures;
  the pages offer the full-precision analysis tables as CSV.

Colours are colour-blind safe: closures inside a policy area are Okabe-Ito vermillion and
filled, elsewhere Okabe-Ito blue and hollow (shape carries the difference too); categories keep
the explorer's group colours; the pubs choropleth is ColorBrewer PuOr (orange = fewer pubs).
"""

from __future__ import annotations

import html
import json
import math
from typing import NamedTuple

import branca.element
import folium
import numpy as np
import pandas as pd

from lib.analysis import losses
from lib.render import maps

INSIDE_COLOUR = "#D55E00"  # Okabe-Ito vermillion: closures inside the policy's areas (filled)
OUTSIDE_COLOUR = "#0072B2"  # Okabe-Ito blue: closures elsewhere (hollow rings)
ELSEWHERE = "Elsewhere"
RECORDED_FROM, RECORDED_TO = 2010, 2019  # libraries 2010-2016, GP practices 2013-2019
#: The explorer's group colours for the three categories that record closures.
CATEGORY_COLOURS = {
    "Library": maps.GROUP_COLOURS["Community & libraries"],
    "GP practice": maps.GROUP_COLOURS["Health"],
    "Museum or public gallery": maps.GROUP_COLOURS["Culture & heritage"],
}
#: Column headings for narrow tables.
SHORT_NAMES = {"Library": "Libraries", "GP practice": "GP practices",
               "Museum or public gallery": "Museums"}
#: ColorBrewer PuOr, 8 classes, from most loss (dark orange) to most gain (dark purple).
PUOR = ["#b35806", "#e08214", "#fdb863", "#fee0b6", "#d8daeb", "#b2abd2", "#8073ac", "#542788"]
NO_CHANGE_COLOUR = "#f7f7f7"
NO_DATA_COLOUR = "#d9d9d9"
HIGHLIGHT_COLOUR = "#000000"
MINUS = "\u2212"
DASH = "\u2013"

# ---------------------------------------------------------------- policy layer


def policy_style(policy: str) -> tuple[str, str]:
    """(legend label, colour) of a policy key; town-centre classes take the town-centre colour."""
    base = policy.partition(":")[0]
    label = losses.policy_title(policy)
    if policy == "opportunity_area":
        label = maps.POLICY_STYLES["opportunity_area"][0]  # says "27 of 47"
    return label, maps.POLICY_STYLES[base][1]


def policy_geojson(policy_areas, policy: str) -> dict:
    """One policy's polygons (a town-centre class alone; ``policy_areas`` in WGS84, as in
    MapLayers) as a FeatureCollection with escaped name and classification."""
    layer = losses.policy_layer(policy_areas, policy)
    frame = layer[["name", "classification", "geometry"]].copy()
    for column in ["name", "classification"]:
        frame[column] = frame[column].fillna("").astype(str).map(html.escape)
    return json.loads(frame.to_json(drop_id=True))


def add_policy_area(m: folium.Map, collection: dict, policy: str) -> tuple[str, str]:
    """Draw one policy's polygons (from ``policy_geojson``); returns its legend row."""
    label, colour = policy_style(policy)
    if collection["features"]:
        folium.GeoJson(
            collection, name=html.escape(label),
            style_function=lambda f, c=colour: {"color": c, "weight": 1.8, "fillColor": c,
                                                "fillOpacity": 0.22},
            tooltip=folium.GeoJsonTooltip(["name", "classification"],
                                          aliases=[html.escape(label), ""]),
            attribution=maps.layer_attribution(policy.partition(":")[0]),
        ).add_to(m)
    count = len(collection["features"])
    return colour, f"{label} ({count:,} area{'' if count == 1 else 's'})"


# ---------------------------------------------------------------- closed sites over a policy


def closed_sides(sites: pd.DataFrame, policy: str,
                 categories=losses.RECORDING_CATEGORIES) -> tuple[pd.Index, pd.Index]:
    """Index labels of the closed recorded sites inside and outside the policy's areas (the
    same sites and flags as ``analysis.closure_table``)."""
    kept = losses.recorded_sites(sites, [c for c in losses.RECORDING_CATEGORIES if c in categories])
    closed = kept[kept["status"].eq("closed")]
    inside = losses.inside_mask(closed, policy).to_numpy()
    return closed.index[inside], closed.index[~inside]


def closed_sites_display(sites: pd.DataFrame, policy: str, borough_names: dict[str, str],
                         categories=losses.RECORDING_CATEGORIES) -> pd.DataFrame:
    """The losses map as a table (its accessible alternative): one row per closed site drawn,
    inside the policy's areas first, then by borough and name."""
    inside, outside = closed_sides(sites, policy, categories)
    where = f"Inside {losses.POLICIES[policy][0]}"
    frame = sites.loc[inside.append(outside)]
    table = pd.DataFrame({
        "Where": [where] * len(inside) + [ELSEWHERE] * len(outside),
        "Name": frame["name"].to_numpy(),
        "Category": frame["category"].to_numpy(),
        "Closed": frame["closed_year"].astype("Int64").to_numpy(),
        "Borough": frame["gss_code"].map(borough_names).to_numpy(),
    })
    table["_side"] = np.r_[np.zeros(len(inside)), np.ones(len(outside))]
    return (table.sort_values(["_side", "Borough", "Name"], kind="stable")
            .drop(columns="_side").reset_index(drop=True))


def closed_site_features(points: pd.DataFrame, side: str) -> dict:
    """FeatureCollection of closed sites (``points`` are MapLayers.sites rows: already
    escaped) with the side of the boundary they fall on."""
    side = html.escape(side)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature",
         "properties": {"name": r.name, "cat": r.cat, "years": r.years, "side": side,
                        "src": r.src},
         "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]}}
        for r in points.itertuples(index=False)]}


def _closed_tooltip() -> folium.GeoJsonTooltip:
    return folium.GeoJsonTooltip(["name", "cat", "years", "side", "src"],
                                 aliases=["", "Category", "Years", "Where", "Source"])


INSIDE_MARKER = dict(radius=6, color="#1a1a1a", weight=1.2, fill=True, fill_color=INSIDE_COLOUR,
                     fill_opacity=0.95)
OUTSIDE_MARKER = dict(radius=5, color=OUTSIDE_COLOUR, weight=2.4, fill=True, fill_color="#ffffff",
                      fill_opacity=0.35)

LOSSES_CSS = f"""<style>
.jul-legend .in {{width: 11px; height: 11px; border-radius: 50%; flex: none;
  background: {INSIDE_COLOUR}; border: 1.2px solid #1a1a1a}}
.jul-legend .out {{width: 9px; height: 9px; border-radius: 50%; flex: none;
  background: rgba(255,255,255,.35); border: 2.4px solid {OUTSIDE_COLOUR}}}
.jul-legend .area {{width: 14px; height: 12px; flex: none; border: 1.8px solid}}
.jul-legend .edge {{width: 14px; height: 0; flex: none; border-top: 1.5px solid #333}}
.jul-legend .note {{color: #444; margin-top: 3px}}
</style>"""


def legend_html(sections: list[tuple[str, list[tuple[str, str]]]], note: str = "") -> str:
    """sections: (title, [(swatch markup, label)]); titles, labels and note are escaped here,
    swatches are markup made by this module."""
    parts = []
    for title, rows in sections:
        if not rows:
            continue
        if title:
            parts.append(f"<h4>{html.escape(title)}</h4>")
        parts += [f'<div class="row">{swatch}<span>{html.escape(label)}</span></div>'
                  for swatch, label in rows]
    if note:
        parts.append(f'<div class="note">{html.escape(note)}</div>')
    return "".join(parts)


def _add_legend(m: folium.Map, markup: str) -> None:
    root = m.get_root().header
    root.add_child(branca.element.Element(maps.LEGEND_CSS), name="jul_legend_css")
    root.add_child(branca.element.Element(LOSSES_CSS), name="jul_losses_css")
    m.add_child(maps.Legend(markup))


def categories_text(categories) -> str:
    """'libraries, GP practices and museums', or the chosen ones joined the same way."""
    chosen = [c for c in losses.RECORDING_CATEGORIES if c in categories]
    if set(chosen) == set(losses.RECORDING_CATEGORIES):
        return "libraries, GP practices and museums"
    words = [losses.CATEGORY_PLURALS[c] for c in chosen]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


LAND_COLOUR = "#fbfaf7"  # the app's background: land reads apart from the pale-blue water


def add_boroughs(m: folium.Map, boroughs, land: bool) -> None:
    """Borough outlines; with no basemap, also a pale land fill so that policy areas stand
    out from the water-blue background."""
    data = json.loads(boroughs[["geometry"]].to_json(drop_id=True))
    style = {"color": "#333333", "weight": 1.2, "fill": land, "fillColor": LAND_COLOUR,
             "fillOpacity": 0.9 if land else 0}
    folium.GeoJson(data, name="Boroughs", control=False, interactive=False,
                   style_function=lambda f: style,
                   attribution=maps.layer_attribution("boroughs")).add_to(m)


class LossLayers(NamedTuple):
    """What the losses map draws, as plain data (picklable: pages cache it by policy and
    categories; the folium map itself is rebuilt each run, since rendering mutates it)."""

    policy: str
    categories: tuple[str, ...]
    area: dict  # FeatureCollection of the policy's polygons
    inside: dict  # FeatureCollection of closed sites inside
    outside: dict  # FeatureCollection of closed sites elsewhere


def loss_layers(sites: pd.DataFrame, map_layers: maps.MapLayers, policy: str,
                categories=losses.RECORDING_CATEGORIES) -> LossLayers:
    """The closed sites of ``categories`` split by ``policy`` and the policy's polygons."""
    inside, outside = closed_sides(sites, policy, categories)
    in_text = f"Inside {losses.POLICIES[policy][0]}"
    return LossLayers(
        policy, tuple(c for c in losses.RECORDING_CATEGORIES if c in categories),
        policy_geojson(map_layers.policy_areas, policy),
        closed_site_features(map_layers.sites.loc[inside], in_text),
        closed_site_features(map_layers.sites.loc[outside], ELSEWHERE))


def losses_map(map_layers: maps.MapLayers, layers: LossLayers,
               basemap: str = "none") -> folium.Map:
    """Closed sites over one policy's areas (``layers`` from ``loss_layers``): closures inside
    drawn as filled vermillion dots, closures elsewhere as hollow blue rings (drawn first,
    underneath); borough outlines and names; a legend with the counts; each layer's
    attribution."""
    policy = layers.policy
    n_in, n_out = len(layers.inside["features"]), len(layers.outside["features"])
    m = maps.new_map(basemap)
    add_boroughs(m, map_layers.boroughs, land=basemap == "none")
    area_row = add_policy_area(m, layers.area, policy)
    maps.add_area_labels(m, map_layers.labels)
    label, colour = policy_style(policy)
    attribution = maps.layer_attribution("libraries", "gp_practices", "museums")
    for collection, marker, name in [
        (layers.outside, OUTSIDE_MARKER, f"Closed elsewhere ({n_out:,})"),
        (layers.inside, INSIDE_MARKER, f"Closed inside ({n_in:,})"),
    ]:
        if collection["features"]:
            folium.GeoJson(
                collection, name=html.escape(name), marker=folium.CircleMarker(**marker),
                tooltip=_closed_tooltip(), attribution=attribution,
            ).add_to(m)
    markup = legend_html([
        (f"Closed {categories_text(layers.categories)}", [
            ('<span class="in"></span>', f"Inside {label} ({n_in:,})"),
            ('<span class="out"></span>', f"{ELSEWHERE} ({n_out:,})"),
        ]),
        ("London Plan", [(f'<span class="area" style="background:{colour}38;'
                          f'border-color:{area_row[0]}"></span>', area_row[1])]),
        ("", [('<span class="edge"></span>', "Borough boundaries")]),
    ], note="Only closures a source recorded: libraries 2010-2016, GP practices 2013-2019, "
            "museums since 1945.")
    _add_legend(m, markup)
    return maps.finish(m)


# ---------------------------------------------------------------- pubs choropleth

STEPS = (1, 2, 2.5, 5, 10, 15, 20, 25, 50, 100)


def _signed(value: float, digits: int = 0) -> str:
    text = f"{abs(value):,.{digits}f}"
    if text.strip("0.,") == "":
        return text  # zero: no sign
    return f"{MINUS if value < 0 else '+'}{text}"


def diverging_classes(values: pd.Series, per_side: int = 4):
    """Classes of equal width either side of 0 for a diverging ramp.

    Returns (colour per value, legend rows [(colour, label)] from most negative to most
    positive, covering only the classes the values reach). The step is the smallest of
    STEPS that fits the largest absolute value in ``per_side`` classes. A value of exactly 0 is
    "No change" (neutral), NaN is "No data". Negative classes include their lower edge,
    positive ones their upper edge (so -15 is in "-15 to 0", +15 in "0 to +15").
    """
    values = pd.Series(values, dtype=float)
    finite = values.dropna()
    largest = float(finite.abs().max()) if len(finite) else 0.0
    step = next((s for s in STEPS if largest <= s * per_side), largest / per_side or 1.0)
    digits = 0 if float(step).is_integer() else 1
    # class i of 2*per_side: [-(per_side - i) * step, -(per_side - i - 1) * step)
    ramp = PUOR[4 - per_side:4 + per_side] if per_side <= 4 else PUOR

    def klass(v: float) -> int | None:
        if pd.isna(v) or v == 0:
            return None
        if v < 0:
            return max(per_side - math.ceil(-v / step - 1e-9), 0) if v > -step * per_side else 0
        return min(per_side + math.ceil(v / step - 1e-9) - 1, 2 * per_side - 1)

    def edge(i: int) -> float:
        return (i - per_side) * step

    colours, seen = [], set()
    for v in values:
        k = klass(v)
        if k is None:
            colours.append(NO_DATA_COLOUR if pd.isna(v) else NO_CHANGE_COLOUR)
        else:
            seen.add(k)
            colours.append(ramp[k])
    rows = []
    for k in sorted(seen):
        low, high = edge(k), edge(k + 1)
        rows.append((ramp[k], f"{_signed(low, digits)} to {_signed(high, digits)}%"))
    if (finite == 0).any():
        rows.insert(sum(1 for k in seen if k < per_side), (NO_CHANGE_COLOUR, "No change"))
    if values.isna().any():
        rows.append((NO_DATA_COLOUR, "No data"))
    return colours, rows


class PubsLayer(NamedTuple):
    """The pubs choropleth as plain data (picklable, cacheable): boroughs with their fill
    colour and tooltip text, the legend rows and title."""

    collection: dict
    legend: list[tuple[str, str]]
    title: str


def pubs_layer(map_layers: maps.MapLayers, change: pd.DataFrame, start: int = 2001,
               end: int = 2018) -> PubsLayer:
    """Boroughs shaded by % change in pubs and bars between ``start`` and ``end``
    (``change`` is ``analysis.pubs_change``), on a diverging ramp (orange: fewer)."""
    frame = map_layers.boroughs[["gss_code", "name", "geometry"]].copy()
    by_code = change.set_index("gss_code")
    frame["pct"] = frame["gss_code"].map(by_code["pct_change"])
    colours, rows = diverging_classes(frame["pct"])
    frame["fill"] = colours
    frame["name"] = frame["name"].map(html.escape)
    frame["shown"] = [
        (f"{_signed(p, 1)}% ({int(by_code.at[c, 'pubs_start']):,} \u2192 "
         f"{int(by_code.at[c, 'pubs_end']):,})") if pd.notna(p) else "no data"
        for c, p in zip(frame["gss_code"], frame["pct"], strict=True)]
    collection = json.loads(
        frame[["gss_code", "name", "shown", "fill", "geometry"]].to_json(drop_id=True))
    return PubsLayer(collection, rows, f"Pubs and bars, change {start}-{end}")


def pubs_change_map(map_layers: maps.MapLayers, layer: PubsLayer, basemap: str = "none",
                    highlight: str | None = None) -> folium.Map:
    """The pubs choropleth (``layer`` from ``pubs_layer``) with borough names and a legend;
    ``highlight`` (a GSS code) outlines one borough in black."""
    attribution = maps.layer_attribution("boroughs", "pubs")
    m = maps.new_map(basemap)
    folium.GeoJson(
        layer.collection, name=html.escape(layer.title),
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "fillOpacity": 0.85,
                                  "color": "#333333", "weight": 0.8},
        highlight_function=lambda f: {"weight": 2.5},
        tooltip=folium.GeoJsonTooltip(["name", "shown"], aliases=["", html.escape(layer.title)]),
        attribution=attribution,
    ).add_to(m)
    sections = [(layer.title, [(f'<span class="sw" style="background:{c}"></span>', label)
                               for c, label in layer.legend])]
    chosen = [f for f in layer.collection["features"]
              if highlight is not None and f["properties"]["gss_code"] == highlight]
    if chosen:
        folium.GeoJson(
            {"type": "FeatureCollection",
             "features": [{"type": "Feature", "properties": {}, "geometry": f["geometry"]}
                          for f in chosen]},
            name="Chosen borough", control=False, interactive=False,
            style_function=lambda f: {"fill": False, "color": HIGHLIGHT_COLOUR, "weight": 3.5},
        ).add_to(m)
        name = html.unescape(chosen[0]["properties"]["name"])  # legend_html escapes it again
        sections.append(("", [('<span class="edge" style="border-top:3.5px solid #000">'
                               '</span>', name)]))
    maps.add_area_labels(m, map_layers.labels)
    _add_legend(m, legend_html(sections, note="Orange: fewer pubs; purple: more."))
    return maps.finish(m)


# ---------------------------------------------------------------- formatting


def pct(p: float, digits: int = 1) -> str:
    """A fraction as a percentage: 0.161 -> '16.1%'; NaN -> '–'."""
    return DASH if pd.isna(p) else f"{100 * p:.{digits}f}%"


def pct_interval(lo: float, hi: float, digits: int = 1) -> str:
    if pd.isna(lo) or pd.isna(hi):
        return DASH
    return f"{100 * lo:.{digits}f}{DASH}{100 * hi:.{digits}f}%"


def ratio(value: float) -> str:
    return DASH if pd.isna(value) else f"{value:.2f}"


def ratio_interval(lo: float, hi: float) -> str:
    return DASH if pd.isna(lo) or pd.isna(hi) else f"{lo:.2f}{DASH}{hi:.2f}"


def p_value(p: float) -> str:
    if pd.isna(p):
        return DASH
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def number(value: float) -> str:
    return DASH if pd.isna(value) else f"{value:,.0f}"


def undated_sentence(undated: dict[str, int], where: str = "") -> str:
    """'1 closed library has no recorded closure year, so it is not in the chart.' from
    ``closures_by_year(...).attrs["undated"]``; '' when every closure has a year."""
    parts = [f"{n} closed {losses.CATEGORY_SINGULARS[c] if n == 1 else losses.CATEGORY_PLURALS[c]}"
             for c, n in undated.items() if n]
    if not parts:
        return ""
    total = sum(undated.values())
    what = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    verb, pronoun = ("has", "it is") if total == 1 else ("have", "they are")
    return (f"{what}{f' in {where}' if where else ''} {verb} no recorded closure year, so "
            f"{pronoun} not in the chart.")


# ---------------------------------------------------------------- display tables


def _rows(table: pd.DataFrame, *columns: str):
    """Tuples of ``columns`` row by row (NaN ratio notes read as "")."""
    return zip(*(table[c].fillna("") if c == "ratio_note" else table[c] for c in columns),
               strict=True)


def rate_with_interval(rate: float, lo: float, hi: float) -> str:
    """'16.1% (12.8–20.1)'."""
    if pd.isna(rate):
        return DASH
    return f"{pct(rate)} ({100 * lo:.1f}{DASH}{100 * hi:.1f})"


def ratio_with_interval(value: float, lo: float, hi: float) -> str:
    """'1.16 (0.90–1.50)'."""
    if pd.isna(value):
        return DASH
    return f"{value:.2f} ({ratio_interval(lo, hi)})"


def _with_interval(table: pd.DataFrame, key: str, fmt=None) -> list[str]:
    """Column ``key`` with its ``key_lo`` and ``key_hi`` as text: a rate ('16.1% (12.8–20.1)')
    or, with ``fmt=ratio_with_interval``, a ratio."""
    fmt = fmt or rate_with_interval
    return [fmt(*v) for v in _rows(table, key, f"{key}_lo", f"{key}_hi")]


def _counts(table: pd.DataFrame, side: str) -> list[str]:
    return [f"{k:,} / {n:,}" for k, n in _rows(table, f"closed_{side}", f"sites_{side}")]


def rates_display(table: pd.DataFrame) -> pd.DataFrame:
    """``closure_table`` with readable columns, formatted as text: closed / sites on each side,
    rates and ratios each with its 95% interval, p-values (the CSV has the numbers)."""
    return pd.DataFrame({
        "Category": table["category"],
        "Inside: closed / sites": _counts(table, "in"),
        "Rate inside (95% CI)": _with_interval(table, "rate_in"),
        "Elsewhere: closed / sites": _counts(table, "out"),
        "Rate elsewhere (95% CI)": _with_interval(table, "rate_out"),
        "Rate ratio (95% CI)": _with_interval(table, "ratio", ratio_with_interval),
        "Allowing for category mix": _with_interval(table, "ratio_adj", ratio_with_interval),
        "Exact test p": table["p_exact_adj"].map(p_value),
        "Verdict": [v if not note else f"{v} ({note})" for v, note in
                    _rows(table, "verdict", "ratio_note")],
    })


def shares_display(table: pd.DataFrame) -> pd.DataFrame:
    """``share_table`` with readable columns."""
    return pd.DataFrame({
        "Measure": table["measure"],
        "Share inside (95% CI)": [pct(s) if pd.isna(lo) else rate_with_interval(s, lo, hi)
                                  for s, lo, hi in _rows(table, "share", "share_lo", "share_hi")],
        "Inside": table["inside"].map(number),
        "London": table["total"].map(number),
        "Unit": table["unit"],
        "How measured": table["caveat"],
    })


def bands_display(table: pd.DataFrame) -> pd.DataFrame:
    """``distance_bands`` with readable columns."""
    return pd.DataFrame({
        "Distance to a town centre": table["band"],
        "Closure rate (95% CI)": _with_interval(table, "rate"),
        "Closed": table["closed"].astype(int),
        "Sites": table["sites"].astype(int),
    })


def closures_by_year_wide(table: pd.DataFrame, categories=losses.RECORDING_CATEGORIES) -> pd.DataFrame:
    """``closures_by_year`` as one row per year with a recorded closure: a column per
    category and a total."""
    chosen = [c for c in losses.RECORDING_CATEGORIES if c in categories]
    wide = (table.pivot_table(index="year", columns="category", values="closures",
                              aggfunc="sum", fill_value=0)
            .reindex(columns=chosen, fill_value=0).astype(int))
    wide["Total"] = wide.sum(axis=1)
    wide = wide.rename(columns=SHORT_NAMES).reset_index().rename(columns={"year": "Year"})
    wide.columns.name = None
    return wide


def pubs_display(change: pd.DataFrame, start: int = 2001, end: int = 2018) -> pd.DataFrame:
    """``pubs_change`` (between ``start`` and ``end``) with London (the sum of boroughs)
    first, then boroughs by name."""
    london = change.attrs["london"]
    rows = [dict(name="London (sum of boroughs)", population=float(change["population"].sum()),
                 **london)]
    frame = pd.concat([pd.DataFrame(rows), change.sort_values("name")], ignore_index=True)
    return pd.DataFrame({
        "Borough": frame["name"],
        f"Pubs {start}": frame["pubs_start"].astype(int),
        f"Pubs {end}": frame["pubs_end"].astype(int),
        "Change": frame["change"].astype(int),
        "% change": frame["pct_change"].round(1),
        "Change per 10,000 residents": frame["change_per_10k"].round(2),
    })


def correlation_display(table: pd.DataFrame) -> pd.DataFrame:
    """``pubs_policy_correlation`` with readable columns."""

    def interval(lo, hi):
        return DASH if pd.isna(lo) or pd.isna(hi) else f"{lo:.2f} to {hi:.2f}"

    return pd.DataFrame({
        "Share of borough area in": [losses.policy_title(p) if p in losses.POLICIES else p
                                     for p in table["policy"]],
        "Boroughs": table["n"].astype(int),
        "Pearson r": table["r"].round(2),
        "r 95% CI": [interval(lo, hi) for lo, hi in _rows(table, "r_lo", "r_hi")],
        "Spearman rho": table["rho"].round(2),
        "rho 95% CI": [interval(lo, hi) for lo, hi in _rows(table, "rho_lo", "rho_hi")],
        "Reading": table["verdict"],
    })


# ---------------------------------------------------------------- Vega-Lite charts


def _records(frame: pd.DataFrame) -> list[dict]:
    """JSON-safe rows (NaN -> null)."""
    return json.loads(frame.to_json(orient="records"))


#: Room right of the plot for the rate written after a whisker that reaches 100%.
TEXT_PADDING = {"left": 5, "top": 5, "bottom": 5, "right": 48}
PERCENT_AXIS = {"format": ".2~%", "grid": True, "tickCount": 8}


def rates_chart(table: pd.DataFrame, policy: str) -> dict:
    """Closure rate inside against elsewhere per category: a dot (filled inside, hollow
    elsewhere, the map's colours) with its 95% interval as a whisker and the rate written."""
    inside = f"Inside {losses.policy_title(policy)}"
    rows = []
    for r in table.itertuples(index=False):
        for side, key in [(inside, "in"), (ELSEWHERE, "out")]:
            rows.append(dict(category=r.category, side=side,
                             rate=getattr(r, f"rate_{key}"), lo=getattr(r, f"rate_{key}_lo"),
                             hi=getattr(r, f"rate_{key}_hi"),
                             closed=int(getattr(r, f"closed_{key}")),
                             sites=int(getattr(r, f"sites_{key}")),
                             label=pct(getattr(r, f"rate_{key}"))))
    data = pd.DataFrame(rows)
    order = list(table["category"])
    colour = {"field": "side", "type": "nominal", "title": None,
              "scale": {"domain": [inside, ELSEWHERE], "range": [INSIDE_COLOUR, OUTSIDE_COLOUR]},
              "legend": {"orient": "top", "labelLimit": 320}}
    y = {"field": "category", "type": "nominal", "sort": order, "title": None,
         "axis": {"labelLimit": 220, "labelFontSize": 12}}
    y_offset = {"field": "side", "type": "nominal", "sort": [inside, ELSEWHERE],
                "scale": {"paddingInner": 0.3}}
    tooltip = [{"field": "category", "title": "Category"}, {"field": "side", "title": "Where"},
               {"field": "label", "title": "Closure rate"},
               {"field": "lo", "title": "95% CI from", "format": ".1%"},
               {"field": "hi", "title": "95% CI to", "format": ".1%"},
               {"field": "closed", "title": "Closed"}, {"field": "sites", "title": "Sites"}]
    top = max(float(np.nanmax(data["hi"])) if data["hi"].notna().any() else 0.0, 0.05)
    x_scale = {"domain": [0, min(1.0, top * 1.15 + 0.02)], "nice": False}
    return {
        "data": {"values": _records(data)},
        "height": {"step": 22},
        "padding": TEXT_PADDING,
        "encoding": {"y": y, "yOffset": y_offset, "color": colour},
        "layer": [
            {"mark": {"type": "rule", "strokeWidth": 2},
             "encoding": {"x": {"field": "lo", "type": "quantitative", "scale": x_scale,
                                "axis": PERCENT_AXIS,
                                "title": "Closure rate (closed / recorded sites), 95% CI"},
                          "x2": {"field": "hi"}, "tooltip": tooltip}},
            {"mark": {"type": "point", "size": 110, "strokeWidth": 2.4, "opacity": 1},
             "encoding": {"x": {"field": "rate", "type": "quantitative", "scale": x_scale},
                          "fill": {"field": "side", "type": "nominal",
                                   "scale": {"domain": [inside, ELSEWHERE],
                                             "range": [INSIDE_COLOUR, "#ffffff"]},
                                   "legend": None},
                          "tooltip": tooltip}},
            {"mark": {"type": "text", "align": "left", "dx": 6, "fontSize": 11},
             "encoding": {"x": {"field": "hi", "type": "quantitative", "scale": x_scale},
                          "text": {"field": "label"}, "color": {"value": "#222222"}}},
        ],
    }


def shares_chart(table: pd.DataFrame, policy: str) -> dict:
    """Share inside the policy's areas of closures, sites, land and residents: bars, with the
    95% interval on the two counted shares. Closures in vermillion, the rest grey."""
    data = table[["measure", "share", "share_lo", "share_hi"]].copy()
    data["label"] = data["share"].map(pct)
    data["kind"] = np.where(data["measure"].eq("Closures"), "Closures", "Other")
    order = list(data["measure"])
    x_scale = {"domain": [0, min(1.0, float(np.nanmax(
        data[["share", "share_hi"]].to_numpy(dtype=float))) * 1.2 + 0.02)], "nice": False}
    y = {"field": "measure", "type": "nominal", "sort": order, "title": None,
         "axis": {"labelFontSize": 12}}
    return {
        "data": {"values": _records(data)},
        "height": {"step": 34},
        "padding": TEXT_PADDING,
        "encoding": {"y": y},
        "layer": [
            {"mark": {"type": "bar", "height": {"band": 0.6}},
             "encoding": {
                 "x": {"field": "share", "type": "quantitative", "scale": x_scale,
                       "axis": PERCENT_AXIS,
                       "title": f"Share inside {losses.policy_title(policy)}"},
                 "color": {"field": "kind", "type": "nominal", "legend": None,
                           "scale": {"domain": ["Closures", "Other"],
                                     "range": [INSIDE_COLOUR, "#9a9a9a"]}},
                 "tooltip": [{"field": "measure", "title": "Measure"},
                             {"field": "label", "title": "Share inside"}]}},
            {"mark": {"type": "rule", "strokeWidth": 1.6, "color": "#222222"},
             "encoding": {"x": {"field": "share_lo", "type": "quantitative"},
                          "x2": {"field": "share_hi"}}},
            {"mark": {"type": "text", "align": "left", "dx": 6, "fontSize": 11},
             "encoding": {"x": {"field": "x_text", "type": "quantitative"},
                          "text": {"field": "label"}, "color": {"value": "#222222"}},
             "transform": [{"calculate": "isValid(datum.share_hi) ? datum.share_hi : "
                                         "datum.share", "as": "x_text"}]},
        ],
    }


def bands_chart(table: pd.DataFrame) -> dict:
    """Closure rate by distance band to the nearest town centre, dots with 95% whiskers and a
    dashed line at the rate over all bands."""
    data = table[["band", "sites", "closed", "rate", "rate_lo", "rate_hi"]].copy()
    data["label"] = data["rate"].map(pct)
    overall = float(data["closed"].sum() / data["sites"].sum()) if data["sites"].sum() else 0.0
    top = float(np.nanmax(data["rate_hi"])) if data["rate_hi"].notna().any() else 0.1
    x_scale = {"domain": [0, min(1.0, top * 1.2 + 0.02)], "nice": False}
    y = {"field": "band", "type": "nominal", "sort": list(data["band"]), "title": None,
         "axis": {"labelFontSize": 12, "labelLimit": 200}}
    tooltip = [{"field": "band", "title": "Distance"}, {"field": "label", "title": "Closure rate"},
               {"field": "closed", "title": "Closed"}, {"field": "sites", "title": "Sites"}]
    return {
        "data": {"values": _records(data)},
        "height": {"step": 34},
        "padding": TEXT_PADDING,
        "layer": [
            {"mark": {"type": "rule", "strokeWidth": 2, "color": "#555555"},
             "encoding": {"y": y, "x": {"field": "rate_lo", "type": "quantitative",
                                        "scale": x_scale, "axis": PERCENT_AXIS,
                                        "title": "Closure rate, 95% CI"},
                          "x2": {"field": "rate_hi"}, "tooltip": tooltip}},
            {"mark": {"type": "point", "filled": True, "size": 90, "color": "#222222"},
             "encoding": {"y": y, "x": {"field": "rate", "type": "quantitative"},
                          "tooltip": tooltip}},
            {"mark": {"type": "text", "align": "left", "dx": 6, "fontSize": 11},
             "encoding": {"y": y, "x": {"field": "rate_hi", "type": "quantitative"},
                          "text": {"field": "label"}}},
            {"data": {"values": [{"overall": overall,
                                  "text": f"All bands: {pct(overall)}"}]},
             "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#777777"},
             "encoding": {"x": {"field": "overall", "type": "quantitative"},
                          "tooltip": [{"field": "text", "title": "Closure rate"}]}},
        ],
    }


def closures_by_year_chart(table: pd.DataFrame, categories=losses.RECORDING_CATEGORIES) -> dict:
    """Stacked bars of closures per year and category, every year of the range on the axis
    (gaps are years with no recorded closure)."""
    chosen = [c for c in losses.RECORDING_CATEGORIES if c in categories]
    data = table[["year", "category", "closures"]].copy()
    # At least the years in which libraries and GP practices record closures, so an empty
    # year there reads as none recorded.
    years = (list(range(min(int(data["year"].min()), RECORDED_FROM),
                        max(int(data["year"].max()), RECORDED_TO) + 1)) if len(data) else [])
    ticks = years if len(years) <= 16 else [y for y in years if y % 5 == 0]
    return {
        "data": {"values": _records(data)},
        "height": 340,
        "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": "Year of closure",
                  "scale": {"domain": years, "paddingInner": 0.15},
                  "axis": {"values": ticks, "labelAngle": 0}},
            "y": {"field": "closures", "type": "quantitative", "title": "Closures",
                  "stack": "zero", "axis": {"tickMinStep": 1}},
            "color": {"field": "category", "type": "nominal", "title": None,
                      "scale": {"domain": chosen,
                                "range": [CATEGORY_COLOURS[c] for c in chosen]},
                      "legend": {"orient": "top", "labelLimit": 260}},
            "order": {"field": "category"},
            "tooltip": [{"field": "year", "title": "Year"},
                        {"field": "category", "title": "Category"},
                        {"field": "closures", "title": "Closures"}],
        },
    }


def pubs_trend_chart(trend: pd.DataFrame, highlight: str | None = None) -> dict:
    """Pubs and bars per year as an index (first year = 100): every borough a thin grey line,
    London (sum of boroughs) black, the chosen borough (``highlight``, a GSS code) vermillion."""
    data = trend[["year", "gss_code", "name", "pubs", "index"]].copy()
    data["role"] = np.select(
        [data["gss_code"].eq("london"), data["gss_code"].eq(highlight or "")],
        ["London", "Chosen"], "Other")
    # Draw order: others under London under the chosen borough.
    data["z"] = data["role"].map({"Other": 0, "London": 1, "Chosen": 2})
    roles = ["London", "Chosen", "Other"]
    names = {"London": "London (sum of boroughs)", "Other": "Other boroughs"}
    if highlight is not None and (data["role"] == "Chosen").any():
        names["Chosen"] = data.loc[data["role"] == "Chosen", "name"].iloc[0]
    else:
        roles.remove("Chosen")
    data["line"] = data["role"].map(lambda r: names.get(r, r))
    domain = [names[r] for r in roles]
    colours = {"London": "#000000", "Chosen": INSIDE_COLOUR, "Other": "#c8c8c8"}
    first, last = int(data["year"].min()), int(data["year"].max())
    # One layer per role, so other boroughs lie under London and London under the chosen one.
    layers = [{"transform": [{"filter": f"datum.z == {z}"}],
               "mark": {"type": "line", "strokeWidth": 1 if z == 0 else 3}}
              for z in (0, 1, 2)]
    return {
        "data": {"values": _records(data.sort_values(["z", "gss_code", "year"]))},
        "height": 430,
        "encoding": {
            "x": {"field": "year", "type": "quantitative", "title": None,
                  "scale": {"domain": [first, last], "nice": False},
                  "axis": {"format": "d", "tickMinStep": 1}},
            "y": {"field": "index", "type": "quantitative", "scale": {"zero": False},
                  "title": f"Pubs and bars ({first} = 100)"},
            "detail": {"field": "gss_code"},
            "color": {"field": "line", "type": "nominal", "title": None,
                      "scale": {"domain": domain, "range": [colours[r] for r in roles]},
                      "legend": {"orient": "top", "direction": "vertical", "labelLimit": 300}},
            "tooltip": [{"field": "name", "title": "Borough"},
                        {"field": "year", "title": "Year"},
                        {"field": "pubs", "title": "Pubs and bars"},
                        {"field": "index", "title": "Index", "format": ".0f"}],
        },
        "layer": layers,
    }


def pubs_and_shares(change: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    """``pubs_change`` joined with ``policy_share_by_borough``: one row per borough."""
    return change.merge(shares.drop(columns=["name"], errors="ignore"), on="gss_code")


def peak_year(table: pd.DataFrame) -> tuple[int, int] | None:
    """(year, closures) of the year with most closures in ``closures_by_year``; None if empty."""
    if table.empty:
        return None
    totals = table.groupby("year")["closures"].sum()
    return int(totals.idxmax()), int(totals.max())


def pubs_share_chart(change: pd.DataFrame, shares: pd.DataFrame, policy: str,
                     highlight: str | None = None, measure: str = "pct_change") -> dict:
    """Boroughs by share of their area in one policy (x) against pubs % change (y); the chosen
    borough (``highlight``, a GSS code) in vermillion."""
    data = pubs_and_shares(change, shares)
    column = f"share_{policy}"
    frame = data[["gss_code", "name", column, measure]].rename(
        columns={column: "share", measure: "value"}).copy()
    frame["chosen"] = np.where(frame["gss_code"].eq(highlight or ""), "Chosen", "Other")
    return {
        "data": {"values": _records(frame.sort_values("chosen", ascending=False))},
        "height": 300,
        "mark": {"type": "point", "filled": True, "size": 60, "opacity": 0.85},
        "encoding": {
            "x": {"field": "share", "type": "quantitative", "axis": {"format": ".0%"},
                  "title": "Share of borough area"},
            "y": {"field": "value", "type": "quantitative",
                  "title": "Pubs, % change"},
            "color": {"condition": {"test": "datum.chosen === 'Chosen'",
                                    "value": INSIDE_COLOUR}, "value": "#4d4d4d"},
            "size": {"condition": {"test": "datum.chosen === 'Chosen'", "value": 140},
                     "value": 50},
            "tooltip": [{"field": "name", "title": "Borough"},
                        {"field": "share", "title": "Share of area", "format": ".1%"},
                        {"field": "value", "title": "Pubs, % change", "format": ".1f"}],
        },
    }
