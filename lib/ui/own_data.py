"""'Your own data' on the map explorer: the uploader, its questions, its messages, summary and
downloads. An upload lives in this session's state only (never in a cache shared between
visitors, never on disk): lib/uploads reads it, lib/render/own_data draws it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import PurePath

import geopandas as gpd
import pandas as pd
import streamlit as st

from lib import uploads
from lib.render import own_data as render
from lib.ui import cache, widgets

STATE_KEY = "own_data"
FILE_TYPES = ["csv", "txt", "tsv", "geojson", "json", "gpkg", "zip"]
LEVEL_ORDER = {uploads.ERROR: 0, uploads.WARNING: 1, uploads.INFO: 2}
SHOWN_PROBLEMS = 6  # more go behind an expander
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: str) -> str:
    """Text from a file (its name, columns, layers) shown as itself, never as Markdown."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


@dataclass
class OwnData:
    """One read of an upload and what the page shows of it, computed once per answer."""

    name: str
    result: uploads.UploadResult
    annotated: gpd.GeoDataFrame | None = None
    summary: pd.DataFrame | None = None
    layer: render.OwnDataLayer | None = None
    asked_layer: bool = False
    asked_crs: bool = False


def read(
    name: str, data: bytes, file_id: str, crs: str | None = None, layer: str | None = None
) -> OwnData:
    """This session's read of the file with these answers (read once, then held)."""
    held = st.session_state.get(STATE_KEY)
    if not held or held["file_id"] != file_id:  # a new file: forget the last one
        held = {"file_id": file_id, "reads": {}}
        st.session_state[STATE_KEY] = held
    if (crs, layer) not in held["reads"]:
        result = uploads.read_upload_bounded(
            name,
            data,
            crs=crs,
            layer=layer,
            london=cache.london_outline(),
            postcodes=cache.postcodes(),
        )
        own = OwnData(name, result)
        if result.ok:
            layers = cache.layers()
            own.annotated = uploads.annotate(result.features, layers)
            own.summary = uploads.summarise(own.annotated, layers, cache.london_shares())
            own.layer = render.own_data_layer(result.features, PurePath(name).stem)
        held["reads"][(crs, layer)] = own
    return held["reads"][(crs, layer)]


def forget() -> None:
    st.session_state.pop(STATE_KEY, None)


def uploader() -> OwnData | None:
    """The uploader and, when a file needs them, its questions: which layer, which
    coordinate system (never guessed: nothing is drawn until it is answered)."""
    limit = uploads.max_upload_bytes()
    file = st.file_uploader(
        "Add your own places to the map",
        type=FILE_TYPES,
        key="own_file",
        max_upload_size=max(1, math.ceil(limit / (1024 * 1024))),
        help="A CSV with a postcode, latitude and longitude, easting and northing or WKT "
        "column; GeoJSON; a GeoPackage; or a zipped shapefile. It stays in this browser "
        "session and is not saved.",
    )
    if file is None:
        forget()
        return None
    return answer(file.name, file.getvalue(), file.file_id)


def answer(name: str, data: bytes, file_id: str) -> OwnData:
    """Read the file, asking its questions in place when it has any."""
    own = read(name, data, file_id)
    layer = None
    if own.result.needs_layer:
        layer = st.selectbox(
            "Which layer?",
            own.result.layers,
            index=None,
            key=f"own_layer_{file_id}",
            placeholder="Choose a layer",
        )
        if layer is None:
            return own
        own = read(name, data, file_id, layer=layer)
        own.asked_layer = True
    if own.result.needs_crs:
        suggestion = own.result.crs_suggestion
        crs = st.radio(
            "Which coordinate system are its coordinates in?",
            list(uploads.CRS_CHOICES),
            index=None,
            format_func=uploads.CRS_CHOICES.get,
            key=f"own_crs_{file_id}",
        )
        if suggestion:
            st.caption(
                f"The file does not say. Its values look like {uploads.CRS_CHOICES[suggestion]}."
            )
        if crs is None:
            return own
        own = read(name, data, file_id, crs=crs, layer=layer)
        own.asked_crs = True
    if own.annotated is not None:
        st.caption(
            f"{len(own.annotated):,} of your features are on the map, in "
            "yellow. The summary is below the map."
        )
    else:
        st.caption("Not read: the reasons are below the map.")
    return own


def report(own: OwnData | None) -> None:
    """Below the map: the file's messages, where its features fall, and the downloads."""
    if own is None:
        return
    result = own.result
    st.subheader("Your own data")
    problems = sorted(result.problems, key=lambda p: LEVEL_ORDER[p.level])
    show = {uploads.ERROR: st.error, uploads.WARNING: st.warning, uploads.INFO: st.info}
    for problem in problems[:SHOWN_PROBLEMS]:
        show[problem.level](plain(problem.message))
    if len(problems) > SHOWN_PROBLEMS:
        with st.expander(f"{len(problems) - SHOWN_PROBLEMS} more messages"):
            for problem in problems[SHOWN_PROBLEMS:]:
                show[problem.level](plain(problem.message))
    if result.needs_layer or result.needs_crs:
        st.info("Answer the question under the uploader in the sidebar to see it on the map.")
    if own.annotated is None or own.summary is None:
        return
    st.markdown(
        f"**{plain(own.name)}**: {len(own.annotated):,} features "
        f"({result.format_label}). How many fall in each London Plan area and borough, "
        "against London's share of land and of the facilities on this map. A feature can be "
        "in several kinds of area."
    )
    policies, boroughs = render.summary_tables(own.summary)
    # One above the other: side by side, a laptop's width cut off the London columns.
    st.dataframe(policies, hide_index=True, width="stretch")
    st.dataframe(boroughs, hide_index=True, width="stretch", height=400)
    stem = PurePath(own.name).stem or "your-data"
    d1, d2 = st.columns(2)
    annotated = own.annotated
    with d1:
        widgets.csv_download(
            "Download your table with these columns (CSV)",
            lambda: uploads.download_table(annotated),
            f"{stem}-london.csv",
            width="stretch",
            key="own_csv",
        )
    d2.download_button(
        "Download as GeoJSON",
        lambda: uploads.download_geojson(annotated).encode(),
        f"{stem}-london.geojson",
        "application/geo+json",
        on_click="ignore",
        width="stretch",
        key="own_geojson",
    )


def source_keys(own: OwnData | None) -> list[str]:
    """Catalogue keys to credit for the upload: Code-Point Open when it placed rows."""
    return ["postcodes"] if own is not None and own.result.used_postcodes else []
