// The front end of vaebook.widgets.figure.InteractiveFigure: controls, a static matplotlib
// background and the moving parts drawn over it on a canvas, in the same axes coordinates.
//
// Every number shown was computed by Python: the widget state holds, for every point of the
// controls' grid, the frame's numbers and arrays ("tables", base64 float64 or uint8). Moving a
// control looks the frame up; nothing here needs a kernel. The formulas evaluated here are the
// Gaussian density of a "curve" (curveValues), which tests/test_widgets.py holds equal to
// vaebook.gaussian.log_normal_diag, and z = mu + sigma * eps of a "pushforward". Settings off
// the grid (set from Python) arrive as "current", the frame Python computed for them.
//
// Test hooks: after every redraw the root element carries data-values and data-frames, and the
// properties __drawn (what drawFrame drew, in data coordinates), __frame (the frame shown) and
// __timings (milliseconds from each input event to the end of its redraw). tests/test_site.py,
// tests/test_widgets.py and benchmarks/bench_widgets.py read them; they cost one assignment.

import { bytesOf, controlRow, formatNumber, widgetRoot } from "./common.js";

const LOG_2PI = Math.log(2 * Math.PI);

/** Decode the widget's tables once: typed arrays per key. */
export function decodeTables(tables) {
  return tables.map((tab) => {
    const keys = {};
    for (const [k, enc] of Object.entries(tab.keys)) {
      const bytes = bytesOf(enc.data);
      const arr = enc.dtype === "f8"
        ? new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8)
        : bytes;
      const size = enc.shape.reduce((a, b) => a * b, 1);
      keys[k] = { arr, size, scalar: enc.shape.length === 0, shape: enc.shape };
    }
    return { controls: tab.controls, sizes: tab.sizes, keys };
  });
}

/** The frame at ``values`` ({control: value}), or null if a value is off its grid. */
export function lookup(decoded, controlSpecs, values) {
  const grids = Object.fromEntries(controlSpecs.map((c) => [c.name, c.grid]));
  const frame = {};
  for (const tab of decoded) {
    let flat = 0;
    for (let i = 0; i < tab.controls.length; i++) {
      const idx = grids[tab.controls[i]].indexOf(values[tab.controls[i]]);
      if (idx < 0) return null;
      flat = flat * tab.sizes[i] + idx;
    }
    for (const [k, e] of Object.entries(tab.keys)) {
      frame[k] = e.scalar ? e.arr[flat] : e.arr.subarray(flat * e.size, (flat + 1) * e.size);
    }
  }
  return frame;
}

/** y = scale * sum_k w_k N(a x + c; m_k, v_k), the mirror of vaebook.widgets.artists.curve_values. */
export function curveValues(x, p) {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const u = p.a * x[i] + p.c;
    let s = 0.0;
    for (let k = 0; k < p.means.length; k++) {
      const d = u - p.means[k];
      s = s + p.weights[k] * Math.exp(-0.5 * (LOG_2PI + Math.log(p.vars[k]) + (d * d) / p.vars[k]));
    }
    y[i] = p.scale * s;
  }
  return y;
}

function ref(r, frame) {
  if (Array.isArray(r) && r.some((v) => typeof v === "string")) return r.map((v) => Number(ref(v, frame)));
  return typeof r === "string" ? frame[r] : r;
}

/** A number, a typed array or a (nested) list as a flat array-like of numbers. */
function flat(v) {
  if (ArrayBuffer.isView(v)) return v;
  return Array.isArray(v) ? v.flat(Infinity) : [Number(v)];
}

/** The mixture numbers of a curve artist in this frame. */
export function curveParams(art, frame) {
  const n = (r) => Number(ref(r, frame));
  return { a: n(art.a), c: n(art.c), scale: n(art.scale), weights: art.weights.map(n),
           means: art.means.map(n), vars: art.vars.map(n) };
}

/** The points z = shift + scale * base of a pushforward (z = mu + sigma * eps). */
export function pushforward(art, frame) {
  const shift = Number(ref(art.shift, frame)), scale = Number(ref(art.scale, frame));
  return art.base.map((e) => shift + scale * e);
}

