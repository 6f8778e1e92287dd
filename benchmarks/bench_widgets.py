"""Update latency of the generator chapter's widgets (target: <= 50 ms per update).

Usage: python benchmarks/bench_widgets.py [--repeats N]

Trains the chapter's two models (the 2-D running example and the 8x8 digits, a few seconds),
builds every widget of vaebook.widgets.generator, moves its sliders through ``repeats``
different positions and prints the median (and max) of ``last_update_seconds``: the time from a
slider change to a new PNG, i.e. decode + moving the artists + rendering.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

import vaebook as vb
from vaebook.widgets import generator as gen


def trained_models():
    X, labels = vb.make_mixture(2000, np.random.default_rng(0))
    cfg2 = vb.VAEConfig(data_dim=2, latent_dim=2, enc_hidden=(32,), dec_hidden=(32,), sigma2=0.5,
                        init_scale=0.1)
    p2 = vb.init_params(cfg2, np.random.default_rng(1))
    vb.train(p2, cfg2, X, epochs=100, batch_size=64, optimizer=vb.SGD(0.01),
             rng=np.random.default_rng(2))
    D, y = vb.load_digits_01()
    cfgd = vb.VAEConfig(data_dim=64, latent_dim=2, enc_hidden=(128,), dec_hidden=(128,),
                        likelihood="bernoulli")
    pd = vb.init_params(cfgd, np.random.default_rng(3))
    vb.train(pd, cfgd, D, epochs=30, batch_size=128, optimizer=vb.Adam(3e-3),
             rng=np.random.default_rng(4))
    return (p2, cfg2, X, labels), (pd, cfgd, D, y)


def moves(name, n, rng):
    """``n`` slider settings for widget ``name``."""
    u = rng.uniform(-2.5, 2.5, size=(n, 2))
    t = rng.uniform(0, 1, size=n)
    if name in ("latent_explorer", "digit_explorer"):
        return [dict(z1=a, z2=b) for a, b in u]
    if name == "latent_sweep":
        return [dict(axis=i % 2, fixed=a, t=b) for i, (a, b) in enumerate(u)]
    if name == "interpolation_explorer":
        return [dict(start=i % 4, end=(i + 1 + i // 4) % 4, t=s) for i, s in enumerate(t)]
    return [dict(start=i % 10, end=(i + 3) % 10, t=s) for i, s in enumerate(t)]


def main(repeats: int) -> None:
    with threadpool_limits(limits=1, user_api="blas"):
        t0 = time.perf_counter()
        two_d, digits = trained_models()
        print(f"training both models: {time.perf_counter() - t0:.2f} s")
        widgets = {
            "latent_explorer": gen.latent_explorer(*two_d),
            "latent_sweep": gen.latent_sweep(*two_d),
            "interpolation_explorer": gen.interpolation_explorer(*two_d),
            "digit_explorer": gen.digit_explorer(*digits),
            "digit_interpolation": gen.digit_interpolation(*digits),
        }
        rng = np.random.default_rng(0)
        print(f"{'widget':<24} {'median ms':>10} {'max ms':>8}   ({repeats} updates each)")
        worst = 0.0
        for name, w in widgets.items():
            times = []
            for values in moves(name, repeats, rng):
                w.set(**values)
                times.append(w.last_update_seconds)
            med = statistics.median(times)
            worst = max(worst, med)
            print(f"{name:<24} {1e3 * med:10.1f} {1e3 * max(times):8.1f}")
        print(f"slowest median update: {1e3 * worst:.1f} ms "
              f"({'within' if worst <= 0.05 else 'OVER'} the 50 ms target)")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=30)
    main(ap.parse_args().repeats)
