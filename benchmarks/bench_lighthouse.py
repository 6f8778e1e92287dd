"""Lighthouse on every page of the built site, served compressed as a static host serves it.

    python benchmarks/bench_lighthouse.py [--site _build/html] [--pages 01_introduction,index]
                                          [--presets mobile,desktop] [--json out.json]

Serves the site on 127.0.0.1 with gzip content encoding (any static host compresses text), runs
Lighthouse 12.2.3 (installed on demand into benchmarks/web/ with `npm ci`; Debian's chromium via
CHROME_PATH) on each page with the mobile and the desktop preset, and prints per page and preset:
performance score, LCP, CLS, TBT, the bytes transferred before the reader interacts, and the
accessibility score. Targets (issue "Fast, accessible pages"): performance >= 90, CLS <= 0.02,
at most 1 MB transferred for any chapter. It prints figures; it asserts nothing.
"""
from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import threading

ROOT = pathlib.Path(__file__).resolve().parents[1]
WEB = ROOT / "benchmarks" / "web"
COMPRESSIBLE = (".html", ".js", ".css", ".json", ".svg", ".txt", ".map", ".woff", ".ttf", ".xml", ".ipynb")
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run "
                "--disable-background-networking --disable-component-update --disable-sync")


class CompressedHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-encoded when the client accepts it (as a static host serves them)."""

    _cache: dict[str, bytes] = {}

    def log_message(self, *args):  # quiet
        pass

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        if (not os.path.isfile(path) or not path.endswith(COMPRESSIBLE)
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        body = self._cache.get(path)
        if body is None:
            body = self._cache[path] = gzip.compress(pathlib.Path(path).read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=3600")
        self.end_headers()
        import io
        return io.BytesIO(body)


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):  # a browser closing a connection early is normal
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def serve(site: pathlib.Path):
    handler = functools.partial(CompressedHandler, directory=str(site))
    server = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def lighthouse_bin() -> pathlib.Path:
    exe = WEB / "node_modules" / ".bin" / "lighthouse"
    if not exe.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True)
    return exe


def pages_of(site: pathlib.Path, wanted: list[str] | None) -> list[str]:
    pages = sorted(p.stem for p in (site / "book").glob("*.html"))  # book/index.html is the front page
    if wanted:
        missing = sorted(set(wanted) - set(pages))
        if missing:
            sys.exit(f"no such page(s) in {site}: {', '.join(missing)}")
        pages = [p for p in pages if p in wanted]
    return pages


def run_one(exe, url, preset, workdir) -> dict:
    out = pathlib.Path(workdir) / "report.json"
    cmd = [str(exe), url, "--quiet", "--output=json", f"--output-path={out}",
           "--only-categories=performance,accessibility", f"--chrome-flags={CHROME_FLAGS}",
           "--max-wait-for-load=60000"]
    if preset == "desktop":
        cmd.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", shutil.which("chromium") or "/usr/bin/chromium")}
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rep = json.loads(out.read_text())
    a, c = rep["audits"], rep["categories"]

    def num(key):
        v = a.get(key, {}).get("numericValue")
        return float("nan") if v is None else float(v)
    return {
        "performance": round(100 * (c["performance"]["score"] or 0)),
        "accessibility": round(100 * (c["accessibility"]["score"] or 0)),
        "lcp_ms": num("largest-contentful-paint"),
        "cls": num("cumulative-layout-shift"),
        "tbt_ms": num("total-blocking-time"),
        "bytes": num("total-byte-weight"),
        "dom_nodes": num("dom-size"),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", type=pathlib.Path, default=ROOT / "_build" / "html")
    ap.add_argument("--pages", help="comma-separated page names (default: every page)")
    ap.add_argument("--presets", default="mobile,desktop")
    ap.add_argument("--json", type=pathlib.Path, help="also write the figures to this file")
    args = ap.parse_args(argv)
    if not (args.site / "index.html").exists():
        sys.exit(f"{args.site} has no index.html: build the book first (make book)")
    exe = lighthouse_bin()
    server = serve(args.site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    presets = args.presets.split(",")
    rows = []
    print(f"Lighthouse 12.2.3, site {args.site}, served gzip-compressed from {base}")
    print(f"{'page':<28} {'preset':<8} {'perf':>4} {'a11y':>4} {'LCP ms':>7} {'CLS':>6} {'TBT ms':>7} "
          f"{'kB sent':>8} {'DOM':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for page in pages_of(args.site, args.pages.split(",") if args.pages else None):
            path = f"book/{page}.html"
            for preset in presets:
                r = run_one(exe, f"{base}/{path}", preset, tmp)
                rows.append({"page": page, "preset": preset, **r})
                print(f"{page:<28} {preset:<8} {r['performance']:>4} {r['accessibility']:>4} {r['lcp_ms']:>7.0f} "
                      f"{r['cls']:>6.3f} {r['tbt_ms']:>7.0f} {r['bytes'] / 1000:>8.0f} {r['dom_nodes']:>6.0f}",
                      flush=True)
    server.shutdown()
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    worst = min(rows, key=lambda r: r["performance"])
    print(f"lowest performance: {worst['performance']} ({worst['page']}, {worst['preset']}); "
          f"largest transfer: {max(r['bytes'] for r in rows) / 1e6:.2f} MB; "
          f"largest CLS: {max(r['cls'] for r in rows):.3f}")


if __name__ == "__main__":
    main()
