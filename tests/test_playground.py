"""The training playground (vaebook/widgets/playground*.js): held equal to the library in Node,
and used like a reader would in a browser.

Node (the widget's one JavaScript implementation, as the page runs it: the bundled module):

* one step's gradients equal :func:`vaebook.loss_and_grads` (the reference model) to 1e-12
  relative, for the baseline, two hidden layers and a learned sigma_x^2;
* a whole baseline run of 500 epochs (16,000 SGD steps), fed the permutations and noise NumPy
  drew, ends within 1e-8 of :func:`vaebook.train`'s parameters, and so does an Adam run with a
  learned variance;
* the decoder of the training pass is live.js's ``decode``, bit for bit;
* the random stream is NumPy's ``default_rng(seed)``: seeding, ``integers``, ``permutation``,
  ``standard_normal``, and so the data and initial weights.

Browser (:func:`check_playground`, a helper that takes a page URL and a Playwright browser, so
the same check runs in every engine the site tests use; Chromium here): press Train, the loss
falls and the figures change; pause; change a control; reset; keyboard and touch; labels for
screen readers; dark mode; a 360-px phone.
"""
from __future__ import annotations

import functools
import http.server
import importlib
import json
import re
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

import vaebook as vb
import vaebook.widgets  # noqa: F401  (the package exports the function playground, so:)
from bookpaths import run_node_json

pg = importlib.import_module("vaebook.widgets.playground")   # the module
from vaebook.widgets.frontend import esm  # noqa: E402

REL_TOL = 1e-12     # one step's gradients: float64 both sides, only the order of rounding differs
RUN_TOL = 1e-8      # parameters after 500 epochs (the engine's own one-ulp spread is below 1e-12)


# ----------------------------------------------------------------------------------------------
# Node
# ----------------------------------------------------------------------------------------------
def node_run(tmp_path: Path, body: str, payload) -> object:
    """Run ``body`` in an ES module that has imported the training engine as ``P`` (as the
    browser receives it: live.js and common.js inlined) and Node's fs; ``payload`` is in
    ``input``; the module writes its JSON answer to stdout."""
    (tmp_path / "package.json").write_text('{"type": "module"}')
    (tmp_path / "bundle.js").write_text(esm("playground_engine.js"))
    (tmp_path / "live.js").write_text(esm("live.js"))
    script = ('import * as P from "./bundle.js";\nimport * as L from "./live.js";\n'
              'import * as fs from "node:fs";\n'
              'const input = JSON.parse(fs.readFileSync(0, "utf8"));\n'
              f'{body}\n')
    (tmp_path / "run.js").write_text(script)
    return run_node_json(tmp_path, "run.js", payload)


def js_config(config: vb.VAEConfig) -> dict:
    return {"D": config.data_dim, "J": config.latent_dim, "encHidden": list(config.enc_hidden),
            "decHidden": list(config.dec_hidden), "sigma2": config.sigma2,
            "initScale": config.init_scale}


GRADIENT_BODY = """
const out = input.map((c) => {
  const config = P.makeConfig(c.config);
  const params = Float64Array.from(c.params);
  const tr = new P.Trainer(config, params);
  const kl = new Float64Array(config.J);
  const sums = tr.gradients(Float64Array.from(c.x), Float64Array.from(c.eps), 0, c.m, c.beta, kl);
  return { grads: Array.from(tr.grads), recon: sums.recon, kl: sums.kl, klDims: Array.from(kl),
           size: config.size };
});
process.stdout.write(JSON.stringify(out));
"""

GRADIENT_CONFIGS = {
    "baseline": vb.BASELINE.config(),
    "two hidden layers": vb.VAEConfig(2, 2, (16, 24), (24, 16), sigma2=0.25),
    "learned sigma_x^2": vb.VAEConfig(2, 2, (32,), (32,), sigma2="learned"),
    "J = 3, He init": vb.VAEConfig(2, 3, (8,), (8,), sigma2=2.0),
}


