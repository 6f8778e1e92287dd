"""Widget of chapter 3 (KL and ELBO): a Gaussian q on the exact model, with log p(x), the ELBO and the gap."""
from __future__ import annotations

import numpy as np

from .. import style
from ..exact import LinearGaussian
from ..formulas import log_normal_diag
from ..variational import gaussian_q_elbo
from .artists import Curve, Line
from .controls import Slider
from .figure import InteractiveFigure, Part

#: The latent grid the densities are drawn on.
Z_PLOT = np.linspace(-4.0, 4.0, 801)
#: The means of q at which the ELBO curve (for the slider's std) is drawn.
MEANS = np.linspace(-3.0, 3.0, 61)


def elbo_widget(model: LinearGaussian | None = None, x: float = 1.5, q_mean: float = 0.0,
                q_std: float = 1.0) -> InteractiveFigure:
    """Sliders for q's mean and standard deviation on a scalar exact model (default w=1, b=0, s=0.7)."""
    model = model if model is not None else LinearGaussian.scalar(1.0, 0.0, 0.7)
    if model.latent_dim != 1 or model.data_dim != 1:
        raise ValueError("elbo_widget needs a scalar model (D = J = 1)")
    post_mean, post_cov = model.posterior(x)
    log_ev = float(model.log_evidence(x)[0])

    def point(q_mean, q_std):
        t = gaussian_q_elbo(model, x, [q_mean], [q_std**2])
        return {"elbo": t["elbo"], "diff": t["log_evidence"] - t["elbo"], "gap": t["gap"]}

    def q_curve(q_mean, q_std):
        return {"_q": np.exp(log_normal_diag(Z_PLOT[:, None], q_mean, q_std**2))}

    def curve(q_std):
        return {"q_var": q_std**2,
                "curve": [gaussian_q_elbo(model, x, [m], [q_std**2])["elbo"] for m in MEANS]}

    def build(fig):
        ax1, ax2 = fig.subplots(1, 2)
        ax1.plot(Z_PLOT, np.exp(model.log_posterior(Z_PLOT, x)), color=style.COLORS["posterior"],
                 label=r"$p(z \mid x)$")
        ax1.set_xlim(Z_PLOT[0], Z_PLOT[-1])
        ax1.set_ylim(0.0, 1.6)
        ax1.set_xlabel("$z$")
        ax1.set_ylabel("density")
        ax2.axhline(log_ev, color=style.COLORS["evidence"], label=r"$\log p(x)$")
        ax2.set_xlim(MEANS[0] - 0.1, MEANS[-1] + 0.1)
        ax2.set_ylim(log_ev - 6.0, log_ev + 1.0)
        ax2.set_xlabel(r"mean of $q$, $\mu_q$")
        ax2.set_ylabel("nats")
        return [ax1, ax2]

    moving = [
        Curve(0, Z_PLOT, "_q", means=["q_mean"], vars=["q_var"], color=style.COLORS["q"], ls="--",
              label="$q(z)$"),
        Line(1, MEANS, "curve", color=style.COLORS["elbo"], label=r"ELBO, this $\sigma_q$"),
        Line(1, ["q_mean", "q_mean"], ["elbo", "log_ev"], color=style.COLORS["gap"], lw=3,
             label=r"gap = KL$(q \,\|\, p(z \mid x))$"),
        Line(1, "q_mean", "elbo", color=style.COLORS["elbo"], ls="none", marker="o"),
    ]
    controls = {"q_mean": Slider("mean of q, μ_q", -3.0, 3.0, 0.05, q_mean),
                "q_std": Slider("σ_q", 0.1, 2.0, 0.05, q_std)}
    readout = [("log p(x)", "log_ev", 5), ("𝓛", "elbo", 5), ("log p(x) − 𝓛", "diff", 5),
               ("KL(q‖p(z|x))", "gap", 5)]
    return InteractiveFigure(
        controls, [Part(("q_mean", "q_std"), point, extra=q_curve), Part(("q_std",), curve),
                   Part((), lambda: {"log_ev": log_ev})],
        build, moving, readout, figsize=(8.0, 3.4), legends={0: "upper left", 1: "lower center"},
        title=f"ELBO and gap at x = {x:g} (posterior mean {post_mean[0, 0]:.3f}, "
              f"std {np.sqrt(post_cov[0, 0]):.3f})",
        alt="Left: the exact posterior and a Gaussian q whose mean and standard deviation are set "
            "by the sliders. Right: the ELBO as a function of the mean of q, below the constant "
            "log p(x); the vertical bar between them is the gap, KL(q || posterior).")
