"""A small Sphinx extension for the book's site (loaded through ``local_extensions`` in _config.yml).

**Widget code stored once.** Every widget of the book is an anywidget whose saved state carries
its whole front end (``_esm``, ``_css``): a page with seven widgets would carry seven copies.
On every page this stores each distinct ``_esm`` once for the whole site, as
``_static/vaebook-widgets/esm-<hash>.js``, and leaves in the widget's state a one-line module,
``export { default } from "vaebook-widgets/esm-<hash>.js";``, which the page's import map
resolves to that file (anywidget loads ``_esm`` from a blob: URL, where only a bare specifier
mapped by the document's import map, or an absolute URL, can be imported). Each distinct
``_css`` becomes ``_static/vaebook-widgets/css-<hash>.css``, linked from the page's head, and the
state's ``_css`` is emptied. Content-addressed names: a browser fetches each file once for the
whole site. The notebooks (and JupyterLab) keep the full code in every widget.

**Math typeset at build time.** Sphinx's mathjax extension would make every page with math load
MathJax (1 MB of script) and typeset in the reader's browser after the first paint, shifting
the whole layout (CLS) and adding thousands of DOM nodes while the reader waits. This drops
MathJax's scripts from every page and links instead one stylesheet, ``_vendor/math.css``; when
the build has finished, ``site/prerender_math.cjs`` (MathJax 3 from npm, in Node) replaces the
TeX of every equation of the site by MathJax's CommonHTML markup, with the hidden MathML screen
readers read, and writes that stylesheet (its fonts are MathJax's own, vendored by
``scripts/vendor_assets.py`` into ``_vendor/mathjax/``). A TeX error fails the build.

**A small widget runtime, widget data fetched when needed.** Instead of the Jupyter widgets'
HTML manager (3.5 MB, with require.js, loaded synchronously in the head), pages with widgets
load ``site/widgets.js`` (a module script: never blocks the first paint), which renders each
anywidget with a minimal model. Each widget's saved state (its frame tables and background
image: up to hundreds of kB) is written to a content-addressed ``state-<hash>.json`` next to the
shared code; the page keeps only a manifest of those files, and the runtime fetches a widget's
state when the widget comes near the viewport.

**Corrections to the theme's pages** (accessibility, phones): ``site/static/vaebook.css`` and
``vaebook-a11y.js`` on every page (see their comments); a ``<meta name="description">`` per
page (its first paragraph); every built page's PNG images get their width and height (no layout
shift when they load; the book's figures load lazily, when the reader nears them), the
bibliography's entries the ``listitem`` role their ``role="list"``
parent requires (docutils writes the deprecated ``doc-biblioentry``), and the theme's primary
sidebar a landmark; only the icons the site shows instead of the theme's 1.5 MB Font Awesome
(site/vaebook_icons.py).

**Repeated assets.** sphinx-thebe (which Jupyter Book 1 loads) registers its inline configuration script, which
declares ``const THEBE_JS_URL``, in a way that Sphinx 7 emits twice on every page, so every page
logged "Identifier 'THEBE_JS_URL' has already been declared" (once registered with filename
None, once with ""). This drops repeated identical ``<script>`` and stylesheet entries from
each page's context before it is rendered.
"""
from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

from sphinx.errors import ExtensionError

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: Where the shared widget code goes, under the site's root, and its import-map prefix.
SHARED = "_static/vaebook-widgets"
SPECIFIER = "vaebook-widgets/"
#: The site's widget runtime (replaces the Jupyter widgets' HTML manager and require.js).
RUNTIME = Path(__file__).with_name("widgets.js")


def _key(asset):
    attrs = getattr(asset, "attributes", {}) or {}
    # an inline script's filename is None or "" depending on who registered it
    return (getattr(asset, "filename", str(asset)) or None, tuple(sorted((k, str(v)) for k, v in attrs.items())))


MATH_CSS = "_vendor/math.css"
MATH_FONTS = "mathjax/output/chtml/fonts/woff-v2"  # relative to MATH_CSS
PRERENDER = Path(__file__).with_name("prerender_math.cjs")


def _is_mathjax(asset) -> bool:
    name = getattr(asset, "filename", None) or ""
    body = (getattr(asset, "attributes", None) or {}).get("body", "") or ""
    return "mathjax" in name.lower() or body.lstrip().startswith(("window.MathJax", "MathJax ="))


