r"""The importance-weighted estimate of log p(x) (Burda, Grosse & Salakhutdinov, 2016).

For one data point x, draw :math:`z_1, \dots, z_K \sim q(z|x)` and average the importance
weights :math:`w_k = p(x, z_k) / q(z_k|x)`:

.. math::  \hat{\mathcal L}_K(x) = \log \frac1K \sum_{k=1}^K \frac{p(x, z_k)}{q(z_k|x)},
           \qquad \mathbb E[\hat{\mathcal L}_1] = \mathrm{ELBO}(x)
           \le \mathbb E[\hat{\mathcal L}_K] \le \mathbb E[\hat{\mathcal L}_{K+1}] \le \log p(x).

The average of the weights is an unbiased estimate of p(x), so by Jensen its log is a lower
bound in expectation, which tightens as K grows and reaches log p(x) as K -> infinity.

The estimator is written once, generic over the model: :func:`iwae_log_weights` needs only a
function ``log_joint(x, z)`` (log p(x|z) + log p(z), row by row) and the Gaussian q(z|x) as
(mean, log variance). :func:`vae_iwae` plugs in a trained VAE and :func:`linear_gaussian_iwae`
the exact linear-Gaussian model, where the result can be compared with the closed form.
Everything is per data point, in nats, computed with a stable log-sum-exp.
"""
from __future__ import annotations

import numpy as np

from . import _checks
from .estimators import mean_and_se
from .formulas import log_mean_exp, log_normal_diag, reparam_forward
from .model import VAEConfig, encode, log_likelihood

#: Rows (points x samples) evaluated at once; bounds the memory of a large-K estimate.
CHUNK_ROWS = 65536


def iwae_log_weights(x, log_joint, q_mean, q_log_var, K: int, rng: np.random.Generator) -> np.ndarray:
    r"""Log importance weights :math:`\log p(x, z_k) - \log q(z_k|x)`, shape (n, K).

    ``x`` (n, D); ``q_mean`` and ``q_log_var`` (n, J) describe q(z|x) = N(mean, diag(exp(log_var)))
    for each point; ``log_joint(x, z)`` returns log p(x, z) for aligned rows of x and z.
    The K samples per point are z = mean + sigma * eps with eps drawn from ``rng``.
    """
    x, q_mean, q_log_var = _checks.gaussian_q(x, q_mean, q_log_var)
    K = _checks.positive_int(K, "K")
    rng = _checks.generator(rng)
    n, J = q_mean.shape
    eps = rng.standard_normal((n, K, J))
    mean, log_var = q_mean[:, None, :], q_log_var[:, None, :]      # broadcast over the K samples
    z, _ = reparam_forward(mean, log_var, eps)
    log_q = log_normal_diag(z, mean, np.exp(log_var))             # log q(z_k|x), shape (n, K)
    log_p = np.asarray(log_joint(np.repeat(x, K, axis=0), z.reshape(n * K, J)), dtype=float)
    if log_p.shape != (n * K,):
        raise ValueError(f"log_joint must return one value per row, shape ({n * K},), got {log_p.shape}")
    return log_p.reshape(n, K) - log_q


def iwae_estimate(x, log_joint, q_mean, q_log_var, K: int, rng: np.random.Generator) -> np.ndarray:
    r"""The importance-weighted estimate :math:`\hat{\mathcal L}_K(x)` of log p(x), one per row of x.

    Processes the points in chunks of at most :data:`CHUNK_ROWS` (points x K) rows, so large K
    fits in memory; the random draws are the same as one call with all points.
    """
    x, q_mean, q_log_var = _checks.gaussian_q(x, q_mean, q_log_var)
    K = _checks.positive_int(K, "K")
    rng = _checks.generator(rng)
    step = max(1, CHUNK_ROWS // K)
    out = np.empty(len(x))
    for start in range(0, len(x), step):
        sl = slice(start, start + step)
        out[sl] = log_mean_exp(iwae_log_weights(x[sl], log_joint, q_mean[sl], q_log_var[sl], K, rng))
    return out


# ----------------------------------------------------------------------------------------------
# The two models
# ----------------------------------------------------------------------------------------------
def vae_log_joint(params, config: VAEConfig):
    """``log_joint(x, z) = log p_theta(x|z) + log p(z)`` of a VAE, row by row."""
    def log_joint(x, z):
        return log_likelihood(params, config, x, z) + log_normal_diag(z, 0.0, 1.0)   # log p(x|z) + log p(z)
    return log_joint


def vae_iwae(params, config: VAEConfig, X, K: int, rng: np.random.Generator) -> np.ndarray:
    """IWAE estimate of log p_theta(x) for each row of X, with the VAE's encoder as q(z|x)."""
    X = _checks.finite_matrix(X, "X", config.data_dim)
    mu, log_var = encode(params, config, X)
    return iwae_estimate(X, vae_log_joint(params, config), mu, log_var, K, rng)


def linear_gaussian_iwae(model, X, K: int, rng: np.random.Generator, q_mean=None,
                         q_log_var=None) -> np.ndarray:
    """IWAE estimate of log p(x) for the exact :class:`~vaebook.exact.LinearGaussian` model.

    q(z|x) defaults to the diagonal of the true posterior (exact when J = 1); pass ``q_mean`` /
    ``q_log_var`` to use a worse one.
    """
    X = model.check_x(X)
    if q_mean is None or q_log_var is None:
        mean, cov = model.posterior(X)
        q_mean = mean if q_mean is None else q_mean
        q_log_var = (np.tile(np.log(np.diag(cov)), (len(X), 1)) if q_log_var is None else q_log_var)

    def log_joint(x, z):
        return model.log_likelihood(x, z) + model.log_prior(z)
    return iwae_estimate(X, log_joint, q_mean, q_log_var, K, rng)


# ----------------------------------------------------------------------------------------------
# Evaluation against a known true density
# ----------------------------------------------------------------------------------------------
def heldout_gap(params, config: VAEConfig, X, K: int, rng: np.random.Generator, log_density_true) -> dict:
    r"""Held-out negative log-likelihood of a VAE and its gap to the true density, in nats per point.

    ``log_density_true(X)`` is the true log-density of the data, one value per row (for the
    running example, :func:`vaebook.data.mixture_log_density`). ``nll`` is the mean of
    :math:`-\hat{\mathcal L}_K(x)` over the rows of X (an upper bound on the model's NLL in
    expectation); ``true_nll`` the mean of :math:`-\log p_{\text{true}}(x)`;
    ``gap = nll - true_nll`` estimates KL(p_true || p_theta) (plus the IWAE bias) and its
    standard error ``gap_se`` comes from the per-point differences, which share the same x.
    """
    X = _checks.finite_matrix(X, "X", config.data_dim)
    if len(X) < 2:
        raise ValueError("heldout_gap needs at least two held-out points for a standard error")
    if not callable(log_density_true):
        raise ValueError(f"log_density_true must be a function of X, got {type(log_density_true).__name__}")
    est = vae_iwae(params, config, X, K, rng)
    truth = np.asarray(log_density_true(X), dtype=float)
    if truth.shape != est.shape:
        raise ValueError(f"log_density_true must return one value per row, shape {est.shape}, got {truth.shape}")
    nll, nll_se = mean_and_se(-est)
    gap, gap_se = mean_and_se(truth - est)
    return {"nll": float(nll), "nll_se": float(nll_se), "true_nll": float(-truth.mean()),
            "gap": float(gap), "gap_se": float(gap_se), "K": int(K), "n": len(X)}