def test_one_step_gradients_equal_numpy(tmp_path):
    rng = np.random.default_rng(11)
    cases, expected = [], []
    for name, config in GRADIENT_CONFIGS.items():
        params = vb.init_params(config, rng)
        params.vector[:] += 0.2 * rng.standard_normal(params.vector.shape)  # non-zero biases, log sigma^2
        x, _ = vb.make_mixture(64, rng)
        eps = rng.standard_normal((64, config.latent_dim))
        beta = 1.5
        losses, grads = vb.loss_and_grads(params, config, x, eps, beta)
        cases.append({"config": js_config(config), "params": params.vector.tolist(),
                      "x": x.ravel().tolist(), "eps": eps.ravel().tolist(), "m": 64, "beta": beta})
        expected.append((name, config, params, grads, losses, x, eps))
    got = node_run(tmp_path, GRADIENT_BODY, cases)
    for (name, config, params, grads, losses, x, eps), js in zip(expected, got):
        assert js["size"] == params.vector.size, f"{name}: the JavaScript layout has {js['size']} numbers"
        g_js = np.array(js["grads"])
        worst = 0.0
        for key in params:   # every parameter block, relative to its largest gradient
            sl = slice(params.offsets[key], params.offsets[key] + params[key].size)
            ref = np.ravel(grads[key])
            err = np.abs(g_js[sl] - ref).max() / np.abs(ref).max()
            worst = max(worst, err)
            assert err <= REL_TOL, f"{name}: d loss / d {key} differs from NumPy by {err:.2e} (relative)"
        print(f"{name}: one step's gradients, max relative difference {worst:.1e}")
        assert js["recon"] / 64 == pytest.approx(losses["recon"], rel=REL_TOL)
        assert js["kl"] / 64 == pytest.approx(losses["kl"], rel=REL_TOL)
        mu, log_var = vb.encode(params, config, x)
        kl_dims = vb.kl_diag_to_standard(mu, log_var, per_dimension=True).sum(axis=0)
        np.testing.assert_allclose(js["klDims"], kl_dims, rtol=REL_TOL)
    # the comparison can fail: a wrong beta (the KL term's weight) changes the encoder's gradients
    wrong = [dict(cases[0], beta=1.0)]
    g_wrong = np.array(node_run(tmp_path, GRADIENT_BODY, wrong)[0]["grads"])
    assert np.abs(g_wrong - expected[0][3].vector).max() > 1e-4


def numpy_run(config, optimizer, epochs, *, seeds=(0, 3, 4), beta=1.0, n=2000, batch_size=64):
    """vaebook.train on the running example, and the permutations and noise it drew (the same
    draws, made again from the same seed in the same order)."""
    X, _ = vb.make_mixture(n, np.random.default_rng(seeds[0]))
    params = vb.init_params(config, np.random.default_rng(seeds[1]))
    start = params.vector.copy()
    history = vb.train(params, config, X, epochs=epochs, batch_size=batch_size, optimizer=optimizer,
                       rng=np.random.default_rng(seeds[2]), beta=beta)
    rng = np.random.default_rng(seeds[2])
    orders = np.empty((epochs, n), dtype="<i4")
    noise = np.empty((epochs, n, config.latent_dim))
    for e in range(epochs):
        orders[e] = rng.permutation(n)
        noise[e] = rng.standard_normal((n, config.latent_dim))
    return X, start, params, history, orders, noise


RUN_BODY = """
const c = input;
const config = P.makeConfig(c.config);
const f64 = (name) => { const b = fs.readFileSync(name); return new Float64Array(b.buffer, b.byteOffset, b.length / 8); };
const orders = (() => { const b = fs.readFileSync("orders.bin"); return new Int32Array(b.buffer, b.byteOffset, b.length / 4); })();
const noise = f64("noise.bin"), X = f64("X.bin"), params = Float64Array.from(f64("start.bin"));
const n = c.n, J = config.J;
const optimizer = c.optimizer === "adam" ? new P.Adam(c.lr) : new P.SGD(c.lr);
const run = new P.Run({ config, params, X, n, batchSize: c.batchSize, optimizer, beta: c.beta,
  noiseSource: (e) => ({ order: orders.subarray(e * n, (e + 1) * n), eps: noise.subarray(e * n * J, (e + 1) * n * J) }) });
const t0 = performance.now();
run.epochs(c.epochs);
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ params: Array.from(params), recon: run.history.recon,
  kl: run.history.kl, total: run.history.total, ms }));
"""


