"""Charts: Vega-Lite specs as plain dicts with their data inline (for st.vega_lite_chart;
Streamlit bundles Vega, nothing is fetched from a CDN), and the voluntary sector's scatter.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from lib.analysis import profiles
from lib.render import loss_maps, symbols
from lib.render.tables import _records, pct, pubs_and_shares
from lib.vocab.categories import RECORDING, RECORDING_CATEGORIES
from lib.vocab.policies import policy_title

SYMLOG_TICKS = [
    0,
    0.5,
    1,
    2,
    5,
    10,
    20,
    50,
    100,
    200,
    500,
    1_000,
    2_000,
    5_000,
    10_000,
    20_000,
    50_000,
    100_000,
]


def scatter_chart(wards: pd.DataFrame, measure: str, highlight: str | None = None) -> dict:
    """Each ward's `measure` against its IMD score (Vega-Lite, bundled with Streamlit).

    The y axis is symlog (zero stays visible, the few huge central wards do not flatten the
    rest); wards under 5,000 residents are drawn hollow; the chosen ward is a large red dot
    with its name. The wards travel as a named dataset, which Streamlit sends as Arrow (a
    third of the bytes of JSON records), the borough names as categories."""
    spec = profiles.WARD_MEASURES[measure]
    data = (
        wards[["ward_code", "ward", "borough", "population", measure, "unstable"]]
        .rename(columns={measure: "value"})
        .copy()
    )
    data["shown"] = [spec.fmt.format(v) for v in data["value"]]
    data["imd"] = wards["imd_score"].round(1)  # the x axis too: a tenth is under a pixel
    data["borough"] = data["borough"].astype("category")
    top = float(data["value"].max()) if len(data) else 1.0
    encoding = {
        "x": {
            "field": "imd",
            "type": "quantitative",
            "title": "Ward deprivation: IMD 2019 score (higher = more deprived)",
            "scale": {"zero": False},
        },
        "y": {
            "field": "value",
            "type": "quantitative",
            "title": f"{spec.label} (symlog scale)",
            "scale": {"type": "symlog"},
            # Each tick as its value. Without a precision Vega picks one from the ticks'
            # step: 0.5 was labelled "1" (twice "1" on the axis), 2,000 "2e+3" under ",~g".
            "axis": {
                "values": [t for t in SYMLOG_TICKS if t <= top * 1.05] or [0],
                "format": ",.6~g",
            },
        },
        "tooltip": [
            {"field": "ward", "type": "nominal", "title": "Ward"},
            {"field": "borough", "type": "nominal", "title": "Borough"},
            {"field": "imd", "type": "quantitative", "title": "IMD 2019 score"},
            {"field": "shown", "type": "nominal", "title": spec.short},
            {"field": "population", "type": "quantitative", "title": "Residents", "format": ","},
        ],
    }
    layers = [
        {
            "data": {"name": "wards"},
            "mark": {"type": "point", "filled": True, "size": 28, "opacity": 0.55},
            "encoding": {
                **encoding,
                "color": {"value": symbols.WARD_DOT},
                "fill": {
                    "condition": {"test": "datum.unstable", "value": "transparent"},
                    "value": symbols.WARD_DOT,
                },
            },
        }
    ]
    chosen = data[data["ward_code"] == highlight] if highlight else data.iloc[0:0]
    if not chosen.empty:
        values = {"values": _records(chosen.astype({"borough": str}))}
        layers.append(
            {
                "data": values,
                "mark": {
                    "type": "point",
                    "filled": True,
                    "size": 180,
                    "color": symbols.CHOSEN_COLOUR,
                    "stroke": symbols.INK,
                    "strokeWidth": 1.2,
                    "opacity": 1,
                },
                "encoding": encoding,
            }
        )
        layers.append(
            {
                "data": values,
                "mark": {
                    "type": "text",
                    "align": "left",
                    "dx": 10,
                    "dy": -8,
                    "fontSize": 13,
                    "fontWeight": "bold",
                    "color": symbols.INK,
                },
                "encoding": {**encoding, "text": {"field": "ward", "type": "nominal"}},
            }
        )
    return {
        "height": 420,
        "datasets": {"wards": data.drop(columns="ward_code")},
        "layer": layers,
    }


#: Room right of the plot for the rate written after a whisker that reaches 100%.
TEXT_PADDING = {"left": 5, "top": 5, "bottom": 5, "right": 48}


PERCENT_AXIS = {"format": ".2~%", "grid": True, "tickCount": 8}
RATE_AXIS = {"format": ".2~f", "grid": True, "tickCount": 8}


def rate_label(rate: float) -> str:
    """Losses per 100 site-years, as written beside a dot: '1.75'."""
    return "–" if pd.isna(rate) else f"{rate:.2f}"


def rates_chart(table: pd.DataFrame, policy: str) -> dict:
    """Losses per 100 site-years inside against elsewhere per category: a dot (filled inside,
    hollow elsewhere, the map's colours) with its 95% interval as a whisker and the rate
    written."""
    inside = f"Inside {policy_title(policy)}"
    rows = []
    for r in table.itertuples(index=False):
        for side, key in [(inside, "in"), (loss_maps.ELSEWHERE, "out")]:
            rows.append(
                dict(
                    category=r.category,
                    side=side,
                    rate=getattr(r, f"rate_{key}"),
                    lo=getattr(r, f"rate_{key}_lo"),
                    hi=getattr(r, f"rate_{key}_hi"),
                    closed=int(getattr(r, f"closed_{key}")),
                    years=round(float(getattr(r, f"years_{key}"))),
                    label=rate_label(getattr(r, f"rate_{key}")),
                )
            )
    data = pd.DataFrame(rows)
    order = list(table["category"])
    colour = {
        "field": "side",
        "type": "nominal",
        "title": None,
        "scale": {
            "domain": [inside, loss_maps.ELSEWHERE],
            "range": [symbols.INSIDE_COLOUR, symbols.OUTSIDE_COLOUR],
        },
        "legend": {"orient": "top", "labelLimit": 320},
    }
    y = {
        "field": "category",
        "type": "nominal",
        "sort": order,
        "title": None,
        "axis": {"labelLimit": 220, "labelFontSize": 12},
    }
    y_offset = {
        "field": "side",
        "type": "nominal",
        "sort": [inside, loss_maps.ELSEWHERE],
        "scale": {"paddingInner": 0.3},
    }
    tooltip = [
        {"field": "category", "title": "Category"},
        {"field": "side", "title": "Where"},
        {"field": "label", "title": "Losses per 100 site-years"},
        {"field": "lo", "title": "95% CI from", "format": ".2f"},
        {"field": "hi", "title": "95% CI to", "format": ".2f"},
        {"field": "closed", "title": "Losses"},
        {"field": "years", "title": "Site-years"},
    ]
    top = max(float(np.nanmax(data["hi"])) if data["hi"].notna().any() else 0.0, 0.5)
    x_scale = {"domain": [0, top * 1.15 + 0.2], "nice": False}
    return {
        "data": {"values": _records(data)},
        "height": {"step": 22},
        "padding": TEXT_PADDING,
        "encoding": {"y": y, "yOffset": y_offset, "color": colour},
        "layer": [
            {
                "mark": {"type": "rule", "strokeWidth": 2},
                "encoding": {
                    "x": {
                        "field": "lo",
                        "type": "quantitative",
                        "scale": x_scale,
                        "axis": RATE_AXIS,
                        "title": "Losses per 100 site-years, 95% CI",
                    },
                    "x2": {"field": "hi"},
                    "tooltip": tooltip,
                },
            },
            {
                "mark": {"type": "point", "size": 110, "strokeWidth": 2.4, "opacity": 1},
                "encoding": {
                    "x": {"field": "rate", "type": "quantitative", "scale": x_scale},
                    "fill": {
                        "field": "side",
                        "type": "nominal",
                        "scale": {
                            "domain": [inside, loss_maps.ELSEWHERE],
                            "range": [symbols.INSIDE_COLOUR, symbols.WHITE],
                        },
                        "legend": None,
                    },
                    "tooltip": tooltip,
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 6, "fontSize": 11},
                "encoding": {
                    "x": {"field": "hi", "type": "quantitative", "scale": x_scale},
                    "text": {"field": "label"},
                    "color": {"value": symbols.INK},
                },
            },
        ],
    }


def shares_chart(table: pd.DataFrame, policy: str) -> dict:
    """Share inside the policy's areas of closures, sites, land and residents: bars, with the
    95% interval on the two counted shares. Closures in vermillion, the rest grey."""
    data = table[["measure", "share", "share_lo", "share_hi"]].copy()
    data["label"] = data["share"].map(pct)
    data["kind"] = np.where(data["measure"].eq("Closures"), "Closures", "Other")
    order = list(data["measure"])
    x_scale = {
        "domain": [
            0,
            min(
                1.0,
                float(np.nanmax(data[["share", "share_hi"]].to_numpy(dtype=float))) * 1.2 + 0.02,
            ),
        ],
        "nice": False,
    }
    y = {
        "field": "measure",
        "type": "nominal",
        "sort": order,
        "title": None,
        "axis": {"labelFontSize": 12},
    }
    return {
        "data": {"values": _records(data)},
        "height": {"step": 34},
        "padding": TEXT_PADDING,
        "encoding": {"y": y},
        "layer": [
            {
                "mark": {"type": "bar", "height": {"band": 0.6}},
                "encoding": {
                    "x": {
                        "field": "share",
                        "type": "quantitative",
                        "scale": x_scale,
                        "axis": PERCENT_AXIS,
                        "title": f"Share inside {policy_title(policy)}",
                    },
                    "color": {
                        "field": "kind",
                        "type": "nominal",
                        "legend": None,
                        "scale": {
                            "domain": ["Closures", "Other"],
                            "range": [symbols.INSIDE_COLOUR, symbols.OTHERS_COLOUR],
                        },
                    },
                    "tooltip": [
                        {"field": "measure", "title": "Measure"},
                        {"field": "label", "title": "Share inside"},
                    ],
                },
            },
            {
                "mark": {"type": "rule", "strokeWidth": 1.6, "color": symbols.INK},
                "encoding": {
                    "x": {"field": "share_lo", "type": "quantitative"},
                    "x2": {"field": "share_hi"},
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 6, "fontSize": 11},
                "encoding": {
                    "x": {"field": "x_text", "type": "quantitative"},
                    "text": {"field": "label"},
                    "color": {"value": symbols.INK},
                },
                "transform": [
                    {
                        "calculate": "isValid(datum.share_hi) ? datum.share_hi : datum.share",
                        "as": "x_text",
                    }
                ],
            },
        ],
    }


def bands_chart(table: pd.DataFrame) -> dict:
    """Losses per 100 site-years by distance band to the nearest town centre, dots with 95%
    whiskers and a dashed line at the rate over all bands."""
    data = table[["band", "years", "closed", "rate", "rate_lo", "rate_hi"]].copy()
    data["years"] = data["years"].round()
    data["label"] = data["rate"].map(rate_label)
    years = data["years"].sum()
    overall = float(100 * data["closed"].sum() / years) if years else 0.0
    top = float(np.nanmax(data["rate_hi"])) if data["rate_hi"].notna().any() else 1.0
    x_scale = {"domain": [0, top * 1.2 + 0.2], "nice": False}
    y = {
        "field": "band",
        "type": "nominal",
        "sort": list(data["band"]),
        "title": None,
        "axis": {"labelFontSize": 12, "labelLimit": 200},
    }
    tooltip = [
        {"field": "band", "title": "Distance"},
        {"field": "label", "title": "Losses per 100 site-years"},
        {"field": "closed", "title": "Losses"},
        {"field": "years", "title": "Site-years"},
    ]
    return {
        "data": {"values": _records(data)},
        "height": {"step": 34},
        "padding": TEXT_PADDING,
        "layer": [
            {
                "mark": {"type": "rule", "strokeWidth": 2, "color": symbols.INK},
                "encoding": {
                    "y": y,
                    "x": {
                        "field": "rate_lo",
                        "type": "quantitative",
                        "scale": x_scale,
                        "axis": RATE_AXIS,
                        "title": "Losses per 100 site-years, 95% CI",
                    },
                    "x2": {"field": "rate_hi"},
                    "tooltip": tooltip,
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 90, "color": symbols.INK},
                "encoding": {
                    "y": y,
                    "x": {"field": "rate", "type": "quantitative"},
                    "tooltip": tooltip,
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 6, "fontSize": 11},
                "encoding": {
                    "y": y,
                    "x": {"field": "rate_hi", "type": "quantitative"},
                    "text": {"field": "label"},
                },
            },
            {
                "data": {
                    "values": [{"overall": overall, "text": f"All bands: {rate_label(overall)}"}]
                },
                "mark": {"type": "rule", "strokeDash": [4, 3], "color": symbols.REFERENCE_LINE},
                "encoding": {
                    "x": {"field": "overall", "type": "quantitative"},
                    "tooltip": [{"field": "text", "title": "Losses per 100 site-years"}],
                },
            },
        ],
    }


def closures_by_year_chart(table: pd.DataFrame, categories=RECORDING_CATEGORIES) -> dict:
    """Closures per year, one row per category on a shared year axis, each row's recording
    window shaded: a year outside it is not a year with no closures, it is a year the source
    does not cover. Stacking categories recorded over different years would mislead."""
    chosen = [c for c in RECORDING_CATEGORIES if c in categories]
    windows = pd.DataFrame(
        {
            "category": chosen,
            "start": [RECORDING[c].first_year - 0.5 for c in chosen],
            "end": [RECORDING[c].last_year + 0.5 for c in chosen],
            "window": [RECORDING[c].window for c in chosen],
        }
    )
    data = table[["year", "category", "closures"]].copy()
    data["start"], data["end"] = data["year"] - 0.4, data["year"] + 0.4
    first = min([*data["year"], *(RECORDING[c].first_year for c in chosen)], default=2010)
    last = max([*data["year"], *(RECORDING[c].last_year for c in chosen)], default=2023)
    x_years = {
        "field": "start",
        "type": "quantitative",
        "title": "Year of closure",
        "scale": {"domain": [first - 0.5, last + 0.5], "nice": False},
        "axis": {"format": "d", "tickMinStep": 1, "labelFlush": True},
    }
    colour = {
        "field": "category",
        "type": "nominal",
        "title": None,
        "scale": {"domain": chosen, "range": [RECORDING[c].colour for c in chosen]},
        "legend": None,
    }

    # One layered chart per category stacked vertically, each as wide as its container (a
    # faceted chart has a fixed width and overflows a phone's screen).
    def row(category: str) -> dict:
        mine = f"datum.category === {json.dumps(category)}"
        # The year axis once, under the last row.
        x = {**x_years, "axis": x_years["axis"] if category == chosen[-1] else None}
        return {
            "title": {
                "text": f"{RECORDING[category].short}: closures recorded "
                f"{RECORDING[category].first_year}-{RECORDING[category].last_year} (shaded)",
                "anchor": "start",
                "fontSize": 12,
            },
            "width": "container",
            "height": max(50, 240 // max(len(chosen), 1)),
            "layer": [
                {
                    "transform": [{"filter": f"datum.kind === 'window' && {mine}"}],
                    "mark": {"type": "rect", "color": symbols.WINDOW_SHADE, "aria": False},
                    "encoding": {
                        "x": x,
                        "x2": {"field": "end"},
                        "tooltip": [{"field": "window", "title": "Recorded"}],
                    },
                },
                {
                    "transform": [{"filter": f"datum.kind === 'closures' && {mine}"}],
                    # Its bars are not each a named image for a screen reader (an empty
                    # row's were one unnamed); the chart's description says what it shows.
                    "mark": {"type": "rect", "aria": False},
                    "encoding": {
                        "x": x,
                        "x2": {"field": "end"},
                        "y": {
                            "field": "closures",
                            "type": "quantitative",
                            "title": None,
                            "axis": {"tickMinStep": 1, "tickCount": 3},
                        },
                        "color": colour,
                        "tooltip": [
                            {"field": "year", "title": "Year"},
                            {"field": "category", "title": "Category"},
                            {"field": "closures", "title": "Closures"},
                        ],
                    },
                },
            ],
        }

    return {
        "description": "Closures per year for "
        + ", ".join(RECORDING[c].short for c in chosen)
        + ", each within its source's recording window (the table below gives the figures).",
        "data": {
            "values": _records(windows.assign(kind="window"))
            + _records(data.assign(kind="closures"))
        },
        "vconcat": [row(c) for c in chosen],
        "spacing": 8,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "resolve": {"scale": {"x": "shared", "y": "independent"}},
    }


def pubs_trend_chart(trend: pd.DataFrame, highlight: str | None = None) -> dict:
    """Pubs and bars per year as an index (first year = 100): every borough a thin grey line,
    London (sum of boroughs) black, the chosen borough (``highlight``, a GSS code) vermillion."""
    data = trend[["year", "gss_code", "name", "pubs", "index"]].copy()
    data["role"] = np.select(
        [data["gss_code"].eq("london"), data["gss_code"].eq(highlight or "")],
        ["London", "Chosen"],
        "Other",
    )
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
    colours = {"London": symbols.INK, "Chosen": symbols.CHOSEN_COLOUR, "Other": symbols.OTHERS_LINE}
    first, last = int(data["year"].min()), int(data["year"].max())
    # One layer per role, so other boroughs lie under London and London under the chosen one.
    layers = [
        {
            "transform": [{"filter": f"datum.z == {z}"}],
            "mark": {"type": "line", "strokeWidth": 1 if z == 0 else 3},
        }
        for z in (0, 1, 2)
    ]
    return {
        "data": {"values": _records(data.sort_values(["z", "gss_code", "year"]))},
        "height": 430,
        "encoding": {
            "x": {
                "field": "year",
                "type": "quantitative",
                "title": None,
                "scale": {"domain": [first, last], "nice": False},
                "axis": {"format": "d", "tickMinStep": 1},
            },
            "y": {
                "field": "index",
                "type": "quantitative",
                "scale": {"zero": False},
                "title": f"Pubs and bars ({first} = 100)",
            },
            "detail": {"field": "gss_code"},
            "color": {
                "field": "line",
                "type": "nominal",
                "title": None,
                "scale": {"domain": domain, "range": [colours[r] for r in roles]},
                "legend": {"orient": "top", "direction": "vertical", "labelLimit": 300},
            },
            "tooltip": [
                {"field": "name", "title": "Borough"},
                {"field": "year", "title": "Year"},
                {"field": "pubs", "title": "Pubs and bars"},
                {"field": "index", "title": "Index", "format": ".0f"},
            ],
        },
        "layer": layers,
    }


def pubs_share_chart(
    change: pd.DataFrame,
    shares: pd.DataFrame,
    policy: str,
    highlight: str | None = None,
    measure: str = "pct_change",
) -> dict:
    """Boroughs by share of their area in one policy (x) against pubs % change (y); the chosen
    borough (``highlight``, a GSS code) in vermillion."""
    data = pubs_and_shares(change, shares)
    column = f"share_{policy}"
    frame = (
        data[["gss_code", "name", column, measure]]
        .rename(columns={column: "share", measure: "value"})
        .copy()
    )
    frame["chosen"] = np.where(frame["gss_code"].eq(highlight or ""), "Chosen", "Other")
    return {
        "data": {"values": _records(frame.sort_values("chosen", ascending=False))},
        "height": 300,
        "mark": {"type": "point", "filled": True, "size": 60, "opacity": 0.85},
        "encoding": {
            "x": {
                "field": "share",
                "type": "quantitative",
                "axis": {"format": ".0%"},
                "title": "Share of borough area",
            },
            "y": {"field": "value", "type": "quantitative", "title": "Pubs, % change"},
            "color": {
                "condition": {
                    "test": "datum.chosen === 'Chosen'",
                    "value": symbols.CHOSEN_COLOUR,
                },
                "value": symbols.OTHERS_COLOUR,
            },
            "size": {"condition": {"test": "datum.chosen === 'Chosen'", "value": 140}, "value": 50},
            "tooltip": [
                {"field": "name", "title": "Borough"},
                {"field": "share", "title": "Share of area", "format": ".1%"},
                {"field": "value", "title": "Pubs, % change", "format": ".1f"},
            ],
        },
    }
