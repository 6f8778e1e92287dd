"""Library and widget tests for chapters 1-3: divergence, Monte Carlo, ELBO, autoencoder, widgets."""
from __future__ import annotations

import numpy as np
import pytest

from vaebook._checks import grid_points as check_grid
from vaebook.autoencoder import codes, train_autoencoder
from vaebook.data import make_mixture
from vaebook.divergence import bimodal_log_density, fit_gaussian, kl_on_grid, normal_log_density
from vaebook.exact import LinearGaussian
from vaebook.formulas import integrate, kl_mvn, kl_normal_1d
from vaebook.montecarlo import isotropic_model, naive_log_evidence, naive_relative_variance
from vaebook.variational import gaussian_q_elbo

GRID = np.linspace(-12.0, 12.0, 4001)


# --- divergence ---------------------------------------------------------------------------------
def test_kl_on_grid_matches_closed_form():
    for mq, sq, mp, sp in [(0.0, 1.0, 1.0, 2.0), (1.5, 0.5, -1.0, 1.2), (0.3, 2.0, 0.0, 1.0)]:
        g = np.linspace(-20.0, 20.0, 8001)  # wide: q's tails times log q/p matter at 1e-8
        kl = kl_on_grid(normal_log_density(g, mq, sq), normal_log_density(g, mp, sp), g)
        assert abs(kl - kl_normal_1d(mq, sq**2, mp, sp**2)) < 1e-8


def test_integrate_is_exact_for_linear_functions():
    assert abs(integrate(2 * GRID + 1, GRID) - 24.0) < 1e-10


def test_bimodal_density_integrates_to_one_and_has_its_moments():
    for d, w in [(0.0, 0.5), (4.0, 0.3)]:
        p = np.exp(bimodal_log_density(GRID, d, w))
        assert abs(integrate(p, GRID) - 1) < 1e-10
        assert abs(integrate(GRID * p, GRID) - (w * (-d / 2) + (1 - w) * d / 2)) < 1e-10


def test_forward_fit_matches_moments_and_reverse_fit_picks_a_mode():
    log_p = bimodal_log_density(GRID, 6.0, 0.5, 0.6)
    fwd = fit_gaussian(log_p, GRID, "forward")
    assert abs(fwd["mean"]) < 1e-8 and abs(fwd["std"] - np.sqrt(9 + 0.36)) < 1e-6
    rev = fit_gaussian(log_p, GRID, "reverse")
    assert abs(abs(rev["mean"]) - 3.0) < 1e-3 and abs(rev["std"] - 0.6) < 1e-3
    assert abs(rev["kl"] - np.log(2)) < 1e-3        # one of two well-separated halves
    # each fit is optimal in its own direction: perturbing it increases the divergence
    for m, s in [(rev["mean"] + 0.05, rev["std"]), (rev["mean"], rev["std"] * 1.05)]:
        assert kl_on_grid(normal_log_density(GRID, m, s), log_p, GRID) > rev["kl"]
    for m, s in [(0.1, fwd["std"]), (0.0, fwd["std"] * 0.95)]:
        assert kl_on_grid(log_p, normal_log_density(GRID, m, s), GRID) > fwd["kl"]


def _brute_force_reverse_fit(log_p, grid, means, stds):
    """(KL, m, s) minimising KL(N(m, s^2) || p) over every pair of the two lists, by the grid rule."""
    best = (np.inf, None, None)
    for m in means:
        log_q = normal_log_density(grid, m, stds[:, None])
        kl = kl_on_grid(log_q, np.broadcast_to(log_p, log_q.shape), grid)
        j = int(np.argmin(kl))
        if kl[j] < best[0]:
            best = (float(kl[j]), float(m), float(stds[j]))
    return best


