r"""The variational autoencoder, written out in NumPy with its backward pass by hand.

Notation (fixed on the book's index page): data :math:`x \in \mathbb{R}^D` (``data_dim``), latent
:math:`z \in \mathbb{R}^J` (``latent_dim``), encoder :math:`q_\phi(z|x) = N(\mu, \mathrm{diag}\,\sigma^2)`,
decoder :math:`p_\theta(x|z)`, prior :math:`p(z) = N(0, I)`.

The loss of one data point is the negative ELBO in nats,

.. math::  \ell(x) = \underbrace{-\log p_\theta(x|z)}_{\text{recon}} + \beta\,
           \underbrace{\mathrm{KL}(q_\phi(z|x)\,\|\,p(z))}_{\text{kl}},
           \qquad z = \mu + \sigma \odot \varepsilon,\ \varepsilon \sim N(0, I),

and a batch's loss is the **mean** of :math:`\ell` over its points (one convention everywhere).
For a Gaussian decoder with fixed variance :math:`\sigma_x^2` the reconstruction term is
:math:`\|x - \hat x\|^2 / (2\sigma_x^2) + \tfrac{D}{2}\log(2\pi\sigma_x^2)`; with
:math:`\sigma_x^2 = 1/2` the weight in front of the squared error is exactly 1.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _checks
from .gaussian import LOG_2PI, kl_diag_to_standard
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
    plain N(0, init_scale^2) weights, as in the source notebook (its "Xavier" was really this).
    """

    data_dim: int
    latent_dim: int
    enc_hidden: tuple[int, ...] = (32,)
    dec_hidden: tuple[int, ...] = (32,)
    likelihood: str = "gaussian"
    sigma2: float | str = 0.5
    init_scale: float | None = None
    _names: tuple = field(init=False, repr=False, compare=False)

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
        object.__setattr__(self, "_names", (
            tuple(f"enc{i + 1}" for i in range(len(self.enc_hidden))) + ("enc_out",),
            tuple(f"dec{i + 1}" for i in range(len(self.dec_hidden))) + ("dec_out",),
        ))

    @property
    def learned_variance(self) -> bool:
        return self.likelihood == "gaussian" and self.sigma2 == "learned"

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Every parameter's name and shape, in the order they are stored."""
        shapes = {}
        enc_names, dec_names = self._names
        widths = (self.data_dim,) + self.enc_hidden + (2 * self.latent_dim,)
        for name, n_in, n_out in zip(enc_names, widths[:-1], widths[1:]):
            shapes[f"{name}_W"], shapes[f"{name}_b"] = (n_in, n_out), (n_out,)
        widths = (self.latent_dim,) + self.dec_hidden + (self.data_dim,)
        for name, n_in, n_out in zip(dec_names, widths[:-1], widths[1:]):
            shapes[f"{name}_W"], shapes[f"{name}_b"] = (n_in, n_out), (n_out,)
        if self.learned_variance:
            shapes["dec_log_sigma2"] = (self.data_dim,)
        return shapes


def init_params(config: VAEConfig, rng: np.random.Generator) -> ParamDict:
    """Draw initial weights (He, or N(0, init_scale^2)); biases and log-variances start at 0."""
    params = ParamDict(config.param_shapes())
    for name, shape in params.shapes.items():
        if name.endswith("_W"):
            scale = config.init_scale if config.init_scale is not None else np.sqrt(2.0 / shape[0])
            params[name] = scale * rng.standard_normal(shape)
    return params


# ----------------------------------------------------------------------------------------------
# Forward pieces
# ----------------------------------------------------------------------------------------------
def _mlp_forward(params, names, h):
    """Dense + ReLU for every hidden layer in ``names[:-1]``, then a final dense layer."""
    caches = []
    for name in names[:-1]:
        h, dense_cache = dense_forward(h, params[name + "_W"], params[name + "_b"])
        h, relu_cache = relu_forward(h)
        caches.append((dense_cache, relu_cache))
    out, out_cache = dense_forward(h, params[names[-1] + "_W"], params[names[-1] + "_b"])
    caches.append(out_cache)
    return out, caches


def _mlp_backward(dout, caches, names, grads, need_dx):
    """Backward through :func:`_mlp_forward`, writing weight gradients into ``grads``."""
    name = names[-1]
    dh, _ = dense_backward(dout, caches[-1], grads[name + "_W"], grads[name + "_b"],
                           need_dx=need_dx or len(names) > 1)
    for i in range(len(names) - 2, -1, -1):
        dense_cache, relu_cache = caches[i]
        dh, _ = relu_backward(dh, relu_cache)
        dh, _ = dense_backward(dh, dense_cache, grads[names[i] + "_W"], grads[names[i] + "_b"],
                               need_dx=need_dx or i > 0)
    return dh


