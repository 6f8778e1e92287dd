"""vaebook: the small NumPy library behind the book *Variational Autoencoders from First Principles*.

Everything a chapter computes comes from here, so the code shown on a page is the code that runs
and is tested.
"""
from .data import CENTERS, CLUSTER_STD, load_digits_01, make_mixture, mixture_log_density
from .gaussian import LOG_2PI, kl_diag_to_standard, kl_normal_1d, log_normal_diag
from .gradcheck import check_gradients, numerical_gradient, relative_error
from .layers import dense_backward, dense_forward, relu_backward, relu_forward
from .model import (VAEConfig, decode, decoder_variance, elbo_terms, encode, init_params, log_likelihood,
                    loss_and_grads, reparameterize, sample, vae_backward, vae_forward)
from .optim import SGD, Adam
from .params import ParamDict
from .train import train
from . import metrics, style

__version__ = "0.1.0"
