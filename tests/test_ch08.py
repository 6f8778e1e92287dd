"""Chapter 8 (images): the digit widgets show decode(z), and the Bernoulli decoder's loss is the
binary cross-entropy of eq-bernoulli.

The widget tests set the controls with ``w.set(...)`` and compare what the widget shows with
``vaebook.decode``; the model is trained briefly (tests/generator_fixtures.py).
"""
from __future__ import annotations

import numpy as np
import pytest
from generator_fixtures import dec, digits_model  # noqa: F401  (fixtures)

import vaebook as vb
from vaebook.widgets import latent as gen


# ----------------------------------------------------------------------------------------------
# Digits
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("z1, z2", [(0.0, 0.0), (-2.0, 1.0)])
def test_digit_explorer_shows_decoded_image(digits_model, z1, z2):
    params, cfg, D, y = digits_model
    w = gen.digit_explorer(params, cfg, D, y)
    w.set(z1=z1, z2=z2)
    want = dec(params, cfg, [z1, z2]).reshape(8, 8)
    assert np.array_equal(np.asarray(w.artist("image").get_array()), want)
    assert w.shown["mean_pixel"] == pytest.approx(want.mean())
    assert np.array_equal(np.ravel(w.artist("z").get_data()), [z1, z2])


def test_digit_interpolation_shows_decoded_images(digits_model):
    params, cfg, D, y = digits_model
    w = gen.digit_interpolation(params, cfg, D, y, start=1, end=7)
    mu, _ = vb.encode(params, cfg, D)
    for t in (0.0, 0.3, 1.0):
        w.set(t=t)
        za, zb = mu[w.representatives[1]], mu[w.representatives[7]]
        want = dec(params, cfg, (1 - t) * za + t * zb).reshape(8, 8)
        assert np.allclose(np.asarray(w.artist("image").get_array()), want,
                           rtol=0, atol=1e-12)
        strip = np.asarray(w.artist("strip").get_array())
        ends = dec(params, cfg, np.array([za, zb])).reshape(2, 8, 8)
        assert np.allclose(strip[:, :8], ends[0], atol=1e-12)
        assert np.allclose(strip[:, -8:], ends[1], atol=1e-12)
    assert y[w.representatives[1]] == 1 and y[w.representatives[7]] == 7




def test_bernoulli_recon_is_the_cross_entropy_of_the_decoded_probabilities(digits_model):
    """The library computes -log p(x|z) stably from logits; it must equal eq-bernoulli evaluated
    from the decoded pixel probabilities, on grey pixels too."""
    params, cfg, D, _ = digits_model
    x = D[:5]
    assert np.any((x > 0) & (x < 1))
    eps = np.random.default_rng(1).standard_normal((5, 2))
    recon, _ = vb.elbo_terms(params, cfg, x, eps)
    mu, log_var = vb.encode(params, cfg, x)
    p_hat = vb.decode(params, cfg, mu + np.exp(0.5 * log_var) * eps)
    bce = -(x * np.log(p_hat) + (1 - x) * np.log1p(-p_hat)).sum(axis=1)
    assert np.allclose(recon, bce, rtol=1e-10, atol=0)
