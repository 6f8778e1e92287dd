"""Train the six models of chapter 7 (generating from the prior) of the running example and store them.

Two configurations (the baseline, and the better one that learns the decoder variance) times
three training seeds, on the 2000 points of ``make_mixture(2000, default_rng(0))``, exactly as
``vaebook.generator_models.train_generator_models`` describes. The parameters (float64, so
loading gives them bit for bit) and the last epoch's losses go to
``results/generator_models.npz``, which the chapter loads instead of training for seconds.

Usage:
    python benchmarks/bench_generator_models.py          # train (about 5 s on 2 cores) and store
    python benchmarks/bench_generator_models.py OUT.npz  # ... store elsewhere

It runs on the pinned numerical platform (numerics.env, applied before NumPy is imported), where
it reproduces the stored parameters bit for bit; tests/test_generator_models.py checks that it
does.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import numerics  # noqa: E402  (the pinned platform of numerics.env, one BLAS thread included)

numerics.apply()
import numpy as np  # noqa: E402  (after the platform settings)

from vaebook import generator_models as gm  # noqa: E402
from vaebook.generator_models import SEEDS, generator_configs, save_generator_models, train_generator_models  # noqa: E402

RESULT = ROOT / "benchmarks" / "results" / "generator_models.npz"
def training_data() -> np.ndarray:
    """The chapter's training data (vaebook.generator_models.training_data), without labels."""
    X, _ = gm.training_data()
    return X


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else RESULT
    X = training_data()
    t0 = time.perf_counter()
    models, final_loss = train_generator_models(X)
    print(f"trained {len(models)} models in {time.perf_counter() - t0:.1f} s")
    for name in generator_configs():
        losses = "  ".join(f"{final_loss[name, s]:.4f}" for s in SEEDS)
        print(f"{name:8s} last epoch's loss, seeds {SEEDS}: {losses}")
    out.parent.mkdir(parents=True, exist_ok=True)
    save_generator_models(out, models, final_loss, X)
    print(f"wrote {out} ({out.stat().st_size / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
