r"""The variational autoencoder, written out in NumPy with its backward pass by hand.

This is the reference model: it reads like the derivation and is gradient-checked. Training
runs the same computation arranged for speed (the private module ``vaebook._engine``), which
the tests hold equal to this one.

Notation (fixed on the book's index page): data :math:`x \in \mathbb{R}^D` (``data_dim``), latent
:math:`z \in \mathbb{R}^J` (``latent_dim``), encoder
:math:`q_\phi(z|x) = \mathcal{N}(\mu, \mathrm{diag}\,\sigma^2)`, decoder :math:`p_\theta(x|z)`,
prior :math:`p(z) = \mathcal{N}(0, I_J)`.

The loss of one data point is the negative one-sample ELBO in nats,

.. math::  \underbrace{-\log p_\theta(x|z)}_{\text{recon}} + \beta\,
           \underbrace{\mathrm{KL}(q_\phi(z|x)\,\|\,p(z))}_{\text{kl}},
           \qquad z = \mu + \sigma \odot \varepsilon,\ \varepsilon \sim \mathcal{N}(0, I_J),

and the batch loss :math:`\ell` is the **mean** of it over the batch (one convention everywhere).
For a Gaussian decoder with fixed variance :math:`\sigma_x^2` the reconstruction term is
:math:`\|x - \hat x\|^2 / (2\sigma_x^2) + \tfrac{D}{2}\log(2\pi\sigma_x^2)`; with
:math:`\sigma_x^2 = 1/2` the weight in front of the squared error is exactly 1.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import _checks
from .formulas import (
    bernoulli_log_prob,
    bernoulli_nll_grad,
    gaussian_nll_grads,
    kl_diag_to_standard,
    kl_standard_grads,
    log_normal_diag,
    reparam_backward,
    reparam_forward,
    sigmoid,
)
from .layers import mlp_backward, mlp_forward
from .params import ParamDict

LIKELIHOODS = ("gaussian", "bernoulli")


@dataclass(frozen=True)
class VAEConfig:
    """Sizes and modelling choices of a VAE.

    ``enc_hidden`` / ``dec_hidden`` list the widths of the hidden ReLU layers (one entry per
    layer). ``likelihood`` is ``"gaussian"`` (real-valued data) or ``"bernoulli"`` (data in
    [0, 1]). For the Gaussian decoder ``sigma2`` is either a fixed positive variance or the string
    ``"learned"`` (one variance per data dimension, learned as ``dec_log_sigma2``); the Bernoulli
    decoder has no variance, and its ``sigma2`` is ``None``.
    ``init_scale`` is ``None`` for He initialisation (weights ~ N(0, 2 / fan_in)) or a number for
    plain N(0, init_scale^2) weights whatever the layer's size (the baseline configuration's 0.1).

    ``enc_layers`` and ``dec_layers`` name the dense layers of the encoder and the decoder, input
    side first (``("enc1", "enc_out")``, ...); layer ``name`` has parameters ``name_W`` and
    ``name_b``.
    """

    data_dim: int
    latent_dim: int
    enc_hidden: tuple[int, ...] = (32,)
    dec_hidden: tuple[int, ...] = (32,)
    likelihood: str = "gaussian"
    sigma2: float | str | None = 0.5
    init_scale: float | None = None

    def __post_init__(self):
        _checks.positive_int(self.data_dim, "data_dim")
        _checks.positive_int(self.latent_dim, "latent_dim")
        object.__setattr__(self, "enc_hidden", _widths(self.enc_hidden, "enc_hidden"))
        object.__setattr__(self, "dec_hidden", _widths(self.dec_hidden, "dec_hidden"))
        if self.likelihood not in LIKELIHOODS:
            raise ValueError(f"likelihood must be one of {LIKELIHOODS}, got {self.likelihood!r}")
        object.__setattr__(self, "sigma2", _sigma2(self.sigma2, self.likelihood))
        if self.init_scale is not None:
            _checks.positive_float(self.init_scale, "init_scale")

    @property
    def enc_layers(self) -> tuple[str, ...]:
        return tuple(f"enc{i + 1}" for i in range(len(self.enc_hidden))) + ("enc_out",)

    @property
    def dec_layers(self) -> tuple[str, ...]:
        return tuple(f"dec{i + 1}" for i in range(len(self.dec_hidden))) + ("dec_out",)

    @property
    def learned_variance(self) -> bool:
        return self.likelihood == "gaussian" and self.sigma2 == "learned"

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Every parameter's name and shape, in the order they are stored."""
        shapes = {}
        widths = (self.data_dim,) + self.enc_hidden + (2 * self.latent_dim,)
        for name, n_in, n_out in zip(self.enc_layers, widths[:-1], widths[1:]):
            shapes[f"{name}_W"], shapes[f"{name}_b"] = (n_in, n_out), (n_out,)
        widths = (self.latent_dim,) + self.dec_hidden + (self.data_dim,)
        for name, n_in, n_out in zip(self.dec_layers, widths[:-1], widths[1:]):
            shapes[f"{name}_W"], shapes[f"{name}_b"] = (n_in, n_out), (n_out,)
        if self.learned_variance:
            shapes["dec_log_sigma2"] = (self.data_dim,)
        return shapes