/** The readout line: "name = value   name = value ...". */
export function readoutText(spec, frame) {
  return spec.map(([name, key, d]) => `${name} = ${formatNumber(Number(frame[key]), d)}`).join("   ");
}

// ------------------------------------------------------------------------------------------------
// Drawing
// ------------------------------------------------------------------------------------------------
function transform(box) {
  const fx = box.xlog ? Math.log10 : (v) => v;
  const fy = box.ylog ? Math.log10 : (v) => v;
  const [x0, x1] = box.xlim.map(fx);
  const [y0, y1] = box.ylim.map(fy);
  return {
    x: (v) => box.x0 + ((fx(v) - x0) / (x1 - x0)) * box.w,
    y: (v) => box.y0 + (1 - (fy(v) - y0) / (y1 - y0)) * box.h,
  };
}

function marker(ctx, kind, px, py, size, st, pt) {
  const r = (size * pt) / 2;
  ctx.beginPath();
  if (kind === "s") ctx.rect(px - r, py - r, 2 * r, 2 * r);
  else ctx.arc(px, py, r, 0, 2 * Math.PI);
  if (st.mfc !== "none") { ctx.fillStyle = st.mfc; ctx.fill(); }
  if (st.mew > 0) { ctx.lineWidth = st.mew * pt; ctx.strokeStyle = st.mec; ctx.stroke(); }
}

function polyline(ctx, xs, ys, tr, st, pt) {
  ctx.globalAlpha = st.alpha;
  if (st.line && xs.length > 1) {
    ctx.beginPath();
    for (let i = 0; i < xs.length; i++) {
      const px = tr.x(xs[i]), py = tr.y(ys[i]);
      if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
    }
    ctx.lineWidth = st.lw * pt;
    ctx.strokeStyle = st.color;
    ctx.setLineDash(st.dashes.map((d) => d * pt));
    ctx.lineJoin = "round";
    ctx.lineCap = "butt";
    ctx.stroke();
    ctx.setLineDash([]);
  }
  if (st.marker) {
    for (let i = 0; i < xs.length; i++) marker(ctx, st.marker, tr.x(xs[i]), tr.y(ys[i]), st.ms, st, pt);
  }
  ctx.globalAlpha = 1;
}

