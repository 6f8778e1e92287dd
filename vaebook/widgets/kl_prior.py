"""Widget of chapter 4 (loss): a 1-D Gaussian q against the prior N(0, 1), and the KL between them."""
from __future__ import annotations

import numpy as np

from .. import style
from ..formulas import kl_diag_to_standard, log_normal_diag
from .artists import Curve
from .controls import Slider
from .figure import InteractiveFigure, Part

#: The grid the densities are drawn on.
Z_PLOT = np.linspace(-5.0, 5.0, 801)


def kl_widget(mu: float = 1.0, log_var: float = -1.0) -> InteractiveFigure:
    r"""Sliders for mu and log sigma^2 of q = N(mu, sigma^2); shows q, the prior and KL(q || p).

    ``shown`` holds ``mu``, ``sigma2`` (= exp(log_var)) and ``KL``, the closed form
    :func:`vaebook.formulas.kl_diag_to_standard`, with its two parts ``KL_mean`` (= mu^2 / 2, the
    cost of moving the mean) and ``KL_var`` (= (sigma^2 - 1 - log sigma^2) / 2, the cost of the
    width), both from ``kl_diag_to_standard`` with the other part switched off.
    """

    def kl(mu, log_var):
        return {"KL": float(kl_diag_to_standard(np.array([[mu]]), np.array([[log_var]]))[0])}

    def curve(mu, log_var):
        return {"_q": np.exp(log_normal_diag(Z_PLOT[:, None], mu, float(np.exp(log_var))))}

    def mean_part(mu):  # KL of N(mu, 1): the cost of the mean alone
        return {"KL_mean": float(kl_diag_to_standard(np.array([[mu]]), np.array([[0.0]]))[0])}

    def var_part(log_var):  # KL of N(0, sigma^2): the cost of the width alone
        return {"sigma2": float(np.exp(log_var)),
                "KL_var": float(kl_diag_to_standard(np.array([[0.0]]), np.array([[log_var]]))[0])}

    def build(fig):
        ax = fig.add_subplot(111)
        prior = np.exp(log_normal_diag(Z_PLOT[:, None], 0.0, 1.0))
        ax.fill_between(Z_PLOT, prior, color=style.COLORS["prior"], alpha=0.35,
                        label=r"prior $p(z) = \mathcal{N}(0, 1)$")
        ax.plot(Z_PLOT, prior, color=style.COLORS["prior"])
        ax.set_xlim(-5, 5)
        ax.set_ylim(0, 1.6)
        ax.set_xlabel("$z$")
        ax.set_ylabel("density")
        ax.set_title(r"KL$(q\,\|\,p)$ of $q = \mathcal{N}(\mu, \sigma^2)$ to the prior")
        return [ax]

    moving = [Curve(0, Z_PLOT, "_q", means=["mu"], vars=["sigma2"], color=style.COLORS["q"],
                    label=r"$q(z) = \mathcal{N}(\mu, \sigma^2)$")]
    controls = {"mu": Slider("mean μ", -3.0, 3.0, 0.05, mu),
                "log_var": Slider("log σ²", -4.0, 2.0, 0.05, log_var)}
    readout = [("μ", "mu", 2), ("σ²", "sigma2", 4), ("KL(q‖p(z))", "KL", 4), ("μ²/2", "KL_mean", 4),
               ("(σ² − 1 − log σ²)/2", "KL_var", 4)]
    return InteractiveFigure(
        controls, [Part(("mu", "log_var"), kl, extra=curve), Part(("mu",), mean_part),
                   Part(("log_var",), var_part)],
        build, moving, readout, figsize=(6.4, 3.4), legends={0: "upper left"},
        title="KL(q ‖ p(z))",
        alt="The prior N(0, 1) and a Gaussian q whose mean and log-variance are set by the "
            "sliders; the readout gives KL(q || p) and its two parts, from the mean and from "
            "the width.")
