"""Unit tests of the vaebook library: data, layers, the VAE, optimisers, training, checks."""
from __future__ import annotations

import numpy as np
import pytest

import vaebook as vb
from vaebook.engine import TrainingEngine
from vaebook.layers import dense_backward, dense_forward, relu_backward, relu_forward

CONFIGS = {
    "1 hidden, fixed sigma2": vb.VAEConfig(2, 2, (16,), (16,), sigma2=0.5),
    "2 hidden, fixed sigma2": vb.VAEConfig(2, 2, (16, 12), (12, 16), sigma2=0.5),
    "1 hidden, learned sigma2": vb.VAEConfig(3, 2, (16,), (16,), sigma2="learned"),
    "2 hidden, learned sigma2": vb.VAEConfig(3, 2, (8, 8), (8, 8), sigma2="learned"),
    "bernoulli": vb.VAEConfig(6, 3, (10,), (10, 8), likelihood="bernoulli"),
}


def batch(config, rng, n=7):
    if config.likelihood == "bernoulli":
        x = rng.random((n, config.data_dim))
    else:
        x = rng.normal(size=(n, config.data_dim))
    return x, rng.standard_normal((n, config.latent_dim))


def random_params(config, rng):
    """Parameters in a realistic regime (losses of order 1-100, where a central difference
    resolves gradients to ~1e-9), with nonzero biases."""
    params = vb.init_params(config, rng)
    params.vector *= 0.5
    if config.learned_variance:
        params["dec_log_sigma2"] = rng.normal(scale=0.5, size=config.data_dim)
    params.vector += 0.05 * rng.standard_normal(params.vector.size)  # nonzero biases too
    return params


def setup(name, seed, n=7):
    """(config, params, x, eps) for one of CONFIGS (or a given VAEConfig), from a seeded generator."""
    config = name if isinstance(name, vb.VAEConfig) else CONFIGS[name]
    rng = np.random.default_rng(seed)
    params = random_params(config, rng)
    return (config, params) + batch(config, rng, n)


def by_hand(params, config, x, eps):
    """(mu, log_var, decoder output), from the public pieces encode, reparameterize, decode."""
    mu, log_var = vb.encode(params, config, x)
    return mu, log_var, vb.decode(params, config, vb.reparameterize(mu, log_var, eps))


@pytest.mark.parametrize("name", list(CONFIGS))
def test_log_likelihood_is_minus_the_reconstruction_term(name):
    config, params, x, eps = setup(name, seed=12)
    mu, log_var = vb.encode(params, config, x)
    z = vb.reparameterize(mu, log_var, eps)
    recon, _ = vb.elbo_terms(params, config, x, eps)
    np.testing.assert_allclose(vb.log_likelihood(params, config, x, z), -recon, rtol=1e-12)
    with pytest.raises(ValueError, match="same number of rows"):
        vb.log_likelihood(params, config, x, z[:-1])


# ---------------------------------------------------------------------------- data
def test_mixture_shapes_labels_and_statistics():
    X, labels = vb.make_mixture(40_000, np.random.default_rng(0))
    assert X.shape == (40_000, 2) and labels.shape == (40_000,)
    for k, c in enumerate(vb.CENTERS):
        pts = X[labels == k]
        assert abs(len(pts) / len(X) - 0.25) < 0.01
        np.testing.assert_allclose(pts.mean(axis=0), c, atol=4 * 0.5 / np.sqrt(len(pts)))
        np.testing.assert_allclose(pts.std(axis=0), 0.5, rtol=0.03)


def test_mixture_is_deterministic_given_seed():
    a = vb.make_mixture(100, np.random.default_rng(3))
    b = vb.make_mixture(100, np.random.default_rng(3))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_mixture_log_density_integrates_to_one():
    g = np.linspace(-6, 6, 601)
    G = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
    mass = np.exp(vb.mixture_log_density(G)).sum() * (g[1] - g[0]) ** 2
    assert abs(mass - 1.0) < 1e-6


def test_digits_are_scaled_to_unit_interval():
    X, y = vb.load_digits_01()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.min() == 0.0 and X.max() == 1.0


