"""benchmarks/bench_generator_models.py still produces its stored result
(benchmarks/results/generator_models.npz), the six trained models chapter 7 loads.

The script is run again (about 5 s) and every stored array must be reproduced bit for bit: the
tests run on the pinned numerical platform (conftest.py), which the script's subprocess inherits.
Chapter 7's claims about these models must also hold for models trained on another CPU: the last
test trains them on the foreign platform of tests/test_platform.py and runs the whole chapter on
them there (about 17 s).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from bookpaths import FOREIGN, x86_only
from bookpaths import run_notebook as _run

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import bench_generator_models as bench  # noqa: E402

from vaebook import generator_models as gm  # noqa: E402

#: What chapter 7 (generating from the prior) uses: both configurations, each with three training seeds.
CHAPTER_MODELS = {(name, s) for name in ("baseline", "better") for s in (0, 1, 2)}
CHAPTER = ROOT / "book" / "07_generating.ipynb"


#: The script's main() in a process whose NumPy (and OpenBLAS) were loaded first, under the calling
#: environment: the script pins the platform in os.environ only after that, which no longer
#: changes the loaded libraries. So with a foreign environment the training runs foreign.
UNPINNED_MAIN = f"""import sys
import numpy
sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / "benchmarks")!r}]
import bench_generator_models
sys.exit(bench_generator_models.main(sys.argv[1:]))
"""


def run_script(out: Path, env=None) -> None:
    cmd = [str(Path(bench.__file__))] if env is None else ["-c", UNPINNED_MAIN]
    proc = subprocess.run([sys.executable, *cmd, str(out)], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_script_reproduces_the_stored_models_bit_for_bit(tmp_path):
    out = tmp_path / "fresh.npz"
    run_script(out)
    with np.load(bench.RESULT) as stored, np.load(out) as fresh:
        assert sorted(fresh.files) == sorted(stored.files)
        for key in stored.files:
            a, b = stored[key], fresh[key]
            assert a.dtype == b.dtype and a.shape == b.shape, key
            assert a.tobytes() == b.tobytes(), f"{key} differs from the stored value"


def test_stored_file_has_every_model_the_chapter_needs():
    X = bench.training_data()
    models, final_loss = gm.load_generator_models(bench.RESULT, X)
    assert set(models) == CHAPTER_MODELS and set(final_loss) == CHAPTER_MODELS
    configs = gm.generator_configs()
    for (name, s), (params, cfg) in models.items():
        assert cfg == configs[name][0]
        assert set(params) == set(cfg.param_shapes()) and params.vector.dtype == np.float64
        assert np.isfinite(params.vector).all(), (name, s)
        assert 3.0 < final_loss[name, s] < 4.0, (name, s)      # trained: the chapter prints 3.3-3.8
    # different seeds give different models
    assert not np.array_equal(models["better", 0][0].vector, models["better", 1][0].vector)
    with np.load(bench.RESULT) as f:
        assert len(f.files) == 2 + 2 * len(CHAPTER_MODELS)     # description, data digest, models


def test_loading_refuses_other_data_or_seeds():
    X = bench.training_data()
    with pytest.raises(ValueError, match="other data"):
        gm.load_generator_models(bench.RESULT, X[:-1])
    with pytest.raises(ValueError, match="other configurations or seeds"):
        gm.load_generator_models(bench.RESULT, X, seeds=(0, 1, 3))


@x86_only
def test_chapter_claims_hold_for_models_trained_on_a_foreign_platform(tmp_path):
    """The chapter, with its six models trained on the foreign platform and run there (the chapter
    loads them from ../benchmarks/results/ relative to its folder)."""
    env = {**os.environ, **FOREIGN}
    out = tmp_path / "benchmarks" / "results" / bench.RESULT.name
    out.parent.mkdir(parents=True)
    (tmp_path / "book").mkdir()
    run_script(out, env)
    with np.load(bench.RESULT) as stored, np.load(out) as foreign:    # the platform did differ
        assert any(stored[k].tobytes() != foreign[k].tobytes() for k in stored.files if "params" in k)
    _run(nbformat.read(CHAPTER, as_version=4), "python3", env, tmp_path / "book")  # raises on a failing cell
