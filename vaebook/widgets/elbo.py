"""Chapter 3's second widget: a Gaussian q on the exact model, with log p(x), the ELBO and the gap."""
from __future__ import annotations

import numpy as np

from .. import style
from ..exact import LinearGaussian
from ..variational import gaussian_q_elbo
from .base import InteractiveFigure, slider


def elbo_widget(model: LinearGaussian | None = None, x: float = 1.5, q_mean: float = 0.0,
                q_std: float = 1.0) -> InteractiveFigure:
    """Sliders for q's mean and standard deviation on a scalar exact model (default w=1, b=0, s=0.7)."""
    model = model if model is not None else LinearGaussian.scalar(1.0, 0.0, 0.7)
    if model.latent_dim != 1 or model.data_dim != 1:
        raise ValueError("elbo_widget needs a scalar model (D = J = 1)")
    z = np.linspace(-4.0, 4.0, 801)
    means = np.linspace(-3.0, 3.0, 61)
    post_mean, post_cov = model.posterior(x)

    def draw(fig, q_mean, q_std):
        t = gaussian_q_elbo(model, x, [q_mean], [q_std**2])
        ax1, ax2 = fig.subplots(1, 2)
        post = np.exp(model.log_posterior(z, x))
        q = np.exp(-0.5 * ((z - q_mean) / q_std) ** 2) / (np.sqrt(2 * np.pi) * q_std)
        ax1.plot(z, post, color=style.COLORS["posterior"], label=r"$p(z \mid x)$")
        ax1.plot(z, q, color=style.COLORS["q"], ls="--", label="$q(z)$")
        ax1.set_xlabel("$z$")
        ax1.set_ylabel("density")
        ax1.legend(loc="upper left")
        curve = [gaussian_q_elbo(model, x, [m], [q_std**2])["elbo"] for m in means]
        ax2.axhline(t["log_evidence"], color=style.COLORS["evidence"], label=r"$\log p(x)$")
        ax2.plot(means, curve, color=style.COLORS["elbo"], label=r"ELBO, this $\sigma_q$")
        ax2.vlines(q_mean, t["elbo"], t["log_evidence"], color=style.COLORS["gap"], lw=3,
                   label=r"gap = KL$(q \,\|\, p(z \mid x))$")
        ax2.plot([q_mean], [t["elbo"]], "o", color=style.COLORS["elbo"])
        ax2.set_ylim(t["log_evidence"] - 6.0, t["log_evidence"] + 1.0)
        ax2.set_xlabel(r"mean of $q$, $\mu_q$")
        ax2.set_ylabel("nats")
        ax2.legend(loc="lower center")
        return {"log p(x)": t["log_evidence"], "ELBO": t["elbo"],
                "log p(x) - ELBO": t["log_evidence"] - t["elbo"], "KL(q || posterior)": t["gap"]}

    controls = {"q_mean": slider("mean of q", q_mean, -3.0, 3.0, 0.05),
                "q_std": slider("std of q", q_std, 0.1, 2.0, 0.05)}
    w = InteractiveFigure(controls, draw, figsize=(8.0, 3.4),
                          title=f"ELBO and gap at x = {x:g} (posterior mean "
                                f"{post_mean[0, 0]:.3f}, std {np.sqrt(post_cov[0, 0]):.3f})",
                          readout_format="{:.5f}")
    return w
