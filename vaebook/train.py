"""Minibatch training of the VAE."""
from __future__ import annotations

import numpy as np

from . import _checks
from .engine import TrainingEngine
from .model import VAEConfig
from .params import ParamDict


def train(params: ParamDict, config: VAEConfig, X, *, epochs: int, batch_size: int, optimizer,
          rng: np.random.Generator, beta=1.0) -> dict[str, np.ndarray]:
    """Train ``params`` in place by minibatch gradient descent on the negative ELBO.

    Each epoch shuffles the data, draws the reparameterisation noise for every point, and takes
    one optimiser step per batch of ``batch_size`` points (the last batch may be smaller).
    ``beta`` weighs the KL term: a number, or a function ``epoch -> beta`` (e.g. a KL warm-up).

    Returns the per-epoch history ``{"total", "recon", "kl", "beta"}``: arrays of length
    ``epochs``, each loss averaged over all the data points seen in that epoch, in nats.
    All randomness comes from ``rng``, so the same seed gives the same history.
    """
    X = _checks.finite_matrix(X, "X", config.data_dim)
    epochs = _checks.positive_int(epochs, "epochs")
    batch_size = _checks.positive_int(batch_size, "batch_size")
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator (use numpy.random.default_rng(seed))")
    beta_of = beta if callable(beta) else (lambda epoch: beta)
    if not isinstance(params, ParamDict):
        raise ValueError("params must be the ParamDict returned by init_params")

    n, J = X.shape[0], config.latent_dim
    history = {key: np.zeros(epochs) for key in ("total", "recon", "kl", "beta")}
    engine = TrainingEngine(params, config)
    for epoch in range(epochs):
        b = float(beta_of(epoch))
        if not np.isfinite(b) or b < 0:
            raise ValueError(f"beta must be finite and >= 0, got {b} at epoch {epoch}")
        order = rng.permutation(n)
        noise = rng.standard_normal((n, J))
        recon_sum, kl_sum = engine.epoch(X[order], noise, batch_size, b, optimizer)
        if not np.isfinite(params.vector).all():
            raise FloatingPointError(
                f"training diverged at epoch {epoch}: parameters became non-finite "
                f"(try a smaller learning rate)"
            )
        history["recon"][epoch] = recon_sum / n
        history["kl"][epoch] = kl_sum / n
        history["total"][epoch] = (recon_sum + b * kl_sum) / n
        history["beta"][epoch] = b
    return history
