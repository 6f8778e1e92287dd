r"""A latent-variable model where everything is exact: the linear-Gaussian model.

.. math::  z \sim N(0, I_J), \qquad x \mid z \sim N(W z + b,\; s^2 I_D)

with ``W`` of shape (D, J). Prior, likelihood, evidence and posterior are all Gaussian and known
in closed form, so the book can check every step of the VAE's derivation against the truth:

* evidence   :math:`p(x) = N(x;\ b,\ W W^\top + s^2 I_D)`
* posterior  :math:`p(z|x) = N(z;\ \Sigma W^\top (x - b) / s^2,\ \Sigma)`,
  :math:`\Sigma = (I_J + W^\top W / s^2)^{-1}`.

With J = D = 1 this is the scalar model of chapter 1: z ~ N(0, 1), x | z ~ N(w z + b, s^2).
"""
from __future__ import annotations

import numpy as np

from . import _checks
from .formulas import log_normal_diag, log_normal_full


class LinearGaussian:
    """The linear-Gaussian latent model with parameters W (D, J), b (D,), noise std s > 0."""

    def __init__(self, W, b, s: float):
        W = np.atleast_2d(np.asarray(W, dtype=float))
        b = np.atleast_1d(np.asarray(b, dtype=float))
        if not np.isfinite(W).all() or not np.isfinite(b).all():
            raise ValueError("W and b must be finite")
        if b.shape != (W.shape[0],):
            raise ValueError(f"b must have shape ({W.shape[0]},) to match W {W.shape}, got {b.shape}")
        self.W, self.b = W, b
        self.s = _checks.positive_float(s, "s")
        self.data_dim, self.latent_dim = W.shape

    @classmethod
    def scalar(cls, w: float, b: float, s: float) -> "LinearGaussian":
        """The 1-D model z ~ N(0, 1), x | z ~ N(w z + b, s^2)."""
        return cls([[w]], [b], s)

    def check_x(self, x) -> np.ndarray:
        """``x`` as data of shape (n, D) (a 1-D array is n points when D = 1), or ValueError."""
        x = np.asarray(x, dtype=float)
        if x.ndim <= 1 and self.data_dim == 1:
            x = x.reshape(-1, 1)
        return _checks.finite_matrix(np.atleast_2d(x), "x", self.data_dim)

    def check_z(self, z) -> np.ndarray:
        """``z`` as latent codes of shape (n, J) (a 1-D array is n codes when J = 1), or ValueError."""
        z = np.asarray(z, dtype=float)
        if z.ndim <= 1 and self.latent_dim == 1:
            z = z.reshape(-1, 1)
        return _checks.finite_matrix(np.atleast_2d(z), "z", self.latent_dim)

    # --- the four quantities of Bayes' rule -----------------------------------------------
    def log_prior(self, z) -> np.ndarray:
        """log p(z) for each row of z."""
        return log_normal_diag(self.check_z(z), 0.0, 1.0)

    def log_likelihood(self, x, z) -> np.ndarray:
        """log p(x | z), broadcasting rows of x against rows of z (either may have one row)."""
        x, z = self.check_x(x), self.check_z(z)
        if len(x) != len(z) and 1 not in (len(x), len(z)):
            raise ValueError(f"x and z must have the same number of rows (or one of them a single row), "
                             f"got {len(x)} and {len(z)}")
        return log_normal_diag(x, self.mean(z), self.s**2)

    def mean(self, z) -> np.ndarray:
        """The decoder's mean W z + b for each row of z (shape (n, D))."""
        return self.check_z(z) @ self.W.T + self.b

    def evidence_cov(self) -> np.ndarray:
        """Covariance W W^T + s^2 I of the evidence p(x)."""
        return self.W @ self.W.T + self.s**2 * np.eye(self.data_dim)

    def log_evidence(self, x) -> np.ndarray:
        """log p(x) in closed form, for each row of x."""
        x = self.check_x(x)
        return log_normal_full(x, self.b, self.evidence_cov())

    def posterior(self, x):
        """(mean, cov) of p(z | x) for each row of x: means of shape (n, J), cov shared (J, J)."""
        x = self.check_x(x)
        cov = np.linalg.inv(np.eye(self.latent_dim) + self.W.T @ self.W / self.s**2)
        mean = (x - self.b) @ self.W @ cov / self.s**2
        return mean, cov

    def log_posterior(self, z, x) -> np.ndarray:
        """log p(z | x) in closed form; x must have one row (or as many rows as z)."""
        mean, cov = self.posterior(x)
        return log_normal_full(self.check_z(z), mean, cov)

    def sample(self, n: int, rng: np.random.Generator):
        """Draw (x, z): z ~ p(z), then x ~ p(x | z). Shapes (n, D) and (n, J)."""
        n = _checks.positive_int(n, "n")
        rng = _checks.generator(rng)
        z = rng.standard_normal((n, self.latent_dim))
        x = self.mean(z) + self.s * rng.standard_normal((n, self.data_dim))
        return x, z

    def __repr__(self) -> str:
        return f"LinearGaussian(D={self.data_dim}, J={self.latent_dim}, s={self.s:g})"
