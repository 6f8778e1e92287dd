r"""Monte Carlo estimators of the gradient of an expectation under a Gaussian.

The quantity is :math:`\nabla_{\mu,\sigma}\, \mathbb{E}_{z \sim N(\mu, \mathrm{diag}\,\sigma^2)}[f(z)]`
for :math:`z \in \mathbb{R}^J`. Two unbiased estimators, each returned *per sample* (so the
caller can average them and compute a standard error):

* **pathwise** (reparameterised): write :math:`z = \mu + \sigma \odot \varepsilon` with
  :math:`\varepsilon \sim N(0, I)` and differentiate through :math:`f`:
  :math:`\nabla_\mu = \nabla f(z)`, :math:`\nabla_\sigma = \nabla f(z) \odot \varepsilon`.
* **score function** (REINFORCE, likelihood ratio): :math:`f(z)\,\nabla \log q(z)`, with
  :math:`\partial_{\mu} \log q = (z - \mu)/\sigma^2` and
  :math:`\partial_{\sigma} \log q = ((z - \mu)^2 - \sigma^2)/\sigma^3`; a baseline :math:`b`
  replaces :math:`f(z)` by :math:`f(z) - b`, which keeps the estimator unbiased because
  :math:`\mathbb{E}_q[\nabla \log q] = 0`.

Every function takes the standard normal noise ``eps`` (shape ``(n, J)``) from the caller, so
randomness stays with the caller's ``numpy.random.Generator`` and both estimators can be fed the
same draws. :class:`TestFunction` bundles an ``f`` with its exact expectation and gradient.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import _checks
from .formulas import kl_standard_grads


def _mu_sigma_eps(mu, sigma, eps):
    mu = np.atleast_1d(np.asarray(mu, dtype=float))
    sigma = np.atleast_1d(np.asarray(sigma, dtype=float))
    if mu.ndim != 1 or sigma.shape != mu.shape:
        raise ValueError(f"mu and sigma must be 1-D arrays of the same shape (latent_dim,), "
                         f"got {mu.shape} and {sigma.shape}")
    if not (np.isfinite(mu).all() and np.isfinite(sigma).all()):
        raise ValueError("mu and sigma must be finite")
    if np.any(sigma <= 0):
        raise ValueError("sigma must be positive everywhere")
    eps = _checks.finite_matrix(eps, "eps", mu.shape[0])
    return mu, sigma, eps


def pathwise_gradients(grad_f: Callable, mu, sigma, eps) -> tuple[np.ndarray, np.ndarray]:
    """Per-sample pathwise estimates of d/dmu and d/dsigma of E_q[f(z)], each of shape (n, J).

    ``grad_f(z)`` maps an (n, J) array of points to the (n, J) array of gradients of f.
    """
    mu, sigma, eps = _mu_sigma_eps(mu, sigma, eps)
    z = mu + sigma * eps
    g = np.asarray(grad_f(z), dtype=float)
    if g.shape != z.shape:
        raise ValueError(f"grad_f must return shape {z.shape}, got {g.shape}")
    return g, g * eps


def score_function_gradients(f: Callable, mu, sigma, eps, baseline=0.0) -> tuple[np.ndarray, np.ndarray]:
    """Per-sample score-function estimates of d/dmu and d/dsigma of E_q[f(z)], each (n, J).

    ``f(z)`` maps an (n, J) array to the (n,) values of f. ``baseline`` is a number subtracted
    from f (it must not depend on the sample it multiplies), or ``"leave-one-out"``: sample i uses
    the mean of f over the other n - 1 samples, which is independent of z_i and so keeps the
    estimator unbiased.
    """
    mu, sigma, eps = _mu_sigma_eps(mu, sigma, eps)
    z = mu + sigma * eps
    fz = np.asarray(f(z), dtype=float)
    n = z.shape[0]
    if fz.shape != (n,):
        raise ValueError(f"f must return shape ({n},), got {fz.shape}")
    if isinstance(baseline, str):
        if baseline != "leave-one-out":
            raise ValueError(f"baseline must be a number or 'leave-one-out', got {baseline!r}")
        if n < 2:
            raise ValueError("a leave-one-out baseline needs at least 2 samples")
        b = (fz.sum() - fz) / (n - 1)
    else:
        b = float(baseline)
        if not np.isfinite(b):
            raise ValueError(f"baseline must be finite, got {b}")
    w = (fz - b)[:, None]
    # z - mu = sigma * eps, so the scores are eps / sigma and (eps^2 - 1) / sigma
    return w * (eps / sigma), w * ((eps * eps - 1.0) / sigma)


def mean_and_se(samples, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sample mean and its standard error (sample std with ddof=1, over sqrt(n)) along ``axis``."""
    samples = np.asarray(samples, dtype=float)
    n = samples.shape[axis]
    if n < 2:
        raise ValueError(f"a standard error needs at least 2 samples, got {n}")
    return samples.mean(axis=axis), samples.std(axis=axis, ddof=1) / np.sqrt(n)


def blocked_gradients(mu, log_var) -> np.ndarray:
    r"""Gradient of the per-point loss with respect to the encoder's ``(mu, log_var)`` when the
    sample z is held constant (a gradient *blocked* at the sample), one row per point.

    With z fixed, the reconstruction term -log p(x | z) does not depend on (mu, log_var); only the
    KL term does: :math:`\partial\mathrm{KL}/\partial\mu = \mu` and
    :math:`\partial\mathrm{KL}/\partial\log\sigma^2 = \tfrac12(\sigma^2 - 1)`. Inputs have shape
    (batch, latent_dim); the result has shape (batch, 2 latent_dim): the mu part, then the
    log_var part (the layout of the encoder's output).
    """
    mu, log_var = _checks.same_shape_matrices(mu=mu, log_var=log_var)
    return np.concatenate(kl_standard_grads(mu, log_var), axis=1)


