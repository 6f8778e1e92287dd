"""The static site in a real browser: every chapter page offline, and the kernel-free widget.

The built site (the ``built_site`` fixture) is served on 127.0.0.1 and opened in a headless
Chromium (Debian's package ``chromium``, which ``.ci/run`` installs) driven by Playwright's Python
package. Nothing downloads a browser, and the browser runs with its background networking off,
so any request that leaves 127.0.0.1 is the page's own doing and fails the test.

For every chapter page: no console errors, no failed or external requests, every equation
typeset (at build time: no MathJax in the browser), every widget rendered by the site's widget
runtime (site/widgets.js, which renders a widget when it scrolls near the viewport). On every page, every
control of every :class:`vaebook.widgets.InteractiveFigure` (found in the built HTML's widget
state, not by name) is moved with the keyboard or chosen from its drop-down, with no kernel: the
picture must change and the readout, curves and images must be the ones Python computed for
that setting (stored in the page's widget state; tests/test_widgets.py shows the stored frames
are Python's). On every page that holds a :class:`vaebook.widgets.live.LiveDecoder`: move its
sliders with the mouse and check that the decoded output changed to ``vaebook.decode(z)`` to
1e-12. Nothing waits a fixed time: each step waits for the state change it expects.
Screenshots of every page go to ``<build>/screenshots``.
"""
from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from pathlib import Path

import numpy as np
import pytest
from browser import CHROMIUM_FLAGS, PageLog, chromium_path
from browser import QuietHandler as _QuietHandler

import vaebook
from bookpaths import chapter_files
from vaebook.widgets.live import layer_arrays

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
TOLERANCE = 1e-12  # LiveDecoder: JavaScript and NumPy, both float64
CURVE_TOL = 1e-9   # a curve drawn in the browser against the library's formula
TIMEOUT_MS = 30_000


# ----------------------------------------------------------------------------------------------
# Fixtures: the site on 127.0.0.1, one browser for the module
# ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site_url(built_site):
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    pw = sync_playwright().start()
    # Playwright gives the browser a fresh, empty profile (user-data-dir) of its own.
    b = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
    yield b
    b.close()
    pw.stop()


@pytest.fixture(scope="module")
def screenshots(built_site) -> Path:
    folder = built_site.parent / "screenshots"
    folder.mkdir(exist_ok=True)
    return folder