# ---------------------------------------------------------------------------- layers
def test_dense_layer_gradients():
    rng = np.random.default_rng(1)
    x, W, b = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    dout = rng.normal(size=(5, 3))
    out, cache = dense_forward(x, W, b)
    np.testing.assert_allclose(out, x @ W + b)
    dx, g = dense_backward(dout, cache)
    loss = lambda: float(np.sum(dense_forward(x, W, b)[0] * dout))  # noqa: E731
    for name, arr, analytic in (("x", x, dx), ("W", W, g["W"]), ("b", b, g["b"])):
        assert vb.relative_error(analytic, vb.numerical_gradient(loss, arr)) < 1e-8, name


def test_relu_layer_gradient_and_no_parameters():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(6, 5))
    a[np.abs(a) < 1e-3] = 0.5  # keep finite differences away from the kink
    dout = rng.normal(size=(6, 5))
    loss = lambda: float(np.sum(relu_forward(a.copy())[0] * dout))  # noqa: E731
    out, cache = relu_forward(a.copy())
    np.testing.assert_array_equal(out, np.maximum(a, 0))
    dx, grads = relu_backward(dout, cache)
    assert grads == {}
    assert vb.relative_error(dx, vb.numerical_gradient(loss, a)) < 1e-8


# ---------------------------------------------------------------------------- the VAE
def test_param_shapes_and_keys():
    c = vb.VAEConfig(5, 3, (7, 6), (4,), sigma2="learned")
    p = vb.init_params(c, np.random.default_rng(0))
    assert p.shapes == {
        "enc1_W": (5, 7), "enc1_b": (7,), "enc2_W": (7, 6), "enc2_b": (6,),
        "enc_out_W": (6, 6), "enc_out_b": (6,), "dec1_W": (3, 4), "dec1_b": (4,),
        "dec_out_W": (4, 5), "dec_out_b": (5,), "dec_log_sigma2": (5,)}
    assert p.vector.size == sum(int(np.prod(s)) for s in p.shapes.values())
    for k, v in p.items():
        assert np.shares_memory(v, p.vector), k


@pytest.mark.parametrize("name", list(CONFIGS))
def test_vae_gradient_check(name):
    config, params, x, eps = setup(name, seed=4)
    losses, grads = vb.loss_and_grads(params, config, x, eps, beta=0.7)
    assert set(grads) == set(params)
    f = lambda: vb.vae_forward(params, config, x, eps, 0.7)[0]["total"]  # noqa: E731
    errors = vb.check_gradients(f, params, grads)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("name", list(CONFIGS))
def test_engine_matches_reference(name):
    """The training engine computes exactly the reference loss and gradients."""
    config, params, x, eps = setup(name, seed=5, n=9)
    losses, grads = vb.loss_and_grads(params, config, x, eps, beta=1.3)
    engine = TrainingEngine(params, config)
    recon_sum, kl_sum = engine.loss_and_grads(x, eps, 1.3)
    assert recon_sum / 9 == pytest.approx(losses["recon"], rel=1e-12)
    assert kl_sum / 9 == pytest.approx(losses["kl"], rel=1e-12)
    for k in params:
        np.testing.assert_allclose(engine.grads[k], grads[k], rtol=1e-10, atol=1e-13, err_msg=k)


def test_loss_matches_written_formula():
    """recon = ||x - x_hat||^2 / (2 sigma2) + D/2 log(2 pi sigma2); KL closed form; batch mean."""
    config, params, x, eps = setup(vb.VAEConfig(2, 2, (8,), (8,), sigma2=0.3), seed=6, n=11)
    losses, _ = vb.vae_forward(params, config, x, eps)
    mu, log_var, x_hat = by_hand(params, config, x, eps)
    recon = np.sum((x - x_hat) ** 2, axis=1) / (2 * 0.3) + np.log(2 * np.pi * 0.3)
    kl = 0.5 * np.sum(mu**2 + np.exp(log_var) - 1 - log_var, axis=1)
    assert losses["recon"] == pytest.approx(recon.mean(), rel=1e-12)
    assert losses["kl"] == pytest.approx(kl.mean(), rel=1e-12)
    assert losses["total"] == pytest.approx((recon + kl).mean(), rel=1e-12)
    r, k = vb.elbo_terms(params, config, x, eps)
    np.testing.assert_allclose(r, recon, rtol=1e-12)
    np.testing.assert_allclose(k, kl, rtol=1e-12)


