"""pytest set-up for the whole repository (tests/ and the notebooks in book/ alike).

- The pinned numerical platform (numerics.env) for this process and everything it starts
  (kernels, the book build, the benchmark scripts whose stored results are re-derived), whatever
  the calling shell exports. `make test` already sets it; this makes a plain `pytest ...` run on
  the same platform.
- The book's one per-cell timeout (`execute.timeout` in _config.yml) for nbval.
- The markers of the test tiers (pyproject.toml): `notebook` for every chapter cell and the files
  that execute chapters, `browser` for the files and fixtures that need the built site or Chromium.
  `make unit` leaves them (and `slow`) out.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))
import numerics  # noqa: E402  (scripts/numerics.py: reads numerics.env)
from bookpaths import cell_timeout  # noqa: E402

_PIN = numerics.pinned_env()
_DIFFERS = {k: os.environ.get(k) for k, v in _PIN.items() if os.environ.get(k, "") != v}
numerics.apply()
if _DIFFERS and "numpy" in sys.modules:
    pytest.exit(f"NumPy was imported before the pinned platform was set ({_DIFFERS}); run `make test`",
                returncode=4)


def pytest_configure(config):
    if hasattr(config.option, "nbval_cell_timeout"):
        config.option.nbval_cell_timeout = cell_timeout()


#: test files that execute chapters, or that need the built site or a browser
NOTEBOOK_FILES = {"test_book.py", "test_foreign_platform.py", "test_platform.py"}
BROWSER_FILES = {"test_site.py", "test_jupyterlab.py"}
BROWSER_FIXTURES = {"built_site", "served_page", "browser", "site_url"}
#: `slow`: files that train models or build a wheel, fixtures that train models or build every
#: widget, the widget tests (a widget tabulates its frames: seconds each), and single slow tests
SLOW_FILES = {"test_generator_models.py", "test_bench_configs.py", "test_packaging.py"}
SLOW_FIXTURES = {"widgets", "digits_model", "mixture_model"}
SLOW_NAMES = ("widget", "explorer", "interpolation", "test_reverse_fit_is_global_at_the_transition")


def pytest_collection_modifyitems(config, items):
    for item in items:
        name = item.path.name
        if item.path.suffix == ".ipynb" or name in NOTEBOOK_FILES:
            item.add_marker(pytest.mark.notebook)
        fixtures = set(getattr(item, "fixturenames", ()))
        if name in BROWSER_FILES or BROWSER_FIXTURES & fixtures:
            item.add_marker(pytest.mark.browser)
        if name in SLOW_FILES or SLOW_FIXTURES & fixtures or any(s in item.name for s in SLOW_NAMES):
            item.add_marker(pytest.mark.slow)
