// The explorer's map in the browser: one Leaflet map per page, updated in place.
// Loaded once per page by an element of its own (lib/ui/embed.py's show_site_map); the
// layer elements (bytes: a packed layer, see lib/render/site_map.py) and the map element (a
// spec, JSON) call it through small shims. Layers arrive once per session (a rerun sends a reference, not the bytes again);
// a filter change sends only the spec: a bit mask of the sites shown and small settings.
// Text from data is set with textContent, never as HTML. Legend and attribution arrive
// already escaped by the server.

// When things happened (ms since the page started), for benchmarks: window.__julTimes.
const TIMES = (window.__julTimes = window.__julTimes || {});
function mark(name) { if (!(name in TIMES)) TIMES[name] = Math.round(performance.now()); }
const LOG = (window.__julLog = window.__julLog || []);  // [event, ms] of every view and draw
function log(name) { LOG.push([name, Math.round(performance.now())]); }
mark("module");

const REG = (window.__julLayers = window.__julLayers || { layers: new Map(), waiters: new Map() });
// Above this many sites in view the canvas draws small squares instead of ringed circles
// (a 300,000-site layer stays interactive); below it, circles as the folium maps had.
const DENSE_ABOVE = 40000;
const OPEN_RADIUS = 3.5, CLOSED_RADIUS = 5;

function isBytes(data) {
  return data instanceof ArrayBuffer || ArrayBuffer.isView(data);
}

function decode(data) {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (magic !== "JUL1") throw new Error("not a JUL1 layer");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLength = view.getUint32(4, true);
  const utf8 = new TextDecoder();
  const header = JSON.parse(utf8.decode(bytes.subarray(8, 8 + headLength)));
  const start = 8 + headLength;
  // Copy into an aligned buffer: typed arrays need offsets that are multiples of their size.
  const body = bytes.slice(start).buffer;
  const kinds = { u8: Uint8Array, u16: Uint16Array, i32: Int32Array, u32: Uint32Array };
  const sections = {};
  for (const [name, kind, offset, length] of header.sections) {
    if (kind === "utf8") {
      sections[name] = utf8.decode(new Uint8Array(body, offset, length)).split("\n");
    } else {
      const Type = kinds[kind];
      sections[name] = new Type(body, offset, length / Type.BYTES_PER_ELEMENT);
    }
  }
  return { header, sections };
}

// A site's history: its template (lib/render/site_map.py, `_histories`) with its years put
// back in order (each counted from the layer's first year); where each site's years start
// is counted once per layer.
function historyText(layer, i) {
  const { header, sections } = layer;
  if (!layer.yearStart) {
    const holes = header.states.map((t) => t.split("\x07").length - 1);
    const start = new Uint32Array(sections.state.length);
    for (let j = 0, k = 0; j < start.length; j++) {
      start[j] = k;
      k += holes[sections.state[j]];
    }
    layer.yearStart = start;
  }
  let k = layer.yearStart[i];
  return header.states[sections.state[i]].replace(
    /\x07/g, () => String(header.first_year + sections.years[k++]));
}

function layerId(data) {
  // The id is in the header: read it without decoding the sections (a rerun mounts the
  // same layer elements again; a 300,000-site layer takes a while to decode).
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const length = new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(4, true);
  const head = new TextDecoder().decode(bytes.subarray(8, 8 + length));
  const match = head.match(/"id":"([^"]+)"/);
  return match ? match[1] : null;
}

function register(data) {
  const known = layerId(data);
  if (known && REG.layers.has(known)) return;
  const layer = decode(data);
  const id = layer.header.id;
  mark("layer " + id.split(":")[0]);
  if (!REG.layers.has(id)) {
    REG.layers.set(id, layer);
    (REG.waiters.get(id) || []).forEach((resolve) => resolve(layer));
    REG.waiters.delete(id);
  }
}

function whenLayer(id) {
  if (REG.layers.has(id)) return Promise.resolve(REG.layers.get(id));
  return new Promise((resolve) => {
    if (!REG.waiters.has(id)) REG.waiters.set(id, []);
    REG.waiters.get(id).push(resolve);
  });
}

function loadLeaflet(urls) {
  if (window.L && window.L.Canvas) return Promise.resolve(window.L);
  if (!window.__julLeaflet) {
    window.__julLeaflet = new Promise((resolve, reject) => {
      const css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = urls.css;
      document.head.appendChild(css);
      const script = document.createElement("script");
      script.src = urls.js;
      script.onload = () => { mark("leaflet"); resolve(window.L); };
      script.onerror = () => reject(new Error("Leaflet did not load from " + urls.js));
      document.head.appendChild(script);
    });
  }
  return window.__julLeaflet;
}

function unquantise(bbox, x, y) {
  const [west, south, east, north] = bbox;
  return [south + (y / 65535) * (north - south), west + (x / 65535) * (east - west)];
}