# ----------------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------------
def open_page(browser, site_url: str, doc: str):
    """Open ``doc``'s page, wait until MathJax and the widgets are done; return (page, log)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log = PageLog(page, site_url)
    page.goto(site_url + f"{doc}.html", wait_until="load", timeout=TIMEOUT_MS)
    # The math is typeset at build time. Widgets render when they come near the viewport
    # (site/widgets.js): scroll to each in turn and wait until it is drawn.
    n_views = page.locator(f'script[type="{WIDGET_VIEW}"]').count()
    for i in range(n_views):
        page.evaluate(f"""(i) => document.querySelectorAll('script[type="{WIDGET_VIEW}"]')[i]
                           .parentNode.scrollIntoView({{block: 'center'}})""", i)
        try:
            page.wait_for_function(
                f"""(i) => {{ const d = document.querySelectorAll('script[type="{WIDGET_VIEW}"]')[i]
                                 .previousElementSibling;
                   return d && d.classList.contains('widget-subarea') &&
                          !d.classList.contains('vaebook-widget-pending') &&
                          d.firstElementChild && d.getBoundingClientRect().height > 0; }}""",
                arg=i, timeout=TIMEOUT_MS)
        except Exception:  # report what is missing below, with the page's errors
            break
    page.evaluate("() => window.scrollTo(0, 0)")
    # every figure has drawn its first frame, every LiveDecoder its first readout
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.vaebook-figure')).every(r => r.dataset.frames)"
        " && Array.from(document.querySelectorAll('.vaebook-live-decoder .live-readout'))"
        ".every(r => r.textContent.length > 0)", timeout=TIMEOUT_MS)
    return page, log


def math_report(page) -> dict:
    return page.evaluate("""() => {
        const all = Array.from(document.querySelectorAll('.math'));
        const bad = all.filter(e => !e.querySelector('mjx-container'))
                       .map(e => e.textContent.slice(0, 80));
        return {n: all.length, untypeset: bad,
                errors: document.querySelectorAll('mjx-merror').length,
                typesetInBrowser: typeof window.MathJax !== 'undefined'};
    }""")


def widget_report(page) -> dict:
    return page.evaluate(f"""() => {{
        const tags = Array.from(document.querySelectorAll('script[type="{WIDGET_VIEW}"]'));
        const missing = tags.filter(s => {{
            const d = s.previousElementSibling;
            return !(d && d.classList.contains('widget-subarea') && d.firstElementChild &&
                     d.getBoundingClientRect().height > 0);
        }}).map(s => JSON.parse(s.textContent).model_id);
        return {{n: tags.length, missing: missing,
                 errorText: document.body.innerText.includes('Error displaying widget')}};
    }}""")


def widget_manifest(html: str) -> dict:
    """The widget manifest a built page carries: {model_id: {model_name, model_module, href}}."""
    m = re.search(rf'<script type="{re.escape(WIDGET_STATE)}">(.*?)</script>', html, re.S)
    if not m:
        return {}
    return json.loads(m.group(1))["state"]  # myst-nb escapes "</script>" as "<\\/script>": valid JSON


def widget_states(html: str, page: Path) -> dict:
    """The saved widget state of the built page ``page`` (whose text is ``html``):
    {model_id: {model_name, model_module, state}}, each state read from the file the page's
    manifest names (site/vaebook_site.py moves it there)."""
    return {mid: {"model_name": e["model_name"], "model_module": e["model_module"],
                  "state": json.loads((page.parent / e["href"]).read_text(encoding="utf-8"))}
            for mid, e in widget_manifest(html).items()}


def live_decoder_models(html: str, page: Path) -> dict:
    """The LiveDecoder models on a built page (anywidget models holding decoder layers)."""
    return {mid: m["state"] for mid, m in widget_states(html, page).items()
            if m.get("model_module") == "anywidget" and "layers" in m["state"]
            and "likelihood" in m["state"]}


def numpy_decode(state: dict, z) -> np.ndarray:
    """vaebook.decode with the weights saved in a LiveDecoder's state."""
    layers = state["layers"]
    config = vaebook.VAEConfig(data_dim=layers[-1]["n_out"], latent_dim=layers[0]["n_in"],
                               dec_hidden=tuple(layer["n_out"] for layer in layers[:-1]) or (1,),
                               likelihood=state["likelihood"])
    if len(layers) == 1:
        raise ValueError("a decoder without hidden layers is not a vaebook decoder")
    names = config.dec_layers
    params = vaebook.init_params(config, np.random.default_rng(0))  # the encoder is not used
    for name, layer in zip(names, layers):
        params[name + "_W"], params[name + "_b"] = layer_arrays(layer)
    return vaebook.decode(params, config, np.asarray(z, dtype=float)[None, :])[0]


def live_pages(built_site: Path) -> dict[str, dict]:
    """{doc: LiveDecoder models} for every built page that shows a LiveDecoder."""
    found = {}
    for page in sorted(built_site.rglob("*.html")):
        rel = page.relative_to(built_site)
        if rel.parts[0] in ("_static", "_vendor", "_sources"):
            continue
        models = live_decoder_models(page.read_text(encoding="utf-8"), page)
        if models:
            found[rel.with_suffix("").as_posix()] = models
    return found


