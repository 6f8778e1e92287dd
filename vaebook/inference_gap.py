r"""The inference gap of a trained VAE, split into its approximation and amortisation parts.

For one data point x, the ELBO of any q(z|x) falls short of the model's log-evidence by
:math:`\mathrm{KL}(q(z|x) \,\|\, p_\theta(z|x))`. With the encoder's q_phi this is the
**inference gap**; Cremer, Li & Duvenaud (2018) split it through the best Gaussian q* for that
one point (optimised on its own, not predicted by the encoder):

.. math::  \log p_\theta(x) - \mathcal L(q_\phi)
           = \underbrace{\log p_\theta(x) - \mathcal L(q^*)}_{\text{approximation gap}}
           + \underbrace{\mathcal L(q^*) - \mathcal L(q_\phi)}_{\text{amortisation gap}} .

The approximation gap is what a diagonal Gaussian cannot do even when chosen per point; the
amortisation gap is what the encoder loses by predicting q from x with one network.

Here q = N(m, diag(exp(v))) is optimised per point by gradient descent on the negative ELBO,
with the decoder's own backward pass (the gradients training uses) giving d/dz. The expectation
over q is a fixed rule z_s = m + exp(v/2) * eps_s with weights w_s: Gauss-Hermite nodes
(:func:`gauss_hermite`, deterministic) or Monte Carlo draws (equal weights). For a
two-dimensional latent space, :func:`log_evidence_grid` computes log p_theta(x) by quadrature on
a grid, so every part of the split can be measured without an estimator's bias.
"""
from __future__ import annotations

import numpy as np

from . import _checks
from .formulas import (
    gaussian_nll_grads,
    kl_diag_to_standard,
    kl_standard_grads,
    log_mean_exp,
    log_normal_diag,
    reparam_backward,
    reparam_forward,
)
from .layers import mlp_backward, mlp_forward
from .model import VAEConfig, decode, decoder_variance, encode
from .optim import Adam


