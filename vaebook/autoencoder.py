r"""A plain (deterministic) autoencoder, for contrast with the VAE in the introduction (book/01_introduction).

It is the book's VAE with the two variational ingredients switched off: the noise
(:math:`\varepsilon = 0`, so :math:`z = \mu_\phi(x)`) and the KL term (:math:`\beta = 0`). What is
left is an encoder, a decoder and the squared reconstruction error, which is all a plain
autoencoder is. One implementation serves both (:mod:`vaebook.model`).
"""
from __future__ import annotations

import numpy as np

from . import _checks
from .model import VAEConfig, encode, init_params
from .optim import Adam
from .train import train


def train_autoencoder(X, latent_dim: int, rng: np.random.Generator, *, hidden: int = 32,
                      epochs: int = 60, batch_size: int = 64, lr: float = 1e-2):
    """Train a deterministic autoencoder on X (shape (N, D)); returns ``(params, config, losses)``.

    ``losses[e]`` is the mean reconstruction loss -log p(x|z) of epoch e, in nats, with the
    decoder's fixed variance sigma_x^2 = 1/2 (so the loss is squared error plus a constant).
    """
    X = _checks.finite_matrix(X, "X")
    rng = _checks.generator(rng)
    config = VAEConfig(data_dim=X.shape[1], latent_dim=latent_dim, enc_hidden=(hidden,),
                       dec_hidden=(hidden,), sigma2=0.5)
    params = init_params(config, rng)
    history = train(params, config, X, epochs=epochs, batch_size=batch_size, optimizer=Adam(lr),
                    rng=rng, beta=0.0, noise=False)
    return params, config, history["recon"]


def codes(params, config: VAEConfig, X) -> np.ndarray:
    """The autoencoder's code z = mu_phi(x) of every row of X (shape (N, latent_dim))."""
    return encode(params, config, X)[0]
