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

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from . import _checks
from .gaussian import kl_diag_to_standard, log_normal_diag
from .layers import dense_backward, dense_forward, relu_backward, relu_forward
from .params import ParamDict

LIKELIHOODS = ("gaussian", "bernoulli")


@dataclass(frozen=True)
class VAEConfig:
    """Sizes and modelling choices of a VAE.

    ``enc_hidden`` / ``dec_hidden`` list the widths of the hidden ReLU layers (one entry per
    layer). ``likelihood`` is ``"gaussian"`` (real-valued data) or ``"bernoulli"`` (data in
    [0, 1]). For the Gaussian decoder ``sigma2`` is either a fixed positive variance or the string
    ``"learned"`` (one variance per data dimension, learned as ``dec_log_sigma2``).
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
    sigma2: float | str = 0.5
    init_scale: float | None = None
    enc_layers: tuple[str, ...] = field(init=False, repr=False, compare=False)
    dec_layers: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        _checks.positive_int(self.data_dim, "data_dim")
        _checks.positive_int(self.latent_dim, "latent_dim")
        for name in ("enc_hidden", "dec_hidden"):
            widths = getattr(self, name)
            if isinstance(widths, (int, np.integer)):
                widths = (widths,)
            widths = tuple(widths)
            for w in widths:
                _checks.positive_int(w, f"every width in {name}")
            object.__setattr__(self, name, widths)
        if self.likelihood not in LIKELIHOODS:
            raise ValueError(f"likelihood must be one of {LIKELIHOODS}, got {self.likelihood!r}")
        if self.likelihood == "gaussian" and self.sigma2 != "learned":
            object.__setattr__(self, "sigma2", _checks.positive_float(self.sigma2, "sigma2"))
        if self.init_scale is not None:
            _checks.positive_float(self.init_scale, "init_scale")
        object.__setattr__(self, "enc_layers",
                           tuple(f"enc{i + 1}" for i in range(len(self.enc_hidden))) + ("enc_out",))
        object.__setattr__(self, "dec_layers",
                           tuple(f"dec{i + 1}" for i in range(len(self.dec_hidden))) + ("dec_out",))

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


def init_params(config: VAEConfig, rng: np.random.Generator) -> ParamDict:
    """Draw initial weights (He, or N(0, init_scale^2)); biases and log-variances start at 0."""
    config = _check_config(config)
    rng = _checks.generator(rng)
    params = ParamDict(config.param_shapes())
    for name, shape in params.shapes.items():
        if name.endswith("_W"):
            scale = config.init_scale if config.init_scale is not None else np.sqrt(2.0 / shape[0])
            params[name] = scale * rng.standard_normal(shape)
    return params


# ----------------------------------------------------------------------------------------------
# Checks of what a reader passes in
# ----------------------------------------------------------------------------------------------
def _check_config(config) -> VAEConfig:
    if not isinstance(config, VAEConfig):
        raise ValueError(f"config must be a VAEConfig, got {type(config).__name__}")
    return config


def _check_params(params, config: VAEConfig, part: str | None = None) -> None:
    """Raise ValueError unless ``params`` has the configuration's keys, shapes and dtype: all of
    them, or those of ``part``, which is all a function of one part needs: "encoder" or "decoder"
    (the layers' weights), "likelihood" (the decoder's, and its learned variance if any)."""
    config = _check_config(config)
    shapes = config.param_shapes()
    required = None
    if part is not None:
        layers = config.enc_layers if part == "encoder" else config.dec_layers
        required = [k for k in shapes if k.rsplit("_", 1)[0] in layers
                    or (part == "likelihood" and k == "dec_log_sigma2")]
    _checks.params_match(params, shapes, required)


def _check_data(x, config: VAEConfig, name: str = "x") -> np.ndarray:
    """Data of shape (batch, data_dim), finite, and in [0, 1] for the Bernoulli decoder."""
    x = _checks.finite_matrix(x, name, config.data_dim)
    if config.likelihood == "bernoulli":
        _checks.unit_interval(x, name)
    return x


def _check_batch(params, config, x, eps, beta):
    """The checked inputs of one batch: ``(x, eps, beta)``; eps must have x's rows, no broadcast."""
    _check_params(params, config)
    x = _check_data(x, config)
    eps = _checks.finite_matrix(eps, "eps", config.latent_dim)
    _checks.same_rows(x, eps, "x", "eps")
    return x, eps, _checks.nonnegative_float(beta, "beta")


