r"""The linear VAE and its exact theory of posterior collapse (Lucas, Tucker, Grosse & Norouzi, 2019).

A VAE whose decoder is linear, :math:`p(x|z) = \mathcal N(Wz + b, \sigma_x^2 I)`, with a linear
encoder and a diagonal Gaussian q, is probabilistic PCA (Tipping & Bishop, 1999) trained by its
ELBO. With KL weight beta, dividing the loss by beta shows that only the product
:math:`s = \beta\sigma_x^2` matters. Let :math:`\lambda_1 \ge \dots \ge \lambda_D` be the
eigenvalues of the data covariance, with eigenvectors :math:`u_j`. The global optimum is

.. math::  W = U_J\,\operatorname{diag}\big(\sqrt{\max(\lambda_j - s, 0)}\big), \qquad
           q(z_j|x) = \mathcal N\Big(\tfrac{\sqrt{\max(\lambda_j - s, 0)}}{\max(\lambda_j, s)}\,u_j^\top(x - \bar x),\;
           \tfrac{s}{\max(\lambda_j, s)}\Big),

(the posterior of probabilistic PCA, which is exactly diagonal here, so the ELBO is tight), and
latent dimension j carries, averaged over the data,

.. math::  \mathrm{Rate}_j = \tfrac12 \log\frac{\lambda_j}{\beta\sigma_x^2} \ \text{ if } \beta\sigma_x^2 < \lambda_j,
           \qquad 0 \ \text{ (collapsed) otherwise.}

So a dimension collapses exactly when :math:`\beta\sigma_x^2 \ge \lambda_j`: the noise the
decoder is told to expect is at least the variance the dimension could explain.
"""
from __future__ import annotations

import numpy as np

from . import _checks


def data_eigen(X) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(eigenvalues descending, eigenvectors as columns, mean)`` of the covariance of the rows of X (1/n)."""
    X = _checks.finite_matrix(X, "X")
    if len(X) < 2:
        raise ValueError("data_eigen needs at least two points")
    mean = X.mean(axis=0)
    lam, U = np.linalg.eigh(np.cov(X, rowvar=False, bias=True).reshape(X.shape[1], X.shape[1]))
    order = np.argsort(lam)[::-1]
    return lam[order], U[:, order], mean


def _check_eigenvalues(eigenvalues) -> np.ndarray:
    lam = np.atleast_1d(np.asarray(eigenvalues, dtype=float))
    if lam.ndim != 1 or len(lam) == 0 or not np.isfinite(lam).all() or np.any(lam <= 0):
        raise ValueError("eigenvalues must be a non-empty 1-D array of positive finite numbers")
    return lam


def predicted_rate(eigenvalues, sigma2: float, beta: float = 1.0) -> np.ndarray:
    r"""Rate per latent dimension at the optimum, in nats:
    :math:`\max(0, \tfrac12\log(\lambda_j / (\beta\sigma_x^2)))`."""
    eigenvalues = _check_eigenvalues(eigenvalues)
    sigma2 = _checks.positive_float(sigma2, "sigma2")
    beta = _checks.positive_float(beta, "beta")
    return 0.5 * np.log(np.maximum(eigenvalues / (beta * sigma2), 1.0))


def collapse_beta(eigenvalues, sigma2: float) -> np.ndarray:
    r"""The KL weight at which each dimension collapses, :math:`\beta_j = \lambda_j / \sigma_x^2`."""
    return _check_eigenvalues(eigenvalues) / _checks.positive_float(sigma2, "sigma2")


def optimum(X, sigma2: float, latent_dim: int, beta: float = 1.0) -> dict[str, np.ndarray]:
    """The global optimum of the beta-weighted ELBO of a linear VAE fitted to the rows of X.

    Returns ``{"W" (D, J), "b" (D,), "enc_W" (D, J), "enc_b" (J,), "log_var" (J,)}``: the decoder
    mean is ``z @ W.T + b``, the encoder mean ``x @ enc_W + enc_b`` and its log-variance ``log_var``
    for every x. Needs ``latent_dim <= data_dim``.
    """
    lam, U, mean = data_eigen(X)
    J = _checks.positive_int(latent_dim, "latent_dim")
    if J > len(lam):
        raise ValueError(f"latent_dim must be at most data_dim = {len(lam)}, got {J}")
    s = _checks.positive_float(sigma2, "sigma2") * _checks.positive_float(beta, "beta")
    lam, U = lam[:J], U[:, :J]
    scale = np.sqrt(np.maximum(lam - s, 0.0))
    gain = scale / np.maximum(lam, s)
    enc_W = U * gain
    return {"W": U * scale, "b": mean, "enc_W": enc_W, "enc_b": -mean @ enc_W,
            "log_var": np.log(s / np.maximum(lam, s))}
