"""Unit tests of the vaebook library: data, layers, the VAE, the engine, optimisers, training.

Bad input is tested in tests/test_validation.py (one parametrised test per entry point)."""
from __future__ import annotations

import numpy as np
import pytest

import vaebook as vb
from vaebook._engine import TrainingEngine
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


def written_out_terms(params, config, x, eps):
    """Per-point -log p(x|z) and KL from the formulas as written in the book, with NumPy only
    (no library formula): the Gaussian with a fixed or learned per-dimension variance, the
    Bernoulli as binary cross-entropy of the decoder's probabilities."""
    mu, log_var, mean = by_hand(params, config, x, eps)
    if config.likelihood == "bernoulli":
        recon = -np.sum(x * np.log(mean) + (1 - x) * np.log(1 - mean), axis=1)
    else:
        var = np.exp(params["dec_log_sigma2"]) if config.learned_variance else np.full(x.shape[1], config.sigma2)
        recon = 0.5 * np.sum((x - mean) ** 2 / var + np.log(2 * np.pi * var), axis=1)
    kl = 0.5 * np.sum(mu**2 + np.exp(log_var) - 1 - log_var, axis=1)
    return recon, kl, vb.reparameterize(mu, log_var, eps)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_per_point_terms_match_the_written_formulas_and_vae_forward(name):
    """elbo_terms and log_likelihood per point, and vae_forward's batch means, against the
    formulas written out independently (every configuration, including the learned variance)."""
    config, params, x, eps = setup(name, seed=12)
    recon, kl, z = written_out_terms(params, config, x, eps)
    r, k = vb.elbo_terms(params, config, x, eps)
    np.testing.assert_allclose(r, recon, rtol=1e-10)
    np.testing.assert_allclose(k, kl, rtol=1e-10)
    np.testing.assert_allclose(vb.log_likelihood(params, config, x, z), -recon, rtol=1e-10)
    losses, _ = vb.vae_forward(params, config, x, eps, beta=0.7)
    assert losses["recon"] == pytest.approx(recon.mean(), rel=1e-12)
    assert losses["kl"] == pytest.approx(kl.mean(), rel=1e-12)
    assert losses["total"] == pytest.approx((recon + 0.7 * kl).mean(), rel=1e-12)


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


def test_mixture_log_density_at_points_equals_the_written_out_mixture():
    """log(1/4 sum_k N(x; c_k, std^2 I)), written out with the 2-D Gaussian density, at a centre,
    between centres and far away."""
    X = np.array([[-2.0, -2.0], [0.0, 0.3], [5.0, -1.0]])
    s2 = vb.CLUSTER_STD**2
    d2 = ((X[:, None, :] - vb.CENTERS[None]) ** 2).sum(axis=2)
    written = np.log(0.25 * np.sum(np.exp(-d2 / (2 * s2)) / (2 * np.pi * s2), axis=1))
    np.testing.assert_allclose(vb.mixture_log_density(X), written, rtol=1e-13)


def test_the_running_example_cannot_be_changed_by_accident():
    with pytest.raises(ValueError, match="read-only"):
        vb.CENTERS[0, 0] = 1.0


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
    dx, dW, db = dense_backward(dout, cache)
    loss = lambda: float(np.sum(dense_forward(x, W, b)[0] * dout))  # noqa: E731
    for name, arr, analytic in (("x", x, dx), ("W", W, dW), ("b", b, db)):
        assert vb.relative_error(analytic, vb.numerical_gradient(loss, arr)) < 1e-8, name


def test_relu_layer_gradient_and_inputs_left_alone():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(6, 5))
    a[np.abs(a) < 1e-3] = 0.5  # keep finite differences away from the kink
    before = a.copy()
    dout = rng.normal(size=(6, 5))
    loss = lambda: float(np.sum(relu_forward(a)[0] * dout))  # noqa: E731
    out, cache = relu_forward(a)
    np.testing.assert_array_equal(out, np.maximum(before, 0))
    np.testing.assert_array_equal(a, before)       # a new array: the input is not overwritten
    dx = relu_backward(dout, cache)
    assert vb.relative_error(dx, vb.numerical_gradient(loss, a)) < 1e-8


