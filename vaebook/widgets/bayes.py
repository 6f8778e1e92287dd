"""Chapter 1's widget: prior, likelihood and posterior of the scalar exact model, for any observed x."""
from __future__ import annotations

import numpy as np

from .. import style
from ..divergence import integrate
from ..exact import LinearGaussian
from .base import InteractiveFigure, slider

#: The latent grid the widget draws and integrates on.
Z_GRID = np.linspace(-5.0, 5.0, 2001)


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
    """Sliders for the observed x, the weight w and the noise s; plots prior, likelihood, posterior."""

    def draw(fig, x, w, s):
        model = LinearGaussian.scalar(w, b, s)
        ax = fig.add_subplot(111)
        prior = np.exp(model.log_prior(Z_GRID))
        lik = np.exp(model.log_likelihood(x, Z_GRID))
        post = np.exp(model.log_posterior(Z_GRID, x))
        ax.plot(Z_GRID, prior, color=style.COLORS["prior"], label="prior $p(z)$")
        ax.plot(Z_GRID, lik, color=style.COLORS["likelihood"], ls="--",
                label=r"likelihood $p(x \mid z)$ as a function of $z$")
        ax.plot(Z_GRID, post, color=style.COLORS["posterior"], label=r"posterior $p(z \mid x)$")
        ax.set_xlabel("$z$")
        ax.set_ylabel("density")
        ax.set_xlim(Z_GRID[0], Z_GRID[-1])
        ax.set_title(f"observed $x$ = {x:.2f}, $w$ = {w:.2f}, $s$ = {s:.2f}")
        ax.legend(loc="upper left")
        return bayes_numbers(x, w, s, b)

    controls = {"x": slider("observed x", x, -4.0, 4.0, 0.05),
                "w": slider("weight w", w, -3.0, 3.0, 0.05),
                "s": slider("noise s", s, 0.1, 2.0, 0.05)}
    return InteractiveFigure(controls, draw, title="Bayes' rule on the exact model",
                             readout_format="{:.5f}")