// Sites: world pixel coordinates at zoom 0 (Web Mercator, 256 px), computed once.
function prepareSites(layer) {
  if (layer.world) return layer;
  const { header, sections } = layer;
  const n = header.n;
  const wx = new Float64Array(n), wy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const [lat, lon] = unquantise(header.bbox, sections.x[i], sections.y[i]);
    wx[i] = 256 * (0.5 + lon / 360);
    const phi = (lat * Math.PI) / 180;
    wy[i] = 256 * (0.5 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / (2 * Math.PI));
  }
  layer.world = { wx, wy };
  return layer;
}

function areaLatLngs(layer) {
  const { header, sections } = layer;
  const features = [];
  let ring = 0, vertex = 0, polygons = [];
  for (const count of sections.parts) {
    if (count === -1) { features.push(polygons); polygons = []; continue; }
    const rings = [];
    for (let r = 0; r < count; r++, ring++) {
      const latlngs = [];
      for (let k = 0; k < sections.rings[ring]; k++, vertex++) {
        latlngs.push(unquantise(header.bbox, sections.x[vertex], sections.y[vertex]));
      }
      rings.push(latlngs);
    }
    polygons.push(rings);
  }
  return features;
}

function tipTable(rows) {
  // rows: [label, value]; built with textContent, so nothing from data is read as HTML.
  const table = document.createElement("table");
  for (const [label, value] of rows) {
    const tr = table.insertRow();
    const th = document.createElement("th");
    th.textContent = label;
    const td = tr.insertCell();
    tr.insertBefore(th, td);
    td.textContent = value;
    if (!label) { td.style.fontWeight = "700"; }
  }
  return table;
}

function unescapeText(text) {
  // HTML-escaped text back to plain text (then set with textContent, never as HTML).
  return new DOMParser().parseFromString(String(text), "text/html").body.textContent;
}

function bitsOf(mask) {
  // A base64 bit mask over the sites layer (null: every site).
  if (!mask) return null;
  const raw = atob(mask);
  const bits = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bits[i] = raw.charCodeAt(i);
  return bits;
}

