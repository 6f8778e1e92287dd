"""pytest set-up for the whole repository (tests/ and the notebooks in book/ alike).

- The pinned numerical platform (numerics.env) for this process and everything it starts
  (kernels, the book build, the benchmark scripts whose stored results are re-derived), whatever
  the calling shell exports. `make test` already sets it; this makes a plain `pytest ...` run on
  the same platform.
- The book's one per-cell timeout (`execute.timeout` in _config.yml) for nbval.
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
