"""Each map page's MapSpec, built in one place so that a page's screen and its share card
(lib/render/cards.py) draw the same layers, legend and credits. No streamlit here.

A page builds its spec with the builder named after it and hands the same spec to the browser
map and to its card:

- `explorer_spec`: Map explorer (borough density, policy overlays, sites by status, overlays);
- `losses_spec`: Losses vs policy (the policy's areas, the losses counted inside or not);
- `pubs_spec`: Losses over time (boroughs by % change in pubs and bars, one outlined);
- `borough_spec`: Borough profile (its wards shaded, its sites, food banks, policy overlays);
- `voluntary_spec`: Voluntary sector (London's wards shaded, food banks, the chosen ward);
- `wall_spec`: a workshop's wall (borough outlines and names, the room's reports by kind).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from lib.analysis import profiles
from lib.render import mapspec, workshop
from lib.render.own_data import OwnDataLayer
from lib.vocab.categories import PUBS_END, PUBS_START
from lib.vocab.policies import POLICIES


def _overlays(
    community: OwnDataLayer | None,
    own: OwnDataLayer | None = None,
    own_sources: Sequence[str] = (),
) -> list[mapspec.Overlay]:
    return [
        *([mapspec.Overlay("community", community)] if community else []),
        *([mapspec.Overlay("own", own, tuple(own_sources))] if own else []),
    ]


def explorer_spec(
    density: pd.Series,
    density_group: str,
    policies: Sequence[str],
    shown: pd.DataFrame,
    view: mapspec.View | None = None,
    basemap: str = "none",
    community: OwnDataLayer | None = None,
    own: OwnDataLayer | None = None,
    own_sources: Sequence[str] = (),
    density_sources: Sequence[str] = (),
) -> mapspec.MapSpec:
    """The explorer: boroughs shaded by open sites per 10,000 residents (`density` by GSS
    code, every borough drawn; `density_sources`: the sources of the sites it counts),
    borough names, the chosen London Plan layers, the `shown` sites by status, and the
    community reports and the user's upload over them."""
    return mapspec.MapSpec(
        layers=(
            mapspec.Choropleth(
                "boroughs",
                density,
                f"{density_group}: open sites per 10,000 residents",
                sources=("borough_population", *density_sources),
            ),
            mapspec.Labels("boroughs"),
            mapspec.PolicyAreas(tuple(p for p in policies if p in POLICIES)),
            mapspec.SitesByStatus(shown),
            *_overlays(community, own, own_sources),
        ),
        view=view or mapspec.View(),
        basemap=basemap,
    )


def losses_spec(
    sites: pd.DataFrame,
    sides: pd.Series,
    policy: str,
    categories: Sequence[str],
    start: int,
    vintage: bool,
    policy_areas: pd.DataFrame,
    basemap: str = "none",
    community: OwnDataLayer | None = None,
) -> mapspec.MapSpec:
    """Losses vs policy: the policy's areas (the subject, with their count), the losses
    counted (`sides`: losses.comparisons(...).attrs["sides"], True inside; `sites`: the sites
    layer's attributes) inside and elsewhere, borough outlines and names."""
    return mapspec.MapSpec(
        layers=(
            mapspec.Boundaries("boroughs"),
            mapspec.PolicyAreas(
                (policy,), "subject", mapspec.policy_counts(policy_areas, [policy])
            ),
            mapspec.Labels("boroughs"),
            mapspec.SitesBySide(
                sites.loc[sides.index].assign(inside=sides),
                policy,
                tuple(categories),
                start,
                vintage,
            ),
            *_overlays(community),
        ),
        basemap=basemap,
    )