function makeSiteCanvas(L) {
  return L.Canvas.extend({
    setSites(layer, spec) {
      // spec: the "sites" part of a view (lib/render/site_map.py _sites_spec). Each batch is
      // drawn with one style: by status, open sites by group (densest first), then closures
      // that were not losses (closed = 2), then losses (closed = 1) on top; by side, the
      // losses elsewhere, then those inside on top.
      this._sites = prepareSites(layer);
      this._spec = spec;
      const n = layer.header.n;
      const { group, closed } = layer.sections;
      const batches = [];
      if (spec.style === "side") {
        const outside = bitsOf(spec.outside), inside = bitsOf(spec.inside);
        const outs = [], ins = [];
        for (let i = 0; i < n; i++) {
          if (outside && (outside[i >> 3] & (1 << (i & 7)))) outs.push(i);
          else if (inside && (inside[i >> 3] & (1 << (i & 7)))) ins.push(i);
        }
        batches.push({ open: false, style: spec.out, idx: Uint32Array.from(outs) });
        batches.push({ open: false, style: spec.in, idx: Uint32Array.from(ins) });
        this._where = new Map();
        outs.forEach((i) => this._where.set(i, spec.where[1]));
        ins.forEach((i) => this._where.set(i, spec.where[0]));
      } else {
        const bits = bitsOf(spec.mask);
        this._where = null;
        const groups = spec.colours.length;
        const buckets = Array.from({ length: 3 * groups }, () => []);
        for (let i = 0; i < n; i++) {
          if (bits && !(bits[i >> 3] & (1 << (i & 7)))) continue;
          const g = group[i];
          if (g >= groups) continue;
          buckets[closed[i] * groups + g].push(i);
        }
        const withColour = (style, g) => ({ ...style, fill: style.fill || spec.colours[g] });
        for (const g of spec.draw_order) {
          batches.push({ open: true, group: g, style: withColour(spec.open, g),
                         idx: Uint32Array.from(buckets[g]) });
        }
        for (const [kind, style] of [[2, spec.not_lost], [1, spec.lost]]) {
          for (let g = 0; g < groups; g++) {
            batches.push({ open: false, group: g, style: withColour(style, g),
                           idx: Uint32Array.from(buckets[kind * groups + g]) });
          }
        }
      }
      this._batches = batches.filter((b) => b.idx.length);
      this._shownCount = this._batches.reduce((s, b) => s + b.idx.length, 0);
      if (this._map) this._redraw();
    },
    _draw() {
      L.Canvas.prototype._draw.call(this);
      if (!this._sites || !this._map || !this._bounds) return;
      const started = performance.now();
      const ctx = this._ctx, map = this._map, b = this._bounds;
      const scale = Math.pow(2, map.getZoom());
      const origin = map.getPixelOrigin(), ox = origin.x, oy = origin.y;
      const { wx, wy } = this._sites.world;
      const minX = b.min.x - 6, minY = b.min.y - 6, maxX = b.max.x + 6, maxY = b.max.y + 6;
      // Screen positions of what is drawn, in drawing order, for the tooltips' hit test.
      const cap = this._shownCount;
      const drawnX = new Float32Array(cap), drawnY = new Float32Array(cap);
      const drawnI = new Uint32Array(cap), drawnR = new Float32Array(cap);
      let k = 0;
      let inView = 0;
      for (const batch of this._batches) {
        const idx = batch.idx;
        for (let j = 0; j < idx.length; j++) {
          const i = idx[j], x = wx[i] * scale - ox, y = wy[i] * scale - oy;
          if (x >= minX && x <= maxX && y >= minY && y <= maxY) inView++;
        }
      }
      const dense = inView > DENSE_ABOVE;
      if (dense) {
        // Open sites as 2x2 pixel squares written straight into the canvas's pixels: one
        // pass, no path per site (canvas arcs for 300,000 sites take seconds on a laptop
        // without a GPU). Closed sites are still drawn as rings on top, below.
        const canvas = this._container, m = canvas.width / (b.max.x - b.min.x);
        const width = canvas.width, height = canvas.height;
        const image = ctx.createImageData(width, height);
        const pixels = new Uint32Array(image.data.buffer);
        for (const batch of this._batches) {
          if (!batch.open) continue;
          const hex = batch.style.fill;
          const colour = (255 << 24) | (parseInt(hex.slice(5, 7), 16) << 16)
            | (parseInt(hex.slice(3, 5), 16) << 8) | parseInt(hex.slice(1, 3), 16);
          const idx = batch.idx;
          for (let j = 0; j < idx.length; j++) {
            const i = idx[j], x = wx[i] * scale - ox, y = wy[i] * scale - oy;
            if (x < minX || x > maxX || y < minY || y > maxY) continue;
            const px = Math.round((x - b.min.x) * m), py = Math.round((y - b.min.y) * m);
            if (px < 1 || py < 1 || px >= width - 1 || py >= height - 1) continue;
            const at = py * width + px;
            pixels[at - width - 1] = pixels[at - width] = pixels[at - 1] = pixels[at] = colour;
            drawnX[k] = x; drawnY[k] = y; drawnI[k] = i; drawnR[k++] = 2;
          }
        }
        ctx.putImageData(image, 0, 0);
      }
      ctx.save();
      for (const batch of this._batches) {
        const style = batch.style, r = style.r;
        if (dense && batch.open) continue;
        ctx.beginPath();
        for (const i of batch.idx) {
          const x = wx[i] * scale - origin.x, y = wy[i] * scale - origin.y;
          if (x < minX || x > maxX || y < minY || y > maxY) continue;
          ctx.moveTo(x + r, y);
          ctx.arc(x, y, r, 0, 2 * Math.PI);
          drawnX[k] = x; drawnY[k] = y; drawnI[k] = i; drawnR[k++] = r;
        }
        ctx.globalAlpha = style.alpha;
        ctx.fillStyle = style.fill;
        ctx.fill();
        ctx.globalAlpha = 1;
        ctx.lineWidth = style.weight;
        ctx.strokeStyle = style.stroke;
        ctx.stroke();
      }
      ctx.restore();
      this._drawn = { x: drawnX.subarray(0, k), y: drawnY.subarray(0, k),
                      i: drawnI.subarray(0, k), r: drawnR.subarray(0, k) };
      this._dense = dense;
      const container = map.getContainer();
      container.dataset.julDrawn = String(k);
      container.dataset.julDense = dense ? "1" : "0";
      container.dataset.julDraws = String(Number(container.dataset.julDraws || 0) + 1);
      mark("first draw");
      log("drawn " + k + " in " + Math.round(performance.now() - started) + " ms");
    },
    hit(layerPoint) {
      const d = this._drawn;
      if (!d) return -1;
      for (let k = d.i.length - 1; k >= 0; k--) {  // the last drawn is on top
        const dx = d.x[k] - layerPoint.x, dy = d.y[k] - layerPoint.y, r = d.r[k] + 1;
        if (dx * dx + dy * dy <= r * r) return d.i[k];
      }
      return -1;
    },
  });
}

function declutter(map) {
  const labels = Array.from(map.getContainer().querySelectorAll(".jul-label"));
  labels.sort((a, b) => a.textContent.length - b.textContent.length);
  const shown = [];
  labels.forEach((el) => {
    el.style.visibility = "visible";
    const range = document.createRange();
    range.selectNodeContents(el);
    const r = range.getBoundingClientRect();
    const box = { l: r.left - 3, r: r.right + 3, t: r.top - 1, b: r.bottom + 1 };
    const hit = shown.some((o) => box.l < o.r && box.r > o.l && box.t < o.b && box.b > o.t);
    if (hit) el.style.visibility = "hidden"; else shown.push(box);
  });
}

