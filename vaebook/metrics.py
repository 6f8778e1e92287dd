"""Measurements of generated samples against data: the book measures instead of claiming."""
from __future__ import annotations

import numpy as np

from . import _checks
from .data import CENTERS
from .formulas import kl_diag_to_standard


def nearest_center(X, centers=CENTERS):
    """(index, distance) of the nearest centre for each row of X."""
    centers = _checks.finite_matrix(centers, "centers")
    X = _checks.finite_matrix(X, "X", centers.shape[1])
    d = np.sqrt(((X[:, None, :] - centers[None]) ** 2).sum(axis=2))
    idx = d.argmin(axis=1)
    return idx, d[np.arange(len(X)), idx]


def fraction_near_centers(X, radius: float = 1.0, centers=CENTERS) -> float:
    """Fraction of points within ``radius`` of some cluster centre (two cluster std's for the running example)."""
    radius = _checks.positive_float(radius, "radius")
    return float(np.mean(nearest_center(X, centers)[1] <= radius))


def cluster_occupancy(X, radius: float = 1.0, centers=CENTERS) -> np.ndarray:
    """Fraction of points near each centre (within ``radius``), one entry per centre.

    The entries sum to :func:`fraction_near_centers`; the true mixture puts equal mass on each.
    """
    radius = _checks.positive_float(radius, "radius")
    idx, dist = nearest_center(X, centers)
    near = dist <= radius
    return np.array([np.mean(near & (idx == k)) for k in range(len(np.asarray(centers)))])


def energy_distance(X, Y) -> float:
    r"""Energy distance between two samples (Szekely & Rizzo):
    :math:`2\,E\|X - Y\| - E\|X - X'\| - E\|Y - Y'\|`, with the unbiased within-sample means.

    It is 0 in expectation when both samples come from the same distribution and positive
    otherwise.
    """
    X = _checks.finite_matrix(X, "X")
    Y = _checks.finite_matrix(Y, "Y", X.shape[1])
    if len(X) < 2 or len(Y) < 2:
        raise ValueError("energy_distance needs at least two points in each sample")

    def mean_dist(A, B, same):
        d = np.sqrt(((A[:, None, :] - B[None]) ** 2).sum(axis=2))
        n = len(A)
        return d.sum() / (n * (n - 1)) if same else d.mean()

    return float(2 * mean_dist(X, Y, False) - mean_dist(X, X, True) - mean_dist(Y, Y, True))


def kl_per_dimension(mu, log_var) -> np.ndarray:
    r"""KL(q(z_j|x) || N(0, 1)) for each latent dimension j, averaged over the rows (points).

    ``mu`` and ``log_var`` are the encoder's outputs, shape (batch, latent_dim); the entries of
    the result (shape (latent_dim,)) sum to the batch mean of the full KL term. A dimension whose
    KL is near 0 for every x carries no information about x: it has *collapsed* to the prior.
    """
    mu = _checks.finite_matrix(mu, "mu")
    log_var = _checks.finite_matrix(log_var, "log_var", mu.shape[1])
    return kl_diag_to_standard(mu, log_var, per_dimension=True).mean(axis=0)


def active_units(mu, threshold: float = 0.01) -> np.ndarray:
    r"""Which latent dimensions are *active* (Burda et al., 2016): Var_x(E_q[z_j|x]) > threshold.

    ``mu`` holds the encoder means of many data points, shape (batch, latent_dim); returns a
    boolean array of shape (latent_dim,).
    """
    mu = _checks.finite_matrix(mu, "mu")
    threshold = _checks.positive_float(threshold, "threshold")
    if len(mu) < 2:
        raise ValueError("active_units needs the encoder means of at least two points")
    return mu.var(axis=0, ddof=1) > threshold


