// The front end of vaebook.widgets.playground.Playground: the running example trained live in
// the reader's browser, by the engine of playground_engine.js (held equal to vaebook.train), in
// slices of a few milliseconds per animation frame so the page stays responsive.
import { Adam, Generator, Run, SGD, decoderLayers, initParams, makeConfig, makeMixture,
         useZigguratWidths } from "./playground_engine.js";
import { decode } from "./live.js";

const PG_BUDGET_MS = 6;         // training time per slice (one task of the main thread)
const PG_REDRAW_MS = 100;       // the views are redrawn at most this often while training
const PG_PRIOR_DRAWS = 400;     // decoded draws from the prior shown over the data
const PG_DATA_SEED = 0;         // the book's data: make_mixture(n, default_rng(0))
const PG_PRIOR_SEED = 7;

const PG_PALETTE = {
  light: { recon: "#D55E00", kl: "#0072B2", total: "#555555", model: "#D55E00", data: "#999999",
           clusters: ["#0072B2", "#E69F00", "#009E73", "#CC79A7"] },
  dark: { recon: "#F07F3C", kl: "#56B4E9", total: "#BBBBBB", model: "#F07F3C", data: "#8A8A8A",
          clusters: ["#56B4E9", "#E69F00", "#2BC89A", "#E39ACB"] },
};

/** A Float64Array from base64 of its little-endian bytes. */
function pgF64(text) {
  const bin = atob(text), bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float64Array(bytes.buffer);
}

function pgEl(tag, attrs = {}, text = null) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else e.setAttribute(k, String(v));
  }
  if (text !== null) e.textContent = text;
  return e;
}

function pgFmt(v, d = 3) {
  return (v < 0 ? "\u2212" : "") + Math.abs(v).toFixed(d);
}

/** Whether the widget shows light text on a dark background. Decided by its own text colour,
 * which it inherits: pydata-sphinx-theme's dark mode puts widget output on a light card (dark
 * text), JupyterLab's dark theme does not (light text). */
function pgIsDark(root) {
  const m = getComputedStyle(root).color.match(/\d+(\.\d+)?/g);
  if (!m) return false;
  const [r, g, b] = m.map(Number);
  return 0.299 * r + 0.587 * g + 0.114 * b > 140;
}

/** A plot: a canvas sized to its box, with data-to-pixel maps and axes in the text colour. */
function pgPlot(canvas, root, xr, yr, { xlabel, ylabel, xticks, yticks }) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 200, h = canvas.clientHeight || 170;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const fg = getComputedStyle(root).color;
  const L = 38, R = 8, T = 8, B = 30;
  const sx = (x) => L + ((x - xr[0]) / (xr[1] - xr[0])) * (w - L - R);
  const sy = (y) => h - B - ((y - yr[0]) / (yr[1] - yr[0])) * (h - T - B);
  ctx.font = "11px sans-serif";
  ctx.fillStyle = fg;
  ctx.strokeStyle = fg;
  ctx.globalAlpha = 0.25;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const t of xticks) { ctx.moveTo(sx(t), T); ctx.lineTo(sx(t), h - B); }
  for (const t of yticks) { ctx.moveTo(L, sy(t)); ctx.lineTo(w - R, sy(t)); }
  ctx.stroke();
  ctx.globalAlpha = 1;
  ctx.strokeRect(L, T, w - L - R, h - T - B);
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const t of xticks) ctx.fillText(pgTick(t), sx(t), h - B + 3);
  ctx.fillText(xlabel, L + (w - L - R) / 2, h - 13);
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const t of yticks) ctx.fillText(pgTick(t), L - 3, sy(t));
  ctx.save();
  ctx.translate(10, T + (h - T - B) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center";
  ctx.fillText(ylabel, 0, 0);
  ctx.restore();
  ctx.save();
  ctx.beginPath();
  ctx.rect(L, T, w - L - R, h - T - B);
  ctx.clip();
  return { ctx, sx, sy, done: () => ctx.restore() };
}

function pgTick(t) {
  const s = Math.abs(t) >= 100 || Number.isInteger(t) ? String(Math.round(Math.abs(t))) : String(Math.abs(t));
  return (t < 0 ? "\u2212" : "") + s;
}

