// The front end of vaebook.widgets.live.LiveDecoder: latent sliders and the decoder's forward
// pass, in the browser, so the widget works on the static site without a kernel.
// Weights arrive base64-encoded (float64, little-endian, row-major): layers = [{W, b, n_in, n_out}].
//
// The decoder is the library's MLP (vaebook.model.decode): for every hidden layer
// h <- relu(h @ W + b), then a final dense layer; for a Bernoulli decoder the output goes
// through the sigmoid, written as 0.5 (1 + tanh(a / 2)) exactly as in NumPy. Weights arrive as
// the widget's traitlets: layers = [{W: row-major (n_in x n_out), b, n_in, n_out}, ...].
// All arithmetic is float64, so the result equals NumPy's to rounding (tests check 1e-12).
// Test hooks: the root element carries data-z and data-xhat after every update (tests/test_site.py
// and tests/test_live_widget.py read them).

import { controlRow, float64Of, formatNumber, widgetRoot } from "./common.js";

/** The layers with their weights as Float64Arrays (decode once, use for every slider move). */
export function loadLayers(layers) {
  return layers.map((l) => ({ ...l, W: float64Of(l.W), b: float64Of(l.b) }));
}

/** Decode one latent vector z (an array of numbers) with the given layers. */
export function decode(layers, likelihood, z) {
  if (!Array.isArray(layers) || layers.length === 0) throw new Error("decode: no layers");
  layers = loadLayers(layers);
  if (z.length !== layers[0].n_in) {
    throw new Error(`decode: z has ${z.length} entries, the decoder expects ${layers[0].n_in}`);
  }
  let h = Float64Array.from(z);
  for (let k = 0; k < layers.length; k++) {
    const { W, b, n_in, n_out } = layers[k];
    const out = new Float64Array(n_out);
    for (let j = 0; j < n_out; j++) out[j] = 0.0;
    for (let i = 0; i < n_in; i++) {
      const hi = h[i];
      const row = i * n_out;
      for (let j = 0; j < n_out; j++) out[j] += hi * W[row + j];
    }
    for (let j = 0; j < n_out; j++) {
      out[j] += b[j];
      if (k < layers.length - 1 && !(out[j] > 0.0)) out[j] = 0.0; // ReLU on hidden layers
    }
    h = out;
  }
  if (likelihood === "bernoulli") {
    for (let j = 0; j < h.length; j++) h[j] = 0.5 * (1.0 + Math.tanh(0.5 * h[j]));
  }
  return Array.from(h);
}

const SVG = "http://www.w3.org/2000/svg";

function svgEl(name, attrs) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

const fmt = (v) => formatNumber(v, 3);

/** The readout line for latent point ``z`` and decoded output ``x`` (the mirror of
 *  vaebook.widgets.live.LiveDecoder.readout_text). */
export function readoutText(z, x) {
  const shownX = x.length <= 4 ? `(${x.map(fmt).join(", ")})`
    : `mean pixel ${fmt(x.reduce((a, b) => a + b, 0) / x.length)}`;
  return `z = (${z.map(fmt).join(", ")})  \u2192  x\u0302 = ${shownX}`;
}