def js_run(tmp_path, config, X, start, orders, noise, *, optimizer="sgd", lr=0.01, epochs, beta=1.0):
    for name, arr in (("X.bin", X), ("start.bin", start), ("noise.bin", noise)):
        (tmp_path / name).write_bytes(np.ascontiguousarray(arr, dtype="<f8").tobytes())
    (tmp_path / "orders.bin").write_bytes(np.ascontiguousarray(orders, dtype="<i4").tobytes())
    return node_run(tmp_path, RUN_BODY, {"config": js_config(config), "n": X.shape[0], "batchSize": 64,
                                         "optimizer": optimizer, "lr": lr, "epochs": epochs, "beta": beta})


def test_baseline_run_of_500_epochs_ends_at_vaebook_trains_parameters(tmp_path):
    base = vb.BASELINE
    config = base.config()
    X, start, params, history, orders, noise = numpy_run(config, base.optimizer(), base.epochs)
    js = js_run(tmp_path, config, X, start, orders, noise, epochs=base.epochs)
    err = np.abs(np.array(js["params"]) - params.vector).max()
    print(f"baseline, 500 epochs (16,000 SGD steps): max |JS - NumPy| over the parameters = {err:.1e}; "
          f"Node took {js['ms'] / 1000:.2f} s")
    assert err <= RUN_TOL, f"after 500 epochs the JavaScript parameters differ from vaebook.train's by {err:.3g}"
    for key in ("recon", "kl", "total"):
        np.testing.assert_allclose(js[key], history[key], rtol=1e-9, err_msg=key)
    assert history["total"][-1] < history["total"][0] - 3   # the run learned something to agree on


def test_adam_run_with_learned_variance_ends_at_vaebook_trains_parameters(tmp_path):
    config = vb.VAEConfig(2, 2, (16,), (16,), sigma2="learned", init_scale=0.1)
    X, start, params, history, orders, noise = numpy_run(config, vb.Adam(0.003), 40, seeds=(0, 5, 6),
                                                         beta=2.0, n=500)
    js = js_run(tmp_path, config, X, start, orders, noise, optimizer="adam", lr=0.003, epochs=40, beta=2.0)
    err = np.abs(np.array(js["params"]) - params.vector).max()
    print(f"Adam, learned sigma_x^2, beta 2, 40 epochs: max |JS - NumPy| = {err:.1e}")
    assert err <= RUN_TOL
    np.testing.assert_allclose(js["total"], history["total"], rtol=1e-9)


def test_training_decoder_is_live_js_decode_bit_for_bit(tmp_path):
    rng = np.random.default_rng(12)
    config = vb.VAEConfig(2, 2, (32,), (16, 8), sigma2=0.5)
    params = vb.init_params(config, rng)
    params.vector[:] += 0.3 * rng.standard_normal(params.vector.shape)
    z = rng.uniform(-3, 3, size=(300, 2))
    body = """
const config = P.makeConfig(input.config);
const params = Float64Array.from(input.params);
const batch = new P.Trainer(config, params).decodeBatch(Float64Array.from(input.z), input.n);
const layers = P.decoderLayers(config, params);
const one = [];
for (let i = 0; i < input.n; i++) one.push(...L.decode(layers, "gaussian", [input.z[2 * i], input.z[2 * i + 1]]));
process.stdout.write(JSON.stringify({ batch: Array.from(batch), one }));
"""
    out = node_run(tmp_path, body, {"config": js_config(config), "params": params.vector.tolist(),
                                    "z": z.ravel().tolist(), "n": 300})
    assert out["batch"] == out["one"], "the training decoder and live.js's decode differ"
    np.testing.assert_allclose(np.reshape(out["one"], (300, 2)), vb.decode(params, config, z), rtol=0, atol=1e-12)


