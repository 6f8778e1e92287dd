"""Page weight and widget redraw latency of every chapter page of the built site.

Usage: python benchmarks/bench_widgets.py [--site _build/html] [--moves N]

For every page of the book's chapters this prints

* its weight: the HTML, every image it shows from the site (``_images/``) and its widgets'
  saved state (``_static/vaebook-widgets/state-*.json``, fetched as each widget nears the
  viewport), uncompressed; the shared theme and widget-code files, fetched once for the whole
  site, are not counted (budget: 1.5 MB per page). What a reader's browser actually transfers,
  compressed and before any interaction, is bench_lighthouse.py's "kB sent";
* the median and largest redraw time of its widgets in headless Chromium: each slider of each
  :class:`vaebook.widgets.InteractiveFigure` is moved ``N`` times with the keyboard, and the time
  from the key's input event to the end of the redraw (figure.js records it) is collected
  (budget: median 16 ms). The browser paints the new canvas at its next frame.

Build the site first (``make book``). Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import re
import shutil
import statistics
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1e6
#: Chromium as the browser test runs it (tests/test_site.py): headless, nothing in the background.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def chapter_pages(site: Path) -> list[str]:
    """Every page of the book's chapters folder, e.g. 'book/07_generating'."""
    return sorted(p.relative_to(site).with_suffix("").as_posix() for p in (site / "book").glob("*.html"))


def widget_states(site: Path, doc: str) -> dict[str, Path]:
    """{model_id: its state file} from the page's widget manifest (site/vaebook_site.py)."""
    page = site / f"{doc}.html"
    m = re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>',
                  page.read_text(encoding="utf-8"), re.S)
    if not m:
        return {}
    return {k: (page.parent / e["href"]).resolve() for k, e in json.loads(m.group(1))["state"].items()}


def figure_count(site: Path, doc: str) -> int:
    """How many InteractiveFigure models the page shows."""
    return sum(1 for f in widget_states(site, doc).values()
               if "tables" in json.loads(f.read_text(encoding="utf-8")))


def page_weight(site: Path, doc: str) -> tuple[int, int]:
    """(bytes of the HTML, bytes of the site's own images it shows and of its widgets' state)."""
    html_path = site / f"{doc}.html"
    html = html_path.read_text(encoding="utf-8")
    images = set()
    for src in re.findall(r'<img[^>]+src="([^"]+)"', html):
        if src.startswith(("data:", "http:", "https:")):
            continue
        path = (html_path.parent / src).resolve()
        if path.is_file() and "_static" not in path.parts:
            images.add(path)
    states = set(widget_states(site, doc).values())  # fetched when each widget nears the viewport
    return len(html.encode("utf-8")), sum(p.stat().st_size for p in images | states)


def latencies(page, moves: int) -> list[float]:
    """Redraw times (ms) of every InteractiveFigure on the open page, ``moves`` per slider."""
    roots = page.locator(".vaebook-figure")
    for k in range(roots.count()):
        root = roots.nth(k)
        root.evaluate("(r) => { r.__timings = []; }")
        sliders = root.locator('input[type="range"].vf-control')
        for s in range(sliders.count()):
            slider = sliders.nth(s)
            slider.scroll_into_view_if_needed()
            slider.focus()
            top = int(slider.get_attribute("max"))
            for i in range(moves):
                key = "ArrowRight" if (i // top) % 2 == 0 else "ArrowLeft"
                if int(slider.input_value()) in ((top,) if key == "ArrowRight" else (0,)):
                    key = "ArrowLeft" if key == "ArrowRight" else "ArrowRight"
                frames = root.get_attribute("data-frames")
                page.keyboard.press(key)
                page.wait_for_function("([r, n]) => r.dataset.frames !== n",
                                       arg=[root.element_handle(), frames])
    return page.evaluate("() => Array.from(document.querySelectorAll('.vaebook-figure'))"
                         ".flatMap((r) => r.__timings)")


def main(site: Path, moves: int) -> None:
    from playwright.sync_api import sync_playwright

    if not (site / "index.html").exists():
        raise SystemExit(f"no built site in {site}: run `make book` first")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("headless Chromium is needed (apt-get install chromium)")
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    print(f"{'page':<28} {'HTML MB':>8} {'images MB':>10} {'total MB':>9} {'widgets':>8} "
          f"{'median ms':>10} {'max ms':>7}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        for doc in chapter_pages(site):
            html, images = page_weight(site, doc)
            n = figure_count(site, doc)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url + f"{doc}.html", wait_until="load")
            times = []
            if n:  # widgets render when they near the viewport (site/widgets.js): visit each
                for i in range(page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()):
                    page.evaluate("(i) => document.querySelectorAll('script[type=\"application/vnd.jupyter."
                                  "widget-view+json\"]')[i].parentNode.scrollIntoView()", i)
                    page.wait_for_timeout(50)
                page.wait_for_function(f"() => Array.from(document.querySelectorAll('.vaebook-figure'))"
                                       f".filter((r) => r.dataset.frames).length === {n}", timeout=60_000)
                times = latencies(page, moves)
            page.close()
            med = f"{statistics.median(times):10.2f} {max(times):7.2f}" if times else f"{'-':>10} {'-':>7}"
            total = (html + images) / MB
            print(f"{doc:<28} {html / MB:8.3f} {images / MB:10.3f} {total:9.3f} {n:8d} {med}"
                  f"{'   OVER 1.5 MB' if total > 1.5 else ''}")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    ap.add_argument("--moves", type=int, default=20, help="key presses per slider")
    args = ap.parse_args()
    main(args.site, args.moves)
