"""A small Sphinx extension for the book's site (loaded through ``local_extensions`` in _config.yml).

sphinx-thebe (which Jupyter Book 1 loads) registers its inline configuration script, which
declares ``const THEBE_JS_URL``, in a way that Sphinx 7 emits twice on every page, so every page
logged "Identifier 'THEBE_JS_URL' has already been declared" (once registered with filename
None, once with ""). This drops repeated identical ``<script>`` and stylesheet entries from
each page's context before it is rendered.
"""
from __future__ import annotations


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


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
