"""Drawn diagrams (boxes and arrows) in the book's style."""
from __future__ import annotations

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

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
    _box(ax, 3.7, -2.0, "$\\varepsilon \\sim N(0, I_J)$", c["prior"], w=1.9, h=0.6)
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
    ax.text(3.7, -2.65, "the only randomness", ha="center", fontsize=9)
    ax.set_xlim(-0.6, 10.6)
    ax.set_ylim(-3.0, 1.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax
