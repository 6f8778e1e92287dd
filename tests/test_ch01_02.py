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