def encode(params: ParamDict, config: VAEConfig, x) -> tuple[np.ndarray, np.ndarray]:
    """The encoder q_phi(z|x): returns (mu, log_var), each of shape (batch, latent_dim)."""
    x = _checks.finite_matrix(x, "x", config.data_dim)
    out, _ = _mlp_forward(params, config._names[0], x)
    J = config.latent_dim
    return out[:, :J], out[:, J:]


def reparameterize(mu, log_var, eps) -> np.ndarray:
    """z = mu + sigma * eps with sigma = exp(log_var / 2): a sample of N(mu, diag(sigma^2))."""
    return mu + np.exp(0.5 * log_var) * eps


def decode(params: ParamDict, config: VAEConfig, z) -> np.ndarray:
    """The decoder's mean: x_hat for a Gaussian decoder, pixel probabilities for a Bernoulli one."""
    z = _checks.finite_matrix(z, "z", config.latent_dim)
    out, _ = _mlp_forward(params, config._names[1], z)
    if config.likelihood == "bernoulli":
        return _sigmoid(out)
    return out


def decoder_variance(params: ParamDict, config: VAEConfig) -> np.ndarray:
    """sigma_x^2 of the Gaussian decoder, one value per data dimension."""
    if config.likelihood != "gaussian":
        raise ValueError("decoder_variance is defined for the Gaussian decoder only")
    if config.learned_variance:
        return np.exp(params["dec_log_sigma2"])
    return np.full(config.data_dim, config.sigma2)


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # stable for any a, no overflow warning


# ----------------------------------------------------------------------------------------------
# Loss and gradients
# ----------------------------------------------------------------------------------------------
def vae_forward(params: ParamDict, config: VAEConfig, x, eps, beta: float = 1.0):
    """Loss of a batch and the cache for :func:`vae_backward`.

    Returns ``(losses, cache)`` with ``losses = {"recon", "kl", "total"}``: per data point,
    averaged over the batch, in nats; ``total = recon + beta * kl``. ``eps`` is the standard
    normal noise of the reparameterisation, shape (batch, latent_dim).
    """
    n = x.shape[0]
    J = config.latent_dim
    head, enc_caches = _mlp_forward(params, config._names[0], x)
    mu, log_var = head[:, :J], head[:, J:]
    sigma = np.exp(0.5 * log_var)
    sigma_eps = sigma * eps
    z = mu + sigma_eps
    out, dec_caches = _mlp_forward(params, config._names[1], z)

    # KL(q(z|x) || N(0, I)) = 1/2 sum_j (mu^2 + sigma^2 - 1 - log sigma^2), averaged over the batch
    var = sigma * sigma
    kl = 0.5 * (np.vdot(mu, mu) + var.sum() - log_var.sum()) / n - 0.5 * J

    if config.likelihood == "bernoulli":
        # -log p(x|z) = sum_d softplus(a_d) - x_d a_d, with a the decoder's logits
        recon = (np.logaddexp(0.0, out).sum() - np.vdot(x, out)) / n
        resid = sq = None
    else:
        resid = out - x
        if config.learned_variance:
            log_s2 = params["dec_log_sigma2"]
            inv_s2 = np.exp(-log_s2)
            sq = (resid * resid).sum(axis=0)  # per data dimension, summed over the batch
            recon = 0.5 * (np.dot(sq, inv_s2) / n + log_s2.sum() + config.data_dim * LOG_2PI)
        else:
            inv_s2 = 1.0 / config.sigma2
            recon = 0.5 * (np.vdot(resid, resid) * inv_s2 / n
                           + config.data_dim * (np.log(config.sigma2) + LOG_2PI))
            sq = None
    losses = {"recon": float(recon), "kl": float(kl), "total": float(recon + beta * kl)}
    cache = (x, eps, mu, log_var, sigma_eps, var, out, resid, sq, enc_caches, dec_caches, beta)
    return losses, cache


