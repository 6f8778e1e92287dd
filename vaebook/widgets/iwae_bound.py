"""Widget of chapter 9 (evaluation): the importance-weighted bound against K, on the exact linear-Gaussian model."""
from __future__ import annotations

import numpy as np

from .. import style
from ..iwae import linear_gaussian_iwae
from ..variational import linear_gaussian_elbo
from .artists import Line
from .controls import Slider
from .figure import InteractiveFigure, Part

#: The values of K drawn as the curve (the slider's K is marked on it).
K_GRID = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
#: The x-axis range (K from 1 to 1000, with a margin on the log scale).
K_LIM = (0.7, 1500.0)


def iwae_bound_widget(model, X, seed: int = 0) -> InteractiveFigure:
    r"""Slide log10 K and the offset of q's mean from the true posterior's; watch the bound.

    ``model`` is a :class:`~vaebook.exact.LinearGaussian`, ``X`` its data points. q(z|x) is the
    true posterior's mean plus ``shift`` (in every latent dimension) with the diagonal of the
    true posterior covariance. Shown, as means over the points in nats: ``K``, ``bound`` (the
    IWAE estimate with K samples, drawn from ``default_rng(seed)``), ``elbo`` (closed form),
    ``log_evidence`` (closed form) and ``gap = log_evidence - bound``.
    """
    X = model.check_x(X)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    post_mean, cov = model.posterior(X)
    q_log_var = np.tile(np.log(np.diag(cov)), (len(X), 1))
    log_evidence = float(model.log_evidence(X).mean())

    def bound(K, q_mean):
        return float(linear_gaussian_iwae(model, X, K, np.random.default_rng(seed), q_mean,
                                          q_log_var).mean())

    def elbo(shift):
        return float(linear_gaussian_elbo(model, X, post_mean + shift, q_log_var).mean())

    def per_shift(shift):
        return {"elbo": elbo(shift), "curve": [bound(k, post_mean + shift) for k in K_GRID]}

    def per_setting(log10_K, shift):
        K = int(round(10.0**log10_K))
        b = bound(K, post_mean + shift)
        return {"K": K, "bound": b, "gap": log_evidence - b}

    lowest = elbo(1.5)  # the loosest bound the sliders reach (largest offset, K = 1)

    def build(fig):
        ax = fig.add_subplot(1, 1, 1)
        ax.set_xscale("log")
        ax.set_xlim(*K_LIM)
        ax.set_ylim(lowest - 0.1 * (log_evidence - lowest) - 0.05,
                    log_evidence + 0.1 * (log_evidence - lowest) + 0.05)
        ax.set_xlabel("number of samples $K$")
        ax.set_ylabel("mean bound (nats per point)")
        return [ax]

    moving = [
        Line(0, list(K_GRID), "curve", color=style.COLORS["elbo"], marker="o", ms=6,
             label="IWAE bound"),
        Line(0, list(K_LIM), ["log_evidence", "log_evidence"], color=style.COLORS["evidence"],
             ls="--", label=r"$\log p(x)$ (exact)"),
        Line(0, list(K_LIM), ["elbo", "elbo"], color=style.COLORS["gap"], ls=":",
             label="ELBO (closed form)"),
        Line(0, "K", "bound", color=style.COLORS["model"], ls="none", marker="s", ms=10,
             label="chosen $K$"),
    ]
    controls = {"log10_K": Slider("log₁₀ K", 0.0, 3.0, 0.5, 0.0, 1),
                "shift": Slider("q mean offset", 0.0, 1.5, 0.25, 0.5)}
    readout = [("K", "K", None), ("bound", "bound", 4), ("elbo", "elbo", 4),
               ("log_evidence", "log_evidence", 4), ("gap", "gap", 4)]
    return InteractiveFigure(
        controls, [Part(("log10_K", "shift"), per_setting), Part(("shift",), per_shift),
                   Part((), lambda: {"log_evidence": log_evidence})],
        build, moving, readout, figsize=(6.4, 3.6), legends={0: "lower right"},
        title="The importance-weighted bound tightens with K",
        alt="The mean importance-weighted bound against the number of samples K (log scale), "
            "rising from the ELBO towards the exact log-likelihood; the sliders set K and how far "
            "the mean of q is from the true posterior mean.")
