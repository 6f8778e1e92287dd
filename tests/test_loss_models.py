"""The stored models of chapter 4 (benchmarks/results/loss_models.npz) are what their training gives.

The full training (twelve models, T and 2T epochs each) takes minutes, so these tests reproduce
what can be reproduced in about a second: the first ``PREFIX`` epochs of every setting's first
seed, bit for bit on the pinned numerical platform (conftest.py), and the stored trajectory's last
point from the stored parameters. They also check that the schedule is the stated one (a run of
E epochs changes the learning rate after 3E/4) and that loading refuses other data or settings.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import bench_loss_models as bench  # noqa: E402

from vaebook import loss_models as lm  # noqa: E402
from vaebook.params import ParamDict  # noqa: E402


@pytest.fixture(scope="module")
def stored():
    return lm.load_loss_models(bench.RESULT, bench.training_data())


@pytest.mark.parametrize("setting", lm.SETTINGS)
def test_a_prefix_of_every_setting_is_reproduced_bit_for_bit(stored, setting):
    _, prefixes, _ = stored
    seed = lm.SEEDS[0]
    params, _ = lm.train_run(bench.training_data(), setting, seed, 2 * lm.T, until=lm.PREFIX)
    assert params.vector.tobytes() == prefixes[setting, seed].tobytes()


def test_the_stored_trajectory_ends_at_the_stored_long_run(stored):
    models, _, trajectory = stored
    X = bench.training_data()
    for setting in lm.SETTINGS:
        seed = lm.SEEDS[-1]
        traj = trajectory[setting, seed]
        assert traj["epoch"][-1] == 2 * lm.T and np.all(np.diff(traj["epoch"]) == lm.EVERY)
        last = lm.neg_elbo(models[setting, seed, 2 * lm.T], lm.config(setting), X)
        assert last["neg_elbo"] == traj["neg_elbo"][-1] and last["enc_std"] == traj["enc_std"][-1]
        assert np.array_equal(last["s2"], traj["s2"][-1])


def test_stored_models_are_trained_and_differ_by_seed(stored):
    models, _, trajectory = stored
    assert set(models) == {(s, seed, E) for s in lm.SETTINGS for seed in lm.SEEDS for E in (lm.T, 2 * lm.T)}
    for (setting, seed, E), params in models.items():
        assert np.isfinite(params.vector).all()
        # trained: the negative ELBO fell from its value after the first checkpoint
        assert trajectory[setting, seed]["neg_elbo"][-1] < trajectory[setting, seed]["neg_elbo"][0]
    a, b = models["learned", lm.SEEDS[0], 2 * lm.T], models["learned", lm.SEEDS[1], 2 * lm.T]
    assert not np.array_equal(a.vector, b.vector)
    # the T run and the 2T run of one seed share their start but not their end
    assert not np.array_equal(models[0.5, lm.SEEDS[0], lm.T].vector, models[0.5, lm.SEEDS[0], 2 * lm.T].vector)


def test_the_schedule_drops_the_learning_rate_after_three_quarters(monkeypatch):
    seen = []
    real_train = lm.train

    def spy(params, cfg, X, *, epochs, optimizer, **kw):
        seen.append((epochs, optimizer.lr))
        return real_train(params, cfg, X, epochs=epochs, optimizer=optimizer, **kw)

    monkeypatch.setattr(lm, "train", spy)
    X = bench.training_data()[:128]
    lm.train_run(X, 0.5, 1, 8, checkpoints=(2,))
    assert seen == [(2, lm.LR), (4, lm.LR), (2, lm.LR_FINAL)]
    seen.clear()
    lm.train_run(X, 0.5, 1, 8, checkpoints=(2,), until=5)      # the first 5 epochs of that run
    assert seen == [(2, lm.LR), (3, lm.LR)]


def test_neg_elbo_is_recon_plus_kl_and_uses_many_draws():
    X = bench.training_data()[:200]
    cfg = lm.config("learned")
    params, _ = lm.train_run(X, "learned", 1, 3)
    r = lm.neg_elbo(params, cfg, X)
    assert abs(r["neg_elbo"] - (r["recon"] + r["kl"])) < 1e-12
    one = lm.neg_elbo(params, cfg, X, draws=1)
    assert one["kl"] == r["kl"] and one["recon"] != r["recon"]   # more draws, another estimate


def test_loading_refuses_other_data_or_settings():
    X = bench.training_data()
    with pytest.raises(ValueError, match="other data"):
        lm.load_loss_models(bench.RESULT, X[:-1])
    with pytest.raises(ValueError, match="other settings"):
        lm.load_loss_models(bench.RESULT, X, seeds=(1, 11, 22))
    with pytest.raises(ValueError, match="other settings"):
        lm.load_loss_models(bench.RESULT, X, T=lm.T // 2)


def test_stored_parameters_have_the_configs_shapes(stored):
    models, prefixes, _ = stored
    for (setting, seed, _), params in models.items():
        assert isinstance(params, ParamDict)
        assert set(params) == set(lm.config(setting).param_shapes())
        assert prefixes[setting, seed].shape == params.vector.shape
