"""The six models of the running example that chapter 7 (generating from the prior) studies:
two configurations (the baseline, and a better one that learns the decoder variance) times three
training seeds.

:func:`train_generator_models` trains them; ``benchmarks/bench_generator_models.py`` runs it once
and stores the result with :func:`save_generator_models`, and the chapter loads it with
:func:`load_generator_models`. On the pinned numerical platform the stored parameters are
exactly those the training gives (``tests/test_generator_models.py``).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from .data import make_mixture
from .model import VAEConfig, init_params
from .optim import Adam
from .params import ParamDict
from .train import BASELINE, train

#: The training seeds of every configuration.
SEEDS = (0, 1, 2)
#: The training data: the running example's 2000 points, drawn with this (unshifted) seed.
N_POINTS, DATA_SEED = 2000, 0


def training_data():
    """``(X, labels)``: the 2000 points of the running example the six models were trained on.

    Always ``make_mixture(2000, default_rng(0))``: the stored models belong to these data, so the
    draw is not shifted by ``VAEBOOK_SEED_OFFSET``.
    """
    return make_mixture(N_POINTS, np.random.default_rng(DATA_SEED))


def generator_configs() -> dict:
    """name -> (model configuration, training schedule, a function returning a fresh optimiser)."""
    base = BASELINE
    return {
        "baseline": (base.config(), dict(epochs=base.epochs, batch_size=base.batch_size),
                     base.optimizer),
        "better": (VAEConfig(data_dim=2, latent_dim=2, enc_hidden=(64,), dec_hidden=(64,),
                             sigma2="learned"),
                   dict(epochs=600, batch_size=128), lambda: Adam(3e-3)),
    }


def train_generator_models(X, configs=None, seeds=SEEDS):
    """Train every configuration with every training seed on the data ``X``.

    Seed ``s`` draws the initial weights from generator ``100 + s`` and the batch order and the
    reparameterisation noise from ``200 + s``. Returns ``models`` with ``models[name, s] =
    (params, config)`` and ``final_loss`` with ``final_loss[name, s]`` the loss (negative ELBO per
    point) of the last epoch.
    """
    models, final_loss = {}, {}
    for name, (cfg, schedule, optimizer) in (configs or generator_configs()).items():
        for s in seeds:
            params = init_params(cfg, np.random.default_rng(100 + s))
            hist = train(params, cfg, X, optimizer=optimizer(), rng=np.random.default_rng(200 + s),
                         **schedule)
            models[name, s] = (params, cfg)
            final_loss[name, s] = hist["total"][-1]
    return models, final_loss


def _description(configs, seeds) -> str:
    """What was trained: the configurations, schedules and seeds (the optimiser by its settings)."""
    parts = []
    for name, (cfg, schedule, optimizer) in configs.items():
        opt = optimizer()
        settings = sorted((k, v) for k, v in vars(opt).items() if not k.startswith("_"))
        parts.append(f"{name}: {cfg!r} {sorted(schedule.items())} {type(opt).__name__} {settings}")
    return "\n".join(parts) + f"\nseeds {tuple(seeds)}"


def _data_digest(X) -> str:
    X = np.ascontiguousarray(X, dtype=np.float64)
    return f"{X.shape} " + hashlib.sha256(X.tobytes()).hexdigest()


def save_generator_models(path, models, final_loss, X, configs=None, seeds=SEEDS) -> None:
    """Store the parameters (float64, exactly) and final losses, with what was trained on which data."""
    configs = configs or generator_configs()
    arrays = {"description": np.array(_description(configs, seeds)),
              "data": np.array(_data_digest(X))}
    for (name, s), (params, _) in models.items():
        arrays[f"{name}_seed{s}_params"] = params.vector
        arrays[f"{name}_seed{s}_final_loss"] = np.float64(final_loss[name, s])
    np.savez(Path(path), **arrays)


def load_generator_models(path, X, configs=None, seeds=SEEDS):
    """The stored ``(models, final_loss)``, as :func:`train_generator_models` returns them.

    Raises ValueError if the stored models were trained with other configurations or seeds, or on
    other data than ``X``.
    """
    configs = configs or generator_configs()
    with np.load(Path(path)) as f:
        if str(f["description"]) != _description(configs, seeds):
            raise ValueError(f"{path} holds models of other configurations or seeds:\n"
                             f"{f['description']}")
        if str(f["data"]) != _data_digest(X):
            raise ValueError(f"{path} holds models trained on other data than X")
        models, final_loss = {}, {}
        for name, (cfg, _, _) in configs.items():
            for s in seeds:
                models[name, s] = (ParamDict(cfg.param_shapes(), f[f"{name}_seed{s}_params"].copy()),
                                   cfg)
                final_loss[name, s] = f[f"{name}_seed{s}_final_loss"][()]
    return models, final_loss