def _widths(widths, name: str) -> tuple[int, ...]:
    """Hidden-layer widths as a tuple of positive ints (one int is one layer)."""
    widths = (widths,) if isinstance(widths, (int, np.integer)) else tuple(widths)
    return tuple(_checks.positive_int(w, f"every width in {name}") for w in widths)


def _sigma2(sigma2, likelihood: str):
    """The decoder variance setting: a positive float or "learned" (Gaussian), None (Bernoulli)."""
    if likelihood == "bernoulli":
        if sigma2 not in (None, 0.5):          # 0.5 is the dataclass default, not a choice
            raise ValueError(f"the Bernoulli decoder has no variance: leave sigma2 unset, got {sigma2!r}")
        return None
    return sigma2 if sigma2 == "learned" else _checks.positive_float(sigma2, "sigma2")


def init_params(config: VAEConfig, rng: np.random.Generator) -> ParamDict:
    """Draw initial weights (He, or N(0, init_scale^2)); biases and log-variances start at 0."""
    config = _checks.vae_config(config)
    rng = _checks.generator(rng)
    params = ParamDict(config.param_shapes())
    for name, shape in params.shapes.items():
        if name.endswith("_W"):
            scale = config.init_scale if config.init_scale is not None else np.sqrt(2.0 / shape[0])
            params[name] = scale * rng.standard_normal(shape)
    return params


# ----------------------------------------------------------------------------------------------
# Forward pieces
# ----------------------------------------------------------------------------------------------
def encode(params: ParamDict, config: VAEConfig, x) -> tuple[np.ndarray, np.ndarray]:
    """The encoder q_phi(z|x): returns (mu, log_var), each of shape (batch, latent_dim)."""
    _checks.vae_params(params, config, "encoder")
    x = _checks.vae_data(x, config)
    head, _ = mlp_forward(params, config.enc_layers, x)
    J = config.latent_dim
    return head[:, :J], head[:, J:]


def reparameterize(mu, log_var, eps) -> np.ndarray:
    """z = mu + sigma * eps with sigma = exp(log_var / 2): a sample of N(mu, diag(sigma^2)).

    ``mu``, ``log_var`` and ``eps`` all have shape (batch, latent_dim): no broadcasting.
    """
    mu, log_var, eps = _checks.same_shape_matrices(mu=mu, log_var=log_var, eps=eps)
    z, sigma = reparam_forward(mu, log_var, eps)
    return z


def decode(params: ParamDict, config: VAEConfig, z) -> np.ndarray:
    """The decoder's mean: x_hat for a Gaussian decoder, pixel probabilities for a Bernoulli one."""
    _checks.vae_params(params, config, "decoder")
    z = _checks.finite_matrix(z, "z", config.latent_dim)
    dec_out, _ = mlp_forward(params, config.dec_layers, z)
    if config.likelihood == "bernoulli":
        return sigmoid(dec_out)
    return dec_out


def decoder_variance(params: ParamDict, config: VAEConfig) -> np.ndarray:
    """sigma_x^2 of the Gaussian decoder, one value per data dimension."""
    _checks.vae_params(params, config, "likelihood")
    if config.likelihood != "gaussian":
        raise ValueError("decoder_variance is defined for the Gaussian decoder only")
    if config.learned_variance:
        return np.exp(params["dec_log_sigma2"])
    return np.full(config.data_dim, config.sigma2)


def decoder_log_likelihood(params, config: VAEConfig, x, dec_out) -> np.ndarray:
    """log p_theta(x_i | z_i) for each row, from the decoder's output ``dec_out`` (mean or logits)."""
    if config.likelihood == "bernoulli":
        return bernoulli_log_prob(x, dec_out)
    return log_normal_diag(x, dec_out, decoder_variance(params, config))


# ----------------------------------------------------------------------------------------------
# Loss and gradients
# ----------------------------------------------------------------------------------------------
class ForwardCache(NamedTuple):
    """What :func:`vae_backward` needs from :func:`vae_forward`, and the per-point loss terms."""

    config: VAEConfig
    x: np.ndarray
    eps: np.ndarray
    mu: np.ndarray
    log_var: np.ndarray
    sigma: np.ndarray
    dec_out: np.ndarray   # the decoder's output: the mean x_hat (Gaussian) or the logits (Bernoulli)
    enc_caches: list
    dec_caches: list
    beta: float
    recon: np.ndarray     # -log p(x_i | z_i) per point, shape (batch,)
    kl: np.ndarray        # KL(q(z | x_i) || p(z)) per point, shape (batch,)


def vae_forward(params: ParamDict, config: VAEConfig, x, eps, beta: float = 1.0):
    """Loss of a batch and the cache for :func:`vae_backward`.

    Returns ``(losses, cache)`` with ``losses = {"recon", "kl", "total"}``: per data point,
    averaged over the batch, in nats; ``total = recon + beta * kl``. ``eps`` is the standard
    normal noise of the reparameterisation, shape (batch, latent_dim).
    """
    x, eps, beta = _checks.vae_batch(params, config, x, eps, beta)
    J = config.latent_dim

    # encoder: the last layer outputs (mu, log sigma^2) of q(z|x)
    head, enc_caches = mlp_forward(params, config.enc_layers, x)
    mu, log_var = head[:, :J], head[:, J:]
    # reparameterisation: z = mu + sigma * eps
    z, sigma = reparam_forward(mu, log_var, eps)
    _checks.finite_latent(z, log_var)
    # decoder: its output is the mean x_hat (Gaussian) or the logits (Bernoulli) of p(x|z)
    dec_out, dec_caches = mlp_forward(params, config.dec_layers, z)

    recon = -decoder_log_likelihood(params, config, x, dec_out)     # -log p(x|z), per point
    kl = kl_diag_to_standard(mu, log_var)                             # KL(q(z|x) || N(0, I)), per point
    losses = {"recon": float(recon.mean()), "kl": float(kl.mean())}
    losses["total"] = losses["recon"] + beta * losses["kl"]
    cache = ForwardCache(config, x, eps, mu, log_var, sigma, dec_out, enc_caches, dec_caches, beta,
                         recon, kl)
    return losses, cache