def test_sigma2_half_is_sum_of_squares_plus_kl():
    """With sigma2 = 1/2 the loss is SSE + KL + (D/2) log(pi): the source notebook's loss plus a constant."""
    config, params, x, eps = setup(vb.VAEConfig(2, 2, (8,), (8,), sigma2=0.5), seed=7, n=10)
    losses, _ = vb.vae_forward(params, config, x, eps)
    _, _, x_hat = by_hand(params, config, x, eps)
    sse = np.sum((x - x_hat) ** 2, axis=1).mean()
    assert losses["recon"] - sse == pytest.approx(np.log(np.pi), rel=1e-12)


def test_bernoulli_loss_is_binary_cross_entropy():
    config, params, x, eps = setup("bernoulli", seed=8, n=5)
    r, _ = vb.elbo_terms(params, config, x, eps)
    _, _, p = by_hand(params, config, x, eps)
    bce = -np.sum(x * np.log(p) + (1 - x) * np.log(1 - p), axis=1)
    np.testing.assert_allclose(r, bce, rtol=1e-10)


def test_kl_closed_form_matches_monte_carlo():
    rng = np.random.default_rng(9)
    mu, log_var = rng.normal(size=(1, 3)), rng.normal(scale=0.5, size=(1, 3))
    z = mu + np.exp(0.5 * log_var) * rng.standard_normal((200_000, 3))
    log_q = vb.log_normal_diag(z, mu, np.exp(log_var))
    log_p = vb.log_normal_diag(z, 0.0, 1.0)
    terms = log_q - log_p
    mc, se = terms.mean(), terms.std(ddof=1) / np.sqrt(len(terms))
    exact = vb.kl_diag_to_standard(mu, log_var)[0]
    assert abs(mc - exact) < 4 * se, (mc, exact, se)


def test_kl_normal_1d_zero_iff_equal_and_asymmetric():
    assert vb.kl_normal_1d(0.3, 2.0, 0.3, 2.0) == pytest.approx(0.0, abs=1e-15)
    assert vb.kl_normal_1d(0.0, 1.0, 1.0, 4.0) != pytest.approx(vb.kl_normal_1d(1.0, 4.0, 0.0, 1.0))


def test_shapes_of_encode_decode_sample():
    c = CONFIGS["1 hidden, learned sigma2"]
    rng = np.random.default_rng(10)
    p = random_params(c, rng)
    mu, lv = vb.encode(p, c, rng.normal(size=(4, 3)))
    assert mu.shape == lv.shape == (4, 2)
    assert vb.decode(p, c, rng.normal(size=(6, 2))).shape == (6, 3)
    assert vb.sample(p, c, 5, rng).shape == (5, 3)
    assert vb.sample(p, c, 5, rng, noise=True).shape == (5, 3)
    pb = random_params(CONFIGS["bernoulli"], rng)
    s = vb.sample(pb, CONFIGS["bernoulli"], 50, rng, noise=True)
    assert set(np.unique(s)) <= {0.0, 1.0}


def test_sample_noise_has_decoder_variance():
    c = vb.VAEConfig(2, 2, (8,), (8,), sigma2=0.3)
    p = vb.init_params(c, np.random.default_rng(0))
    p.vector[:] = 0.0  # decoder mean is exactly 0: samples are pure noise
    s = vb.sample(p, c, 40_000, np.random.default_rng(1), noise=True)
    np.testing.assert_allclose(s.var(axis=0), 0.3, rtol=0.03)


# ---------------------------------------------------------------------------- optimisers
def test_sgd_step_on_dict_and_on_paramdict():
    p = vb.ParamDict({"a": (2,), "b": (2, 2)})
    p["a"], p["b"] = [1.0, 2.0], [[1.0, 0.0], [0.0, 1.0]]
    g = p.zeros_like()
    g["a"], g["b"] = [0.5, -0.5], [[1.0, 1.0], [1.0, 1.0]]
    vb.SGD(0.1).step(p, g)
    np.testing.assert_allclose(p["a"], [0.95, 2.05])
    plain = {"a": np.array([1.0, 2.0])}
    vb.SGD(0.1).step(plain, {"a": np.array([1.0, 1.0])})
    np.testing.assert_allclose(plain["a"], [0.9, 1.9])


