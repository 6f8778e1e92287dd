// Loaded on every page with widgets, after require.js and before the widgets' HTML manager
// (see nb_ipywidgets_js in _config.yml). The book's own code, not a third-party file.
//
// 1. Tell require.js where the vendored modules live, so nothing is fetched from a CDN:
//    "@jupyter-widgets/..." -> _vendor/html-manager/ (each bundled module finds its icon fonts
//    in the folder of its own require.js URL, so every name must map to that one folder) and "anywidget" -> _vendor/anywidget/index.js (from the anywidget wheel).
// 2. ipywidgets typesets labels with the MathJax 2 API (MathJax.Hub.Queue); the site uses
//    MathJax 3, so give every MathJax object a small Hub.Queue that calls typesetPromise.
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

  function typeset(el, tries) {
    var MJ = current;
    if (MJ && MJ.startup && MJ.startup.promise && MJ.typesetPromise) {
      MJ.startup.promise.then(function () { return MJ.typesetPromise([el]); })
        .catch(function (e) { console.warn("MathJax typeset failed", e); });
    } else if ((tries || 0) < 100) {
      setTimeout(function () { typeset(el, (tries || 0) + 1); }, 100); // MathJax still loading
    }
  }
  function queue() {
    for (var i = 0; i < arguments.length; i++) {
      var job = arguments[i];
      if (Array.isArray(job) && job[0] === "Typeset" && job[2]) typeset(job[2]);
      else if (typeof job === "function") job();
    }
  }
  function addHub(mj) {
    if (mj && typeof mj === "object" && !mj.Hub) {
      try { Object.defineProperty(mj, "Hub", { value: { Queue: queue }, enumerable: false }); }
      catch (e) { /* a frozen object: leave it */ }
    }
  }
  var current = window.MathJax;
  addHub(current);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get: function () { return current; },
    set: function (v) { current = v; addHub(v); }
  });
})();
