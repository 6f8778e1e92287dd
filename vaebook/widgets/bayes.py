"""Widget of chapter 1 (introduction): prior, likelihood and posterior of the scalar exact model, for any x."""
from __future__ import annotations

import numpy as np

from .. import style
from ..exact import LinearGaussian
from ..formulas import integrate
from .artists import Curve
from .controls import Slider
from .figure import InteractiveFigure, Part

#: The latent grid the widget integrates on.
Z_GRID = np.linspace(-5.0, 5.0, 2001)
#: The latent grid the curves are drawn on.
Z_PLOT = np.linspace(-5.0, 5.0, 801)


def bayes_numbers(x: float, w: float, s: float, b: float = 0.0) -> dict:
    """Evidence and posterior of z ~ N(0, 1), x | z ~ N(w z + b, s^2), closed form and by quadrature."""
    model = LinearGaussian.scalar(w, b, s)
    log_joint = model.log_likelihood(x, Z_GRID) + model.log_prior(Z_GRID)
    evidence_quad = float(integrate(np.exp(log_joint), Z_GRID))
    mean, cov = model.posterior(x)
    return {
        "p(x)": float(np.exp(model.log_evidence(x)[0])),
        "p(x) by quadrature": evidence_quad,
        "posterior mean": float(mean[0, 0]),
        "posterior std": float(np.sqrt(cov[0, 0])),
    }


def bayes_widget(x: float = 1.5, w: float = 1.0, s: float = 0.7, b: float = 0.0) -> InteractiveFigure:
    """Sliders for the observed x, the weight w and the noise σₓ; plots prior, likelihood, posterior."""

    def numbers(x, w, s):
        n = bayes_numbers(x, w, s, b)
        return {"px": n["p(x)"], "px_quad": n["p(x) by quadrature"], "post_mean": n["posterior mean"]}

    def curves(x, w, s):
        model = LinearGaussian.scalar(w, b, s)
        return {"_lik": np.exp(model.log_likelihood(x, Z_PLOT)),
                "_post": np.exp(model.log_posterior(Z_PLOT, x))}

    def spreads(w, s):  # what depends on w and s only (the posterior variance does not see x)
        _, cov = LinearGaussian.scalar(w, b, s).posterior(0.0)
        return {"post_var": float(cov[0, 0]), "post_std": float(np.sqrt(cov[0, 0])),
                "lik_var": float(s) ** 2}

    def build(fig):
        ax = fig.add_subplot(111)
        prior = np.exp(LinearGaussian.scalar(1.0, 0.0, 1.0).log_prior(Z_PLOT))
        ax.plot(Z_PLOT, prior, color=style.COLORS["prior"], label="prior $p(z)$")
        ax.set_xlabel("$z$")
        ax.set_ylabel("density")
        ax.set_xlim(Z_PLOT[0], Z_PLOT[-1])
        ax.set_ylim(0.0, 1.5)
        ax.set_title(r"Bayes' rule: $p(z \mid x) \propto p(x \mid z)\, p(z)$")
        return [ax]

    moving = [
        Curve(0, Z_PLOT, "_lik", a="w", c=b, means=["x"], vars=["lik_var"],
              color=style.COLORS["likelihood"], ls="--",
              label=r"likelihood $p(x \mid z)$ as a function of $z$"),
        Curve(0, Z_PLOT, "_post", means=["post_mean"], vars=["post_var"],
              color=style.COLORS["posterior"], label=r"posterior $p(z \mid x)$"),
    ]
    controls = {"x": Slider("observed x", -4.0, 4.0, 0.25, x),
                "w": Slider("weight w", -3.0, 3.0, 0.5, w),
                "s": Slider("noise σₓ", 0.1, 2.0, 0.1, s)}
    readout = [("p(x)", "px", 5), ("p(x) by quadrature", "px_quad", 5),
               ("posterior mean", "post_mean", 4), ("posterior std", "post_std", 4)]
    return InteractiveFigure(
        controls, [Part(("x", "w", "s"), numbers, extra=curves), Part(("w", "s"), spreads)], build, moving, readout,
        legends={0: "upper left"}, title="Bayes' rule on the exact model",
        alt="Prior, likelihood and posterior densities of the latent z for the observed x, "
            "weight w and noise σₓ set by the sliders; the posterior lies between the prior and "
            "the likelihood and narrows as the noise σₓ shrinks.")
