"""Latent densities other than the prior (vaebook.latent_density) and the MMD permutation test.

Each test compares with an independent computation: closed-form moments, a loop over
components, quadrature of a density, explicit permutations, or the error rate of the test under
the null hypothesis.
"""
from __future__ import annotations

import numpy as np
import pytest

from vaebook import metrics
from vaebook.latent_density import (
    GaussianMixture,
    fit_gaussian_mixture,
    log_aggregate_posterior,
    sample_aggregate_posterior,
)


def encoder_outputs(n=5, J=2, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, 1.5, (n, J)), rng.normal(-1.0, 0.5, (n, J))


def quadrature_mass(log_density, lim=8.0, n=401):
    g = np.linspace(-lim, lim, n)
    G1, G2 = np.meshgrid(g, g)
    Z = np.column_stack([G1.ravel(), G2.ravel()])
    return np.exp(log_density(Z)).sum() * (g[1] - g[0]) ** 2


# ----------------------------------------------------------------------------------------------
# The aggregate posterior
# ----------------------------------------------------------------------------------------------
def test_aggregate_samples_have_the_mixture_moments():
    mu, log_var = encoder_outputs()
    z = sample_aggregate_posterior(mu, log_var, 200_000, np.random.default_rng(1))
    var = np.exp(log_var)
    mean = mu.mean(axis=0)                                    # mean of the component means
    cov = np.diag(var.mean(axis=0)) + np.cov(mu.T, bias=True)  # E[diag var] + Cov(mu)
    se = np.sqrt(np.diag(cov) / len(z))
    assert z.shape == (200_000, 2)
    assert np.all(np.abs(z.mean(axis=0) - mean) < 5 * se)
    assert np.allclose(np.cov(z.T, bias=True), cov, atol=0.03)


def test_aggregate_samples_pick_points_uniformly_and_sample_their_gaussian():
    mu, _ = encoder_outputs(n=4)
    log_var = np.full_like(mu, np.log(1e-8))               # nearly point masses
    z = sample_aggregate_posterior(mu, log_var, 40_000, np.random.default_rng(2))
    nearest = np.argmin(((z[:, None] - mu[None]) ** 2).sum(axis=2), axis=1)
    assert np.abs(z - mu[nearest]).max() < 1e-3
    share = np.bincount(nearest, minlength=4) / len(z)
    assert np.all(np.abs(share - 0.25) < 5 * np.sqrt(0.25 * 0.75 / len(z)))


def test_log_aggregate_posterior_is_the_mean_of_the_component_densities():
    mu, log_var = encoder_outputs(n=7)
    z = np.random.default_rng(3).normal(size=(9, 2))
    direct = np.zeros(len(z))
    for m, lv in zip(mu, log_var):                          # one Gaussian at a time
        s2 = np.exp(lv)
        direct += np.exp(-0.5 * ((z - m) ** 2 / s2).sum(axis=1)) / (2 * np.pi * np.sqrt(s2.prod()))
    direct /= len(mu)
    got = log_aggregate_posterior(z, mu, log_var, chunk=4)   # chunks of 4 rows, 9 rows in all
    assert np.allclose(got, np.log(direct), rtol=1e-12, atol=1e-12)
    assert abs(quadrature_mass(lambda Z: log_aggregate_posterior(Z, mu, log_var)) - 1) < 1e-4


def test_log_aggregate_posterior_does_not_underflow_far_from_the_codes():
    mu, log_var = np.zeros((3, 2)), np.full((3, 2), np.log(0.01))
    far = log_aggregate_posterior(np.array([[40.0, 0.0]]), mu, log_var)
    assert np.isfinite(far[0]) and far[0] < -1e4


# ----------------------------------------------------------------------------------------------
# The Gaussian mixture fitted by EM
# ----------------------------------------------------------------------------------------------
TRUE_W = np.array([0.5, 0.3, 0.2])
TRUE_M = np.array([[-3.0, 0.0], [2.0, 2.0], [2.0, -3.0]])
TRUE_C = np.array([[[1.0, 0.3], [0.3, 0.5]], [[0.4, 0.0], [0.0, 0.4]], [[0.6, -0.2], [-0.2, 0.3]]])


@pytest.fixture(scope="module")
def fitted():
    truth = GaussianMixture(TRUE_W, TRUE_M, TRUE_C, np.empty(0))
    Z = truth.sample(20_000, np.random.default_rng(4))
    return truth, Z, fit_gaussian_mixture(Z, 3, np.random.default_rng(5))


def test_em_recovers_a_known_mixture(fitted):
    _, _, gm = fitted
    order = np.argsort(-gm.weights)                          # the true weights are distinct
    assert np.allclose(gm.weights[order], TRUE_W, atol=0.02)
    assert np.allclose(gm.means[order], TRUE_M, atol=0.05)
    assert np.allclose(gm.covs[order], TRUE_C, atol=0.05)


def test_em_never_decreases_the_likelihood_and_reaches_the_truths(fitted):
    truth, Z, gm = fitted
    ll = gm.log_likelihoods
    assert len(ll) >= 3 and np.all(np.diff(ll) > -1e-10)
    assert ll[-1] == pytest.approx(gm.log_density(Z).mean(), abs=1e-7)
    # the maximum-likelihood fit is at least as likely as the truth on its own data
    assert ll[-1] >= truth.log_density(Z).mean() - 1e-7


