"""Train the loss chapter's twelve models of the running example, for T and for 2T epochs, and store them.

Four decoder variances (sigma_x^2 = 0.05, 0.5, 2 and a learned one) times three training seeds, on
the 2000 points of ``make_mixture(2000, default_rng(0))``, exactly as
``vaebook.loss_models.train_loss_models`` describes. The parameters of both runs (float64, so
loading gives them bit for bit), a short prefix of every run, and the long run's trajectory
(negative ELBO, sigma_x^2 and encoder noise every 500 epochs) go to ``results/loss_models.npz``,
which chapter 4 loads instead of training for minutes.

Usage:
    python benchmarks/bench_loss_models.py          # train (several minutes on 2 cores) and store
    python benchmarks/bench_loss_models.py OUT.npz  # ... store elsewhere

It prints, per setting and seed, the negative ELBO after T and 2T epochs (the plateau check). It
runs on the pinned numerical platform (numerics.env, applied before NumPy is imported), where it
reproduces the stored parameters bit for bit; tests/test_loss_models.py reproduces a prefix.
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

from vaebook import loss_models as lm  # noqa: E402

RESULT = ROOT / "benchmarks" / "results" / "loss_models.npz"
#: The chapter's training data: the running example's 2000 points.
training_data = lm.training_data


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else RESULT
    X = training_data()
    t0 = time.perf_counter()
    models, prefixes, trajectory = lm.train_loss_models(X)
    print(f"trained {len(models)} runs in {time.perf_counter() - t0:.1f} s")
    print(f"{'setting':>8} {'seed':>4}  -ELBO at T={lm.T}  at 2T={2 * lm.T}  change   sigma_x^2 at 2T  encoder std")
    for setting in lm.SETTINGS:
        cfg = lm.config(setting)
        for seed in lm.SEEDS:
            a = lm.neg_elbo(models[setting, seed, lm.T], cfg, X)
            b = lm.neg_elbo(models[setting, seed, 2 * lm.T], cfg, X)
            print(f"{setting!s:>8} {seed:4d}  {a['neg_elbo']:14.4f}  {b['neg_elbo']:11.4f}  "
                  f"{b['neg_elbo'] - a['neg_elbo']:+.4f}   {np.round(b['s2'], 4)}  {b['enc_std']:.4f}")
    out.parent.mkdir(parents=True, exist_ok=True)
    lm.save_loss_models(out, models, prefixes, trajectory, X)
    print(f"wrote {out} ({out.stat().st_size / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
