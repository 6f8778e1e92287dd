// Loaded on every page with widgets, after require.js and before the widgets' HTML manager
// (see nb_ipywidgets_js in _config.yml). The book's own code, not a third-party file.
//
// Tell require.js where the vendored modules live, so nothing is fetched from a CDN:
// "@jupyter-widgets/..." -> _vendor/html-manager/ (each bundled module finds its icon fonts in
// the folder of its own require.js URL, so every name must map to that one folder) and
// "anywidget" -> _vendor/anywidget/index.js (from the anywidget wheel). The book's widgets are
// all anywidgets whose labels are plain Unicode text ("z₁"), so no MathJax 2 shim is needed.
// Their front-end code is not here: site/vaebook_site.py stores it once per site under
// _static/vaebook-widgets/ and each page's import map resolves it.
(function () {
  "use strict";
  var src = document.currentScript && document.currentScript.src;
  var base = src ? src.slice(0, src.lastIndexOf("/") + 1) : "_vendor/";
  window.requirejs.config({
    paths: {
      "@jupyter-widgets": base + "html-manager",
      "@jupyter-widgets/html-manager/dist": base + "html-manager",
      anywidget: base + "anywidget/index"
    }
  });
})();
