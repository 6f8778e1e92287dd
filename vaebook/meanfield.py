r"""The best mean-field (diagonal) Gaussian approximation of a Gaussian posterior, in closed form.

For a posterior :math:`p(z \mid x) = N(\mu, \Sigma)` with precision :math:`\Lambda = \Sigma^{-1}`
and :math:`q(z) = N(m, \operatorname{diag} v)`,

.. math::
   \mathrm{KL}(q \,\|\, p) = \tfrac12\Big[\sum_j \Lambda_{jj} v_j + (m - \mu)^\top \Lambda (m - \mu)
                             - J - \log\det\Lambda - \sum_j \log v_j\Big].

The mean enters only through the non-negative quadratic form, so the best mean is
:math:`m = \mu`; each :math:`v_j` enters through :math:`\Lambda_{jj} v_j - \log v_j`, smallest at
:math:`v_j = 1 / \Lambda_{jj}`. What is left is the gap that no diagonal :math:`q` can close,

.. math::  \tfrac12\Big(\sum_j \log\Lambda_{jj} - \log\det\Lambda\Big) \ \ge 0,

with equality only for a diagonal :math:`\Lambda` (Hadamard's inequality). And
:math:`1/\Lambda_{jj} \le \Sigma_{jj}`: the best diagonal :math:`q` is narrower than the posterior
in every coordinate on which the posterior is correlated (mean-field variance underestimation).
"""
from __future__ import annotations

import numpy as np


def _mean_and_cov(post_mean, post_cov):
    mean = np.atleast_1d(np.asarray(post_mean, dtype=float))
    cov = np.atleast_2d(np.asarray(post_cov, dtype=float))
    J = mean.shape[0]
    if mean.ndim != 1 or cov.shape != (J, J):
        raise ValueError(f"post_mean must have shape (J,) and post_cov (J, J), got {mean.shape} and {cov.shape}")
    if not np.isfinite(mean).all() or not np.isfinite(cov).all():
        raise ValueError("post_mean and post_cov must be finite (no NaN or inf)")
    if not np.allclose(cov, cov.T, rtol=1e-12, atol=1e-12 * np.abs(cov).max()):
        raise ValueError("post_cov must be symmetric")
    try:
        np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise ValueError("post_cov must be positive definite") from None
    return mean, cov


def optimal_mean_field(post_mean, post_cov) -> dict:
    r"""The diagonal Gaussian :math:`q` minimising :math:`\mathrm{KL}(q \,\|\, N(\mu, \Sigma))`.

    Returns ``{"mean", "var", "gap"}``: ``mean`` = :math:`\mu`, ``var`` =
    :math:`1/\Lambda_{jj}` with :math:`\Lambda = \Sigma^{-1}`, and ``gap`` the minimal KL,
    :math:`\tfrac12(\sum_j \log\Lambda_{jj} - \log\det\Lambda)` in nats.
    """
    mean, cov = _mean_and_cov(post_mean, post_cov)
    precision = np.linalg.inv(cov)
    diag = np.diag(precision).copy()
    _, logdet_precision = np.linalg.slogdet(precision)
    gap = 0.5 * (np.sum(np.log(diag)) - logdet_precision)
    return {"mean": mean.copy(), "var": 1.0 / diag, "gap": float(gap)}