class SiteMap {
  constructor(L, parent, spec, setTriggerValue) {
    this.L = L;
    this.setTriggerValue = setTriggerValue;
    this.div = document.createElement("div");
    this.div.className = "jul-map";
    // Which map this is (a count of maps made on the page): a test sees that an update
    // redrew the map in place rather than made a new one.
    window.__julMapsMade = (window.__julMapsMade || 0) + 1;
    this.div.dataset.julMade = String(window.__julMapsMade);
    parent.appendChild(this.div);
    this.div.style.height = spec.height + "px";
    const map = (this.map = L.map(this.div, { preferCanvas: true, zoomSnap: 0.25,
                                             attributionControl: true }));
    L.control.scale().addTo(map);
    map.createPane("julSites").style.zIndex = 450;
    const SiteCanvas = makeSiteCanvas(L);
    this.sites = new SiteCanvas({ pane: "julSites", padding: 0.1 });
    this.areas = L.canvas({ padding: 0.2 });
    this.areaGroups = new Map();  // by packed layer id: polygons built once, restyled per view
    this.labelGroups = new Map();
    this.policies = new Map();
    this.control = null;
    this.tiles = null;
    this.attributions = [];
    this.applied = {};
    this.tip = L.DomUtil.create("div", "jul-tip", this.div);
    this.tip.style.display = "none";
    map.on("mousemove", (e) => this.hover(e));
    map.on("mouseout", () => { this.tip.style.display = "none"; });
    map.on("zoomend moveend resize", () => declutter(map));
    map.on("resize", () => this.fitLegend());
    this.addLegend(spec);
    if (spec.save_view) this.addSaveView();
  }

  addLegend(spec) {
    const L = this.L, map = this.map, self = this;
    const legend = L.control({ position: "bottomleft" });
    legend.onAdd = function () {
      const div = L.DomUtil.create("div", "jul-legend");
      // A long legend scrolls: keyboard users reach its rows (WCAG 2.1.1).
      div.tabIndex = 0;
      div.setAttribute("role", "region");
      div.setAttribute("aria-label", "Map legend");
      const button = L.DomUtil.create("button", "jul-legend-toggle", div);
      button.type = "button";
      button.textContent = "Legend";
      self.legendBody = L.DomUtil.create("div", "jul-legend-body", div);
      if (map.getSize().x < spec.fold_below_px) div.classList.add("jul-folded");
      button.addEventListener("click", () => {
        div.classList.toggle("jul-folded");
        self.fitLegend();
      });
      L.DomEvent.disableClickPropagation(div);
      self.legendDiv = div;
      return div;
    };
    legend.addTo(map);
  }