@pytest.mark.parametrize("separation", [3.3, 3.4, 3.5])
def test_reverse_fit_is_global_at_the_transition(separation):
    # Near separation 3.37 (bump std 0.6) the central broad fit and the one-bump fit have almost
    # the same KL: a search that refines only one coarse cell returns the wrong local minimum.
    # p is symmetric, so the brute-force search over m >= 0 (step 0.02, s step 0.01) is global.
    g = np.linspace(-10.0, 10.0, 2001)
    log_p = bimodal_log_density(g, separation, 0.5, 0.6)
    kl, m, s = _brute_force_reverse_fit(log_p, g, np.arange(0.0, 2.5001, 0.02), np.arange(0.4, 2.0001, 0.01))
    fit = fit_gaussian(log_p, g, "reverse")
    assert fit["kl"] <= kl + 1e-6                      # at least as good as every grid point
    assert abs(abs(fit["mean"]) - m) <= 0.02 and abs(fit["std"] - s) <= 0.02
    assert (m == 0.0) == (separation < 3.37)           # central below the transition, on a bump above


def test_reverse_fit_of_a_gaussian_is_the_gaussian():
    rev = fit_gaussian(normal_log_density(GRID, 0.7, 1.3), GRID, "reverse")
    assert abs(rev["mean"] - 0.7) < 1e-3 and abs(rev["std"] - 1.3) < 1e-3 and rev["kl"] < 1e-6


@pytest.mark.parametrize("call, match", [
    (lambda: check_grid([0.0, 1.0]), "at least 3"),
    (lambda: check_grid([0.0, 2.0, 1.0]), "increasing"),
    (lambda: check_grid([0.0, np.nan, 1.0]), "NaN"),
    (lambda: integrate(np.ones(5), np.linspace(0, 1, 4)), "length"),
    (lambda: kl_on_grid(np.full(4, np.nan), np.zeros(4), np.arange(4.0)), "NaN"),
    (lambda: normal_log_density(0.0, 0.0, -1.0), "std"),
    (lambda: bimodal_log_density(GRID, -1.0), "separation"),
    (lambda: bimodal_log_density(GRID, 1.0, weight=1.0), "weight"),
    (lambda: fit_gaussian(bimodal_log_density(GRID, 1.0), GRID, "sideways"), "direction"),
    (lambda: fit_gaussian(bimodal_log_density(GRID, 1.0)[:100], GRID[:100], "forward"), "integrate to 1"),
])
def test_divergence_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_kl_of_random_two_bump_pairs_is_positive_and_small_shifts_cost_half_the_square():
    # chapter 3: KL >= 0 for densities without a closed form; KL(N(0,1) || N(delta,1)) = delta^2 / 2
    g = np.linspace(-20.0, 20.0, 8001)
    rng = np.random.default_rng(0)
    for _ in range(50):
        (d1, d2), (w1, w2), (s1, s2) = rng.uniform(0, 6, 2), rng.uniform(0.1, 0.9, 2), rng.uniform(0.4, 1.5, 2)
        assert kl_on_grid(bimodal_log_density(g, d1, w1, s1), bimodal_log_density(g, d2, w2, s2), g) > 0
    for delta in (0.1, 0.01):
        kl = kl_on_grid(normal_log_density(g, 0.0, 1.0), normal_log_density(g, delta, 1.0), g)
        assert abs(kl / (delta**2 / 2) - 1) < 1e-6


def test_elbo_closed_forms_against_quadrature_on_the_chapter_3_model():
    # chapter 3's model and poor q: the closed-form ELBO and gap equal their quadratures
    model, x = LinearGaussian.scalar(1.0, 0.0, 0.7), 1.5
    z = np.linspace(-12.0, 12.0, 12001)
    log_q = normal_log_density(z, -0.3, 0.8)
    log_joint = model.log_likelihood(x, z) + model.log_prior(z)
    t = gaussian_q_elbo(model, x, [-0.3], [0.64])
    assert abs(t["elbo"] - integrate(np.exp(log_q) * (log_joint - log_q), z)) < 1e-6
    assert abs(t["gap"] - kl_on_grid(log_q, model.log_posterior(z, x), z)) < 1e-6


def test_kl_infinite_when_p_is_zero_where_q_is_not():
    g = np.linspace(-1, 1, 11)
    with pytest.raises(ValueError, match="infinite"):
        kl_on_grid(np.zeros(11), np.where(g > 0, 0.0, -np.inf), g)