# ----------------------------------------------------------------------------------------------
# Forward pieces
# ----------------------------------------------------------------------------------------------
def _mlp_forward(params, names, h):
    """Dense + ReLU for every hidden layer in ``names[:-1]``, then a final dense layer."""
    caches = []
    for name in names[:-1]:
        a, dense_cache = dense_forward(h, params[name + "_W"], params[name + "_b"])
        h, relu_cache = relu_forward(a)
        caches.append((dense_cache, relu_cache))
    out, dense_cache = dense_forward(h, params[names[-1] + "_W"], params[names[-1] + "_b"])
    caches.append((dense_cache, None))
    return out, caches


def _mlp_backward(dout, caches, names, grads):
    """Backward through :func:`_mlp_forward`: stores each layer's dW, db in ``grads``, returns d / d input."""
    dh = dout
    for name, (dense_cache, relu_cache) in zip(reversed(names), reversed(caches)):
        if relu_cache is not None:
            dh = relu_backward(dh, relu_cache)
        dh, grads[name + "_W"], grads[name + "_b"] = dense_backward(dh, dense_cache)
    return dh


def _reparameterize(mu, log_var, eps):
    """``(z, sigma)`` with ``sigma = exp(log_var / 2)`` and ``z = mu + sigma * eps``."""
    sigma = np.exp(0.5 * log_var)
    return mu + sigma * eps, sigma


def encode(params: ParamDict, config: VAEConfig, x) -> tuple[np.ndarray, np.ndarray]:
    """The encoder q_phi(z|x): returns (mu, log_var), each of shape (batch, latent_dim)."""
    _check_params(params, config, "encoder")
    x = _checks.finite_matrix(x, "x", config.data_dim)
    head, _ = _mlp_forward(params, config.enc_layers, x)
    J = config.latent_dim
    return head[:, :J], head[:, J:]


def reparameterize(mu, log_var, eps) -> np.ndarray:
    """z = mu + sigma * eps with sigma = exp(log_var / 2): a sample of N(mu, diag(sigma^2)).

    ``mu``, ``log_var`` and ``eps`` all have shape (batch, latent_dim): no broadcasting.
    """
    mu = _checks.finite_matrix(mu, "mu")
    log_var = _checks.finite_matrix(log_var, "log_var")
    eps = _checks.finite_matrix(eps, "eps")
    if not mu.shape == log_var.shape == eps.shape:
        raise ValueError(f"mu, log_var and eps must have the same shape (batch, latent_dim), "
                         f"got {mu.shape}, {log_var.shape} and {eps.shape}")
    return _reparameterize(mu, log_var, eps)[0]


def decode(params: ParamDict, config: VAEConfig, z) -> np.ndarray:
    """The decoder's mean: x_hat for a Gaussian decoder, pixel probabilities for a Bernoulli one."""
    _check_params(params, config, "decoder")
    z = _checks.finite_matrix(z, "z", config.latent_dim)
    out, _ = _mlp_forward(params, config.dec_layers, z)
    if config.likelihood == "bernoulli":
        return _sigmoid(out)
    return out


def decoder_variance(params: ParamDict, config: VAEConfig) -> np.ndarray:
    """sigma_x^2 of the Gaussian decoder, one value per data dimension."""
    _check_params(params, config, "likelihood")
    if config.likelihood != "gaussian":
        raise ValueError("decoder_variance is defined for the Gaussian decoder only")
    return _decoder_variance(params, config)


def _decoder_variance(params, config: VAEConfig) -> np.ndarray:
    if config.learned_variance:
        return np.exp(params["dec_log_sigma2"])
    return np.full(config.data_dim, config.sigma2)


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # stable for any a, no overflow warning


def bernoulli_log_prob(x, logits) -> np.ndarray:
    r"""log of the Bernoulli likelihood, :math:`\sum_d x_d a_d - \operatorname{softplus}(a_d)`,
    summed over the last axis, for the logits ``a`` (sigmoid(a) is the probability of a 1).

    This is minus the binary cross-entropy, also for x between 0 and 1.
    """
    return np.sum(x * logits - np.logaddexp(0.0, logits), axis=-1)


def _log_p_x_given_out(params, config: VAEConfig, x, out) -> np.ndarray:
    """log p_theta(x_i | z_i) for each row, from the decoder's output ``out`` (mean or logits)."""
    if config.likelihood == "bernoulli":
        return bernoulli_log_prob(x, out)
    return log_normal_diag(x, out, _decoder_variance(params, config))


