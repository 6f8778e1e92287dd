"""Tests of chapters 4-5's library code: gradient estimators and the two widgets."""
from __future__ import annotations

import numpy as np
import pytest

from vaebook import (
    VAEConfig,
    encode,
    init_params,
    kl_diag_to_standard,
    kl_normal_1d,
    loss_and_grads,
    make_mixture,
    numerical_gradient,
    relative_error,
    reparameterize,
    vae_forward,
)
from vaebook.estimators import (
    blocked_gradients,
    estimator_variance,
    mean_and_se,
    pathwise_gradients,
    quadratic,
    score_function_gradients,
    sine,
)
from vaebook.widgets import kl_widget, reparam_widget
from vaebook.widgets.reparam import READOUT_LABELS

FUNCTIONS = [sine(), sine(3.0), quadratic(0.7)]


# --- exact answers of the test functions ---------------------------------------------------------
@pytest.mark.parametrize("fn", FUNCTIONS, ids=lambda f: f.name)
def test_exact_gradients_match_finite_differences(fn):
    mu, sigma, h = np.array([0.4, -1.2]), np.array([0.7, 1.5]), 1e-6
    g_mu, g_sigma = fn.exact_gradients(mu, sigma)
    for j in range(2):
        e = np.eye(2)[j] * h
        fd_mu = (fn.expectation(mu + e, sigma) - fn.expectation(mu - e, sigma)) / (2 * h)
        fd_sigma = (fn.expectation(mu, sigma + e) - fn.expectation(mu, sigma - e)) / (2 * h)
        assert fd_mu == pytest.approx(g_mu[j], rel=1e-7, abs=1e-9)
        assert fd_sigma == pytest.approx(g_sigma[j], rel=1e-7, abs=1e-9)


@pytest.mark.parametrize("fn", FUNCTIONS, ids=lambda f: f.name)
def test_expectation_matches_monte_carlo(fn):
    mu, sigma = np.array([0.4, -1.2]), np.array([0.7, 1.5])
    z = mu + sigma * np.random.default_rng(0).standard_normal((200_000, 2))
    m, se = mean_and_se(fn.f(z))
    assert abs(m - fn.expectation(mu, sigma)) < 4 * se


def test_grad_matches_finite_differences_of_f():
    z = np.random.default_rng(1).normal(size=(6, 3))
    for fn in FUNCTIONS:
        fd = np.zeros_like(z)
        for j in range(3):
            e = np.zeros(3)
            e[j] = 1e-6
            fd[:, j] = (fn.f(z + e) - fn.f(z - e)) / 2e-6
        np.testing.assert_allclose(fn.grad(z), fd, rtol=1e-6, atol=1e-8)


# --- unbiasedness: every estimator within 4 standard errors of the exact gradient ----------------
@pytest.mark.parametrize("fn", FUNCTIONS, ids=lambda f: f.name)
@pytest.mark.parametrize("kind", ["pathwise", "score", "score-const-baseline", "score-loo"])
def test_estimators_unbiased(fn, kind):
    mu, sigma = np.array([0.5, -0.8]), np.array([0.6, 1.3])
    eps = np.random.default_rng(2).standard_normal((200_000, 2))
    if kind == "pathwise":
        g_mu, g_sigma = pathwise_gradients(fn.grad, mu, sigma, eps)
    elif kind == "score":
        g_mu, g_sigma = score_function_gradients(fn.f, mu, sigma, eps)
    elif kind == "score-const-baseline":
        g_mu, g_sigma = score_function_gradients(fn.f, mu, sigma, eps, baseline=fn.expectation(mu, sigma))
    else:
        g_mu, g_sigma = score_function_gradients(fn.f, mu, sigma, eps, baseline="leave-one-out")
    ex_mu, ex_sigma = fn.exact_gradients(mu, sigma)
    for g, ex in ((g_mu, ex_mu), (g_sigma, ex_sigma)):
        m, se = mean_and_se(g)
        assert np.all(np.abs(m - ex) < 4 * se), (m, se, ex)


