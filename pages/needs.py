"""Where need is greatest: who lost walking access, a needs map the room can weigh, and a
borough's evidence pack (issue 18)."""

import datetime
from functools import partial

import streamlit as st

from lib.analysis import access as walking
from lib.analysis import needs
from lib.links import declare
from lib.render import card_layout, mapspec, needs_maps, needs_pack, needs_tables
from lib.store import PublicFilter
from lib.ui import (
    cache,
    community,
    embed,
    layout,
    link_check,
    params,
    present,
    share_panel,
    widgets,
)
from lib.ui import needs as needs_ui
from lib.vocab.needs import DEFAULT_WEIGHTS, WeightsError

VIEW = declare.NEEDS
layers = widgets.require_layers()
link_notes, _ = link_check.read_link(VIEW.url_path)  # before the widgets
presenting = present.presentation_mode()
names = layers.borough_names
ward_names = cache.ward_names()
link_weights, weights_note = needs_ui.link_weights()

with st.sidebar:
    st.header("Where need is greatest")
    category = params.widget(VIEW.param["category"])
    threshold_choice = params.widget(VIEW.param["threshold"])
    since = params.widget(VIEW.param["since"])
    borough = params.widget(VIEW.param["borough"], index=None)
    st.header("Weights")
    st.caption(
        "How much each kind of evidence counts in the needs index: 0 leaves it out. Equal by "
        "default; the link keeps your choice."
    )
    weights = needs_ui.weight_sliders(link_weights)
    basemap = params.widget(VIEW.param["basemap"])

# Said under the title bar, the map shorter by their room (layout.map_height).
notes = link_notes + ([weights_note] if weights_note else [])
if not any(weights.values()):
    notes.append("Every weight is 0: the needs map uses equal weights until one is above 0.")
    weights = dict(DEFAULT_WEIGHTS)
threshold_m = walking.WALK_M
if threshold_choice == "mile":
    if category == "Library":
        threshold_m = walking.MILE_M
    else:
        notes.append(
            f"1 mile is offered for libraries only; {needs_maps.singular(category)} access is shown at 800 m."
        )

# A cold process measures every distance first (seconds): called here, not only inside the
# cached tables below, so that their spinners show (a nested cached call shows none).
cache.access()
cache.access(since)
area_needs = needs_ui.area_needs_key()  # approved reports, read fresh
_, _, catalogue = cache.needs_domains(since, area_needs)
weights_key = tuple(weights.items())
try:
    result, table, comparison = cache.needs_result(since, area_needs, weights_key)
except WeightsError as error:  # weights only on domains no ward has data for
    notes.append(f"{error} The needs map uses equal weights.")
    weights_key = tuple(DEFAULT_WEIGHTS.items())
    result, table, comparison = cache.needs_result(since, area_needs, weights_key)
london = cache.walking_access(category, threshold_m, "london", since)
by_borough = cache.walking_access(category, threshold_m, "borough", since)
by_ward = cache.walking_access(category, threshold_m, "ward", since)
lost = cache.lost_facilities(category, threshold_m, since)
history = london.attrs["then"] is not None
wards_lost = by_ward.fillna({"lost_access": 0})
threshold_text = f"{threshold_m:,.0f} m" if threshold_m == walking.WALK_M else "1 mile"
plural = needs_maps.plural(category)

view = embed.map_view()


def map_spec(which: str, where=view, present: bool = False) -> tuple[mapspec.MapSpec, dict]:
    """The needs map or where walking access was lost, and its browser spec (cached)."""
    return cache.needs_map(
        which,
        since,
        area_needs,
        weights_key,
        category,
        threshold_m,
        borough,
        basemap,
        where,
        present,
    )


