"""Chapter 9 (evaluation): the IWAE widget, and the per-dimension KL / active-unit measures of posterior collapse."""
from __future__ import annotations

import numpy as np
import pytest

from vaebook import kl_diag_to_standard
from vaebook.exact import LinearGaussian
from vaebook.iwae import linear_gaussian_iwae
from vaebook.metrics import active_units, kl_per_dimension
from vaebook.variational import linear_gaussian_elbo
from vaebook.widgets.iwae_bound import K_GRID, iwae_bound_widget


@pytest.fixture(scope="module")
def model_and_data():
    model = LinearGaussian.scalar(1.3, -0.4, 0.6)
    X, _ = model.sample(100, np.random.default_rng(0))
    return model, X


def test_widget_shows_the_library_bound(model_and_data):
    model, X = model_and_data
    w = iwae_bound_widget(model, X, seed=3)
    mean, cov = model.posterior(X)
    q_log_var = np.tile(np.log(np.diag(cov)), (len(X), 1))
    for log10_K, shift in [(0.0, 0.5), (2.0, 0.5), (1.5, 1.25)]:
        w.set(log10_K=log10_K, shift=shift)
        K = int(round(10**log10_K))
        expected = linear_gaussian_iwae(model, X, K, np.random.default_rng(3), mean + shift,
                                        q_log_var).mean()
        assert w.shown["K"] == K
        assert w.shown["bound"] == pytest.approx(expected, abs=1e-12)
        assert w.shown["log_evidence"] == pytest.approx(model.log_evidence(X).mean(), abs=1e-12)
        assert w.shown["elbo"] == pytest.approx(
            linear_gaussian_elbo(model, X, mean + shift, q_log_var).mean(), abs=1e-12)
        assert w.shown["gap"] == pytest.approx(w.shown["log_evidence"] - w.shown["bound"], abs=1e-12)
        assert w.shown["gap"] > 0
    # more samples: a tighter bound (same offset)
    w.set(log10_K=0.0, shift=1.0)
    loose = w.shown["gap"]
    w.set(log10_K=3.0)
    assert w.shown["K"] == 1000 and w.shown["gap"] < loose / 5
    # q equal to the true posterior (J = 1): the bound is exact for every K
    w.set(log10_K=0.0, shift=0.0)
    assert abs(w.shown["gap"]) < 1e-10
    assert w.shown["elbo"] == pytest.approx(w.shown["log_evidence"], abs=1e-10)
    assert "log10_K=0" in repr(w) and "0x" not in repr(w)
    assert len(w.fig.axes[0].lines[0].get_xdata()) == len(K_GRID)


def test_widget_rejects_bad_seed(model_and_data):
    model, X = model_and_data
    with pytest.raises(ValueError, match="seed"):
        iwae_bound_widget(model, X, seed=-1)


def test_kl_per_dimension_sums_to_kl_and_finds_collapsed_dims():
    rng = np.random.default_rng(1)
    mu = np.column_stack([rng.normal(0, 2, 500), np.zeros(500), rng.normal(0, 0.5, 500)])
    log_var = np.column_stack([np.full(500, -3.0), np.zeros(500), np.full(500, -0.5)])
    per_dim = kl_per_dimension(mu, log_var)
    assert per_dim.shape == (3,)
    assert per_dim.sum() == pytest.approx(kl_diag_to_standard(mu, log_var).mean(), rel=1e-12)
    assert per_dim[1] == 0.0  # q(z_2|x) = N(0, 1) = the prior for every x
    assert per_dim[0] == pytest.approx(0.5 * np.mean(mu[:, 0] ** 2 + np.exp(-3.0) - 1 + 3.0))
    assert active_units(mu).tolist() == [True, False, True]
    assert active_units(mu, threshold=1.0).tolist() == [True, False, False]


