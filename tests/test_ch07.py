"""Chapter 7 (generating from the prior): the widgets show decode(z), and their helpers reject
bad input; the maximum mean discrepancy.

Each widget test sets the controls with ``w.set(...)`` and compares what the widget shows (its
readout numbers in ``w.shown`` and the data of its moving parts, found by name with
``w.artist(name)``) with ``vaebook.decode``. That the static page shows the same numbers is
tested in tests/test_widgets.py; the in-browser decoder (LiveDecoder) in
tests/test_live_widget.py. The models are trained briefly (tests/generator_fixtures.py): the tests
check the widgets' plumbing, not model quality.
"""
from __future__ import annotations

import numpy as np
import pytest
from generator_fixtures import dec, digits_model, mixture_model, png_size  # noqa: F401  (fixtures)

import vaebook as vb
from vaebook import latent_space
from vaebook.widgets import latent as gen


# ----------------------------------------------------------------------------------------------
# The running example
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("z1, z2", [(0.0, 0.0), (1.5, -2.0), (-3.0, 3.0)])
def test_latent_explorer_shows_decode(mixture_model, z1, z2):
    params, cfg, X, labels = mixture_model
    w = gen.latent_explorer(params, cfg, X, labels)
    w.set(z1=z1, z2=z2)
    want = dec(params, cfg, [z1, z2])[0]
    assert (w.shown["z1"], w.shown["z2"]) == (z1, z2)
    assert np.array_equal([w.shown["x1"], w.shown["x2"]], want)
    assert np.array_equal(np.ravel(w.artist("x_hat").get_data()), want)
    assert np.array_equal(np.ravel(w.artist("z").get_data()), [z1, z2])
    assert w.shown["log_p_true"] == pytest.approx(vb.mixture_log_density(want[None])[0])


def test_latent_explorer_frames_are_identical_to_a_fresh_widget(mixture_model):
    """The stored-background fast path draws the same picture as a widget built at that value."""
    params, cfg, X, labels = mixture_model
    moved = gen.latent_explorer(params, cfg, X, labels).set(z1=1.0, z2=-1.0)
    fresh = gen.latent_explorer(params, cfg, X, labels, z1=1.0, z2=-1.0)
    assert moved.image.value == fresh.image.value
    assert png_size(moved) == (700, 340)


def test_decoded_grid_lines_are_decode_of_the_grid(mixture_model):
    params, cfg, *_ = mixture_model
    lines = latent_space.decoded_grid_lines(params, cfg, lim=2.0, n_lines=3, n_points=5)
    assert lines.shape == (6, 5, 2)
    # line 0 is z1 = -2 with z2 from -2 to 2; line 3 is z2 = -2 with z1 from -2 to 2
    t = np.linspace(-2, 2, 5)
    assert np.allclose(lines[0], dec(params, cfg, np.column_stack([np.full(5, -2.0), t])))
    assert np.allclose(lines[3], dec(params, cfg, np.column_stack([t, np.full(5, -2.0)])))


@pytest.mark.parametrize("axis", [0, 1])
def test_latent_sweep_draws_the_decoded_line(mixture_model, axis):
    params, cfg, X, labels = mixture_model
    w = gen.latent_sweep(params, cfg, X, labels)
    w.set(axis=axis, fixed=0.7, t=-1.2)
    z = np.full((61, 2), 0.7)
    z[:, axis] = np.linspace(-3, 3, 61)
    path = dec(params, cfg, z)
    assert np.array_equal(np.asarray(w.artist("path").get_offsets()), path)
    assert np.array_equal(np.column_stack(w.artist("z_line").get_data()), z[[0, -1]])
    zt = [-1.2, 0.7] if axis == 0 else [0.7, -1.2]
    assert np.array_equal([w.shown["x1"], w.shown["x2"]], dec(params, cfg, zt)[0])
    assert w.shown["path_length"] == pytest.approx(
        np.linalg.norm(np.diff(path, axis=0), axis=1).sum())


def test_interpolation_explorer_follows_the_segment(mixture_model):
    params, cfg, X, labels = mixture_model
    w = gen.interpolation_explorer(params, cfg, X, labels)
    mu, _ = vb.encode(params, cfg, X)
    for k, i in w.representatives.items():
        assert labels[i] == k
        # nearest to its cluster's median code among the points of that cluster
        idx = np.flatnonzero(labels == k)
        med = np.median(mu[idx], axis=0)
        assert np.isclose(((mu[i] - med) ** 2).sum(), ((mu[idx] - med) ** 2).sum(axis=1).min())
    for start, end, t in [(0, 3, 0.0), (1, 2, 0.4), (2, 0, 1.0)]:
        w.set(start=start, end=end, t=t)
        za, zb = mu[w.representatives[start]], mu[w.representatives[end]]
        z = (1 - t) * za + t * zb
        assert np.allclose([w.shown["z1"], w.shown["z2"]], z, rtol=0, atol=1e-12)
        assert np.allclose([w.shown["x1"], w.shown["x2"]], dec(params, cfg, z)[0],
                           rtol=0, atol=1e-12)
        drawn = np.column_stack(w.artist("xpath").get_data())
        assert np.array_equal(drawn, dec(params, cfg, latent_space.interpolate(za, zb, np.linspace(0, 1, 41))))
        assert np.array_equal(np.ravel(w.artist("x_hat").get_data()), [w.shown["x1"], w.shown["x2"]])