def pubs_spec(
    change: pd.DataFrame, gss_code: str | None = None, basemap: str = "none"
) -> mapspec.MapSpec:
    """Losses over time: boroughs by % change in pubs and bars (`change`:
    pub_trends.pubs_change) on the diverging ramp, `gss_code` outlined and named first."""
    focus = (gss_code,) if gss_code else ()
    name = change.set_index("gss_code")["name"].get(gss_code, "") if gss_code else ""
    return mapspec.MapSpec(
        layers=(
            mapspec.Choropleth(
                "boroughs",
                change.set_index("gss_code")["pct_change"],
                f"Pubs and bars, % change {PUBS_START}-{PUBS_END}",
                scheme="diverging",
                value_format="{:+.1f}%",
                sources=("pubs",),
            ),
            mapspec.Boundaries("boroughs", focus, focus_label=name),
            mapspec.Labels("boroughs", focus),
        ),
        basemap=basemap,
    )


def _ward_choropleth(wards: pd.DataFrame, measure: str) -> mapspec.Choropleth:
    """Wards (profiles.ward_table rows) shaded by a ward measure; tiny wards noted."""
    spec = profiles.WARD_MEASURES[measure]
    table = wards.set_index("ward_code")
    unstable = table["unstable"].fillna(False).astype(bool) & spec.per_head
    return mapspec.Choropleth(
        "wards",
        table[measure].astype(float),
        spec.label,
        scheme="counts" if spec.integer else "quantile",
        value_format=spec.fmt,
        sources=spec.sources,
        notes=unstable.map(
            {True: f"under {profiles.UNSTABLE_WARD_POPULATION:,} residents: unstable", False: ""}
        ),
    )


def borough_spec(
    wards: pd.DataFrame,
    gss_code: str,
    name: str,
    measure: str,
    policies: Sequence[str],
    sites: pd.DataFrame,
    points: pd.DataFrame | None,
    bounds,
    basemap: str = "none",
    community: OwnDataLayer | None = None,
) -> mapspec.MapSpec:
    """Borough profile: the borough's wards (`wards`: profiles.ward_table of the borough)
    shaded by `measure`, the borough outlined among the others, the chosen London Plan
    layers, its `sites` by status and, when `points` (its voluntary_points rows) are given,
    food banks and mutual aid groups; framed on `bounds` (card_maps.map_bounds)."""
    return mapspec.MapSpec(
        layers=(
            mapspec.Boundaries("boroughs", (gss_code,), focus_label=name),
            _ward_choropleth(wards, measure),
            mapspec.PolicyAreas(tuple(p for p in policies if p in POLICIES)),
            mapspec.Labels("boroughs", (gss_code,)),
            mapspec.SitesByStatus(sites, borough=gss_code),
            *([mapspec.VoluntaryPoints(points, gss_code)] if points is not None else []),
            *_overlays(community),
        ),
        view=mapspec.View(bounds),
        basemap=basemap,
    )


def voluntary_spec(
    wards: pd.DataFrame,
    measure: str,
    points: pd.DataFrame,
    ward: str | None = None,
    ward_label: str = "",
    basemap: str = "none",
) -> mapspec.MapSpec:
    """Voluntary sector: London's wards (`wards`: profiles.ward_table) shaded by `measure`,
    borough outlines and names, food banks and mutual aid groups (`points`), the chosen
    `ward` outlined and named (`ward_label`, ward_maps.ward_labels)."""
    chosen = (ward,) if ward else ()
    return mapspec.MapSpec(
        layers=(
            _ward_choropleth(wards, measure),
            mapspec.Boundaries("boroughs"),
            mapspec.Boundaries("wards", chosen, focus_label=ward_label, focus_title="Chosen ward"),
            mapspec.Labels("boroughs"),
            mapspec.VoluntaryPoints(points),
        ),
        basemap=basemap,
    )


def wall_spec(rows: pd.DataFrame, basemap: str = "none") -> mapspec.MapSpec:
    """A workshop's wall: borough outlines (on a pale land fill with no basemap) and names,
    and the session's reports (`rows`: lib.store.workshop.session_contributions) with a
    point, coloured by kind. Framed on London, always: the wall never moves on its own."""
    return mapspec.MapSpec(
        layers=(
            mapspec.Boundaries("boroughs"),
            mapspec.Labels("boroughs"),
            mapspec.Reports(workshop.report_points(rows)),
        ),
        basemap=basemap,
    )