def test_mixture_density_integrates_to_one_and_matches_a_loop(fitted):
    _, _, gm = fitted
    assert abs(quadrature_mass(gm.log_density, lim=9.0) - 1) < 1e-4
    z = np.array([[0.1, -0.2], [2.0, 2.0]])
    direct = sum(w * np.exp(-0.5 * np.einsum("ni,ij,nj->n", z - m, np.linalg.inv(C), z - m))
                 / (2 * np.pi * np.sqrt(np.linalg.det(C))) for w, m, C in zip(gm.weights, gm.means, gm.covs))
    assert np.allclose(gm.log_density(z), np.log(direct), rtol=1e-12)


def test_mixture_samples_have_the_mixture_moments(fitted):
    _, _, gm = fitted
    z = gm.sample(100_000, np.random.default_rng(6))
    mean = gm.weights @ gm.means
    second = np.einsum("k,kij->ij", gm.weights, gm.covs + np.einsum("ki,kj->kij", gm.means, gm.means))
    assert np.allclose(z.mean(axis=0), mean, atol=0.03)
    assert np.allclose(np.cov(z.T, bias=True), second - np.outer(mean, mean), atol=0.06)


def test_em_is_deterministic_given_the_seed(fitted):
    _, Z, _ = fitted
    a = fit_gaussian_mixture(Z[:500], 4, np.random.default_rng(7))
    b = fit_gaussian_mixture(Z[:500], 4, np.random.default_rng(7))
    assert np.array_equal(a.means, b.means) and np.array_equal(a.covs, b.covs)


@pytest.mark.parametrize("call, match", [
    (lambda: fit_gaussian_mixture(np.ones(10), 2, np.random.default_rng(0)), "2-D"),
    (lambda: fit_gaussian_mixture(np.full((5, 2), np.nan), 2, np.random.default_rng(0)), "NaN"),
    (lambda: fit_gaussian_mixture(np.zeros((5, 2)), 6, np.random.default_rng(0)), "must not exceed"),
    (lambda: fit_gaussian_mixture(np.zeros((5, 2)), 0, np.random.default_rng(0)), "n_components"),
    (lambda: fit_gaussian_mixture(np.zeros((5, 2)), 2, 0), "Generator"),
    (lambda: sample_aggregate_posterior(np.zeros((3, 2)), np.zeros((3, 3)), 5, np.random.default_rng(0)), "columns"),
    (lambda: sample_aggregate_posterior(np.zeros((3, 2)), np.zeros((4, 2)), 5, np.random.default_rng(0)), "same shape"),
    (lambda: sample_aggregate_posterior(np.zeros((3, 2)), np.zeros((3, 2)), 0, np.random.default_rng(0)), "n must"),
    (lambda: log_aggregate_posterior(np.zeros((2, 3)), np.zeros((3, 2)), np.zeros((3, 2))), "columns"),
    (lambda: metrics.mmd_permutation_test(np.zeros((5, 2)), np.zeros((5, 3)), np.random.default_rng(0)), "columns"),
    (lambda: metrics.mmd_permutation_test(np.zeros((1, 2)), np.zeros((5, 2)), np.random.default_rng(0)), "two points"),
    (lambda: metrics.mmd_permutation_test(np.zeros((5, 2)), np.zeros((5, 2)), np.random.default_rng(0),
                                          n_permutations=0), "n_permutations"),
    (lambda: metrics.mmd_permutation_test(np.zeros((5, 2)), np.zeros((5, 2)), None), "Generator"),
])
def test_bad_input_is_rejected(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ----------------------------------------------------------------------------------------------
# The MMD permutation test
# ----------------------------------------------------------------------------------------------
def test_permutation_statistics_are_the_mmd_of_the_permuted_samples():
    rng = np.random.default_rng(8)
    X, Y = rng.normal(size=(30, 2)), rng.normal(0.5, 1.0, size=(20, 2))
    stat, p, null = metrics.mmd_permutation_test(X, Y, np.random.default_rng(9), bandwidth=0.7,
                                                 n_permutations=5)
    assert stat == pytest.approx(metrics.mmd(X, Y, bandwidth=0.7), rel=1e-10)
    pooled, again = np.vstack([X, Y]), np.random.default_rng(9)   # replay the same permutations
    for value in null:
        perm = again.permutation(50)
        u = np.zeros(50, bool)
        u[perm[:30]] = True
        assert value == pytest.approx(metrics.mmd(pooled[u], pooled[~u], bandwidth=0.7), rel=1e-9, abs=1e-12)
    assert 1 / 6 <= p <= 1 and p * 6 == int(round(p * 6))       # (1 + count) / (1 + 5), never 0


def test_permutation_test_holds_its_level_under_the_null_and_detects_a_shift():
    rng = np.random.default_rng(10)
    p_null = np.array([metrics.mmd_permutation_test(rng.normal(size=(40, 2)), rng.normal(size=(40, 2)),
                                                    rng, n_permutations=99)[1] for _ in range(300)])
    # under the null the p-value is uniform on {1/100, ..., 1}: rejections at 5% are Binomial(300, 0.05)
    assert abs(np.mean(p_null <= 0.05) - 0.05) < 4 * np.sqrt(0.05 * 0.95 / 300)
    assert abs(np.mean(p_null) - 0.505) < 0.06
    _, p_shift, _ = metrics.mmd_permutation_test(rng.normal(size=(200, 2)), rng.normal(0.5, 1.0, size=(200, 2)),
                                                 rng, n_permutations=99)
    assert p_shift == 0.01                                     # the smallest value possible
