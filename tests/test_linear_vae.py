"""vaebook.linear_vae: the closed-form optimum of the linear VAE and its collapse threshold."""
from __future__ import annotations

import numpy as np
import pytest

import vaebook as vb
from vaebook import linear_vae
from vaebook.exact import LinearGaussian
from vaebook.metrics import kl_per_dimension
from vaebook.variational import linear_gaussian_elbo


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    A = np.array([[2.0, 0.3, 0.0], [0.0, 1.0, 0.2], [0.1, 0.0, 0.5]])
    return rng.standard_normal((3000, 3)) @ A + np.array([1.0, -2.0, 0.5])


def test_predicted_rates_of_the_running_example():
    # Var(x_d) = 2^2 + 0.5^2 = 4.25 for both coordinates, sigma_x^2 = 0.5
    rates = [linear_vae.predicted_rate([4.25], 0.5, beta)[0] for beta in (1, 2, 4, 8, 9)]
    assert np.allclose(rates[:4], [0.5 * np.log(8.5), 0.5 * np.log(4.25), 0.5 * np.log(2.125),
                                   0.5 * np.log(1.0625)], rtol=0, atol=1e-12)
    assert [round(r, 2) for r in rates[:4]] == [1.07, 0.72, 0.38, 0.03]
    assert rates[4] == 0.0                                         # beta sigma^2 = 4.5 > 4.25
    assert linear_vae.collapse_beta([4.25], 0.5)[0] == pytest.approx(8.5)


def test_optimum_encoder_carries_the_predicted_rate(data):
    lam, _, _ = linear_vae.data_eigen(data)
    for sigma2, beta in [(0.5, 1.0), (0.5, 2.0), (0.2, 4.0), (1.0, 1.0)]:
        opt = linear_vae.optimum(data, sigma2, 3, beta)
        mu = data @ opt["enc_W"] + opt["enc_b"]
        measured = kl_per_dimension(mu, np.tile(opt["log_var"], (len(data), 1)))
        assert np.allclose(measured, linear_vae.predicted_rate(lam, sigma2, beta), rtol=0, atol=1e-10)
    # with sigma^2 between the eigenvalues, exactly the small ones collapse
    s = 0.5 * (lam[1] + lam[2])
    assert (linear_vae.predicted_rate(lam, s) > 0).tolist() == [True, True, False]


def test_optimum_is_tight_and_maximises_the_elbo_at_beta_1(data):
    """At beta = 1 the optimum's ELBO equals log p(x) of probabilistic PCA (q is the exact
    posterior), and moving W away lowers the ELBO."""
    opt = linear_vae.optimum(data, 0.3, 2)
    model = LinearGaussian(opt["W"], opt["b"], np.sqrt(0.3))
    q_mean = data @ opt["enc_W"] + opt["enc_b"]
    q_log_var = np.tile(opt["log_var"], (len(data), 1))
    best = linear_gaussian_elbo(model, data, q_mean, q_log_var).mean()
    assert abs(best - model.log_evidence(data).mean()) < 1e-10
    post_mean, post_cov = model.posterior(data)
    assert np.allclose(post_mean, q_mean, atol=1e-10) and np.allclose(np.diag(post_cov), np.exp(opt["log_var"]))
    rng = np.random.default_rng(1)
    for _ in range(5):
        other = LinearGaussian(opt["W"] + 0.05 * rng.standard_normal(opt["W"].shape), opt["b"], np.sqrt(0.3))
        assert other.log_evidence(data).mean() < best


def test_training_a_linear_vae_reaches_the_predicted_rate():
    """The library's VAE with no hidden layers is a linear VAE: SGD finds the predicted rate."""
    rng = np.random.default_rng(0)
    X, _ = vb.make_mixture(1000, rng)
    lam, _, _ = linear_vae.data_eigen(X)
    cfg = vb.VAEConfig(2, 2, (), (), sigma2=0.5, init_scale=0.1)
    params = vb.init_params(cfg, rng)
    vb.train(params, cfg, X, epochs=200, batch_size=64, optimizer=vb.SGD(0.01), rng=rng, beta=2.0)
    measured = np.sort(kl_per_dimension(*vb.encode(params, cfg, X)))[::-1]
    assert np.allclose(measured, linear_vae.predicted_rate(lam, 0.5, 2.0), rtol=0, atol=0.02)


def test_bad_input_is_rejected(data):
    with pytest.raises(ValueError, match="eigenvalues"):
        linear_vae.predicted_rate([4.0, -1.0], 0.5)
    with pytest.raises(ValueError, match="sigma2"):
        linear_vae.predicted_rate([4.0], 0.0)
    with pytest.raises(ValueError, match="beta"):
        linear_vae.predicted_rate([4.0], 0.5, beta=np.nan)
    with pytest.raises(ValueError, match="latent_dim"):
        linear_vae.optimum(data, 0.5, 4)
    with pytest.raises(ValueError, match="two points"):
        linear_vae.data_eigen(data[:1])
    with pytest.raises(ValueError, match="NaN"):
        linear_vae.data_eigen(np.full((3, 2), np.nan))
