// Accessible names for the theme's buttons (pydata-sphinx-theme 0.17), linked on every page by
// site/vaebook_site.py. The search buttons say "Search Ctrl+K" but are named "Search", and the
// colour-mode button is named "Color mode" while its visible content is an icon titled with the
// mode (WCAG 2.5.3, label in name): name each by what it shows.
document.addEventListener("DOMContentLoaded", () => {
  for (const b of document.querySelectorAll(".search-button-field[aria-label]")) {
    b.removeAttribute("aria-label"); // its visible text ("Search Ctrl+K") is its name
  }
  // myst-nb names every folded cell "Toggle hidden content"; its visible label ("Evidence: ...")
  // is the better name
  for (const s of document.querySelectorAll('details > summary[aria-label="Toggle hidden content"]')) {
    s.removeAttribute("aria-label");
  }
  const modes = { light: "Light", dark: "Dark", auto: "System Settings" };
  const name = () => {
    const mode = document.documentElement.dataset.mode || "auto";
    for (const b of document.querySelectorAll(".theme-switch-button")) {
      b.setAttribute("aria-label", `Color mode: ${modes[mode] || mode}`);
    }
  };
  name();
  new MutationObserver(name).observe(document.documentElement, { attributes: true, attributeFilter: ["data-mode"] });
});
