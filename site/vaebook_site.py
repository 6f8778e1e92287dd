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

**Repeated assets.** sphinx-thebe (which Jupyter Book 1 loads) registers its inline configuration script, which
declares ``const THEBE_JS_URL``, in a way that Sphinx 7 emits twice on every page, so every page
logged "Identifier 'THEBE_JS_URL' has already been declared" (once registered with filename
None, once with ""). This drops repeated identical ``<script>`` and stylesheet entries from
each page's context before it is rendered.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: Where the shared widget code goes, under the site's root, and its import-map prefix.
SHARED = "_static/vaebook-widgets"
SPECIFIER = "vaebook-widgets/"


def _key(asset):
    attrs = getattr(asset, "attributes", {}) or {}
    # an inline script's filename is None or "" depending on who registered it
    return (getattr(asset, "filename", str(asset)) or None, tuple(sorted((k, str(v)) for k, v in attrs.items())))


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


def _share(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files") or []
    states = [a for a in scripts if (getattr(a, "attributes", None) or {}).get("type") == WIDGET_STATE]
    if not states:
        return
    out = Path(app.builder.outdir)
    imports = {}
    for asset in states:
        manager, modules, styles = share_widget_code(json.loads(asset.attributes["body"]))
        # the same escaping as myst-nb's (a "</script>" inside the JSON would end the element)
        asset.attributes["body"] = json.dumps(manager).replace("</script>", r"<\/script>")
        for spec, code in modules.items():
            file = f"{SHARED}/{spec[len(SPECIFIER):]}"
            _write(out / file, code)
            imports[spec] = context["pathto"](file, 1)
        for name, css in styles.items():
            _write(out / SHARED / name, css)
            app.add_css_file(f"{SHARED[len('_static/'):]}/{name}")
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
    app.connect("html-page-context", _dedupe, priority=900)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
