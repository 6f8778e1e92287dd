"""Tests of the chapter 1 diagrams (vaebook/diagrams.py): the drawings have the structure the text
describes."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch, Rectangle  # noqa: E402

from vaebook.diagrams import GRAPH_NODES, draw_graphical_model, draw_vae_architecture  # noqa: E402


@pytest.fixture
def graph():
    fig, ax = plt.subplots()
    draw_graphical_model(ax)
    yield ax
    plt.close(fig)


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def test_graphical_model_has_one_latent_one_observed_node_and_two_shared_parameters(graph):
    circles = [p for p in graph.patches if isinstance(p, Circle)]
    kinds = sorted(c.get_gid() for c in circles)
    assert kinds == ["latent", "observed", "parameter", "parameter"]
    observed = next(c for c in circles if c.get_gid() == "observed")
    latent = next(c for c in circles if c.get_gid() == "latent")
    # the observed node is shaded, the latent one is not
    assert observed.get_facecolor()[:3] != (1.0, 1.0, 1.0)
    assert latent.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert np.allclose(observed.center, GRAPH_NODES["x"]) and np.allclose(latent.center, GRAPH_NODES["z"])
    for label in ("$z_i$", "$x_i$", r"$\theta$", r"$\phi$", "$N$", r"$q_\phi(z \mid x)$",
                  r"$p_\theta(x \mid z)$"):
        assert label in _texts(graph), label


def test_plate_holds_the_data_and_latents_but_not_the_parameters(graph):
    plate = next(p for p in graph.patches if isinstance(p, Rectangle) and p.get_gid() == "plate")
    x0, y0 = plate.get_xy()
    x1, y1 = x0 + plate.get_width(), y0 + plate.get_height()

    def inside(xy):
        return x0 < xy[0] < x1 and y0 < xy[1] < y1

    assert inside(GRAPH_NODES["z"]) and inside(GRAPH_NODES["x"])
    assert not inside(GRAPH_NODES["theta"]) and not inside(GRAPH_NODES["phi"])


def test_generative_arrows_are_solid_and_inference_arrows_dashed(graph):
    arrows = [p for p in graph.patches if isinstance(p, FancyArrowPatch)]
    generative = [a for a in arrows if a.get_gid() == "generative"]
    inference = [a for a in arrows if a.get_gid() == "inference"]
    assert len(generative) == 2 and len(inference) == 2
    assert all(a.get_linestyle() == "-" for a in generative)
    assert all(a.get_linestyle() == "--" for a in inference)


def test_architecture_names_the_noise_as_the_only_randomness_of_the_forward_pass():
    fig, ax = plt.subplots()
    draw_vae_architecture(ax)
    texts = _texts(ax)
    plt.close(fig)
    assert "the only randomness in the training forward pass" in texts
    assert any(r"\mathcal{N}(0, I_J)" in t for t in texts)


# --- identities moved out of chapters 1 and 2 (the library equals its formula) -------------------
from vaebook import VAEConfig, init_params  # noqa: E402
from vaebook.data import CENTERS, CLUSTER_STD, mixture_log_density  # noqa: E402
from vaebook.exact import LinearGaussian  # noqa: E402
from vaebook.formulas import (  # noqa: E402
    integrate,  # noqa: E402
    log_normal_diag,  # noqa: E402
)
from vaebook.montecarlo import isotropic_model, naive_relative_variance  # noqa: E402


def test_encoder_parameter_count_is_the_formula_of_chapter_1():
    """eq-encoder-params: (D + 1) M + (M + 1) 2J weights and biases in a one-hidden-layer encoder."""
    for D, M, J in [(2, 32, 2), (5, 7, 3), (64, 16, 1)]:
        config = VAEConfig(data_dim=D, latent_dim=J, enc_hidden=(M,), dec_hidden=(M,), sigma2=0.5)
        params = init_params(config, np.random.default_rng(0))
        encoder = sum(params[name].size for name in params.shapes if name.startswith("enc"))
        assert encoder == (D + 1) * M + (M + 1) * 2 * J


def test_mixture_density_is_the_four_term_sum_and_integrates_to_one():
    """eq-mixture-evidence written out term by term equals the library's density of the running example."""
    rng = np.random.default_rng(0)
    grid = np.linspace(-6.0, 6.0, 241)
    G = np.stack(np.meshgrid(grid, grid, indexing="ij"), axis=-1).reshape(-1, 2)
    for tau in (CLUSTER_STD, 1.5):
        x = np.concatenate([G, rng.normal(0.0, 3.0, size=(500, 2))])
        terms = 0.25 * np.exp(log_normal_diag(x[:, None, :], CENTERS[None, :, :], tau**2))
        assert np.allclose(terms.sum(axis=1), np.exp(mixture_log_density(x, std=tau)), rtol=1e-12, atol=0)
    mass = integrate(integrate(np.exp(mixture_log_density(G)).reshape(241, 241), grid), grid)
    assert abs(mass - 1.0) < 1e-8   # spacing 0.05; the tails beyond |x_j| = 6 are negligible


def test_one_sample_relative_variance_of_the_isotropic_model_is_a_power():
    """Chapter 2: independent coordinates, so the second-moment ratio of J copies is kappa^J."""
    kappa = naive_relative_variance(isotropic_model(1), np.ones((1, 1))) + 1.0
    for J in (1, 2, 5, 10, 20):
        direct = naive_relative_variance(isotropic_model(J), np.ones((1, J)))
        assert abs(direct - (kappa**J - 1.0)) < 1e-9 * kappa**J


def test_linear_gaussian_evidence_by_quadrature_matches_the_closed_form():
    """Chapter 2's integrand figure: the trapezoidal rule on the z-grid reproduces N(x; b, w^2 + s^2)."""
    z = np.linspace(-10.0, 10.0, 4001)
    for w, b, s, x in [(1.5, 0.5, 0.8, 2.0), (-0.7, 0.3, 1.5, -1.0), (3.0, -1.0, 0.3, 0.4)]:
        model = LinearGaussian.scalar(w, b, s)
        joint = np.exp(model.log_likelihood(x, z) + model.log_prior(z))
        assert abs(integrate(joint, z) - np.exp(model.log_evidence(x)[0])) < 1e-8


def test_kl_of_a_rescaled_gaussian_is_the_closed_form_of_chapter_2():
    """Two coordinates of KL(N(0, tau^2) || N(0, t^2 tau^2)) = 2 (log t + 1/(2 t^2) - 1/2)."""
    from vaebook.formulas import kl_normal_1d

    ts = np.linspace(0.5, 2.0, 16)
    assert np.allclose(2 * kl_normal_1d(0.0, CLUSTER_STD**2, 0.0, (ts * CLUSTER_STD) ** 2),
                       2.0 * (np.log(ts) + 0.5 / ts**2 - 0.5), rtol=1e-10, atol=1e-12)