# ---------------------------------------------------------------------------- the VAE
def test_param_shapes_and_keys():
    c = vb.VAEConfig(5, 3, (7, 6), (4,), sigma2="learned")
    p = vb.init_params(c, np.random.default_rng(0))
    assert p.shapes == {
        "enc1_W": (5, 7), "enc1_b": (7,), "enc2_W": (7, 6), "enc2_b": (6,),
        "enc_out_W": (6, 6), "enc_out_b": (6,), "dec1_W": (3, 4), "dec1_b": (4,),
        "dec_out_W": (4, 5), "dec_out_b": (5,), "dec_log_sigma2": (5,)}
    assert (c.enc_layers, c.dec_layers) == (("enc1", "enc2", "enc_out"), ("dec1", "dec_out"))
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


def test_sigma2_half_is_sum_of_squares_plus_kl():
    """With sigma2 = 1/2 the loss is SSE + KL + (D/2) log(pi): the baseline configuration's
    "sum of squared errors + KL" plus a constant."""
    config, params, x, eps = setup(vb.VAEConfig(2, 2, (8,), (8,), sigma2=0.5), seed=7, n=10)
    losses, _ = vb.vae_forward(params, config, x, eps)
    _, _, x_hat = by_hand(params, config, x, eps)
    sse = np.sum((x - x_hat) ** 2, axis=1).mean()
    assert losses["recon"] - sse == pytest.approx(np.log(np.pi), rel=1e-12)


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


@pytest.mark.parametrize("mu_q, var_q, mu_p, var_p", [
    (0.0, 1.0, 1.0, 4.0), (1.0, 4.0, 0.0, 1.0), (0.3, 0.2, -0.5, 1.5), (0.3, 2.0, 0.3, 2.0)])
def test_kl_normal_1d_matches_quadrature(mu_q, var_q, mu_p, var_p):
    """The closed form against the integral of q log(q / p), by the trapezoidal rule on a fine grid."""
    z = np.linspace(-30.0, 30.0, 600_001)
    log_q = -0.5 * (np.log(2 * np.pi * var_q) + (z - mu_q) ** 2 / var_q)
    log_p = -0.5 * (np.log(2 * np.pi * var_p) + (z - mu_p) ** 2 / var_p)
    f = np.exp(log_q) * (log_q - log_p)
    quadrature = np.sum(0.5 * (f[1:] + f[:-1]) * np.diff(z))
    assert vb.kl_normal_1d(mu_q, var_q, mu_p, var_p) == pytest.approx(quadrature, abs=1e-9)
    if (mu_p, var_p) == (0.0, 1.0):                # the same number as the VAE's closed form
        assert vb.kl_diag_to_standard(np.array([[mu_q]]), np.log([[var_q]]))[0] == pytest.approx(quadrature, abs=1e-9)


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


def test_bernoulli_sample_with_noise_draws_ones_with_the_decoder_probability():
    """Decoder weights 0 and biases logit(0.9): every pixel is 1 with probability 0.9."""
    cfg = vb.VAEConfig(16, 2, (4,), (4,), likelihood="bernoulli")
    p = vb.init_params(cfg, np.random.default_rng(0))
    for k in ("dec1_W", "dec1_b", "dec_out_W"):
        p[k] = np.zeros_like(p[k])
    p["dec_out_b"] = np.full(16, np.log(0.9 / 0.1))
    s = vb.sample(p, cfg, 500, np.random.default_rng(1), noise=True)
    se = np.sqrt(0.9 * 0.1 / s.size)
    assert set(np.unique(s)) == {0.0, 1.0}
    assert abs(s.mean() - 0.9) < 4 * se, s.mean()


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


def test_adam_state_belongs_to_its_parameters():
    """Adam's moments are those of the parameters of its first step; other parameters are refused
    (before the check, they were silently updated with the first model's moments)."""
    p = vb.init_params(vb.VAEConfig(2, 2, (4,), (4,)), np.random.default_rng(0))
    opt = vb.Adam(1e-2)
    opt.step(p, p.zeros_like())
    opt.step(p, p.zeros_like())                    # the same parameters: fine
    other = p.copy()
    with pytest.raises(ValueError, match="first step"):
        opt.step(other, other.zeros_like())


