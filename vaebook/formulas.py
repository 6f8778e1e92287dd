r"""The core formulas: every closed-form density, divergence and gradient the book derives, once.

Each formula is written here and nowhere else; the model, the exact linear-Gaussian model, the
estimators, the IWAE and the widgets call these functions. They are *primitives*: inputs are
NumPy arrays whose shapes broadcast where a docstring says so, NaN in an input propagates to the
output (the public functions of the other modules check their inputs before calling these), and a
variance must be positive and finite (a ValueError otherwise).

* densities: :func:`log_normal_diag`, :func:`log_normal_full`, :func:`bernoulli_log_prob`;
* divergences: :func:`kl_diag_to_standard`, :func:`kl_normal_1d`, :func:`kl_mvn`;
* the reparameterisation :math:`z = \mu + \sigma \odot \varepsilon` and the gradients of the
  negative ELBO's pieces: :func:`reparam_forward`, :func:`reparam_backward`,
  :func:`kl_standard_grads`, :func:`gaussian_nll_grads`, :func:`bernoulli_nll_grad`;
* numerical tools: :func:`sigmoid`, :func:`log_mean_exp`, :func:`integrate` (trapezoidal rule).
"""
from __future__ import annotations

import numpy as np

from . import _checks

LOG_2PI = float(np.log(2.0 * np.pi))


# ----------------------------------------------------------------------------------------------
# Densities
# ----------------------------------------------------------------------------------------------
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
    L = _checks.cholesky(cov, "cov")
    d = cov.shape[0]
    r = np.linalg.solve(L, (x - mean).T)  # (d, n)
    return -0.5 * (np.sum(r * r, axis=0) + 2.0 * np.log(np.diag(L)).sum() + d * LOG_2PI)


def sigmoid(a):
    """The logistic function 1 / (1 + exp(-a)), written with tanh: stable for any a, no overflow warning."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(a, float)))


def bernoulli_log_prob(x, logits) -> np.ndarray:
    r"""log of the Bernoulli likelihood, :math:`\sum_d x_d a_d - \operatorname{softplus}(a_d)`,
    summed over the last axis, for the logits ``a`` (sigmoid(a) is the probability of a 1).

    This is minus the binary cross-entropy, also for x between 0 and 1.
    """
    return np.sum(x * logits - np.logaddexp(0.0, logits), axis=-1)


# ----------------------------------------------------------------------------------------------
# Divergences
# ----------------------------------------------------------------------------------------------
def kl_diag_to_standard(mu, log_var, per_dimension: bool = False):
    r"""KL( N(mu, diag(exp(log_var))) || N(0, I) ) for each row, in nats.

    The closed form derived in the book,
    :math:`\tfrac12 \sum_j (\mu_j^2 + \sigma_j^2 - 1 - \log \sigma_j^2)`.
    Inputs have shape (batch, latent_dim); the result has shape (batch,), or (batch, latent_dim)
    with ``per_dimension=True`` (the terms of the sum: the KL of each independent coordinate).
    A log-variance so large that exp overflows gives the correct value, +inf, without a warning.
    """
    mu, log_var = np.asarray(mu, float), np.asarray(log_var, float)
    if mu.shape != log_var.shape:
        raise ValueError(f"mu and log_var must have the same shape, got {mu.shape} and {log_var.shape}")
    with np.errstate(over="ignore"):
        terms = 0.5 * (mu**2 + np.exp(log_var) - 1.0 - log_var)
    return terms if per_dimension else np.sum(terms, axis=-1)


def kl_normal_1d(mu_q, var_q, mu_p, var_p):
    """KL( N(mu_q, var_q) || N(mu_p, var_p) ) for scalars or broadcastable arrays, in nats."""
    mu_q, mu_p = np.asarray(mu_q, float), np.asarray(mu_p, float)
    var_q, var_p = _checks.positive_array(var_q, "var_q"), _checks.positive_array(var_p, "var_p")
    return 0.5 * (np.log(var_p / var_q) + (var_q + (mu_q - mu_p) ** 2) / var_p - 1.0)


def kl_mvn(mean_q, cov_q, mean_p, cov_p) -> float:
    r""":math:`\mathrm{KL}(N(m_q, \Sigma_q) \,\|\, N(m_p, \Sigma_p))` for full covariances, in nats.

    :math:`\tfrac12[\operatorname{tr}(\Sigma_p^{-1}\Sigma_q) + (m_p - m_q)^\top \Sigma_p^{-1} (m_p - m_q)
    - J + \log\det\Sigma_p - \log\det\Sigma_q]`.
    """
    mean_q, cov_q, mean_p, cov_p = _checks.mvn_pair(mean_q, cov_q, mean_p, cov_p)
    J = mean_q.shape[0]
    Lq, Lp = _checks.cholesky(cov_q, "cov_q"), _checks.cholesky(cov_p, "cov_p")
    A = np.linalg.solve(Lp, Lq)
    r = np.linalg.solve(Lp, mean_p - mean_q)
    logdet = 2.0 * (np.log(np.diag(Lp)).sum() - np.log(np.diag(Lq)).sum())
    return float(0.5 * (np.sum(A * A) + r @ r - J + logdet))


# ----------------------------------------------------------------------------------------------
# The reparameterisation and the gradients of the negative ELBO's pieces
# ----------------------------------------------------------------------------------------------
def reparam_forward(mu, log_var, eps):
    """``(z, sigma)`` with ``sigma = exp(log_var / 2)`` and ``z = mu + sigma * eps`` (shapes broadcast)."""
    sigma = np.exp(0.5 * log_var)
    return mu + sigma * eps, sigma


def reparam_backward(dz, sigma, eps):
    """Backward pass of :func:`reparam_forward`: ``(dmu, dlog_var)`` from d loss / d z.

    z = mu + sigma * eps:  dz / dmu = 1,  dz / dlog_var = 1/2 sigma * eps.
    """
    return dz, dz * 0.5 * sigma * eps


def kl_standard_grads(mu, log_var):
    """``(dmu, dlog_var)`` of :func:`kl_diag_to_standard` (per point, per coordinate).

    KL = 1/2 sum_j (mu^2 + sigma^2 - 1 - log_var):  dKL / dmu = mu,  dKL / dlog_var = 1/2 (sigma^2 - 1).
    """
    return mu, 0.5 * (np.exp(log_var) - 1.0)


def gaussian_nll_grads(x, mean, var):
    """``(dmean, dlog_var)`` of -log N(x; mean, diag(var)) per element (no sum).

    d / dmean = (mean - x) / var;  d / dlog var = 1/2 (1 - (x - mean)^2 / var).
    """
    r = mean - x
    return r / var, 0.5 * (1.0 - r * r / var)


def bernoulli_nll_grad(x, logits):
    """d / dlogits of -:func:`bernoulli_log_prob` per element: sigmoid(a) - x."""
    return sigmoid(logits) - x


# ----------------------------------------------------------------------------------------------
# Numerical tools
# ----------------------------------------------------------------------------------------------
def log_mean_exp(a, axis: int = -1) -> np.ndarray:
    """log(mean(exp(a))) along ``axis``, without overflow or underflow (log-sum-exp trick).

    The Monte Carlo average of likelihoods, taken in log space: the naive estimate of the
    evidence, the importance-weighted one, mixture densities. A slice that is all -inf gives
    -inf and one with a +inf gives +inf (as ``scipy.special.logsumexp``), with no warning; an
    empty axis is a ValueError.
    """
    a = np.asarray(a, dtype=float)
    _checks.nonempty_axis(a, axis, "log_mean_exp")
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)          # an all -inf (or any +inf) slice: shift by 0
    with np.errstate(divide="ignore"):            # log(0) = -inf is the right answer
        out = m + np.log(np.mean(np.exp(a - m), axis=axis, keepdims=True))
    return np.squeeze(out, axis=axis)


def integrate(values, grid) -> np.ndarray:
    r"""The trapezoidal rule :math:`\int f(z)\,dz` over the grid (the last axis of ``values``)."""
    grid = _checks.grid_points(grid)
    values = _checks.on_grid(values, grid, "values")
    dz = np.diff(grid)
    return np.sum(0.5 * (values[..., 1:] + values[..., :-1]) * dz, axis=-1)