function pgTicks(lo, hi, n = 4) {
  const raw = (hi - lo) / n, p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * p).find((s) => s >= raw);
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) out.push(Math.round(t * 1e6) / 1e6);
  return out;
}

function pgDots(plot, xy, n, color, r, groups = null, which = 0) {
  const { ctx, sx, sy } = plot;
  ctx.fillStyle = color;
  ctx.beginPath();
  for (let i = 0; i < n; i++) {
    if (groups && groups[i] !== which) continue;
    ctx.rect(sx(xy[2 * i]) - r, sy(xy[2 * i + 1]) - r, 2 * r, 2 * r);
  }
  ctx.fill();
}

const PG_CONTROLS = [
  { name: "beta", label: "\u03b2 (weight of the KL term)", kind: "range", min: 0, max: 12, step: 0.25 },
  { name: "sigma2", label: "decoder variance \u03c3\u2093\u00b2", kind: "select",
    options: [["0.1", 0.1], ["0.25", 0.25], ["0.5", 0.5], ["1", 1], ["2", 2], ["learned", "learned"]] },
  { name: "optimizer", label: "optimiser", kind: "select", options: [["SGD", "sgd"], ["Adam", "adam"]] },
  { name: "lr", label: "learning rate", kind: "select",
    options: [["0.001", 0.001], ["0.003", 0.003], ["0.01", 0.01], ["0.03", 0.03], ["0.1", 0.1]] },
  { name: "hidden", label: "hidden units per layer", kind: "select",
    options: [["4", 4], ["8", 8], ["16", 16], ["32", 32], ["64", 64]] },
  { name: "seed", label: "training seed", kind: "number", min: 0, max: 9999, step: 1 },
];

