"""Widgets and blocks that several pages share: data-missing message, basemap, caveats, CSV
downloads."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from lib.data import layers as data
from lib.links import declare, views
from lib.render import maps, tables
from lib.store import clients
from lib.ui import layout, params
from lib.ui.cache import layers
from lib.ui.navigation import require_navigation
from lib.vocab import commands
from lib.vocab.sources import attributions


def require_layers() -> data.Layers:
    """The built layers, or a clear message on how to build them (and stop the page)."""
    require_navigation()
    try:
        return layers()
    except data.DataMissing as exc:
        st.error(str(exc))
        st.markdown(
            "The raw inputs are listed on the **Data & sources** page. With them in a folder:\n\n"
            f"```\n{commands.BUILD_DATA}\n```"
        )
        st.stop()


def require_store():
    """The contributions store's engine, or a clear message on what to configure (and stop)."""
    from sqlalchemy.exc import SQLAlchemyError

    from lib.store.engine import StoreConfigError
    from lib.ui.cache import store

    try:
        return store()
    except (StoreConfigError, SQLAlchemyError, OSError) as exc:
        st.error(f"The contributions store cannot be opened: {str(exc).splitlines()[0][:300]}")
        st.markdown(
            "Contributions are kept in the SQLite file named by "
            "`JOINED_UP_CONTRIBUTIONS_DB` (default `data/contributions.sqlite`), or in "
            "the PostgreSQL database named by `DATABASE_URL`. See the README."
        )
        st.stop()


def client_address() -> str | None:
    """This visitor's address for rate limits: through a trusted proxy, the one it forwards
    (lib/store/clients.py); None for a connection from this machine."""
    return clients.client_address(
        st.context.ip_address,
        st.context.headers.get("X-Forwarded-For"),
        clients.trusted_proxies(),
    )


def choose_a_place(url_path: str, key: str, unknown, what: str, notes: list[str]) -> None:
    """A page about one place opened with a place that matches nothing: the link's `notes`
    (naming it), no other place's figures, but a way to the nearest one, then stop."""
    layout.link_notes(notes)
    nearest = [m.nearest for m in unknown.get(key, ()) if m.nearest]
    if nearest:
        params = {k: st.query_params.get_all(k) for k in st.query_params}
        link = views.build_link(f"./{url_path}", {**params, key: nearest[0]})
        st.markdown(f"[Open {nearest[0]} instead]({link})  \nor choose {what} in the sidebar.")
    else:
        st.info(f"Choose {what} in the sidebar.")
    st.stop()


def basemap_picker() -> str:
    return params.widget(declare.BASEMAP)


def caveats_and_definitions(results, definitions: str) -> None:
    """The caveats the results carry (attrs["caveats"]), each once, then how it is calculated."""
    st.subheader("Caveats")
    caveats = dict.fromkeys(c for result in results for c in result.attrs["caveats"])
    st.markdown("\n".join(f"- {c}" for c in caveats))
    with st.expander("How this is calculated"):
        st.markdown(definitions)


def table_height(rows: int) -> int:
    """Pixel height that shows every row of a st.dataframe (35 px a row, plus the header)."""
    return 38 + 35 * rows


def spec_attribution(spec) -> None:
    """The attribution statements under a map: what its spec draws (lib/render/mapspec.py)."""
    st.caption(" · ".join(spec.attributions()))


def attribution_caption(source_keys, basemap: str) -> None:
    lines = attributions(source_keys)
    if maps.BASEMAPS[basemap][2]:
        lines.append(f"Basemap {maps.BASEMAPS[basemap][2]}")
    st.caption(" · ".join(lines))


def csv_download(
    label: str,
    table: pd.DataFrame | Callable[[], pd.DataFrame],
    file_name: str,
    key: str | None = None,
    **options,
) -> None:
    """A button that downloads a table as CSV (`tables.csv_bytes`: UTF-8, no index, no cell a
    spreadsheet would run). The CSV is made on the click, from the table or from the function
    given (for a table too slow to make on every rerun); the click does not rerun the page."""
    st.download_button(
        label,
        lambda: tables.csv_bytes(table() if callable(table) else table),
        file_name,
        "text/csv",
        key=key,
        on_click="ignore",
        **options,
    )
