"""Minibatch training of the VAE, and the baseline configuration."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _checks
from ._engine import TrainingEngine
from .model import VAEConfig, loss_and_grads
from .optim import SGD
from .params import ParamDict


def train(params: ParamDict, config: VAEConfig, X, *, epochs: int, batch_size: int, optimizer,
          rng: np.random.Generator, beta=1.0, noise: bool = True) -> dict[str, np.ndarray]:
    """Train ``params`` in place by minibatch gradient descent on the negative ELBO.

    Each epoch shuffles the data, draws the reparameterisation noise for every point, and takes
    one optimiser step per batch of ``batch_size`` points (the last batch may be smaller).
    ``beta`` weighs the KL term: a number, or a function ``epoch -> beta`` (e.g. a KL warm-up).
    ``noise=False`` sets the noise to 0, so z = mu(x): with ``beta=0`` that trains a plain
    autoencoder.

    Returns the per-epoch history ``{"total", "recon", "kl", "beta"}``: arrays of length
    ``epochs``, each loss averaged over all the data points seen in that epoch, in nats.
    All randomness comes from ``rng``, so the same seed gives the same history.
    """
    if not isinstance(params, ParamDict):
        raise ValueError("params must be the ParamDict returned by init_params")
    _checks.vae_params(params, config)
    X = _checks.vae_data(X, config, "X")
    epochs = _checks.positive_int(epochs, "epochs")
    batch_size = _checks.positive_int(batch_size, "batch_size")
    rng = _checks.generator(rng)
    if not callable(getattr(optimizer, "step", None)):
        raise ValueError(f"optimizer must have a step(params, grads) method (SGD, Adam), got {optimizer!r}")
    beta_of = beta if callable(beta) else (lambda epoch: beta)

    n, J = X.shape[0], config.latent_dim
    history = {key: np.zeros(epochs) for key in ("total", "recon", "kl", "beta")}
    engine = TrainingEngine(params, config)
    for epoch in range(epochs):
        b = _checks.nonnegative_float(beta_of(epoch), f"beta (at epoch {epoch})")
        order = rng.permutation(n)
        eps = rng.standard_normal((n, J)) if noise else np.zeros((n, J))
        recon_sum, kl_sum = engine.epoch(X[order], eps, batch_size, b, optimizer)
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


@dataclass(frozen=True)
class Baseline:
    r"""The baseline configuration: the settings a typical first VAE tutorial uses, and the
    book's starting point.

    A Gaussian decoder with fixed :math:`\sigma_x^2 = 0.5` (so the reconstruction term is the sum
    of squared errors plus a constant), one hidden ReLU layer of 32 units in the encoder and in the
    decoder, weights drawn from :math:`\mathcal{N}(0, 0.1^2)` whatever the layer's size, plain SGD
    with learning rate 0.01, batches of 64, and 500 epochs on the 2000 points of the running
    example (``vaebook.make_mixture``).
    """

    sigma2: float = 0.5
    hidden: int = 32
    init_scale: float = 0.1
    lr: float = 0.01
    batch_size: int = 64
    epochs: int = 500
    n_points: int = 2000

    def config(self, data_dim: int = 2, latent_dim: int = 2) -> VAEConfig:
        """The baseline model for data of ``data_dim`` columns and a ``latent_dim``-dimensional code."""
        return VAEConfig(data_dim, latent_dim, (self.hidden,), (self.hidden,), sigma2=self.sigma2,
                         init_scale=self.init_scale)

    def optimizer(self) -> SGD:
        """A fresh SGD optimiser with the baseline learning rate."""
        return SGD(self.lr)


#: The baseline configuration (see :class:`Baseline`).
BASELINE = Baseline()



def train_reference(params: ParamDict, config: VAEConfig, X, *, epochs: int, batch_size: int, optimizer,
                    rng: np.random.Generator, beta=1.0, noise: bool = True) -> dict[str, np.ndarray]:
    """The training loop written out: the steps :func:`train` takes, one plain step per batch.

    Same arguments, same random draws, same parameter updates and same history as :func:`train`,
    which runs them through the faster private engine; this one is for reading.
    """
    X, beta_of = _training_arguments(params, config, X, epochs, batch_size, optimizer, rng, beta)
    n, J = X.shape[0], config.latent_dim
    history = {key: np.zeros(epochs) for key in ("total", "recon", "kl", "beta")}
    for epoch in range(epochs):
        b = beta_of(epoch)
        order = rng.permutation(n)                                          # a new shuffle
        eps = rng.standard_normal((n, J)) if noise else np.zeros((n, J))    # noise for every point
        X_epoch = X[order]
        for start in range(0, n, batch_size):
            x, e = X_epoch[start:start + batch_size], eps[start:start + batch_size]
            losses, grads = loss_and_grads(params, config, x, e, beta=b)   # forward and backward
            optimizer.step(params, grads)                                   # theta <- update
            history["recon"][epoch] += losses["recon"] * len(x) / n
            history["kl"][epoch] += losses["kl"] * len(x) / n
        history["total"][epoch] = history["recon"][epoch] + b * history["kl"][epoch]
        history["beta"][epoch] = b
        _stop_if_diverged(params, epoch)
    return history


def _training_arguments(params, config, X, epochs, batch_size, optimizer, rng, beta):
    """The checks :func:`train` makes, for :func:`train_reference`: returns ``(X, beta_of)``;
    ``beta_of(epoch)`` raises ValueError for a negative or non-finite beta."""
    if not isinstance(params, ParamDict):
        raise ValueError("params must be the ParamDict returned by init_params")
    _checks.vae_params(params, config)
    X = _checks.vae_data(X, config, "X")
    _checks.positive_int(epochs, "epochs")
    _checks.positive_int(batch_size, "batch_size")
    _checks.generator(rng)
    if not callable(getattr(optimizer, "step", None)):
        raise ValueError(f"optimizer must have a step(params, grads) method (SGD, Adam), got {optimizer!r}")
    if not callable(beta):
        _checks.nonnegative_float(beta, "beta")
    return X, (lambda epoch: _checks.nonnegative_float(beta(epoch) if callable(beta) else beta,
                                                       f"beta (at epoch {epoch})"))


def _stop_if_diverged(params: ParamDict, epoch: int) -> None:
    if not np.isfinite(params.vector).all():
        raise FloatingPointError(f"training diverged at epoch {epoch}: parameters became non-finite "
                                 f"(try a smaller learning rate)")
