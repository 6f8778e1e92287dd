// Accessible names for the theme's buttons (pydata-sphinx-theme 0.17), linked on every page by
// site/vaebook_site.py. The search buttons say "Search Ctrl+K" but are named "Search", and the
// colour-mode button is named "Color mode" while its visible content is an icon titled with the
// mode (WCAG 2.5.3, label in name): name each by what it shows. Wide display equations get a
// keyboard stop (below).
document.addEventListener("DOMContentLoaded", () => {
  for (const b of document.querySelectorAll(".search-button-field[aria-label]")) {
    b.removeAttribute("aria-label"); // its visible text ("Search Ctrl+K") is its name
  }
  const modes = { light: "Light", dark: "Dark", auto: "System Settings" };
  const name = () => {
    const mode = document.documentElement.dataset.mode || "auto";
    for (const b of document.querySelectorAll(".theme-switch-button")) {
      b.setAttribute("aria-label", `Color mode: ${modes[mode] || mode}`);
    }
  };
  name();
  // A display equation wider than the column scrolls sideways inside its box: it must then be
  // reachable from the keyboard (WCAG 2.1.1; axe's scrollable-region-focusable).
  const focusable = () => {
    for (const m of document.querySelectorAll('div.math mjx-container[display="true"], div.math')) {
      if (m.scrollWidth > m.clientWidth + 1) {
        if (!m.hasAttribute("tabindex")) m.setAttribute("tabindex", "0");
      } else if (m.getAttribute("tabindex") === "0") m.removeAttribute("tabindex");
    }
  };
  focusable();
  window.addEventListener("load", focusable);
  window.addEventListener("resize", focusable);
  if (document.fonts) document.fonts.ready.then(focusable); // the math's width is final with its fonts
  new MutationObserver(name).observe(document.documentElement, { attributes: true, attributeFilter: ["data-mode"] });
});
