r"""The naive Monte Carlo estimate of the evidence, and why it fails as the latent dimension grows.

.. math::  p(x) = \mathbb{E}_{z \sim p(z)}[p(x \mid z)]
           \approx \hat p_n(x) = \frac1n \sum_{i=1}^n p(x \mid z_i), \qquad z_i \sim p(z).

The estimate is unbiased, but its relative variance is
:math:`(\mathbb{E}[p(x|z)^2] / p(x)^2 - 1) / n`, and for the linear-Gaussian model
(:class:`vaebook.exact.LinearGaussian`) the second moment is known in closed form, so the
failure can be predicted as well as measured.
"""
from __future__ import annotations

import numpy as np

from . import _checks
from .exact import LinearGaussian
from .formulas import LOG_2PI, log_mean_exp, log_normal_full


def _check_one_point(model: LinearGaussian, x) -> np.ndarray:
    x = model.check_x(x)
    if x.shape[0] != 1:
        raise ValueError(f"x must be one data point, got {x.shape[0]} rows")
    return x


def naive_log_evidence(model: LinearGaussian, x, n_samples: int, rng: np.random.Generator,
                       n_repeats: int | None = None):
    r"""log of the naive estimate :math:`\hat p_n(x)` with ``n_samples`` draws from the prior.

    Computed in log space (log-mean-exp), so a tiny likelihood does not underflow. With
    ``n_repeats`` the estimate is repeated that many times independently and an array of
    shape (n_repeats,) is returned; otherwise a float.
    """
    x = _check_one_point(model, x)
    n_samples = _checks.positive_int(n_samples, "n_samples")
    rng = _checks.generator(rng)
    n_repeats = _checks.optional_positive_int(n_repeats, "n_repeats")
    n, r = n_samples, 1 if n_repeats is None else n_repeats
    z = rng.standard_normal((r * n, model.latent_dim))
    log_lik = model.log_likelihood(x, z).reshape(r, n)
    est = log_mean_exp(log_lik, axis=1)
    return float(est[0]) if n_repeats is None else est


def naive_relative_variance(model: LinearGaussian, x) -> float:
    r"""Exact relative variance of a **one-sample** naive estimate, :math:`\mathbb{E}[p(x|z)^2]/p(x)^2 - 1`.

    Because :math:`N(x; m, s^2 I)^2 = (4\pi s^2)^{-D/2}\, N(x; m, \tfrac{s^2}{2} I)`,
    the second moment is :math:`(4\pi s^2)^{-D/2}\, N(x;\ b,\ W W^\top + \tfrac{s^2}{2} I)`.
    With n samples the relative variance is this number divided by n.
    """
    x = _check_one_point(model, x)
    D = model.data_dim
    cov2 = model.W @ model.W.T + 0.5 * model.s**2 * np.eye(D)
    log_m2 = -0.5 * D * (np.log(2.0 * model.s**2) + LOG_2PI) + log_normal_full(x, model.b, cov2)[0]
    return float(np.expm1(log_m2 - 2.0 * model.log_evidence(x)[0]))


def isotropic_model(latent_dim: int, w: float = 1.0, s: float = 0.5) -> LinearGaussian:
    """The linear-Gaussian model with D = J, W = w I, b = 0: J independent copies of the scalar model."""
    J = _checks.positive_int(latent_dim, "latent_dim")
    w = _checks.positive_float(w, "w")
    return LinearGaussian(w * np.eye(J), np.zeros(J), s)
