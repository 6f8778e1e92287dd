"""Speed of training: median time per SGD step and total for the baseline configuration.

The baseline configuration (``vaebook.BASELINE``): 2000 points of the running example, one
hidden layer of 32 units in encoder and decoder, latent_dim 2, batch 64 (32 steps per epoch),
SGD lr 0.01, 500 epochs, sigma2 = 0.5, weights N(0, 0.1^2). Prints figures; asserts nothing
about speed (targets are reported, not tested). BLAS runs on one thread because the Makefile
applies numerics.env (``make bench``).

Besides ``train`` itself it times, for comparison on the same machine in the same run:

* the readable reference (``vae_forward`` + ``vae_backward`` + SGD), a straightforward NumPy loop;
* the NumPy calls of one engine step written out one after the other, with no loops, lookups
  or branches: the cost of the calls alone, which no arrangement of the same calls can beat;
* the step's 11 matrix products alone.

    python benchmarks/bench_train.py [--runs 5] [--epochs 500]
"""
from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

import vaebook as vb
from vaebook._engine import TrainingEngine

BASE = vb.BASELINE
CONFIG = BASE.config()
LR, M = BASE.lr, BASE.batch_size


def run(epochs: int, seed: int) -> tuple[float, int, float]:
    X, _ = vb.make_mixture(BASE.n_points, np.random.default_rng(0))
    params = vb.init_params(CONFIG, np.random.default_rng(seed))
    steps = epochs * int(np.ceil(len(X) / M))
    t0 = time.perf_counter()
    h = vb.train(params, CONFIG, X, epochs=epochs, batch_size=M, optimizer=BASE.optimizer(),
                 rng=np.random.default_rng(seed + 1))
    return time.perf_counter() - t0, steps, float(h["total"][-1])


def median_time(step, repeats: int) -> float:
    """Median over 7 blocks of the mean time of ``step()``."""
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        for _ in range(repeats):
            step()
        times.append((time.perf_counter() - t0) / repeats)
    return float(np.median(times))


def reference_step_time() -> float:
    """One step of the readable reference: vae_forward + vae_backward + SGD."""
    rng = np.random.default_rng(0)
    params = vb.init_params(CONFIG, rng)
    x, _ = vb.make_mixture(M, rng)
    eps = rng.standard_normal((M, 2))
    opt = BASE.optimizer()

    def step():
        _, grads = vb.loss_and_grads(params, CONFIG, x, eps)
        opt.step(params, grads)
    return median_time(step, 300)