def test_unbiasedness_check_has_power():
    """The 4-SE check used above flags an estimator that is 10% off (so it can fail).

    A baseline computed from the sample's own f(z_i), b_i = 0.1 f(z_i), gives 0.9 times the
    score-function estimate: a biased estimator.
    """
    fn, mu, sigma = sine(3.0), np.array([0.5]), np.array([0.6])
    eps = np.random.default_rng(3).standard_normal((200_000, 1))
    g_mu, _ = pathwise_gradients(fn.grad, mu, sigma, eps)
    s_mu, _ = score_function_gradients(fn.f, mu, sigma, eps)
    exact = fn.exact_gradients(mu, sigma)[0][0]
    for g in (0.9 * g_mu, 0.9 * s_mu):
        m, se = mean_and_se(g)
        assert abs(m[0] - exact) > 4 * se[0]


def test_pathwise_matches_hand_formula_and_score_uses_same_z():
    mu, sigma = np.array([0.3]), np.array([0.8])
    eps = np.array([[-1.0], [0.5], [2.0]])
    g_mu, g_sigma = pathwise_gradients(np.cos, mu, sigma, eps)
    z = 0.3 + 0.8 * eps
    np.testing.assert_allclose(g_mu, np.cos(z), atol=1e-14)
    np.testing.assert_allclose(g_sigma, np.cos(z) * eps, atol=1e-14)
    s_mu, s_sigma = score_function_gradients(lambda z: np.sin(z).sum(axis=1), mu, sigma, eps, baseline=0.25)
    np.testing.assert_allclose(s_mu, (np.sin(z) - 0.25) * (z - 0.3) / 0.8**2, atol=1e-14)
    np.testing.assert_allclose(s_sigma, (np.sin(z) - 0.25) * ((z - 0.3) ** 2 - 0.64) / 0.8**3, atol=1e-14)


def test_variance_scales_as_one_over_n_and_baseline_helps():
    rng = np.random.default_rng(4)
    sizes = [4, 64]
    p = estimator_variance("pathwise", sine(), [0.5], [0.5], sizes, 400, rng)
    s = estimator_variance("score", sine(5.0), [0.5], [0.5], sizes, 400, rng)
    b = estimator_variance("score", sine(5.0), [0.5], [0.5], sizes, 400, rng, baseline="leave-one-out")
    ratio = p["var_mu"][0, 0] / p["var_mu"][1, 0]
    assert 16 / 1.6 < ratio < 16 * 1.6
    assert s["var_mu"][1, 0] > 20 * p["var_mu"][1, 0]
    assert b["var_mu"][1, 0] < s["var_mu"][1, 0] / 10
    # deterministic given the seed
    again = estimator_variance("pathwise", sine(), [0.5], [0.5], sizes, 400, np.random.default_rng(9))
    same = estimator_variance("pathwise", sine(), [0.5], [0.5], sizes, 400, np.random.default_rng(9))
    np.testing.assert_array_equal(again["var_mu"], same["var_mu"])


# --- the gradient blocked at the sample -------------------------------------------------------
def test_blocked_gradients_are_the_loss_gradient_with_z_held_fixed():
    """With z held constant, d loss / d(mu, log_var) of one point is the KL's gradient, both halves."""
    cfg = VAEConfig(data_dim=2, latent_dim=3)
    params = init_params(cfg, np.random.default_rng(0))
    x1, _ = make_mixture(1, np.random.default_rng(1))
    e1 = np.random.default_rng(2).standard_normal((1, 3))
    mu, log_var = encode(params, cfg, x1)
    z1 = reparameterize(mu, log_var, e1)

    def loss_z_fixed():
        m, lv = encode(params, cfg, x1)
        return vae_forward(params, cfg, x1, (z1 - m) / np.exp(0.5 * lv))[0]["total"]

    numeric = numerical_gradient(loss_z_fixed, params["enc_out_b"], h=1e-6)  # d/d(mu, log_var)
    blocked = blocked_gradients(mu, log_var)
    assert blocked.shape == (1, 6)
    assert relative_error(blocked[0], numeric) < 1e-6   # central differences, h = 1e-6
    assert np.all(np.abs(blocked[0, 3:]) > 1e-3)   # the log_var half is not zero here
    # the full gradient also flows through z, so it differs
    full = loss_and_grads(params, cfg, x1, e1)[1]["enc_out_b"]
    assert np.abs(full - blocked[0]).max() > 1.0