def _drop_mathjax(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    kept = [a for a in scripts if not _is_mathjax(a)]
    if len(kept) != len(scripts):
        scripts[:] = kept
        app.add_css_file(f"../{MATH_CSS}")


STATIC = Path(__file__).with_name("static")
DESCRIPTION_CHARS = 155


def _copy_static(app):
    if app.builder.format != "html":
        return
    target = Path(app.builder.outdir) / "_static"
    target.mkdir(parents=True, exist_ok=True)
    for f in STATIC.iterdir():
        shutil.copyfile(f, target / f.name)


def page_description(doctree) -> str:
    """The page's first paragraph of prose (no math), in at most DESCRIPTION_CHARS characters."""
    from docutils import nodes

    for para in doctree.findall(nodes.paragraph):
        if any(True for _ in para.findall(nodes.math)):
            continue
        text = " ".join(para.astext().split())
        if len(text) >= 40:
            if len(text) > DESCRIPTION_CHARS:
                text = text[:DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"
            return text
    return ""


def _describe(app, pagename, templatename, context, doctree):
    text = page_description(doctree) if doctree is not None else ""
    text = text or f"{context.get('title', '')} ({app.config.project})".strip()
    context["metatags"] = context.get("metatags", "") + f'\n<meta name="description" content="{html.escape(text)}" />'


def _png_size(path: Path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


IMG = re.compile(r'<img (?![^>]*\bwidth=)([^>]*?)src="([^"]+\.png)"([^>]*?)(/?)>')


def fix_page(text: str, page: Path) -> str:
    """The corrections every built page gets (see the module's docstring)."""
    def sized(m):
        src = page.parent / m.group(2)
        size = _png_size(src) if src.is_file() else None
        if size is None:
            return m.group(0)
        lazy = ' loading="lazy" decoding="async"' if "_images/" in m.group(2) else ""
        return (f'<img {m.group(1)}src="{m.group(2)}"{m.group(3)} width="{size[0]}" height="{size[1]}"'
                f'{lazy} {m.group(4)}>')

    text = IMG.sub(sized, text)
    text = text.replace('role="doc-biblioentry"', 'role="listitem"')
    text = text.replace('<div class="bd-sidebar-primary bd-sidebar"',
                        '<div class="bd-sidebar-primary bd-sidebar" role="complementary" aria-label="Book contents"', 1)
    return text


def _fix_pages(out: Path) -> None:
    for page in out.rglob("*.html"):
        if page.relative_to(out).parts[0] in ("_static", "_vendor", "_sources", "_images"):
            continue
        text = page.read_text(encoding="utf-8")
        fixed = fix_page(text, page)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def _prerender_math(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    _fix_pages(Path(app.builder.outdir))
    import vaebook_icons  # site/, on sys.path as a local extension's folder

    try:
        vaebook_icons.write_icons(Path(app.builder.outdir))
    except RuntimeError as err:
        raise ExtensionError(str(err)) from err
    node = shutil.which("node")
    if node is None:
        raise ExtensionError("vaebook_site: Node.js (`node`) is needed to typeset the book's math at build time")
    out = Path(app.builder.outdir)
    proc = subprocess.run([node, str(PRERENDER), str(out), str(out / MATH_CSS), MATH_FONTS],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise ExtensionError(f"vaebook_site: typesetting the math failed:\n{proc.stderr.strip()}")
    if not (out / Path(MATH_CSS).parent / MATH_FONTS).is_dir():
        raise ExtensionError(f"vaebook_site: MathJax's fonts are missing from {out / '_vendor'}: run `make vendor`")
    print(proc.stdout.strip())


def _dedupe(app, pagename, templatename, context, doctree):
    for name in ("script_files", "css_files"):
        assets = context.get(name)
        if not assets:
            continue
        seen, unique = set(), []
        for asset in assets:
            key = _key(asset)
            if key not in seen:
                seen.add(key)
                unique.append(asset)
        assets[:] = unique


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _is_href(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def share_widget_code(manager: dict) -> tuple[dict, dict, dict]:
    """Move every anywidget's ``_esm`` and ``_css`` out of a saved widget state (in place).

    Returns ``(manager, modules, styles)``: ``modules`` maps each import-map specifier to the
    module's code, ``styles`` each stylesheet's file name to its text.
    """
    modules, styles = {}, {}
    for model in manager.get("state", {}).values():
        if model.get("model_module") != "anywidget":
            continue
        state = model.get("state", {})
        esm = state.get("_esm")
        if isinstance(esm, str) and esm and not _is_href(esm):
            spec = f"{SPECIFIER}esm-{_digest(esm)}.js"
            modules[spec] = esm
            state["_esm"] = f'export {{ default }} from "{spec}";\n'
        css = state.get("_css")
        if isinstance(css, str) and css and not _is_href(css):
            styles[f"css-{_digest(css)}.css"] = css
            state["_css"] = ""
    return manager, modules, styles


def _write(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def split_widget_state(manager: dict) -> tuple[dict, dict]:
    """Take every anywidget's saved state out of a page's widget state.

    Returns ``(manifest, files)``: ``files`` maps each ``state-<hash>.json`` name to the JSON text
    of one model's state, ``manifest`` is what stays on the page, ``{"state": {model_id:
    {"model_module", "model_name", "href"}}}`` (``href`` the file's name, resolved by the caller).
    Other models (the layout models ipywidgets saves beside each widget) are not used by the
    site's runtime and are dropped.
    """
    manifest = {k: v for k, v in manager.items() if k != "state"}
    manifest["state"], files = {}, {}
    for model_id, model in manager.get("state", {}).items():
        if model.get("model_module") != "anywidget":
            continue
        text = json.dumps(model.get("state", {}), separators=(",", ":"))
        name = f"state-{_digest(text)}.json"
        files[name] = text
        manifest["state"][model_id] = {"model_module": model["model_module"],
                                       "model_name": model.get("model_name"), "href": name}
    return manifest, files


def _is_widget_manager(asset) -> bool:
    name = getattr(asset, "filename", None) or ""
    return any(part in name for part in ("require.js", "html-manager/", "widgets-config.js"))


def _share(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files") or []
    states = [a for a in scripts if (getattr(a, "attributes", None) or {}).get("type") == WIDGET_STATE]
    if not states:
        return
    scripts[:] = [a for a in scripts if not _is_widget_manager(a)]
    out = Path(app.builder.outdir)
    imports = {}
    for asset in states:
        manager, modules, styles = share_widget_code(json.loads(asset.attributes["body"]))
        manifest, files = split_widget_state(manager)
        for name, text in files.items():
            _write(out / SHARED / name, text)
        for entry in manifest["state"].values():
            entry["href"] = context["pathto"](f"{SHARED}/{entry['href']}", 1)
        # the same escaping as myst-nb's (a "</script>" inside the JSON would end the element)
        asset.attributes["body"] = json.dumps(manifest).replace("</script>", r"<\/script>")
        for spec, code in modules.items():
            file = f"{SHARED}/{spec[len(SPECIFIER):]}"
            _write(out / file, code)
            imports[spec] = context["pathto"](file, 1)
        for name, css in styles.items():
            _write(out / SHARED / name, css)
            app.add_css_file(f"{SHARED[len('_static/'):]}/{name}")
    runtime = RUNTIME.read_text(encoding="utf-8")
    runtime_file = f"{SHARED}/runtime-{_digest(runtime)}.js"
    _write(out / runtime_file, runtime)
    app.add_js_file(runtime_file[len("_static/"):], type="module")
    if imports:
        # the import map must come before any module loads: first of the page's scripts
        before = list(scripts)
        app.add_js_file(None, body=json.dumps({"imports": imports}), type="importmap")
        added = [a for a in scripts if a not in before] if scripts is not None else []
        if len(added) != 1:
            raise RuntimeError("vaebook_site: could not add the widget import map to the page "
                               f"{pagename} (Sphinx's add_js_file did not reach its script list)")
        scripts.remove(added[0])
        scripts.insert(0, added[0])


def setup(app):
    app.connect("html-page-context", _share, priority=850)
    app.connect("builder-inited", _copy_static)
    app.add_css_file("vaebook.css")
    app.add_js_file("vaebook-a11y.js", loading_method="defer")
    app.connect("html-page-context", _describe)
    app.connect("html-page-context", _drop_mathjax, priority=880)
    app.connect("html-page-context", _dedupe, priority=900)
    app.connect("build-finished", _prerender_math)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