  addSaveView() {
    const L = this.L, map = this.map, self = this;
    const control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      const button = L.DomUtil.create("button", "jul-save-view");
      button.type = "button";
      button.textContent = "Save view to link";
      button.title = "Put this map position into the page's link";
      L.DomEvent.disableClickPropagation(button);
      L.DomEvent.on(button, "click", () => {
        const c = map.getCenter();
        self.setTriggerValue("view", { center: { lat: c.lat, lng: c.lng }, zoom: map.getZoom(),
                                        t: Date.now() });
        button.textContent = "View saved to link";
      });
      return button;
    };
    control.addTo(map);
  }

  hover(e) {
    const i = this.sites.hit(e.layerPoint);
    if (i < 0) {
      this.tip.style.display = "none";
      this.div.classList.remove("jul-on-site");
      return;
    }
    const { header, sections } = this.sites._sites;
    const rows = [
      ["", sections.name[i]],
      ["Category", header.cats[sections.cat[i]]],
      ["Status", historyText(this.sites._sites, i)],
      ...(this.sites._where ? [["Where", this.sites._where.get(i)]] : []),
      ["Source", header.srcs[sections.src[i]]],
    ];
    this.tip.replaceChildren(tipTable(rows));
    this.tip.style.display = "block";
    const p = e.containerPoint, size = this.map.getSize();
    this.tip.style.left = Math.min(p.x + 12, size.x - this.tip.offsetWidth - 4) + "px";
    this.tip.style.top = Math.max(p.y - this.tip.offsetHeight - 8, 4) + "px";
    this.div.classList.add("jul-on-site");
  }

  buildAreas(layer) {
    // The boroughs or wards, one polygon each, with a tooltip whose label and value cells
    // each view fills in (text, never HTML).
    const L = this.L;
    const names = layer.sections.name;
    const group = { polygons: [], label: [], value: [], note: [], layer: L.featureGroup() };
    areaLatLngs(layer).forEach((latlngs, k) => {
      const polygon = L.polygon(latlngs, { renderer: this.areas });
      const rows = [["", names[k]]];
      if (layer.sections.borough) rows.push(["Borough", layer.sections.borough[k]]);
      rows.push([" ", ""], [" ", ""]);  // the measure and a note: each view fills them in
      const tip = tipTable(rows);
      const n = tip.rows.length;
      group.label.push(tip.rows[n - 2].cells[0]);
      group.value.push(tip.rows[n - 2].cells[1]);
      group.note.push(tip.rows[n - 1].cells[1]);
      polygon._julTipEl = tip;
      polygon.on("mouseover", () => { if (polygon.options.fill && polygon._julTip) polygon.setStyle({ weight: 2.5 }); });
      polygon.on("mouseout", () => { if (polygon._julWeight) polygon.setStyle({ weight: polygon._julWeight }); });
      group.polygons.push(polygon);
    });
    return group;
  }

  styleAreas(group, a) {
    // One view of an area layer: a choropleth's fills (null: that area not drawn) and tooltip
    // values, or outlines (a pale land fill with no basemap; the focus areas heavy).
    const label = a.label || "";
    const focus = new Set(a.focus || []), dashed = new Set(a.focus_dashed || []);
    group.polygons.forEach((polygon, k) => {
      const fill = a.fills ? a.fills[k] : null;
      const drawn = !a.fills || fill;
      const marked = focus.has(k) || dashed.has(k);
      const weight = marked ? 3 : a.weight;
      polygon._julWeight = weight;
      polygon._julTip = !!a.fills;
      // Outlines drawn over a fill must not take its hover (the canvas asks the top one).
      polygon.options.interactive = !!a.fills;
      if (!drawn) { group.layer.removeLayer(polygon); return; }
      polygon.setStyle({
        color: marked ? a.focus_colour : a.colour, weight, dashArray: dashed.has(k) ? "6 4" : null,
        fill: !!(a.fills || a.land), fillColor: fill || a.land || "#ffffff",
        fillOpacity: a.fills ? a.opacity : 0.9,
      });
      if (a.fills) {
        group.label[k].textContent = label;
        group.value[k].textContent = a.values[k];
        group.note[k].textContent = a.notes[k] || "";
        if (!polygon.getTooltip()) {
          polygon.bindTooltip(polygon._julTipEl, { sticky: true, className: "jul-area-tip" });
        }
      } else if (polygon.getTooltip()) {
        polygon.unbindTooltip();  // outlines only: nothing to say on hover
      }
      if (!group.layer.hasLayer(polygon)) group.layer.addLayer(polygon);
    });
  }

  buildLabels(layer) {
    const L = this.L, group = L.layerGroup(), names = layer.sections.name;
    (layer.header.labels || []).forEach(([lat, lon], k) => {
      const div = document.createElement("div");
      div.className = "jul-label";
      div.textContent = names[k];
      L.marker([lat, lon], { interactive: false, keyboard: false, icon: L.divIcon({
        className: "", html: div, iconSize: [120, 16], iconAnchor: [60, 8] }) }).addTo(group);
    });
    return group;
  }

  buildPolicy(layer, policy) {
    const L = this.L;
    const { name, classification } = layer.sections;
    const polygons = [];
    areaLatLngs(layer).forEach((latlngs, k) => {
      if (policy.classification && classification[k] !== policy.classification) return;
      polygons.push(L.polygon(latlngs, {
        renderer: this.areas, color: policy.colour, weight: policy.weight,
        fillColor: policy.colour, fillOpacity: policy.tint, dashArray: policy.dash,
      }).bindTooltip(tipTable([[policy.label, name[k]], ["", classification[k]]]),
                     { sticky: true, className: "jul-area-tip" }));
    });
    return L.featureGroup(polygons);
  }

  async update(spec) {
    const L = this.L, map = this.map;
    this.spec = spec;
    this.div.style.height = spec.height + "px";
    this.div.classList.toggle("jul-present", !!spec.present);
    this.div.style.background = spec.basemap ? "" : spec.background;
    // Basemap tiles.
    const tileUrl = spec.basemap ? spec.basemap.url : null;
    if (tileUrl !== (this.tiles && this.tiles._url)) {
      if (this.tiles) map.removeLayer(this.tiles);
      this.tiles = tileUrl ? L.tileLayer(tileUrl, { maxZoom: 19 }).addTo(map) : null;
      if (this.tilesFailed) this.tilesFailed.remove();
      this.tilesFailed = null;
      // No internet at a venue: say why the map is grey rather than leave it unexplained.
      if (this.tiles) this.tiles.on("tileerror", () => {
        if (this.tilesFailed) return;
        this.tilesFailed = L.DomUtil.create("div", "jul-tiles-failed", this.div);
        this.tilesFailed.setAttribute("role", "status");
        this.tilesFailed.textContent = spec.basemap.failed;
      });
    }
    // The legend (escaped by the server) before the framing, which goes beside or above it.
    if (spec.legend !== this.legendHtml) {  // unchanged on a wall's refresh: left alone
      this.legendBody.innerHTML = spec.legend;
      this.legendHtml = spec.legend;
      this.fitLegend();
    }
    // Where the map looks: a view saved in the link, else the chosen boroughs (or London).
    const view = JSON.stringify(spec.view), bounds = JSON.stringify(spec.bounds);
    if (view !== this.applied.view || (!spec.view && bounds !== this.applied.bounds)) {
      if (spec.view) {
        map.setView([spec.view.lat, spec.view.lon], spec.view.zoom);
      } else {
        let fitted = null;
        const fit = () => {
          map.invalidateSize();
          // The legend again: its styles may have arrived after it was first fitted (a
          // projector's larger type covered the zoom buttons by 5 px).
          this.fitLegend();
          const size = map.getSize();
          // The place beside the legend or above it, whichever frames it larger (a wide
          // two-column legend: above), never under it; a folded legend (a phone) is a button
          // in the corner: the place above it.
          const legend = this.legendDiv;
          const folded = !!legend && legend.classList.contains("jul-folded");
          const drawn = legend && legend.offsetWidth;
          const width = drawn ? legend.offsetWidth + 12 : spec.legend_pad;
          let pad = folded ? 10 : width, bottom = folded ? legend.offsetHeight + 16 : 10;
          if (!folded && drawn) {
            const zoom = (x, y) => map.getBoundsZoom(spec.bounds, false, L.point(x + 10, y));
            const above = legend.offsetHeight + 16;
            if (zoom(10, above) > zoom(width, 10)) [pad, bottom] = [10, above];
          }
          const key = `${size.x}x${size.y}:${pad}:${bottom}`;
          if (fitted === key) return;  // framed already so
          fitted = key;
          map.fitBounds(spec.bounds, { paddingTopLeft: [pad, 0],
                                       paddingBottomRight: [10, bottom], animate: false });
        };
        fit();
        setTimeout(fit, 250);  // the page may still be laying out, the legend being drawn
        setTimeout(fit, 1000);
      }
      this.applied.view = view;
      this.applied.bounds = bounds;
    }
    const attributions = [spec.attribution];  // escaped by the server
    if (spec.basemap) attributions.push(spec.basemap.attr);
    this.attributions.forEach((a) => map.attributionControl.removeAttribution(a));
    attributions.forEach((a) => map.attributionControl.addAttribution(a));
    this.attributions = attributions;

    // Areas: each packed layer built once, restyled for this view.
    const shownAreas = new Set();
    this.controlled = [];
    for (const a of spec.areas) {
      const layer = await whenLayer(a.layer);
      if (this.spec !== spec) return;  // a newer view arrived while waiting
      if (!this.areaGroups.has(a.layer)) this.areaGroups.set(a.layer, this.buildAreas(layer));
      const group = this.areaGroups.get(a.layer);
      this.styleAreas(group, a);
      if (!map.hasLayer(group.layer)) group.layer.addTo(map);
      shownAreas.add(a.layer);
      this.controlled.push([a.label || "Boundaries", group.layer]);
    }
    for (const [id, group] of this.areaGroups) {
      if (!shownAreas.has(id) && map.hasLayer(group.layer)) map.removeLayer(group.layer);
    }
    const shownLabels = new Set(spec.labels);
    for (const id of spec.labels) {
      const layer = await whenLayer(id);
      if (this.spec !== spec) return;
      if (!this.labelGroups.has(id)) this.labelGroups.set(id, this.buildLabels(layer));
      const group = this.labelGroups.get(id);
      if (!map.hasLayer(group)) group.addTo(map);
      this.controlled.push([layer.header.id.startsWith("wards") ? "Ward names" : "Borough names", group]);
    }
    for (const [id, group] of this.labelGroups) {
      if (!shownLabels.has(id) && map.hasLayer(group)) map.removeLayer(group);
    }

    const wanted = new Set(spec.policies.map((p) => p.key + "|" + p.tint));
    for (const [key, group] of this.policies) {
      if (!wanted.has(key) && map.hasLayer(group)) map.removeLayer(group);
    }
    for (const policy of spec.policies) {
      const key = policy.key + "|" + policy.tint;
      if (!this.policies.has(key)) {
        const layer = await whenLayer(policy.layer);
        if (this.spec !== spec) return;
        this.policies.set(key, this.buildPolicy(layer, policy));
      }
      const group = this.policies.get(key);
      if (!map.hasLayer(group)) group.addTo(map);
      this.controlled.push([policy.label, group]);
    }
    // Areas under everything else, in the spec's order (the last sent back goes bottom).
    for (const id of [...shownAreas].reverse()) this.areaGroups.get(id).layer.bringToBack();
    this.updateOverlays(spec);
    const points = spec.voluntary ? await whenLayer(spec.voluntary.layer) : null;
    if (this.spec !== spec) return;
    this.updateVoluntary(spec.voluntary, points);
    this.updateReports(spec);

    if (spec.sites) {
      const sites = await whenLayer(spec.sites_layer);
      if (this.spec !== spec) return;
      if (!map.hasLayer(this.sites)) map.addLayer(this.sites);
      this.sites.setSites(sites, spec.sites);
      this.controlled.push(["Sites", this.sites]);
      this.div.dataset.julShown = String(spec.sites.shown);
    } else {
      if (map.hasLayer(this.sites)) map.removeLayer(this.sites);
      map.getContainer().dataset.julDrawn = "0";  // drawn, with no sites (the needs maps)
    }
    this.updateControl();
    setTimeout(() => declutter(map), 50);
  }

  updateOverlays(spec) {
    // Layers drawn over the sites: the user's upload and the community-reported points. Their
    // text arrives HTML-escaped (as the folium maps need it) and is unescaped here, then set
    // as text. Each is built once per id and kept while the spec names it.
    const L = this.L, wanted = spec.overlays || [];
    this.overlays = this.overlays || new Map();
    for (const [id, overlay] of this.overlays) {
      if (!wanted.some((o) => o.id === id)) {
        this.map.removeLayer(overlay.layer);
        this.overlays.delete(id);
      }
    }
    if (!this.map.getPane("julOwn")) this.map.createPane("julOwn").style.zIndex = 460;
    for (const o of wanted) {
      if (this.overlays.has(o.id)) continue;
      const renderer = L.canvas({ pane: "julOwn", padding: 0.2 });
      const labels = o.labels.map(unescapeText);
      const style = (feature) => {
        const point = /Point/.test(feature.geometry.type);
        return { renderer, color: o.outline, weight: point ? o.weight : 2, fillColor: o.colour,
                 fillOpacity: point ? 1 : 0.35, dashArray: o.dash || null };
      };
      const layer = L.geoJSON(o.data, {
        style,
        pointToLayer: (feature, latlng) => L.circleMarker(latlng, { ...style(feature), radius: 6 }),
        onEachFeature: (feature, item) => {
          const p = feature.properties || {};
          const rows = labels.map((name, k) => [name, unescapeText(String(
            k === 0 ? p.row : (p["c" + (k - 1)] ?? "")))]);
          item.bindTooltip(tipTable(rows), { sticky: true });
        },
      }).addTo(this.map);
      this.overlays.set(o.id, { layer, control: o.control });
    }
  }

  updateVoluntary(v, layer) {
    // Food banks and mutual aid groups: a packed layer (lib/render/site_map.py
    // voluntary_layer, in drawing order) and the view's mask over it (null: all). Built once
    // per layer and mask, over the sites; tooltips set as text.
    const L = this.L, key = v ? v.layer + "|" + (v.mask || "") : null;
    if (this.voluntary && this.voluntary.key !== key) {
      this.map.removeLayer(this.voluntary.layer);
      this.voluntary = null;
    }
    if (!v) { delete this.div.dataset.julVoluntary; return; }
    if (!this.voluntary) {
      if (!this.map.getPane("julPoints")) this.map.createPane("julPoints").style.zIndex = 455;
      const renderer = L.canvas({ pane: "julPoints", padding: 0.2 });
      const { header, sections } = layer, bits = bitsOf(v.mask), markers = [];
      const tip = (k) => tipTable(header.tips.map((column, c) => [header.labels[c],
        column in header.values ? header.values[column][sections[column][k]] : sections[column][k]]));
      for (let k = 0; k < header.n; k++) {
        if (bits && !(bits[k >> 3] & (1 << (k & 7)))) continue;
        const st = header.styles[sections.style[k]];
        markers.push(L.circleMarker(unquantise(header.bbox, sections.x[k], sections.y[k]), {
          renderer, radius: st.r, color: st.stroke, weight: st.weight, fillColor: st.fill,
          fillOpacity: st.alpha,
        }).bindTooltip(() => tip(k), { sticky: true }));
      }
      this.voluntary = { key, layer: L.featureGroup(markers).addTo(this.map) };
      this.div.dataset.julVoluntary = String(markers.length);
    }
    this.controlled.push([v.control, this.voluntary.layer]);
  }

  updateReports(spec) {
    // A workshop room's reports (lib/render/site_map.py _reports_spec), redrawn alone when
    // they change: the wall refreshes every few seconds and the map, its frame and its
    // zoom stay as they are. Tooltips: escaped text from the server, set as text.
    const L = this.L, r = spec.reports;
    if (!r) {
      if (this.reports && this.map.hasLayer(this.reports)) this.map.removeLayer(this.reports);
      delete this.div.dataset.julReports;
      return;
    }
    if (!this.reports) {
      if (!this.map.getPane("julReports")) this.map.createPane("julReports").style.zIndex = 465;
      this.reportsRenderer = L.canvas({ pane: "julReports", padding: 0.2 });
      this.reports = L.featureGroup();
    }
    const key = JSON.stringify([r.points, r.tips, r.colours, r.style]);
    if (key !== this.reportsKey) {
      this.reports.clearLayers();
      const st = r.style;
      r.points.forEach(([lat, lon, kind], k) => {
        L.circleMarker([lat, lon], {
          renderer: this.reportsRenderer, radius: st.r, color: st.stroke, weight: st.weight,
          fillColor: r.colours[kind], fillOpacity: st.alpha,
        }).bindTooltip(() => tipTable([["", unescapeText(r.tips[k][0])],
                                         ["Report", unescapeText(r.tips[k][1])]]),
                       { sticky: true })
          .addTo(this.reports);
      });
      this.reportsKey = key;
      this.div.dataset.julReportDraws = String(Number(this.div.dataset.julReportDraws || 0) + 1);
    }
    if (!this.map.hasLayer(this.reports)) this.reports.addTo(this.map);
    this.div.dataset.julReports = String(r.points.length);
    this.controlled.push([r.control, this.reports]);
  }

  updateControl() {
    const L = this.L;
    if (this.control) this.control.remove();
    const overlays = [...this.controlled];
    for (const overlay of (this.overlays || new Map()).values()) overlays.push([overlay.control, overlay.layer]);
    // Labels of the layer control are HTML in Leaflet: escape them.
    const escaped = {};
    for (const [name, layer] of overlays) {
      const span = document.createElement("span");
      span.textContent = name;
      escaped[span.innerHTML] = layer;
    }
    this.control = L.control.layers(null, escaped, { collapsed: true }).addTo(this.map);
  }

  fitLegend() {
    const legend = this.legendDiv;
    if (!legend) return;
    legend.classList.remove("jul-compact", "jul-two-col");
    legend.style.maxHeight = "";
    legend.style.overflowY = "";
    if (!legend.classList.contains("jul-folded")) this.fitOpenLegend(legend);
    this.fitCredits(legend);
  }

  // The credits (bottom right) wrap in the room right of the legend or its button (bottom
  // left), never over it: on a phone in presentation mode they covered the Legend button.
  fitCredits(legend) {
    const credits = this.map.attributionControl && this.map.attributionControl.getContainer();
    if (!credits) return;
    const room = this.div.getBoundingClientRect().right - legend.getBoundingClientRect().right;
    credits.style.maxWidth = Math.max(120, Math.floor(room) - 14) + "px";
  }

  fitOpenLegend(legend) {
    // The legend grows up from the bottom left: it must stop under the zoom buttons and
    // inside the map, however many sections (a community layer, an upload) it holds.
    const zoom = this.map.zoomControl && this.map.zoomControl.getContainer();
    const limit = zoom ? zoom.getBoundingClientRect().bottom + 8
      : this.div.getBoundingClientRect().top + 8;
    const room = () => legend.getBoundingClientRect().bottom - limit;
    if (this.spec && this.spec.present && legend.offsetHeight > room()) {
      legend.classList.add("jul-compact");
    }
    // Two columns before a scroll bar, where the map is wide enough to spare them (a
    // projector's 720 px), so that every row of the legend stays in view.
    if (legend.offsetHeight > room()) {
      legend.classList.add("jul-two-col");
      if (legend.offsetWidth > this.map.getSize().x * 0.55) {
        legend.classList.remove("jul-two-col");
      }
    }
    if (legend.offsetHeight > room()) {
      // Columns under a height limit flow on into columns out of view, so a legend that
      // must scroll is one column.
      legend.classList.remove("jul-two-col");
      legend.style.maxHeight = Math.max(60, Math.floor(room())) + "px";
      legend.style.overflowY = "auto";  // scrolls rather than covers or is cut off
    }
  }
}

