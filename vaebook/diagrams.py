"""Drawn diagrams in the book's style: the VAE's forward pass (boxes and arrows) and its
graphical model (a plate diagram)."""
from __future__ import annotations

from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle

from . import style


def _box(ax, x, y, text, color, w=1.3, h=0.9):
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.05",
                                facecolor=color, edgecolor="black", alpha=0.35, lw=1.2))
    ax.text(x, y, text, ha="center", va="center", fontsize=11)


def _arrow(ax, a, b, text=""):
    ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=14, lw=1.4, color="black"))
    if text:
        ax.text((a[0] + b[0]) / 2, (a[1] + b[1]) / 2 + 0.18, text, ha="center", fontsize=9)


def draw_vae_architecture(ax):
    """The VAE's forward pass: x -> encoder -> (mu, log sigma^2) -> z = mu + sigma * eps -> decoder -> x_hat."""
    c = style.COLORS
    _box(ax, 0.0, 0.0, "$x$", c["data"], w=0.8)
    _box(ax, 1.8, 0.0, "encoder\n$q_\\phi(z \\mid x)$", c["posterior"], w=1.6, h=1.2)
    _box(ax, 3.7, 0.7, "$\\mu$", c["posterior"], w=0.8, h=0.6)
    _box(ax, 3.7, -0.7, "$\\log\\sigma^2$", c["posterior"], w=0.9, h=0.6)
    _box(ax, 3.7, -2.0, "$\\varepsilon \\sim \\mathcal{N}(0, I_J)$", c["prior"], w=1.9, h=0.6)
    _box(ax, 5.9, 0.0, "$z = \\mu + \\sigma \\odot \\varepsilon$", c["q"], w=2.0, h=0.8)
    _box(ax, 8.2, 0.0, "decoder\n$p_\\theta(x \\mid z)$", c["likelihood"], w=1.6, h=1.2)
    _box(ax, 10.0, 0.0, "$\\hat x$", c["model"], w=0.8)
    _arrow(ax, (0.4, 0.0), (1.0, 0.0))
    _arrow(ax, (2.6, 0.3), (3.3, 0.7))
    _arrow(ax, (2.6, -0.3), (3.25, -0.7))
    _arrow(ax, (4.1, 0.6), (4.9, 0.2))
    _arrow(ax, (4.15, -0.6), (4.9, -0.2))
    _arrow(ax, (4.65, -1.8), (5.5, -0.4))
    _arrow(ax, (6.9, 0.0), (7.4, 0.0))
    _arrow(ax, (9.0, 0.0), (9.6, 0.0))
    ax.text(1.8, 1.2, "parameters $\\phi$", ha="center", fontsize=9)
    ax.text(8.2, 1.2, "parameters $\\theta$", ha="center", fontsize=9)
    ax.text(3.7, -2.65, "the only randomness in the training forward pass", ha="center", fontsize=9)
    ax.set_xlim(-0.6, 10.6)
    ax.set_ylim(-3.0, 1.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


#: Node positions of the graphical model (data coordinates of :func:`draw_graphical_model`).
GRAPH_NODES = {"z": (0.0, 1.2), "x": (0.0, -1.0), "theta": (2.1, -1.0), "phi": (-2.1, 1.2)}


def _node(ax, xy, text, observed, radius=0.42):
    ax.add_patch(Circle(xy, radius, facecolor=style.COLORS["data"] if observed else "white",
                        edgecolor="black", lw=1.4, alpha=0.9 if observed else 1.0,
                        gid="observed" if observed else "latent"))
    ax.text(xy[0], xy[1], text, ha="center", va="center", fontsize=14)


def _param(ax, xy, text):
    ax.add_patch(Circle(xy, 0.07, facecolor="black", edgecolor="black", gid="parameter"))
    ax.text(xy[0], xy[1] + 0.25, text, ha="center", va="bottom", fontsize=13)


def _edge(ax, a, b, dashed=False, rad=0.0, gid=None):
    ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=16, lw=1.4,
                                 color=style.COLORS["q"] if dashed else "black",
                                 linestyle="--" if dashed else "-",
                                 connectionstyle=f"arc3,rad={rad}", gid=gid))


def draw_graphical_model(ax):
    r"""The VAE as a graphical model, with a plate over the N data points.

    Open circle: the latent :math:`z_i`; shaded circle: the observed :math:`x_i`; dots: the
    parameters :math:`\theta` and :math:`\phi`, outside the plate because every data point shares
    them. Solid arrows are the generative model :math:`p(z)\,p_\theta(x \mid z)`; the dashed arrow is
    the inference model :math:`q_\phi(z \mid x)`. Artists carry a ``gid`` ("latent", "observed",
    "parameter", "generative", "inference", "plate") so a test can read the drawing's structure.
    """
    n = GRAPH_NODES
    ax.add_patch(Rectangle((-1.35, -1.75), 2.7, 3.75, fill=False, edgecolor="black", lw=1.2,
                           gid="plate"))
    ax.text(1.22, -1.62, "$N$", ha="right", va="bottom", fontsize=12)
    _node(ax, n["z"], "$z_i$", observed=False)
    _node(ax, n["x"], "$x_i$", observed=True)
    _param(ax, n["theta"], r"$\theta$")
    _param(ax, n["phi"], r"$\phi$")
    # generative model: z -> x (solid, left of centre) and theta -> x
    _edge(ax, (n["z"][0] - 0.12, n["z"][1] - 0.42), (n["x"][0] - 0.12, n["x"][1] + 0.42),
          rad=0.25, gid="generative")
    _edge(ax, (n["theta"][0] - 0.1, n["theta"][1]), (n["x"][0] + 0.45, n["x"][1]), gid="generative")
    # inference model: x -> z (dashed, right of centre) and phi -> z
    _edge(ax, (n["x"][0] + 0.12, n["x"][1] + 0.42), (n["z"][0] + 0.12, n["z"][1] - 0.42),
          dashed=True, rad=0.25, gid="inference")
    _edge(ax, (n["phi"][0] + 0.1, n["phi"][1]), (n["z"][0] - 0.45, n["z"][1]), dashed=True,
          gid="inference")
    ax.text(-0.4, 0.1, r"$p_\theta(x \mid z)$", ha="right", va="center", fontsize=10)
    ax.text(0.4, 0.1, r"$q_\phi(z \mid x)$", ha="left", va="center", fontsize=10,
            color=style.COLORS["q"])
    ax.text(0.0, 1.75, "$p(z)$", ha="center", va="center", fontsize=10)
    ax.set_xlim(-2.7, 2.7)
    ax.set_ylim(-2.0, 2.3)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax
