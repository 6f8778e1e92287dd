"""Closed-form facts about Gaussians that the book derives and the model uses.

Each formula is written once, here; every other module (the model, the exact linear-Gaussian
model, the IWAE, the widgets) calls these functions.
"""
from __future__ import annotations

import numpy as np

from . import _checks

LOG_2PI = float(np.log(2.0 * np.pi))


def log_normal_diag(x, mean, var):
    """log N(x; mean, diag(var)), summed over the last axis.

    Shapes broadcast; the result has the shape of ``x`` without its last axis.
    """
    x, mean = np.asarray(x, float), np.asarray(mean, float)
    var = _checks.positive_array(var, "var")
    return -0.5 * np.sum(LOG_2PI + np.log(var) + (x - mean) ** 2 / var, axis=-1)


def log_normal_full(x, mean, cov) -> np.ndarray:
    """log N(x_i; mean, cov) for each row x_i of ``x`` (shape (n, d)), with a full covariance.

    Through the Cholesky factor ``cov = L L^T``: the quadratic form is ``|L^{-1}(x - mean)|^2``
    and ``log det cov = 2 sum log diag L``.
    """
    cov = np.asarray(cov, dtype=float)
    d = cov.shape[0]
    L = np.linalg.cholesky(cov)
    r = np.linalg.solve(L, (x - mean).T)  # (d, n)
    return -0.5 * (np.sum(r * r, axis=0) + 2.0 * np.log(np.diag(L)).sum() + d * LOG_2PI)


def kl_diag_to_standard(mu, log_var, per_dimension: bool = False):
    r"""KL( N(mu, diag(exp(log_var))) || N(0, I) ) for each row, in nats.

    The closed form derived in the book,
    :math:`\tfrac12 \sum_j (\mu_j^2 + \sigma_j^2 - 1 - \log \sigma_j^2)`.
    Inputs have shape (batch, latent_dim); the result has shape (batch,), or (batch, latent_dim)
    with ``per_dimension=True`` (the terms of the sum: the KL of each independent coordinate).
    """
    mu, log_var = np.asarray(mu, float), np.asarray(log_var, float)
    if mu.shape != log_var.shape:
        raise ValueError(f"mu and log_var must have the same shape, got {mu.shape} and {log_var.shape}")
    terms = 0.5 * (mu**2 + np.exp(log_var) - 1.0 - log_var)
    return terms if per_dimension else np.sum(terms, axis=-1)


def kl_normal_1d(mu_q, var_q, mu_p, var_p):
    """KL( N(mu_q, var_q) || N(mu_p, var_p) ) for scalars or broadcastable arrays, in nats."""
    mu_q, mu_p = np.asarray(mu_q, float), np.asarray(mu_p, float)
    var_q, var_p = _checks.positive_array(var_q, "var_q"), _checks.positive_array(var_p, "var_p")
    return 0.5 * (np.log(var_p / var_q) + (var_q + (mu_q - mu_p) ** 2) / var_p - 1.0)