def test_adam_matches_textbook_update():
    rng = np.random.default_rng(11)
    p = vb.ParamDict({"w": (3,)})
    p["w"] = rng.normal(size=3)
    ref, m, v = p["w"].copy(), np.zeros(3), np.zeros(3)
    opt = vb.Adam(lr=0.01)
    for t in range(1, 6):
        g = p.zeros_like()
        g["w"] = rng.normal(size=3)
        m = 0.9 * m + 0.1 * g["w"]
        v = 0.999 * v + 0.001 * g["w"] ** 2
        ref = ref - 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        opt.step(p, g)
    np.testing.assert_allclose(p["w"], ref, rtol=1e-12)


def test_optimiser_rejects_mismatched_keys():
    p = {"a": np.zeros(2)}
    with pytest.raises(ValueError, match="keys"):
        vb.SGD(0.1).step(p, {"b": np.zeros(2)})


# ---------------------------------------------------------------------------- training
def small_run(seed=0, epochs=5, optimizer=None, beta=1.0):
    c = vb.VAEConfig(2, 2, (16,), (16,), sigma2=0.5, init_scale=0.1)
    X, _ = vb.make_mixture(300, np.random.default_rng(seed))
    p = vb.init_params(c, np.random.default_rng(seed + 1))
    h = vb.train(p, c, X, epochs=epochs, batch_size=32, optimizer=optimizer or vb.SGD(0.01),
                 rng=np.random.default_rng(seed + 2), beta=beta)
    return p, h


def test_training_is_deterministic():
    p1, h1 = small_run()
    p2, h2 = small_run()
    for k in h1:
        np.testing.assert_array_equal(h1[k], h2[k])
    np.testing.assert_array_equal(p1.vector, p2.vector)


def test_training_lowers_the_loss_and_history_is_consistent():
    _, h = small_run(epochs=60, optimizer=vb.Adam(3e-3))
    assert set(h) == {"total", "recon", "kl", "beta"} and len(h["total"]) == 60
    assert h["total"][-1] < h["total"][0] - 0.5
    np.testing.assert_allclose(h["total"], h["recon"] + h["beta"] * h["kl"], rtol=1e-12)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_training_history_equals_reference_loss_average(name):
    """train() takes exactly the reference's steps, and its history averages exactly the
    reference's per-batch losses (the engine computes them once per epoch, from a record)."""
    config = CONFIGS[name]
    rng = np.random.default_rng(1)
    p = random_params(config, rng)
    X, _ = batch(config, rng, n=50)                  # batches of 16: three full, one of 2
    ref = p.copy()
    beta = lambda epoch: 0.5 + epoch                 # noqa: E731
    h = vb.train(p, config, X, epochs=2, batch_size=16, optimizer=vb.Adam(1e-2),
                 rng=np.random.default_rng(2), beta=beta)
    rng, opt = np.random.default_rng(2), vb.Adam(1e-2)
    for epoch in range(2):
        Xs, noise = X[rng.permutation(50)], rng.standard_normal((50, config.latent_dim))
        sums = {"total": 0.0, "recon": 0.0, "kl": 0.0}
        for s in range(0, 50, 16):
            losses, grads = vb.loss_and_grads(ref, config, Xs[s:s + 16], noise[s:s + 16], beta(epoch))
            opt.step(ref, grads)
            for key in sums:
                sums[key] += losses[key] * len(Xs[s:s + 16])
        for key in sums:
            assert h[key][epoch] == pytest.approx(sums[key] / 50, rel=1e-12), (key, epoch)
    np.testing.assert_allclose(p.vector, ref.vector, rtol=1e-10, atol=1e-13)


def test_beta_schedule_is_recorded():
    _, h = small_run(epochs=4, beta=lambda e: e / 4)
    np.testing.assert_allclose(h["beta"], [0, 0.25, 0.5, 0.75])


