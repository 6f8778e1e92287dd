"""Chapter 2's widget: the spread of the naive Monte Carlo evidence estimate, for any J and n."""
from __future__ import annotations

import ipywidgets as W
import numpy as np

from .. import style
from ..montecarlo import isotropic_model, naive_log_evidence, naive_relative_variance
from .base import InteractiveFigure, slider

#: How many independent estimates the histogram shows.
N_REPEATS = 100


def mc_numbers(latent_dim: int, log10_n: float, seed: int = 0) -> dict:
    """Ratios p_hat / p(x) of N_REPEATS independent naive estimates, at x = (1, ..., 1)."""
    model = isotropic_model(latent_dim)
    x = np.ones((1, latent_dim))
    n = int(round(10**log10_n))
    est = naive_log_evidence(model, x, n, np.random.default_rng(seed), n_repeats=N_REPEATS)
    ratio = np.exp(est - model.log_evidence(x)[0])
    return {"n": n, "ratio": ratio,
            "median |ratio - 1|": float(np.median(np.abs(ratio - 1.0))),
            "predicted std of ratio": float(np.sqrt(naive_relative_variance(model, x) / n))}


def mc_widget(latent_dim: int = 1, log10_n: float = 2.0, seed: int = 0) -> InteractiveFigure:
    """Controls: latent dimension J and log10 of the number of prior samples n."""

    def draw(fig, latent_dim, log10_n):
        r = mc_numbers(latent_dim, log10_n, seed)
        ax = fig.add_subplot(111)
        bins = np.linspace(0.0, 3.0, 61)
        ax.hist(np.clip(r["ratio"], 0, 3), bins=bins, color=style.COLORS["model"], alpha=0.8)
        ax.axvline(1.0, color=style.COLORS["evidence"], label=r"exact: $\hat p / p(x) = 1$")
        ax.set_xlabel(r"$\hat p_n(x) / p(x)$ (values above 3 drawn at 3)")
        ax.set_ylabel(f"count of {N_REPEATS} estimates")
        ax.set_title(f"$J$ = {latent_dim}, $n$ = {r['n']}")
        ax.legend(loc="upper right")
        return {k: v for k, v in r.items() if k != "ratio"}

    controls = {"latent_dim": W.IntSlider(value=latent_dim, min=1, max=20, description="latent dim J",
                                          continuous_update=False,
                                          style={"description_width": "initial"}),
                "log10_n": slider("log10 n", log10_n, 1.0, 3.5, 0.5, readout_format=".1f")}
    return InteractiveFigure(controls, draw, title="Naive Monte Carlo estimates of p(x)",
                             readout_format="{:.4g}")
