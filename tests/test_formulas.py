"""The core formulas (vaebook.formulas): values against written-out maths, gradients against finite
differences, and the edge values (infinities, empty axes, overflow)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import vaebook as vb
from vaebook import formulas as F
from vaebook._engine import TrainingEngine

RNG = np.random.default_rng(0)


def num_grad(f, x, h=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


# ------------------------------------------------------------------------------- log_mean_exp
def test_log_mean_exp_is_the_log_of_the_mean():
    a = RNG.normal(size=(3, 5)) * 10
    np.testing.assert_allclose(F.log_mean_exp(a, axis=1), np.log(np.exp(a).mean(axis=1)), rtol=1e-13)
    np.testing.assert_allclose(F.log_mean_exp(a, axis=0), np.log(np.exp(a).mean(axis=0)), rtol=1e-13)
    assert F.log_mean_exp([1000.0, 1000.0]) == pytest.approx(1000.0, rel=1e-15)       # no overflow
    assert F.log_mean_exp([-1000.0, -1000.0 + np.log(3.0)]) == pytest.approx(-1000.0 + np.log(2.0))


def test_log_mean_exp_of_infinite_rows_without_warnings():
    a = np.array([[-np.inf, -np.inf], [0.0, np.inf], [-np.inf, np.inf], [-np.inf, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.log_mean_exp(a, axis=1)
    np.testing.assert_array_equal(out, [-np.inf, np.inf, np.inf, np.log(0.5)])
    assert np.isnan(F.log_mean_exp([np.nan, 0.0]))          # NaN propagates (a primitive)


@pytest.mark.parametrize("a, axis", [(np.zeros((3, 0)), 1), (np.zeros((0, 2)), 0), (np.zeros(0), -1)])
def test_log_mean_exp_of_an_empty_axis_is_an_error(a, axis):
    with pytest.raises(ValueError, match="empty axis"):
        F.log_mean_exp(a, axis=axis)
    with pytest.raises(ValueError, match="scalar"):
        F.log_mean_exp(3.0)


# ----------------------------------------------------------------------- densities, divergences
def test_sigmoid_and_bernoulli_log_prob():
    a = np.array([-800.0, -3.0, 0.0, 2.5, 800.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = F.sigmoid(a)
    np.testing.assert_allclose(s[1:4], 1 / (1 + np.exp(-a[1:4])), rtol=1e-15)
    assert s[0] == 0.0 and s[-1] == 1.0
    x = np.array([[1.0, 0.0, 0.3]])
    logits = np.array([[0.2, -1.0, 2.0]])
    p = 1 / (1 + np.exp(-logits))
    np.testing.assert_allclose(F.bernoulli_log_prob(x, logits), np.sum(x * np.log(p) + (1 - x) * np.log(1 - p)),
                               rtol=1e-14)


def test_log_normal_full_equals_diag_and_rejects_a_bad_covariance():
    x, m, v = RNG.normal(size=(4, 3)), RNG.normal(size=3), np.array([0.5, 1.0, 2.0])
    np.testing.assert_allclose(F.log_normal_full(x, m, np.diag(v)), F.log_normal_diag(x, m, v), rtol=1e-13)
    with pytest.raises(ValueError, match="positive definite"):
        F.log_normal_full(x, m, np.diag([1.0, -1.0, 1.0]))
    with pytest.raises(ValueError, match="square"):
        F.log_normal_full(x, m, np.ones((3, 2)))


def test_kl_overflow_is_infinite_not_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kl = F.kl_diag_to_standard(np.zeros((1, 2)), np.array([[0.0, 1000.0]]))
    assert kl[0] == np.inf


def test_kl_mvn_against_the_diagonal_closed_form():
    mq, vq = np.array([0.3, -1.0]), np.array([0.5, 2.0])
    assert F.kl_mvn(mq, np.diag(vq), np.zeros(2), np.eye(2)) == pytest.approx(
        F.kl_diag_to_standard(mq[None], np.log(vq)[None])[0], rel=1e-13)


def test_integrate_is_the_trapezoidal_rule():
    g = np.array([0.0, 1.0, 3.0])
    assert F.integrate(np.array([1.0, 3.0, 5.0]), g) == pytest.approx(0.5 * (1 + 3) * 1 + 0.5 * (3 + 5) * 2)
    with pytest.raises(ValueError, match="increasing"):
        F.integrate(np.ones(3), [0.0, 2.0, 1.0])


# ----------------------------------------------------------------------------- the gradients
def test_reparam_backward_is_the_gradient_of_reparam_forward():
    mu, lv, eps, w = RNG.normal(size=(3, 2)), RNG.normal(size=(3, 2)), RNG.normal(size=(3, 2)), RNG.normal(size=(3, 2))
    z, sigma = F.reparam_forward(mu, lv, eps)
    np.testing.assert_allclose(z, mu + np.exp(lv / 2) * eps, rtol=1e-15)
    dmu, dlv = F.reparam_backward(w, sigma, eps)             # d/d(mu, lv) of sum(w * z)
    np.testing.assert_allclose(dmu, num_grad(lambda m: np.sum(w * F.reparam_forward(m, lv, eps)[0]), mu), atol=1e-8)
    np.testing.assert_allclose(dlv, num_grad(lambda v: np.sum(w * F.reparam_forward(mu, v, eps)[0]), lv), atol=1e-8)


def test_kl_standard_grads_are_the_gradient_of_the_kl():
    mu, lv = RNG.normal(size=(3, 2)), RNG.normal(size=(3, 2))
    dmu, dlv = F.kl_standard_grads(mu, lv)
    np.testing.assert_allclose(dmu, num_grad(lambda m: F.kl_diag_to_standard(m, lv).sum(), mu), atol=1e-8)
    np.testing.assert_allclose(dlv, num_grad(lambda v: F.kl_diag_to_standard(mu, v).sum(), lv), atol=1e-8)


def test_gaussian_and_bernoulli_nll_grads():
    x, mean, lvar = RNG.normal(size=(3, 2)), RNG.normal(size=(3, 2)), RNG.normal(size=2)
    dmean, dlv = F.gaussian_nll_grads(x, mean, np.exp(lvar))
    np.testing.assert_allclose(dmean, num_grad(lambda m: -F.log_normal_diag(x, m, np.exp(lvar)).sum(), mean),
                               atol=1e-7)
    np.testing.assert_allclose(dlv.sum(axis=0), num_grad(lambda v: -F.log_normal_diag(x, mean, np.exp(v)).sum(), lvar),
                               atol=1e-7)
    xb, a = RNG.uniform(size=(3, 2)), RNG.normal(size=(3, 2))
    np.testing.assert_allclose(F.bernoulli_nll_grad(xb, a), num_grad(lambda b: -F.bernoulli_log_prob(xb, b).sum(), a),
                               atol=1e-8)


@pytest.mark.parametrize("likelihood, sigma2", [("gaussian", 0.5), ("gaussian", "learned"), ("bernoulli", None)])
def test_the_engine_copy_of_the_gradient_formulas_equals_the_formulas(likelihood, sigma2):
    """The engine keeps its own, in-place copy of the decoder, KL and reparameterisation gradients
    (vaebook/_engine.py); one step of it equals the reference built on the formulas."""
    cfg = vb.VAEConfig(3, 2, (4,), (5,), likelihood=likelihood, sigma2=sigma2)
    p = vb.init_params(cfg, np.random.default_rng(1))
    p.vector += 0.1 * np.random.default_rng(2).normal(size=p.vector.size)
    x = np.random.default_rng(3).uniform(size=(7, 3))
    eps = np.random.default_rng(4).normal(size=(7, 2))
    _, ref = vb.loss_and_grads(p, cfg, x, eps, 0.7)

    class Capture:
        def step(self, params, grads):
            self.grads = grads.copy()
    opt = Capture()
    TrainingEngine(p.copy(), cfg).epoch(x, eps, 7, 0.7, opt)
    np.testing.assert_allclose(opt.grads.vector, ref.vector, rtol=1e-11, atol=1e-14)


# ---------------------------------------------------------------------------- overflow in the loss
def test_an_overflowing_log_variance_is_a_clear_error_not_a_nan_loss():
    cfg = vb.VAEConfig(2, 2, (4,), (4,))
    p = vb.init_params(cfg, np.random.default_rng(0))
    p["enc_out_b"] = [0.0, 0.0, 2000.0, 0.0]                   # log sigma_1^2 = 2000: exp overflows
    x, eps = np.ones((3, 2)), np.ones((3, 2))
    with pytest.raises(FloatingPointError, match="log-variance"):
        with np.errstate(over="ignore", invalid="ignore"):
            vb.vae_forward(p, cfg, x, eps)
    with pytest.raises(FloatingPointError, match="log-variance"):
        with np.errstate(over="ignore", invalid="ignore"):
            vb.elbo_terms(p, cfg, x, np.zeros((3, 2)))        # eps = 0: inf * 0 would be a silent NaN


def test_kl_mvn_against_independent_coordinates_with_a_general_p():
    """For diagonal covariances KL is the sum of the 1-D KLs: with p not standard, every term of
    the formula (the trace, the mean difference, both log-determinants) counts."""
    mq, vq, mp, vp = np.array([0.3, -1.0]), np.array([0.5, 3.0]), np.array([1.5, 0.2]), np.array([3.0, 0.7])
    assert F.kl_mvn(mq, np.diag(vq), mp, np.diag(vp)) == pytest.approx(
        float(np.sum(F.kl_normal_1d(mq, vq, mp, vp))), rel=1e-13)


def test_bernoulli_log_prob_sums_over_the_last_axis_only():
    x, a = RNG.uniform(size=(2, 3, 4)), RNG.normal(size=(2, 3, 4))
    np.testing.assert_allclose(F.bernoulli_log_prob(x, a), np.sum(x * a - np.log1p(np.exp(a)), axis=2), rtol=1e-13)


def test_integrate_integrates_each_row():
    g = np.linspace(0.0, 2.0, 5)
    np.testing.assert_allclose(F.integrate(np.stack([np.ones(5), g]), g), [2.0, 2.0], rtol=1e-14)


def test_kl_per_dimension_and_leading_axes():
    mu, lv = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 3, 4))
    terms = F.kl_diag_to_standard(mu, lv, per_dimension=True)
    np.testing.assert_allclose(terms, 0.5 * (mu**2 + np.exp(lv) - 1 - lv), rtol=1e-14)
    np.testing.assert_allclose(F.kl_diag_to_standard(mu, lv), terms.sum(axis=2), rtol=1e-14)


def test_log_mean_exp_keeps_the_other_axes():
    assert F.log_mean_exp(np.zeros((1, 3)), axis=1).shape == (1,)
    assert F.log_mean_exp(np.zeros((3, 1)), axis=0).shape == (1,)