# ----------------------------------------------------------------------------------------------
# Loss and gradients
# ----------------------------------------------------------------------------------------------
class ForwardCache(NamedTuple):
    """What :func:`vae_backward` needs from :func:`vae_forward`, and the per-point loss terms."""

    x: np.ndarray
    eps: np.ndarray
    mu: np.ndarray
    log_var: np.ndarray
    sigma: np.ndarray
    out: np.ndarray
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
    x, eps, beta = _check_batch(params, config, x, eps, beta)
    J = config.latent_dim

    # encoder: the last layer outputs (mu, log sigma^2) of q(z|x)
    head, enc_caches = _mlp_forward(params, config.enc_layers, x)
    mu, log_var = head[:, :J], head[:, J:]
    # reparameterisation: z = mu + sigma * eps
    z, sigma = _reparameterize(mu, log_var, eps)
    # decoder: its output is the mean x_hat (Gaussian) or the logits (Bernoulli) of p(x|z)
    out, dec_caches = _mlp_forward(params, config.dec_layers, z)

    recon = -_log_p_x_given_out(params, config, x, out)     # -log p(x|z), per point
    kl = kl_diag_to_standard(mu, log_var)                     # KL(q(z|x) || N(0, I)), per point
    losses = {"recon": float(recon.mean()), "kl": float(kl.mean())}
    losses["total"] = losses["recon"] + beta * losses["kl"]
    cache = ForwardCache(x, eps, mu, log_var, sigma, out, enc_caches, dec_caches, beta, recon, kl)
    return losses, cache


def vae_backward(params: ParamDict, config: VAEConfig, cache, grads: ParamDict | None = None):
    """Gradients of the batch loss of :func:`vae_forward` with respect to every parameter.

    Returns a ParamDict with exactly the keys of ``params`` (written into ``grads`` if given).
    Each step is one line of the derivation; N is the batch size, the loss the batch mean.
    """
    if not isinstance(cache, ForwardCache):
        raise ValueError(f"cache must be the cache returned by vae_forward, got {type(cache).__name__}")
    _check_params(params, config)
    x, eps, mu, log_var, sigma, out, enc_caches, dec_caches, beta, _, _ = cache
    if grads is None:
        grads = ParamDict(config.param_shapes())
    n = x.shape[0]

    # d loss / d decoder output: (x_hat - x) / sigma_x^2, or sigmoid(a) - x (Bernoulli); / N
    if config.likelihood == "bernoulli":
        dout = (_sigmoid(out) - x) / n
    else:
        var_x = _decoder_variance(params, config)
        dout = (out - x) / var_x / n
        if config.learned_variance:
            # d loss / d log sigma_x^2 = 1/2 (1 - (x - x_hat)^2 / sigma_x^2), averaged over the batch
            grads["dec_log_sigma2"] = np.sum(0.5 * (1.0 - (x - out) ** 2 / var_x), axis=0) / n

    # back through the decoder's layers to z
    dz = _mlp_backward(dout, dec_caches, config.dec_layers, grads)

    # z = mu + sigma * eps:          dz / dmu = 1,   dz / dlog_var = 1/2 sigma * eps
    # KL = 1/2 sum_j (mu^2 + sigma^2 - 1 - log_var):  dKL / dmu = mu,  dKL / dlog_var = 1/2 (sigma^2 - 1)
    dmu = dz + beta * mu / n
    dlog_var = dz * 0.5 * sigma * eps + beta * 0.5 * (sigma**2 - 1.0) / n

    # back through the encoder's layers (the encoder's last layer outputs [mu, log_var])
    _mlp_backward(np.concatenate([dmu, dlog_var], axis=1), enc_caches, config.enc_layers, grads)
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
    _check_params(params, config, "likelihood")
    x = _check_data(x, config)
    z = _checks.finite_matrix(z, "z", config.latent_dim)
    _checks.same_rows(x, z, "x", "z")
    out, _ = _mlp_forward(params, config.dec_layers, z)
    return _log_p_x_given_out(params, config, x, out)


def sample(params: ParamDict, config: VAEConfig, n: int, rng: np.random.Generator,
           noise: bool = False) -> np.ndarray:
    """Generate ``n`` points: z ~ N(0, I), then the decoder's mean (or a draw from p(x|z) if ``noise``)."""
    _check_params(params, config, "likelihood" if noise else "decoder")
    n = _checks.positive_int(n, "n")
    rng = _checks.generator(rng)
    z = rng.standard_normal((n, config.latent_dim))
    mean = decode(params, config, z)
    if not noise:
        return mean
    if config.likelihood == "bernoulli":
        return (rng.random(mean.shape) < mean).astype(np.float64)
    return mean + np.sqrt(_decoder_variance(params, config)) * rng.standard_normal(mean.shape)
