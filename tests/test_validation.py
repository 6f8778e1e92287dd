"""Bad input to every public entry point raises a ValueError that names the problem.

One parametrised test per entry point; each case is ``(description, call, match)``, where
``call`` receives a fresh, valid ``Case`` and spoils one thing. A case that raised nothing, or
raised with another message, fails.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import vaebook as vb
from vaebook import iwae, metrics
from vaebook.autoencoder import train_autoencoder
from vaebook.estimators import estimator_variance, sine
from vaebook.exact import LinearGaussian
from vaebook.montecarlo import naive_log_evidence
from vaebook.variational import gaussian_q_elbo, linear_gaussian_elbo

NAN, INF = float("nan"), float("inf")


def case(likelihood="gaussian", sigma2=0.5):
    """A valid configuration, parameters, batch (6 points) and noise, from a seeded generator."""
    rng = np.random.default_rng(0)
    c = vb.VAEConfig(3, 2, (4,), (4,), likelihood=likelihood, sigma2=sigma2)
    p = vb.init_params(c, rng)
    x = rng.random((6, 3)) if likelihood == "bernoulli" else rng.normal(size=(6, 3))
    return SimpleNamespace(c=c, p=p, x=x, eps=rng.standard_normal((6, 2)), rng=rng)


def other(p, key, value):
    """A plain-dict copy of the parameters ``p`` with one entry replaced (or removed if None)."""
    d = {k: v.copy() for k, v in p.items()}
    if value is None:
        del d[key]
    else:
        d[key] = value
    return d


def raises(call, match, **kw):
    t = case(**kw)
    with pytest.raises(ValueError, match=match):
        call(t)


# every way parameters can fail to match the configuration, for each function that takes them
PARAM_CASES = [
    ("missing keys", lambda t: other(other(t.p, "enc1_b", None), "dec1_b", None), r"missing \[('dec1_b'|'enc1_b')"),
    ("extra key", lambda t: {**other(t.p, "enc1_b", t.p["enc1_b"]), "bias": np.zeros(2)}, r"extra \['bias'\]"),
    ("wrong shape", lambda t: other(t.p, "dec1_W", np.zeros((3, 4))), r"'dec1_W'.*shape \(2, 4\)"),
    ("wrong dtype", lambda t: other(t.p, "dec1_W", np.zeros((2, 4), dtype=np.float32)), "float64"),
    ("NaN weight", lambda t: other(t.p, "dec1_W", np.full((2, 4), NAN)), "NaN or inf"),
    ("params of another configuration",
     lambda t: vb.init_params(vb.VAEConfig(3, 2, (5,), (4,)), np.random.default_rng(0)), "shape"),
    ("not a dict", lambda t: [1.0, 2.0], "dict of named arrays"),
]


@pytest.mark.parametrize("what, make, match", PARAM_CASES, ids=[c[0] for c in PARAM_CASES])
@pytest.mark.parametrize("fn", ["encode", "decode", "vae_forward", "loss_and_grads", "elbo_terms",
                                "log_likelihood", "sample", "decoder_variance", "train"])
def test_params_that_do_not_match_the_configuration(fn, what, make, match):
    def call(t):
        p = make(t)
        z = t.eps
        calls = {
            "encode": lambda: vb.encode(p, t.c, t.x),
            "decode": lambda: vb.decode(p, t.c, z),
            "vae_forward": lambda: vb.vae_forward(p, t.c, t.x, t.eps),
            "loss_and_grads": lambda: vb.loss_and_grads(p, t.c, t.x, t.eps),
            "elbo_terms": lambda: vb.elbo_terms(p, t.c, t.x, t.eps),
            "log_likelihood": lambda: vb.log_likelihood(p, t.c, t.x, z),
            "sample": lambda: vb.sample(p, t.c, 3, t.rng),
            "decoder_variance": lambda: vb.decoder_variance(p, t.c),
            "train": lambda: vb.train(p, t.c, t.x, epochs=1, batch_size=2, optimizer=vb.SGD(0.1), rng=t.rng),
        }
        calls[fn]()
    if fn == "train" and what != "params of another configuration":
        match = "ParamDict"     # train needs the ParamDict itself (it updates the vector in place)
    raises(call, match)


BATCH_CASES = [
    ("eps of one row would broadcast", lambda t: (t.x, t.eps[:1], 1.0), "one row per data point"),
    ("eps with too few rows", lambda t: (t.x, t.eps[:4], 1.0), "x has 6, eps has 4"),
    ("eps with the wrong latent_dim", lambda t: (t.x, np.zeros((6, 3)), 1.0), "eps must have 2 columns"),
    ("1-D eps", lambda t: (t.x, np.zeros(2), 1.0), "2-D"),
    ("NaN in eps", lambda t: (t.x, np.full((6, 2), NAN), 1.0), "eps contains NaN"),
    ("x with the wrong data_dim", lambda t: (np.zeros((6, 2)), t.eps, 1.0), "x must have 3 columns"),
    ("inf in x", lambda t: (np.full((6, 3), INF), t.eps, 1.0), "x contains inf"),
    ("empty batch", lambda t: (np.zeros((0, 3)), np.zeros((0, 2)), 1.0), "empty"),
    ("string data", lambda t: (np.array([["a"] * 3] * 6), t.eps, 1.0), "numeric"),
    ("negative beta", lambda t: (t.x, t.eps, -0.5), "beta must be a finite number >= 0"),
    ("NaN beta", lambda t: (t.x, t.eps, NAN), "beta must be a finite number >= 0"),
    ("infinite beta", lambda t: (t.x, t.eps, INF), "beta must be a finite number >= 0"),
    ("beta as an array", lambda t: (t.x, t.eps, np.ones(6)), "beta must be a finite number"),
]


@pytest.mark.parametrize("fn, what, make, match", [
    (fn,) + c for fn in ("vae_forward", "loss_and_grads", "elbo_terms") for c in BATCH_CASES
    if not (fn == "elbo_terms" and "beta" in c[0])],              # elbo_terms has no beta
    ids=[f"{fn}-{c[0]}" for fn in ("vae_forward", "loss_and_grads", "elbo_terms") for c in BATCH_CASES
         if not (fn == "elbo_terms" and "beta" in c[0])])
def test_batch_functions(fn, what, make, match):
    def call(t):
        x, eps, beta = make(t)
        if fn == "elbo_terms":
            vb.elbo_terms(t.p, t.c, x, eps)
        else:
            getattr(vb, fn)(t.p, t.c, x, eps, beta)
    raises(call, match)


@pytest.mark.parametrize("fn", ["vae_forward", "loss_and_grads", "elbo_terms", "log_likelihood", "train"])
@pytest.mark.parametrize("x, match", [
    (lambda rng: rng.integers(0, 17, size=(6, 3)).astype(float), "0..16 pixel values"),
    (lambda rng: rng.random((6, 3)) - 0.5, r"must lie in \[0, 1\]"),
    (lambda rng: rng.random((6, 3)) * 3.0 + 20.0, r"from 2\d.* to 2\d"),
], ids=["raw digit pixels", "negative values", "values above 16"])
def test_bernoulli_data_outside_the_unit_interval(fn, x, match):
    def call(t):
        X = x(t.rng)
        {"vae_forward": lambda: vb.vae_forward(t.p, t.c, X, t.eps),
         "loss_and_grads": lambda: vb.loss_and_grads(t.p, t.c, X, t.eps),
         "elbo_terms": lambda: vb.elbo_terms(t.p, t.c, X, t.eps),
         "log_likelihood": lambda: vb.log_likelihood(t.p, t.c, X, t.eps),
         "train": lambda: vb.train(t.p, t.c, X, epochs=1, batch_size=2, optimizer=vb.SGD(0.1), rng=t.rng),
         }[fn]()
    raises(call, match, likelihood="bernoulli")
    if "pixel" not in match:                      # the hint appears only for 0..16 data
        with pytest.raises(ValueError) as info:
            call(case(likelihood="bernoulli"))
        assert "load_digits" not in str(info.value)


@pytest.mark.parametrize("call, match", [
    (lambda t: vb.vae_backward(t.p, t.c, (t.x, t.eps)), "cache returned by vae_forward"),
    (lambda t: vb.vae_backward(other(t.p, "enc1_W", None), t.c, vb.vae_forward(t.p, t.c, t.x, t.eps)[1]),
     r"missing \['enc1_W'\]"),
])
def test_vae_backward(call, match):
    raises(call, match)


@pytest.mark.parametrize("kwargs, match", [
    ({"data_dim": 0, "latent_dim": 2}, "data_dim"),
    ({"data_dim": 2.0, "latent_dim": 2}, "data_dim must be a positive integer"),
    ({"data_dim": 2, "latent_dim": -1}, "latent_dim"),
    ({"data_dim": 2, "latent_dim": 2, "enc_hidden": (0,)}, "enc_hidden"),
    ({"data_dim": 2, "latent_dim": 2, "dec_hidden": (3.5,)}, "dec_hidden"),
    ({"data_dim": 2, "latent_dim": 2, "sigma2": 0.0}, "sigma2"),
    ({"data_dim": 2, "latent_dim": 2, "sigma2": -1.0}, "sigma2"),
    ({"data_dim": 2, "latent_dim": 2, "sigma2": NAN}, "sigma2"),
    ({"data_dim": 2, "latent_dim": 2, "sigma2": "learnt"}, "sigma2"),
    ({"data_dim": 2, "latent_dim": 2, "likelihood": "poisson"}, "likelihood"),
    ({"data_dim": 2, "latent_dim": 2, "init_scale": 0.0}, "init_scale"),
])
def test_vaeconfig(kwargs, match):
    with pytest.raises(ValueError, match=match):
        vb.VAEConfig(**kwargs)


@pytest.mark.parametrize("call, match", [
    (lambda t: vb.init_params(t.c, 0), "rng must be a numpy.random.Generator"),
    (lambda t: vb.init_params(t.c, np.random.RandomState(0)), "got RandomState"),
    (lambda t: vb.init_params({"data_dim": 3}, t.rng), "config must be a VAEConfig"),
])
def test_init_params(call, match):
    raises(call, match)


def test_decoder_functions_need_only_the_decoder_parameters():
    """decode and sample accept the decoder's weights alone (as a live widget holds them), and
    log_likelihood and decoder_variance the decoder's parameters with its learned variance;
    encode and the loss functions refuse them, naming the encoder's missing keys."""
    t = case(sigma2="learned")
    dec = {k: t.p[k].copy() for k in t.p if k.startswith("dec")}
    weights = other(dec, "dec_log_sigma2", None)
    np.testing.assert_array_equal(vb.decode(weights, t.c, t.eps), vb.decode(t.p, t.c, t.eps))
    np.testing.assert_array_equal(vb.sample(weights, t.c, 4, np.random.default_rng(1)),
                                  vb.sample(t.p, t.c, 4, np.random.default_rng(1)))
    np.testing.assert_array_equal(vb.log_likelihood(dec, t.c, t.x, t.eps), vb.log_likelihood(t.p, t.c, t.x, t.eps))
    np.testing.assert_array_equal(vb.decoder_variance(dec, t.c), vb.decoder_variance(t.p, t.c))
    for call in (lambda: vb.encode(dec, t.c, t.x), lambda: vb.vae_forward(dec, t.c, t.x, t.eps)):
        with pytest.raises(ValueError, match=r"missing \['enc1_W', 'enc1_b', 'enc_out_W', 'enc_out_b'\]"):
            call()
    for call in (lambda: vb.log_likelihood(weights, t.c, t.x, t.eps), lambda: vb.decoder_variance(weights, t.c),
                 lambda: vb.sample(weights, t.c, 4, t.rng, noise=True)):
        with pytest.raises(ValueError, match=r"missing \['dec_log_sigma2'\]"):
            call()


