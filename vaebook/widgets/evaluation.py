"""Widget of chapter 8: the importance-weighted bound against K, on the exact linear-Gaussian model."""
from __future__ import annotations

import numpy as np

from .. import style
from ..iwae import linear_gaussian_elbo, linear_gaussian_iwae
from .base import InteractiveFigure, slider

#: The values of K drawn as the curve (the slider's K is marked on it).
K_GRID = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


def iwae_bound_widget(model, X, seed: int = 0) -> InteractiveFigure:
    r"""Slide log10 K and the offset of q's mean from the true posterior's; watch the bound.

    ``model`` is a :class:`~vaebook.exact.LinearGaussian`, ``X`` its data points. q(z|x) is the
    true posterior's mean plus ``shift`` (in every latent dimension) with the diagonal of the
    true posterior covariance. Shown, as means over the points in nats: ``K``, ``bound`` (the
    IWAE estimate with K samples, drawn from ``default_rng(seed)``), ``elbo`` (closed form),
    ``log_evidence`` (closed form) and ``gap = log_evidence - bound``.
    """
    X = model._x(X)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    post_mean, cov = model.posterior(X)
    q_log_var = np.tile(np.log(np.diag(cov)), (len(X), 1))
    log_evidence = float(model.log_evidence(X).mean())

    def bound(K, q_mean):
        return float(linear_gaussian_iwae(model, X, K, np.random.default_rng(seed), q_mean,
                                          q_log_var).mean())

    def draw(fig, log10_K, shift):
        K = int(round(10.0 ** log10_K))
        q_mean = post_mean + shift
        elbo = float(linear_gaussian_elbo(model, X, q_mean, q_log_var).mean())
        curve = [bound(k, q_mean) for k in K_GRID]
        b = bound(K, q_mean)
        ax = fig.add_subplot(1, 1, 1)
        ax.semilogx(K_GRID, curve, "o-", color=style.COLORS["elbo"], label="IWAE bound")
        ax.axhline(log_evidence, color=style.COLORS["evidence"], ls="--", label=r"$\log p(x)$ (exact)")
        ax.axhline(elbo, color=style.COLORS["gap"], ls=":", label="ELBO (closed form)")
        ax.plot([K], [b], "s", ms=10, color=style.COLORS["model"], label=f"K = {K}")
        ax.set_xlabel("number of samples $K$")
        ax.set_ylabel("mean bound (nats per point)")
        ax.legend(loc="lower right")
        return {"K": K, "bound": b, "elbo": elbo, "log_evidence": log_evidence,
                "gap": log_evidence - b}

    controls = {"log10_K": slider("log10 K", 0.0, 0.0, 3.0, step=0.5, readout_format=".1f"),
                "shift": slider("q mean offset", 0.5, 0.0, 1.5, step=0.25)}
    return InteractiveFigure(controls, draw, figsize=(6.4, 3.6),
                             title="The importance-weighted bound tightens with K")