def test_divergence_is_reported():
    c = vb.VAEConfig(2, 2, (16,), (16,), sigma2=0.01)
    X, _ = vb.make_mixture(200, np.random.default_rng(0))
    p = vb.init_params(c, np.random.default_rng(1))
    with pytest.raises(FloatingPointError, match="diverged"):
        with np.errstate(all="ignore"):
            vb.train(p, c, X * 1e3, epochs=20, batch_size=50, optimizer=vb.SGD(10.0),
                     rng=np.random.default_rng(2))


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("kwargs, match", [
    ({"data_dim": 0, "latent_dim": 2}, "data_dim"),
    ({"data_dim": 2, "latent_dim": -1}, "latent_dim"),
    ({"data_dim": 2, "latent_dim": 2, "enc_hidden": (0,)}, "enc_hidden"),
    ({"data_dim": 2, "latent_dim": 2, "dec_hidden": (3.5,)}, "dec_hidden"),
    ({"data_dim": 2, "latent_dim": 2, "sigma2": 0.0}, "sigma2"),
    ({"data_dim": 2, "latent_dim": 2, "sigma2": -1.0}, "sigma2"),
    ({"data_dim": 2, "latent_dim": 2, "sigma2": float("nan")}, "sigma2"),
    ({"data_dim": 2, "latent_dim": 2, "likelihood": "poisson"}, "likelihood"),
])
def test_bad_config_raises(kwargs, match):
    with pytest.raises(ValueError, match=match):
        vb.VAEConfig(**kwargs)


@pytest.mark.parametrize("X, match", [
    (np.zeros((5, 3)), "2 columns"),
    (np.zeros(10), "2-D"),
    (np.zeros((0, 2)), "empty"),
    (np.array([[0.0, np.nan]]), "NaN"),
    (np.array([[0.0, np.inf]]), "inf"),
])
def test_bad_data_raises(X, match):
    c = vb.VAEConfig(2, 2)
    p = vb.init_params(c, np.random.default_rng(0))
    with pytest.raises(ValueError, match=match):
        vb.train(p, c, X, epochs=1, batch_size=4, optimizer=vb.SGD(0.1), rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=match):
        vb.encode(p, c, X)


@pytest.mark.parametrize("kwargs, match", [
    ({"epochs": 0}, "epochs"), ({"batch_size": -3}, "batch_size"), ({"batch_size": 2.5}, "batch_size"),
])
def test_bad_sizes_raise(kwargs, match):
    c = vb.VAEConfig(2, 2)
    p = vb.init_params(c, np.random.default_rng(0))
    args = {"epochs": 1, "batch_size": 4, **kwargs}
    with pytest.raises(ValueError, match=match):
        vb.train(p, c, np.zeros((8, 2)), optimizer=vb.SGD(0.1), rng=np.random.default_rng(0), **args)


