r"""The ELBO of a Gaussian :math:`q` on the exact linear-Gaussian model, in closed form.

For the model of :mod:`vaebook.exact` and :math:`q(z) = N(m, \operatorname{diag} v)`,

.. math::
   \mathcal{L}(q) = \underbrace{\mathbb{E}_q[\log p(x \mid z)]}_{\text{expected log-likelihood}}
                  - \mathrm{KL}(q \,\|\, p(z)),
   \qquad
   \mathbb{E}_q[\log p(x \mid z)] = -\frac{\|x - W m - b\|^2 + \sum_{d,j} W_{dj}^2 v_j}{2 s^2}
                                    - \frac{D}{2}\log(2\pi s^2),

and the gap :math:`\log p(x) - \mathcal{L}(q)` equals :math:`\mathrm{KL}(q \,\|\, p(z \mid x))`,
which is computed here independently, from the Gaussian KL formula.
"""
from __future__ import annotations

import numpy as np

from .exact import LinearGaussian
from .gaussian import LOG_2PI, kl_diag_to_standard


def kl_mvn(mean_q, cov_q, mean_p, cov_p) -> float:
    r""":math:`\mathrm{KL}(N(m_q, \Sigma_q) \,\|\, N(m_p, \Sigma_p))` for full covariances, in nats.

    :math:`\tfrac12[\operatorname{tr}(\Sigma_p^{-1}\Sigma_q) + (m_p - m_q)^\top \Sigma_p^{-1} (m_p - m_q)
    - J + \log\det\Sigma_p - \log\det\Sigma_q]`.
    """
    mean_q, mean_p = np.atleast_1d(np.asarray(mean_q, float)), np.atleast_1d(np.asarray(mean_p, float))
    cov_q, cov_p = np.atleast_2d(np.asarray(cov_q, float)), np.atleast_2d(np.asarray(cov_p, float))
    J = mean_q.shape[0]
    if mean_q.shape != (J,) or mean_p.shape != (J,) or cov_q.shape != (J, J) or cov_p.shape != (J, J):
        raise ValueError(f"shapes do not match: means {mean_q.shape}, {mean_p.shape}; "
                         f"covariances {cov_q.shape}, {cov_p.shape}")
    for name, a in (("mean_q", mean_q), ("mean_p", mean_p), ("cov_q", cov_q), ("cov_p", cov_p)):
        if not np.isfinite(a).all():
            raise ValueError(f"{name} contains NaN or inf values")
    try:
        Lq, Lp = np.linalg.cholesky(cov_q), np.linalg.cholesky(cov_p)
    except np.linalg.LinAlgError:
        raise ValueError("covariances must be symmetric positive definite") from None
    A = np.linalg.solve(Lp, Lq)
    r = np.linalg.solve(Lp, mean_p - mean_q)
    logdet = 2.0 * (np.log(np.diag(Lp)).sum() - np.log(np.diag(Lq)).sum())
    return float(0.5 * (np.sum(A * A) + r @ r - J + logdet))


def gaussian_q_elbo(model: LinearGaussian, x, q_mean, q_var) -> dict:
    r"""ELBO and its parts for one data point ``x`` and :math:`q = N(\text{q\_mean}, \operatorname{diag}\text{q\_var})`.

    Returns ``{"expected_loglik", "kl_prior", "elbo", "log_evidence", "gap"}`` (floats, nats):
    ``elbo = expected_loglik - kl_prior``, and ``gap`` is
    :math:`\mathrm{KL}(q \,\|\, p(z \mid x))` computed from the exact posterior (not as a difference).
    """
    x = model._x(x)
    if x.shape[0] != 1:
        raise ValueError(f"x must be one data point, got {x.shape[0]} rows")
    J = model.latent_dim
    m = np.atleast_1d(np.asarray(q_mean, float))
    v = np.atleast_1d(np.asarray(q_var, float))
    if m.shape != (J,) or v.shape != (J,):
        raise ValueError(f"q_mean and q_var must have shape ({J},), got {m.shape} and {v.shape}")
    if not np.isfinite(m).all() or not np.isfinite(v).all():
        raise ValueError("q_mean and q_var must be finite")
    if np.any(v <= 0):
        raise ValueError("q_var must be positive")
    r = x[0] - model.W @ m - model.b
    s2 = model.s**2
    expected_loglik = -0.5 * ((r @ r + np.sum(model.W**2 * v)) / s2
                              + model.data_dim * (np.log(s2) + LOG_2PI))
    kl_prior = float(kl_diag_to_standard(m, np.log(v)))
    post_mean, post_cov = model.posterior(x)
    return {
        "expected_loglik": float(expected_loglik),
        "kl_prior": kl_prior,
        "elbo": float(expected_loglik - kl_prior),
        "log_evidence": float(model.log_evidence(x)[0]),
        "gap": kl_mvn(m, np.diag(v), post_mean[0], post_cov),
    }
