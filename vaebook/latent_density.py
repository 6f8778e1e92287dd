r"""Densities over the latent space other than the prior: where the encoder actually puts codes.

A VAE is trained on codes drawn from the **aggregate posterior**

.. math:: q_\phi(z) = \frac1N \sum_{i=1}^N q_\phi(z \mid x_i),
          \qquad q_\phi(z \mid x_i) = \mathcal{N}(\mu_\phi(x_i), \operatorname{diag} \sigma_\phi^2(x_i)),

but generates from the prior :math:`p(z) = \mathcal{N}(0, I_J)`. Where the prior has mass and
:math:`q_\phi(z)` has little (a *hole*), the decoder was hardly trained. Two ways to generate from
where the codes are instead:

* sample :math:`q_\phi(z)` itself (:func:`sample_aggregate_posterior`): pick a training point,
  then sample its encoder distribution;
* fit a small Gaussian mixture to the codes after training (:func:`fit_gaussian_mixture`, by
  EM), the *ex-post density estimation* of Ghosh et al. (2020), and sample that.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _checks
from .formulas import log_mean_exp, log_normal_diag, log_normal_full, reparam_forward


def sample_aggregate_posterior(mu, log_var, n: int, rng: np.random.Generator) -> np.ndarray:
    r"""``n`` draws from :math:`q_\phi(z)`: for each, a data point i uniformly at random, then
    :math:`z = \mu_i + \sigma_i \odot \varepsilon` with :math:`\varepsilon \sim \mathcal{N}(0, I_J)`.

    ``mu`` and ``log_var`` are the encoder's outputs for the N training points, shape (N, J).
    Returns an array of shape (n, J).
    """
    mu, log_var = _checks.same_shape_matrices(mu=mu, log_var=log_var)
    n = _checks.positive_int(n, "n")
    rng = _checks.generator(rng)
    i = rng.integers(0, len(mu), size=n)
    z, _ = reparam_forward(mu[i], log_var[i], rng.standard_normal((n, mu.shape[1])))
    return z


def log_aggregate_posterior(z, mu, log_var, chunk: int = 512) -> np.ndarray:
    r"""Exact :math:`\log q_\phi(z)` for each row of ``z`` (shape (n, J)): the log-mean-exp over
    the N components :math:`\log \mathcal{N}(z; \mu_i, \operatorname{diag} \sigma_i^2)`.

    Rows of ``z`` are processed ``chunk`` at a time, so memory stays at chunk x N numbers.
    """
    mu, log_var = _checks.same_shape_matrices(mu=mu, log_var=log_var)
    z = _checks.finite_matrix(z, "z", mu.shape[1])
    chunk = _checks.positive_int(chunk, "chunk")
    var = np.exp(log_var)
    out = np.empty(len(z))
    for s in range(0, len(z), chunk):
        log_comp = log_normal_diag(z[s:s + chunk, None, :], mu[None], var[None])
        out[s:s + chunk] = log_mean_exp(log_comp, axis=1)
    return out


@dataclass
class GaussianMixture:
    r"""A mixture :math:`\sum_k w_k\, \mathcal{N}(m_k, C_k)` with full covariances.

    ``weights`` shape (K,), ``means`` shape (K, J), ``covs`` shape (K, J, J);
    ``log_likelihoods`` is the mean log-density of the fitted codes after each EM iteration.
    """

    weights: np.ndarray
    means: np.ndarray
    covs: np.ndarray
    log_likelihoods: np.ndarray

    def component_log_densities(self, z) -> np.ndarray:
        """log N(z; m_k, C_k) for each row of ``z`` and each component k: shape (n, K)."""
        z = _checks.finite_matrix(z, "z", self.means.shape[1])
        return np.column_stack([log_normal_full(z, m, C) for m, C in zip(self.means, self.covs)])

    def log_density(self, z) -> np.ndarray:
        """log of the mixture density at each row of ``z``: shape (n,)."""
        lc = self.component_log_densities(z) + np.log(self.weights)[None]
        return log_mean_exp(lc, axis=1) + np.log(len(self.weights))

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` draws: a component k with probability w_k, then z ~ N(m_k, C_k). Shape (n, J)."""
        n = _checks.positive_int(n, "n")
        rng = _checks.generator(rng)
        k = rng.choice(len(self.weights), size=n, p=self.weights)
        L = np.linalg.cholesky(self.covs)
        eps = rng.standard_normal((n, self.means.shape[1]))
        return self.means[k] + np.einsum("nij,nj->ni", L[k], eps)


def fit_gaussian_mixture(Z, n_components: int, rng: np.random.Generator, n_iter: int = 200,
                         tol: float = 1e-8, reg: float = 1e-6) -> GaussianMixture:
    r"""Fit a Gaussian mixture with ``n_components`` full-covariance components to the rows of
    ``Z`` (shape (N, J)) by expectation-maximisation (Dempster, Laird & Rubin, 1977).

    Start: means at ``n_components`` distinct rows chosen by ``rng``, every covariance the
    covariance of ``Z``, equal weights. Each iteration computes the responsibilities
    :math:`r_{ik} \propto w_k \mathcal{N}(z_i; m_k, C_k)` (E-step, in log space) and then the
    weighted maximum-likelihood weights, means and covariances (M-step; ``reg`` is added to each
    covariance's diagonal so that a component cannot collapse onto one point). The mean
    log-likelihood never decreases; iteration stops when it rises by less than ``tol``.
    """
    Z = _checks.finite_matrix(Z, "Z")
    n_components = _checks.positive_int(n_components, "n_components")
    n_iter = _checks.positive_int(n_iter, "n_iter")
    tol = _checks.positive_float(tol, "tol")
    reg = _checks.positive_float(reg, "reg")
    rng = _checks.generator(rng)
    if n_components > len(Z):
        raise ValueError(f"n_components ({n_components}) must not exceed the number of points ({len(Z)})")
    (N, J), K = Z.shape, n_components
    eye = np.eye(J)
    gm = GaussianMixture(np.full(K, 1.0 / K), Z[rng.choice(N, size=K, replace=False)].copy(),
                         np.repeat((np.cov(Z.T, bias=True).reshape(J, J) + reg * eye)[None], K, axis=0),
                         np.empty(0))
    history = []
    for _ in range(n_iter):
        lc = gm.component_log_densities(Z) + np.log(gm.weights)[None]       # (N, K)
        log_p = log_mean_exp(lc, axis=1) + np.log(K)
        history.append(float(log_p.mean()))
        if len(history) > 1 and history[-1] - history[-2] < tol:
            break
        resp = np.exp(lc - log_p[:, None])                                   # E-step
        nk = resp.sum(axis=0) + np.finfo(float).tiny                         # M-step
        gm.weights = nk / N
        gm.means = (resp.T @ Z) / nk[:, None]
        r = Z[None, :, :] - gm.means[:, None, :]
        gm.covs = np.einsum("nk,kni,knj->kij", resp, r, r) / nk[:, None, None] + reg * eye
    else:
        history.append(float(gm.log_density(Z).mean()))
    gm.log_likelihoods = np.array(history)
    return gm