RNG_BODY = """
P.useZigguratWidths(Float64Array.from(input.widths));
const out = {};
for (const s of input.seeds) {
  const g = new P.Generator(s);
  const state0 = String(g.state);
  const labels = Array.from(g.integers(4, 1000));
  const perm = Array.from(g.permutation(2000));
  const normals = Array.from(g.normals(input.nNormals));
  const perm2 = Array.from(g.permutation(37));
  out[s] = { state0, labels, perm, normals, perm2, state1: String(g.state) };
}
const { X, labels } = P.makeMixture(2000, new P.Generator(0));
const config = P.makeConfig({ initScale: 0.1 });
out.mixture = { X: Array.from(X), labels: Array.from(labels) };
out.init = Array.from(P.initParams(config, new P.Generator(3)));
process.stdout.write(JSON.stringify(out));
"""


def test_random_stream_is_numpys_default_rng(tmp_path):
    seeds = [0, 3, 4, 2**32 - 1]
    n_normals = 200_000  # every layer of the ziggurat, its wedges and its tail, many times
    out = node_run(tmp_path, RNG_BODY, {"seeds": seeds, "nNormals": n_normals,
                                        "widths": pg.ziggurat_widths().tolist()})
    for s in seeds:
        r, g = out[str(s)], np.random.default_rng(s)
        assert int(r["state0"]) == g.bit_generator.state["state"]["state"], f"seed {s}: PCG64 seeding"
        assert r["labels"] == g.integers(0, 4, size=1000).tolist(), f"seed {s}: integers"
        assert r["perm"] == g.permutation(2000).tolist(), f"seed {s}: permutation"
        normals = g.standard_normal(n_normals)
        same = np.array(r["normals"]) == normals
        assert same.all(), (f"seed {s}: {(~same).sum()} of {n_normals} standard normals differ, "
                            f"the first at draw {np.argmin(same)}")
        assert r["perm2"] == g.permutation(37).tolist()
        assert int(r["state1"]) == g.bit_generator.state["state"]["state"]
    X, labels = vb.make_mixture(2000, np.random.default_rng(0))
    assert out["mixture"]["labels"] == labels.tolist()
    assert np.array_equal(np.reshape(out["mixture"]["X"], (2000, 2)), X), "the browser's data differ from the book's"
    init = vb.init_params(vb.BASELINE.config(), np.random.default_rng(3))
    assert np.array_equal(out["init"], init.vector), "the browser's initial weights differ from NumPy's"


def test_ziggurat_widths_are_read_off_numpy_and_needed():
    w = pg.ziggurat_widths()
    approx = pg._ziggurat_widths_float64()
    assert w.shape == (256,) and np.all(w > 0)
    # the recursion in float64 is close but not equal: NumPy's own widths are needed
    rel = np.abs(approx / w - 1.0)
    assert rel.max() < 1e-12 and (approx != w).sum() > 10
    # x = rabs * w[i] for a fresh stream: NumPy's draws on the fast path are reproduced exactly
    bitgen = np.random.PCG64(99)
    state = bitgen.state
    raw = bitgen.random_raw(1)
    bitgen.state = state
    x = np.random.Generator(bitgen).standard_normal()
    i, rabs = int(raw[0] & np.uint64(0xFF)), float((raw[0] >> np.uint64(9)) & np.uint64((1 << 52) - 1))
    sign = -1.0 if (int(raw[0]) >> 8) & 1 else 1.0
    assert x == sign * rabs * w[i]


BOOK_RUN_BODY = """
P.useZigguratWidths(Float64Array.from(input.widths));
const { X } = P.makeMixture(2000, new P.Generator(0));
const config = P.makeConfig({ initScale: 0.1 });
const params = P.initParams(config, new P.Generator(3));
const run = new P.Run({ config, params, X, n: 2000, batchSize: 64, optimizer: new P.SGD(0.01),
                        rng: new P.Generator(4) });
run.epochs(input.epochs);
process.stdout.write(JSON.stringify({ params: Array.from(params), total: run.history.total }));
"""


def test_the_browsers_own_baseline_run_is_the_books_run(tmp_path):
    """With its own random stream (no noise handed in), seed 3 trains the chapter's baseline run
    (the first 50 epochs here; the whole run, fed NumPy's draws, is checked above, and the
    stream itself in test_random_stream_is_numpys_default_rng)."""
    base = vb.BASELINE
    config = base.config()
    epochs = 50
    X, _ = vb.make_mixture(base.n_points, np.random.default_rng(0))
    params = vb.init_params(config, np.random.default_rng(3))
    history = vb.train(params, config, X, epochs=epochs, batch_size=base.batch_size,
                       optimizer=base.optimizer(), rng=np.random.default_rng(4))
    out = node_run(tmp_path, BOOK_RUN_BODY, {"widths": pg.ziggurat_widths().tolist(), "epochs": epochs})
    err = np.abs(np.array(out["params"]) - params.vector).max()
    print(f"the browser's own baseline run (seed 3), {epochs} epochs: max |JS - NumPy| = {err:.1e}")
    assert err <= RUN_TOL
    np.testing.assert_allclose(out["total"], history["total"], rtol=1e-9)


def test_engine_rejects_bad_input(tmp_path):
    body = """
const msgs = [];
for (const f of [() => P.makeConfig({ sigma2: -1 }), () => P.makeConfig({ encHidden: [0] }),
                 () => new P.Generator(-1), () => new P.Generator(1.5), () => new P.SGD(0),
                 () => new P.Trainer(P.makeConfig({}), new Float64Array(3))]) {
  try { f(); msgs.push("no error"); } catch (e) { msgs.push(e.message); }
}
process.stdout.write(JSON.stringify(msgs));
"""
    msgs = node_run(tmp_path, body, None)
    assert msgs[0].startswith("sigma2 must be a positive number")
    assert msgs[1].startswith("a hidden width must be a positive integer")
    assert msgs[2].startswith("seed must be an integer") and msgs[3].startswith("seed must be an integer")
    assert msgs[4].startswith("lr must be a positive number")
    assert msgs[5].startswith("params must be a Float64Array")


# ----------------------------------------------------------------------------------------------
# Python
# ----------------------------------------------------------------------------------------------
def test_bundle_inlines_live_js_decode_and_settings_validate():
    esm = pg.bundle()
    # one module: the engine, live.js (whose decode is the one used) and common.js inlined once each
    assert "import " not in esm and "./playground_engine.js" not in esm
    assert esm.count("const __live_js = ") == 1 and esm.count("const __common_js = ") == 1
    assert "const { decode } = __live_js;" in esm
    assert esm.rstrip().endswith("export default { render };")
    w = pg.playground(beta=2.5, sigma2="learned", optimizer="adam", lr=0.003, hidden=16, seed=7)
    assert w.settings == {"beta": 2.5, "sigma2": "learned", "optimizer": "adam", "lr": 0.003,
                          "hidden": 16, "seed": 7}
    assert repr(w) == ("Playground(beta=2.5, sigma2=learned, adam, lr=0.003, hidden=16, seed=7; "
                       "2000 points, 500 epochs)")
    assert not re.search(r"0x[0-9a-f]+", repr(w))


@pytest.mark.parametrize("kwargs, message", [
    ({"beta": -1.0}, "beta must be"),
    ({"beta": 0.3}, "on a grid of 0.25"),
    ({"beta": 20.0}, "beta must be in [0.0, 12.0]"),
    ({"sigma2": 0.3}, 'sigma2 (or "learned") must be one of'),
    ({"sigma2": "fixed"}, 'sigma2 (or "learned") must be one of'),
    ({"optimizer": "rmsprop"}, 'optimizer must be "sgd" or "adam"'),
    ({"lr": 0.5}, "lr must be one of"),
    ({"hidden": 33}, "hidden must be one of"),
    ({"seed": -1}, "seed must be an integer in [0, 9999]"),
    ({"seed": 2.0}, "seed must be an integer"),
])
def test_bad_settings_raise_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        pg.playground(**kwargs)
    w = pg.playground()   # the same check when a setting is changed from Python (JupyterLab)
    (name, value), = kwargs.items()
    if name == "seed" and value == 2.0:
        return   # the Int trait itself turns 2.0 into 2 before any check sees it
    from traitlets import TraitError

    with pytest.raises((ValueError, TraitError)) as err:   # TraitError: the trait's own type check
        setattr(w, name, value)
    assert message in str(err.value) or (err.type is TraitError and name in str(err.value))
    assert w.settings == pg.playground().settings   # the bad value was not taken