@pytest.mark.parametrize("call, match", [
    (lambda t: vb.encode(t.p, t.c, t.x[:, :2]), "x must have 3 columns"),
    (lambda t: vb.encode(t.p, t.c, t.x[0]), "2-D"),
    (lambda t: vb.decode(t.p, t.c, np.zeros((4, 3))), "z must have 2 columns"),
    (lambda t: vb.decode(t.p, t.c, np.full((4, 2), NAN)), "z contains NaN"),
    (lambda t: vb.log_likelihood(t.p, t.c, t.x, t.eps[:-1]), "x has 6, z has 5"),
    (lambda t: vb.log_likelihood(t.p, t.c, t.x, t.eps[:1]), "one row per data point"),
])
def test_encode_decode_log_likelihood(call, match):
    raises(call, match)


@pytest.mark.parametrize("args, match", [
    ((np.zeros((4, 2)), np.zeros((4, 2)), np.zeros((1, 2))), "same shape"),     # eps would broadcast
    ((np.zeros((4, 2)), np.zeros((1, 2)), np.zeros((4, 2))), "same shape"),
    ((np.zeros((4, 2)), np.zeros((4, 2)), np.zeros((4, 3))), "same shape"),
    ((np.zeros(2), np.zeros(2), np.zeros(2)), "2-D"),
    ((np.zeros((4, 2)), np.full((4, 2), NAN), np.zeros((4, 2))), "log_var contains NaN"),
])
def test_reparameterize(args, match):
    with pytest.raises(ValueError, match=match):
        vb.reparameterize(*args)


