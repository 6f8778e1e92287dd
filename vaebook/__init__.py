"""vaebook: the small NumPy library behind the book *Variational Autoencoders from First Principles*.

The chapters import every model, formula and data set from here and show its source, so the
code on a page is the code that is tested. Training runs the same computation arranged for
speed, in the private module ``vaebook._engine``, which the tests hold equal to the model.
"""
from .data import CENTERS, CLUSTER_STD, load_digits_01, make_mixture, mixture_log_density
from .gaussian import LOG_2PI, kl_diag_to_standard, kl_normal_1d, log_normal_diag
from .gradcheck import check_gradients, numerical_gradient, relative_error
from .layers import dense_backward, dense_forward, relu_backward, relu_forward
from .model import (VAEConfig, decode, decoder_variance, elbo_terms, encode, init_params, log_likelihood,
                    loss_and_grads, reparameterize, sample, vae_backward, vae_forward)
from .optim import SGD, Adam
from .params import ParamDict
from .seeds import rng
from .train import BASELINE, Baseline, train
from .train import train_reference
from . import metrics, style

__all__ = [
    # the model
    "VAEConfig", "init_params", "encode", "reparameterize", "decode", "decoder_variance",
    "log_likelihood", "vae_forward", "vae_backward", "loss_and_grads", "elbo_terms", "sample",
    "ParamDict",
    # seeded random draws (shifted by VAEBOOK_SEED_OFFSET)
    "rng",
    # training
    "train", "SGD", "Adam", "BASELINE", "Baseline",
    "train_reference",
    # layers and gradient checking
    "dense_forward", "dense_backward", "relu_forward", "relu_backward",
    "check_gradients", "numerical_gradient", "relative_error",
    # Gaussian formulas
    "LOG_2PI", "log_normal_diag", "kl_diag_to_standard", "kl_normal_1d",
    # data
    "CENTERS", "CLUSTER_STD", "make_mixture", "mixture_log_density", "load_digits_01",
    # modules
    "metrics", "style",
]

__version__ = "0.1.0"