# ----------------------------------------------------------------------------------------------
# Tests
# ----------------------------------------------------------------------------------------------
def check_chapter_page(browser, site_url, screenshots, doc) -> dict:
    page, log = open_page(browser, site_url, doc)
    try:
        page.screenshot(path=str(screenshots / f"{doc.replace('/', '__')}.png"), full_page=True)
        maths = math_report(page)
        assert not maths["untypeset"], (f"{doc}: {len(maths['untypeset'])} of {maths['n']} "
                                        f"equations not typeset, e.g. {maths['untypeset'][:3]}")
        assert maths["errors"] == 0, f"{doc}: {maths['errors']} MathJax errors (mjx-merror)"
        assert not maths["typesetInBrowser"], f"{doc}: MathJax was loaded (the math is typeset at build time)"
        widgets = widget_report(page)
        assert not widgets["missing"], (f"{doc}: {len(widgets['missing'])} of {widgets['n']} "
                                        f"widgets not rendered: {widgets['missing']}")
        assert not widgets["errorText"], f"{doc}: a widget shows 'Error displaying widget'"
        log.check(doc)
        assert any(r.startswith(site_url) for r in log.requests), f"{doc}: nothing was loaded"
        return {"equations": maths["n"], "widgets": widgets["n"], "axe": axe_check(page, doc)}
    finally:
        page.context.close()


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


@functools.lru_cache(maxsize=1)
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make vendor does)")
    return AXE.read_text(encoding="utf-8")


