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

from . import _checks
from .exact import LinearGaussian
from .formulas import kl_diag_to_standard, kl_mvn, log_normal_diag


def linear_gaussian_elbo_terms(model: LinearGaussian, X, q_mean, q_log_var):
    r"""``(expected_loglik, kl_prior)`` per row of X, for q(z|x) = N(q_mean, diag(exp(q_log_var))).

    :math:`\mathbb{E}_q[\log p(x|z)] = \log \mathcal{N}(x;\, W m + b,\, s^2 I)
    - \sum_j v_j \|W_{:j}\|^2 / (2 s^2)`, because :math:`\mathbb{E}_q\|x - Wz - b\|^2
    = \|x - Wm - b\|^2 + \sum_j v_j \|W_{:j}\|^2`; and :math:`\mathrm{KL}(q \,\|\, p(z))` in
    closed form. Each of shape (n,), in nats.
    """
    X = model.check_x(X)
    m = _checks.finite_matrix(q_mean, "q_mean", model.latent_dim)
    log_v = _checks.finite_matrix(q_log_var, "q_log_var", model.latent_dim)
    if not len(X) == len(m) == len(log_v):
        raise ValueError(f"X, q_mean and q_log_var need one row per point, got {len(X)}, "
                         f"{len(m)} and {len(log_v)} rows")
    s2 = model.s**2
    expected_loglik = (log_normal_diag(X, model.mean(m), s2)
                       - np.exp(log_v) @ np.sum(model.W**2, axis=0) / (2.0 * s2))
    return expected_loglik, kl_diag_to_standard(m, log_v)


def linear_gaussian_elbo(model: LinearGaussian, X, q_mean, q_log_var) -> np.ndarray:
    r"""The ELBO of the linear-Gaussian model with q(z|x) = N(q_mean, diag(exp(q_log_var))), in
    closed form: :math:`\mathbb{E}_q[\log p(x|z)] - \mathrm{KL}(q \,\|\, \mathcal{N}(0, I))`,
    one value per row of X (see :func:`linear_gaussian_elbo_terms`).
    """
    expected_loglik, kl_prior = linear_gaussian_elbo_terms(model, X, q_mean, q_log_var)
    return expected_loglik - kl_prior


def gaussian_q_elbo(model: LinearGaussian, x, q_mean, q_var) -> dict:
    r"""ELBO and its parts for one data point ``x`` and :math:`q = N(\text{q\_mean}, \operatorname{diag}\text{q\_var})`.

    Returns ``{"expected_loglik", "kl_prior", "elbo", "log_evidence", "gap"}`` (floats, nats):
    ``elbo = expected_loglik - kl_prior``, and ``gap`` is
    :math:`\mathrm{KL}(q \,\|\, p(z \mid x))` computed from the exact posterior (not as a difference).
    """
    x = model.check_x(x)
    if x.shape[0] != 1:
        raise ValueError(f"x must be one data point, got {x.shape[0]} rows")
    q_mean, q_var = _checks.diag_gaussian(q_mean, q_var, model.latent_dim)
    m, v = q_mean, q_var
    expected_loglik, kl_prior = linear_gaussian_elbo_terms(model, x, m[None], np.log(v)[None])
    post_mean, post_cov = model.posterior(x)
    return {
        "expected_loglik": float(expected_loglik[0]),
        "kl_prior": float(kl_prior[0]),
        "elbo": float(expected_loglik[0] - kl_prior[0]),
        "log_evidence": float(model.log_evidence(x)[0]),
        "gap": kl_mvn(m, np.diag(v), post_mean[0], post_cov),
    }
