"""The book's one figure style: a colour-blind-safe palette and consistent axes.

Every chapter calls :func:`use` once (it is idempotent) and takes colours from here, so the same
quantity has the same colour on every page.
"""
from __future__ import annotations

import matplotlib as mpl
import numpy as np

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000",
    "grey": "#999999",
}
#: One colour per cluster of the running example (and per digit class where 4 suffice).
CLUSTER_COLORS = [OKABE_ITO[c] for c in ("blue", "orange", "green", "purple")]
#: Fixed roles, used the same way in every figure.
COLORS = {
    "data": OKABE_ITO["grey"], "model": OKABE_ITO["vermillion"], "prior": OKABE_ITO["sky"],
    "posterior": OKABE_ITO["blue"], "likelihood": OKABE_ITO["orange"], "q": OKABE_ITO["green"],
    "total": OKABE_ITO["black"], "recon": OKABE_ITO["vermillion"], "kl": OKABE_ITO["blue"],
    "elbo": OKABE_ITO["green"], "evidence": OKABE_ITO["black"], "gap": OKABE_ITO["purple"],
}
#: Sequential colour map for continuous values (perceptually uniform, colour-blind-safe).
CMAP = "viridis"

#: The book style's rcParams (for ``matplotlib.rc_context``; :func:`use` applies them globally).
RC = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.constrained_layout.use": True,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 2.0,
    "scatter.edgecolors": "none",
    "image.cmap": CMAP,
    "svg.hashsalt": "vaebook",
}


def use() -> None:
    """Apply the book style to matplotlib (PNG output, fixed palette and layout)."""
    mpl.rcParams.update(RC)
    mpl.rcParams["axes.prop_cycle"] = mpl.cycler(color=[OKABE_ITO[c] for c in (
        "blue", "orange", "green", "vermillion", "purple", "sky", "yellow", "black")])
    try:  # inline figures as PNG (nbval compares text, not images; no SVG in the book)
        from matplotlib_inline.backend_inline import set_matplotlib_formats
        set_matplotlib_formats("png")
    except ImportError:  # pragma: no cover - only outside IPython
        pass


def cluster_colors(labels) -> list[str]:
    """A colour for every point, from its integer cluster label."""
    labels = np.asarray(labels, dtype=int)
    return [CLUSTER_COLORS[k % len(CLUSTER_COLORS)] for k in labels]


def data_axes(ax, lim: float = 4.5, xlabel: str = "$x_1$", ylabel: str = "$x_2$"):
    """Square axes for the 2-D running example."""
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def latent_axes(ax, lim: float = 3.5):
    """Square axes for a 2-D latent space."""
    return data_axes(ax, lim, "$z_1$", "$z_2$")
