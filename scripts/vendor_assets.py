"""Copy the browser assets the static site serves itself into _site_assets/_vendor/.

Usage: python scripts/vendor_assets.py        (``make vendor``; ``make book`` and ``make test`` run it)

The site needs no CDN: every third-party file comes from a package registry at build time and
is copied here; none is committed. ``_config.yml`` serves the folder through ``html_extra_path``
(so Jupyter Book does not inject it into every page, as it would anything under ``_static``),
and site/vaebook_site.py links the math's stylesheet (which it writes there) from every page.
The widgets need nothing from here: site/widgets.js is the site's own widget runtime.

=======================  ==========================================================
favicon.ico               the book's icon at the site's root (drawn like site/favicon.svg)
_vendor/mathjax/          MathJax 3's fonts (npm ``mathjax``): the build typesets every equation
=======================  ==========================================================

The npm packages are installed by ``npm ci`` from package-lock.json (the Makefile runs it).
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
OUT = ROOT / "_site_assets" / "_vendor"

MATHJAX_PARTS = ["output/chtml/fonts/woff-v2"]  # the fonts of the math typeset at build time (site/)


def _package_dir(name: str) -> Path:
    path = NODE / name
    if not (path / "package.json").exists():
        raise SystemExit(f"vendor_assets: npm package {name!r} is missing from node_modules; "
                         "run `npm ci` (make vendor does) first")
    return path


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dst, dirs_exist_ok=True)
    else:
        shutil.copy2(src, dst)


def _licence(pkg: Path, dst: Path) -> None:
    for name in ("LICENSE", "LICENSE.txt", "LICENSE.md", "LICENCE"):
        if (pkg / name).exists():
            _copy(pkg / name, dst / "LICENSE")
            return


def vendor() -> dict[str, str]:
    """Copy everything into OUT; return {what: version} (also written to OUT/versions.json)."""
    if OUT.exists():
        shutil.rmtree(OUT)
    versions = {}

    mathjax = _package_dir("mathjax")
    for part in MATHJAX_PARTS:
        _copy(mathjax / "es5" / part, OUT / "mathjax" / part)
    _licence(mathjax, OUT / "mathjax")
    versions["mathjax"] = json.loads((mathjax / "package.json").read_text())["version"]

    favicon(OUT.parent / "favicon.ico")
    (OUT / "versions.json").write_text(json.dumps(versions, indent=1) + "\n")
    return versions


def favicon(path: Path) -> None:
    """/favicon.ico, drawn like site/favicon.svg (which every page links): a browser asks for
    /favicon.ico on a page that names no icon, such as Jupyter Book's root redirect page."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((0, 0, 63, 63), radius=12, fill="#1f4e79")
    font = ImageFont.load_default(size=26)
    draw.text((32, 33), "VAE", font=font, fill="#ffffff", anchor="mm")
    img.save(path, sizes=[(16, 16), (32, 32), (48, 48), (64, 64)])


def main() -> int:
    versions = vendor()
    size = sum(f.stat().st_size for f in OUT.rglob("*") if f.is_file())
    print(f"vendored {', '.join(f'{k} {v}' for k, v in versions.items())} "
          f"into {OUT.relative_to(ROOT)} ({size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