def written_out_step():
    """The engine's NumPy calls for one step of CONFIG, one after the other, on the engine's own
    arrays. Returns ``(step, matrix_products, n_calls)``; checks the gradients equal the engine's."""
    rng = np.random.default_rng(0)
    params = vb.init_params(CONFIG, rng)
    x, _ = vb.make_mixture(M, rng)
    eps = rng.standard_normal((M, 2))
    engine = TrainingEngine(params, CONFIG)
    engine.loss_and_grads(x, eps)                      # builds the arrays; gradients for the check
    expected = engine.grads.vector.copy()
    batch, w = engine.arrays(M, M)
    xa, x, eps, head, mu, log_var, out = batch.xa, batch.x, batch.eps, batch.head, batch.mu, batch.log_var, batch.out
    [enc1], [dec1] = w.enc_forward, w.dec_forward      # the hidden layers' forward records
    enc_out_back, enc1_back = w.enc_backward           # backward records, output layer first
    dec_out_back, dec1_back = w.dec_backward
    W1t, h1, zeros1, h1a = enc1.WbT, enc1.h, enc1.zeros, enc1.act
    W3t, h2, zeros2, h2a = dec1.WbT, dec1.h, dec1.zeros, dec1.act
    G2, W2, dh1, mask1 = enc_out_back.gblock, enc_out_back.W, enc_out_back.dx, enc_out_back.mask
    G1 = enc1_back.gblock
    G4, W4, dh2, mask2 = dec_out_back.gblock, dec_out_back.W, dec_out_back.dx, dec_out_back.mask
    z, G3, W3, dz = dec1_back.a, dec1_back.gblock, dec1_back.W, dec1_back.dx
    W2t, W4t, dout, dhead, kl_grad, sigma, se = w.enc_head, w.dec_last, w.dout, w.dhead, w.kl_grad, w.sigma, w.sigma_eps
    k, c = 1.0 / M, 1.0 / (CONFIG.sigma2 * M)
    vector, grad, scaled = params.vector, engine.grads.vector, np.empty_like(params.vector)
    dot, mul, add, sub, exp, maximum, greater = (
        np.dot, np.multiply, np.add, np.subtract, np.exp, np.maximum, np.greater)
    kl_mu, kl_lv, dlv = kl_grad[:2], kl_grad[2:], dhead[2:]

    def gradients():
        dot(W1t, xa, out=h1); maximum(h1, zeros1, out=h1)
        dot(W2t, h1a, out=head)
        mul(log_var, 0.5, out=sigma); exp(sigma, out=sigma); mul(sigma, eps, out=se); add(mu, se, out=z[:-1])
        dot(W3t, z, out=h2); maximum(h2, zeros2, out=h2)
        dot(W4t, h2a, out=out)
        sub(out, x, out=dout); mul(dout, c, out=dout)
        dot(h2a, dout.T, out=G4); dot(W4, dout, out=dh2); greater(h2, 0.0, out=mask2); mul(dh2, mask2, out=dh2)
        dot(z, dh2.T, out=G3); dot(W3, dh2, out=dz)
        mul(mu, k, out=kl_mu); mul(sigma, sigma, out=kl_lv); sub(kl_lv, 1.0, out=kl_lv); mul(kl_lv, k, out=kl_lv)
        mul(dz, se, out=dlv); add(dhead, kl_grad, out=dhead); mul(dlv, 0.5, out=dlv)
        dot(h1a, dhead.T, out=G2); dot(W2, dhead, out=dh1); greater(h1, 0.0, out=mask1); mul(dh1, mask1, out=dh1)
        dot(xa, dh1.T, out=G1)

    gradients()
    np.testing.assert_allclose(grad, expected, rtol=1e-13, atol=1e-15)  # the same computation

    def step():
        gradients()
        mul(grad, LR, out=scaled); sub(vector, scaled, out=vector)

    def matrix_products():
        dot(W1t, xa, out=h1); dot(W2t, h1a, out=head); dot(W3t, z, out=h2); dot(W4t, h2a, out=out)
        dot(h2a, dout.T, out=G4); dot(W4, dout, out=dh2); dot(z, dh2.T, out=G3); dot(W3, dh2, out=dz)
        dot(h1a, dhead.T, out=G2); dot(W2, dhead, out=dh1); dot(xa, dh1.T, out=G1)

    return step, matrix_products, 32   # 30 in gradients(), 2 in the update


def cpu_name() -> str:
    """The CPU's model name (Linux), else what the platform module knows."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=500)
    args = ap.parse_args()
    print(f"CPU: {cpu_name()}, {os.cpu_count()} cores; "
          f"numpy {np.__version__}; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    run(5, 99)  # warm-up
    totals, per_step = [], []
    for r in range(args.runs):
        seconds, steps, final = run(args.epochs, 10 + r)
        totals.append(seconds)
        per_step.append(seconds / steps)
        print(f"run {r + 1}: {seconds:.3f} s for {steps} steps = {seconds / steps * 1e6:.1f} us/step "
              f"(final loss {final:.4f})")
    print(f"train(), median over {args.runs} runs: {np.median(per_step) * 1e6:.1f} us per step "
          f"(best run {min(per_step) * 1e6:.1f}), {np.median(totals):.3f} s for {args.epochs} epochs")
    print(f"reference implementation (layer by layer, a straightforward loop): "
          f"{reference_step_time() * 1e6:.1f} us per step")
    step, products, n_calls = written_out_step()
    print(f"the engine's {n_calls} NumPy calls of one step written out, nothing else: "
          f"{median_time(step, 2000) * 1e6:.1f} us per step")
    print(f"  of which the 11 matrix products: {median_time(products, 2000) * 1e6:.1f} us")
    print("target: <= 30 us per step")


if __name__ == "__main__":
    main()
