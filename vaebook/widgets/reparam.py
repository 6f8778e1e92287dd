"""Widget of chapter 5 (reparameterization): noise eps mapped to z = mu + sigma * eps, and two gradient estimates."""
from __future__ import annotations

import numpy as np

from .. import _checks, style
from ..estimators import TestFunction, mean_and_se, pathwise_gradients, score_function_gradients, sine
from .artists import ErrorBar, Line, Pushforward
from .controls import Slider
from .figure import InteractiveFigure, Part

#: The readout's labels, in the book's symbols, by the frame key they show (``shown`` uses the labels).
READOUT_LABELS = {
    f"{kind}_{param}{se}": f"{label} {sym}" if kind == "exact" else f"{label}{' SE' if se else ''} {sym}"
    for param, sym in (("mu", "∂/∂μ"), ("sigma", "∂/∂σ"))
    for kind, se, label in (("exact", "", "exact"), ("path", "", "pathwise"), ("path", "_se", "pathwise"),
                            ("score", "", "score"), ("score", "_se", "score"))
}


def reparam_widget(mu: float = 0.5, sigma: float = 1.0, n: int = 200, seed: int = 0,
                   fn: TestFunction | None = None, n_lines: int = 40) -> InteractiveFigure:
    r"""Sliders for mu and sigma of q = N(mu, sigma^2) in one dimension.

    The same ``n`` standard normal draws eps (from ``default_rng(seed)``) are used for every
    frame. The left panel maps the first ``n_lines`` of them to z = mu + sigma * eps; the right
    panel shows the pathwise and score-function estimates (mean +- 2 standard errors over the n
    samples) of d/dmu and d/dsigma of E_q[f(z)], with the exact values. ``shown`` holds
    ``exact_mu``, ``path_mu``, ``path_mu_se``, ``score_mu``, ``score_mu_se`` and the same five
    for sigma, under the labels of :data:`READOUT_LABELS`.
    """
    n = _checks.positive_int(n, "n")
    if n < 2:
        raise ValueError("n must be at least 2 (a standard error is shown)")
    n_lines = _checks.positive_int(n_lines, "n_lines")
    fn = sine() if fn is None else fn
    eps = np.random.default_rng(seed).standard_normal((n, 1))
    shown_eps = eps[: min(n_lines, n), 0]

    def estimates(mu, sigma):
        g_path = pathwise_gradients(fn.grad, [mu], [sigma], eps)
        g_score = score_function_gradients(fn.f, [mu], [sigma], eps)
        exact = fn.exact_gradients([mu], [sigma])
        out = {}
        for param, idx in (("mu", 0), ("sigma", 1)):
            m_p, se_p = mean_and_se(g_path[idx][:, 0])
            m_s, se_s = mean_and_se(g_score[idx][:, 0])
            out[f"exact_{param}"] = float(exact[idx][0])
            out[f"path_{param}"], out[f"path_{param}_se"] = float(m_p), float(se_p)
            out[f"score_{param}"], out[f"score_{param}_se"] = float(m_s), float(se_s)
        return out

    def build(fig):
        ax = fig.add_axes([0.08, 0.16, 0.42, 0.72])
        ax.scatter(shown_eps, np.zeros_like(shown_eps), s=14, color=style.COLORS["prior"],
                   label=r"$\varepsilon \sim \mathcal{N}(0,1)$", zorder=3)
        ax.set_xlim(-6, 6)
        ax.set_ylim(-0.3, 1.5)
        ax.set_yticks([0, 1], [r"$\varepsilon$", "$z$"])
        ax.set_xlabel("value")
        ax.set_title(r"$z = \mu + \sigma\varepsilon$")
        ax2 = fig.add_axes([0.6, 0.16, 0.37, 0.72])
        ax2.set_xticks([0, 1], [r"$\partial/\partial\mu$", r"$\partial/\partial\sigma$"])
        ax2.set_xlim(-0.6, 1.6)
        ax2.set_ylim(-3.0, 3.0)
        ax2.set_ylabel("gradient")
        ax2.set_title(f"gradient of E_q[{fn.name}], K = {n}")
        return [ax, ax2]

    moving = [Pushforward(0, shown_eps, "_z", shift="mu", scale="sigma", color=style.COLORS["q"],
                          line_color=style.OKABE_ITO["grey"], label=r"$z = \mu + \sigma\varepsilon$")]
    for k, param in enumerate(("mu", "sigma")):
        moving += [
            Line(1, [k - 0.35, k + 0.35], [f"exact_{param}", f"exact_{param}"],
                 color=style.COLORS["total"], lw=1.5, label="exact" if k == 0 else None),
            ErrorBar(1, k - 0.12, f"path_{param}", f"path_{param}_se", times=2.0,
                     color=style.OKABE_ITO["blue"], marker="o",
                     label="pathwise (±2 SE)" if k == 0 else None),
            ErrorBar(1, k + 0.12, f"score_{param}", f"score_{param}_se", times=2.0,
                     color=style.OKABE_ITO["orange"], marker="s",
                     label="score function (±2 SE)" if k == 0 else None),
        ]
    controls = {"mu": Slider("mean μ", -3.0, 3.0, 0.1, mu),
                "sigma": Slider("std σ", 0.1, 3.0, 0.1, sigma)}
    readout = [(READOUT_LABELS[key], key, 4) for key in READOUT_LABELS]
    return InteractiveFigure(
        controls, [Part(("mu", "sigma"), estimates, extra=lambda mu, sigma: {"_z": mu + sigma * shown_eps})],
        build, moving, readout, figsize=(7.6, 3.4),
        legends={0: "upper left", 1: "lower right"}, title="Reparameterisation",
        alt="Left: fixed noise draws epsilon mapped to z = mu + sigma epsilon for the mean and "
            "standard deviation set by the sliders. Right: pathwise and score-function estimates "
            "of the gradient of E[f(z)] with respect to mu and sigma, with two standard errors, "
            "beside the exact values; the score-function bars are much longer.")
