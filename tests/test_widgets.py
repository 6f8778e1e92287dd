"""Every widget shows, without a kernel, what Python computes (vaebook/widgets/figure.py, figure.js).

Three layers, each for every widget of the book:

* Node: figure.js's table look-up gives, at random grid settings, exactly the frame Python
  computes for that setting (every number and array, bit for bit), and the same readout text;
  its formulas (the Gaussian mixture of a curve, z = mu + sigma eps) equal Python's to 1e-12,
  on random inputs and on every widget's curves; common.js's number formatting and state
  codec equal Python's; it draws every kind of moving part Python defines.
* Chromium: a page holding every widget, served on 127.0.0.1 with the site's vendored widget
  manager and no kernel. Every control of every widget is moved with the keyboard (or the
  drop-down chosen); the picture must change, and the readout text, curves, lines, bars and
  images drawn must be those Python computes after ``w.set(...)`` to the same values.
* Python: controls validate their values; the widget rejects unknown controls and moving parts
  that name unknown keys; building a widget leaves matplotlib's global state alone.

The built site itself is tested in tests/test_site.py.
"""
from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from test_ch07 import digits_model, mixture_model  # noqa: F401  (fixtures)

from bookpaths import run_node_json
from vaebook.exact import LinearGaussian
from vaebook.widgets import (
    Choice,
    InteractiveFigure,
    Slider,
    artists,
    bayes_widget,
    digit_explorer,
    digit_interpolation,
    elbo_widget,
    interpolation_explorer,
    iwae_bound_widget,
    kl_fit_widget,
    kl_widget,
    latent_explorer,
    latent_sweep,
    mc_widget,
    reparam_widget,
)
from vaebook.widgets.artists import Curve, Line, Pushforward, curve_values, grey_levels
from vaebook.widgets.controls import format_number
from vaebook.widgets.figure import Part
from vaebook.widgets.frontend import esm
from vaebook.widgets.state import decode_array, encode_array

ROOT = Path(__file__).resolve().parent.parent
WIDGETS_DIR = ROOT / "vaebook" / "widgets"
VENDOR = ROOT / "_site_assets" / "_vendor"
CURVE_RTOL = 1e-12  # both sides float64; only the order of rounding differs
DRAWN_TOL = 1e-9    # the bound for a curve drawn in the browser


def run_node(tmp_path: Path, body: str, payload) -> object:
    """Run ``body`` on ``payload`` and return its JSON: an ES module in which ``F`` is figure.js
    as the browser receives it (its imports inlined) and ``C`` is common.js."""
    (tmp_path / "figure.mjs").write_text(esm("figure.js"))
    shutil.copy(WIDGETS_DIR / "common.js", tmp_path / "common.mjs")
    script = ('import * as F from "./figure.mjs";\nimport * as C from "./common.mjs";\n'
              'let input = "";\nprocess.stdin.on("data", (d) => (input += d));\n'
              'process.stdin.on("end", () => {\n  const payload = JSON.parse(input);\n'
              f'{body}\n}});\n')
    (tmp_path / "run.mjs").write_text(script)
    return run_node_json(tmp_path, "run.mjs", payload)


# ----------------------------------------------------------------------------------------------
# Every widget of the book, built once
# ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def widgets(mixture_model, digits_model) -> dict[str, InteractiveFigure]:  # noqa: F811
    lg = LinearGaussian.scalar(1.3, -0.4, 0.6)
    X_lg, _ = lg.sample(50, np.random.default_rng(3))
    return {
        "bayes": bayes_widget(),
        "mc": mc_widget(),
        "kl_fit": kl_fit_widget(),
        "elbo": elbo_widget(),
        "kl": kl_widget(),
        "reparam": reparam_widget(n=50),
        "iwae": iwae_bound_widget(lg, X_lg, seed=1),
        "explorer": latent_explorer(*mixture_model, z1=0.8, z2=-0.6),
        "sweep": latent_sweep(*mixture_model, fixed=0.5, t=1.0),
        "interpolation": interpolation_explorer(*mixture_model, t=0.3),
        "digit": digit_explorer(*digits_model),
        "digit_interpolation": digit_interpolation(*digits_model, start=0, end=1, t=0.5),
    }


def random_settings(w: InteractiveFigure, rng, n: int) -> list[dict]:
    return [{name: c.grid[rng.integers(len(c.grid))] for name, c in w.controls.items()}
            for _ in range(n)]