// One function per kind of moving part (vaebook.widgets.artists): each draws ``art`` of
// ``frame`` with the axes transform ``tr`` and returns what it drew, in data coordinates.
const DRAW = {
  line(ctx, art, frame, tr, box, pt) {
    let xs, ys;
    if (art.xy !== null) {
      const xy = flat(ref(art.xy, frame));
      xs = []; ys = [];
      for (let i = 0; i < xy.length; i += 2) { xs.push(xy[i]); ys.push(xy[i + 1]); }
    } else {
      xs = Array.from(flat(ref(art.x, frame)));
      ys = Array.from(flat(ref(art.y, frame)));
    }
    polyline(ctx, xs, ys, tr, art.style, pt);
    return { x: xs, y: ys };
  },
  curve(ctx, art, frame, tr, box, pt) {
    const ys = curveValues(art.x, curveParams(art, frame));
    if (art.fill) {
      ctx.globalAlpha = art.style.alpha;
      ctx.beginPath();
      ctx.moveTo(tr.x(art.x[0]), tr.y(0));
      for (let i = 0; i < ys.length; i++) ctx.lineTo(tr.x(art.x[i]), tr.y(ys[i]));
      ctx.lineTo(tr.x(art.x[art.x.length - 1]), tr.y(0));
      ctx.closePath();
      ctx.fillStyle = art.style.color;
      ctx.fill();
      ctx.globalAlpha = 1;
    } else {
      polyline(ctx, art.x, ys, tr, art.style, pt);
    }
    return { x: art.x, y: Array.from(ys) };
  },
  bars(ctx, art, frame, tr) {
    const hs = flat(ref(art.heights, frame));
    ctx.globalAlpha = art.alpha;
    ctx.fillStyle = art.color;
    for (let i = 0; i < art.left.length; i++) {
      const xa = tr.x(art.left[i]), xb = tr.x(art.left[i] + art.width);
      const ya = tr.y(0), yb = tr.y(hs[i]);
      ctx.fillRect(xa, Math.min(ya, yb), xb - xa, Math.abs(ya - yb));
    }
    ctx.globalAlpha = 1;
    return { heights: Array.from(hs) };
  },
  scatter(ctx, art, frame, tr, box, pt) {
    const xy = flat(ref(art.xy, frame));
    const r = (Math.sqrt(art.size) * pt) / 2;
    for (let i = 0; i < xy.length / 2; i++) {
      ctx.beginPath();
      ctx.arc(tr.x(xy[2 * i]), tr.y(xy[2 * i + 1]), r, 0, 2 * Math.PI);
      ctx.fillStyle = art.colors[i];
      ctx.fill();
    }
    return { xy: Array.from(xy) };
  },
  image(ctx, art, frame, tr, box) {
    const grey = flat(ref(art.grey, frame));
    const [y0, y1] = box.ylim, [x0, x1] = box.xlim;
    const rows = Math.round(Math.abs(y0 - y1)), cols = Math.round(Math.abs(x1 - x0));
    const off = document.createElement("canvas");
    off.width = cols; off.height = rows;
    const octx = off.getContext("2d");
    const img = octx.createImageData(cols, rows);
    for (let p = 0; p < rows * cols; p++) {
      img.data[4 * p] = img.data[4 * p + 1] = img.data[4 * p + 2] = grey[p];
      img.data[4 * p + 3] = 255;
    }
    octx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(off, box.x0, box.y0, box.w, box.h);
    return { grey: Array.from(grey) };
  },
  pushforward(ctx, art, frame, tr, box, pt) {
    const z = pushforward(art, frame);
    ctx.globalAlpha = 0.7;
    ctx.strokeStyle = art.line_color;
    ctx.lineWidth = 0.6 * pt;
    ctx.beginPath();
    art.base.forEach((e, i) => { ctx.moveTo(tr.x(e), tr.y(art.y0)); ctx.lineTo(tr.x(z[i]), tr.y(art.y1)); });
    ctx.stroke();
    ctx.globalAlpha = 1;
    ctx.fillStyle = art.color;
    const r = (Math.sqrt(art.size) * pt) / 2;
    for (const v of z) { ctx.beginPath(); ctx.arc(tr.x(v), tr.y(art.y1), r, 0, 2 * Math.PI); ctx.fill(); }
    return { z };
  },
  errorbar(ctx, art, frame, tr, box, pt) {
    const y = Number(ref(art.y, frame)), e = art.times * Number(ref(art.err, frame));
    polyline(ctx, [art.x, art.x], [y - e, y + e], tr, { ...art.style, marker: "" }, pt);
    polyline(ctx, [art.x], [y], tr, { ...art.style, line: false }, pt);
    return { x: art.x, y, err: e };
  },
};

/** The kinds of moving part this front end draws (Python's artists must be among them). */
export const KINDS = Object.keys(DRAW);

/** Draw every moving part of ``frame``; return what was drawn (data coordinates), for tests. */
function drawFrame(ctx, artists, boxes, frame, pt) {
  const drawn = [];
  for (const art of artists) {
    const draw = DRAW[art.kind];
    if (draw === undefined) throw new Error(`figure.js: no drawing for a moving part of kind ${art.kind}`);
    const box = boxes[art.axis];
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.x0, box.y0, box.w, box.h);
    ctx.clip();
    drawn.push(draw(ctx, art, frame, transform(box), box, pt));
    ctx.restore();
  }
  return drawn;
}