def axe_run(page, only: list[str] | None = None) -> list[dict]:
    """axe-core's violations on the page as it is now: [{id, impact, n, where}]."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    return page.evaluate("""async (only) => {
        const opts = {resultTypes: ['violations']};
        if (only) opts.runOnly = {type: 'rule', values: only};
        const r = await axe.run(document, opts);
        return r.violations.map(v => ({id: v.id, impact: v.impact, n: v.nodes.length,
                                       where: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""", only)


def axe_check(page, doc: str) -> dict:
    """axe-core (WCAG 2.0-2.2 A/AA and best practices) on the rendered page with its widgets,
    then its colours again in the theme's dark mode (as a reader whose system is dark gets it):
    no critical or serious violation. Returns {impact: nodes} of the rest."""
    light = axe_run(page)
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")  # no fades
    page.emulate_media(color_scheme="dark")
    page.wait_for_function("() => document.documentElement.dataset.theme === 'dark' && "
                           "getComputedStyle(document.body).backgroundColor !== 'rgb(255, 255, 255)'")
    dark = axe_run(page, ["color-contrast"])
    bad = [(mode, v) for mode, vs in (("light", light), ("dark", dark)) for v in vs
           if v["impact"] in ("critical", "serious")]
    assert not bad, f"{doc}: axe finds critical or serious violations:\n" + "\n".join(map(str, bad))
    out = {}
    for v in light:
        out[v["impact"]] = out.get(v["impact"], 0) + v["n"]
    return out


def test_every_chapter_page_renders_offline(browser, site_url, screenshots):
    totals = {}
    for doc in chapter_files():
        totals[doc] = check_chapter_page(browser, site_url, screenshots, doc)
    print("per page (equations, widgets, axe's remaining minor/moderate nodes):", totals)
    # the check must have something to check: the book has equations and widgets somewhere
    assert sum(t["equations"] for t in totals.values()) > 0, f"no equation on any page: {totals}"
    assert sum(t["widgets"] for t in totals.values()) > 0, f"no widget on any page: {totals}"


def move_and_check(page, model_id: str, state: dict, doc: str, screenshot: Path) -> dict:
    """Click a LiveDecoder's sliders with the mouse; its output must become decode(z)."""
    # the view of model_id is rendered into the div the HTML manager puts before its view tag
    found = page.evaluate(f"""(id) => {{
        for (const s of document.querySelectorAll('script[type="{WIDGET_VIEW}"]')) {{
            if (JSON.parse(s.textContent).model_id !== id) continue;
            const d = s.previousElementSibling;
            const el = d && d.querySelector('.vaebook-live-decoder');
            if (el) {{ el.setAttribute('data-test-model', id); return true; }}
        }}
        return false;
    }}""", model_id)
    assert found, f"{doc}: LiveDecoder {model_id} not rendered"
    root = page.locator(f'[data-test-model="{model_id}"]')
    z0 = json.loads(root.get_attribute("data-z"))
    x0 = np.array(json.loads(root.get_attribute("data-xhat")))
    # the first frame already equals the library (and the x_hat Python saved)
    np.testing.assert_allclose(x0, numpy_decode(state, z0), rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(x0, state["x_hat"], rtol=0, atol=TOLERANCE)
    picture0 = root.locator(".live-plot").screenshot()

    sliders = root.locator("input.live-z")
    assert sliders.count() == len(z0) == len(state["z"])
    for j, frac in zip(range(sliders.count()), (0.8, 0.25, 0.6, 0.4)):
        box = sliders.nth(j).bounding_box()
        before = root.get_attribute("data-z")
        page.mouse.click(box["x"] + frac * box["width"], box["y"] + box["height"] / 2)
        page.wait_for_function("([r, z]) => r.dataset.z !== z", arg=[root.element_handle(), before],
                               timeout=TIMEOUT_MS)
    z1 = [float(sliders.nth(j).input_value()) for j in range(sliders.count())]
    assert np.abs(np.subtract(z1, z0)).max() > 0.5, f"{doc}: the sliders did not move: {z0} -> {z1}"
    shown_z = json.loads(root.get_attribute("data-z"))
    x1 = np.array(json.loads(root.get_attribute("data-xhat")))
    np.testing.assert_allclose(shown_z, z1, rtol=0, atol=1e-12)
    expected = numpy_decode(state, z1)
    err = float(np.abs(x1 - expected).max())
    assert err <= TOLERANCE, f"{doc}: browser x_hat differs from vaebook.decode by {err:.3g}"
    assert np.abs(x1 - x0).max() > 1e-3, f"{doc}: the decoded output did not change"
    assert root.locator(".live-plot").screenshot() != picture0, f"{doc}: the drawing did not change"
    readout = root.locator(".live-readout").inner_text()
    assert f"{abs(z1[0]):.3f}" in readout, f"{doc}: readout {readout!r} does not show z1 = {z1[0]}"
    page.screenshot(path=str(screenshot), full_page=True)
    return {"z": z1, "max_abs_error": err}


def test_live_decoder_runs_in_the_browser(browser, site_url, screenshots, built_site):
    pages = live_pages(built_site)
    assert pages, "no built page shows a LiveDecoder (vaebook.widgets.live)"
    for doc, models in pages.items():
        page, log = open_page(browser, site_url, doc)
        try:
            for i, (model_id, state) in enumerate(models.items()):
                shot = screenshots / f"{doc.replace('/', '__')}__live{i}.png"
                move_and_check(page, model_id, state, doc, shot)
            log.check(doc)
        finally:
            page.context.close()


def figure_models(html: str, page: Path) -> dict:
    """The InteractiveFigure models on a built page (anywidget models holding frame tables)."""
    return {mid: m["state"] for mid, m in widget_states(html, page).items()
            if m.get("model_module") == "anywidget" and "tables" in m["state"]
            and "control_specs" in m["state"]}


def figure_pages(built_site: Path) -> dict[str, dict]:
    """{doc: InteractiveFigure models} for every chapter page that shows one."""
    found = {}
    for doc in chapter_files():
        page = built_site / f"{doc}.html"
        models = figure_models(page.read_text(encoding="utf-8"), page)
        if models:
            found[doc] = models
    return found


def move_every_control(page, model_id: str, state: dict, doc: str) -> int:
    """Move each control of one InteractiveFigure once; the page must show Python's frame."""
    from vaebook.widgets.artists import curve_values
    from vaebook.widgets.state import frame_from_state, readout_from_state

    found = page.evaluate(f"""(id) => {{
        for (const s of document.querySelectorAll('script[type="{WIDGET_VIEW}"]')) {{
            if (JSON.parse(s.textContent).model_id !== id) continue;
            const d = s.previousElementSibling;
            const el = d && d.querySelector('.vaebook-figure');
            if (el) {{ el.setAttribute('data-test-model', id); return true; }}
        }}
        return false;
    }}""", model_id)
    assert found, f"{doc}: figure {model_id} ({state['title']!r}) not rendered"
    root = page.locator(f'[data-test-model="{model_id}"]')
    root.scroll_into_view_if_needed()
    where = f"{doc}, {state['title']!r}"
    values = json.loads(root.get_attribute("data-values"))
    assert values == state["value"], f"{where}: starts at {values}, the saved state at {state['value']}"
    assert root.locator("img").get_attribute("alt"), f"{where}: the figure has no alt text"
    for c, spec in enumerate(state["control_specs"]):
        control = root.locator(".vf-control").nth(c)
        frames = root.get_attribute("data-frames")
        picture = root.locator("canvas").evaluate("(c) => c.toDataURL()")
        index = int(control.input_value())
        if spec["kind"] == "slider":
            control.focus()
            page.keyboard.press("ArrowLeft" if index == len(spec["grid"]) - 1 else "ArrowRight")
        else:  # the next option no other drop-down shows (an interpolation from a point to itself is still)
            taken = {values[o["name"]] for o in state["control_specs"]
                     if o["kind"] == "choice" and o["name"] != spec["name"]}
            step = next(k for k in range(1, len(spec["grid"]))
                        if spec["grid"][(index + k) % len(spec["grid"])] not in taken)
            control.select_option(str((index + step) % len(spec["grid"])))
        page.wait_for_function("([r, n]) => r.dataset.frames !== n", arg=[root.element_handle(), frames],
                               timeout=TIMEOUT_MS)
        values = json.loads(root.get_attribute("data-values"))
        frame = frame_from_state(state, values)
        assert frame is not None, f"{where}: moved {spec['name']} off its grid: {values}"
        text = root.locator(".vf-readout").inner_text()
        assert text == readout_from_state(state, frame), (
            f"{where}: after moving {spec['name']} the page reads {text!r}, Python computed "
            f"{readout_from_state(state, frame)!r}")
        drawn = root.evaluate("(r) => r.__drawn")
        for art, shown in zip(state["artists"], drawn):
            if art["kind"] == "curve":
                ref = lambda r: float(frame[r]) if isinstance(r, str) else r  # noqa: E731
                params = {k: ref(art[k]) for k in ("a", "c", "scale")}
                params.update({k: [ref(r) for r in art[k]] for k in ("weights", "means", "vars")})
                np.testing.assert_allclose(shown["y"], curve_values(art["x"], params), rtol=0,
                                           atol=CURVE_TOL, err_msg=f"{where}: a curve")
            elif art["kind"] == "image":
                assert shown["grey"] == np.ravel(frame[art["grey"]]).tolist(), f"{where}: an image"
        assert root.locator("canvas").evaluate("(c) => c.toDataURL()") != picture, (
            f"{where}: moving {spec['name']} changed nothing in the picture")
    return len(state["control_specs"])


def test_every_control_on_every_page_works_offline(browser, site_url, built_site, screenshots):
    pages = figure_pages(built_site)
    assert pages, "no built page shows an InteractiveFigure (vaebook.widgets)"
    moved = {}
    for doc, models in pages.items():
        page, log = open_page(browser, site_url, doc)
        try:
            moved[doc] = sum(move_every_control(page, mid, state, doc) for mid, state in models.items())
            page.screenshot(path=str(screenshots / f"{doc.replace('/', '__')}__moved.png"), full_page=True)
            log.check(doc)
        finally:
            page.context.close()
    print("controls moved per page:", moved)


def test_search_works_offline(browser, site_url):
    context = browser.new_context()
    page = context.new_page()
    log = PageLog(page, site_url)
    try:
        page.goto(site_url + "search.html?q=autoencoder", wait_until="load", timeout=TIMEOUT_MS)
        page.wait_for_selector("#search-results ul.search li", timeout=TIMEOUT_MS)
        hits = page.locator("#search-results ul.search li a").evaluate_all(
            "els => els.map(e => e.getAttribute('href'))")
        assert any("book/index.html" in h for h in hits), f"search for 'autoencoder' found {hits}"
        log.check("search")
    finally:
        context.close()


def test_launch_download_and_repository_buttons(built_site):
    notebooks = [d for d in chapter_files() if (built_site / "_sources" / f"{d}.ipynb").exists()]
    assert notebooks, "no notebook page in the build"
    for doc in notebooks:
        html = (built_site / f"{doc}.html").read_text(encoding="utf-8")
        nb = doc + ".ipynb"
        assert "mybinder.org/v2/gh/" in html and f"urlpath=lab/tree/{nb}" in html, \
            f"{doc}: no Binder (JupyterLab) launch button"
        assert f'href="../_sources/{nb}"' in html, f"{doc}: no .ipynb download button"
        assert 'href="https://github.com/' in html, f"{doc}: no repository button"
    for doc in chapter_files():
        html = (built_site / f"{doc}.html").read_text(encoding="utf-8")
        assert "search.html" in html, f"{doc}: no search box"
    assert "book/running_locally" in chapter_files(), "the 'How to run this book' page is not in _toc.yml"
    text = re.sub(r"<[^>]+>", "", (built_site / "book" / "running_locally.html").read_text(encoding="utf-8"))
    text = " ".join(text.split())
    for command in ("make lab", "make book", "make serve", "make test"):
        assert command in text, f"'How to run this book' does not explain {command!r}"


# ----------------------------------------------------------------------------------------------
# The widgets' front-end code, stored once per site (site/vaebook_site.py)
# ----------------------------------------------------------------------------------------------
def _site_extension():
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "site" / "vaebook_site.py"
    spec = importlib.util.spec_from_file_location("vaebook_site", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_share_widget_code_moves_each_distinct_module_out_once():
    ext = _site_extension()
    figure = {"model_module": "anywidget", "state": {"_esm": "export default {render};", "_css": ".a{}"}}
    manager = {"state": {"1": json.loads(json.dumps(figure)), "2": json.loads(json.dumps(figure)),
                         "3": {"model_module": "anywidget", "state": {"_esm": "https://x/y.js", "_css": ""}},
                         "4": {"model_module": "@jupyter-widgets/base", "state": {"_esm": "keep"}}}}
    out, modules, styles = ext.share_widget_code(manager)
    assert len(modules) == 1 and list(modules.values()) == ["export default {render};"]
    spec = next(iter(modules))
    assert spec.startswith(ext.SPECIFIER) and spec.endswith(".js")
    for k in ("1", "2"):
        assert out["state"][k]["state"] == {"_esm": f'export {{ default }} from "{spec}";\n', "_css": ""}
    assert list(styles.values()) == [".a{}"]
    assert out["state"]["3"]["state"]["_esm"] == "https://x/y.js"  # a URL is left to anywidget
    assert out["state"]["4"]["state"]["_esm"] == "keep"            # not an anywidget


def test_widget_code_is_stored_once_per_site(built_site):
    """On the built pages no widget carries its front end: each anywidget's _esm is a one-line
    module that the page's import map resolves to a shared file, one per widget class, and its
    _css is a stylesheet the page links (the browser tests above show every widget working)."""
    ext = _site_extension()
    per_class, pages = {}, 0
    for doc in chapter_files():
        html = (built_site / f"{doc}.html").read_text(encoding="utf-8")
        models = {k: m for k, m in widget_states(html, built_site / f"{doc}.html").items()
                  if m.get("model_module") == "anywidget"}
        if not models:
            continue
        pages += 1
        m = re.search(r'<script type="importmap">(.*?)</script>', html, re.S)
        assert m, f"{doc}: widgets but no import map"
        first_module = min([html.find(t) for t in ('type="module"', "embed-amd.js") if t in html])
        assert html.index('type="importmap"') < first_module, f"{doc}: the import map must precede every module"
        imports = json.loads(m.group(1))["imports"]
        for model in models.values():
            state = model["state"]
            stub = re.fullmatch(r'export \{ default \} from "([^"]+)";\n', state["_esm"])
            assert stub, f"{doc}: a widget still carries its code ({len(state['_esm'])} bytes of _esm)"
            target = (built_site / doc).parent / imports[stub.group(1)]
            assert target.is_file() and target.stat().st_size > 1000, f"{doc}: {target} missing"
            per_class.setdefault(state["_anywidget_id"], set()).add(target.resolve())
            assert state["_css"] == ""
        for link in re.findall(rf'href="([^"?]*{ext.SHARED.split("/")[-1]}/css-[0-9a-f]+\.css)', html):
            assert ((built_site / doc).parent / link).is_file()
        assert re.search(r'href="[^"]*vaebook-widgets/css-[0-9a-f]+\.css', html), f"{doc}: no widget stylesheet"
    assert pages >= 2, f"only {pages} chapter pages have widgets"
    assert per_class and all(len(files) == 1 for files in per_class.values()), (
        f"one shared module per widget class: {per_class}")


# ----------------------------------------------------------------------------------------------
# Math typeset at build time, and the small widget runtime (site/vaebook_site.py)
# ----------------------------------------------------------------------------------------------
MATH_ELEMENT = re.compile(r'<(span|div) class="math notranslate nohighlight"[^>]*>(.*?)</\1>', re.S)


def _prose(html: str) -> str:
    """A page's text outside scripts, code blocks and math elements."""
    html = re.sub(r"<(script|style|pre)\b.*?</\1>", "", html, flags=re.S)
    html = re.sub(r'<div class="math notranslate nohighlight".*?</div>', "", html, flags=re.S)
    return re.sub(r'<span class="math notranslate nohighlight">.*?</span>', "", html, flags=re.S)


def test_every_equation_is_typeset_at_build_time(built_site):
    """Every math element of every page holds MathJax's markup (with its MathML for screen
    readers) and no TeX is left for a browser to typeset; no page loads MathJax."""
    counts = {}
    for doc in chapter_files():
        html = (built_site / f"{doc}.html").read_text(encoding="utf-8")
        elements = [m.group(2) for m in MATH_ELEMENT.finditer(html)]
        raw = [e for e in elements if "<mjx-container" not in e or re.search(r"\\\(|\\\[", e.split("<mjx-container")[0])]
        assert not raw, f"{doc}: {len(raw)} of {len(elements)} equations not typeset, e.g. {raw[0][:120]!r}"
        assert all("<mjx-assistive-mml" in e for e in elements), f"{doc}: an equation without MathML"
        assert "mjx-merror" not in html and 'mathcolor="red"' not in html, f"{doc}: a TeX error"
        assert "mathjax/tex-" not in html and "window.MathJax" not in html, f"{doc}: loads MathJax"
        stray = re.findall(r".{30}(?:\\\(|\\\[|\$\$|\\begin\{).{30}", _prose(html))
        assert not stray, f"{doc}: TeX outside any math element: {stray[:3]}"
        if elements:
            assert '_vendor/math.css"' in html, f"{doc}: math without its stylesheet"
        counts[doc] = len(elements)
    css = (built_site / "_vendor" / "math.css").read_text(encoding="utf-8")
    fonts = set(re.findall(r'url\("([^"]+\.woff)"\)', css))
    assert fonts and all((built_site / "_vendor" / f).is_file() for f in fonts), "math fonts missing"
    # chapter 3 numbers its equations; each number and its links survive the typesetting
    ch3 = (built_site / "book" / "03_kl_elbo.html").read_text(encoding="utf-8")
    numbered = re.findall(r'<div class="math notranslate nohighlight" id="(equation-[^"]+)">\s*'
                          r'<span class="eqno">\(3\.\d+\)', ch3)
    assert len(numbered) >= 5, f"chapter 3: only {len(numbered)} numbered equations"
    assert counts["book/03_kl_elbo"] >= 200, counts


def test_pages_load_no_widget_manager_and_carry_no_widget_data(built_site):
    """Pages with widgets load the site's small runtime as a module (never blocking the first
    paint), not the HTML manager or require.js, and carry only a manifest of the widgets'
    state files; every file the manifest names exists."""
    pages = 0
    for doc in chapter_files():
        page = built_site / f"{doc}.html"
        html = page.read_text(encoding="utf-8")
        assert not re.search(r'src="[^"]*(embed-amd|require)\.js', html), f"{doc}: loads the HTML manager"
        manifest = widget_manifest(html)
        if not manifest:
            continue
        pages += 1
        runtime = re.findall(r'<script type="module" src="([^"?]+runtime-[0-9a-f]+\.js)', html)
        assert len(runtime) == 1 and (page.parent / runtime[0]).stat().st_size < 8000, f"{doc}: runtime {runtime}"
        m = re.search(rf'<script type="{re.escape(WIDGET_STATE)}">(.*?)</script>', html, re.S)
        assert len(m.group(1)) < 100 + 200 * len(manifest), f"{doc}: {len(m.group(1))} bytes of inline widget state"
        for entry in manifest.values():
            assert (page.parent / entry["href"]).is_file(), f"{doc}: {entry['href']} missing"
    assert pages >= 2, f"only {pages} pages with widgets"


def test_widget_state_is_fetched_only_near_the_viewport(browser, site_url, built_site):
    """On opening chapter 7 (widgets far below its first screen) no widget state is fetched;
    scrolling to a widget fetches its state and draws it."""
    doc = "book/07_generator" if "book/07_generator" in chapter_files() else next(iter(figure_pages(built_site)))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log = PageLog(page, site_url)
    try:
        page.goto(site_url + f"{doc}.html", wait_until="load", timeout=TIMEOUT_MS)
        page.wait_for_function("() => document.querySelectorAll('.widget-subarea').length > 0")
        page.wait_for_timeout(300)  # let the observer report what is visible
        first = page.evaluate(f"""() => Array.from(document.querySelectorAll('script[type="{WIDGET_VIEW}"]'))
                                .map(s => s.parentNode.getBoundingClientRect().top)""")
        fetched = [u for u in log.requests if "/state-" in u]
        near = [t for t in first if t < 900 + 600]
        assert len(fetched) == len(near), f"{doc}: {len(fetched)} states fetched on load, {len(near)} widgets near view"
        assert len(near) < len(first), f"{doc}: every widget is near the first screen: nothing to test"
        page.evaluate(f"""() => document.querySelectorAll('script[type="{WIDGET_VIEW}"]')[{len(first) - 1}]
                           .parentNode.scrollIntoView()""")
        page.wait_for_function(f"""() => {{ const s = document.querySelectorAll('script[type="{WIDGET_VIEW}"]');
            const d = s[s.length - 1].previousElementSibling;
            return !d.classList.contains('vaebook-widget-pending') && d.getBoundingClientRect().height > 50; }}""",
                               timeout=TIMEOUT_MS)
        assert len([u for u in log.requests if "/state-" in u]) > len(fetched)
        log.check(doc)
    finally:
        context.close()