def mmd(X, Y, bandwidth: float = 1.0) -> float:
    r"""Unbiased estimate of the squared maximum mean discrepancy (Gretton et al., 2012) with the
    Gaussian kernel :math:`k(a, b) = \exp(-\|a - b\|^2 / (2 h^2))`, ``h = bandwidth``:

    .. math:: \widehat{\mathrm{MMD}}^2 = \frac{\sum_{i \ne i'} k(x_i, x_{i'})}{n(n-1)}
              + \frac{\sum_{j \ne j'} k(y_j, y_{j'})}{m(m-1)} - \frac{2}{nm} \sum_{i,j} k(x_i, y_j).

    Its expectation is 0 when both samples come from the same distribution (a single estimate
    can be slightly negative) and positive otherwise. Squared distances use
    :math:`\|a\|^2 + \|b\|^2 - 2 a^\top b` (one matrix product), so two samples of 2000 points
    take milliseconds.
    """
    X = _checks.finite_matrix(X, "X")
    Y = _checks.finite_matrix(Y, "Y", X.shape[1])
    h = _checks.positive_float(bandwidth, "bandwidth")
    if len(X) < 2 or len(Y) < 2:
        raise ValueError("mmd needs at least two points in each sample")

    n, m = len(X), len(Y)
    kxx = (gaussian_kernel(X, X, h).sum() - n) / (n * (n - 1))   # k(x, x) = 1 on the diagonal
    kyy = (gaussian_kernel(Y, Y, h).sum() - m) / (m * (m - 1))
    return float(kxx + kyy - 2.0 * gaussian_kernel(X, Y, h).sum() / (n * m))


def gaussian_kernel(A, B, bandwidth: float) -> np.ndarray:
    r"""The matrix :math:`k(a_i, b_j) = \exp(-\|a_i - b_j\|^2 / (2 h^2))` for rows of A and B.

    Squared distances use :math:`\|a\|^2 + \|b\|^2 - 2 a^\top b` (one matrix product), clipped at
    0 against rounding.
    """
    d2 = (A * A).sum(axis=1)[:, None] + (B * B).sum(axis=1)[None, :] - 2.0 * (A @ B.T)
    return np.exp(-np.maximum(d2, 0.0) / (2.0 * bandwidth * bandwidth))


def mmd_permutation_test(X, Y, rng: np.random.Generator, bandwidth: float = 1.0,
                         n_permutations: int = 200):
    r"""Permutation test of "X and Y come from the same distribution" with the statistic
    :func:`mmd` (Gretton et al., 2012, section 5).

    If both samples come from one distribution, every split of the pooled n + m points into
    groups of n and m is equally likely, so the MMD² of ``n_permutations`` random splits (drawn
    with ``rng``) is a sample of the statistic's null distribution. The p-value is
    :math:`(1 + \#\{\text{null} \ge \text{observed}\}) / (1 + \text{n\_permutations})`, never 0;
    the smallest possible value is ``1 / (1 + n_permutations)``.

    All splits share one kernel matrix K of the pooled points. With u the 0/1 indicator of the
    first group, :math:`\sum_{XX} k = u^\top K u`, :math:`\sum_{XY} k = u^\top K 1 - u^\top K u`
    and :math:`\sum_{YY} k = 1^\top K 1 - 2 u^\top K 1 + u^\top K u`: one matrix product for all
    splits. Returns ``(statistic, p_value, null)`` with ``null`` of shape (n_permutations,).
    """
    X = _checks.finite_matrix(X, "X")
    Y = _checks.finite_matrix(Y, "Y", X.shape[1])
    bandwidth = _checks.positive_float(bandwidth, "bandwidth")
    n_permutations = _checks.positive_int(n_permutations, "n_permutations")
    rng = _checks.generator(rng)
    if len(X) < 2 or len(Y) < 2:
        raise ValueError("mmd_permutation_test needs at least two points in each sample")
    n, m, n_perm = len(X), len(Y), n_permutations
    P = np.vstack([X, Y])
    K = gaussian_kernel(P, P, bandwidth)
    U = np.zeros((n + m, n_perm + 1))
    U[:n, 0] = 1.0                                   # column 0: the observed split
    for j in range(1, n_perm + 1):
        U[rng.permutation(n + m)[:n], j] = 1.0
    row = K.sum(axis=1)
    s_xx = np.einsum("ij,ij->j", U, K @ U)
    s_x1 = U.T @ row
    s_xy, s_yy = s_x1 - s_xx, row.sum() - 2.0 * s_x1 + s_xx
    stats = (s_xx - n) / (n * (n - 1)) + (s_yy - m) / (m * (m - 1)) - 2.0 * s_xy / (n * m)
    observed, null = float(stats[0]), stats[1:]
    return observed, float((1 + np.sum(null >= observed)) / (1 + n_perm)), null