def test_paramdict_names_stay_views_of_the_vector():
    """No dict method can unlink a name from the vector: writes go into the views, and keys
    cannot be added or removed."""
    p = vb.ParamDict({"a": (2,), "b": (2, 3)})
    p.update({"a": [1.0, 2.0]})
    p |= {"b": np.ones((2, 3))}
    p.vector *= 2.0
    np.testing.assert_array_equal(p.setdefault("a", np.zeros(2)), [2.0, 4.0])
    assert np.shares_memory(p.setdefault("a"), p.vector)
    np.testing.assert_array_equal(p.vector, [2.0, 4.0] + [2.0] * 6)
    for k in p:
        assert np.shares_memory(p[k], p.vector), k
    with pytest.raises(KeyError):
        p.update({"c": 1.0})
    with pytest.raises(KeyError):
        p.setdefault("c", 1.0)
    for remove in (lambda: p.pop("a"), p.popitem, p.clear, lambda: p.__delitem__("a")):
        with pytest.raises(TypeError, match="fixed"):
            remove()
    assert set(p) == {"a", "b"}
    import copy
    import pickle
    for twin in (p.copy(), copy.deepcopy(p), copy.copy(p), pickle.loads(pickle.dumps(p))):
        np.testing.assert_array_equal(twin.vector, p.vector)
        assert not np.shares_memory(twin.vector, p.vector)
        assert all(np.shares_memory(twin[k], twin.vector) for k in twin)
    assert repr(p) == "ParamDict(8 numbers; a: (2,), b: (2, 3))"


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


def test_baseline_configuration():
    """BASELINE holds the baseline configuration: sigma_x^2 = 0.5, SGD lr 0.01, N(0, 0.1^2) weights,
    one hidden layer of 32, batches of 64, 500 epochs, the 2000 points of the running example."""
    b = vb.BASELINE
    assert (b.sigma2, b.lr, b.init_scale, b.hidden, b.batch_size, b.epochs, b.n_points) == (
        0.5, 0.01, 0.1, 32, 64, 500, 2000)
    c = b.config()
    assert c == vb.VAEConfig(2, 2, (32,), (32,), sigma2=0.5, init_scale=0.1)
    w = vb.init_params(c, np.random.default_rng(0))["dec1_W"]   # 64 weights of N(0, 0.1^2)
    assert 0.07 < w.std() < 0.13
    assert isinstance(b.optimizer(), vb.SGD) and b.optimizer().lr == 0.01


def test_autoencoder_is_the_vae_without_noise_and_kl():
    """train(noise=False, beta=0) feeds z = mu(x) to the decoder: its recorded loss equals the
    reference's recon at eps = 0, and the KL term does not move the parameters."""
    X, _ = vb.make_mixture(40, np.random.default_rng(0))
    c = vb.VAEConfig(2, 2, (8,), (8,), sigma2=0.5)
    p = vb.init_params(c, np.random.default_rng(1))
    ref = p.copy()
    h = vb.train(p, c, X, epochs=1, batch_size=40, optimizer=vb.SGD(0.05), rng=np.random.default_rng(2),
                 beta=0.0, noise=False)
    losses, grads = vb.loss_and_grads(ref, c, X, np.zeros((40, 2)), beta=0.0)
    assert h["recon"][0] == pytest.approx(losses["recon"], rel=1e-12)
    vb.SGD(0.05).step(ref, grads)
    np.testing.assert_allclose(p.vector, ref.vector, rtol=1e-12, atol=1e-15)


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
    import inspect

    from vaebook.show import show_source

    shown = show_source(vb.dense_forward)                     # a function without argument checks
    assert repr(shown) == inspect.getsource(vb.dense_forward).rstrip()
    assert shown._repr_markdown_() == f"```python\n{repr(shown)}\n```"
    with pytest.raises(ValueError, match="at least one"):
        show_source()


def test_style_sets_the_colour_map_and_cycles_cluster_colours():
    import matplotlib as mpl

    mpl.rcParams["image.cmap"] = "jet"
    vb.style.use()
    assert mpl.rcParams["image.cmap"] == vb.style.CMAP != "jet"
    n = len(vb.style.CLUSTER_COLORS)
    assert len(set(vb.style.CLUSTER_COLORS)) == n    # distinct colours
    colours = vb.style.cluster_colors(range(2 * n + 1))
    assert colours[:n] == list(vb.style.CLUSTER_COLORS) and colours[n] == colours[0] and colours[2 * n] == colours[0]