def test_other_bad_inputs():
    c = vb.VAEConfig(2, 2)
    p = vb.init_params(c, np.random.default_rng(0))
    with pytest.raises(ValueError, match="n must be a positive integer"):
        vb.make_mixture(0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="Generator"):
        vb.make_mixture(5, 42)
    with pytest.raises(ValueError, match="std"):
        vb.make_mixture(5, np.random.default_rng(0), std=0.0)
    with pytest.raises(ValueError, match="3 columns|2 columns"):
        vb.decode(p, c, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="one row per data point"):
        vb.loss_and_grads(p, c, np.zeros((4, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="lr"):
        vb.SGD(0.0)
    with pytest.raises(ValueError, match="beta1"):
        vb.Adam(beta1=1.0)
    with pytest.raises(ValueError, match="shape"):
        p["enc1_W"] = np.zeros((3, 3))
    with pytest.raises(ValueError, match="beta"):
        vb.train(p, c, np.zeros((8, 2)), epochs=1, batch_size=4, optimizer=vb.SGD(0.1),
                 rng=np.random.default_rng(0), beta=-1.0)
    with pytest.raises(ValueError, match="var must be positive"):
        vb.log_normal_diag(np.zeros(2), 0.0, np.array([1.0, 0.0]))


# ---------------------------------------------------------------------------- gradient checker
def test_gradient_checker_detects_a_wrong_gradient():
    x = np.array([1.0, -2.0, 3.0])
    f = lambda: float(np.sum(x**3))  # noqa: E731
    assert vb.relative_error(3 * x**2, vb.numerical_gradient(f, x)) < 1e-8
    assert vb.relative_error(3 * x**2 * 1.001, vb.numerical_gradient(f, x)) > 1e-4


# ---------------------------------------------------------------------------- metrics
def test_metrics_on_true_mixture():
    X, _ = vb.make_mixture(20_000, np.random.default_rng(0))
    # P(|r| <= 2 std) for a 2-D isotropic Gaussian is 1 - exp(-2)
    assert vb.metrics.fraction_near_centers(X) == pytest.approx(1 - np.exp(-2), abs=0.01)
    occ = vb.metrics.cluster_occupancy(X)
    assert occ.sum() == pytest.approx(vb.metrics.fraction_near_centers(X))
    np.testing.assert_allclose(occ, (1 - np.exp(-2)) / 4, atol=0.01)
    Y, _ = vb.make_mixture(600, np.random.default_rng(1))
    same = vb.metrics.energy_distance(X[:600], Y)
    shifted = vb.metrics.energy_distance(X[:600], Y + 1.0)
    assert abs(same) < 0.02 < shifted


# ---------------------------------------------------------------------------- exact model
def test_linear_gaussian_bayes_rule_and_evidence():
    from vaebook.exact import LinearGaussian

    m = LinearGaussian.scalar(1.5, 0.3, 0.7)
    z = np.linspace(-10, 10, 40_001)
    joint = np.exp(m.log_likelihood(np.array([1.2]), z) + m.log_prior(z))
    evidence = np.trapezoid(joint, z)
    assert np.log(evidence) == pytest.approx(m.log_evidence(np.array([1.2]))[0], abs=1e-10)
    np.testing.assert_allclose(joint / evidence, np.exp(m.log_posterior(z, np.array([1.2]))), atol=1e-10)
    # closed forms of the scalar model: evidence N(b, w^2 + s^2)
    assert m.evidence_cov()[0, 0] == pytest.approx(1.5**2 + 0.7**2)
    mean, cov = m.posterior(np.array([1.2]))
    assert mean[0, 0] == pytest.approx(1.5 * (1.2 - 0.3) / (1.5**2 + 0.7**2))
    assert cov[0, 0] == pytest.approx(0.7**2 / (1.5**2 + 0.7**2))


def test_linear_gaussian_identity_in_several_dimensions():
    from vaebook.exact import LinearGaussian

    rng = np.random.default_rng(0)
    m = LinearGaussian(rng.normal(size=(3, 2)), [0.1, -0.2, 0.3], 0.5)
    x, z = m.sample(5, rng)
    assert x.shape == (5, 3) and z.shape == (5, 2)
    # log p(x|z) + log p(z) - log p(z|x) = log p(x) for every z
    lhs = m.log_likelihood(x[:1], z) + m.log_prior(z) - m.log_posterior(z, x[:1])
    np.testing.assert_allclose(lhs, m.log_evidence(x[:1])[0], rtol=1e-12)
    with pytest.raises(ValueError, match="b must have shape"):
        LinearGaussian(np.ones((3, 2)), [0.0, 0.0], 1.0)
    with pytest.raises(ValueError, match="s must be a positive"):
        LinearGaussian(np.ones((3, 2)), [0.0, 0.0, 0.0], 0.0)
    with pytest.raises(ValueError, match="3 columns"):
        m.log_evidence(np.zeros((2, 2)))


# ---------------------------------------------------------------------------- display helpers
def test_show_source_is_the_live_source():
    from vaebook.show import show_source

    shown = show_source(vb.dense_forward)
    assert repr(shown).startswith("def dense_forward(")
    assert "out += b" in shown._repr_markdown_() and shown._repr_markdown_().startswith("```python")
    with pytest.raises(ValueError, match="at least one"):
        show_source()


def test_style_colours_and_paramdict_repr():
    import matplotlib as mpl

    vb.style.use()
    assert mpl.rcParams["image.cmap"] == vb.style.CMAP
    assert vb.style.cluster_colors([0, 1, 5]) == [vb.style.CLUSTER_COLORS[0], vb.style.CLUSTER_COLORS[1],
                                                 vb.style.CLUSTER_COLORS[1]]
    p = vb.init_params(vb.VAEConfig(2, 2, (4,), (4,)), np.random.default_rng(0))
    assert "0x" not in repr(p) and repr(p).startswith("ParamDict(")