def vae_backward(params: ParamDict, config: VAEConfig, cache, grads: ParamDict | None = None):
    """Gradients of the batch loss of :func:`vae_forward` with respect to every parameter.

    Returns a ParamDict with exactly the keys of ``params`` (written into ``grads`` if given).
    """
    x, eps, mu, log_var, sigma_eps, var, out, resid, sq, enc_caches, dec_caches, beta = cache
    if grads is None:
        grads = params.zeros_like()
    n = x.shape[0]
    J = config.latent_dim

    # d loss / d decoder output
    if config.likelihood == "bernoulli":
        dout = (_sigmoid(out) - x) / n
    elif config.learned_variance:
        inv_s2 = np.exp(-params["dec_log_sigma2"])
        dout = resid * (inv_s2 / n)
        # d/d log s2 of 1/2 (sq / s2 / n + log s2)
        np.multiply(0.5, 1.0 - sq * inv_s2 / n, out=grads["dec_log_sigma2"])
    else:
        dout = resid * (1.0 / (config.sigma2 * n))

    dz = _mlp_backward(dout, dec_caches, config._names[1], grads, need_dx=True)

    # Through z = mu + sigma * eps, and the KL term (weighted by beta):
    #   d z / d mu = 1,   d z / d log_var = 1/2 sigma eps
    #   d KL / d mu = mu / n,   d KL / d log_var = 1/2 (sigma^2 - 1) / n
    dhead = np.empty((n, 2 * J))
    dmu, dlog_var = dhead[:, :J], dhead[:, J:]
    kl_w = beta / n
    np.multiply(mu, kl_w, out=dmu)
    dmu += dz
    np.multiply(dz, sigma_eps, out=dlog_var)
    dlog_var += kl_w * (var - 1.0)
    dlog_var *= 0.5

    _mlp_backward(dhead, enc_caches, config._names[0], grads, need_dx=False)
    return grads


def loss_and_grads(params: ParamDict, config: VAEConfig, x, eps, beta: float = 1.0):
    """Convenience: ``(losses, grads)`` for one batch, with inputs checked."""
    x = _checks.finite_matrix(x, "x", config.data_dim)
    eps = _checks.finite_matrix(eps, "eps", config.latent_dim)
    if eps.shape[0] != x.shape[0]:
        raise ValueError(f"eps must have one row per data point: x has {x.shape[0]}, eps has {eps.shape[0]}")
    losses, cache = vae_forward(params, config, x, eps, beta)
    return losses, vae_backward(params, config, cache)


def elbo_terms(params: ParamDict, config: VAEConfig, x, eps):
    """Per-point reconstruction term -log p(x|z) and KL, each of shape (batch,), in nats.

    The same quantities :func:`vae_forward` averages, kept per point for evaluation.
    """
    x = _checks.finite_matrix(x, "x", config.data_dim)
    mu, log_var = encode(params, config, x)
    z = reparameterize(mu, log_var, _checks.finite_matrix(eps, "eps", config.latent_dim))
    return -log_likelihood(params, config, x, z), kl_diag_to_standard(mu, log_var)


def log_likelihood(params: ParamDict, config: VAEConfig, x, z) -> np.ndarray:
    """log p_theta(x_i | z_i) of the decoder for each row i, in nats (shape (batch,)).

    Gaussian: log N(x; x_hat(z), sigma_x^2 I). Bernoulli: sum_d x_d a_d - softplus(a_d), with
    a the decoder's logits (this is -binary cross-entropy, also for x between 0 and 1).
    """
    x = _checks.finite_matrix(x, "x", config.data_dim)
    z = _checks.finite_matrix(z, "z", config.latent_dim)
    if z.shape[0] != x.shape[0]:
        raise ValueError(f"x and z must have the same number of rows, got {x.shape[0]} and {z.shape[0]}")
    out, _ = _mlp_forward(params, config._names[1], z)
    if config.likelihood == "bernoulli":
        return np.einsum("ij,ij->i", x, out) - np.logaddexp(0.0, out).sum(axis=1)
    return log_normal_rows(x, out, decoder_variance(params, config))


def log_normal_rows(x, mean, var):
    """log N(x_i; mean_i, diag(var)) for each row i; ``var`` has shape (data_dim,)."""
    r = x - mean
    return -0.5 * (np.sum(r * r / var, axis=1) + np.sum(np.log(var)) + x.shape[1] * LOG_2PI)


def sample(params: ParamDict, config: VAEConfig, n: int, rng: np.random.Generator,
           noise: bool = False) -> np.ndarray:
    """Generate ``n`` points: z ~ N(0, I), then the decoder's mean (or a draw from p(x|z) if ``noise``)."""
    n = _checks.positive_int(n, "n")
    z = rng.standard_normal((n, config.latent_dim))
    mean = decode(params, config, z)
    if not noise:
        return mean
    if config.likelihood == "bernoulli":
        return (rng.random(mean.shape) < mean).astype(np.float64)
    return mean + np.sqrt(decoder_variance(params, config)) * rng.standard_normal(mean.shape)
