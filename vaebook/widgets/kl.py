"""Chapter 3's first widget: fitting a Gaussian to a two-bump density under KL(q||p) and KL(p||q)."""
from __future__ import annotations

import numpy as np

from .. import style
from ..divergence import bimodal_log_density, fit_gaussian, normal_log_density
from .base import InteractiveFigure, slider

#: The grid the densities live on.
GRID = np.linspace(-10.0, 10.0, 2001)


def kl_fit_widget(separation: float = 4.0, weight: float = 0.5) -> InteractiveFigure:
    """Sliders for the distance between the bumps and the weight of the left one."""

    def draw(fig, separation, weight):
        log_p = bimodal_log_density(GRID, separation, weight)
        rev = fit_gaussian(log_p, GRID, "reverse")
        fwd = fit_gaussian(log_p, GRID, "forward")
        ax = fig.add_subplot(111)
        ax.fill_between(GRID, np.exp(log_p), color=style.COLORS["data"], alpha=0.4, label="$p$")
        ax.plot(GRID, np.exp(normal_log_density(GRID, rev["mean"], rev["std"])),
                color=style.COLORS["q"], label=r"$q$ minimising KL$(q\,\|\,p)$")
        ax.plot(GRID, np.exp(normal_log_density(GRID, fwd["mean"], fwd["std"])),
                color=style.COLORS["model"], ls="--", label=r"$q$ minimising KL$(p\,\|\,q)$")
        ax.set_xlim(-7, 7)
        ax.set_xlabel("$z$")
        ax.set_ylabel("density")
        ax.legend(loc="upper left")
        return {"reverse mean": rev["mean"], "reverse std": rev["std"], "KL(q||p)": rev["kl"],
                "forward mean": fwd["mean"], "forward std": fwd["std"], "KL(p||q)": fwd["kl"]}

    controls = {"separation": slider("separation d", separation, 0.0, 7.0, 0.1),
                "weight": slider("left weight", weight, 0.05, 0.95, 0.05)}
    return InteractiveFigure(controls, draw, title="Mode-seeking and mass-covering fits",
                             readout_format="{:.4f}")
