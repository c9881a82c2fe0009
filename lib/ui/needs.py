"""The needs index in the UI: the page's weights, read from the link's one
`weights=access:2,losses:1,...` value (lib/analysis/needs.parse_weights), set with a slider per
domain and written back to the link; the approved area needs the index counts; the needs map
under the room's weights on the workshop wall (the page's MapSpec builder)."""

from __future__ import annotations

import streamlit as st

from lib.analysis import needs
from lib.render import needs_maps
from lib.store import PublicFilter
from lib.ui import cache, community, embed, link_check
from lib.vocab.needs import DEFAULT_WEIGHTS, DOMAINS, MAX_WEIGHT, WeightsError

_SEEN = "needs_weights_link"  # the link's weights the sliders were last set from


def link_weights() -> tuple[dict[str, float], str | None]:
    """The link's weights, or the default (equal) with a note saying what was wrong."""
    text = st.query_params.get("weights")
    try:
        return needs.parse_weights(text), None
    except WeightsError as error:  # the link's text shown as itself, never as Markdown
        return dict(DEFAULT_WEIGHTS), link_check.escape_markdown(
            f"The link's weights ({text}) could not be read: {error} The map uses equal "
            "weights until you set them with the sliders."
        )


def _write() -> None:
    weights = {d: float(st.session_state[f"weight_{d}"]) for d in DOMAINS}
    try:
        text = needs.encode_weights(weights)
    except WeightsError:  # every slider at 0: the page says so, the link keeps the last
        return
    if weights == DEFAULT_WEIGHTS:
        st.query_params.pop("weights", None)
    else:
        st.query_params["weights"] = text
    st.session_state[_SEEN] = st.query_params.get("weights")


def weight_sliders(weights: dict[str, float]) -> dict[str, float]:
    """A slider per domain (0 = leave it out, MAX_WEIGHT = counts most), set from the link
    whenever the link's weights change; moving one writes the link."""
    link = st.query_params.get("weights")
    if st.session_state.get(_SEEN, "unset") != link:
        for d in DOMAINS:
            st.session_state[f"weight_{d}"] = float(weights[d])
        st.session_state[_SEEN] = link
    for d, domain in DOMAINS.items():
        st.slider(
            domain.label,
            0.0,
            float(MAX_WEIGHT),
            step=0.5,
            format="%g",
            key=f"weight_{d}",
            on_change=_write,
            help=domain.question,
        )
    return {d: float(st.session_state[f"weight_{d}"]) for d in DOMAINS}


def weights_text(weights: dict[str, float], chosen_by: str = "your choice") -> str:
    """'Access 2, Losses 1, ...' and whether they are the default (equal)."""
    text = ", ".join(f"{DOMAINS[d].label} {weights[d]:g}" for d in DOMAINS)
    equal = len({weights[d] for d in DOMAINS}) == 1
    return f"{text} ({'equal: the default' if equal else chosen_by})"


def area_needs_key() -> cache.AreaNeeds:
    """The approved "What this area needs" reports, read fresh through the public path, as
    the small key the cached index takes: (ward_code, category) pairs."""
    reports = community.approved(PublicFilter(kinds=("area_need",)))
    if reports is None:
        return ()
    return tuple(
        sorted(
            (str(w), str(c) if isinstance(c, str) else "other")
            for w, c in zip(reports["ward_code"], reports["category"], strict=True)
            if isinstance(w, str)
        )
    )


def room_needs_map(weights: dict[str, float] | None, phones: int, key: str, height: int) -> None:
    """The wall's second view: the needs map (the page's spec) under the room's weights, the
    median of its phones' (equal while no phone has sent any)."""
    area = area_needs_key()
    chosen = weights or dict(DEFAULT_WEIGHTS)
    result, _, _ = cache.needs_result(needs.WINDOW_START, area, tuple(chosen.items()))
    _, _, catalogue = cache.needs_domains(needs.WINDOW_START, area)
    spec = needs_maps.needs_map(result, needs_maps.sources_of(catalogue))
    embed.show_map_spec(cache.site_map_data(), spec, key=key, height=height, present=True)
    said = (
        f"the median of {phones} phone{'' if phones == 1 else 's'}: "
        + weights_text(chosen, "the room's choice")
        if weights
        else "equal weights: no phone has sent its weights yet"
    )
    st.caption(
        f"Needs index under the room's weights ({said}). Outlined: the top fifth, solid where "
        "it holds whatever the weights, dashed where it depends on them."
    )
