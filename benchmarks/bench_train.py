"""Speed of training: median time per SGD step and total for the source configuration.

Configuration: 2000 points of the running example, one hidden layer of 32 units in encoder and
decoder, latent_dim 2, batch 64 (32 steps per epoch), SGD lr 0.01, 500 epochs, sigma2 = 0.5.
Prints figures; asserts nothing (speed targets are reported, not tested).

    python benchmarks/bench_train.py [--runs 5] [--epochs 500]
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

import vaebook as vb


def run(epochs: int, seed: int) -> tuple[float, int, float]:
    config = vb.VAEConfig(2, 2, (32,), (32,), sigma2=0.5, init_scale=0.1)
    X, _ = vb.make_mixture(2000, np.random.default_rng(0))
    params = vb.init_params(config, np.random.default_rng(seed))
    steps = epochs * int(np.ceil(len(X) / 64))
    t0 = time.perf_counter()
    h = vb.train(params, config, X, epochs=epochs, batch_size=64, optimizer=vb.SGD(0.01),
                 rng=np.random.default_rng(seed + 1))
    return time.perf_counter() - t0, steps, float(h["total"][-1])


def reference_step_time(repeats: int = 2000) -> float:
    """Median time of one step of the readable reference (vae_forward + vae_backward + SGD)."""
    config = vb.VAEConfig(2, 2, (32,), (32,), sigma2=0.5, init_scale=0.1)
    rng = np.random.default_rng(0)
    params = vb.init_params(config, rng)
    x, _ = vb.make_mixture(64, rng)
    eps = rng.standard_normal((64, 2))
    opt, times = vb.SGD(0.01), []
    for _ in range(repeats):
        t0 = time.perf_counter()
        _, grads = vb.loss_and_grads(params, config, x, eps)
        opt.step(params, grads)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=500)
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores; numpy {np.__version__}; "
          f"training is single-threaded Python + NumPy")
    run(5, 99)  # warm-up
    totals, per_step = [], []
    for r in range(args.runs):
        seconds, steps, final = run(args.epochs, 10 + r)
        totals.append(seconds)
        per_step.append(seconds / steps)
        print(f"run {r + 1}: {seconds:.3f} s for {steps} steps = {seconds / steps * 1e6:.1f} us/step "
              f"(final loss {final:.4f})")
    print(f"median over {args.runs} runs: {np.median(per_step) * 1e6:.1f} us per step, "
          f"{np.median(totals):.3f} s for {args.epochs} epochs")
    print(f"reference implementation (layer by layer, no engine): "
          f"{reference_step_time() * 1e6:.1f} us per step (median of 2000)")
    print("target: <= 30 us per step")


if __name__ == "__main__":
    main()