function render({ model, el }) {
  const root = pgEl("div", { class: "vaebook-playground", role: "group",
                             "aria-label": "Train the VAE in the browser" });
  const title = model.get("title");
  if (title) root.appendChild(pgEl("div", { class: "pg-title" }, title));

  // ---- buttons and status
  const bar = pgEl("div", { class: "pg-buttons" });
  const startBtn = pgEl("button", { type: "button", class: "pg-start", "aria-pressed": "false" }, "Train");
  const stepBtn = pgEl("button", { type: "button", class: "pg-step" }, "One epoch");
  const resetBtn = pgEl("button", { type: "button", class: "pg-reset" }, "Reset");
  const status = pgEl("span", { class: "pg-status", role: "status", "aria-live": "polite" });
  bar.append(startBtn, stepBtn, resetBtn, status);

  // ---- controls
  const controls = pgEl("div", { class: "pg-controls" });
  const inputs = {};
  const uid = Math.random().toString(36).slice(2, 8);
  for (const c of PG_CONTROLS) {
    const id = `pg-${uid}-${c.name}`;
    const row = pgEl("div", { class: "pg-row" });
    const label = pgEl("label", { for: id }, c.label);
    let input;
    if (c.kind === "select") {
      input = pgEl("select", { id, class: `pg-control pg-${c.name}` });
      for (const [text, value] of c.options) {
        const o = pgEl("option", { value: String(value) }, text);
        input.appendChild(o);
      }
    } else {
      input = pgEl("input", { id, class: `pg-control pg-${c.name}`, type: c.kind, min: c.min,
                              max: c.max, step: c.step });
    }
    input.dataset.name = c.name;
    input.setAttribute("data-lm-suppress-shortcuts", "true"); // keep JupyterLab off the keys
    row.append(label, input);
    if (c.kind === "range") {
      const out = pgEl("output", { class: "pg-value", for: id, "aria-hidden": "true" });
      row.appendChild(out);
      input.__out = out;
    }
    controls.appendChild(row);
    inputs[c.name] = input;
  }

  // ---- readout and views
  const readout = pgEl("div", { class: "pg-readout" });
  const views = pgEl("div", { class: "pg-views" });
  const view = (cls, caption) => {
    const fig = pgEl("figure", { class: `pg-view ${cls}` });
    const canvas = pgEl("canvas", { role: "img", "aria-label": caption });
    fig.append(canvas, pgEl("figcaption", {}, caption));
    views.appendChild(fig);
    return canvas;
  };
  const lossCanvas = view("pg-loss", "Loss per epoch: reconstruction and KL, in nats per point");
  const meanCanvas = view("pg-means", "Encoder means \u03bc(x) of the data, coloured by cluster");
  const priorCanvas = view("pg-prior", "Decoded draws from the prior (colour) over the data (grey)");
  const klCanvas = view("pg-kl", "KL of each latent dimension, in nats per point");
  const note = pgEl("div", { class: "pg-note" });
  root.append(bar, controls, readout, views, note);
  el.appendChild(root);

  // ---- state
  useZigguratWidths(pgF64(model.get("zig_wi")));   // NumPy's normals, bit for bit
  const n = model.get("n_points"), epochsTarget = model.get("epochs");
  const data = makeMixture(n, new Generator(PG_DATA_SEED));
  const priorZ = new Generator(PG_PRIOR_SEED).normals(2 * PG_PRIOR_DRAWS);
  note.textContent = model.get("note");
  let run = null, running = false, rafId = 0, stats = null;

  function settings() {
    const s = {};
    for (const c of PG_CONTROLS) s[c.name] = model.get(c.name);
    return s;
  }

  function showSettings() {
    const s = settings();
    for (const c of PG_CONTROLS) {
      const input = inputs[c.name];
      input.value = String(s[c.name]);
      if (input.__out) input.__out.textContent = pgFmt(s[c.name], 2);
    }
  }

  function newRun() {
    const s = settings();
    const config = makeConfig({ D: 2, J: 2, encHidden: [s.hidden], decHidden: [s.hidden],
                                sigma2: s.sigma2, initScale: model.get("init_scale") });
    const params = initParams(config, new Generator(s.seed));
    const optimizer = s.optimizer === "adam" ? new Adam(s.lr) : new SGD(s.lr);
    run = new Run({ config, params, X: data.X, n, batchSize: model.get("batch_size"), optimizer,
                    rng: new Generator(s.seed + 1), beta: s.beta });
    root.__run = run;
    stats = { frames: 0, maxWorkMs: 0, trainMs: 0, steps: 0, works: [], draws: [], doneAt: 0 };
    root.__stats = stats;
  }

  function sigma2Now() {
    const c = run.config;
    if (!c.learned) return [c.sigma2, c.sigma2];
    return [0, 1].map((d) => Math.exp(run.params[c.logS2 + d]));
  }

  function draw() {
    const dark = pgIsDark(root), pal = dark ? PG_PALETTE.dark : PG_PALETTE.light;
    root.dataset.theme = dark ? "dark" : "light";
    const h = run.history, E = run.epoch;
    // loss curves
    const xmax = Math.max(epochsTarget, E);
    let ymax = 1;   // the first epochs' large loss may run off the top once training has settled
    for (let e = E > 20 ? 2 : 0; e < E; e++) ymax = Math.max(ymax, 1.3 * h.recon[e], 1.3 * h.kl[e]);
    ymax = Math.min(ymax, 50);
    const lp = pgPlot(lossCanvas, root, [0, xmax], [0, ymax * 1.05],
                      { xlabel: "epoch", ylabel: "nats per point", xticks: pgTicks(0, xmax),
                        yticks: pgTicks(0, ymax) });
    for (const [key, color] of [["recon", pal.recon], ["kl", pal.kl]]) {
      lp.ctx.strokeStyle = color;
      lp.ctx.lineWidth = 2;
      lp.ctx.beginPath();
      for (let e = 0; e < E; e++) {
        const px = lp.sx(e + 1), py = lp.sy(h[key][e]);
        if (e === 0) lp.ctx.moveTo(px, py); else lp.ctx.lineTo(px, py);
      }
      lp.ctx.stroke();
    }
    lp.done();
    pgLegend(lossCanvas, [["reconstruction", pal.recon], ["KL", pal.kl]]);
    // encoder means
    const mu = run.trainer.encodeMeans(data.X, n);
    let zmax = 3;
    for (let i = 0; i < 2 * n; i++) if (Number.isFinite(mu[i])) zmax = Math.max(zmax, Math.abs(mu[i]));
    zmax = Math.min(Math.ceil(zmax), 20);
    const zt = pgTicks(-zmax, zmax);
    const mp = pgPlot(meanCanvas, root, [-zmax, zmax], [-zmax, zmax],
                      { xlabel: "\u03bc\u2081", ylabel: "\u03bc\u2082", xticks: zt, yticks: zt });
    pal.clusters.forEach((color, k) => pgDots(mp, mu, n, color, 1.2, data.labels, k));
    mp.done();
    // decoded prior draws over the data, with live.js's decoder
    const layers = decoderLayers(run.config, run.params);
    const xs = new Float64Array(2 * PG_PRIOR_DRAWS);
    for (let i = 0; i < PG_PRIOR_DRAWS; i++) {
      const x = decode(layers, "gaussian", [priorZ[2 * i], priorZ[2 * i + 1]]);
      xs[2 * i] = x[0]; xs[2 * i + 1] = x[1];
    }
    const xt = pgTicks(-4, 4);
    const pp = pgPlot(priorCanvas, root, [-4.5, 4.5], [-4.5, 4.5],
                      { xlabel: "x\u2081", ylabel: "x\u2082", xticks: xt, yticks: xt });
    pgDots(pp, data.X, n, pal.data, 0.9);
    pgDots(pp, xs, PG_PRIOR_DRAWS, pal.model, 1.5);
    pp.done();
    // per-dimension KL
    const kd = E ? h.klDims[E - 1] : [0, 0];
    const kmax = Math.max(1, ...kd.filter(Number.isFinite));
    const kp = pgPlot(klCanvas, root, [0, 2], [0, kmax * 1.1],
                      { xlabel: "latent dimension", ylabel: "KL (nats)", xticks: [], yticks: pgTicks(0, kmax) });
    kd.forEach((v, j) => {
      kp.ctx.fillStyle = pal.clusters[0];
      const top = kp.sy(Math.max(0, Math.min(v, kmax * 1.1)));
      kp.ctx.fillRect(kp.sx(j + 0.2), top, kp.sx(0.6) - kp.sx(0), kp.sy(0) - top);
      kp.ctx.fillStyle = getComputedStyle(root).color;
      kp.ctx.textAlign = "center";
      kp.ctx.fillText(`z${"\u2081\u2082"[j]} ${pgFmt(v, 2)}`, kp.sx(j + 0.5), Math.max(top - 8, 14));
    });
    kp.done();
    // readout and the attributes tests read
    const [s1, s2] = sigma2Now();
    const last = E ? `reconstruction ${pgFmt(h.recon[E - 1])} + \u03b2 \u00b7 KL ${pgFmt(h.kl[E - 1])}` +
      ` = ${pgFmt(h.total[E - 1])} nats per point` : "not trained yet";
    readout.textContent = `epoch ${E}: ${last}; \u03c3\u2093\u00b2 = (${pgFmt(s1)}, ${pgFmt(s2)})`;
    lossCanvas.setAttribute("aria-label", `Loss per epoch after ${E} epochs: ${last}`);
    klCanvas.setAttribute("aria-label", `KL per latent dimension: z1 ${pgFmt(kd[0], 2)}, z2 ${pgFmt(kd[1], 2)} nats`);
    root.dataset.epoch = String(E);
    root.dataset.total = E ? String(h.total[E - 1]) : "";
    root.dataset.firstTotal = E ? String(h.total[0]) : "";
    root.dataset.klDims = JSON.stringify(kd);
    root.dataset.draws = String(((root.dataset.draws | 0) + 1));
    drawnEpoch = E;
  }

  function pgLegend(canvas, items) {
    const ctx = canvas.getContext("2d");
    ctx.font = "11px sans-serif";
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    let y = 16;   // one line per item, at the top right of the plot
    const w = canvas.clientWidth || 200;
    const x = w - 14 - Math.max(...items.map(([text]) => ctx.measureText(text).width)) - 16;
    for (const [text, color] of items) {
      ctx.fillStyle = color;
      ctx.fillRect(x, y - 1, 12, 3);
      ctx.fillStyle = getComputedStyle(root).color;
      ctx.fillText(text, x + 16, y);
      y += 14;
    }
  }

  // Training runs in slices of a few milliseconds, each its own task (scheduled through a
  // MessageChannel), so the browser can paint and answer input between any two slices; the views
  // are redrawn in animation frames, at most every PG_REDRAW_MS.
  const channel = new MessageChannel();
  let lastDraw = 0, drawnEpoch = -1, chain = 0;   // one chain of slices at a time
  channel.port1.onmessage = (e) => { if (e.data === chain) slice(); };

  function setRunning(on) {
    running = on;
    startBtn.textContent = on ? "Pause" : "Train";
    startBtn.setAttribute("aria-pressed", on ? "true" : "false");
    root.dataset.running = on ? "1" : "0";
    if (on) {
      status.textContent = "training";
      chain += 1;
      channel.port2.postMessage(chain);
      rafId = requestAnimationFrame(frame);
    } else {
      cancelAnimationFrame(rafId);
      if (drawnEpoch !== run.epoch) draw();
      status.textContent = run.diverged ? `diverged at epoch ${run.epoch}: try a smaller learning rate`
        : run.epoch === epochsTarget ? `trained ${run.epoch} epochs` : `paused at epoch ${run.epoch}`;
    }
  }

  function slice() {
    if (!running) return;
    const t0 = performance.now(), deadline = t0 + PG_BUDGET_MS;
    let steps = 0;
    do {
      for (let k = 0; k < 4; k++) {
        steps += 1;
        if (run.stepBatch() && (run.epoch === epochsTarget || run.diverged)) break;
      }
    } while (performance.now() < deadline && run.epoch !== epochsTarget && !run.diverged);
    const work = performance.now() - t0;
    stats.trainMs += work;
    stats.steps += steps;
    stats.works.push(work);
    stats.maxWorkMs = Math.max(stats.maxWorkMs, work);
    if (run.diverged || run.epoch === epochsTarget) {
      stats.doneAt = performance.now();
      setRunning(false);
      return;
    }
    channel.port2.postMessage(chain);
  }

  function frame(now) {
    if (!running) return;
    if (run.epoch !== drawnEpoch && now - lastDraw >= PG_REDRAW_MS) {
      const t0 = performance.now();
      draw();
      lastDraw = now;
      const work = performance.now() - t0;
      stats.draws.push(work);
      stats.maxWorkMs = Math.max(stats.maxWorkMs, work);
    }
    rafId = requestAnimationFrame(frame);
  }

  function reset() {
    const was = running;
    if (running) { running = false; cancelAnimationFrame(rafId); }
    newRun();
    draw();
    status.textContent = "reset: epoch 0";
    if (was) setRunning(true);
  }

  startBtn.addEventListener("click", () => setRunning(!running));
  stepBtn.addEventListener("click", () => {
    if (running) setRunning(false);
    run.epochs(1);
    draw();
    status.textContent = run.diverged ? `diverged at epoch ${run.epoch}` : `epoch ${run.epoch}`;
  });
  resetBtn.addEventListener("click", reset);
  for (const c of PG_CONTROLS) {
    const input = inputs[c.name];
    const apply = () => {
      let v = input.value;
      if (c.kind === "range" || c.kind === "number") {
        v = Number(v);
        if (!Number.isFinite(v)) return;
        v = Math.min(Math.max(c.kind === "number" ? Math.round(v) : v, c.min), c.max);
      } else if (v !== "learned" && v !== "sgd" && v !== "adam") {
        v = Number(v);
      }
      if (model.get(c.name) === v) { showSettings(); return; }
      model.set(c.name, v);   // -> onSetting, below
      model.save_changes();   // a no-op without a kernel (static page), a sync in JupyterLab
    };
    input.addEventListener(c.kind === "range" ? "input" : "change", apply);
  }
  // a new setting, from a control or from Python (JupyterLab), trains a new model from epoch 0
  const onSetting = () => { showSettings(); reset(); };
  for (const c of PG_CONTROLS) model.on(`change:${c.name}`, onSetting);
  const onResize = () => draw();
  window.addEventListener("resize", onResize);
  showSettings();
  newRun();
  draw();
  status.textContent = "press Train";
  return () => {
    running = false;
    cancelAnimationFrame(rafId);
    window.removeEventListener("resize", onResize);
    for (const c of PG_CONTROLS) model.off(`change:${c.name}`, onSetting);
  };
}

export default { render };