# --- Monte Carlo ----------------------------------------------------------------------------------
def test_naive_estimate_is_unbiased_and_its_variance_is_predicted():
    model = isotropic_model(2)
    x = np.ones((1, 2))
    est = naive_log_evidence(model, x, 50, np.random.default_rng(0), n_repeats=4000)
    ratio = np.exp(est - model.log_evidence(x)[0])
    pred_var = naive_relative_variance(model, x) / 50
    # mean within 5 standard errors of 1; variance within 15% of the prediction
    assert abs(ratio.mean() - 1) < 5 * np.sqrt(pred_var / 4000)
    assert abs(ratio.var() / pred_var - 1) < 0.15


def test_relative_variance_closed_form_against_quadrature():
    model = LinearGaussian.scalar(1.3, 0.2, 0.6)
    z = np.linspace(-10, 10, 20001)
    lik = np.exp(model.log_likelihood(0.9, z))
    prior = np.exp(model.log_prior(z))
    m2 = integrate(lik**2 * prior, z)
    p = integrate(lik * prior, z)
    assert abs(naive_relative_variance(model, 0.9) - (m2 / p**2 - 1)) < 1e-8


def test_naive_estimate_float_and_product_structure():
    model = isotropic_model(3, w=1.0, s=0.5)
    # the isotropic model is J independent scalar models: log p(x) adds up over coordinates
    scalar = LinearGaussian.scalar(1.0, 0.0, 0.5)
    x = np.array([[0.5, -1.0, 2.0]])
    assert abs(model.log_evidence(x)[0] - scalar.log_evidence(x[0]).sum()) < 1e-12
    assert isinstance(naive_log_evidence(model, x, 10, np.random.default_rng(1)), float)


@pytest.mark.parametrize("call, match", [
    (lambda: naive_log_evidence(isotropic_model(2), np.ones((2, 2)), 10, np.random.default_rng(0)), "one data point"),
    (lambda: naive_log_evidence(isotropic_model(2), np.ones((1, 2)), 0, np.random.default_rng(0)), "n_samples"),
    (lambda: naive_log_evidence(isotropic_model(2), np.ones((1, 2)), 10, 0), "Generator"),
    (lambda: naive_log_evidence(isotropic_model(2), np.ones((1, 3)), 10, np.random.default_rng(0)), "columns"),
    (lambda: naive_relative_variance(isotropic_model(1), [[np.nan]]), "NaN"),
    (lambda: isotropic_model(0), "latent_dim"),
])
def test_montecarlo_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --- ELBO on the exact model -----------------------------------------------------------------------
def test_elbo_identity_and_bound():
    rng = np.random.default_rng(3)
    model = LinearGaussian(rng.standard_normal((3, 2)), rng.standard_normal(3), 0.8)
    x = rng.standard_normal(3)
    for _ in range(20):
        t = gaussian_q_elbo(model, x, rng.standard_normal(2), np.exp(rng.standard_normal(2)))
        assert abs(t["log_evidence"] - (t["elbo"] + t["gap"])) < 1e-10
        assert t["elbo"] < t["log_evidence"]


def test_elbo_expected_loglik_against_monte_carlo():
    model = LinearGaussian.scalar(1.5, 0.3, 0.7)
    t = gaussian_q_elbo(model, 1.1, [0.4], [0.25])
    z = 0.4 + 0.5 * np.random.default_rng(0).standard_normal(200_000)
    mc = model.log_likelihood(1.1, z).mean()
    assert abs(mc - t["expected_loglik"]) < 0.01


def test_elbo_equals_evidence_at_true_posterior():
    model = LinearGaussian.scalar(1.0, 0.0, 0.7)
    mean, cov = model.posterior(1.5)
    t = gaussian_q_elbo(model, 1.5, mean[0], np.diag(cov))
    assert abs(t["gap"]) < 1e-12 and abs(t["elbo"] - t["log_evidence"]) < 1e-12


def test_kl_mvn_reduces_to_1d_and_is_zero_on_itself():
    assert abs(kl_mvn([0.3], [[0.5]], [-1.0], [[2.0]]) - kl_normal_1d(0.3, 0.5, -1.0, 2.0)) < 1e-12
    c = np.array([[2.0, 0.3], [0.3, 1.0]])
    assert abs(kl_mvn([1.0, 2.0], c, [1.0, 2.0], c)) < 1e-12


