r"""A plain (deterministic) autoencoder, for contrast with the VAE in chapter 1.

It is the book's VAE with the two variational ingredients switched off: the noise
(:math:`\varepsilon = 0`, so :math:`z = \mu_\phi(x)`) and the KL term (:math:`\beta = 0`). What is
left is an encoder, a decoder and the squared reconstruction error, which is all a plain
autoencoder is. One implementation serves both (:mod:`vaebook.model`).
"""
from __future__ import annotations

import numpy as np

from . import _checks
from .model import VAEConfig, encode, init_params, loss_and_grads
from .optim import Adam


def train_autoencoder(X, latent_dim: int, rng: np.random.Generator, *, hidden: int = 32,
                      epochs: int = 60, batch_size: int = 64, lr: float = 1e-2):
    """Train a deterministic autoencoder on X (shape (N, D)); returns ``(params, config, losses)``.

    ``losses[e]`` is the mean reconstruction loss -log p(x|z) of epoch e, in nats, with the
    decoder's fixed variance sigma_x^2 = 1/2 (so the loss is squared error plus a constant).
    """
    X = _checks.finite_matrix(X, "X")
    epochs = _checks.positive_int(epochs, "epochs")
    batch_size = _checks.positive_int(batch_size, "batch_size")
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator (use numpy.random.default_rng(seed))")
    config = VAEConfig(data_dim=X.shape[1], latent_dim=latent_dim, enc_hidden=(hidden,),
                       dec_hidden=(hidden,), sigma2=0.5)
    params = init_params(config, rng)
    opt = Adam(lr)
    n = X.shape[0]
    losses = np.zeros(epochs)
    for epoch in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            xb = X[order[start:start + batch_size]]
            no_noise = np.zeros((xb.shape[0], latent_dim))
            loss, grads = loss_and_grads(params, config, xb, no_noise, beta=0.0)
            opt.step(params, grads)
            losses[epoch] += loss["recon"] * xb.shape[0]
    return params, config, losses / n


def codes(params, config: VAEConfig, X) -> np.ndarray:
    """The autoencoder's code z = mu_phi(x) of every row of X (shape (N, latent_dim))."""
    return encode(params, config, X)[0]
