"""Maps, charts and display tables of the two loss pages ("Losses vs policy", "Losses over time").

No streamlit here: the pages cache and render what these functions return.

- **Maps**: both pages' maps are lib/render/mapspec.py specs (lib/render/page_specs.py)
  drawn in the browser; `closed_sites_display` is the losses map as a table.
- **Charts**: Vega-Lite specs as plain dicts with their data inline, for
  ``st.vega_lite_chart`` (Streamlit bundles Vega: nothing is fetched from a CDN).
- **Display tables**: the analysis tables with readable column names and formatted figures;
  the pages offer the full-precision analysis tables as CSV.

Colours are colour-blind safe: closures inside a policy area are Okabe-Ito vermillion and
filled, elsewhere Okabe-Ito blue and hollow (shape carries the difference too); categories keep
the explorer's group colours; the pubs choropleth is ColorBrewer PuOr (orange = fewer pubs).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from lib.analysis import losses
from lib.render import mapspec, symbols
from lib.vocab.categories import RECORDING_CATEGORIES
from lib.vocab.policies import base_policy, policy_label

INSIDE_COLOUR = symbols.INSIDE_COLOUR
OUTSIDE_COLOUR = symbols.OUTSIDE_COLOUR
ELSEWHERE = mapspec.ELSEWHERE

# ---------------------------------------------------------------- closed sites over a policy


def policy_style(policy: str) -> tuple[str, str]:
    """(legend label, colour) of a policy key; town-centre classes take the town-centre colour."""
    return mapspec.PolicyAreas.label(policy), base_policy(policy).colour


def closed_sides(
    sites: pd.DataFrame,
    policy: str,
    categories=RECORDING_CATEGORIES,
    start: int = losses.DEFAULT_START,
    policy_areas: gpd.GeoDataFrame | None = None,
    vintage: bool = False,
) -> tuple[pd.Index, pd.Index]:
    """Index labels of the losses counted inside and outside the policy's areas, as
    ``losses.closure_sides`` decides them (the share card's; the page takes them from its
    closure table's ``attrs['sides']``)."""
    sides = losses.closure_sides(
        sites, policy, categories, losses.Choices(start=start, vintage=vintage), policy_areas
    )
    return sides.index[sides], sides.index[~sides]


def closed_sites_display(
    sites: pd.DataFrame, sides: pd.Series, policy: str, borough_names: dict[str, str]
) -> pd.DataFrame:
    """The losses map as a table (its accessible alternative): one row per loss drawn
    (``sides``: the analysis' inside or not, by site index), inside the policy's areas
    first, then by borough and name."""
    inside, outside = sides.index[sides], sides.index[~sides]
    where = f"Inside {policy_label(policy)}"
    frame = sites.loc[inside.append(outside)]
    table = pd.DataFrame(
        {
            "Where": [where] * len(inside) + [ELSEWHERE] * len(outside),
            "Name": frame["name"].to_numpy(),
            "Category": frame["category"].to_numpy(),
            "Closed": frame["closed_year"].astype("Int64").to_numpy(),
            "Borough": frame["gss_code"].map(borough_names).to_numpy(),
        }
    )
    table["_side"] = np.r_[np.zeros(len(inside)), np.ones(len(outside))]
    return (
        table.sort_values(["_side", "Borough", "Name"], kind="stable")
        .drop(columns="_side")
        .reset_index(drop=True)
    )


# ---------------------------------------------------------------- formatting


# ---------------------------------------------------------------- display tables


# ---------------------------------------------------------------- Vega-Lite charts