# ----------------------------------------------------------------------------------------------
# Helpers and bad input
# ----------------------------------------------------------------------------------------------
def test_interpolate_endpoints_and_midpoint():
    za, zb = np.array([1.0, -2.0]), np.array([3.0, 4.0])
    out = latent_space.interpolate(za, zb, np.array([0.0, 0.5, 1.0]))
    assert np.array_equal(out, [[1.0, -2.0], [2.0, 1.0], [3.0, 4.0]])
    assert np.array_equal(latent_space.interpolate(za, zb, 0.25), [1.5, -0.5])


def test_bad_input_raises_clear_errors(mixture_model, digits_model):
    params, cfg, X, labels = mixture_model
    with pytest.raises(ValueError, match="z_a and z_b"):
        latent_space.interpolate([0.0, 1.0], [0.0, 1.0, 2.0], 0.5)
    with pytest.raises(ValueError, match="t must be finite"):
        latent_space.interpolate([0.0, 1.0], [1.0, 1.0], np.nan)
    with pytest.raises(ValueError, match="axis"):
        latent_space.sweep_path(params, cfg, axis=2, fixed=0.0)
    with pytest.raises(ValueError, match="fixed"):
        latent_space.sweep_path(params, cfg, axis=0, fixed=np.inf)
    with pytest.raises(ValueError, match="lim"):
        gen.latent_explorer(params, cfg, X, labels, lim=-1.0)
    with pytest.raises(ValueError, match="labels must have shape"):
        gen.latent_explorer(params, cfg, X, labels[:-1])
    with pytest.raises(ValueError, match="NaN"):
        gen.latent_explorer(params, cfg, np.full((3, 2), np.nan), np.zeros(3))
    with pytest.raises(ValueError, match="outside"):
        gen.latent_explorer(params, cfg, X, labels, z1=5.0)
    with pytest.raises(ValueError, match="start must be one of"):
        gen.interpolation_explorer(params, cfg, X, labels, start=7)
    with pytest.raises(ValueError, match="data_dim == 2"):
        gen.latent_explorer(*digits_model)
    cfg3 = vb.VAEConfig(data_dim=2, latent_dim=3)
    with pytest.raises(ValueError, match="latent_dim == 2"):
        gen.latent_explorer(vb.init_params(cfg3, np.random.default_rng(0)), cfg3, X, labels)
    with pytest.raises(ValueError, match="missing"):
        gen.latent_explorer({}, cfg, X, labels)
    cfg5 = vb.VAEConfig(data_dim=5, latent_dim=2, likelihood="bernoulli")
    with pytest.raises(ValueError, match="square number"):
        gen.digit_explorer(vb.init_params(cfg5, np.random.default_rng(0)), cfg5,
                           np.zeros((4, 5)), np.zeros(4))
    w = gen.latent_explorer(params, cfg, X, labels)
    with pytest.raises(ValueError, match="unknown controls"):
        w.set(z3=1.0)


def test_widget_repr_has_no_address(mixture_model):
    w = gen.latent_explorer(*mixture_model, z1=0.5)
    assert repr(w) == "InteractiveFigure(Latent explorer: z -> decode(z): z1=0.5, z2=0)"


# ----------------------------------------------------------------------------------------------
# metrics.mmd (added for this chapter)
# ----------------------------------------------------------------------------------------------
def test_mmd_equals_the_definition_computed_by_brute_force():
    from vaebook import metrics

    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((7, 3)), rng.standard_normal((5, 3)) + 0.5
    h = 0.8

    def k(a, b):
        return np.exp(-np.sum((a - b) ** 2) / (2 * h * h))

    kxx = sum(k(X[i], X[j]) for i in range(7) for j in range(7) if i != j) / (7 * 6)
    kyy = sum(k(Y[i], Y[j]) for i in range(5) for j in range(5) if i != j) / (5 * 4)
    kxy = sum(k(x, y) for x in X for y in Y) / 35
    assert metrics.mmd(X, Y, h) == pytest.approx(kxx + kyy - 2 * kxy, rel=1e-12)
    assert metrics.mmd(X, Y, h) == pytest.approx(metrics.mmd(Y, X, h), rel=1e-12)


def test_mmd_separates_different_distributions():
    from vaebook import metrics

    X = vb.make_mixture(1000, np.random.default_rng(1))[0]
    same = [metrics.mmd(X, vb.make_mixture(1000, np.random.default_rng(s))[0]) for s in (2, 3, 4)]
    shifted = metrics.mmd(X, vb.make_mixture(1000, np.random.default_rng(5))[0] + [0.5, 0.0])
    assert max(abs(v) for v in same) < 0.003
    assert shifted > 10 * max(abs(v) for v in same)


def test_mmd_rejects_bad_input():
    from vaebook import metrics

    X = np.zeros((4, 2))
    with pytest.raises(ValueError, match="bandwidth"):
        metrics.mmd(X, X, bandwidth=0.0)
    with pytest.raises(ValueError, match="at least two points"):
        metrics.mmd(X[:1], X)
    with pytest.raises(ValueError, match="Y must have 2 columns"):
        metrics.mmd(X, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="NaN"):
        metrics.mmd(X, np.full((4, 2), np.nan))