# ----------------------------------------------------------------------------------------------
# Browser: the helper takes a page URL, so every engine the site tests use can run it
# ----------------------------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_MS = 30_000
# pydata-sphinx-theme's dark mode (html[data-theme="dark"]) as it treats widget output: a dark
# page, and each widget on a light card with dark text; JupyterLab's dark theme: light text
DARK_THEME = ('html[data-theme="dark"] body { background: #121212; color: #ced6dd; }'
              ' html[data-theme="dark"] .widget-subarea { background: #ced6dd; color: #222832;'
              ' border-radius: .25rem; padding: .5rem; }'
              ' html[data-theme="lab-dark"] body { background: #111111; color: #d5d5d5; }')


def playground_page(folder: Path, widget: pg.Playground, theme: str = "light") -> Path:
    """A page showing ``widget`` the way the site does (saved widget state and the site's widget
    runtime, site/widgets.js, no kernel), in the light or dark theme."""
    from ipywidgets.embed import embed_data

    data = embed_data(views=[widget], drop_defaults=False)
    shutil.copy(ROOT / "site" / "widgets.js", folder / "widgets.js")
    (view,) = data["view_specs"]
    page = folder / f"{theme}.html"
    page.write_text(
        f'<!DOCTYPE html><html data-theme="{theme}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="icon" href="data:,"><style>{DARK_THEME} body {{ margin: 8px; }}</style>\n'
        '<script type="module" src="widgets.js"></script>\n'
        '<script type="application/vnd.jupyter.widget-state+json">'
        f'{json.dumps(data["manager_state"])}</script></head><body><main><h1>Playground</h1>'
        '<div class="cell"><script type="application/vnd.jupyter.widget-view+json">'
        f'{json.dumps(view)}</script></div></main></body></html>')
    return page


