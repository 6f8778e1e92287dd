"""Chapter 5's widget: noise eps mapped to z = mu + sigma * eps, and two gradient estimates."""
from __future__ import annotations

import numpy as np

from .. import _checks, style
from ..estimators import TestFunction, mean_and_se, pathwise_gradients, score_function_gradients, sine
from .base import InteractiveFigure, slider


def reparam_widget(mu: float = 0.5, sigma: float = 1.0, n: int = 200, seed: int = 0,
                   fn: TestFunction | None = None, n_lines: int = 40) -> InteractiveFigure:
    r"""Sliders for mu and sigma of q = N(mu, sigma^2) in one dimension.

    The same ``n`` standard normal draws eps (from ``default_rng(seed)``) are used for every
    frame. The left panel maps the first ``n_lines`` of them to z = mu + sigma * eps; the right
    panel shows the pathwise and score-function estimates (mean +- 2 standard errors over the n
    samples) of d/dmu and d/dsigma of E_q[f(z)], with the exact values. ``shown`` holds
    ``exact_mu``, ``path_mu``, ``path_mu_se``, ``score_mu``, ``score_mu_se`` and the same five
    for sigma.
    """
    n = _checks.positive_int(n, "n")
    if n < 2:
        raise ValueError("n must be at least 2 (a standard error is shown)")
    n_lines = _checks.positive_int(n_lines, "n_lines")
    fn = sine() if fn is None else fn
    eps = np.random.default_rng(seed).standard_normal((n, 1))
    shown_eps = eps[: min(n_lines, n), 0]
    colors = [style.COLORS["prior"], style.COLORS["q"]]

    def draw(fig, mu, sigma):
        g_path = pathwise_gradients(fn.grad, [mu], [sigma], eps)
        g_score = score_function_gradients(fn.f, [mu], [sigma], eps)
        exact = fn.exact_gradients([mu], [sigma])
        out = {}
        fig.set_layout_engine("none")  # fixed axes positions (faster than constrained layout)
        ax = fig.add_axes([0.08, 0.16, 0.42, 0.72])
        z = mu + sigma * shown_eps
        for e, zz in zip(shown_eps, z):
            ax.plot([e, zz], [0.0, 1.0], color=style.OKABE_ITO["grey"], lw=0.6, alpha=0.7)
        ax.scatter(shown_eps, np.zeros_like(shown_eps), s=14, color=colors[0], label=r"$\varepsilon \sim N(0,1)$", zorder=3)
        ax.scatter(z, np.ones_like(z), s=14, color=colors[1], label=r"$z = \mu + \sigma\varepsilon$", zorder=3)
        ax.set_xlim(-6, 6)
        ax.set_ylim(-0.3, 1.5)
        ax.set_yticks([0, 1], [r"$\varepsilon$", "$z$"])
        ax.set_xlabel("value")
        ax.set_title(rf"$\mu$ = {mu:.2f}, $\sigma$ = {sigma:.2f}")
        ax.legend(loc="upper left", fontsize=8)

        ax2 = fig.add_axes([0.6, 0.16, 0.37, 0.72])
        for k, (param, idx) in enumerate((("mu", 0), ("sigma", 1))):
            m_p, se_p = mean_and_se(g_path[idx][:, 0])
            m_s, se_s = mean_and_se(g_score[idx][:, 0])
            ex = float(exact[idx][0])
            out[f"exact_{param}"] = ex
            out[f"path_{param}"], out[f"path_{param}_se"] = float(m_p), float(se_p)
            out[f"score_{param}"], out[f"score_{param}_se"] = float(m_s), float(se_s)
            ax2.plot([k - 0.35, k + 0.35], [ex, ex], color=style.COLORS["total"], lw=1.5,
                     label="exact" if k == 0 else None)
            ax2.errorbar(k - 0.12, m_p, yerr=2 * se_p, fmt="o", color=style.OKABE_ITO["blue"],
                         capsize=3, label="pathwise" if k == 0 else None)
            ax2.errorbar(k + 0.12, m_s, yerr=2 * se_s, fmt="s", color=style.OKABE_ITO["orange"],
                         capsize=3, label="score function" if k == 0 else None)
        ax2.set_xticks([0, 1], [r"$\partial/\partial\mu$", r"$\partial/\partial\sigma$"])
        ax2.set_xlim(-0.6, 1.6)
        ax2.set_title(f"gradient of E[{fn.name}], n = {n}")
        ax2.legend(loc="best", fontsize=8)
        return out

    controls = {"mu": slider("mean μ", mu, -3.0, 3.0, 0.05),
                "sigma": slider("std σ", sigma, 0.05, 3.0, 0.05)}
    return InteractiveFigure(controls, draw, figsize=(7.6, 3.4), title="Reparameterisation")