# --------------------------------------------------------------- configuration, cache, engine layout
def test_a_bernoulli_config_has_no_variance():
    assert vb.VAEConfig(3, 2, likelihood="bernoulli").sigma2 is None
    for bad in (-5, "learned", 0.1):
        with pytest.raises(ValueError, match="no variance"):
            vb.VAEConfig(3, 2, likelihood="bernoulli", sigma2=bad)


def test_vae_backward_refuses_a_cache_of_another_configuration():
    g = vb.VAEConfig(2, 2, (4,), (4,))
    b = vb.VAEConfig(2, 2, (4,), (4,), likelihood="bernoulli")
    p = vb.init_params(g, np.random.default_rng(0))
    _, cache = vb.vae_forward(p, b, np.full((3, 2), 0.5), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="another configuration"):
        vb.vae_backward(p, g, cache)
    with pytest.raises(ValueError, match="cache returned by vae_forward"):
        vb.vae_backward(p, g, tuple(cache))


def test_encode_applies_the_bernoulli_data_check():
    cfg = vb.VAEConfig(4, 2, likelihood="bernoulli")
    p = vb.init_params(cfg, np.random.default_rng(0))
    with pytest.raises(ValueError, match="divide by 16"):
        vb.encode(p, cfg, np.full((2, 4), 12.0))


def test_the_engine_refuses_a_layout_without_b_after_w():
    from vaebook.params import ParamDict

    cfg = vb.VAEConfig(2, 2, (3,), (3,))
    shapes = cfg.param_shapes()
    order = ["enc1_b"] + [k for k in shapes if k != "enc1_b"]            # enc1_b before enc1_W
    p = ParamDict({k: shapes[k] for k in order})
    with pytest.raises(RuntimeError, match="enc1_b stored right after enc1_W"):
        TrainingEngine(p, cfg)


def test_paramdict_refuses_operations_that_would_unlink_it():
    p = vb.ParamDict({"a": (2,)})
    with pytest.raises(TypeError, match="plain dict"):
        p | {"a": np.ones(2)}
    with pytest.raises(TypeError, match="plain dict"):
        {"a": np.ones(2)} | p
    with pytest.raises(TypeError, match="layout"):
        vb.ParamDict.fromkeys(["a"])


def test_adam_on_plain_dicts_takes_the_textbook_steps():
    """Adam's per-key path (plain dicts, used by inference_gap.optimise_q) with values."""
    q = {"m": np.array([1.0, -2.0]), "v": np.array([0.5])}
    g = {"m": np.array([0.1, 0.3]), "v": np.array([-0.2])}
    opt = vb.Adam(0.01)
    ref, m, v = {k: a.copy() for k, a in q.items()}, {k: 0.0 for k in q}, {k: 0.0 for k in q}
    for t in (1, 2):
        opt.step(q, g)
        for k in q:
            m[k] = 0.9 * m[k] + 0.1 * g[k]
            v[k] = 0.999 * v[k] + 0.001 * g[k] ** 2
            ref[k] = ref[k] - 0.01 * (m[k] / (1 - 0.9**t)) / (np.sqrt(v[k] / (1 - 0.999**t)) + 1e-8)
        for k in q:
            np.testing.assert_allclose(q[k], ref[k], rtol=1e-12)


def test_train_with_one_partial_batch_equals_the_reference_step():
    """batch_size > n: each epoch is one step on all the points."""
    cfg = vb.VAEConfig(2, 2, (4,), (4,))
    p = vb.init_params(cfg, np.random.default_rng(0))
    X, _ = vb.make_mixture(10, np.random.default_rng(1))
    ref = p.copy()
    h = vb.train(p, cfg, X, epochs=2, batch_size=64, optimizer=vb.SGD(0.05), rng=np.random.default_rng(2))
    rng, opt = np.random.default_rng(2), vb.SGD(0.05)
    for epoch in range(2):
        order, eps = rng.permutation(10), rng.standard_normal((10, 2))
        losses, grads = vb.loss_and_grads(ref, cfg, X[order], eps)
        opt.step(ref, grads)
        assert h["total"][epoch] == pytest.approx(losses["total"], rel=1e-12)
    np.testing.assert_allclose(p.vector, ref.vector, rtol=1e-12, atol=1e-15)


