"""Map controls: the "Save view to link" button's style (lib/render/site_map.js draws it and
sends the view back) and the note a map shows when its street map cannot load (the browser
map's style; `TilesFailedNote` for the folium maps: the HTML download and the click picker)."""

from __future__ import annotations

import branca.element

SAVE_VIEW_CSS = """<style>
.jul-save-view {font: 600 12px/1.2 sans-serif; padding: 6px 10px; border-radius: 6px;
  border: 2px solid #0f6e6e; background: #fff; color: #0f6e6e; cursor: pointer;
  box-shadow: 0 1px 4px rgba(0,0,0,.3)}
.jul-save-view:hover {background: #0f6e6e; color: #fff}
.jul-save-view:focus-visible {outline: 3px solid #1d2a2a; outline-offset: 2px}
</style>"""


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