function render({ model, el }) {
  const specs = model.get("control_specs");
  const artists = model.get("artists");
  const boxes = model.get("axes_boxes");
  const [width, height, dpi] = model.get("size");
  const pt = dpi / 72; // pixels per point
  const readoutSpec = model.get("readout_spec");
  const decoded = decodeTables(model.get("tables"));
  let values = { ...model.get("value") };

  const title = model.get("title");
  const root = widgetRoot("vaebook-figure", "vf-title", title);
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", title || "interactive figure");
  const controls = document.createElement("div");
  controls.className = "vf-controls";
  const inputs = {};
  const valueTexts = {};
  for (const c of specs) {
    let input;
    if (c.kind === "slider") {
      input = document.createElement("input");
      Object.assign(input, { type: "range", min: 0, max: c.grid.length - 1, step: 1 });
    } else {
      input = document.createElement("select");
      c.texts.forEach((text, i) => {
        const o = document.createElement("option");
        o.value = String(i);
        o.textContent = text;
        input.appendChild(o);
      });
    }
    input.className = "vf-control";
    input.dataset.name = c.name;
    const { row, value } = controlRow("vf-row", c.label, input, c.label,
                                      c.kind === "slider" ? "vf-value" : null);
    if (value) valueTexts[c.name] = value;
    controls.appendChild(row);
    inputs[c.name] = input;
  }
  const plot = document.createElement("div");
  plot.className = "vf-plot";
  plot.style.maxWidth = `${width}px`;
  const img = document.createElement("img");
  img.src = model.get("background");
  img.alt = model.get("alt");
  img.width = width;
  img.height = height;
  const canvas = document.createElement("canvas");
  const dpr = Math.max(1, Math.min(3, globalThis.devicePixelRatio || 1));
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.setAttribute("aria-hidden", "true");
  plot.append(img, canvas);
  const readout = document.createElement("div");
  readout.className = "vf-readout";
  readout.setAttribute("aria-live", "polite");
  root.append(controls, plot, readout);
  el.appendChild(root);
  const ctx = canvas.getContext("2d");
  root.__timings = [];
  let count = 0;

  function syncControls() {
    for (const c of specs) {
      const v = values[c.name];
      let i = c.grid.indexOf(v);
      if (i < 0) { // off the grid (set from Python): the nearest grid point
        let best = Infinity;
        c.grid.forEach((g, k) => { if (Math.abs(g - v) < best) { best = Math.abs(g - v); i = k; } });
      }
      inputs[c.name].value = String(i);
      if (c.kind === "slider") {
        const text = c.grid[i] === v ? c.texts[i] : formatNumber(v, 2);
        valueTexts[c.name].textContent = text;
        const input = inputs[c.name];
        input.setAttribute("aria-valuetext", String(v));
        input.setAttribute("aria-valuemin", String(c.grid[0]));
        input.setAttribute("aria-valuemax", String(c.grid[c.grid.length - 1]));
        input.setAttribute("aria-valuenow", String(v));
      }
    }
  }

  function show() {
    let frame = lookup(decoded, specs, values);
    if (frame === null) frame = { ...model.get("current") }; // off the grid: Python's frame
    Object.assign(frame, values);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    root.__drawn = drawFrame(ctx, artists, boxes, frame, pt);
    root.__frame = frame;
    readout.textContent = readoutText(readoutSpec, frame);
    root.dataset.values = JSON.stringify(values);
    root.dataset.frames = String(++count);
  }

  function onInput(ev) {
    const c = specs.find((s) => s.name === ev.target.dataset.name);
    values = { ...values, [c.name]: c.grid[Number(ev.target.value)] };
    syncControls();
    show();
    root.__timings.push(performance.now() - ev.timeStamp);
    model.set("value", { ...values });
    model.save_changes(); // a no-op on the static page; the kernel's shown follows in JupyterLab
  }
  for (const input of Object.values(inputs)) {
    input.addEventListener(input.tagName === "SELECT" ? "change" : "input", onInput);
  }
  const onModel = () => {
    const v = model.get("value");
    if (JSON.stringify(v) !== JSON.stringify(values)) { values = { ...v }; syncControls(); show(); }
  };
  const onCurrent = () => { if (lookup(decoded, specs, values) === null) show(); };
  model.on("change:value", onModel);
  model.on("change:current", onCurrent);
  syncControls();
  show();
  return () => { model.off("change:value", onModel); model.off("change:current", onCurrent); };
}

export default { render };