@pytest.mark.parametrize("call, match", [
    (lambda: kl_mvn([0.0], [[1.0]], [0.0, 1.0], np.eye(2)), "shapes"),
    (lambda: kl_mvn([0.0], [[-1.0]], [0.0], [[1.0]]), "positive definite"),
    (lambda: kl_mvn([np.nan], [[1.0]], [0.0], [[1.0]]), "NaN"),
    (lambda: gaussian_q_elbo(LinearGaussian.scalar(1, 0, 1), 0.0, [0.0], [0.0]), "q_var"),
    (lambda: gaussian_q_elbo(LinearGaussian.scalar(1, 0, 1), 0.0, [0.0, 1.0], [1.0]), "shape"),
    (lambda: gaussian_q_elbo(LinearGaussian.scalar(1, 0, 1), [0.0, 1.0], [0.0], [1.0]), "one data point"),
])
def test_variational_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --- autoencoder -------------------------------------------------------------------------------------
def test_autoencoder_learns_and_is_deterministic():
    X, _ = make_mixture(300, np.random.default_rng(0))
    p1, cfg, losses = train_autoencoder(X, 1, np.random.default_rng(1), epochs=15)
    p2, _, _ = train_autoencoder(X, 1, np.random.default_rng(1), epochs=15)
    assert losses[-1] < 0.5 * losses[0]
    assert np.array_equal(codes(p1, cfg, X), codes(p2, cfg, X))
    assert codes(p1, cfg, X).shape == (300, 1)
    with pytest.raises(ValueError, match="Generator"):
        train_autoencoder(X, 1, 0)
    with pytest.raises(ValueError, match="NaN"):
        train_autoencoder(np.full((3, 2), np.nan), 1, np.random.default_rng(0))


# --- widgets -------------------------------------------------------------------------------------------
def test_bayes_widget_shows_the_exact_model():
    from vaebook.widgets.bayes import bayes_widget

    w = bayes_widget()
    w.set(x=-2.0, w=2.0, s=0.5)
    model = LinearGaussian.scalar(2.0, 0.0, 0.5)
    mean, cov = model.posterior(-2.0)
    assert abs(w.shown["p(x)"] - np.exp(model.log_evidence(-2.0)[0])) < 1e-14
    assert abs(w.shown["p(x) by quadrature"] - w.shown["p(x)"]) < 1e-8
    assert abs(w.shown["posterior mean"] - (-2.0 * 2.0 / (4.0 + 0.25))) < 1e-12
    assert abs(w.shown["posterior std"] - np.sqrt(0.25 / 4.25)) < 1e-12
    assert w.image.value[:4] == b"\x89PNG"
    assert "x=-2" in repr(w)


def test_kl_widget_shows_both_fits():
    from vaebook.widgets.kl_fit import GRID as G
    from vaebook.widgets.kl_fit import kl_fit_widget

    w = kl_fit_widget()
    w.set(separation=6.0, weight=0.3)
    log_p = bimodal_log_density(G, 6.0, 0.3)
    assert abs(w.shown["m (forward fit)"] - (0.3 * -3 + 0.7 * 3)) < 1e-8
    assert abs(w.shown["m (reverse fit)"] - 3.0) < 1e-2  # the heavier bump
    rev = fit_gaussian(log_p, G, "reverse")
    assert w.shown["KL(q‖p)"] == rev["kl"]
    assert abs(w.shown["KL(q‖p)"] - np.log(1 / 0.7)) < 1e-3


