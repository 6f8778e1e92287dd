"""vaebook.estimators: the leave-one-out baseline, the mean and standard error, blocked gradients,
each against the formula written out on a few numbers."""
from __future__ import annotations

import numpy as np
import pytest

from vaebook import estimators as E


def test_leave_one_out_baseline_is_the_mean_of_the_others():
    """With n = 3 the weights are f_i - mean(f_j, j != i), exactly."""
    eps = np.array([[0.5], [-1.0], [2.0]])
    mu, sigma = np.array([0.2]), np.array([1.5])

    def f(z):
        return z[:, 0] ** 2
    g_mu, g_sigma = E.score_function_gradients(f, mu, sigma, eps, "leave-one-out")
    fz = (mu + sigma * eps)[:, 0] ** 2
    w = np.array([fz[0] - (fz[1] + fz[2]) / 2, fz[1] - (fz[0] + fz[2]) / 2, fz[2] - (fz[0] + fz[1]) / 2])
    np.testing.assert_allclose(g_mu[:, 0], w * eps[:, 0] / sigma, rtol=1e-14)
    np.testing.assert_allclose(g_sigma[:, 0], w * (eps[:, 0] ** 2 - 1) / sigma, rtol=1e-14)


def test_a_constant_baseline_is_subtracted():
    eps = np.array([[0.5], [-1.0]])
    g0, _ = E.score_function_gradients(lambda z: z[:, 0], [0.0], [1.0], eps, 0.0)
    g1, _ = E.score_function_gradients(lambda z: z[:, 0], [0.0], [1.0], eps, 0.25)
    np.testing.assert_allclose(g0 - g1, 0.25 * eps, rtol=1e-14)


def test_pathwise_gradients_on_a_quadratic():
    eps = np.array([[0.5, 1.0], [-1.0, 0.0]])
    mu, sigma = np.array([1.0, -2.0]), np.array([0.5, 2.0])
    g_mu, g_sigma = E.pathwise_gradients(lambda z: 2 * z, mu, sigma, eps)
    z = mu + sigma * eps
    np.testing.assert_allclose(g_mu, 2 * z)
    np.testing.assert_allclose(g_sigma, 2 * z * eps)


def test_mean_and_se_on_four_numbers():
    m, se = E.mean_and_se([1.0, 2.0, 3.0, 6.0])
    assert m == 3.0
    assert se == pytest.approx(np.sqrt(((1 - 3) ** 2 + 1 + 0 + 9) / 3) / 2, rel=1e-14)
    with pytest.raises(ValueError, match="at least 2"):
        E.mean_and_se([1.0])


def test_blocked_gradients_are_the_kl_gradients():
    mu, log_var = np.array([[0.5, -1.0]]), np.array([[0.0, np.log(3.0)]])
    np.testing.assert_allclose(E.blocked_gradients(mu, log_var), [[0.5, -1.0, 0.0, 1.0]], rtol=1e-14)