def computed(w: InteractiveFigure) -> list:
    """The moving parts whose points figure.js computes (curves and pushforwards), in order."""
    return [m for m in w._moving if isinstance(m, (Curve, Pushforward))]


# ----------------------------------------------------------------------------------------------
# Node: figure.js against Python
# ----------------------------------------------------------------------------------------------
def test_curve_formula_equals_the_library(tmp_path):
    rng = np.random.default_rng(0)
    cases = []
    for _ in range(300):
        k = int(rng.integers(1, 4))
        cases.append({"x": rng.uniform(-8, 8, 50).tolist(),
                      "p": {"a": float(rng.uniform(-3, 3)), "c": float(rng.uniform(-2, 2)),
                            "scale": float(rng.uniform(0.1, 3)),
                            "weights": rng.uniform(0, 1, k).tolist(),
                            "means": rng.uniform(-4, 4, k).tolist(),
                            "vars": np.exp(rng.uniform(-5, 2, k)).tolist()}})
    got = run_node(tmp_path, "process.stdout.write(JSON.stringify(payload.map("
                             "(c) => Array.from(F.curveValues(c.x, c.p)))));", cases)
    worst = 0.0
    for case, js in zip(cases, got):
        py = curve_values(case["x"], case["p"])
        np.testing.assert_allclose(js, py, rtol=CURVE_RTOL, atol=1e-300)
        worst = max(worst, float(np.max(np.abs(np.subtract(js, py)) / np.maximum(np.abs(py), 1e-300))))
    print(f"curve: max relative |JS - NumPy| = {worst:.1e} over {len(cases)} random mixtures")


def test_number_format_equals_python(tmp_path):
    rng = np.random.default_rng(1)
    values = [0.125, -0.125, 2.5, -2.5, 0.005, -0.0004, 1e-7, 0.0, -0.0, 123.4565, 1.005, 2.675]
    values += rng.normal(0, 10, 300).tolist() + np.round(rng.normal(0, 3, 100), 3).tolist()
    cases = [(v, d) for v in values for d in (None, 0, 1, 2, 3, 4, 5)]
    got = run_node(tmp_path, "process.stdout.write(JSON.stringify(payload.map("
                             "([v, d]) => C.formatNumber(v, d))));", cases)
    for (v, d), js in zip(cases, got):
        assert js == format_number(v, d), f"{v!r} with {d} decimals: JS {js!r}, Python {format_number(v, d)!r}"


def test_page_frames_equal_python_frames(widgets, tmp_path):
    """At random grid settings, figure.js's look-up in the stored tables gives exactly Python's
    frame, readout text and curves."""
    rng = np.random.default_rng(2)
    payload, expected = [], []
    for name, w in widgets.items():
        settings = random_settings(w, rng, 8)
        payload.append({"tables": w.tables, "specs": w.control_specs, "readout": w.readout_spec,
                         "artists": w.artists, "settings": settings})
        frames, texts, curves = [], [], []
        for values in settings:
            w.set(**values)
            frames.append(w.current)
            texts.append(w.readout_text)
            curves.append([w._frame_cache[m.y if isinstance(m, Curve) else m.z] for m in computed(w)])
        expected.append((name, frames, texts, curves))
    body = """
    const out = payload.map((w) => {
      const tables = F.decodeTables(w.tables);
      return w.settings.map((values) => {
        const f = F.lookup(tables, w.specs, values);
        if (f === null) return null;
        Object.assign(f, values);
        const curves = w.artists.filter((a) => a.kind === "curve" || a.kind === "pushforward")
          .map((a) => Array.from(a.kind === "curve" ? F.curveValues(a.x, F.curveParams(a, f))
                                                    : F.pushforward(a, f)));
        const frame = Object.fromEntries(Object.entries(f).map(([k, v]) =>
          [k, ArrayBuffer.isView(v) ? Array.from(v) : v]));
        return { frame, text: F.readoutText(w.readout, f), curves };
      });
    });
    process.stdout.write(JSON.stringify(out));"""
    got = run_node(tmp_path, body, payload)
    for (name, frames, texts, curves), js_all in zip(expected, got):
        for py, text, py_curves, js in zip(frames, texts, curves, js_all):
            assert js is not None, f"{name}: a grid setting is missing from the tables"
            for key, value in py.items():
                assert np.array_equal(np.ravel(js["frame"][key]), np.ravel(value)), (
                    f"{name}: page shows {key} = {js['frame'][key]}, Python computes {value}")
            assert js["text"] == text, f"{name}: page readout {js['text']!r}, Python {text!r}"
            for jc, pc in zip(js["curves"], py_curves):
                np.testing.assert_allclose(jc, pc, rtol=CURVE_RTOL, atol=1e-15,
                                           err_msg=f"{name}: a curve or z = mu + sigma eps differs "
                                                   "from Python's")


def test_every_widget_has_alt_text_typeset_labels_and_fixed_axes(widgets):
    for name, w in widgets.items():
        assert len(w.alt) > 40, f"{name}: alt text {w.alt!r}"
        for c in w.control_specs:
            assert "$" not in c["label"] and "\\" not in c["label"], f"{name}: raw LaTeX {c['label']!r}"
            assert "$" not in "".join(c["texts"]), f"{name}: raw LaTeX in {c['texts']}"
        limits = [(b["xlim"], b["ylim"]) for b in w.axes_boxes]
        for values in random_settings(w, np.random.default_rng(3), 2):
            w.set(**values)
            assert [(list(ax.get_xlim()), list(ax.get_ylim())) for ax in w.fig.axes] == limits, (
                f"{name}: the axes limits move with the controls")


def test_state_codec_equals_python(tmp_path):
    """What Python's encode_array writes, common.js reads back bit for bit (and Python too)."""
    rng = np.random.default_rng(4)
    f8 = np.concatenate([rng.normal(0, 1e3, 200), [0.0, -0.0, 5e-324, -1.7976931348623157e308,
                                                    np.inf, -np.inf]])
    u1 = rng.integers(0, 256, 300).astype(np.uint8)
    payload = {"f8": encode_array(f8), "u1": encode_array(u1, "u1"), "n": [1.5, -2.0]}
    got = run_node(tmp_path, "process.stdout.write(JSON.stringify({"
                             "f8: Array.from(new Uint8Array(C.float64Of(payload.f8).buffer)),"
                             "u1: Array.from(C.bytesOf(payload.u1)), n: C.float64Of(payload.n)}));",
                   payload)
    assert bytes(got["f8"]) == f8.astype("<f8").tobytes()
    assert got["u1"] == u1.tolist() and got["n"] == [1.5, -2.0]
    assert decode_array(payload["f8"]).tobytes() == f8.astype("<f8").tobytes()
    assert np.array_equal(decode_array(payload["u1"], "u1"), u1)
    with pytest.raises(ValueError, match="dtype must be one of"):
        encode_array(f8, "f4")


def test_figure_js_draws_every_kind_of_moving_part(widgets, tmp_path):
    """figure.js's drawing table has a function for every artist kind Python writes, and no
    more (every kind is used by some widget of the book)."""
    js = set(run_node(tmp_path, "process.stdout.write(JSON.stringify(F.KINDS));", None))
    used = {a["kind"] for w in widgets.values() for a in w.artists}
    classes = {c.__name__.lower() for c in vars(artists).values()
               if isinstance(c, type) and issubclass(c, artists._Moving) and c is not artists._Moving}
    assert used == js == classes, f"Python kinds {sorted(classes)}, used {sorted(used)}, figure.js {sorted(js)}"


# ----------------------------------------------------------------------------------------------
# Python: validation
# ----------------------------------------------------------------------------------------------
def _tiny_figure(moving, readout=(("y", "y", 2),)):
    from vaebook.widgets import Slider

    def build(fig):
        ax = fig.subplots()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        return [ax]

    return InteractiveFigure({"a": Slider("a", 0.0, 1.0, 0.5, 0.5)},
                             [Part(("a",), lambda a: {"y": a, "xs": np.array([0.0, 1.0])})],
                             build, moving, list(readout), alt="a tiny figure for the tests")


def test_a_moving_part_or_readout_naming_an_unknown_key_fails_early():
    _tiny_figure([Line(0, "xs", ["y", "a"], color="k")])  # keys, a control, a list of both: fine
    with pytest.raises(ValueError, match=r"Line on axis 0 \('dot'\) refers to unknown key\(s\) \['why'\]"):
        _tiny_figure([Line(0, "xs", ["why", "a"], color="k").named("dot")])
    with pytest.raises(ValueError, match=r"Curve on axis 0 refers to unknown key\(s\) \['m', 's2'\]"):
        _tiny_figure([Curve(0, [0.0, 1.0], "y", means=["m"], vars=["s2"], color="k")])
    with pytest.raises(ValueError, match=r"the readout refers to unknown key\(s\) \['KL'\]"):
        _tiny_figure([], readout=[("KL", "KL", 3)])


