"""Chapter 4's widget: a 1-D Gaussian q against the prior N(0, 1), and the KL between them."""
from __future__ import annotations

import numpy as np

from .. import style
from ..gaussian import kl_diag_to_standard
from .base import InteractiveFigure, slider


def kl_widget(mu: float = 1.0, log_var: float = -1.0) -> InteractiveFigure:
    r"""Sliders for mu and log sigma^2 of q = N(mu, sigma^2); shows q, the prior and KL(q || p).

    ``shown`` holds ``mu``, ``sigma2`` (= exp(log_var)) and ``KL``, the closed form
    :func:`vaebook.gaussian.kl_diag_to_standard`, with its two parts ``KL_mean`` (= mu^2 / 2, the
    cost of moving the mean) and ``KL_var`` (= (sigma^2 - 1 - log sigma^2) / 2, the cost of the
    width).
    """
    z = np.linspace(-5.0, 5.0, 801)
    prior = np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi)

    def draw(fig, mu, log_var):
        var = float(np.exp(log_var))
        q = np.exp(-0.5 * (z - mu) ** 2 / var) / np.sqrt(2 * np.pi * var)
        kl = float(kl_diag_to_standard(np.array([[mu]]), np.array([[log_var]]))[0])
        fig.set_layout_engine("none")  # fixed axes positions (faster than constrained layout)
        ax = fig.add_axes([0.1, 0.16, 0.86, 0.74])
        ax.fill_between(z, prior, color=style.COLORS["prior"], alpha=0.35, label=r"prior $p(z) = N(0, 1)$")
        ax.plot(z, prior, color=style.COLORS["prior"])
        ax.plot(z, q, color=style.COLORS["q"], label=rf"$q(z) = N({mu:.2f}, {var:.3g})$")
        ax.set_xlim(-5, 5)
        ax.set_ylim(0, max(1.05 * q.max(), 0.45))
        ax.set_xlabel("$z$")
        ax.set_ylabel("density")
        ax.set_title(rf"KL$(q\,\|\,p)$ = {kl:.4f} nats")
        ax.legend(loc="upper left")
        return {"mu": float(mu), "sigma2": var, "KL": kl, "KL_mean": 0.5 * float(mu) ** 2,
                "KL_var": 0.5 * (var - 1.0 - float(log_var))}

    controls = {"mu": slider("mean μ", mu, -3.0, 3.0, 0.05),
                "log_var": slider("log σ²", log_var, -4.0, 2.0, 0.05)}
    return InteractiveFigure(controls, draw, figsize=(6.4, 3.4), title="KL of q to the prior")