def test_blocked_gradients_match_the_kl_closed_form_per_row():
    rng = np.random.default_rng(3)
    mu, log_var = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    g = blocked_gradients(mu, log_var)
    h = 1e-6
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        d_mu = (kl_diag_to_standard(mu + e, log_var) - kl_diag_to_standard(mu - e, log_var)) / (2 * h)
        d_lv = (kl_diag_to_standard(mu, log_var + e) - kl_diag_to_standard(mu, log_var - e)) / (2 * h)
        np.testing.assert_allclose(g[:, j], d_mu, rtol=1e-7)
        np.testing.assert_allclose(g[:, 2 + j], d_lv, rtol=1e-7)


# --- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize("call, match", [
    (lambda: pathwise_gradients(np.cos, [0.0], [0.0], np.zeros((3, 1))), "sigma must be positive"),
    (lambda: pathwise_gradients(np.cos, [0.0], [-1.0], np.zeros((3, 1))), "sigma must be positive"),
    (lambda: pathwise_gradients(np.cos, [np.nan], [1.0], np.zeros((3, 1))), "finite"),
    (lambda: pathwise_gradients(np.cos, [0.0, 1.0], [1.0], np.zeros((3, 2))), "same shape"),
    (lambda: pathwise_gradients(np.cos, [0.0], [1.0], np.zeros((3, 2))), "eps must have 1 columns"),
    (lambda: pathwise_gradients(np.cos, [0.0], [1.0], np.zeros(3)), "2-D"),
    (lambda: pathwise_gradients(np.cos, [0.0], [1.0], np.full((3, 1), np.nan)), "NaN"),
    (lambda: pathwise_gradients(lambda z: z[:, 0], [0.0], [1.0], np.zeros((3, 1))), "grad_f must return"),
    (lambda: score_function_gradients(np.sin, [0.0], [1.0], np.zeros((3, 1))), "f must return"),
    (lambda: score_function_gradients(sine().f, [0.0], [1.0], np.zeros((3, 1)), baseline="mean"), "baseline must be"),
    (lambda: score_function_gradients(sine().f, [0.0], [1.0], np.zeros((3, 1)), baseline=np.nan), "baseline must be finite"),
    (lambda: score_function_gradients(sine().f, [0.0], [1.0], np.zeros((1, 1)), baseline="leave-one-out"), "at least 2"),
    (lambda: mean_and_se(np.zeros((1, 2))), "at least 2"),
    (lambda: estimator_variance("reinforce", sine(), [0.0], [1.0], [4], 10, np.random.default_rng(0)), "estimator must be"),
    (lambda: estimator_variance("score", sine(), [0.0], [1.0], [0], 10, np.random.default_rng(0)), "positive integer"),
    (lambda: estimator_variance("score", sine(), [0.0], [1.0], [], 10, np.random.default_rng(0)), "non-empty"),
    (lambda: estimator_variance("score", sine(), [0.0], [1.0], [4], 1, np.random.default_rng(0)), "at least 2"),
    (lambda: estimator_variance("score", sine(), [0.0], [1.0], [4], 10, 0), "Generator"),
    (lambda: estimator_variance("score", sine(), [0.0], [1.0], [1, 4], 10, np.random.default_rng(0),
                                baseline="leave-one-out"), "at least 2"),
    (lambda: blocked_gradients([0.0, 1.0], [0.0, 0.0]), "2-D"),
    (lambda: blocked_gradients([[0.0, np.nan]], [[0.0, 0.0]]), "NaN"),
    (lambda: blocked_gradients([[0.0, 1.0]], [[0.0, np.inf]]), "inf"),
    (lambda: blocked_gradients([[0.0, 1.0]], [[0.0]]), "2 columns"),
    (lambda: blocked_gradients([[0.0, 1.0]], [[0.0, 0.0], [1.0, 1.0]]), "same shape"),
    (lambda: sine(np.inf), "offset must be finite"),
    (lambda: quadratic(np.nan), "c must be finite"),
])
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --- widgets ------------------------------------------------------------------------------------
def test_kl_widget_shows_closed_form():
    w = kl_widget()
    for mu, log_var in ((1.0, -1.0), (0.0, 0.0), (-2.5, 1.8), (0.3, -3.9)):
        shown = w.set(mu=mu, log_var=log_var).shown
        ref = float(kl_diag_to_standard(np.array([[mu]]), np.array([[log_var]]))[0])
        assert shown["KL(q‖p(z))"] == pytest.approx(ref, rel=1e-12, abs=1e-15)
        assert shown["KL(q‖p(z))"] == pytest.approx(float(kl_normal_1d(mu, np.exp(log_var), 0.0, 1.0)), rel=1e-12, abs=1e-15)
        assert shown["μ²/2"] == pytest.approx(0.5 * mu**2)
        assert shown["μ²/2"] + shown["(σ² − 1 − log σ²)/2"] == pytest.approx(ref, rel=1e-12, abs=1e-15)
        assert shown["σ²"] == pytest.approx(np.exp(log_var))
    assert w.set(mu=0.0, log_var=0.0).shown["KL(q‖p(z))"] == 0.0
    assert "mu=0" in repr(w) and "0x" not in repr(w)
    assert w.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_kl_widget_rejects_unknown_control_and_out_of_range_start():
    w = kl_widget()
    with pytest.raises(ValueError, match="unknown controls"):
        w.set(sigma=1.0)
    with pytest.raises(ValueError, match="outside"):
        kl_widget(mu=10.0)