def vae_backward(params: ParamDict, config: VAEConfig, cache: ForwardCache) -> ParamDict:
    """Gradients of the batch loss of :func:`vae_forward` with respect to every parameter.

    Returns a ParamDict with exactly the keys of ``params``. Each step is one line of the
    derivation; N is the batch size, the loss the batch mean.
    """
    _checks.vae_params(params, config)
    _checks.forward_cache(cache, ForwardCache, config)
    c = cache
    grads = ParamDict(config.param_shapes())
    n = c.x.shape[0]

    # d loss / d decoder output: (x_hat - x) / sigma_x^2, or sigmoid(a) - x (Bernoulli); / N
    if config.likelihood == "bernoulli":
        d_dec_out = bernoulli_nll_grad(c.x, c.dec_out) / n
    else:
        d_dec_out, d_log_var_x = gaussian_nll_grads(c.x, c.dec_out, decoder_variance(params, config))
        d_dec_out = d_dec_out / n
        if config.learned_variance:       # d loss / d log sigma_x^2, averaged over the batch
            grads["dec_log_sigma2"] = d_log_var_x.sum(axis=0) / n

    # back through the decoder's layers to z
    dz = mlp_backward(d_dec_out, c.dec_caches, config.dec_layers, grads)

    # z = mu + sigma * eps (reparam_backward), and beta times the KL term's own gradient
    dmu, dlog_var = reparam_backward(dz, c.sigma, c.eps)
    dkl_dmu, dkl_dlog_var = kl_standard_grads(c.mu, c.log_var)
    dmu = dmu + c.beta * dkl_dmu / n
    dlog_var = dlog_var + c.beta * dkl_dlog_var / n

    # back through the encoder's layers (the encoder's last layer outputs [mu, log_var])
    mlp_backward(np.concatenate([dmu, dlog_var], axis=1), c.enc_caches, config.enc_layers, grads)
    return grads


def loss_and_grads(params: ParamDict, config: VAEConfig, x, eps, beta: float = 1.0):
    """Convenience: ``(losses, grads)`` for one batch (:func:`vae_forward`, then :func:`vae_backward`)."""
    losses, cache = vae_forward(params, config, x, eps, beta)
    return losses, vae_backward(params, config, cache)


def elbo_terms(params: ParamDict, config: VAEConfig, x, eps):
    """Per-point reconstruction term -log p(x|z) and KL, each of shape (batch,), in nats.

    The same quantities :func:`vae_forward` averages, kept per point for evaluation.
    """
    _, cache = vae_forward(params, config, x, eps)
    return cache.recon, cache.kl


def log_likelihood(params: ParamDict, config: VAEConfig, x, z) -> np.ndarray:
    """log p_theta(x_i | z_i) of the decoder for each row i, in nats (shape (batch,)).

    Gaussian: log N(x; x_hat(z), sigma_x^2 I). Bernoulli: :func:`bernoulli_log_prob` of the
    decoder's logits.
    """
    _checks.vae_params(params, config, "likelihood")
    x = _checks.vae_data(x, config)
    z = _checks.finite_matrix(z, "z", config.latent_dim)
    _checks.same_rows(x, z, "x", "z")
    dec_out, _ = mlp_forward(params, config.dec_layers, z)
    return decoder_log_likelihood(params, config, x, dec_out)


def sample(params: ParamDict, config: VAEConfig, n: int, rng: np.random.Generator,
           noise: bool = False) -> np.ndarray:
    """Generate ``n`` points: z ~ N(0, I), then the decoder's mean (or a draw from p(x|z) if ``noise``)."""
    _checks.vae_params(params, config, "likelihood" if noise else "decoder")
    n = _checks.positive_int(n, "n")
    rng = _checks.generator(rng)
    z = rng.standard_normal((n, config.latent_dim))
    mean = decode(params, config, z)
    if not noise:
        return mean
    if config.likelihood == "bernoulli":
        return (rng.random(mean.shape) < mean).astype(np.float64)
    return mean + np.sqrt(decoder_variance(params, config)) * rng.standard_normal(mean.shape)

