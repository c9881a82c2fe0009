"""A view's declared parameter (lib/links/declare.py) made into its widget, bound to the link:
the label, options, their labels, default and help come from the declaration, so the link
check and the tour checker read exactly what the widget offers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from lib.links.declare import Param
from lib.ui.cache import link_lookups


def widget(
    param: Param, earlier: Mapping[str, list[str]] | None = None, container: Any = None, **kw
) -> Any:
    """The widget `param` declares, bound to the link (key = the link's name). `earlier`: the
    values of the parameters its options depend on (the groups a category is chosen from);
    `container` (default: the sidebar); `kw`: what only the page knows (a slider's range,
    `index=None` when the link named a place that matches nothing)."""
    where = st.sidebar if container is None else container
    common: dict[str, Any] = {"key": param.name, "bind": "query-params", "help": param.help}
    labels = param.labels(link_lookups() if callable(param.options) else None, earlier)
    values = list(labels or ())
    if labels is not None and any(str(v) != label for v, label in labels.items()):
        common["format_func"] = labels.__getitem__
    if param.placeholder is not None and param.widget in {"multiselect", "selectbox"}:
        common["placeholder"] = param.placeholder
    default = param.default_value()
    if param.widget == "multiselect":
        if default is not None:
            common["default"] = default
        return where.multiselect(param.label, values, **{**common, **kw})
    if param.widget in {"selectbox", "radio"}:
        common["index"] = values.index(default) if default is not None else 0
        if param.horizontal:
            common["horizontal"] = True
        make = where.selectbox if param.widget == "selectbox" else where.radio
        return make(param.label, values, **{**common, **kw})
    if param.widget in {"checkbox", "toggle"}:
        make = where.checkbox if param.widget == "checkbox" else where.toggle
        return make(param.label, value=bool(default), **{**common, **kw})
    if param.widget == "slider":
        return where.slider(param.label, **{**common, **kw})
    raise ValueError(f"{param.name} has no widget")