function render(component) {
  const { data, parentElement, setTriggerValue } = component;
  mark("first spec");
  log("spec " + data.shown);
  const host = parentElement;
  host.__julSpec = data;
  if (!host.__julMap) {
    host.__julMap = loadLeaflet(data.leaflet).then(
      (L) => new SiteMap(L, host, host.__julSpec, host.__julTrigger));
  }
  host.__julTrigger = setTriggerValue;
  host.__julMap.then((siteMap) => {
    siteMap.setTriggerValue = host.__julTrigger;
    if (host.__julSpec === data) return siteMap.update(data);
    return undefined;
  }).catch((error) => console.error(error));
  return () => {
    // Called when the element goes away, or when a newer view superseded this one before
    // it ran: keep the map unless the element really left the page.
    setTimeout(() => {
      if (!host.isConnected && host.__julMap) {
        host.__julMap.then((siteMap) => siteMap.map.remove());
        host.__julMap = null;
      }
    }, 0);
  };
}

// The map element's own script is a small shim (SHIM_JS in lib/render/site_map.py) that
// waits for this module, which the layer elements load (once per session).
window.__julSiteMapReady = window.__julSiteMapReady
  || new Promise((resolve) => { window.__julSiteMapResolve = resolve; });
if (window.__julSiteMapResolve) {
  window.__julSiteMapResolve({
    render,
    register(component) {
      if (component.data && isBytes(component.data)) register(component.data);
      return undefined;
    },
  });
}

export default function (component) {
  // This element brings the module (and the CSS), and starts loading Leaflet at once.
  if (component.data && component.data.leaflet) {
    loadLeaflet(component.data.leaflet).catch((error) => console.error(error));
  }
  return undefined;
}
