"""vaebook.inference_gap: per-point optimisation of q, and log p_theta(x) by quadrature.

With a linear decoder (no hidden layers) the VAE is a linear-Gaussian model, so the best
diagonal Gaussian q for each point, its ELBO and log p_theta(x) are all known in closed form.
"""
from __future__ import annotations

import numpy as np
import pytest

import vaebook as vb
from vaebook.exact import LinearGaussian
from vaebook.inference_gap import (
    elbo,
    gauss_hermite,
    latent_grid,
    log_evidence_grid,
    neg_elbo_and_grads,
    optimise_q,
)
from vaebook.variational import linear_gaussian_elbo


@pytest.fixture(scope="module")
def mlp():
    cfg = vb.VAEConfig(2, 2, (8,), (8,), sigma2=0.5)
    params = vb.init_params(cfg, np.random.default_rng(0))
    X, _ = vb.make_mixture(6, np.random.default_rng(1))
    m, v = vb.encode(params, cfg, X)
    return cfg, params, X, m, v


@pytest.fixture(scope="module")
def linear():
    """A VAE with a linear decoder and its linear-Gaussian twin."""
    cfg = vb.VAEConfig(2, 2, (8,), (), sigma2=0.3)
    params = vb.init_params(cfg, np.random.default_rng(2))
    params["dec_out_W"] = np.array([[1.2, -0.3], [0.4, 0.9]])   # (J, D): x_hat = z W + b
    params["dec_out_b"] = np.array([0.2, -0.1])
    twin = LinearGaussian(params["dec_out_W"].T, params["dec_out_b"], np.sqrt(0.3))
    X, _ = twin.sample(5, np.random.default_rng(3))
    return cfg, params, X, twin


def test_gauss_hermite_integrates_polynomials_exactly():
    eps, w = gauss_hermite(5, 2)
    assert eps.shape == (25, 2) and w.shape == (25,)
    assert abs(w.sum() - 1) < 1e-14
    assert abs(w @ (eps[:, 0] ** 2 * eps[:, 1] ** 4) - 3.0) < 1e-12   # E[e1^2] E[e2^4] = 1 * 3
    assert abs(w @ eps[:, 0] ** 8 - 105.0) < 1e-9      # E[e^8] = 105; five nodes are exact to degree 9
    assert abs(w @ (eps[:, 0] * eps[:, 1] ** 3)) < 1e-12


def test_gradients_match_finite_differences(mlp):
    cfg, params, X, m, v = mlp
    eps, w = gauss_hermite(4, 2)
    _, d_m, d_v = neg_elbo_and_grads(params, cfg, X, m, v, eps, w)
    h = 1e-6
    for j in range(2):
        e = np.zeros_like(m)
        e[:, j] = h
        fd_m = (neg_elbo_and_grads(params, cfg, X, m + e, v, eps, w)[0]
                - neg_elbo_and_grads(params, cfg, X, m - e, v, eps, w)[0]) / (2 * h)
        fd_v = (neg_elbo_and_grads(params, cfg, X, m, v + e, eps, w)[0]
                - neg_elbo_and_grads(params, cfg, X, m, v - e, eps, w)[0]) / (2 * h)
        assert np.max(np.abs(fd_m - d_m[:, j]) / (1 + np.abs(d_m[:, j]))) < 1e-7
        assert np.max(np.abs(fd_v - d_v[:, j]) / (1 + np.abs(d_v[:, j]))) < 1e-7


def test_gradients_match_the_training_gradients_of_an_encoder_that_ignores_x(mlp):
    """An encoder with zero weights outputs its last bias (m, v) for every x: the training
    gradient of that bias on a batch of one point's S samples is d(-ELBO)/d(m, v)."""
    cfg, params, X, m, v = mlp
    eps = np.random.default_rng(4).standard_normal((16, 2))
    _, d_m, d_v = neg_elbo_and_grads(params, cfg, X, m, v, eps)
    for i in range(len(X)):
        p = params.copy()
        for name in cfg.enc_layers:
            p[name + "_W"] = np.zeros_like(p[name + "_W"])
            p[name + "_b"] = np.zeros_like(p[name + "_b"])
        p["enc_out_b"] = np.concatenate([m[i], v[i]])
        losses, grads = vb.loss_and_grads(p, cfg, np.repeat(X[i:i + 1], len(eps), axis=0), eps)
        assert np.allclose(grads["enc_out_b"], np.concatenate([d_m[i], d_v[i]]), rtol=1e-10, atol=1e-12)
        value = neg_elbo_and_grads(params, cfg, X[i:i + 1], m[i:i + 1], v[i:i + 1], eps)[0][0]
        assert abs(losses["total"] - value) < 1e-10


def test_linear_decoder_elbo_is_the_closed_form(linear):
    cfg, params, X, twin = linear
    m = np.random.default_rng(5).normal(size=(len(X), 2))
    v = np.random.default_rng(6).normal(-1, 0.3, size=(len(X), 2))
    eps, w = gauss_hermite(3, 2)        # the integrand is quadratic in z: three nodes are exact
    assert np.allclose(elbo(params, cfg, X, m, v, eps, w), linear_gaussian_elbo(twin, X, m, v),
                       rtol=0, atol=1e-10)


def test_optimise_q_finds_the_best_diagonal_gaussian(linear):
    """For a linear-Gaussian model the best diagonal q has the posterior mean and variances
    1 / diag(posterior precision)."""
    cfg, params, X, twin = linear
    eps, w = gauss_hermite(3, 2)
    start = np.zeros((len(X), 2))                     # from the prior N(0, I)
    m, v, history = optimise_q(params, cfg, X, eps, w, steps=2000, lr=0.1, q_mean=start,
                               q_log_var=start)
    post_mean, post_cov = twin.posterior(X)
    best_var = 1.0 / np.diag(np.linalg.inv(post_cov))
    assert np.max(np.abs(m - post_mean)) < 1e-4
    assert np.max(np.abs(np.exp(v) - best_var)) < 1e-4
    assert history[-1] < history[0] and history.shape == (2001,)


def test_log_evidence_grid_matches_the_closed_form(linear):
    cfg, params, X, twin = linear
    assert np.allclose(log_evidence_grid(params, cfg, X, limit=7.0, n_grid=281), twin.log_evidence(X),
                       rtol=0, atol=1e-8)
    Z, area = latent_grid(2.0, 5)
    assert Z.shape == (25, 2) and area == pytest.approx(1.0)


def test_bad_input_is_rejected(mlp):
    cfg, params, X, m, v = mlp
    eps, w = gauss_hermite(2, 2)
    with pytest.raises(ValueError, match="weights must sum to 1"):
        neg_elbo_and_grads(params, cfg, X, m, v, eps, 2 * w)
    with pytest.raises(ValueError, match="weights must be"):
        neg_elbo_and_grads(params, cfg, X, m, v, eps, w[:-1])
    with pytest.raises(ValueError, match="q_mean"):
        neg_elbo_and_grads(params, cfg, X, m[:-1], v, eps, w)
    with pytest.raises(ValueError, match="NaN"):
        neg_elbo_and_grads(params, cfg, X, np.full_like(m, np.nan), v, eps, w)
    with pytest.raises(ValueError, match="eps"):
        neg_elbo_and_grads(params, cfg, X, m, v, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="latent_dim = 2"):
        cfg3 = vb.VAEConfig(2, 3, (4,), (4,))
        log_evidence_grid(vb.init_params(cfg3, np.random.default_rng(0)), cfg3, X)
    with pytest.raises(ValueError, match="Gaussian decoder"):
        cfgb = vb.VAEConfig(2, 2, (4,), (4,), likelihood="bernoulli")
        neg_elbo_and_grads(vb.init_params(cfgb, np.random.default_rng(0)), cfgb, X * 0, m, v, eps, w)
    with pytest.raises(ValueError, match="n_grid"):
        latent_grid(1.0, 2)
    with pytest.raises(ValueError, match="steps"):
        optimise_q(params, cfg, X, eps, w, steps=0)