def test_elbo_widget_gap_is_the_kl():
    from vaebook.widgets.elbo import elbo_widget

    w = elbo_widget()
    w.set(q_mean=-0.5, q_std=0.3)
    model = LinearGaussian.scalar(1.0, 0.0, 0.7)
    t = gaussian_q_elbo(model, 1.5, [-0.5], [0.09])
    mean, cov = model.posterior(1.5)
    assert abs(w.shown["𝓛"] - t["elbo"]) < 1e-12
    assert abs(w.shown["log p(x)"] - model.log_evidence(1.5)[0]) < 1e-12
    assert abs(w.shown["KL(q‖p(z|x))"]
               - kl_normal_1d(-0.5, 0.09, mean[0, 0], cov[0, 0])) < 1e-12
    assert abs(w.shown["log p(x) − 𝓛"] - w.shown["KL(q‖p(z|x))"]) < 1e-10
    w.set(q_mean=float(np.round(mean[0, 0] / 0.05) * 0.05))
    assert w.shown["log p(x) − 𝓛"] > 0


def test_mc_widget_spread_grows_with_latent_dim():
    from vaebook.widgets.naive_mc import mc_widget

    w = mc_widget()
    w.set(latent_dim=1, log10_n=3.0)
    small = w.shown["median |p̂_K/p(x) − 1|"]
    model = isotropic_model(1)
    assert w.shown["K"] == 1000
    assert abs(w.shown["predicted SD of p̂_K/p(x)"]
               - np.sqrt(naive_relative_variance(model, np.ones((1, 1))) / 1000)) < 1e-12
    assert small < 0.1
    assert abs(w.shown["mean of p̂_K/p(x)"] - 1) < 0.05  # 100 ratios of SD 0.037 at J = 1, K = 1000: the mean has SE 0.004
    w.set(latent_dim=15)
    assert w.shown["median |p̂_K/p(x) − 1|"] > 5 * small
    assert w.shown["predicted SD of p̂_K/p(x)"] > 10


# --- mean field ----------------------------------------------------------------------------------------
def test_optimal_mean_field_is_the_best_diagonal_q():
    from vaebook.meanfield import optimal_mean_field

    rng = np.random.default_rng(5)
    A = rng.standard_normal((3, 3))
    cov = A @ A.T + 0.3 * np.eye(3)
    mean = rng.standard_normal(3)
    mf = optimal_mean_field(mean, cov)
    # the gap is the KL of the returned q, by the general formula
    assert abs(kl_mvn(mf["mean"], np.diag(mf["var"]), mean, cov) - mf["gap"]) < 1e-10
    assert mf["gap"] > 0 and np.all(mf["var"] < np.diag(cov))     # Hadamard; too narrow
    # no nearby diagonal q is better, and neither are random ones
    for j in range(3):
        for factor in (0.97, 1.03):
            v = mf["var"].copy()
            v[j] *= factor
            assert kl_mvn(mean, np.diag(v), mean, cov) > mf["gap"]
        m = mean.copy()
        m[j] += 0.03
        assert kl_mvn(m, np.diag(mf["var"]), mean, cov) > mf["gap"]
    for _ in range(200):
        v = mf["var"] * np.exp(rng.normal(0, 0.5, 3))
        assert kl_mvn(mean + rng.normal(0, 0.2, 3), np.diag(v), mean, cov) > mf["gap"]


def test_optimal_mean_field_closes_the_gap_for_a_diagonal_posterior_and_matches_two_by_two():
    from vaebook.meanfield import optimal_mean_field

    mf = optimal_mean_field([1.0, -2.0], np.diag([0.5, 3.0]))
    assert abs(mf["gap"]) < 1e-14 and np.allclose(mf["var"], [0.5, 3.0], rtol=1e-14)
    rho = 0.8
    mf = optimal_mean_field([0.0, 0.0], [[1.0, rho], [rho, 1.0]])
    assert np.allclose(mf["var"], 1 - rho**2, rtol=1e-12)
    assert abs(mf["gap"] + 0.5 * np.log(1 - rho**2)) < 1e-12


@pytest.mark.parametrize("mean, cov, match", [
    ([0.0, 0.0], np.eye(3), "shape"),
    ([0.0, np.nan], np.eye(2), "finite"),
    ([0.0, 0.0], [[1.0, 0.5], [0.4, 1.0]], "symmetric"),
    ([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]], "positive definite"),
])
def test_optimal_mean_field_bad_input(mean, cov, match):
    from vaebook.meanfield import optimal_mean_field

    with pytest.raises(ValueError, match=match):
        optimal_mean_field(mean, cov)