@pytest.mark.parametrize("call, match", [
    (lambda t: vb.sample(t.p, t.c, 0, t.rng), "n must be a positive integer"),
    (lambda t: vb.sample(t.p, t.c, 2.5, t.rng), "n must be a positive integer"),
    (lambda t: vb.sample(t.p, t.c, 5, 42), "rng must be a numpy.random.Generator"),
    (lambda t: vb.decoder_variance(*(lambda u: (u.p, u.c))(case(likelihood="bernoulli"))), "Gaussian decoder only"),
])
def test_sample_and_decoder_variance(call, match):
    raises(call, match)


def train_call(t, **change):
    kw = {"epochs": 1, "batch_size": 4, "optimizer": vb.SGD(0.1), "rng": t.rng, "X": t.x, **change}
    X = kw.pop("X")
    return vb.train(t.p, t.c, X, **kw)


@pytest.mark.parametrize("change, match", [
    ({"X": np.zeros((5, 2))}, "X must have 3 columns"),
    ({"X": np.zeros(10)}, "2-D"),
    ({"X": np.zeros((0, 3))}, "empty"),
    ({"X": np.array([[0.0, NAN, 0.0]])}, "NaN"),
    ({"X": np.array([[0.0, INF, 0.0]])}, "inf"),
    ({"epochs": 0}, "epochs"),
    ({"batch_size": -3}, "batch_size"),
    ({"batch_size": 2.5}, "batch_size"),
    ({"rng": 0}, "Generator"),
    ({"optimizer": "sgd"}, "optimizer must have a step"),
    ({"beta": -1.0}, "beta"),
    ({"beta": NAN}, "beta"),
    ({"beta": lambda epoch: INF}, r"beta \(at epoch 0\)"),
])
def test_train(change, match):
    raises(lambda t: train_call(t, **change), match)