def test_sample_without_noise_is_the_decoded_prior_draw_and_with_noise_adds_the_decoder_noise():
    cfg = vb.VAEConfig(3, 2, (4,), (4,), sigma2=0.3)
    p = vb.init_params(cfg, np.random.default_rng(0))
    rng = np.random.default_rng(5)
    z = rng.standard_normal((6, 2))
    mean = vb.decode(p, cfg, z)
    np.testing.assert_array_equal(vb.sample(p, cfg, 6, np.random.default_rng(5)), mean)     # noise off by default
    noisy = mean + np.sqrt(0.3) * rng.standard_normal(mean.shape)
    np.testing.assert_allclose(vb.sample(p, cfg, 6, np.random.default_rng(5), noise=True), noisy, rtol=1e-14)


def test_optimiser_defaults_and_their_checks():
    assert repr(vb.SGD()) == "SGD(lr=0.01)"
    assert repr(vb.Adam()) == "Adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08)"
    assert repr(vb.Adam(flush_subnormal=True)) == \
        "Adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08, flush_subnormal=True)"
    assert vb.Adam(beta1=0.0, beta2=0.0).beta1 == 0.0                       # [0, 1): 0 is allowed
    for name in ("beta1", "beta2"):
        for bad in (1.0, 1.5, -0.1):
            with pytest.raises(ValueError, match=rf"{name} must be in \[0, 1\)"):
                vb.Adam(**{name: bad})


def test_adam_flush_subnormal_sets_tiny_first_moments_to_zero():
    for flush in (False, True):
        q, opt = {"w": np.array([1.0])}, vb.Adam(flush_subnormal=flush)
        opt.step(q, {"w": np.array([1e-306])})                    # m = 1e-307: normal, kept
        opt.step(q, {"w": np.array([0.0])})
        for _ in range(30):                                       # m decays below 2.2e-308
            opt.step(q, {"w": np.array([0.0])})
        m = opt._state[0][0][0]
        assert (m == 0.0) if flush else (0.0 < m < 2.3e-308), (flush, m)


def test_baseline_config_uses_every_setting():
    cfg = vb.Baseline(hidden=8, sigma2=0.25, init_scale=0.2).config(3, 1)
    assert (cfg.data_dim, cfg.latent_dim, cfg.enc_hidden, cfg.dec_hidden, cfg.sigma2, cfg.init_scale) == \
        (3, 1, (8,), (8,), 0.25, 0.2)


def test_config_takes_one_width_as_one_layer_and_he_initialisation_has_its_variance():
    cfg = vb.VAEConfig(400, 2, 8, 6)
    assert (cfg.enc_hidden, cfg.dec_hidden, cfg.enc_layers) == ((8,), (6,), ("enc1", "enc_out"))
    W = vb.init_params(cfg, np.random.default_rng(0))["enc1_W"]          # fan_in 400: std sqrt(2/400)
    se = np.sqrt(2 / 400) / np.sqrt(2 * W.size)                         # standard error of a std
    assert abs(W.std() - np.sqrt(2 / 400)) < 4 * se, W.std()


def test_relu_passes_no_gradient_at_zero():
    np.testing.assert_array_equal(relu_backward(np.ones(3), np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 1.0])


def test_vae_forward_weighs_the_kl_by_one_by_default():
    cfg = vb.VAEConfig(2, 2, (4,), (4,))
    p = vb.init_params(cfg, np.random.default_rng(0))
    losses, _ = vb.vae_forward(p, cfg, np.ones((3, 2)), np.ones((3, 2)))
    assert losses["total"] == pytest.approx(losses["recon"] + losses["kl"], rel=1e-15)


def test_optimisers_and_train_refuse_what_they_cannot_step():
    with pytest.raises(ValueError, match="must be a float array"):
        vb.SGD().step({"a": [1.0]}, {"a": np.ones(1)})
    cfg = vb.VAEConfig(2, 2, (4,), (4,))
    p = vb.init_params(cfg, np.random.default_rng(0))
    with pytest.raises(ValueError, match="step"):
        vb.train(p, cfg, np.zeros((4, 2)), epochs=1, batch_size=2, optimizer=object(), rng=np.random.default_rng(0))