map_data = cache.site_map_data()
top = int(result["top_fifth"].sum())
stable = int((result["defined_need"] == "stable").sum())
row = london.iloc[0]
lost_text = f"{row['lost_access']:,.0f}" if history else needs_tables.NOW_ONLY
figures = [
    layout.Figure(
        "Areas of defined need",
        f"{top}",
        delta=f"{stable} stable",
        help=f"The top fifth of London's {len(result)} wards under these weights; stable: "
        f"still there under {needs.STABLE:.0%} or more of {needs.DRAWS:,} weightings near them.",
    ),
    layout.Figure(
        f"Lost access: {plural}",
        lost_text,
        delta=f"{row['gained_access']:,.0f} gained"
        if history
        else f"{row['share_beyond_now']:.0%} beyond {threshold_text}",
        help=f"Residents who lost walking access: within {threshold_text} (straight line) of an "
        f"open {needs_maps.singular(category)} in {london.attrs['then']} and beyond it in "
        f"{london.attrs['now']}; gained: the reverse. {row['share_beyond_now']:.0%} of "
        f"Londoners now live beyond {threshold_text}."
        if history
        else f"{needs_maps.capital(plural)} have one list ({london.attrs['now']}): access now only, "
        "nothing lost or gained can be measured.",
    ),
]

if presenting:  # for a projector: the title, one figure, the chosen map
    which = st.query_params.get("map", "needs")
    which = "access" if which in ("access", "Access lost") else "needs"
    if which == "needs":
        present.present_header("Where need is greatest", f"{top}", "areas of defined need", notes)
    else:
        present.present_header(
            f"Walking access to a {needs_maps.singular(category)}",
            lost_text,
            figures[1].label,
            notes,
        )
    spec, browser = map_spec(which, present=True)
    present.present_map_spec(map_data, spec, key="needs_map_present", notes=notes, browser=browser)
    widgets.spec_attribution(spec)
    st.stop()

share_slot = layout.title_bar("Where need is greatest", figures, notes)
with share_slot:  # the map switch above the share button: the title bar stays one row
    which = params.widget(VIEW.param["map"], container=st, label_visibility="collapsed")
    link = share_panel.share_panel(
        VIEW.url_path, file_stem="joined-up-london-needs", compact=True, key="needs_share"
    )
spec, browser = map_spec(which)
view = embed.show_map_spec(
    map_data,
    spec,
    key="needs_map",
    save_view=True,
    height=layout.map_height(notes),
    browser=browser,
)
embed.reset_view_button(view)
widgets.spec_attribution(spec)

weights_text = needs_ui.weights_text(weights)
st.markdown(
    f"**Weights:** {weights_text}. Set them in the sidebar; the link keeps them. "
    + (
        "Wards are shaded by the needs index; the outlined wards are the areas of defined need "
        "(the top fifth): a solid outline is stable, a dashed one depends on the weights."
        if which == "needs"
        else f"Wards are shaded by the residents who lost walking access to a "
        f"{needs_maps.singular(category)}; rings are the {plural} lost: hover one for who had it nearest "
        "and how much further their next one is."
        if history
        else f"Wards are shaded by the share of residents beyond {threshold_text} of a "
        f"{needs_maps.singular(category)} now: with one list, nothing lost or gained can be measured."
    )
)
st.caption(walking.STRAIGHT_LINE + " " + walking.PLACED)

# ---------------------------------------------------------------- walking access
st.subheader(f"Who lost and who gained walking access to a {needs_maps.singular(category)}")
then_dates = "; ".join(
    f"{c}: {cache.walking_access(c, walking.WALK_M, 'london', since).attrs['then'] or 'now only'}"
    for c in walking.ACCESS_CATEGORIES
)
st.markdown(
    (
        f"Then is **{london.attrs['then']}**, now **{london.attrs['now']}** "
        f"(each category's 'then': {then_dates}). "
        if history
        else f"**{needs_maps.capital(plural)}: now only** ({london.attrs['now']}): the one list has "
        "no openings or closures, so who lost or gained access is not known (not zero). "
        f"Each category's 'then': {then_dates}. "
    )
    + f"Walking distance: {threshold_text} in a straight line."
)
left, right = st.columns(2, gap="medium")
with left:
    st.markdown("**By borough**")
    st.dataframe(
        cache.access_display(category, threshold_m, "borough", since),
        hide_index=True,
        height=320,
    )
    widgets.csv_download(
        "Download by borough (CSV)",
        by_borough,
        f"joined-up-london-access-{needs.access_key(category)}-boroughs.csv",
        key="download_access_boroughs",
    )
