"""Tests of chapter 4's claims about the loss: the decoder variance as a KL weight, which constant
may be dropped with a learned variance, the batch convention, and the noise limit of decoder draws."""
from __future__ import annotations

import numpy as np
import pytest

from vaebook import (
    VAEConfig,
    decode,
    decoder_variance,
    encode,
    init_params,
    kl_diag_to_standard,
    log_normal_diag,
    loss_and_grads,
    make_mixture,
    reparameterize,
    sample,
    vae_forward,
)
from vaebook.data import CENTERS
from vaebook.metrics import fraction_near_centers


def _batch(seed=0, n=64):
    X, _ = make_mixture(2000, np.random.default_rng(seed))
    rng = np.random.default_rng(seed + 1)
    return X[rng.choice(len(X), size=n, replace=False)], rng.standard_normal((n, 2))


@pytest.mark.parametrize("s", [0.05, 0.3, 2.0])
def test_fixed_variance_is_a_kl_weight(s):
    # -ELBO with sigma_x^2 = s, times 2s, has the gradients of the loss with sigma_x^2 = 1/2, beta = 2s
    x, eps = _batch()
    params = init_params(VAEConfig(data_dim=2, latent_dim=2), np.random.default_rng(3))
    _, g_s = loss_and_grads(params, VAEConfig(data_dim=2, latent_dim=2, sigma2=s), x, eps)
    _, g_half = loss_and_grads(params, VAEConfig(data_dim=2, latent_dim=2, sigma2=0.5), x, eps, beta=2 * s)
    np.testing.assert_allclose(2 * s * g_s.vector, g_half.vector, rtol=1e-10, atol=1e-12 * np.abs(g_half.vector).max())
    # and not the gradients of beta = s (a common slip: the weight is 2 sigma_x^2, not sigma_x^2)
    _, g_wrong = loss_and_grads(params, VAEConfig(data_dim=2, latent_dim=2, sigma2=0.5), x, eps, beta=s)
    assert np.max(np.abs(2 * s * g_s.vector - g_wrong.vector)) > 1e-3 * np.abs(g_half.vector).max()


def test_learned_variance_gradient_needs_the_log_term():
    # d/d log s2_d of the batch mean of -log N(x; x_hat, s2) is 1/2 - m_d / (2 s2_d): zero at s2_d = m_d.
    # Without (D/2) log s2 it would be -m_d / (2 s2_d) < 0 for every s2: the variance would grow forever.
    cfg = VAEConfig(data_dim=2, latent_dim=2, sigma2="learned")
    params = init_params(cfg, np.random.default_rng(4))
    params["dec_log_sigma2"] = np.array([-1.3, 0.4])
    x, eps = _batch(seed=5)
    _, grads = loss_and_grads(params, cfg, x, eps)
    mu, log_var = encode(params, cfg, x)
    m = np.mean((x - decode(params, cfg, reparameterize(mu, log_var, eps))) ** 2, axis=0)
    s2 = decoder_variance(params, cfg)
    np.testing.assert_allclose(grads["dec_log_sigma2"], 0.5 - m / (2 * s2), rtol=1e-10, atol=1e-12)
    # at s2 = m the gradient vanishes
    params["dec_log_sigma2"] = np.log(m)
    _, grads = loss_and_grads(params, cfg, x, eps)
    assert np.max(np.abs(grads["dec_log_sigma2"])) < 1e-12


def test_mean_reconstruction_plus_summed_kl_is_beta_n():
    x, eps = _batch(seed=6, n=32)
    cfg = VAEConfig(data_dim=2, latent_dim=2, sigma2=0.5)
    params = init_params(cfg, np.random.default_rng(7))
    losses, _ = vae_forward(params, cfg, x, eps)
    beta_n, _ = vae_forward(params, cfg, x, eps, beta=32)
    assert abs(losses["recon"] + 32 * losses["kl"] - beta_n["total"]) < 1e-10
    # the mean convention: the loss of a batch repeated twice is the loss of the batch
    twice, _ = vae_forward(params, cfg, np.vstack([x, x]), np.vstack([eps, eps]))
    assert abs(twice["total"] - losses["total"]) < 1e-12