/** The point view: data points (grey) and the decoded point x_hat (red) on an SVG. */
function pointView(model, box) {
  const size = 240;
  const [x0, x1, y0, y1] = model.get("view");
  const sx = (x) => ((x - x0) / (x1 - x0)) * size;
  const sy = (y) => size - ((y - y0) / (y1 - y0)) * size;
  const svg = svgEl("svg", { width: size, height: size, viewBox: `0 0 ${size} ${size}`,
                             class: "live-plot", role: "img",
                             "aria-label": "decoded point x-hat over the training data" });
  svg.appendChild(svgEl("rect", { x: 0, y: 0, width: size, height: size, fill: "white",
                                  stroke: "#888" }));
  if (x0 < 0 && x1 > 0) svg.appendChild(svgEl("line", { x1: sx(0), x2: sx(0), y1: 0, y2: size, stroke: "#ddd" }));
  if (y0 < 0 && y1 > 0) svg.appendChild(svgEl("line", { x1: 0, x2: size, y1: sy(0), y2: sy(0), stroke: "#ddd" }));
  for (const [px, py] of model.get("points")) {
    svg.appendChild(svgEl("circle", { cx: sx(px), cy: sy(py), r: 1.6, fill: "#9a9a9a",
                                      "fill-opacity": 0.6 }));
  }
  const dot = svgEl("circle", { r: 6, fill: "#d62728", stroke: "black", "stroke-width": 1,
                                class: "live-xhat" });
  svg.appendChild(dot);
  box.appendChild(svg);
  return (x) => {
    const cx = Math.min(Math.max(sx(x[0]), 0), size);
    const cy = Math.min(Math.max(sy(x[1]), 0), size);
    dot.setAttribute("cx", cx.toFixed(2));
    dot.setAttribute("cy", cy.toFixed(2));
  };
}

/** The image view: x_hat as a grey-scale image (dark = probability/intensity near 1). */
function imageView(model, box) {
  const [rows, cols] = model.get("image_shape");
  const scale = Math.max(4, Math.floor(192 / Math.max(rows, cols)));
  const canvas = document.createElement("canvas");
  canvas.width = cols;
  canvas.height = rows;
  canvas.className = "live-plot live-image";
  canvas.style.width = `${cols * scale}px`;
  canvas.style.height = `${rows * scale}px`;
  canvas.style.imageRendering = "pixelated";
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", "decoded image x-hat");
  box.appendChild(canvas);
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(cols, rows);
  return (x) => {
    for (let p = 0; p < rows * cols; p++) {
      const v = Math.min(Math.max(x[p], 0), 1);
      const g = Math.round(255 * (1 - v));
      img.data[4 * p] = g;
      img.data[4 * p + 1] = g;
      img.data[4 * p + 2] = g;
      img.data[4 * p + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  };
}

function render({ model, el }) {
  const layers = loadLayers(model.get("layers"));
  const likelihood = model.get("likelihood");
  const zMax = model.get("z_max");
  const z = model.get("z").slice();

  const root = widgetRoot("vaebook-live-decoder", "live-title", model.get("title"));
  const controls = document.createElement("div");
  controls.className = "live-controls";
  const sliders = [];
  const labels = [];
  z.forEach((v, j) => {
    const input = document.createElement("input");
    Object.assign(input, { type: "range", min: -zMax, max: zMax, step: 0.01, value: v });
    input.className = "live-z";
    input.dataset.index = String(j);
    const { row, value } = controlRow("live-row", `z${j + 1}`, input, `latent coordinate z${j + 1}`,
                                      "live-z-value");
    controls.appendChild(row);
    sliders.push(input);
    labels.push(value);
  });
  const box = document.createElement("div");
  box.className = "live-box";
  const readout = document.createElement("div");
  readout.className = "live-readout";
  root.append(controls, box, readout);
  el.appendChild(root);

  const draw = model.get("image_shape").length === 2 ? imageView(model, box) : pointView(model, box);

  function update(fromModel) {
    const zNow = fromModel ? model.get("z").slice() : sliders.map((s) => Number(s.value));
    sliders.forEach((s, j) => {
      if (fromModel) s.value = String(zNow[j]);
      labels[j].textContent = fmt(zNow[j]);
    });
    const x = decode(layers, likelihood, zNow);
    draw(x);
    root.dataset.z = JSON.stringify(zNow);
    root.dataset.xhat = JSON.stringify(x);
    readout.textContent = readoutText(zNow, x);
    return [zNow, x];
  }

  const onInput = () => {
    const [zNow, x] = update(false);
    model.set("z", zNow);
    model.set("x_hat", x);
    model.save_changes(); // a no-op without a kernel (static page), a sync in JupyterLab
  };
  sliders.forEach((s) => s.addEventListener("input", onInput));
  const onModel = () => update(true);
  model.on("change:z", onModel);
  update(true);
  return () => model.off("change:z", onModel);
}

export default { render };
