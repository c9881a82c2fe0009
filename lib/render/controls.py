"""Leaflet controls added to folium maps: save the view to the link, fit the legend."""

from __future__ import annotations

import branca.element


class SaveViewControl(branca.element.MacroElement):
    """A "Save view to link" button inside the map (bottom right, keyboard-focusable).

    st_folium runs with returned_objects=[] so panning never reruns the page; pressing the
    button sends {center, zoom, t} once through the component protocol, and the page writes
    the view into the link. `t` makes a second press at the same view still count.
    """

    _template = branca.element.Template("""
        {% macro script(this, kwargs) %}
        (function(map) {
            var control = L.control({position: "bottomright"});
            control.onAdd = function() {
                var button = L.DomUtil.create("button", "jul-save-view");
                button.type = "button";
                button.textContent = {{ this.label|tojson }};
                button.title = {{ this.hint|tojson }};
                L.DomEvent.disableClickPropagation(button);
                L.DomEvent.on(button, "click", function() {
                    var c = map.getCenter();
                    var value = {center: {lat: c.lat, lng: c.lng}, zoom: map.getZoom(),
                                 t: Date.now()};
                    if (window.Streamlit && window.Streamlit.setComponentValue) {
                        window.Streamlit.setComponentValue(value);
                    } else {
                        window.parent.postMessage({isStreamlitMessage: true,
                            type: "streamlit:setComponentValue", value: value,
                            dataType: "json"}, "*");
                    }
                    button.textContent = {{ this.done|tojson }};
                });
                return button;
            };
            control.addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    CSS = """<style>
.jul-save-view {font: 600 12px/1.2 sans-serif; padding: 6px 10px; border-radius: 6px;
  border: 2px solid #0f6e6e; background: #fff; color: #0f6e6e; cursor: pointer;
  box-shadow: 0 1px 4px rgba(0,0,0,.3)}
.jul-save-view:hover {background: #0f6e6e; color: #fff}
.jul-save-view:focus-visible {outline: 3px solid #1d2a2a; outline-offset: 2px}
</style>"""

    def __init__(
        self,
        label: str = "Save view to link",
        done: str = "View saved to link",
        hint: str = "Put this map position into the page's link",
    ):
        super().__init__()
        self._name = "SaveViewControl"
        self.label, self.done, self.hint = label, done, hint

    def render(self, **kwargs):
        self.get_root().header.add_child(branca.element.Element(self.CSS), name="jul_save_css")
        super().render(**kwargs)


TILES_FAILED_CSS = """<style>
.jul-tiles-failed {position: absolute; top: 8px; left: 50%; transform: translateX(-50%);
  z-index: 1000; max-width: min(60%, 420px); padding: 5px 9px; border-radius: 6px;
  background: #fff; color: #1d2a2a; border: 1px solid #8a9696; font: 13px/1.35 sans-serif;
  box-shadow: 0 1px 4px rgba(0,0,0,.25); pointer-events: none}
</style>"""


class TilesFailedNote(branca.element.MacroElement):
    """A line at the top of the map saying why it is grey when the street map's tiles fail to
    load (a venue with no internet); nothing while they load."""

    _template = branca.element.Template("""
        {% macro script(this, kwargs) %}
        (function(map) {
            var note = null;
            map.eachLayer(function(layer) {
                if (!(layer instanceof L.TileLayer)) return;
                layer.on("tileerror", function() {
                    if (note) return;
                    note = L.DomUtil.create("div", "jul-tiles-failed", map.getContainer());
                    note.setAttribute("role", "status");
                    note.textContent = {{ this.text|tojson }};
                });
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, text: str):
        super().__init__()
        self._name = "TilesFailedNote"
        self.text = text

    def render(self, **kwargs):
        self.get_root().header.add_child(
            branca.element.Element(TILES_FAILED_CSS), name="jul_tiles_failed_css"
        )
        super().render(**kwargs)
