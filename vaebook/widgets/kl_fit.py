"""Widget of chapter 3 (KL and ELBO): fitting a Gaussian to a two-bump density under KL(q||p) and KL(p||q)."""
from __future__ import annotations

import numpy as np

from .. import style
from ..divergence import bimodal_log_density, fit_gaussian, normal_log_density
from .artists import Curve
from .controls import Slider
from .figure import InteractiveFigure, Part

#: The grid the densities live on (and the fits integrate on).
GRID = np.linspace(-10.0, 10.0, 2001)
#: The part of it that is drawn.
PLOT = GRID[(GRID >= -7.0) & (GRID <= 7.0)][::2]
#: The common standard deviation of the two bumps (bimodal_log_density's default).
BUMP_STD = 0.6


def kl_fit_widget(separation: float = 4.0, weight: float = 0.5) -> InteractiveFigure:
    """Sliders for the distance between the bumps and the weight of the left one."""

    def fits(separation, weight):
        log_p = bimodal_log_density(GRID, separation, weight, BUMP_STD)
        rev = fit_gaussian(log_p, GRID, "reverse")
        fwd = fit_gaussian(log_p, GRID, "forward")
        return {"rev_mean": rev["mean"], "rev_var": rev["std"] ** 2, "rev_std": rev["std"],
                "rev_kl": rev["kl"], "fwd_mean": fwd["mean"], "fwd_var": fwd["std"] ** 2,
                "fwd_std": fwd["std"], "fwd_kl": fwd["kl"],
                "left": -0.5 * separation, "right": 0.5 * separation, "w_right": 1.0 - weight}

    def curves(separation, weight):
        f = fits(separation, weight)
        return {"_p": np.exp(bimodal_log_density(PLOT, separation, weight, BUMP_STD)),
                "_rev": np.exp(normal_log_density(PLOT, f["rev_mean"], f["rev_std"])),
                "_fwd": np.exp(normal_log_density(PLOT, f["fwd_mean"], f["fwd_std"]))}

    def build(fig):
        ax = fig.add_subplot(111)
        ax.set_xlim(-7, 7)
        ax.set_ylim(0.0, 0.8)
        ax.set_xlabel("$z$")
        ax.set_ylabel("density")
        return [ax]

    var = BUMP_STD**2
    moving = [
        Curve(0, PLOT, "_p", weights=["weight", "w_right"], means=["left", "right"],
              vars=[var, var], fill=True, color=style.COLORS["data"], alpha=0.4, label="$p$"),
        Curve(0, PLOT, "_rev", means=["rev_mean"], vars=["rev_var"], color=style.COLORS["q"],
              label=r"$q$ minimising KL$(q\,\|\,p)$"),
        Curve(0, PLOT, "_fwd", means=["fwd_mean"], vars=["fwd_var"], color=style.COLORS["model"],
              ls="--", label=r"$q$ minimising KL$(p\,\|\,q)$"),
    ]
    controls = {"separation": Slider("separation d", 0.0, 7.0, 1.0, separation, 1),
                "weight": Slider("left weight", 0.1, 0.9, 0.2, weight, 1)}
    readout = [("m (reverse fit)", "rev_mean", 4), ("σ_q (reverse fit)", "rev_std", 4),
               ("KL(q‖p)", "rev_kl", 4), ("m (forward fit)", "fwd_mean", 4),
               ("σ_q (forward fit)", "fwd_std", 4), ("KL(p‖q)", "fwd_kl", 4)]
    return InteractiveFigure(
        controls, [Part(("separation", "weight"), fits, extra=curves)], build, moving, readout,
        legends={0: "upper left"}, title="Mode-seeking and mass-covering fits",
        alt="A two-bump density p and the two Gaussians closest to it: minimising KL(q||p) puts "
            "q on one bump, minimising KL(p||q) spreads q over both; the sliders set the distance "
            "between the bumps and the weight of the left one.")