@pytest.mark.parametrize("call, match", [
    (lambda: vb.SGD(0.0), "lr"),
    (lambda: vb.SGD(NAN), "lr"),
    (lambda: vb.Adam(lr=-1.0), "lr"),
    (lambda: vb.Adam(beta1=1.0), "beta1"),
    (lambda: vb.Adam(beta2=-0.1), "beta2"),
    (lambda: vb.Adam(eps=0.0), "eps"),
    (lambda: vb.Adam(flush_subnormal=1), "flush_subnormal"),
    (lambda: vb.SGD(0.1).step({"a": np.zeros(2)}, {"b": np.zeros(2)}), "keys"),
    (lambda: vb.SGD(0.1).step({"a": np.zeros(2)}, {"a": np.zeros(1)}), "shape"),       # would broadcast
    (lambda: vb.SGD(0.1).step({"a": np.zeros(2, dtype=int)}, {"a": np.zeros(2)}), "float"),
    (lambda: vb.Adam().step({"a": np.zeros(2)}, {"a": np.zeros((2, 1))}), "shape"),
])
def test_optimisers(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_adam_refuses_parameters_it_was_not_built_for():
    t, u = case(), case()
    opt = vb.Adam()
    opt.step(t.p, t.p.zeros_like())
    with pytest.raises(ValueError, match="first step"):
        opt.step(u.p, u.p.zeros_like())


@pytest.mark.parametrize("call, error, match", [
    (lambda p: p.__setitem__("a", np.zeros(3)), ValueError, "shape"),
    (lambda p: p.__setitem__("c", np.zeros(2)), KeyError, "unknown parameter"),
    (lambda p: p.update(c=np.zeros(2)), KeyError, "unknown parameter"),
    (lambda p: p.update(a=np.zeros(5)), ValueError, "shape"),
    (lambda p: p.setdefault("c", np.zeros(2)), KeyError, "fixed"),
    (lambda p: p.pop("a"), TypeError, "fixed"),
    (lambda p: p.popitem(), TypeError, "fixed"),
    (lambda p: p.clear(), TypeError, "fixed"),
    (lambda p: p.__delitem__("a"), TypeError, "fixed"),
    (lambda p: setattr(p, "vector", np.zeros(3)), ValueError, "shape"),
    (lambda p: setattr(p, "shapes", {}), AttributeError, "no setter"),
    (lambda p: vb.ParamDict({"a": (2,)}, np.zeros(2, dtype=np.float32)), ValueError, "float64"),
    (lambda p: vb.ParamDict({"a": (2,)}, np.zeros(3)), ValueError, r"shape \(2,\)"),
])
def test_paramdict(call, error, match):
    p = vb.ParamDict({"a": (2,), "b": (1, 3)})
    with pytest.raises(error, match=match):
        call(p)
    assert set(p) == {"a", "b"} and all(np.shares_memory(p[k], p.vector) for k in p)


@pytest.mark.parametrize("call, match", [
    (lambda: vb.numerical_gradient(lambda: 0.0, np.arange(3)), "integer array cannot be perturbed"),
    (lambda: vb.numerical_gradient(lambda: 0.0, [1.0, 2.0]), "float NumPy array"),
    (lambda: vb.numerical_gradient(lambda: 0.0, np.zeros(2), h=0.0), "h must be a positive"),
    (lambda: vb.numerical_gradient(0.0, np.zeros(2)), "f must be a function"),
    (lambda: vb.check_gradients(lambda: 0.0, {"a": np.zeros(2)}, {"b": np.zeros(2)}), "keys of params"),
    (lambda: vb.relative_error(np.zeros(2), np.zeros(3)), "shapes differ"),
])
def test_gradient_checker(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("call, match", [
    (lambda: vb.log_normal_diag(np.zeros(2), 0.0, np.array([1.0, 0.0])), "var must be positive"),
    (lambda: vb.log_normal_diag(np.zeros(2), 0.0, np.array([1.0, NAN])), "no NaN"),
    (lambda: vb.log_normal_diag(np.zeros(2), 0.0, np.array([1.0, INF])), "var must be positive and finite"),
    (lambda: vb.kl_normal_1d(0.0, NAN, 0.0, 1.0), "var_q must be positive"),
    (lambda: vb.kl_normal_1d(0.0, 1.0, 0.0, -1.0), "var_p must be positive"),
    (lambda: vb.kl_diag_to_standard(np.zeros((2, 3)), np.zeros((2, 2))), "same shape"),
])
def test_gaussian_formulas(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("call, match", [
    (lambda: vb.make_mixture(0, np.random.default_rng(0)), "n must be a positive integer"),
    (lambda: vb.make_mixture(5, 42), "Generator"),
    (lambda: vb.make_mixture(5, np.random.default_rng(0), std=0.0), "std"),
    (lambda: vb.make_mixture(5, np.random.default_rng(0), centers=[0.0, 1.0]), "centers must be a 2-D"),
    (lambda: vb.make_mixture(5, np.random.default_rng(0), centers=[[0.0, NAN]]), "centers contains NaN"),
    (lambda: vb.mixture_log_density(np.zeros((3, 2)), centers=[[0.0, 0.0, 0.0]]), "X must have 3 columns"),
    (lambda: vb.mixture_log_density(np.zeros((3, 2)), centers=[[INF, 0.0]]), "centers contains inf"),
    (lambda: vb.mixture_log_density(np.zeros((3, 2)), std=-1.0), "std"),
    (lambda: metrics.nearest_center(np.zeros((3, 2)), centers=[[NAN, 0.0]]), "centers contains NaN"),
    (lambda: metrics.fraction_near_centers(np.zeros((3, 2)), centers=np.zeros(2)), "centers must be a 2-D"),
    (lambda: metrics.cluster_occupancy(np.zeros((3, 2)), radius=0.0), "radius"),
    (lambda: metrics.energy_distance(np.zeros((1, 2)), np.zeros((3, 2))), "at least two points"),
    (lambda: metrics.energy_distance(np.zeros((3, 2)), np.zeros((3, 3))), "Y must have 2 columns"),
    (lambda: metrics.mmd(np.zeros((3, 2)), np.zeros((3, 2)), bandwidth=NAN), "bandwidth"),
    (lambda: metrics.mmd_permutation_test(np.zeros((3, 2)), np.ones((3, 2)), 5), "Generator"),
    (lambda: metrics.kl_per_dimension(np.zeros((3, 2)), np.zeros((3, 3))), "log_var must have 2 columns"),
    (lambda: metrics.active_units(np.zeros((1, 2))), "at least two points"),
    (lambda: metrics.active_units(np.zeros((3, 2)), threshold=-1.0), "threshold"),
])
def test_mixture_data_and_metrics(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def lg():
    return LinearGaussian([[1.0, 0.5], [0.0, 1.0], [0.3, -0.2]], [0.0, 0.1, 0.2], 0.5)


@pytest.mark.parametrize("call, match", [
    (lambda m: m.sample(3, 7), "Generator"),
    (lambda m: m.sample(0, np.random.default_rng(0)), "n must be a positive integer"),
    (lambda m: m.log_likelihood(np.zeros((3, 3)), np.zeros((2, 2))), "same number of rows"),
    (lambda m: m.log_evidence(np.zeros((2, 2))), "3 columns"),
    (lambda m: LinearGaussian(np.ones((3, 2)), [0.0, 0.0], 1.0), "b must have shape"),
    (lambda m: LinearGaussian(np.ones((3, 2)), [0.0, 0.0, 0.0], 0.0), "s must be a positive"),
    (lambda m: LinearGaussian([[NAN]], [0.0], 1.0), "finite"),
    (lambda m: gaussian_q_elbo(m, np.zeros(3), [0.0, 0.0], [1.0, NAN]), "q_var must be positive"),
    (lambda m: gaussian_q_elbo(m, np.zeros((2, 3)), [0.0, 0.0], [1.0, 1.0]), "one data point"),
    (lambda m: linear_gaussian_elbo(m, np.zeros((3, 3)), np.zeros((2, 2)), np.zeros((2, 2))), "one row per point"),
    (lambda m: naive_log_evidence(m, np.zeros(3), 10, "seed"), "Generator"),
])
def test_linear_gaussian_model(call, match):
    with pytest.raises(ValueError, match=match):
        call(lg())


@pytest.mark.parametrize("call, match", [
    (lambda t, q: iwae.iwae_estimate(t.x, lambda x, z: np.zeros(len(x)), q[0], q[1][:4], 3, t.rng),
     "one row per point"),                          # q_log_var with fewer rows than x
    (lambda t, q: iwae.iwae_estimate(t.x[:4], lambda x, z: np.zeros(len(x)), q[0], q[1], 3, t.rng),
     "one row per point"),
    (lambda t, q: iwae.iwae_estimate(t.x, lambda x, z: np.zeros(len(x)), q[0], q[1], 0, t.rng), "K"),
    (lambda t, q: iwae.iwae_estimate(t.x, lambda x, z: np.zeros(len(x)), q[0], q[1], 3, None), "Generator"),
    (lambda t, q: iwae.iwae_log_weights(t.x, lambda x, z: np.zeros(len(x)), q[0], q[1][:, :1], 3, t.rng),
     "q_log_var must have 2 columns"),
    (lambda t, q: iwae.iwae_log_weights(t.x, lambda x, z: np.zeros(2), q[0], q[1], 3, t.rng), "log_joint"),
    (lambda t, q: iwae.vae_iwae(t.p, t.c, t.x[:, :2], 3, t.rng), "X must have 3 columns"),
    (lambda t, q: iwae.heldout_gap(t.p, t.c, t.x[:1], 3, t.rng, vb.mixture_log_density), "two held-out points"),
])
def test_iwae(call, match):
    t = case()
    q = vb.encode(t.p, t.c, t.x)
    with pytest.raises(ValueError, match=match):
        call(t, q)


@pytest.mark.parametrize("sizes, match", [
    ([2.7], "every sample size must be a positive integer, got 2.7"),   # not rounded down to 2
    ([4, 0], "every sample size must be a positive integer, got 0"),
    ([[4]], "non-empty 1-D"),
    ([], "non-empty 1-D"),
])
def test_estimator_variance_sizes(sizes, match):
    with pytest.raises(ValueError, match=match):
        estimator_variance("pathwise", sine(), [0.0], [1.0], sizes, 10, np.random.default_rng(0))


@pytest.mark.parametrize("kwargs, match", [
    ({"rng": 3}, "Generator"),
    ({"epochs": 0}, "epochs"),
    ({"X": np.full((4, 2), NAN)}, "NaN"),
])
def test_train_autoencoder(kwargs, match):
    args = {"X": np.zeros((4, 2)), "latent_dim": 1, "rng": np.random.default_rng(0), "epochs": 1, **kwargs}
    with pytest.raises(ValueError, match=match):
        train_autoencoder(**args)
