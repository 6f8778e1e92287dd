// Typeset every equation of the built site at build time (MathJax 3 in Node, CommonHTML output).
//
//   node site/prerender_math.cjs OUTDIR CSS FONTURL
//
// Sphinx writes each equation as TeX inside <span|div class="math notranslate nohighlight">
// (\(...\) inline, \[...\] display; the equation number is Sphinx's own <span class="eqno">).
// This replaces the TeX of every such element in every .html file under OUTDIR by MathJax's
// CommonHTML markup (with its hidden MathML for screen readers), so the browser lays the page out
// once: no MathJax script, no typesetting after load, no layout shift. It writes the one
// stylesheet every page links (CSS, the rules for every character of MathJax's TeX fonts, which
// the site serves from FONTURL, relative to CSS). An element that already holds markup (a page
// Sphinx did not rewrite) is left as it is. A TeX error, or an undefined macro, stops the build
// with the page and the TeX, exactly as the browser would have shown it in red.
"use strict";
const fs = require("fs");
const path = require("path");

const [outdir, cssFile, fontURL] = process.argv.slice(2);
if (!outdir || !cssFile || !fontURL) {
  console.error("usage: node prerender_math.cjs OUTDIR CSS FONTURL");
  process.exit(2);
}

const MATH = /<(span|div) class="math notranslate nohighlight"([^>]*)>([\s\S]*?)<\/\1>/g;
const TEX = /\\\(([\s\S]*?)\\\)|\\\[([\s\S]*?)\\\]/g;
const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#x27;": "'" };
const unescape = (s) => s.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (e) => ENTITIES[e]);

function htmlFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!["_static", "_vendor", "_sources", "_images"].includes(entry.name)) out.push(...htmlFiles(p));
    } else if (entry.name.endsWith(".html")) out.push(p);
  }
  return out;
}

require("mathjax").init({
  loader: { load: ["input/tex", "output/chtml", "a11y/assistive-mml"] },
  // the browser's configuration (tex-mml-chtml) without noundefined: an unknown macro is an error
  tex: { packages: { "[-]": ["noundefined"] }, formatError: (jax, err) => { throw err; } },
  chtml: { fontURL, adaptiveCSS: false },
  startup: { typeset: false },
}).then((MathJax) => {
  const adaptor = MathJax.startup.adaptor;
  let pages = 0, equations = 0;
  for (const file of htmlFiles(outdir)) {
    const html = fs.readFileSync(file, "utf8");
    let n = 0;
    const result = html.replace(MATH, (whole, tag, attrs, inner) => {
      if (inner.includes("<mjx-container")) return whole;
      const typeset = inner.replace(TEX, (tex, inline, display) => {
        const source = unescape(inline !== undefined ? inline : display);
        let node;
        try {
          node = MathJax.tex2chtml(source, { display: inline === undefined });
        } catch (err) {
          throw new Error(`${path.relative(outdir, file)}: TeX error "${err.message}" in\n${source}`);
        }
        n += 1;
        // a display equation wider than the column scrolls in its box: reachable from the
        // keyboard (WCAG 2.1.1), as MathJax in the browser puts every equation in the tab order
        if (inline === undefined) adaptor.setAttribute(node, "tabindex", "0");
        return adaptor.outerHTML(node);
      });
      return `<${tag} class="math notranslate nohighlight"${attrs}>${typeset}</${tag}>`;
    });
    if (n) {
      fs.writeFileSync(file, result);
      pages += 1;
      equations += n;
    }
  }
  fs.mkdirSync(path.dirname(cssFile), { recursive: true });
  fs.writeFileSync(cssFile, adaptor.textContent(MathJax.chtmlStylesheet()));
  console.log(`prerender_math: ${equations} equations typeset on ${pages} pages`);
}).catch((err) => {
  console.error(`prerender_math: ${err.message}`);
  process.exit(1);
});
