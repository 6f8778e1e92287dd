"""Chapters 5 and 6: library identities their prose relies on (moved out of the chapters), the
widget's claim in chapter 5, and the evidence layer of both notebooks."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import vaebook as vb
from vaebook.estimators import mean_and_se, sine
from vaebook.widgets import reparam_widget

BOOK = Path(__file__).resolve().parent.parent / "book"
CHAPTERS = ["05_reparameterization.ipynb", "06_implementation.ipynb"]


def test_gaussian_scores_are_the_derivatives_of_log_q_and_have_mean_zero():
    """eq-score: d log q / d mu = (z - mu) / sigma^2, d log q / d sigma = ((z - mu)^2 - sigma^2) / sigma^3."""
    mu, sigma, h = 0.5, 0.5, 1e-5
    z = mu + sigma * np.random.default_rng(5).standard_normal(200_000)
    logq = lambda m, s, z: vb.log_normal_diag(z[:, None], m, s**2)  # noqa: E731
    score_mu, score_sigma = (z - mu) / sigma**2, ((z - mu) ** 2 - sigma**2) / sigma**3
    fd_mu = (logq(mu + h, sigma, z[:50]) - logq(mu - h, sigma, z[:50])) / (2 * h)
    fd_sigma = (logq(mu, sigma + h, z[:50]) - logq(mu, sigma - h, z[:50])) / (2 * h)
    assert vb.relative_error(score_mu[:50], fd_mu) < 1e-8
    assert vb.relative_error(score_sigma[:50], fd_sigma) < 1e-8
    for s in (score_mu, score_sigma):
        m, se = mean_and_se(s)
        assert abs(m) < 4 * se
    # power: a score off by 10 % is caught
    assert vb.relative_error(1.1 * score_mu[:50], fd_mu) > 1e-3


def test_sine_expectation_is_exact():
    """E_q[sin z] = sin(mu) exp(-sigma^2 / 2), the exact answer chapter 5 compares with."""
    fn = sine()
    assert fn.expectation(0.5, 0.5) == pytest.approx(np.sin(0.5) * np.exp(-0.125), rel=1e-14)
    z = 0.5 + 0.5 * np.random.default_rng(6).standard_normal(400_000)
    m, se = mean_and_se(np.sin(z))
    assert abs(m - fn.expectation(0.5, 0.5)) < 4 * se


@pytest.mark.parametrize("mu, sigma, narrower", [(2.0, 2.5, "score"), (-1.0, 0.2, "path"), (0.5, 1.0, "path")])
def test_reparam_widget_shows_which_estimator_is_less_noisy(mu, sigma, narrower):
    """Chapter 5's invitation: at the wide q (mu = 2, sigma = 2.5) the score function's bar for
    d/dmu is the narrower one; at a small sigma the pathwise one is."""
    shown = reparam_widget(mu=0.5, sigma=1.0, n=200, seed=0).set(mu=mu, sigma=sigma).shown
    other = "path" if narrower == "score" else "score"
    from vaebook.widgets.reparam import READOUT_LABELS as label
    assert shown[label[f"{narrower}_mu_se"]] < shown[label[f"{other}_mu_se"]]


# --- the evidence layer of chapters 5 and 6 ------------------------------------------------------
def cells(name):
    return json.loads((BOOK / name).read_text())["cells"]


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_assert_or_glue_in_visible_cells(name):
    for c in cells(name):
        if c["cell_type"] != "code" or "evidence" in c["metadata"].get("tags", []):
            continue
        src = "".join(c["source"])
        assert not re.search(r"^\s*assert\b", src, re.M), src[:200]
        assert "glue(" not in src, src[:200]


@pytest.mark.parametrize("name", CHAPTERS)
def test_evidence_cells_are_folded_and_labelled_with_their_first_line(name):
    evidence = [c for c in cells(name) if "evidence" in c["metadata"].get("tags", [])]
    assert len(evidence) >= 6
    for c in evidence:
        first = "".join(c["source"]).splitlines()[0]
        assert first.startswith("# Evidence: ")
        claim = first[len("# Evidence: "):]
        assert 0 < len(claim) <= 90
        assert c["metadata"] == {
            "tags": ["evidence", "hide-cell"],
            "mystnb": {"code_prompt_show": f"Evidence: {claim}", "code_prompt_hide": "Hide the evidence"},
            "jupyter": {"source_hidden": True, "outputs_hidden": True},
        }
        assert not any(o.get("output_type") == "stream" for o in c.get("outputs", [])), claim


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_seeded_draw_goes_through_vb_rng(name):
    for c in cells(name):
        if c["cell_type"] == "code":
            assert "default_rng" not in "".join(c["source"])


@pytest.mark.parametrize("name", CHAPTERS)
def test_prose_does_not_narrate_checks(name):
    narrating = re.compile(r"\b(the|this|each|every) (check|cell|test)s?\b (below|above|checks|computes|sets|uses)"
                           r"|\bchecks that\b|\bnext cell\b", re.I)
    for c in cells(name):
        if c["cell_type"] == "markdown":
            assert not narrating.search("".join(c["source"])), "".join(c["source"])[:200]
