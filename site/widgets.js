// The static site's widget runtime: a few kB instead of the Jupyter widgets' HTML manager.
//
// Every widget of the book is an anywidget: an ES module whose default export is { render }
// (and optionally initialize), driven through a small model API. On the static site there is no
// kernel, so the model is a local store:
//   get(name), set(name, value) (fires "change:<name>" and "change" when the value changed, as
//   Backbone does), on(event, callback), off(event[, callback]), save_changes() and send()
//   (nothing to sync with: no-ops).
// site/vaebook_site.py writes each widget's saved state to a content-addressed JSON file and
// leaves on the page only a manifest, {"state": {model_id: {"href": ...}}}, in the
// application/vnd.jupyter.widget-state+json script. For each
// <script type="application/vnd.jupyter.widget-view+json"> this puts a <div class="widget-subarea">
// before the tag (where the HTML manager put it) and, when that div comes near the viewport
// (IntersectionObserver), fetches the state, imports the module (the import map resolves the
// shared "vaebook-widgets/esm-<hash>.js" names) and renders the widget into it. A manifest entry
// may instead hold the state itself ({"state": {...}}, as ipywidgets.embed saves it): that widget
// is rendered at once. Loaded as a
// module script, it never blocks the first paint.
const STATE = 'script[type="application/vnd.jupyter.widget-state+json"]';
const VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]';
const MARGIN = "600px 0px"; // start loading a widget this far before it scrolls into view

function same(a, b) {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

export class Model {
  constructor(state) {
    this._state = { ...state };
    this._handlers = new Map();
  }
  get(name) {
    return this._state[name];
  }
  set(name, value) {
    const old = this._state[name];
    this._state[name] = value;
    if (!same(old, value)) {
      this._emit(`change:${name}`, value);
      this._emit("change", value);
    }
  }
  on(event, callback) {
    if (!this._handlers.has(event)) this._handlers.set(event, new Set());
    this._handlers.get(event).add(callback);
  }
  off(event, callback) {
    if (!event) this._handlers.clear();
    else if (!callback) this._handlers.delete(event);
    else if (this._handlers.has(event)) this._handlers.get(event).delete(callback);
  }
  save_changes() {} // no kernel on the static site: nothing to sync
  send() {}
  _emit(event, value) {
    for (const cb of Array.from(this._handlers.get(event) || [])) cb(this, value);
  }
}

const fetched = new Map();
function fetchState(href) {
  if (!fetched.has(href)) {
    fetched.set(href, fetch(href).then((r) => {
      if (!r.ok) throw new Error(`HTTP ${r.status} for ${href}`);
      return r.json();
    }));
  }
  return fetched.get(href);
}

async function importWidget(esm) {
  const stub = /^export \{ default \} from "([^"]+)";\s*$/.exec(esm);
  if (stub) return import(stub[1]);
  const url = URL.createObjectURL(new Blob([esm], { type: "text/javascript" }));
  try {
    return await import(url);
  } finally {
    URL.revokeObjectURL(url);
  }
}

const styled = new Set();
function addStyle(css) { // a widget's own _css, when the page does not link it (anywidget does this)
  if (!css || styled.has(css)) return;
  styled.add(css);
  const style = document.createElement("style");
  style.textContent = css;
  document.head.appendChild(style);
}

async function show(entry, area) {
  const base = document.querySelector(STATE).baseURI;
  const state = entry.state || await fetchState(new URL(entry.href, base).href);
  addStyle(state._css);
  const module = await importWidget(state._esm);
  const widget = module.default || module;
  const model = new Model(state);
  if (typeof widget.initialize === "function") await widget.initialize({ model });
  const el = document.createElement("div");
  el.className = "vaebook-widget";
  area.replaceChildren(el);
  await widget.render({ model, el });
  area.classList.remove("vaebook-widget-pending");
}

function fail(area, id, err) {
  console.error(`vaebook widgets: widget ${id} could not be shown:`, err);
  area.classList.remove("vaebook-widget-pending");
  area.textContent = `Error displaying widget: ${err && err.message ? err.message : err}`;
}

export function start() {
  const manifest = document.querySelector(STATE);
  if (!manifest) return;
  const models = JSON.parse(manifest.textContent).state || {};
  const pending = new Map();
  const load = (area) => {
    const { id, entry } = pending.get(area);
    pending.delete(area);
    show(entry, area).catch((err) => fail(area, id, err));
  };
  const observer = "IntersectionObserver" in window
    ? new IntersectionObserver((seen) => {
      for (const e of seen) {
        if (e.isIntersecting && pending.has(e.target)) {
          observer.unobserve(e.target);
          load(e.target);
        }
      }
    }, { rootMargin: MARGIN })
    : null;
  for (const tag of document.querySelectorAll(VIEW)) {
    const id = JSON.parse(tag.textContent).model_id;
    const area = document.createElement("div");
    area.className = "widget-subarea vaebook-widget-pending";
    tag.parentNode.insertBefore(area, tag);
    const entry = models[id];
    if (!entry || !(entry.href || entry.state)) {
      fail(area, id, new Error("no saved state for this widget"));
      continue;
    }
    pending.set(area, { id, entry });
    if (observer && !entry.state) observer.observe(area);
    else load(area);
  }
}

start();
