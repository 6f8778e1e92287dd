"""vaebook.train (the fast private engine) takes exactly the steps of vaebook.train_reference, the
plain loop chapter 6 shows: same draws, same updates, same history, to rounding error."""
from __future__ import annotations

import numpy as np
import pytest

import vaebook as vb

CONFIGS = {
    "baseline": vb.BASELINE.config(),
    "2 hidden, learned sigma2": vb.VAEConfig(3, 2, (8, 8), (8, 8), sigma2="learned"),
    "bernoulli": vb.VAEConfig(6, 3, (10,), (10, 8), likelihood="bernoulli"),
}


def data(config, rng, n):
    if config.likelihood == "bernoulli":
        return rng.random((n, config.data_dim))
    if config.data_dim == 2:
        return vb.make_mixture(n, rng)[0]
    return rng.normal(size=(n, config.data_dim))


def run_both(config, *, n=150, epochs=3, batch_size=32, optimizer=vb.Adam, lr=1e-2, **kwargs):
    """Train one set of initial parameters twice, with the engine and with the reference loop."""
    X = data(config, np.random.default_rng(0), n)
    p_fast = vb.init_params(config, np.random.default_rng(1))
    p_ref = p_fast.copy()
    h_fast = vb.train(p_fast, config, X, epochs=epochs, batch_size=batch_size, optimizer=optimizer(lr),
                      rng=np.random.default_rng(2), **kwargs)
    h_ref = vb.train_reference(p_ref, config, X, epochs=epochs, batch_size=batch_size,
                               optimizer=optimizer(lr), rng=np.random.default_rng(2), **kwargs)
    return (p_fast, h_fast), (p_ref, h_ref)


@pytest.mark.parametrize("name", list(CONFIGS))
@pytest.mark.parametrize("optimizer, lr", [(vb.Adam, 1e-2), (vb.SGD, 0.05)], ids=["Adam", "SGD"])
def test_engine_equals_reference_loop(name, optimizer, lr):
    """150 points in batches of 32 (four full, one of 22), three epochs, a beta schedule."""
    (p_fast, h_fast), (p_ref, h_ref) = run_both(CONFIGS[name], optimizer=optimizer, lr=lr,
                                                beta=lambda epoch: 0.5 + 0.25 * epoch)
    for key in ("total", "recon", "kl", "beta"):
        np.testing.assert_allclose(h_fast[key], h_ref[key], rtol=1e-11, err_msg=key)
    np.testing.assert_allclose(p_fast.vector, p_ref.vector, rtol=1e-10, atol=1e-13)
    assert not np.allclose(p_ref.vector, vb.init_params(CONFIGS[name], np.random.default_rng(1)).vector)


def test_engine_equals_reference_over_the_baseline_schedule_start():
    """The baseline configuration (SGD 0.01, batches of 64) on the running example, 20 epochs."""
    b = vb.BASELINE
    (p_fast, h_fast), (p_ref, h_ref) = run_both(b.config(), n=b.n_points, epochs=20, batch_size=b.batch_size,
                                                optimizer=vb.SGD, lr=b.lr)
    np.testing.assert_allclose(h_fast["total"], h_ref["total"], rtol=1e-11)
    np.testing.assert_allclose(p_fast.vector, p_ref.vector, rtol=1e-9, atol=1e-12)
    assert h_ref["total"][-1] < h_ref["total"][0] - 1.0          # it trains


def test_reference_without_noise_is_an_autoencoder_step():
    (p_fast, h_fast), (p_ref, h_ref) = run_both(CONFIGS["baseline"], epochs=2, beta=0.0, noise=False)
    np.testing.assert_allclose(h_fast["recon"], h_ref["recon"], rtol=1e-11)
    np.testing.assert_allclose(p_fast.vector, p_ref.vector, rtol=1e-10, atol=1e-13)
    assert np.all(h_ref["beta"] == 0.0)


def test_reference_history_is_the_mean_of_its_batch_losses():
    """The history's recon is the point-weighted mean of the batch losses at the parameters of each step."""
    config = CONFIGS["baseline"]
    X = data(config, np.random.default_rng(0), 50)
    p = vb.init_params(config, np.random.default_rng(1))
    h = vb.train_reference(p.copy(), config, X, epochs=1, batch_size=20, optimizer=vb.SGD(0.05),
                           rng=np.random.default_rng(2))
    rng, opt = np.random.default_rng(2), vb.SGD(0.05)
    Xs, eps = X[rng.permutation(50)], rng.standard_normal((50, 2))
    recon = 0.0
    for s in range(0, 50, 20):                                  # batches of 20, 20 and 10
        losses, grads = vb.loss_and_grads(p, config, Xs[s:s + 20], eps[s:s + 20])
        recon += losses["recon"] * len(Xs[s:s + 20]) / 50
        opt.step(p, grads)
    assert h["recon"][0] == pytest.approx(recon, rel=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    (dict(epochs=0), "epochs"),
    (dict(batch_size=0), "batch_size"),
    (dict(optimizer="sgd"), "optimizer"),
    (dict(rng=0), "Generator"),
    (dict(beta=-1.0), "beta"),
    (dict(beta=lambda epoch: np.nan), "beta"),
    (dict(X=np.zeros((5, 3))), "3"),
    (dict(X=np.full((5, 2), np.nan)), "NaN"),
])
def test_reference_rejects_bad_input_like_train(kwargs, match):
    config = CONFIGS["baseline"]
    args = dict(X=np.zeros((5, 2)), epochs=1, batch_size=2, optimizer=vb.SGD(0.1), rng=np.random.default_rng(0))
    args.update(kwargs)
    X = args.pop("X")
    for fn in (vb.train, vb.train_reference):
        with pytest.raises(ValueError, match=match):
            fn(vb.init_params(config, np.random.default_rng(1)), config, X, **args)
    with pytest.raises(ValueError, match="ParamDict"):
        vb.train_reference(dict(vb.init_params(config, np.random.default_rng(1))), config, np.zeros((5, 2)),
                           epochs=1, batch_size=2, optimizer=vb.SGD(0.1), rng=np.random.default_rng(0))


def test_reference_reports_divergence():
    c = vb.VAEConfig(2, 2, (16,), (16,), sigma2=0.01)
    X, _ = vb.make_mixture(200, np.random.default_rng(0))
    p = vb.init_params(c, np.random.default_rng(1))
    # non-finite parameters stop it: at the end of the epoch, or at the next step's parameter check
    with pytest.raises((FloatingPointError, ValueError), match="diverged|NaN or inf"):
        with np.errstate(all="ignore"):
            vb.train_reference(p, c, X * 1e3, epochs=20, batch_size=50, optimizer=vb.SGD(10.0),
                               rng=np.random.default_rng(2))