def test_line_styles_come_from_public_rcparams():
    import matplotlib as mpl

    for ls, key in (("--", "lines.dashed_pattern"), (":", "lines.dotted_pattern"),
                    ("-.", "lines.dashdot_pattern")):
        st = artists._line_style("k", lw=1.5, ls=ls)
        assert st["line"] and st["dashes"] == [1.5 * v for v in mpl.rcParams[key]]
    assert artists._line_style("k", ls="-")["dashes"] == [] and not artists._line_style("k", ls="none")["line"]
    with pytest.raises(ValueError, match="line style"):
        artists._line_style("k", ls=(0, (1, 2)))


def test_building_a_widget_leaves_matplotlib_global_state_alone():
    """No rcParams change survives the constructor, and the widget looks the same whatever the
    caller's matplotlib settings (it draws in the book style inside rc_context)."""
    import matplotlib as mpl

    def snapshot():
        return {k: repr(v) for k, v in mpl.rcParams.items()}

    with mpl.rc_context({"axes.grid": False, "axes.labelsize": 20, "figure.dpi": 50}):
        before = snapshot()
        odd = kl_widget()
        assert snapshot() == before
    with mpl.rc_context():
        mpl.rcParams.update(mpl.rcParamsDefault)
        plain = kl_widget()
    assert odd.background == plain.background and odd.size == plain.size
    assert odd.image.value == plain.image.value


def test_controls_validate_values():
    s = Slider("z₁", -3.0, 3.0, 0.2, 0.8)
    assert s.grid[0] == -3.0 and s.grid[-1] == 3.0 and len(s.grid) == 31 and 0.8 in s.grid
    with pytest.raises(ValueError, match="outside"):
        s.check(3.5)
    with pytest.raises(ValueError, match="outside"):
        s.check(float("nan"))
    with pytest.raises(ValueError, match="whole number of steps"):
        Slider("x", 0.0, 1.0, 0.3, 0.0)
    n = Slider("J", 1, 20, 1, 3, None)
    assert n.check(4) == 4 and isinstance(n.check(4.0), int)
    with pytest.raises(ValueError, match="not an integer"):
        n.check(2.5)
    c = Choice("from", [("a", 0), ("b", 3)], 3)
    with pytest.raises(ValueError, match="not one of"):
        c.check(1)


def test_widget_rejects_unknown_controls_and_keeps_off_grid_values(widgets):
    w = widgets["kl"]
    with pytest.raises(ValueError, match="unknown controls"):
        w.set(sigma=1.0)
    w.set(mu=0.123, log_var=-1.0)  # off the slider's grid: Python computes it exactly
    assert w.page_frame(mu=0.123) is None
    assert w.shown["KL(q‖p(z))"] == pytest.approx(0.5 * (0.123**2 + np.exp(-1.0) - 1.0 + 1.0), rel=1e-12)
    assert w.current["KL"] == w.shown["KL(q‖p(z))"]
    w.set(mu=1.0)
    assert w.page_frame()["KL"] == w.shown["KL(q‖p(z))"]


# ----------------------------------------------------------------------------------------------
# Chromium: every control of every widget, on a page with no kernel
# ----------------------------------------------------------------------------------------------
def widget_page(ws: list[InteractiveFigure], folder: Path) -> Path:
    """An HTML page showing ``ws`` the way the site does: saved widget state and the site's
    widget runtime (site/widgets.js), no kernel."""
    from ipywidgets.embed import embed_data

    data = embed_data(views=ws, drop_defaults=False)
    shutil.copy(ROOT / "site" / "widgets.js", folder / "widgets.js")
    views = "\n".join('<div class="cell"><script type="application/vnd.jupyter.widget-view+json">'
                      f"{json.dumps(v)}</script></div>" for v in data["view_specs"])
    (folder / "index.html").write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">\n'
        '<script type="module" src="widgets.js"></script>\n'
        '<script type="application/vnd.jupyter.widget-state+json">'
        f'{json.dumps(data["manager_state"])}</script></head><body>{views}</body></html>')
    return folder / "index.html"


@pytest.fixture(scope="module")
def served_page(widgets, tmp_path_factory):
    folder = tmp_path_factory.mktemp("widget_page")
    widget_page(list(widgets.values()), folder)
    from browser import QuietHandler as _QuietHandler

    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