def gauss_hermite(n_per_dim: int, latent_dim: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Nodes ``eps`` (n_per_dim^J, J) and weights (summing to 1) for :math:`E_{N(0, I_J)}[f(\varepsilon)]`.

    The tensor product of the ``n_per_dim``-point Gauss-Hermite rule for the standard normal; it
    integrates polynomials of degree up to 2 n_per_dim - 1 in each coordinate exactly.
    """
    n_per_dim = _checks.positive_int(n_per_dim, "n_per_dim")
    latent_dim = _checks.positive_int(latent_dim, "latent_dim")
    t, w = np.polynomial.hermite_e.hermegauss(n_per_dim)
    w = w / w.sum()
    grids = np.meshgrid(*([t] * latent_dim), indexing="ij")
    wgrids = np.meshgrid(*([w] * latent_dim), indexing="ij")
    eps = np.stack([g.ravel() for g in grids], axis=1)
    weights = np.prod(np.stack([g.ravel() for g in wgrids], axis=1), axis=1)
    return eps, weights


def _rule(eps, weights, latent_dim):
    eps = _checks.finite_matrix(eps, "eps", latent_dim)
    if weights is None:
        return eps, np.full(len(eps), 1.0 / len(eps))
    weights = np.asarray(weights, dtype=float)
    if weights.shape != (len(eps),) or not np.isfinite(weights).all() or np.any(weights < 0):
        raise ValueError(f"weights must be {len(eps)} finite non-negative numbers, one per row of eps")
    if abs(weights.sum() - 1.0) > 1e-9:
        raise ValueError(f"weights must sum to 1, got {weights.sum()}")
    return eps, weights


def neg_elbo_and_grads(params, config: VAEConfig, X, q_mean, q_log_var, eps, weights=None):
    r"""Per point: :math:`-\mathcal L(q)` under the rule (eps, weights), and its gradient in (m, v).

    ``X`` (n, D); ``q_mean``, ``q_log_var`` (n, J) are each point's own q = N(m, diag(exp(v)));
    ``eps`` (S, J) and ``weights`` (S,) (default: equal) are shared by all points. Returns
    ``(value (n,), d_mean (n, J), d_log_var (n, J))``, with
    :math:`-\mathcal L = \sum_s w_s\,[-\log p_\theta(x \mid z_s)] + \mathrm{KL}(q \,\|\, N(0, I))`
    and :math:`z_s = m + e^{v/2} \varepsilon_s`; d/dz comes from the decoder's backward pass.
    """
    _checks.gaussian_decoder(config, "the inference gap")
    X, q_mean, q_log_var = _checks.gaussian_q(X, q_mean, q_log_var, config.data_dim, config.latent_dim, "X")
    eps, weights = _rule(eps, weights, config.latent_dim)
    n, J = q_mean.shape
    S = len(eps)
    # z_s = m + sigma * eps_s for every point and every node: shape (n, S, J)
    z, sigma = reparam_forward(q_mean[:, None, :], q_log_var[:, None, :], eps[None, :, :])
    dec_out, caches = mlp_forward(params, config.dec_layers, z.reshape(n * S, J))
    var = decoder_variance(params, config)
    x_rep = np.repeat(X, S, axis=0)
    nll = -log_normal_diag(x_rep, dec_out, var)
    value = nll.reshape(n, S) @ weights + kl_diag_to_standard(q_mean, q_log_var)
    # d(-log p(x|z)) / d dec_out, each row weighted by its rule weight; the decoder's backward
    # pass carries it to z (its weight gradients go to a scratch dict)
    d_dec_out = gaussian_nll_grads(x_rep, dec_out, var)[0] * np.tile(weights, n)[:, None]
    dz = mlp_backward(d_dec_out, caches, config.dec_layers, {}).reshape(n, S, J)
    d_mean, d_log_var = reparam_backward(dz, sigma, eps[None, :, :])
    dkl_mean, dkl_log_var = kl_standard_grads(q_mean, q_log_var)
    return value, d_mean.sum(axis=1) + dkl_mean, d_log_var.sum(axis=1) + dkl_log_var


def optimise_q(params, config: VAEConfig, X, eps, weights=None, *, steps: int = 300,
               lr: float = 0.05, q_mean=None, q_log_var=None):
    r"""The best Gaussian q*(z|x) for each row of X: minimise :func:`neg_elbo_and_grads` by Adam.

    The learning rate falls linearly from ``lr`` to 0 over the steps, so the iterates settle
    instead of hovering around the optimum. Starts from the encoder's q_phi(z|x) unless ``q_mean``
    / ``q_log_var`` are given. Returns
    ``(q_mean, q_log_var, history)``, where ``history`` is the mean negative ELBO over the points
    before each step and after the last (length steps + 1).
    """
    X = _checks.finite_matrix(X, "X", config.data_dim)
    steps = _checks.positive_int(steps, "steps")
    lr = _checks.positive_float(lr, "lr")
    enc_mean, enc_log_var = encode(params, config, X)
    q = {"mean": np.array(enc_mean if q_mean is None else q_mean, dtype=float),
         "log_var": np.array(enc_log_var if q_log_var is None else q_log_var, dtype=float)}
    opt = Adam(lr)
    history = np.empty(steps + 1)
    for t in range(steps):
        value, d_mean, d_log_var = neg_elbo_and_grads(params, config, X, q["mean"], q["log_var"],
                                                      eps, weights)
        history[t] = value.mean()
        opt.lr = lr * (1.0 - t / steps)
        opt.step(q, {"mean": d_mean, "log_var": d_log_var})
    history[steps] = neg_elbo_and_grads(params, config, X, q["mean"], q["log_var"], eps,
                                        weights)[0].mean()
    return q["mean"], q["log_var"], history


def latent_grid(limit: float = 5.0, n_grid: int = 201) -> tuple[np.ndarray, float]:
    """Points of a square grid on [-limit, limit]^2 (shape (n_grid^2, 2)) and the area of one cell."""
    limit = _checks.positive_float(limit, "limit")
    n_grid = _checks.positive_int(n_grid, "n_grid")
    if n_grid < 3:
        raise ValueError(f"n_grid must be at least 3, got {n_grid}")
    g = np.linspace(-limit, limit, n_grid)
    Z = np.stack(np.meshgrid(g, g, indexing="ij"), axis=-1).reshape(-1, 2)
    return Z, float((g[1] - g[0]) ** 2)


def log_joint_grid(params, config: VAEConfig, X, grid) -> np.ndarray:
    """log p_theta(x_i, z_g) = log p_theta(x_i | z_g) + log N(z_g; 0, I) for every point and grid node, (n, G)."""
    if config.likelihood != "gaussian":
        raise ValueError("log_joint_grid is implemented for the Gaussian decoder only")
    X = _checks.finite_matrix(X, "X", config.data_dim)
    grid = _checks.finite_matrix(grid, "grid", config.latent_dim)
    x_hat = decode(params, config, grid)
    log_prior = log_normal_diag(grid, 0.0, 1.0)
    return log_normal_diag(X[:, None, :], x_hat[None, :, :], decoder_variance(params, config)) + log_prior


def log_evidence_grid(params, config: VAEConfig, X, limit: float = 5.0, n_grid: int = 201,
                      chunk: int = 50) -> np.ndarray:
    r"""log p_theta(x) = log of the integral of p_theta(x|z) p(z) over z, by quadrature on a grid (J = 2 only).

    Accurate when the posterior lies well inside [-limit, limit]^2 and the grid spacing is small
    against its width; the result is one value per row of X.
    """
    if config.latent_dim != 2:
        raise ValueError(f"log_evidence_grid needs latent_dim = 2, got {config.latent_dim}")
    X = _checks.finite_matrix(X, "X", config.data_dim)
    chunk = _checks.positive_int(chunk, "chunk")
    grid, area = latent_grid(limit, n_grid)
    out = np.empty(len(X))
    for start in range(0, len(X), chunk):
        lj = log_joint_grid(params, config, X[start:start + chunk], grid)
        out[start:start + chunk] = log_mean_exp(lj, axis=1) + np.log(area * len(grid))
    return out


def elbo(params, config: VAEConfig, X, q_mean, q_log_var, eps, weights=None) -> np.ndarray:
    """The ELBO of each point's q = N(q_mean, diag(exp(q_log_var))) under the rule (eps, weights)."""
    return -neg_elbo_and_grads(params, config, X, q_mean, q_log_var, eps, weights)[0]
