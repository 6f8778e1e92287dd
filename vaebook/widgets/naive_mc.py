"""Widget of chapter 2 (objective): the spread of the naive Monte Carlo evidence estimate, for any J and n."""
from __future__ import annotations

import numpy as np

from .. import style
from ..montecarlo import isotropic_model, naive_log_evidence, naive_relative_variance
from .artists import Bars
from .controls import Slider
from .figure import InteractiveFigure, Part

#: How many independent estimates the histogram shows.
N_REPEATS = 100
#: The histogram's bins (values above 3 are counted in the last one).
BINS = np.linspace(0.0, 3.0, 61)


def mc_numbers(latent_dim: int, log10_n: float, seed: int = 0) -> dict:
    """Ratios p_hat / p(x) of N_REPEATS independent naive estimates, at x = (1, ..., 1), their mean,
    their median distance from 1 and the predicted standard deviation of one ratio."""
    model = isotropic_model(latent_dim)
    x = np.ones((1, latent_dim))
    n = int(round(10**log10_n))
    est = naive_log_evidence(model, x, n, np.random.default_rng(seed), n_repeats=N_REPEATS)
    ratio = np.exp(est - model.log_evidence(x)[0])
    return {"n": n, "ratio": ratio, "mean": float(np.mean(ratio)),
            "median_abs_dev": float(np.median(np.abs(ratio - 1.0))),
            "predicted_sd": float(np.sqrt(naive_relative_variance(model, x) / n))}


def mc_widget(latent_dim: int = 1, log10_n: float = 2.0, seed: int = 0) -> InteractiveFigure:
    """Controls: latent dimension J and log10 of the number of prior samples K."""

    def numbers(latent_dim, log10_n):
        r = mc_numbers(latent_dim, log10_n, seed)
        counts, _ = np.histogram(np.clip(r["ratio"], BINS[0], BINS[-1]), bins=BINS)
        return {"n": r["n"], "mean": r["mean"], "median": r["median_abs_dev"],
                "predicted": r["predicted_sd"], "counts": counts}

    def build(fig):
        ax = fig.add_subplot(111)
        ax.axvline(1.0, color=style.COLORS["evidence"], label=r"exact: $\hat p / p(x) = 1$")
        ax.set_xlim(BINS[0], BINS[-1])
        ax.set_ylim(0, N_REPEATS)
        ax.set_xlabel(r"$\hat p_K(x) / p(x)$ (values above 3 drawn at 3)")
        ax.set_ylabel(f"count of {N_REPEATS} estimates")
        return [ax]

    moving = [Bars(0, BINS[:-1], BINS[1] - BINS[0], "counts", color=style.COLORS["model"],
                   alpha=0.8, label="estimates")]
    controls = {"latent_dim": Slider("latent dim J", 1, 20, 1, latent_dim, None),
                "log10_n": Slider("log₁₀ K", 1.0, 3.0, 0.5, log10_n, 1)}
    readout = [("K", "n", None), ("mean of p̂_K/p(x)", "mean", 3),
               ("median |p̂_K/p(x) − 1|", "median", 4), ("predicted SD of p̂_K/p(x)", "predicted", 4)]
    return InteractiveFigure(
        controls, [Part(("latent_dim", "log10_n"), numbers)], build, moving, readout,
        legends={0: "upper right"}, title="Naive Monte Carlo estimates of p(x)",
        alt=f"Histogram of {N_REPEATS} naive Monte Carlo estimates of p(x), divided by the exact "
            "value, for the latent dimension J and the number of samples K set by the controls; "
            "the estimates crowd around 1 for small J and scatter ever wider as J grows.")
