"""Data sets used in the book: the running 2-D example and scikit-learn's 8x8 digits."""
from __future__ import annotations

import numpy as np

from . import _checks
from .formulas import log_mean_exp, log_normal_diag

#: Centres of the four clusters of the running example.
CENTERS = np.array([[-2.0, -2.0], [-2.0, 2.0], [2.0, -2.0], [2.0, 2.0]])
CENTERS.setflags(write=False)
#: Standard deviation of every cluster (isotropic).
CLUSTER_STD = 0.5


def make_mixture(n: int, rng: np.random.Generator, centers=CENTERS, std: float = CLUSTER_STD):
    """Draw ``n`` points from an equal-weight mixture of isotropic Gaussians.

    Each point first picks a component uniformly at random, then is drawn from
    N(centre, std^2 I). Returns ``(X, labels)``: X of shape (n, 2), labels of shape (n,) with the
    component index of each point.
    """
    n = _checks.positive_int(n, "n")
    std = _checks.positive_float(std, "std")
    centers = _checks.finite_matrix(centers, "centers")
    rng = _checks.generator(rng)
    labels = rng.integers(0, len(centers), size=n)
    X = centers[labels] + std * rng.standard_normal((n, centers.shape[1]))
    return X, labels


def mixture_log_density(X, centers=CENTERS, std: float = CLUSTER_STD) -> np.ndarray:
    r"""Exact log p(x) of the equal-weight mixture for each row of X (shape (n,)), in nats:
    :math:`\log \frac1K \sum_k \mathcal{N}(x; c_k, \text{std}^2 I)`."""
    centers = _checks.finite_matrix(centers, "centers")
    X = _checks.finite_matrix(X, "X", centers.shape[1])
    std = _checks.positive_float(std, "std")
    log_comp = log_normal_diag(X[:, None, :], centers[None, :, :], std**2)   # (n, K)
    return log_mean_exp(log_comp, axis=1)


def load_digits_01():
    """scikit-learn's 8x8 digits (shipped with the package), pixels scaled to [0, 1].

    Returns ``(X, labels)``: X of shape (1797, 64), labels of shape (1797,).
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    return digits.data / 16.0, digits.target.copy()