with right:
    wards_here = by_ward[by_ward["gss_code"] == borough] if borough else by_ward
    st.markdown(f"**By ward, {names[borough]}**" if borough else "**By ward, London**")
    st.dataframe(
        cache.access_display(category, threshold_m, "ward", since, borough),
        hide_index=True,
        height=320,
    )
    widgets.csv_download(
        "Download by ward (CSV)",
        wards_here,
        f"joined-up-london-access-{needs.access_key(category)}-wards.csv",
        key="download_access_wards",
    )
with st.expander("Caveats of these figures"):
    st.markdown("\n".join(f"- {c}" for c in london.attrs["caveats"]))

if history:
    shown_lost = lost[lost["gss_code"] == borough] if borough else lost
    where = names[borough] if borough else "London"
    st.subheader(f"{needs_maps.capital(plural)} lost since {london.attrs['then']}, {where}")
    if shown_lost.empty:
        st.info(f"No {needs_maps.singular(category)} lost since {london.attrs['then']} in {where}.")
    else:
        st.dataframe(
            cache.lost_display(category, threshold_m, since, borough), hide_index=True, height=300
        )
        st.caption(
            "A move, a replacement or a change of owner is not a loss. Further: the "
            "population-weighted median of how much further each resident who had it nearest "
            "now is from an open one (negative where a new one is nearer)."
        )
    widgets.csv_download(
        "Download the lost facilities (CSV)",
        shown_lost,
        f"joined-up-london-lost-{needs.access_key(category)}.csv",
        key="download_lost",
    )

# ---------------------------------------------------------------- the needs index
st.subheader("Ward needs")
st.markdown(needs.EXPLANATION)
if threshold_m != walking.WALK_M:
    st.caption(
        f"The index counts residents beyond {needs.THRESHOLD_M} m whatever the walking distance "
        "chosen for the access map and tables."
    )
st.markdown(
    f"**Against deprivation alone.** {comparison.sentence()} The index adds the wards where "
    "access, losses, a thin voluntary sector or residents' reports weigh more than deprivation."
)
default_result, _, _ = cache.needs_result(since, area_needs, tuple(DEFAULT_WEIGHTS.items()))
kept = int((result["top_fifth"] & default_result["top_fifth"]).sum())
st.markdown(
    f"**How stable.** {stable} of the {top} areas of defined need stay in the top fifth under "
    f"at least {needs.STABLE:.0%} of {needs.DRAWS:,} random weightings near these (stable); "
    f"{top - stable} depend on the weights. "
    + (
        "These are the equal weights."
        if weights == DEFAULT_WEIGHTS
        else f"**The weights' effect:** {kept} of these {top} are also in the top fifth under "
        f"equal weights; {top - kept} are there only because of these weights."
    )
)
wards_table = table[table["gss_code"] == borough] if borough else table
st.dataframe(
    cache.needs_display(since, area_needs, weights_key, borough),
    hide_index=True,
    height=360,
)
widgets.csv_download(
    "Download the ward needs table (CSV)",
    wards_table,
    "joined-up-london-needs-wards.csv",
    key="download_needs_wards",
)
with st.expander("The indicators, their sources and vintages"):
    st.dataframe(
        catalogue[["domain", "label", "unit", "source_titles", "vintage"]],
        hide_index=True,
        column_config={"source_titles": "sources"},
    )
    widgets.csv_download(
        "Download the indicators (CSV)",
        catalogue,
        "joined-up-london-needs-indicators.csv",
        key="download_catalogue",
    )