def _contrast(c1, c2) -> float:
    """WCAG contrast ratio of two sRGB colours given as 0-255 triples."""
    def lum(c):
        ch = [v / 255 for v in c]
        ch = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]
    a, b = sorted((lum(c1), lum(c2)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _rgb(css: str) -> tuple:
    return tuple(int(float(v)) for v in re.findall(r"[\d.]+", css)[:3])


def check_playground(browser, url: str, *, phone: bool = False, dark: bool = False,
                     first_epoch: np.ndarray | None = None) -> dict:
    """Use the playground on the page at ``url`` as a reader would, in ``browser`` (Playwright):
    train (keyboard on a laptop, a tap on a phone) and see the loss fall and every view change;
    pause (one more epoch is then exactly one); change a control (a new model from epoch 0);
    reset. Checks the labels a screen reader reads, the colours (dark mode) and the layout.
    ``first_epoch``: the parameters vaebook.train reaches after one epoch of the widget's
    starting settings, which the browser's first epoch must equal (to 1e-12)."""
    scheme = "dark" if dark else "light"   # the site's theme follows the reader's system setting
    if phone:
        context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2,
                                      has_touch=True, is_mobile=True, color_scheme=scheme)
    else:
        context = browser.new_context(viewport={"width": 1100, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
        root = page.locator(".vaebook-playground")
        root.wait_for(timeout=TIMEOUT_MS)
        page.wait_for_function("() => document.querySelector('.vaebook-playground').dataset.draws >= 1",
                               timeout=TIMEOUT_MS)
        get = lambda key: root.get_attribute(f"data-{key}")  # noqa: E731
        assert get("epoch") == "0"

        # ---- labelled for screen readers: every control has a label, every view a description
        labels = page.evaluate("""() => Array.from(document.querySelectorAll('.vaebook-playground .pg-control'))
            .map(c => { const l = document.querySelector(`label[for="${c.id}"]`); return l ? l.textContent : ''; })""")
        assert len(labels) == 6 and all(labels), f"controls without a label: {labels}"
        assert root.get_by_role("button", name="Train").count() == 1
        assert root.get_by_role("button", name="One epoch").count() == 1
        assert root.get_by_role("button", name="Reset").count() == 1
        assert root.get_by_role("status").count() == 1
        views = root.locator("canvas[role=img]")
        assert views.count() == 4 and all(views.nth(i).get_attribute("aria-label") for i in range(4))

        # ---- colours: text readable on the page's background, in either theme
        colours = page.evaluate("""() => { const r = document.querySelector('.vaebook-playground');
            let e = r, bg = 'rgb(255, 255, 255)';   // the first ancestor that paints a background
            for (; e; e = e.parentElement) {
              const c = getComputedStyle(e).backgroundColor;
              if (c && c !== 'transparent' && !c.startsWith('rgba(0, 0, 0, 0)')) { bg = c; break; }
            }
            return [getComputedStyle(r).color, bg]; }""")
        fg, bg = _rgb(colours[0]), _rgb(colours[1])
        assert _contrast(fg, bg) >= 4.5, f"text {colours[0]} on {colours[1]}: contrast {_contrast(fg, bg):.1f}"
        texts = page.evaluate("""() => Array.from(document.querySelectorAll(
            '.vaebook-playground :is(label, figcaption, button, select, .pg-readout, .pg-status, .pg-note, .pg-title)'))
            .map(e => [e.tagName + '.' + e.className, getComputedStyle(e).color])""")
        for what, colour in texts:   # every piece of text, not only the widget's own colour
            c = _contrast(_rgb(colour), bg)
            assert c >= 4.5, f"{what}: text {colour} on {colours[1]}: contrast {c:.1f}"
        # the plots' colours are those made for the background the widget actually sits on
        assert get("theme") == ("dark" if sum(bg) < 3 * 128 else "light"), (get("theme"), colours)
        if dark:
            assert page.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches")

        # ---- layout: nothing wider than the screen, targets large enough to touch
        widths = page.evaluate("""() => [document.documentElement.scrollWidth, window.innerWidth,
            Math.min(...Array.from(document.querySelectorAll('.vaebook-playground button, .vaebook-playground select'))
                        .map(b => b.getBoundingClientRect().height))]""")
        assert widths[0] <= widths[1], f"the page scrolls sideways: {widths[0]} px wide on a {widths[1]} px screen"
        assert widths[2] >= 24, f"a control is {widths[2]} px high, too small to tap"

        # ---- one epoch by hand: the library's first epoch, from the browser's own random stream
        if first_epoch is not None:
            root.get_by_role("button", name="One epoch").click()
            page.wait_for_function("() => document.querySelector('.vaebook-playground').dataset.epoch === '1'",
                                   timeout=TIMEOUT_MS)
            err = np.abs(np.array(root.evaluate("(r) => Array.from(r.__run.params)")) - first_epoch).max()
            assert err <= 1e-12, f"the browser's first epoch differs from vaebook.train's by {err:.3g}"
            root.get_by_role("button", name="Reset").click()
            page.wait_for_function("() => document.querySelector('.vaebook-playground').dataset.epoch === '0'",
                                   timeout=TIMEOUT_MS)

        # ---- train: the loss falls and every view changes
        pictures = [views.nth(i).evaluate("(c) => c.toDataURL()") for i in range(4)]
        start = root.get_by_role("button", name="Train")
        if phone:
            start.tap()
        else:
            start.focus()
            page.keyboard.press("Enter")
        page.wait_for_function("() => +document.querySelector('.vaebook-playground').dataset.epoch >= 15",
                               timeout=TIMEOUT_MS)
        assert get("running") == "1"
        first, last = float(get("first-total")), float(get("total"))
        assert last < first - 1.0, f"the loss did not fall: epoch 1 {first:.3f}, now {last:.3f}"
        changed = [views.nth(i).evaluate("(c) => c.toDataURL()") != pictures[i] for i in range(4)]
        assert all(changed), f"views that did not change while training: {changed}"

        # ---- pause: training stops; one epoch is then exactly one more
        pause = root.get_by_role("button", name="Pause")
        pause.tap() if phone else pause.click()
        page.wait_for_function("() => document.querySelector('.vaebook-playground').dataset.running === '0'",
                               timeout=TIMEOUT_MS)
        epoch = int(get("epoch"))
        assert "paused" in root.get_by_role("status").inner_text()
        root.get_by_role("button", name="One epoch").click()
        page.wait_for_function(f"() => document.querySelector('.vaebook-playground').dataset.epoch === '{epoch + 1}'",
                               timeout=TIMEOUT_MS)
        assert get("running") == "0"

        # ---- change a control with the keyboard: a new model, from epoch 0
        hidden = root.locator("select.pg-hidden")
        hidden.focus()
        page.keyboard.press("ArrowUp")   # 32 -> 16 hidden units
        if hidden.input_value() == "32":
            hidden.select_option("16")
        page.wait_for_function("() => document.querySelector('.vaebook-playground').dataset.epoch === '0'",
                               timeout=TIMEOUT_MS)
        assert root.evaluate("(r) => r.__run.config.encHidden[0]") == int(hidden.input_value()) != 32
        beta = root.locator("input.pg-beta")
        beta.focus()
        page.keyboard.press("ArrowRight")
        assert root.evaluate("(r) => r.__run.beta") == 1.25
        root.get_by_role("button", name="One epoch").click()
        page.wait_for_function("() => document.querySelector('.vaebook-playground').dataset.epoch === '1'",
                               timeout=TIMEOUT_MS)

        # ---- reset: back to epoch 0 with the same settings, and the same first epoch again
        after_one = root.evaluate("(r) => Array.from(r.__run.params)")
        root.get_by_role("button", name="Reset").click()
        page.wait_for_function("() => document.querySelector('.vaebook-playground').dataset.epoch === '0'",
                               timeout=TIMEOUT_MS)
        root.get_by_role("button", name="One epoch").click()
        page.wait_for_function("() => document.querySelector('.vaebook-playground').dataset.epoch === '1'",
                               timeout=TIMEOUT_MS)
        assert root.evaluate("(r) => Array.from(r.__run.params)") == after_one, "reset did not start over"
        assert not errors, f"errors on the page: {errors}"
        return {"first": first, "last": last, "epoch": epoch}
    finally:
        context.close()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's package), as tests/test_site.py launches it."""
    from playwright.sync_api import sync_playwright
    from test_site import CHROMIUM_FLAGS, chromium_path

    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS)
    yield b
    b.close()
    pw.stop()


@pytest.fixture(scope="module")
def playground_pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("playground")
    w = pg.playground()
    for theme in ("light", "dark", "lab-dark"):
        playground_page(folder, w, theme)
    from test_site import _QuietHandler

    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def baseline_first_epoch() -> np.ndarray:
    """vaebook.train's parameters after one epoch of the baseline run (seeds 0, 3, 4)."""
    base = vb.BASELINE
    config = base.config()
    X, _ = vb.make_mixture(base.n_points, np.random.default_rng(0))
    params = vb.init_params(config, np.random.default_rng(3))
    vb.train(params, config, X, epochs=1, batch_size=base.batch_size, optimizer=base.optimizer(),
             rng=np.random.default_rng(4))
    return params.vector.copy()


@pytest.mark.parametrize("where", ["laptop, light", "phone, dark", "laptop, lab-dark"])
def test_playground_in_chromium(browser, playground_pages, where):
    phone, theme = where.startswith("phone"), where.split(", ")[1]
    out = check_playground(browser, playground_pages + f"{theme}.html", phone=phone,
                           dark=theme != "light", first_epoch=baseline_first_epoch())
    print(f"{where}: loss {out['first']:.3f} -> {out['last']:.3f} nats per point by epoch {out['epoch']}")
