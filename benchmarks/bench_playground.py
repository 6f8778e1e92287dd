"""Training speed, frame times and page weight of the training playground (vaebook.widgets.playground).

Usage: python benchmarks/bench_playground.py [--repeat N] [--site _build/html]

Opens a page holding the playground (saved widget state and the site's widget runtime,
no kernel) in headless Chromium, presses Train and lets the baseline configuration run its
500 epochs (2000 points, batches of 64: 16,000 steps). Prints, for each run:

* the wall-clock time from the press to epoch 500, and the steps per second it makes
  (budget: 3 s, i.e. at least 5,333 steps/s);
* the time spent training (the widget trains for a few milliseconds per animation frame), and
  the steps per second of that time alone;
* the longest frame: the longest time the widget's work (training and redrawing) held the main
  thread in one animation frame, and the longest gap between two animation frames seen by an
  independent requestAnimationFrame loop (budget: 16 ms of work per frame), and how many frames
  went over 16 ms.

and once: the bytes the playground adds to its page (its saved widget state, as JSON, raw and
gzipped; budget 60 kB raw), and, with ``--site``, the same for the built chapter that shows it.
The machine's load average and vaebook.train's time for the same run (NumPy) are printed too, as
a yardstick: every helper on this machine shares its two cores. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import importlib
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
FRAME_MS = 16.0

PROBE = """() => {
  const root = document.querySelector('.vaebook-playground');
  const gaps = [];
  let last = performance.now();
  const loop = (t) => { gaps.push(t - last); last = t; if (root.dataset.running === '1') requestAnimationFrame(loop); };
  window.__gaps = gaps;
  const t0 = performance.now();
  window.__t0 = t0;
  requestAnimationFrame(loop);
  root.querySelector('button.pg-start').click();
}"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def numpy_seconds() -> float:
    import numpy as np

    import vaebook as vb

    base = vb.BASELINE
    config = base.config()
    X, _ = vb.make_mixture(base.n_points, np.random.default_rng(0))
    params = vb.init_params(config, np.random.default_rng(3))
    t0 = time.perf_counter()
    vb.train(params, config, X, epochs=base.epochs, batch_size=base.batch_size,
             optimizer=base.optimizer(), rng=np.random.default_rng(4))
    return time.perf_counter() - t0


NODE_RUN = """
import * as P from "./bundle.js";
import * as fs from "node:fs";
P.useZigguratWidths(Float64Array.from(JSON.parse(fs.readFileSync("widths.json", "utf8"))));
const c0 = process.cpuUsage(), t0 = performance.now();
const { X } = P.makeMixture(2000, new P.Generator(0));
const config = P.makeConfig({ initScale: 0.1 });
const run = new P.Run({ config, params: P.initParams(config, new P.Generator(3)), X, n: 2000,
                        batchSize: 64, optimizer: new P.SGD(0.01), rng: new P.Generator(4) });
run.epochs(500);
const c = process.cpuUsage(c0);
console.log(JSON.stringify({ cpu: (c.user + c.system) / 1e6, wall: (performance.now() - t0) / 1e3 }));
"""


def node_seconds(pg) -> dict:
    """The same run in Node (the page's module, no page): its CPU time, which the machine's load
    hardly changes, and its wall-clock time."""
    import shutil
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "package.json").write_text('{"type": "module"}')
        from vaebook.widgets.frontend import esm
        (folder / "bundle.js").write_text(esm("playground_engine.js"))   # the engine as the page gets it
        (folder / "widths.json").write_text(json.dumps(pg.ziggurat_widths().tolist()))
        (folder / "run.js").write_text(NODE_RUN)
        out = subprocess.run([shutil.which("node"), "run.js"], capture_output=True, text=True, cwd=folder,
                             check=True)
        return json.loads(out.stdout)


def state_bytes(widget) -> tuple[int, int]:
    """Bytes of the widget's saved state on a page (JSON, as the page stores it), raw and gzipped."""
    from ipywidgets.embed import embed_data

    data = embed_data(views=[widget], drop_defaults=False)
    text = json.dumps(data["manager_state"]["state"]) + json.dumps(data["view_specs"][0])
    raw = text.encode("utf-8")
    return len(raw), len(gzip.compress(raw, 9))


def site_bytes(site: Path) -> list[tuple[str, int, int]]:
    """For every built chapter page holding a playground: its saved playground state, raw and gzipped."""
    found = []
    for page in sorted((site / "book").glob("*.html")):
        html = page.read_text(encoding="utf-8")
        m = re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', html, re.S)
        if not m:
            continue
        for model in json.loads(m.group(1))["state"].values():
            if "vaebook-playground" in model["state"].get("_css", ""):
                raw = json.dumps(model).encode("utf-8")
                found.append((page.stem, len(raw), len(gzip.compress(raw, 9))))
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--site", type=Path, default=None)
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright
    from test_playground import playground_page

    pg = importlib.import_module("vaebook.widgets.playground")
    widget = pg.playground()
    raw, gz = state_bytes(widget)
    print(f"page weight added by the playground: {raw / 1000:.1f} kB of saved widget state "
          f"({gz / 1000:.1f} kB gzipped); its module alone {len(pg.bundle().encode()) / 1000:.1f} kB "
          "(budget 60 kB)")
    if args.site:
        for doc, r, g in site_bytes(args.site):
            print(f"  built page {doc}: {r / 1000:.1f} kB ({g / 1000:.1f} kB gzipped)")

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"vaebook.train (NumPy), same run: {numpy_seconds():.2f} s")
    node = node_seconds(pg)
    print(f"the same run in Node (the page's JavaScript, no page): {node['cpu']:.2f} s of CPU time "
          f"= {16000 / node['cpu']:,.0f} steps per CPU-second; {node['wall']:.2f} s wall-clock")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        playground_page(folder, widget, "light")
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/light.html"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_FLAGS)
            for r in range(args.repeat):
                page = browser.new_page(viewport={"width": 1100, "height": 900})
                page.goto(url, wait_until="load")
                page.wait_for_function("() => document.querySelector('.vaebook-playground')?.dataset.draws >= 1",
                                       timeout=60_000)
                page.evaluate(PROBE)
                page.wait_for_function("() => document.querySelector('.vaebook-playground').dataset.epoch === '500'",
                                       timeout=300_000, polling=50)
                out = page.evaluate("""() => { const r = document.querySelector('.vaebook-playground');
                    return {wall: r.__stats.doneAt - window.__t0, stats: r.__stats, gaps: window.__gaps}; }""")
                s, gaps = out["stats"], out["gaps"][1:]
                steps = s["steps"]
                over = sum(w > FRAME_MS for w in s["works"])
                print(f"run {r + 1}: {steps} steps in {out['wall'] / 1000:.2f} s wall-clock = "
                      f"{steps / out['wall'] * 1000:,.0f} steps/s (budget: 3 s); training alone "
                      f"{s['trainMs'] / 1000:.2f} s = {steps / s['trainMs'] * 1000:,.0f} steps/s")
                print(f"       longest task: {s['maxWorkMs']:.1f} ms of the widget's work "
                      f"(median {statistics.median(s['works']):.1f} ms; {over} of {len(s['works'])} slices over "
                      f"{FRAME_MS:.0f} ms), longest gap between frames {max(gaps):.1f} ms "
                      f"(median {statistics.median(gaps):.1f} ms); redraw median "
                      f"{statistics.median(s['draws']):.1f} ms, longest {max(s['draws']):.1f} ms")
                page.close()
            browser.close()
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