def test_reparam_widget_shows_library_estimates():
    n, seed = 150, 3
    w = reparam_widget(n=n, seed=seed)
    eps = np.random.default_rng(seed).standard_normal((n, 1))
    fn = sine()
    for mu, sigma in ((0.5, 1.0), (-1.0, 0.2), (2.0, 2.5)):
        shown = w.set(mu=mu, sigma=sigma).shown
        gp = pathwise_gradients(fn.grad, [mu], [sigma], eps)
        gs = score_function_gradients(fn.f, [mu], [sigma], eps)
        ex = fn.exact_gradients(mu, sigma)
        shown = {key: shown[label] for key, label in READOUT_LABELS.items()}
        for k, param in enumerate(("mu", "sigma")):
            mp, sp = mean_and_se(gp[k][:, 0])
            ms, ss = mean_and_se(gs[k][:, 0])
            assert shown[f"path_{param}"] == pytest.approx(mp, rel=1e-12, abs=1e-14)
            assert shown[f"path_{param}_se"] == pytest.approx(sp, rel=1e-12)
            assert shown[f"score_{param}"] == pytest.approx(ms, rel=1e-12, abs=1e-14)
            assert shown[f"score_{param}_se"] == pytest.approx(ss, rel=1e-12)
            assert shown[f"exact_{param}"] == pytest.approx(ex[k][0], rel=1e-12, abs=1e-14)
            # the shown estimates are honest: within 4 SE of the exact value
            assert abs(shown[f"path_{param}"] - shown[f"exact_{param}"]) < 4 * shown[f"path_{param}_se"]
            assert abs(shown[f"score_{param}"] - shown[f"exact_{param}"]) < 4 * shown[f"score_{param}_se"]
    # a different test function is used when given
    wq = reparam_widget(n=n, seed=seed, fn=quadratic(1.0))
    assert wq.set(mu=0.0, sigma=1.0).shown[READOUT_LABELS["exact_mu"]] == pytest.approx(-2.0)
    assert wq.shown[READOUT_LABELS["exact_sigma"]] == pytest.approx(2.0)


def test_reparam_widget_bad_input():
    with pytest.raises(ValueError, match="at least 2"):
        reparam_widget(n=1)
    with pytest.raises(ValueError, match="positive integer"):
        reparam_widget(n=0)
    with pytest.raises(ValueError, match="outside"):
        reparam_widget(sigma=0.0)
