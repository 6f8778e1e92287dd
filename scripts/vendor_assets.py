"""Copy the browser assets the static site serves itself into _site_assets/_vendor/.

Usage: python scripts/vendor_assets.py        (``make vendor``; ``make book`` and ``make test`` run it)

The site needs no CDN: every third-party file comes from a package registry at build time and
is copied here; none is committed. ``_config.yml`` serves the folder through ``html_extra_path``
(so Jupyter Book does not inject it into every page, as it would anything under ``_static``),
and points ``mathjax_path`` and ``nb_ipywidgets_js`` at it.

=======================  ==========================================================
_vendor/mathjax/          MathJax 3 (npm ``mathjax``): tex-mml-chtml.js, fonts, extensions
_vendor/require.js        require.js (npm ``requirejs``)
_vendor/html-manager/     the widgets' HTML manager (npm ``@jupyter-widgets/html-manager``):
                          embed-amd.js and its icon fonts
_vendor/anywidget/        anywidget's AMD module, from the installed Python package (PyPI)
_vendor/widgets-config.js the book's own require.js paths (site/)
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

MATHJAX_PARTS = ["tex-mml-chtml.js", "input", "output/chtml", "a11y", "ui", "adaptors", "sre"]
FONT_SUFFIXES = (".woff2", ".woff", ".ttf", ".eot", ".svg")


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

    requirejs = _package_dir("requirejs")
    _copy(requirejs / "require.js", OUT / "require.js")
    versions["requirejs"] = json.loads((requirejs / "package.json").read_text())["version"]

    manager = _package_dir("@jupyter-widgets/html-manager")
    dist = manager / "dist"
    _copy(dist / "embed-amd.js", OUT / "html-manager" / "embed-amd.js")
    for f in dist.iterdir():
        if f.suffix in FONT_SUFFIXES or f.name.endswith(".LICENSE.txt"):
            _copy(f, OUT / "html-manager" / f.name)
    _licence(manager, OUT / "html-manager")
    versions["@jupyter-widgets/html-manager"] = json.loads((manager / "package.json").read_text())["version"]

    import anywidget  # the Python package ships its AMD module for classic notebooks / embedding

    amd = Path(anywidget.__file__).parent / "nbextension" / "index.js"
    if not amd.exists():
        raise SystemExit(f"vendor_assets: anywidget {anywidget.__version__} has no {amd}")
    _copy(amd, OUT / "anywidget" / "index.js")
    versions["anywidget"] = anywidget.__version__

    _copy(ROOT / "site" / "widgets-config.js", OUT / "widgets-config.js")
    (OUT / "versions.json").write_text(json.dumps(versions, indent=1) + "\n")
    return versions


def main() -> int:
    versions = vendor()
    size = sum(f.stat().st_size for f in OUT.rglob("*") if f.is_file())
    print(f"vendored {', '.join(f'{k} {v}' for k, v in versions.items())} "
          f"into {OUT.relative_to(ROOT)} ({size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