def python_drawn(w: InteractiveFigure) -> list:
    """What Python's figure shows for each moving part (the same order as figure.js's drawn)."""
    out = []
    frame, values = w._frame_cache, w.value
    for m in w._moving:
        if isinstance(m, artists.Line):
            x, y = m.data(frame, values)
            out.append({"x": x, "y": y})
        elif isinstance(m, artists.Curve):
            out.append({"x": m.x, "y": frame[m.y]})
        elif isinstance(m, artists.Bars):
            out.append({"heights": frame[m.heights]})
        elif isinstance(m, artists.Scatter):
            out.append({"xy": np.ravel(frame[m.xy])})
        elif isinstance(m, artists.Image):
            out.append({"grey": np.ravel(grey_levels(frame[m.values]))})
        elif isinstance(m, artists.ErrorBar):
            y, e = m._ye(frame, values)
            out.append({"x": m.x, "y": y, "err": e})
        elif isinstance(m, artists.Pushforward):
            out.append({"z": frame[m.z]})
        else:
            raise AssertionError(f"no check for {type(m).__name__}")
    return out


def assert_drawn_equal(name: str, js: list, py: list) -> None:
    assert len(js) == len(py), f"{name}: {len(js)} parts drawn, Python has {len(py)}"
    for i, (a, b) in enumerate(zip(js, py)):
        assert set(a) == set(b), f"{name}: part {i} draws {sorted(a)}, Python {sorted(b)}"
        for key in a:
            np.testing.assert_allclose(np.ravel(a[key]).astype(float), np.ravel(b[key]).astype(float),
                                       rtol=0, atol=DRAWN_TOL, err_msg=f"{name}: part {i}, {key}")


def test_every_control_of_every_widget_in_the_browser(widgets, served_page):
    from browser import CHROMIUM_FLAGS, PageLog, chromium_path
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), headless=True,
                                     args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        log = PageLog(page, served_page.rsplit("/", 1)[0] + "/")
        page.goto(served_page, wait_until="load")
        page.wait_for_function(f"() => document.querySelectorAll('.vaebook-figure').length === {len(widgets)}"
                               " && Array.from(document.querySelectorAll('.vaebook-figure'))"
                               ".every((r) => r.dataset.frames)", timeout=30_000)
        roots = page.locator(".vaebook-figure")
        moves = 0
        for k, (name, w) in enumerate(widgets.items()):
            root = roots.nth(k)
            root.scroll_into_view_if_needed()
            initial = json.loads(root.get_attribute("data-values"))
            assert initial == w.value, f"{name}: the page starts at {initial}, Python at {w.value}"
            for c, spec in enumerate(w.control_specs):
                control = root.locator(".vf-control").nth(c)
                before = {"frames": root.get_attribute("data-frames"),
                          "picture": root.locator("canvas").evaluate("(c) => c.toDataURL()")}
                index = int(control.input_value())
                if spec["kind"] == "slider":
                    control.focus()
                    page.keyboard.press("ArrowLeft" if index == len(spec["grid"]) - 1 else "ArrowRight")
                else:  # the next option that no other drop-down shows (from != to)
                    taken = {initial[o["name"]] for o in w.control_specs
                             if o["kind"] == "choice" and o["name"] != spec["name"]}
                    step = next(s for s in range(1, len(spec["grid"]))
                                if spec["grid"][(index + s) % len(spec["grid"])] not in taken)
                    control.select_option(str((index + step) % len(spec["grid"])))
                root.page.wait_for_function("([r, n]) => r.dataset.frames !== n",
                                            arg=[root.element_handle(), before["frames"]])
                values = json.loads(root.get_attribute("data-values"))
                w.set(**values)
                text = root.locator(".vf-readout").inner_text()
                assert text == w.readout_text, f"{name}, {spec['name']}: page {text!r}, Python {w.readout_text!r}"
                assert_drawn_equal(f"{name}, {spec['name']}", root.evaluate("(r) => r.__drawn"),
                                   python_drawn(w))
                after = root.locator("canvas").evaluate("(c) => c.toDataURL()")
                assert after != before["picture"], f"{name}: moving {spec['name']} changed nothing drawn"
                initial = values
                moves += 1
        log.check("widget page")
        browser.close()
    assert moves == sum(len(w.controls) for w in widgets.values())
