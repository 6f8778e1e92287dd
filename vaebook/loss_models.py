"""The twelve trained models of the loss chapter: four decoder variances (three fixed, one learned)
times three training seeds, on the running example, each trained twice, for T and for 2T epochs.

Training a model to a plateau takes thousands of epochs, more than a chapter can spend, so
``benchmarks/bench_loss_models.py`` runs :func:`train_loss_models` once and stores the result with
:func:`save_loss_models`; the chapter loads it with :func:`load_loss_models`. On the pinned
numerical platform the stored parameters are exactly those the training gives
(``tests/test_loss_models.py`` reproduces a prefix of every run bit for bit).

The schedule of a run of E epochs: Adam with learning rate 2e-3 for the first three quarters of the
epochs, then 2e-4 for the last quarter, batches of 64. Two runs of the same model and seed, of T and
2T epochs, show whether the model has reached its plateau: doubling the budget should not change
its negative ELBO (measured on all the data with many noise draws, :func:`neg_elbo`).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from .data import make_mixture
from .formulas import kl_diag_to_standard, log_normal_diag
from .model import VAEConfig, decode, decoder_variance, encode, init_params, reparameterize
from .optim import Adam
from .params import ParamDict
from .train import train

#: The decoder variances sigma_x^2 compared: three fixed, and one learned.
SETTINGS = (0.05, 0.5, 2.0, "learned")
#: Training seeds: seed s draws the initial weights from default_rng(s) and the batch order and
#: the reparameterisation noise from default_rng(s + 1).
SEEDS = (1, 11, 21)
#: The shorter run's length; the longer run has 2 T epochs.
T = 4000
LR, LR_FINAL, BATCH_SIZE = 2e-3, 2e-4, 64
#: Epochs between the checkpoints of the long run's trajectory.
EVERY = 500
#: Length of the prefix stored for the reproduction test.
PREFIX = 40
#: The evaluation of the negative ELBO: noise draws per point and the seed of that noise.
EVAL_DRAWS, EVAL_SEED = 20, 3


def training_data() -> np.ndarray:
    """The data the models are trained on: the running example's 2000 points, drawn with
    ``make_mixture(2000, default_rng(0))``."""
    X, _ = make_mixture(2000, np.random.default_rng(0))
    return X


def config(setting) -> VAEConfig:
    """The model of one setting: D = J = 2, one hidden layer of 32 units each side."""
    return VAEConfig(data_dim=2, latent_dim=2, sigma2=setting)


def neg_elbo(params, cfg, X, draws: int = EVAL_DRAWS, rng: np.random.Generator | None = None) -> dict:
    """The negative ELBO per point on all of ``X``, its two terms, sigma_x^2 and the encoder's noise.

    The reconstruction term is averaged over ``draws`` noise draws per point, from ``rng``
    (``default_rng(EVAL_SEED)`` when None, as in the stored trajectories), so the estimate's Monte
    Carlo error is small; the KL is exact. Returns ``{"neg_elbo", "recon",
    "kl", "s2", "enc_std"}`` (``s2``: sigma_x^2 per data dimension; ``enc_std``: the mean of the
    encoder's standard deviations sigma_j over points and coordinates).
    """
    mu, log_var = encode(params, cfg, X)
    s2 = decoder_variance(params, cfg)
    rng = np.random.default_rng(EVAL_SEED) if rng is None else rng
    eps = rng.standard_normal((draws, *mu.shape))
    recon = float(np.mean([np.mean(-log_normal_diag(X, decode(params, cfg, reparameterize(mu, log_var, e)), s2))
                           for e in eps]))
    kl = float(np.mean(kl_diag_to_standard(mu, log_var)))
    return {"neg_elbo": recon + kl, "recon": recon, "kl": kl, "s2": np.asarray(s2, float).copy(),
            "enc_std": float(np.mean(np.exp(0.5 * log_var)))}


def train_run(X, setting, seed: int, epochs: int, checkpoints=(), until: int | None = None):
    """One run of ``epochs`` epochs with the module's schedule.

    Returns ``(params, snapshots)``: the trained parameters and ``{epoch: parameter vector}`` at each
    epoch in ``checkpoints`` (a copy taken after that many epochs). With ``until``, the run stops
    after that many epochs of the same schedule (the first part of the run, exactly).
    """
    cfg = config(setting)
    params = init_params(cfg, np.random.default_rng(seed))
    rng, optimizer = np.random.default_rng(seed + 1), Adam(LR)
    switch = 3 * epochs // 4
    stops = sorted({e for e in checkpoints if 0 < e < epochs} | {switch, epochs})
    if until is not None:
        if not 0 < until <= epochs:
            raise ValueError(f"until must be between 1 and epochs = {epochs}, got {until}")
        stops = [e for e in stops if e < until] + [until]
    snapshots, done = {}, 0
    for stop in stops:
        if stop > done:
            optimizer.lr = LR if done < switch else LR_FINAL
            train(params, cfg, X, epochs=stop - done, batch_size=BATCH_SIZE, optimizer=optimizer, rng=rng)
            done = stop
        if stop in checkpoints:
            snapshots[stop] = params.vector.copy()
    return params, snapshots


def train_loss_models(X, T: int = T, seeds=SEEDS, settings=SETTINGS, every: int = EVERY,
                      prefix: int = PREFIX):
    """Train every setting with every seed for T and for 2 T epochs.

    Returns ``models`` with ``models[setting, seed, E] = params`` for E in (T, 2T),
    ``prefixes[setting, seed]`` the parameter vector after ``prefix`` epochs (the same in both runs:
    the learning rate changes only after three quarters of a run), and ``trajectory[setting, seed]``
    a dict of arrays over the long run's checkpoints every ``every`` epochs: ``epoch``,
    ``neg_elbo``, ``s2`` (epochs x D) and ``enc_std``.
    """
    models, prefixes, trajectory = {}, {}, {}
    cps = tuple(range(every, 2 * T, every))
    for setting in settings:
        cfg = config(setting)
        for seed in seeds:
            models[setting, seed, T], _ = train_run(X, setting, seed, T)
            params, snaps = train_run(X, setting, seed, 2 * T, checkpoints=(prefix, *cps))
            models[setting, seed, 2 * T] = params
            prefixes[setting, seed] = snaps[prefix]
            rows = [neg_elbo(ParamDict(cfg.param_shapes(), snaps[e]), cfg, X) for e in cps]
            rows.append(neg_elbo(params, cfg, X))
            trajectory[setting, seed] = {
                "epoch": np.array([*cps, 2 * T]),
                "neg_elbo": np.array([r["neg_elbo"] for r in rows]),
                "s2": np.array([r["s2"] for r in rows]),
                "enc_std": np.array([r["enc_std"] for r in rows]),
            }
    return models, prefixes, trajectory


def _name(setting) -> str:
    return "learned" if setting == "learned" else f"fixed{setting:g}"


def _description(T, seeds, settings, every, prefix) -> str:
    return (f"settings {tuple(settings)} seeds {tuple(seeds)} T {T} every {every} prefix {prefix} "
            f"lr {LR} -> {LR_FINAL} after 3/4, batch {BATCH_SIZE}, Adam; "
            f"eval draws {EVAL_DRAWS} seed {EVAL_SEED}; " + repr(config("learned")))


def _data_digest(X) -> str:
    X = np.ascontiguousarray(X, dtype=np.float64)
    return f"{X.shape} " + hashlib.sha256(X.tobytes()).hexdigest()


def save_loss_models(path, models, prefixes, trajectory, X, T: int = T, seeds=SEEDS,
                     settings=SETTINGS, every: int = EVERY, prefix: int = PREFIX) -> None:
    """Store the parameters (float64, exactly), prefixes and trajectories, with what was trained on what."""
    arrays = {"description": np.array(_description(T, seeds, settings, every, prefix)),
              "data": np.array(_data_digest(X))}
    for setting in settings:
        for seed in seeds:
            key = f"{_name(setting)}_seed{seed}"
            for E in (T, 2 * T):
                arrays[f"{key}_epochs{E}"] = models[setting, seed, E].vector
            arrays[f"{key}_prefix"] = prefixes[setting, seed]
            for k, v in trajectory[setting, seed].items():
                arrays[f"{key}_traj_{k}"] = v
    np.savez(Path(path), **arrays)


def load_loss_models(path, X, T: int = T, seeds=SEEDS, settings=SETTINGS, every: int = EVERY,
                     prefix: int = PREFIX):
    """The stored ``(models, prefixes, trajectory)``, as :func:`train_loss_models` returns them
    (``models[setting, seed, E]`` are ParamDicts of ``config(setting)``).

    Raises ValueError if the stored models were trained with other settings, seeds or schedule, or
    on other data than ``X``.
    """
    models, prefixes, trajectory = {}, {}, {}
    with np.load(Path(path)) as f:
        if str(f["description"]) != _description(T, seeds, settings, every, prefix):
            raise ValueError(f"{path} holds models of other settings, seeds or schedule:\n{f['description']}")
        if str(f["data"]) != _data_digest(X):
            raise ValueError(f"{path} holds models trained on other data than X")
        for setting in settings:
            shapes = config(setting).param_shapes()
            for seed in seeds:
                key = f"{_name(setting)}_seed{seed}"
                for E in (T, 2 * T):
                    models[setting, seed, E] = ParamDict(shapes, f[f"{key}_epochs{E}"].copy())
                prefixes[setting, seed] = f[f"{key}_prefix"].copy()
                trajectory[setting, seed] = {k: f[f"{key}_traj_{k}"].copy()
                                             for k in ("epoch", "neg_elbo", "s2", "enc_std")}
    return models, prefixes, trajectory