def test_collapse_measures_reject_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        kl_per_dimension(np.zeros((3, 2)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="log_var"):
        kl_per_dimension(np.zeros((3, 2)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="two points"):
        active_units(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="threshold"):
        active_units(np.zeros((4, 2)), threshold=0.0)


# ----------------------------------------------------------------------------------------------
# Adam(flush_subnormal=True), used by benchmarks/bench_configs.py
# ----------------------------------------------------------------------------------------------
def test_adam_flush_subnormal_clears_a_stuck_first_moment():
    from vaebook import Adam

    runs = {}
    for flush in (False, True):
        params = {"w": np.array([1.0, -2.0])}
        opt = Adam(1e-2, flush_subnormal=flush)
        opt.step(params, {"w": np.array([1e-3, 0.5])})
        for _ in range(8000):                       # then w[0]'s gradient is exactly zero
            opt.step(params, {"w": np.array([0.0, 0.5])})
        runs[flush] = (params["w"].copy(), opt._state[0][0].copy())
    m_plain, m_flush = runs[False][1], runs[True][1]
    smallest_normal = np.finfo(np.float64).tiny
    assert 0 < abs(m_plain[0]) < smallest_normal     # stuck at a subnormal without the flag
    assert m_flush[0] == 0.0                         # flushed with it
    assert m_plain[1] == m_flush[1]                  # normal entries untouched
    assert np.array_equal(runs[False][0], runs[True][0])   # and the parameters are identical


def test_adam_flush_subnormal_leaves_vae_training_unchanged():
    from vaebook import Adam, VAEConfig, init_params, make_mixture, train

    X, _ = make_mixture(300, np.random.default_rng(0))
    cfg = VAEConfig(2, 2, (16,), (16,), sigma2="learned")
    out = []
    for flush in (False, True):
        params = init_params(cfg, np.random.default_rng(1))
        train(params, cfg, X, epochs=20, batch_size=32, optimizer=Adam(1e-2, flush_subnormal=flush),
              rng=np.random.default_rng(2))
        out.append(params.vector.copy())
    assert np.array_equal(out[0], out[1])
    assert "flush_subnormal=True" in repr(Adam(flush_subnormal=True))
    assert "flush" not in repr(Adam())


def test_adam_flush_subnormal_must_be_bool():
    from vaebook import Adam

    with pytest.raises(ValueError, match="flush_subnormal"):
        Adam(flush_subnormal="yes")


def test_energy_distance_is_the_mmd_of_the_negative_distance():
    """Chapter 9's statement of the energy distance as an MMD: with k(x, y) = -|x - y| in the MMD^2
    formula (unbiased within-sample means) it is the energy distance; with the distance-induced
    kernel k(x, y) = (|x - x0| + |y - x0| - |x - y|) / 2 it is twice the MMD^2, for any x0. With
    +|x - y| the sign flips, which is the mistake the chapter avoids."""
    from vaebook.metrics import energy_distance

    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((7, 2)), rng.standard_normal((5, 2)) + [3.0, 0.0]

    def mmd2(k):
        kxx = sum(k(X[i], X[j]) for i in range(7) for j in range(7) if i != j) / (7 * 6)
        kyy = sum(k(Y[i], Y[j]) for i in range(5) for j in range(5) if i != j) / (5 * 4)
        kxy = sum(k(x, y) for x in X for y in Y) / 35
        return kxx + kyy - 2 * kxy

    dist = lambda a, b: float(np.linalg.norm(a - b))  # noqa: E731
    ed = energy_distance(X, Y)
    assert ed > 0
    assert mmd2(lambda a, b: -dist(a, b)) == pytest.approx(ed, rel=1e-12)
    assert mmd2(dist) == pytest.approx(-ed, rel=1e-12)
    for x0 in (np.zeros(2), np.array([3.0, -1.0])):
        induced = lambda a, b: 0.5 * (dist(a, x0) + dist(b, x0) - dist(a, b))  # noqa: E731
        assert 2 * mmd2(induced) == pytest.approx(ed, rel=1e-10)