def _indicators_gpkg() -> bytes:
    lsoa = needs_pack.lsoa_indicators(layers, cache.access(since))
    return needs_pack.indicators_geopackage(layers, table, lsoa, borough)


st.download_button(
    "Download every indicator per ward and LSOA (GeoPackage, for QGIS)",
    _indicators_gpkg,
    "joined-up-london-needs.gpkg",
    "application/geopackage+sqlite3",
    key="download_needs_gpkg",
    on_click="ignore",
    help="Two layers, needs_wards and needs_lsoas, in EPSG:27700"
    + (f", {names[borough]} only." if borough else "."),
)

# ---------------------------------------------------------------- the evidence pack
st.subheader("Evidence pack")
if not borough:
    st.info("Choose a borough in the sidebar for its evidence pack (PDF, CSV and GeoPackage).")
else:
    name = names[borough]
    stem = f"joined-up-london-needs-{name.lower().replace(' ', '-')}"

    def _pack_pdf() -> bytes:
        every = [
            cache.walking_access(c, walking.WALK_M, "borough", since)
            for c in walking.ACCESS_CATEGORIES
        ]
        rows = [t[t["code"] == borough] for t in every]  # the attrs (dates, caveats) kept
        # The screen's two maps, framed on the borough whatever the screen shows.
        needs_spec, access_spec = (map_spec(w, None)[0] for w in ("needs", "access"))
        here = result.merge(layers.wards[["ward_code", "gss_code"]], on="ward_code")
        here = here[here["gss_code"] == borough]
        lost_here = int(wards_lost.loc[wards_lost["gss_code"] == borough, "lost_access"].sum())
        maps = [
            needs_pack.map_png(
                layers,
                needs_spec,
                f"Needs map, {name}",
                card_layout.Headline(
                    f"{int(here['top_fifth'].sum())}",
                    f"of {name}'s {len(here)} wards are areas of defined need",
                ),
                link,
            ),
            needs_pack.map_png(
                layers,
                access_spec,
                f"Walking access to a {needs_maps.singular(category)}, {name}",
                card_layout.Headline(
                    f"{lost_here:,}" if history else needs_tables.NOW_ONLY,
                    f"residents of {name} lost walking access ({threshold_text})"
                    if history
                    else f"{plural}: one list, access now only",
                ),
                link,
            ),
        ]
        return needs_pack.pack_pdf(
            name,
            borough,
            datetime.date.today().strftime("%-d %B %Y"),
            link,
            table,
            rows,
            comparison,
            weights_text,
            maps,
            community.approved(PublicFilter(kinds=("area_need",), gss_codes=(borough,))),
            ward_names,
            names,
            list(dict.fromkeys(c for t in every for c in t.attrs["caveats"])),
            [*needs_spec.source_keys(), *access_spec.source_keys()],
        )

    st.markdown(
        f"For **{name}**: the needs map and where {needs_maps.singular(category)} access was lost, the "
        "table of its wards, the weights used and how stable the result is, what residents "
        "reported (approved reports only), the method, caveats and sources. What a planner "
        "attaches to a Policy S1 needs assessment."
    )
    with st.container(horizontal=True, key="needs_pack_buttons"):
        st.download_button(
            "Evidence pack (PDF, A4)",
            _pack_pdf,
            f"{stem}.pdf",
            "application/pdf",
            key="download_pack_pdf",
            on_click="ignore",
            type="primary",
        )
        widgets.csv_download(
            "Its wards' indicators (CSV)",
            partial(needs_pack.ward_indicators_frame, table, borough),
            f"{stem}.csv",
            key="download_pack_csv",
        )
        st.download_button(
            "Its wards and LSOAs (GeoPackage)",
            _indicators_gpkg,
            f"{stem}.gpkg",
            "application/geopackage+sqlite3",
            key="download_pack_gpkg",
            on_click="ignore",
        )
