"""Every chapter executed on a deliberately foreign platform with shifted seeds (see
tests/test_platform.py: another BLAS kernel, another SIMD level, VAEBOOK_SEED_OFFSET set):
outputs are not compared, but every cell must run and every assert must hold. Kept in its own
file so that, under `make test`'s two workers, it runs beside strict nbval."""
from __future__ import annotations

import os

import nbformat
import pytest

from bookpaths import FOREIGN, X86, notebooks
from bookpaths import run_notebook as _run

pytestmark = pytest.mark.skipif(not X86, reason="the pinned platform is defined for x86-64 only")


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem)
def test_chapter_runs_and_its_asserts_hold_on_a_foreign_platform(path):
    nb = nbformat.read(path, as_version=4)
    _run(nb, "python3", {**os.environ, **FOREIGN}, path.parent)  # raises on any failing cell