@pytest.mark.parametrize("s2", [0.24, 0.5, 2.0])
def test_draws_from_a_mean_on_a_centre_land_near_it_with_the_stated_probability(s2):
    # the chapter's limit 1 - exp(-1 / (2 s2)) for a draw from N(c, s2 I) to land within 1 of c;
    # fraction_near_centers also counts the other centres, which adds a little for large s2
    n = 200_000
    x = CENTERS[0] + np.sqrt(s2) * np.random.default_rng(8).standard_normal((n, 2))
    within = np.linalg.norm(x - CENTERS[0], axis=1) <= 1.0
    p = 1 - np.exp(-1 / (2 * s2))
    assert abs(within.mean() - p) < 4 * np.sqrt(p * (1 - p) / n)
    assert p - 0.005 < fraction_near_centers(x) < p + 0.02


def test_sampling_with_noise_spreads_draws_by_the_decoder_variance():
    cfg = VAEConfig(data_dim=2, latent_dim=2, sigma2=2.0)
    params = init_params(cfg, np.random.default_rng(9))
    means = sample(params, cfg, 50_000, np.random.default_rng(10))
    draws = sample(params, cfg, 50_000, np.random.default_rng(10), noise=True)
    # same z, so draws - means ~ N(0, 2 I): variance 2 in each coordinate, SE about 0.013
    np.testing.assert_allclose(np.var(draws - means, axis=0), 2.0, atol=0.06)


@pytest.mark.parametrize("s2", [0.05, 0.5, 2.0])
def test_gaussian_nll_is_the_multivariate_density(s2):
    # eq-gauss-nll against the general formula with a covariance matrix, its determinant and inverse
    rng = np.random.default_rng(0)
    D = 5
    x, x_hat = rng.normal(size=D), rng.normal(size=D)
    cov, r = s2 * np.eye(D), x - x_hat
    direct = -np.log(np.exp(-0.5 * r @ np.linalg.inv(cov) @ r) / np.sqrt((2 * np.pi) ** D * np.linalg.det(cov)))
    formula = 0.5 * D * np.log(2 * np.pi * s2) + r @ r / (2 * s2)
    assert abs(direct - formula) <= 1e-12 * abs(direct)
    assert abs(-log_normal_diag(x, x_hat, np.full(D, s2)) - formula) <= 1e-12 * abs(direct)


def test_log_ratio_and_closed_form_kl_to_the_standard_normal():
    # eq-log-ratio at random points; eq-kl-closed in its "-1/2 (1 + ...)" form; zero at the prior
    rng = np.random.default_rng(5)
    J = 3
    mu, log_var = rng.normal(size=J), rng.normal(size=J)
    sigma2 = np.exp(log_var)
    zs = 2 * rng.normal(size=(5, J))
    lhs = log_normal_diag(zs, mu, sigma2) - log_normal_diag(zs, np.zeros(J), np.ones(J))
    rhs = -0.5 * np.sum((zs - mu) ** 2 / sigma2, axis=1) + 0.5 * np.sum(zs**2, axis=1) - 0.5 * np.sum(log_var)
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12, atol=1e-12)
    other = -0.5 * np.sum(1 + log_var - mu**2 - sigma2)
    assert abs(float(kl_diag_to_standard(mu, log_var)) - other) < 1e-12
    assert float(kl_diag_to_standard(np.zeros(J), np.zeros(J))) == 0.0


def test_library_loss_is_the_batch_loss_written_out():
    # eq-batch-loss term by term with the library's encoder and decoder
    x, eps = _batch(seed=7)
    cfg = VAEConfig(data_dim=2, latent_dim=2, sigma2=0.5)
    params = init_params(cfg, np.random.default_rng(8))
    losses, _ = vae_forward(params, cfg, x, eps)
    mu, log_var = encode(params, cfg, x)
    x_hat = decode(params, cfg, mu + np.exp(0.5 * log_var) * eps)
    recon = np.mean(np.sum((x - x_hat) ** 2, axis=1) / (2 * 0.5) + np.log(2 * np.pi * 0.5))
    kl = np.mean(0.5 * np.sum(mu**2 + np.exp(log_var) - 1 - log_var, axis=1))
    assert abs(losses["recon"] - recon) < 1e-12 and abs(losses["kl"] - kl) < 1e-12
    assert abs(losses["total"] - (recon + kl)) < 1e-12