@dataclass(frozen=True)
class TestFunction:
    r"""A function f: R^J -> R with E_q[f] and its gradient known exactly for q = N(mu, diag sigma^2).

    ``f(z)``: (n, J) -> (n,); ``grad(z)``: (n, J) -> (n, J); ``expectation(mu, sigma)`` -> float;
    ``exact_gradients(mu, sigma)`` -> (d/dmu, d/dsigma), each of shape (J,).
    """

    name: str
    f: Callable
    grad: Callable
    expectation: Callable
    exact_gradients: Callable

    __test__ = False  # not a pytest test class


def sine(offset: float = 0.0) -> TestFunction:
    r"""f(z) = sum_j sin(z_j) + offset.

    E_q[sin z_j] = sin(mu_j) exp(-sigma_j^2 / 2), so d/dmu_j = cos(mu_j) exp(-sigma_j^2/2) and
    d/dsigma_j = -sigma_j sin(mu_j) exp(-sigma_j^2/2). The offset changes neither gradient.
    """
    offset = float(offset)
    if not np.isfinite(offset):
        raise ValueError(f"offset must be finite, got {offset}")

    def expectation(mu, sigma):
        mu, sigma = np.asarray(mu, float), np.asarray(sigma, float)
        return float(np.sum(np.sin(mu) * np.exp(-0.5 * sigma**2)) + offset)

    def exact(mu, sigma):
        mu, sigma = np.atleast_1d(np.asarray(mu, float)), np.atleast_1d(np.asarray(sigma, float))
        damp = np.exp(-0.5 * sigma**2)
        return np.cos(mu) * damp, -sigma * np.sin(mu) * damp

    return TestFunction(f"sin(z) + {offset:g}" if offset else "sin(z)",
                        lambda z: np.sin(z).sum(axis=1) + offset, np.cos, expectation, exact)


def quadratic(c: float = 0.0) -> TestFunction:
    r"""f(z) = sum_j (z_j - c)^2, with E_q[f] = sum_j (mu_j - c)^2 + sigma_j^2.

    So d/dmu_j = 2 (mu_j - c) and d/dsigma_j = 2 sigma_j.
    """
    c = float(c)
    if not np.isfinite(c):
        raise ValueError(f"c must be finite, got {c}")

    def expectation(mu, sigma):
        mu, sigma = np.asarray(mu, float), np.asarray(sigma, float)
        return float(np.sum((mu - c) ** 2 + sigma**2))

    def exact(mu, sigma):
        mu, sigma = np.atleast_1d(np.asarray(mu, float)), np.atleast_1d(np.asarray(sigma, float))
        return 2.0 * (mu - c), 2.0 * sigma

    return TestFunction(f"(z - {c:g})^2", lambda z: ((z - c) ** 2).sum(axis=1),
                        lambda z: 2.0 * (z - c), expectation, exact)


def estimator_variance(estimator: str, fn: TestFunction, mu, sigma, sizes, repeats: int,
                       rng: np.random.Generator, baseline=0.0) -> dict[str, np.ndarray]:
    """Variance, over ``repeats`` independent runs, of the n-sample mean estimate, for n in ``sizes``.

    ``estimator`` is ``"pathwise"`` or ``"score"``. Returns ``{"sizes", "var_mu", "var_sigma"}``;
    ``var_mu`` and ``var_sigma`` have shape (len(sizes), J).
    """
    if estimator not in ("pathwise", "score"):
        raise ValueError(f"estimator must be 'pathwise' or 'score', got {estimator!r}")
    sizes = np.asarray(sizes)
    if sizes.ndim != 1 or sizes.size == 0:
        raise ValueError("sizes must be a non-empty 1-D list of sample sizes")
    sizes = [_checks.positive_int(s, "every sample size") for s in sizes.tolist()]
    if estimator == "score" and isinstance(baseline, str) and min(sizes) < 2:
        raise ValueError("a leave-one-out baseline needs sample sizes of at least 2")
    repeats = _checks.positive_int(repeats, "repeats")
    if repeats < 2:
        raise ValueError("repeats must be at least 2 to measure a variance")
    rng = _checks.generator(rng)
    mu = np.atleast_1d(np.asarray(mu, float))
    J = mu.shape[0]
    var_mu, var_sigma = np.zeros((len(sizes), J)), np.zeros((len(sizes), J))
    for k, n in enumerate(sizes):
        eps = rng.standard_normal((repeats * n, J))
        if estimator == "pathwise":
            g_mu, g_sigma = pathwise_gradients(fn.grad, mu, sigma, eps)
        else:
            g_mu = np.empty_like(eps)
            g_sigma = np.empty_like(eps)
            for r in range(repeats):  # the baseline (if leave-one-out) uses only its own run
                s = slice(r * n, (r + 1) * n)
                g_mu[s], g_sigma[s] = score_function_gradients(fn.f, mu, sigma, eps[s], baseline)
        var_mu[k] = g_mu.reshape(repeats, n, J).mean(axis=1).var(axis=0, ddof=1)
        var_sigma[k] = g_sigma.reshape(repeats, n, J).mean(axis=1).var(axis=0, ddof=1)
    return {"sizes": np.asarray(sizes), "var_mu": var_mu, "var_sigma": var_sigma}
